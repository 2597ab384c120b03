"""A `dem ingest --publish` killed with SIGKILL at any moment leaves no partial upload behind.

Staging and publishing are one transaction each, so after a kill the database holds exactly one of
three states: as before, the upload staged in full (nothing published), or the upload published in
full. The test kills a real `dem` process on a 13,376-row file while it is inside a transaction:
- PostgreSQL: pg_stat_activity tells when the process is inside the staging transaction (its
  `COPY staged_values` or the diff read back from them) or inside the publishing one (its
  `INSERT INTO observations`); the kill lands exactly then. A third kill lands once the publication
  is visible to another session, i.e. after the commit.
- DuckDB: one process owns the file, so nothing outside can look in; the process runs on a pseudo
  terminal and the kill lands when its progress display (`dem ingest` on a terminal) announces a
  phase. Reopening the file replays whatever write-ahead log the killed process left.
Timing does not place the kills, so the file need not be huge; the assertions never depend on time.
Each kill runs on its own copy of the same seeded database, compared with reference runs of the
same upload that were not killed. Re-running the same command afterwards completes the upload.

The SIGKILL loop then kills `dem publish` of the staged big file LOOP_KILLS times per backend, at
random moments spread over the publication (counted from the client's connection, since Python's
start-up takes seconds): every run must leave the upload staged in full or published in full, which
both hold the seed's values, so nothing published before is ever lost.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pty
import random
import select
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.auth.policy import system_actor
from app.services import setup
from app.services import uploads as svc
from app.store import schema as s
from app.store.engine import make_engine
from indicators.model import Plan
from indicators.periods import Frequency
from indicators.plan import DEFAULT_PLAN
from tests.app.test_uploads_service import snapshot, write_csv
from tests.conftest import POSTGRES_URL

pytestmark = pytest.mark.slow

DEM = Path(sys.executable).parent / "dem"
FIRST_YEAR, LAST_YEAR = 2010, 2025  # the plan's plausible years (from 2020 − 10): 64 quarters
#: Each row's note pads the file past `dem ingest`'s progress display threshold (1 MiB), which the
#: DuckDB kills wait for.
NOTE = "按季度报送的累计数据，经市统计局审核后汇总上报" * 2
USER = "cli"  # the user `dem ingest` records by default, so reference runs match killed ones
#: Already published before the big upload; it overlaps the big file, which therefore revises it.
SEED = [
    ("base_stations_5g", "140100", "2010Q1", "7"),
    ("smart_factories", "140200", "2010Q2", "9"),
    ("cloud_enterprises", "140000", "2025Q1", "4000"),
]
#: The big file revises SEED, so publishing it needs a reason (the same one in reference and killed runs).
REASON = "年度数据修订"
#: Safety net for a process that never reaches the point it should be killed at (not a timing test).
GIVE_UP_SECONDS = 120
POLL_SECONDS = 0.005

#: Per table: row count and a digest of its sorted rows. Equal digests mean equal contents; keeping
#: the 125k-row lists of every state instead would slow the test process down (garbage collection).
Content = dict[str, tuple[int, str]]


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory, plan: Plan) -> Path:
    """A long CSV of every quarterly indicator × allowed region × quarter of 2010–2025 (13,376 rows)."""
    keys = [
        (i.code, r.code)
        for i in plan.indicators
        if i.frequency is Frequency.QUARTERLY
        for r in plan.regions
        if r.level in i.levels
    ]
    lines = ["指标,地区,时期,数值,备注"]
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        for quarter in range(1, 5):
            step = (year - FIRST_YEAR) * 4 + quarter
            lines.extend(f"{ind},{reg},{year}Q{quarter},{step},{NOTE}" for ind, reg in keys)
    path = tmp_path_factory.mktemp("crash") / "big.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def content(engine: sa.Engine) -> Content:
    """Every table without ids and timestamps, which differ between two runs of the same upload."""
    result = {}
    with engine.connect() as conn:
        for table in s.metadata.sorted_tables:
            columns = [c for c in table.c if c.name != "id" and not isinstance(c.type, sa.DateTime | sa.Date)]
            rows = sorted(repr(tuple(row)) for row in conn.execute(sa.select(*columns)))
            result[table.name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return result


def seed(engine: sa.Engine, plan: Plan, folder: Path) -> None:
    setup.init_database(engine=engine, plan_path=DEFAULT_PLAN)
    staged = svc.stage_upload(
        engine=engine, plan=plan, path=write_csv(folder / "seed.csv", SEED), actor=system_actor(USER)
    )
    svc.publish_upload(engine=engine, upload_id=staged.upload_id or 0, actor=system_actor(USER))


@dataclass(frozen=True)
class States:
    """The three states a kill may leave, as `content` sees them."""

    before: Content
    staged: Content
    published: Content

    def name(self, found: Content) -> str:
        for label in ("before", "staged", "published"):
            if found == getattr(self, label):
                return label
        return "partial"


def reference_states(engine: sa.Engine, plan: Plan, big_csv: Path) -> States:
    """Stage, then publish, the big file in this process, recording each state."""
    before = content(engine)
    staged = svc.stage_upload(engine=engine, plan=plan, path=big_csv, actor=system_actor(USER))
    assert staged.status == "staged", staged.errors[:3]
    after_staging = content(engine)
    svc.publish_upload(
        engine=engine,
        upload_id=staged.upload_id or 0,
        actor=system_actor(USER),
        confirm_warnings=True,
        reason=REASON,
    )
    return States(before, after_staging, content(engine))


def dem_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DEM_DATABASE_URL": database_url,
        "DEM_UPLOAD_DIR": str(tmp_path / "archive"),
        "TERM": "xterm-256color",
        "COLUMNS": "160",
    }


def ingest_command(path: Path, *extra: str) -> list[str]:
    return [str(DEM), "ingest", str(path), "--publish", "--confirm-warnings", "--reason", REASON, *extra]


def run_to_completion(database_url: str, tmp_path: Path, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ingest_command(path, "--json"),
        env=dem_env(database_url, tmp_path),
        capture_output=True,
        text=True,
        timeout=GIVE_UP_SECONDS,
        check=False,
    )


def kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=GIVE_UP_SECONDS) == -signal.SIGKILL


# ------------------------------------------------------------------------------------------ DuckDB


#: Where the DuckDB kills land: as the progress display announces each phase. Staging and
#: publishing each take far longer than the few milliseconds the kill needs to arrive.
DUCKDB_KILLS = {
    b"staging": "before",  # the staging transaction has begun or is about to: nothing commits
    b"publishing": "staged",  # staged and committed; the publishing transaction is under way
    b"done": "published",  # committed: the process is printing the report
}


def kill_on_phase(command: list[str], env: dict[str, str], phase: bytes) -> bool:
    """Run `command` on a pseudo terminal and SIGKILL it once `phase` shows; False if it ended first."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(command, stdin=follower, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    seen = b""
    deadline = time.monotonic() + GIVE_UP_SECONDS
    try:
        while phase not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], POLL_SECONDS)
            if not ready:
                continue
            try:
                chunk = os.read(leader, 1 << 16)
            except OSError:  # the terminal closed: the process has ended
                chunk = b""
            if not chunk:
                process.wait(timeout=GIVE_UP_SECONDS)
                return False
            seen = seen[-4096:] + chunk
        kill(process)
        return True
    finally:
        os.close(leader)
        if process.poll() is None:
            kill(process)


