"""LinkTokenRepository and MailAskLog: a mailed link's token is live until used or expired,
used once; asks are counted by key within their window; and email_verified is kept."""

from __future__ import annotations

from datetime import timedelta

from grocery.core.account_links import LinkPurpose, LinkToken
from grocery.core.identity import User
from grocery.core.ids import new_id
from tests.ports.shop import NOW, OpenWork, Seed, at

RESET, VERIFY = LinkPurpose.PASSWORD_RESET, LinkPurpose.VERIFY_EMAIL


def a_link(
    user: User, token_hash: str, purpose: LinkPurpose = RESET, **fields: object
) -> LinkToken:
    values: dict[str, object] = {
        "id": new_id(),
        "user_id": user.id,
        "purpose": purpose,
        "token_hash": token_hash,
        "expires_at": NOW + timedelta(hours=1),
        **fields,
    }
    return LinkToken(**values)  # type: ignore[arg-type]


async def test_a_live_token_is_found_by_hash_and_purpose_only(uow: OpenWork, seed: Seed) -> None:
    user = await seed.user()
    link = a_link(user, "h-reset")
    async with uow() as work:
        await work.link_tokens.add(link)
        await work.commit()

    async with uow() as work:
        assert await work.link_tokens.live("h-reset", RESET, NOW) == link
        assert await work.link_tokens.live("h-reset", VERIFY, NOW) is None
        assert await work.link_tokens.live("h-other", RESET, NOW) is None
        assert await work.link_tokens.live("h-reset", RESET, link.expires_at) is None  # expired


async def test_a_token_is_used_once(uow: OpenWork, seed: Seed) -> None:
    user = await seed.user()
    async with uow() as work:
        await work.link_tokens.add(a_link(user, "h1"))
        await work.commit()

    async with uow() as work:
        first = await work.link_tokens.use("h1", RESET, at(1))
        second = await work.link_tokens.use("h1", RESET, at(2))
        await work.commit()

    assert (first, second) == (user.id, None)
    async with uow() as work:
        assert await work.link_tokens.live("h1", RESET, at(3)) is None


async def test_using_all_of_a_users_tokens_spares_other_users_and_purposes(
    uow: OpenWork, seed: Seed
) -> None:
    ann, bob = await seed.user(), await seed.user()
    async with uow() as work:
        for link in (
            a_link(ann, "a1"),
            a_link(ann, "a2"),
            a_link(ann, "a3", VERIFY),
            a_link(bob, "b1"),
        ):
            await work.link_tokens.add(link)
        await work.link_tokens.use_all_of(ann.id, RESET, at(1))
        await work.commit()

    async with uow() as work:
        assert await work.link_tokens.live("a1", RESET, at(2)) is None
        assert await work.link_tokens.live("a2", RESET, at(2)) is None
        assert await work.link_tokens.live("a3", VERIFY, at(2)) is not None
        assert await work.link_tokens.live("b1", RESET, at(2)) is not None


async def test_asks_are_counted_by_key_within_their_window(uow: OpenWork) -> None:
    async with uow() as work:
        await work.mail_asks.record(("address:a", "client:1"), at(0), forget_before=at(-60))
        await work.mail_asks.record(("address:a", "client:2"), at(10), forget_before=at(-50))
        await work.mail_asks.record(("address:b", "client:1"), at(70), forget_before=at(10))
        await work.commit()

    async with uow() as work:
        assert await work.mail_asks.count_since("address:a", at(0)) == 2
        assert await work.mail_asks.count_since("address:a", at(5)) == 1
        # client:1's ask at 0 was forgotten when its ask at 70 came, older than at(10)
        assert await work.mail_asks.count_since("client:1", at(-100)) == 1
        assert await work.mail_asks.count_since("address:c", at(-100)) == 0


async def test_a_users_address_is_confirmed(uow: OpenWork, seed: Seed) -> None:
    user = await seed.user()
    assert not user.email_verified

    async with uow() as work:
        await work.users.set_email_verified(user.id)
        await work.commit()

    async with uow() as work:
        found = await work.users.get(user.id)
    assert found is not None and found.email_verified
