"""我的账户: a user sees their own API tokens, creates one (its secret shown once) and revokes it.

Real accounts in a real database on each backend; the callbacks run inside a request of that user,
as Dash runs them. The token created here is then used on the service's own bearer check, so a
token the page says is live really signs in, and a revoked one really does not.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

import flask
import pytest

from app.auth.policy import SYSTEM
from app.auth.sessions import DEMO_USER
from app.context import AppContext
from app.services import accounts
from app.services.accounts import User
from dashboard import ids
from dashboard.context import CONTEXT_KEY
from tests.dashboard.conftest import find, text

PASSWORD = "Zq8#river-lamp"


@pytest.fixture
def owner(empty_context: AppContext) -> User:
    return accounts.create_user(
        actor=SYSTEM, engine=empty_context.engine, username="li_na", password=PASSWORD, role="bureau"
    )


@contextmanager
def signed_in(context: AppContext, user: User | None) -> Iterator[None]:
    """Inside a request of this user, as the sign-in guard leaves it for a page or a callback."""
    with flask.Flask(__name__).test_request_context("/account"):
        flask.current_app.config[CONTEXT_KEY] = context
        flask.g.user = user
        yield


def test_the_page_lists_only_the_users_own_tokens_with_their_state(
    pages: SimpleNamespace, empty_context: AppContext, owner: User
) -> None:
    other = accounts.create_user(
        actor=SYSTEM, engine=empty_context.engine, username="wang_wei", password=PASSWORD, role="leader"
    )
    accounts.create_token(engine=empty_context.engine, user=owner, name="月报脚本")
    kept = accounts.create_token(engine=empty_context.engine, user=owner, name="旧脚本")
    accounts.revoke_token(engine=empty_context.engine, user=owner, token_id=kept.id)
    accounts.create_token(engine=empty_context.engine, user=other, name="别人的令牌")
    with signed_in(empty_context, owner):
        shown = text(pages.account.layout())
    assert "月报脚本" in shown and "旧脚本" in shown and "已撤销" in shown and "有效" in shown
    assert "别人的令牌" not in shown
    assert "li_na" in shown and "统计部门" in shown


def test_creating_a_token_shows_its_secret_once_and_the_secret_signs_in(
    pages: SimpleNamespace, empty_context: AppContext, owner: User
) -> None:
    with signed_in(empty_context, owner):
        message, listing, cleared = pages.account.create_token(1, "  数据接口  ", "")
    secret = find(message, ids.TOKEN_SECRET).children
    assert secret.startswith("dem_")
    assert cleared == ""
    assert "数据接口" in text(listing) and secret not in text(listing)
    holder = accounts.token_user(engine=empty_context.engine, token=secret)
    assert holder is not None and holder.username == "li_na"
    names = [t["name"] for t in accounts.list_tokens(engine=empty_context.engine, user=owner)]
    assert names == ["数据接口"]  # the name is stored trimmed


@pytest.mark.parametrize("name", ["", "   ", "x" * 129, "换行\n名称", "tab\tname"])
def test_a_bad_token_name_is_refused_in_chinese_and_creates_nothing(
    pages: SimpleNamespace, empty_context: AppContext, owner: User, name: str
) -> None:
    with signed_in(empty_context, owner):
        message, listing, _ = pages.account.create_token(1, name, "")
    assert "令牌名称须为1至128个可见字符" in text(message)
    assert listing is pages.account.dash.no_update
    assert accounts.list_tokens(engine=empty_context.engine, user=owner) == []


def test_revoking_a_token_ends_its_sign_in(
    pages: SimpleNamespace, empty_context: AppContext, owner: User
) -> None:
    created = accounts.create_token(engine=empty_context.engine, user=owner, name="临时")
    with signed_in(empty_context, owner):
        message, listing = pages.account.revoke(created.id, "zh")
    assert f"令牌 #{created.id} 已撤销" in text(message)
    assert "已撤销" in text(listing)
    assert accounts.token_user(engine=empty_context.engine, token=created.token) is None


def test_nobody_revokes_someone_elses_token(
    pages: SimpleNamespace, empty_context: AppContext, owner: User
) -> None:
    other = accounts.create_user(
        actor=SYSTEM, engine=empty_context.engine, username="wang_wei", password=PASSWORD, role="leader"
    )
    theirs = accounts.create_token(engine=empty_context.engine, user=other, name="别人的令牌")
    with signed_in(empty_context, owner):
        message, listing = pages.account.revoke(theirs.id, "zh")
    assert "没有该令牌" in text(message) and listing is pages.account.dash.no_update
    assert accounts.token_user(engine=empty_context.engine, token=theirs.token) is not None


def test_the_demo_visitor_has_no_tokens_to_manage(pages: SimpleNamespace, empty_context: AppContext) -> None:
    with signed_in(empty_context, DEMO_USER):
        shown = text(pages.account.layout())
        message, listing, _ = pages.account.create_token(1, "x", "")
    assert "演示模式下的访客没有账户" in shown
    assert "您的角色无权使用此页面" in text(message)
    assert listing is pages.account.dash.no_update
