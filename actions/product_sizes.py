"""Sizes of products, for "which one is bigger?" and "the smallest teapot": read from the
catalogue's `size` (or `capacity`, `weight`) attribute, as the shop writes it ("350 ml", "0.8 L",
"250 g"), in one unit per kind of measure so that they compare.
"""
from __future__ import annotations

import re
from typing import List, Optional, Tuple

from actions.backend_client import Product

# "which one is bigger?", "the largest teapot", "smallest mug": one product, by size.
SIZE_RANKING = re.compile(r"(?i)\b(?:(?P<big>bigger|biggest|larger|largest|holds? (?:the )?most|holds? more|"
                          r"more capacity|most capacity|heavier|heaviest)|smaller|smallest|tinier|tiniest|"
                          r"holds? (?:the )?least|holds? less|lighter|lightest|more compact|most compact)\b")
_AMOUNT = re.compile(r"(?i)(\d+(?:[.,]\d+)?)\s*(ml|cl|l|litres?|liters?|g|kg)\b")
# Each unit as (measure, how many of the measure's base unit it is).
_UNITS = {"ml": ("volume", 1.0), "cl": ("volume", 10.0), "l": ("volume", 1000.0), "litre": ("volume", 1000.0),
          "litres": ("volume", 1000.0), "liter": ("volume", 1000.0), "liters": ("volume", 1000.0),
          "g": ("weight", 1.0), "kg": ("weight", 1000.0)}
_SIZE_ATTRIBUTES = ("size", "capacity", "volume", "weight")

Measure = Tuple[str, float]  # ("volume", 800.0): 0.8 L


def measure(product: Product) -> Optional[Measure]:
    """The product's size in its measure's base unit (ml, g), or None when the catalogue gives none."""
    for attribute in _SIZE_ATTRIBUTES:
        found = _AMOUNT.search(str(product.attributes.get(attribute) or ""))
        if found:
            kind, factor = _UNITS[found.group(2).lower()]
            return kind, float(found.group(1).replace(",", ".")) * factor
    return None


def by_size(products: List[Product], biggest: bool) -> List[Product]:
    """The biggest (or smallest) of the products whose sizes compare: those measured like most of
    them (a volume against a volume); [] when fewer than two of them compare."""
    return sorted_by_size(products, biggest)[:1]


def sorted_by_size(products: List[Product], biggest: bool) -> List[Product]:
    """The products whose sizes compare, biggest (or smallest) first, then those that don't; []
    when fewer than two of them compare."""
    measured = [(product, size) for product in products if (size := measure(product))]
    kinds = [kind for _, (kind, _) in measured]
    common = max(set(kinds), key=kinds.count) if kinds else None
    comparable = [(product, amount) for product, (kind, amount) in measured if kind == common]
    if len(comparable) < 2:
        return []
    ordered = [product for product, _ in sorted(comparable, key=lambda pair: -pair[1] if biggest else pair[1])]
    return ordered + [product for product in products if product not in ordered]


def ranks_by_size(text: str) -> Optional[bool]:
    """True for "the biggest", False for "the smallest", None when the message ranks nothing by size."""
    found = SIZE_RANKING.search(text)
    return None if found is None else found.group("big") is not None
