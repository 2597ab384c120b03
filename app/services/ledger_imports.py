"""Bulk import of policy-ledger applications from XLSX/CSV (template: etl/ledger_template.py).

The file goes through etl (readers, row checks with Chinese messages); then every row is priced
against the ledger in one transaction. Any error, including a row the account may not file, files
nothing; a dry run prices the rows and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from app.auth import policy
from app.services import ledger
from app.services.accounts import User
from app.services.clock import utcnow
from etl.ledger_import import read_applications
from etl.messages import where_en, where_zh
from etl.report import ErrorCode, RowIssue, ValidationReport
from indicators.model import Plan


@dataclass(frozen=True)
class ImportResult:
    """An import's report (errors block everything) and what was filed, or would be on a dry run."""

    report: dict[str, Any]
    dry_run: bool
    applications: list[dict[str, Any]] = field(default_factory=list)
    quotes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return bool(self.report["valid"])


def import_applications(
    *,
    engine: sa.Engine,
    plan: Plan,
    actor: User,
    path: Path,
    data: bytes | None = None,
    dry_run: bool = False,
    illustrative: bool = False,
    now: dt.datetime | None = None,
) -> ImportResult:
    """Import applications from an XLSX/CSV: every row checked first; any error files nothing."""
    now = now or utcnow()
    parsed = read_applications(path, data if data is not None else path.read_bytes(), plan=plan)
    if not parsed.report.valid:
        return ImportResult(report=parsed.report.to_dict(), dry_run=dry_run)
    refused = [
        RowIssue(
            sheet=r.sheet,
            row=r.row,
            column="政策条款",
            code=ErrorCode.ITEM_NOT_PERMITTED,
            severity=ErrorCode.ITEM_NOT_PERMITTED.severity,
            message_zh=f"{where_zh(r.sheet, r.row, '政策条款')}第{r.item}条由"
            f"{_lead_name(plan, r.item)}牵头，当前账户不能登记",
            message_en=f"{where_en(r.sheet, r.row, '政策条款')}item {r.item} is not yours to file",
            value=str(r.item),
        )
        for r in parsed.rows
        if not policy.may_file_application(actor, plan, r.item)
    ]
    if refused:
        report = ValidationReport.build(refused, parsed.report.stats)
        return ImportResult(report=report.to_dict(), dry_run=dry_run)
    applications = [
        ledger.ApplicationInput(
            r.enterprise_code, r.enterprise_name, r.city, r.item, r.year, r.basis, r.award, r.project
        )
        for r in parsed.rows
    ]
    with engine.begin() as conn:
        try:
            prepared = ledger.price_applications(
                conn,
                plan=plan,
                actor=actor,
                applications=applications,
                now=now,
                illustrative=illustrative,
                source=path.name,
            )
        except ledger.LedgerError as exc:
            row = parsed.rows[getattr(exc, "index", 0)]
            issue = RowIssue(
                sheet=row.sheet,
                row=row.row,
                column=exc.key,
                code=ErrorCode.INVALID_BASIS,
                severity=ErrorCode.INVALID_BASIS.severity,
                message_zh=where_zh(row.sheet, row.row, exc.key) + exc.message_zh,
                message_en=where_en(row.sheet, row.row, exc.key) + exc.message_en,
            )
            return ImportResult(
                report=ValidationReport.build([issue], parsed.report.stats).to_dict(), dry_run=dry_run
            )
        quotes = [
            {
                "row": r.row,
                "item": p.quote.item,
                "award": p.quote.award,
                "amount": float(p.quote.amount),
                "rule": p.quote.rule_zh,
                "explanation": p.quote.explanation_zh,
            }
            for r, p in zip(parsed.rows, prepared, strict=True)
        ]
        if dry_run:
            return ImportResult(report=parsed.report.to_dict(), dry_run=True, quotes=quotes)
        filed = ledger.insert_priced(
            conn, plan=plan, actor=actor, prepared=prepared, now=now, source=path.name
        )
    return ImportResult(report=parsed.report.to_dict(), dry_run=False, applications=filed, quotes=quotes)


def _lead_name(plan: Plan, item: int) -> str:
    return plan.department(policy.ledger_lead_department(plan, item)).short_name
