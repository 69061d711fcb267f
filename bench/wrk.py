"""Running one wrk scenario and reading the line its Lua `done` prints (bench/lua/common.lua)."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import msgspec

LUA = Path(__file__).resolve().parent / "lua"


class _Summary(msgspec.Struct):
    requests: int
    duration_us: int
    status_errors: int
    socket_errors: int
    p50_us: int
    p99_us: int
    timed: int | None = None
    timed_failures: int | None = None
    timed_p50_us: int | None = None
    timed_p99_us: int | None = None


@dataclass(frozen=True)
class Load:
    """What wrk sends: a base URL, a Lua script, its environment, connections and threads."""

    url: str
    script: str
    env: dict[str, str] = field(default_factory=dict)
    connections: int = 32
    threads: int = 1


@dataclass(frozen=True)
class Figures:
    """A run's outcome. For timed scenarios (checkout) req/s, p50, p99 and failures are
    those of the timed requests alone; `requests_per_s` then counts only successes."""

    requests_per_s: float
    p50_ms: float
    p99_ms: float
    failures: int
    requests: int
    note: str = ""
    all_requests: int = 0  # timed or not: what the server answered


def run(load: Load, seconds: float) -> Figures:
    command = [
        "wrk",
        f"-t{load.threads}",
        f"-c{load.connections}",
        f"-d{seconds}s",
        "--timeout=10s",
        "-s",
        str(LUA / load.script),
        load.url,
    ]
    env = {**os.environ, "BENCH_LUA": str(LUA), **load.env}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)  # noqa: S603
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{done.stdout}\n{done.stderr}")
    return _figures(msgspec.json.decode(line.removeprefix("BENCH "), type=_Summary))


def _figures(summary: _Summary) -> Figures:
    seconds = summary.duration_us / 1e6
    if summary.timed is not None:
        failures = summary.timed_failures or 0
        others = summary.status_errors + summary.socket_errors
        return Figures(
            requests_per_s=(summary.timed - failures) / seconds,
            p50_ms=(summary.timed_p50_us or 0) / 1000,
            p99_ms=(summary.timed_p99_us or 0) / 1000,
            failures=failures,
            requests=summary.timed,
            note=f"{summary.requests / seconds:.0f} req/s all requests, {others} non-2xx/errors",
            all_requests=summary.requests,
        )
    return Figures(
        requests_per_s=summary.requests / seconds,
        p50_ms=summary.p50_us / 1000,
        p99_ms=summary.p99_us / 1000,
        failures=summary.status_errors + summary.socket_errors,
        requests=summary.requests,
        all_requests=summary.requests,
    )
