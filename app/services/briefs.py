"""Monitoring briefs: generate, reproduce, list and hand out, with one authorisation rule.

A brief is made at a data version (the newest observation id it read, `progress.data_version`), so
`reproduce_brief` reads exactly the same values after any revision or rollback and gives the same
content; `content_sha256` (format-independent) proves it, while the file's own sha256 is kept
for the download. The file is written to a temporary name and moved into place before its row is
inserted, so a failure never leaves a listed brief without its file.

Who may export what (`app.auth.policy.may_export_brief`): admin, bureau and leader any scope; a
department only its own `department:<code>` scope; the services below enforce it. The API, the
dashboard and the scheduler call these functions only.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from app.auth import policy
from app.auth.roles import Permission
from app.briefs import charts, excel, pdf, word
from app.briefs.compose import compose
from app.briefs.content import BriefContent, content_sha256
from app.config import Settings
from app.errors import DomainError
from app.services import brief_data
from app.services import progress as progress_service
from app.services.accounts import User
from app.services.clock import utcnow
from app.services.uploads import file_sha256
from app.store import audit as audit_store
from app.store import briefs as store
from indicators.model import Plan, RegionLevel
from indicators.periods import Period

SCOPE_KINDS = ("province", "department", "region", "final")
SCOPE_LABELS = {"province": "全省", "final": "终期评估"}


class BriefError(DomainError):
    """A brief that cannot be made or handed out; `status` is the HTTP-like code the API returns."""


class BriefFormat(StrEnum):
    DOCX = "docx"
    XLSX = "xlsx"
    PDF = "pdf"


@dataclass(frozen=True)
class BriefScope:
    kind: str  # province | department | region | final
    code: str | None  # department or region code; None for province and final

    @classmethod
    def parse(cls, text: str, *, plan: Plan) -> BriefScope:
        """`province`, `final`, `department:CODE` or `region:CODE`; anything else is a Chinese error."""
        kind, _, code = text.strip().partition(":")
        if kind in ("province", "final") and not code:
            return cls(kind, None)
        if kind == "department" and code in {d.code for d in plan.departments}:
            return cls(kind, code)
        regions = {r.code for r in plan.regions if r.level is not RegionLevel.PROVINCE}
        if kind == "region" and code in regions:
            return cls(kind, code)
        if kind in ("department", "region"):
            what = "部门" if kind == "department" else "地区"
            raise BriefError(
                f"unknown-{kind}", f"未知{what}：{code or '（空）'}", f"unknown {kind}: {code!r}", 422
            )
        raise BriefError(
            "bad-scope",
            f"简报范围应为 province、final、department:代码 或 region:代码，而不是 {text!r}",
            f"scope must be province, final, department:CODE or region:CODE, not {text!r}",
            422,
        )

    def __str__(self) -> str:
        return self.kind if self.code is None else f"{self.kind}:{self.code}"

    def label_zh(self, plan: Plan) -> str:
        if self.kind == "department" and self.code:
            return plan.department(self.code).short_name
        if self.kind == "region" and self.code:
            return plan.region(self.code).name
        return SCOPE_LABELS[self.kind]


@dataclass(frozen=True)
class BriefRecord:
    id: int
    scope: str
    period: str
    format: str
    path: str
    sha256: str
    data_version: int | None
    published_on: dt.date | None
    created_by: str
    created_at: dt.datetime
    title: str
    reproduces: int | None
    content_sha256: str | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> BriefRecord:
        scope = row["scope_type"] if not row["scope_code"] else f"{row['scope_type']}:{row['scope_code']}"
        return cls(
            id=int(row["id"]),
            scope=scope,
            period=str(row["period"]),
            format=str(row["format"]),
            path=str(row["path"]),
            sha256=str(row["sha256"]),
            data_version=row["data_version"],
            published_on=row["published_on"],
            created_by=str(row["created_by"]),
            created_at=row["created_at"],
            title=str(row["title"] or ""),
            reproduces=row["reproduces"],
            content_sha256=row.get("content_sha256"),
        )

    def as_json(self) -> dict[str, Any]:
        """JSON-safe fields (what `dem brief --json` prints and the API returns)."""
        return {
            "id": self.id,
            "scope": self.scope,
            "period": self.period,
            "format": self.format,
            "path": self.path,
            "sha256": self.sha256,
            "data_version": self.data_version,
            "published_on": self.published_on.isoformat() if self.published_on else None,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "title": self.title,
            "reproduces": self.reproduces,
            "content_sha256": self.content_sha256,
        }


def last_complete_quarter(*, today: dt.date) -> Period:
    """The quarter before today's quarter (in December 2026: 2026Q3)."""
    return Period.containing(today).previous()


