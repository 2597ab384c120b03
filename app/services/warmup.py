"""Preparing what the first visitor would wait for, once per data version, before anyone asks.

At national scale the first visit of the overview after a publication computes progress over 12M
values (about 3 s) and draws its charts: 6.7 s to network-idle, against 1.1 s once its data are
in the app's `DataCache`. The cache keeps results per data version, so after every publish or
rollback the next visitor pays that again. `Warmup` is the scheduler's answer: it checks the data
version (one indexed max()) every few seconds and, when it has moved, runs `warm` (app.main wires
the dashboard's page renders in), so the results are there when the first visitor comes. A visitor
who arrives while it runs waits for the same computation (`DataCache` gates it) instead of
starting a second one.

Each instance has its own cache, so each warms its own: this is not a leased job.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import sqlalchemy as sa

from app.services.cache import current_version

log = logging.getLogger(__name__)
#: how the log line of a finished warm-up begins (the web benchmark waits for it)
WARMED = "pages warmed for data version"


class Warmup:
    """Runs `warm` once for each data version it finds: at its first check, then after every change."""

    def __init__(self, *, engine: sa.Engine, warm: Callable[[], object]) -> None:
        self._engine = engine
        self._warm = warm
        self._warmed: tuple[int | None] | None = None  # the version last warmed, boxed (None is one)

    def __call__(self) -> bool:
        """Warm if the data version moved since the last run; True when it did.

        The version is read before warming, so a publication during the run is warmed at the next
        check. A failing `warm` is logged and not retried for the same version (at national scale
        a retry every few seconds would keep a core busy for nothing).
        """
        try:
            version = current_version(self._engine)
        except sa.exc.SQLAlchemyError as exc:  # the database is down or not set up: /healthz says so
            log.warning("page warm-up skipped: the data version could not be read (%s)", type(exc).__name__)
            return False
        if self._warmed == (version,):
            return False
        started = time.perf_counter()
        try:
            self._warm()
        except Exception:
            log.exception("warming the pages for data version %s failed", version)
        else:
            log.info("%s %s in %.2f s", WARMED, version, time.perf_counter() - started)
        self._warmed = (version,)
        return True
