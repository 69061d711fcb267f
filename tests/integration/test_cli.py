"""The `grocery` command as an operator runs it: a real server process on the embedded database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.integration.conftest import free_port

GROCERY = [sys.executable, "-m", "grocery.entrypoints.cli"]


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GROCERY_", "DB_", "AWS_"))}
    env.update(GROCERY_DATA_DIR=str(data_dir), GROCERY_LOG_LEVEL="warning", **extra)
    return env


@contextmanager
def running_server(data_dir: Path, *args: str) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [*GROCERY, "serve", "--port", str(port), *args],
        env=cli_env(data_dir, GROCERY_RUN_WORKER="false"),
        cwd=data_dir.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(base, process)
        yield base
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            raise


def _wait_until_ready(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            pytest.fail(f"grocery serve exited early:\n{output[-3000:]}")
        try:
            if httpx.get(f"{base}/health/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail("grocery serve did not become ready")


def shop_state(base: str) -> tuple[int, str]:
    products = 0
    cursor: str | None = None
    while True:
        params = {"limit": "100", **({"cursor": cursor} if cursor else {})}
        page = httpx.get(f"{base}/api/products", params=params, timeout=10).json()
        products += len(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    login = httpx.post(
        f"{base}/api/auth/login",
        json={"username": "customer", "password": "grocery-demo"},
        timeout=10,
    )
    assert login.status_code == 200, login.text
    me = httpx.get(
        f"{base}/api/auth/me",
        headers={"Authorization": f"Bearer {login.json()['access_token']}"},
        timeout=10,
    )
    return products, me.json()["role"]


def test_serve_demo_twice_on_one_data_dir(tmp_path: Path) -> None:
    data_dir = tmp_path / ".grocery"
    with running_server(data_dir, "--demo") as base:
        first = shop_state(base)
    with running_server(data_dir, "--demo") as base:
        second = shop_state(base)
    assert first == (150, "customer")
    assert second == first
    assert not (data_dir / "pgdata" / "postmaster.pid").exists(), "embedded PostgreSQL left running"


def test_bad_setting_stops_start_up_with_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [*GROCERY, "migrate"],
        env=cli_env(tmp_path, GROCERY_CURRENCY="dollars"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "GROCERY_CURRENCY" in result.stderr


def test_create_admin_reads_the_password_from_the_environment(tmp_path: Path) -> None:
    env = cli_env(tmp_path / ".grocery", GROCERY_ADMIN_PASSWORD="a-strong-admin-password")
    made = subprocess.run(
        [*GROCERY, "create-admin", "--username", "boss", "--email", "boss@shop.test"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    assert "a-strong-admin-password" not in made.stdout + made.stderr
    refused = subprocess.run(
        [*GROCERY, "seed-demo"],
        env={
            **env,
            "GROCERY_ENV": "production",
            "GROCERY_SECRET_KEY": "k" * 40,
            "GROCERY_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert refused.returncode == 2
    assert "refused in production" in refused.stderr
