"""Users and roles, product images and error pages in the back office: admins alone manage
roles, staff add and remove pictures, and a wrong address under /admin is a page while the
API keeps answering problem+json."""

from __future__ import annotations

import re
from typing import Any
from uuid import uuid4

import pytest

from tests.integration.back_office.conftest import Browser, csrf_of, sign_in, submit
from tests.integration.catalog_shop import Json, add_product, picture
from tests.integration.conftest import MakeUser, SignedInUser

pytestmark = pytest.mark.integration

USERS = "/admin/users"


@pytest.fixture
async def admin(make_user: MakeUser) -> SignedInUser:
    return await make_user(role="admin")


@pytest.fixture
async def admin_office(browser: Browser, admin: SignedInUser) -> Browser:
    """A browser signed in to the back office as an admin."""
    answer = await sign_in(browser, admin.username, admin.password)
    assert answer.status_code == 303, answer.text
    return browser


@pytest.fixture
async def customer_office(browser: Browser, staff: SignedInUser, admin: SignedInUser) -> Browser:
    """A back-office session whose manager was made a customer since (customers can't sign
    in at all, so this is how one holds a session)."""
    await sign_in(browser, staff.username, staff.password)
    await browser.patch(
        f"/api/admin/users/{staff.id}", json={"role": "customer"}, headers=admin.headers
    )
    return browser


def _role_form(html: str, user: SignedInUser) -> dict[str, str]:
    """The hidden fields of the role button in `user`'s row."""
    row = re.search(rf"<tr[^>]*>\s*<td>{user.username}.*?</tr>", html, re.S)
    assert row, f"{user.username}'s row"
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', row.group(0)))
    assert fields["_csrf_token"] == csrf_of(html)
    return fields


async def _press_role_button(office: Browser, shown: str, user: SignedInUser) -> object:
    page = await office.get(shown)
    assert page.status_code == 200, page.text
    return await office.post(
        f"{USERS}/{user.id}/role", data=_role_form(page.text, user), follow_redirects=False
    )


# --- users and roles ------------------------------------------------------------------------


async def test_an_admin_finds_users_by_part_of_a_name_or_email(
    admin_office: Browser, make_user: MakeUser
) -> None:
    wanted, other = await make_user(), await make_user(role="manager")
    found = await admin_office.get(USERS, params={"q": wanted.username[-8:].upper()})
    assert found.status_code == 200
    assert wanted.username in found.text and other.username not in found.text
    hex_part = other.username[-12:]
    managers = await admin_office.get(USERS, params={"q": hex_part, "role": "manager"})
    assert other.username in managers.text
    customers = await admin_office.get(USERS, params={"q": hex_part, "role": "customer"})
    assert other.username not in customers.text and "No user matches." in customers.text
    everyone = await admin_office.get(USERS, params={"q": wanted.username, "role": ""})
    assert everyone.status_code == 200 and wanted.username in everyone.text
    unknown = await admin_office.get(USERS, params={"role": "owner"})
    assert unknown.status_code == 422 and unknown.headers["content-type"].startswith("text/html")


async def test_the_user_list_pages_with_the_api_s_cursors(
    admin_office: Browser, make_user: MakeUser
) -> None:
    made = [await make_user() for _ in range(26)]
    word = made[0].username[:9]  # "customer-": every customer, in id order
    first = await admin_office.get(USERS, params={"q": word, "role": "customer"})
    following = re.search(r'rel="next" href="([^"]+)"', first.text)
    assert following, "a next-page link"
    second = await admin_office.get(following.group(1).replace("&amp;", "&"))
    assert second.status_code == 200
    assert f"q={word}" in following.group(1) and "role=customer" in following.group(1)
    rows = [len(re.findall(r"<tr>", page.text)) - 1 for page in (first, second)]
    assert rows[0] == 25 and rows[1] >= 1
    assert not set(re.findall(r"customer-\w{12}", first.text)) & set(
        re.findall(r"customer-\w{12}", second.text)
    )


