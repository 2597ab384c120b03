"""The one upload door, `stage_file`: permission, type before duplicate, one size limit, one pass.

Every edge (the API, the dashboard, `dem ingest`, the inbox) goes through it, so these rules are
tested here once on both backends, and each edge has its own test that the limit reaches it.
"""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from app.auth.policy import Refused, system_actor
from app.auth.roles import Role
from app.cli import cli
from app.services import inbox, setup
from app.services import uploads as svc
from app.services.accounts import User
from indicators.model import Plan
from indicators.plan import DEFAULT_PLAN
from tests.app.test_uploads_service import FIRST, snapshot, write_csv

BUREAU = system_actor("tongji")
LEADER = User(id=4, username="lingdao", display_name="领导", role=Role.LEADER, department=None)
MIB = 1 << 20
runner = CliRunner()


@pytest.fixture
def db(engine: sa.Engine) -> sa.Engine:
    setup.init_database(engine=engine, plan_path=DEFAULT_PLAN)
    return engine


class OneWay(io.RawIOBase):
    """A stream that can be read once, front to back, and says how much was read (a socket, a pipe)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks, self.pending, self.read_bytes = chunks, b"", 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def seek(self, *_: object) -> int:
        raise io.UnsupportedOperation("a one-way stream")

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self.pending:
            self.pending = next(self.chunks, b"")
            if not self.pending:
                return 0
        n = min(len(buffer), len(self.pending))
        buffer[:n], self.pending = self.pending[:n], self.pending[n:]
        self.read_bytes += n
        return n


def stage(
    db: sa.Engine, plan: Plan, name: str, stream: io.RawIOBase | io.BytesIO, **options: object
) -> svc.StageResult:
    return svc.stage_file(engine=db, plan=plan, name=name, stream=stream, actor=BUREAU, **options)  # type: ignore[arg-type]


def test_a_one_way_stream_is_read_once_and_hashed_on_the_way(
    db: sa.Engine, plan: Plan, tmp_path: Path
) -> None:
    data = write_csv(tmp_path / "a.csv", FIRST).read_bytes()
    stream = OneWay(iter([data[:7], data[7:]]))
    staged = stage(db, plan, "a.csv", stream)
    assert staged.status == "staged" and staged.rows == 3
    assert staged.sha256 == hashlib.sha256(data).hexdigest()
    assert stream.read_bytes == len(data)  # one pass: nothing re-read, nothing sought back


def test_a_stream_over_the_limit_is_cut_off_as_soon_as_it_passes_it(
    db: sa.Engine, plan: Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    endless = OneWay(iter(lambda: b"x" * 65536, None))  # never ends, declares no size
    before = snapshot(db)
    with pytest.raises(svc.UploadError) as refused:
        stage(db, plan, "huge.csv", endless, max_bytes=2 * MIB)
    assert (refused.value.code, refused.value.status) == ("file-too-large", 413)
    assert refused.value.message_zh == "未上传“huge.csv”：文件超过 2 MB，请拆分后上传"
    assert endless.read_bytes <= 2 * MIB + svc.CHUNK_BYTES
    assert snapshot(db) == before
    assert list(tmp_path.glob("dem-upload-*")) == []  # the partial copy is gone


def test_a_declared_size_over_the_limit_is_refused_before_reading(db: sa.Engine, plan: Plan) -> None:
    untouched = OneWay(iter([b"never read"]))
    with pytest.raises(svc.UploadError) as refused:
        stage(db, plan, "big.xlsx", untouched, max_bytes=MIB, declared_size=MIB + 1)
    assert refused.value.status == 413 and untouched.read_bytes == 0


def test_the_limit_defaults_to_the_setting_default(db: sa.Engine, plan: Plan) -> None:
    assert svc.max_upload_bytes() == 100 * MIB
    with pytest.raises(svc.UploadError, match="超过 100 MB"):
        stage(db, plan, "big.csv", io.BytesIO(b""), declared_size=100 * MIB + 1)


@pytest.mark.parametrize("name", ["a.pdf", "a", "a.csv.exe", "..", "a.xlsx.zip"])
def test_the_same_bytes_under_another_type_are_refused_for_their_type_not_as_a_duplicate(
    db: sa.Engine, plan: Plan, tmp_path: Path, name: str
) -> None:
    data = write_csv(tmp_path / "a.csv", FIRST).read_bytes()
    assert stage(db, plan, "a.csv", io.BytesIO(data)).status == "staged"
    with pytest.raises(svc.UploadError) as refused:
        stage(db, plan, name, io.BytesIO(data))
    assert (refused.value.code, refused.value.status) == ("unsupported-file-type", 415)
    assert "CSV、XLSX、XLSM 或 XLS" in refused.value.message_zh
    assert stage(db, plan, "a copy.CSV", io.BytesIO(data)).status == "duplicate"  # the type, then the bytes


@pytest.mark.parametrize(
    ("sent", "recorded"),
    [
        ("../../etc/季报.csv", "季报.csv"),
        ("C:\\fakepath\\季报.csv", "季报.csv"),  # what some browsers send
        ("a\x00b\r\n.csv", "ab.csv"),  # PostgreSQL refuses NUL in text; a newline would forge a log line
        ("长" * 300 + ".csv", "长" * 251 + ".csv"),
    ],
)
def test_a_hostile_name_is_recorded_plainly(
    db: sa.Engine, plan: Plan, tmp_path: Path, sent: str, recorded: str
) -> None:
    data = write_csv(tmp_path / "a.csv", FIRST).read_bytes()
    staged = stage(db, plan, sent, io.BytesIO(data))
    assert (staged.status, staged.file_name) == ("staged", recorded)
    assert [u["file_name"] for u in svc.list_uploads(engine=db)] == [recorded]


def test_who_may_upload_is_asked_first(db: sa.Engine, plan: Plan) -> None:
    with pytest.raises(Refused) as refused:
        svc.stage_file(engine=db, plan=plan, name="a.pdf", stream=io.BytesIO(b"%PDF"), actor=LEADER)
    assert refused.value.status == 403 and "上报数据" in refused.value.message_zh


def test_dem_ingest_refuses_a_file_over_the_limit(
    database_url: str, engine: sa.Engine, tmp_path: Path
) -> None:
    env = {
        "DEM_DATABASE_URL": database_url,
        "DEM_UPLOAD_DIR": str(tmp_path / "archive"),
        "DEM_MAX_UPLOAD_MB": "0.001",
    }
    assert runner.invoke(cli, ["init"], env=env).exit_code == 0
    big = tmp_path / "big.csv"
    big.write_text("指标,地区,时期,数值\n" + "5G基站数,太原市,2025Q1,100\n" * 60, encoding="utf-8")  # ~2 KiB
    before = snapshot(engine)
    result = runner.invoke(cli, ["ingest", str(big), "--publish", "--json"], env=env)
    assert result.exit_code == 1
    assert json.loads(result.output) == {
        "file": "big.csv",
        "status": "refused",
        "code": "file-too-large",
        "message": "未上传“big.csv”：文件超过 0.001 MB，请拆分后上传 / "
        "big.csv was not uploaded: it is larger than 0.001 MB; split it",
    }
    plain = runner.invoke(cli, ["ingest", str(big)], env=env)
    assert plain.exit_code == 1 and "文件超过 0.001 MB" in plain.output
    assert snapshot(engine) == before
    small = write_csv(tmp_path / "a.csv", FIRST)
    assert runner.invoke(cli, ["ingest", str(small), "--json"], env=env).exit_code == 0


def test_the_inbox_files_a_file_over_the_limit_under_rejected_with_the_refusal(
    db: sa.Engine, plan: Plan, tmp_path: Path
) -> None:
    box = tmp_path / "inbox"
    box.mkdir()
    write_csv(box / "big.csv", FIRST * 20)
    before = snapshot(db)
    [outcome] = inbox.process_inbox(engine=db, plan=plan, inbox_dir=box, max_bytes=100)
    assert (outcome.status, outcome.upload_id, outcome.moved_to.parent.name) == ("rejected", None, "rejected")
    report = json.loads((box / "rejected" / "big.csv.report.json").read_text(encoding="utf-8"))
    assert (report["status"], report["code"]) == ("rejected", "file-too-large")
    assert "文件超过" in report["message_zh"]
    assert snapshot(db) == before
