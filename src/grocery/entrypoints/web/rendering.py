"""Answering with a page: templates under templates/admin, a one-off notice carried to
the next page in the session, and a refusal's field errors ready for the form."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Request
from litestar.response import Redirect, Template

from grocery.core.errors import DomainError
from grocery.entrypoints.web.door import seen_staff

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
