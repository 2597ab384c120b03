"""The ledger API over real HTTP (uvicorn) on both backends: quote, file, approve, pay, scoping."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from app.auth.policy import SYSTEM
from app.auth.roles import Role
from app.services import accounts
from tests.api.conftest import Api
from tests.support.server import running

CODE = "91110108551385082Q"


@pytest.fixture
def http(api: Api) -> Iterator[tuple[httpx.Client, dict[str, dict[str, str]]]]:
    """A real HTTP client on the app, with tokens per role plus 省工信厅 (leads most items)."""
    user = accounts.create_user(
        actor=SYSTEM,
        engine=api.engine,
        username="gongxin",
        password="correct-horse-battery",
        role="department",
        department="industry_it",
    )
    headers = {role.value: api.as_role(role) for role in Role}
    headers["gongxin"] = {
        "Authorization": f"Bearer {accounts.create_token(engine=api.engine, user=user, name='t')[1]}"
    }
    with running(api.app) as url, httpx.Client(base_url=f"{url}/api/v1", timeout=30) as client:
        yield client, headers


def test_quote_over_http(http: tuple[httpx.Client, dict[str, dict[str, str]]]) -> None:
    """第10条 55000 vs 12000: 300 + 500 = 800; anonymous gets 401."""
    client, h = http
    body = {"item": 10, "basis": {"revenue": 55000, "previous_revenue": "12000"}, "year": 2025}
    assert client.post("/ledger/quote", json=body).status_code == 401
    answer = client.post("/ledger/quote", json=body, headers=h["leader"])
    assert answer.status_code == 200, answer.text
    assert answer.json()["amount"] == 800.0 and answer.json()["binding_caps"] == ["rule"]
    bad = client.post("/ledger/quote", json={"item": 10, "basis": {"revenue": "x"}}, headers=h["leader"])
    assert bad.status_code == 422 and bad.json()["code"] == "not-a-number" and bad.json()["key"] == "revenue"
    assert (
        client.post("/ledger/quote", json={"item": 99, "basis": {}}, headers=h["leader"]).status_code == 404
    )
    items = client.get("/ledger/items", headers=h["bureau"]).json()
    assert len(items) == 22 and items[14]["awards"][0]["basis"][0]["choices"] == ["CMMI", "ITSS", "DCMM"]


def test_file_approve_pay_and_scoping_over_http(http: tuple[httpx.Client, dict[str, dict[str, str]]]) -> None:
    """第6条 国家标杆 300; a second claim of the same title pays 0 (首次)."""
    client, h = http
    body = {
        "enterprise_code": CODE,
        "enterprise_name": "示例智造有限公司",
        "city": "晋中",
        "item": 6,
        "year": 2025,
        "basis": {"level": "national_benchmark"},
    }
    for role in ("bureau", "leader", "department"):  # 省通信管理局 does not lead 第6条
        refused = client.post("/ledger/applications", json=body, headers=h[role])
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden", role
    filed = client.post("/ledger/applications", json=body, headers=h["gongxin"])
    assert filed.status_code == 201, filed.text
    app_id = filed.json()["id"]
    assert filed.json()["amount"] == 300.0 and filed.json()["city"] == "140700"
    again = client.post("/ledger/applications", json=body, headers=h["gongxin"]).json()
    assert again["amount"] == 0.0 and "首次" in again["explanation"]
    early = client.post(f"/ledger/applications/{app_id}/pay", headers=h["gongxin"])
    assert early.status_code == 409 and early.json()["code"] == "wrong-state"
    other = client.post(f"/ledger/applications/{app_id}/approve", headers=h["department"])
    assert other.status_code == 403 and "省工信厅" in other.json()["detail"]
    assert client.post(f"/ledger/applications/{app_id}/approve", headers=h["admin"]).status_code == 403
    assert (
        client.post(f"/ledger/applications/{app_id}/approve", headers=h["gongxin"]).json()["state"]
        == "approved"
    )
    assert client.post(f"/ledger/applications/{app_id}/pay", headers=h["gongxin"]).json()["state"] == "paid"
    assert client.get("/ledger/applications", headers=h["department"]).json() == []
    assert client.get(f"/ledger/applications/{app_id}", headers=h["department"]).status_code == 404
    masked = client.get("/ledger/applications", headers=h["bureau"]).json()
    assert {r["enterprise_name"] for r in masked} == {"（已隐去）"}
    named = client.get("/ledger/applications", params={"state": "paid"}, headers=h["leader"]).json()
    assert [r["enterprise_name"] for r in named] == ["示例智造有限公司"]
    summary = client.get("/ledger/summary", headers=h["leader"]).json()
    assert summary["totals"] == {"applications": 2.0, "requested": 300.0, "approved": 300.0, "paid": 300.0}
    audit = client.get("/audit", headers=h["admin"]).json()
    assert [e["action"] for e in audit if e["action"].startswith("ledger.")] == [
        "ledger.pay",
        "ledger.approve",
        "ledger.apply",
        "ledger.apply",
    ]


@pytest.mark.parametrize(
    "body",
    [
        {
            "enterprise_code": "'; drop table users; --",
            "enterprise_name": "x",
            "city": "太原",
            "item": 6,
            "year": 2025,
            "basis": {},
        },
        {
            "enterprise_code": CODE,
            "enterprise_name": "x",
            "city": "太原",
            "item": 6,
            "year": 2025,
            "basis": {"level": "<script>"},
        },
        {
            "enterprise_code": CODE,
            "enterprise_name": "x",
            "city": "太原",
            "item": 2**31 - 1,
            "year": 2025,
            "basis": {},
        },
        {
            "enterprise_code": CODE,
            "enterprise_name": "x",
            "city": "太原",
            "item": 6,
            "year": 2**31 - 1,
            "basis": {},
        },
        {
            "enterprise_code": CODE,
            "enterprise_name": "x",
            "city": "太原",
            "item": 20,
            "year": 2025,
            "basis": {"event_cost": 1e300},
        },
        {
            "enterprise_code": CODE,
            "enterprise_name": "x" * 201,
            "city": "太原",
            "item": 6,
            "year": 2025,
            "basis": {},
        },
    ],
)
def test_hostile_applications_get_a_clear_4xx(
    http: tuple[httpx.Client, dict[str, dict[str, str]]], body: dict
) -> None:
    client, h = http
    answer = client.post("/ledger/applications", json=body, headers=h["gongxin"])
    assert 400 <= answer.status_code < 500, answer.text
    assert answer.json()["detail"]
    assert client.get("/ledger/applications", headers=h["leader"]).json() == []


def test_import_over_http(http: tuple[httpx.Client, dict[str, dict[str, str]]]) -> None:
    """A CSV of two 第20条 events: 80 × 50% = 40 and 150 × 50% = 75 → 50 (每场)."""
    client, h = http
    text = (
        "统一社会信用代码,企业名称,所在市,政策条款,年度,依据\n"
        f"{CODE},甲,太原,20,2025,event_cost=80\n{CODE},甲,太原,20,2025,event_cost=150\n"
    )
    files = {"file": ("申请.csv", text.encode("utf-8-sig"), "text/csv")}
    dry = client.post("/ledger/import", params={"dry_run": "true"}, files=files, headers=h["gongxin"]).json()
    assert dry["valid"] and [q["amount"] for q in dry["quotes"]] == [40.0, 50.0] and dry["filed"] == []
    done = client.post("/ledger/import", files=files, headers=h["gongxin"]).json()
    assert len(done["filed"]) == 2
    refused = client.post("/ledger/import", files=files, headers=h["department"]).json()
    assert not refused["valid"] and refused["errors"][0]["code"] == "item-not-permitted"
    wrong = client.post(
        "/ledger/import", files={"file": ("a.exe", b"MZ", "application/octet-stream")}, headers=h["gongxin"]
    )
    assert wrong.status_code == 415
