"""Product images in object storage through obstore: S3 (or S3-compatible), a directory, memory.

The store is picked by a URL (`s3://bucket/prefix`, `file:///dir`, `memory://`). Every storage
failure leaves this module as ServiceUnavailable, so callers answer 503 and never show a
driver's message or a path.
"""

from __future__ import annotations

import os
import re
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import timedelta
from typing import TYPE_CHECKING, cast
from urllib.parse import urlsplit

import obstore
from obstore.exceptions import BaseError as ObstoreError
from obstore.store import LocalStore, MemoryStore, S3Store

from grocery.core.errors import Invalid, NotFound, ServiceUnavailable

if TYPE_CHECKING:
    from obstore import Attributes
    from obstore.store import ClientConfig, ObjectStore, RetryConfig, S3Config

# Keys the shop generates look like `products/<id>/<image id>.jpg`; anything else is refused,
# so a key taken from a /media URL can't climb out of the store.
_SAFE_KEY = re.compile(r"(?:[A-Za-z0-9_-][A-Za-z0-9_.-]*/)*[A-Za-z0-9_-][A-Za-z0-9_.-]*")
_MAX_KEY_LENGTH = 1024  # S3's limit

# Fail within seconds when storage is down, not after obstore's default 3 minutes of retries.
_RETRY: RetryConfig = {
    "max_retries": 2,
    "retry_timeout": timedelta(seconds=10),
    "backoff": {"init_backoff": timedelta(milliseconds=100), "max_backoff": timedelta(seconds=1)},
}
_TIMEOUTS: ClientConfig = {"connect_timeout": "3s", "timeout": "30s"}

UrlBuilder = Callable[[str], Awaitable[str]]


class ObjectBlobStore:
    """The BlobStore port over any obstore store; `urls` turns a key into a client's URL.

    A local directory can't keep a Content-Type (obstore refuses attributes there); what
    serves /media tells the type from the key's extension instead.
    """

    def __init__(self, store: ObjectStore, urls: UrlBuilder, *, keeps_content_type: bool) -> None:
        self._store = store
        self._urls = urls
        self._keeps_content_type = keeps_content_type

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        path = _checked(key)
        attributes: Attributes | None = (
            {"Content-Type": content_type} if self._keeps_content_type else None
        )
        with _unavailable_on_failure():
            await obstore.put_async(self._store, path, data, attributes=attributes)

    async def get(self, key: str) -> bytes:
        if not _is_safe(key):
            raise NotFound("No such image.")
        with _unavailable_on_failure():
            try:
                result = await obstore.get_async(self._store, key)
                return bytes(await result.bytes_async())
            except FileNotFoundError:
                raise NotFound("No such image.") from None

    async def delete(self, key: str) -> None:
        path = _checked(key)
        # Already gone is what the caller wanted (S3 itself answers so).
        with _unavailable_on_failure(), suppress(FileNotFoundError):
            await obstore.delete_async(self._store, path)

    async def url_for(self, key: str) -> str:
        path = _checked(key)
        with _unavailable_on_failure():
            return await self._urls(path)

    async def ping(self) -> None:
        if isinstance(self._store, LocalStore):
            # Listing a vanished directory just finds nothing, so look at the directory itself.
            root = self._store.prefix
            if root is None or not (root.is_dir() and os.access(root, os.W_OK)):
                raise _unavailable()
            return
        with _unavailable_on_failure():
            # One list request (an empty store is fine): proves address, credentials and bucket.
            async for _ in obstore.list(self._store, chunk_size=1):
                break


