"""The back office in a real Chromium (Debian's package at /usr/bin/chromium, never a
downloaded build) driven by Playwright, against `grocery serve` on the test database.
Without that Chromium the browser tests skip; CI installs it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.async_playwright import Axe

from tests.integration.conftest import (  # noqa: F401 - fixtures
    adapters,
    auth_service,
    database_url,
    live_server,
    make_user,
    settings,
)

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"  # CI's artefacts
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
INSTALLED = CHROMIUM.exists()

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
async def chromium() -> AsyncIterator[Any]:
    if not INSTALLED:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        try:
            yield browser
        finally:
            await browser.close()


# Injected by Playwright before any page script (its own scripts are not held to the page's
# policy): each refusal the Content-Security-Policy makes is written to the console.
_REPORT_REFUSALS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP refused ${event.blockedURI || "inline"} (${event.violatedDirective})`);
});
"""

REFUSALS: list[str] = []


@pytest.fixture(autouse=True)
def refusals() -> Iterator[list[str]]:
    """The policy's refusals on every page a test opens; a test passes only without any."""
    REFUSALS.clear()
    yield REFUSALS
    found, REFUSALS[:] = list(REFUSALS), []
    assert found == [], "a back-office page broke its Content-Security-Policy"


def _watch(message: Any) -> None:
    if message.type == "error" and ("CSP" in message.text or "Content Security" in message.text):
        REFUSALS.append(message.text)


async def open_page(chromium: Any, base_url: str, viewport: dict[str, int] = DESKTOP) -> Any:
    context = await chromium.new_context(
        base_url=base_url, viewport=viewport, accept_downloads=True
    )
    await context.add_init_script(_REPORT_REFUSALS)
    page = await context.new_page()
    page.on("console", _watch)
    return page


async def sign_in(page: Any, username: str, password: str) -> None:
    await page.goto("/admin/sign-in")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_load_state()


async def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical findings on the page as it is, one line each."""
    results = await Axe().run(page)
    return [
        f"{rule['id']} ({rule['impact']}): {[node['target'] for node in rule['nodes']]}"
        for rule in results.response["violations"]
        if rule["impact"] in ("serious", "critical")
    ]
