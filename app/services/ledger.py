"""The policy ledger's use cases: quote (试算), file, approve, pay and read applications under 若干政策.

The award is computed by the pure engine (indicators/ledger/engine.py) against the enterprise's
history in the ledger: every application already filed (applied, approved or paid) counts for
首次, upgrades (差额), year limits and caps, so a second claim never pays twice. Filing and each
transition write the audit log in the same transaction. Who may do what: app/services/policy.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from app.auth import policy
from app.errors import DomainError
from app.services.accounts import User
from app.services.clock import utcnow
from app.store import accounts as account_store
from app.store import audit as audit_store
from app.store import ledger as store
from app.store import writer
from etl.lookup import Lexicon
from indicators.ledger import credit_code
from indicators.ledger.engine import CAP_LABELS, Claim, ClaimError, Prior, Quote, choose_award, quote
from indicators.ledger.rules import Incentive
from indicators.model import Plan, RegionLevel

MASK = "（已隐去）"
MIN_YEAR, MAX_YEAR = 2021, 2100  # the policy took effect in 2021


class State(StrEnum):
    APPLIED = "applied"
    APPROVED = "approved"
    PAID = "paid"


STATE_LABELS = {
    State.APPLIED: ("已申请", "Applied"),
    State.APPROVED: ("已审核", "Approved"),
    State.PAID: ("已拨付", "Paid"),
}
VERBS = {State.APPROVED: "审核", State.PAID: "拨付"}
#: the one state each transition starts from
TRANSITIONS = {State.APPROVED: State.APPLIED, State.PAID: State.APPROVED}


class LedgerError(DomainError):
    """A refused filing or transition; `key` names the basis figure at fault, when one is."""

    default_status = 422

    def __init__(
        self, code: str, message_zh: str, message_en: str, status: int = 422, key: str | None = None
    ) -> None:
        super().__init__(code, message_zh, message_en, status)
        self.key = key

    def problem_extra(self) -> dict[str, object]:
        return {"key": self.key}


@dataclass(frozen=True)
class ApplicationInput:
    """An application as a clerk or an import row gives it (basis values still as text)."""

    enterprise_code: str
    enterprise_name: str
    city: str
    item: int
    year: int
    basis: Mapping[str, Any] = field(default_factory=dict)
    award: str | None = None
    project: str | None = None


@dataclass(frozen=True)
class Prepared:
    """A checked application: its award priced, ready to insert."""

    values: dict[str, Any]
    quote: Quote


def _incentive(plan: Plan, item: int) -> Incentive:
    try:
        return plan.incentive(item)
    except KeyError:
        raise LedgerError(
            "unknown-item",
            f"若干政策没有第{item}条（1—{len(plan.incentives)}）",
            f"no policy item {item}",
            404,
            "item",
        ) from None


def _year(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise LedgerError(
            "bad-year",
            f"年度应在{MIN_YEAR}—{MAX_YEAR}之间：{year}",
            f"year must be {MIN_YEAR}–{MAX_YEAR}",
            422,
            "year",
        )
    return year


def _claim_error(exc: ClaimError) -> LedgerError:
    return LedgerError(exc.code, exc.message_zh, exc.message_en, 422, exc.key)


def priors(rows: Sequence[Mapping[str, Any]]) -> list[Prior]:
    """Ledger rows as the engine's history."""
    return [
        Prior(
            item=int(r["item"]),
            award=r["award"],
            year=int(r["year"]),
            amount=Decimal(r["amount"]),
            project=r["project"],
            level=r["level"],
            tier=Decimal(r["tier"]) if r["tier"] is not None else None,
        )
        for r in rows
    ]


def quote_award(
    *,
    engine: sa.Engine | None,
    plan: Plan,
    item: int,
    basis: Mapping[str, Any],
    year: int,
    award: str | None = None,
    enterprise: str | None = None,
    project: str | None = None,
) -> Quote:
    """试算: the award a claim would get now, against the enterprise's history when a code is given."""
    incentive = _incentive(plan, item)
    _year(year)
    history: list[Prior] = []
    if enterprise:
        code = _credit_code(enterprise)
        if engine is None:
            raise LedgerError(
                "no-database", "按企业试算需要数据库", "a quote for an enterprise needs the database"
            )
        with engine.connect() as conn:
            history = priors(store.fetch_history(conn, enterprise_codes=[code]))
    try:
        chosen = choose_award(incentive, award, set(basis))
        return quote(incentive, Claim(item, chosen.code, year, basis, project or None), history)
    except ClaimError as exc:
        raise _claim_error(exc) from None


