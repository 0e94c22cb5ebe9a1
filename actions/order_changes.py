"""Reading a change to an existing order ("add a teapot", "remove the blue mugs", "make it 3 mugs").

Pure functions: the lines of the order as it is, the message's entities and text in; the new
lines (the full list the backend's `PUT /orders/{n}/items` wants) or what stands in the way out.
A line is {"sku", "name", "quantity"}.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from actions.order_wording import of_category

MAX_QUANTITY = 20  # the backend's MAX_LINE_QUANTITY

# The words just before a product say what to do with it; the nearest verb wins.
_VERBS = [
    ("remove", r"remove|delete|take (?:out|off|away)|drop|without|no more|don'?t want|do not want|"
               r"cancel|minus|get rid of|less|fewer|replace|swap|switch|exchange|instead of"),
    ("add", r"add|plus|another|extra|more|also|as well|(?:ek|one|\d{1,2}) aur"),  # "ek aur chai": one more
    ("set", r"make it|make that|change (?:it |that |them )?to|set|only|just|instead|with|for"),
]
_VERB = re.compile("|".join(f"(?P<{op}>\\b(?:{words})\\b)" for op, words in _VERBS), re.IGNORECASE)
_SKU = re.compile(r"[A-Z0-9]+(-[A-Z0-9]+)+")
# A new count right after the product: "change the mugs to 3", "mugs = 2".
_SET_TO = re.compile(r"(?i)^\s*(?:to|into|=|->)\s*(\d{1,3})\b(?!\s*(?:am|pm|days?))")
# "make the chai 5 packets", "change the mugs 3 please": a new count right after the product made so
# (QA16: without "to", "also pls make the chai 5 packets" had added 1 chai).
_MADE_INTO = re.compile(r"(?i)\b(?:make|change|set|update)\s+(?:the|my|our|those|these)\s+$")
_COUNT_NEXT = re.compile(r"(?i)^\s*(\d{1,2})\s*(?:x\b|bags?|packs?|packets?|pcs|pieces?|units?|boxes|box|tins?|jars?|"
                         r"sets?|of (?:them|those|these|it))?(?=\s*(?:$|[,.;!?)]|and\b|please\b|pls\b|plz\b|instead\b|"
                         r"then\b|now\b|thanks?\b))")
# "arre 2 aur add kar do chai", "2 more, the tea": a count said apart from the one product named.
_COUNT_MORE = re.compile(r"(?i)\b(\d{1,2})\s+(?:more|aur|extra)\b")


@dataclass
class ChangeResult:
    lines: List[Dict[str, Any]] = field(default_factory=list)
    changed: bool = False
    # What stands in the way, for the user: ("ambiguous", name, [skus]), ("not_in_order", name),
    # ("too_many", name), ("empty", "").
    problem: Optional[Tuple[Any, ...]] = None


def _operation(text_before: str) -> Optional[str]:
    """The last verb before a product ("remove the", "add 2", "instead of the")."""
    found = None
    for match in _VERB.finditer(text_before):
        found = match.lastgroup
    return found


_TOO = re.compile(r"(?i)^\s*(?:too|as well|also|extra|add)\b")


def _added_after(text: str, entity: Dict[str, Any]) -> Optional[str]:
    """"oh and a teapot too", "aur ek mug add kar do": the word after the product says it is added."""
    end = entity.get("end")
    return "add" if end is not None and _TOO.match(text[int(end):]) else None


# "remove 2 of the espresso sets": a count of the product named after it (QA17: the whole line went).
_COUNT_OF = re.compile(r"(?i)\b(\d{1,2}|one|two|three|four|five)\s+of\s+(?:the|my|those|these|them|our)?\s*$")
_COUNT_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}


def _count_of(text: str, entity: Dict[str, Any]) -> Optional[int]:
    start = entity.get("start")
    match = _COUNT_OF.search(text[:int(start)]) if isinstance(start, int) else None
    if match is None:
        return None
    word = match.group(1).lower()
    return int(word) if word.isdigit() else _COUNT_WORDS[word]


def _count_more(text: str) -> Optional[int]:
    match = _COUNT_MORE.search(text)
    return int(match.group(1)) if match else None


def explicit_quantity(entity: Dict[str, Any]) -> Optional[int]:
    quantity = entity.get("quantity")
    if quantity is None or entity.get("implicit_quantity"):
        return None
    return int(quantity)


def product_skus(entity: Dict[str, Any]) -> List[str]:
    value = str(entity.get("value", ""))
    return list(entity.get("skus") or ([value] if _SKU.fullmatch(value) else []))


def pick_sku(skus: List[str], in_order: Dict[str, Dict[str, Any]]) -> Optional[str]:
    """One SKU: the only candidate, or the only one already in the order ("another teapot")."""
    if len(skus) == 1:
        return skus[0]
    ordered = [sku for sku in skus if sku in in_order]
    return ordered[0] if len(ordered) == 1 else None


def mark_implicit(entities: List[Dict[str, Any]], text: str) -> List[Dict[str, Any]]:
    """Products in text order, each knowing whether its quantity came only from "a"/"an"."""
    products = sorted((dict(e) for e in entities if e.get("entity") == "product"),
                      key=lambda e: e.get("start") or 0)
    implicit = [e for e in entities if e.get("entity") == "quantity" and e.get("implicit")]
    for product in products:
        start = product.get("start")
        product["implicit_quantity"] = start is not None and any(
            q.get("end") is not None and 0 <= start - q["end"] <= 1 for q in implicit)
        if start is None:  # a button's payload: no position, no wording
            product["implicit_quantity"] = product.get("quantity") is None
    return products


def _category_as_its_lines(entities: List[Dict[str, Any]], lines: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """"remove the french press and the mugs": a category named means the order's items of it (by
    its name's word in theirs: "Mugs" is every "… Mug …"), one product each."""
    found = []
    for entity in entities:
        category = str(entity.get("value", ""))
        if entity.get("entity") != "category" or len(category.lower().rstrip("s")) < 3:
            continue
        found += [{**entity, "entity": "product", "value": line["name"], "skus": [line["sku"]]}
                  for line in lines if of_category(line["name"], category)]
    return found


