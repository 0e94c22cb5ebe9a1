"""Reading which items of a delivered order go back: "the blue mug", "1 of the mugs", "all of it",
"everything except the teapot", or just "2" when the order holds one product.

Pure: the order's lines ({"sku", "name", "quantity", "category"?, ...}), the message's entities
and text in; the lines to return ({"sku", "name", "quantity"}) out, or what stands in the way.
A category word ("the mugs", "the tea") means every line of that category. A message may say the
items and then why ("2 red mugs and the teapot, mugs are the wrong shade"): `read_return_message`
tells the items from the reason, so a product named in the reason picks nothing again. At the
summary, or while the reason is asked, `change_of_items` reads a message about the items chosen:
more ("the teapot too") or a correction ("no only 2 mugs not 3").
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from actions.order_changes import explicit_quantity, mark_implicit, pick_sku, product_skus
from actions.order_wording import ALSO, RETURNING
from actions.parsing import asks_instead_of_answering, order_number, quantity_in
from actions.return_reasons import shops_fault

EVERYTHING = re.compile(r"(?i)\b((?<!at )all|everything|every thing|whole|entire|both|the lot|"
                        r"sab|sabhi|saara|sara|poora|pura)\b")
# Words before a product that keep it: "everything except the teapot", "keep the mug".
KEEPING = re.compile(r"(?i)\b(except|apart from|other than|besides|but not|not the|keep|keeping|"
                     r"without|minus|chhod\w*|(?:everything|all|every thing) but)\b")
# Words that correct items already chosen: "no only 2 mugs not 3", "just the teapot", "actually 2".
CORRECTING = re.compile(r"(?i)\b(?:no|nope|nah|only|just|not|actually|instead|rather|make it|make that|change|wait|"
                        r"sorry|oops|meant|except|keep|without|minus)\b")
# "some of the mugs": how many is still open.
SOME = re.compile(r"(?i)\b(some|a few|few|part)\b(\s+of)?(\s+(the|my|those|these))?\s*$")
# "the rest too", "whatever is left": everything still to choose from (of a return on its way, what is
# left of the order), not "keep the rest" (t2 QA m5).
REST = re.compile(r"(?i)\b(?:the\s+)?(?:rest|remaining(?:\s+(?:ones?|items?|bits?|stuff))?|remainder|what'?s left|"
                  r"whatever(?:'s| is)? left|everything else|(?:all\s+)?the others)\b")
# Words that don't tell a line apart when the items are named by their words ("the red one").
_FILLER = frozenset("""the a an one ones of it them that this those these please pls just only
    i'll ill i want to return send back item items my and""".split())
# What joins the items to a reason said with them: "the teapot, the lid is cracked", "the mug pls its
# chipped", "the teapot because it leaks", "the lid too small", "the teapot too, it's too heavy".
_REASON_AFTER = re.compile(
    # "the scale after all, it's inaccurate", "the teapot back, it leaks" (t2 QA m4), "1 ethiopia beans
    # from OB-PF5BRZKY, changed my mind" (QA17: the order's number hid the reason)
    r"(?i)^\s*(?:(?:too|as well|also|back|after all|anyway|then)\b\s*)*"
    r"(?:(?:from|of|in|on)\s+(?:(?:my|the|this|that)\s+)?(?:(?:last|latest|recent|other)\s+)?"
    r"(?:order\s*(?:#\s*)?)?(?:OB-?[0-9A-Z]{8}|order)\b\s*)?(?:please|pls|plz)?\s*(?:[,;:.!-]+\s*|(?:because|coz|cause|cuz|since|as)\s+|"
    r"(?=(?:it'?s|it is|its|they'?re|they are|it was|it came|it arrived|arrived|came|was|were|is|are|"
    r"doesn'?t|does not|didn'?t|not|too|wrong|broken|damaged|cracked|chipped|leaks|leaking)\b))"
    r"(?:because\s+)?(?P<reason>.+)$")


@dataclass
class ReturnChoice:
    lines: List[Dict[str, Any]] = field(default_factory=list)
    # ("unclear",), ("nothing",), ("ambiguous", name), ("ambiguous_kept", name),
    # ("not_in_order", name), ("too_many" | "how_many", name, ordered quantity)
    problem: Optional[Tuple[Any, ...]] = None
    # The products named to go back ({sku: count}), with or without a count said ("2 mugs", "the
    # teapot"), and those named to stay ("keep the teapot", "not the red one"): a correction of
    # items already chosen changes only what it names.
    named: Dict[str, int] = field(default_factory=dict)
    counted: List[str] = field(default_factory=list)
    kept: List[str] = field(default_factory=list)


