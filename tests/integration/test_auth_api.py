"""The Auth table of the contract, row by row, over HTTP on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime
from uuid import uuid4

import pytest
from litestar import get
from litestar.testing import AsyncTestClient

from grocery.core.identity import Principal
from grocery.core.ports.security import AccessTokens
from grocery.entrypoints.app import create_app
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.guards import manager, signed_in
from grocery.entrypoints.wiring import build_adapters
from tests.integration.catalog_shop import Client, assert_problem
from tests.integration.conftest import MakeUser, SignedInUser, make_settings

PASSWORD = "fresh-basil-42"


def new_account(**extra: object) -> dict[str, object]:
    name = f"shopper-{uuid4().hex[:10]}"
    return {"email": f"{name}@Example.com", "username": name, "password": PASSWORD, **extra}


async def signed_up(client: Client) -> dict[str, object]:
    account = new_account()
    assert (await client.post("/api/auth/register", json=account)).status_code == 201
    return account


async def login(client: Client, username: str, password: str = PASSWORD) -> dict[str, object]:
    response = await client.post(
        "/api/auth/login", json={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def bearer(token: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --- register -----------------------------------------------------------------


async def test_register_answers_the_new_customer(client: Client) -> None:
    account = new_account()
    response = await client.post("/api/auth/register", json=account)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "email", "username", "role", "created_at", "email_verified"}
    assert body["email_verified"] is False  # until the mailed link is opened
    assert body["email"] == str(account["email"]).lower()
    assert body["username"] == account["username"]
    assert body["role"] == "customer"
    assert body["created_at"].endswith(("Z", "+00:00"))


async def test_a_role_in_the_register_body_is_ignored(client: Client) -> None:
    account = new_account(role="admin", is_active=False)
    response = await client.post("/api/auth/register", json=account)
    assert response.status_code == 201
    assert response.json()["role"] == "customer"
    tokens = await login(client, str(account["username"]))
    me = await client.get("/api/auth/me", headers=bearer(tokens["access_token"]))
    assert me.json()["role"] == "customer"


async def test_duplicate_email_is_409(client: Client) -> None:
    first = await signed_up(client)
    again = new_account(email=str(first["email"]).upper())
    response = await client.post("/api/auth/register", json=again)
    assert_problem(response, 409, "already_exists")
    assert response.json()["errors"] == [{"field": "email", "message": "is already taken"}]


async def test_duplicate_username_in_any_case_is_409(client: Client) -> None:
    first = await signed_up(client)
    again = new_account(username=str(first["username"]).upper())
    response = await client.post("/api/auth/register", json=again)
    assert_problem(response, 409, "already_exists")
    assert response.json()["errors"][0]["field"] == "username"


async def test_two_simultaneous_sign_ups_for_one_name_one_wins(client: Client) -> None:
    account = new_account()
    answers = await asyncio.gather(
        *(client.post("/api/auth/register", json=account) for _ in range(4))
    )
    assert sorted(answer.status_code for answer in answers) == [201, 409, 409, 409]


@pytest.mark.parametrize(("length", "status"), [(7, 422), (8, 201), (128, 201), (129, 422)])
async def test_password_length_is_8_to_128(client: Client, length: int, status: int) -> None:
    response = await client.post("/api/auth/register", json=new_account(password="p" * length))
    assert response.status_code == status
    if status == 422:
        assert response.json()["code"] == "validation_error"
        assert response.json()["errors"][0]["field"] == "password"


async def test_every_bad_field_is_named_at_once(client: Client) -> None:
    response = await client.post(
        "/api/auth/register", json={"email": "nope", "username": "a b", "password": "short"}
    )
    assert_problem(response, 422, "validation_error")
    assert {error["field"] for error in response.json()["errors"]} == {
        "email",
        "username",
        "password",
    }


async def test_a_missing_field_is_422(client: Client) -> None:
    response = await client.post("/api/auth/register", json={"email": "a@example.com"})
    assert_problem(response, 422, "validation_error")


# --- login --------------------------------------------------------------------


async def test_login_by_username_answers_a_token_pair(client: Client) -> None:
    account = await signed_up(client)
    body = await login(client, str(account["username"]).upper())
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    me = await client.get("/api/auth/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.json()["username"] == account["username"]


async def test_login_by_email(client: Client) -> None:
    account = await signed_up(client)
    response = await client.post(
        "/api/auth/login", json={"email": str(account["email"]).upper(), "password": PASSWORD}
    )
    assert response.status_code == 200
    assert response.json()["refresh_token"].startswith("rt_")


async def test_login_needs_a_username_or_email(client: Client) -> None:
    response = await client.post("/api/auth/login", json={"password": PASSWORD})
    assert_problem(response, 422, "validation_error")


async def test_unknown_user_and_wrong_password_answer_alike(client: Client) -> None:
    account = await signed_up(client)
    wrong = await client.post(
        "/api/auth/login", json={"username": account["username"], "password": "not-it-at-all"}
    )
    unknown = await client.post(
        "/api/auth/login", json={"username": f"ghost-{uuid4().hex}", "password": "not-it-at-all"}
    )
    assert_problem(wrong, 401, "invalid_credentials")
    assert wrong.json() == unknown.json()
    assert wrong.status_code == unknown.status_code
    assert wrong.headers.get("www-authenticate") == unknown.headers.get("www-authenticate")


async def test_too_many_failures_lock_the_account_with_429(client: Client) -> None:
    account = await signed_up(client)
    wrong = {"username": account["username"], "password": "guess-guess"}
    for _ in range(10):  # GROCERY_LOGIN_MAX_FAILURES defaults to 10
        assert (await client.post("/api/auth/login", json=wrong)).status_code == 401
    locked = await client.post("/api/auth/login", json=wrong)
    assert_problem(locked, 429, "too_many_attempts")
    # Even the right password waits out the window: that is what stops the guessing.
    right = {"username": account["username"], "password": PASSWORD}
    assert_problem(await client.post("/api/auth/login", json=right), 429, "too_many_attempts")


async def test_a_success_forgives_earlier_failures(client: Client) -> None:
    account = await signed_up(client)
    wrong = {"username": account["username"], "password": "guess-guess"}
    for _ in range(9):
        await client.post("/api/auth/login", json=wrong)
    await login(client, str(account["username"]))
    for _ in range(9):
        assert (await client.post("/api/auth/login", json=wrong)).status_code == 401


async def test_a_disabled_account_cannot_sign_in(client: Client, make_user: MakeUser) -> None:
    admin, shopper = await make_user(role="admin"), await make_user()
    await client.patch(
        f"/api/admin/users/{shopper.id}", json={"is_active": False}, headers=admin.headers
    )
    response = await client.post(
        "/api/auth/login", json={"username": shopper.username, "password": shopper.password}
    )
    assert_problem(response, 403, "account_disabled")


# --- me, logout, change-password ----------------------------------------------------


async def test_me_needs_a_token(client: Client) -> None:
    assert_problem(await client.get("/api/auth/me"), 401, "not_authenticated")
    basic = await client.get("/api/auth/me", headers={"Authorization": "Basic dXNlcjpwdw=="})
    assert_problem(basic, 401, "invalid_token")


async def test_me_with_a_trailing_slash(client: Client, make_user: MakeUser) -> None:
    user = await make_user()
    response = await client.get("/api/auth/me/", headers=user.headers)
    assert response.status_code == 200
    assert response.json()["id"] == str(user.id)


async def test_logout_revokes_the_family(client: Client) -> None:
    account = await signed_up(client)
    tokens = await login(client, str(account["username"]))
    rotated = await client.post(
        "/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    latest = rotated.json()["refresh_token"]
    response = await client.post("/api/auth/logout", json={"refresh_token": latest})
    assert response.status_code == 204
    assert_problem(
        await client.post("/api/auth/refresh", json={"refresh_token": latest}),
        401,
        "invalid_token",
    )


async def test_logout_of_an_unknown_token_is_still_204(client: Client) -> None:
    response = await client.post("/api/auth/logout", json={"refresh_token": "rt_nothing"})
    assert response.status_code == 204


async def test_change_password_revokes_every_refresh_token(client: Client) -> None:
    account = await signed_up(client)
    username = str(account["username"])
    phone, laptop = await login(client, username), await login(client, username)
    response = await client.post(
        "/api/auth/change-password",
        json={"current_password": PASSWORD, "new_password": "new-thyme-2024"},
        headers=bearer(phone["access_token"]),
    )
    assert response.status_code == 204
    for session in (phone, laptop):
        refreshed = await client.post(
            "/api/auth/refresh", json={"refresh_token": session["refresh_token"]}
        )
        assert_problem(refreshed, 401, "invalid_token")
    old = await client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert_problem(old, 401, "invalid_credentials")
    await login(client, username, "new-thyme-2024")


async def test_change_password_checks_the_current_one(client: Client, make_user: MakeUser) -> None:
    user = await make_user()
    response = await client.post(
        "/api/auth/change-password",
        json={"current_password": "not-mine-at-all", "new_password": "new-thyme-2024"},
        headers=user.headers,
    )
    assert_problem(response, 401, "invalid_credentials")
    await login(client, user.username, user.password)


async def test_change_password_keeps_the_length_rule(client: Client, make_user: MakeUser) -> None:
    user = await make_user()
    response = await client.post(
        "/api/auth/change-password",
        json={"current_password": user.password, "new_password": "short"},
        headers=user.headers,
    )
    assert_problem(response, 422, "validation_error")
    assert response.json()["errors"][0]["field"] == "new_password"


async def test_change_password_needs_a_token(client: Client) -> None:
    response = await client.post(
        "/api/auth/change-password", json={"current_password": "x" * 8, "new_password": "y" * 8}
    )
    assert_problem(response, 401, "not_authenticated")


# --- admin: users -------------------------------------------------------------


async def test_admin_routes_refuse_customers_and_managers(
    client: Client, make_user: MakeUser
) -> None:
    for role in ("customer", "manager"):
        user = await make_user(role=role)
        assert_problem(await client.get("/api/admin/users", headers=user.headers), 403, "forbidden")


async def test_admin_routes_refuse_anonymous(client: Client) -> None:
    assert_problem(await client.get("/api/admin/users"), 401, "not_authenticated")
    assert_problem(
        await client.patch(f"/api/admin/users/{uuid4()}", json={"role": "admin"}),
        401,
        "not_authenticated",
    )


async def test_the_caller_is_checked_before_the_body(client: Client, make_user: MakeUser) -> None:
    shopper = await make_user()
    anonymous = await client.post("/api/auth/change-password", content=b"{not json")
    assert_problem(anonymous, 401, "not_authenticated")
    customer = await client.patch(
        f"/api/admin/users/{shopper.id}", json={"role": 7}, headers=shopper.headers
    )
    assert_problem(customer, 403, "forbidden")


async def test_admin_lists_users_in_pages(client: Client, make_user: MakeUser) -> None:
    admin = await make_user(role="admin")
    for _ in range(3):
        await make_user()
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        response = await client.get("/api/admin/users", params=params, headers=admin.headers)
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"items", "next_cursor"}
        assert len(body["items"]) <= 2
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) >= 4
    assert seen == sorted(seen)
    assert str(admin.id) in seen


async def test_admin_finds_users_by_part_of_a_username_or_email(
    client: Client, make_user: MakeUser
) -> None:
    admin, wanted = await make_user(role="admin"), await make_user()
    params = {"q": wanted.username[-10:].upper()}
    response = await client.get("/api/admin/users", params=params, headers=admin.headers)
    assert [item["id"] for item in response.json()["items"]] == [str(wanted.id)]


async def test_admin_list_shows_is_active_and_filters_by_role(
    client: Client, make_user: MakeUser
) -> None:
    admin = await make_user(role="admin")
    manager = await make_user(role="manager")
    # Searching for this manager's own name holds however many managers other tests made.
    params = {"role": "manager", "q": manager.username}
    response = await client.get("/api/admin/users", params=params, headers=admin.headers)
    items = response.json()["items"]
    assert {item["role"] for item in items} == {"manager"}
    mine = next(item for item in items if item["id"] == str(manager.id))
    assert set(mine) == {
        "id",
        "email",
        "username",
        "role",
        "created_at",
        "email_verified",
        "is_active",
    }
    assert mine["is_active"] is True


@pytest.mark.parametrize(
    "params", [{"limit": "101"}, {"limit": "0"}, {"role": "owner"}, {"cursor": "!!"}]
)
async def test_admin_list_refuses_bad_queries(
    client: Client, make_user: MakeUser, params: dict[str, str]
) -> None:
    admin = await make_user(role="admin")
    response = await client.get("/api/admin/users", params=params, headers=admin.headers)
    assert_problem(response, 422, "validation_error")


async def test_default_page_is_20(client: Client, make_user: MakeUser) -> None:
    admin = await make_user(role="admin")
    for _ in range(21):
        await make_user()
    body = (await client.get("/api/admin/users", headers=admin.headers)).json()
    assert len(body["items"]) == 20
    assert body["next_cursor"] is not None


async def test_admin_promotes_a_customer(client: Client, make_user: MakeUser) -> None:
    admin, shopper = await make_user(role="admin"), await make_user()
    response = await client.patch(
        f"/api/admin/users/{shopper.id}", json={"role": "manager"}, headers=admin.headers
    )
    assert response.status_code == 200
    assert response.json()["role"] == "manager"
    assert response.json()["is_active"] is True


async def test_demotion_revokes_refresh_tokens(client: Client, make_user: MakeUser) -> None:
    admin, manager = await make_user(role="admin"), await make_user(role="manager")
    tokens = await login(client, manager.username, manager.password)
    await client.patch(
        f"/api/admin/users/{manager.id}", json={"role": "customer"}, headers=admin.headers
    )
    refreshed = await client.post(
        "/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert_problem(refreshed, 401, "invalid_token")


async def test_disabling_revokes_refresh_tokens(client: Client, make_user: MakeUser) -> None:
    admin, shopper = await make_user(role="admin"), await make_user()
    tokens = await login(client, shopper.username, shopper.password)
    response = await client.patch(
        f"/api/admin/users/{shopper.id}", json={"is_active": False}, headers=admin.headers
    )
    assert response.json()["is_active"] is False
    refreshed = await client.post(
        "/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert_problem(refreshed, 401, "invalid_token")


async def test_promotion_keeps_refresh_tokens(client: Client, make_user: MakeUser) -> None:
    admin, shopper = await make_user(role="admin"), await make_user()
    tokens = await login(client, shopper.username, shopper.password)
    await client.patch(
        f"/api/admin/users/{shopper.id}", json={"role": "manager"}, headers=admin.headers
    )
    refreshed = await client.post(
        "/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refreshed.status_code == 200


async def test_patch_of_an_unknown_user_is_404(client: Client, make_user: MakeUser) -> None:
    admin = await make_user(role="admin")
    response = await client.patch(
        f"/api/admin/users/{uuid4()}", json={"role": "manager"}, headers=admin.headers
    )
    assert_problem(response, 404, "not_found")


@pytest.mark.parametrize("body", [{}, {"role": "owner"}, {"is_active": "maybe"}, {"email": "x"}])
async def test_patch_refuses_bad_bodies(
    client: Client, make_user: MakeUser, body: dict[str, object]
) -> None:
    admin, shopper = await make_user(role="admin"), await make_user()
    response = await client.patch(
        f"/api/admin/users/{shopper.id}", json=body, headers=admin.headers
    )
    assert_problem(response, 422, "validation_error")


async def test_an_admin_cannot_demote_themselves(client: Client, make_user: MakeUser) -> None:
    admin = await make_user(role="admin")
    response = await client.patch(
        f"/api/admin/users/{admin.id}", json={"role": "customer"}, headers=admin.headers
    )
    assert_problem(response, 409, "own_account")


async def test_a_customer_cannot_patch_users(client: Client, make_user: MakeUser) -> None:
    shopper = await make_user()
    response = await client.patch(
        f"/api/admin/users/{shopper.id}", json={"role": "admin"}, headers=shopper.headers
    )
    assert_problem(response, 403, "forbidden")


# --- staff routes check the database ------------------------------------------


@get("/api/test/staff", sync_to_thread=False, guards=[signed_in, manager])
def staff_only(principal: Injected[Principal]) -> dict[str, str]:
    """Both guards ask for the caller, and the handler takes them too."""
    return {"role": principal.role.value}


class CountingTokens:
    """The app's token reader, counting how often a token is decoded."""

    def __init__(self, inner: AccessTokens) -> None:
        self.inner, self.reads = inner, 0

    def issue_access(self, principal: Principal, now: datetime) -> tuple[str, int]:
        return self.inner.issue_access(principal, now)

    def read_access(self, token: str, now: datetime | None = None) -> Principal:
        self.reads += 1
        return self.inner.read_access(token, now)


