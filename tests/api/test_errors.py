"""One exception tree, one handler: every domain error answers its status as problem+json, zh and en.

A tiny FastAPI app with the real handler raises one of each (real HTTP through the ASGI app); the
table says what each must answer. The tree itself is checked too: every error the services raise is
a `DomainError`, so an edge that catches `DomainError` misses none of them.
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.api.errors import PROBLEM_JSON, ApiError, install_error_handlers
from app.auth.policy import Refused, require, system_actor
from app.auth.roles import Permission, Role
from app.errors import DomainError
from app.services.accounts import AccountError, User
from app.services.briefs import BriefError
from app.services.locks import LockError
from app.services.notes import NoteError
from app.services.progress import ScopeError
from app.services.uploads import UploadError, too_large

LEADER = User(id=9, username="lingdao", display_name="领导", role=Role.LEADER, department=None)
CASES: list[tuple[DomainError, int, str]] = [
    (Refused("无权处理他人上报的文件", "not yours"), 403, "forbidden"),
    (UploadError("not-found", "没有编号为 9 的上报", "no upload with id 9"), 404, "not-found"),
    (
        UploadError("warnings-not-confirmed", "请确认后再发布", "confirm the warnings"),
        409,
        "warnings-not-confirmed",
    ),
    (UploadError("reason-required", "请填写发布说明", "give a reason"), 422, "reason-required"),
    (too_large("大表.xlsx", 5 << 20), 413, "file-too-large"),
    (
        UploadError("unsupported-file-type", "不支持的文件类型", "unsupported file type"),
        415,
        "unsupported-file-type",
    ),
    (UploadError("something-new", "新的拒绝", "a new refusal"), 400, "something-new"),
    (NoteError("period-closed", "2021Q1 已关账", "period 2021Q1 is closed", 409), 409, "period-closed"),
    (AccountError("user-exists", "用户“a”已存在", "user 'a' exists", 409), 409, "user-exists"),
    (AccountError("weak-password", "密码过于常见", "too common"), 400, "weak-password"),
    (BriefError("brief-not-found", "简报不存在：7", "no brief 7", 404), 404, "brief-not-found"),
    (LockError("already-locked", "2025年第三季度已锁定", "2025Q3 is already locked"), 409, "already-locked"),
    (LockError("not-locked", "2025年第三季度未锁定", "2025Q3 is not locked"), 404, "not-locked"),
    (LockError("bad-period", "无法识别的时期", "unreadable period"), 422, "bad-period"),
    (ScopeError("未知地区：999999", "unknown region: 999999"), 422, "unknown-scope"),
    (ApiError(401, "invalid-token", "令牌无效或已撤销", "invalid or revoked token"), 401, "invalid-token"),
]


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/raise/{index}")
    def _raise(index: int) -> None:
        raise CASES[index][0]

    @app.get("/refuse")
    def _refuse() -> None:
        require(LEADER, Permission.UPLOAD)

    return TestClient(app)


@pytest.mark.parametrize(("index", "status", "code"), [(i, s, c) for i, (_, s, c) in enumerate(CASES)])
def test_each_domain_error_answers_its_status_as_problem_json(
    client: TestClient, index: int, status: int, code: str
) -> None:
    error = CASES[index][0]
    response = client.get(f"/raise/{index}")
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json() == {
        "type": "about:blank",
        "title": error.message_en,
        "status": status,
        "code": code,
        "detail": error.message_zh,
        "detail_en": error.message_en,
    }
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["detail"])


def test_a_policy_refusal_names_the_permission_in_chinese(client: TestClient) -> None:
    response = client.get("/refuse")
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert response.json()["detail"] == "当前角色无权执行此操作（需要“上报数据”权限）"


def test_every_service_error_is_a_domain_error() -> None:
    for kind in (Refused, UploadError, NoteError, AccountError, BriefError, LockError, ScopeError, ApiError):
        assert issubclass(kind, DomainError), kind
    assert issubclass(ScopeError, ValueError)  # callers that parse periods catch ValueError


def test_the_message_follows_the_language() -> None:
    error = too_large("a.csv", 1 << 20)
    assert (error.message("zh"), error.message("en")) == (
        "未上传“a.csv”：文件超过 1 MB，请拆分后上传",
        "a.csv was not uploaded: it is larger than 1 MB; split it",
    )
    assert str(error) == f"{error.message_zh} / {error.message_en}"


def test_system_actors_pass_every_check() -> None:
    for permission in Permission:
        require(system_actor("cli"), permission)
