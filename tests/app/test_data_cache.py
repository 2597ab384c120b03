"""The data cache computes an entry once, however many threads ask for it meanwhile."""

from __future__ import annotations

import threading

import pytest

from app.services.cache import DataCache


def test_a_thread_asking_for_an_entry_being_computed_waits_for_it() -> None:
    cache = DataCache()
    started, release = threading.Event(), threading.Event()
    calls: list[int] = []
    results: list[str] = []

    def slow() -> str:
        calls.append(1)
        started.set()
        release.wait()
        return "value"

    def ask() -> None:
        results.append(cache.get_or_compute(("k",), version=1, compute=slow))

    first = threading.Thread(target=ask)
    first.start()
    started.wait()  # the first thread is inside compute
    second = threading.Thread(target=ask)
    second.start()
    release.set()
    first.join()
    second.join()
    assert results == ["value", "value"]
    assert len(calls) == 1 and (cache.misses, cache.hits) == (1, 1)


def test_a_failed_computation_is_not_kept_and_the_next_call_computes_again() -> None:
    cache = DataCache()

    def broken() -> str:
        raise RuntimeError("database gone")

    with pytest.raises(RuntimeError):
        cache.get_or_compute(("k",), version=1, compute=broken)
    assert cache.get_or_compute(("k",), version=1, compute=lambda: "value") == "value"
    assert cache.get_or_compute(("k",), version=2, compute=lambda: "newer") == "newer"
    assert len(cache) == 1
