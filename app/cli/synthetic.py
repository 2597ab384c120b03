"""`dem sample generate`: write a synthetic plan and bureau uploads at any scale (benchmarks, scale tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import console, fail
from app.services.synthetic import SyntheticSpec
from app.services.synthetic import generate as generate_set

sample = typer.Typer(help="Sample and synthetic data 示例与合成数据", no_args_is_help=True)


@sample.command("generate")
def generate(
    out_dir: Annotated[Path, typer.Option("-o", "--out", help="Folder to write the plan and the uploads to")],
    regions: Annotated[
        int, typer.Option("--regions", help="Regions: 1 province, cities and counties")
    ] = 2_900,
    indicators: Annotated[int, typer.Option("--indicators", help="Quarterly indicators")] = 100,
    periods: Annotated[int, typer.Option("--periods", help="Quarters from 2020Q1")] = 40,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same files, byte for byte")] = 20210801,
    all_targets: Annotated[
        bool, typer.Option("--all-targets", help="A target for every region, not only the province")
    ] = False,
) -> None:
    """Write plan.toml, a long CSV (every quarter but the last) and a wide XLSX (the last quarter)."""
    spec = SyntheticSpec(
        regions=regions,
        indicators=indicators,
        periods=periods,
        seed=seed,
        targets="all" if all_targets else "province",
    )
    try:
        spec.check()
    except ValueError as exc:
        raise fail(str(exc)) from exc
    written = generate_set(spec=spec, out_dir=out_dir)
    out = console()
    out.print(f"规划 plan: {written.plan_path}（{written.targets:,} 个目标 targets）")
    out.print(f"长表 long CSV: {written.csv_path}")
    out.print(f"宽表 wide XLSX: {written.xlsx_path}")
    out.print(f"数值 values: {written.values:,}")
    out.print(f"载入 load: DEM_PLAN={written.plan_path} dem init，然后 then dem ingest FILE --publish")