@dataclass
class ReturnMessage:
    """A message about a return, read into what goes back and why."""
    items: List[Dict[str, Any]]  # the entities before the reason: the items
    mentioned: List[Dict[str, Any]]  # products and categories named in the reason ("mugs are the wrong shade")
    reason: Optional[str]  # the reason said with the items, tidied
    item_text: str  # the message up to the reason


def items_text(items: List[Dict[str, Any]]) -> str:
    return ", ".join(f"{item['quantity']} × {item['name']}" for item in items)


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
    counted: List[str] = []
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
        if not (keeping or fine) and explicit_quantity(entity) is not None:
            counted.append(sku)
    named = dict(chosen)
    if kept and (not chosen or EVERYTHING.search(text)):  # "all but one mug", "keep the teapot"
        chosen = {sku: int(line["quantity"]) - kept.get(sku, 0) for sku, line in ordered.items()}
        chosen = {sku: quantity for sku, quantity in chosen.items() if quantity > 0}
    if not chosen:
        return ReturnChoice(problem=("nothing",), kept=list(kept))
    return ReturnChoice(lines=[{"sku": sku, "name": ordered[sku]["name"], "quantity": quantity}
                               for sku, quantity in chosen.items()],
                        named=named, counted=counted, kept=list(kept))


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


# Talk around a reason that is no part of it: "…, what do i do?", "…, i want to send it back",
# "…, can i send that back as well".
_NOT_THE_REASON = re.compile(
    r"(?i)[\s,.;:!?-]*(?:so |and |but )?(?:what (?:do|should|can|shall) (?:i|we) do(?: now)?|what now|what to do|"
    r"(?:please |pls |plz )?help(?: me)?|any help|(?:i )?(?:want|would like|wanna|need) to (?:send|return|give) "
    r"(?:it|them|this|these|that|those)(?: back)?|"
    r"(?:can|could|may) (?:i|we|u|you) (?:also )?(?:send|return|give) (?:it|them|this|these|that|those|"
    # "…, can i send one chai back as well": the item asked for is no part of the reason
    r"(?:the|my|one|a|an|\d+|two|three|both)(?: [\w'-]+){1,3}?)(?: back)?"
    r"(?: as well| too)?|i want (?:a )?(?:refund|return|replacement)|(?:please|pls|plz)|"
    r"not (?:to )?(?:buy|purchase|order)(?: (?:it|them|one|any|more|new ones?))?)[\s.!?]*$")
# Talk before a reason: "i told u its chipped", "as i said, too small", "too, it's way too heavy".
_BEFORE_THE_REASON = re.compile(
    r"(?i)^\s*(?:(?:i (?:already )?(?:told|said to) (?:u|you|ya)|i (?:already )?said|as i (?:said|told you)|"
    r"like i (?:said|told you)|i mentioned)(?: (?:that|before|already))?|also|as well|"
    # "too, it's way too heavy" (the items' "too"), not "too big for me"
    r"too(?=\s*[,.:;!-]|\s+(?:it'?s|its|it is|they'?re|they are|because|coz|cuz|since)\b)|"
    r"(?:i (?:want|need|would like) to (?:return|send) (?:it|them|this|these)(?: back)?\s+)?"
    r"(?:because|coz|cuz|cause|since|bc))\b[\s,.:;-]*")
# A verb right after a product says what is wrong with it, and the reason starts at the product:
# "the mugs are the wrong shade", "my french press arrived broken", "one of the mugs has a chip".
_PREDICATE = re.compile(
    r"(?i)^\s*(?:(?:also|too|as well)\s+)?(?:is|are|was|were|has|have|had|arrived|came|got|looks?|seems?|feels?|keeps?|broke|cracked|"
    r"stopped|leaks?|leaking|smells?|tastes?|(?:does|do|did|is|are|was|were|has|have|ca|wo)(?:n'?t| not))\b")
# The words that lead up to that product: "one of the", "my", "both".
_SUBJECT_LEAD = re.compile(
    r"(?i)(?:\b(?:one|two|three|\d+|some|both|all|a few|few|either|each)\s+of\s+)?"
    r"(?:\b(?:the|my|our|these|those|this|that|both|all|your)\s+)?(?:\b(?:\d+|one|two|three)\s+)?$")
