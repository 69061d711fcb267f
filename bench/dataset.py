"""The benchmark's shop, built with set-based SQL on the real schema (migrate first).

100,000 products in 50 categories named from real grocery words (brand, kind, food, size),
so `q=` searches find realistic numbers of rows: `milk` a few thousand, `smoked salmon` a
few hundred, `bananna` (a typo) the bananas. Popularity is skewed (a few best sellers, a
long tail), half the products have an image row, about 4% are out of stock.
10,000 customers and one manager share one precomputed argon2 hash, so login works.
Ids are UUIDv7 where the server has uuidv7() (PostgreSQL 18), random UUIDs before that.
"""

# ruff: noqa: S608
# (the SQL here is put together from module constants and the server's id function's name)

from __future__ import annotations

from typing import Any

import asyncpg

PRODUCTS = 100_000
CUSTOMERS = 10_000
PASSWORD = "bench-password"  # noqa: S105 - the bench customers' shared password
MANAGER = "bench-manager"

# Category -> the foods it sells. Ten each, so each food names ~200 products.
# fmt: off
AISLES: dict[str, tuple[str, ...]] = {
    "Fruit": ("Apples", "Bananas", "Pears", "Oranges", "Grapes", "Mangoes", "Plums", "Kiwis", "Lemons", "Limes"),
    "Vegetables": ("Carrots", "Potatoes", "Onions", "Tomatoes", "Peppers", "Courgettes", "Leeks", "Broccoli", "Spinach", "Cabbage"),
    "Berries": ("Strawberries", "Raspberries", "Blueberries", "Blackberries", "Cranberries", "Gooseberries", "Redcurrants", "Cherries", "Mulberries", "Elderberries"),
    "Salad": ("Lettuce", "Rocket", "Cucumber", "Radishes", "Watercress", "Celery", "Spring Onions", "Beetroot", "Endive", "Cress"),
    "Herbs": ("Basil", "Parsley", "Coriander", "Mint", "Thyme", "Rosemary", "Dill", "Chives", "Sage", "Oregano"),
    "Milk": ("Whole Milk", "Semi Skimmed Milk", "Skimmed Milk", "Oat Milk", "Almond Milk", "Soy Milk", "Goat Milk", "Lactose Free Milk", "Buttermilk", "Chocolate Milk"),
    "Cheese": ("Cheddar", "Brie", "Camembert", "Gouda", "Mozzarella", "Parmesan", "Feta", "Stilton", "Halloumi", "Emmental"),
    "Yogurt": ("Greek Yogurt", "Natural Yogurt", "Strawberry Yogurt", "Vanilla Yogurt", "Skyr", "Kefir", "Fromage Frais", "Peach Yogurt", "Coconut Yogurt", "Cherry Yogurt"),
    "Butter and Eggs": ("Salted Butter", "Unsalted Butter", "Free Range Eggs", "Duck Eggs", "Quail Eggs", "Margarine", "Ghee", "Cream", "Sour Cream", "Creme Fraiche"),
    "Bakery": ("Sourdough Bread", "White Bread", "Wholemeal Bread", "Rye Bread", "Baguette", "Bagels", "Croissants", "Brioche", "Pitta Bread", "Muffins"),
    "Cakes": ("Chocolate Cake", "Carrot Cake", "Lemon Drizzle Cake", "Cheesecake", "Brownies", "Flapjacks", "Doughnuts", "Cupcakes", "Victoria Sponge", "Fruit Cake"),
    "Meat": ("Beef Mince", "Sirloin Steak", "Pork Chops", "Lamb Chops", "Pork Sausages", "Bacon", "Gammon", "Beef Burgers", "Meatballs", "Ribeye Steak"),
    "Poultry": ("Chicken Breast", "Chicken Thighs", "Whole Chicken", "Chicken Wings", "Turkey Breast", "Duck Breast", "Turkey Mince", "Chicken Drumsticks", "Chicken Mince", "Poussin"),
    "Fish": ("Salmon Fillets", "Cod Fillets", "Haddock", "Tuna Steaks", "Mackerel", "Sea Bass", "Trout", "Sardines", "Prawns", "Scallops"),
    "Deli": ("Smoked Salmon", "Prosciutto", "Salami", "Chorizo", "Pastrami", "Hummus", "Olives", "Coleslaw", "Pate", "Falafel"),
    "Pasta": ("Spaghetti", "Penne", "Fusilli", "Tagliatelle", "Lasagne Sheets", "Macaroni", "Linguine", "Ravioli", "Tortellini", "Gnocchi"),
    "Rice and Grains": ("Basmati Rice", "Jasmine Rice", "Brown Rice", "Risotto Rice", "Quinoa", "Couscous", "Bulgur Wheat", "Pearl Barley", "Polenta", "Wild Rice"),
    "Breakfast": ("Porridge Oats", "Granola", "Muesli", "Corn Flakes", "Bran Flakes", "Rice Pops", "Wheat Biscuits", "Oat Bars", "Pancakes", "Waffles"),
    "Spreads": ("Peanut Butter", "Strawberry Jam", "Raspberry Jam", "Marmalade", "Honey", "Chocolate Spread", "Lemon Curd", "Almond Butter", "Yeast Extract", "Maple Syrup"),
    "Tins": ("Baked Beans", "Chopped Tomatoes", "Chickpeas", "Kidney Beans", "Sweetcorn", "Tuna Chunks", "Coconut Milk", "Lentil Soup", "Tomato Soup", "Peaches in Juice"),
    "Sauces": ("Ketchup", "Mayonnaise", "Mustard", "Pesto", "Soy Sauce", "Sweet Chilli Sauce", "Barbecue Sauce", "Curry Paste", "Pasta Sauce", "Gravy"),
    "Oils and Vinegar": ("Olive Oil", "Extra Virgin Olive Oil", "Sunflower Oil", "Rapeseed Oil", "Sesame Oil", "Balsamic Vinegar", "Cider Vinegar", "Red Wine Vinegar", "Coconut Oil", "Avocado Oil"),
    "Spices": ("Black Pepper", "Sea Salt", "Paprika", "Cumin", "Turmeric", "Cinnamon", "Chilli Flakes", "Garam Masala", "Nutmeg", "Ginger"),
    "Baking": ("Plain Flour", "Self Raising Flour", "Caster Sugar", "Brown Sugar", "Icing Sugar", "Baking Powder", "Cocoa Powder", "Vanilla Extract", "Dried Yeast", "Ground Almonds"),
    "Snacks": ("Crisps", "Tortilla Chips", "Popcorn", "Pretzels", "Rice Cakes", "Salted Peanuts", "Cashews", "Trail Mix", "Crackers", "Breadsticks"),
    "Chocolate": ("Milk Chocolate", "Dark Chocolate", "White Chocolate", "Chocolate Buttons", "Truffles", "Chocolate Bar", "Hazelnut Chocolate", "Mint Chocolate", "Orange Chocolate", "Caramel Chocolate"),
    "Sweets": ("Jelly Beans", "Fruit Gums", "Liquorice", "Marshmallows", "Toffee", "Fudge", "Mints", "Lollipops", "Sherbet", "Wine Gums"),
    "Biscuits": ("Digestives", "Shortbread", "Oat Cookies", "Chocolate Chip Cookies", "Ginger Nuts", "Custard Creams", "Bourbons", "Rich Tea", "Jaffa Cakes", "Oatcakes"),
    "Frozen": ("Frozen Peas", "Oven Chips", "Fish Fingers", "Frozen Pizza", "Frozen Berries", "Frozen Spinach", "Frozen Prawns", "Potato Waffles", "Frozen Sweetcorn", "Hash Browns"),
    "Ice Cream": ("Vanilla Ice Cream", "Chocolate Ice Cream", "Strawberry Ice Cream", "Mint Choc Chip", "Salted Caramel Ice Cream", "Sorbet", "Ice Lollies", "Gelato", "Frozen Yogurt", "Cookie Dough Ice Cream"),
    "Ready Meals": ("Lasagne", "Cottage Pie", "Chicken Curry", "Macaroni Cheese", "Chilli Con Carne", "Fish Pie", "Beef Stew", "Pad Thai", "Risotto", "Vegetable Curry"),
    "World Foods": ("Tortilla Wraps", "Taco Shells", "Noodles", "Rice Noodles", "Miso Paste", "Naan Bread", "Poppadoms", "Salsa", "Kimchi", "Tahini"),
    "Plant Based": ("Tofu", "Tempeh", "Vegan Sausages", "Plant Burgers", "Seitan", "Vegan Cheese", "Oat Cream", "Meat Free Mince", "Jackfruit", "Edamame"),
    "Coffee": ("Ground Coffee", "Coffee Beans", "Instant Coffee", "Espresso", "Decaf Coffee", "Coffee Pods", "Cold Brew", "Cappuccino Sachets", "Latte Pods", "Mocha"),
    "Tea": ("English Breakfast Tea", "Earl Grey", "Green Tea", "Peppermint Tea", "Chamomile Tea", "Rooibos", "Chai", "Fruit Tea", "Jasmine Tea", "Matcha"),
    "Juice": ("Orange Juice", "Apple Juice", "Cranberry Juice", "Pineapple Juice", "Tomato Juice", "Grapefruit Juice", "Mango Juice", "Smoothie", "Carrot Juice", "Pomegranate Juice"),
    "Soft Drinks": ("Cola", "Lemonade", "Ginger Beer", "Tonic Water", "Orange Squash", "Iced Tea", "Energy Drink", "Elderflower Cordial", "Root Beer", "Cream Soda"),
    "Water": ("Still Water", "Sparkling Water", "Mineral Water", "Coconut Water", "Flavoured Water", "Spring Water", "Lemon Water", "Lime Water", "Alkaline Water", "Soda Water"),
    "Beer and Cider": ("Lager", "Pale Ale", "Stout", "IPA", "Cider", "Pilsner", "Wheat Beer", "Bitter", "Porter", "Alcohol Free Beer"),
    "Wine": ("Red Wine", "White Wine", "Rose Wine", "Prosecco", "Champagne", "Merlot", "Sauvignon Blanc", "Pinot Grigio", "Rioja", "Malbec"),
    "Baby": ("Baby Milk", "Baby Rice", "Fruit Puree", "Baby Wipes", "Nappies", "Teething Biscuits", "Baby Porridge", "Vegetable Puree", "Rusks", "Baby Pasta"),
    "Pets": ("Dog Food", "Cat Food", "Dog Treats", "Cat Treats", "Cat Litter", "Bird Seed", "Fish Flakes", "Puppy Food", "Kitten Food", "Chew Sticks"),
    "Household": ("Washing Up Liquid", "Laundry Detergent", "Fabric Softener", "Bin Bags", "Kitchen Roll", "Toilet Roll", "Sponges", "Bleach", "Glass Cleaner", "Dishwasher Tablets"),
    "Health": ("Vitamin C", "Multivitamins", "Paracetamol", "Ibuprofen", "Plasters", "Cough Syrup", "Throat Lozenges", "Vitamin D", "Fish Oil", "Antiseptic Cream"),
    "Beauty": ("Shampoo", "Conditioner", "Shower Gel", "Hand Soap", "Toothpaste", "Deodorant", "Body Lotion", "Face Wash", "Lip Balm", "Sun Cream"),
    "Flowers": ("Roses", "Tulips", "Lilies", "Sunflowers", "Daffodils", "Carnations", "Chrysanthemums", "Orchids", "Peonies", "Mixed Bouquet"),
    "Nuts and Seeds": ("Almonds", "Walnuts", "Pistachios", "Hazelnuts", "Pecans", "Brazil Nuts", "Sunflower Seeds", "Pumpkin Seeds", "Chia Seeds", "Flaxseed"),
    "Dried Fruit": ("Raisins", "Sultanas", "Dried Apricots", "Dates", "Prunes", "Dried Figs", "Dried Mango", "Dried Cranberries", "Goji Berries", "Banana Chips"),
    "Free From": ("Gluten Free Bread", "Gluten Free Pasta", "Dairy Free Milk", "Gluten Free Cookies", "Nut Free Bars", "Egg Free Mayo", "Gluten Free Oats", "Dairy Free Spread", "Gluten Free Crackers", "Sugar Free Jelly"),
    "Seasonal": ("Mince Pies", "Hot Cross Buns", "Pumpkins", "Easter Eggs", "Christmas Pudding", "Stollen", "Panettone", "Gingerbread", "Candy Canes", "Mulled Wine"),
}
BRANDS = (
    "Greenfield", "Hillside", "Meadow Farm", "Golden Harvest", "Riverside", "Old Mill",
    "Sunrise", "Oakwood", "Blue Valley", "Harvest Moon", "Kitchen Garden", "Northern Star",
    "Orchard Lane", "Village Larder", "Coastline", "Highland", "Little Acre", "Stonebridge",
    "Willow Creek", "Market Street",
)
STYLES = (
    "Organic", "Fresh", "Classic", "Smoked", "Free Range", "Wholesome", "Luxury", "Everyday",
    "Family Pack", "Low Fat", "Extra Mature", "Sweet", "Spicy", "Mild", "Crunchy", "Smooth",
    "Hand Picked", "British", "Italian", "Spanish", "French", "Greek", "Mini", "Large",
    "Reduced Sugar", "Value", "Premium", "Farmhouse", "Rustic", "Seasonal",
)
SIZES = ("100 g", "250 g", "500 g", "1 kg", "2 kg", "330 ml", "500 ml", "1 l", "2 l", "6 pack", "12 pack", "each")
UNITS = ("g", "g", "g", "kg", "kg", "ml", "ml", "l", "l", "pack", "pack", "piece")
# fmt: on

