"""The hostile corpus through the real upload path, on DuckDB and PostgreSQL: refused, explained, harmless.

Every file of tests/corpus/manifest.toml (small ones from tests/corpus/files/, big ones written at
test time) is staged with `app.services.uploads.stage_upload`, exactly as the API, the dashboard,
the CLI and the inbox stage it (in the capped reading worker). Each must come back rejected, its
first error carrying the manifest's code, a message in Chinese that names the row (and column)
when the manifest gives one, and the database must be exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from app.auth.policy import system_actor
from app.services import setup
from app.services import uploads as svc
from indicators.model import Plan
from indicators.plan import DEFAULT_PLAN
from tests.app.test_uploads_service import snapshot
from tests.corpus.hostile import FILES, GENERATED

MANIFEST: list[dict[str, Any]] = tomllib.loads((Path(__file__).parent / "manifest.toml").read_text("utf-8"))[
    "file"
]
NOW = dt.datetime(2026, 12, 1, 2, 0)  # 10:00 in Beijing: 2026Q4 has begun, 2099Q1 has not
CHINESE = re.compile(r"[\u4e00-\u9fff]")
MAX_MESSAGE_CHARS = 600  # a 5 MB cell must not come back as a 5 MB message


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    return {name: write(folder / name) for name, write in GENERATED.items()}


def test_the_corpus_has_every_file_once_and_enough_of_them() -> None:
    names = [entry["name"] for entry in MANIFEST]
    assert len(names) == len(set(names)) >= 40
    on_disk = {p.name for p in FILES.iterdir()}
    assert {e["name"] for e in MANIFEST if not e.get("generated")} == on_disk
    assert {e["name"] for e in MANIFEST if e.get("generated")} == set(GENERATED)
    assert all(p.stat().st_size < 10_000 for p in FILES.iterdir())  # big files are generated


def _mismatch(entry: dict[str, Any], staged: svc.StageResult) -> str | None:
    """What is wrong with one file's outcome, or None."""
    if staged.status != "rejected" or not staged.errors:
        return f"{entry['name']}: {staged.status}, expected rejected with {entry['code']}"
    first = staged.errors[0]
    message = first.message_zh
    found = (str(first.code), first.row, first.column)
    expected = (entry["code"], entry.get("row"), entry.get("column"))
    if found != expected:
        return f"{entry['name']}: {found} != {expected} ({message})"
    if not CHINESE.search(message) or len(message) > MAX_MESSAGE_CHARS:
        return f"{entry['name']}: message {message[:200]!r}"
    if entry.get("row") is not None and f"第{entry['row']}行" not in message and "单元格" not in message:
        return f"{entry['name']}: row {entry['row']} not named in {message!r}"
    return None


def test_every_hostile_file_is_refused_with_its_code_and_changes_nothing(
    engine: sa.Engine, plan: Plan, generated: dict[str, Path]
) -> None:
    setup.init_database(engine=engine, plan_path=DEFAULT_PLAN)
    before = snapshot(engine)
    problems = []
    for entry in MANIFEST:
        path = generated[entry["name"]] if entry.get("generated") else FILES / entry["name"]
        staged = svc.stage_upload(engine=engine, plan=plan, path=path, actor=system_actor("corpus"), now=NOW)
        problem = _mismatch(entry, staged)
        if problem:
            problems.append(problem)
    assert problems == []
    assert snapshot(engine) == before
