"""The back office's refusals as pages: signed out -> the sign-in page, anything else -> a
page saying what went wrong with the status it deserves (never a trace)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect, Template

from grocery.core import errors
from grocery.entrypoints.http.problems import status_for

log = structlog.get_logger("grocery.back_office")

SIGN_IN = "/admin/sign-in"


def _problem_page(status: int, title: str, detail: str) -> Template:
    return Template(
        template_name="admin/problem.html",
        context={"title": title, "detail": detail, "notice": None},
        status_code=status,
    )


def domain_error_page(request: Request[Any, Any, Any], error: errors.DomainError) -> Response[Any]:
    if isinstance(error, errors.NotAuthenticated):
        back = quote(request.url.path, safe="/")
        return Redirect(f"{SIGN_IN}?next={back}", status_code=303)
    status = status_for(error)
    titles = {403: "Not for you", 404: "Not found", 503: "Try again shortly"}
    return _problem_page(status, titles.get(status, "That didn't work"), error.detail)


def http_error_page(request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    if error.status_code == 403:  # the CSRF middleware's refusal
        detail = "This form is out of date or came from elsewhere. Go back, reload and try again."
        return _problem_page(403, "Form refused", detail)
    return _problem_page(error.status_code, "That didn't work", str(error.detail))


def validation_page(request: Request[Any, Any, Any], error: ValidationException) -> Response[Any]:
    return _problem_page(400, "That address isn't right", "Check the link and try again.")


def unexpected_page(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    log.exception("back_office.failed", path=request.url.path)
    return _problem_page(500, "Something went wrong", "It's logged; try again in a moment.")


EXCEPTION_PAGES: dict[Any, Any] = {
    errors.DomainError: domain_error_page,
    ValidationException: validation_page,
    HTTPException: http_error_page,
    Exception: unexpected_page,
}
