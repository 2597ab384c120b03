"""The API end to end: upload → report → publish → progress changes → rollback → progress back."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from app.auth.roles import Role
from app.services.clock import utcnow
from app.services.periods import open_note_periods
from app.store import schema as s
from tests.api.conftest import PASSWORD, Api
from tests.app.test_uploads_service import FIRST, write_csv

TARGET = "base_stations_5g@140000:2022"
# the 2022 target is judged on data up to its deadline, so the flow uses 2022 values
FIVE_G = [("5G基站数", "太原市", "2022Q3", "12000"), ("5G基站数", "全省", "2022Q3", "25000")]
FIVE_G_REVISED = [("5G基站数", "太原市", "2022Q3", "12500"), ("5G基站数", "全省", "2022Q3", "31000")]


def _progress(api: Api, **params: str) -> dict:
    response = api.client.get("/api/v1/progress", params=params, headers=api.as_role(Role.LEADER))
    assert response.status_code == 200, response.text
    return {row["target_id"]: row for row in response.json()}


def _upload(api: Api, path: Path, role: Role = Role.BUREAU) -> dict:
    with path.open("rb") as fh:
        response = api.client.post(
            "/api/v1/uploads", files={"file": (path.name, fh, "text/csv")}, headers=api.as_role(role)
        )
    assert response.status_code == 201, response.text
    return response.json()


def test_upload_publish_rollback_moves_progress_and_back(api: Api, tmp_path: Path) -> None:
    assert _progress(api)[TARGET]["status"] == "no_data"
    first = _upload(api, write_csv(tmp_path / "a.csv", FIVE_G))
    assert (first["status"], first["diff"]["new"]) == ("staged", 2)
    report = api.client.get(f"/api/v1/uploads/{first['upload_id']}", headers=api.as_role(Role.LEADER)).json()
    assert report["status"] == "staged" and report["report"]["errors"] == []
    published = api.client.post(
        f"/api/v1/uploads/{first['upload_id']}/publish", json={}, headers=api.as_role(Role.BUREAU)
    )
    assert published.json() == {"upload_id": first["upload_id"], "published_values": 2}
    before = _progress(api)[TARGET]
    assert (before["current"], before["current_period"]) == (25000.0, "2022Q3")
    assert before["status"] != "achieved"

    second = _upload(api, write_csv(tmp_path / "b.csv", FIVE_G_REVISED))
    refused = api.client.post(
        f"/api/v1/uploads/{second['upload_id']}/publish", json={}, headers=api.as_role(Role.BUREAU)
    )
    assert (refused.status_code, refused.json()["code"]) == (409, "warnings-not-confirmed")
    api.client.post(
        f"/api/v1/uploads/{second['upload_id']}/publish",
        json={"confirm_warnings": True, "reason": "修订"},
        headers=api.as_role(Role.BUREAU),
    )
    after = _progress(api)[TARGET]
    assert (after["current"], after["status"]) == (31000.0, "achieved")

    rolled = api.client.post(
        f"/api/v1/uploads/{second['upload_id']}/rollback", headers=api.as_role(Role.BUREAU)
    )
    assert rolled.json() == {"upload_id": second["upload_id"], "restored_values": 2}
    back = _progress(api)[TARGET]
    assert (back["current"], back["status"]) == (25000.0, before["status"])

    history = api.client.get(
        "/api/v1/observations/history",
        params={"indicator": "base_stations_5g", "region": "140000", "period": "2022Q3"},
        headers=api.as_role(Role.LEADER),
    ).json()
    assert [(h["value"], h["action"]) for h in history] == [
        (25000.0, "publish"),
        (31000.0, "publish"),
        (25000.0, "rollback"),
    ]
    with api.engine.connect() as conn:
        actions = conn.execute(sa.select(s.audit_log.c.action).order_by(s.audit_log.c.id)).scalars().all()
    assert [a for a in actions if a.startswith("upload.")] == [
        "upload.stage",
        "upload.publish",
        "upload.stage",
        "upload.publish",
        "upload.rollback",
    ]


def test_a_broken_upload_returns_row_errors_and_writes_nothing(api: Api, tmp_path: Path) -> None:
    staged = _upload(api, write_csv(tmp_path / "bad.csv", [("5G基站数", "太源", "2025Q1", "100")]))
    assert staged["status"] == "rejected" and staged["upload_id"] is None
    [error] = staged["errors"]
    assert (error["row"], error["column"], error["code"]) == (2, "地区", "unknown-region")
    assert api.client.get("/api/v1/uploads", headers=api.as_role(Role.ADMIN)).json() == []


def test_a_department_may_upload_only_its_own_indicators(api: Api, tmp_path: Path) -> None:
    own = _upload(api, write_csv(tmp_path / "own.csv", FIRST), role=Role.DEPARTMENT)
    assert own["status"] == "staged"
    other = [("smart_factories", "140000", "2025Q1", "120")]
    foreign = _upload(api, write_csv(tmp_path / "foreign.csv", other), role=Role.DEPARTMENT)
    assert foreign["status"] == "rejected"
    assert [e["code"] for e in foreign["errors"]] == ["indicator-not-permitted"]


def test_observations_carry_provenance_and_answer_vintages(api: Api, tmp_path: Path) -> None:
    first = _upload(api, write_csv(tmp_path / "a.csv", FIRST))
    api.client.post(
        f"/api/v1/uploads/{first['upload_id']}/publish", json={}, headers=api.as_role(Role.BUREAU)
    )
    rows = api.client.get(
        "/api/v1/observations", params={"indicator": "base_stations_5g"}, headers=api.as_role(Role.LEADER)
    ).json()
    assert {(r["region"], r["value"], r["file_name"], r["uploaded_by"]) for r in rows} == {
        ("140000", 29000.0, "a.csv", "tongji"),
        ("140100", 20000.0, "a.csv", "tongji"),
        ("140200", 9000.0, "a.csv", "tongji"),
    }
    old = api.client.get(
        "/api/v1/observations", params={"published_on": "2020-01-01"}, headers=api.as_role(Role.LEADER)
    )
    assert old.json() == []


def test_browser_session_needs_csrf_on_writes_and_logs_out(api: Api) -> None:
    login = api.client.post("/api/v1/auth/login", json={"username": "root", "password": PASSWORD})
    assert login.status_code == 200
    csrf = login.json()["csrf_token"]
    cookie = login.cookies.get("dem_session")
    assert cookie and "httponly" in login.headers["set-cookie"].lower()
    assert "samesite=strict" in login.headers["set-cookie"].lower()
    assert api.client.get("/api/v1/auth/me").json()["role"] == "admin"
    refused = api.client.post("/api/v1/auth/tokens", json={"name": "x"})
    assert (refused.status_code, refused.json()["code"]) == (403, "csrf-failed")
    created = api.client.post("/api/v1/auth/tokens", json={"name": "x"}, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201
    assert api.client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert api.client.get("/api/v1/auth/me").status_code == 401


def test_revoked_tokens_stop_working(api: Api) -> None:
    headers = api.as_role(Role.LEADER)
    created = api.client.post("/api/v1/auth/tokens", json={"name": "script"}, headers=headers).json()
    mine = {"Authorization": f"Bearer {created['token']}"}
    assert api.client.get("/api/v1/auth/me", headers=mine).status_code == 200
    assert api.client.delete(f"/api/v1/auth/tokens/{created['id']}", headers=mine).status_code == 204
    assert api.client.get("/api/v1/auth/me", headers=mine).json()["code"] == "invalid-token"


def test_repeated_failed_logins_are_rate_limited_per_account(api: Api) -> None:
    for _ in range(5):
        bad = api.client.post("/api/v1/auth/login", json={"username": "lingdao", "password": "wrong"})
        assert bad.status_code == 401
    limited = api.client.post("/api/v1/auth/login", json={"username": "lingdao", "password": PASSWORD})
    assert (limited.status_code, limited.json()["code"]) == (429, "too-many-attempts")
    other = api.client.post("/api/v1/auth/login", json={"username": "root", "password": PASSWORD})
    assert other.status_code == 200


def test_audit_log_is_for_admins_and_records_token_creation(api: Api) -> None:
    api.client.post("/api/v1/auth/tokens", json={"name": "n"}, headers=api.as_role(Role.BUREAU))
    entries = api.client.get("/api/v1/audit", headers=api.as_role(Role.ADMIN)).json()
    assert any(e["action"] == "token.create" and e["username"] == "tongji" for e in entries)


def test_completeness_lists_missing_values_and_departments(api: Api, tmp_path: Path) -> None:
    first = _upload(api, write_csv(tmp_path / "a.csv", FIRST))
    api.client.post(
        f"/api/v1/uploads/{first['upload_id']}/publish", json={}, headers=api.as_role(Role.BUREAU)
    )
    body = api.client.get(
        "/api/v1/completeness",
        params={"period": "2025Q1", "today": "2025-06-30"},
        headers=api.as_role(Role.LEADER),
    ).json()
    assert body["received"] == 3
    assert body["expected"] > 3
    statuses = {(v["indicator"], v["region"]): v["status"] for v in body["values"]}
    assert statuses[("base_stations_5g", "140100")] == "received"
    assert statuses[("base_stations_5g", "140300")] == "late"
    assert "comms_admin" in body["departments_not_reported"]


def test_notes_are_written_by_responsible_departments_only(api: Api) -> None:
    note = {
        "department": "comms_admin",
        "task": "net-1",
        "period": open_note_periods(today=utcnow().date(), edit_days=92)[0],  # the current quarter
        "status": "in_progress",
        "narrative": "推进中",
    }
    saved = api.client.put("/api/v1/notes", json=note, headers=api.as_role(Role.DEPARTMENT))
    assert saved.status_code == 200, saved.text
    again = api.client.put(
        "/api/v1/notes", json=note | {"status": "completed"}, headers=api.as_role(Role.DEPARTMENT)
    )
    assert again.json()["id"] == saved.json()["id"] and again.json()["status"] == "completed"
    other = api.client.put(
        "/api/v1/notes", json=note | {"department": "industry_it"}, headers=api.as_role(Role.DEPARTMENT)
    )
    assert (other.status_code, other.json()["code"]) == (403, "forbidden")
    closed = api.client.put(
        "/api/v1/notes", json=note | {"period": "2020Q1"}, headers=api.as_role(Role.DEPARTMENT)
    )
    assert (closed.status_code, closed.json()["code"]) == (409, "period-closed")
    for implausible in ("2099Q1", "1900Q1"):  # not begun yet; before the plan's history
        refused = api.client.put(
            "/api/v1/notes", json=note | {"period": implausible}, headers=api.as_role(Role.DEPARTMENT)
        )
        assert (refused.status_code, refused.json()["code"]) == (422, "implausible-period")
        assert "不在可填报范围内" in refused.json()["detail"]
    listed = api.client.get(
        "/api/v1/notes", params={"department": "comms_admin"}, headers=api.as_role(Role.LEADER)
    )
    assert [n["status"] for n in listed.json()] == ["completed"]


def test_template_downloads_an_xlsx(api: Api) -> None:
    response = api.client.get(
        "/api/v1/template", params={"period": "2025Q3"}, headers=api.as_role(Role.BUREAU)
    )
    assert response.status_code == 200
    assert response.content[:2] == b"PK"
    # the name the dashboard and `dem template` give the same file, with an ASCII fallback
    assert response.headers["content-disposition"] == (
        'attachment; filename="template_2025Q3.xlsx"; '
        "filename*=UTF-8''%E6%95%B0%E6%8D%AE%E4%B8%8A%E6%8A%A5%E6%A8%A1%E6%9D%BF_2025Q3.xlsx"
    )


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"from": "2025年第一季度", "to": "2025Q2"}, 200, None),  # read as people type it
        ({"from": "2025Q5"}, 422, "bad-period"),
        ({"to": "next quarter"}, 422, "bad-period"),
    ],
)
def test_observation_periods_are_read_by_the_one_period_reading(
    api: Api, params: dict[str, str], status: int, code: str | None
) -> None:
    response = api.client.get("/api/v1/observations", params=params, headers=api.as_role(Role.LEADER))
    assert response.status_code == status
    if code is not None:
        assert response.json()["code"] == code
        assert "时期格式有误" in response.json()["detail"]


def test_a_sign_in_is_audited_with_its_address_and_a_failed_one_is_not(api: Api) -> None:
    assert (
        api.client.post("/api/v1/auth/login", json={"username": "lingdao", "password": "wrong"}).status_code
        == 401
    )
    assert (
        api.client.post("/api/v1/auth/login", json={"username": "lingdao", "password": PASSWORD}).status_code
        == 200
    )
    entries = api.client.get("/api/v1/audit", headers=api.as_role(Role.ADMIN)).json()
    logins = [(e["username"], e["address"]) for e in entries if e["action"] == "session.login"]
    assert logins == [("lingdao", "testclient")]
