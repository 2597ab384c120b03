"""Reading an upload in a worker process with a memory cap and a time limit: a file never kills the service.

The readers bound what they allocate (etl.limits), but they run native code (calamine, pandas'
C parser) on untrusted bytes; a failure there aborts the process that runs it, which in the
service is the API, the dashboard and the scheduler at once. So `stage_upload` reads through
`read_upload`, which runs `etl.read_upload` in a child process:
- the child comes from a forkserver (a clean process started once, with etl imported, that forks
  a child per file in milliseconds; it carries none of the service's threads or connections);
- the child limits its own address space (RLIMIT_AS) to `memory_mib` before it reads anything;
- the parent waits at most `seconds`, then kills it.
A child that runs out of memory, is killed or times out becomes a rejected upload with a Chinese
message (`read-memory-exceeded`, `read-time-exceeded`, `read-failed`), like any unreadable file.

Unlike multiprocessing's default, the child does not re-import the parent's `__main__` (a script
that stages a file without an `if __name__ == "__main__"` guard would otherwise run again inside
every worker, and open the DuckDB file the parent holds): `_Popen` launches it without the main
module's path, which the worker never needs. A process that is itself a multiprocessing child reads
in-process, so no chain of workers can start.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
import multiprocessing
import os
import resource
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing import context, forkserver, popen_forkserver, reduction, spawn, util
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import etl
from app.config import Settings
from etl.limits import MIB
from etl.report import ErrorCode
from etl.text import frame_of
from indicators.model import Plan

log = logging.getLogger(__name__)

#: Modules the forkserver imports once, so that each child starts with them loaded.
PRELOAD = ["etl", "indicators.plan", "app.services.reading"]
DEFAULT_MEMORY_MIB = 4096
DEFAULT_SECONDS = 180.0


@dataclass(frozen=True)
class ReadOptions:
    """How uploads are read: the readers' limits, and the worker's memory and time (docs/configuration.md)."""

    limits: etl.ReadLimits = field(default_factory=etl.ReadLimits)
    isolated: bool = True
    memory_mib: int = DEFAULT_MEMORY_MIB
    seconds: float = DEFAULT_SECONDS

    @classmethod
    def from_settings(cls, settings: Settings) -> ReadOptions:
        """The options the service's settings (`DEM_UPLOAD_*`) ask for."""
        return cls(
            limits=etl.ReadLimits(
                max_rows=settings.upload_max_rows,
                max_columns=settings.upload_max_columns,
                max_cells=settings.upload_max_cells,
                max_part_bytes=settings.upload_max_part_mib * MIB,
                max_archive_bytes=settings.upload_max_archive_mib * MIB,
            ),
            isolated=settings.upload_read_isolated,
            memory_mib=settings.upload_read_memory_mib,
            seconds=settings.upload_read_seconds,
        )


def start_worker_server(options: ReadOptions | None = None) -> None:
    """Start the forkserver now, so that its imports overlap with the caller's work.

    The first read of a process otherwise waits about a second for the forkserver to import etl
    before the worker can fork; started when an upload arrives, that happens while the file is
    copied and hashed and the published values are fetched. Nothing happens when reads are not
    isolated or the server already runs.
    """
    options = options or ReadOptions()
    if not options.isolated or multiprocessing.parent_process() is not None:
        return
    multiprocessing.get_context("forkserver").set_forkserver_preload(PRELOAD)
    with _worker_environment():
        forkserver.ensure_running()


