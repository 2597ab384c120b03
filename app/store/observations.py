"""SQL over the append-only observations: current values, vintages, history, publish, rollback.

Every statement is set-wise. "Current" means the newest row per indicator × region × period
(newest by publication time, then id); a row with a NULL value retracts the key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import pandas as pd
import sqlalchemy as sa

from app.store import schema as s
from app.store.bulk import read_frame

_VALUE_COLUMNS = ("indicator", "region", "period", "period_ordinal", "value", "note")
_CURRENT_COLUMNS = [*_VALUE_COLUMNS, "upload_id", "published_at"]  # a current-values row, in order
o = s.observations
cv = s.current_values  # the newest live value per key, maintained by publish and rollback


def _same_key(a: sa.FromClause, b: sa.FromClause) -> sa.ColumnElement[bool]:
    """The join condition of two row sources on indicator × region × period."""
    return sa.and_(a.c.indicator == b.c.indicator, a.c.region == b.c.region, a.c.period == b.c.period)


def _newest_first_rank() -> sa.Label:
    """Rank of each row within its key, 1 for the newest publication."""
    key = [o.c.indicator, o.c.region, o.c.period]
    newest = [o.c.published_at.desc(), o.c.id.desc()]
    return sa.func.row_number().over(partition_by=key, order_by=newest).label("rank")


def latest_rows(
    *, published_before: dt.datetime | None = None, up_to_version: int | None = None, name: str = "latest"
) -> sa.Subquery:
    """The newest row per key, published before the cutoff (None: now), retractions included.

    `up_to_version` keeps only rows up to that observation id: a data version (see
    `fetch_data_version`) names one state of the append-only history exactly, not just a day.
    """
    rank = _newest_first_rank()
    inner = sa.select(o, rank)
    if published_before is not None:
        inner = inner.where(o.c.published_at < published_before)
    if up_to_version is not None:
        inner = inner.where(o.c.id <= up_to_version)
    ranked = inner.subquery(f"{name}_ranked")
    return sa.select(*[ranked.c[c.name] for c in o.c]).where(ranked.c.rank == 1).subquery(name)


def current_values_query(
    *,
    published_before: dt.datetime | None = None,
    indicators: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
    up_to_version: int | None = None,
) -> sa.Select:
    latest = (
        cv
        if published_before is None and up_to_version is None
        else latest_rows(published_before=published_before, up_to_version=up_to_version)
    )
    query = sa.select(
        latest.c.indicator,
        latest.c.region,
        latest.c.period,
        latest.c.period_ordinal,
        latest.c.value,
        latest.c.upload_id,
        latest.c.published_at,
    ).where(latest.c.value.is_not(None))
    if indicators is not None:
        query = query.where(latest.c.indicator.in_(list(indicators)))
    if regions is not None:
        query = query.where(latest.c.region.in_(list(regions)))
    return query


def fetch_current_values(
    conn: sa.Connection,
    *,
    published_before: dt.datetime | None = None,
    indicators: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
    up_to_version: int | None = None,
) -> pd.DataFrame:
    """Current published values (or as they were before a cutoff, or at a data version) as a DataFrame.

    A data version that is still the newest is read from the current-values table (fast) rather than
    from the history (a window over every revision): the same rows, as long as nothing was written
    meanwhile, which the newest id is checked for before and after the read.
    """
    version = up_to_version
    if version is not None and published_before is None and fetch_data_version(conn) == version:
        version = None
    query = current_values_query(
        published_before=published_before, indicators=indicators, regions=regions, up_to_version=version
    )
    frame = read_frame(conn, query)
    if version is None and up_to_version is not None and fetch_data_version(conn) != up_to_version:
        query = current_values_query(indicators=indicators, regions=regions, up_to_version=up_to_version)
        frame = read_frame(conn, query)
    return frame.astype({"period_ordinal": "int64", "value": "float64", "upload_id": "int64"})


def fetch_current_periods(
    conn: sa.Connection, *, published_before: dt.datetime | None = None, up_to_version: int | None = None
) -> list[str]:
    """The distinct periods that have a current value (before a cutoff, or at a data version).

    A scoped progress query reads only its own indicators' values but takes its default as-of
    period from all the data; this answers that without reading every value.
    """
    version = up_to_version
    if version is not None and published_before is None and fetch_data_version(conn) == version:
        version = None
    inner = current_values_query(published_before=published_before, up_to_version=version).subquery()
    return [str(p) for p in conn.execute(sa.select(inner.c.period).distinct()).scalars()]


def fetch_history(conn: sa.Connection, *, indicator: str, region: str, period: str) -> list[dict]:
    """Every revision of one value, oldest first, with the upload that brought it."""
    u = s.uploads
    query = (
        sa.select(
            o.c.id,
            o.c.value,
            o.c.action,
            o.c.published_at,
            o.c.upload_id,
            o.c.rollback_of,
            u.c.file_name,
            u.c.uploaded_by,
            u.c.published_by,
            u.c.reason,
        )
        .join(u, u.c.id == o.c.upload_id)
        .where(o.c.indicator == indicator, o.c.region == region, o.c.period == period)
        .order_by(o.c.published_at, o.c.id)
    )
    return [dict(r._mapping) for r in conn.execute(query)]


def _staged_vs_current(upload_id: int) -> sa.Select:
    st = s.staged_values
    latest = cv
    return (
        sa.select(
            st.c.indicator,
            st.c.region,
            st.c.period,
            st.c.period_ordinal,
            st.c.value,
            st.c.note,
            latest.c.value.label("old_value"),
        )
        .select_from(
            st.outerjoin(
                latest,
                sa.and_(
                    latest.c.indicator == st.c.indicator,
                    latest.c.region == st.c.region,
                    latest.c.period == st.c.period,
                ),
            )
        )
        .where(st.c.upload_id == upload_id)
    )


def fetch_diff(conn: sa.Connection, *, upload_id: int) -> pd.DataFrame:
    """Staged values next to what is published: change is `new`, `revised` or `unchanged`."""
    frame = read_frame(conn, _staged_vs_current(upload_id))
    if frame.empty:
        frame["change"] = pd.Series(dtype="object")
        return frame
    frame = frame.astype({"value": "float64", "old_value": "float64"})
    frame["change"] = "unchanged"
    frame.loc[frame["old_value"].isna(), "change"] = "new"
    frame.loc[frame["old_value"].notna() & (frame["old_value"] != frame["value"]), "change"] = "revised"
    return frame


def fetch_diff_summary(
    conn: sa.Connection, *, upload_id: int, listed: int
) -> tuple[dict[str, int], pd.DataFrame]:
    """How many staged values are new, revised or unchanged, and the first `listed` revisions.

    The same classification as `fetch_diff`, counted in the database: a million-row upload sends
    three numbers and at most `listed` rows back instead of every staged value. Revisions come in
    file order (sheet, row) with their old and new value.
    """
    diff = _staged_vs_current(upload_id).add_columns(s.staged_values.c.sheet, s.staged_values.c.row)
    d = diff.subquery("diff")
    change = sa.case(
        (d.c.old_value.is_(None), sa.literal("new")),
        (d.c.old_value != d.c.value, sa.literal("revised")),
        else_=sa.literal("unchanged"),
    )
    counted = sa.select(change.label("change"), sa.func.count().label("n")).group_by(change)
    counts = {"new": 0, "revised": 0, "unchanged": 0}
    counts |= {str(change): int(n) for change, n in conn.execute(counted)}
    revised = (
        sa.select(d.c.indicator, d.c.region, d.c.period, d.c.old_value, d.c.value)
        .where(d.c.old_value.is_not(None), d.c.old_value != d.c.value)
        .order_by(d.c.sheet.nulls_first(), d.c.row, d.c.indicator, d.c.region, d.c.period)
        .limit(listed)
    )
    frame = (
        read_frame(conn, revised)
        if counts["revised"]
        else pd.DataFrame(columns=["indicator", "region", "period", "old_value", "value"])
    )
    return counts, frame.astype({"old_value": "float64", "value": "float64"})


def fetch_changed_since(conn: sa.Connection, *, upload_id: int, version: int) -> pd.DataFrame:
    """Values of a staged upload whose published value changed after data version `version`.

    Only keys the upload would write count: its value differs from what is published now, and what
    is published now differs from what was published at `version` (a newer publication, a rollback,
    a retraction). A key now equal to the upload's value changes nothing and is left out. Set-wise:
    the newest row per key of the upload at `version`, next to the current value.
    """
    st = s.staged_values
    ranked = (
        sa.select(o.c.indicator, o.c.region, o.c.period, o.c.value, _newest_first_rank())
        .select_from(o.join(st, _same_key(o, st)))
        .where(st.c.upload_id == upload_id, o.c.id <= version)
        .subquery("basis_ranked")
    )
    basis = sa.select(ranked).where(ranked.c.rank == 1).subquery("basis")
    query = (
        sa.select(
            st.c.indicator,
            st.c.region,
            st.c.period,
            st.c.value,
            basis.c.value.label("staged_against"),
            cv.c.value.label("published_now"),
        )
        .select_from(st.outerjoin(basis, _same_key(basis, st)).outerjoin(cv, _same_key(cv, st)))
        .where(
            st.c.upload_id == upload_id,
            basis.c.value.is_distinct_from(cv.c.value),
            st.c.value.is_distinct_from(cv.c.value),
        )
        .order_by(st.c.indicator, st.c.region, st.c.period)
    )
    frame = read_frame(conn, query)
    return frame.astype({"value": "float64", "staged_against": "float64", "published_now": "float64"})


def insert_published(conn: sa.Connection, *, upload_id: int, now: dt.datetime) -> int:
    """Publish an upload's staged values that are new or differ from the current ones; return how many."""
    diff = _staged_vs_current(upload_id).subquery("diff")
    select = sa.select(
        diff.c.indicator,
        diff.c.region,
        diff.c.period,
        diff.c.period_ordinal,
        diff.c.value,
        diff.c.note,
        sa.literal(upload_id, sa.BigInteger),
        sa.literal("publish"),
        sa.literal(now, sa.DateTime),
    ).where(sa.or_(diff.c.old_value.is_(None), diff.c.old_value != diff.c.value))
    columns = [*_VALUE_COLUMNS, "upload_id", "action", "published_at"]
    with _indexes_built_after(conn, upload_id=upload_id):
        inserted = conn.execute(sa.insert(o).from_select(columns, select)).rowcount
        _publish_current_values(conn, upload_id=upload_id, now=now)
    if inserted is not None and inserted >= 0:
        return int(inserted)
    # a driver that does not report the rowcount of INSERT … SELECT: count what was written
    return _count(conn, o.c.upload_id == upload_id, o.c.action == "publish")