def test_duckdb_killed_mid_upload_reopens_to_a_committed_state(
    big_csv: Path, plan: Plan, tmp_path: Path
) -> None:
    template = tmp_path / "template.duckdb"
    engine = make_engine(f"duckdb:///{template}")
    seed(engine, plan, tmp_path)
    before = snapshot(engine)
    engine.dispose()  # closes the file (and checkpoints it): copies are self-contained

    def fresh(name: str) -> str:
        shutil.copyfile(template, tmp_path / f"{name}.duckdb")
        return f"duckdb:///{tmp_path / f'{name}.duckdb'}"

    reference = make_engine(fresh("reference"))
    states = reference_states(reference, plan, big_csv)
    reference.dispose()

    outcomes = {}
    for phase in DUCKDB_KILLS:
        url = fresh(phase.decode())
        killed = kill_on_phase(ingest_command(big_csv), dem_env(url, tmp_path), phase)
        assert killed, f"the process ended before {phase!r}"
        engine = make_engine(url)  # DuckDB replays the write-ahead log the killed process left
        outcomes[phase] = states.name(content(engine))
        if outcomes[phase] == "before":
            assert snapshot(engine) == before
        if outcomes[phase] == "staged":  # the interrupted upload is completed by the same command
            engine.dispose()  # DuckDB: one process at a time
            rerun = run_to_completion(url, tmp_path, big_csv)
            assert rerun.returncode == 0, rerun.stdout[-2000:] + rerun.stderr[-2000:]
            engine = make_engine(url)
            assert states.name(content(engine)) == "published"
        engine.dispose()
    assert outcomes == DUCKDB_KILLS


