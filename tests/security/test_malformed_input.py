"""Malformed requests as an outside tester sends them: every one gets a clear 4xx problem,
never a 500, and nothing is written."""

from __future__ import annotations

import base64
import json
from typing import Any
from uuid import uuid4

import pytest

from tests.integration.catalog_shop import Client, assert_problem
from tests.integration.conftest import MakeUser
from tests.security.shop import Shop, open_shop, unique

JSON = {"Content-Type": "application/json"}


async def _login_body(client: Client, body: bytes, headers: dict[str, str] | None = None) -> Any:
    return await client.post("/api/auth/login", content=body, headers=headers or JSON)


def _routes(shop: Shop) -> list[tuple[str, str, str]]:
    """A JSON route for each kind of caller: (path, caller, a valid body)."""
    product = shop.ids["product"]
    return [
        ("/api/auth/login", "anonymous", '{"username": "nobody", "password": "wrong-pass"}'),
        ("/api/auth/register", "anonymous", "{}"),
        ("/api/cart/items", "customer", f'{{"product_id": "{product}", "quantity": 1}}'),
        ("/api/categories", "manager", f'{{"name": "{unique("Aisle ")}"}}'),
    ]


async def test_a_body_that_is_not_utf8_is_400_on_every_json_route(
    client: Client, make_user: MakeUser
) -> None:
    shop = await open_shop(client, make_user)
    for path, caller, _ in _routes(shop):
        headers = {**shop.headers(caller), **JSON}
        for body in (b'{"username":"\xff\xfe"}', b'{"name": "caf\xe9"}', b"\xef\xbb"):
            response = await client.post(path, content=body, headers=headers)
            assert_problem(response, 400, "bad_request")


@pytest.mark.parametrize(
    "body",
    [
        "[" * 1000 + "]" * 1000,
        '{"a":' * 1000 + "1" + "}" * 1000,
        '{"username": "x", "password": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"username": "x", "password": "y", "z": ' + "[" * 33 + "]" * 33 + "}",
    ],
)
async def test_absurdly_deep_json_is_400_before_sign_in(client: Client, body: str) -> None:
    assert_problem(await _login_body(client, body.encode()), 400, "bad_request")


async def test_brackets_inside_strings_are_not_nesting(client: Client) -> None:
    body = {"username": "[" * 500, "password": "{[" * 500}
    response = await _login_body(client, json.dumps(body).encode())
    assert_problem(response, 401, "invalid_credentials")


async def test_a_repeated_key_is_400_not_last_one_wins(client: Client, make_user: MakeUser) -> None:
    shop = await open_shop(client, make_user)
    user = shop.customer
    login = (
        f'{{"username": "{user.username}", "password": "{user.password}",'
        f' "username": "{shop.manager.username}"}}'
    )
    assert_problem(await _login_body(client, login.encode()), 400, "bad_request")
    nested = f'{{"product_id": "{shop.ids["product"]}", "quantity": 1, "quantity": 900}}'
    response = await client.post(
        "/api/cart/items", content=nested, headers={**user.headers, **JSON}
    )
    assert_problem(response, 400, "bad_request")
    cart = await client.get("/api/cart", headers=user.headers)
    assert [line["quantity"] for line in cart.json()["items"]] == [1]  # as open_shop left it


@pytest.mark.parametrize(
    "body",
    [
        '{"username": "a\\ud800", "password": "long-enough"}',  # a lone surrogate
        '{"username": "a", "password": NaN}',
        '{"username": "a", "password": "b", "n": 1e400}',
        '\ufeff{"username": "a", "password": "b"}',
    ],
)
async def test_json_that_only_lenient_parsers_take_is_400(client: Client, body: str) -> None:
    assert_problem(await _login_body(client, body.encode()), 400, "bad_request")


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/xml",
        "multipart/form-data; boundary=x",
        "application/json; charset=latin-1",
        "application/jsonp",
    ],
)
async def test_a_json_route_sent_another_content_type_is_415(
    client: Client, make_user: MakeUser, content_type: str | None
) -> None:
    shop = await open_shop(client, make_user)
    for path, caller, body in _routes(shop):
        headers = dict(shop.headers(caller))
        if content_type is not None:
            headers["Content-Type"] = content_type
        response = await client.post(path, content=body.encode(), headers=headers)
        assert_problem(response, 415, "unsupported_media_type")


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=UTF-8", "application/merge-patch+json"],
)
async def test_json_and_plus_json_types_are_taken(
    client: Client, make_user: MakeUser, content_type: str
) -> None:
    shop = await open_shop(client, make_user)
    body = f'{{"name": "{unique("Aisle ")}"}}'.encode()
    response = await client.post(
        "/api/categories",
        content=body,
        headers={**shop.manager.headers, "Content-Type": content_type},
    )
    assert response.status_code == 201, response.text