# "i want to return my order, it doesnt fit my kitchen", "send it all back because it's too big": the
# reason after a request that names no product (t2 QA m4).
_REASON_AFTER_REQUEST = re.compile(
    r"(?i)\b(?:return\w*|send\w*(?:\s+[\w']+){0,4}?\s+back|give(?:\s+[\w']+){0,3}?\s+back|all of (?:it|them)|everything)"
    r"(?:\s+(?:it|them|this|these|that|those|my|the|whole|entire|order|parcel|package|stuff|items?|all|back|of it|"
    r"after all|anyway|then|now|as well|too|also|please|pls|plz|for (?:a )?refund))*"
    r"\s*(?:[,;:.!-]+\s*|\b(?:because|coz|cuz|cause|since)\s+)(?=\S)")
# "…, same reason as the other mugs": the reason of the return these join.
_SAME_REASON_SAID = re.compile(r"(?i)\b(?:the\s+)?same\s+(?:reason|problem|issue|thing|as)\b")
# Words between two products that only list items: ", and the teapot", ", 2 blue mugs", "not 3".
_ITEM_TALK = _FILLER | frozenset("also too plus as well with not no".split())


def tidy_reason(reason: str) -> str:
    """The reason without the talk around it ("arrived cracked, i want to send it back" → "arrived cracked")."""
    tidied = _BEFORE_THE_REASON.sub("", reason, count=1)
    for _ in range(3):  # "…, i want to send it back, what do i do?"
        tidied = _NOT_THE_REASON.sub("", tidied)
    return tidied.strip(" ,.;:!?-") or reason


def _only_items(segment: str) -> bool:
    return all(word in _ITEM_TALK for word in re.findall(r"[a-z']+", segment.lower()))


def _is_a_reason(reason: str) -> bool:
    """At least two words, not only talk about items ("not 3", "too")."""
    return len(reason.split()) >= 2 and not _only_items(reason)


def _only_talk(reason: str) -> bool:
    """ "not buy", "i want a refund": talk around a reason, and nothing else."""
    return not _NOT_THE_REASON.sub("", reason).strip(" ,.;:!?-")


# A clause that asks to return what it names next: "can i return 1 bag of beans", "i want to send back the".
_ASKS_TO_RETURN = re.compile(r"(?i)^\s*(?:(?:so|and|but|ok|okay|well|actually)\s+)*"
                             r"(?:(?:can|could|may)\s+(?:i|we|u|you)\s+|(?:i\s+)?(?:want|wanna|would like|'d like|need)\s+"
                             r"(?:to\s+)?|i'?ll\s+|let me\s+|(?:please|pls|plz)\s+)*(?:also\s+)?(?:return|send)\b")


def _reason_start(text: str, named: List[Dict[str, Any]]) -> Optional[int]:
    """Where the reason begins in a message that names products (in text order), or None."""
    previous_end = 0
    for index, entity in enumerate(named):
        start, end = int(entity["start"]), int(entity["end"])
        after = text[end:]
        following = int(named[index + 1]["start"]) if index + 1 < len(named) else len(text)
        if FINE_AFTER.match(after):  # "the kettle, the filters are fine": a product that stays
            previous_end = end
            continue
        if _PREDICATE.match(after):  # "…, mugs are the wrong shade": the product is what the reason is about
            return previous_end + _SUBJECT_LEAD.search(text[previous_end:start]).start()
        match = _REASON_AFTER.match(after)
        said = text[end + match.start("reason"):following] if match else ""
        if match and end + match.start("reason") < following and not _only_items(said) \
                and not (index + 1 < len(named) and _ASKS_TO_RETURN.match(said)):
            # "the teapot, the lid is cracked"; not ", and the mugs", nor "the beans, can i return 1 bag of
            # beans, only need one": the request naming the item again, with its count (QA16 verify 7)
            return end + match.start("reason")
        same = _SAME_REASON_SAID.search(text, end, following)
        if same:
            return same.start()
        previous_end = end
    same = _SAME_REASON_SAID.search(text)  # "same reason for the teapot"
    if same:
        return same.start()
    request = None if named else _REASON_AFTER_REQUEST.search(text)
    return request.end() if request else None


_NOT_WHY = re.compile(r"(?i)\W*(?:not|only|just|all|everything|some|part|one|two|\d+|from|thanks?|thank you|thx|cheers|"
                      r"hi|hello|hey|the (?:one|other|last|first|second|latest|newest|recent|previous|older|earlier))\b")


# "whats the refund", "hows the refund work": a question typed without its apostrophe or "?".
_ASKS = re.compile(r"(?i)^\W*(?:whats|hows|wheres|whens|what'?s|how'?s|where'?s|when'?s|how much|is|are)\b")