assert len(AISLES) == 50 and all(len(foods) == 10 for foods in AISLES.values())


async def new_id_sql(connection: asyncpg.Connection) -> str:
    """uuidv7() where the server has it, so ids sort by creation as the app's do."""
    version = await connection.fetchval("SHOW server_version_num")
    return "uuidv7()" if int(version) >= 180000 else "gen_random_uuid()"


async def build_catalog(connection: asyncpg.Connection) -> None:
    new_id = await new_id_sql(connection)
    names = list(AISLES)
    await connection.execute(
        f"""
        INSERT INTO categories (id, name, slug)
        SELECT {new_id}, name, lower(replace(name, ' ', '-'))
          FROM unnest($1::text[]) WITH ORDINALITY AS a(name, n) ORDER BY n
        """,
        names,
    )
    foods = [food for aisle in names for food in AISLES[aisle]]
    # Product g: aisle g % 50, food by g / 50; brand, style and size by coprime strides, so
    # every combination turns up. Popularity: units_sold ~ 20000 * u^6 (a few hits, a long tail).
    await connection.execute(
        f"""
        WITH aisle AS (
            SELECT c.id, c.name, x.n - 1 AS n
              FROM unnest($1::text[]) WITH ORDINALITY AS x(name, n) JOIN categories c USING (name)
        ), made AS (
            SELECT g,
                   a.id AS category_id,
                   a.name AS aisle,
                   ($2::text[])[1 + (g % 50) * 10 + (g / 50) % 10] AS food,
                   ($3::text[])[1 + (g * 7) % cardinality($3::text[])] AS brand,
                   ($4::text[])[1 + (g * 13 + g / 50) % cardinality($4::text[])] AS style,
                   1 + (g * 11 + g / 7) % cardinality($5::text[]) AS size,
                   ((g::bigint * 2654435761) % 1000003) / 1000003.0 AS u
              FROM generate_series(1, {PRODUCTS}) AS g JOIN aisle a ON a.n = g % 50
        )
        INSERT INTO products (id, category_id, name, slug, description, price, stock, unit,
                              low_stock_threshold, units_sold, created_at)
        SELECT {new_id}, category_id,
               name, lower(regexp_replace(name, '[^A-Za-z0-9]+', '-', 'g')) || '-' || g,
               brand || ' ' || lower(food) || ' from the ' || lower(aisle) || ' aisle. '
                     || style || ', sold by ' || ($6::text[])[size] || '.',
               round((0.49 + ((g * 37) % 4950) / 100.0)::numeric, 2),
               CASE WHEN g % 25 = 0 THEN 0 ELSE 20 + (g * 17) % 480 END,
               ($6::text[])[size], 10,
               floor(20000 * power(u, 6))::int,
               now() - make_interval(mins => (g * 53) % (730 * 24 * 60))
          FROM (SELECT *, brand || ' ' || style || ' ' || food || ' ' || ($5::text[])[size] AS name
                  FROM made) named
         ORDER BY g
        """,
        names,
        foods,
        list(BRANDS),
        list(STYLES),
        list(SIZES),
        list(UNITS),
    )
    await opening_stock(connection, new_id)
    await connection.execute(
        f"""
        INSERT INTO product_images (id, product_id, key, content_type, size, width, height)
        SELECT {new_id}, id, 'products/' || id || '/front.webp', 'image/webp', 24000, 800, 800
          FROM products WHERE get_byte(uuid_send(id), 15) % 2 = 0
        """
    )


