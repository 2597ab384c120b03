"""Set-wise loading of a DataFrame into a table, inside the caller's transaction.

Row-by-row inserts through SQLAlchemy take minutes for a million rows (docs: tech notes); each
backend has a bulk path instead: DuckDB scans a registered DataFrame, PostgreSQL takes COPY.
"""

from __future__ import annotations

import io
import uuid

import pandas as pd
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


def _copy_postgres(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame, columns: list[str]) -> None:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, header=False, na_rep="\\N")
    raw = conn.connection.driver_connection
    cols = _quoted(conn, columns)
    with raw.cursor() as cursor:  # type: ignore[union-attr]
        with cursor.copy(f"COPY {table.name} ({cols}) FROM STDIN WITH (FORMAT csv, NULL '\\N')") as copy:
            copy.write(buffer.getvalue())


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
