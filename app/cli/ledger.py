"""`dem ledger …`: 试算 (quote), file, approve, pay and list applications under 若干政策.

Commands that read or change applications act as a named account (`--user`), so that the same
role rules apply as in the API; `quote` without `--enterprise` needs no account and no database.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from app.cli.common import console, fail, open_engine, settings_now
from app.services import ledger as ledger_service
from app.services import ledger_imports
from app.services.accounts import User
from app.services.clock import beijing_today
from app.services.ledger import ApplicationInput, LedgerError, State
from etl.ledger_template import write_ledger_template
from indicators.ledger import credit_code
from indicators.ledger.engine import fmt
from indicators.plan import load_plan

ledger = typer.Typer(
    help="政策兑现台账 Policy ledger: quotes, applications, approval and payment.", no_args_is_help=True
)

BasisOption = Annotated[
    list[str] | None,
    typer.Option("--basis", "-b", help="Basis figure KEY=VALUE (万元 unless the key says otherwise)"),
]
UserOption = Annotated[
    str, typer.Option("--user", help="Act as this account (its role and department apply)")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON")]


def _basis(pairs: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise fail(f"--basis 应写作 KEY=VALUE：{pair} / --basis must be KEY=VALUE")
        out[key.strip()] = value.strip()
    return out


def _refuse(exc: LedgerError) -> typer.Exit:
    return fail(f"{exc.message_zh} / {exc.message_en}")


def _actor(engine: Any, username: str) -> User:
    user = ledger_service.find_user(engine=engine, username=username)
    if user is None or not user.active:
        raise fail(f"没有可用的账户“{username}” / no active account {username!r}")
    return user


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@ledger.command("quote")
def quote(
    item: Annotated[int, typer.Option("--item", help="Policy item number (若干政策 第N条)")],
    basis: BasisOption = None,
    award: Annotated[str | None, typer.Option("--award", help="Award code when the item has several")] = None,
    enterprise: Annotated[
        str | None, typer.Option("--enterprise", help="统一社会信用代码: price against its ledger history")
    ] = None,
    year: Annotated[int | None, typer.Option("--year", help="Award year (default: this year)")] = None,
    project: Annotated[str | None, typer.Option("--project", help="Project, title or standard")] = None,
    as_json: JsonOption = False,
) -> None:
    """试算: the award in 万元, the rule that fired and each cap applied (nothing is filed)."""
    settings = settings_now()
    plan = load_plan(settings.plan)
    # a malformed code is refused before the database is opened (the service checks it first)
    engine = open_engine(settings) if enterprise and credit_code.is_valid(enterprise) else None
    try:
        result = ledger_service.quote_award(
            engine=engine,
            plan=plan,
            item=item,
            award=award,
            basis=_basis(basis),
            year=year or beijing_today().year,
            enterprise=enterprise,
            project=project,
        )
    except LedgerError as exc:
        raise _refuse(exc) from exc
    if as_json:
        _print_json(result.as_dict())
        return
    out = console()
    out.print(f"{result.rule_zh}")
    for step in result.steps:
        out.print(f"  · {step.text_zh}")
    out.print(f"[bold]核定奖补 award: {fmt(result.amount)} 万元[/bold]")


@ledger.command("apply")
def apply(
    user: UserOption,
    item: Annotated[int, typer.Option("--item")],
    enterprise: Annotated[str, typer.Option("--enterprise", help="统一社会信用代码")],
    name: Annotated[str, typer.Option("--name", help="Enterprise name 企业名称")],
    city: Annotated[str, typer.Option("--city", help="City 设区市 (name or code)")],
    basis: BasisOption = None,
    award: Annotated[str | None, typer.Option("--award")] = None,
    year: Annotated[int | None, typer.Option("--year")] = None,
    project: Annotated[str | None, typer.Option("--project")] = None,
    as_json: JsonOption = False,
) -> None:
    """File an application; the award is computed against the ledger and kept with it."""
    settings = settings_now()
    engine = open_engine(settings)
    plan = load_plan(settings.plan)
    application = ApplicationInput(
        enterprise, name, city, item, year or beijing_today().year, _basis(basis), award, project
    )
    try:
        row = ledger_service.file_application(
            engine=engine, plan=plan, actor=_actor(engine, user), application=application
        )
    except LedgerError as exc:
        raise _refuse(exc) from exc
    if as_json:
        _print_json(row)
        return
    console().print(
        f"已登记 filed #{row['id']}: {row['award_name']} {fmt_float(row['amount'])} 万元"
        f" — {row['explanation']}"
    )


def fmt_float(value: float) -> str:
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def _move(application_id: int, user: str, to: State, as_json: bool) -> None:
    settings = settings_now()
    engine = open_engine(settings)
    plan = load_plan(settings.plan)
    try:
        row = ledger_service.move(
            engine=engine, plan=plan, actor=_actor(engine, user), application_id=application_id, to=to
        )
    except LedgerError as exc:
        raise _refuse(exc) from exc
    if as_json:
        _print_json(row)
        return
    console().print(f"#{application_id} → {row['state_label']} {row['state']}")


@ledger.command("approve")
def approve(
    application_id: Annotated[int, typer.Argument(help="Application id")],
    user: UserOption,
    as_json: JsonOption = False,
) -> None:
    """applied → approved (the item's lead department)."""
    _move(application_id, user, State.APPROVED, as_json)


@ledger.command("pay")
def pay(
    application_id: Annotated[int, typer.Argument(help="Application id")],
    user: UserOption,
    as_json: JsonOption = False,
) -> None:
    """approved → paid (the item's lead department)."""
    _move(application_id, user, State.PAID, as_json)


@ledger.command("list")
def list_(
    user: UserOption,
    item: Annotated[int | None, typer.Option("--item")] = None,
    year: Annotated[int | None, typer.Option("--year")] = None,
    state: Annotated[str | None, typer.Option("--state", help="applied | approved | paid")] = None,
    as_json: JsonOption = False,
) -> None:
    """Applications the account may read, newest first."""
    settings = settings_now()
    engine = open_engine(settings)
    plan = load_plan(settings.plan)
    rows = ledger_service.list_applications(
        engine=engine, plan=plan, actor=_actor(engine, user), item=item, year=year, state=state
    )
    if as_json:
        _print_json(rows)
        return
    table = Table(
        "#", "条", "企业 enterprise", "市 city", "年 year", "奖补 award (万元)", "状态 state", "封顶 caps"
    )
    for r in rows:
        table.add_row(
            str(r["id"]),
            str(r["item"]),
            r["enterprise_name"],
            r["city_name"],
            str(r["year"]),
            fmt_float(r["amount"]),
            r["state_label"],
            ",".join(r["binding_caps"]),
        )
    console().print(table)


@ledger.command("summary")
def summary(user: UserOption, as_json: JsonOption = False) -> None:
    """What the policies cost: totals by item and the caps that bound most often."""
    settings = settings_now()
    engine = open_engine(settings)
    plan = load_plan(settings.plan)
    result = ledger_service.summary(engine=engine, plan=plan, actor=_actor(engine, user))
    if as_json:
        _print_json(
            {
                k: getattr(result, k)
                for k in (
                    "totals",
                    "by_item",
                    "by_department",
                    "by_city",
                    "by_year",
                    "top_enterprises",
                    "binding",
                )
            }
        )
        return
    table = Table("条 item", "牵头 lead", "申请 n", "申请额", "已审核 approved", "已拨付 paid")
    for r in result.by_item:
        table.add_row(
            r["label"],
            r["department"],
            str(r["applications"]),
            fmt_float(r["requested"]),
            fmt_float(r["approved"]),
            fmt_float(r["paid"]),
        )
    out = console()
    out.print(table)
    t = result.totals
    out.print(
        f"合计 total: 申请 {t['applications']:.0f} 笔 {fmt_float(t['requested'])} 万元，"
        f"已审核 {fmt_float(t['approved'])} 万元，已拨付 {fmt_float(t['paid'])} 万元"
    )


@ledger.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="XLSX or CSV of applications (see `dem ledger template`)")],
    user: UserOption,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and price the rows, file nothing")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Import applications: every row checked; any error (listed in Chinese) files nothing."""
    settings = settings_now()
    engine = open_engine(settings)
    plan = load_plan(settings.plan)
    if not file.is_file():
        raise fail(f"找不到文件 file not found: {file}")
    result = ledger_imports.import_applications(
        engine=engine, plan=plan, actor=_actor(engine, user), path=file, dry_run=dry_run
    )
    if as_json:
        _print_json(
            {
                "report": result.report,
                "dry_run": result.dry_run,
                "quotes": result.quotes,
                "filed": [r["id"] for r in result.applications],
            }
        )
        if not result.valid:
            raise typer.Exit(1)
        return
    out = console()
    if not result.valid:
        for issue in result.report["errors"]:
            out.print(f"[red]{issue['message_zh']}[/red]")
        raise fail(f"未导入 nothing imported: {result.report['stats'].get('errors', 0)} 处错误 errors")
    total = sum(q["amount"] for q in result.quotes)
    verb = "试算 dry run" if dry_run else "已导入 imported"
    out.print(f"{verb}: {len(result.quotes)} 笔申请 applications, 奖补合计 {fmt_float(total)} 万元")


@ledger.command("template")
def template(
    out: Annotated[Path, typer.Argument(help="Where to write the XLSX template")] = Path(
        "政策兑现申请导入模板.xlsx"
    ),
) -> None:
    """Write the import template (columns for every basis key, drop-down lists, 依据说明)."""
    settings = settings_now()
    path = write_ledger_template(out, plan=load_plan(settings.plan))
    console().print(f"已生成模板 template: {path}")