async def opening_stock(connection: asyncpg.Connection, new_id: str) -> None:
    """Every stocked product's `initial` movement: the ledger starts where the shelves do
    (stock = the sum of a product's movements, bench/invariants.py)."""
    await connection.execute(
        f"""
        INSERT INTO stock_movements (id, product_id, kind, quantity, stock_after, note, created_at)
        SELECT {new_id}, id, 'initial', stock, stock, 'stock when the shop opened', now()
          FROM products WHERE stock > 0 ORDER BY id
        """
    )


async def stock_up(connection: asyncpg.Connection, product_ids: list[Any], stock: int) -> None:
    """Set the products' stock to `stock`, each change written as an `adjustment` movement."""
    new_id = await new_id_sql(connection)
    await connection.execute(
        f"""
        WITH before AS (
            SELECT id, stock FROM products WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE
        ), changed AS (
            UPDATE products p SET stock = $2 FROM before b
             WHERE p.id = b.id AND b.stock <> $2
            RETURNING p.id, $2 - b.stock AS quantity
        )
        INSERT INTO stock_movements (id, product_id, kind, quantity, stock_after, note, created_at)
        SELECT {new_id}, id, 'adjustment', quantity, $2, 'bench: stocked up for the run', now()
          FROM changed ORDER BY id
        """,
        product_ids,
        stock,
    )


