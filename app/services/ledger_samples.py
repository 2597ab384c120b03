"""The illustrative policy-ledger sample (data/sample/ledger/): imported, then moved on as departments would.

The rows are fictional and flagged `illustrative` (the 政策兑现 page says so). The sample actor files
them as an administrator may; each lead department's approval and payment is recorded under the
same `sample` name, with the department's role, so the ordinary rules of app/auth/policy.py still apply.
Awards of 2024 and earlier end paid, 2025 approved, 2026 applied; zero awards are never paid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from app.auth.roles import Role
from app.services import ledger, ledger_imports
from app.services.accounts import User
from app.services.clock import utcnow
from indicators.model import Plan

SAMPLE_FILE = Path("ledger") / "示例_政策兑现申请.csv"
SAMPLE_USER = "sample"
PAID_UNTIL = 2024
APPROVED_UNTIL = 2025


@dataclass(frozen=True)
class LedgerSampleOutcome:
    filed: int
    approved: int
    paid: int
    skipped: bool = False


def load_ledger_sample(
    *, engine: sa.Engine, plan: Plan, sample_dir: Path, now: dt.datetime | None = None
) -> LedgerSampleOutcome:
    """Import the illustrative applications once (a second run finds them and skips)."""
    path = sample_dir / SAMPLE_FILE
    if not path.is_file() or ledger.has_illustrative(engine=engine):
        return LedgerSampleOutcome(0, 0, 0, skipped=True)
    now = now or utcnow()
    filer = User(0, SAMPLE_USER, "示例数据", Role.ADMIN, None)
    result = ledger_imports.import_applications(
        engine=engine, plan=plan, actor=filer, path=path, illustrative=True, now=now
    )
    if not result.valid:
        messages = "；".join(e["message_zh"] for e in result.report["errors"])
        raise ledger.LedgerError(
            "sample-invalid", f"示例申请未通过校验：{messages}", "the ledger sample is invalid"
        )
    approved = paid = 0
    for row in result.applications:
        if row["year"] > APPROVED_UNTIL:
            continue
        department = User(0, SAMPLE_USER, "示例数据", Role.DEPARTMENT, row["department"])
        ledger.move(
            engine=engine,
            plan=plan,
            actor=department,
            application_id=row["id"],
            to=ledger.State.APPROVED,
            now=now,
        )
        approved += 1
        if row["year"] <= PAID_UNTIL and row["amount"] > 0:
            ledger.move(
                engine=engine,
                plan=plan,
                actor=department,
                application_id=row["id"],
                to=ledger.State.PAID,
                now=now,
            )
            paid += 1
    return LedgerSampleOutcome(len(result.applications), approved, paid)