#: PostgreSQL: the key indexes a publication larger than the tables rebuilds after its rows (see
#: `_indexes_built_after`), with more sort memory for the transaction than the default 64 MB
_REBUILD_SORT_MEMORY = sa.text("SET LOCAL maintenance_work_mem = '256MB'")
_KEY_INDEXES = (
    (
        "current_values",
        sa.text("ALTER TABLE current_values DROP CONSTRAINT current_values_pkey"),
        sa.text(
            "ALTER TABLE current_values ADD CONSTRAINT current_values_pkey "
            "PRIMARY KEY (indicator, region, period)"
        ),
    ),
    (
        "observations",
        sa.text("DROP INDEX ix_observations_key"),
        sa.text("CREATE INDEX ix_observations_key ON observations (indicator, region, period)"),
    ),
)


@contextmanager
def _indexes_built_after(conn: sa.Connection, *, upload_id: int) -> Iterator[None]:
    """On PostgreSQL, a publication with more values than a table holds builds that table's key index
    after its rows instead of inserting into it row by row.

    A first national load into empty tables spent most of its time maintaining the B-trees of the
    current values' primary key and of the history's key: dropping them and building them once the
    rows are in is two to three times faster (measured on 10^6 values), while for a small upload
    into a large table the row-by-row way is the cheap one. The tables are counted only up to the
    upload's size. It is all one transaction: a failed publication rolls the drop back with the rest,
    and the rebuilt primary key checks uniqueness as the kept one would. The drop locks the table
    until the commit, so readers wait for a large first load instead of reading past it.
    """
    if conn.dialect.name != "postgresql":
        yield
        return
    staged = _staged_count(conn, upload_id=upload_id)
    rebuilt = [
        (drop, create)
        for table, drop, create in _KEY_INDEXES
        if staged and _holds_fewer_than(conn, table=s.metadata.tables[table], rows=staged)
    ]
    if rebuilt:
        conn.execute(_REBUILD_SORT_MEMORY)
    for drop, _ in rebuilt:
        conn.execute(drop)
    yield
    for _, create in rebuilt:
        conn.execute(create)


