"""Mailed links over HTTP, the mail caught by a real SMTP server: confirming the address
(mailed at sign-up, resent on request, required at checkout when the shop says so) and
resetting a forgotten password (202 whatever the address, one hour, once, every session
ended, throttled per address and per client)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import uuid4

import httpx
import msgspec
import pytest
from sqlalchemy import text

from grocery.config import Settings
from grocery.entrypoints.app import create_app
from grocery.entrypoints.wiring import Adapters, build_adapters
from tests.integration.catalog_shop import Client
from tests.integration.mailroom import Mailroom

PASSWORD = "first-password-1"
NEW_PASSWORD = "second-password-2"


async def sign_up(client: Client | httpx.AsyncClient) -> dict[str, str]:
    name = f"cust-{uuid4().hex[:10]}"
    account = {"email": f"{name}@example.com", "username": name, "password": PASSWORD}
    answer = await client.post("/api/auth/register", json=account)
    assert answer.status_code == 201, answer.text
    return account


async def sign_in(
    client: Client | httpx.AsyncClient, account: dict[str, str], password: str = PASSWORD
) -> dict[str, Any]:
    answer = await client.post(
        "/api/auth/login", json={"username": account["username"], "password": password}
    )
    assert answer.status_code == 200, answer.text
    pair: dict[str, Any] = answer.json()
    return pair


def bearer(pair: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {pair['access_token']}"}


@asynccontextmanager
async def shop_from(
    settings: Settings, client_ip: str = "203.0.113.7"
) -> AsyncIterator[httpx.AsyncClient]:
    """The app with these settings, called from `client_ip`."""
    adapters = build_adapters(settings)
    app: Any = create_app(settings, adapters)
    transport = httpx.ASGITransport(app=app, client=(client_ip, 40000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        await adapters.database.dispose()


# --- confirming the address ---------------------------------------------------


async def test_sign_up_mails_a_link_that_confirms_the_address_once(
    client: Client, mailroom: Mailroom
) -> None:
    account = await sign_up(client)
    pair = await sign_in(client, account)
    me = await client.get("/api/auth/me", headers=bearer(pair))
    assert me.json()["email_verified"] is False

    [mail] = await mailroom.wait_for(account["email"])
    assert mail.message["Subject"] == "Confirm your email address for grocery"
    assert f"Hello {account['username']}," in mail.part("text/plain")
    token = mailroom.token(mail, "/verify-email")

    confirmed = await client.post("/api/auth/verify-email", json={"token": token})
    again = await client.post("/api/auth/verify-email", json={"token": token})

    assert confirmed.status_code == 204
    assert (await client.get("/api/auth/me", headers=bearer(pair))).json()["email_verified"]
    assert again.status_code == 400
    assert again.json()["code"] == "invalid_verification_token"


@pytest.mark.parametrize("token", ["", "not-a-token", "A" * 43, "x" * 5000])
async def test_an_unknown_confirmation_token_is_a_400(client: Client, token: str) -> None:
    answer = await client.post("/api/auth/verify-email", json={"token": token})
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["code"] == "invalid_verification_token"


async def test_a_tampered_confirmation_token_is_a_400(client: Client, mailroom: Mailroom) -> None:
    account = await sign_up(client)
    token = mailroom.token((await mailroom.wait_for(account["email"]))[0], "/verify-email")
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    answer = await client.post("/api/auth/verify-email", json={"token": tampered})

    assert (answer.status_code, answer.json()["code"]) == (400, "invalid_verification_token")


async def test_resend_mails_a_new_link_until_the_address_is_confirmed(
    client: Client, mailroom: Mailroom
) -> None:
    account = await sign_up(client)
    headers = bearer(await sign_in(client, account))
    await mailroom.wait_for(account["email"])

    resent = await client.post("/api/auth/verify-email/resend", headers=headers)
    first, second = await mailroom.wait_for(account["email"], count=2)
    confirmed = await client.post(
        "/api/auth/verify-email", json={"token": mailroom.token(second, "/verify-email")}
    )
    resent_after = await client.post("/api/auth/verify-email/resend", headers=headers)

    assert (resent.status_code, confirmed.status_code, resent_after.status_code) == (202, 204, 202)
    assert first.message["Message-ID"] != second.message["Message-ID"]
    await mailroom.exactly(account["email"], 2)


async def test_resend_needs_a_signed_in_caller(client: Client) -> None:
    assert (await client.post("/api/auth/verify-email/resend")).status_code == 401


async def test_checkout_waits_for_a_confirmed_address_when_the_shop_requires_it(
    settings: Settings, mailroom: Mailroom
) -> None:
    strict = msgspec.structs.replace(settings, require_verified_email=True)
    async with shop_from(strict) as client:
        account = await sign_up(client)
        headers = bearer(await sign_in(client, account))
        refused = await client.post("/api/checkout", headers=headers)
        token = mailroom.token((await mailroom.wait_for(account["email"]))[0], "/verify-email")
        await client.post("/api/auth/verify-email", json={"token": token})
        allowed = await client.post("/api/checkout", headers=headers)

    assert (refused.status_code, refused.json()["code"]) == (403, "email_not_verified")
    assert (allowed.status_code, allowed.json()["code"]) == (422, "cart_empty")  # past the gate


async def test_an_unconfirmed_address_may_check_out_unless_the_shop_requires_it(
    client: Client,
) -> None:
    headers = bearer(await sign_in(client, await sign_up(client)))
    answer = await client.post("/api/checkout", headers=headers)
    assert (answer.status_code, answer.json()["code"]) == (422, "cart_empty")


# --- resetting a forgotten password -------------------------------------------


async def test_a_reset_link_sets_a_new_password_once_and_ends_every_session(
    client: Client, mailroom: Mailroom, adapters: Adapters
) -> None:
    account = await sign_up(client)
    old_pair = await sign_in(client, account)

    asked = await client.post("/api/auth/password-reset", json={"email": account["email"].upper()})
    [reset] = [
        got
        for got in await mailroom.wait_for(account["email"], count=2)
        if "password" in got.message["Subject"]
    ]
    token = mailroom.token(reset, "/reset-password")
    lifetime = await _link_lifetime(adapters, token_owner=account["email"])
    confirmed = await client.post(
        "/api/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD}
    )
    again = await client.post(
        "/api/auth/password-reset/confirm", json={"token": token, "new_password": "third-pass-3"}
    )
    refreshed = await client.post(
        "/api/auth/refresh", json={"refresh_token": old_pair["refresh_token"]}
    )
    old_login = await client.post(
        "/api/auth/login", json={"username": account["username"], "password": PASSWORD}
    )

    assert asked.status_code == 202
    assert reset.message["Subject"] == "Reset your grocery password"
    assert 3590 <= lifetime <= 3600  # an hour
    assert confirmed.status_code == 204
    assert (again.status_code, again.json()["code"]) == (400, "invalid_reset_token")
    assert (refreshed.status_code, old_login.status_code) == (401, 401)
    new_pair = await sign_in(client, account, NEW_PASSWORD)
    me = await client.get("/api/auth/me", headers=bearer(new_pair))
    assert me.json()["email_verified"] is True  # the link reached the address


async def _link_lifetime(adapters: Adapters, *, token_owner: str) -> float:
    async with adapters.database.connect() as connection:
        found = await connection.execute(
            text(
                "SELECT extract(epoch FROM t.expires_at - now()) FROM link_tokens t"
                " JOIN users u ON u.id = t.user_id"
                " WHERE u.email = :email AND t.purpose = 'password_reset'"
            ),
            {"email": token_owner},
        )
        return float(found.scalar_one())


async def test_an_expired_reset_link_is_refused(
    client: Client, mailroom: Mailroom, adapters: Adapters
) -> None:
    account = await sign_up(client)
    await client.post("/api/auth/password-reset", json={"email": account["email"]})
    mails = await mailroom.wait_for(account["email"], count=2)
    token = mailroom.token(mails[-1], "/reset-password")
    async with adapters.database.engine.begin() as connection:
        await connection.execute(
            text(
                "UPDATE link_tokens SET expires_at = now() - interval '1 second'"
                " WHERE purpose = 'password_reset'"
                "   AND user_id = (SELECT id FROM users WHERE email = :email)"
            ),
            {"email": account["email"]},
        )

    answer = await client.post(
        "/api/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD}
    )

    assert (answer.status_code, answer.json()["code"]) == (400, "invalid_reset_token")
    await sign_in(client, account)  # the password is as it was


@pytest.mark.parametrize("token", ["", "no-such-token", "B" * 43])
async def test_an_unknown_reset_token_is_a_400(client: Client, token: str) -> None:
    answer = await client.post(
        "/api/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD}
    )
    assert (answer.status_code, answer.json()["code"]) == (400, "invalid_reset_token")


async def test_a_confirmation_token_is_no_reset_token_and_the_other_way_round(
    client: Client, mailroom: Mailroom
) -> None:
    account = await sign_up(client)
    verify = mailroom.token((await mailroom.wait_for(account["email"]))[0], "/verify-email")
    await client.post("/api/auth/password-reset", json={"email": account["email"]})
    reset = mailroom.token(
        (await mailroom.wait_for(account["email"], count=2))[-1], "/reset-password"
    )

    as_reset = await client.post(
        "/api/auth/password-reset/confirm", json={"token": verify, "new_password": NEW_PASSWORD}
    )
    as_verify = await client.post("/api/auth/verify-email", json={"token": reset})

    assert (as_reset.status_code, as_reset.json()["code"]) == (400, "invalid_reset_token")
    assert (as_verify.status_code, as_verify.json()["code"]) == (400, "invalid_verification_token")


async def test_a_weak_new_password_is_a_422_and_spends_nothing(
    client: Client, mailroom: Mailroom
) -> None:
    account = await sign_up(client)
    await client.post("/api/auth/password-reset", json={"email": account["email"]})
    token = mailroom.token(
        (await mailroom.wait_for(account["email"], count=2))[-1], "/reset-password"
    )

    weak = await client.post(
        "/api/auth/password-reset/confirm", json={"token": token, "new_password": "short"}
    )
    strong = await client.post(
        "/api/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD}
    )

    assert weak.status_code == 422 and weak.json()["errors"][0]["field"] == "new_password"
    assert strong.status_code == 204


async def test_an_unknown_address_gets_the_same_202_and_no_mail(
    client: Client, mailroom: Mailroom
) -> None:
    nobody = f"nobody-{uuid4().hex[:8]}@example.com"
    answer = await client.post("/api/auth/password-reset", json={"email": nobody})
    known = await sign_up(client)
    known_answer = await client.post("/api/auth/password-reset", json={"email": known["email"]})

    assert answer.status_code == known_answer.status_code == 202
    assert answer.content == known_answer.content
    await mailroom.wait_for(known["email"], count=2)
    await mailroom.exactly(nobody, 0)


async def test_resets_for_one_address_mail_only_up_to_the_limit_an_hour(
    settings: Settings, mailroom: Mailroom
) -> None:
    async with shop_from(settings, client_ip="198.51.100.1") as client:
        account = await sign_up(client)
        answers = [
            await client.post("/api/auth/password-reset", json={"email": account["email"]})
            for _ in range(6)
        ]
    assert [answer.status_code for answer in answers] == [202] * 6
    await mailroom.wait_for(account["email"], count=1 + settings.link_mails_per_address)
    got = await mailroom.exactly(account["email"], 1 + settings.link_mails_per_address)
    assert sum("password" in mail.message["Subject"] for mail in got) == 3


async def test_a_burst_of_resets_sent_at_once_never_mails_past_the_limit(
    settings: Settings, mailroom: Mailroom
) -> None:
    async with shop_from(settings, client_ip="198.51.100.4") as client:
        account = await sign_up(client)
        await mailroom.wait_for(account["email"])
        answers = await asyncio.gather(
            *(
                client.post("/api/auth/password-reset", json={"email": account["email"]})
                for _ in range(8)
            )
        )
    assert [answer.status_code for answer in answers] == [202] * 8
    await asyncio.sleep(1.0)
    resets = [m for m in mailroom.to(account["email"]) if "password" in m.message["Subject"]]
    assert len(resets) <= settings.link_mails_per_address


async def test_one_client_asking_for_many_addresses_is_throttled_too(
    settings: Settings, mailroom: Mailroom
) -> None:
    limited = msgspec.structs.replace(settings, link_mails_per_client=2)
    async with shop_from(limited, client_ip="198.51.100.2") as client:
        accounts = [await sign_up(client) for _ in range(3)]
        for account in accounts:
            answer = await client.post("/api/auth/password-reset", json={"email": account["email"]})
            assert answer.status_code == 202
    async with shop_from(limited, client_ip="198.51.100.3") as elsewhere:
        other = await sign_up(elsewhere)
        await elsewhere.post("/api/auth/password-reset", json={"email": other["email"]})

    for account in accounts[:2]:
        await mailroom.wait_for(account["email"], count=2)
    await mailroom.wait_for(other["email"], count=2)  # another client is not held back
    await mailroom.exactly(accounts[2]["email"], 1)  # its sign-up mail only


async def test_a_malformed_address_is_a_422(client: Client) -> None:
    answer = await client.post("/api/auth/password-reset", json={"email": "not an address"})
    assert answer.status_code == 422
