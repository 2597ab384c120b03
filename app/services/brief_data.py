"""Gather what a brief says from the services that own the numbers, at one data version.

Every number comes from the progress service (progress, city breakdown), the dashboard's region
view (itself built on the same values), or the completeness view; every read is pinned to the
brief's `data_version`, so gathering again later, after revisions, gives the same data.
Progress notes are not versioned: they are read as they stood at `notes_before` (the brief's time).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import sqlalchemy as sa

from app.briefs.data import BriefData, CityRanking, DeadlineVerdict, Record
from app.services import completeness as completeness_service
from app.services import ledger as ledger_service
from app.services import progress as progress_service
from app.services import series as series_service
from app.services.notes import NOTE_STATUS_LABELS
from app.store import briefs as brief_store
from app.store import notes as notes_store
from app.store import observations as obs_store
from app.store import uploads as upload_store
from indicators.model import Aggregation, Comparator, Plan, RegionLevel
from indicators.periods import Period

MAX_RANKINGS = 3  # city breakdowns in a province brief; a city brief ranks every key indicator
MAX_REVISIONS = 200


def gather(
    *,
    engine: sa.Engine,
    plan: Plan,
    kind: str,
    code: str | None,
    label: str,
    period: Period,
    issued: dt.date,
    data_version: int | None,
    published_on: dt.date | None,
    notes_before: dt.datetime | None,
    before_brief: int | None = None,
) -> BriefData:
    """Everything the scope's brief needs, read at `data_version`."""
    as_of = str(period)
    department = code if kind == "department" else None
    query = progress_service.ProgressQuery(as_of=as_of, department=department, data_version=data_version)
    progress = _with_clauses(
        plan, progress_service.records(progress_service.progress(engine=engine, plan=plan, query=query))
    )
    if kind == "region":
        progress = []
    key_indicators = list(dict.fromkeys(str(r["indicator"]) for r in progress))
    if kind in ("region",):
        key_indicators = list(dict.fromkeys(t.indicator for t in plan.numeric_targets if t.indicator))
    series = _series(engine, plan, key_indicators, period, data_version)
    data: dict[str, Any] = dict(
        plan=plan,
        scope_kind=kind,
        scope_code=code,
        scope_label=label,
        period=period,
        issued=issued,
        data_version=data_version,
        published_on=published_on,
        progress=tuple(progress),
        series=series,
    )
    scoped = _scope_indicators(plan, kind, code)
    extra: dict[str, Any] = {}
    if kind in ("province", "region"):
        extra["rankings"] = _rankings(
            engine, plan, key_indicators, as_of, data_version, all_=kind == "region"
        )
    if kind == "region" and code:
        rows = series_service.region_indicators(
            engine=engine, plan=plan, region=code, as_of=as_of, data_version=data_version
        )
        extra["region_rows"] = tuple(progress_service.records(rows))
    if kind == "department" and code:
        rows = series_service.region_indicators(
            engine=engine, plan=plan, region=plan.province.code, as_of=as_of, data_version=data_version
        )
        reported = {i.code for i in plan.indicators if i.department == code}
        extra["region_rows"] = tuple(r for r in progress_service.records(rows) if r["indicator"] in reported)
    with engine.connect() as conn:
        notes = notes_store.fetch_notes(conn)
        if kind in ("province", "department"):
            extra["tasks"] = tuple(_tasks(plan, notes, kind, code, period, notes_before))
        if kind == "final":
            extra["milestones"] = tuple(_milestones(plan, notes, period, notes_before))
        extra |= _sources(conn, scoped, period, data_version, kind, code)
        previous = brief_store.fetch_previous_version(
            conn, scope_type=kind, scope_code=code or "", before_id=before_brief
        )
        extra["previous_version"] = previous
        if previous is not None and data_version is not None and data_version > previous:
            extra["revisions"] = tuple(
                obs_store.fetch_revisions(
                    conn, after_version=previous, up_to_version=data_version, limit=MAX_REVISIONS
                )
            )
    if kind == "final":
        extra["verdicts"] = tuple(_verdicts(engine, plan, period, data_version, progress, series))
    extra["missing"] = tuple(_missing(engine, plan, period, data_version, scoped, kind, code))
    extra["ledger"] = tuple(
        ledger_service.brief_rows(engine=engine, plan=plan, kind=kind, code=code, cutoff=notes_before)
    )
    return BriefData(**data, **extra)  # type: ignore[arg-type]