@pytest.fixture(scope="module")
def staff_tokens(database_url: str) -> CountingTokens:
    return CountingTokens(build_adapters(make_settings(database_url)).access_tokens)


@pytest.fixture(scope="module")
async def staff_client(database_url: str, staff_tokens: CountingTokens) -> AsyncIterator[Client]:
    """The shop plus one manager route, standing in for the catalog's."""
    settings = make_settings(database_url)
    adapters = replace(build_adapters(settings), access_tokens=staff_tokens)
    app = create_app(settings, adapters)
    app.register(staff_only)
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


async def test_a_token_is_decoded_once_per_request(
    staff_client: Client, staff_tokens: CountingTokens, make_user: MakeUser
) -> None:
    manager = await make_user(role="manager")
    before = staff_tokens.reads
    response = await staff_client.get("/api/test/staff", headers=manager.headers)
    assert response.status_code == 200
    assert staff_tokens.reads == before + 1


async def test_manager_routes_accept_managers_and_admins(
    staff_client: Client, make_user: MakeUser
) -> None:
    for role in ("manager", "admin"):
        user = await make_user(role=role)
        response = await staff_client.get("/api/test/staff", headers=user.headers)
        assert response.json() == {"role": role}


async def test_manager_routes_refuse_customers_and_anonymous(
    staff_client: Client, make_user: MakeUser
) -> None:
    shopper = await make_user()
    assert_problem(
        await staff_client.get("/api/test/staff", headers=shopper.headers), 403, "forbidden"
    )
    assert_problem(await staff_client.get("/api/test/staff"), 401, "not_authenticated")


