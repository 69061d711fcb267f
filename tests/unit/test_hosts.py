"""ALLOWED_HOSTS patterns, as the seed's Django settings wrote them."""

import pytest

from grocery.entrypoints.http.hosts import host_allowed


@pytest.mark.parametrize(
    ("host", "allowed", "expected"),
    [
        ("shop.test", ["shop.test"], True),
        ("SHOP.test:8000", ["shop.test"], True),
        ("evil.test", ["shop.test"], False),
        ("api.shop.test", [".shop.test"], True),
        ("shop.test", [".shop.test"], True),
        ("api.shop.test", ["*.shop.test"], True),
        ("evilshop.test", [".shop.test"], False),
        ("127.0.0.1:8000", ["localhost", "127.0.0.1"], True),
        ("", ["shop.test"], False),
        ("anything", ["*"], True),
    ],
)
def test_host_patterns(host: str, allowed: list[str], expected: bool) -> None:
    assert host_allowed(host, allowed) is expected
