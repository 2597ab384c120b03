"""Every API route refuses anonymous requests and every role outside its rights (walks the route table)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.routing import APIRoute

from app.api.deps import Requires
from app.auth.roles import PERMISSION_LABELS, ROLE_PERMISSIONS, Permission, Role
from tests.api.conftest import Api

PUBLIC = {("POST", "/api/v1/auth/login")}


def _required_permission(route: Any) -> object | None:
    """The permission a route declares through a `Requires` dependency (None: any signed-in user)."""
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if isinstance(dep.call, Requires):
            return dep.call.permission
        stack.extend(dep.dependencies)
    return None


def _flatten(routes: list[Any]) -> list[Any]:
    """API routes with their effective paths (FastAPI keeps included routers lazily)."""
    flat: list[Any] = []
    for route in routes:
        if isinstance(route, APIRoute):
            flat.append(route)
        elif hasattr(route, "effective_route_contexts"):
            flat.extend(route.effective_route_contexts())
    return flat


def _api_routes(api: Api) -> list[tuple[str, str, Any]]:
    routes = []
    for route in _flatten(api.app.routes):
        if route.path.startswith("/api/v1"):
            for method in sorted(route.methods):
                if (method, route.path) not in PUBLIC:
                    routes.append((method, re.sub(r"\{[^}]+\}", "1", route.path), route))
    return routes


def test_every_api_route_declares_a_permission_or_needs_a_user(api: Api) -> None:
    routes = _api_routes(api)
    assert len(routes) >= 20
    undeclared = [(m, p) for m, p, r in routes if _required_permission(r) is None]
    # only the personal routes (me, logout) need a signed-in user without a specific permission
    assert sorted(undeclared) == [("GET", "/api/v1/auth/me"), ("POST", "/api/v1/auth/logout")]


def test_every_route_refuses_anonymous_requests(api: Api) -> None:
    for method, path, _ in _api_routes(api):
        response = api.client.request(method, path, json={})
        assert response.status_code == 401, (method, path, response.text)
        assert response.json()["code"] == "not-authenticated"


def test_every_permission_has_a_chinese_and_an_english_label() -> None:
    assert set(PERMISSION_LABELS) == set(Permission)
    assert all(re.search(r"[\u4e00-\u9fff]", zh) and en for zh, en in PERMISSION_LABELS.values())


def test_every_route_refuses_each_role_without_the_permission(api: Api) -> None:
    checked = 0
    for method, path, route in _api_routes(api):
        permission = _required_permission(route)
        for role in Role:
            if permission is None or permission in ROLE_PERMISSIONS[role]:
                continue
            response = api.client.request(method, path, json={}, headers=api.as_role(role))
            assert response.status_code == 403, (role, method, path, response.text)
            answer = response.json()
            assert answer["code"] == "forbidden"
            # the refusal names the permission as people say it, never its code
            assert f"需要“{PERMISSION_LABELS[permission][0]}”权限" in answer["detail"]
            assert not re.search(r"[a-z_]{3,}", answer["detail"]), answer["detail"]
            checked += 1
    assert checked >= 10


def test_a_role_with_the_permission_gets_past_the_gate(api: Api) -> None:
    for method, path, route in _api_routes(api):
        if method != "GET":
            continue
        permission = _required_permission(route)
        allowed = [r for r in Role if permission is None or permission in ROLE_PERMISSIONS[r]]
        response = api.client.request(method, path, headers=api.as_role(allowed[0]))
        assert response.status_code not in (401, 403), (method, path, response.text)
