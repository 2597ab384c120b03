"""Rolling back restores exactly what the remaining publications assert, in publication order.

The model: every published upload asserts the values in its file; the current value of a key is the
value of the newest still-published upload that asserts it (unchanged repeats included); a rolled-back
upload asserts nothing. Hand-built sequences pin the cases found by attack (an upload repeating
values unchanged, then the older one rolled back), and a hypothesis state machine compares the store
against the model over random sequences of publications and rollbacks, on both backends.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from app.auth.policy import system_actor
from app.services import setup
from app.services import uploads as svc
from app.store import observations as obs_store
from app.store.engine import make_engine
from indicators.model import Plan
from indicators.plan import DEFAULT_PLAN
from tests.app.test_uploads_service import current, write_csv
from tests.conftest import BACKENDS, empty_database

K1 = ("base_stations_5g", "140100", "2025Q1")
K2 = ("base_stations_5g", "140200", "2025Q1")
K3 = ("base_stations_5g", "140000", "2025Q1")
KEYS = (K1, K2, K3)
START = dt.datetime(2025, 4, 20, 9, 0)
REASON = "更正"

Values = dict[tuple[str, str, str], float]


class Store:
    """Publish and roll back hand-written uploads, each a moment later than the one before."""

    def __init__(self, engine: sa.Engine, plan: Plan, folder: Path) -> None:
        self.engine, self.plan, self.folder = engine, plan, folder
        self.clock = itertools.count(1)

    def _now(self) -> dt.datetime:
        return START + dt.timedelta(minutes=next(self.clock))

    def publish(self, values: Values) -> int | None:
        """Stage and publish; None when the same bytes are already live (a duplicate is not loaded)."""
        rows = [(*key, f"{value:g}") for key, value in values.items()]
        path = write_csv(self.folder / f"{uuid.uuid4().hex}.csv", rows)
        staged = svc.stage_upload(
            engine=self.engine, plan=self.plan, path=path, actor=system_actor("bureau"), now=self._now()
        )
        if staged.status == "duplicate":
            return None
        assert staged.status == "staged", staged.errors
        svc.publish_upload(
            engine=self.engine,
            upload_id=staged.upload_id or 0,
            actor=system_actor("bureau"),
            confirm_warnings=True,
            reason=REASON,
            now=self._now(),
        )
        return staged.upload_id

    def rollback(self, upload_id: int) -> None:
        svc.rollback_upload(
            engine=self.engine, upload_id=upload_id, actor=system_actor("admin"), now=self._now()
        )

    def provenance(self) -> dict[tuple[str, str, str], int]:
        with self.engine.connect() as conn:
            frame = obs_store.fetch_current_values(conn)
        return {(r.indicator, r.region, r.period): int(r.upload_id) for r in frame.itertuples()}


def model(published: list[tuple[int, Values]]) -> tuple[Values, dict[tuple[str, str, str], int]]:
    """The newest still-published assertion per key, and the upload that makes it."""
    values: Values = {}
    owner: dict[tuple[str, str, str], int] = {}
    for upload_id, assertion in published:  # in publication order: later ones win
        for key, value in assertion.items():
            values[key], owner[key] = value, upload_id
    return values, owner


@pytest.fixture
def store(engine: sa.Engine, plan: Plan, tmp_path: Path) -> Store:
    setup.init_database(engine=engine, plan_path=DEFAULT_PLAN)
    return Store(engine, plan, tmp_path)


def test_an_upload_repeating_values_unchanged_keeps_them_when_the_older_is_rolled_back(store: Store) -> None:
    """A: K1=1, K2=2; B: K1=1, K2=2 (unchanged), K3=3. Rolling back A leaves all three, now B's."""
    a = store.publish({K1: 1, K2: 2})
    b = store.publish({K1: 1, K2: 2, K3: 3})
    store.rollback(a or 0)
    assert current(store.engine) == {K1: 1, K2: 2, K3: 3}
    assert store.provenance() == {K1: b, K2: b, K3: b}
    store.rollback(b or 0)
    assert current(store.engine) == {}


def test_rolling_back_the_repeating_upload_keeps_the_older_values(store: Store) -> None:
    """A: K1=1, K2=2; B repeats them and adds K3=3. Rolling back B leaves A's two; K3 is retracted."""
    a = store.publish({K1: 1, K2: 2})
    b = store.publish({K1: 1, K2: 2, K3: 3})
    store.rollback(b or 0)
    assert current(store.engine) == {K1: 1, K2: 2}
    assert store.provenance() == {K1: a, K2: a}


