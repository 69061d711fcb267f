"""Answering with a page: templates under templates/admin, a one-off notice carried to
the next page in the session, and a refused form read, done and shown again with its
field errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from litestar import Request
from litestar.response import Redirect, Template

from grocery.core.errors import DomainError
from grocery.entrypoints.http.problems import status_for
from grocery.entrypoints.web.door import seen_staff
from grocery.entrypoints.web.forms import FormReader

T = TypeVar("T")

_NOTICE = "notice"


def page(
    request: Request[Any, Any, Any], template: str, *, status: int = 200, **context: Any
) -> Template:
    """templates/admin/<template>, with the notice left by the last form, if any."""
    notice = request.session.pop(_NOTICE, None) if "session" in request.scope else None
    return Template(
        template_name=f"admin/{template}",
        context={**context, "notice": notice, "staff": seen_staff(request)},
        status_code=status,
    )


def after_form(request: Request[Any, Any, Any], to: str, notice: str) -> Redirect:
    """Post/redirect/get: the next page shows `notice` once."""
    request.session[_NOTICE] = notice
    return Redirect(to, status_code=303)


def field_errors(error: DomainError, *, known: Mapping[str, str] | None = None) -> dict[str, str]:
    """{field: message} of a refusal; a problem with no field of the form goes under "form".
    `known` renames the core's field names to the form's where they differ."""
    found: dict[str, str] = {}
    for item in error.errors:
        field = str(item.get("field", "form"))
        field = (known or {}).get(field, field)
        found.setdefault(field, str(item.get("message", error.detail)))
    if not found:
        found["form"] = error.detail
    return found


@dataclass(frozen=True, slots=True)
class Refused:
    """A form the shop turned down, as its page shows it again."""

    values: dict[str, str]  # what was typed
    errors: dict[str, str]  # each field's problem
    status: int

    @classmethod
    def whole(
        cls, error: DomainError, field: str = "form", values: dict[str, str] | None = None
    ) -> Refused:
        """A refusal shown as one message under `field` (a button with no form to read)."""
        return cls(values or {}, {field: error.detail}, status_for(error))


async def done_or_refused(
    form: FormReader, act: Callable[[], Awaitable[T]], *, known: Mapping[str, str] | None = None
) -> T | Refused:
    """`act`'s result once the form has been read cleanly; else the refusal (the form's own
    or the core's) to show the form again with."""
    try:
        form.refuse_unreadable()
        return await act()
    except DomainError as refused:
        return Refused(form.values, field_errors(refused, known=known), status_for(refused))


def form_shown(values: dict[str, Any], refused: Refused | None) -> dict[str, Any]:
    """A form page's `values`, `errors` and `status`: as refused, else fresh with `values`."""
    if refused is None:
        return {"values": values, "errors": {}, "status": 200}
    return {"values": refused.values, "errors": refused.errors, "status": refused.status}
