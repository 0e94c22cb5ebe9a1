"""What shapes the demo's demand per product and day: popularity, promotions and stock-outs.

Popularity is explicit (not random) so the demo reliably shows every kind of demand the
forecaster handles: daily sellers with a weekly pattern (consumables), slow and intermittent
sellers (expensive gear), spikes during promotions, and days a product could not be bought.
"""
from __future__ import annotations

from dataclasses import dataclass

# Relative chance that an order line is this product. About 1.0 sells every day; below
# about 0.15 most days have no sale (intermittent demand).
POPULARITY: dict[str, float] = {
    "COF-ETH-250": 1.3, "COF-COL-250": 1.5, "COF-ESP-1KG": 0.7, "COF-GRD-250": 1.1,
    "COF-DEC-250": 0.55, "BRW-FLT-100": 1.4, "TEA-EBF-250": 1.2, "TEA-SEN-100": 0.45,
    "TEA-CHA-200": 0.45, "TEA-INF-STL": 0.5, "MUG-CER-RED": 0.5, "MUG-CER-BLU": 0.55,
    "MUG-CER-GRN": 0.35, "MUG-CER-WHT": 0.6, "MUG-CER-BLK": 0.4, "MUG-TRV-STL": 0.35,
    "MUG-ENM-CRM": 0.12, "MUG-ESP-SET": 0.12, "TEA-CAD-TIN": 0.2, "TEA-POT-GLS": 0.18,
    "TEA-POT-CER": 0.14, "TEA-POT-CST": 0.05, "KET-ELC-STL": 0.12, "KET-GOO-BLK": 0.07,
    "KET-STV-RED": 0.08, "GRN-HND-BUR": 0.08, "GRN-ELC-BUR": 0.03, "BRW-FRP-800": 0.2,
    "BRW-V60-CER": 0.12, "BRW-MOK-6CP": 0.25, "BRW-SCL-DIG": 0.1, "TBL-PLT-SET": 0.04,
    "TBL-BWL-SET": 0.06, "GLS-TMB-SET": 0.1, "GLS-DBW-2PC": 0.15, "KIT-TWL-LIN": 0.1,
    "KIT-FRT-JUG": 0.3,
}
DEFAULT_POPULARITY = 0.1  # products added to the catalogue later


@dataclass(frozen=True)
class Promotion:
    name: str
    first_day: int          # days after the history's start
    days: int
    categories: tuple[str, ...]
    demand_factor: float    # on the promoted products' popularity
    order_factor: float     # on the shop's order volume those days


# Day numbers count from the start of the 182-day history.
PROMOTIONS = [
    Promotion("Coffee week", 40, 7, ("Coffee",), 3.0, 1.35),
    Promotion("Mug days", 95, 4, ("Mugs",), 3.5, 1.3),
    Promotion("Brew gear sale", 128, 5, ("Coffee Gear", "Kettles"), 4.0, 1.3),
]


@dataclass(frozen=True)
class Stockout:
    """Days on which the product had no stock: nobody could order it."""
    sku: str
    first_day: int          # from the start; negative counts back from the end
    days: int


STOCKOUTS = [
    Stockout("TEA-SEN-100", 88, 9),
    Stockout("COF-ETH-250", 131, 5),
    Stockout("MUG-CER-WHT", 60, 8),
    # Sold out now (the catalogue's stock is 0): the last days had nothing to sell.
    Stockout("MUG-CER-BLK", -9, 9),
    Stockout("KET-STV-RED", -16, 16),
    Stockout("KIT-FRT-JUG", -5, 5),
]


def stockout_days(total_days: int) -> dict[str, range]:
    """The stock-out window per SKU as day numbers in 0..total_days."""
    windows = {}
    for s in STOCKOUTS:
        first = s.first_day if s.first_day >= 0 else total_days + 1 + s.first_day
        windows[s.sku] = range(first, first + s.days)
    return windows


def promotion_on(day: int) -> Promotion | None:
    for promo in PROMOTIONS:
        if promo.first_day <= day < promo.first_day + promo.days:
            return promo
    return None


def day_weights(products: list[dict], day: int, windows: dict[str, range]) -> list[float]:
    """Each product's chance of being on an order line that day."""
    promo = promotion_on(day)
    weights = []
    for p in products:
        weight = POPULARITY.get(p["sku"], DEFAULT_POPULARITY)
        if promo and p.get("category") in promo.categories:
            weight *= promo.demand_factor
        if day in windows.get(p["sku"], ()):
            weight = 0.0
        weights.append(weight)
    return weights
