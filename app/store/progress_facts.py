"""The progress engine's facts (`indicators.facts`) computed in SQL, next to the values.

Judging 50,000 targets needs about twenty values per target, not the 1.2M values of their series.
This module answers a facts request in one statement, so only the facts leave the database:

1. the current values (or a vintage: `published_before`, `up_to_version`), of the scope's indicators;
2. region totals, level by level from the deepest: a parent without a value of its own gets the sum
   of its children (`city_sum`, `county_sum`), a reported parent whose children add up to more than
   `tolerance` away from it is flagged inconsistent, a sum missing children is flagged partial —
   the rules of `indicators.aggregate.aggregate_regions`, which the tests hold this to exactly. The
   sums add the children in the engine's order (reported values first, then sums, each by region
   code), so they are the same floats as the engine's, on both backends. When the targets ask for
   few regions, only the sums some fact can read are made (`_summed_parents`), and only the asked
   regions' rows go on (`_all_rows`);
3. one value per series and period end (a series' own frequency first: its 2024Q4, not its 2024);
4. the look-ups of `indicators.facts`, as two grouped passes over (target × value) pairs:
   first the ordinals (latest by the cut-off, first after the baseline, first that meets the
   target …), then the values and descriptions at those ordinals.

The request and the region tree travel as temporary tables (a registered frame on DuckDB, COPY on
PostgreSQL) and are dropped afterwards.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

import numpy as np
import pandas as pd
import sqlalchemy as sa

from app.store.bulk import insert_frame, read_frame
from app.store.observations import current_values_query, fetch_data_version
from indicators.aggregate import REPORTED
from indicators.facts import FACT_COLUMNS, FLAG_FACTS, ORDINAL_FACTS, REQUEST_COLUMNS, TEXT_FACTS
from indicators.periods import MONTHS_PER_YEAR, Period
from indicators.series import MISSING

#: the targets ask for "few" regions when they ask for under 1/FEW_REGIONS of the tree (`_all_rows`)
FEW_REGIONS = 4


def fetch_progress_facts(
    conn: sa.Connection,
    *,
    request: pd.DataFrame,
    tree: pd.DataFrame,
    indicators: pd.DataFrame,
    sources: dict[int, str],
    tolerance: float,
    indicator_codes: Sequence[str] | None = None,
    published_before: dt.datetime | None = None,
    up_to_version: int | None = None,
) -> pd.DataFrame:
    """The facts answering `request` (REQUEST_COLUMNS, one row per target), in its row order.

    `tree`: `indicators.aggregate.region_tree`; `indicators`: `code, summable, native` (whether it
    adds up, its own period length in months); `sources`: depth → name of the sums made from it
    (`indicators.aggregate.sum_sources`); `tolerance`: the plan's inconsistency threshold.
    """
    version = up_to_version
    if version is not None and published_before is None and fetch_data_version(conn) == version:
        version = None  # still the newest: the maintained current-values table has exactly these rows
    tables = _Inputs(conn, request=request, tree=tree, indicators=indicators)
    try:
        source = current_values_query(
            published_before=published_before, indicators=indicator_codes, up_to_version=version
        ).subquery("src")
        tables.add_foreign(read_frame(conn, sa.select(source.c.indicator, source.c.period).distinct()))
        query = _facts_query(source, tables, sources=sources, tolerance=tolerance)
        found = read_frame(conn, query)
        if version is None and up_to_version is not None and fetch_data_version(conn) != up_to_version:
            source = current_values_query(indicators=indicator_codes, up_to_version=up_to_version).subquery(
                "src"
            )
            found = read_frame(conn, _facts_query(source, tables, sources=sources, tolerance=tolerance))
    finally:
        tables.drop()
    return _complete(found, len(request), sources)


class _Inputs:
    """The request, the region tree and the indicators as temporary tables for one statement."""

    def __init__(
        self, conn: sa.Connection, *, request: pd.DataFrame, tree: pd.DataFrame, indicators: pd.DataFrame
    ) -> None:
        self._conn = conn
        suffix = uuid.uuid4().hex[:12]
        meta = sa.MetaData()
        temp = ["TEMPORARY"]
        self.req = sa.Table(
            f"facts_req_{suffix}", meta,
            sa.Column("row_no", sa.BigInteger), sa.Column("indicator", sa.String),
            sa.Column("region", sa.String), sa.Column("cutoff", sa.Integer),
            sa.Column("baseline_ord", sa.Integer), sa.Column("year_end_only", sa.Boolean),
            sa.Column("months", sa.Integer), sa.Column("prev_year_end", sa.Integer),
            sa.Column("as_of", sa.Integer), sa.Column("met_op", sa.String), sa.Column("met_bound", sa.Double),
            prefixes=temp,
        )  # fmt: skip
        self.tree = sa.Table(
            f"facts_tree_{suffix}", meta,
            sa.Column("code", sa.String), sa.Column("parent", sa.String),
            sa.Column("depth", sa.Integer), sa.Column("children", sa.Integer),
            prefixes=temp,
        )  # fmt: skip
        self.ind = sa.Table(
            f"facts_ind_{suffix}", meta,
            sa.Column("code", sa.String), sa.Column("summable", sa.Boolean), sa.Column("native", sa.Integer),
            prefixes=temp,
        )  # fmt: skip
        self.foreign = sa.Table(
            f"facts_foreign_{suffix}", meta,
            sa.Column("indicator", sa.String), sa.Column("period", sa.String),
            prefixes=temp,
        )  # fmt: skip
        self._native = dict(zip(indicators["code"], indicators["native"], strict=True))
        self.few_regions = request["region"].nunique() * FEW_REGIONS < len(tree)
        self._meta = meta
        meta.create_all(conn)
        frame = request[list(REQUEST_COLUMNS)].reset_index(drop=True)
        frame.insert(0, "row_no", np.arange(len(frame), dtype=np.int64))
        insert_frame(conn, table=self.req, frame=_typed(frame))
        insert_frame(conn, table=self.tree, frame=tree[["code", "parent", "depth", "children"]])
        insert_frame(conn, table=self.ind, frame=indicators[["code", "summable", "native"]])

    def add_foreign(self, pairs: pd.DataFrame) -> None:
        """The (indicator, period) pairs whose period is not the indicator's own length."""
        months = {p: Period.parse(p).months for p in pairs["period"].unique()}
        native = pairs["indicator"].map(self._native).fillna(0).to_numpy(dtype=np.int64)
        foreign = pairs[pairs["period"].map(months).to_numpy(dtype=np.int64) != native]
        insert_frame(self._conn, table=self.foreign, frame=foreign[["indicator", "period"]])

    def drop(self) -> None:
        self._meta.drop_all(self._conn)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(
        {
            "cutoff": "int64", "baseline_ord": "int64", "months": "int64", "prev_year_end": "int64",
            "as_of": "int64", "year_end_only": "bool", "met_bound": "float64",
        }
    )  # fmt: skip


