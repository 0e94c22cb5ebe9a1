"""Reading which items of a delivered order go back: "the blue mug", "1 of the mugs", "all of it",
"everything except the teapot", or just "2" when the order holds one product.

Pure: the order's lines ({"sku", "name", "quantity", "category"?, ...}), the message's entities
and text in; the lines to return ({"sku", "name", "quantity"}) out, or what stands in the way.
A category word ("the mugs", "the tea") means every line of that category.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from actions.order_changes import explicit_quantity, mark_implicit, pick_sku, product_skus
from actions.parsing import quantity_in

EVERYTHING = re.compile(r"(?i)\b((?<!at )all|everything|every thing|whole|entire|both|the lot|"
                        r"sab|sabhi|saara|sara|poora|pura)\b")
# Words before a product that keep it: "everything except the teapot", "keep the mug".
KEEPING = re.compile(r"(?i)\b(except|apart from|other than|besides|but not|not the|keep|keeping|"
                     r"without|minus|chhod\w*|(?:everything|all|every thing) but)\b")
# "some of the mugs": how many is still open.
SOME = re.compile(r"(?i)\b(some|a few|few|part)\b(\s+of)?(\s+(the|my|those|these))?\s*$")
# Words that don't tell a line apart when the items are named by their words ("the red one").
_FILLER = frozenset("""the a an one ones of it them that this those these please pls just only
    i'll ill i want to return send back item items my and""".split())
# What joins the items to a reason said with them: "the teapot, the lid is cracked", "the mug pls its
# chipped", "the teapot because it leaks", "the lid too small".
_REASON_AFTER = re.compile(
    r"(?i)^\s*(?:please|pls|plz)?\s*(?:[,;:.!-]+\s*|(?:because|coz|cause|cuz|since|as)\s+|"
    r"(?=(?:it'?s|it is|its|they'?re|they are|it was|it came|it arrived|arrived|came|was|were|is|are|"
    r"doesn'?t|does not|didn'?t|not|too|wrong|broken|damaged|cracked|chipped|leaks|leaking)\b))"
    r"(?:because\s+)?(?P<reason>.+)$")


@dataclass
class ReturnChoice:
    lines: List[Dict[str, Any]] = field(default_factory=list)
    # ("unclear",), ("nothing",), ("ambiguous", name), ("ambiguous_kept", name),
    # ("not_in_order", name), ("too_many" | "how_many", name, ordered quantity)
    problem: Optional[Tuple[Any, ...]] = None


