"""CORS: the storefront origins (GROCERY_CORS_ORIGINS) whose pages may call the API from a
browser. Bearer tokens travel in a header, never in cookies, so credentials stay off."""

from __future__ import annotations

from litestar.config.cors import CORSConfig

# What a browser client sends beyond the simple headers, and what it may read back.
_REQUEST_HEADERS = [
    "Authorization",
    "Content-Type",
    "Idempotency-Key",
    "X-Cart-Token",
    "X-Request-ID",
]
_EXPOSED_HEADERS = [
    "Content-Disposition",
    "Idempotent-Replayed",
    "Retry-After",
    "WWW-Authenticate",
    "X-Request-ID",
]
PREFLIGHT_MAX_AGE = 600  # seconds a browser may reuse a preflight answer


def cors_config(origins: tuple[str, ...]) -> CORSConfig | None:
    """None (no CORS headers at all) when no origin is named."""
    if not origins:
        return None
    return CORSConfig(
        allow_origins=list(origins),
        allow_methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=_REQUEST_HEADERS,
        expose_headers=_EXPOSED_HEADERS,
        allow_credentials=False,
        max_age=PREFLIGHT_MAX_AGE,
    )
