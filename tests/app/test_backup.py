"""`dem backup` and `dem restore`: a portable snapshot that restores into an empty database of
either backend, every table equal row by row, `dem progress --json` identical.

Attack that this answers: copying the DuckDB file while the service ran gave a stale copy (10 of 10
copies held none of the publications still in the write-ahead log).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from app.auth.policy import SYSTEM, system_actor
from app.auth.roles import Role
from app.cli import cli
from app.config import Settings
from app.main import create_app
from app.services import accounts, setup
from app.services import uploads as svc
from app.store import schema as s
from app.store.engine import make_engine
from indicators.plan import DEFAULT_PLAN, load_plan
from tests.app.test_uploads_service import FIRST, REVISED, write_csv
from tests.conftest import empty_database
from tests.support.server import running

runner = CliRunner()
DEM = Path(sys.executable).parent / "dem"


def rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order, JSON compared parsed."""
    engine = make_engine(url)
    out = {}
    with engine.connect() as conn:
        for table in s.metadata.sorted_tables:
            found = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            out[table.name] = [
                tuple(
                    json.loads(v) if isinstance(c.type, sa.JSON) and isinstance(v, str) else v
                    for c, v in zip(table.c, row, strict=True)
                )
                for row in found
            ]
            if not table.primary_key.columns:  # staged_values: no key, so no defined order
                out[table.name].sort(key=repr)
    engine.dispose()
    return out


def dem(url: str, *args: str, **env: str) -> Any:
    return runner.invoke(cli, list(args), env={"DEM_DATABASE_URL": url, **env})


