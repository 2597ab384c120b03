"""Every API route refuses anonymous requests and every role outside its rights (walks the route table);
every service refuses every role outside its rights when called directly (the same matrix, one level
down, where `app.auth.policy` decides)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute

from app.api.deps import Requires
from app.auth import policy
from app.auth.policy import Refused
from app.auth.roles import PERMISSION_LABELS, ROLE_PERMISSIONS, Permission, Role
from app.services import accounts
from app.services import audit as audit_service
from app.services import locks as lock_service
from app.services import notes as note_service
from app.services import reminders as reminder_service
from app.services import uploads as upload_service
from app.services.accounts import User
from app.services.clock import utcnow
from app.services.periods import open_note_periods
from etl.report import ErrorCode, ValidationReport
from tests.api.conftest import PASSWORD, Api

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


# ------------------------------------------------------------------ the same matrix, in the services
# The API's `Requires` gate is a convenience: the rule is `app.auth.policy`, which the services apply
# themselves. Each row calls a service directly with a real user of each role (signed up in a real
# database, both backends) and says which roles it lets through; every other role gets `Refused`
# (403, a Chinese message) and the database is left as it was.
CITIES = [
    "太原市",
    "大同市",
    "阳泉市",
    "长治市",
    "晋城市",
    "朔州市",
    "晋中市",
    "运城市",
    "忻州市",
    "临汾市",
    "吕梁市",
]
A, B, D, L = Role.ADMIN, Role.BUREAU, Role.DEPARTMENT, Role.LEADER
SERVICE_MATRIX: dict[str, set[Role]] = {
    "stage a file of the department's own indicator": {A, B, D},
    "publish an upload someone else staged": {A, B},
    "publish one's own upload": {A, B, D},
    "discard an upload someone else staged": {A, B},
    "roll back a publication": {A, B},
    "lock a period": {A, B},
    "write the department's own note": {A, D},
    "write another department's note": {A},
    "create an account": {A},
    "disable another account": {A},
    "set another account's password": {A},
    "set one's own password": {A, B, D, L},
}


def _actors(api: Api) -> dict[Role, User]:
    found = {role: accounts.token_user(engine=api.engine, token=api.tokens[role]) for role in Role}
    assert all(found.values())
    return {role: user for role, user in found.items() if user is not None}


def _csv(folder: Path, n: int) -> Path:
    """A one-value 5G file (the department's own indicator), at its own city and quarter."""
    path = folder / f"5g-{n}.csv"
    path.write_text(
        f"指标,地区,时期,数值\n5G基站数,{CITIES[n % 11]},2024Q{1 + n // 11},{1000 + n}\n", "utf-8"
    )
    return path


def _stage(api: Api, actor: User, folder: Path, n: int) -> int:
    with _csv(folder, n).open("rb") as stream:
        staged = upload_service.stage_file(
            engine=api.engine, plan=api.app.state.context.plan, name=f"5g-{n}.csv", stream=stream, actor=actor
        )
    assert staged.status == "staged", staged.report.flatten(["code", "message_zh"])
    assert staged.upload_id is not None
    return staged.upload_id


def _state(api: Api) -> list[tuple[Any, ...]]:
    uploads = [(u["id"], u["status"]) for u in upload_service.list_uploads(engine=api.engine)]
    notes = [(n["department"], n["task"], n["narrative"]) for n in note_service.list_notes(engine=api.engine)]
    locks = [(x["period"],) for x in lock_service.list_locks(engine=api.engine)]
    users = [(u.username, u.active) for u in accounts.list_users(engine=api.engine)]
    audit = [len(audit_service.audit_log(engine=api.engine, limit=1000))]
    return [*uploads, *notes, *locks, *users, audit]


def _account_act(action: str, api: Api, actor: User, n: int) -> Callable[[], object]:
    engine = api.engine
    if action == "create an account":
        return lambda: accounts.create_user(
            engine=engine, username=f"new{n}", password=PASSWORD, role=Role.LEADER, actor=actor
        )
    target = f"target{n}"
    accounts.create_user(
        engine=engine, username=target, password=PASSWORD, role=Role.LEADER, actor=policy.SYSTEM
    )
    if action == "disable another account":
        return lambda: accounts.set_active(engine=engine, username=target, active=False, actor=actor)
    if action == "set another account's password":
        return lambda: accounts.set_password(
            engine=engine, username=target, password=f"{PASSWORD}-{n}", actor=actor
        )
    return lambda: accounts.set_password(
        engine=engine, username=actor.username, password=f"{PASSWORD}-{n}", actor=actor
    )


def _prepare(
    action: str, api: Api, actors: dict[Role, User], role: Role, folder: Path
) -> Callable[[], object]:
    """The row's set-up (what others staged or published, done by the bureau), then its act as `actor`."""
    plan, engine, bureau, actor = api.app.state.context.plan, api.engine, actors[B], actors[role]
    n = list(Role).index(role)
    if "account" in action or "password" in action:
        return _account_act(action, api, actor, n)
    if action.startswith("stage"):
        return lambda: _stage(api, actor, folder, n)
    if action == "publish an upload someone else staged":
        theirs = _stage(api, bureau, folder, 10 + n)
        return lambda: upload_service.publish_upload(engine=engine, upload_id=theirs, actor=actor)
    if action == "publish one's own upload":
        own = _stage(api, actor if actor.can(Permission.UPLOAD) else bureau, folder, 20 + n)
        return lambda: upload_service.publish_upload(engine=engine, upload_id=own, actor=actor)
    if action.startswith("discard"):
        staged = _stage(api, bureau, folder, 30 + n)
        return lambda: upload_service.reject_upload(engine=engine, upload_id=staged, actor=actor)
    if action.startswith("roll back"):
        published = _stage(api, bureau, folder, 40 + n)
        upload_service.publish_upload(engine=engine, upload_id=published, actor=bureau)
        return lambda: upload_service.rollback_upload(engine=engine, upload_id=published, actor=actor)
    if action == "lock a period":
        return lambda: lock_service.lock_period(engine=engine, period=f"2023Q{1 + n}", actor=actor)
    department = "comms_admin" if "own" in action else "industry_it"
    task = "net-1" if department == "comms_admin" else "intel-3"
    period = open_note_periods(today=utcnow().date(), edit_days=92)[0]
    note = note_service.NoteInput(
        department, task, period, note_service.NoteStatus.IN_PROGRESS, f"进展 {role}"
    )
    return lambda: note_service.save_note(engine=engine, plan=plan, actor=actor, note=note, edit_days=92)


@pytest.mark.parametrize("action", list(SERVICE_MATRIX))
def test_each_service_lets_through_exactly_the_roles_the_policy_names(
    api: Api, action: str, tmp_path: Path
) -> None:
    actors = _actors(api)  # once: changing one's own password revokes one's token
    for role in actors:
        act = _prepare(action, api, actors, role, tmp_path)
        before = _state(api)
        if role in SERVICE_MATRIX[action]:
            act()
            assert _state(api) != before, (action, role)  # it did something
            continue
        with pytest.raises(Refused) as refused:
            act()
        assert refused.value.status == 403 and refused.value.code == "forbidden", (action, role)
        assert re.search(r"[\u4e00-\u9fff]", refused.value.message_zh) and refused.value.message_en
        assert _state(api) == before, (action, role)  # and a refusal changes nothing


def test_a_department_uploads_only_what_it_reports_in_the_service_too(api: Api, tmp_path: Path) -> None:
    path = tmp_path / "scale.csv"
    path.write_text("指标,地区,时期,数值\n数字经济规模,太原市,2024,1200\n", "utf-8")
    with path.open("rb") as stream:
        staged = upload_service.stage_file(
            engine=api.engine,
            plan=api.app.state.context.plan,
            name=path.name,
            stream=stream,
            actor=_actors(api)[D],
        )
    assert staged.status == "rejected"
    assert isinstance(staged.report, ValidationReport)
    assert staged.report.flatten(["row", "code"]) == [[2, "indicator-not-permitted"]]
    assert staged.errors[0].code is ErrorCode.INDICATOR_NOT_PERMITTED
    assert upload_service.list_uploads(engine=api.engine) == []


def test_a_department_reads_only_its_own_reminders_whatever_it_asks(api: Api) -> None:
    actors = _actors(api)
    assert policy.visible_department(actor=actors[D], requested="industry_it") == "comms_admin"
    assert policy.visible_department(actor=actors[D], requested=None) == "comms_admin"
    assert policy.visible_department(actor=actors[L], requested="industry_it") == "industry_it"
    assert policy.visible_department(actor=actors[B], requested=None) is None
    assert reminder_service.reminders_for(engine=api.engine, actor=actors[D], department="industry_it") == []


def test_system_actors_are_named_administrators_no_one_can_sign_in_as() -> None:
    inbox = policy.system_actor("inbox")
    assert (inbox.id, inbox.username, inbox.role, inbox.department) == (0, "inbox", Role.ADMIN, None)
    assert all(inbox.can(p) for p in Permission)
