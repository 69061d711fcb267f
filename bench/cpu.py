"""CPU time per request, for the shop's workers and for PostgreSQL, read from the OS around a
scenario's measured run.

On a shared or virtual machine requests per second move by ±10% between identical runs;
the CPU a request costs moves far less, so it is what an A/B of a change compares. The
PostgreSQL figure counts the postmaster and all its children (backends, WAL writer,
checkpointer); it is left out when the server is not a process of this machine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import psutil  # type: ignore[import-untyped]

Processes = Callable[[], list[psutil.Process]]


@dataclass(frozen=True)
class CpuUse:
    """Milliseconds of CPU per request."""

    worker_ms: float
    postgres_ms: float | None


def seconds(processes: Iterable[psutil.Process]) -> dict[int, float]:
    """Each live process's user + system CPU seconds so far, by pid."""
    spent: dict[int, float] = {}
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.Error:  # it exited meanwhile
            continue
        spent[process.pid] = times.user + times.system
    return spent


def spent_since(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds between two readings; a process that started meanwhile counts whole."""
    return sum(total - before.get(pid, 0.0) for pid, total in after.items())


def postgres_tree(backend_pid: int) -> Processes | None:
    """The server's processes, found from one backend's pid, when it runs on this machine."""
    try:
        postmaster = psutil.Process(backend_pid).parent()
    except psutil.Error:
        return None
    if postmaster is None or "postgres" not in postmaster.name():
        return None
    return lambda: [postmaster, *postmaster.children()]


class Meter:
    """Reads the workers' and PostgreSQL's CPU at `start`, and per request at `stop`."""

    def __init__(self, workers: Processes, postgres: Processes | None) -> None:
        self._workers = workers
        self._postgres = postgres
        self._before: tuple[dict[int, float], dict[int, float]] = ({}, {})

    def start(self) -> None:
        self._before = (seconds(self._workers()), self._read_postgres())

    def stop(self, requests: int) -> CpuUse:
        worker = spent_since(self._before[0], seconds(self._workers()))
        per = 1000 / max(requests, 1)
        if self._postgres is None:
            return CpuUse(worker * per, None)
        postgres = spent_since(self._before[1], self._read_postgres())
        return CpuUse(worker * per, postgres * per)

    def _read_postgres(self) -> dict[int, float]:
        return {} if self._postgres is None else seconds(self._postgres())