async def test_a_picture_sent_as_json_is_415(client: Client, make_user: MakeUser) -> None:
    shop = await open_shop(client, make_user)
    response = await client.post(
        f"/api/products/{shop.ids['product']}/images",
        json={"file": "iVBORw0KGgo="},
        headers=shop.manager.headers,
    )
    assert_problem(response, 415, "unsupported_media_type")


BAD_MONEY: list[Any] = ["1_000", "١٢", "１２", " 1.00 ", "1.00\n", "1e-2", "+1.00", "-0", 12, 1.5]


@pytest.mark.parametrize("price", BAD_MONEY)
async def test_money_is_only_a_plain_decimal_string(
    client: Client, make_user: MakeUser, price: Any
) -> None:
    shop = await open_shop(client, make_user)
    staff = shop.manager.headers
    product = {"name": unique("P "), "category_id": shop.ids["category"], "stock": 1}
    created = await client.post("/api/products", json={**product, "price": price}, headers=staff)
    assert "price" in _fields(assert_problem(created, 422, "validation_error"))
    promo = {"code": unique("M"), "discount_type": "fixed", "value": price}
    refused = await client.post("/api/promo-codes", json=promo, headers=staff)
    assert "value" in _fields(assert_problem(refused, 422, "validation_error"))
    if isinstance(price, str):
        listed = await client.get("/api/products", params={"min_price": price})
        assert "min_price" in _fields(assert_problem(listed, 422, "validation_error"))


@pytest.mark.parametrize("price", ["12", "12.5", "0.99", "99999.99"])
async def test_plain_decimal_strings_are_money(
    client: Client, make_user: MakeUser, price: str
) -> None:
    shop = await open_shop(client, make_user)
    body = {"name": unique("P "), "category_id": shop.ids["category"], "stock": 1, "price": price}
    response = await client.post("/api/products", json=body, headers=shop.manager.headers)
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("quantity", ["2", 2.0, 2.5, True, "0x2"])
async def test_integers_are_only_json_integers(
    client: Client, make_user: MakeUser, quantity: Any
) -> None:
    shop = await open_shop(client, make_user)
    added = await client.post(
        "/api/cart/items",
        json={"product_id": shop.ids["spare_product"], "quantity": quantity},
        headers=shop.customer.headers,
    )
    assert _fields(assert_problem(added, 422, "validation_error")) == {"quantity"}
    stock = await client.patch(
        f"/api/products/{shop.ids['product']}",
        json={"stock": quantity},
        headers=shop.manager.headers,
    )
    assert _fields(assert_problem(stock, 422, "validation_error")) == {"stock"}


def _fields(problem: dict[str, Any]) -> set[str]:
    return {error["field"] for error in problem.get("errors", [])}


def _cursor(*key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize(
    ("sort", "cursor"),
    [
        ("popular", _cursor("popular", 2147483648, str(uuid4()))),
        ("-popular", _cursor("-popular", -(2**63), str(uuid4()))),
        ("price", _cursor("price", "NaN", str(uuid4()))),
        ("-price", _cursor("-price", "Infinity", str(uuid4()))),
        ("price", _cursor("price", "123456789012345.00", str(uuid4()))),
        ("newest", _cursor("newest", "99999-01-01T00:00:00+00:00", str(uuid4()))),
        ("name", _cursor("name", "a\u0000b", str(uuid4()))),
    ],
)
async def test_a_forged_product_cursor_is_422(client: Client, sort: str, cursor: str) -> None:
    response = await client.get("/api/products", params={"sort": sort, "cursor": cursor})
    assert "cursor" in _fields(assert_problem(response, 422, "validation_error"))


@pytest.mark.parametrize("cursor", ["x", _cursor("name", "Dairy", str(uuid4()))])
async def test_categories_come_on_one_page_so_any_cursor_is_422(
    client: Client, cursor: str
) -> None:
    response = await client.get("/api/categories", params={"cursor": cursor})
    assert "cursor" in _fields(assert_problem(response, 422, "validation_error"))
    listed = await client.get("/api/categories")
    assert listed.status_code == 200
    assert listed.json()["next_cursor"] is None
