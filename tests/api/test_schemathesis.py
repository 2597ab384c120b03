"""Property-based API testing with schemathesis' own runner against the app over real HTTP.

As an authorised admin on the sample data, generated requests from /openapi.json must never get a
server error (5xx) nor a response that breaks the documented schema.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.auth.policy import SYSTEM
from app.config import Settings
from app.main import create_app
from app.services import accounts, samples, setup
from app.store.engine import make_engine
from indicators.plan import DEFAULT_PLAN, load_plan
from tests.conftest import REPO_ROOT
from tests.support.server import running

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
MAX_EXAMPLES = "30"


@pytest.mark.slow
def test_generated_requests_get_no_server_error_and_match_the_schema(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'dem.duckdb'}"
    engine = make_engine(url)
    setup.init_database(engine=engine, plan_path=DEFAULT_PLAN)
    samples.load_samples(
        engine=engine, plan=load_plan(DEFAULT_PLAN), sample_dir=REPO_ROOT / "data" / "sample"
    )
    admin = accounts.create_user(
        actor=SYSTEM, engine=engine, username="fuzz", password="random-walk-2026", role="admin"
    )
    token = accounts.create_token(engine=engine, user=admin, name="schemathesis")[1]
    settings = Settings(
        database_url=url,
        upload_dir=tmp_path / "uploads",
        inbox_dir=tmp_path / "inbox",
        brief_dir=tmp_path / "briefs",
    )
    app = create_app(settings, engine=engine, scheduler=False, dashboard=False)
    with running(app) as base:
        result = subprocess.run(
            [
                str(SCHEMATHESIS),
                "run",
                f"{base}/openapi.json",
                "--header",
                f"Authorization: Bearer {token}",
                "--checks",
                "not_a_server_error,response_schema_conformance,status_code_conformance",
                "--max-examples",
                MAX_EXAMPLES,
                # these end the fuzzer's own credentials
                "--exclude-path-regex",
                "^/api/v1/auth/(logout|tokens/.*)$",
                # each generated brief takes seconds (charts, Word): the fuzzer's hundreds would time
                # out; tests/api/test_briefs_api.py covers both routes and their errors
                "--exclude-operation-id",
                "generate_api_v1_briefs_post",
                "--exclude-operation-id",
                "reproduce_api_v1_briefs__brief_id__reproduce_post",
                "--seed",
                "1",
                "--report-dir",
                str(tmp_path / "report"),
            ],
            capture_output=True,
            text=True,
            timeout=900,
            cwd=tmp_path,  # schemathesis keeps a cache folder in the working directory
        )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