def generate_brief(
    *,
    engine: sa.Engine,
    plan: Plan,
    settings: Settings,
    actor: User,
    scope: BriefScope,
    period: Period | None,
    fmt: BriefFormat,
    published_on: dt.date | None = None,
    output: Path | None = None,
    now: dt.datetime | None = None,
) -> BriefRecord:
    """Write the brief for a scope and period (None: the latest complete quarter with data) and record it."""
    _authorise(actor, scope)
    now = now or utcnow()
    version = progress_service.data_version(engine=engine, published_on=published_on)
    chosen = period or _default_period(engine, version, today=_beijing(now).date())
    return _make(
        engine=engine,
        plan=plan,
        settings=settings,
        actor=actor,
        scope=scope,
        period=chosen,
        fmt=fmt,
        version=version,
        published_on=published_on,
        issued=_beijing(now).date(),
        notes_before=now,
        output=output,
        now=now,
        reproduces=None,
    )


def reproduce_brief(
    *,
    engine: sa.Engine,
    plan: Plan,
    settings: Settings,
    actor: User,
    brief_id: int,
    output: Path | None = None,
    now: dt.datetime | None = None,
) -> BriefRecord:
    """Make brief `brief_id` again from its data version: the same numbers and sentences, a new record."""
    original = _fetch(engine, brief_id)
    scope = BriefScope.parse(original.scope, plan=plan)
    _authorise(actor, scope)
    return _make(
        engine=engine,
        plan=plan,
        settings=settings,
        actor=actor,
        scope=scope,
        period=Period.parse(original.period),
        fmt=BriefFormat(original.format),
        version=original.data_version,
        published_on=original.published_on,
        issued=_beijing(original.created_at).date(),
        notes_before=original.created_at,
        output=output,
        now=now or utcnow(),
        reproduces=original.id,
    )


def list_briefs(*, engine: sa.Engine, actor: User, limit: int = 100) -> list[BriefRecord]:
    """Briefs newest first, only those the actor may export (a department: its own scope)."""
    if not actor.can(Permission.EXPORT_BRIEFS):
        return []
    own = policy.confined_to(actor)
    with engine.connect() as conn:
        rows = store.fetch_briefs(
            conn,
            scope_type="department" if own is not None else None,
            scope_code=own,
            limit=limit,
        )
    return [BriefRecord.from_row(r) for r in rows]


def brief_file(*, engine: sa.Engine, actor: User, brief_id: int) -> tuple[BriefRecord, Path]:
    """An authorised download: the record and its file (404 if either is gone, 403 if not allowed)."""
    record = _fetch(engine, brief_id)
    kind, _, code = record.scope.partition(":")
    policy.require_export_brief(actor=actor, scope=BriefScope(kind, code or None))
    path = Path(record.path)
    if not path.is_file():
        raise BriefError("brief-file-missing", f"简报文件已不存在：{path.name}", "brief file is gone", 404)
    return record, path


def build_content(
    *,
    engine: sa.Engine,
    plan: Plan,
    scope: BriefScope,
    period: Period,
    data_version: int | None,
    published_on: dt.date | None = None,
    issued: dt.date,
    notes_before: dt.datetime | None = None,
    before_brief: int | None = None,
) -> BriefContent:
    """The format-independent content of a brief (what tests and the renderers read)."""
    data = brief_data.gather(
        engine=engine,
        plan=plan,
        kind=scope.kind,
        code=scope.code,
        label=scope.label_zh(plan),
        period=period,
        issued=issued,
        data_version=data_version,
        published_on=published_on,
        notes_before=notes_before,
        before_brief=before_brief,
    )
    return compose(data)


