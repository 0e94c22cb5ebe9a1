"""A yes to "Do you want me to cancel order …?" whatever the NLU made of it: "yes, found the mugs
cheaper elsewhere too" read as a product search (QA16 verify N1: the mugs were listed, the order
stayed open, and a second "yes cancel it" cancelled it with the generic reason). The actions that
get such a message hand it to the confirmation's answer (action_answer_confirmation), which cancels
and keeps the reason said with the yes (order_wording.cancel_reason) as the cancel's reason.

Imports no other flow's module, so that actions/cancel_questions.py can use it too.
"""
from __future__ import annotations

import re

from rasa_sdk import Tracker

from actions.form_answers import last_utterance
from actions.order_wording import cancel_reason
from actions.parsing import asks_instead_of_answering, decided_answer

PENDING = "pending_confirmation"
CANCEL_QUESTION = "utter_confirm_cancel"  # actions/cancel_questions.py ASKED
# The message opens with a yes ("yes, …", "ok yes …", "yeah …"); not "please cancel the mugs from it"
# or "ok then cancel the other one", which the cancel reads as what they are.
_YES_FIRST = re.compile(r"(?i)^\W*(?:(?:ok|okay|oh|ah|um+|hmm+)\W+)?(?:yes+|yeah|yea|yep|yup|ya|yess|sure|y)\b")


def says_yes_to_the_cancel(tracker: Tracker) -> bool:
    """A message opening with a yes, right after the cancel question, that asks nothing and ends in
    no "no": the confirmation answers it (a reason, a "but keep the press" and the like included)."""
    text = tracker.latest_message.get("text") or ""
    return (tracker.get_slot(PENDING) == "cancel_order" and last_utterance(tracker) == CANCEL_QUESTION
            and _YES_FIRST.match(text) is not None and "?" not in text and not asks_instead_of_answering(text)
            and decided_answer(text) != "no")


def read_as_a_yes(tracker: Tracker) -> bool:
    """A yes followed by a reason ("yep. found the press cheaper on amazon": the last words alone
    decide no yes) is taken for the yes it is: the latest message's intent becomes affirm, so the
    confirmation cancels (keeping the reason) instead of asking again. True when it did so."""
    text = tracker.latest_message.get("text") or ""
    if not says_yes_to_the_cancel(tracker) or decided_answer(text) is not None or not cancel_reason(text):
        return False
    tracker.latest_message["intent"] = {"name": "affirm", "confidence": 1.0}
    return True