def _no_reason(said: str) -> bool:
    """After a request that names no product: a question ("…, which one is it?", "whats the refund"),
    an order number, which order or items ("…, the one from last week", "…, not all of it") or
    thanks rather than why."""
    return (asks_instead_of_answering(said) or _ASKS.match(said) is not None or order_number(said) is not None
            or _NOT_WHY.match(said) is not None)


def read_return_message(text: str, entities: List[Dict[str, Any]]) -> ReturnMessage:
    """The items and the reason of "2 red mugs and the teapot, mugs are the wrong shade": the mugs
    of the reason are no item of their own, and the reason is "mugs are the wrong shade"."""
    named = sorted((e for e in entities if e.get("entity") in ("product", "category")
                    and e.get("start") is not None and e.get("end") is not None), key=lambda e: int(e["start"]))
    start = _reason_start(text, named)
    reason = tidy_reason(text[start:].strip(" .!")) if start is not None else ""
    if start is None or not _is_a_reason(reason) or _only_talk(reason) or (not named and _no_reason(reason)):
        return _reason_before_the_request(text, entities, named) or ReturnMessage(list(entities), [], None, text)
    items = [e for e in entities if e.get("start") is None or int(e["start"]) < start]
    return ReturnMessage(items, [e for e in named if int(e["start"]) >= start], reason, text[:start])


# The words of a request to return that may stand between a reason and "return"/"send back":
# "…, want to return it", "…, so can i send it back", "…, pls send it all back".
_REQUEST_TALK = frozenset("""i id i'd want wanna would like to can could may so and but pls please plz just
    need gonna going let me we u you hence therefore thus now then ok okay i'll ill""".split())
# What makes the words before a request a reason: a dislike, a misfit, a change of mind, the shop's fault.
_REASON_CUE = re.compile(
    r"(?i)\b(?:(?:don'?t|dont|do not|didn'?t|did not|doesn'?t|does not|not|never|no longer)\s+(?:\w+\s+)?"
    r"(?:like|love|need|want|fit|match|suit|work|use)|too\s+\w+|opened|tried|tasted|hate|changed my mind|wrong|"
    r"ugly|smaller|bigger|disappoint\w*|not as (?:described|pictured|expected)|expected)\b")
_CLAUSE_END = re.compile(r"[,;.!?]+\s*|\s+-\s+")


def _reason_before_the_request(text: str, entities: List[Dict[str, Any]],
                               named: List[Dict[str, Any]]) -> Optional[ReturnMessage]:
    """ "i opened the sencha and dont like the taste, want to return it", "arrived. honestly dont like
    any of it, send it all back": the reason said first (QA: "why?" was asked again). The items are
    named after it, or in it (the sencha); None when the words before the request are no reason."""
    request = RETURNING.search(text)
    if request is None:
        return None
    ends = [match for match in _CLAUSE_END.finditer(text, 0, request.start())]
    if not ends:
        return None
    end = ends[-1]
    between = re.findall(r"[a-z']+", text[end.end():request.start()].lower())
    reason = tidy_reason(text[:end.start()].strip(" .!"))
    if any(word not in _REQUEST_TALK for word in between) or not _is_a_reason(reason) or _only_talk(reason) \
            or asks_instead_of_answering(reason) or not (_REASON_CUE.search(reason) or shops_fault(reason)):
        return None
    inside = [e for e in named if int(e["start"]) < end.start()]
    items = [e for e in entities if e.get("start") is None or int(e["start"]) >= end.start()]
    blanked = " " * end.end() + text[end.end():]  # the items' words, their offsets as in the message
    return ReturnMessage(items, inside, reason, blanked)


def reason_after_items(text: str, entities: List[Dict[str, Any]]) -> Optional[str]:
    """The reason said with the items ("the teapot, the lid is cracked" → "the lid is cracked")."""
    return read_return_message(text, entities).reason


def choose_from_message(lines: List[Dict[str, Any]], text: str, entities: List[Dict[str, Any]],
                        mentioned_too: bool = True) -> Tuple[ReturnChoice, ReturnMessage]:
    """The items a message names and what it says of them. With `mentioned_too` (the items are still
    open), a product named only in the reason that no item covers goes back too ("the teapot, it's
    too heavy, and the mugs are chipped"); a product of the reason that is not in the order ("glass
    is shattered") or already named ("…, mugs are the wrong shade") picks nothing."""
    message = read_return_message(text, entities)
    items = list(message.items)
    if mentioned_too and message.mentioned:
        taken = {line["sku"] for line in choose_return_items(lines, items, message.item_text).lines}
        # "the chai is too spicy, can i send one chai back": the mention with a count says how many
        for entity in sorted(message.mentioned, key=lambda e: explicit_quantity(e) is None):
            alone = {line["sku"] for line in choose_return_items(lines, [entity], text).lines}
            if alone and not alone & taken:
                items.append(entity)
                taken |= alone
    return choose_return_items(lines, items, text if len(items) > len(message.items) else message.item_text), message


