"""The catalog's rules: slugs, product validation, threshold crossings, storefront queries."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

import pytest

from grocery.core.catalog import (
    Category,
    Product,
    ProductView,
    StockCrossing,
    Unit,
    as_id,
    crossing,
    slugify,
)
from grocery.core.catalog_edits import ProductEdit, category_draft, edited_product, new_product
from grocery.core.errors import Invalid
from grocery.core.storefront import MAX_PAGE_SIZE, Sort, product_query

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
PRODUCT_ID = UUID("01900000-0000-7000-8000-000000000001")
CATEGORY_ID = UUID("01900000-0000-7000-8000-000000000002")


def fields_of(error: pytest.ExceptionInfo[Invalid]) -> set[str]:
    return {str(item["field"]) for item in error.value.errors}


# --- slugs --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Bananas", "bananas"),
        ("Crème Fraîche 30%", "creme-fraiche-30"),
        ("  Fruit & Veg  ", "fruit-veg"),
        ("Salt--and__Pepper", "salt-and-pepper"),
        ("Über Würst", "uber-wurst"),
        ("Чай", ""),
        ("x" * 130, "x" * 120),
    ],
)
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_as_id_tells_ids_from_slugs() -> None:
    assert as_id(str(PRODUCT_ID)) == PRODUCT_ID
    assert as_id("bananas") is None


def test_category_slug_is_derived_from_a_tidied_name() -> None:
    draft = category_draft("  Dairy   & Eggs ")

    assert (draft.name, draft.slug) == ("Dairy & Eggs", "dairy-eggs")


@pytest.mark.parametrize(
    "slug", ["Bananas", "two--hyphens", "-edge", "with space", "", "a" * 121, str(PRODUCT_ID)]
)
def test_category_refuses_a_malformed_slug(slug: str) -> None:
    with pytest.raises(Invalid) as error:
        category_draft("Fruit", slug)

    assert fields_of(error) == {"slug"}


def test_category_needs_a_slug_when_the_name_gives_none() -> None:
    with pytest.raises(Invalid) as error:
        category_draft("Чай")

    assert error.value.errors == [
        {"field": "slug", "message": "can't be derived from the name; give one"}
    ]
    assert category_draft("Чай", "tea").slug == "tea"


@pytest.mark.parametrize("name", ["", "   ", "n" * 121])
def test_category_refuses_a_blank_or_long_name(name: str) -> None:
    with pytest.raises(Invalid) as error:
        category_draft(name, "ok")

    assert fields_of(error) == {"name"}


# --- products -----------------------------------------------------------------


def form(**fields: object) -> ProductEdit:
    values: dict[str, object] = {
        "name": "Bananas",
        "category_id": CATEGORY_ID,
        "price": "1.29",
        "stock": 50,
    }
    values.update(fields)
    return ProductEdit(**values)  # type: ignore[arg-type]


def make(edit: ProductEdit) -> Product:
    return new_product(edit, id=PRODUCT_ID, created_at=NOW, default_threshold=10)


def test_new_product_takes_defaults() -> None:
    product = make(form())

    assert product == Product(
        id=PRODUCT_ID,
        category_id=CATEGORY_ID,
        name="Bananas",
        slug="bananas",
        description="",
        price=Decimal("1.29"),
        stock=50,
        unit=Unit.PIECE,
        low_stock_threshold=10,
        created_at=NOW,
    )


def test_new_product_keeps_what_was_given() -> None:
    product = make(
        form(slug="big-bananas", description=" Ripe. ", unit="bunch", low_stock_threshold=0)
    )

    assert (product.slug, product.description, product.unit, product.low_stock_threshold) == (
        "big-bananas",
        "Ripe.",
        Unit.BUNCH,
        0,
    )


def test_new_product_names_every_missing_field_at_once() -> None:
    with pytest.raises(Invalid) as error:
        make(ProductEdit())

    assert fields_of(error) == {"name", "category_id", "price", "stock"}


@pytest.mark.parametrize(
    ("price", "expected"),
    [("0", Decimal("0.00")), ("12.5", Decimal("12.50")), ("99999.99", Decimal("99999.99"))],
)
def test_price_is_kept_in_cents(price: str, expected: Decimal) -> None:
    assert make(form(price=price)).price == expected


@pytest.mark.parametrize("price", ["-0.01", "12.505", "1e2", "NaN", "abc", "100000.00", ""])
def test_price_is_judged_strictly(price: str) -> None:
    with pytest.raises(Invalid) as error:
        make(form(price=price))

    assert fields_of(error) == {"price"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("stock", -1),
        ("stock", 1_000_001),
        ("low_stock_threshold", -1),
        ("unit", "crate"),
        ("description", "d" * 5001),
    ],
)
def test_out_of_range_fields_are_refused(field: str, value: object) -> None:
    with pytest.raises(Invalid) as error:
        make(form(**{field: value}))

    assert fields_of(error) == {field}


def test_edit_changes_only_what_is_given_and_a_rename_keeps_the_slug() -> None:
    product = make(form())

    edited = edited_product(product, ProductEdit(name="Organic Bananas", price="1.99"))

    assert edited == replace(product, name="Organic Bananas", price=Decimal("1.99"))


def test_edit_refuses_bad_values() -> None:
    with pytest.raises(Invalid) as error:
        edited_product(make(form()), ProductEdit(price="-1", stock=-2, slug="No"))

    assert fields_of(error) == {"price", "stock", "slug"}


def test_product_view_is_in_stock_while_any_is_left() -> None:
    product = make(form(stock=1))
    category = Category(CATEGORY_ID, "Fruit", "fruit")

    assert ProductView.of(product, category).in_stock
    assert not ProductView.of(replace(product, stock=0), category).in_stock


# --- low-stock threshold ------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "threshold", "expected"),
    [
        (10, 9, 10, StockCrossing.FELL_BELOW),
        (12, 0, 10, StockCrossing.FELL_BELOW),
        (9, 8, 10, None),  # already below: the alert is open
        (11, 10, 10, None),  # at the threshold is not below it
        (9, 10, 10, StockCrossing.RECOVERED),
        (0, 50, 10, StockCrossing.RECOVERED),
        (10, 12, 10, None),
        (5, 5, 10, None),
        (0, 0, 0, None),  # a threshold of 0 never alerts
    ],
)
def test_crossing(before: int, after: int, threshold: int, expected: StockCrossing | None) -> None:
    assert crossing(before, after, threshold) is expected


# --- storefront queries -------------------------------------------------------


def test_query_defaults_to_the_most_popular_first() -> None:
    query = product_query()

    assert (query.sort, query.limit, query.search, query.cursor) == (Sort.POPULAR, 20, None, None)


def test_search_without_a_sort_comes_by_relevance() -> None:
    assert product_query(q="  straw  ").sort is Sort.RELEVANCE
    assert product_query(q="straw", sort="price").sort is Sort.PRICE


def test_search_words_are_letters_and_digits() -> None:
    query = product_query(q="crème, fraîche & 2% (milk)")

    assert query.search_words == ("crème", "fraîche", "2", "milk")


def test_search_of_punctuation_only_searches_nothing() -> None:
    query = product_query(q="&&! :*")

    assert (query.search, query.sort) == (None, Sort.POPULAR)


@pytest.mark.parametrize("sort", ["relevance", "popularity", "PRICE", "-name"])
def test_unknown_sort_is_refused(sort: str) -> None:
    with pytest.raises(Invalid) as error:
        product_query(sort=sort, q="milk")

    assert fields_of(error) == {"sort"}


@pytest.mark.parametrize("limit", [0, -1, MAX_PAGE_SIZE + 1])
def test_limit_out_of_range_is_refused(limit: int) -> None:
    with pytest.raises(Invalid) as error:
        product_query(limit=limit)

    assert fields_of(error) == {"limit"}


def test_price_filters_are_money_and_ordered() -> None:
    query = product_query(min_price="1.5", max_price="250000")

    assert (query.min_price, query.max_price) == (Decimal("1.50"), Decimal("99999.99"))
    with pytest.raises(Invalid) as error:
        product_query(min_price="-1", max_price="x")
    assert fields_of(error) == {"min_price", "max_price"}
    with pytest.raises(Invalid) as error:
        product_query(min_price="5", max_price="4.99")
    assert fields_of(error) == {"max_price"}