@pytest.mark.parametrize(
    ("rolled_back", "expected"),
    [
        ("A", {K1: 5, K2: 2, K3: 3}),  # B revised K1 and repeats K2: all of B stays
        ("B", {K1: 1, K2: 2}),  # A's values return, B's new K3 goes
    ],
)
def test_a_revising_upload_and_rollback_of_each(store: Store, rolled_back: str, expected: Values) -> None:
    """A: K1=1, K2=2; B: K1=5 (revised), K2=2, K3=3."""
    ids = {"A": store.publish({K1: 1, K2: 2}), "B": store.publish({K1: 5, K2: 2, K3: 3})}
    store.rollback(ids[rolled_back] or 0)
    assert current(store.engine) == expected


@pytest.mark.parametrize(
    ("order", "after_each"),
    [
        # A K1=1, B K1=2, C K1=1 (a revision back); the newest remaining upload decides
        ("CBA", [{K1: 2}, {K1: 1}, {}]),
        ("BCA", [{K1: 1}, {K1: 1}, {}]),
        ("ACB", [{K1: 1}, {K1: 2}, {}]),
        ("BAC", [{K1: 1}, {K1: 1}, {}]),
    ],
)
def test_three_uploads_rolled_back_in_any_order(store: Store, order: str, after_each: list[Values]) -> None:
    ids = {"A": store.publish({K1: 1}), "B": store.publish({K1: 2}), "C": store.publish({K1: 1, K2: 7})}
    for name, expected in zip(order, after_each, strict=True):
        store.rollback(ids[name] or 0)
        assert {k: v for k, v in current(store.engine).items() if k == K1} == expected, name


def test_an_unchanged_repeat_of_a_revision_keeps_it_when_the_revision_is_rolled_back(store: Store) -> None:
    """A K1=1; B K1=2; C K1=2 (unchanged). Rolling back B keeps 2 (C asserts it); then C: back to 1."""
    a = store.publish({K1: 1})
    b = store.publish({K1: 2})
    c = store.publish({K1: 2, K2: 4})
    store.rollback(b or 0)
    assert current(store.engine) == {K1: 2, K2: 4}
    assert store.provenance()[K1] == c
    store.rollback(c or 0)
    assert current(store.engine) == {K1: 1}
    assert store.provenance()[K1] == a


#: Two keys and two values: repeats, revisions and revisions back happen in most sequences.
assertions = st.dictionaries(st.sampled_from((K1, K2)), st.sampled_from([1.0, 2.0]), min_size=1)


class RollbackMachine(RuleBasedStateMachine):
    """Random publications and rollbacks; after each step the store equals the model."""

    def __init__(self, backend: str, plan: Plan, folder: Path) -> None:
        super().__init__()
        self.backend, self.plan, self.folder = backend, plan, folder
        self.published: list[tuple[int, Values]] = []

    @initialize()
    def fresh_database(self) -> None:
        folder = self.folder / uuid.uuid4().hex
        folder.mkdir()
        self._database = empty_database(self.backend, folder)
        engine = make_engine(self._database.__enter__())
        setup.init_database(engine=engine, plan_path=DEFAULT_PLAN)
        self.store = Store(engine, self.plan, folder)

    @rule(values=assertions)
    def publish(self, values: Values) -> None:
        upload_id = self.store.publish(values)
        if upload_id is not None:
            self.published.append((upload_id, values))

    @precondition(lambda self: bool(self.published))
    @rule(key=st.sampled_from((K1, K2, K3)), value=st.sampled_from([1.0, 2.0]))
    def republish_with_one_more(self, key: tuple[str, str, str], value: float) -> None:
        """What bureaus do: send the whole workbook again, unchanged but for one value."""
        self.publish({**self.published[-1][1], key: value})

    @precondition(lambda self: bool(self.published))
    @rule(data=st.data())
    def rollback(self, data: st.DataObject) -> None:
        upload_id, values = data.draw(st.sampled_from(self.published))
        self.store.rollback(upload_id)
        self.published.remove((upload_id, values))

    @invariant()
    def store_equals_model(self) -> None:
        if not hasattr(self, "store"):
            return
        values, owner = model(self.published)
        assert current(self.store.engine) == values
        provenance = self.store.provenance()
        for key, value in values.items():  # the owner asserts the same value as whoever is recorded
            assert dict(self.published)[provenance[key]][key] == value, (key, owner[key])

    def teardown(self) -> None:
        if hasattr(self, "store"):
            self.store.engine.dispose()
            self._database.__exit__(None, None, None)


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_rollback_matches_the_model_over_random_sequences(backend: str, plan: Plan, tmp_path: Path) -> None:
    def machine() -> RollbackMachine:
        return RollbackMachine(backend, plan, tmp_path)

    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=15,
            stateful_step_count=8,
            deadline=None,
            phases=[Phase.explicit, Phase.reuse, Phase.generate],  # a database per example: no shrinking
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
            derandomize=True,
        ),
    )
