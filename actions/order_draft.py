"""The draft of an order being made in chat: one dict per product the customer asked for,
{"sku", "name", "quantity", "candidates": [{"sku", "name"}]} (sku None while several products
match, quantity None until known). Reading a message into it: products added or taken out, "which
teapot?" answered, an offered alternative taken. Pure functions, but for the two that look
products up in the catalogue (settle_by_names, ones_of_the_same_kind).
"""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Tracker

from actions.backend_client import BackendClient, BackendError, Product
from actions.parsing import quantity_in

logger = logging.getLogger(__name__)

# A product named right after one of these is taken out: "remove the blue mugs", "no teapot",
# "cancel the tea caddy" (at the summary it had thrown the whole order away); "no the glass
# teapot" corrects an answer instead.
# "never mind the filters" too (QA17: a product question at the summary).
REMOVING = re.compile(r"(?i)(?:\b(remove|drop|delete|without|take out|don'?t want|do not want|(?<!n't )(?<!nt )forget|scrap|skip|"
                      r"never\s*mind|nvm|ditch|"
                      r"(?<!n't )(?<!nt )(?<!not )cancel)"
                      r"\s+(?:the\s+|a\s+|an\s+|any\s+|my\s+|one\s+|\d{1,2}\s+)?|\b(?:no|not)\s+(?:any\s+|more\s+)?)$")


def is_removed(entity: Dict[str, Any], text: str) -> bool:
    """ "no teapot, just the mugs": the teapot is named right after a word that takes it out."""
    start, end = entity.get("start"), entity.get("end")
    if start is None:
        start = text.lower().find(str(entity["value"]).lower())
    if end is not None and re.match(r"(?i)\s+out\b", text[int(end):]) and re.search(r"(?i)\btake\s+(?:the\s+)?$", text[:start]):
        return True  # "take the french press out of the order"
    return start > 0 and REMOVING.search(text[:start]) is not None


def _skus_of(item: Dict[str, Any]) -> set:
    return {item["sku"]} if item["sku"] else {c["sku"] for c in item["candidates"]}


def remove_from_draft(draft: List[Dict[str, Any]], entities: List[Dict[str, Any]],
                      text: str) -> Tuple[List[str], List[Dict[str, Any]]]:
    """Takes out of the draft the products named to be removed; (their names, the other entities)."""
    removed, kept = [], []
    for entity in entities:
        if entity.get("entity") not in ("product", "category") or not is_removed(entity, text):
            kept.append(entity)
            continue
        named = [item for item in draft if _is_named(item, entity)] or _described_by(draft, _said_of(entity, text))
        for item in named:
            draft.remove(item)
            removed.append(item["name"])
    if not removed:  # "remove the red ones": no product to the NLU, a word of one item's name
        match = _REMOVING_THE_ONE.search(text)
        for item in _described_by(draft, match.group("what")) if match else []:
            draft.remove(item)
            removed.append(item["name"])
    return removed, kept


# "remove the red ones", "drop the ceramic one", "i dont want the glass one".
_REMOVING_THE_ONE = re.compile(r"(?i)\b(?:remove|drop|delete|take out|without|don'?t want|do not want|scrap|skip)\s+"
                               r"(?:the|that|those|these|my)\s+(?P<what>[a-z][a-z -]*?)\s+ones?\b")


def removes_one_described(draft: List[Dict[str, Any]], text: str) -> bool:
    """ "remove the red ones" names one item of the order by a word of its name."""
    match = _REMOVING_THE_ONE.search(text)
    return bool(match and _described_by(draft, match.group("what")))


def _said_of(entity: Dict[str, Any], text: str) -> str:
    """The words that named the entity in the message ("glass" of "remove the glass one")."""
    start, end = entity.get("start"), entity.get("end")
    return text[int(start):int(end)] if isinstance(start, int) and isinstance(end, int) else str(entity.get("value"))


def _described_by(draft: List[Dict[str, Any]], words: str) -> List[Dict[str, Any]]:
    """The one item of the order whose name has all the words said ("glass" for the Glass Teapot,
    though the catalogue reads "glass" as drinking glasses); none unless exactly one."""
    said = _words(words) - {"the", "one"}
    fits = [item for item in draft if item["sku"] and said and said <= _words(item["name"])]
    return fits if len(fits) == 1 else []


# "just the glasses", "only the red mugs please", "ok then just the blue ones now": the lines kept.
_JUST_THE = re.compile(r"(?i)\b(?:just|only)\s+(?:(?:want|need|keep|take|get|order)\s+)?(?:the|my|those|these)\s+"
                       r"(?P<what>[a-z][a-z -]*?)\s*(?=$|[,.;:!?]|\b(?:ones?|and|but|please|pls|plz|then|now|thanks?|"
                       r"thx|instead|for now)\b)")