def _facts_query(
    source: sa.Subquery, tables: _Inputs, *, sources: dict[int, str], tolerance: float
) -> sa.Select:
    base = sa.select(
        source.c.indicator,
        source.c.region,
        source.c.period,
        source.c.period_ordinal.label("ord"),
        source.c.value,
    ).cte("base")
    added: list[sa.CTE] = []
    checks: list[sa.Select] = []
    periods = _periods_per_indicator(base) if tables.few_regions else None
    for step, depth in enumerate(sources, start=1):
        summed = (
            None if periods is None else _summed_parents(base, periods, tables, depth=depth - 1, step=step)
        )
        kids = _children_sums(
            base, added[-1] if added else None, tables, depth=depth, step=step, summed=summed
        )
        new_rows, check = _parents(base, kids, tables, step=step, tolerance=tolerance)
        added.append(new_rows)
        checks.append(check)
    one = _one_per_period_end(_all_rows(base, added, tables), tables)
    facts = _look_ups(one, tables)
    return _with_checks(facts, tables, checks)


def _children_sums(
    base: sa.CTE, added: sa.CTE | None, tables: _Inputs, *, depth: int, step: int, summed: sa.CTE | None
) -> sa.CTE:
    """Each parent's sum over its children at `depth`: reported values first, then sums, by region.

    The children are the reported values at that depth and the sums the previous (deeper) step
    added there; `aggregate_regions` adds them in this order, so the floats agree to the last bit.
    With `summed` (`_summed_parents`) only those (indicator, parent) series are summed.
    """
    parts = []
    for src_no, rows in ((0, base), (step - 1, added)):
        if rows is None:
            continue
        g, i = tables.tree.alias(f"g_{step}_{src_no}"), tables.ind.alias(f"i_{step}_{src_no}")
        part = (
            sa.select(
                rows.c.indicator,
                g.c.parent,
                rows.c.region,
                rows.c.period,
                rows.c.ord,
                rows.c.value,
                sa.literal(src_no, sa.Integer).label("src_no"),
            )
            .select_from(rows.join(g, g.c.code == rows.c.region).join(i, i.c.code == rows.c.indicator))
            .where(g.c.depth == depth, g.c.parent.is_not(None), i.c.summable)
        )
        if summed is not None:
            pair = sa.tuple_(rows.c.indicator, g.c.parent)
            part = part.where(pair.in_(sa.select(summed.c.indicator, summed.c.region)))
        parts.append(part)
    children = (parts[0] if len(parts) == 1 else sa.union_all(*parts)).subquery(f"children_{step}")
    c = children.c
    return (
        sa.select(
            c.indicator,
            c.parent.label("region"),
            c.period,
            sa.func.min(c.ord).label("ord"),
            sa.func.sum(c.value).aggregate_order_by(c.src_no, c.region).label("total"),
            sa.func.count().label("n"),
        )
        .group_by(c.indicator, c.parent, c.period)
        .cte(f"kids_{step}")
    )


