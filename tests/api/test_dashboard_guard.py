"""The dashboard behind the sign-in guard: pages redirect, callbacks need a session and its CSRF token."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from app.auth.policy import SYSTEM
from app.config import Settings
from app.main import create_app
from app.services import accounts, setup
from indicators.plan import DEFAULT_PLAN

PASSWORD = "dashboard-guard-pw"


@pytest.fixture
def client(settings: Settings, engine: sa.Engine) -> Iterator[TestClient]:
    setup.init_database(engine=engine, plan_path=DEFAULT_PLAN)
    accounts.create_user(actor=SYSTEM, engine=engine, username="lingdao", password=PASSWORD, role="leader")
    app = create_app(settings, engine=engine, scheduler=False, dashboard=True)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as test_client:
        yield test_client


def test_pages_redirect_to_sign_in_and_callbacks_refuse_anonymous_requests(client: TestClient) -> None:
    page = client.get("/regions?as_of=2025Q3")
    assert (page.status_code, page.headers["location"]) == (302, "/login?next=/regions?as_of=2025Q3")
    assert client.post("/_dash-update-component", json={}).status_code == 401


def test_callbacks_need_the_sessions_csrf_token(client: TestClient) -> None:
    login = client.post("/login", data={"username": "lingdao", "password": PASSWORD, "next": "/"})
    assert login.status_code == 303
    assert client.get("/").status_code == 200
    assert client.post("/_dash-update-component", json={}).status_code == 403
    with_token = client.post(
        "/_dash-update-component", json={}, headers={"X-CSRF-Token": client.cookies["dem_csrf"]}
    )
    assert with_token.status_code not in (401, 403)


def test_a_wrong_password_on_the_sign_in_page_says_so_in_chinese(client: TestClient) -> None:
    page = client.post("/login", data={"username": "lingdao", "password": "nope", "next": "/"})
    assert page.status_code == 401
    assert "用户名或密码错误" in page.text


def test_sign_in_never_redirects_off_site(client: TestClient) -> None:
    login = client.post(
        "/login", data={"username": "lingdao", "password": PASSWORD, "next": "//evil.example"}
    )
    assert login.headers["location"] == "/"


@pytest.mark.parametrize("path", ["/", "/login", "/healthz", "/api/v1/catalog/regions", "/_dash-layout"])
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    policy = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy
    assert "object-src 'none'" in policy and "cdn.jsdelivr.net" not in policy
    assert (headers["x-frame-options"], headers["x-content-type-options"], headers["referrer-policy"]) == (
        "DENY",
        "nosniff",
        "same-origin",
    )


def test_the_csp_allows_dashs_inline_bootstrap_by_hash_and_swagger_only_on_docs(client: TestClient) -> None:
    login = client.post("/login", data={"username": "lingdao", "password": PASSWORD, "next": "/"})
    assert login.status_code == 303
    policy = client.get("/").headers["content-security-policy"]
    assert "'sha256-" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "https://cdn.jsdelivr.net" in client.get("/docs").headers["content-security-policy"]


def test_signing_out_needs_a_post_with_the_sessions_csrf_token(client: TestClient) -> None:
    login = client.post("/login", data={"username": "lingdao", "password": PASSWORD, "next": "/"})
    assert login.status_code == 303
    client.get("/logout")  # a link or an <img> on another site must not sign anyone out
    assert client.get("/").status_code == 200
    forged = client.post("/logout", data={"csrf": "guessed"})
    assert forged.status_code == 403
    assert client.get("/").status_code == 200  # still signed in
    out = client.post("/logout", data={"csrf": client.cookies["dem_csrf"]})
    assert (out.status_code, out.headers["location"]) == (303, "/login")
    client.cookies.clear()
    assert client.get("/").status_code == 302