async def test_an_admin_grants_and_takes_back_the_manager_role(
    admin_office: Browser, client: Browser, make_user: MakeUser
) -> None:
    shopper = await make_user()
    shown = f"{USERS}?q={shopper.username}"
    granted = await _press_role_button(admin_office, shown, shopper)
    assert granted.status_code == 303 and granted.headers["location"] == shown
    page = await admin_office.get(shown)
    assert f"{shopper.username} is now a manager." in page.text
    assert (await client.get("/api/alerts/low-stock", headers=shopper.headers)).status_code == 200

    taken = await _press_role_button(admin_office, shown, shopper)
    assert taken.status_code == 303
    assert f"{shopper.username} is now a customer." in (await admin_office.get(shown)).text
    assert (await client.get("/api/alerts/low-stock", headers=shopper.headers)).status_code == 403


async def test_an_admin_can_t_demote_themselves(
    admin_office: Browser, admin: SignedInUser, client: Browser
) -> None:
    refused = await _press_role_button(admin_office, f"{USERS}?q={admin.username}", admin)
    assert refused.status_code == 409
    assert "demote or disable themselves" in refused.text
    assert 'class="has-error"' in refused.text  # the message is on the admin's own row
    assert (await client.get("/api/admin/users", headers=admin.headers)).status_code == 200


async def test_a_change_for_a_user_that_is_gone_is_a_404_page(admin_office: Browser) -> None:
    answer = await submit(
        admin_office, USERS, f"{USERS}/00000000-0000-4000-8000-000000000000/role", role="manager"
    )
    assert answer.status_code == 404 and "No such user." in answer.text


async def test_a_role_that_isn_t_one_is_refused_on_the_page(
    admin_office: Browser, make_user: MakeUser
) -> None:
    shopper = await make_user()
    answer = await submit(admin_office, USERS, f"{USERS}/{shopper.id}/role", role="owner")
    assert answer.status_code == 422 and answer.headers["content-type"].startswith("text/html")


async def test_managers_may_not_see_or_change_users(office: Browser, staff: SignedInUser) -> None:
    assert (await office.get(USERS)).status_code == 403
    assert 'href="/admin/users"' not in (await office.get("/admin/")).text
    token = csrf_of((await office.get("/admin/")).text)
    changed = await office.post(
        f"{USERS}/{staff.id}/role", data={"_csrf_token": token, "role": "admin"}
    )
    assert changed.status_code == 403 and "<h1>Not for you</h1>" in changed.text


async def test_the_nav_shows_users_to_admins(admin_office: Browser) -> None:
    assert 'href="/admin/users"' in (await admin_office.get("/admin/")).text


async def test_signed_out_the_user_screens_go_to_sign_in(browser: Browser) -> None:
    listed = await browser.get(USERS, follow_redirects=False)
    assert listed.status_code == 302
    assert listed.headers["location"] == "/admin/sign-in?next=/admin/users"


async def test_a_customer_s_session_is_refused_the_user_screens(customer_office: Browser) -> None:
    answer = await customer_office.get(USERS)
    assert answer.status_code == 403 and "<h1>Not for you</h1>" in answer.text


async def test_a_role_change_without_its_csrf_token_is_refused(
    admin_office: Browser, make_user: MakeUser
) -> None:
    shopper = await make_user()
    answer = await admin_office.post(f"{USERS}/{shopper.id}/role", data={"role": "manager"})
    assert answer.status_code == 403 and "<h1>Form refused</h1>" in answer.text
    still = await admin_office.get(USERS, params={"q": shopper.username})
    assert "<td>customer</td>" in still.text


# --- product images -------------------------------------------------------------------------

UPLOAD_LIMIT = 5 * 1024 * 1024  # the settings' default, which the tests keep


@pytest.fixture
async def product(client: Browser, manager: SignedInUser, aisle: Json) -> Json:
    return await add_product(client, manager.headers, aisle, f"Pear {uuid4().hex[:6]}")