def apply_changes(lines: List[Dict[str, Any]], entities: List[Dict[str, Any]], text: str,
                  focus: Sequence[str] = ()) -> ChangeResult:
    """The order's lines after the changes the message asks for; `focus`: the SKUs a change waiting
    for its "yes" is about, which a bare count ("actually make it 4") sets."""
    new = {line["sku"]: dict(line) for line in lines}
    products = mark_implicit(entities + _category_as_its_lines(entities, lines), text)
    if not products:
        return _bare_quantity(new, entities, text, focus)
    previous_end, carried = 0, None  # carried: the quantity of a product being replaced
    operation = None
    for entity in products:
        start = entity.get("start")
        before = text[previous_end:start] if start is not None else ""
        previous_end = entity.get("end") or previous_end
        if _KEEPS.search(before):  # "remove the scale, keep the beans": the beans stay as they are
            operation = None
            continue
        operation = _operation(before) or operation or _added_after(text, entity)  # "remove the mugs and the teapot"
        skus = product_skus(entity)
        sku = pick_sku(skus, new)
        name = str(entity.get("value", ""))
        if sku is None and operation == "remove" and not any(candidate in new for candidate in skus):
            return ChangeResult(lines=list(new.values()), problem=("not_in_order", name))
        if sku is None:
            return ChangeResult(lines=list(new.values()), problem=("ambiguous", name, skus))
        quantity = explicit_quantity(entity) or _count_of(text, entity) or (
            _count_more(text) if len(products) == 1 else None)
        set_to = _new_count(text, entity)
        if set_to is not None:  # "change the mugs to 3", "make the chai 5 packets"
            quantity, operation = set_to, "set"
        if operation == "remove":
            line = new.get(sku)
            if line is None:
                return ChangeResult(lines=list(new.values()), problem=("not_in_order", name))
            carried = line["quantity"]
            if quantity is not None and quantity < line["quantity"]:
                line["quantity"] -= quantity
            else:
                del new[sku]
        elif operation == "add" and sku in new:
            new[sku]["quantity"] += quantity or 1
        elif sku in new:
            if quantity is None:
                continue  # "the blue mug" with nothing to do to it
            new[sku]["quantity"] = quantity
        else:  # "remove the red mugs, the blue ones instead": as many as went; "… and add a french press": 1
            said_one = entity.get("implicit_quantity") and entity.get("start") is not None
            new[sku] = {"sku": sku, "name": name, "quantity": quantity or (None if said_one else carried) or 1}
            carried = None
    # a change that leaves every line as it was ("make it 2" of 2) is none: never proposed as one
    return _checked(new, _differs(lines, new))


