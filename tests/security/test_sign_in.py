"""Signing in under attack: no user enumeration (body, status or timing), and a login
throttle that parallel guessing can't slip past."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import httpx
import msgspec
import pytest

from grocery.config import Settings
from tests.integration.catalog_shop import Client
from tests.integration.conftest import TEST_PASSWORD, app_in_this_loop

# The answer's headers that may differ between two requests.
_PER_REQUEST = {"date", "x-request-id", "content-length"}


async def _sign_up(client: Any) -> dict[str, str]:
    name = f"target-{uuid4().hex[:10]}"
    body = {"email": f"{name}@example.com", "username": name, "password": TEST_PASSWORD}
    response = await client.post("/api/auth/register", json=body)
    assert response.status_code == 201, response.text
    return body


def _comparable(response: Any) -> tuple[int, bytes, dict[str, str]]:
    headers = {k: v for k, v in response.headers.items() if k.lower() not in _PER_REQUEST}
    return response.status_code, response.content, headers


@pytest.mark.parametrize("by", ["username", "email"])
async def test_unknown_account_and_wrong_password_look_the_same(client: Client, by: str) -> None:
    account = await _sign_up(client)
    wrong = await client.post(
        "/api/auth/login", json={by: account[by], "password": "wrong-password"}
    )
    ghost = "ghost-" + account[by]
    unknown = await client.post("/api/auth/login", json={by: ghost, "password": "wrong-password"})
    assert wrong.status_code == 401
    assert _comparable(wrong) == _comparable(unknown)


@pytest.fixture
async def costly_hashing(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app with argon2id costs high enough (tens of ms) that skipping a hash would show."""
    costly = msgspec.structs.replace(
        settings, password_hash_time_cost=2, password_hash_memory_kib=32 * 1024
    )
    async with app_in_this_loop(costly) as client:
        yield client


async def _seconds(client: httpx.AsyncClient, body: dict[str, str]) -> float:
    started = time.perf_counter()
    response = await client.post("/api/auth/login", json=body)
    assert response.status_code == 401
    return time.perf_counter() - started


async def test_unknown_account_takes_as_long_as_a_wrong_password(
    costly_hashing: httpx.AsyncClient,
) -> None:
    account = await _sign_up(costly_hashing)
    wrong = {"username": account["username"], "password": "wrong-password"}
    unknown = {"username": "ghost-" + account["username"], "password": "wrong-password"}
    known_times, unknown_times = [], []
    # Taken in turns, so a busy machine slows both alike; fewer rounds than the throttle
    # allows, so every wrong answer is a real check.
    for _ in range(7):
        known_times.append(await _seconds(costly_hashing, wrong))
        unknown_times.append(await _seconds(costly_hashing, unknown))
    ratio = statistics.median(unknown_times) / statistics.median(known_times)
    # Without the dummy hash an unknown account answers in a few per cent of the time.
    assert 1 / 3 < ratio < 3, (known_times, unknown_times)


async def test_parallel_guesses_get_no_more_tries_than_the_limit(
    direct_client: httpx.AsyncClient, settings: Settings
) -> None:
    account = await _sign_up(direct_client)
    guess = {"username": account["username"], "password": "a-wrong-guess"}
    answers = await asyncio.gather(
        *(
            direct_client.post("/api/auth/login", json=guess)
            for _ in range(3 * settings.login_max_failures)
        )
    )
    statuses = [answer.status_code for answer in answers]
    assert set(statuses) <= {401, 429}
    # Each 401 was a password really checked: no more of those than the limit.
    assert statuses.count(401) <= settings.login_max_failures
    right = {"username": account["username"], "password": TEST_PASSWORD}
    assert (await direct_client.post("/api/auth/login", json=right)).status_code == 429


async def test_a_locked_account_does_not_lock_its_neighbours(
    client: Client, settings: Settings
) -> None:
    locked, neighbour = await _sign_up(client), await _sign_up(client)
    guess = {"username": locked["username"], "password": "a-wrong-guess"}
    for _ in range(settings.login_max_failures + 1):
        await client.post("/api/auth/login", json=guess)
    assert (await client.post("/api/auth/login", json=guess)).status_code == 429
    right = {"username": neighbour["username"], "password": TEST_PASSWORD}
    assert (await client.post("/api/auth/login", json=right)).status_code == 200


async def test_guessing_through_change_password_counts_too(
    client: Client, settings: Settings
) -> None:
    """A stolen access token must not become an unthrottled password oracle."""
    account = await _sign_up(client)
    pair = await client.post(
        "/api/auth/login", json={"username": account["username"], "password": TEST_PASSWORD}
    )
    headers = {"Authorization": f"Bearer {pair.json()['access_token']}"}
    guess = {"current_password": "a-wrong-guess", "new_password": "another-password"}
    statuses = [
        (await client.post("/api/auth/change-password", json=guess, headers=headers)).status_code
        for _ in range(settings.login_max_failures + 2)
    ]
    assert statuses[: settings.login_max_failures] == [401] * settings.login_max_failures
    assert statuses[-1] == 429
