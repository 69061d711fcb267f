"""LowStockAlertRepository."""

from __future__ import annotations

from dataclasses import replace

from grocery.core.alerts import AlertedProduct, AlertStatus, AlertView, LowStockAlert
from grocery.core.catalog import Product
from tests.ports.shop import NOW, OpenWork, Seed, an_alert, ascending_ids, at


def _view(alert: LowStockAlert, product: Product) -> AlertView:
    return AlertView(
        alert=alert, product=AlertedProduct(id=product.id, name=product.name, slug=product.slug)
    )


async def test_a_product_has_one_open_alert_at_a_time(uow: OpenWork, seed: Seed) -> None:
    apples = await seed.product()
    first, second, third = an_alert(apples), an_alert(apples), an_alert(apples, created_at=at(2))

    async with uow() as work:
        assert await work.low_stock_alerts.open(first, apples.name)
        assert not await work.low_stock_alerts.open(second, apples.name)
        await work.commit()
    async with uow() as work:
        assert await work.low_stock_alerts.resolve(apples.id, at(1))
        assert not await work.low_stock_alerts.resolve(apples.id, at(1))
        assert await work.low_stock_alerts.open(third, apples.name)
        await work.commit()

    async with uow() as work:
        listed = await work.low_stock_alerts.page(status=None, before=None, limit=5)
    expected = [third, replace(first, resolved_at=at(1))]
    assert sorted(listed, key=lambda view: view.alert.created_at, reverse=True) == [
        _view(alert, apples) for alert in expected
    ]


async def test_alerts_are_paged_newest_first_by_status_before_the_mark(
    uow: OpenWork, seed: Seed
) -> None:
    products = [await seed.product() for _ in range(4)]
    ids = ascending_ids(4)
    alerts = [an_alert(p, id=i) for p, i in zip(products, ids, strict=True)]
    async with uow() as work:
        for alert, product in reversed(list(zip(alerts, products, strict=True))):
            assert await work.low_stock_alerts.open(alert, product.name)
        assert await work.low_stock_alerts.resolve(products[1].id, at(1))
        await work.commit()
    views = [_view(a, p) for a, p in zip(alerts, products, strict=True)]
    views[1] = _view(replace(alerts[1], resolved_at=at(1)), products[1])

    async with uow() as work:
        page = await work.low_stock_alerts.page(status=None, before=None, limit=2)
        rest = await work.low_stock_alerts.page(status=None, before=ids[2], limit=5)
        still_open = await work.low_stock_alerts.page(status=AlertStatus.OPEN, before=None, limit=5)
        resolved = await work.low_stock_alerts.page(
            status=AlertStatus.RESOLVED, before=None, limit=5
        )
        open_before = await work.low_stock_alerts.page(
            status=AlertStatus.OPEN, before=ids[3], limit=1
        )

    assert page == [views[3], views[2]]
    assert rest == [views[1], views[0]]
    assert still_open == [views[3], views[2], views[0]]
    assert resolved == [views[1]]
    assert open_before == [views[2]]


async def test_an_alert_opened_in_a_rolled_back_unit_of_work_never_was(
    uow: OpenWork, seed: Seed
) -> None:
    apples = await seed.product()

    async with uow() as work:
        assert await work.low_stock_alerts.open(an_alert(apples, created_at=NOW), apples.name)
        await work.rollback()

    async with uow() as work:
        assert await work.low_stock_alerts.page(status=None, before=None, limit=5) == []
        assert not await work.low_stock_alerts.resolve(apples.id, at(1))
