"""The ASGI app a server process loads: settings from the environment."""

import gc

from litestar import Litestar

from grocery.config import load_settings
from grocery.entrypoints.app import create_app


def app_from_environment() -> Litestar:
    app = create_app(load_settings())
    app.on_startup.append(_freeze_startup_objects)
    return app


def _freeze_startup_objects() -> None:
    """Keep what startup built (modules, routes, pools: ~160,000 objects) out of the
    collector's scans. Each full collection otherwise walked them all, stalling every request
    in flight for 50-110 ms a few times a minute under load: the p99 of every page."""
    gc.collect()
    gc.freeze()
