"""One message read in parts: several edits of an order made ("make the moka pots 2, drop the
french press and add a hand grinder") each read as if said alone, and the tracker as if its
message were only one part."""
from __future__ import annotations

import copy
import re
from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Tracker

from actions.order_changes import clauses
from actions.order_slots import ADDRESS, CONTACT, DRAFT, at_the_summary


def message_view(tracker: Tracker, text: str, entities: List[Dict[str, Any]],
                 draft: Optional[List[Dict[str, Any]]] = None) -> Tracker:
    """The tracker as if its latest message were `text` with `entities` (one edit of several, or
    the message with what the NLU missed), holding `draft` if given (what the edits before left)."""
    view = copy.copy(tracker)
    view.latest_message = {**tracker.latest_message, "text": text, "entities": entities}
    view.slots = {**tracker.slots, **({DRAFT: draft} if draft is not None else {})}
    return view


def edits_one_by_one(tracker: Tracker) -> List[Tuple[str, List[Dict[str, Any]]]]:
    """ "make the moka pots 2, drop the french press and add a hand grinder" to an order made (at its
    summary, or while its address or contact is asked): each edit with its entities, to be read in
    turn as if said alone (only the first had been made). One part for one edit, or for items
    listed at once ("2 blue mugs and a teapot": no verb starts its second part)."""
    text = tracker.latest_message.get("text") or ""
    entities = tracker.latest_message.get("entities") or []
    asked = tracker.get_slot("requested_slot")
    if not (asked in (ADDRESS, CONTACT) or (asked is None and at_the_summary(tracker))):
        return [(text, entities)]
    parts = clauses(text, entities)
    if any(_SWAP_IT.match(part) for part, _ in parts[1:]):
        return [(text, entities)]  # "i'd prefer the cast iron one, swap it": one swap, not an add
    return [recount for part in parts for recount in _recounts(*part)]


# "swap it", "pls replace that": a swap of what the message named before it.
_SWAP_IT = re.compile(r"(?i)^\W*(?:(?:and|then|so|pls|please|just)\s+)*(?:swap|switch|replace|exchange)\w*"
                      r"(?:\s+(?:it|that|them|this|those|these)(?:\s+one)?)?(?:\s+(?:pls|please|then|instead|for me))?\W*$")


_RECOUNT_VERB = re.compile(r"(?i)^\s*(make|change|set|update)\b")
# "… and the teapot 2" after "make the mugs 4": a second recount without its verb.
_NEXT_RECOUNT = re.compile(r"(?i)\s*(?:,|\band\b)\s*(?=(?:the|my|those|these)\s+[a-z][a-z ]*?\s+(?:to\s+)?"
                           r"(?:\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten)\b)")


def _recounts(text: str, entities: List[Dict[str, Any]]) -> List[Tuple[str, List[Dict[str, Any]]]]:
    """ "make the mugs 4 and the teapot 2": each recount said with the verb ("make the teapot 2"),
    its entities moved with it; the part as it was when it recounts one item or none."""
    verb = _RECOUNT_VERB.match(text)
    cuts = [match.span() for match in _NEXT_RECOUNT.finditer(text)] if verb else []
    if not cuts or any(e.get("start") is None for e in entities):
        return [(text, entities)]
    bounds = [0] + [edge for cut in cuts for edge in cut] + [len(text)]
    parts = []
    for start, end in zip(bounds[::2], bounds[1::2]):
        prefix = "" if start == 0 else f"{verb.group(1)} "
        moved = len(prefix) - start
        parts.append((prefix + text[start:end], [{**e, "start": e["start"] + moved, "end": e["end"] + moved}
                                                 for e in entities if start <= e["start"] < end]))
    return parts
