"""JSON request bodies, judged strictly before a handler sees them.

Litestar would decode any body as JSON whatever its Content-Type, let the last of two equal
keys win, fail with a 500 on bytes that are not UTF-8 or on absurd nesting, and coerce
`"2"` or `2.0` into an integer. Here a JSON route takes only `application/json` (or a
`+json` type) in UTF-8 (else 415), the body must be well-formed JSON without repeated keys
and at most MAX_DEPTH deep (else 400), and it is decoded into the handler's `data` type with
msgspec's strict rules (a wrong type is a 422 naming the field).
"""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate
from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import ClientException, ValidationException
from litestar.handlers import BaseRouteHandler

from grocery.core.errors import UnsupportedMediaType

MAX_DEPTH = 32  # the API's bodies are two or three levels deep

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_A_BRACKET = bytes(sorted(set(range(256)) - set(b"[]{}")))
_STEP = [0] * 256
_STEP[ord("[")] = _STEP[ord("{")] = 1
_STEP[ord("]")] = _STEP[ord("}")] = -1
_MISSING_FIELD = re.compile(r"Object (?:missing required|contains unknown) field `([^`]*)`")


class JsonRequest(Request[Any, Any, Any]):
    """The app's request class: `json()` is where a handler's `data` comes from."""

    async def json(self) -> Any:
        refuse_unless_json(self.headers.get("content-type", ""))
        return read_json(await self.body(), _body_type(self.route_handler))


def refuse_unless_json(content_type: str) -> None:
    media_type, _, parameters = content_type.partition(";")
    media_type = media_type.strip().lower()
    kind, _, subtype = media_type.partition("/")
    is_json = kind == "application" and (subtype == "json" or subtype.endswith("+json"))
    charset = _parameter(parameters, "charset") or "utf-8"
    if not is_json or charset.lower() not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(
            "This route takes a JSON body: send it as application/json in UTF-8."
        )


def read_json(body: bytes, shape: Any) -> Any:
    """The body decoded into `shape`; 400 when it is not sound JSON, 422 when it is JSON of
    the wrong shape."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise _malformed("The body is not UTF-8 text.") from None
    if _depth(body) > MAX_DEPTH:
        raise _malformed(f"The JSON body is nested more than {MAX_DEPTH} levels deep.")
    try:
        json.loads(
            text,
            object_pairs_hook=_unique_keys,
            parse_constant=_no_constants,
            parse_float=_finite,
        )
    except _RepeatedKey as repeated:
        raise _malformed(f"The JSON body names '{repeated.key}' more than once.") from None
    except (ValueError, RecursionError):
        raise _malformed("The body is not valid JSON.") from None
    try:
        return msgspec.json.decode(body, type=shape, strict=True)
    except msgspec.ValidationError as error:
        raise _mistyped(str(error)) from None
    except (msgspec.DecodeError, RecursionError):  # lone surrogates, numbers out of range
        raise _malformed("The body is not valid JSON.") from None


def _body_type(handler: BaseRouteHandler) -> Any:
    data = handler.parsed_fn_signature.parameters.get("data")
    return Any if data is None else data.annotation


def _depth(body: bytes) -> int:
    """How deep the body's arrays and objects nest, brackets inside strings left out."""
    brackets = _STRING.sub(b"", body).translate(None, _NOT_A_BRACKET)
    if len(brackets) <= 2 * MAX_DEPTH:
        return len(brackets) // 2
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


class _RepeatedKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    members = dict(pairs)
    if len(members) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _RepeatedKey(key)
            seen.add(key)
    return members


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is out of range")
    return number


def _malformed(detail: str) -> ClientException:
    return ClientException(detail)  # 400 bad_request


def _mistyped(message: str) -> ValidationException:
    """msgspec's "Expected `int`, got `str` - at `$.quantity`" as a field error."""
    text, _, at = message.partition(" - at `")
    field = at.rstrip("`").removeprefix("$").removeprefix(".")
    named = _MISSING_FIELD.search(text)
    if named is not None:
        field = f"{field}.{named.group(1)}" if field else named.group(1)
    return ValidationException(
        "The request is not valid.", extra=[{"key": field or "body", "message": text}]
    )


def _parameter(parameters: str, name: str) -> str | None:
    for parameter in parameters.split(";"):
        key, _, value = parameter.partition("=")
        if key.strip().lower() == name:
            return value.strip().strip('"')
    return None
