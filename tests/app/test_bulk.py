"""Bulk loading changes no value on the way in, whatever the text holds, on both backends."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
import sqlalchemy as sa

from app.store.bulk import copy_csv, insert_frame, read_frame

HOSTILE_TEXT = [
    "\\N",  # COPY's null marker, literally
    "\\",
    "\\\\N",
    "\\.",  # the old end-of-data marker
    "",
    "NULL",
    "tab\there",
    "line\nbreak",
    "carriage\rreturn",
    '"quoted", with a comma',
    "太原市 2025年第三季度",
    "=SUM(A1)",
    None,
]


def _table() -> sa.Table:
    return sa.Table(
        "bulk_probe",
        sa.MetaData(),
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("label", sa.Text),
        sa.Column("value", sa.Double),
        sa.Column("seen_at", sa.DateTime),
    )


def test_hostile_strings_arrive_unchanged_and_only_missing_values_become_null(engine: sa.Engine) -> None:
    table = _table()
    table.metadata.create_all(engine)
    n = len(HOSTILE_TEXT)
    frame = pd.DataFrame(
        {
            "id": range(n),
            "label": HOSTILE_TEXT,
            "value": [0.1 + i if i % 4 else math.nan for i in range(n)],
            "seen_at": [dt.datetime(2026, 12, 1, 9, i) if i % 5 else None for i in range(n)],
        }
    )
    with engine.begin() as conn:
        assert insert_frame(conn, table=table, frame=frame) == n
    with engine.connect() as conn:
        back = read_frame(conn, sa.select(table).order_by(table.c.id))
    assert _plain(back["label"]) == HOSTILE_TEXT
    assert _plain(back["value"]) == _plain(frame["value"])
    assert _plain(back["seen_at"].astype(object)) == _plain(frame["seen_at"].astype(object))


def _plain(column: pd.Series) -> list[object]:
    """Values with every kind of missing (None, NaN, NaT) as None, timestamps as datetimes."""
    return [None if pd.isna(v) else (v.to_pydatetime() if isinstance(v, pd.Timestamp) else v) for v in column]


@pytest.mark.parametrize(
    ("value", "field"),
    [("\\N", b'"\\N"'), ("", b'""'), ('say "hi"', b'"say ""hi"""'), ("a\nb", b'"a\nb"'), (None, b"")],
)
def test_copy_csv_quotes_every_present_value_and_leaves_only_a_missing_one_bare(
    value: str | None, field: bytes
) -> None:
    """PostgreSQL's CSV COPY reads only an unquoted empty field as NULL; quotes inside are doubled."""
    assert copy_csv(pd.DataFrame({"label": [value]}, dtype=object)) == field + b"\n"
