"""Withdrawing a registered return: "actually cancel my return, i'll keep them", "i changed my mind,
i dont want to return it anymore", "can you withdraw the return request?".

While the items have not reached the shop (the order is `return_requested`), the bot names the
return and asks; on "yes" the backend withdraws it (`POST /orders/{n}/return/withdraw`: the order
is delivered again, nothing goes back, no refund is due). Once the items arrived it is too late,
and said so. The return form asks (`ask_to_withdraw`, whatever started it); the "yes" or "no" is
action_answer_confirmation's (pending_confirmation "withdraw_return"), which calls
`answer_withdrawal`.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendError, NotFound, Order, Refused
from actions.order_forms import TARGET, order_view
from actions.order_wording import RETURNING
from actions.orders import latest_entity, named_skus
from actions.parsing import format_price, order_number
from actions.return_items import choose_return_items, items_text

logger = logging.getLogger(__name__)
PENDING = "pending_confirmation"
WITHDRAWAL = "withdraw_return"  # the pending confirmation
SLOTS = (TARGET, "return_items", "return_reason", PENDING)

# "cancel my return", "withdraw the return request", "i dont want to return it anymore", "i'll keep them";
# "/withdraw_return", typed as if it were a button's payload (t2 QA M1).
WITHDRAWING = re.compile(
    r"(?i)\b(?:cancel\w*|withdraw\w*|revok\w*|retract\w*|undo|call(?:ing)? off|take back|scrap|stop)[\s_]+"
    r"(?:the\s+|my\s+|this\s+|that\s+)?(?:return|refund)(?:\s+request)?\b(?!\s+(?:label|policy|address))|"
    r"\b(?:don'?t|dont|do not|no longer|not)\s+(?:want|need|wanna|going)\s+(?:to\s+)?(?:return|send)\b|"
    r"\b(?:won'?t|will not|not going to)\s+(?:be\s+)?(?:return|send)\w*\b|"
    r"\b(?:decided|rather|prefer|chose|choose)\s+not\s+(?:to\s+)?(?:return|send)\b|"
    r"\b(?:i'?ll|i will|i'?d rather|gonna|going to|want to|wanna)\s+keep\s+(?:it|them|the\s+\w+)\b")


# "withdraw the blue mug from the return", "take the teapot out of my return", "remove the mug from
# the return, i keep it": one item out of the return registered, the rest still going back.
TAKES_OUT = re.compile(
    r"(?i)\b(?:withdraw|remove|take|cancel|drop|pull)\b(?P<what>.{1,40}?)\b(?:from|out of|off)\s+"
    r"(?:the|my|this|that)\s+return\b")


def takes_out_of_the_return(text: Optional[str]) -> bool:
    match = TAKES_OUT.search(text or "")
    return match is not None and re.search(r"(?i)\b(?:it|them|everything|all)\s*$", match.group("what")) is None


def withdraws_a_return(text: Optional[str]) -> bool:
    """The message takes a return back, and asks to return nothing else: not "i want to return the
    mugs, i don't want to send back the teapot"."""
    text = text or ""
    spans = [match.span() for match in WITHDRAWING.finditer(text)]
    return bool(spans) and all(any(start <= match.start() < end for start, end in spans)
                               for match in RETURNING.finditer(text))


