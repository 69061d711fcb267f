"""Access tokens that must be refused, and refresh-token rotation on PostgreSQL."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from grocery.adapters.security import hash_refresh_token
from grocery.adapters.sql.uow import SqlUnitOfWork
from grocery.config import Settings
from grocery.core.errors import NotAuthenticated
from grocery.core.services.auth import AuthService
from grocery.entrypoints.app import build_auth_service
from grocery.entrypoints.wiring import Adapters
from tests.integration.catalog_shop import Client
from tests.integration.conftest import MakeUser, SignedInUser
from tests.integration.forgeries import FORGERIES, claims_for, forge


async def tokens_for(client: Client, user: SignedInUser) -> dict[str, Any]:
    response = await client.post(
        "/api/auth/login", json={"username": user.username, "password": user.password}
    )
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def refresh(client: Client, token: str) -> Any:
    return await client.post("/api/auth/refresh", json={"refresh_token": token})


def code_of(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["code"]


# --- access tokens that must be refused -----------------------------------------


@pytest.mark.parametrize("kind", [*FORGERIES, "garbage"])
async def test_bad_access_tokens_are_401(
    client: Client, make_user: MakeUser, settings: Settings, kind: str
) -> None:
    user = await make_user()
    token = forge(kind, user, settings)
    response = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert code_of(response) == (401, "invalid_token")
    assert response.headers["www-authenticate"] == "Bearer"


async def test_a_well_made_token_is_accepted(
    client: Client, make_user: MakeUser, settings: Settings
) -> None:
    user = await make_user()
    token = jwt.encode(claims_for(user, settings), settings.secret_key, "HS256")
    response = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


async def test_a_refresh_token_is_not_an_access_token(client: Client, make_user: MakeUser) -> None:
    tokens = await tokens_for(client, await make_user())
    response = await client.get(
        "/api/auth/me", headers={"Authorization": f"Bearer {tokens['refresh_token']}"}
    )
    assert code_of(response) == (401, "invalid_token")


async def test_an_access_token_is_not_a_refresh_token(client: Client, make_user: MakeUser) -> None:
    tokens = await tokens_for(client, await make_user())
    assert code_of(await refresh(client, tokens["access_token"])) == (401, "invalid_token")


# --- rotation -------------------------------------------------------------------


async def test_refresh_answers_a_new_pair_and_spends_the_old(
    client: Client, make_user: MakeUser
) -> None:
    user = await make_user()
    first = await tokens_for(client, user)
    response = await refresh(client, first["refresh_token"])
    assert response.status_code == 200
    second = response.json()
    assert set(second) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert second["refresh_token"] != first["refresh_token"]
    me = await client.get(
        "/api/auth/me", headers={"Authorization": f"Bearer {second['access_token']}"}
    )
    assert me.json()["id"] == str(user.id)
    assert (await refresh(client, second["refresh_token"])).status_code == 200


async def test_reuse_of_a_spent_token_revokes_the_family(
    client: Client, make_user: MakeUser
) -> None:
    user = await make_user()
    stolen = (await tokens_for(client, user))["refresh_token"]
    latest = (await refresh(client, stolen)).json()["refresh_token"]
    assert code_of(await refresh(client, stolen)) == (401, "token_reused")
    # The rightful holder's newer token died with its family.
    assert code_of(await refresh(client, latest)) == (401, "invalid_token")


async def test_reuse_leaves_other_sessions_alone(client: Client, make_user: MakeUser) -> None:
    user = await make_user()
    phone, laptop = await tokens_for(client, user), await tokens_for(client, user)
    await refresh(client, phone["refresh_token"])
    await refresh(client, phone["refresh_token"])
    assert (await refresh(client, laptop["refresh_token"])).status_code == 200


async def test_an_unknown_refresh_token_is_401(client: Client) -> None:
    assert code_of(await refresh(client, "rt_made-up")) == (401, "invalid_token")


async def test_refresh_carries_the_role_the_database_has_now(
    client: Client, make_user: MakeUser
) -> None:
    admin, shopper = await make_user(role="admin"), await make_user()
    tokens = await tokens_for(client, shopper)
    await client.patch(
        f"/api/admin/users/{shopper.id}", json={"role": "admin"}, headers=admin.headers
    )
    access = (await refresh(client, tokens["refresh_token"])).json()["access_token"]
    assert jwt.decode(access, options={"verify_signature": False})["role"] == "admin"


@pytest.mark.parametrize("attempt", range(5))
async def test_two_concurrent_refreshes_over_http_one_wins(
    client: Client, make_user: MakeUser, attempt: int
) -> None:
    token = (await tokens_for(client, await make_user()))["refresh_token"]
    answers = await asyncio.gather(refresh(client, token), refresh(client, token))
    assert sorted(answer.status_code for answer in answers) == [200, 401]


# --- rotation in the service, racing on the real database ----------------------------


@dataclass
class ShiftedClock:
    """The system clock moved by `offset`, to see tokens from the future's side."""

    offset: timedelta

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


async def test_two_concurrent_refreshes_in_the_service_exactly_one_wins(
    auth_service: AuthService, make_user: MakeUser
) -> None:
    user = await make_user()
    for _ in range(10):
        pair = await auth_service.login(user.password, username=user.username)
        results = await asyncio.gather(
            auth_service.refresh(pair.refresh_token),
            auth_service.refresh(pair.refresh_token),
            return_exceptions=True,
        )
        wins = [result for result in results if not isinstance(result, BaseException)]
        losses = [result for result in results if isinstance(result, NotAuthenticated)]
        assert len(wins) == 1 and len(losses) == 1, results
        assert losses[0].code == "token_reused"


async def test_the_spend_is_a_conditional_update(
    auth_service: AuthService, adapters: Adapters, make_user: MakeUser
) -> None:
    """Two transactions both read the token as live; only one may spend it."""
    user = await make_user()
    pair = await auth_service.login(user.password, username=user.username)
    async with SqlUnitOfWork(adapters.database) as one, SqlUnitOfWork(adapters.database) as two:
        token = await one.refresh_tokens.by_hash(hash_refresh_token(pair.refresh_token))
        assert token is not None
        assert await two.refresh_tokens.by_hash(token.token_hash) == token
        assert await one.refresh_tokens.spend(token.id, datetime.now(UTC))
        await one.commit()
        assert not await two.refresh_tokens.spend(token.id, datetime.now(UTC))


async def test_an_expired_refresh_token_is_401(
    settings: Settings, adapters: Adapters, auth_service: AuthService, make_user: MakeUser
) -> None:
    user = await make_user()
    pair = await auth_service.login(user.password, username=user.username)
    later = Adapters(
        database=adapters.database,
        replica=adapters.replica,
        blobs=adapters.blobs,
        clock=ShiftedClock(timedelta(seconds=settings.refresh_token_ttl_seconds + 1)),
        hasher=adapters.hasher,
        access_tokens=adapters.access_tokens,
        mailer=adapters.mailer,
        gateways=adapters.gateways,
    )
    with pytest.raises(NotAuthenticated) as refused:
        await build_auth_service(settings, later).refresh(pair.refresh_token)
    assert refused.value.code == "invalid_token"