def progress(url: str) -> Any:
    result = dem(url, "progress", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A DuckDB database with the samples, users and tokens, a revision and a rollback (shared: the
    tests only back it up, which adds nothing but an audit row)."""
    tmp_path = tmp_path_factory.mktemp("backup-source")
    url = f"duckdb:///{tmp_path / 'source.duckdb'}"
    assert dem(url, "init", "--sample", DEM_UPLOAD_DIR=str(tmp_path / "uploads")).exit_code == 0
    engine = make_engine(url)
    plan = load_plan(DEFAULT_PLAN)
    user = accounts.create_user(
        actor=SYSTEM, engine=engine, username="tongji", password="correct-horse-battery", role=Role.BUREAU
    )
    accounts.create_token(engine=engine, user=user, name="backup")
    first = svc.stage_upload(
        engine=engine, plan=plan, path=write_csv(tmp_path / "a.csv", FIRST), actor=system_actor("tongji")
    )
    svc.publish_upload(
        engine=engine,
        upload_id=first.upload_id or 0,
        actor=system_actor("tongji"),
        confirm_warnings=True,
        reason="更正",
    )
    second = svc.stage_upload(
        engine=engine, plan=plan, path=write_csv(tmp_path / "b.csv", REVISED), actor=system_actor("tongji")
    )
    svc.publish_upload(
        engine=engine,
        upload_id=second.upload_id or 0,
        actor=system_actor("tongji"),
        confirm_warnings=True,
        reason="修订",
    )
    svc.rollback_upload(engine=engine, upload_id=second.upload_id or 0, actor=system_actor("admin"))
    engine.dispose()
    return url


@pytest.fixture
def postgres_url(tmp_path: Path) -> Iterator[str]:
    with empty_database("postgresql", tmp_path) as url:
        yield url


def without_backup_audit(table_rows: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    """Taking a backup is audited in the source after the snapshot: leave that one row out."""
    audit = [
        r for r in table_rows["audit_log"] if r[s.audit_log.c.keys().index("action")] != "database.backup"
    ]
    return {**table_rows, "audit_log": audit}


def test_duckdb_to_postgresql_and_back_gives_identical_tables_and_progress(
    source: str, postgres_url: str, tmp_path: Path
) -> None:
    original, original_progress = rows(source), progress(source)
    assert original["observations"] and original["users"] and original["api_tokens"]
    first = dem(source, "backup", "-o", str(tmp_path / "one.zip"))
    assert first.exit_code == 0, first.output
    restored = dem(postgres_url, "restore", str(tmp_path / "one.zip"))
    assert restored.exit_code == 0, restored.output
    assert rows(postgres_url) == without_backup_audit(rows(source))
    assert progress(postgres_url) == original_progress

    assert dem(postgres_url, "backup", "-o", str(tmp_path / "two.zip")).exit_code == 0
    back = f"duckdb:///{tmp_path / 'back.duckdb'}"
    assert dem(back, "restore", str(tmp_path / "two.zip")).exit_code == 0
    assert without_backup_audit(rows(back)) == without_backup_audit(rows(source))
    assert progress(back) == original_progress
    assert original == without_backup_audit(rows(source))


@pytest.mark.parametrize("backend", ["duckdb", "postgresql"])
def test_sequences_continue_after_the_restored_ids(backend: str, source: str, tmp_path: Path) -> None:
    assert dem(source, "backup", "-o", str(tmp_path / "b.zip")).exit_code == 0
    with empty_database(backend, tmp_path / "target") as url:
        (tmp_path / "target").mkdir(exist_ok=True)
        assert dem(url, "restore", str(tmp_path / "b.zip")).exit_code == 0
        engine = make_engine(url)
        staged = svc.stage_upload(
            engine=engine,
            plan=load_plan(DEFAULT_PLAN),
            path=write_csv(tmp_path / "c.csv", [FIRST[0]]),
            actor=system_actor("u"),
        )
        with engine.connect() as conn:
            top = conn.execute(sa.select(sa.func.max(s.uploads.c.id))).scalar_one()
            audit_ids = conn.execute(sa.select(s.audit_log.c.id)).scalars().all()
        assert staged.upload_id == top and top > len(rows(source)["uploads"]) - 1
        assert len(audit_ids) == len(set(audit_ids))
        engine.dispose()


def test_restore_refuses_a_non_empty_target_and_changes_nothing(source: str, tmp_path: Path) -> None:
    assert dem(source, "backup", "-o", str(tmp_path / "b.zip")).exit_code == 0
    target = f"duckdb:///{tmp_path / 'target.duckdb'}"
    assert dem(target, "init").exit_code == 0  # the plan and the first administrator: not empty
    before = rows(target)
    refused = dem(target, "restore", str(tmp_path / "b.zip"))
    assert refused.exit_code == 1
    assert "目标数据库不是空的" in refused.output and "Traceback" not in refused.output
    assert rows(target) == before


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        ("revision", "备份的数据库结构版本为 0001"),
        ("sha256", "已损坏"),
        ("garbage", "不是可读取的数据备份文件"),
    ],
)
def test_restore_refuses_another_revision_or_a_damaged_file(
    source: str, tmp_path: Path, tamper: str, message: str
) -> None:
    good = tmp_path / "good.zip"
    assert dem(source, "backup", "-o", str(good)).exit_code == 0
    bad = tmp_path / "bad.zip"
    if tamper == "garbage":
        bad.write_bytes(b"PK\x03\x04 not really a zip")
    else:
        with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as out:
            manifest = json.loads(src.read("manifest.json"))
            if tamper == "revision":
                manifest["alembic_revision"] = "0001"
            else:
                manifest["tables"]["observations"]["sha256"] = "0" * 64
            out.writestr("manifest.json", json.dumps(manifest))
            for name in src.namelist():
                if name != "manifest.json":
                    out.writestr(name, src.read(name))
    target = tmp_path / "target.duckdb"
    refused = dem(f"duckdb:///{target}", "restore", str(bad))
    assert refused.exit_code == 1 and message in refused.output, refused.output
    assert not target.exists()  # nothing was created for a file that cannot be restored


def test_while_serving_duckdb_the_admin_downloads_a_backup_that_holds_every_publication(
    tmp_path: Path,
) -> None:
    url = f"duckdb:///{tmp_path / 'served.duckdb'}"
    settings = Settings(database_url=url, data_dir=tmp_path / "data", upload_dir=tmp_path / "uploads")
    engine = make_engine(url)
    setup.init_database(engine=engine, plan_path=DEFAULT_PLAN)
    admin = accounts.create_user(
        actor=SYSTEM, engine=engine, username="root", password="correct-horse-battery", role=Role.ADMIN
    )
    bureau = accounts.create_user(
        actor=SYSTEM, engine=engine, username="tj", password="correct-horse-battery", role=Role.BUREAU
    )
    tokens = {
        "admin": accounts.create_token(engine=engine, user=admin, name="t")[1],
        "bureau": accounts.create_token(engine=engine, user=bureau, name="t")[1],
    }
    app = create_app(settings, engine=engine, scheduler=False, dashboard=False)
    with running(app) as base:
        path = write_csv(tmp_path / "a.csv", FIRST)
        bearer = {"Authorization": f"Bearer {tokens['bureau']}"}
        staged = httpx.post(
            f"{base}/api/v1/uploads",
            files={"file": (path.name, path.read_bytes(), "text/csv")},
            headers=bearer,
        ).json()
        published = httpx.post(
            f"{base}/api/v1/uploads/{staged['upload_id']}/publish", json={}, headers=bearer
        )
        assert published.status_code == 200, published.text
        locked = subprocess.run(
            [str(DEM), "backup", "-o", str(tmp_path / "cli.zip")],
            env={**os.environ, "DEM_DATABASE_URL": url},
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert locked.returncode == 1 and "/api/v1/admin/backup" in locked.stdout, (
            locked.stdout + locked.stderr
        )
        assert "Traceback" not in locked.stdout + locked.stderr

        assert httpx.get(f"{base}/api/v1/admin/backup", headers=bearer).status_code == 403
        download = httpx.get(
            f"{base}/api/v1/admin/backup", headers={"Authorization": f"Bearer {tokens['admin']}"}
        )
        assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
        (tmp_path / "served.zip").write_bytes(download.content)
    engine.dispose()
    with empty_database("postgresql", tmp_path) as target:
        assert dem(target, "restore", str(tmp_path / "served.zip")).exit_code == 0
        assert len(rows(target)["current_values"]) == len(FIRST)
