"""The run's one table, its ratios to the references, goals and invariants: printed and as
Markdown for bench/RESULTS.md."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bench.cpu import CpuUse
from bench.invariants import Check
from bench.reference import Reference
from bench.wrk import Figures


@dataclass(frozen=True)
class Row:
    scenario: str
    workers: int
    connections: int
    figures: Figures
    rss_mib: Sequence[float]  # each worker's, after the scenario
    cpu: CpuUse | None = None  # per request, over the measured run
    provider_ms: float | None = None  # the payment provider's own CPU per request, when local


@dataclass(frozen=True)
class Goal:
    name: str
    met: bool
    figure: str


HEADER = (
    "scenario",
    "workers",
    "conns",
    "req/s",
    "p50 ms",
    "p99 ms",
    "non-2xx/err",
    "RSS MiB",
    "worker CPU ms/req",
    "PG CPU ms/req",
)


def rows_text(rows: Sequence[Row], references: Sequence[Reference]) -> list[tuple[str, ...]]:
    lines: list[tuple[str, ...]] = [
        (
            row.scenario,
            str(row.workers),
            str(row.connections),
            f"{row.figures.requests_per_s:.0f}",
            f"{row.figures.p50_ms:.1f}",
            f"{row.figures.p99_ms:.1f}",
            str(row.figures.failures),
            " / ".join(f"{rss:.0f}" for rss in row.rss_mib),
            *_cpu_cells(row.cpu),
        )
        for row in rows
    ]
    lines += [
        (
            f"reference: {ref.name}",
            "1",
            "",
            f"{ref.requests_per_s:.0f}",
            f"{ref.p50_ms:.1f}",
            f"{ref.p99_ms:.1f}",
            "",
            "",
            "",
            "",
        )
        for ref in references
    ]
    return lines


# Each of our rows is compared with the reference rows that serve the same work: the catalog
# page with the *-products servers, checkout with the *-checkout ones (same load script).
PAIRS = (("popular page", "-products"), ("checkout, distinct products", "-checkout"))


def reference_ratios(rows: Sequence[Row], references: Sequence[Reference]) -> list[str]:
    """Our one-worker row over each reference row of the same work: req/s and p99."""
    found = []
    for scenario, suffix in PAIRS:
        ours = next((r for r in rows if r.scenario == scenario and r.workers == 1), None)
        for ref in references:
            if ours is None or not ref.name.endswith(suffix):
                continue
            rps = ours.figures.requests_per_s / ref.requests_per_s
            p99 = ours.figures.p99_ms / ref.p99_ms
            found.append(f"{scenario} (1 worker) / {ref.name}: req/s {rps:.2f}, p99 {p99:.2f}")
    return found


def _cpu_cells(cpu: CpuUse | None) -> tuple[str, str]:
    if cpu is None:
        return "", ""
    postgres = "" if cpu.postgres_ms is None else f"{cpu.postgres_ms:.2f}"
    return f"{cpu.worker_ms:.2f}", postgres


def plain(rows: Sequence[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in (HEADER, *rows)) for i in range(len(HEADER))]
    return "\n".join(
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in (HEADER, *rows)
    )


def markdown(rows: Sequence[tuple[str, ...]]) -> str:
    head = "| " + " | ".join(HEADER) + " |"
    rule = "|" + "|".join("---" if i == 0 else "---:" for i in range(len(HEADER))) + "|"
    return "\n".join([head, rule, *("| " + " | ".join(row) + " |" for row in rows)])


def notes(rows: Sequence[Row]) -> list[str]:
    return [
        f"{row.scenario} ({row.workers} worker): {row.figures.note}"
        for row in rows
        if row.figures.note
    ] + [
        f"{row.scenario} ({row.workers} worker): the payment provider (localstripe) spent"
        f" {row.provider_ms:.2f} ms CPU per request besides the worker's"
        for row in rows
        if row.provider_ms is not None
    ]


def checks_text(checks: Sequence[Check]) -> list[str]:
    return [f"{'ok  ' if c.passed else 'FAIL'} {c.name}: {c.detail}" for c in checks]


def goals_text(goals: Sequence[Goal]) -> list[str]:
    return [f"{'met   ' if g.met else 'MISSED'} {g.name}: {g.figure}" for g in goals]