def _staged_count(conn: sa.Connection, *, upload_id: int) -> int:
    st = s.staged_values
    query = sa.select(sa.func.count()).select_from(st).where(st.c.upload_id == upload_id)
    return int(conn.execute(query).scalar_one())


def _holds_fewer_than(conn: sa.Connection, *, table: sa.Table, rows: int) -> bool:
    """Whether `table` has fewer than `rows` rows, reading at most that many."""
    first = sa.select(sa.literal(1)).select_from(table).limit(rows).subquery()
    return int(conn.execute(sa.select(sa.func.count()).select_from(first)).scalar_one()) < rows


def _publish_current_values(conn: sa.Connection, *, upload_id: int, now: dt.datetime) -> None:
    """Make the upload's new and revised values current, straight from its staged values.

    The same rows `_refresh_current_values` would take from the history just written (the staged
    values that are new or differ from the current ones, with this upload and time), without
    reading the history: at national scale that is a scan of every revision ever published, and on
    PostgreSQL the join with a history written in the same transaction had no statistics to plan by.
    First the revised keys lose their current row, then every staged key without one gets it.
    """
    st = s.staged_values
    revised = sa.exists().where(st.c.upload_id == upload_id, _same_key(st, cv), st.c.value != cv.c.value)
    conn.execute(sa.delete(cv).where(revised))
    rows = (
        sa.select(
            st.c.indicator,
            st.c.region,
            st.c.period,
            st.c.period_ordinal,
            st.c.value,
            st.c.note,
            sa.literal(upload_id, sa.BigInteger),
            sa.literal(now, sa.DateTime),
        )
        .select_from(st.outerjoin(cv, _same_key(cv, st)))
        .where(st.c.upload_id == upload_id, cv.c.indicator.is_(None), st.c.value.is_not(None))
    )
    conn.execute(sa.insert(cv).from_select(_CURRENT_COLUMNS, rows))


