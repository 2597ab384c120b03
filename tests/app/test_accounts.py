"""Accounts resist the attacks a login page meets: guessing, timing, weak passwords, stale tokens."""

from __future__ import annotations

import datetime as dt
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from app.auth.passwords import password_problem, username_problem
from app.auth.policy import SYSTEM
from app.auth.sessions import forwarded_client
from app.services import accounts
from app.services.accounts import AccountError, LoginLimits
from app.store import migrate

PASSWORD = "correct-horse-battery"
NOW = dt.datetime(2026, 12, 1, 9, 0)


@pytest.fixture
def migrated(engine: sa.Engine) -> sa.Engine:
    migrate.upgrade(engine)
    accounts.create_user(actor=SYSTEM, engine=engine, username="lingdao", password=PASSWORD, role="leader")
    return engine


@pytest.mark.parametrize(
    ("password", "username", "weak"),
    [
        ("short", "", True),  # under 10 characters
        ("1111111111", "", True),  # one character repeated
        ("abcabcabca", "", True),  # a short unit repeated
        ("1234567890", "", True),  # along the digits
        ("0987654321", "", True),  # backwards
        ("qwertyuiop", "", True),  # a keyboard row
        ("Password123", "", True),  # the common list, whatever the case
        ("woaini1314", "", True),  # the common list (Chinese leaks)
        ("zhangsan-2026", "zhangsan", True),  # contains the username
        ("ab-ab-ab-ba", "", True),  # three different characters only
        ("correct-horse-battery", "lingdao", False),
        ("太原数据2026年报", "", False),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password: str, username: str, weak: bool) -> None:
    assert (password_problem(password, username=username) is not None) is weak


@pytest.mark.parametrize(
    ("username", "ok"),
    [
        ("tongji.01", True),
        ("张伟", True),
        ("txglj_gx-2", True),
        ("<b>x</b>", False),
        ("a\nb", False),
        ("-dash", False),
        ("x", False),
        ("a" * 33, False),
        ("name with space", False),
    ],
)
def test_usernames_hold_no_markup_or_line_breaks(username: str, ok: bool) -> None:
    assert (username_problem(username) is None) is ok


def test_creating_a_user_with_markup_in_the_name_is_refused(migrated: sa.Engine) -> None:
    with pytest.raises(AccountError) as refused:
        accounts.create_user(
            actor=SYSTEM, engine=migrated, username="<script>", password=PASSWORD, role="leader"
        )
    assert refused.value.code == "bad-username"


def test_parallel_guesses_count_against_each_other_so_at_most_the_limit_is_evaluated(
    migrated: sa.Engine,
) -> None:
    """20 wrong guesses at once against a limit of 5: each is recorded before it is checked, so the
    sixth and later see at least six failures and are refused unevaluated (429), never 401."""

    def guess(i: int) -> int:
        try:
            accounts.login(engine=migrated, username="lingdao", password=f"wrong-{i}", address=f"10.0.0.{i}")
        except AccountError as exc:
            return exc.status
        return 200

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(guess, range(20)))
    assert answers.count(401) <= LoginLimits().max_failures_per_account
    assert answers.count(429) >= 20 - LoginLimits().max_failures_per_account
    with pytest.raises(AccountError) as still_locked:
        accounts.login(engine=migrated, username="lingdao", password=PASSWORD, address="10.0.0.99")
    assert still_locked.value.status == 429


def test_an_unknown_user_costs_a_password_hash_like_a_known_one(migrated: sa.Engine) -> None:
    def seconds(username: str, i: int) -> float:
        start = time.perf_counter()
        with pytest.raises(AccountError):
            accounts.login(engine=migrated, username=username, password="wrong", address=f"10.1.0.{i}")
        return time.perf_counter() - start

    known = statistics.median(seconds("lingdao", i) for i in range(3))
    unknown = statistics.median(seconds(f"nobody{i}", 10 + i) for i in range(3))
    assert unknown > 0.5 * known


def _token(engine: sa.Engine, *, lifetime: dt.timedelta = dt.timedelta(days=90)) -> str:
    user = accounts.list_users(engine=engine)[0]
    return accounts.create_token(engine=engine, user=user, name="script", lifetime=lifetime, now=NOW).token


def test_a_token_stops_working_when_it_expires(migrated: sa.Engine) -> None:
    token = _token(migrated, lifetime=dt.timedelta(days=1))
    assert accounts.token_user(engine=migrated, token=token, now=NOW + dt.timedelta(hours=23)) is not None
    assert (
        accounts.token_user(engine=migrated, token=token, now=NOW + dt.timedelta(days=1, seconds=1)) is None
    )
    [listed] = accounts.list_tokens(engine=migrated, user=accounts.list_users(engine=migrated)[0])
    assert listed["expires_at"] == NOW + dt.timedelta(days=1)


@pytest.mark.parametrize("change", ["password", "disable"])
def test_a_password_change_or_a_disabled_account_revokes_every_token(
    migrated: sa.Engine, change: str
) -> None:
    token = _token(migrated)
    if change == "password":
        accounts.set_password(
            actor=SYSTEM, engine=migrated, username="lingdao", password="another-horse-staple"
        )
    else:
        accounts.set_active(actor=SYSTEM, engine=migrated, username="lingdao", active=False)
        accounts.set_active(actor=SYSTEM, engine=migrated, username="lingdao", active=True)
    assert accounts.token_user(engine=migrated, token=token, now=NOW) is None


def test_concurrent_requests_on_one_token_never_fail(migrated: sa.Engine) -> None:
    """Every request used to update the token row; on DuckDB two at once conflicted (HTTP 500)."""
    token = _token(migrated)

    def use(i: int) -> bool:
        later = NOW + dt.timedelta(minutes=2 * i)  # every call is due to record its use
        return accounts.token_user(engine=migrated, token=token, now=later) is not None

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(use, range(40)))


@pytest.mark.parametrize(
    ("peer", "header", "trusted", "client"),
    [
        ("203.0.113.9", "1.2.3.4", [], "203.0.113.9"),  # nobody trusted: the header is ignored
        ("203.0.113.9", "1.2.3.4", ["10.0.0.2"], "203.0.113.9"),  # the peer is not our proxy
        ("10.0.0.2", "198.51.100.7", ["10.0.0.2"], "198.51.100.7"),  # our proxy names the client
        ("10.0.0.2", "6.6.6.6, 198.51.100.7", ["10.0.0.2"], "198.51.100.7"),  # a forged left part
        ("10.0.0.2", "198.51.100.7, 10.0.0.3", ["10.0.0.2", "10.0.0.3"], "198.51.100.7"),  # two proxies
        ("10.0.0.2", None, ["10.0.0.2"], "10.0.0.2"),
    ],
)
def test_forwarded_for_counts_only_from_a_trusted_proxy(
    peer: str, header: str | None, trusted: list[str], client: str
) -> None:
    assert forwarded_client(peer=peer, forwarded_for=header, trusted=trusted) == client
