"""UserRepository, RefreshTokenRepository and LoginFailureRepository."""

from __future__ import annotations

from dataclasses import replace
from uuid import uuid4

import pytest

from grocery.core.errors import AlreadyExists
from grocery.core.identity import Role
from tests.ports.shop import NOW, OpenWork, Seed, a_token, a_user, ascending_ids, at

# --- users --------------------------------------------------------------------


async def test_a_user_is_found_by_id_email_and_username_in_any_case(
    uow: OpenWork, seed: Seed
) -> None:
    user = await seed.user(username="Ann_Smith")

    async with uow() as work:
        assert await work.users.get(user.id) == user
        assert await work.users.by_email(user.email) == user
        assert await work.users.by_username("ann_smith") == user
        assert await work.users.by_username("ANN_SMITH") == user
        assert await work.users.by_username("bob") is None
        assert await work.users.by_email("nobody@example.com") is None


@pytest.mark.parametrize(
    ("field", "clash"),
    [
        ("email", lambda taken: {"email": taken.email}),
        ("username", lambda taken: {"username": taken.username.upper()}),
    ],
)
async def test_an_email_or_username_taken_is_refused_naming_the_field(
    uow: OpenWork, seed: Seed, field: str, clash: object
) -> None:
    taken = await seed.user(username="Ann")
    newcomer = a_user(**clash(taken))  # type: ignore[operator]

    async with uow() as work:
        with pytest.raises(AlreadyExists) as refused:
            await work.users.add(newcomer)
    assert refused.value.errors == [{"field": field, "message": "is already taken"}]

    async with uow() as work:
        assert await work.users.get(newcomer.id) is None


async def test_a_password_and_access_are_changed(uow: OpenWork, seed: Seed) -> None:
    user = await seed.user()

    async with uow() as work:
        await work.users.set_password(user.id, "new-hash")
        await work.users.set_access(user.id, role=Role.MANAGER, is_active=False)
        await work.commit()

    async with uow() as work:
        changed = await work.users.get(user.id)
    assert changed == replace(user, password_hash="new-hash", role=Role.MANAGER, is_active=False)


async def test_users_are_paged_in_id_order_after_the_mark_and_by_role(
    uow: OpenWork, seed: Seed
) -> None:
    first, second, third, fourth = ascending_ids(4)
    # Stored out of id order, so neither insertion order nor chance gives the answer.
    for user_id, role in [
        (third, Role.CUSTOMER),
        (first, Role.MANAGER),
        (fourth, Role.CUSTOMER),
        (second, Role.CUSTOMER),
    ]:
        await seed.user(id=user_id, role=role)

    async with uow() as work:
        page = [u.id for u in await work.users.page(role=None, after=None, limit=3)]
        rest = [u.id for u in await work.users.page(role=None, after=page[-1], limit=3)]
        customers = [u.id for u in await work.users.page(role=Role.CUSTOMER, after=None, limit=9)]
        after_second = await work.users.page(role=Role.CUSTOMER, after=second, limit=9)

    assert page == [first, second, third]
    assert rest == [fourth]
    assert customers == [second, third, fourth]
    assert [u.id for u in after_second] == [third, fourth]


async def test_a_search_finds_part_of_a_username_or_email_and_pages_on(
    uow: OpenWork, seed: Seed
) -> None:
    first, second, third, fourth = ascending_ids(4)
    word = f"quill{uuid4().hex[:8]}"  # the stores may hold other tests' users
    await seed.user(id=fourth, username=f"{word.upper()}_Baker", email=f"{word}b@example.com")
    await seed.user(id=first, username=f"ann{word[5:]}", email=f"ann.{word}@example.com")
    await seed.user(id=third, username=f"bob{word[5:]}", email=f"bob{word[5:]}@example.com")
    await seed.user(id=second, username=f"{word}%x", email=f"odd{word[5:]}@example.com")

    async with uow() as work:
        found = await work.users.page(role=None, after=None, limit=1, search=word)
        rest = await work.users.page(role=None, after=found[-1].id, limit=9, search=word)
        literal = await work.users.page(role=None, after=None, limit=9, search=f"{word}%")
        underscore = await work.users.page(role=None, after=None, limit=9, search=f"{word}_")
        backslash = await work.users.page(role=None, after=None, limit=9, search=f"{word}\\")

    assert [u.id for u in found + rest] == [first, second, fourth]
    assert [u.id for u in literal] == [second]
    assert [u.id for u in underscore] == [fourth]  # _ is no wildcard: "%x" is not found
    assert backslash == []


# --- refresh tokens -----------------------------------------------------------