# -------------------------------------------------------------------------------------- PostgreSQL


@pytest.fixture
def postgres_schemas() -> Iterator[Callable[[str], str]]:
    """Make fresh schemas on demand, each reached through its own application_name; drop them after."""
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    made: list[str] = []

    def make(application: str) -> str:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        made.append(schema)
        return f"{POSTGRES_URL}?options=-csearch_path%3D{schema}&application_name={application}"

    yield make
    with admin.connect() as conn:
        for schema in made:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def activity(admin: sa.Engine, application: str) -> list[tuple[str, str]]:
    """(state, query) of every server process of this application."""
    query = sa.text("SELECT state, query FROM pg_stat_activity WHERE application_name = :app")
    with admin.connect() as conn:
        return [(row.state or "", row.query or "") for row in conn.execute(query, {"app": application})]


def kill_when(
    admin: sa.Engine,
    application: str,
    command: list[str],
    env: dict[str, str],
    wanted: Callable[[], bool],
    killed: Callable[[], None] = lambda: None,
) -> bool:
    """Start `command`, SIGKILL it as soon as `wanted()` holds; False if it ended first.

    `killed` runs right after the kill (to release a lock that held the process where it was).
    """
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + GIVE_UP_SECONDS
    try:
        while process.poll() is None and time.monotonic() < deadline:
            if wanted():
                kill(process)
                killed()
                break
            time.sleep(POLL_SECONDS)
        else:
            return False
    finally:
        if process.poll() is None:
            kill(process)
    # the server finishes the statement it was running, then finds the client gone and rolls back
    while activity(admin, application) and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS * 10)
    assert not activity(admin, application), "the killed client's server process did not end"
    return True


def inside(admin: sa.Engine, application: str, statement: Callable[[str], bool]) -> Callable[[], bool]:
    """True while the application is inside a transaction whose current or last statement matches."""
    states = ("active", "idle in transaction")

    def check() -> bool:
        return any(
            state in states and statement(" ".join(query.split()).upper())
            for state, query in activity(admin, application)
        )

    return check


def staging(query: str) -> bool:
    """Sending the staged values, or reading them back for the diff: both inside staging."""
    return query.startswith("COPY STAGED_VALUES") or (
        query.startswith("SELECT") and "FROM STAGED_VALUES" in query
    )


def publishing(query: str) -> bool:
    """A statement of the publishing transaction that writes the published tables."""
    return query.startswith(
        (
            "INSERT INTO OBSERVATIONS",
            "DELETE FROM CURRENT_VALUES",
            "INSERT INTO CURRENT_VALUES",
            "ALTER TABLE CURRENT_VALUES",
        )
    )


@contextmanager
def writes_held(engine: sa.Engine, table: str) -> Iterator[Callable[[], None]]:
    """Hold writes to `table` (reads go on): a publication then waits inside its transaction.

    A publication of 13,376 values takes milliseconds, less than a poll of the server's activity
    can be sure to see; held at its first write of `table`, it is inside its transaction until
    released. Yields the release.
    """
    conn = engine.connect()
    transaction = conn.begin()
    conn.execute(sa.text(f"LOCK TABLE {table} IN SHARE MODE"))
    released = False

    def release() -> None:
        nonlocal released
        if not released:
            transaction.rollback()
            released = True

    try:
        yield release
    finally:
        release()
        conn.close()


def upload_published(engine: sa.Engine) -> Callable[[], bool]:
    """True once the big upload's publication is committed (PostgreSQL lets another session look)."""

    def check() -> bool:
        with engine.connect() as conn:
            query = sa.select(sa.func.count()).where(s.uploads.c.status == "published")
            return int(conn.execute(query).scalar_one()) > 1  # the seed, then the big file

    return check


