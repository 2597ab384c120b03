"""Backup and restore: one portable file that restores into an empty database of either backend.

Copying a DuckDB file while the service runs gives a silently stale copy (what is still in the
write-ahead log is missing), and `pg_dump` output restores only into PostgreSQL. A backup is instead
a zip of one Parquet file per table, read in one snapshot transaction, and `manifest.json` with the
schema revision, each table's row count and the sha256 of its file. A restore checks all of that
before it writes anything, refuses a target that holds any row or is at another schema revision,
loads every table in one transaction and moves the id sequences past the restored ids.

Files outside the database (generated briefs, the upload archive) are not in the backup:
docs/operations.md says to copy those folders beside it.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import sqlalchemy as sa

from app.services.clock import utcnow
from app.store import audit as audit_store
from app.store import backup as store
from app.store import migrate

FORMAT = "dem-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"


class BackupError(Exception):
    """A backup that cannot be taken or restored; `code` is stable, messages are for people."""

    def __init__(self, code: str, message_zh: str, message_en: str) -> None:
        self.code, self.message_zh, self.message_en = code, message_zh, message_en
        super().__init__(f"{message_zh} / {message_en}")


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    revision: str
    rows: dict[str, int]


def write_backup(*, engine: sa.Engine, path: Path, user: str = "cli") -> BackupSummary:
    """Write a consistent snapshot of every table to `path` (a zip); audited in the database."""
    revision = migrate.current_revision(engine)
    if revision is None:
        raise _not_initialised()
    files: dict[str, bytes] = {}
    with store.snapshot(engine) as conn:
        for table in store.tables():
            buffer = io.BytesIO()
            pq.write_table(store.read_table(conn, table), buffer)
            files[table.name] = buffer.getvalue()
        rows = store.count_rows(conn)
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "alembic_revision": revision,
        "backend": engine.dialect.name,
        "created_at": utcnow().isoformat(timespec="seconds") + "Z",
        "tables": {
            name: {
                "file": f"tables/{name}.parquet",
                "rows": rows[name],
                "sha256": hashlib.sha256(data).hexdigest(),
            }
            for name, data in files.items()
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with zipfile.ZipFile(partial, "w") as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2), zipfile.ZIP_DEFLATED)
        for name, data in files.items():
            archive.writestr(f"tables/{name}.parquet", data, zipfile.ZIP_STORED)  # Parquet is compressed
    partial.replace(path)  # a backup file is complete or absent, never half-written
    with engine.begin() as conn:
        audit_store.insert_audit(
            conn,
            at=utcnow(),
            username=user,
            action="database.backup",
            object_type="database",
            after={"file": path.name, "revision": revision, "rows": sum(rows.values())},
        )
    return BackupSummary(path, revision, rows)


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of a backup file, checked against the tables it describes (nothing is written)."""
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read(MANIFEST))
            if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
                raise _unreadable(path)
            for name, entry in manifest["tables"].items():
                data = archive.read(entry["file"])
                if hashlib.sha256(data).hexdigest() != entry["sha256"]:
                    raise BackupError(
                        "backup-corrupt",
                        f"备份文件 {path.name} 中的表 {name} 已损坏（校验值不符），不能恢复",
                        f"table {name} in {path.name} is corrupt (sha256 mismatch)",
                    )
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise _unreadable(path) from exc
    return dict(manifest)


def check_backup(path: Path) -> dict[str, Any]:
    """The manifest of a backup this program can restore (its own schema revision), or why not."""
    manifest = read_manifest(path)
    revision = manifest["alembic_revision"]
    head = migrate.head_revision()
    if revision != head:
        raise BackupError(
            "revision-mismatch",
            f"备份的数据库结构版本为 {revision}，本程序为 {head}：请用相同版本的程序恢复，"
            "恢复后再运行 dem init 升级",
            f"the backup is at schema revision {revision}, this program at {head}: restore with the same "
            "version, then run dem init to upgrade",
        )
    return manifest


def restore_backup(*, engine: sa.Engine, path: Path) -> BackupSummary:
    """Load a backup into an empty database (created here if it has no schema yet), all or nothing."""
    manifest = check_backup(path)
    revision, head = manifest["alembic_revision"], migrate.head_revision()
    current = migrate.current_revision(engine)
    if current not in (None, head):
        raise BackupError(
            "target-revision",
            f"目标数据库的结构版本为 {current}，与备份（{revision}）不同：请恢复到一个新的空数据库",
            f"the target database is at revision {current}, not {revision}: "
            "restore into a new, empty database",
        )
    migrate.upgrade(engine)
    with engine.connect() as conn:
        filled = {name: n for name, n in store.count_rows(conn).items() if n}
    if filled:
        listed = "、".join(f"{name}（{n} 行）" for name, n in sorted(filled.items()))
        raise BackupError(
            "target-not-empty",
            f"目标数据库不是空的：{listed}。恢复只写入空数据库，请换一个新的数据库文件或空的 schema",
            f"the target database is not empty ({', '.join(sorted(filled))}): restore into an empty one",
        )
    expected = {name: int(entry["rows"]) for name, entry in manifest["tables"].items()}
    with zipfile.ZipFile(path) as archive, engine.begin() as conn:
        for table in store.tables():
            entry = manifest["tables"].get(table.name)
            if entry is None:
                continue
            data = pq.read_table(io.BytesIO(archive.read(entry["file"])))
            store.load_table(conn, table, data)
        store.reset_sequences(conn)
        rows = store.count_rows(conn)
        if any(rows.get(name, 0) != n for name, n in expected.items()):
            raise BackupError(  # the transaction rolls back: the target stays empty
                "restore-count-mismatch",
                "恢复后的行数与备份清单不符，已撤销恢复",
                "row counts after restoring differ from the manifest; the restore was undone",
            )
    return BackupSummary(path, revision, rows)


def _not_initialised() -> BackupError:
    return BackupError(
        "not-initialised",
        "数据库尚未初始化，没有可备份的内容（请先运行 dem init）",
        "the database was never initialised: nothing to back up (run dem init)",
    )


def _unreadable(path: Path) -> BackupError:
    return BackupError(
        "backup-unreadable",
        f"{path.name} 不是可读取的数据备份文件（dem backup 生成的 zip）",
        f"{path.name} is not a readable backup (a zip written by dem backup)",
    )
