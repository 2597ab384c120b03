"""The quarterly cycle through the API and the CLI, on DuckDB and PostgreSQL, with real files.

Ragged rows never publish; a revision needs a reason and a locked quarter an unlock or the
年报修订 override; .xls/.xlsm are accepted and anything else is refused with a message; departments
upload only what they report; the reminder job chases the right department and mails it through a
local SMTP server (aiosmtpd on 127.0.0.1, started here).
"""

from __future__ import annotations

import datetime as dt
import email
import io
import json
import socket
import time
from pathlib import Path
from typing import Any

import docx
import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from typer.testing import CliRunner

from app.auth.roles import Role
from app.cli import cli
from app.config import Settings
from app.scheduler import reminders_job
from app.services import completeness, inbox, setup
from app.store import schema as s
from indicators.plan import DEFAULT_PLAN, load_plan
from tests.api.conftest import Api
from tests.app.test_uploads_service import snapshot
from tests.etl.test_ragged_and_legacy import add_macros, write_xls

HEADER = ["指标", "地区", "时期", "数值"]


def csv_file(path: Path, rows: list[list[object]]) -> Path:
    path.write_text("\n".join(",".join(map(str, r)) for r in [HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def send(api: Api, path: Path, role: Role = Role.BUREAU) -> Any:
    with path.open("rb") as fh:
        return api.client.post("/api/v1/uploads", files={"file": (path.name, fh)}, headers=api.as_role(role))


def publish(api: Api, upload_id: int, role: Role = Role.BUREAU, reason: str | None = None) -> Any:
    body = {"confirm_warnings": True, "reason": reason}
    return api.client.post(f"/api/v1/uploads/{upload_id}/publish", json=body, headers=api.as_role(role))


def current(engine: sa.Engine) -> dict[tuple[str, str], float]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(s.current_values.c.region, s.current_values.c.period, s.current_values.c.value)
        )
        return {(r.region, r.period): r.value for r in rows}


def test_a_ragged_file_is_rejected_and_publishes_nothing(api: Api, tmp_path: Path) -> None:
    before = {k: v for k, v in snapshot(api.engine).items() if k != "api_tokens"}  # last_used_at moves
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("指标,地区,时期,数值\n5G基站数,太原市,2020年第四季度,20,000\n", encoding="utf-8")
    answer = send(api, ragged).json()
    assert answer["status"] == "rejected"
    [error] = answer["errors"]
    assert (error["row"], error["code"]) == (2, "ragged-row")
    assert (
        "5 个字段" in error["message_zh"]
        and "4 个" in error["message_zh"]
        and "千位分隔符" in error["message_zh"]
    )
    assert {k: v for k, v in snapshot(api.engine).items() if k != "api_tokens"} == before


def test_a_revision_needs_a_reason_kept_in_the_history(api: Api, tmp_path: Path) -> None:
    first = send(api, csv_file(tmp_path / "a.csv", [["5G基站数", "太原市", "2025Q3", 20000]])).json()
    assert publish(api, first["upload_id"]).status_code == 200  # new values need no reason
    second = send(api, csv_file(tmp_path / "b.csv", [["5G基站数", "太原市", "2025Q3", 21000]])).json()
    refused = publish(api, second["upload_id"], reason="  ")
    assert refused.status_code == 422 and refused.json()["code"] == "reason-required"
    assert "发布说明" in refused.json()["detail"]
    assert current(api.engine) == {("140100", "2025Q3"): 20000.0}  # nothing changed
    assert publish(api, second["upload_id"], reason="更正录入错误").status_code == 200
    history = api.client.get(
        "/api/v1/observations/history",
        params={"indicator": "base_stations_5g", "region": "140100", "period": "2025Q3"},
        headers=api.as_role(Role.LEADER),
    ).json()
    assert [(h["value"], h["reason"]) for h in history] == [(20000.0, None), (21000.0, "更正录入错误")]


def test_a_locked_quarter_needs_an_unlock_or_the_annual_revision_override(api: Api, tmp_path: Path) -> None:
    first = send(api, csv_file(tmp_path / "a.csv", [["5G基站数", "太原市", "2025Q3", 20000]])).json()
    publish(api, first["upload_id"])
    assert (
        api.client.post(
            "/api/v1/locks", json={"period": "2025Q3"}, headers=api.as_role(Role.DEPARTMENT)
        ).status_code
        == 403
    )
    assert (
        api.client.post(
            "/api/v1/locks", json={"period": "2025Q3"}, headers=api.as_role(Role.BUREAU)
        ).status_code
        == 201
    )
    revised = send(
        api, csv_file(tmp_path / "b.csv", [["5G基站数", "太原市", "2025Q3", 20500]]), Role.DEPARTMENT
    ).json()
    # the department (comms_admin reports 5G) cannot use the override, nor can the bureau without it
    assert publish(api, revised["upload_id"], Role.DEPARTMENT, "年报修订").json()["code"] == "period-locked"
    answer = publish(api, revised["upload_id"], Role.BUREAU, "更正")
    assert answer.status_code == 409 and "解锁" in answer.json()["detail"]
    assert current(api.engine) == {("140100", "2025Q3"): 20000.0}
    assert publish(api, revised["upload_id"], Role.BUREAU, "2025年年报修订").status_code == 200
    assert current(api.engine) == {("140100", "2025Q3"): 20500.0}
    # a rollback is a change too
    rolled = api.client.post(
        f"/api/v1/uploads/{revised['upload_id']}/rollback", headers=api.as_role(Role.BUREAU)
    )
    assert rolled.json()["code"] == "period-locked"
    assert api.client.delete("/api/v1/locks/2025Q3", headers=api.as_role(Role.BUREAU)).status_code == 204
    assert (
        api.client.post(
            f"/api/v1/uploads/{revised['upload_id']}/rollback", headers=api.as_role(Role.BUREAU)
        ).status_code
        == 200
    )
    with api.engine.connect() as conn:
        actions = list(
            conn.execute(
                sa.select(s.audit_log.c.action).where(s.audit_log.c.object_type == "period")
            ).scalars()
        )
    assert actions == ["period.lock", "period.unlock"]


def test_xls_and_xlsm_are_accepted_and_other_files_refused_with_a_reason(api: Api, tmp_path: Path) -> None:
    xls = write_xls(tmp_path / "q3.xls", [HEADER, ["5G基站数", "太原市", "2025Q3", 1234]])
    assert send(api, xls).json()["status"] == "staged"
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(HEADER)
    book.active.append(["5G基站数", "大同市", "2025Q3", 567])
    book.save(tmp_path / "m.xlsx")
    assert send(api, add_macros(tmp_path / "m.xlsx")).json()["status"] == "staged"
    pdf = tmp_path / "q3.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    refused = send(api, pdf)
    assert refused.status_code == 415 and "XLS" in refused.json()["detail"]


def test_a_department_uploads_only_what_it_reports(api: Api, tmp_path: Path) -> None:
    path = csv_file(tmp_path / "scale.csv", [["数字经济规模", "太原市", "2024", 1200]])
    answer = send(api, path, Role.DEPARTMENT).json()
    assert answer["status"] == "rejected"
    [error] = answer["errors"]
    assert error["code"] == "indicator-not-permitted"
    assert "数字经济规模" in error["message_zh"] and "统计局" in error["message_zh"]
    assert "digital_economy_scale" not in error["message_zh"]


def test_the_cli_refuses_publish_of_a_revision_without_reason(database_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"DEM_DATABASE_URL": database_url, "DEM_UPLOAD_DIR": str(tmp_path / "archive")}
    assert runner.invoke(cli, ["init"], env=env).exit_code == 0
    a = csv_file(tmp_path / "a.csv", [["5G基站数", "太原市", "2025Q3", 100]])
    assert runner.invoke(cli, ["ingest", str(a), "--publish"], env=env).exit_code == 0
    b = csv_file(tmp_path / "b.csv", [["5G基站数", "太原市", "2025Q3", 110]])
    refused = runner.invoke(cli, ["ingest", str(b), "--publish", "--confirm-warnings", "--json"], env=env)
    assert refused.exit_code == 1
    assert json.loads(refused.output)["blocked"]["code"] == "reason-required"
    assert runner.invoke(cli, ["lock", "2025Q3"], env=env).exit_code == 0
    staged = json.loads(refused.output)["upload_id"]
    locked = runner.invoke(cli, ["publish", str(staged), "--confirm-warnings", "--reason", "更正"], env=env)
    assert locked.exit_code != 0 and "锁定" in locked.output
    ok = runner.invoke(cli, ["publish", str(staged), "--confirm-warnings", "--reason", "年报修订"], env=env)
    assert ok.exit_code == 0, ok.output


def test_the_inbox_holds_a_revision_as_staged_with_a_message(api: Api, tmp_path: Path) -> None:
    first = send(api, csv_file(tmp_path / "a.csv", [["5G基站数", "太原市", "2025Q3", 100]])).json()
    publish(api, first["upload_id"])
    box = tmp_path / "box"
    box.mkdir()
    csv_file(box / "b.csv", [["5G基站数", "太原市", "2025Q3", 120]])
    [outcome] = inbox.process_inbox(engine=api.engine, plan=load_plan(), inbox_dir=box, publish_clean=True)
    assert outcome.status == "staged"
    report = json.loads((box / "processed" / "b.csv.report.json").read_text(encoding="utf-8"))
    assert "发布说明" in report["message_zh"]
    assert current(api.engine) == {("140100", "2025Q3"): 100.0}


def test_annual_values_are_due_by_the_plans_calendar_not_45_days(engine: sa.Engine) -> None:
    """2025 annual values are due 2025-12-31 + 150 days = 2026-05-30; 2025Q4 ones 2026-02-14."""

    setup.init_database(engine=engine, plan_path=DEFAULT_PLAN)
    frame = completeness.completeness(
        engine=engine, plan=load_plan(), period="2025Q4", today=dt.date(2026, 3, 1)
    )
    annual = frame[frame["indicator"] == "digital_economy_scale"]
    quarterly = frame[frame["indicator"] == "base_stations_5g"]
    assert set(annual["status"]) == {"missing"} and set(annual["due_date"]) == {dt.date(2026, 5, 30)}
    assert set(quarterly["status"]) == {"late"} and set(quarterly["due_date"]) == {dt.date(2026, 2, 14)}


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd)
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp() -> Any:
    handler = _Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def test_the_reminder_job_chases_the_right_department_and_mails_it(
    api: Api, settings: Settings, tmp_path: Path, smtp: Any
) -> None:
    """2025Q3 is due 2025-09-30 + 45 = 2025-11-14; with reminder day +1 the job runs 2025-11-15."""
    controller, mailbox = smtp
    published = send(api, csv_file(tmp_path / "a.csv", [["5G基站数", "太原市", "2025Q3", 100]])).json()
    publish(api, published["upload_id"])
    configured = settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": controller.port,
            "reminder_days": [1],
            "reminder_recipients": {"comms_admin": "tongxin@example.cn"},
        }
    )
    reminders_job(configured, api.engine, "test", today=dt.date(2025, 11, 13))  # before the day: nothing
    assert api.client.get("/api/v1/reminders", headers=api.as_role(Role.BUREAU)).json() == []
    reminders_job(configured, api.engine, "test", today=dt.date(2025, 11, 15))
    reminders_job(configured, api.engine, "test", today=dt.date(2025, 11, 15))  # a second run adds nothing
    everyone = api.client.get("/api/v1/reminders", headers=api.as_role(Role.BUREAU)).json()
    mine = api.client.get("/api/v1/reminders", headers=api.as_role(Role.DEPARTMENT)).json()
    assert {r["department"] for r in mine} == {"comms_admin"}
    [notice] = [r for r in mine if r["period"] == "2025Q3"]
    missing = {(m["indicator"], m["region"]) for m in notice["missing"]}
    assert ("base_stations_5g", "140200") in missing and ("base_stations_5g", "140100") not in missing
    others = [r for r in everyone if r["department"] != "comms_admin"]
    assert all(m["indicator"] != "base_stations_5g" for r in others for m in r["missing"])
    assert len(everyone) == len({(r["department"], r["period"]) for r in everyone})
    deadline = time.monotonic() + 10
    while not mailbox.messages and time.monotonic() < deadline:
        time.sleep(0.1)
    [message] = mailbox.messages  # only comms_admin has an address
    assert message["To"] == "tongxin@example.cn"
    assert "催报" in str(email.header.make_header(email.header.decode_header(message["Subject"])))
    [attachment] = [p for p in message.walk() if p.get_filename()]
    text = "\n".join(
        p.text for p in docx.Document(io.BytesIO(attachment.get_payload(decode=True))).paragraphs
    )
    assert "数据催报单" in text and "2025Q3" in text
    exported = api.client.get(
        f"/api/v1/reminders/{notice['id']}/notice.xlsx", headers=api.as_role(Role.DEPARTMENT)
    )
    assert exported.status_code == 200 and exported.content[:2] == b"PK"
    foreign = [r for r in others][:1]
    if foreign:
        denied = api.client.get(
            f"/api/v1/reminders/{foreign[0]['id']}/notice.docx", headers=api.as_role(Role.DEPARTMENT)
        )
        assert denied.status_code == 404


def test_a_lock_reads_its_period_as_people_type_it(api: Api) -> None:
    """`2025年第三季度` locks 2025Q3 (the one free-text reading); `2025Q5` is refused as bad-period."""
    locked = api.client.post(
        "/api/v1/locks", json={"period": "2025年第三季度"}, headers=api.as_role(Role.BUREAU)
    )
    assert (locked.status_code, locked.json()) == (201, {"period": "2025Q3", "status": "locked"})
    again = api.client.post("/api/v1/locks", json={"period": "2025Q3"}, headers=api.as_role(Role.BUREAU))
    assert (again.status_code, again.json()["code"]) == (409, "already-locked")
    bad = api.client.post("/api/v1/locks", json={"period": "2025Q5"}, headers=api.as_role(Role.BUREAU))
    assert (bad.status_code, bad.json()["code"]) == (422, "bad-period")
