"""Briefs over HTTP: generate, list, download (content type, Chinese file name) and reproduce, each
role scoped by `may_export`; domain errors come back as problem details in Chinese, never as 500.

The department user of tests/api/conftest.py belongs to 省通信管理局 (comms_admin).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from urllib.parse import unquote

import docx
import openpyxl
import pytest

from app.auth.roles import Role
from app.config import Settings
from app.services.samples import load_samples
from app.store.engine import make_engine
from indicators.plan import DEFAULT_PLAN, load_plan
from tests.api.conftest import PASSWORD, Api, api_for
from tests.conftest import BACKENDS, REPO_ROOT, empty_database

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OWN = "department:comms_admin"
SAMPLE_DIR = REPO_ROOT / "data" / "sample"


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """One database per backend with every sample published, shared by the tests that generate."""
    folder = tmp_path_factory.mktemp(f"briefs-api-{request.param}")
    with empty_database(request.param, folder) as url:
        settings = Settings(database_url=url, data_dir=folder / "data", brief_dir=folder / "briefs")
        engine = make_engine(url)
        for api in api_for(settings, engine):
            load_samples(
                engine=engine, plan=load_plan(DEFAULT_PLAN), sample_dir=REPO_ROOT / "data" / "sample"
            )
            yield api
        engine.dispose()


def generate(api: Api, role: Role, **body: object) -> tuple[int, dict]:
    response = api.client.post("/api/v1/briefs", json=body, headers=api.as_role(role))
    assert response.status_code != 500, response.text
    return response.status_code, response.json()


def file_name(disposition: str) -> str:
    """The RFC 5987 name (`filename*=UTF-8''…`) of a Content-Disposition header, decoded."""
    assert disposition.startswith('attachment; filename="brief-')
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    return unquote(encoded)


def test_a_leader_generates_lists_downloads_and_reproduces_a_brief(loaded: Api) -> None:
    status, made = generate(loaded, Role.LEADER, scope="province", period="2025Q3", format="docx")
    assert status == 201, made
    assert (made["scope"], made["scope_label"], made["period"], made["format"]) == (
        "province",
        "全省",
        "2025Q3",
        "docx",
    )
    assert made["created_by"] == "lingdao"
    assert made["data_version"] is not None and len(made["sha256"]) == 64
    assert made["download"] == f"/api/v1/briefs/{made['id']}/file"

    listed = loaded.client.get("/api/v1/briefs", headers=loaded.as_role(Role.LEADER)).json()
    assert listed[0]["id"] == made["id"]  # newest first

    response = loaded.client.get(made["download"], headers=loaded.as_role(Role.LEADER))
    assert response.status_code == 200
    assert response.headers["content-type"] == DOCX
    assert file_name(response.headers["content-disposition"]) == f"{made['title']}-{made['id']}.docx"
    assert "简报" in made["title"] and "2025年第三季度" in made["title"]
    document = docx.Document(io.BytesIO(response.content))
    assert made["title"] in "".join(p.text for p in document.paragraphs[:2])  # title and subtitle

    status, again = generate(loaded, Role.LEADER, scope="province", period="2025Q3", format="xlsx")
    assert status == 201
    reproduced = loaded.client.post(
        f"/api/v1/briefs/{again['id']}/reproduce", headers=loaded.as_role(Role.LEADER)
    )
    assert reproduced.status_code == 201, reproduced.text
    body = reproduced.json()
    assert (body["reproduces"], body["data_version"], body["format"]) == (
        again["id"],
        again["data_version"],
        "xlsx",
    )
    workbook = loaded.client.get(body["download"], headers=loaded.as_role(Role.LEADER))
    assert workbook.headers["content-type"] == XLSX
    assert openpyxl.load_workbook(io.BytesIO(workbook.content)).sheetnames


def test_a_department_exports_and_sees_its_own_scope_only(loaded: Api) -> None:
    status, province = generate(loaded, Role.LEADER, scope="province", period="2025Q3", format="xlsx")
    assert status == 201
    status, own = generate(loaded, Role.DEPARTMENT, scope=OWN, period="2025Q3", format="xlsx")
    assert status == 201, own
    assert own["scope_label"] == "省通信管理局"

    for scope in ("province", "department:industry_it", "region:140100", "final"):
        status, refused = generate(loaded, Role.DEPARTMENT, scope=scope, period="2025Q3", format="xlsx")
        assert status == 403, (scope, refused)
        assert refused["detail"] and refused["detail"] != refused["detail_en"]  # the Chinese message

    mine = loaded.client.get("/api/v1/briefs", headers=loaded.as_role(Role.DEPARTMENT)).json()
    assert own["id"] in [b["id"] for b in mine]
    assert {b["scope"] for b in mine} == {OWN}
    everything = loaded.client.get("/api/v1/briefs", headers=loaded.as_role(Role.LEADER)).json()
    assert {province["id"], own["id"]} <= {b["id"] for b in everything}

    for path in (province["download"], f"/api/v1/briefs/{province['id']}"):
        other = loaded.client.get(path, headers=loaded.as_role(Role.DEPARTMENT))
        assert other.status_code == 403, other.text
    assert loaded.client.get(own["download"], headers=loaded.as_role(Role.DEPARTMENT)).status_code == 200


def test_anonymous_callers_get_nothing(loaded: Api) -> None:
    status, made = generate(loaded, Role.LEADER, scope="province", period="2025Q3", format="xlsx")
    assert status == 201
    for method, path in (
        ("GET", "/api/v1/briefs"),
        ("GET", made["download"]),
        ("POST", "/api/v1/briefs"),
        ("POST", f"/api/v1/briefs/{made['id']}/reproduce"),
    ):
        response = loaded.client.request(method, path, json={"scope": "province"})
        assert (response.status_code, response.json()["code"]) == (401, "not-authenticated")


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"scope": "department:nope", "period": "2025Q3"}, None),  # the service's own status
        ({"scope": "galaxy", "period": "2025Q3"}, None),
        ({"scope": "province", "period": "2025Q5"}, 422),
        ({"scope": "province", "period": "2025Q3", "format": "doc"}, 422),
    ],
)
def test_bad_requests_are_answered_in_chinese_not_with_500(
    loaded: Api, body: dict, status: int | None
) -> None:
    got, problem = generate(loaded, Role.LEADER, **body)
    assert 400 <= got < 500, problem
    if status is not None:
        assert got == status
    assert any("\u4e00" <= ch <= "\u9fff" for ch in problem["detail"]), problem


def test_a_brief_that_does_not_exist_is_404(loaded: Api) -> None:
    for path in ("/api/v1/briefs/999", "/api/v1/briefs/999/file"):
        response = loaded.client.get(path, headers=loaded.as_role(Role.LEADER))
        assert response.status_code == 404, response.text
    reproduce = loaded.client.post("/api/v1/briefs/999/reproduce", headers=loaded.as_role(Role.LEADER))
    assert reproduce.status_code == 404


def test_a_signed_in_browser_needs_its_csrf_token_to_generate(loaded: Api) -> None:
    login = loaded.client.post("/api/v1/auth/login", json={"username": "lingdao", "password": PASSWORD})
    assert login.status_code == 200, login.text
    try:
        body = {"scope": "province", "period": "2025Q3", "format": "xlsx"}
        refused = loaded.client.post("/api/v1/briefs", json=body)
        assert (refused.status_code, refused.json()["code"]) == (403, "csrf-failed")
        made = loaded.client.post(
            "/api/v1/briefs", json=body, headers={"X-CSRF-Token": login.json()["csrf_token"]}
        )
        assert made.status_code == 201, made.text
        assert loaded.client.get(made.json()["download"]).status_code == 200  # a GET needs no token
    finally:
        loaded.client.cookies.clear()  # the other tests of the module sign in by token or not at all
