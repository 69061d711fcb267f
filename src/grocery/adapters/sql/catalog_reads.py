"""The storefront's hot reads: SQLAlchemy Core statements, compiled once per query shape
and run as asyncpg prepared statements. No ORM objects, no per-request SQL building.

How pages are searched, ordered and continued (keyset pages, opaque cursors) is in
catalog_sorts.py.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from itertools import groupby
from typing import Any, Literal
from uuid import UUID

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    Numeric,
    Select,
    String,
    Uuid,
    and_,
    any_,
    asc,
    bindparam,
    desc,
    func,
    literal_column,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg

from grocery.adapters.sql.catalog_sorts import (
    FOUND,
    LOOKS_ALIKE,
    MATCHES,
    ORDERS,
    decode_cursor,
    encode_cursor,
    p,
    search_values,
)
from grocery.adapters.sql.database import Database
from grocery.adapters.sql.schema.catalog import categories, product_images
from grocery.core.catalog import Category, CategorySummary, ImageKey, ProductView, Unit, as_id
from grocery.core.storefront import ProductPage, ProductQuery, Sort
from grocery.core.weights import SoldBy

c, i = categories.alias("c"), product_images.alias("i")
named = categories.alias("named")  # the category a filter names, apart from each row's own


# --- statements ---------------------------------------------------------------

_DIALECT = PGDialect_asyncpg()  # type: ignore[no-untyped-call]  # SQLAlchemy leaves it untyped


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A statement compiled for asyncpg: its SQL and the order its parameters go in."""

    sql: str
    names: tuple[str, ...]
    constants: Mapping[str, Any]  # values fixed in the statement itself (LIMIT 1, ...)

    @classmethod
    def of(cls, statement: Select[Any]) -> _Prepared:
        compiled = statement.compile(dialect=_DIALECT)
        return cls(compiled.string, tuple(compiled.positiontup or ()), dict(compiled.params))

    def args(self, values: Mapping[str, Any]) -> list[Any]:
        return [values[name] if name in values else self.constants[name] for name in self.names]


_PRODUCT_COLUMNS = (
    "id",
    "name",
    "slug",
    "description",
    "price",
    "stock",
    "unit",
    "units_sold",
    "low_stock_threshold",
    "created_at",
    "sold_by",
    "step_kg",
    "tax_class_id",
)


def _product_columns(product: Any) -> tuple[ColumnElement[Any], ...]:
    """A product with its category, in the order _view unpacks them."""
    return (
        *(product.c[name] for name in _PRODUCT_COLUMNS),
        c.c.id.label("category_id"),
        c.c.name.label("category_name"),
        c.c.slug.label("category_slug"),
    )


_PRODUCT = _product_columns(p)
_VISIBLE = ~p.c.archived
_UNITS = {unit.value: unit for unit in Unit}  # a dict lookup, not Enum's call machinery
_SOLD_BY = {how.value: how for how in SoldBy}


def _by_ref(table: Any, by_id: bool) -> ColumnElement[bool]:
    if by_id:
        return table.c.id == bindparam("id", type_=Uuid)  # type: ignore[no-any-return]
    return table.c.slug == func.lower(bindparam("slug", type_=String))  # type: ignore[no-any-return]


@cache
def _categories_statement(by: Literal["id", "slug"] | None) -> _Prepared:
    shown = (
        select(func.count())
        .where(p.c.category_id == c.c.id, _VISIBLE)
        .scalar_subquery()
        .label("product_count")
    )
    condition = true() if by is None else _by_ref(c, by == "id")
    return _Prepared.of(
        select(c.c.id, c.c.name, c.c.slug, shown, c.c.tax_class_id)
        .where(condition)
        .order_by(c.c.name)
    )


@cache
def _product_statement(by_id: bool) -> _Prepared:
    return _Prepared.of(
        select(*_PRODUCT, i.c.id.label("image_id"), i.c.key.label("image_key"))
        .join(c, c.c.id == p.c.category_id)
        .outerjoin(i, i.c.product_id == p.c.id)
        .where(_by_ref(p, by_id), _VISIBLE)
        .order_by(i.c.id)
    )


