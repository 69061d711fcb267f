"""The back office's refusals as pages: signed out -> the sign-in page, anything else -> a
page saying what went wrong with the status it deserves (never a trace). A path under
/admin that no route takes (or a method it doesn't) is answered by the app itself, before
any back-office handler: `pages_under_admin` gives it a page there too."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect, Template

from grocery.core import errors
from grocery.entrypoints.http.problems import status_for
from grocery.entrypoints.web.guard_headers import in_office

log = structlog.get_logger("grocery.back_office")

SIGN_IN = "/admin/sign-in"
_TITLES = {403: "Not for you", 404: "Not found", 405: "Not here", 503: "Try again shortly"}


def _problem_page(status: int, title: str, detail: str) -> Template:
    return Template(
        template_name="admin/problem.html",
        context={"title": title, "detail": detail, "notice": None},
        status_code=status,
    )


def domain_error_page(request: Request[Any, Any, Any], error: errors.DomainError) -> Response[Any]:
    if isinstance(error, errors.NotAuthenticated):
        back = quote(request.url.path, safe="/")
        # A screen asked for is found at the sign-in page (302); a form sent is not sent again
        # there, so its redirect says "see other" (303) and the browser follows with a GET.
        to = f"{SIGN_IN}?next={back}"
        if request.method in ("GET", "HEAD"):
            return Redirect(to, status_code=302)
        return Redirect(to, status_code=303)
    status = status_for(error)
    return _problem_page(status, _TITLES.get(status, "That didn't work"), error.detail)


def http_error_page(request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    if error.status_code == 403:  # the CSRF middleware's refusal
        detail = "This form is out of date or came from elsewhere. Go back, reload and try again."
        return _problem_page(403, "Form refused", detail)
    status = error.status_code
    if status == 404:  # Litestar's own text is "Not Found"
        return _problem_page(404, _TITLES[404], "There is no page at this address.")
    if status == 413:  # a file far over the limit, so the form was never read
        detail = "That is too big for the shop to take. Go back and choose a smaller file."
        return _problem_page(413, "Too big", detail)
    return _problem_page(status, _TITLES.get(status, "That didn't work"), str(error.detail))


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


def pages_under_admin(api: Mapping[Any, Any]) -> dict[Any, Any]:
    """The app's handlers: the back office's page for a path under /admin, else the API's
    problem+json (`api`), for each kind of error both know."""
    return {kind: _by_path(EXCEPTION_PAGES[kind], handler) for kind, handler in api.items()}


Handler = Callable[[Request[Any, Any, Any], Any], Response[Any]]


def _by_path(page: Handler, problem: Handler) -> Handler:
    def answer(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
        return page(request, error) if in_office(request.url.path) else problem(request, error)

    return answer
