"""The storefront's queries: a shopper's filters, sort and page, checked.

The catalog's things are in catalog.py; the queries are run by the CatalogReader port.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from grocery.core.catalog import MAX_PRICE, ProductView
from grocery.core.errors import Problems
from grocery.core.money import parse_money

SEARCH_MAX_LENGTH = 200
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

_WORD = re.compile(r"[^\W_]+")


class Sort(StrEnum):
    POPULAR = "popular"  # most sold first
    LEAST_POPULAR = "-popular"
    PRICE = "price"
    PRICE_DESC = "-price"
    NEWEST = "newest"
    NAME = "name"
    RELEVANCE = "relevance"  # a search's own order, when no other is asked


PUBLIC_SORTS = tuple(sort for sort in Sort if sort is not Sort.RELEVANCE)


@dataclass(frozen=True, slots=True)
class ProductQuery:
    """One page of the storefront: filters, an order and where the last page ended."""

    sort: Sort = Sort.POPULAR
    limit: int = DEFAULT_PAGE_SIZE
    category: str | None = None  # slug, name or id, any case
    search: str | None = None  # the shopper's words
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool | None = None
    cursor: str | None = None

    @property
    def search_words(self) -> tuple[str, ...]:
        return tuple(_WORD.findall(self.search or ""))


@dataclass(frozen=True, slots=True)
class ProductPage:
    items: list[ProductView]
    next_cursor: str | None


def product_query(
    *,
    sort: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
    category: str | None = None,
    q: str | None = None,
    min_price: str | None = None,
    max_price: str | None = None,
    in_stock: bool | None = None,
    cursor: str | None = None,
) -> ProductQuery:
    """A shopper's query string made into a ProductQuery, or Invalid naming each bad parameter.

    A search without a sort comes back by relevance. Words are letters and digits: a `q`
    with none (only punctuation) searches for nothing, so it filters nothing.
    """
    problems = Problems()
    search = " ".join((q or "").split())[:SEARCH_MAX_LENGTH] or None
    if search is not None and not _WORD.search(search):
        search = None
    low = _price_filter(problems, "min_price", min_price)
    high = _price_filter(problems, "max_price", max_price)
    if low is not None and high is not None and low > high:
        problems.add("max_price", "must not be below min_price")
    if not 1 <= limit <= MAX_PAGE_SIZE:
        problems.add("limit", f"must be between 1 and {MAX_PAGE_SIZE}")
    chosen = _sort(problems, sort, searching=search is not None)
    problems.raise_if_any("The query is not valid.")
    return ProductQuery(
        sort=chosen,
        limit=limit,
        category=(category or "").strip() or None,
        search=search,
        min_price=low,
        max_price=high,
        in_stock=in_stock,
        cursor=cursor or None,
    )


def _sort(problems: Problems, raw: str | None, *, searching: bool) -> Sort:
    if raw is None or raw == "":
        return Sort.RELEVANCE if searching else Sort.POPULAR
    if raw in PUBLIC_SORTS:
        return Sort(raw)
    problems.add("sort", f"must be one of {', '.join(PUBLIC_SORTS)}")
    return Sort.POPULAR


def _price_filter(problems: Problems, field: str, raw: str | None) -> Decimal | None:
    if raw is None or raw == "":
        return None
    value = problems.read(lambda: parse_money(raw, field=field), None)
    # No price exceeds MAX_PRICE, so a larger bound means the same and keeps the query small.
    return None if value is None else min(value, MAX_PRICE)
