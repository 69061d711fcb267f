"""The ASGI app a server process loads: settings from the environment."""

from litestar import Litestar

from grocery.config import load_settings
from grocery.entrypoints.app import create_app


def app_from_environment() -> Litestar:
    return create_app(load_settings())
