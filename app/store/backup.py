"""SQL of backup and restore: every table read in one snapshot, loaded set-wise, sequences moved on.

The tables are those of `schema.metadata` (the schema the migrations create); the Alembic revision
travels beside them in the manifest. Values cross backends as Arrow arrays typed from the column
types, so a DuckDB backup restores into PostgreSQL and back: JSON as its text, dates as dates,
timestamps to the microsecond.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from app.store import schema as s
from app.store.bulk import insert_frame, read_frame


def tables() -> list[sa.Table]:
    """Every table, parents before children (the order a restore loads them in)."""
    return list(s.metadata.sorted_tables)


@contextmanager
def snapshot(engine: sa.Engine) -> Iterator[sa.Connection]:
    """One read-only transaction that sees a single committed state of every table.

    DuckDB's transactions are snapshots (and read through the write-ahead log, which copying the
    file would miss); PostgreSQL needs REPEATABLE READ for every statement to see the same state.
    """
    options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    with engine.connect().execution_options(**options) as conn, conn.begin():
        yield conn


def read_table(conn: sa.Connection, table: sa.Table) -> pa.Table:
    """The whole table as Arrow, typed from its columns, in primary-key order."""
    query = sa.select(table).order_by(*table.primary_key.columns)
    frame = read_frame(conn, query)
    arrays = [_arrow(frame[c.name], c.type) for c in table.c]
    return pa.Table.from_arrays(arrays, schema=arrow_schema(table))


def arrow_schema(table: sa.Table) -> pa.Schema:
    return pa.schema([pa.field(c.name, _arrow_type(c.type), nullable=True) for c in table.c])


def _arrow_type(kind: sa.types.TypeEngine[Any]) -> pa.DataType:
    if isinstance(kind, sa.JSON):
        return pa.string()
    if isinstance(kind, sa.DateTime):
        return pa.timestamp("us")
    if isinstance(kind, sa.Date):
        return pa.date32()
    if isinstance(kind, sa.Boolean):
        return pa.bool_()
    if isinstance(kind, sa.Integer):
        return pa.int64()
    if isinstance(kind, sa.Float | sa.Double):
        return pa.float64()
    if isinstance(kind, sa.Numeric):  # exact amounts (the ledger's 万元) stay exact
        return pa.decimal128(kind.precision or 38, kind.scale or 10)
    return pa.string()


def _json_text(value: Any) -> Any:
    """PostgreSQL hands JSON over parsed, DuckDB as text: carry text, parsed the same way by both."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return json.dumps(json.loads(value) if isinstance(value, str) else value, ensure_ascii=False)


def _arrow(series: pd.Series, kind: sa.types.TypeEngine[Any]) -> pa.Array:
    target = _arrow_type(kind)
    if isinstance(kind, sa.JSON):
        series = series.map(_json_text)
    elif isinstance(kind, sa.DateTime):
        series = pd.to_datetime(series)
    elif isinstance(kind, sa.Date):
        series = pd.to_datetime(series).dt.date
    elif isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float | sa.Double):
        series = series.map(lambda v: None if v is None or pd.isna(v) else Decimal(str(v)))
    return pa.array(series.astype(object).where(series.notna(), None), type=target, from_pandas=True)


def count_rows(conn: sa.Connection) -> dict[str, int]:
    """Rows per table, in one statement."""
    counts = [
        sa.select(sa.literal(t.name, sa.String).label("name"), sa.func.count().label("n")).select_from(t)
        for t in tables()
    ]
    return {row.name: int(row.n) for row in conn.execute(sa.union_all(*counts))}


def load_table(conn: sa.Connection, table: sa.Table, data: pa.Table) -> int:
    """Insert every row of an Arrow table (as `read_table` wrote it) into `table`."""
    frame = data.to_pandas(types_mapper=_nullable, date_as_object=True)
    for column in table.c:
        if isinstance(column.type, sa.DateTime):
            frame[column.name] = frame[column.name].astype("datetime64[us]")
    return insert_frame(conn, table=table, frame=frame)


def _nullable(kind: pa.DataType) -> Any:
    """Integers and booleans with NULLs stay integers and booleans (not floats or objects)."""
    if pa.types.is_integer(kind):
        return pd.Int64Dtype()
    if pa.types.is_boolean(kind):
        return pd.BooleanDtype()
    return None


def reset_sequences(conn: sa.Connection) -> None:
    """Move every id sequence past the largest id restored, so new rows never collide.

    PostgreSQL sets it; DuckDB cannot set a sequence, so it draws as many values as the largest id
    (one set-wise statement), which leaves the next value above it.
    """
    for table in tables():
        if (
            "id" not in table.c
            or not isinstance(table.c.id.type, sa.BigInteger)
            or table.c.id.default is None
        ):
            continue
        sequence = f"{table.name}_id_seq"
        top = conn.execute(sa.select(sa.func.max(table.c.id))).scalar_one_or_none()
        if top is None:
            continue
        if conn.dialect.name == "postgresql":
            conn.execute(sa.select(sa.func.setval(sequence, int(top))))
        else:
            draws = sa.select(sa.func.max(sa.func.nextval(sequence))).select_from(
                sa.func.range(int(top)).table_valued("range")
            )
            conn.execute(draws)