def read_upload(
    path: Path,
    *,
    plan: Plan,
    published: pd.DataFrame,
    today: dt.date | None,
    sha256: str,
    options: ReadOptions | None = None,
) -> etl.UploadResult:
    """`etl.read_upload` in a capped worker (or in-process when `options.isolated` is off)."""
    options = options or ReadOptions()
    if not options.isolated or multiprocessing.parent_process() is not None:
        # inside a multiprocessing child (a pool's worker, say): no workers of workers
        return etl.read_upload(
            path, plan=plan, published=published, limits=options.limits, today=today, sha256=sha256
        )
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    with _worker_environment():
        forkserver.ensure_running()  # started once, with the workers' allocator settings
    receiver, sender = context.Pipe(duplex=False)
    worker = _Worker(
        target=_work,
        args=(sender, str(path), plan, published, options.limits, today, sha256, options.memory_mib * MIB),
        name=f"dem-read-{path.name}",
    )
    worker.start()
    sender.close()
    try:
        outcome = _wait(receiver, options.seconds)
    finally:
        receiver.close()
        if worker.is_alive():
            worker.kill()
        worker.join()
    if isinstance(outcome, etl.UploadResult):
        return outcome
    code = outcome if outcome != "died" else _cause(worker.exitcode)
    log.warning("upload %s: reading worker ended with %s (exit code %s)", path.name, code, worker.exitcode)
    return etl.failed_upload(path.name, sha256, path.stat().st_size, _failure(code, options))


class _Popen(popen_forkserver.Popen):
    """forkserver's launcher, minus the instruction to re-import the parent's `__main__` in the child.

    The body is `multiprocessing.popen_forkserver.Popen._launch` of Python 3.11 with the two
    `init_main_from_*` keys removed from the preparation data; the worker's target lives in this
    module, which the forkserver has imported already.
    """

    def _launch(self, process_obj: Any) -> None:
        prep_data = spawn.get_preparation_data(process_obj._name)
        prep_data.pop("init_main_from_path", None)
        prep_data.pop("init_main_from_name", None)
        buf = io.BytesIO()
        context.set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buf)
            reduction.dump(process_obj, buf)
        finally:
            context.set_spawning_popen(None)
        self.sentinel, w = forkserver.connect_to_new_process(self._fds)  # type: ignore[attr-defined]
        parent_w = os.dup(w)  # the parent's sentinel, as in the standard launcher
        self.finalizer = util.Finalize(self, util.close_fds, (parent_w, self.sentinel))  # type: ignore[attr-defined]
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _Worker(context.ForkServerProcess):
    """A forkserver process launched by `_Popen`."""

    @staticmethod
    def _Popen(process_obj: Any) -> _Popen:  # noqa: N802 - multiprocessing's name
        return _Popen(process_obj)


def _wait(receiver: Connection, seconds: float) -> etl.UploadResult | str:
    """The worker's result, or why there is none: `timeout`, `memory`, `error` or `died`."""
    if not receiver.poll(seconds):
        return "timeout"
    try:
        status, payload = receiver.recv()
    except (EOFError, OSError):
        return "died"
    except MemoryError:  # the parent cannot even hold the answer: as if the child had run out
        return "memory"
    if status == "ok":
        values, report, sha256, rows_read = payload
        return etl.UploadResult(_expanded(values), report, sha256, rows_read)
    log.warning("reading worker reported %s: %s", status, payload)
    return str(status)


def _cause(exitcode: int | None) -> str:
    """A child killed by SIGABRT (a native allocation failed) or SIGKILL (the kernel's OOM killer)
    ran out of memory; anything else is a failure of its own."""
    return "memory" if exitcode in (-6, -9) else "error"


def _failure(code: str, options: ReadOptions) -> etl.UnreadableFile:
    if code == "timeout":
        return etl.UnreadableFile(
            ErrorCode.READ_TIME_EXCEEDED,
            f"读取文件超过 {options.seconds:g} 秒仍未完成，已停止：文件可能过大或结构异常，"
            "请拆分或简化后重新上传",
            f"reading the file took longer than {options.seconds:g} s and was stopped: it may be too large "
            "or oddly built; split or simplify it",
        )
    if code == "memory":
        return etl.UnreadableFile(
            ErrorCode.READ_MEMORY_EXCEEDED,
            f"读取文件所需内存超过 {options.memory_mib:,} MiB 的上限，已停止："
            "文件可能过大或是恶意构造的文件，"
            "请拆分后重新上传",
            f"reading the file needed more than the {options.memory_mib:,} MiB memory limit and was stopped: "
            "it may be too large, or built to exhaust memory; split it",
        )
    return etl.UnreadableFile(
        ErrorCode.READ_FAILED,
        "读取文件时出错，未能完成：请检查文件能否用 Excel 正常打开，另存后重新上传",
        "reading the file failed: check that it opens in Excel, save it again and re-upload",
    )


