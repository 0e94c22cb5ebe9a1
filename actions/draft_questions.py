"""Which item of an order being made the order form asks about: "which kettle?" (several products
match its name) or "how many?" (its count is not known yet), and "which kettle?" answered by rank or
description."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker

from actions.order_draft import settle_by_description, settle_by_rank
from actions.order_slots import ITEMS
from actions.parsing import only_asks


def open_choice(draft: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """The item "which kettle would you like?" is asked about: several products match its name."""
    return next((item for item in draft if not item["sku"]), None)


def count_asked_for(draft: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """The item "how many?" asks about: the first without a count, once none waits for "which?"."""
    return None if any(not item["sku"] for item in draft) else next(
        (item for item in draft if not item["quantity"]), None)


async def answer_to_the_choice(tracker: Tracker, draft: List[Dict[str, Any]], text: str) -> Optional[Dict[Text, Any]]:
    """To "which kettle?": {} for a question ("how much is the electric kettle?": its rule answers,
    then it is asked again); the items with it settled for "the cheaper one", "the first one", "the
    manual one", "the big one"; None for anything else, or when it isn't asked."""
    choice = open_choice(draft) if tracker.get_slot("requested_slot") == ITEMS else None
    if choice is None:
        return None
    if only_asks(text):
        return {}
    if await settle_by_rank(tracker, choice) or await settle_by_description(tracker, choice):
        return {ITEMS: draft}
    return None
