"""Answers to "how many?" said with words of leaving: "forget it, keep 20", "never mind, the glass
one", "nah leave it as it was" answer the question (they had been a stop, and the whole order was
thrown away)."""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker

from actions.backend_client import BackendClient, BackendError
from actions.draft_questions import open_choice
from actions.message_parts import message_view
from actions.order_changes import dropped_by_name
from actions.order_draft import is_complete, option_picked
from actions.order_slots import DRAFT, ITEMS, PENDING_ORDER, at_the_summary
from actions.parsing import quantity_in

logger = logging.getLogger(__name__)

# "forget it, keep 20", "never mind, just 20", "nvm the glass one": leave words, then an answer to
# the question the form asked (it had been a stop, and the whole order was thrown away).
_NEVER_MIND_THEN = re.compile(r"(?i)^\W*(?:(?:ok(?:ay)?|oh|ah|no|nah|actually|hmm+)[\s,.!]+)*"
                              r"(?:never\s*mind|nvm|forget (?:it|about it|that)|scrap that|leave it)[\s,.;:!-]+(?=\w)")
_KEEP = re.compile(r"(?i)^keep\b")


async def answer_after_a_never_mind(tracker: Tracker) -> Optional[Tracker]:
    """The tracker as if the message were only its answer, when it answers "how many?" or "which
    one?" after words of leaving (a count, a product, an option; "keep it" at the summary: the count
    the order waiting for its "yes" has); None for anything else ("never mind, bye" leaves)."""
    draft = [dict(item) for item in tracker.get_slot(DRAFT) or []]
    text = tracker.latest_message.get("text") or ""
    lead = _NEVER_MIND_THEN.match(text)
    if tracker.get_slot("requested_slot") != ITEMS or lead is None or is_complete(draft) or dropped_by_name(
            draft, text, tracker.latest_message.get("entities") or [])[0]:
        return None  # "nevermind the mugs": they go
    rest = text[lead.end():]
    entities = [{**e, "start": e["start"] - lead.end(), "end": e["end"] - lead.end()}
                for e in tracker.latest_message.get("entities") or []
                if isinstance(e.get("start"), int) and e["start"] >= lead.end()]
    choice = open_choice(draft)
    answers = quantity_in(rest) is not None or any(e.get("entity") == "product" for e in entities) or (
        choice is not None and option_picked(choice["candidates"], rest, entities) is not None)
    if not answers and not (_KEEP.match(rest) and await _as_it_waits(tracker, draft)):
        return None
    view = message_view(tracker, rest, entities, draft)
    view.latest_message["intent"] = {"name": "inform", "confidence": 1.0}
    return view


# "nah leave it as it was", "as before", "keep it like it was", "no change" to "how many?" after a new
# count at the summary was refused: the count the order waiting for its "yes" has.
_AS_IT_WAS = re.compile(
    r"(?i)^\W*(?:(?:ok(?:ay)?|oh|ah|no|nah|nope|actually|hmm+|sorry|never\s*mind|nvm|forget (?:it|that)|then)[\s,.!]+)*"
    r"(?:(?:just\s+)?(?:leave|keep)\s+(?:it|them|that|those|these|everything|the (?:order|count|number|quantity))\s*)?"
    r"(?:(?:as|like|how)\s+(?:(?:it|they|that|those|these)\s+(?:was|were|is|are)|before|is)|"
    r"(?:the\s+)?same(?:\s+as\s+(?:before|it was|they were))?|unchanged|no change|don'?t change (?:it|them|anything))"
    r"[\s,.!]*(?:(?:please|pls|plz|then|thanks?|thx)[\s.!]*)?$")


async def kept_as_it_was(tracker: Tracker) -> Optional[Tracker]:
    """The tracker as if the message answered "how many?" with the order waiting for its "yes" as it
    is, for "leave it as it was" and its like (QA16: "nah" of it took the item out): its count for an
    item it holds, and an item it doesn't hold ("add 30 teapots", then "as before") left out; None
    for anything else."""
    text = tracker.latest_message.get("text") or ""
    draft = tracker.get_slot(DRAFT) or []
    if tracker.get_slot("requested_slot") != ITEMS or is_complete(draft) or not _AS_IT_WAS.match(text):
        return None
    held = await _held_by_the_waiting_order(tracker)
    kept = [dict(item, quantity=item["quantity"] or held[item["sku"]]) for item in draft
            if item["sku"] and (item["quantity"] or item["sku"] in held)]
    if not is_complete(kept):
        return None
    view = message_view(tracker, text, [], kept)
    view.latest_message["intent"] = {"name": "inform", "confidence": 1.0}
    return view


async def _as_it_waits(tracker: Tracker, draft: List[Dict[str, Any]]) -> bool:
    """The counts the order waiting for its "yes" has, for the items of `draft` that wait for one
    ("forget it, keep it" to "how many?" after "add 5 more"); True if every item has one now."""
    held = await _held_by_the_waiting_order(tracker)
    for item in draft:
        item["quantity"] = item["quantity"] or held.get(item["sku"])
    return is_complete(draft)


async def _held_by_the_waiting_order(tracker: Tracker) -> Dict[str, int]:
    """{sku: count} of the order waiting for its "yes"; {} when there is none (or it can't be read)."""
    if not at_the_summary(tracker):
        return {}
    try:
        async with BackendClient(tracker.sender_id) as backend:
            order = await backend.get_order(tracker.get_slot(PENDING_ORDER))
    except BackendError as error:
        logger.warning("reading the order waiting for its yes failed: %s", error)
        return {}
    return {line.sku: line.quantity for line in order.lines}
