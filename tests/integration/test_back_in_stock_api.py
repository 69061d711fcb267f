"""Back in stock over HTTP, the mail caught by a real SMTP server: notify-me requests and
wishlists of an empty shelf are told once when stock comes back, and only once even when
two stock changes race; a notify-me request ends with its mail, a wishlist tells again."""

from __future__ import annotations

import asyncio

from grocery.config import Settings
from tests.integration.catalog_shop import Json
from tests.integration.checkout_shop import Shop
from tests.integration.conftest import MakeUser, SignedInUser, app_in_this_loop
from tests.integration.mailroom import Mailroom


async def notify_me(shop: Shop, user: SignedInUser, product: Json) -> int:
    answer = await shop.client.post(
        f"/api/products/{product['id']}/notify-me", headers=user.headers
    )
    assert answer.status_code in (200, 201), answer.text
    assert answer.json()["product_id"] == product["id"]
    return answer.status_code


async def wish(shop: Shop, user: SignedInUser, product: Json) -> None:
    answer = await shop.client.post(
        "/api/wishlist", json={"product_id": product["id"]}, headers=user.headers
    )
    assert answer.status_code == 201, answer.text


async def test_notify_me_answers_201_then_200_and_withdraws_with_204(
    shop: Shop, ann: SignedInUser
) -> None:
    oats = await shop.product(stock=0)
    path = f"/api/products/{oats['id']}/notify-me"

    assert await notify_me(shop, ann, oats) == 201
    assert await notify_me(shop, ann, oats) == 200
    assert (await shop.client.delete(path, headers=ann.headers)).status_code == 204
    assert (await shop.client.delete(path, headers=ann.headers)).status_code == 204
    assert (await shop.client.post(path)).status_code == 401


async def test_notify_me_for_an_unknown_product_is_404(shop: Shop, ann: SignedInUser) -> None:
    path = "/api/products/01900000-0000-7000-8000-000000000000/notify-me"
    answer = await shop.client.post(path, headers=ann.headers)
    assert (answer.status_code, answer.json()["code"]) == (404, "not_found")


async def test_everyone_waiting_is_mailed_once_when_stock_comes_back(
    shop: Shop, make_user: MakeUser, mailroom: Mailroom
) -> None:
    ann, bob, cem, dan = [await make_user() for _ in range(4)]
    oats = await shop.product(stock=0)
    await notify_me(shop, ann, oats)  # asked
    await wish(shop, bob, oats)  # keeps it in a wishlist
    await notify_me(shop, cem, oats)  # both ways: still one mail
    await wish(shop, cem, oats)
    await notify_me(shop, dan, oats)
    await shop.client.delete(f"/api/products/{oats['id']}/notify-me", headers=dan.headers)

    await shop.edit(oats, stock=5)

    for customer in (ann, bob, cem):
        [mail] = await mailroom.wait_for(customer.email)
        assert mail.message["Subject"] == f"{oats['name']} is back in stock at grocery"
        assert oats["name"] in mail.part("text/plain") and oats["name"] in mail.part("text/html")
    await mailroom.exactly(cem.email, 1)
    await mailroom.exactly(dan.email, 0)


async def test_a_request_ends_with_its_mail_and_a_wishlist_tells_again(
    shop: Shop, ann: SignedInUser, bob: SignedInUser, mailroom: Mailroom
) -> None:
    oats = await shop.product(stock=0)
    await notify_me(shop, ann, oats)
    await wish(shop, bob, oats)
    await shop.edit(oats, stock=3)
    await mailroom.wait_for(ann.email)
    await mailroom.wait_for(bob.email)

    await shop.edit(oats, stock=4)  # more, but it was not out: nothing
    await shop.edit(oats, stock=0)
    await shop.edit(oats, stock=2)  # back again

    await mailroom.wait_for(bob.email, count=2)
    await mailroom.exactly(ann.email, 1)
    await mailroom.exactly(bob.email, 2)


async def test_a_cancellation_that_refills_an_empty_shelf_tells_the_waiting(
    shop: Shop, ann: SignedInUser, bob: SignedInUser, mailroom: Mailroom
) -> None:
    saffron = await shop.product(stock=1)
    order = await shop.placed(ann, (saffron, 1))
    await notify_me(shop, bob, saffron)

    answer = await shop.client.post(f"/api/orders/{order['id']}/cancel", headers=ann.headers)

    assert answer.status_code == 200, answer.text
    [mail] = await mailroom.wait_for(bob.email)
    assert saffron["name"] in mail.message["Subject"]


async def test_two_stock_changes_racing_on_an_empty_shelf_mail_each_customer_once(
    settings: Settings, shop: Shop, ann: SignedInUser, bob: SignedInUser, mailroom: Mailroom
) -> None:
    for _ in range(3):
        oats = await shop.product(stock=0)
        await notify_me(shop, ann, oats)
        await wish(shop, bob, oats)
        async with app_in_this_loop(settings) as one, app_in_this_loop(settings) as two:
            answers = await asyncio.gather(
                *(
                    client.patch(
                        f"/api/products/{oats['id']}",
                        json={"stock": stock},
                        headers=shop.manager.headers,
                    )
                    for client, stock in ((one, 5), (two, 7))
                )
            )
        assert [answer.status_code for answer in answers] == [200, 200]
    await mailroom.wait_for(ann.email, count=3)
    await mailroom.wait_for(bob.email, count=3)
    await mailroom.exactly(ann.email, 3)  # one per product, never two
    await mailroom.exactly(bob.email, 3)


async def test_a_line_break_in_a_product_name_never_reaches_the_headers(
    shop: Shop, ann: SignedInUser, mailroom: Mailroom
) -> None:
    oats = await shop.product(stock=0)
    renamed = await shop.client.patch(
        f"/api/products/{oats['id']}",
        json={"name": "Oat milk\r\nBcc: thief@evil.example"},
        headers=shop.manager.headers,
    )
    if renamed.status_code != 200:  # the catalog refused the name outright: nothing to smuggle
        assert renamed.status_code == 422
        return
    await notify_me(shop, ann, oats)
    await shop.edit(oats, stock=1)

    [mail] = await mailroom.wait_for(ann.email)

    assert mail.rcpt_tos == [ann.email]
    assert mail.message["Bcc"] is None
    assert "\n" not in mail.message["Subject"]