def _the_rest(text: str) -> bool:
    """ "the rest too", not "keep the rest", "the rest is fine" or "the rest can stay"."""
    rest = REST.search(text)
    return rest is not None and not KEEPING.search(text[:rest.start()]) and not (
        FINE_AFTER.match(text[rest.end():]) or re.match(r"(?i)\s*(?:can|will|should|may)\s+stay", text[rest.end():]))


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
    if EVERYTHING.search(text) or _the_rest(text):
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


@dataclass
class ItemChange:
    """What a message does to the items already chosen: `items` the new list, or None with the
    choice's problem to say."""
    items: Optional[List[Dict[str, Any]]]
    choice: ReturnChoice
    message: ReturnMessage


def about_items(message: ReturnMessage) -> bool:
    """The message adds or corrects items ("the teapot too", "also return a french press", "oh
    wait, only 2 mugs"), whatever the items chosen so far."""
    products = any(e.get("entity") in ("product", "category") for e in message.items)
    counted = any(e.get("entity") == "quantity" for e in message.items)
    words = message.item_text
    return (products and bool(ALSO.search(words) or RETURNING.search(words) or CORRECTING.search(words))) or (
        counted and CORRECTING.search(words) is not None)


def change_of_items(lines: List[Dict[str, Any]], chosen: List[Dict[str, Any]], text: str,
                    entities: List[Dict[str, Any]], at_summary: bool) -> Optional[ItemChange]:
    """More items ("the teapot too", "also return the kettle") or a correction ("no only 2 mugs
    not 3", "just the teapot", "not the red one") of the items `chosen`, at the return's summary or
    while its reason is asked; None when the message doesn't change them (a reason, a question)."""
    choice, message = choose_from_message(lines, text, entities, mentioned_too=False)
    words = message.item_text
    products = any(e.get("entity") in ("product", "category") for e in message.items)
    counted = any(e.get("entity") == "quantity" for e in message.items) or quantity_in(words) is not None
    correcting = CORRECTING.search(words) is not None or bool(choice.kept)
    counts = {item["sku"]: int(item["quantity"]) for item in chosen}
    new = set(choice.named) - set(counts)
    if products and not correcting and (ALSO.search(words) or RETURNING.search(words)) \
            and (new or choice.problem):  # "the teapot too", "also return a french press"
        if not choice.lines and choice.problem in (None, ("unclear",), ("nothing",)):
            return None
        return ItemChange(together(chosen, choice.lines) if choice.lines else None, choice, message)
    # "2 mugs and the teapot" at the summary of 3 mugs and the teapot: a new count for one of them
    resizes = bool(choice.named) and not new and any(
        sku in choice.counted and quantity != counts[sku] for sku, quantity in choice.named.items())
    if not (products or counted) or not (correcting or (at_summary and resizes)):
        return None
    if choice.problem and choice.problem != ("unclear",):
        return ItemChange(None, choice, message)
    items = _corrected(chosen, choice) if choice.lines or choice.kept else None
    return ItemChange(items, choice, message) if items and items != chosen else None


def _corrected(chosen: List[Dict[str, Any]], choice: ReturnChoice) -> List[Dict[str, Any]]:
    """ "only 2 mugs" gives the mugs that count and keeps the rest; "just the teapot" or "no, the
    blue mug" are the items now; "not the teapot" takes it out; "all of it" is everything."""
    items = {item["sku"]: dict(item) for item in chosen}
    said = {line["sku"]: line for line in choice.lines}
    if not choice.named and not choice.kept:
        return choice.lines
    if choice.named and not set(choice.named) <= set(choice.counted) & set(items):
        return [said[sku] for sku in choice.named]
    for sku in choice.kept:
        items.pop(sku, None)
    for sku in choice.named:
        items[sku] = said[sku]
    return list(items.values())


def together(chosen: List[Dict[str, Any]], more: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The items chosen and more of the order's: one entry per product, the larger count."""
    items = {item["sku"]: dict(item) for item in chosen}
    for item in more:
        if item["sku"] not in items or int(item["quantity"]) > int(items[item["sku"]]["quantity"]):
            items[item["sku"]] = dict(item)
    return list(items.values())