async def test_a_token_is_found_by_its_hash(uow: OpenWork, seed: Seed) -> None:
    token = a_token(await seed.user())
    async with uow() as work:
        await work.refresh_tokens.add(token)
        await work.commit()

    async with uow() as work:
        assert await work.refresh_tokens.by_hash(token.token_hash) == token
        assert await work.refresh_tokens.by_hash("no-such-hash") is None


async def test_a_token_is_spent_once(uow: OpenWork, seed: Seed) -> None:
    token = a_token(await seed.user())
    async with uow() as work:
        await work.refresh_tokens.add(token)
        await work.commit()

    async with uow() as work:
        assert await work.refresh_tokens.spend(token.id, at(1))
        await work.commit()
    async with uow() as work:
        assert not await work.refresh_tokens.spend(token.id, at(2))
        await work.commit()

    async with uow() as work:
        assert await work.refresh_tokens.by_hash(token.token_hash) == replace(token, spent_at=at(1))


async def test_a_revoked_or_unknown_token_is_not_spent(uow: OpenWork, seed: Seed) -> None:
    token = a_token(await seed.user(), revoked_at=NOW)
    async with uow() as work:
        await work.refresh_tokens.add(token)
        await work.commit()

    async with uow() as work:
        assert not await work.refresh_tokens.spend(token.id, at(1))
        assert not await work.refresh_tokens.spend(a_token(a_user()).id, at(1))
        assert (await work.refresh_tokens.by_hash(token.token_hash)) == token


async def test_revoking_a_family_or_an_account_keeps_earlier_revocations(
    uow: OpenWork, seed: Seed
) -> None:
    ann, bob = await seed.user(), await seed.user()
    family = a_token(ann).family_id
    older = a_token(ann, family_id=family, revoked_at=NOW)
    newer = a_token(ann, family_id=family)
    other_family = a_token(ann)
    bobs = a_token(bob)
    async with uow() as work:
        for token in (older, newer, other_family, bobs):
            await work.refresh_tokens.add(token)
        await work.commit()

    async with uow() as work:
        await work.refresh_tokens.revoke_family(family, at(1))
        await work.commit()
    async with uow() as work:
        revoked = [await work.refresh_tokens.by_hash(t.token_hash) for t in (older, newer)]
        untouched = await work.refresh_tokens.by_hash(other_family.token_hash)
    assert [t.revoked_at for t in revoked if t] == [NOW, at(1)]
    assert untouched == other_family

    async with uow() as work:
        await work.refresh_tokens.revoke_all_of(ann.id, at(2))
        await work.commit()
    async with uow() as work:
        states = [await work.refresh_tokens.by_hash(t.token_hash) for t in (older, other_family)]
        assert await work.refresh_tokens.by_hash(bobs.token_hash) == bobs
    assert [t.revoked_at for t in states if t] == [NOW, at(2)]


# --- failed sign-ins ----------------------------------------------------------


async def test_failures_are_counted_since_a_moment_per_account(uow: OpenWork, seed: Seed) -> None:
    ann, bob = await seed.user(), await seed.user()
    async with uow() as work:
        for minute in (1, 2, 3):
            await work.login_failures.record(ann.id, at(minute), forget_before=NOW)
        await work.login_failures.record(bob.id, at(3), forget_before=NOW)
        await work.commit()

    async with uow() as work:
        assert await work.login_failures.count_since(ann.id, at(2)) == 2  # at(2) itself counts
        assert await work.login_failures.count_since(ann.id, NOW) == 3
        assert await work.login_failures.count_since(bob.id, NOW) == 1


async def test_recording_a_failure_forgets_only_that_accounts_old_ones(
    uow: OpenWork, seed: Seed
) -> None:
    ann, bob = await seed.user(), await seed.user()
    async with uow() as work:
        await work.login_failures.record(ann.id, at(1), forget_before=NOW)
        await work.login_failures.record(ann.id, at(2), forget_before=NOW)
        await work.login_failures.record(bob.id, at(1), forget_before=NOW)
        await work.login_failures.record(ann.id, at(10), forget_before=at(2))
        await work.commit()

    async with uow() as work:
        assert await work.login_failures.count_since(ann.id, NOW) == 2  # at(2) is kept
        assert await work.login_failures.count_since(bob.id, NOW) == 1


async def test_clearing_failures_clears_only_that_account(uow: OpenWork, seed: Seed) -> None:
    ann, bob = await seed.user(), await seed.user()
    async with uow() as work:
        await work.login_failures.record(ann.id, at(1), forget_before=NOW)
        await work.login_failures.record(bob.id, at(1), forget_before=NOW)
        await work.login_failures.clear(ann.id)
        await work.commit()

    async with uow() as work:
        assert await work.login_failures.count_since(ann.id, NOW) == 0
        assert await work.login_failures.count_since(bob.id, NOW) == 1