def _new_count(text: str, entity: Dict[str, Any]) -> Optional[int]:
    """The count the product's line is set to: "change the mugs to 3", "mugs = 2", "make the chai 5
    packets"; None when none is said right after it."""
    start, end = entity.get("start"), entity.get("end")
    if end is None:
        return None
    set_to = _SET_TO.match(text[int(end):])
    made = _COUNT_NEXT.match(text[int(end):]) if start is not None and _MADE_INTO.search(text[:int(start)]) else None
    return int((set_to or made).group(1)) if set_to or made else None


def _differs(lines: List[Dict[str, Any]], new: Dict[str, Dict[str, Any]]) -> bool:
    held = {line["sku"]: int(line["quantity"]) for line in lines}
    return held != {sku: int(line["quantity"]) for sku, line in new.items()}


def replace_line(lines: List[Dict[str, Any]], old_sku: str, new: Dict[str, Any], quantity: Optional[int] = None,
                 taken: Optional[int] = None) -> ChangeResult:
    """ "swap the hand grinder for the electric one": the old product's line gives way to the new
    product ({"sku", "name"}), as many as went (or `quantity`); `taken`: how many of the old go, all
    when None. A product the order holds already gets them on top."""
    new_lines = {line["sku"]: dict(line) for line in lines}
    old = new_lines[old_sku]
    going = min(taken or old["quantity"], old["quantity"])
    if going < old["quantity"]:
        old["quantity"] -= going
    else:
        del new_lines[old_sku]
    if new["sku"] in new_lines:
        new_lines[new["sku"]]["quantity"] += quantity or going
    else:
        new_lines[new["sku"]] = {"sku": new["sku"], "name": new["name"], "quantity": quantity or going}
    return _checked(new_lines, True)


def _bare_quantity(new: Dict[str, Dict[str, Any]], entities: List[Dict[str, Any]], text: str,
                   focus: Sequence[str] = ()) -> ChangeResult:
    """"make it 3" for a one-line order, or for the one item the change being made is about."""
    quantities = [e for e in entities if e.get("entity") == "quantity" and not e.get("implicit")]
    match = re.search(r"\b(\d{1,3})\b", text)
    quantity = int(quantities[0]["value"]) if quantities else (int(match.group(1)) if match else None)
    meant = [sku for sku in focus if sku in new] if len(new) > 1 else list(new)
    if quantity is None or len(meant) != 1:
        return ChangeResult(lines=list(new.values()))
    before = new[meant[0]]["quantity"]
    # "add 2 more bags of colombia" (the product not recognised) to an order of 2: 4, not 2 (qa15 F30)
    more = _count_more(text) if _operation(text) == "add" else None
    new[meant[0]]["quantity"] = before + more if more is not None else quantity
    return _checked(new, new[meant[0]]["quantity"] != before)


# Where a message's next change begins: "remove the blue mugs and swap the red mug for a white one".
_NEXT_CHANGE = re.compile(r"(?i)\s*(?:[,;]|\band\b|\balso\b|\bthen\b|\bplus\b)(?:\s*(?:and|also|then|pls|please)\b)*"
                          r"\s*(?=(?:remove|delete|take|drop|add|swap\w*|switch|exchange|replace|change|make|put|"
                          r"get rid)\b)")


_KEEPS = re.compile(r"(?i)\bkeep\b")  # not "leave": "leave out the teapot" takes it out

