"""Integration fixtures: one migrated PostgreSQL database per test session, the app over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from grocery.adapters.sql import migrate
from grocery.config import Settings
from grocery.core.identity import Role
from grocery.core.services.auth import AuthService
from grocery.entrypoints.app import build_auth_service, create_app
from grocery.entrypoints.wiring import Adapters, build_adapters
from tests.integration.card_shop import card_client, card_shop  # noqa: F401 - fixtures
from tests.integration.catalog_shop import Client, Json, add_category
from tests.integration.checkout_shop import Shop
from tests.integration.database import fresh_database
from tests.integration.mailroom import mailroom, smtp_server  # noqa: F401 - fixtures
from tests.integration.pgbouncer import BOUNCING, pgbouncer_in_front
from tests.integration.stripe_server import localstripe  # noqa: F401 - fixture

pytestmark = pytest.mark.integration


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": "test",
        "database_url": database_url,
        "secret_key": "test-secret-key-that-is-long-enough-for-hs256",
        "storage_url": "memory://",
        "log_level": "WARNING",
        "run_worker": False,
        "db_pgbouncer": BOUNCING,
        # Cheap argon2id so tests don't spend seconds hashing; production keeps the defaults.
        "password_hash_time_cost": 1,
        "password_hash_memory_kib": 1024,
        "password_hash_parallelism": 1,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@asynccontextmanager
async def app_in_this_loop(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app in the caller's own event loop over httpx's ASGI transport, with adapters of its
    own: gathered requests really run at once (the shared test client serves one at a time)."""
    adapters = build_adapters(settings)
    app: Any = create_app(settings, adapters)  # its ASGI types are narrower than httpx spells
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        await adapters.database.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database; with GROCERY_TEST_PGBOUNCER=true, through PgBouncer."""
    scratch = tmp_path_factory.mktemp("pg")
    with fresh_database(scratch) as url:
        migrate.upgrade(url)
        if not BOUNCING:
            yield url
            return
        with pgbouncer_in_front(url, scratch / "pgbouncer.log") as bounced:
            yield bounced


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture(scope="session")
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture(scope="session")
async def adapters(settings: Settings) -> AsyncIterator[Adapters]:
    """Adapters for the tests' own event loop. The test client serves the app on another
    loop, and a pooled connection can't cross loops, so these are not the app's."""
    built = build_adapters(settings)
    yield built
    await built.database.dispose()


@pytest.fixture(scope="session")
def auth_service(settings: Settings, adapters: Adapters) -> AuthService:
    """Wired as the app wires it, for setting up accounts without HTTP."""
    return build_auth_service(settings, adapters)


TEST_PASSWORD = "correct-horse-battery"


@dataclass(frozen=True)
class SignedInUser:
    id: UUID
    username: str
    email: str
    password: str
    role: Role
    headers: dict[str, str]


MakeUser = Callable[..., Awaitable[SignedInUser]]


@pytest.fixture
def make_user(auth_service: AuthService, adapters: Adapters) -> MakeUser:
    """`await make_user(role="manager")`: a fresh account and a valid access token for it."""

    async def make(role: str = "customer", password: str = TEST_PASSWORD) -> SignedInUser:
        username = f"{role}-{uuid4().hex[:12]}"
        email = f"{username}@example.com"
        user = await auth_service.ensure_user(username, email, password, Role(role))
        token, _ = adapters.access_tokens.issue_access(user.principal, adapters.clock.now())
        return SignedInUser(
            id=user.id,
            username=username,
            email=email,
            password=password,
            role=user.role,
            headers={"Authorization": f"Bearer {token}"},
        )

    return make


@pytest.fixture(scope="session")
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as test_client:
        yield test_client


# --- people and shelves: fresh for each test, so tests never share a cart or an aisle -----


@pytest.fixture
async def manager(make_user: MakeUser) -> SignedInUser:
    return await make_user(role="manager")


@pytest.fixture
async def ann(make_user: MakeUser) -> SignedInUser:
    return await make_user()


@pytest.fixture
async def bob(make_user: MakeUser) -> SignedInUser:
    return await make_user()


@pytest.fixture
async def aisle(client: Client, manager: SignedInUser) -> Json:
    return await add_category(client, manager.headers)


@pytest.fixture
def shop(client: Client, manager: SignedInUser, aisle: Json) -> Shop:
    return Shop(client, manager, aisle)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


def server_environment(settings: Settings, scratch: Path, **extra: str) -> dict[str, str]:
    """The environment of a `grocery serve` started by a test: this session's database (through
    PgBouncer when the tests go through it), no worker, `scratch` as its data dir and its
    pictures' store (a directory: its workers share it, as they couldn't a memory store);
    `extra` on top. No GROCERY_ setting of the caller's leaks in."""
    media = scratch / "media"
    media.mkdir(exist_ok=True)
    environment = {key: value for key, value in os.environ.items() if "GROCERY" not in key}
    environment.update(
        GROCERY_ENV="test",
        GROCERY_DATABASE_URL=str(settings.database_url),
        GROCERY_SECRET_KEY=settings.secret_key,
        GROCERY_STORAGE_URL=media.as_uri(),
        GROCERY_DATA_DIR=str(scratch),
        GROCERY_RUN_WORKER="false",
        GROCERY_LOG_LEVEL="warning",
        GROCERY_DB_PGBOUNCER=str(settings.db_pgbouncer).lower(),
        **extra,
    )
    return environment


@pytest.fixture(scope="session")
def live_server(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`grocery serve` in processes of its own (granian, two workers) on a free port, for
    races over real sockets: requests sent together really run together. Its base URL."""
    scratch = tmp_path_factory.mktemp("live-server")  # its cwd: no stray .env is read
    port = free_port()
    environment = server_environment(settings, scratch, GROCERY_DB_POOL_SIZE="8")
    command = [str(Path(sys.executable).parent / "grocery"), "serve", "--workers", "2"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    with (scratch / "server.log").open("wb") as output:
        server = subprocess.Popen(
            command, cwd=scratch, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_until_live(server, base_url, scratch / "server.log")
            yield base_url
        finally:
            stop(server, seconds=15)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop(server: subprocess.Popen[bytes], seconds: float) -> None:
    """SIGTERM, and SIGKILL if the server has not exited within `seconds`."""
    server.terminate()
    try:
        server.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def wait_until_live(server: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    """Until `grocery serve` answers /health/live; its log in the error if it never does."""
    deadline = time.monotonic() + 180  # a loaded machine (CI) may take minutes to start it
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"grocery serve exited:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{base_url}/health/live", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"grocery serve did not come up:\n{log.read_text(errors='replace')}")
