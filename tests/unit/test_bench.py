"""bench/run's arithmetic: what wrk and the reference script print becomes figures, the
figures become the goals met or missed, and a new run rewrites only its own block of
RESULTS.md. (The run itself is not part of the tests: it takes about ten minutes.)"""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path

import psutil  # type: ignore[import-untyped]
import pytest
from bench import cpu, harness, picking, reference, scenarios, table, wrk

LINE = "ceiling-products          5408 req/s  p50 5.60ms   p99 17.3ms"


def _row(
    scenario: str,
    *,
    rps: float = 1000,
    p50: float = 5,
    p99: float = 10,
    workers: int = 1,
    rss: tuple[float, ...] = (120.0,),
) -> table.Row:
    figures = wrk.Figures(requests_per_s=rps, p50_ms=p50, p99_ms=p99, failures=0, requests=1)
    return table.Row(scenario, workers, 32, figures, rss)


def _refs(ceiling: float = 2000, drf: float = 200) -> list[reference.Reference]:
    return [
        reference.Reference("ceiling-products", ceiling, 5, 10),
        reference.Reference("drf-cursor-products", drf, 50, 90),
    ]


def _goals(rows: list[table.Row], refs: list[reference.Reference]) -> dict[str, bool]:
    return {goal.name: goal.met for goal in harness.goals(rows, refs)}


def test_a_reference_line_reads_in_milliseconds_whatever_its_units() -> None:
    found = reference._reference(reference._LINE.match(LINE))  # type: ignore[arg-type]
    assert found == reference.Reference("ceiling-products", 5408.0, 5.6, 17.3)
    assert reference._duration_ms("850us") == pytest.approx(0.85)
    assert reference._duration_ms("1.5s") == 1500.0


def test_a_timed_scenario_counts_only_its_timed_requests_that_succeeded() -> None:
    summary = wrk._Summary(
        requests=8000,
        duration_us=10_000_000,
        status_errors=3,
        socket_errors=1,
        p50_us=20_000,
        p99_us=50_000,
        timed=4000,
        timed_failures=10,
        timed_p50_us=40_000,
        timed_p99_us=70_000,
    )

    figures = wrk._figures(summary)

    assert (figures.requests_per_s, figures.p50_ms, figures.p99_ms) == (399.0, 40.0, 70.0)
    assert (figures.failures, figures.requests) == (10, 4000)
    assert figures.note == "800 req/s all requests, 4 non-2xx/errors"


def test_an_untimed_scenario_counts_every_request_and_every_error() -> None:
    summary = wrk._Summary(
        requests=20_000,
        duration_us=10_000_000,
        status_errors=2,
        socket_errors=5,
        p50_us=6_000,
        p99_us=15_000,
    )

    figures = wrk._figures(summary)

    assert (figures.requests_per_s, figures.p50_ms, figures.p99_ms) == (2000.0, 6.0, 15.0)
    assert (figures.failures, figures.note) == (7, "")


def test_goals_hold_at_their_bounds_and_miss_past_them() -> None:
    met = [
        _row("popular page", rps=1000),  # exactly half the ceiling, 5x the DRF peer
        _row("search", p99=49.9),
        _row("checkout, distinct products", p99=99.9),
        _row("report sales-by-product", p50=199.9),
    ]
    missed = [
        _row("popular page", rps=999),
        _row("search", p99=50),
        _row("checkout, distinct products", p99=100),
        _row("report sales-by-product", p50=200, rss=(120.0, 200.0)),
    ]

    assert all(_goals(met, _refs()).values())
    assert len(_goals(met, _refs())) == 6
    assert not any(_goals(missed, _refs()).values())


def test_goals_read_the_one_worker_rows_and_skip_what_was_not_run() -> None:
    rows = [
        _row("checkout, distinct products", p99=150, workers=2),
        _row("checkout, distinct products", p99=70),
    ]

    goals = _goals(rows, [])

    assert goals == {
        "checkout p99 < 100 ms, 32 customers, distinct products": True,
        "RSS < 200 MiB per worker": True,
    }