def everything(lines: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [{"sku": line["sku"], "name": line["name"], "quantity": int(line["quantity"])}
            for line in lines]


def is_whole_order(chosen: List[Dict[str, Any]], lines: List[Dict[str, Any]]) -> bool:
    back = {line["sku"]: int(line["quantity"]) for line in chosen}
    return all(back.get(line["sku"]) == int(line["quantity"]) for line in lines)


# Said right after a product that stays: "the filters are fine", "the mugs i'll keep".
FINE_AFTER = re.compile(r"(?i)^\s*(?:is|are|'s|'re)?\s*(?:fine|ok|okay|good|alright|all right|perfect|staying|"
                        r"not broken|undamaged|opened|open|used)\b|^\s*(?:i'?ll|i will|i)\s+keep\b")


def choose_return_items(lines: List[Dict[str, Any]], entities: List[Dict[str, Any]],
                        text: str) -> ReturnChoice:
    ordered = {line["sku"]: line for line in lines}
    products = mark_implicit(_categories_as_products(lines, entities), text)
    if not products:
        return _without_products(lines, entities, text)
    chosen: Dict[str, int] = {}
    kept: Dict[str, int] = {}
    keeping, previous_end = False, 0
    for entity in products:
        start = entity.get("start")
        before = text[previous_end:start] if start is not None else ""
        keeping = keeping or bool(KEEPING.search(before))
        previous_end = entity.get("end") or previous_end
        fine = entity.get("end") is not None and FINE_AFTER.match(text[int(entity["end"]):]) is not None
        sku, problem = _line_named(entity, lines, text, keeping or fine)
        quantity, problem = (0, problem) if problem else _count(entity, ordered[sku], before)
        if problem:
            return ReturnChoice(problem=problem)
        (kept if keeping or fine else chosen)[sku] = quantity  # "the kettle, the filters are fine"
    if kept and (not chosen or EVERYTHING.search(text)):  # "all but one mug", "keep the teapot"
        chosen = {sku: int(line["quantity"]) - kept.get(sku, 0) for sku, line in ordered.items()}
        chosen = {sku: quantity for sku, quantity in chosen.items() if quantity > 0}
    if not chosen:
        return ReturnChoice(problem=("nothing",))
    return ReturnChoice(lines=[{"sku": sku, "name": ordered[sku]["name"], "quantity": quantity}
                               for sku, quantity in chosen.items()])


def _line_named(entity: Dict[str, Any], lines: List[Dict[str, Any]], text: str,
                keeping: bool) -> Tuple[Optional[str], Optional[Tuple[Any, ...]]]:
    """The SKU of the order line a product entity names, or the problem."""
    ordered = {line["sku"]: line for line in lines}
    name, skus = str(entity.get("value", "")), product_skus(entity)
    sku = pick_sku(skus, ordered)
    if sku in ordered:
        return sku, None
    if any(candidate in ordered for candidate in skus):
        return None, ("ambiguous_kept" if keeping else "ambiguous", name)
    # "the glass one": the matcher took "glass" for drinking glasses, the order has a glass teapot
    start = entity.get("start")
    by_words = _named_by_words(lines, text[start:entity["end"]] if start is not None else name)
    return (by_words[0]["sku"], None) if by_words else (None, ("not_in_order", name))


def _count(entity: Dict[str, Any], line: Dict[str, Any], before: str) -> Tuple[int, Optional[Tuple[Any, ...]]]:
    """How many of the line: said ("2 mugs"), one for "a mug", else all of it; or the problem."""
    said = explicit_quantity(entity)
    ordered = int(line["quantity"])
    if said is None and SOME.search(before) and ordered > 1:  # "some of the mugs"
        return 0, ("how_many", line["name"], ordered)
    quantity = said if said is not None else (1 if entity.get("implicit_quantity") else ordered)
    return (0, ("too_many", line["name"], ordered)) if quantity > ordered else (quantity, None)


def _categories_as_products(lines: List[Dict[str, Any]], entities: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """A category entity becomes one product entity per line of that category, all of each."""
    result = []
    for entity in entities:
        if entity.get("entity") != "category":
            result.append(entity)
            continue
        category = str(entity.get("value", "")).lower()
        result += [{**entity, "entity": "product", "value": line["name"], "skus": [line["sku"]],
                    "quantity": entity.get("quantity")}
                   for line in lines if str(line.get("category", "")).lower() == category]
    return result


# Talk around a reason that is no part of it: "…, what do i do?", "…, i want to send it back".
_NOT_THE_REASON = re.compile(
    r"(?i)[\s,.;:!?-]*(?:so |and |but )?(?:what (?:do|should|can|shall) (?:i|we) do(?: now)?|what now|what to do|"
    r"(?:please |pls |plz )?help(?: me)?|any help|i (?:want|would like|wanna|need) to (?:send|return|give) "
    r"(?:it|them|this|these)(?: back)?|i want (?:a )?(?:refund|return|replacement)|(?:please|pls|plz))[\s.!?]*$")


def tidy_reason(reason: str) -> str:
    """The reason without the talk around it ("arrived cracked, i want to send it back" → "arrived cracked")."""
    tidied = reason
    for _ in range(3):  # "…, i want to send it back, what do i do?"
        tidied = _NOT_THE_REASON.sub("", tidied)
    return tidied.strip(" ,.;:!?-") or reason


def reason_after_items(text: str, entities: List[Dict[str, Any]]) -> Optional[str]:
    """The reason said after the items ("the teapot, the lid is cracked" → "the lid is cracked")."""
    ends = [e["end"] for e in entities if e.get("entity") in ("product", "category") and e.get("end")]
    if not ends:
        return None
    if FINE_AFTER.match(text[max(ends):]):
        return None  # "the kettle, the filters are fine": no reason, a product that stays
    match = _REASON_AFTER.match(text[max(ends):])
    reason = tidy_reason(match.group("reason").strip(" .!")) if match else ""
    return reason if len(reason.split()) >= 2 else None


def _named_by_words(lines: List[Dict[str, Any]], text: str) -> List[Dict[str, Any]]:
    """The one line whose name holds every remaining word ("the glass one", "the red one")."""
    words = [w for w in re.findall(r"[a-z']+", text.lower()) if w not in _FILLER]  # no counts
    if not words:
        return []
    matching = [line for line in lines if all(w in line["name"].lower().split() for w in words)]
    return matching if len(matching) == 1 else []


def _without_products(lines: List[Dict[str, Any]], entities: List[Dict[str, Any]],
                      text: str) -> ReturnChoice:
    """"all of it", a line named by its words, or a count for an order of one product ("just 1")."""
    if EVERYTHING.search(text):
        return ReturnChoice(lines=everything(lines))
    named = _named_by_words(lines, text)
    if named:
        return ReturnChoice(lines=everything(named))
    counts = [e for e in entities if e.get("entity") == "quantity" and not e.get("implicit")]
    quantity = int(counts[0]["value"]) if counts else quantity_in(text)
    if quantity is None or len(lines) != 1:
        return ReturnChoice(problem=("unclear",))
    line = lines[0]
    if not 1 <= quantity <= int(line["quantity"]):
        return ReturnChoice(problem=("too_many", line["name"], int(line["quantity"])))
    return ReturnChoice(lines=[{"sku": line["sku"], "name": line["name"], "quantity": quantity}])