def kept_only(draft: List[Dict[str, Any]], text: str, entities: List[Dict[str, Any]]) -> Optional[List[Dict[str, Any]]]:
    """The items "just the X" / "only the X" keeps: those X names (a product the NLU found there that
    the order holds, a kind of them, or words of their names: "the tumblers" is the Tumbler
    Glasses, though the NLU reads the travel mug); None when it names none of them, or all."""
    match = _JUST_THE.search(text)
    if match is None:
        return None
    start, end = match.span("what")
    within = [e for e in entities if e.get("entity") in ("product", "category") and isinstance(e.get("start"), int)
              and start <= e["start"] < end]
    said = _words(match.group("what")) - {"the", "one"}
    ordered = [item for item in draft if item["sku"]]
    kept = [item for item in ordered if any(_is_named(item, e) for e in within)
            or (said and said <= _words(item["name"]))]
    return kept if kept and len(kept) < len(ordered) else None


def _is_named(item: Dict[str, Any], entity: Dict[str, Any]) -> bool:
    """The product entity names the item, or the category entity its kind ("remove the tea": the
    one tea; its name holds the category's word)."""
    if entity.get("entity") == "product":
        return bool(_skus_of(_product_item(entity)) & _skus_of(item))
    kind = re.findall(r"[a-z]+", str(entity.get("value")).lower())[-1:]
    return bool(item["sku"]) and bool(kind) and kind[0].rstrip("s") in _words(item["name"])


def is_complete(draft: List[Dict[str, Any]]) -> bool:
    return bool(draft) and all(item.get("sku") and item.get("quantity") for item in draft)


def _product_item(entity: Dict[str, Any]) -> Dict[str, Any]:
    # A button's payload (/inform{"product": "TEA-POT-GLS"}) carries the SKU itself as the value.
    is_sku = re.fullmatch(r"[A-Z0-9]+(-[A-Z0-9]+)+", str(entity["value"])) is not None
    skus = entity.get("skus") or ([entity["value"]] if is_sku else [])
    quantity = entity.get("quantity")
    if len(skus) == 1:
        return {"sku": skus[0], "name": str(entity["value"]), "quantity": quantity, "candidates": []}
    return {"sku": None, "name": str(entity["value"]), "quantity": quantity,
            "candidates": [{"sku": sku, "name": sku} for sku in skus]}


# A new count while "which mug?" waits: "make it 3", "actually 4 please", "3".
_RECOUNT = re.compile(r"(?i)\b(?:make it|make that|change it to|change to|instead|only|actually|rather)\b"
                      r"|^\W*(?:\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten)\W*(?:please|pls|plz)?\W*$")


def _count_said(entities: List[Dict[str, Any]], text: str) -> Optional[int]:
    quantities = [e["value"] for e in entities if e.get("entity") == "quantity"]
    return int(quantities[0]) if quantities else quantity_in(text)


def _recount(item: Dict[str, Any], quantity: Optional[int]) -> bool:
    """The item's new count, if one was said and differs; True if it changed."""
    if not quantity or quantity == item["quantity"]:
        return False
    item["quantity"] = quantity
    return True


def _the_one(entity: Dict[str, Any], text: str) -> bool:
    """The product named as "the <singular name>"."""
    start = entity.get("start")
    if not isinstance(start, int) or re.search(r"(?i)\bthe\s+$", text[:start]) is None:
        return False
    said = re.findall(r"[a-z]+", text[start:entity.get("end") or len(text)].lower())[:4]
    return not any(word.endswith("s") and not word.endswith("ss") for word in said)  # "the blue mugs": how many?


def _resolve_choice(item: Dict[str, Any], skus: List[str], text: str, products: List[Dict[str, Any]]) -> bool:
    """Settles an ambiguous item from a SKU (a button) or words of a candidate's name ("the glass one")."""
    candidates = item["candidates"]
    chosen = [c for c in candidates if c["sku"] in skus]
    if not chosen:
        words = [w for w in re.findall(r"[a-z0-9.]+", text.lower()) if w not in ("the", "one", "a", "please")]
        chosen = [c for c in candidates if words and all(w in c["name"].lower() for w in words)]
    if not chosen:  # "glass pls": a word only one candidate's name has
        picked = option_picked(candidates, text, products)
        chosen = [picked] if picked else []
    if len(chosen) != 1:
        return False
    item.update(sku=chosen[0]["sku"], name=chosen[0]["name"], candidates=[])
    return True


def _settle_by_draft(item: Dict[str, Any], draft: List[Dict[str, Any]]) -> None:
    """"make it 3 mugs" with only red mugs in the draft means the red ones, not "which mug?"."""
    if item["sku"]:
        return
    held = [d for d in draft if d["sku"] and any(c["sku"] == d["sku"] for c in item["candidates"])]
    if len(held) == 1:
        item.update(sku=held[0]["sku"], name=held[0]["name"], candidates=[])


