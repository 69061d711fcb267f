"""Integration fixtures: one migrated PostgreSQL database per test session, the app over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from grocery.adapters.sql import migrate
from grocery.config import Settings
from grocery.entrypoints.app import create_app
from tests.integration.database import fresh_database

pytestmark = pytest.mark.integration


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": "test",
        "database_url": database_url,
        "secret_key": "test-secret-key-that-is-long-enough-for-hs256",
        "storage_url": "memory://",
        "log_level": "WARNING",
        "run_worker": False,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database(tmp_path_factory.mktemp("pg")) as url:
        migrate.upgrade(url)
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture(scope="session")
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture(scope="session")
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app, base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parents[2]