def _periods_per_indicator(base: sa.CTE) -> sa.CTE:
    """How many distinct periods each indicator has anywhere (a complete series has them all)."""
    return (
        sa.select(base.c.indicator, sa.func.count(sa.distinct(base.c.period)).label("n"))
        .group_by(base.c.indicator)
        .cte("periods_per_indicator")
    )


def _summed_parents(base: sa.CTE, periods: sa.CTE, tables: _Inputs, *, depth: int, step: int) -> sa.CTE:
    """The (indicator, parent) series at `depth` whose children's sum some fact can read.

    A parent's sum is read where it has no value of its own (it stands in), or as the check of a
    reported value, which only that parent's own targets read. So a series that a target asks for
    needs its sums, and one that has a value for every period the indicator has anywhere needs
    none; only the rest (a period missing) are summed. With targets for few regions (the
    province's over 2,900 regions) this skips the county → city sums of every city that reports.
    """
    level = tables.tree.alias(f"level_{step}")
    reported = (
        sa.select(base.c.indicator, base.c.region, sa.func.count().label("n"))
        .select_from(base.join(level, level.c.code == base.c.region))
        .where(level.c.depth == depth)
        .group_by(base.c.indicator, base.c.region)
        .subquery(f"reported_{step}")
    )
    parents = tables.tree.alias(f"parents_{step}")
    every = (
        sa.select(periods.c.indicator, parents.c.code.label("region"), periods.c.n)
        .select_from(periods.join(parents, sa.true()))
        .where(parents.c.depth == depth, parents.c.children > 0)
        .subquery(f"series_{step}")
    )
    incomplete = (
        sa.select(every.c.indicator, every.c.region)
        .select_from(
            every.outerjoin(
                reported,
                sa.and_(reported.c.indicator == every.c.indicator, reported.c.region == every.c.region),
            )
        )
        .where(sa.func.coalesce(reported.c.n, 0) < every.c.n)
    )
    r = tables.req
    return sa.union(incomplete, sa.select(r.c.indicator, r.c.region)).cte(f"summed_{step}")


def _parents(
    base: sa.CTE, kids: sa.CTE, tables: _Inputs, *, step: int, tolerance: float
) -> tuple[sa.CTE, sa.Select]:
    """Sums for parents without a value of their own, and the check of those that have one."""
    same = sa.and_(
        kids.c.indicator == base.c.indicator, kids.c.region == base.c.region, kids.c.period == base.c.period
    )
    p = tables.tree.alias(f"p_{step}")
    added = (
        sa.select(
            kids.c.indicator,
            kids.c.region,
            kids.c.period,
            kids.c.ord,
            kids.c.total.label("value"),
            sa.literal(step, sa.Integer).label("src_no"),
            (kids.c.n < p.c.children).label("partial"),
        )
        .select_from(kids.join(p, p.c.code == kids.c.region).outerjoin(base, same))
        .where(base.c.indicator.is_(None))
        .cte(f"added_{step}")
    )
    off = sa.func.abs(kids.c.total - base.c.value) > tolerance * sa.func.abs(base.c.value)
    check = (
        sa.select(base.c.indicator, base.c.region, base.c.period)
        .select_from(kids.join(base, same))
        .where(off)
    )
    return added, check