async def build_customers(connection: asyncpg.Connection, password_hash: str) -> None:
    new_id = await new_id_sql(connection)
    await connection.execute(
        f"""
        INSERT INTO users (id, email, username, password_hash, role, is_active, created_at)
        SELECT {new_id}, 'customer' || lpad(n::text, 5, '0') || '@bench.example',
               'customer' || lpad(n::text, 5, '0'), $1, 'customer', true,
               now() - make_interval(days => n % 700)
          FROM generate_series(1, {CUSTOMERS}) AS n ORDER BY n
        """,
        password_hash,
    )
    await connection.execute(
        f"""
        INSERT INTO users (id, email, username, password_hash, role, is_active, created_at)
        VALUES ({new_id}, $2 || '@bench.example', $2, $1, 'manager', true, now())
        """,
        password_hash,
        MANAGER,
    )


async def customer_ids(connection: asyncpg.Connection, count: int, offset: int = 0) -> list[Any]:
    rows = await connection.fetch(
        "SELECT id FROM users WHERE role = 'customer' ORDER BY username LIMIT $1 OFFSET $2",
        count,
        offset,
    )
    return [row["id"] for row in rows]


async def manager_id(connection: asyncpg.Connection) -> Any:
    return await connection.fetchval("SELECT id FROM users WHERE username = $1", MANAGER)