def _with_clauses(plan: Plan, records: list[Record]) -> list[Record]:
    return [r | {"clause": plan.target(str(r["target_id"])).clause} for r in records]


def _scope_indicators(plan: Plan, kind: str, code: str | None) -> list[str]:
    if kind == "department" and code:
        own = {i.code for i in plan.department_indicators(code)}
        own |= {i.code for i in plan.indicators if i.department == code}
        return [i.code for i in plan.indicators if i.code in own]
    return [i.code for i in plan.indicators]


def _series(
    engine: sa.Engine, plan: Plan, indicators: list[str], period: Period, data_version: int | None
) -> dict[str, tuple[tuple[str, float], ...]]:
    """The province's values of each indicator at its own frequency, up to the brief's period."""
    if not indicators:
        return {}
    series = series_service.native_frequency(
        series_service.indicator_series(
            engine=engine, plan=plan, indicators=indicators, data_version=data_version
        ),
        plan,
    )
    own = series[(series["region"] == plan.province.code) & (series["ordinal"] <= period.ordinal)]
    return {
        code: tuple(zip(group["period"].astype(str), group["value"].astype(float), strict=True))
        for code, group in own.groupby("indicator", sort=False)
    }


def _rankings(
    engine: sa.Engine, plan: Plan, indicators: list[str], as_of: str, data_version: int | None, *, all_: bool
) -> tuple[CityRanking, ...]:
    out = []
    for code in indicators:
        indicator = plan.indicator(code)
        if RegionLevel.CITY not in indicator.levels or indicator.aggregation is not Aggregation.SUM:
            continue
        try:
            frame = progress_service.city_breakdown(
                engine=engine, plan=plan, indicator=code, as_of=as_of, data_version=data_version
            )
        except ValueError:  # the breakdown has no period to label when no city reported at all
            continue
        rows = progress_service.records(frame)
        if not any(r.get("value") is not None for r in rows):
            continue
        out.append(CityRanking(code, indicator.name, indicator.unit, tuple(rows)))
        if not all_ and len(out) >= MAX_RANKINGS:
            break
    return tuple(out)


def _latest_notes(
    notes: list[dict[str, Any]], period: Period, notes_before: dt.datetime | None
) -> dict[tuple[str, str], dict[str, Any]]:
    """The latest note per department × task for a period at or before the brief's."""
    chosen: dict[tuple[str, str], dict[str, Any]] = {}
    for note in notes:
        try:
            note_period = Period.parse(str(note["period"]))
        except ValueError:
            continue
        if note_period.ordinal > period.ordinal:
            continue
        if notes_before is not None and note["updated_at"] > notes_before:
            continue
        key = (str(note["department"]), str(note["task"]))
        if key not in chosen or Period.parse(str(chosen[key]["period"])).ordinal < note_period.ordinal:
            chosen[key] = note
    return chosen


def _note_fields(note: dict[str, Any] | None) -> Record:
    if note is None:
        return {"note_status": None, "note_status_code": None, "note_period": None, "narrative": None}
    status = str(note["status"])
    label = NOTE_STATUS_LABELS.get(status)  # type: ignore[call-overload]
    return {
        "note_status": label[0] if label else status,
        "note_status_code": status,
        "note_period": str(note["period"]),
        "narrative": str(note["narrative"]),
    }


def _tasks(
    plan: Plan,
    notes: list[dict[str, Any]],
    kind: str,
    code: str | None,
    period: Period,
    notes_before: dt.datetime | None,
) -> list[Record]:
    """A department's tasks (lead and support) with its latest notes; the province: led tasks with a note."""
    latest = _latest_notes(notes, period, notes_before)
    out = []
    tasks = plan.department_tasks(code) if kind == "department" and code else plan.tasks
    for task in tasks:
        if task.lead is None:
            continue
        who = code if kind == "department" and code else task.lead
        note = latest.get((who, task.code))
        if kind == "province" and note is None:
            continue
        out.append(
            {
                "code": task.code,
                "title": task.title,
                "clause": task.clause,
                "role": "牵头" if task.lead == who else "配合",
                "lead_code": task.lead,
                **_note_fields(note),
            }
        )
    return out


