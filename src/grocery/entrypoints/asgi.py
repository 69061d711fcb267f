"""The ASGI app a server process loads: settings from the environment."""

import gc

from litestar import Litestar

from grocery.config import load_settings
from grocery.entrypoints.app import create_app

# Young objects collected every 50,000 allocations instead of 700: a request allocates
# thousands, and the collections cost 4% of a checkout's CPU at 700.
_COLLECT_AFTER = (50_000, 20, 100)


def app_from_environment() -> Litestar:
    app = create_app(load_settings())
    app.on_startup.append(_tune_the_collector)
    return app


def _tune_the_collector() -> None:
    """Keep what startup built (modules, routes, pools: ~160,000 objects) out of the
    collector's scans. Each full collection otherwise walked them all, stalling every request
    in flight for 50-110 ms a few times a minute under load: the p99 of every page."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*_COLLECT_AFTER)