def test_each_row_is_divided_by_the_reference_rows_of_its_own_work() -> None:
    rows = [
        _row("popular page", rps=1000, p99=20),
        _row("popular page", rps=1800, workers=2),
        _row("checkout, distinct products", rps=300, p99=60),
        _row("search", rps=500),
    ]
    refs = [
        *_refs(ceiling=2000, drf=200),
        reference.Reference("ceiling-checkout", 600, 10, 30),
        reference.Reference("drf-checkout", 100, 100, 240),
    ]

    assert table.reference_ratios(rows, refs) == [
        "popular page (1 worker) / ceiling-products: req/s 0.50, p99 2.00",
        "popular page (1 worker) / drf-cursor-products: req/s 5.00, p99 0.22",
        "checkout, distinct products (1 worker) / ceiling-checkout: req/s 0.50, p99 2.00",
        "checkout, distinct products (1 worker) / drf-checkout: req/s 3.00, p99 0.25",
    ]
    assert table.reference_ratios(rows[2:], _refs()) == []  # no checkout reference: no line
    assert table.reference_ratios([], refs) == []


def test_a_payment_providers_own_cpu_is_noted_apart_from_the_workers() -> None:
    paid = _row("checkout, distinct products, stripe")
    rows = [_row("checkout, distinct products"), dataclasses.replace(paid, provider_ms=1.5)]

    assert table.notes(rows) == [
        "checkout, distinct products, stripe (1 worker): the payment provider (localstripe)"
        " spent 1.50 ms CPU per request besides the worker's"
    ]


def test_without_the_reference_script_there_are_no_reference_rows(tmp_path: Path) -> None:
    found, output = reference.run(tmp_path, "postgresql://nowhere", 1, 1)

    assert found == []
    assert "no reference script" in output


def test_bench_only_picks_scenarios_by_name_prefix() -> None:
    config = harness.Config.of({"BENCH_ONLY": "checkout, report sales-by-product"})
    every = [
        "popular page",
        "checkout, distinct products",
        "checkout, one hot product",
        "report sales-by-product",
        "report sales-by-category",
    ]

    wanted = [name for name in every if config.wanted(scenarios.Scenario(name, "", ""))]

    # "checkout, distinct products" holds the separator: both checkouts come by prefix.
    assert wanted == every[1:4]


def test_the_picking_orders_are_made_only_when_their_scenario_is_wanted() -> None:
    assert harness.Config.of({"BENCH_ONLY": "picking"}).wants(scenarios.PICKING)
    assert harness.Config.of({}).wants(scenarios.PICKING)
    assert not harness.Config.of({"BENCH_ONLY": "checkout"}).wants(scenarios.PICKING)


def test_the_bench_order_is_weighed_over_its_estimate_and_picked_short_on_some_lines() -> None:
    weighed = {"quantity": 4, "estimated_weight_kg": "1.000"}
    by_the_piece = {"quantity": 2, "estimated_weight_kg": None}

    assert picking.pick(0, weighed) == {"picked_quantity": 4, "picked_weight_kg": "1.050"}
    assert picking.pick(picking.SHORT[0], by_the_piece) == {"picked_quantity": 1}
    assert picking.pick(picking.SHORT[0], {**by_the_piece, "quantity": 1}) == {"picked_quantity": 1}
    assert picking.pick(picking.SHORT[0] + 1, by_the_piece) == {"picked_quantity": 2}


def test_a_run_rewrites_its_own_block_and_keeps_the_notes_around_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = tmp_path / "RESULTS.md"
    begin, end = harness.RESULTS_BEGIN, harness.RESULTS_END
    results.write_text(f"# Benchmark results\n\n{begin}\nold table\n{end}\n\n## Notes\nkept\n")
    monkeypatch.setattr(harness, "RESULTS", results)

    harness.record(harness.Config.of({}), "new table")

    assert results.read_text() == (
        f"# Benchmark results\n\n{begin}\nnew table\n{end}\n\n## Notes\nkept\n"
    )


def test_cpu_spent_counts_a_process_that_started_meanwhile_whole() -> None:
    before = {1: 2.0, 3: 5.0}  # 3 exited meanwhile: what it spent is not known
    after = {1: 2.5, 2: 0.25}

    assert cpu.spent_since(before, after) == 0.75


def test_the_meter_gives_cpu_per_request_and_no_postgres_figure_without_its_processes() -> None:
    meter = cpu.Meter(lambda: [psutil.Process()], None)
    meter.start()
    deadline = time.process_time() + 0.2
    while time.process_time() < deadline:  # burn 200 ms of this process's CPU
        pass

    used = meter.stop(requests=10)

    # The OS counts CPU time in clock ticks (10 ms): allow two ticks short of 200 ms.
    assert used.worker_ms >= 18
    assert used.postgres_ms is None


def test_postgres_is_not_measured_when_the_pid_is_no_local_server_s() -> None:
    assert cpu.postgres_tree(os.getpid()) is None  # its parent is no postgres
    assert cpu.postgres_tree(2**22 + 1) is None  # no such process
