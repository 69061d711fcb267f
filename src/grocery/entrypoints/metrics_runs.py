"""Where the granian workers of one `grocery serve` run keep their Prometheus figures.

Kept apart from metrics.py on purpose: prometheus-client picks its storage when it is first
imported, so the serving process must name the directory before anything imports it (the
workers it forks inherit both).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"


def start_run_directory(data_dir: str) -> str:
    """This run's fresh directory for the workers' figures, under the data dir; runs whose
    server is gone are cleaned away (another server may share the data dir)."""
    base = Path(data_dir).resolve() / "metrics"
    base.mkdir(parents=True, exist_ok=True)
    for run in base.iterdir():
        if not (run.name.isdigit() and _alive(int(run.name))):
            shutil.rmtree(run, ignore_errors=True)
    mine = base / str(os.getpid())
    shutil.rmtree(mine, ignore_errors=True)
    mine.mkdir()
    return str(mine)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
