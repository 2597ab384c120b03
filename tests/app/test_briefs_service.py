"""The briefs service on both backends: reproduce after a revision, vintages, and who may export what.

Data reach the database as a bureau's file does (stage, publish at explicit times). The target is
5G基站 ≥ 30,000 by 2022 with B = 10,000 at 2020Q4; as of 2021Q4 the first publication says
C = 18,000 (completion 18,000 / 30,000 = 60%), the revision says C = 20,000 (66.7%).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from app.auth import policy
from app.auth.policy import system_actor
from app.auth.roles import Role
from app.config import Settings
from app.errors import DomainError
from app.services import briefs as svc
from app.services import setup
from app.services import uploads as upload_service
from app.services.accounts import User
from indicators.model import Plan
from indicators.periods import Period
from indicators.plan import DEFAULT_PLAN

T1 = dt.datetime(2025, 4, 20, 9, 0)
T2 = dt.datetime(2025, 7, 20, 9, 0)
T3 = dt.datetime(2025, 10, 20, 9, 0)
HEADER = "指标,地区,时期,数值\n"
FIRST = [("5G基站数", "全省", "2020Q4", "10000"), ("5G基站数", "全省", "2021Q4", "18000")]
REVISED = [("5G基站数", "全省", "2021Q4", "20000")]
PERIOD = Period.parse("2021Q4")

ADMIN = User(id=1, username="admin_t", display_name="管理员", role=Role.ADMIN, department=None)
BUREAU = User(id=2, username="bureau_t", display_name="统计局", role=Role.BUREAU, department=None)
DEPT = User(id=3, username="dept_t", display_name="工信厅", role=Role.DEPARTMENT, department="industry_it")
LEADER = User(id=4, username="leader_t", display_name="领导", role=Role.LEADER, department=None)
RETIRED = User(id=5, username="old_t", display_name="离任", role=Role.LEADER, department=None, active=False)


def publish(db: sa.Engine, plan: Plan, path: Path, rows: list[tuple[str, ...]], now: dt.datetime) -> None:
    path.write_text(HEADER + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    staged = upload_service.stage_upload(
        engine=db, plan=plan, path=path, actor=system_actor("bureau"), now=now
    )
    upload_service.publish_upload(
        engine=db,
        upload_id=staged.upload_id or 0,
        actor=system_actor("bureau"),
        confirm_warnings=True,
        reason="修订",
        now=now,
    )


@pytest.fixture
def db(engine: sa.Engine, plan: Plan, tmp_path: Path) -> sa.Engine:
    setup.init_database(engine=engine, plan_path=DEFAULT_PLAN)
    publish(engine, plan, tmp_path / "first.csv", FIRST, T1)
    return engine


def make(db: sa.Engine, plan: Plan, settings: Settings, actor: User = ADMIN, **kw: object) -> svc.BriefRecord:
    args: dict[str, object] = {"scope": svc.BriefScope("province", None), "period": PERIOD}
    args |= {"fmt": svc.BriefFormat.XLSX, "now": T3} | kw
    return svc.generate_brief(engine=db, plan=plan, settings=settings, actor=actor, **args)  # type: ignore[arg-type]


def five_g_row(path: str) -> tuple[object, ...]:
    rows = openpyxl.load_workbook(path)["目标进展"].iter_rows(min_row=4, values_only=True)
    return next(r for r in rows if str(r[0]).startswith("5G基站数"))


def test_a_reproduced_brief_has_the_original_numbers_after_a_revision(
    db: sa.Engine, plan: Plan, settings: Settings, tmp_path: Path
) -> None:
    original = make(db, plan, settings)
    assert five_g_row(original.path)[4] == 18000
    assert five_g_row(original.path)[6] == pytest.approx(18000 / 30000)
    publish(db, plan, tmp_path / "revised.csv", REVISED, T2)
    fresh = make(db, plan, settings)
    assert five_g_row(fresh.path)[4] == 20000
    assert fresh.data_version is not None and original.data_version is not None
    assert fresh.data_version > original.data_version
    again = svc.reproduce_brief(engine=db, plan=plan, settings=settings, actor=LEADER, brief_id=original.id)
    assert five_g_row(again.path)[4] == 18000
    assert (again.reproduces, again.data_version) == (original.id, original.data_version)
    assert again.content_sha256 == original.content_sha256
    assert again.content_sha256 != fresh.content_sha256
    # the newer brief's notes list the revision since the previous brief of the scope
    revisions = list(openpyxl.load_workbook(fresh.path)["数据修订"].iter_rows(min_row=4, values_only=True))
    assert [r[1:5] for r in revisions] == [(plan.province.short_name, "2021Q4", 18000, 20000)]


def test_published_on_makes_the_brief_as_the_data_stood_that_day(
    db: sa.Engine, plan: Plan, settings: Settings, tmp_path: Path
) -> None:
    publish(db, plan, tmp_path / "revised.csv", REVISED, T2)
    before = make(db, plan, settings, published_on=(T2 - dt.timedelta(days=1)).date())
    after = make(db, plan, settings, published_on=T2.date())
    assert five_g_row(before.path)[4] == 18000
    assert five_g_row(after.path)[4] == 20000
    assert before.published_on == (T2 - dt.timedelta(days=1)).date()


def test_a_failed_render_leaves_no_row_and_no_file(
    db: sa.Engine, plan: Plan, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without LibreOffice on PATH the PDF fails with the package's name, and nothing is recorded."""
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(svc.BriefError) as caught:
        make(db, plan, settings, fmt=svc.BriefFormat.PDF)
    assert "libreoffice-writer-nogui" in caught.value.message_zh
    assert svc.list_briefs(engine=db, actor=ADMIN) == []
    assert not list(settings.brief_dir.glob("*")) if settings.brief_dir.exists() else True