async def set_access(
    client: Client, admin: SignedInUser, user: SignedInUser, body: dict[str, object]
) -> None:
    response = await client.patch(f"/api/admin/users/{user.id}", json=body, headers=admin.headers)
    assert response.status_code == 200


async def test_a_demoted_manager_is_refused_on_the_next_request(
    client: Client, staff_client: Client, make_user: MakeUser
) -> None:
    admin, manager = await make_user(role="admin"), await make_user(role="manager")
    assert (await staff_client.get("/api/test/staff", headers=manager.headers)).status_code == 200
    await set_access(client, admin, manager, {"role": "customer"})
    # The access token still says "manager"; the database has the last word.
    response = await staff_client.get("/api/test/staff", headers=manager.headers)
    assert_problem(response, 403, "forbidden")


async def test_a_disabled_manager_is_refused_on_the_next_request(
    client: Client, staff_client: Client, make_user: MakeUser
) -> None:
    admin, manager = await make_user(role="admin"), await make_user(role="manager")
    await set_access(client, admin, manager, {"is_active": False})
    response = await staff_client.get("/api/test/staff", headers=manager.headers)
    assert_problem(response, 403, "forbidden")


async def test_a_demoted_admin_loses_the_admin_routes_at_once(
    client: Client, make_user: MakeUser
) -> None:
    boss, other = await make_user(role="admin"), await make_user(role="admin")
    await set_access(client, boss, other, {"role": "manager"})
    assert_problem(await client.get("/api/admin/users", headers=other.headers), 403, "forbidden")


async def test_a_promoted_customer_manages_with_their_old_token(
    client: Client, staff_client: Client, make_user: MakeUser
) -> None:
    admin, shopper = await make_user(role="admin"), await make_user()
    await set_access(client, admin, shopper, {"role": "manager"})
    response = await staff_client.get("/api/test/staff", headers=shopper.headers)
    assert response.json() == {"role": "manager"}
