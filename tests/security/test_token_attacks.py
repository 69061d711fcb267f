"""Forged and misused tokens, aimed where they would hurt most: the staff and admin routes.

test_tokens_api covers each forgery on /api/auth/me; here each one also claims the admin
role, and must still be refused everywhere, before any body is read."""

from __future__ import annotations

import time
from dataclasses import replace

import jwt
import pytest

from grocery.config import Settings
from grocery.core.identity import Role
from tests.integration.catalog_shop import Client
from tests.integration.conftest import MakeUser
from tests.integration.forgeries import FORGERIES, claims_for, forge
from tests.security.shop import expect

TARGETS = [
    ("GET", "/api/admin/users"),
    ("GET", "/api/promo-codes"),
    ("POST", "/api/categories"),
    ("GET", "/api/reports/sales-by-product"),
    ("GET", "/api/cart"),
]


async def _answers(
    client: Client, targets: list[tuple[str, str]], token: str
) -> set[tuple[int, str]]:
    seen = set()
    for method, path in targets:
        response = await client.request(
            method, path, json={"name": "x"}, headers={"Authorization": f"Bearer {token}"}
        )
        seen.add((response.status_code, response.json()["code"]))
    return seen


@pytest.mark.parametrize("kind", FORGERIES)
async def test_a_forged_admin_token_is_refused_everywhere(
    client: Client, make_user: MakeUser, settings: Settings, kind: str
) -> None:
    customer = await make_user()
    # Each forgery claims the admin role for a customer, and is wrong in one other way.
    token = forge(kind, replace(customer, role=Role.ADMIN), settings)
    assert await _answers(client, TARGETS, token) == {(401, "invalid_token")}


async def test_a_well_signed_admin_claim_is_checked_against_the_database(
    client: Client, make_user: MakeUser, settings: Settings
) -> None:
    """Even signed with the shop's own key, a role in a token is not the last word."""
    customer = await make_user()
    token = jwt.encode(claims_for(customer, settings, role="admin"), settings.secret_key, "HS256")
    staff_routes = [target for target in TARGETS if target[1] != "/api/cart"]
    assert await _answers(client, staff_routes, token) == {(403, "forbidden")}


async def test_a_token_from_the_future_is_refused(
    client: Client, make_user: MakeUser, settings: Settings
) -> None:
    user = await make_user()
    later = int(time.time()) + 3600
    token = jwt.encode(
        claims_for(user, settings, iat=later, exp=later + 600), settings.secret_key, "HS256"
    )
    response = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert (response.status_code, response.json()["code"]) == (401, "invalid_token")


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc", "bearer a.b", "Bearer a.b.c.d"],
)
async def test_malformed_authorization_headers_are_401(client: Client, header: str) -> None:
    response = await client.get("/api/cart", headers={"Authorization": header})
    assert response.status_code == 401, response.text
    assert response.json()["code"] in ("not_authenticated", "invalid_token")


async def test_a_refresh_token_is_not_an_access_token_on_staff_routes(
    client: Client, make_user: MakeUser
) -> None:
    manager = await make_user(role="manager")
    pair = await expect(
        client.post(
            "/api/auth/login", json={"username": manager.username, "password": manager.password}
        ),
        200,
    )
    assert await _answers(client, TARGETS, pair.json()["refresh_token"]) == {(401, "invalid_token")}


async def test_an_access_token_is_not_a_refresh_token(client: Client, make_user: MakeUser) -> None:
    user = await make_user()
    access = user.headers["Authorization"].removeprefix("Bearer ")
    response = await client.post("/api/auth/refresh", json={"refresh_token": access})
    assert (response.status_code, response.json()["code"]) == (401, "invalid_token")