def _credit_code(text: str) -> str:
    found = credit_code.problem(text)
    if found is not None:
        raise LedgerError(found.code, found.message_zh, found.message_en, 422, "enterprise_code")
    return credit_code.normalise(text)


def _city(plan: Plan, catalog: Lexicon, text: str) -> str:
    code = catalog.region(str(text).strip())
    if code is None or plan.region(code).level is not RegionLevel.CITY:
        raise LedgerError("unknown-city", f"未知的设区市：{text}", f"unknown city {text!r}", 422, "city")
    return code


def prepare(
    *,
    plan: Plan,
    actor: User,
    application: ApplicationInput,
    history: list[Prior],
    catalog: Lexicon,
    now: dt.datetime,
    illustrative: bool = False,
    source: str | None = None,
) -> Prepared:
    """Check one application and price it against `history` (the caller appends what it files)."""
    incentive = _incentive(plan, application.item)
    if not policy.may_file_application(actor, plan, application.item):
        lead = plan.department(policy.ledger_lead_department(plan, application.item)).short_name
        raise LedgerError(
            "forbidden",
            f"第{application.item}条由{lead}牵头，只有该部门可以登记申请",
            f"only the lead department ({lead}) files applications under item {application.item}",
            403,
            "item",
        )
    code = _credit_code(application.enterprise_code)
    name = str(application.enterprise_name or "").strip()
    if not name or len(name) > 200:
        raise LedgerError(
            "bad-enterprise-name",
            "企业名称不能为空且不超过200字",
            "enterprise name: 1–200 characters",
            422,
            "enterprise_name",
        )
    city = _city(plan, catalog, application.city)
    year = _year(application.year)
    project = (application.project or "").strip() or None
    if project and len(project) > 200:
        raise LedgerError(
            "bad-project", "项目名称不超过200字", "project name: at most 200 characters", 422, "project"
        )
    try:
        chosen = choose_award(
            incentive, application.award, {k for k, v in application.basis.items() if v not in (None, "")}
        )
        result = quote(
            incentive, Claim(application.item, chosen.code, year, application.basis, project), history
        )
    except ClaimError as exc:
        raise _claim_error(exc) from None
    basis = {k: (str(v).strip() if v is not None else None) for k, v in application.basis.items()}
    values = {
        "plan_code": plan.code,
        "enterprise_code": code,
        "enterprise_name": name,
        "city": city,
        "item": application.item,
        "award": chosen.code,
        "department": policy.ledger_lead_department(plan, application.item),
        "project": project,
        "year": year,
        "basis": {k: v for k, v in basis.items() if v not in (None, "")},
        "amount": result.amount,
        "gross": result.gross,
        "rule": result.rule_zh,
        "explanation": result.as_dict(),
        "binding_caps": "," + ",".join(result.binding_caps) + "," if result.binding_caps else "",
        "level": result.level,
        "tier": result.tier,
        "state": str(State.APPLIED),
        "illustrative": illustrative,
        "source": source,
        "applied_by": actor.username,
        "applied_at": now,
    }
    return Prepared(values=values, quote=result)


def price_applications(
    conn: sa.Connection,
    *,
    plan: Plan,
    actor: User,
    applications: Sequence[ApplicationInput],
    now: dt.datetime,
    illustrative: bool,
    source: str | None,
) -> list[Prepared]:
    """Price each application against the ledger and the ones before it in the batch."""
    catalog = Lexicon.from_plan(plan)
    codes = [credit_code.normalise(a.enterprise_code) for a in applications]
    store.lock_enterprises(conn, codes=codes)
    known = store.fetch_history(conn, enterprise_codes=codes)
    by_code: dict[str, list[Prior]] = {}
    for row, prior in zip(known, priors(known), strict=True):
        by_code.setdefault(row["enterprise_code"], []).append(prior)
    prepared: list[Prepared] = []
    for index, application in enumerate(applications):
        own = by_code.setdefault(codes[index], [])
        try:
            ready = prepare(
                plan=plan,
                actor=actor,
                application=application,
                history=own,
                catalog=catalog,
                now=now,
                illustrative=illustrative,
                source=source,
            )
        except LedgerError as exc:
            exc.index = index  # type: ignore[attr-defined]
            raise
        prepared.append(ready)
        q = ready.quote
        own.append(Prior(q.item, q.award, q.year, q.amount, ready.values["project"], q.level, q.tier))
    return prepared


