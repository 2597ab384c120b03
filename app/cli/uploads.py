"""`dem ingest`, `dem uploads`, `dem publish`, `dem rollback`: the upload workflow without a browser."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from app.auth.policy import system_actor
from app.cli.common import console, fail, open_engine, settings_now
from app.services import uploads as upload_service
from app.services.reading import ReadOptions
from app.services.uploads import Phase, PhaseCallback
from indicators.plan import load_plan

SEVERITY_STYLE = {"error": "red", "warning": "yellow"}
#: Files below this size are read, staged and published in about a second: no progress display.
PROGRESS_MIN_BYTES = 1 << 20
PHASE_LABELS = {
    Phase.READING: "读取与校验 reading and validating",
    Phase.STAGING: "暂存 staging",
    Phase.PUBLISHING: "发布 publishing",
}
DONE_LABEL = "完成 done"
#: Issues printed as table rows; a large file can have thousands, which no one reads on a terminal
#: (and rendering them takes longer than the upload). `--json` and the report keep every one.
MAX_PRINTED_ISSUES = 50


def ingest(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV or XLSX file to upload")],
    publish: Annotated[
        bool, typer.Option("--publish", help="Publish at once when the file is clean")
    ] = False,
    confirm_warnings: Annotated[
        bool, typer.Option("--confirm-warnings", help="Publish even though there are warnings")
    ] = False,
    user: Annotated[str, typer.Option("--user", help="Who is uploading (recorded in the history)")] = "cli",
    reason: Annotated[str | None, typer.Option("--reason", help="Why published values are revised")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Validate a file, stage it, and optionally publish it (exit 1 on errors or unconfirmed warnings)."""
    settings = settings_now()
    engine = open_engine(settings)
    plan = load_plan(settings.plan)
    out = console()
    show_progress = not as_json and out.is_terminal and file.stat().st_size >= PROGRESS_MIN_BYTES
    published = None
    blocked = None
    actor = system_actor(user)
    with _phases(out, enabled=show_progress) as on_phase:
        try:
            staged = upload_service.stage_upload(
                engine=engine,
                plan=plan,
                path=file,
                actor=actor,
                max_bytes=settings.max_upload_bytes,
                archive_dir=settings.upload_dir,
                on_phase=on_phase,
                read_options=ReadOptions.from_settings(settings),
            )
        except upload_service.UploadError as exc:  # refused at the door (type, size): nothing was read
            if as_json:
                refusal = {"file": file.name, "status": "refused", "code": exc.code, "message": str(exc)}
                typer.echo(json.dumps(refusal, ensure_ascii=False, indent=2))
                raise typer.Exit(1) from exc
            raise fail(str(exc)) from exc
        status = staged.status
        # the same file staged earlier (e.g. by a run that was interrupted before publishing) is
        # published now rather than reported as a duplicate that nobody will ever publish
        if publish and (status == "staged" or staged.duplicate_status == "staged"):
            try:
                published = upload_service.publish_upload(
                    engine=engine,
                    upload_id=staged.upload_id or 0,
                    actor=actor,
                    confirm_warnings=confirm_warnings,
                    reason=reason,
                    on_phase=on_phase,
                )
                status = "published"
            except upload_service.UploadError as exc:
                blocked = exc
    payload = _payload(staged, status, published, blocked)
    if as_json:
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    else:
        _print_report(out, payload)
    if staged.status == "rejected" or blocked is not None:
        raise typer.Exit(1)


@contextmanager
def _phases(out: Console, *, enabled: bool) -> Iterator[PhaseCallback | None]:
    """A spinner with the current phase and the elapsed time, for large files on a terminal."""
    if not enabled:
        yield None
        return
    order = list(Phase)
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=out) as progress:
        task = progress.add_task(PHASE_LABELS[Phase.READING], total=len(order))

        def show(phase: str) -> None:
            # refresh at once: the phase is shown when it starts, not at the next tick
            step = Phase(phase)
            progress.update(task, description=PHASE_LABELS[step], completed=order.index(step), refresh=True)

        yield show
        progress.update(task, description=DONE_LABEL, completed=len(order), refresh=True)


def _payload(
    staged: upload_service.StageResult,
    status: str,
    published: upload_service.PublishResult | None,
    blocked: upload_service.UploadError | None,
) -> dict[str, Any]:
    return {
        "upload_id": staged.upload_id,
        "file": staged.file_name,
        "sha256": staged.sha256,
        "status": status,
        "rows": staged.rows,
        "duplicate_of": staged.duplicate_of,
        "errors": [_issue(i.to_dict()) for i in staged.errors],
        "warnings": [_issue(i.to_dict()) for i in staged.warnings],
        "diff": {
            "new": staged.diff.new,
            "revised": staged.diff.revised,
            "unchanged": staged.diff.unchanged,
            "revisions": staged.diff.revisions,
        },
        "published_values": published.published_values if published else 0,
        "issue_counts": staged.report.stats.get("issue_counts", {}),
        "blocked": {"code": blocked.code, "message": str(blocked)} if blocked else None,
    }


def _issue(issue: dict[str, Any]) -> dict[str, Any]:
    keys = ("sheet", "row", "column", "code", "message", "message_zh", "message_en", "value", "old", "new")
    out = {k: issue.get(k) for k in keys if k in issue}
    out.setdefault("message", issue.get("message_zh"))
    return out


