"""A demo grocery catalog: ten aisles, 150 products with real names, units and prices.

A product's unit is what one of its quantity buys and its price is for: `kg` and `l` for
goods weighed or poured (apples by the kilo, milk by the litre), `pack` or `piece` for
everything sold pre-packed, whose size the description gives ("Wholemeal biscuits, 400 g").
Nothing is priced per gram or millilitre.

`load_demo_catalog` adds it through the CatalogService, so every rule applies; running it
again adds only what is missing (a taken slug means the item is already on the shelf).
A few products are low or out of stock on purpose, so filters and alerts have something
to show, and a few are sold by weight (WEIGHED_STEPS), so picking has lines to weigh.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from grocery.core.catalog import slugify
from grocery.core.catalog_edits import ProductEdit
from grocery.core.edits import KEEP
from grocery.core.errors import AlreadyExists, NotFound
from grocery.core.services.catalog import CatalogService

# name, unit, price, stock, description
Item = tuple[str, str, str, int, str]

# Sold by weight, the step each unit of quantity and stock stands for: loose fruit and
# vegetables picked by the half kilo, cheese cut at the counter by the 250 g.
WEIGHED_STEPS: dict[str, str] = {
    "Honeycrisp Apples": "0.500",
    "Carrots": "0.500",
    "Mature Cheddar": "0.250",
}

DEMO_CATALOG: dict[str, list[Item]] = {
    "Fruit": [
        ("Bananas", "bunch", "1.49", 120, "Ripe Cavendish bananas, about six to a bunch."),
        ("Honeycrisp Apples", "kg", "4.99", 80, "Crisp, sweet and juicy eating apples."),
        ("Granny Smith Apples", "kg", "3.79", 65, "Tart green apples for baking or snacking."),
        ("Strawberries", "pack", "3.99", 45, "A 400 g punnet of sweet red strawberries."),
        ("Blueberries", "pack", "4.49", 38, "Plump blueberries in a 300 g punnet."),
        ("Raspberries", "pack", "4.29", 6, "Delicate raspberries, best eaten within two days."),
        ("Seedless Red Grapes", "kg", "5.49", 30, "Crunchy red grapes with no seeds."),
        ("Navel Oranges", "kg", "2.99", 90, "Easy-peel oranges full of juice."),
        ("Lemons", "piece", "0.59", 150, "Unwaxed lemons for cooking and drinks."),
        ("Limes", "piece", "0.45", 140, "Zesty limes for salsas and cocktails."),
        ("Hass Avocados", "piece", "1.79", 70, "Creamy avocados, ripe in two to three days."),
        ("Pineapple", "piece", "3.49", 25, "A whole golden pineapple."),
        ("Mango", "piece", "1.99", 40, "Sweet Ataulfo mango with smooth flesh."),
        ("Watermelon", "piece", "6.99", 0, "A whole seedless watermelon."),
        ("Kiwi Fruit", "pack", "2.99", 55, "Six green kiwis, tangy and sweet."),
    ],
    "Vegetables": [
        ("Carrots", "kg", "1.29", 110, "Sweet crunchy carrots, washed."),
        ("Broccoli", "piece", "1.69", 60, "A fresh head of green broccoli."),
        ("Baby Spinach", "pack", "2.49", 48, "Tender washed spinach leaves, 200 g."),
        ("Cherry Tomatoes", "pack", "2.99", 52, "Sweet cherry tomatoes on the vine, 250 g."),
        ("Vine Tomatoes", "kg", "3.49", 40, "Classic round tomatoes ripened on the vine."),
        ("Cucumber", "piece", "0.89", 75, "A long English cucumber."),
        ("Red Bell Pepper", "piece", "1.19", 68, "Sweet red pepper for roasting or salads."),
        ("Yellow Onions", "kg", "1.49", 130, "All-purpose cooking onions."),
        ("Garlic", "piece", "0.69", 95, "A whole bulb of white garlic."),
        ("Russet Potatoes", "kg", "1.19", 160, "Floury potatoes for mash, chips and baking."),
        ("Sweet Potatoes", "kg", "2.29", 58, "Orange-fleshed sweet potatoes."),
        ("Iceberg Lettuce", "piece", "1.39", 35, "A crisp head of iceberg lettuce."),
        ("Zucchini", "kg", "2.79", 8, "Tender green courgettes."),
        ("Button Mushrooms", "pack", "2.19", 44, "White mushrooms, 250 g."),
        ("Fresh Coriander", "bunch", "0.99", 50, "A fragrant bunch of coriander leaves."),
    ],
    "Dairy & Eggs": [
        ("Whole Milk", "l", "1.29", 140, "Fresh pasteurised whole milk."),
        ("Semi-Skimmed Milk", "l", "1.19", 150, "Fresh milk with 1.7% fat."),
        ("Oat Milk", "l", "2.29", 70, "Creamy oat drink, great in coffee."),
        ("Free-Range Eggs", "pack", "3.49", 90, "A dozen large free-range eggs."),
        ("Salted Butter", "pack", "2.99", 60, "Creamy salted butter, 250 g block."),
        ("Mature Cheddar", "kg", "12.90", 60, "Strong, crumbly cheddar, cut at the counter."),
        ("Mozzarella", "piece", "1.49", 48, "Fresh mozzarella ball in brine, 125 g."),
        ("Parmigiano Reggiano", "pack", "5.99", 30, "Aged 24 months, 200 g wedge."),
        ("Brie", "piece", "3.29", 5, "Soft, creamy French brie, 200 g."),
        ("Greek Yogurt", "pack", "2.79", 64, "Thick strained yogurt, 500 g."),
        ("Strawberry Yogurt", "pack", "2.49", 50, "Four 125 g pots of strawberry yogurt."),
        ("Crème Fraîche", "pack", "1.99", 36, "Rich cultured cream, 300 ml."),
        ("Double Cream", "pack", "1.69", 40, "Thick cream for whipping and pouring, 300 ml."),
        ("Cottage Cheese", "pack", "1.89", 28, "Low-fat cottage cheese, 300 g."),
        ("Feta", "pack", "2.59", 33, "Greek sheep's milk feta, 200 g."),
    ],
    "Bakery": [
        ("Sourdough Loaf", "piece", "3.99", 24, "Slow-fermented sourdough with a crackling crust."),
        ("Wholemeal Bread", "piece", "1.89", 40, "Sliced wholemeal loaf, 800 g."),
        ("White Sandwich Bread", "piece", "1.49", 45, "Soft sliced white bread, 800 g."),
        ("Baguette", "piece", "1.29", 30, "A classic French baguette, baked today."),
        ("Butter Croissants", "pack", "2.99", 26, "Four flaky all-butter croissants."),
        ("Pain au Chocolat", "pack", "3.29", 20, "Four chocolate-filled pastries."),
        ("Bagels", "pack", "2.49", 34, "Five plain New York style bagels."),
        (
            "Seeded Rye Bread",
            "piece",
            "3.49",
            18,
            "Dense rye loaf with sunflower and pumpkin seeds.",
        ),
        ("Ciabatta", "piece", "1.99", 22, "Airy Italian bread with olive oil."),
        ("Brioche Buns", "pack", "2.79", 28, "Four soft brioche burger buns."),
        ("Cinnamon Rolls", "pack", "3.49", 3, "Two iced cinnamon swirls."),
        ("Blueberry Muffins", "pack", "2.99", 24, "Four muffins bursting with blueberries."),
        ("Flour Tortillas", "pack", "2.19", 38, "Eight soft wheat tortillas."),
        ("Pita Bread", "pack", "1.39", 36, "Six white pita pockets."),
        ("English Muffins", "pack", "1.99", 30, "Six muffins for toasting."),
    ],
    "Meat & Fish": [
        ("Chicken Breast Fillets", "kg", "9.99", 40, "Skinless free-range chicken breast."),
        ("Whole Chicken", "piece", "7.49", 18, "A whole free-range chicken, about 1.6 kg."),
        ("Beef Mince", "pack", "4.99", 45, "Lean 5% fat beef mince, 500 g."),
        ("Ribeye Steak", "piece", "11.99", 14, "Dry-aged ribeye, about 250 g."),
        ("Pork Sausages", "pack", "3.99", 36, "Six classic pork sausages."),
        ("Smoked Back Bacon", "pack", "3.49", 42, "Ten rashers of smoked bacon."),
        ("Lamb Chops", "pack", "8.99", 12, "Four lamb loin chops."),
        ("Salmon Fillets", "pack", "6.99", 30, "Two skin-on Scottish salmon fillets."),
        ("Cod Loins", "pack", "7.49", 2, "Two thick skinless cod loins."),
        ("King Prawns", "pack", "5.99", 26, "Raw peeled king prawns, 225 g."),
        ("Tuna Steaks", "pack", "7.99", 15, "Two yellowfin tuna steaks."),
        ("Smoked Salmon", "pack", "4.99", 28, "Oak-smoked salmon slices, 200 g."),
        ("Turkey Mince", "pack", "4.29", 24, "Lean turkey mince, 500 g."),
        ("Beef Burgers", "pack", "4.49", 32, "Four quarter-pound beef burgers."),
        ("Chorizo", "pack", "2.99", 40, "Spanish cooking chorizo, 225 g."),
    ],
    "Pantry": [
        ("Spaghetti", "pack", "1.19", 120, "Durum wheat spaghetti, 500 g."),
        ("Penne", "pack", "1.19", 110, "Durum wheat penne rigate, 500 g."),
        ("Basmati Rice", "kg", "2.99", 85, "Fragrant long-grain basmati rice."),
        ("Arborio Rice", "pack", "2.49", 40, "Risotto rice, 500 g."),
        ("Rolled Oats", "kg", "1.99", 70, "Whole rolled oats for porridge."),
        ("Extra Virgin Olive Oil", "pack", "7.49", 50, "Cold-pressed olive oil, 500 ml."),
        ("Chopped Tomatoes", "pack", "0.79", 160, "Italian chopped tomatoes, 400 g tin."),
        ("Chickpeas", "pack", "0.89", 120, "Chickpeas in water, 400 g tin."),
        ("Red Lentils", "pack", "1.59", 60, "Split red lentils, 500 g."),
        ("Plain Flour", "kg", "1.09", 75, "All-purpose wheat flour."),
        ("Caster Sugar", "kg", "1.49", 66, "Fine white sugar for baking."),
        ("Clear Honey", "pack", "3.49", 38, "Squeezy clear honey, 340 g."),
        ("Smooth Peanut Butter", "pack", "2.79", 44, "Peanut butter with no palm oil, 340 g."),
        ("Strawberry Jam", "pack", "2.29", 40, "Extra-fruit strawberry jam, 340 g."),
        ("Sea Salt Flakes", "pack", "2.99", 0, "Soft pyramid salt flakes, 250 g."),
    ],
    "Snacks & Sweets": [
        ("Sea Salt Crisps", "pack", "1.99", 80, "Hand-cooked potato crisps, 150 g."),
        ("Tortilla Chips", "pack", "1.79", 70, "Lightly salted corn chips, 200 g."),
        ("Salted Popcorn", "pack", "1.49", 55, "Air-popped popcorn, 80 g."),
        ("Dark Chocolate 70%", "pack", "2.49", 60, "Rich dark chocolate bar, 100 g."),
        ("Milk Chocolate", "pack", "1.99", 75, "Creamy milk chocolate bar, 100 g."),
        ("Digestive Biscuits", "pack", "1.29", 64, "Wholemeal biscuits, 400 g."),
        ("Chocolate Chip Cookies", "pack", "2.29", 48, "Eight chewy cookies."),
        ("Salted Peanuts", "pack", "1.69", 50, "Roasted salted peanuts, 200 g."),
        ("Mixed Nuts", "pack", "3.99", 35, "Almonds, cashews, hazelnuts and walnuts, 200 g."),
        ("Trail Mix", "pack", "3.29", 30, "Nuts, raisins and chocolate drops, 250 g."),
        ("Granola Bars", "pack", "2.99", 42, "Five oat and honey bars."),
        ("Gummy Bears", "pack", "1.49", 58, "Fruity gummy bears, 200 g."),
        ("Rice Cakes", "pack", "1.39", 40, "Lightly salted wholegrain rice cakes."),
        ("Pretzels", "pack", "1.59", 9, "Salted pretzel twists, 175 g."),
        ("Salted Caramel Fudge", "pack", "2.79", 25, "Butter fudge with sea salt, 150 g."),
    ],
    "Beverages": [
        ("Orange Juice", "piece", "2.49", 60, "Freshly squeezed orange juice, no bits, 1 l."),
        ("Apple Juice", "piece", "1.99", 55, "Cloudy pressed apple juice, 1 l."),
        ("Sparkling Water", "piece", "0.79", 150, "Naturally sparkling mineral water, 1.5 l."),
        ("Still Spring Water", "pack", "2.99", 90, "Six 500 ml bottles of spring water."),
        ("Cola", "piece", "1.89", 80, "Classic cola, 1.75 l."),
        ("Ginger Beer", "pack", "3.49", 40, "Four cans of fiery ginger beer."),
        ("Ground Coffee", "pack", "4.99", 45, "Medium roast arabica, 227 g."),
        ("Coffee Beans", "kg", "18.99", 20, "Whole espresso beans, single origin."),
        ("English Breakfast Tea", "pack", "3.29", 50, "Eighty tea bags of strong black tea."),
        ("Green Tea", "pack", "2.79", 35, "Forty bags of Japanese sencha."),
        ("Hot Chocolate", "pack", "3.49", 30, "Fairtrade drinking chocolate, 300 g."),
        ("Kombucha", "pack", "2.99", 7, "Raw ginger and lemon kombucha, 330 ml."),
        ("Coconut Water", "pack", "1.99", 28, "Pure coconut water, 500 ml."),
        ("Lemonade", "piece", "1.49", 44, "Cloudy still lemonade, 1.5 l."),
        ("Iced Tea", "piece", "1.69", 36, "Peach iced tea, 1 l."),
    ],
    "Frozen": [
        ("Frozen Peas", "kg", "1.99", 70, "Garden peas, frozen within hours of picking."),
        ("Frozen Sweetcorn", "kg", "1.89", 50, "Sweet golden corn kernels."),
        (
            "Frozen Mixed Berries",
            "pack",
            "3.49",
            40,
            "Strawberries, raspberries and blackberries, 500 g.",
        ),
        ("Oven Chips", "kg", "2.29", 60, "Crispy straight-cut oven chips."),
        ("Margherita Pizza", "piece", "3.99", 30, "Stone-baked pizza with mozzarella and basil."),
        ("Pepperoni Pizza", "piece", "4.29", 28, "Stone-baked pizza loaded with pepperoni."),
        ("Fish Fingers", "pack", "2.99", 35, "Ten cod fish fingers in breadcrumbs."),
        ("Chicken Nuggets", "pack", "3.49", 32, "Breaded chicken breast nuggets, 400 g."),
        ("Vanilla Ice Cream", "piece", "3.99", 26, "Madagascan vanilla ice cream, 1 l tub."),
        ("Chocolate Ice Cream", "piece", "3.99", 24, "Belgian chocolate ice cream, 1 l tub."),
        ("Mango Sorbet", "pack", "3.29", 4, "Dairy-free Alphonso mango sorbet, 500 ml."),
        ("Frozen Spinach", "pack", "1.49", 30, "Chopped leaf spinach portions, 450 g."),
        ("Vegetable Dumplings", "pack", "3.79", 22, "Twelve steamed vegetable gyoza."),
        ("Frozen Prawns", "pack", "5.49", 20, "Cooked peeled prawns, 300 g."),
        ("Ice Cubes", "pack", "1.29", 50, "A 2 kg bag of party ice."),
    ],
    "Household": [
        ("Toilet Paper", "pack", "5.99", 60, "Nine rolls of soft three-ply tissue."),
        ("Kitchen Towels", "pack", "3.49", 48, "Two rolls of absorbent kitchen paper."),
        ("Washing-Up Liquid", "pack", "1.79", 55, "Lemon washing-up liquid, 450 ml."),
        ("Dishwasher Tablets", "pack", "6.99", 30, "Thirty all-in-one tablets."),
        ("Laundry Detergent", "piece", "7.99", 25, "Non-bio liquid detergent, 38 washes."),
        ("Fabric Conditioner", "piece", "3.99", 22, "Fresh linen fabric softener, 1.2 l."),
        ("All-Purpose Cleaner", "pack", "2.49", 40, "Antibacterial spray, 750 ml."),
        ("Bin Bags", "pack", "2.99", 38, "Twenty 50 l drawstring bin bags."),
        ("Sponges", "pack", "1.49", 45, "Five non-scratch scrub sponges."),
        ("Aluminium Foil", "piece", "2.29", 30, "A 10 m roll of kitchen foil."),
        ("Cling Film", "piece", "1.99", 28, "A 30 m roll of food wrap."),
        ("Hand Soap", "pack", "1.89", 36, "Aloe vera liquid hand soap, 250 ml."),
        ("AA Batteries", "pack", "4.99", 20, "Eight long-life alkaline batteries."),
        ("Tea Lights", "pack", "2.49", 5, "Thirty unscented tea lights."),
        ("Paper Napkins", "pack", "1.29", 40, "Fifty white two-ply napkins."),
    ],
}


@dataclass(frozen=True, slots=True)
class DemoLoad:
    categories_added: int
    products_added: int


async def load_demo_catalog(catalog: CatalogService) -> DemoLoad:
    """Stock the shop with DEMO_CATALOG; what is already there is left as it is."""
    categories_added = products_added = 0
    for category_name, items in DEMO_CATALOG.items():
        category_id, added = await _aisle(catalog, category_name)
        categories_added += added
        for name, unit, price, stock, description in items:
            try:
                await catalog.add_product(
                    ProductEdit(
                        name=name,
                        category_id=category_id,
                        price=price,
                        stock=stock,
                        unit=unit,
                        description=description,
                        sold_by="weight" if name in WEIGHED_STEPS else KEEP,
                        step_kg=WEIGHED_STEPS.get(name, KEEP),
                    )
                )
            except AlreadyExists:
                continue
            products_added += 1
    return DemoLoad(categories_added, products_added)


async def _aisle(catalog: CatalogService, name: str) -> tuple[UUID, int]:
    """The category's id, and 1 when it had to be added."""
    try:
        return (await catalog.category(slugify(name))).id, 0
    except NotFound:
        return (await catalog.add_category(name)).id, 1