_MORE = re.compile(r"(?i)\b(?:more|another|extra|additional|add|also|plus)\b\W*(?:\w+\W+){0,2}$")
_TOO = re.compile(r"(?i)^\W*(?:too|as well|also|extra|more)\b")


def _more_of(entity: Dict[str, Any], text: str) -> bool:
    """"and 1 more paper filters", "another teapot", "also add a red mug", "a red mug too": more of
    what the draft holds, not a new count."""
    start, end = entity.get("start"), entity.get("end")
    return (start is not None and _MORE.search(text[max(0, int(start) - 25):int(start)]) is not None) or (
        end is not None and _TOO.search(text[int(end):]) is not None)


EACH_OF_THEM = re.compile(r"(?i)\b(?:both(?: of them)?|one of each|1 of each|each one|one each|all (?:of them|three|3))\b")


def _option_for(entity: Dict[str, Any], options: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """The option of "which teapot?" a product the message names stands for: its SKU, or words
    that only one option's name has ("glass" is glassware to the catalogue, but the glass teapot
    here)."""
    item = _product_item(entity)
    if item["sku"]:
        return next((o for o in options if o["sku"] == item["sku"]), None)
    said = {w.rstrip("s") for w in re.findall(r"[a-z]+", str(entity.get("value", "")).lower())}
    fits = [o for o in options if said and said <= {w.rstrip("s") for w in re.findall(r"[a-z]+", o["name"].lower())}]
    return fits[0] if len(fits) == 1 else None


_COUNTED = re.compile(r"(?i)\b(\d{1,3}|one|two|three|four|five|six|a|an)\s+(?:x\s+)?([a-z]+)")
_NUMBERS = {"one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


def _counted_options(options: List[Dict[str, Any]], text: str) -> List[Tuple[Dict[str, Any], int]]:
    """ "4 mugs - 2 blue 2 white", "one electric one gooseneck": (option, count) for each count
    said before a word only one option's name has."""
    found: List[Tuple[Dict[str, Any], int]] = []
    for match in _COUNTED.finditer(text):
        word = match.group(2).lower().rstrip("s")
        fits = [o for o in options if word in {w.rstrip("s") for w in re.findall(r"[a-z]+", o["name"].lower())}]
        if len(fits) == 1 and all(o["sku"] != fits[0]["sku"] for o, _ in found):
            count = match.group(1).lower()
            found.append((fits[0], int(count) if count.isdigit() else _NUMBERS[count]))
    return found


def _split_choice(draft: List[Dict[str, Any]], choice: Dict[str, Any], products: List[Dict[str, Any]],
                  text: str) -> bool:
    """ "1 cast iron teapot and 1 glass teapot", "the glass one and the cast iron one", "one
    electric one gooseneck", "one of each", "both" to "which teapot?" for 2 teapots; "4 mugs - 2
    blue 2 white": each of them, in place of the open choice; True if so."""
    options = choice["candidates"]
    mapped = [_option_for(e, options) for e in products]
    counted = _counted_options(options, text)
    if len(products) >= 2 and all(mapped) and len({o["sku"] for o in mapped}) == len(mapped):
        even = choice["quantity"] == len(mapped)  # "2 teapots": the cast iron and the glass one, one each
        items = [{"sku": o["sku"], "name": o["name"], "candidates": [],
                  "quantity": e.get("quantity") if _product_item(e)["sku"] and e.get("quantity") else (1 if even else None)}
                 for o, e in zip(mapped, products)]
    elif len(counted) >= 2:
        items = [{"sku": o["sku"], "name": o["name"], "quantity": count, "candidates": []} for o, count in counted]
    elif not products and EACH_OF_THEM.search(text) and choice["quantity"] in (None, len(options)):
        items = [{"sku": c["sku"], "name": c["name"], "quantity": 1, "candidates": []} for c in options]
    else:
        return False
    at = draft.index(choice)
    draft[at:at + 1] = [item for item in items if not any(d["sku"] == item["sku"] for d in draft)]
    return True


def merge_into_draft(draft: List[Dict[str, Any]], entities: List[Dict[str, Any]], text: str,
                     answering: bool) -> bool:
    """Adds the message's products to the draft, or answers the open question; True if it changed."""
    products = [e for e in entities if e.get("entity") == "product"]
    open_choice = next((item for item in draft if not item["sku"]), None)
    if answering and open_choice is not None:
        if _split_choice(draft, open_choice, products, text):
            return True
        # "the glass one, and actually 4 mugs not 2": the glass teapot, and the rest read as more
        describing = [e for e in products if _option_for(e, open_choice["candidates"])]
        picks = {_option_for(e, open_choice["candidates"])["sku"] for e in describing}
        if len(picks) == 1 and len(describing) < len(products):
            picked = _option_for(describing[0], open_choice["candidates"])
            open_choice.update(sku=picked["sku"], name=picked["name"], candidates=[])
            _add_products(draft, [e for e in products if e not in describing], text)
            return True
        skus: List[str] = []
        for entity in products:
            item = _product_item(entity)
            skus += [item["sku"]] if item["sku"] else [c["sku"] for c in item["candidates"]]
        if _resolve_choice(open_choice, skus, text, products):
            open_choice["quantity"] = open_choice["quantity"] or next(
                (e.get("quantity") for e in products if e.get("quantity")), None)
            # "make it 3 mugs", then "red": the red mugs already in the draft become 3, not 2 + 3
            draft[:] = [d for d in draft if d is open_choice or d["sku"] != open_choice["sku"]]
            return True
        candidates = {c["sku"] for c in open_choice["candidates"]}
        if products and set(skus) <= candidates:  # the same ambiguous words again: ask again,
            return _recount(open_choice, next((e.get("quantity") for e in products if e.get("quantity")), None))
        if not products and _RECOUNT.search(text):  # "make it 3" to "which mug?": 3 of the one picked next
            return _recount(open_choice, _count_said(entities, text))
    if products:
        _add_products(draft, products, text)
        return True
    if answering:
        missing = next((item for item in draft if item["sku"] and not item["quantity"]), None)
        quantity = _count_said(entities, text)
        if missing is not None and quantity is not None:
            missing["quantity"] = quantity
            return True
    return False


_CORRECTED_COUNT = re.compile(r"(?i)\b(?:make (?:that|it|them)|i mean[t]?|sorry|actually|no wait)\W+(\d{1,3})\b")


def _corrected(entity: Dict[str, Any], text: str, following: Optional[int]) -> Dict[str, Any]:
    """ "2 white mugs, no wait make that 3, and a tea infuser": the mugs' count is 3."""
    end = entity.get("end")
    if end is None or not entity.get("quantity"):
        return entity
    match = _CORRECTED_COUNT.search(text[int(end):following])
    return dict(entity, quantity=int(match.group(1))) if match else entity


# "the enamel camp mug, 2 of them", "colombia coffee beans, 3 bags", "blue mug x2": the count said
# after the product (not "…, 2 white mugs": that count is the next product's).
_COUNT_AFTER = re.compile(r"(?i)^\s*(?:[,(-]\s*)?(?:x\s*(?P<times>\d{1,2})\b|(?P<count>\d{1,2}|one|two|three|four|five|six|"
                          r"seven|eight|nine|ten)\s*(?:x\b|of (?:them|those|these|it)\b|(?:bags?|packs?|pcs|pieces?|"
                          r"units?|nos|boxes|box|tins?|jars?|sets?)\b(?!\s+of\b)|(?=\s*(?:[,.;!)]|and\b|please\b|pls\b|$))))")


def _count_after(entity: Dict[str, Any], text: str) -> Optional[int]:
    end = entity.get("end")
    match = _COUNT_AFTER.match(text[int(end):]) if isinstance(end, int) else None
    if match is None:
        return None
    said = (match.group("times") or match.group("count")).lower()
    return int(said) if said.isdigit() else _COUNT_WORDS[said]


# "how much is the travel mug? i'll take 2 and a french press": a bare count taken of the product
# just asked about (QA16: 1 travel mug, for its "the"); not "i'll take 2 french presses".
_TAKEN_AFTER_THE_QUESTION = re.compile(
    r"(?i)^\s*\?+\s*(?:(?:ok(?:ay)?|great|nice|cool|then|so)\W+)*(?:i'?ll|i will|i'?d|let me|can i)\s+"
    r"(?:take|have|get|buy|order)\s+(?P<count>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)\b"
    r"(?:\s*(?:of (?:them|those|it)|x))?(?=\s*(?:[,.;!)]|and\b|please\b|pls\b|then\b|$))")


def _count_taken_after(entity: Dict[str, Any], text: str) -> Optional[int]:
    end = entity.get("end")
    match = _TAKEN_AFTER_THE_QUESTION.match(text[int(end):]) if isinstance(end, int) else None
    if match is None:
        return None
    said = match.group("count").lower()
    return int(said) if said.isdigit() else _COUNT_WORDS[said]


def _add_products(draft: List[Dict[str, Any]], products: List[Dict[str, Any]], text: str) -> None:
    """The products named join the draft, or change the count of the same ones in it."""
    starts = [e.get("start") for e in products[1:]] + [None]
    products = [_corrected(e, text, int(start) if start is not None else None) for e, start in zip(products, starts)]
    for entity in products:
        item = _product_item(entity)
        _settle_by_draft(item, draft)
        same = next((d for d in draft if item["sku"] and d["sku"] == item["sku"]), None)
        if same is None:
            item["quantity"] = item["quantity"] or _count_after(entity, text) or _count_taken_after(entity, text)
            if item["quantity"] is None and _the_one(entity, text):
                item["quantity"] = 1  # "2 red mugs and the hand grinder": one of it, not "how many?"
            draft.append(item)
        elif _more_of(entity, text) and same["quantity"]:  # "and 1 more paper filters"
            same["quantity"] += item["quantity"] or 1
        elif item["quantity"]:
            same["quantity"] = item["quantity"]


def _words(text: str) -> set:
    return {word.rstrip("s") for word in re.findall(r"[a-z]+", text.lower())}


async def settle_by_names(tracker: Tracker, draft: List[Dict[str, Any]]) -> None:
    """"1 electric kettle", "the Electric Kettle 1.7 L Steel": the catalogue matcher found every
    kettle, but the words said fit one product's name only; no need to ask which."""
    text = tracker.latest_message.get("text") or ""
    said = _words(text)
    try:
        async with BackendClient(tracker.sender_id) as backend:
            for item in list(draft):
                if item["sku"]:
                    continue
                products = [await backend.get_product(c["sku"]) for c in item["candidates"]]
                named = {**item, "candidates": [{"sku": p.sku, "name": p.name} for p in products]}
                if len(_counted_options(named["candidates"], text)) >= 2:
                    draft[draft.index(item)] = named  # "4 mugs - 2 blue 2 white": those, no "which mug?"
                    _split_choice(draft, named, [], text)
                    continue
                # "1 electric kettle": the one whose name holds the words; not when they only name
                # the kind all of them are ("1 tea", though only English Breakfast Tea says "tea")
                of_the_kind = all(_words(item["name"]) <= _words(p.category) for p in products)
                fits = [] if of_the_kind else [p for p in products if _words(item["name"]) <= _words(p.name)]
                if len(fits) != 1:
                    fits = [p for p in products if {w for w in _words(p.name) if len(w) > 2} <= said]
                # "mujhe 2 mug chahiye red wale": the red one, by a word besides the one that named
                # them all ("1 tea": not English Breakfast Tea, the one tea with "tea" in its name)
                clause, near = _own_clause(item, text, tracker.latest_message.get("entities") or [])
                picked = option_picked(named["candidates"], besides(clause, item["name"]), near)
                if len(fits) != 1 and picked:
                    fits = [p for p in products if p.sku == picked["sku"]]
                if len(fits) == 1:
                    item.update(sku=fits[0].sku, name=fits[0].name, candidates=[])
    except BackendError as error:
        logger.warning("product lookup failed: %s", error)  # the form asks which one


def _own_clause(item: Dict[str, Any], text: str,
                entities: List[Dict[str, Any]]) -> Tuple[str, List[Dict[str, Any]]]:
    """The words from the product that named the item up to the next product named ("one tea
    kettle, electric one" of "2 blue mugs and one tea kettle, electric one": not a blue kettle), with
    that product; the whole message when it is not named in it ("which teapot?" answered)."""
    products = [e for e in entities if e.get("entity") == "product" and isinstance(e.get("start"), int)]
    own = next((e for e in products if str(e.get("value")) == item["name"]), None)
    if own is None:
        return text, entities
    following = [int(e["start"]) for e in products if int(e["start"]) > int(own["start"])]
    return text[int(own["start"]):min(following, default=len(text))], [own]


_RANKED = re.compile(r"(?i)\b(?:the\s+(?P<ordinal>first|second|third|fourth|1st|2nd|3rd|4th|last)\b|"
                     r"(?P<ordinal2>first|second|third|fourth|1st|2nd|3rd|4th|last)\s+one\b|"
                     r"(?P<cheap>cheap(?:er|est)|least expensive|lowest price|less expensive)|"
                     r"(?P<dear>most expensive|more expensive|pricier|priciest|dearer|dearest))")
_POSITIONS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3, "last": -1}


async def settle_by_rank(tracker: Tracker, item: Dict[str, Any]) -> bool:
    """ "the first one", "the cheaper one", "the most expensive" to "which teapot?": by the list as
    shown, or by price; True if that settled it."""
    match = _RANKED.search(tracker.latest_message.get("text") or "")
    options = item["candidates"]
    if match is None or not options:
        return False
    ordinal = match.group("ordinal") or match.group("ordinal2")
    if ordinal:
        position = _POSITIONS[ordinal.lower()]
        if position >= len(options):
            return False
        picked = options[position]
    else:
        try:
            async with BackendClient(tracker.sender_id) as backend:
                prices = [(await backend.get_product(option["sku"])).price_minor for option in options]
        except BackendError as error:
            logger.warning("product lookup failed: %s", error)
            return False
        best = (min if match.group("cheap") else max)(prices)
        if prices.count(best) != 1:
            return False  # two at the lowest price: still "which?"
        picked = options[prices.index(best)]
    item.update(sku=picked["sku"], name=picked["name"], candidates=[])
    return True


# "the big one", "the largest"; "the small one": by the size or capacity the catalogue gives.
_SIZED = re.compile(r"(?i)\b(?:(?P<big>big(?:ger|gest)?|large[rst]*|huge|biggie|bada)|"
                    r"(?P<small>small(?:er|est)?|little|tiny|mini|compact|chota))\b")
# Words of a description that tell nothing apart.
_PLAIN = frozenset("the one ones for with and pls please want like i'd ill take that this which kind type".split())


def _millilitres(product: Product) -> Optional[float]:
    """ "350 ml", "1.2 L", "25 g" → 350, 1200, 25 (grams as millilitres: sizes of one kind compare)."""
    for key in ("size", "capacity", "volume", "weight"):
        match = re.match(r"\s*(\d+(?:[.,]\d+)?)\s*(ml|l|g|kg)\b", str(product.attributes.get(key) or ""), re.I)
        if match:
            number = float(match.group(1).replace(",", "."))
            return number * (1000 if match.group(2).lower() in ("l", "kg") else 1)
    return None


def _described(product: Product) -> set:
    """What a product is called or has besides its name: synonyms ("manual grinder", "camping cup"),
    attribute values ("black") and true flags ("temperature control")."""
    words = [*product.synonyms, *(str(v) for v in product.attributes.values() if isinstance(v, str)),
             *(key.replace("_", " ") for key, value in product.attributes.items() if value is True)]
    return _words(" ".join(words))


async def settle_by_description(tracker: Tracker, item: Dict[str, Any]) -> bool:
    """ "the manual one", "the one for camping", "the big one", "the one with temperature control"
    to "which grinder?": the one option the description fits (it went round the same question)."""
    text = tracker.latest_message.get("text") or ""
    options = item["candidates"]
    if not options or any(e.get("entity") == "product" for e in tracker.latest_message.get("entities") or []):
        return False
    try:
        async with BackendClient(tracker.sender_id) as backend:
            products = [await backend.get_product(option["sku"]) for option in options]
    except BackendError as error:
        logger.warning("product lookup failed: %s", error)
        return False
    said = {word for word in _words(text) if len(word) > 2} - _PLAIN
    names = [_words(product.name) for product in products]
    shared = set.intersection(*names)
    named = [product for product, name in zip(products, names) if said & (name - shared)]
    if named:  # "electric" is the Electric Kettle's name, though the stovetop one works on electric hobs
        products = named
    sized = _SIZED.search(text)
    sizes = [_millilitres(product) for product in products]
    if len(named) == 1:
        fits = named
    elif sized and None not in sizes:
        best = (max if sized.group("big") else min)(sizes)
        fits = [p for p, size in zip(products, sizes) if size == best]
    else:
        bags = [_described(product) - _words(product.name) for product in products]
        fits = [product for product, bag in zip(products, bags) if said & bag]
    if len(fits) != 1:
        return False
    item.update(sku=fits[0].sku, name=fits[0].name, candidates=[])
    return True


def besides(text: str, naming: str) -> str:
    """`text` without the words that named the products ("mug" of "2 mug red wale"), so that the
    word telling one apart is another."""
    words = _words(naming)
    return re.sub(rf"(?i)\b(?:{'|'.join(map(re.escape, words))})s?\b", " ", text) if words else text


def pick_alternative(alternatives: List[Dict[str, Any]], text: str) -> Optional[Dict[str, Any]]:
    """ "ok, 2 of the blue ones" after the red mug was short: the one offered product whose name has
    a word of the message that the other offers' names do not all share ("blue", "glass")."""
    names = [set(re.findall(r"[a-z]+", offer["name"].lower())) for offer in alternatives]
    shared = set.intersection(*names) if names else set()
    said = set(re.findall(r"[a-z]+", text.lower()))
    picked = [offer for offer, words in zip(alternatives, names) if said & (words - shared)]
    return picked[0] if len(picked) == 1 else None


def option_picked(options: List[Dict[str, Any]], text: str,
                  entities: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """The option ({"sku", "name"}) a reply to "which teapot?" picks: by SKU (a button, "the glass
    teapot"), else by a word only its name has ("glass pls", though "glass" also finds drinking
    glasses); not when the reply names another product ("and 2 blue mugs" is no blue teapot)."""
    named = [e for e in entities if e.get("entity") == "product"]
    skus = {sku for e in named for sku in (e.get("skus") or [e.get("value")])}
    by_sku = [option for option in options if option["sku"] in skus]
    if len(by_sku) == 1:
        return by_sku[0]
    picked = pick_alternative(options, text)
    if picked is None:
        return None
    name = set(re.findall(r"[a-z]+", picked["name"].lower()))
    other = any(not {w.rstrip("s") for w in re.findall(r"[a-z]+", str(e.get("value")).lower())}
                <= {w.rstrip("s") for w in name} for e in named)
    return None if other else picked


def take_alternative(draft: List[Dict[str, Any]], alternatives: List[Dict[str, Any]], text: str,
                     offer: Optional[Dict[str, Any]] = None) -> bool:
    """Adds the offered product the message picks (or `offer`, named by the NLU), with its quantity,
    in place of the short item. True if one was picked."""
    offer = offer or pick_alternative(alternatives, text)
    if offer is None:
        return False
    offered_words = set(re.findall(r"[a-z]+", offer["name"].lower()))
    kept = set()
    for item in draft:  # "ok 6 green and 6 white then": the short green mugs stay too, 6 of them
        count = _count_before_its_words(item["name"], offered_words, text) if item["sku"] and not item["quantity"] else None
        if count:
            item["quantity"] = count
            kept.add(item["sku"])
    drop_replaced(draft, {offer["sku"]} | kept)
    # "the cast iron one then": its "one" is no count (3 had been asked for, 1 was taken)
    count = _count_before_its_words(offer["name"], set(), text) if kept else quantity_in(_THE_X_ONE.sub(" ", text))
    same = next((item for item in draft if item["sku"] == offer["sku"]), None)
    if same is None:  # "ok red ones instead then": as many as were asked for of the short one
        draft.append({"sku": offer["sku"], "name": offer["name"], "quantity": count or offer.get("count"),
                      "candidates": []})
    else:
        same["quantity"] = count or same["quantity"]
    return True


_THE_X_ONE = re.compile(r"(?i)\b(?:the|that|this)\s+(?:[a-z-]+\s+){0,3}ones?\b")


def _count_before_its_words(name: str, other_words: set, text: str) -> Optional[int]:
    """The count said right before a word of `name` that `other_words` lack ("6 green" in "6 green
    and 6 white", for the green mug)."""
    own = set(re.findall(r"[a-z]+", name.lower())) - other_words
    for match in re.finditer(r"\b(\d{1,3})\s+(?:x\s+)?(?:of\s+)?(?:the\s+)?([a-z]+)", text.lower()):
        if match.group(2) in own or match.group(2).rstrip("s") in own:
            return int(match.group(1))
    return None


def drop_replaced(draft: List[Dict[str, Any]], offered: set) -> None:
    """A product offered for a short item was chosen: the short item, still waiting for a new
    quantity, goes (or the form would keep asking "how many of the blue teapot?")."""
    draft[:] = [item for item in draft if item.get("quantity") or item.get("sku") in offered
                or not item.get("sku")]


def offers_named(entities: List[Dict[str, Any]], alternatives: List[Dict[str, Any]]) -> set:
    """The offered products the message names ("3 cast iron teapots instead", a button's SKU)."""
    offered = {offer["sku"] for offer in alternatives}
    named = set()
    for entity in entities:
        if entity.get("entity") == "product":
            skus = _skus_of(_product_item(entity)) & offered
            named |= skus if len(skus) == 1 else set()
    return named


# "two green mugs and three white ones": the count, and the word before "ones".
_SAME_KIND = re.compile(r"(?i)\b(\d{1,2}|a|an|one|two|three|four|five|six|seven|eight|nine|ten)\s+"
                        r"([a-z][a-z-]{2,})\s+ones?\b")


_COUNT_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10}


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _COUNT_WORDS[word.lower()]



# "remove 1 white mug", "take 2 of the mugs out", "drop one caddy"; "one less enamel mug"; "take one
# off": fewer of an item, not a new count of it ("remove 1 white mug" had set 3 mugs to 1).
_FEWER_BY_VERB = re.compile(r"(?i)\b(?:remove|drop|delete|take(?: away)?|minus|subtract)\s+(?P<count>\d{1,2}|an?|one|two|"
                            r"three|four|five)\s+(?:of\s+(?:the|my|those|these)\s+)?(?=[a-z])")
_FEWER_BY_LESS = re.compile(r"(?i)\b(?P<count>\d{1,2}|one|two|three|four|five)\s+(?:less|fewer)\b")
_TAKE_ONE_OFF = re.compile(r"(?i)\b(?:take|knock)\s+(?P<count>\d{1,2}|one|two|three)\s+off\b")


def fewer_of(draft: List[Dict[str, Any]], entities: List[Dict[str, Any]], text: str) -> Optional[Tuple[int, int]]:
    """(which item, its new count) when the message takes some of an item away: the product named
    right after the count, else the order's only item; None when it says no such thing, names no
    item of the order, or takes away all of it (a removal)."""
    said = _FEWER_BY_VERB.search(text) or _FEWER_BY_LESS.search(text) or _TAKE_ONE_OFF.search(text)
    if said is None:
        return None
    after = [e for e in entities if e.get("entity") in ("product", "category") and isinstance(e.get("start"), int)
             and e["start"] >= said.end("count")]
    if after:
        meant = [at for at, item in enumerate(draft) if _is_named(item, after[0])] or [
            at for at, item in enumerate(draft) if item in _described_by(draft, _said_of(after[0], text))]
    else:
        meant = [0] if len(draft) == 1 else []
    if len(meant) != 1 or not draft[meant[0]].get("quantity"):
        return None
    left = int(draft[meant[0]]["quantity"]) - _count(said.group("count"))
    return (meant[0], left) if left > 0 else None

async def ones_of_the_same_kind(tracker: Tracker, draft: List[Dict[str, Any]], text: str,
                                 entities: List[Dict[str, Any]]) -> List[str]:
    """ "two green mugs and three white ones": three white mugs join the draft, when one product
    is a white mug. Returns the words so placed ("white")."""
    named = [e for e in entities if e.get("entity") == "product" and e.get("end") is not None]
    matches = list(_SAME_KIND.finditer(text))
    if not named or not matches:
        return []
    kind = text[int(named[0]["start"]):int(named[0]["end"])].split()[-1].lower().rstrip("s")
    found = []
    try:
        async with BackendClient(tracker.sender_id) as backend:
            for match in matches:
                word = match.group(2).lower()
                hits = [p for p in await backend.search_products(query=f"{word} {kind}", limit=5)
                        if word in p.name.lower() and kind in p.name.lower()]
                if len(hits) == 1 and all(item["sku"] != hits[0].sku for item in draft):
                    draft.append({"sku": hits[0].sku, "name": hits[0].name, "candidates": [],
                                  "quantity": _count(match.group(1))})
                    found.append(word)
    except BackendError as error:
        logger.warning("product search failed: %s", error)  # said as not found
    return found


# Colours the catalogue's variants come in ("Ceramic Mug Red", "… White"): a word of these said alone
# may name one.
_COLOUR = re.compile(r"(?i)\b(?:red|blue|green|white|black|cream|grey|gray|yellow|pink|purple|orange|brown|beige|"
                     r"navy)\b")
_COUNT_BEFORE = re.compile(r"(?i)\b(\d{1,2}|a|an|one|two|three|four|five|six|seven|eight|nine|ten)\s+$")


async def colours_named(tracker: Tracker, draft: List[Dict[str, Any]], text: str,
                        entities: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """ "make it 2 white and 2 red" (the NLU found only the white mugs): a colour said alone is the
    variant in that colour of the product named last before it, else of a product in the order;
    a product entity each, with the count said before it. None for a colour before a product
    ("a red teapot") or after one several products match ("2 mugs, the red ones": "which?" asks)."""
    products = [e for e in entities if e.get("entity") == "product"]
    if not _COLOUR.search(text) or any(not isinstance(e.get("start"), int) or not isinstance(e.get("end"), int)
                                       for e in products):
        return []  # no colour; or a button's payload: no words around it
    found = []
    try:
        async with BackendClient(tracker.sender_id) as backend:
            for match in _COLOUR.finditer(text):
                if _describes_a_product(match, products, text):
                    continue
                bases = _bases_of(match.start(), products, draft)
                variant = await _variant(backend, bases, match.group(0).lower()) if bases else None
                if variant is not None:
                    count = _COUNT_BEFORE.search(text[:match.start()])
                    found.append({"entity": "product", "value": variant.name, "skus": [variant.sku],
                                  "quantity": _count(count.group(1)) if count else None,
                                  "start": match.start(), "end": match.end()})
    except BackendError as error:
        logger.warning("product lookup failed: %s", error)  # said as not found
    return found


def _describes_a_product(match: re.Match, products: List[Dict[str, Any]], text: str) -> bool:
    """The colour is part of a product the NLU found, or said right before one ("a red teapot")."""
    return any(e["start"] <= match.start() < e["end"]
               or (e["start"] >= match.end() and not text[match.end():e["start"]].strip()) for e in products)


def _bases_of(at: int, products: List[Dict[str, Any]], draft: List[Dict[str, Any]]) -> List[str]:
    """The SKUs a colour at `at` may be a variant of: the one product named last before it, or,
    with none named before it, the order's."""
    before = [e for e in products if e["end"] <= at]
    if before:
        skus = before[-1].get("skus") or []
        return skus if len(skus) == 1 else []
    return [item["sku"] for item in draft if item.get("sku")]


async def _variant(backend: BackendClient, bases: List[str], colour: str) -> Optional[Product]:
    """The one product that is one of `bases` in `colour`: the same name but for its colour word."""
    variants: Dict[str, Product] = {}
    kinds: Dict[str, List[Product]] = {}  # the products of each category, looked up once
    for sku in bases:
        base = await backend.get_product(sku)
        own = _colour_of(base)
        if not own:
            continue
        if base.category not in kinds:
            kinds[base.category] = await backend.search_products(category=base.category, limit=100)
        variants.update({other.sku: other for other in kinds[base.category] if _colour_of(other) == colour
                         and _words(other.name) - {colour} == _words(base.name) - {own}})
    return next(iter(variants.values())) if len(variants) == 1 else None


def _colour_of(product: Product) -> str:
    return str(product.attributes.get("colour") or "").lower()
