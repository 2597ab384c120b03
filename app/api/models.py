"""Response and request models: the API's contract, shown in the OpenAPI document."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field

from etl.report import RowIssue


def _as_utc(value: UtcDateTime) -> dt.datetime:
    """Stored timestamps are naive UTC; the API says so (RFC 3339 needs an offset)."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


UtcDateTime = Annotated[dt.datetime, AfterValidator(_as_utc)]


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    code: str
    detail: str
    detail_en: str


class UserOut(BaseModel):
    username: str
    display_name: str
    role: str
    department: str | None


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class LoginOut(BaseModel):
    user: UserOut
    csrf_token: str
    expires_at: UtcDateTime


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=128)


class TokenCreated(BaseModel):
    id: int
    name: str
    token: str = Field(description="Shown once; only its hash is stored")
    expires_at: UtcDateTime


class TokenOut(BaseModel):
    id: int
    name: str
    created_at: UtcDateTime
    last_used_at: UtcDateTime | None
    expires_at: UtcDateTime | None
    revoked_at: UtcDateTime | None


class Region(BaseModel):
    code: str
    name: str
    short_name: str
    name_en: str
    level: str
    parent: str | None


class Department(BaseModel):
    code: str
    name: str
    short_name: str
    name_en: str
    kind: str


class Domain(BaseModel):
    code: str
    name: str
    title: str
    name_en: str


class Task(BaseModel):
    code: str
    domain: str
    kind: str
    clause: str
    title: str
    title_en: str
    text: str
    lead: str | None
    support: list[str]
    departments_source: str


class Indicator(BaseModel):
    code: str
    name: str
    name_en: str
    unit: str
    frequency: str
    measure: str
    aggregation: str
    polarity: str
    domain: str
    department: str
    levels: list[str]
    aliases: list[str]
    tasks: list[str]
    definition: str
    source: str


class Target(BaseModel):
    id: str
    indicator: str | None
    milestone: str | None
    region: str
    year: int
    value: float | None
    comparator: str | None
    trajectory: str
    clause: str
    text: str
    name: str


class Observation(BaseModel):
    indicator: str
    region: str
    period: str
    value: float
    upload_id: int
    published_at: UtcDateTime
    file_name: str | None = None
    uploaded_by: str | None = None


class Revision(BaseModel):
    value: float | None
    action: str
    published_at: UtcDateTime
    upload_id: int
    rollback_of: int | None
    file_name: str | None
    uploaded_by: str | None
    published_by: str | None
    reason: str | None = None  # the reason of the publication that wrote a revised value


class ProgressRow(BaseModel):
    model_config = {"extra": "allow"}

    target_id: str
    indicator: str
    region: str
    year: int
    comparator: str
    target: float
    baseline: float | None = None
    baseline_period: str | None = None
    current: float | None = None
    current_period: str | None = None
    expected: float | None = None
    completion: float | None = None
    expected_completion: float | None = None
    schedule_gap_pp: float | None = None
    gap_closed: float | None = None
    progress_ratio: float | None = None
    status: str
    trend: str | None = None
    projected: float | None = None
    projected_year: int | None = None
    explanation: str | None = None
    flags: list[str] = []


class IndexRow(BaseModel):
    region: str
    period: str
    dimension: str
    value: float | None
    coverage: float | None


#: One problem of an upload, exactly as etl reports it (sheet, Excel row, column, stable code, both
#: messages): the API's schema is the validation report's own type, not a copy that could drift.
Issue = RowIssue


class DiffOut(BaseModel):
    new: int
    revised: int
    unchanged: int
    revisions: list[dict[str, Any]]


class StageOut(BaseModel):
    status: str
    upload_id: int | None
    file_name: str
    sha256: str
    rows: int
    duplicate_of: int | None
    errors: list[Issue]
    warnings: list[Issue]
    diff: DiffOut


class UploadOut(BaseModel):
    id: int
    file_name: str
    sha256: str
    size_bytes: int
    uploaded_by: str
    uploaded_at: UtcDateTime
    status: str
    rows: int
    n_errors: int
    n_warnings: int
    reason: str | None
    published_at: UtcDateTime | None
    published_by: str | None
    rolled_back_at: UtcDateTime | None
    rolled_back_by: str | None


class UploadDetail(UploadOut):
    report: dict[str, Any] | None


class PublishIn(BaseModel):
    confirm_warnings: bool = False
    reason: str | None = Field(None, max_length=2000)
    #: The `data_version` of a `changed-since-staging` answer: the publisher has seen that new diff.
    seen_version: int | None = Field(None, ge=0, le=2**63 - 1)


class PublishOut(BaseModel):
    upload_id: int
    published_values: int


class RollbackOut(BaseModel):
    upload_id: int
    restored_values: int


class CompletenessRow(BaseModel):
    indicator: str
    region: str
    period: str
    department: str
    status: str
    value: float | None
    published_at: UtcDateTime | None


class CompletenessOut(BaseModel):
    period: str
    expected: int
    received: int
    missing: int
    departments_not_reported: list[str]
    values: list[CompletenessRow]


class NoteIn(BaseModel):
    department: str
    task: str
    period: str = Field(pattern=r"^\d{4}(Q[1-4])?$")
    status: str = Field(pattern=r"^(not_started|in_progress|completed|delayed)$")
    narrative: str = Field(max_length=20000)


class NoteOut(BaseModel):
    id: int
    department: str
    task: str
    period: str
    status: str
    narrative: str
    author: str
    created_at: UtcDateTime
    updated_at: UtcDateTime


class AuditOut(BaseModel):
    id: int
    occurred_at: UtcDateTime
    username: str
    address: str | None
    action: str
    object_type: str
    object_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class BriefIn(BaseModel):
    scope: str = Field(
        max_length=80, description="province, department:CODE, region:CODE or final", examples=["province"]
    )
    period: str | None = Field(
        None,
        pattern=r"^\d{4}(Q[1-4])?$",
        description="e.g. 2025Q3; omitted: the latest complete quarter with data",
    )
    format: str = Field("docx", pattern=r"^(docx|xlsx|pdf)$")
    published_on: dt.date | None = Field(None, description="the data as published on this day (Beijing)")


class BriefOut(BaseModel):
    id: int
    title: str
    scope: str
    scope_label: str = Field(description="全省, 省工信厅, 太原市, 终期评估 …")
    period: str
    format: str
    sha256: str
    data_version: int | None = Field(description="the last publication (upload id) the brief includes")
    published_on: dt.date | None
    created_by: str
    created_at: UtcDateTime
    reproduces: int | None
    download: str = Field(description="where to fetch the file")


class Health(BaseModel):
    status: str
    database: bool
    migrations_current: bool
    scheduler_running: bool
