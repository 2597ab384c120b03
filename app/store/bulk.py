"""Set-wise loading of a DataFrame into a table, inside the caller's transaction.

Row-by-row inserts through SQLAlchemy take minutes for a million rows (docs: tech notes); each
backend has a bulk path instead: DuckDB scans a registered DataFrame, PostgreSQL takes COPY.
"""

from __future__ import annotations

import uuid

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import sqlalchemy as sa


def insert_frame(conn: sa.Connection, *, table: sa.Table, frame: pd.DataFrame) -> int:
    """Insert every row of `frame` (columns named as the table's) into `table`; return the count."""
    if frame.empty:
        return 0
    columns = list(frame.columns)
    unknown = set(columns) - set(table.c.keys())
    if unknown:
        raise ValueError(f"columns not in {table.name}: {sorted(unknown)}")
    if conn.dialect.name == "duckdb":
        _insert_duckdb(conn, table, frame, columns)
    else:
        _copy_postgres(conn, table, frame, columns)
    return len(frame)


def _quoted(conn: sa.Connection, names: list[str]) -> str:
    prep = conn.dialect.identifier_preparer
    return ", ".join(prep.quote(n) for n in names)


def _insert_duckdb(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame, columns: list[str]) -> None:
    raw = conn.connection.driver_connection
    view = f"_frame_{uuid.uuid4().hex}"
    raw.register(view, frame)  # type: ignore[union-attr]
    try:
        cols = _quoted(conn, columns)
        conn.exec_driver_sql(f"INSERT INTO {table.name} ({cols}) SELECT {cols} FROM {view}")
    finally:
        raw.unregister(view)  # type: ignore[union-attr]


def copy_csv(frame: pd.DataFrame) -> bytes:
    """The frame as CSV for COPY, where a value can never be mistaken for NULL.

    Every present value is quoted and a missing one is an empty unquoted field, which is the only
    thing PostgreSQL's CSV COPY reads as NULL: a literal `\\N`, `NULL` or empty string in the data
    arrives as it was. (Plain `to_csv` with `NULL '\\N'` turned a literal `\\N` into NULL.) Arrow's
    writer does this in C++, faster than pandas' `to_csv`.
    """
    table = pa.Table.from_pandas(frame, preserve_index=False)
    sink = pa.BufferOutputStream()
    pa_csv.write_csv(
        table, sink, write_options=pa_csv.WriteOptions(include_header=False, quoting_style="all_valid")
    )
    return sink.getvalue().to_pybytes()


def _copy_postgres(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame, columns: list[str]) -> None:
    raw = conn.connection.driver_connection
    cols = _quoted(conn, columns)
    with raw.cursor() as cursor:  # type: ignore[union-attr]
        with cursor.copy(f"COPY {table.name} ({cols}) FROM STDIN WITH (FORMAT csv)") as copy:
            copy.write(copy_csv(frame))


def read_frame(conn: sa.Connection, query: sa.Select) -> pd.DataFrame:
    """Run a query and return a DataFrame, skipping SQLAlchemy's per-row objects.

    At national scale (millions of current values) building Row objects dominates; DuckDB hands a
    result to pandas column-wise, and psycopg's plain tuples are several times cheaper than Rows.
    """
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    raw = conn.connection.driver_connection
    if conn.dialect.name == "duckdb":
        params = [compiled.params[name] for name in (compiled.positiontup or [])]
        return raw.execute(str(compiled), params).df()  # type: ignore[union-attr]
    with raw.cursor() as cursor:  # type: ignore[union-attr]
        cursor.execute(str(compiled), compiled.params)
        names = [column.name for column in cursor.description]
        return pd.DataFrame(cursor.fetchall(), columns=names)