def render(content: BriefContent, *, fmt: BriefFormat, path: Path) -> None:
    """Write the content in one format (PDF goes through the docx and LibreOffice)."""
    if fmt is BriefFormat.XLSX:
        excel.write_xlsx(content, path)
    elif fmt is BriefFormat.DOCX:
        word.write_docx(content, path, render_chart=charts.render_chart)
    else:
        with tempfile.TemporaryDirectory(prefix="dem-brief-") as folder:
            source = Path(folder) / "brief.docx"
            word.write_docx(content, source, render_chart=charts.render_chart)
            pdf.convert_to_pdf(source, path)


def _make(
    *,
    engine: sa.Engine,
    plan: Plan,
    settings: Settings,
    actor: User,
    scope: BriefScope,
    period: Period,
    fmt: BriefFormat,
    version: int | None,
    published_on: dt.date | None,
    issued: dt.date,
    notes_before: dt.datetime | None,
    output: Path | None,
    now: dt.datetime,
    reproduces: int | None,
) -> BriefRecord:
    content = build_content(
        engine=engine,
        plan=plan,
        scope=scope,
        period=period,
        data_version=version,
        published_on=published_on,
        issued=issued,
        notes_before=notes_before,
        before_brief=reproduces,
    )
    digest = content_sha256(content)
    target = output or settings.brief_dir / _file_name(scope, period, fmt, now, digest)
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.part")
    try:
        render(content, fmt=fmt, path=temporary)
        os.replace(temporary, target)
    except pdf.PdfError as exc:
        raise BriefError("libreoffice-failed", exc.message_zh, exc.message_en, 503) from exc
    finally:
        temporary.unlink(missing_ok=True)
    values = {
        "scope_type": scope.kind,
        "scope_code": scope.code or "",
        "period": str(period),
        "format": str(fmt),
        "path": str(target),
        "sha256": file_sha256(target),
        "published_on": published_on,
        "created_by": actor.username,
        "created_at": now,
        "data_version": version,
        "title": content.title + content.subtitle,
        "content_sha256": digest,
        "reproduces": reproduces,
    }
    try:
        with engine.begin() as conn:
            brief_id = store.insert_brief(conn, values=values)
            audit_store.insert_audit(
                conn,
                at=now,
                username=actor.username,
                action="brief.reproduce" if reproduces else "brief.generate",
                object_type="brief",
                object_id=str(brief_id),
                after={k: str(v) for k, v in values.items() if v is not None},
            )
    except Exception:
        if output is None:
            target.unlink(missing_ok=True)
        raise
    return BriefRecord.from_row(values | {"id": brief_id})


def _default_period(engine: sa.Engine, version: int | None, *, today: dt.date) -> Period:
    """The last complete quarter, or the quarter of the latest data if that is earlier."""
    quarter = last_complete_quarter(today=today)
    latest = progress_service.latest_period(engine=engine, data_version=version)
    if latest is None:
        return quarter
    newest = Period.parse(latest).to_quarter()
    return newest if newest.ordinal < quarter.ordinal else quarter


def _authorise(actor: User, scope: BriefScope) -> None:
    policy.require_export_brief(actor=actor, scope=scope)


def _fetch(engine: sa.Engine, brief_id: int) -> BriefRecord:
    with engine.connect() as conn:
        row = store.fetch_brief(conn, brief_id=brief_id)
    if row is None:
        raise BriefError("brief-not-found", f"简报不存在：{brief_id}", f"no brief {brief_id}", 404)
    return BriefRecord.from_row(row)


def _file_name(scope: BriefScope, period: Period, fmt: BriefFormat, now: dt.datetime, digest: str) -> str:
    code = f"-{scope.code}" if scope.code else ""
    return f"brief-{scope.kind}{code}-{period}-{now:%Y%m%dT%H%M%S}-{digest[:8]}.{fmt}"


def _beijing(moment: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) time as a Beijing time: the brief's date is the reader's date."""
    return moment.replace(tzinfo=dt.UTC).astimezone(progress_service.REPORTING_TZ)