# ------------------------------------------------------------------------------------ roles
@pytest.mark.parametrize(
    ("user", "scope", "allowed"),
    [
        (ADMIN, "province", True),
        (ADMIN, "department:ndrc", True),
        (BUREAU, "final", True),
        (BUREAU, "region:140100", True),
        (LEADER, "province", True),
        (LEADER, "department:industry_it", True),
        (DEPT, "department:industry_it", True),
        (DEPT, "department:ndrc", False),
        (DEPT, "province", False),
        (DEPT, "region:140100", False),
        (DEPT, "final", False),
        (RETIRED, "province", False),
    ],
)
def test_may_export_brief(plan: Plan, user: User, scope: str, allowed: bool) -> None:
    assert policy.may_export_brief(actor=user, scope=svc.BriefScope.parse(scope, plan=plan)) is allowed


def test_each_role_generates_lists_and_downloads_only_what_it_may(
    db: sa.Engine, plan: Plan, settings: Settings
) -> None:
    own = svc.BriefScope.parse("department:industry_it", plan=plan)
    other = svc.BriefScope.parse("department:ndrc", plan=plan)
    province = make(db, plan, settings, actor=LEADER)
    mine = make(db, plan, settings, actor=DEPT, scope=own)
    theirs = make(db, plan, settings, actor=BUREAU, scope=other)
    with pytest.raises(policy.Refused) as refused:
        make(db, plan, settings, actor=DEPT)
    assert refused.value.status == 403
    assert [r.id for r in svc.list_briefs(engine=db, actor=DEPT)] == [mine.id]
    assert [r.id for r in svc.list_briefs(engine=db, actor=LEADER)] == [theirs.id, mine.id, province.id]
    assert svc.list_briefs(engine=db, actor=RETIRED) == []
    record, path = svc.brief_file(engine=db, actor=DEPT, brief_id=mine.id)
    assert path.is_file() and record.scope == "department:industry_it"
    for brief_id, status in ((theirs.id, 403), (province.id, 403), (9999, 404)):
        with pytest.raises(DomainError) as caught:  # Refused (403) or BriefError (404)
            svc.brief_file(engine=db, actor=DEPT, brief_id=brief_id)
        assert caught.value.status == status
    with pytest.raises(policy.Refused) as caught:
        svc.reproduce_brief(engine=db, plan=plan, settings=settings, actor=DEPT, brief_id=province.id)
    assert caught.value.status == 403


@pytest.mark.parametrize(
    ("text", "code"),
    [("department:nope", "unknown-department"), ("region:999999", "unknown-region"), ("city", "bad-scope"),
     ("region:140000", "unknown-region")],
)  # fmt: skip
def test_a_bad_scope_is_refused_in_chinese(plan: Plan, text: str, code: str) -> None:
    with pytest.raises(svc.BriefError) as caught:
        svc.BriefScope.parse(text, plan=plan)
    assert caught.value.code == code and caught.value.status == 422
    assert any("\u4e00" <= c <= "\u9fff" for c in caught.value.message_zh)


@pytest.mark.parametrize(
    ("scope", "label"),
    [
        ("province", "全省"),
        ("final", "终期评估"),
        ("department:industry_it", "省工信厅"),
        ("region:140100", "太原市"),
    ],
)
def test_scope_text_and_label(plan: Plan, scope: str, label: str) -> None:
    parsed = svc.BriefScope.parse(scope, plan=plan)
    assert (str(parsed), parsed.label_zh(plan)) == (scope, label)


@pytest.mark.parametrize(
    ("today", "quarter"),
    [(dt.date(2026, 12, 1), "2026Q3"), (dt.date(2026, 1, 5), "2025Q4"), (dt.date(2026, 4, 1), "2026Q1")],
)
def test_last_complete_quarter(today: dt.date, quarter: str) -> None:
    assert str(svc.last_complete_quarter(today=today)) == quarter