def _work(
    sender: Connection,
    path: str,
    plan: Plan,
    published: pd.DataFrame,
    limits: etl.ReadLimits,
    today: dt.date | None,
    sha256: str,
    memory_bytes: int,
) -> None:
    """The worker: cap the address space, read, send the result (or what went wrong) back."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    os.environ["RUST_BACKTRACE"] = "0"  # a failed native allocation says so in one line, not forty
    answer: tuple[str, Any]
    try:
        result = etl.read_upload(
            Path(path), plan=plan, published=published, limits=limits, today=today, sha256=sha256
        )
        answer = ("ok", (_compacted(result.values), result.report, result.sha256, result.rows_read))
        del result
    except MemoryError:
        answer = ("memory", None)
    except Exception as exc:  # reported to the parent, which refuses the file with read-failed
        answer = ("error", f"{type(exc).__name__}: {exc}")
    try:
        sender.send(answer)
    except MemoryError:
        sender.send(("memory", None))
    finally:
        sender.close()


#: The forkserver's (hence every worker's) allocators: the cap is on the address space (RLIMIT_AS),
#: and Arrow's default pool (mimalloc) and glibc's per-thread arenas reserve address space well
#: beyond what is in use. A fixed mmap threshold stops glibc raising it to the size of each large
#: block freed (up to 32 MiB), after which the many 1–16 MiB column chunks came from the heap and
#: stayed there once freed. Reading the national 11.6M-value CSV in one process: peak RSS 4,059 MB,
#: VmPeak 4,353 MB with the first two; 2,866 and 3,097 MB with all three (128 KiB: 2,587 and 2,774,
#: but the 10^6-value read 0.8 s slower instead of 0.3; docs/performance.md). Set in the environment
#: the forkserver starts with: glibc and Arrow read them when a process starts.
WORKER_ENVIRONMENT = {
    "ARROW_DEFAULT_MEMORY_POOL": "system",
    "MALLOC_ARENA_MAX": "2",
    "MALLOC_MMAP_THRESHOLD_": str(1 << 20),
}
#: the value columns sent as integer codes and their distinct texts
_CODED_COLUMNS = ("indicator", "region", "period", "note", "sheet")


@contextlib.contextmanager
def _worker_environment() -> Iterator[None]:
    """`WORKER_ENVIRONMENT` while the forkserver starts (a value already set by the operator wins)."""
    added = {k: v for k, v in WORKER_ENVIRONMENT.items() if k not in os.environ}
    os.environ.update(added)
    try:
        yield
    finally:
        for key in added:
            os.environ.pop(key, None)


def _compacted(values: pd.DataFrame) -> dict[str, Any]:
    """The values frame with its text columns as int32 codes and distinct texts (a tenth of the pickle)."""
    compact: dict[str, Any] = {}
    for name in values.columns:
        column = values[name]
        if name in _CODED_COLUMNS:
            codes, uniques = pd.factorize(column.to_numpy(object), use_na_sentinel=True)
            compact[name] = (codes.astype(np.int32), np.asarray(uniques, dtype=object))
        else:
            compact[name] = column.to_numpy()
    return compact


def _expanded(compact: dict[str, Any]) -> pd.DataFrame:
    """`_compacted` undone: the frame `etl.read_upload` returned (None where a text was missing)."""
    columns: dict[str, Any] = {}
    for name, packed in compact.items():
        if isinstance(packed, tuple):
            codes, uniques = packed
            columns[name] = pd.Series(np.append(uniques, [None])[codes], dtype=object, copy=False)
        else:
            columns[name] = pd.Series(packed, copy=False)
    return frame_of(columns) if columns else pd.DataFrame()