def clauses(text: str, entities: List[Dict[str, Any]]) -> List[Tuple[str, List[Dict[str, Any]]]]:
    """The message's changes one by one, each with its entities (positions within it); one part
    when it asks for one change, or its entities have no positions (a button's payload)."""
    cuts = [match.span() for match in _NEXT_CHANGE.finditer(text) if match.start() > 0]
    if not cuts or any(e.get("start") is None for e in entities):
        return [(text, entities)]
    bounds = [0] + [edge for cut in cuts for edge in cut] + [len(text)]
    parts = []
    for start, end in zip(bounds[::2], bounds[1::2]):
        inside = [{**e, "start": e["start"] - start, "end": e["end"] - start} for e in entities
                  if start <= e["start"] < end]
        parts.append((text[start:end], inside))
    return parts


def carried_over(before: List[Dict[str, Any]], after: List[Dict[str, Any]],
                 onto: List[Dict[str, Any]]) -> ChangeResult:
    """The change that makes the lines `before` into `after`, made to the lines `onto` instead ("no,
    to the other order"): what it adds is added there, what it takes out is taken out (a problem
    when `onto` holds none of it)."""
    held = {line["sku"]: int(line["quantity"]) for line in before}
    wanted = {line["sku"]: line for line in after}
    new = {line["sku"]: {"sku": line["sku"], "name": line["name"], "quantity": int(line["quantity"])} for line in onto}
    changed = False
    for sku in list(held) + [sku for sku in wanted if sku not in held]:
        delta = int(wanted[sku]["quantity"] if sku in wanted else 0) - held.get(sku, 0)
        if delta == 0:
            continue
        if sku not in new and delta < 0:
            name = next(line["name"] for line in before if line["sku"] == sku)
            return ChangeResult(lines=list(new.values()), problem=("not_in_order", name))
        line = new.setdefault(sku, {"sku": sku, "name": wanted[sku]["name"], "quantity": 0})
        line["quantity"] += delta
        changed = True
        if line["quantity"] <= 0:
            del new[sku]
    return _checked(new, changed)


def _checked(new: Dict[str, Dict[str, Any]], changed: bool) -> ChangeResult:
    lines = list(new.values())
    if not lines:
        return ChangeResult(lines=lines, changed=changed, problem=("empty", ""))
    too_many = next((line for line in lines if not 1 <= int(line["quantity"]) <= MAX_QUANTITY), None)
    if too_many is not None:
        return ChangeResult(lines=lines, changed=changed, problem=("too_many", too_many["name"]))
    return ChangeResult(lines=lines, changed=changed)


# "drop the colombia", "lose the decaf", "ditch the mugs", "nevermind the mugs just the kettle": an
# item taken out by what names it, up to where the message goes on; "drop it", "forget about it",
# "scrap that" name none.
_DROPPING = re.compile(r"(?i)\b(?:drop|forget(?:\s+about)?|lose|scrap|ditch|never\s*mind|nvm|remove|delete|skip|cancel)\s+"
                       r"(?:the|my|those|these|that|this)\s+(?P<what>[a-z][a-z0-9 .-]*?)\s*"
                       r"(?=$|[,.;:!?]|\b(?:and|but|just|only|keep|please|pls|plz|then|too|now|instead|from|out|off)\b)")
_NO_NAME = frozenset("the one ones bit thing things item items order".split())


def _stems(text: str) -> set:
    return {word.rstrip("s") for word in re.findall(r"[a-z0-9]+", text.lower())} - _NO_NAME


def dropped_by_name(lines: List[Dict[str, Any]], text: str,
                    entities: List[Dict[str, Any]]) -> Tuple[List[Dict[str, Any]], List[Tuple[int, int]]]:
    """The lines ({"sku", "name", …}) the message takes out by a word of their names ("colombia",
    which the NLU finds no product in) or a product the NLU found there ("the moka pot"), and the
    spans that named them (their entities are used up)."""
    dropped, spans = [], []
    for match in _DROPPING.finditer(text):
        start, end = match.span("what")
        skus = {sku for e in entities if e.get("entity") == "product" and isinstance(e.get("start"), int)
                and start <= e["start"] < end for sku in e.get("skus") or []}
        said = _stems(match.group("what"))
        named = [line for line in lines if line["sku"] in skus or (said and said <= _stems(line["name"]))]
        dropped += [line for line in named if line not in dropped]
        spans += [(start, end)] if named else []
    return dropped, spans