def make_blob_store(
    url: str,
    *,
    public_base_url: str | None,
    presign: bool,
    presign_ttl_seconds: int,
    env: Mapping[str, str],
) -> ObjectBlobStore:
    """The store a URL names. `public_base_url` maps to the store's root (bucket and prefix);
    `presign` hands out presigned GET URLs instead and applies to S3 only (local and memory
    stores have no signer, their images are served from /media)."""
    parts = urlsplit(url)
    if parts.scheme == "s3":
        return _s3_blob_store(
            parts.netloc or env.get("AWS_STORAGE_BUCKET_NAME", ""),
            parts.path.strip("/"),
            public_base_url=public_base_url,
            presign_ttl=timedelta(seconds=presign_ttl_seconds) if presign else None,
            env=env,
        )
    media_urls = _public_urls(public_base_url or "/media/")
    if parts.scheme == "file":
        with _unavailable_on_failure():
            local = LocalStore.from_url(url, mkdir=True)
        return ObjectBlobStore(local, media_urls, keeps_content_type=False)
    if parts.scheme == "memory":
        return ObjectBlobStore(MemoryStore(), media_urls, keeps_content_type=True)
    raise ValueError(f"Unsupported blob storage URL scheme {parts.scheme!r}.")


def _s3_blob_store(
    bucket: str,
    prefix: str,
    *,
    public_base_url: str | None,
    presign_ttl: timedelta | None,
    env: Mapping[str, str],
) -> ObjectBlobStore:
    if not bucket:
        raise ValueError("An s3:// storage URL needs a bucket (or AWS_STORAGE_BUCKET_NAME).")
    config = _s3_config(env)
    endpoint = config.get("endpoint")
    with _unavailable_on_failure():
        store = S3Store(
            bucket,
            prefix=prefix or None,
            config=config,
            # On-prem MinIO and test servers often speak plain HTTP.
            client_options={
                **_TIMEOUTS,
                "allow_http": bool(endpoint and endpoint.startswith("http:")),
            },
            retry_config=_RETRY,
        )
    if presign_ttl is not None:
        return ObjectBlobStore(store, _presigned_urls(store, presign_ttl), keeps_content_type=True)
    if public_base_url is None:
        root = f"{endpoint.rstrip('/')}/{bucket}" if endpoint else _aws_bucket_url(bucket, config)
        public_base_url = f"{root}/{prefix}" if prefix else root
    return ObjectBlobStore(store, _public_urls(public_base_url), keeps_content_type=True)


def _s3_config(env: Mapping[str, str]) -> S3Config:
    values = {
        "endpoint": _first(env, "AWS_S3_ENDPOINT_URL", "AWS_ENDPOINT_URL"),
        "region": _first(env, "AWS_REGION", "AWS_DEFAULT_REGION"),
        "access_key_id": env.get("AWS_ACCESS_KEY_ID"),
        "secret_access_key": env.get("AWS_SECRET_ACCESS_KEY"),
        "session_token": env.get("AWS_SESSION_TOKEN"),
    }
    # An empty value (`AWS_REGION=` in a .env) means unset, not "".
    return cast("S3Config", {name: value for name, value in values.items() if value})


def _first(env: Mapping[str, str], *names: str) -> str | None:
    return next((env[name] for name in names if env.get(name)), None)


def _aws_bucket_url(bucket: str, config: S3Config) -> str:
    return f"https://{bucket}.s3.{config.get('region', 'us-east-1')}.amazonaws.com"


def _public_urls(base: str) -> UrlBuilder:
    root = base.rstrip("/") + "/"

    async def url(key: str) -> str:
        return root + key

    return url


def _presigned_urls(store: S3Store, ttl: timedelta) -> UrlBuilder:
    async def url(key: str) -> str:
        return await obstore.sign_async(store, "GET", key, ttl)

    return url


def _is_safe(key: str) -> bool:
    return len(key) <= _MAX_KEY_LENGTH and ".." not in key and bool(_SAFE_KEY.fullmatch(key))


def _checked(key: str) -> str:
    if not _is_safe(key):
        raise Invalid(f"{key!r} is not a valid storage key.", code="invalid_key")
    return key


@contextmanager
def _unavailable_on_failure() -> Iterator[None]:
    try:
        yield
    except (ObstoreError, OSError) as exc:
        raise _unavailable() from exc


def _unavailable() -> ServiceUnavailable:
    return ServiceUnavailable("Image storage is unavailable right now.")