async def ask_to_withdraw(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """Names the return to withdraw and asks; says why when there is none (or it is too late). The
    return form ends here either way: the open question, if any, is the withdrawal's."""
    try:
        order = await _registered_return(tracker)
    except BackendError as error:
        logger.warning("looking for the return to withdraw failed: %s", error)
        dispatcher.utter_message(response="utter_backend_unavailable")
        return _ended(tracker, [])
    if order is not None and order.status in ("returned", "refunded"):
        return _ended(tracker, _too_late(dispatcher, order))
    if order is None or order.status != "return_requested":  # none, or the one named has no return
        dispatcher.utter_message(response="utter_no_return_to_withdraw")
        return _ended(tracker, [])
    dispatcher.utter_message(response="utter_confirm_return_withdrawal", number=order.number,
                             items=items_text(order.returning()),
                             amount=format_price(order.refund_due_minor, order.currency))
    view = {**order_view(order), "returning": order.returning()}
    return _ended(tracker, [SlotSet(TARGET, view), SlotSet(PENDING, WITHDRAWAL), SlotSet("order_id", order.number)])


async def ask_to_take_out(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """ "withdraw the blue mug from the return, i keep it": the return registered holds more, so that
    item comes out and the rest stays (QA: a new return was started). The backend withdraws whole
    returns, so on "yes" the return is withdrawn and the rest registered again with its reason.
    Naming nothing of it, or all of it, asks to withdraw the whole return."""
    try:
        order = await _registered_return(tracker)
    except BackendError as error:
        logger.warning("looking for the return to take an item out of failed: %s", error)
        dispatcher.utter_message(response="utter_backend_unavailable")
        return _ended(tracker, [])
    if order is None or order.status != "return_requested":
        return await ask_to_withdraw(dispatcher, tracker)
    returning = order.returning()
    out = choose_return_items(returning, tracker.latest_message.get("entities") or [],
                              tracker.latest_message.get("text") or "").lines
    keep = _without(returning, out)
    if not out or not keep:
        return await ask_to_withdraw(dispatcher, tracker)
    prices = {line.sku: line.unit_price_minor for line in order.lines}
    kept_refund = sum(prices[item["sku"]] * int(item["quantity"]) for item in keep)
    dispatcher.utter_message(response="utter_return_rest_stays", number=order.number, rest=items_text(keep),
                             amount=format_price(kept_refund, order.currency))
    dispatcher.utter_message(response="utter_confirm_return_withdrawal", number=order.number, items=items_text(out),
                             amount=format_price(order.refund_due_minor - kept_refund, order.currency))
    view = {**order_view(order), "returning": out, "keep": keep, "reason": order.return_reason or "customer return"}
    return _ended(tracker, [SlotSet(TARGET, view), SlotSet(PENDING, WITHDRAWAL), SlotSet("order_id", order.number)])


def _without(returning: List[Dict[str, Any]], out: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """What stays in the return once `out` is taken out of it."""
    taken = {item["sku"]: int(item["quantity"]) for item in out}
    kept = [{**item, "quantity": int(item["quantity"]) - taken.get(item["sku"], 0)} for item in returning]
    return [item for item in kept if item["quantity"] > 0]


async def _registered_return(tracker: Tracker) -> Optional[Order]:
    """The order whose return is meant: the one named by number, else the one holding a product
    named, else the one talked about or being added to, else the newest; a return on its way first."""
    text = tracker.latest_message.get("text") or ""
    number = order_number(latest_entity(tracker, "order_id", "order_number")) or order_number(text)
    async with BackendClient(tracker.sender_id) as backend:
        if number:
            try:
                return await backend.get_order(number)
            except NotFound:
                return None
        orders = [o for o in await backend.list_orders() if o.status in ("return_requested", "returned", "refunded")]
    skus = set(named_skus(tracker))
    meant = {(tracker.get_slot(TARGET) or {}).get("number"), tracker.get_slot("order_id")}
    orders.sort(key=lambda o: (o.status != "return_requested", not skus & {line.sku for line in o.lines},
                               o.number not in meant))  # stable: newest first within each
    return orders[0] if orders else None


def _too_late(dispatcher: CollectingDispatcher, order: Order) -> List[Dict[Text, Any]]:
    """The items reached us (or were refunded): the return can't be withdrawn any more."""
    response = "utter_return_withdrawal_refunded" if order.status == "refunded" else "utter_return_withdrawal_too_late"
    dispatcher.utter_message(response=response, number=order.number,
                             amount=format_price(order.refund_due_minor or order.refund_amount_minor, order.currency))
    return []


def _ended(tracker: Tracker, events: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    """The return form's unfinished return is left (another task's open question stays); after
    the form no rule may show its summary."""
    ours = tracker.get_slot(PENDING) in ("return_order", WITHDRAWAL)
    cleared = [SlotSet(slot, None) for slot in SLOTS
               if (slot != PENDING or ours) and all(e.get("name") != slot for e in events)]
    return cleared + events + [SlotSet("requested_slot", None), ActiveLoop(None), FollowupAction("action_listen")]


async def answer_withdrawal(dispatcher: CollectingDispatcher, tracker: Tracker, affirmed: bool) -> List[Dict[Text, Any]]:
    """The "yes" or "no" to "Shall I withdraw the return of …?"."""
    target = tracker.get_slot(TARGET) or {}
    number = target.get("number")
    cleared = [SlotSet(slot, None) for slot in SLOTS]
    if not number:  # nothing named any more (another return started since)
        dispatcher.utter_message(response="utter_no_return_to_withdraw")
        return cleared
    if not affirmed:
        dispatcher.utter_message(response="utter_return_withdrawal_kept", number=number,
                                 items=items_text(target.get("returning") or []))
        return cleared
    try:
        async with BackendClient(tracker.sender_id) as backend:
            try:
                await backend.withdraw_return(number)
            except Refused as refusal:  # received meanwhile, say: the order says what happened
                logger.info("withdrawing the return of %s refused: %s", number, refusal.detail)
                order = await backend.get_order(number)
                if order.status in ("returned", "refunded"):
                    return cleared + _too_late(dispatcher, order)
                dispatcher.utter_message(response="utter_no_return_to_withdraw")
                return cleared
            if target.get("keep"):  # one item out: the rest goes back as before
                return cleared + await _register_the_rest(dispatcher, backend, target)
    except BackendError as error:  # still pending: the user can say "yes" again
        logger.warning("withdrawing the return of %s failed: %s", number, error)
        dispatcher.utter_message(response="utter_backend_unavailable")
        return []
    dispatcher.utter_message(response="utter_return_withdrawn", number=number,
                             items=items_text(target.get("returning") or []))
    return cleared


async def _register_the_rest(dispatcher: CollectingDispatcher, backend: BackendClient,
                             target: Dict[str, Any]) -> List[Dict[Text, Any]]:
    """After the return was withdrawn, what stays in it is registered again with its reason."""
    number, keep = target["number"], target["keep"]
    try:
        order = await backend.request_return(number, target.get("reason") or "customer return", keep)
    except Refused as refusal:
        logger.warning("registering the rest of the return of %s again refused: %s", number, refusal.detail)
        dispatcher.utter_message(response="utter_return_withdrawn", number=number,
                                 items=items_text(target.get("returning") or []))
        dispatcher.utter_message(response="utter_return_refused", number=number, reason=refusal.detail)
        return []
    dispatcher.utter_message(response="utter_return_taken_out", number=number,
                             items=items_text(target.get("returning") or []), rest=items_text(order.returning()),
                             amount=format_price(order.refund_due_minor, order.currency))
    return []
