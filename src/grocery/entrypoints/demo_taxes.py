"""The demo shop's taxes: a standard and a reduced rate, on some aisles and products.

Household goods and snacks pay the standard rate, most food the reduced one, and a few
products carry their own class over their aisle's (ice cream is standard-rated, unlike the
rest of the freezer). Running it again adds only the classes that are missing and gives a
class only to aisles and products that have none.
"""

from __future__ import annotations

from grocery.core.catalog import slugify
from grocery.core.catalog_edits import ProductEdit
from grocery.core.errors import NotFound
from grocery.core.services.catalog import CatalogService
from grocery.core.services.taxes import TaxClassService

DEMO_TAX_CLASSES: dict[str, str] = {"Standard rate": "20", "Reduced rate": "5"}
AISLE_TAXES: dict[str, str] = {
    "Household": "Standard rate",
    "Snacks & Sweets": "Standard rate",
    "Beverages": "Standard rate",
    "Bakery": "Reduced rate",
    "Dairy & Eggs": "Reduced rate",
    "Frozen": "Reduced rate",
}
PRODUCT_TAXES: dict[str, str] = {
    "Vanilla Ice Cream": "Standard rate",
    "Chocolate Ice Cream": "Standard rate",
    "Still Spring Water": "Reduced rate",
}


async def tax_the_demo_shop(taxes: TaxClassService, catalog: CatalogService) -> int:
    """Add the demo's tax classes and give them out; answers how many classes were added."""
    classes = {tax_class.name: tax_class.id for tax_class in await taxes.all()}
    added = 0
    for name, rate in DEMO_TAX_CLASSES.items():
        if name not in classes:
            classes[name] = (await taxes.create(name, rate)).id
            added += 1
    for aisle_name, class_name in AISLE_TAXES.items():
        aisle = await catalog.category(slugify(aisle_name))
        if aisle.tax_class_id is None:
            await catalog.edit_category(str(aisle.id), tax_class_id=classes[class_name])
    for product_name, class_name in PRODUCT_TAXES.items():
        try:
            product = await catalog.product(slugify(product_name))
        except NotFound:  # archived by a manager meanwhile
            continue
        if product.tax_class_id is None:
            edit = ProductEdit(tax_class_id=classes[class_name])
            await catalog.edit_product(product.id, edit)
    return added
