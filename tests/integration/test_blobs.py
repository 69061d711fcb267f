"""The obstore BlobStore against a real S3-compatible server on loopback, a directory, memory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from grocery.adapters.blobs import ObjectBlobStore, make_blob_store
from grocery.core.errors import Invalid, NotFound, ServiceUnavailable
from tests.integration.s3_server import S3Server, closed_port_endpoint, running_s3_server

BUCKET = "shop-images"
PICTURE = b"\x89PNG\r\n\x1a\n pretend picture"
UNSAFE_KEYS = ["../escape.png", "a/../../escape.png", "/etc/passwd", "a//b.png", "a/./b.png",
               "a\\b.png", ".hidden", "", "a/b.png?x=1", "caf\u00e9.png"]  # fmt: skip


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Server]:
    with running_s3_server() as server:
        server.create_bucket(BUCKET)
        yield server


def s3_store(
    env: dict[str, str],
    url: str = f"s3://{BUCKET}/catalog",
    *,
    presign: bool = False,
    public_base_url: str | None = None,
) -> ObjectBlobStore:
    return make_blob_store(
        url, public_base_url=public_base_url, presign=presign, presign_ttl_seconds=60, env=env
    )


async def test_s3_put_get_delete_round_trip(s3: S3Server) -> None:
    store = s3_store(s3.env())

    await store.put("products/p1/a.png", PICTURE, "image/png")
    assert await store.get("products/p1/a.png") == PICTURE

    await store.delete("products/p1/a.png")
    with pytest.raises(NotFound):
        await store.get("products/p1/a.png")
    await store.delete("products/p1/a.png")  # deleting twice is not an error


async def test_s3_presigned_url_serves_the_bytes_for_the_ttl(s3: S3Server) -> None:
    store = s3_store(s3.env(), presign=True)
    await store.put("products/p2/b.png", PICTURE, "image/png")

    url = await store.url_for("products/p2/b.png")
    async with httpx.AsyncClient() as client:
        response = await client.get(url)

    assert response.status_code == 200
    assert response.content == PICTURE
    assert response.headers["content-type"] == "image/png"
    assert parse_qs(urlsplit(url).query)["X-Amz-Expires"] == ["60"]


async def test_s3_unsigned_url_is_rejected_by_a_private_bucket(s3: S3Server) -> None:
    # Shows the presigned test above proves the signature, not an open bucket.
    store = s3_store(s3.env(), presign=True)
    await store.put("products/p3/c.png", PICTURE, "image/png")
    url = await store.url_for("products/p3/c.png")

    async with httpx.AsyncClient() as client:
        response = await client.get(url.split("?")[0])

    assert response.status_code == 403


async def test_s3_public_url_addresses_the_object_under_the_endpoint(s3: S3Server) -> None:
    public = await s3_store(s3.env()).url_for("products/p4/d.png")
    signed = await s3_store(s3.env(), presign=True).url_for("products/p4/d.png")

    assert public == f"{s3.endpoint}/{BUCKET}/catalog/products/p4/d.png"
    assert public == signed.split("?")[0]


async def test_s3_public_url_uses_the_given_base() -> None:
    store = s3_store({"AWS_REGION": "eu-west-1"}, public_base_url="https://cdn.example.com/img")

    assert await store.url_for("p/e.png") == "https://cdn.example.com/img/p/e.png"


async def test_s3_public_url_on_aws_is_the_regional_bucket_host() -> None:
    store = s3_store({"AWS_REGION": "ap-south-1"}, "s3://shop-media/catalog")

    assert await store.url_for("p/f.png") == (
        "https://shop-media.s3.ap-south-1.amazonaws.com/catalog/p/f.png"
    )


async def test_s3_bucket_comes_from_the_seed_setting_when_the_url_has_none(s3: S3Server) -> None:
    store = s3_store(s3.env(AWS_STORAGE_BUCKET_NAME=BUCKET), "s3://")

    await store.put("g.png", PICTURE, "image/png")

    assert await s3_store(s3.env(), f"s3://{BUCKET}").get("g.png") == PICTURE
    assert await store.url_for("g.png") == f"{s3.endpoint}/{BUCKET}/g.png"


def test_s3_url_without_any_bucket_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="bucket"):
        s3_store({}, "s3://")


async def test_s3_ping_passes_when_the_bucket_answers(s3: S3Server) -> None:
    await s3_store(s3.env(), f"s3://{BUCKET}/nothing-here-yet").ping()


async def test_s3_ping_fails_for_a_missing_bucket(s3: S3Server) -> None:
    with pytest.raises(ServiceUnavailable):
        await s3_store(s3.env(), "s3://no-such-bucket").ping()


@pytest.mark.timeout(30)
async def test_s3_down_is_service_unavailable_without_the_driver_message() -> None:
    endpoint = closed_port_endpoint()
    store = s3_store({**_fake_credentials(), "AWS_ENDPOINT_URL": endpoint})

    with pytest.raises(ServiceUnavailable) as put_error:
        await store.put("h.png", PICTURE, "image/png")
    with pytest.raises(ServiceUnavailable) as ping_error:
        await store.ping()
    with pytest.raises(ServiceUnavailable):
        await store.get("h.png")

    for error in (put_error.value, ping_error.value):
        assert error.code == "service_unavailable"
        assert "127.0.0.1" not in error.detail


async def test_local_store_writes_reads_and_deletes_files(tmp_path: Path) -> None:
    root = tmp_path / "media" / "images"  # not there yet: the store makes it
    store = make_blob_store(
        root.as_uri(), public_base_url=None, presign=True, presign_ttl_seconds=60, env={}
    )

    await store.put("products/p1/a.jpg", PICTURE, "image/jpeg")

    assert (root / "products" / "p1" / "a.jpg").read_bytes() == PICTURE
    assert await store.get("products/p1/a.jpg") == PICTURE
    assert await store.url_for("products/p1/a.jpg") == "/media/products/p1/a.jpg"
    await store.ping()

    await store.delete("products/p1/a.jpg")
    assert not (root / "products" / "p1" / "a.jpg").exists()
    with pytest.raises(NotFound):
        await store.get("products/p1/a.jpg")
    await store.delete("products/p1/a.jpg")


async def test_local_store_whose_directory_vanished_fails_ping(tmp_path: Path) -> None:
    root = tmp_path / "media"
    store = make_blob_store(
        root.as_uri(), public_base_url=None, presign=False, presign_ttl_seconds=60, env={}
    )
    root.rmdir()

    with pytest.raises(ServiceUnavailable):
        await store.ping()


async def test_local_store_that_cannot_make_its_directory_is_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"")

    with pytest.raises(ServiceUnavailable):
        make_blob_store(
            (blocker / "media").as_uri(),
            public_base_url=None,
            presign=False,
            presign_ttl_seconds=60,
            env={},
        )


@pytest.mark.parametrize("key", UNSAFE_KEYS)
async def test_unsafe_keys_are_refused(tmp_path: Path, key: str) -> None:
    root = tmp_path / "media"
    (tmp_path / "escape.png").write_bytes(b"outside the store")
    store = make_blob_store(
        root.as_uri(), public_base_url=None, presign=False, presign_ttl_seconds=60, env={}
    )

    with pytest.raises(NotFound):
        await store.get(key)
    with pytest.raises(Invalid) as put_error:
        await store.put(key, PICTURE, "image/png")
    with pytest.raises(Invalid):
        await store.delete(key)
    with pytest.raises(Invalid):
        await store.url_for(key)

    assert put_error.value.code == "invalid_key"
    assert (tmp_path / "escape.png").read_bytes() == b"outside the store"
    assert list(root.iterdir()) == []


async def test_memory_store_round_trip_with_a_public_base() -> None:
    store = make_blob_store(
        "memory://",
        public_base_url="https://img.example.com/",
        presign=False,
        presign_ttl_seconds=60,
        env={},
    )

    await store.put("p/i.webp", PICTURE, "image/webp")

    assert await store.get("p/i.webp") == PICTURE
    assert await store.url_for("p/i.webp") == "https://img.example.com/p/i.webp"
    await store.ping()


def test_unknown_storage_scheme_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="ftp"):
        make_blob_store(
            "ftp://host/dir", public_base_url=None, presign=False, presign_ttl_seconds=60, env={}
        )


def _fake_credentials() -> dict[str, str]:
    return {"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s"}