def insert_rollback(conn: sa.Connection, *, upload_id: int, now: dt.datetime) -> int:
    """Undo an upload: every key it asserts returns to what the remaining publications assert.

    The remaining assertion of a key is the value of the newest still-published upload whose staged
    values hold it (newest by publication time, then upload id), whether that upload changed the
    value or repeated it unchanged (publishing writes no row for an unchanged value, so the history
    alone would forget that a later upload asserts it too). A key no remaining upload asserts gets a
    retraction row (value NULL). A row is written only where the current value or its provenance
    changes: keys a later upload asserts are left alone. Nothing is deleted.
    """
    st = s.staged_values
    u = s.uploads
    mine = (
        sa.select(st.c.indicator, st.c.region, st.c.period, st.c.period_ordinal)
        .where(st.c.upload_id == upload_id)
        .subquery("mine")
    )
    newest = [u.c.published_at.desc(), u.c.id.desc()]
    rank = sa.func.row_number().over(partition_by=[st.c.indicator, st.c.region, st.c.period], order_by=newest)
    asserted = (
        sa.select(
            st.c.indicator,
            st.c.region,
            st.c.period,
            st.c.value,
            st.c.note,
            st.c.upload_id,
            rank.label("rank"),
        )
        .select_from(st.join(mine, _same_key(st, mine)).join(u, u.c.id == st.c.upload_id))
        .where(u.c.status == "published", u.c.id != upload_id, st.c.value.is_not(None))
        .subquery("asserted")
    )
    prior = sa.select(asserted).where(asserted.c.rank == 1).subquery("prior")
    select = (
        sa.select(
            mine.c.indicator,
            mine.c.region,
            mine.c.period,
            mine.c.period_ordinal,
            prior.c.value,
            prior.c.note,
            sa.func.coalesce(prior.c.upload_id, sa.literal(upload_id, sa.BigInteger)),
            sa.case((prior.c.upload_id.is_(None), sa.literal("retract")), else_=sa.literal("rollback")),
            sa.literal(upload_id, sa.BigInteger),
            sa.literal(now, sa.DateTime),
        )
        .select_from(mine.outerjoin(prior, _same_key(prior, mine)).outerjoin(cv, _same_key(cv, mine)))
        .where(
            sa.or_(
                cv.c.upload_id == upload_id,
                prior.c.value.is_distinct_from(cv.c.value),
            )
        )
    )
    columns = [*_VALUE_COLUMNS, "upload_id", "action", "rollback_of", "published_at"]
    conn.execute(sa.insert(o).from_select(columns, select))
    _refresh_current_values(conn, o.c.rollback_of == upload_id)
    return _count(conn, o.c.rollback_of == upload_id)


