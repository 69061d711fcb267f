"""The reference servers of ../shared/bench/reference/run.sh, measured in the same run."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path("..") / "shared" / "bench" / "reference" / "run.sh"  # from the repo's root

# e.g. "ceiling-products          8123 req/s  p50 3.80ms   p99 6.02ms"
_LINE = re.compile(r"^(?P<name>\S+)\s+(?P<rps>[\d.]+) req/s\s+p50 (?P<p50>\S+)\s+p99 (?P<p99>\S+)")
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class Reference:
    name: str
    requests_per_s: float
    p50_ms: float
    p99_ms: float


def run(repo: Path, dsn: str, seconds: float, connections: int) -> tuple[list[Reference], str]:
    """The reference figures and the script's output (kept for the record when it fails);
    none when the script is not beside the checkout (a clone of the repo alone)."""
    if not (repo / SCRIPT).is_file():
        return [], f"no reference script at {SCRIPT}"
    env = {
        **os.environ,
        "BENCH_DSN": dsn,
        "BENCH_SECONDS": f"{seconds:g}",
        "BENCH_CONNECTIONS": str(connections),
    }
    done = subprocess.run(  # noqa: S603
        [str(SCRIPT)], cwd=repo, env=env, capture_output=True, text=True, check=False
    )
    output = done.stdout + done.stderr
    found = [_reference(match) for match in map(_LINE.match, done.stdout.splitlines()) if match]
    return found, output


def _reference(match: re.Match[str]) -> Reference:
    return Reference(
        match["name"], float(match["rps"]), _duration_ms(match["p50"]), _duration_ms(match["p99"])
    )


def _duration_ms(text: str) -> float:
    number = re.match(r"[\d.]+", text)
    unit = text[number.end() :] if number else ""
    return float(number[0]) * _UNITS.get(unit, 1.0) if number else float("nan")
