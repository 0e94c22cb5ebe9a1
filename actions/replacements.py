"""Replacing an item of an order by another product: "swap the hand grinder for the electric one",
"make the mugs blue instead", "replace the red mug with the blue one", "blue mugs instead of red".

The item replaced is the product named that the order holds, else the order's item of the same
kind as the product named (same category, a word of their names in common: mugs for a blue mug);
the new product is the one named that the order doesn't hold, else the one of the replaced item's
kind that a word of the message picks ("the electric one"). A replacement is an item change like
any other (actions/order_changes.py): the order's new lines, confirmed before they are sent.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from actions.backend_client import BackendClient, Product
from actions.order_changes import ChangeResult, explicit_quantity, mark_implicit, pick_sku, product_skus, replace_line

# Words that put one product in the place of another.
REPLACING = re.compile(r"(?i)\b(?:swap\w*|switch|exchange|replac(?:e|ing)|instead)\b|\bchange\b.{1,40}?\bto\b|"
                       + r"\bmake (?:it|that)\s+(?:the|a|an)\b")
# "actually no make it the glass teapot" with one item: that item, whatever its kind.
_CHANGE_OF_MIND = re.compile(r"(?i)\bmake (?:it|that)\s+(?:the|a|an)\b")
# Words of product names that say nothing of what the product is.
_NOT_KINDS = frozenset("the and with for one ones set pack".split())


def _stems(text: str) -> set:
    """The words of a name or message that may tell products apart ("mugs" and "mug" alike)."""
    return {word.rstrip("s") for word in re.findall(r"[a-z]{3,}", text.lower())} - _NOT_KINDS


def _same_kind(one: Product, other: Product) -> bool:
    return one.category == other.category and bool(_stems(one.name) & _stems(other.name))


async def replacement(backend: BackendClient, lines: List[Dict[str, Any]], entities: List[Dict[str, Any]],
                      text: str) -> Optional[ChangeResult]:
    """The order's lines ({"sku", "name", "quantity"}) with the item the message replaces swapped
    for the new product; None when the message replaces none of them."""
    if REPLACING.search(text) is None:
        return None
    in_order = {line["sku"]: line for line in lines}
    products = mark_implicit(entities, text)
    held = [e for e in products if pick_sku(product_skus(e), in_order) in in_order]
    named = [e for e in products if e not in held]
    if len(held) > 1 or len(named) > 1:
        return None  # several changes in one message: read as any other change
    new_entity = named[0] if named else None
    old = (in_order[pick_sku(product_skus(held[0]), in_order)] if held
           else await _line_of_the_kind(backend, lines, new_entity, text))
    if old is None:
        return None
    if new_entity is None:
        new = await _one_of_its_kind(backend, old, text)
    elif len(product_skus(new_entity)) == 1:
        new = {"sku": product_skus(new_entity)[0], "name": str(new_entity["value"])}
    else:  # "swap the grinder for a kettle": which kettle is asked, then the swap is read again
        skus = product_skus(new_entity)
        return ChangeResult(lines=list(lines), problem=("ambiguous", str(new_entity["value"]), skus))
    if new is None or new["sku"] == old["sku"]:
        return None
    quantity = explicit_quantity(new_entity) if new_entity is not None else None
    return replace_line(lines, old["sku"], new, quantity, explicit_quantity(held[0]) if held else None)


async def _line_of_the_kind(backend: BackendClient, lines: List[Dict[str, Any]], new_entity: Optional[Dict[str, Any]],
                            text: str) -> Optional[Dict[str, Any]]:
    """The order's item that the product named takes the place of: the one of its kind ("make the
    mugs blue instead"), the one whose name has a word said if several are ("... instead of the red
    ones"); with no product named, the order's only item ("make it blue instead")."""
    if new_entity is None:
        return lines[0] if len(lines) == 1 else None
    if len(product_skus(new_entity)) != 1:
        return None  # "a kettle instead": which kettle, and so which item, is unknown
    new = await backend.get_product(product_skus(new_entity)[0])
    kin = [line for line in lines if _same_kind(await backend.get_product(line["sku"]), new)]
    if not kin and len(lines) == 1 and _CHANGE_OF_MIND.search(text):
        return lines[0]  # "actually no make it the glass teapot" for a french press
    if len(kin) > 1:
        said = _stems(text) - _stems(new.name)
        kin = [line for line in kin if said & _stems(line["name"])]
    return kin[0] if len(kin) == 1 else None


async def _one_of_its_kind(backend: BackendClient, line: Dict[str, Any], text: str) -> Optional[Dict[str, str]]:
    """The product of the item's kind that a word of the message names and the item's name doesn't
    ("the electric one" for a hand grinder: the electric grinder); None unless exactly one."""
    old = await backend.get_product(line["sku"])
    said = _stems(text) - _stems(old.name)
    others = await backend.search_products(category=old.category, limit=100)
    picked = [p for p in others if p.sku != old.sku and _same_kind(p, old) and said & _stems(p.name)]
    return {"sku": picked[0].sku, "name": picked[0].name} if len(picked) == 1 else None