def _refresh_current_values(conn: sa.Connection, written: sa.ColumnElement[bool]) -> None:
    """Replace the current value of every key among the just-written observation rows.

    Set-wise, in the caller's transaction: drop those keys, then insert the rows that carry a value
    (a retraction leaves the key without a current value).
    """
    same_key = sa.and_(o.c.indicator == cv.c.indicator, o.c.region == cv.c.region, o.c.period == cv.c.period)
    conn.execute(sa.delete(cv).where(sa.exists().where(written, same_key)))
    rows = sa.select(
        o.c.indicator,
        o.c.region,
        o.c.period,
        o.c.period_ordinal,
        o.c.value,
        o.c.note,
        o.c.upload_id,
        o.c.published_at,
    ).where(written, o.c.value.is_not(None))
    conn.execute(sa.insert(cv).from_select(_CURRENT_COLUMNS, rows))


def _count(conn: sa.Connection, *conditions: sa.ColumnElement[bool]) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(o).where(*conditions)).scalar_one())


def fetch_observations(
    conn: sa.Connection,
    *,
    indicators: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
    ordinal_from: int | None = None,
    ordinal_to: int | None = None,
    published_before: dt.datetime | None = None,
    limit: int = 10000,
) -> list[dict]:
    """Current values with their provenance (upload, file, user), oldest period first."""
    latest = current_values_query(
        published_before=published_before, indicators=indicators, regions=regions
    ).subquery("current")
    u = s.uploads
    query = (
        sa.select(latest, u.c.file_name, u.c.uploaded_by)
        .join(u, u.c.id == latest.c.upload_id)
        .order_by(latest.c.indicator, latest.c.region, latest.c.period_ordinal)
        .limit(limit)
    )
    if ordinal_from is not None:
        query = query.where(latest.c.period_ordinal >= ordinal_from)
    if ordinal_to is not None:
        query = query.where(latest.c.period_ordinal <= ordinal_to)
    return [dict(r._mapping) for r in conn.execute(query)]


def fetch_data_version(conn: sa.Connection, *, published_before: dt.datetime | None = None) -> int | None:
    """The id of the newest observation row (publish, rollback or retraction) before the cutoff.

    Ids only grow and rows are never changed, so this one number pins the data a report used:
    reading `up_to_version` later gives the same values whatever was revised since. None: no data.
    """
    query = sa.select(sa.func.max(o.c.id))
    if published_before is not None:
        query = query.where(o.c.published_at < published_before)
    found = conn.execute(query).scalar_one_or_none()
    return int(found) if found is not None else None


def fetch_revisions(
    conn: sa.Connection, *, after_version: int, up_to_version: int, limit: int = 200
) -> list[dict]:
    """Values that existed at `after_version` and changed by `up_to_version` (revised or withdrawn).

    Set-wise: the newest row per key at each of the two versions, joined on the key; a key that is new
    since `after_version` is not a revision and is left out.
    """
    old = latest_rows(up_to_version=after_version, name="old")
    new = latest_rows(up_to_version=up_to_version, name="new")
    query = (
        sa.select(
            new.c.indicator,
            new.c.region,
            new.c.period,
            old.c.value.label("old_value"),
            new.c.value.label("new_value"),
            new.c.upload_id,
            new.c.action,
            new.c.published_at,
        )
        .select_from(
            new.join(
                old,
                sa.and_(
                    old.c.indicator == new.c.indicator,
                    old.c.region == new.c.region,
                    old.c.period == new.c.period,
                ),
            )
        )
        .where(new.c.id > after_version, old.c.value.is_not(None))
        .order_by(new.c.indicator, new.c.region, new.c.period)
        .limit(limit)
    )
    return [dict(r._mapping) for r in conn.execute(query)]