@cache
def _products_statement() -> _Prepared:
    return _Prepared.of(
        select(*_PRODUCT, i.c.id.label("image_id"), i.c.key.label("image_key"))
        .join(c, c.c.id == p.c.category_id)
        .outerjoin(i, i.c.product_id == p.c.id)
        .where(p.c.id == any_(bindparam("ids", type_=ARRAY(Uuid))), _VISIBLE)
        .order_by(p.c.id, i.c.id)
    )


# Which rows a search takes: both kinds at once, or one kind (see _Shape.phases).
_Search = Literal["words or look-alikes", "words", "look-alikes"]


@dataclass(frozen=True, slots=True)
class _Shape:
    """What a page's statement depends on; the values travel as parameters."""

    sort: Sort
    category: Literal["id", "ref"] | None
    search: _Search | None
    min_price: bool
    max_price: bool
    in_stock: bool | None
    after: bool
    rows: int  # the page size plus one (a next page exists when it comes back full)

    @classmethod
    def of(cls, query: ProductQuery) -> _Shape:
        category: Literal["id", "ref"] | None = None
        if query.category is not None:
            category = "id" if as_id(query.category) else "ref"
        return cls(
            sort=query.sort,
            category=category,
            search=None if query.search is None else "words or look-alikes",
            min_price=query.min_price is not None,
            max_price=query.max_price is not None,
            in_stock=query.in_stock,
            after=query.cursor is not None,
            rows=query.limit + 1,
        )

    def phases(self) -> tuple[_Shape, ...]:
        """By relevance, every row whose words match ranks above every look-alike, so a
        search runs as two statements and the second, the costly trigram match (a short
        word looks like thousands of names), only when the words don't fill the page.
        Same rows, same order and cursors as the one statement that takes both kinds."""
        if self.search is None or self.sort is not Sort.RELEVANCE:
            return (self,)
        return (replace(self, search="words"), replace(self, search="look-alikes"))


@lru_cache(maxsize=1024)  # shapes x page sizes: bounded, and the hot few stay
def _page_statement(shape: _Shape) -> _Prepared:
    """The page's rows are picked and ordered on the products table alone; only those few
    then meet their category and first image. (A search ranks thousands of rows: joining
    each of them before the ranking cost more than the ranking itself.)"""
    order = ORDERS[shape.sort]
    conditions = [_VISIBLE, *_filters(shape)]
    if shape.after:
        bound = tuple_(order.key, p.c.id)
        after = tuple_(
            bindparam("after_key", type_=order.key.type), bindparam("after_id", type_=Uuid)
        )
        conditions.append(bound < after if order.descending else bound > after)
    direction = desc if order.descending else asc
    page = (
        select(
            *(p.c[name] for name in _PRODUCT_COLUMNS),
            p.c.category_id,
            order.key.label("sort_key"),
        )
        .where(and_(*conditions))
        .order_by(direction(order.key), direction(p.c.id))
        .limit(_rows(shape.rows))
        .subquery("page")
    )
    first_image = (
        select(i.c.id.label("image_id"), i.c.key.label("image_key"))
        .where(i.c.product_id == page.c.id)
        .order_by(i.c.id)
        .limit(_rows(1))
        .lateral("first_image")
    )
    return _Prepared.of(
        select(
            *_product_columns(page),
            first_image.c.image_id,
            first_image.c.image_key,
            page.c.sort_key,
        )
        .select_from(page.join(c, c.c.id == page.c.category_id).outerjoin(first_image, true()))
        .order_by(direction(page.c.sort_key), direction(page.c.id))
    )


def _rows(count: int) -> ColumnElement[int]:
    """A LIMIT written into the statement. As a parameter, PostgreSQL's generic plan would
    guess a tenth of the table and lose to a custom plan, so it would plan every execution
    anew (several times the cost of running the popular page); as a literal the statement
    settles on one generic plan."""
    return literal_column(str(int(count)), Integer)


def _filters(shape: _Shape) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if shape.category == "id":
        found.append(p.c.category_id == bindparam("category_id", type_=Uuid))
    elif shape.category == "ref":
        found.append(p.c.category_id == _named_category())
    if shape.search == "words or look-alikes":
        found.append(MATCHES)
    elif shape.search == "words":
        found.append(FOUND)
    elif shape.search == "look-alikes":
        found.append(and_(~FOUND, LOOKS_ALIKE))
    if shape.min_price:
        found.append(p.c.price >= bindparam("min_price", type_=Numeric(12, 2)))
    if shape.max_price:
        found.append(p.c.price <= bindparam("max_price", type_=Numeric(12, 2)))
    if shape.in_stock is not None:
        found.append(p.c.stock > 0 if shape.in_stock else p.c.stock == 0)
    return found