def _print_report(out: Console, payload: dict[str, Any]) -> None:
    out.print(f"文件 file: {payload['file']}  sha256 {payload['sha256'][:12]}…")
    problems = [("error", i) for i in payload["errors"]] + [("warning", i) for i in payload["warnings"]]
    if problems:
        table = Table("级别", "工作表 sheet", "行 row", "列 column", "代码 code", "说明 message")
        for severity, issue in problems[:MAX_PRINTED_ISSUES]:
            style = SEVERITY_STYLE[severity]
            label = "错误 error" if severity == "error" else "警告 warning"
            table.add_row(
                f"[{style}]{label}[/{style}]",
                str(issue.get("sheet") or ""),
                str(issue.get("row") or ""),
                str(issue.get("column") or ""),
                str(issue.get("code")),
                str(issue.get("message_zh") or issue.get("message")),
            )
        out.print(table)
    counts = payload["issue_counts"]
    total = max(sum(counts.values()), len(problems))
    if total > MAX_PRINTED_ISSUES:
        by_code = ", ".join(f"{code} {n}" for code, n in sorted(counts.items(), key=lambda kv: -kv[1]))
        out.print(
            f"另有 {total - MAX_PRINTED_ISSUES} 条未列出 / {total - MAX_PRINTED_ISSUES} more not shown "
            f"({by_code}); dem ingest --json lists them"
        )
    diff = payload["diff"]
    out.print(
        f"行数 rows: {payload['rows']}  新增 new: {diff['new']}  修订 revised: {diff['revised']}  "
        f"未变 unchanged: {diff['unchanged']}"
    )
    status_text = {
        "rejected": "[red]有错误，未发布 rejected: nothing was written[/red]",
        "staged": f"已暂存 staged as upload #{payload['upload_id']} (dem publish {payload['upload_id']})",
        "published": f"[green]已发布 published upload #{payload['upload_id']}: "
        f"{payload['published_values']} values[/green]",
        "duplicate": f"[yellow]同一文件已上报 already uploaded as #{payload['duplicate_of']}[/yellow]",
    }[payload["status"]]
    if payload["status"] == "published" and payload["duplicate_of"] is not None:
        note = f"同一文件已暂存为 #{payload['duplicate_of']}，现予发布 / already staged: published now"
        out.print(f"[yellow]{note}[/yellow]")
    out.print(status_text)
    if payload["blocked"]:
        out.print(f"[yellow]{payload['blocked']['message']}[/yellow]")


def uploads(
    limit: Annotated[int, typer.Option("--limit", help="How many of the newest uploads")] = 50,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List uploads, newest first."""
    engine = open_engine(settings_now())
    rows = upload_service.list_uploads(engine=engine, limit=limit)
    if as_json:
        for row in rows:
            row.pop("report", None)
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    table = Table("id", "文件 file", "状态 status", "行 rows", "警告 warnings", "上报人 by", "时间 at")
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["file_name"],
            row["status"],
            str(row["rows"]),
            str(row["n_warnings"]),
            row["uploaded_by"],
            f"{row['uploaded_at']:%Y-%m-%d %H:%M}",
        )
    console().print(table)


def publish(
    upload_id: Annotated[int, typer.Argument(help="Upload id (see dem uploads)")],
    confirm_warnings: Annotated[bool, typer.Option("--confirm-warnings")] = False,
    user: Annotated[str, typer.Option("--user")] = "cli",
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    seen_version: Annotated[
        int | None,
        typer.Option(
            "--seen-version",
            min=0,
            max=2**63 - 1,
            help="Confirm the new diff shown when values changed since staging",
        ),
    ] = None,
) -> None:
    """Publish a staged upload (refused with the new diff if what it overwrites changed since staging)."""
    engine = open_engine(settings_now())
    try:
        result = upload_service.publish_upload(
            engine=engine,
            upload_id=upload_id,
            actor=system_actor(user),
            confirm_warnings=confirm_warnings,
            reason=reason,
            seen_version=seen_version,
        )
    except upload_service.UploadError as exc:
        if exc.code == "changed-since-staging":
            _print_changes(console(), upload_id, exc.detail)
        raise fail(str(exc)) from exc
    console().print(f"[green]已发布 published upload #{upload_id}: {result.published_values} values[/green]")


def _print_changes(out: Console, upload_id: int, detail: dict[str, Any]) -> None:
    """What changed since staging, and the command that confirms the new diff."""
    table = Table(
        "指标 indicator",
        "地区 region",
        "时期 period",
        "暂存时 staged against",
        "现在 now",
        "本次 this upload",
    )
    for change in detail["changes"][:MAX_PRINTED_ISSUES]:
        table.add_row(
            change["indicator"],
            change["region"],
            change["period"],
            _number(change["staged_against"]),
            _number(change["published_now"]),
            _number(change["value"]),
        )
    out.print(table)
    diff = detail["diff"]
    out.print(
        f"新的差异 new diff: 新增 new {diff['new']}  修订 revised {diff['revised']}  "
        f"未变 unchanged {diff['unchanged']}"
    )
    out.print(
        f"确认后重新发布 / to publish after review: dem publish {upload_id} "
        f"--seen-version {detail['data_version']} --confirm-warnings --reason …"
    )


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def rollback(
    upload_id: Annotated[int, typer.Argument(help="Upload id (see dem uploads)")],
    user: Annotated[str, typer.Option("--user")] = "cli",
) -> None:
    """Roll back a published upload: the previous values return, the history keeps both."""
    engine = open_engine(settings_now())
    try:
        result = upload_service.rollback_upload(engine=engine, upload_id=upload_id, actor=system_actor(user))
    except upload_service.UploadError as exc:
        raise fail(str(exc)) from exc
    console().print(f"已回滚 rolled back upload #{upload_id}: {result.restored_values} values restored")
