"""Product images over HTTP: uploads judged by their bytes, size limits, storage outages,
and objects that come and go with their rows."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from litestar.testing import AsyncTestClient
from PIL import Image

from grocery.adapters.sql.catalog_reads import SqlCatalogReader
from grocery.entrypoints.app import create_app
from grocery.entrypoints.wiring import Adapters
from tests.integration.catalog_shop import Client, Json, add_category, add_product, picture, tag
from tests.integration.conftest import SignedInUser, make_settings
from tests.integration.s3_server import closed_port_endpoint

SMALL_LIMIT = 4096


async def new_product(client: Client, manager: SignedInUser) -> Json:
    category = await add_category(client, manager.headers)
    return await add_product(client, manager.headers, category, f"Pears {tag()}")


async def upload(
    client: Client,
    manager: SignedInUser,
    product: Json,
    data: bytes,
    filename: str = "photo.png",
    content_type: str = "image/png",
) -> tuple[int, Json]:
    response = await client.post(
        f"/api/products/{product['id']}/images",
        files={"file": (filename, data, content_type)},
        headers=manager.headers,
    )
    return response.status_code, response.json()


@pytest.mark.parametrize(
    ("pillow_format", "content_type", "extension"),
    [("JPEG", "image/jpeg", "jpg"), ("PNG", "image/png", "png"), ("WEBP", "image/webp", "webp")],
)
async def test_upload_is_typed_by_its_bytes_and_served(
    client: Client, manager: SignedInUser, pillow_format: str, content_type: str, extension: str
) -> None:
    product = await new_product(client, manager)
    data = picture(pillow_format, (8, 6))

    # The declared name and type are ignored: the bytes decide.
    status, image = await upload(client, manager, product, data, "upload.bin", "text/plain")

    assert status == 201
    assert image == {
        "id": image["id"],
        "url": f"/media/products/{product['id']}/{image['id']}.{extension}",
        "content_type": content_type,
        "size": image["size"],
        "width": 8,
        "height": 6,
    }
    served = await client.get(image["url"])
    assert served.status_code == 200
    # Stored encoded afresh (no metadata kept): the same picture, not the same bytes.
    assert len(served.content) == image["size"]
    with Image.open(io.BytesIO(served.content)) as kept:
        assert (kept.format, kept.size) == (pillow_format, (8, 6))
    assert served.headers["content-type"] == content_type


async def test_list_shows_the_first_image_and_the_detail_all(
    client: Client, manager: SignedInUser
) -> None:
    product = await new_product(client, manager)
    first = (await upload(client, manager, product, picture("PNG")))[1]
    second = (await upload(client, manager, product, picture("JPEG"), "b.jpg", "image/jpeg"))[1]

    listed = await client.get("/api/products", params={"category": product["category"]["slug"]})
    detail = await client.get(f"/api/products/{product['id']}")

    assert listed.json()["items"][0]["images"] == [{"id": first["id"], "url": first["url"]}]
    assert detail.json()["images"] == [
        {"id": first["id"], "url": first["url"]},
        {"id": second["id"], "url": second["url"]},
    ]


async def test_html_named_jpg_is_415_and_leaves_nothing(
    client: Client, manager: SignedInUser
) -> None:
    product = await new_product(client, manager)

    status, problem = await upload(
        client, manager, product, b"<!doctype html><script>alert(1)</script>", "x.jpg", "image/jpeg"
    )

    assert status == 415
    assert problem["code"] == "unsupported_media_type"
    assert (await client.get(f"/api/products/{product['id']}")).json()["images"] == []


async def test_a_broken_picture_is_422(client: Client, manager: SignedInUser) -> None:
    product = await new_product(client, manager)

    status, problem = await upload(client, manager, product, picture("PNG")[:40])

    assert status == 422
    assert problem["code"] == "invalid_image"


async def test_an_upload_without_the_file_field_is_422(
    client: Client, manager: SignedInUser
) -> None:
    product = await new_product(client, manager)

    response = await client.post(
        f"/api/products/{product['id']}/images",
        files={"picture": ("a.png", picture(), "image/png")},
        headers=manager.headers,
    )

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "file", "message": "is required"}]


async def test_an_upload_for_an_unknown_product_is_404(
    client: Client, manager: SignedInUser
) -> None:
    status, _ = await upload(
        client, manager, {"id": "0190a000-0000-7000-8000-000000000000"}, picture()
    )

    assert status == 404


async def test_deleting_an_image_removes_its_object(client: Client, manager: SignedInUser) -> None:
    product = await new_product(client, manager)
    image = (await upload(client, manager, product, picture()))[1]

    response = await client.delete(
        f"/api/products/{product['id']}/images/{image['id']}", headers=manager.headers
    )

    assert response.status_code == 204
    assert (await client.get(image["url"])).status_code == 404
    assert (await client.get(f"/api/products/{product['id']}")).json()["images"] == []
    again = await client.delete(
        f"/api/products/{product['id']}/images/{image['id']}", headers=manager.headers
    )
    assert again.status_code == 404


# --- a shop on a local directory, with a small upload limit -------------------


@pytest.fixture(scope="module")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="module")
async def local_client(database_url: str, media_dir: Path) -> AsyncIterator[Client]:
    settings = make_settings(
        database_url, storage_url=media_dir.as_uri(), max_upload_bytes=SMALL_LIMIT
    )
    async with AsyncTestClient(app=create_app(settings)) as client:
        yield client


def stored_files(media_dir: Path) -> list[Path]:
    return [path for path in media_dir.rglob("*") if path.is_file()]


@pytest.mark.parametrize("size", [SMALL_LIMIT + 1, SMALL_LIMIT * 20])
async def test_oversize_upload_is_413_and_writes_nothing(
    local_client: Client, manager: SignedInUser, media_dir: Path, size: int
) -> None:
    product = await new_product(local_client, manager)
    before = stored_files(media_dir)
    data = picture()
    oversize = data + b"\0" * (size - len(data))

    status, problem = await upload(local_client, manager, product, oversize)

    assert status == 413
    assert problem["code"] == "payload_too_large"
    assert stored_files(media_dir) == before


async def test_deleting_a_product_removes_its_pictures_from_storage(
    local_client: Client, manager: SignedInUser, media_dir: Path
) -> None:
    product = await new_product(local_client, manager)
    image = (await upload(local_client, manager, product, picture()))[1]
    stored = media_dir / image["url"].removeprefix("/media/")
    assert stored.read_bytes() == picture()

    response = await local_client.delete(f"/api/products/{product['id']}", headers=manager.headers)

    assert response.status_code == 204
    assert not stored.exists()


# --- a shop whose S3 storage is unreachable -----------------------------------


@pytest.mark.timeout(60)
async def test_storage_down_is_503_and_leaves_no_row(
    database_url: str, manager: SignedInUser
) -> None:
    settings = make_settings(
        database_url,
        storage_url="s3://shop-images",
        storage_env={
            "AWS_ENDPOINT_URL": closed_port_endpoint(),
            "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "grocery-test",
            "AWS_SECRET_ACCESS_KEY": "grocery-test-secret",
        },
    )
    async with AsyncTestClient(app=create_app(settings)) as client:
        product = await new_product(client, manager)

        status, problem = await upload(client, manager, product, picture())
        detail = await client.get(f"/api/products/{product['id']}")

    assert status == 503
    assert problem["code"] == "service_unavailable"
    assert "127.0.0.1" not in problem["detail"]
    assert detail.json()["images"] == []


async def test_products_read_together_keep_each_of_their_images(
    client: Client, manager: SignedInUser, adapters: Adapters
) -> None:
    """What the picking screen reads its lines' substitutes with: one statement for all."""
    pictured, plain = await new_product(client, manager), await new_product(client, manager)
    first = (await upload(client, manager, pictured, picture("PNG")))[1]
    second = (await upload(client, manager, pictured, picture("PNG")))[1]
    ids = [UUID(pictured["id"]), UUID(plain["id"]), uuid4()]  # the last one: no such product

    found = await SqlCatalogReader(adapters.database).products_by_id(ids)

    by_id = {view.id: view for view in found}
    assert set(by_id) == set(ids[:2])
    assert [str(image.id) for image in by_id[ids[0]].images] == [first["id"], second["id"]]
    assert by_id[ids[1]].images == () and by_id[ids[1]].name == plain["name"]
