"""Categories in the back office: add, rename, remove, each refusal next to its field."""

from __future__ import annotations

import re
from uuid import uuid4

import pytest

from tests.integration.back_office.conftest import Browser, submit
from tests.integration.catalog_shop import Json, add_product
from tests.integration.conftest import SignedInUser

pytestmark = pytest.mark.integration


async def test_add_rename_and_remove_a_category(office: Browser, client: Browser) -> None:
    name = f"Spices {uuid4().hex[:6]}"
    added = await submit(office, "/admin/categories", "/admin/categories", name=name)
    assert added.status_code == 303
    listed = await office.get("/admin/categories")
    assert f"Added {name}." in listed.text
    found = re.search(rf'href="/admin/categories/([0-9a-f-]{{36}})">{name}<', listed.text)
    assert found
    page = f"/admin/categories/{found.group(1)}"

    renamed = await submit(office, page, page, name=f"{name} and herbs", slug="")
    assert renamed.status_code == 303
    shown = await client.get(f"/api/categories/{found.group(1)}")
    assert shown.json()["name"] == f"{name} and herbs"

    removed = await submit(office, "/admin/categories", f"{page}/remove")
    assert removed.status_code == 303
    assert (await client.get(f"/api/categories/{found.group(1)}")).status_code == 404


async def test_refusals_are_shown_where_they_belong(
    office: Browser, aisle: Json, manager: SignedInUser
) -> None:
    taken = await submit(office, "/admin/categories", "/admin/categories", name=aisle["name"])
    assert taken.status_code == 409 and 'class="error"' in taken.text
    bad_slug = await submit(
        office, "/admin/categories", "/admin/categories", name="Fine", slug="Not A Slug"
    )
    assert bad_slug.status_code == 422 and 'id="slug-error"' in bad_slug.text

    await add_product(office, manager.headers, aisle, f"Clove {uuid4().hex[:6]}")
    in_use = await submit(office, "/admin/categories", f"/admin/categories/{aisle['id']}/remove")
    assert in_use.status_code == 409 and 'role="alert"' in in_use.text