def insert_priced(
    conn: sa.Connection,
    *,
    plan: Plan,
    actor: User,
    prepared: list[Prepared],
    now: dt.datetime,
    source: str | None,
) -> list[dict[str, Any]]:
    ids = store.insert_applications(conn, rows=[p.values for p in prepared])
    audit_store.insert_audit(
        conn,
        at=now,
        username=actor.username,
        action="ledger.apply",
        object_type="ledger_application",
        object_id=",".join(map(str, ids)) if len(ids) <= 20 else f"{ids[0]}…{ids[-1]}",
        after={
            "count": len(ids),
            "amount": float(sum((p.quote.amount for p in prepared), Decimal(0))),
            "source": source,
        },
    )
    by_id = {r["id"]: r for r in (store.fetch_applications(conn, ids=ids) if ids else [])}
    return [public_row(by_id[i], plan=plan, actor=actor) for i in ids]


def file_applications(
    *,
    engine: sa.Engine,
    plan: Plan,
    actor: User,
    applications: Sequence[ApplicationInput],
    illustrative: bool = False,
    source: str | None = None,
    now: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """File applications in one transaction: each priced against the ledger and the ones before it.

    Any refusal raises before anything is written (LedgerError carries the 0-based `index`).
    """
    now = now or utcnow()
    # caps and 首次 read the enterprise's history before inserting: filings run one at a time per
    # database in this process (DuckDB's threads), and per enterprise across instances (PostgreSQL)
    with writer.serialised(engine) as conn:
        prepared = price_applications(
            conn,
            plan=plan,
            actor=actor,
            applications=applications,
            now=now,
            illustrative=illustrative,
            source=source,
        )
        return insert_priced(conn, plan=plan, actor=actor, prepared=prepared, now=now, source=source)


def file_application(
    *,
    engine: sa.Engine,
    plan: Plan,
    actor: User,
    application: ApplicationInput,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """File one application (state applied) with its computed award."""
    return file_applications(engine=engine, plan=plan, actor=actor, applications=[application], now=now)[0]


def move(
    *,
    engine: sa.Engine,
    plan: Plan,
    actor: User,
    application_id: int,
    to: State,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """approve (applied → approved) or pay (approved → paid), by the item's lead department; audited."""
    now = now or utcnow()
    with engine.begin() as conn:
        row = store.fetch_application(conn, application_id=application_id)
        if row is None:
            raise LedgerError(
                "not-found", f"没有申请 {application_id}", f"no application {application_id}", 404
            )
        allowed = policy.may_approve_award if to is State.APPROVED else policy.may_pay_award
        if not allowed(actor, plan, row["item"]):
            lead = plan.department(row["department"]).short_name
            verb = VERBS[to]
            raise LedgerError(
                "forbidden",
                f"第{row['item']}条由{lead}牵头，只有该部门可以{verb}",
                f"only the lead department ({lead}) may move item {row['item']} to {to}",
                403,
            )
        expected = TRANSITIONS[to]
        if row["state"] != expected:
            zh_now, _ = STATE_LABELS[State(row["state"])]
            zh_need, _ = STATE_LABELS[expected]
            raise LedgerError(
                "wrong-state",
                f"申请 {application_id} 当前为“{zh_now}”，只有“{zh_need}”的申请才能{VERBS[to]}",
                f"application {application_id} is {row['state']}; only {expected} ones can become {to}",
                409,
            )
        if to is State.PAID and Decimal(row["amount"]) == 0:
            raise LedgerError(
                "nothing-to-pay", "核定金额为0，无需拨付", "the award is zero: nothing to pay", 409
            )
        if not store.update_state(
            conn,
            application_id=application_id,
            from_state=str(expected),
            to_state=str(to),
            by=actor.username,
            at=now,
        ):
            raise LedgerError(
                "conflict", "申请状态已被他人更改，请刷新", "the application changed meanwhile", 409
            )
        audit_store.insert_audit(
            conn,
            at=now,
            username=actor.username,
            action=f"ledger.{'approve' if to is State.APPROVED else 'pay'}",
            object_type="ledger_application",
            object_id=str(application_id),
            before={"state": row["state"]},
            after={"state": str(to), "amount": float(row["amount"])},
        )
        updated = store.fetch_application(conn, application_id=application_id)
    assert updated is not None
    return public_row(updated, plan=plan, actor=actor)


def public_row(row: Mapping[str, Any], *, plan: Plan, actor: User) -> dict[str, Any]:
    """An application as the actor may see it: names and codes masked for the bureau."""
    names = policy.may_see_enterprises(actor)
    explanation = row["explanation"]
    texts = (explanation["explanation"], explanation["explanation_en"])
    if not names and row["project"]:  # the 首次 step names the project: masked like the project itself
        texts = tuple(text.replace(row["project"], MASK) for text in texts)  # type: ignore[assignment]
    return {
        "id": int(row["id"]),
        "enterprise_code": row["enterprise_code"] if names else row["enterprise_code"][:8] + "*" * 10,
        "enterprise_name": row["enterprise_name"] if names else MASK,
        "city": row["city"],
        "city_name": plan.region(row["city"]).short_name,
        "item": int(row["item"]),
        "award": row["award"],
        "award_name": plan.incentive(int(row["item"])).award(row["award"]).name,
        "department": row["department"],
        "department_name": plan.department(row["department"]).short_name,
        "project": row["project"] if names else (MASK if row["project"] else None),
        "year": int(row["year"]),
        "basis": row["basis"],
        "amount": float(row["amount"]),
        "gross": float(row["gross"]),
        "rule": row["rule"],
        "explanation": texts[0],
        "explanation_en": texts[1],
        "caps": row["explanation"]["caps"],
        "binding_caps": [c for c in row["binding_caps"].split(",") if c],
        "state": row["state"],
        "state_label": STATE_LABELS[State(row["state"])][0],
        "illustrative": bool(row["illustrative"]),
        "applied_by": row["applied_by"],
        "applied_at": row["applied_at"],
        "approved_by": row["approved_by"],
        "approved_at": row["approved_at"],
        "paid_by": row["paid_by"],
        "paid_at": row["paid_at"],
    }


def list_applications(
    *,
    engine: sa.Engine,
    plan: Plan,
    actor: User,
    item: int | None = None,
    year: int | None = None,
    state: str | None = None,
    city: str | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """Applications the actor may read, newest first."""
    items = policy.ledger_items(actor, plan)
    if item is not None:
        if items is not None and item not in items:
            return []
        items = [item]
    with engine.connect() as conn:
        rows = store.fetch_applications(conn, items=items, year=year, state=state, city=city, limit=limit)
    return [public_row(r, plan=plan, actor=actor) for r in rows]


def get_application(*, engine: sa.Engine, plan: Plan, actor: User, application_id: int) -> dict[str, Any]:
    with engine.connect() as conn:
        row = store.fetch_application(conn, application_id=application_id)
    if row is None or not policy.may_read_ledger_item(actor, plan, row["item"]):
        raise LedgerError("not-found", f"没有申请 {application_id}", f"no application {application_id}", 404)
    return public_row(row, plan=plan, actor=actor)


def describe_items(*, plan: Plan) -> list[dict[str, Any]]:
    """The items with their awards, basis keys and readings: what a clerk needs to fill a claim."""
    return [
        {
            "item": i.item,
            "task": i.task,
            "title": plan.task(i.task).title,
            "department": policy.ledger_lead_department(plan, i.item),
            "awards": [
                {
                    "code": a.code,
                    "name": a.name,
                    "name_en": a.name_en,
                    "clause": a.clause,
                    "once": str(a.once),
                    "max_years": a.max_years,
                    "reading": a.reading,
                    "basis": [
                        {
                            "key": b.key,
                            "name": b.name,
                            "unit": b.unit,
                            "choices": list(b.choices),
                            "required": b.required,
                        }
                        for b in a.basis
                    ],
                }
                for a in i.awards
            ],
        }
        for i in plan.incentives
    ]


def find_user(*, engine: sa.Engine, username: str) -> User | None:
    """The named account (the CLI acts as a user so that the same rules apply)."""
    with engine.connect() as conn:
        row = account_store.fetch_user(conn, username=username)
    return User.from_row(row) if row else None


@dataclass(frozen=True)
class LedgerSummary:
    """What the 政策兑现 page and the briefs show, in 万元, for the items the actor may read."""

    by_item: list[dict[str, Any]]
    by_department: list[dict[str, Any]]
    by_city: list[dict[str, Any]]
    by_year: list[dict[str, Any]]
    top_enterprises: list[dict[str, Any]]
    binding: list[dict[str, Any]]  # per item: cap scope → number of applications it lowered
    totals: dict[str, float]


CAP_SCOPES = tuple(str(k) for k in CAP_LABELS)


def summary(*, engine: sa.Engine, plan: Plan, actor: User, top: int = 10) -> LedgerSummary:
    """Totals by item, department, city and year; top enterprises; the caps that bound most often."""
    items = policy.ledger_items(actor, plan)
    with engine.connect() as conn:
        groups = {by: store.fetch_totals(conn, by=by, items=items) for by in store.GROUPS}
        leaders = store.fetch_top_enterprises(conn, items=items, limit=top)
        binding = store.fetch_binding_counts(conn, scopes=CAP_SCOPES, items=items)

    def plain(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: float(v) if isinstance(v, Decimal) else v for k, v in r.items()} for r in rows]

    by_item = plain(groups["item"])
    for row in by_item:
        incentive = plan.incentive(int(row["key"]))
        row["label"] = f"第{incentive.item}条 {plan.task(incentive.task).title}"
        row["department"] = plan.department(policy.ledger_lead_department(plan, incentive.item)).short_name
    for row in (by_department := plain(groups["department"])):
        row["label"] = plan.department(row["key"]).short_name
    for row in (by_city := plain(groups["city"])):
        row["label"] = plan.region(row["key"]).short_name
    names = policy.may_see_enterprises(actor)
    top_rows = plain(leaders)
    for row in top_rows:
        row["city_name"] = plan.region(row["city"]).short_name
        if not names:
            row["enterprise_name"] = MASK
            row["enterprise_code"] = row["enterprise_code"][:8] + "*" * 10
    totals = {
        key: float(sum(r[key] for r in by_item)) for key in ("applications", "requested", "approved", "paid")
    }
    return LedgerSummary(
        by_item=by_item,
        by_department=by_department,
        by_city=by_city,
        by_year=plain(groups["year"]),
        top_enterprises=top_rows,
        binding=[{k: int(v or 0) for k, v in r.items()} for r in binding],
        totals=totals,
    )


def has_illustrative(*, engine: sa.Engine) -> bool:
    """Whether the ledger holds illustrative sample applications (the page says so)."""
    with engine.connect() as conn:
        return store.count_illustrative(conn) > 0


def linked_targets(*, engine: sa.Engine, plan: Plan) -> dict[int, list[dict[str, Any]]]:
    """Per item, the province's numeric targets its policy task serves (e.g. 第6条 → 省级智能工厂):
    name, current value, target, unit and status, from the progress service."""
    from app.services.progress import ProgressQuery, progress  # the progress engine is heavy: lazy

    frame = progress(engine=engine, plan=plan, query=ProgressQuery(region=plan.province.code))
    out: dict[int, list[dict[str, Any]]] = {}
    by_id = {t.id: t for t in plan.targets}
    for incentive in plan.incentives:
        rows = []
        for record in frame.to_dict("records"):
            target = by_id.get(str(record["target_id"]))
            if target is None or target.indicator is None:
                continue
            indicator = plan.indicator(target.indicator)
            if incentive.task in target.tasks or incentive.task in indicator.tasks:
                current = record.get("current")
                rows.append(
                    {
                        "name": indicator.name,
                        "name_en": indicator.name_en,
                        "year": target.year,
                        "target": float(record["target"]),
                        "current": None if current is None or current != current else float(current),
                        "current_period": record.get("current_period"),
                        "unit": indicator.unit,
                        "status": record.get("status"),
                    }
                )
        out[incentive.item] = rows
    return out


def brief_rows(
    *, engine: sa.Engine, plan: Plan, kind: str, code: str | None, cutoff: dt.datetime | None
) -> list[dict[str, Any]]:
    """The briefs' 政策兑现 rows, per item, as the ledger stood at the brief's time (万元):
    province and final briefs all items, a department's the items it leads, a city's its own awards."""
    items = None
    if kind == "department" and code:
        items = [i.item for i in plan.incentives if policy.ledger_lead_department(plan, i.item) == code]
    city = code if kind == "region" else None
    with engine.connect() as conn:
        rows = store.fetch_totals_as_of(conn, cutoff=cutoff, items=items, city=city)
    out = []
    for r in rows:
        incentive = plan.incentive(int(r["item"]))
        out.append(
            {
                "item": incentive.item,
                "title": plan.task(incentive.task).title,
                "lead": plan.department(policy.ledger_lead_department(plan, incentive.item)).short_name,
                "applications": int(r["applications"]),
                **{k: float(r[k]) for k in ("requested", "approved", "paid")},
            }
        )
    return out
