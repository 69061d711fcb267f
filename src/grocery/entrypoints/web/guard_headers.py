"""The back office's browser defences, on every answer under /admin (pages, redirects, its
stylesheet, refusals and pages for unknown paths alike): a Content-Security-Policy that lets
a page load only the shop's own stylesheet (and script, though none is sent), pictures from
where the shop keeps them, forms sent only to the shop, and no framing; no MIME sniffing;
no address leaked to other sites."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from litestar.enums import ScopeType

from grocery.config import Settings

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

OFFICE = "/admin"
AWS = "https://*.amazonaws.com"  # where presigned S3 URLs point without an endpoint


def content_policy(pictures: Iterable[str] = ()) -> str:
    """Nothing inline: the templates carry no script, style or handler attribute."""
    images = " ".join(("'self'", *pictures))
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; "
        f"img-src {images}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )


def picture_origins(settings: Settings) -> tuple[str, ...]:
    """Where product pictures are shown from besides the shop itself: the media base URL's
    site (a CDN or a public bucket), and the S3 server a presigned URL names."""
    origins = [_origin(settings.media_base_url)]
    if settings.storage_url.startswith("s3:") and settings.storage_presign:
        endpoint = settings.storage_env.get("AWS_S3_ENDPOINT_URL") or settings.storage_env.get(
            "AWS_ENDPOINT_URL"
        )
        origins.append(_origin(endpoint) if endpoint else AWS)
    return tuple(dict.fromkeys(origin for origin in origins if origin))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def office_headers(settings: Settings) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-security-policy", content_policy(picture_origins(settings)).encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),  # for browsers that predate frame-ancestors
        (b"referrer-policy", b"same-origin"),
    ]


def in_office(path: str) -> bool:
    return path == OFFICE or path.startswith(f"{OFFICE}/")


def office_headers_middleware(app: ASGIApp, settings: Settings) -> ASGIApp:
    """Outside the router, so paths no route takes and the app's own refusals get them too."""
    added = office_headers(settings)
    names = {name for name, _ in added}

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or not in_office(scope["path"]):
            await app(scope, receive, send)
            return

        async def send_guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", ()) if k.lower() not in names]
                message["headers"] = [*kept, *added]
            await send(message)

        await app(scope, receive, send_guarded)

    return guarded