async def upload(office: Browser, product: Json, data: bytes, name: str = "pear.png") -> Any:
    """Choose `data` as the product page's picture and send the form."""
    shown = await office.get(f"/admin/products/{product['id']}")
    return await office.post(
        f"/admin/products/{product['id']}/images",
        data={"_csrf_token": csrf_of(shown.text)},
        files={"file": (name, data, "image/png")},
        follow_redirects=False,
    )


async def images_in_the_storefront(client: Browser, product: Json) -> list[Json]:
    answer = await client.get(f"/api/products/{product['id']}")
    assert answer.status_code == 200
    images: list[Json] = answer.json()["images"]
    return images


async def test_a_picture_uploaded_here_is_in_the_storefront_and_previewed(
    office: Browser, client: Browser, product: Json
) -> None:
    added = await upload(office, product, picture("PNG", (30, 20)))
    assert (
        added.status_code == 303 and added.headers["location"] == f"/admin/products/{product['id']}"
    )

    [image] = await images_in_the_storefront(client, product)
    page = await office.get(added.headers["location"])
    assert "Picture added." in page.text
    assert f'<img src="{image["url"]}" alt="{product["name"]}, picture 1"' in page.text
    served = await client.get(image["url"])
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"


async def test_a_picture_is_removed_with_its_stored_file(
    office: Browser, client: Browser, product: Json
) -> None:
    await upload(office, product, picture())
    [image] = await images_in_the_storefront(client, product)
    removed = await submit(
        office,
        f"/admin/products/{product['id']}",
        f"/admin/products/{product['id']}/images/{image['id']}/remove",
    )
    assert removed.status_code == 303
    assert "Picture removed." in (await office.get(removed.headers["location"])).text
    assert await images_in_the_storefront(client, product) == []
    assert (await client.get(image["url"])).status_code == 404

    again = await submit(
        office,
        f"/admin/products/{product['id']}",
        f"/admin/products/{product['id']}/images/{image['id']}/remove",
    )
    assert again.status_code == 404 and "<h1>Not found</h1>" in again.text


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (b"<html>not a picture</html>", 415, "JPEG, PNG and WebP"),
        (b"\x89PNG\r\n\x1a\n" + b"broken" * 20, 422, "not a readable image"),
        (picture() + b"\0" * UPLOAD_LIMIT, 413, "at most"),
    ],
    ids=["not-a-picture", "broken", "too-big"],
)
async def test_a_refused_file_is_named_next_to_the_field_and_nothing_is_kept(
    office: Browser, client: Browser, product: Json, data: bytes, status: int, message: str
) -> None:
    refused = await upload(office, product, data)
    assert refused.status_code == status
    error = re.search(r'<p class="error" id="file-error">([^<]+)</p>', refused.text)
    assert error and message in error.group(1), refused.text
    assert 'aria-invalid="true"' in refused.text
    assert await images_in_the_storefront(client, product) == []


async def test_a_file_far_over_the_limit_is_a_page_saying_so(
    office: Browser, client: Browser, product: Json
) -> None:
    """Past the body limit the form can't be read, so no field to show it next to."""
    refused = await upload(office, product, picture() + b"\0" * (UPLOAD_LIMIT * 2))
    assert refused.status_code == 413 and "<h1>Too big</h1>" in refused.text
    assert await images_in_the_storefront(client, product) == []


async def test_a_form_sent_without_a_file_asks_for_one(office: Browser, product: Json) -> None:
    answer = await submit(
        office, f"/admin/products/{product['id']}", f"/admin/products/{product['id']}/images"
    )
    assert answer.status_code == 422 and "Choose a picture to upload." in answer.text