def _milestones(
    plan: Plan, notes: list[dict[str, Any]], period: Period, notes_before: dt.datetime | None
) -> list[Record]:
    """Each milestone with its first task's lead department and that department's latest note."""
    latest = _latest_notes(notes, period, notes_before)
    out = []
    for target in plan.targets:
        if not target.is_milestone:
            continue
        tasks = [plan.task(t) for t in target.tasks]
        lead = tasks[0].lead if tasks else None
        notes_found = [latest[(t.lead, t.code)] for t in tasks if t.lead and (t.lead, t.code) in latest]
        note = max(notes_found, key=lambda n: Period.parse(str(n["period"])).ordinal, default=None)
        out.append(
            {
                "id": target.id,
                "name": target.name or target.subject,
                "clause": target.clause,
                "year": target.year,
                "domain": tasks[0].domain if tasks else None,
                "lead": plan.department(lead).short_name if lead else None,
                **_note_fields(note),
            }
        )
    return out


def _verdicts(
    engine: sa.Engine,
    plan: Plan,
    period: Period,
    data_version: int | None,
    latest: list[Record],
    series: dict[str, tuple[tuple[str, float], ...]],
) -> list[DeadlineVerdict]:
    """Each numeric target judged as of its deadline's last quarter, by the progress service."""
    by_id = {str(r["target_id"]): r for r in latest}
    out = []
    for year in sorted({t.year for t in plan.numeric_targets}):
        as_of = Period.quarter(year, 4)
        if as_of.ordinal > period.ordinal:
            as_of = period
        query = progress_service.ProgressQuery(as_of=str(as_of), year=year, data_version=data_version)
        frame = progress_service.progress(engine=engine, plan=plan, query=query)
        for record in _with_clauses(plan, progress_service.records(frame)):
            reached = None
            if record["status"] == "missed":
                reached = _first_met(series.get(str(record["indicator"]), ()), record, after=as_of)
            out.append(DeadlineVerdict(record, by_id.get(str(record["target_id"]), record), reached))
    order = {t.id: i for i, t in enumerate(plan.targets)}
    return sorted(out, key=lambda v: order.get(str(v.at_deadline["target_id"]), 0))


def _first_met(values: tuple[tuple[str, float], ...], record: Record, *, after: Period) -> str | None:
    """The first period after the deadline whose published value meets the target."""
    comparator = Comparator(str(record["comparator"]))
    for text, value in values:
        if Period.parse(text).ordinal > after.ordinal and comparator.met(value, float(record["target"])):
            return text
    return None


def _sources(
    conn: sa.Connection,
    indicators: list[str],
    period: Period,
    data_version: int | None,
    kind: str,
    code: str | None,
) -> dict[str, Any]:
    """The uploads whose values the brief reads (up to its period), and the periods they cover."""
    if data_version is None:
        return {}
    regions = [code] if kind == "region" and code else None
    frame = obs_store.fetch_current_values(
        conn, indicators=indicators, regions=regions, up_to_version=data_version
    )
    frame = frame[frame["period_ordinal"] <= period.ordinal]
    if frame.empty:
        return {}
    counts = frame.groupby("upload_id").size()
    uploads = upload_store.fetch_uploads_by_id(conn, upload_ids=[int(i) for i in counts.index])
    sources = tuple(
        {"upload_id": int(u["id"]), "file_name": str(u["file_name"]), "values": int(counts[u["id"]])}
        for u in uploads
    )
    ordered = frame.sort_values("period_ordinal")["period"].astype(str)
    return {"sources": sources, "periods_covered": (ordered.iloc[0], ordered.iloc[-1])}


def _missing(
    engine: sa.Engine,
    plan: Plan,
    period: Period,
    data_version: int | None,
    indicators: list[str],
    kind: str,
    code: str | None,
) -> list[Record]:
    """Expected values not received for the period, within the scope."""
    frame = completeness_service.completeness(
        engine=engine, plan=plan, period=str(period), data_version=data_version
    )
    frame = frame[(frame["status"] != "received") & frame["indicator"].isin(indicators)]
    if kind == "region" and code:
        frame = frame[frame["region"] == code]
    names = {i.code: i.name for i in plan.indicators}
    regions = {r.code: r.short_name for r in plan.regions}
    frame = frame.assign(
        indicator_name=frame["indicator"].map(names), region_name=frame["region"].map(regions)
    )
    return (
        [
            {k: row[k] for k in ("indicator", "region", "period", "indicator_name", "region_name")}
            for row in frame.to_dict("records")
        ]
        if isinstance(frame, pd.DataFrame)
        else []
    )
