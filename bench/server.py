"""The shop served the production way: `GROCERY_ENV=production grocery serve --workers N`."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import psutil  # type: ignore[import-untyped]


class Server:
    def __init__(self, process: subprocess.Popen[bytes], port: int) -> None:
        self.process = process
        self.base_url = f"http://127.0.0.1:{port}"

    def workers(self) -> list[psutil.Process]:
        """granian's worker processes: its leaf processes."""
        root = psutil.Process(self.process.pid)
        return [child for child in root.children(recursive=True) if not child.children()]

    def worker_rss_mib(self) -> list[float]:
        """Resident memory of each worker process."""
        return sorted(worker.memory_info().rss / 2**20 for worker in self.workers())


@contextmanager
def serving(
    env: Mapping[str, str], workers: int, port: int, workdir: Path, log: Path
) -> Iterator[Server]:
    """Serve until the block ends. `workdir` keeps a developer's `.env` out of the settings."""
    command = [_grocery(), "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers)]
    with log.open("ab") as output:
        process = subprocess.Popen(  # noqa: S603
            command,
            cwd=workdir,
            env={**os.environ, **env},
            stdout=output,
            stderr=output,
            start_new_session=True,
        )
    server = Server(process, port)
    try:
        _wait_ready(server, log)
        yield server
    finally:
        _stop(process)


def _grocery() -> str:
    found = shutil.which("grocery")
    if found is None:
        raise RuntimeError("the `grocery` command is not on PATH: run through `uv run`")
    return found


def _wait_ready(server: Server, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited; its log is {log}")
        try:
            with urllib.request.urlopen(server.base_url + "/health/ready", timeout=2) as answer:  # noqa: S310 - loopback
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server was not ready in {seconds:.0f} s; its log is {log}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