def _all_rows(base: sa.CTE, added: list[sa.CTE], tables: _Inputs) -> sa.CTE:
    """Reported values and sums; only the asked regions' when the targets ask for few of them.

    Only the asked regions' rows reach the look-ups. Where that is a small part of the tree (the
    province's targets over 2,900 regions: 4,000 of 11.6M rows) filtering first saves the rows'
    ranking and joins (national overview 2.7 s → 2.0 s; with `_summed_parents` 1.4 s); where
    targets cover most regions the filter removes nothing and costs a join (50,000 targets:
    0.8 s → 1.1 s), so it is left out.
    """
    reported = sa.select(
        *base.c, sa.literal(0, sa.Integer).label("src_no"), sa.literal(False, sa.Boolean).label("partial")
    )
    rows = reported if not added else sa.union_all(reported, *(sa.select(*a.c) for a in added))
    if not tables.few_regions:
        return rows.cte("all_rows")
    every = rows.subquery("every_row")
    asked = every.c.region.in_(sa.select(tables.req.c.region).distinct())
    return sa.select(every).where(asked).cte("all_rows")


def _months(period: sa.ColumnElement[str]) -> sa.ColumnElement[int]:
    """Length in months of a canonical period (`2024`, `2024Q3`, `2024M09`; `Period.__str__`)."""
    return sa.case((sa.func.length(period) == 4, MONTHS_PER_YEAR), (period.like("%Q%"), 3), else_=1)


def _one_per_period_end(rows: sa.CTE, tables: _Inputs) -> sa.CTE:
    """One row per series and period end: the series' own frequency first (as `SeriesIndex`).

    Rows of a series' own frequency never share a period end (same length, same end: same period),
    so only rows of another length (a quarterly series' annual value) need ranking; they are found
    among the scope's few distinct (indicator, period) pairs, not among the values.
    """
    f = tables.foreign
    is_foreign = sa.and_(f.c.indicator == rows.c.indicator, f.c.period == rows.c.period)
    own = (sa.select(*rows.c).select_from(rows.outerjoin(f, is_foreign)).where(f.c.indicator.is_(None))).cte(
        "own"
    )
    foreign = sa.select(*rows.c).select_from(rows.join(f, is_foreign)).cte("foreign_rows")
    rank = sa.func.row_number().over(
        partition_by=(foreign.c.indicator, foreign.c.region, foreign.c.ord),
        order_by=(foreign.c.src_no, foreign.c.period),
    )
    ranked = sa.select(foreign, rank.label("rk")).cte("foreign_ranked")
    taken = sa.and_(
        own.c.indicator == ranked.c.indicator, own.c.region == ranked.c.region, own.c.ord == ranked.c.ord
    )
    alone = (
        sa.select(*[ranked.c[c] for c in rows.c.keys()])
        .select_from(ranked.outerjoin(own, taken))
        .where(ranked.c.rk == 1, own.c.indicator.is_(None))
    )
    return sa.union_all(sa.select(own), alone).cte("one")


def _with_checks(facts: sa.Select, tables: _Inputs, checks: list[sa.Select]) -> sa.Select:
    """The inconsistency flag of the two described values, from the reported parents that failed it."""
    found = facts.cte("facts")
    if not checks:
        return sa.select(
            *found.c,
            sa.literal(False, sa.Boolean).label("any_inconsistent"),
            sa.literal(False, sa.Boolean).label("full_inconsistent"),
        )
    failed = sa.union_all(*checks).cte("failed")
    r = tables.req
    a, f = failed.alias("failed_any"), failed.alias("failed_full")

    def on(alias: sa.FromClause, name: str) -> sa.ColumnElement[bool]:
        return sa.and_(
            alias.c.indicator == r.c.indicator, alias.c.region == r.c.region, alias.c.period == found.c[name]
        )

    return sa.select(
        *found.c,
        a.c.indicator.is_not(None).label("any_inconsistent"),
        f.c.indicator.is_not(None).label("full_inconsistent"),
    ).select_from(
        found.join(r, r.c.row_no == found.c.row_no)
        .outerjoin(a, on(a, "any_period"))
        .outerjoin(f, on(f, "full_period"))
    )


