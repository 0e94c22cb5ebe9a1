"""Reading which items of a delivered order go back: "the blue mug", "1 of the mugs", "all of it",
"everything except the teapot", or just "2" when the order holds one product.

Pure: the order's lines ({"sku", "name", "quantity", ...}), the message's entities and text in;
the lines to return ({"sku", "name", "quantity"}) out, or what stands in the way.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from actions.order_changes import explicit_quantity, mark_implicit, pick_sku, product_skus
from actions.parsing import quantity_in

EVERYTHING = re.compile(r"(?i)\b(all|everything|every thing|whole|entire|both|the lot|"
                        r"sab|sabhi|saara|sara|poora|pura)\b")
# Words before a product that keep it: "everything except the teapot", "keep the mug".
KEEPING = re.compile(r"(?i)\b(except|apart from|other than|besides|but not|not the|keep|keeping|"
                     r"without|minus|chhod\w*)\b")


@dataclass
class ReturnChoice:
    lines: List[Dict[str, Any]] = field(default_factory=list)
    # ("unclear",), ("nothing",), ("ambiguous", name), ("not_in_order", name),
    # ("too_many", name, ordered quantity)
    problem: Optional[Tuple[Any, ...]] = None


def everything(lines: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [{"sku": line["sku"], "name": line["name"], "quantity": int(line["quantity"])}
            for line in lines]


def is_whole_order(chosen: List[Dict[str, Any]], lines: List[Dict[str, Any]]) -> bool:
    back = {line["sku"]: int(line["quantity"]) for line in chosen}
    return all(back.get(line["sku"]) == int(line["quantity"]) for line in lines)


def choose_return_items(lines: List[Dict[str, Any]], entities: List[Dict[str, Any]],
                        text: str) -> ReturnChoice:
    ordered = {line["sku"]: line for line in lines}
    products = mark_implicit(entities, text)
    if not products:
        return _without_products(lines, entities, text)
    chosen: Dict[str, int] = {}
    kept: set = set()
    keeping, previous_end = False, 0
    for entity in products:
        start = entity.get("start")
        keeping = keeping or bool(KEEPING.search(text[previous_end:start] if start is not None else ""))
        previous_end = entity.get("end") or previous_end
        name = str(entity.get("value", ""))
        skus = product_skus(entity)
        sku = pick_sku(skus, ordered)
        if sku is None:
            held = [candidate for candidate in skus if candidate in ordered]
            return ReturnChoice(problem=("ambiguous", name) if held else ("not_in_order", name))
        if sku not in ordered:
            return ReturnChoice(problem=("not_in_order", name))
        if keeping:
            kept.add(sku)
            continue
        quantity = _quantity(entity, ordered[sku])
        if quantity > int(ordered[sku]["quantity"]):
            return ReturnChoice(problem=("too_many", ordered[sku]["name"], int(ordered[sku]["quantity"])))
        chosen[sku] = quantity
    if kept and (not chosen or EVERYTHING.search(text)):  # "all but the teapot", "keep the teapot"
        chosen = {sku: int(line["quantity"]) for sku, line in ordered.items() if sku not in kept}
    if not chosen:
        return ReturnChoice(problem=("nothing",))
    return ReturnChoice(lines=[{"sku": sku, "name": ordered[sku]["name"], "quantity": quantity}
                               for sku, quantity in chosen.items()])


def _quantity(entity: Dict[str, Any], line: Dict[str, Any]) -> int:
    """Said ("2 mugs", "one of the mugs"), one for "a mug", else every unit of the line."""
    quantity = explicit_quantity(entity)
    if quantity is not None:
        return quantity
    return 1 if entity.get("implicit_quantity") else int(line["quantity"])


def _without_products(lines: List[Dict[str, Any]], entities: List[Dict[str, Any]],
                      text: str) -> ReturnChoice:
    """"all of it", or a count for an order of one product ("just 1")."""
    if EVERYTHING.search(text):
        return ReturnChoice(lines=everything(lines))
    counts = [e for e in entities if e.get("entity") == "quantity" and not e.get("implicit")]
    quantity = int(counts[0]["value"]) if counts else quantity_in(text)
    if quantity is None or len(lines) != 1:
        return ReturnChoice(problem=("unclear",))
    line = lines[0]
    if not 1 <= quantity <= int(line["quantity"]):
        return ReturnChoice(problem=("too_many", line["name"], int(line["quantity"])))
    return ReturnChoice(lines=[{"sku": line["sku"], "name": line["name"], "quantity": quantity}])
