"""Benchmark: each brief format for the province and the final evaluation, against named peers.

On a DuckDB file holding every sample upload, times `generate_brief` end to end (read the data at a
version, compose, render, hash, record) for docx (with its charts), xlsx and pdf, for the province
and the final evaluation. Goals: docx < 3 s, xlsx < 1 s, pdf < 6 s.

Peers measured in the same run, so the ratios hold on a loaded machine too:
- docx: a bare python-docx document holding the same target table (no styles, fonts or charts);
- xlsx: a bare xlsxwriter workbook with the same target rows;
- pdf: LibreOffice converting an empty docx (the floor of any PDF made this way).

Run alone: `.venv/bin/python -m benchmarks.bench_briefs [--repeat 3]` (median of the runs)
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path

import docx
import xlsxwriter

from app.auth.roles import Role
from app.briefs import pdf
from app.config import Settings
from app.services import briefs as svc
from app.services import progress as progress_service
from app.services.accounts import User
from app.services.samples import load_samples
from app.services.setup import init_database
from app.store.engine import make_engine
from benchmarks.harness import Figure, median_time, say, table
from indicators.plan import DEFAULT_PLAN, load_plan

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "data" / "sample"
GOALS = {"docx": 3.0, "xlsx": 1.0, "pdf": 6.0}
ADMIN = User(id=1, username="bench", display_name="bench", role=Role.ADMIN, department=None)


def figures(*, repetitions: int = 3, formats: tuple[str, ...] = ("docx", "xlsx", "pdf")) -> list[Figure]:
    """Each brief format for the province and the final evaluation, against its bare peer."""

    def best(run: Callable[[], object], repeat: int) -> float:
        return median_time(run, repeat)[0]

    out: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="bench-briefs-") as folder:
        work = Path(folder)
        engine = make_engine(f"duckdb:///{work / 'dem.duckdb'}")
        plan = load_plan(DEFAULT_PLAN)
        init_database(engine=engine, plan_path=DEFAULT_PLAN)
        load_samples(engine=engine, plan=plan, sample_dir=SAMPLE_DIR)
        settings = Settings(database_url=str(engine.url), brief_dir=work / "briefs")
        records = progress_service.progress_records(engine=engine, plan=plan)
        rows = [
            [r["name"], r["year"], r["target"], r["current"], r["completion"], r["status_zh"]]
            for r in records
        ]

        def bare_docx() -> None:
            document = docx.Document()
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            for row, values in zip(table.rows, rows, strict=True):
                for cell, value in zip(row.cells, values, strict=True):
                    cell.text = str(value)
            document.save(str(work / "bare.docx"))

        def bare_xlsx() -> None:
            workbook = xlsxwriter.Workbook(str(work / "bare.xlsx"))
            sheet = workbook.add_worksheet()
            for i, values in enumerate(rows):
                sheet.write_row(i, 0, values)
            workbook.close()

        docx.Document().save(str(work / "empty.docx"))
        peers = {
            "docx": ("bare python-docx table", best(bare_docx, repetitions)),
            "xlsx": ("bare xlsxwriter rows", best(bare_xlsx, repetitions)),
        }
        if pdf.find_office():
            empty = work / "empty.docx"
            peers["pdf"] = (
                "LibreOffice converting an empty docx",
                best(lambda: pdf.convert_to_pdf(empty, work / "empty.pdf"), repetitions),
            )
        now = dt.datetime(2026, 12, 1, 2, 0)
        for scope in ("province", "final"):
            for fmt in svc.BriefFormat:
                if str(fmt) not in formats or str(fmt) not in peers:
                    continue

                def run(scope: str = scope, fmt: svc.BriefFormat = fmt) -> None:
                    svc.generate_brief(
                        engine=engine, plan=plan, settings=settings, actor=ADMIN,
                        scope=svc.BriefScope.parse(scope, plan=plan), period=None, fmt=fmt, now=now,
                    )  # fmt: skip

                seconds = best(run, repetitions)
                name, peer = peers[str(fmt)]
                out.append(
                    Figure(
                        "briefs", f"{scope} brief, {fmt}", seconds, peer=peer, peer_name=name,
                        goal_kind="max", goal=GOALS[str(fmt)], repetitions=repetitions,
                    )
                )  # fmt: skip
        engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    say(table(figures(repetitions=args.repeat)))


if __name__ == "__main__":
    main()
