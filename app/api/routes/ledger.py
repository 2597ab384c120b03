"""The policy ledger (政策兑现): award rules, 试算 quotes, applications and their approval and payment.

Every route needs the read permission; the service decides the rest by role and department
(app/services/policy.py): departments file, approve and pay their own items.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, File, Path, Query, UploadFile
from pydantic import BaseModel, Field

from app.api.deps import ContextDep, Reader
from app.api.errors import ApiError
from app.api.models import UtcDateTime
from app.services import ledger as ledger_service
from app.services import ledger_imports
from app.services.clock import beijing_today
from app.services.ledger import ApplicationInput, State
from etl.readers import ACCEPTED_SUFFIXES, unsupported_suffix

router = APIRouter(prefix="/ledger", tags=["ledger"])
ApplicationId = Annotated[int, Path(ge=1, le=2**62)]

Basis = dict[Annotated[str, Field(max_length=64)], str | float | int | None]


class QuoteIn(BaseModel):
    item: int = Field(ge=-(2**31), le=2**31 - 1)
    award: str | None = Field(default=None, max_length=64)
    basis: Basis = Field(default_factory=dict, max_length=20)
    year: int | None = Field(default=None, ge=-(2**31), le=2**31 - 1)
    enterprise: str | None = Field(default=None, max_length=64)
    project: str | None = Field(default=None, max_length=200)


class StepOut(BaseModel):
    kind: str
    code: str
    amount: float
    limit: float | None
    bound: bool
    text: str
    text_en: str


class QuoteOut(BaseModel):
    item: int
    award: str
    award_name: str
    year: int
    amount: float
    gross: float
    unit: str
    rule: str
    rule_en: str
    level: str | None
    tier: float | None
    binding_caps: list[str]
    history_limits: list[str]
    caps: list[StepOut]
    steps: list[StepOut]
    explanation: str
    explanation_en: str


class ApplicationIn(BaseModel):
    enterprise_code: str = Field(max_length=64)
    enterprise_name: str = Field(max_length=200)
    city: str = Field(max_length=64)
    item: int = Field(ge=-(2**31), le=2**31 - 1)
    year: int = Field(ge=-(2**31), le=2**31 - 1)
    basis: Basis = Field(default_factory=dict, max_length=20)
    award: str | None = Field(default=None, max_length=64)
    project: str | None = Field(default=None, max_length=200)


class ApplicationOut(BaseModel):
    id: int
    enterprise_code: str
    enterprise_name: str
    city: str
    city_name: str
    item: int
    award: str
    award_name: str
    department: str
    department_name: str
    project: str | None
    year: int
    basis: dict[str, Any]
    amount: float
    gross: float
    rule: str
    explanation: str
    explanation_en: str
    caps: list[StepOut]
    binding_caps: list[str]
    state: str
    state_label: str
    illustrative: bool
    applied_by: str
    applied_at: UtcDateTime
    approved_by: str | None
    approved_at: UtcDateTime | None
    paid_by: str | None
    paid_at: UtcDateTime | None


class SummaryOut(BaseModel):
    totals: dict[str, float]
    by_item: list[dict[str, Any]]
    by_department: list[dict[str, Any]]
    by_city: list[dict[str, Any]]
    by_year: list[dict[str, Any]]
    top_enterprises: list[dict[str, Any]]
    binding: list[dict[str, Any]]


@router.get("/items")
def list_items(user: Reader, context: ContextDep) -> list[dict[str, Any]]:
    """The 22 policy items with their awards and the basis keys each needs."""
    return ledger_service.describe_items(plan=context.plan)


@router.post("/quote", response_model=QuoteOut)
def quote(body: QuoteIn, user: Reader, context: ContextDep) -> QuoteOut:
    """试算: the award a claim would get now, with the rule that fired and each cap, in 万元."""
    result = ledger_service.quote_award(
        engine=context.engine,
        plan=context.plan,
        item=body.item,
        award=body.award,
        basis=body.basis,
        year=body.year if body.year is not None else beijing_today().year,
        enterprise=body.enterprise,
        project=body.project,
    )
    return QuoteOut(**result.as_dict())


@router.get("/applications", response_model=list[ApplicationOut])
def list_applications(
    user: Reader,
    context: ContextDep,
    item: Annotated[int | None, Query(ge=1, le=99)] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    state: State | None = None,
    city: Annotated[str | None, Query(max_length=16)] = None,
) -> list[ApplicationOut]:
    """Applications the caller may read (departments: their own items), newest first."""
    rows = ledger_service.list_applications(
        engine=context.engine,
        plan=context.plan,
        actor=user,
        item=item,
        year=year,
        state=str(state) if state else None,
        city=city,
    )
    return [ApplicationOut(**r) for r in rows]


@router.post("/applications", response_model=ApplicationOut, status_code=201)
def file_application(body: ApplicationIn, user: Reader, context: ContextDep) -> ApplicationOut:
    """File an application (the item's lead department): the award is computed and kept with it."""
    row = ledger_service.file_application(
        engine=context.engine,
        plan=context.plan,
        actor=user,
        application=ApplicationInput(**body.model_dump()),
    )
    return ApplicationOut(**row)


@router.get("/applications/{application_id}", response_model=ApplicationOut)
def get_application(application_id: ApplicationId, user: Reader, context: ContextDep) -> ApplicationOut:
    """One application with its award explanation."""
    return ApplicationOut(
        **ledger_service.get_application(
            engine=context.engine, plan=context.plan, actor=user, application_id=application_id
        )
    )


@router.post("/applications/{application_id}/approve", response_model=ApplicationOut)
def approve(application_id: ApplicationId, user: Reader, context: ContextDep) -> ApplicationOut:
    """applied → approved, by the item's lead department."""
    return _move(application_id, user, context, State.APPROVED)


@router.post("/applications/{application_id}/pay", response_model=ApplicationOut)
def pay(application_id: ApplicationId, user: Reader, context: ContextDep) -> ApplicationOut:
    """approved → paid, by the item's lead department."""
    return _move(application_id, user, context, State.PAID)


def _move(application_id: int, user: Any, context: Any, to: State) -> ApplicationOut:
    row = ledger_service.move(
        engine=context.engine, plan=context.plan, actor=user, application_id=application_id, to=to
    )
    return ApplicationOut(**row)


@router.get("/summary", response_model=SummaryOut)
def summary(user: Reader, context: ContextDep) -> SummaryOut:
    """What the policies cost: approved and paid by item, department, city and year; top enterprises."""
    result = ledger_service.summary(engine=context.engine, plan=context.plan, actor=user)
    return SummaryOut(**{k: getattr(result, k) for k in SummaryOut.model_fields})


MAX_IMPORT_BYTES = 20 * 1024 * 1024


class ImportOut(BaseModel):
    valid: bool
    dry_run: bool
    errors: list[dict[str, Any]]
    quotes: list[dict[str, Any]]
    filed: list[int]


@router.post("/import", response_model=ImportOut)
def import_applications(
    file: Annotated[UploadFile, File()], user: Reader, context: ContextDep, dry_run: bool = False
) -> ImportOut:
    """Import applications from XLSX/CSV: every row checked (errors in Chinese); any error files nothing."""
    name = FilePath(file.filename or "import").name
    if FilePath(name).suffix.lower() not in ACCEPTED_SUFFIXES:
        refusal = unsupported_suffix(FilePath(name).suffix.lower())
        raise ApiError(415, str(refusal.code), refusal.message_zh, refusal.message_en)
    with tempfile.TemporaryDirectory() as folder:
        path = FilePath(folder) / name
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out)
        if path.stat().st_size > MAX_IMPORT_BYTES:
            raise ApiError(413, "file-too-large", "文件过大（上限20MB）", "file too large (20 MB at most)")
        result = ledger_imports.import_applications(
            engine=context.engine, plan=context.plan, actor=user, path=path, dry_run=dry_run
        )
    return ImportOut(
        valid=result.valid,
        dry_run=result.dry_run,
        errors=result.report["errors"],
        quotes=result.quotes,
        filed=[r["id"] for r in result.applications],
    )
