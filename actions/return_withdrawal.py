"""Withdrawing a registered return: "actually cancel my return, i'll keep them", "i changed my mind,
i dont want to return it anymore", "can you withdraw the return request?".

While the items have not reached the shop (the order is `return_requested`), the bot names the
return and asks; on "yes" the backend withdraws it (`POST /orders/{n}/return/withdraw`: the order
is delivered again, nothing goes back, no refund is due). Once the items arrived it is too late,
and said so. The return form asks (`ask_to_withdraw`, whatever started it); the "yes" or "no" is
action_answer_confirmation's (pending_confirmation "withdraw_return"), which calls
`answer_withdrawal`. "I'll keep the chai, still returning the teapot", "take the chai off the return"
take one item out (`ask_to_take_out`): the return is withdrawn and the rest registered again, its
reason without what was said about the item taken out.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendError, NotFound, Order, Refused
from actions.order_forms import TARGET, order_view
from actions.order_changes import explicit_quantity, pick_sku, product_skus
from actions.order_wording import RETURNING, of_category
from actions.orders import latest_entity, named_skus
from actions.parsing import format_price, order_number
from actions.return_items import items_text

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


# How a product named stays with the customer, in its clause: "keep the chai", "changed my mind on the
# chai", "don't send the teapot", "take the chai off the return" (a take word, then "off the return"),
# "the chai, i'll keep it" (the next words); or goes back: "still returning the teapot", "only send the mug".
_KEEP_BEFORE = re.compile(
    r"(?i)\b(?:keep|keeping|hold on to|hang on to|chang(?:e|ed) (?:my|our) minds? (?:on|about|with|for)|"
    r"(?:don'?t|dont|do not|not|no longer|won'?t|will not|never)\s+(?:want to |wanna |need to |going to |gonna )?"
    r"(?:return|send)(?:ing)?)\b")
_TAKE_BEFORE = re.compile(r"(?i)\b(?:withdraw|remove|take|taking|drop|pull|cancel)\b")
_OFF_THE_RETURN = re.compile(r"(?i)^[^,.;!?]*?\b(?:from|out of|off)\s+(?:the|my|this|that)\s+return\b")
_KEEP_AFTER = re.compile(
    r"(?i)^[\s,;.!-]*(?:(?:ok|so|and|but|actually|tho|though|yeah)\s+)*(?:(?:i'?ll|ill|i will|i'?m gonna|i am going to|"
    r"i'?d rather|i want to|i wanna|i can|i)\s+keep\b|(?:can|will|should)\s+stay\b|stays\b)")
_SEND_BEFORE = re.compile(r"(?i)\b(?:only|just|send|sending|return|returning|still|back)\b")
# "only send the mug", "just return the teapot" (not "just the teapot": the items asked for, maybe more of them).
_ONLY = re.compile(r"(?i)\b(?:only|just)\s+(?:send|return)\w*\b")
_CLAUSE = re.compile(r"[,;.!?]")


def _kept_or_sent(text: str, entities: List[Dict[str, Any]]) -> List[Tuple[Dict[str, Any], Optional[str]]]:
    """Each product or kind named, in text order, with "keep", "send" or None as its clause says."""
    named = sorted((e for e in entities if e.get("entity") in ("product", "category")
                    and e.get("start") is not None and e.get("end") is not None), key=lambda e: int(e["start"]))
    said, previous_end = [], 0
    for index, entity in enumerate(named):
        start, end = int(entity["start"]), int(entity["end"])
        before = text[previous_end:start]
        clause = before[max((m.end() for m in _CLAUSE.finditer(before)), default=0):]
        following = int(named[index + 1]["start"]) if index + 1 < len(named) else len(text)
        after = text[end:following]
        if _KEEP_BEFORE.search(clause) or (_TAKE_BEFORE.search(clause) and _OFF_THE_RETURN.match(after)) \
                or _KEEP_AFTER.match(after):
            said.append((entity, "keep"))
        elif _SEND_BEFORE.search(clause):
            said.append((entity, "send"))
        else:
            said.append((entity, None))
        previous_end = end
    return said


def keeps_items(text: Optional[str], entities: List[Dict[str, Any]]) -> bool:
    """ "ill keep the chai, still returning the teapot", "can i keep the filters? only send the mug":
    a product named stays with the customer (or only some named go back)."""
    said = _kept_or_sent(text or "", entities)
    return any(how == "keep" for _, how in said) or (
        bool(_ONLY.search(text or "")) and any(how == "send" for _, how in said))


def _line_of(entity: Dict[str, Any], lines: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """The line of `lines` a product or kind named means, if one."""
    if entity.get("entity") == "category":
        kind = [line for line in lines if of_category(line["name"], str(entity.get("value")))]
        return kind[0] if len(kind) == 1 else None
    sku = pick_sku(product_skus(entity), {line["sku"]: line for line in lines})
    return next((line for line in lines if line["sku"] == sku), None)


def items_taken_out(returning: List[Dict[str, Any]], text: str,
                    entities: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """What comes out of the return (the customer keeps it): the products named to keep or to take
    out ("keep the chai", "take the chai off the return"); else, "only send the mug", all but those;
    else the products named at all ("withdraw the mug from the return"). In the return's counts, or
    the count said."""
    said = [(entity, how, _line_of(entity, returning)) for entity, how in _kept_or_sent(text, entities)]
    said = [(entity, how, line) for entity, how, line in said if line is not None]
    kept = [(entity, line) for entity, how, line in said if how == "keep"]
    if not kept and _ONLY.search(text) and any(how == "send" for _, how, _ in said):
        sent = {line["sku"] for _, how, line in said if how == "send"}
        return [dict(line) for line in returning if line["sku"] not in sent]
    if not kept and TAKES_OUT.search(text):
        kept = [(entity, line) for entity, how, line in said if how is None]
    out: Dict[str, Dict[str, Any]] = {}
    for entity, line in kept:
        count = explicit_quantity(entity)
        quantity = min(count, int(line["quantity"])) if count else int(line["quantity"])
        out[line["sku"]] = {**line, "quantity": max(quantity, int(out.get(line["sku"], {}).get("quantity", 0)))}
    return list(out.values())


def reason_without(reason: Optional[str], out: List[Dict[str, Any]], keep: List[Dict[str, Any]]) -> Optional[str]:
    """The return's reason (the backend joins each addition's with "; ") without the parts about the
    items taken out ("the lid is cracked; the chai is too spicy" → "the lid is cracked"), unless a
    part is about an item that stays too; None when every part was about those items."""
    if not reason:
        return None
    gone = _words(" ".join(item["name"] for item in out))
    stays = _words(" ".join(item["name"] for item in keep))
    parts = [part for part in reason.split("; ") if not _words(part) & gone or _words(part) & stays]
    return "; ".join(parts) or None


_NAME_FILLER = frozenset("the and with for set pair pack from".split())


def _words(text: str) -> set:
    """The words that tell items apart, singular ("mugs" is "mug")."""
    return {word.rstrip("s") for word in re.findall(r"[a-z]{3,}", text.lower()) if word not in _NAME_FILLER}


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


async def ask_to_take_out(dispatcher: CollectingDispatcher, tracker: Tracker,
                          only_what_it_holds: bool = False) -> Optional[List[Dict[Text, Any]]]:
    """ "withdraw the blue mug from the return, i keep it", "ill keep the chai, still returning the
    teapot": the return registered holds more, so that item comes out and the rest stays (QA: a new
    return was started; the teapot was proposed instead of the chai kept). The backend withdraws
    whole returns, so on "yes" the return is withdrawn and the rest registered again with its reason,
    less what was said about the items taken out. Naming nothing of it, or all of it, asks to withdraw
    the whole return. With `only_what_it_holds` (the message only said to keep something), None
    when no return on its way holds what is kept: "return the mug, keep the filters" is a return."""
    try:
        order = await _registered_return(tracker)
    except BackendError as error:
        logger.warning("looking for the return to take an item out of failed: %s", error)
        dispatcher.utter_message(response="utter_backend_unavailable")
        return _ended(tracker, [])
    if order is None or order.status != "return_requested":
        return None if only_what_it_holds else await ask_to_withdraw(dispatcher, tracker)
    returning = order.returning()
    out = items_taken_out(returning, tracker.latest_message.get("text") or "",
                          tracker.latest_message.get("entities") or [])
    if not out and only_what_it_holds:
        return None
    keep = _without(returning, out)
    if not out or not keep:
        return await ask_to_withdraw(dispatcher, tracker)
    prices = {line.sku: line.unit_price_minor for line in order.lines}
    kept_refund = sum(prices[item["sku"]] * int(item["quantity"]) for item in keep)
    dispatcher.utter_message(response="utter_return_rest_stays", number=order.number, rest=items_text(keep),
                             amount=format_price(kept_refund, order.currency))
    dispatcher.utter_message(response="utter_confirm_return_withdrawal", number=order.number, items=items_text(out),
                             amount=format_price(order.refund_due_minor - kept_refund, order.currency))
    view = {**order_view(order), "returning": out, "keep": keep,
            "reason": reason_without(order.return_reason, out, keep) or order.return_reason or "customer return"}
    return _ended(tracker, [SlotSet(TARGET, view), SlotSet(PENDING, WITHDRAWAL), SlotSet("order_id", order.number)])


async def keeps_part_of_a_registered_return(tracker: Tracker) -> bool:
    """ "oh wait can i keep the filters actually? only send the mug", whatever the NLU read (a change
    of the order, say): a product of a return on its way is kept, so the return form takes it out
    (QA: the change form refused, "return requested, so it can't be changed any more")."""
    text, entities = tracker.latest_message.get("text") or "", tracker.latest_message.get("entities") or []
    if not keeps_items(text, entities):
        return False
    try:
        order = await _registered_return(tracker)
    except BackendError as error:
        logger.warning("looking for the return an item is kept from failed: %s", error)
        return False
    return order is not None and order.status == "return_requested" and bool(
        items_taken_out(order.returning(), text, entities))


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