async def test_a_picture_for_a_product_that_isn_t_there_is_a_404_page(office: Browser) -> None:
    ghost = {"id": "00000000-0000-4000-8000-000000000000"}
    shown = await office.get("/admin/")
    answer = await office.post(
        f"/admin/products/{ghost['id']}/images",
        data={"_csrf_token": csrf_of(shown.text)},
        files={"file": ("pear.png", picture(), "image/png")},
    )
    assert answer.status_code == 404 and "<h1>Not found</h1>" in answer.text


async def test_signed_out_an_upload_goes_to_sign_in_before_its_body_is_read(
    browser: Browser, product: Json
) -> None:
    """Even a body far over the limit: the door answers before the form is read (else 413)."""
    for data in (picture(), b"\0" * (UPLOAD_LIMIT * 3)):
        answer = await browser.post(
            f"/admin/products/{product['id']}/images",
            files={"file": ("pear.png", data, "image/png")},
            follow_redirects=False,
        )
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/admin/sign-in?next=")


async def test_signed_out_a_removal_goes_to_sign_in(browser: Browser, product: Json) -> None:
    """With a good CSRF token (the sign-in page's): the door turns it away all the same."""
    answer = await submit(
        browser, "/admin/sign-in", f"/admin/products/{product['id']}/images/{uuid4()}/remove"
    )
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/admin/sign-in?next=")


async def test_a_customer_s_session_may_not_touch_pictures(
    customer_office: Browser, product: Json
) -> None:
    answer = await customer_office.post(
        f"/admin/products/{product['id']}/images",
        files={"file": ("pear.png", picture(), "image/png")},
    )
    assert answer.status_code == 403 and "<h1>Not for you</h1>" in answer.text
    removal = f"/admin/products/{product['id']}/images/{uuid4()}/remove"
    refused = await submit(customer_office, "/admin/sign-in", removal)  # a good CSRF token
    assert refused.status_code == 403 and "<h1>Not for you</h1>" in refused.text


async def test_picture_forms_without_their_csrf_token_are_refused(
    office: Browser, client: Browser, product: Json
) -> None:
    sent = await office.post(
        f"/admin/products/{product['id']}/images",
        files={"file": ("pear.png", picture(), "image/png")},
    )
    assert sent.status_code == 403 and "<h1>Form refused</h1>" in sent.text
    assert await images_in_the_storefront(client, product) == []

    await upload(office, product, picture())
    [image] = await images_in_the_storefront(client, product)
    kept = await office.post(f"/admin/products/{product['id']}/images/{image['id']}/remove")
    assert kept.status_code == 403 and "<h1>Form refused</h1>" in kept.text
    assert len(await images_in_the_storefront(client, product)) == 1


# --- error pages ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/admin/no-such-screen", "/admin/products/not-an-id"])
async def test_an_unknown_address_under_admin_is_a_page(office: Browser, path: str) -> None:
    answer = await office.get(path)
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "<h1>Not found</h1>" in answer.text and "admin.css" in answer.text


async def test_an_unknown_product_is_a_404_page(office: Browser) -> None:
    answer = await office.get("/admin/products/00000000-0000-4000-8000-000000000000")
    assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html")
    assert "<h1>Not found</h1>" in answer.text


async def test_signed_out_an_unknown_admin_address_is_still_a_page(browser: Browser) -> None:
    answer = await browser.get("/admin/no-such-screen")
    assert answer.status_code == 404 and "<h1>Not found</h1>" in answer.text


async def test_a_wrong_method_under_admin_is_a_page(office: Browser) -> None:
    answer = await office.delete("/admin/products")
    assert answer.status_code == 405 and answer.headers["content-type"].startswith("text/html")


async def test_the_api_still_answers_problem_json(client: Browser) -> None:
    for path in ("/api/no-such-route", "/administrator"):
        answer = await client.get(path)
        assert answer.status_code == 404, path
        assert answer.headers["content-type"] == "application/problem+json", path
        assert answer.json()["code"] == "not_found"
    wrong = await client.delete("/api/products")
    assert wrong.status_code == 405
    assert wrong.headers["content-type"] == "application/problem+json"
