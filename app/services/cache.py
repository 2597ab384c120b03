"""Results of reads kept per data version, so that a page never recomputes what no publication changed.

The data version is the id of the newest observation row (`observations.fetch_data_version`): ids
only grow, and every publish, rollback or retraction appends rows, so the version changes exactly
when the published data do. An entry is served only while the version it was computed at is still
the version now; anything older is dropped on the next read. Staging an upload writes no
observation, so a staged (unpublished) file changes nothing here, as it changes no number.

One cache belongs to one app (AppContext.cache): no module-level state. Reads from several threads
(the dashboard's callbacks) are safe. A thread that asks for an entry another thread is computing
waits for it rather than computing it again: at national scale a cold progress takes seconds, and
a second visitor (or a reload) meanwhile would double the work on the same cores.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import pandas as pd
import sqlalchemy as sa

from app.store import observations as obs_store

T = TypeVar("T")
MAX_ENTRIES = 256  # a dashboard's distinct scopes × periods; a progress frame at 50,000 targets is ~30 MB


class DataCache:
    """Computed results keyed by what was asked, valid for the data version they were computed at."""

    def __init__(self, *, max_entries: int = MAX_ENTRIES) -> None:
        self._entries: OrderedDict[Hashable, tuple[int | None, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[tuple[Hashable, int | None], threading.Lock] = {}
        self._max = max_entries
        self.hits = 0
        self.misses = 0

    def get_or_compute(self, key: Hashable, *, version: int | None, compute: Callable[[], T]) -> T:
        """The entry for `key` computed at `version`, or `compute()` stored under that version."""
        with self._lock:
            found = self._hit(key, version)
            if found is not None:
                return found[0]  # type: ignore[no-any-return]
            gate = self._computing.setdefault((key, version), threading.Lock())
        with gate:  # one thread computes an entry; the others wait here, then find it
            with self._lock:
                found = self._hit(key, version)
                if found is not None:
                    return found[0]  # type: ignore[no-any-return]
                self.misses += 1
            try:
                value = compute()
                with self._lock:
                    self._entries[key] = (version, value)
                    self._entries.move_to_end(key)
                    while len(self._entries) > self._max:
                        self._entries.popitem(last=False)
            finally:
                with self._lock:
                    self._computing.pop((key, version), None)
        return value

    def _hit(self, key: Hashable, version: int | None) -> tuple[Any] | None:
        """The entry (in a 1-tuple, as it may be None) if it is there at `version`; the lock is held."""
        found = self._entries.get(key)
        if found is None or found[0] != version:
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return (found[1],)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def current_version(engine: sa.Engine, *, published_before: dt.datetime | None = None) -> int | None:
    """The data version now (or of the values published before a cutoff): one indexed max()."""
    with engine.connect() as conn:
        return obs_store.fetch_data_version(conn, published_before=published_before)


def cached(cache: DataCache | None, *, engine: sa.Engine, key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()` through the cache at the current data version (straight through without a cache).

    The version is read before the data, so an entry can only hold data at least as new as its
    version; one computed across a publication is never served, as the version has moved on.
    A DataFrame comes back as a copy, so a caller that adds a column changes no other page.
    """
    if cache is None:
        return compute()
    value = cache.get_or_compute(key, version=current_version(engine), compute=compute)
    return value.copy() if isinstance(value, pd.DataFrame) else value  # type: ignore[return-value]