@pytest.mark.postgres
def test_postgres_killed_inside_a_transaction_leaves_no_partial_upload(
    big_csv: Path, plan: Plan, tmp_path: Path, postgres_schemas: Callable[[str], str]
) -> None:
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")

    def fresh(application: str) -> str:
        url = postgres_schemas(application)
        engine = make_engine(url)
        seed(engine, plan, tmp_path)
        engine.dispose()
        return url

    reference = make_engine(fresh("dem-crash-reference"))
    states = reference_states(reference, plan, big_csv)
    reference.dispose()

    kills = {
        "inside staging (COPY staged_values, diff)": (staging, "before"),
        "inside publishing (writing the published tables)": (publishing, "staged"),
        "after publishing committed": (None, "published"),
    }
    outcomes = {}
    for label, (statement, _expected) in kills.items():
        application = f"dem-crash-{uuid.uuid4().hex[:8]}"
        url = fresh(application)
        engine = make_engine(url.replace(application, "dem-crash-observer"))
        before = snapshot(engine)
        wanted = inside(admin, application, statement) if statement else upload_published(engine)
        with (
            writes_held(engine, "current_values")
            if statement is publishing
            else nullcontext(lambda: None) as release
        ):
            killed = kill_when(
                admin, application, ingest_command(big_csv), dem_env(url, tmp_path), wanted, release
            )
        assert killed, f"the process ended before {label}"
        outcomes[label] = states.name(content(engine))
        if outcomes[label] == "before":
            assert snapshot(engine) == before
        if outcomes[label] == "staged":
            rerun = run_to_completion(url, tmp_path, big_csv)
            assert rerun.returncode == 0, rerun.stdout[-2000:] + rerun.stderr[-2000:]
            assert states.name(content(engine)) == "published"
        engine.dispose()
    assert outcomes == {label: expected for label, (_, expected) in kills.items()}
    admin.dispose()


# ------------------------------------------------------------------ SIGKILL loop: `dem publish`

#: Kills per backend; each lands at a random moment of a `dem publish` of the big staged upload.
LOOP_KILLS = 10
LOOP_SEED = 20261201  # the moments are random but the same on every run (reproducible failures)


def kill_moment(rng: random.Random, run: int, window: float) -> float:
    """A random moment in the run-th of LOOP_KILLS equal slices of the window (and a little beyond).

    Stratified, so that every part of the publication is hit: the start of the transaction, the
    inserts, the commit, and the moments after it while the process prints and exits.
    """
    slice_ = 1.2 * window / LOOP_KILLS
    return (run + rng.random()) * slice_


def publish_command(upload_id: int) -> list[str]:
    return [str(DEM), "publish", str(upload_id), "--confirm-warnings", "--reason", REASON]


def holds_file(pid: int, path: Path) -> bool:
    """Whether process `pid` has `path` open (a DuckDB client has connected: its start-up is over)."""
    try:
        return any(os.readlink(f"/proc/{pid}/fd/{fd}") == str(path) for fd in os.listdir(f"/proc/{pid}/fd"))
    except OSError:  # the process ended, or an fd closed while listing
        return False


def publish_and_kill(
    command: list[str], env: dict[str, str], connected: Callable[[int], bool], delay: float
) -> str:
    """Start `command`; once it is connected, wait `delay` seconds and SIGKILL it.

    Returns "killed", or "completed" when it ended first. Python's start-up takes seconds here, so
    the delay counts from the connection, where the publishing transaction is about to begin.
    """
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + GIVE_UP_SECONDS
    try:
        while process.poll() is None and not connected(process.pid):
            assert time.monotonic() < deadline, "the process never connected"
            time.sleep(POLL_SECONDS)
        if process.poll() is None:
            try:
                process.wait(timeout=delay)
                return "completed"
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGKILL)
                # it may have ended on its own just before the signal arrived
                return "killed" if process.wait(timeout=GIVE_UP_SECONDS) == -signal.SIGKILL else "completed"
        return "completed"
    finally:
        if process.poll() is None:
            kill(process)