def _named_category() -> Any:
    """The category a filter names by slug or name, any case; a slug wins over a name."""
    wanted = func.lower(bindparam("category", type_=String))
    is_slug = named.c.slug == wanted
    return (
        select(named.c.id)
        .where(or_(is_slug, func.lower(named.c.name) == wanted))
        .order_by(is_slug.desc())
        .limit(_rows(1))
        .scalar_subquery()
    )


def _page_values(query: ProductQuery) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if query.category is not None:
        values["category_id"] = as_id(query.category)
        values["category"] = query.category
    if query.search is not None:
        values.update(search_values(query))
    values["min_price"], values["max_price"] = query.min_price, query.max_price
    if query.cursor is not None:
        values["after_key"], values["after_id"] = decode_cursor(query.cursor, query.sort)
    return values


# --- the reader ---------------------------------------------------------------


class SqlCatalogReader:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def categories(self) -> list[CategorySummary]:
        rows = await self._fetch(_categories_statement(None), {})
        return [CategorySummary(*row) for row in rows]

    async def category(self, ref: str) -> CategorySummary | None:
        category_id = as_id(ref)
        by: Literal["id", "slug"] = "slug" if category_id is None else "id"
        rows = await self._fetch(_categories_statement(by), {"id": category_id, "slug": ref})
        return CategorySummary(*rows[0]) if rows else None

    async def product(self, ref: str) -> ProductView | None:
        product_id = as_id(ref)
        statement = _product_statement(product_id is not None)
        rows = await self._fetch(statement, {"id": product_id, "slug": ref})
        if not rows:
            return None
        images = tuple(ImageKey(r["image_id"], r["image_key"]) for r in rows if r["image_id"])
        return _view(rows[0], images)

    async def products_by_id(self, ids: Collection[UUID]) -> list[ProductView]:
        if not ids:
            return []
        rows = await self._fetch(_products_statement(), {"ids": list(ids)})
        return [
            _view(
                first, tuple(ImageKey(r["image_id"], r["image_key"]) for r in same if r["image_id"])
            )
            for first, same in _by_product(rows)
        ]

    async def products(self, query: ProductQuery) -> ProductPage:
        values = _page_values(query)
        rows: list[Any] = []
        for shape in _Shape.of(query).phases():
            rows += await self._fetch(_page_statement(shape), values)
            if len(rows) > query.limit:
                break
        page, more = rows[: query.limit], len(rows) > query.limit
        items = [
            _view(row, (ImageKey(row["image_id"], row["image_key"]),) if row["image_id"] else ())
            for row in page
        ]
        last = page[-1] if more else None
        return ProductPage(
            items=items,
            next_cursor=None
            if last is None
            else encode_cursor(query.sort, last["sort_key"], last["id"]),
        )

    async def _fetch(self, statement: _Prepared, values: Mapping[str, Any]) -> list[Any]:
        # Straight to asyncpg, which keeps each statement prepared per connection.
        return await self._database.fetch(statement.sql, *statement.args(values))


def _by_product(rows: list[Any]) -> Iterator[tuple[Any, list[Any]]]:
    """Rows of one product after another (one row per image): each product's first row
    and all of its rows."""
    for _, group in groupby(rows, key=lambda row: row["id"]):
        same = list(group)
        yield same[0], same


def _view(row: Any, images: tuple[ImageKey, ...]) -> ProductView:
    # By position (the order of _PRODUCT): twenty of these make a page, and unpacking
    # costs a third of looking each column up by name.
    (
        product_id,
        name,
        slug,
        description,
        price,
        stock,
        unit,
        units_sold,
        low_stock_threshold,
        created_at,
        sold_by,
        step_kg,
        tax_class_id,
        category_id,
        category_name,
        category_slug,
    ) = row[: len(_PRODUCT)]  # the columns of _product_columns
    return ProductView(
        product_id,
        name,
        slug,
        description,
        Category(category_id, category_name, category_slug),
        price,
        stock,
        _UNITS[unit],
        units_sold,
        low_stock_threshold,
        images,
        created_at,
        _SOLD_BY[sold_by],
        step_kg,
        tax_class_id,
    )