def _look_ups(one: sa.CTE, tables: _Inputs) -> sa.Select:
    r = tables.req
    pairs = (
        sa.select(r, one.c.ord, one.c.value, one.c.period, one.c.src_no, one.c.partial)
        .select_from(r.join(one, sa.and_(one.c.indicator == r.c.indicator, one.c.region == r.c.region)))
        .cte("pairs")
    )
    p = pairs.c
    year_end = p.ord % MONTHS_PER_YEAR == 0
    kind_ok = sa.or_(sa.not_(p.year_end_only), year_end)
    meets = sa.case(
        (p.met_op == "ge", p.value >= p.met_bound),
        (p.met_op == "gt", p.value > p.met_bound),
        (p.met_op == "le", p.value <= p.met_bound),
        else_=p.value < p.met_bound,
    )
    marks = (
        sa.select(
            p.row_no,
            sa.func.max(p.ord).filter(p.ord <= p.cutoff).label("any_ord"),
            sa.func.max(p.ord).filter(p.ord <= p.cutoff, year_end).label("full_ord"),
            sa.func.min(p.ord).filter(p.ord > p.baseline_ord, kind_ok).label("after_ord"),
            sa.func.max(p.ord).filter(p.ord <= p.as_of, kind_ok).label("now_ord"),
            sa.func.min(p.ord)
            .filter(p.ord >= p.baseline_ord, p.ord <= p.as_of, kind_ok, meets)
            .label("met_ord"),
        )
        .group_by(p.row_no)
        .cte("marks")
    )
    m = marks.c
    backs = (0, MONTHS_PER_YEAR, p.months, 2 * p.months)
    wanted = [
        *(m[f"{name}_ord"] - back for name in ("any", "full") for back in backs),
        p.baseline_ord, m.after_ord, p.prev_year_end, m.now_ord,
    ]  # fmt: skip
    columns: list[sa.ColumnElement] = [
        p.row_no,
        *(sa.func.max(m[c]).label(c) for c in ("any_ord", "full_ord", "after_ord", "met_ord")),
    ]
    for name in ("any", "full"):
        at = m[f"{name}_ord"]
        columns += [
            sa.func.max(p.value).filter(p.ord == at).label(f"{name}_value"),
            sa.func.max(p.period).filter(p.ord == at).label(f"{name}_period"),
            sa.func.max(p.src_no).filter(p.ord == at).label(f"{name}_source"),
            sa.func.bool_or(p.partial).filter(p.ord == at).label(f"{name}_partial"),
            sa.func.max(p.value).filter(p.ord == at - MONTHS_PER_YEAR).label(f"{name}_m12"),
            sa.func.max(p.value).filter(p.ord == at - p.months).label(f"{name}_m1p"),
            sa.func.max(p.value).filter(p.ord == at - 2 * p.months).label(f"{name}_m2p"),
        ]
    columns += [
        sa.func.max(p.value).filter(p.ord == p.baseline_ord).label("base_at_value"),
        sa.func.max(p.period).filter(p.ord == p.baseline_ord).label("base_at_period"),
        sa.func.max(p.value).filter(p.ord == m.after_ord).label("after_value"),
        sa.func.max(p.period).filter(p.ord == m.after_ord).label("after_period"),
        sa.func.max(p.value).filter(p.ord == p.prev_year_end).label("prev_total"),
        sa.func.max(p.value).filter(p.ord == m.now_ord).label("now_value"),
    ]
    # only the pairs at an ordinal some look-up asks for reach the second pass
    return (
        sa.select(*columns)
        .select_from(pairs.join(marks, m.row_no == p.row_no))
        .where(p.ord.in_(wanted))
        .group_by(p.row_no)
    )


def _complete(found: pd.DataFrame, n: int, sources: dict[int, str]) -> pd.DataFrame:
    """Every target's row (those without values have none), ordinals as ints, sources by name."""
    labels = np.array([REPORTED, *sources.values(), None], dtype=object)  # by step; last: no value
    out = found.set_index("row_no").reindex(np.arange(n))
    for name in ORDINAL_FACTS:
        out[name] = out[name].fillna(MISSING).to_numpy(dtype=np.int64)
    for name in FLAG_FACTS:
        out[name] = out[name].astype(object).fillna(False).to_numpy(dtype=bool)
    for name in ("any_source", "full_source"):
        out[name] = labels[out[name].fillna(len(labels) - 1).to_numpy(dtype=np.int64)]
    for name in TEXT_FACTS:
        out[name] = out[name].astype(object).where(out[name].notna(), None)
    for name in set(FACT_COLUMNS) - {*ORDINAL_FACTS, *FLAG_FACTS, *TEXT_FACTS}:
        out[name] = out[name].astype(float)
    return out.reset_index(drop=True)[list(FACT_COLUMNS)]