def publish_duration(command: list[str], env: dict[str, str], connected: Callable[[int], bool]) -> float:
    """Seconds from the connection to the end of an uninterrupted run (the window kills are drawn in)."""
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while process.poll() is None and not connected(process.pid):
        time.sleep(POLL_SECONDS)
    start = time.monotonic()
    assert process.wait(timeout=GIVE_UP_SECONDS) == 0
    return time.monotonic() - start


def staged_template(engine: sa.Engine, plan: Plan, big_csv: Path, folder: Path) -> int:
    seed(engine, plan, folder)
    staged = svc.stage_upload(engine=engine, plan=plan, path=big_csv, actor=system_actor(USER))
    assert staged.status == "staged"
    return staged.upload_id or 0


def check_loop(outcomes: list[tuple[str, str]], backend: str) -> None:
    """Every run left the upload staged in full or published in full, never between."""
    sys.stderr.write(f"SIGKILL loop on {backend}: {outcomes}\n")  # the figures the hardening report quotes
    assert all(state in ("staged", "published") for _, state in outcomes), outcomes
    assert [state for how, state in outcomes if how == "completed"] == ["published"] * sum(
        how == "completed" for how, _ in outcomes
    )
    assert any(how == "killed" and state == "staged" for how, state in outcomes), (
        "no kill landed before commit"
    )


def test_duckdb_publish_killed_at_random_moments_is_never_half_done(
    big_csv: Path, plan: Plan, tmp_path: Path
) -> None:
    template = tmp_path / "template.duckdb"
    engine = make_engine(f"duckdb:///{template}")
    upload_id = staged_template(engine, plan, big_csv, tmp_path)
    staged = content(engine)
    engine.dispose()

    def fresh(name: str) -> Path:
        path = tmp_path / f"{name}.duckdb"
        shutil.copyfile(template, path)
        return path

    reference = fresh("reference")
    window = publish_duration(
        publish_command(upload_id),
        dem_env(f"duckdb:///{reference}", tmp_path),
        lambda pid: holds_file(pid, reference),
    )
    engine = make_engine(f"duckdb:///{reference}")
    states = States(before={}, staged=staged, published=content(engine))
    engine.dispose()
    rng = random.Random(LOOP_SEED)
    outcomes = []
    for run in range(LOOP_KILLS):
        path = fresh(f"run{run}")
        delay = kill_moment(rng, run, window)
        how = publish_and_kill(
            publish_command(upload_id),
            dem_env(f"duckdb:///{path}", tmp_path),
            functools.partial(holds_file, path=path),
            delay,
        )
        engine = make_engine(f"duckdb:///{path}")  # replays the write-ahead log the killed process left
        outcomes.append((how, states.name(content(engine))))
        engine.dispose()
        path.unlink()
    check_loop(outcomes, "duckdb")


@pytest.mark.postgres
def test_postgres_publish_killed_at_random_moments_is_never_half_done(
    big_csv: Path, plan: Plan, tmp_path: Path, postgres_schemas: Callable[[str], str]
) -> None:
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")

    def fresh(application: str) -> tuple[str, sa.Engine, int]:
        url = postgres_schemas(application)
        engine = make_engine(url.replace(application, "dem-loop-observer"))
        return url, engine, staged_template(engine, plan, big_csv, tmp_path)

    def connected(application: str) -> Callable[[int], bool]:
        return lambda _pid: bool(activity(admin, application))

    url, engine, upload_id = fresh("dem-loop-reference")
    staged = content(engine)
    window = publish_duration(
        publish_command(upload_id), dem_env(url, tmp_path), connected("dem-loop-reference")
    )
    states = States(before={}, staged=staged, published=content(engine))
    engine.dispose()
    rng = random.Random(LOOP_SEED + 1)
    outcomes = []
    for run in range(LOOP_KILLS):
        application = f"dem-loop-{uuid.uuid4().hex[:8]}"
        url, engine, upload_id = fresh(application)
        how = publish_and_kill(
            publish_command(upload_id),
            dem_env(url, tmp_path),
            connected(application),
            kill_moment(rng, run, window),
        )
        deadline = time.monotonic() + GIVE_UP_SECONDS  # the server rolls back once it finds the client gone
        while activity(admin, application) and time.monotonic() < deadline:
            time.sleep(POLL_SECONDS * 10)
        outcomes.append((how, states.name(content(engine))))
        engine.dispose()
    check_loop(outcomes, "postgresql")
    admin.dispose()
