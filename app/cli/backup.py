"""`dem backup -o FILE` and `dem restore FILE`: a portable snapshot of the whole database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import console, fail, open_engine, settings_now
from app.services import backup as backup_service
from app.store.engine import DatabaseLockedError, check_connection, make_engine

#: What to do when `dem serve` holds the DuckDB file (DuckDB lets one process open it).
WHILE_SERVING = (
    "服务运行中时，请由管理员从服务下载备份 / while the service runs, an administrator downloads it:\n"
    "  curl -fH 'Authorization: Bearer <管理员令牌 admin token>' -o dem-backup.zip "
    "http://<服务地址 host>/api/v1/admin/backup"
)


def backup(
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Backup file to write (a zip)", dir_okay=False)
    ],
) -> None:
    """Write a consistent backup of every table (restores into either backend)."""
    engine = open_engine(settings_now(), locked_hint=WHILE_SERVING)
    try:
        summary = backup_service.write_backup(engine=engine, path=output)
    except backup_service.BackupError as exc:
        raise fail(str(exc)) from exc
    total = sum(summary.rows.values())
    console().print(
        f"[green]已备份 backed up {total:,} 行 rows of {len(summary.rows)} 张表 tables "
        f"(结构版本 schema {summary.revision}) → {summary.path}[/green]"
    )


def restore(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A file written by dem backup")],
) -> None:
    """Restore a backup into the empty database of DEM_DATABASE_URL (either backend)."""
    settings = settings_now()
    try:
        backup_service.check_backup(file)  # before the engine: a file that cannot be restored creates nothing
    except backup_service.BackupError as exc:
        raise fail(str(exc)) from exc
    engine = make_engine(settings.database_url)
    try:
        check_connection(engine)
        summary = backup_service.restore_backup(engine=engine, path=file)
    except DatabaseLockedError as exc:
        raise fail(str(exc)) from exc
    except backup_service.BackupError as exc:
        raise fail(str(exc)) from exc
    total = sum(summary.rows.values())
    console().print(f"[green]已恢复 restored {total:,} 行 rows (结构版本 schema {summary.revision})[/green]")
