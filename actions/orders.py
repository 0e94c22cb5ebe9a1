"""Track an order: the customer's own (by number or their last one), or anyone's after verification."""
from __future__ import annotations

import logging
import re
from datetime import date, datetime, timezone
from typing import Any, Dict, List, NamedTuple, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendError, NotFound, Order
from actions.cancel_questions import answer_about_the_cancel, answer_why_it_was_cancelled
from actions.form_answers import previous_turn
from actions.more_questions import answer_the_other_questions
from actions.order_slots import asks_to_place_after_an_aside
from actions.order_wording import (ABOUT_A_SHIPMENT, ALL_ORDERS, ANOTHER_ORDER, ASKS_CONTENTS, ASKS_IF_SENT,
                                   ASKS_ITS_ADDRESS, BACK_TO_THE_ORDER, BARE_FOLLOW_UP, BUYS_OR_CHANGES, BY_ITS_ITEMS,
                                   CHANGES_THE_ORDER, EARLIEST, FOLLOW_UP, HOW_LONG, HYPOTHETICAL, NOT_RECEIVED, ORDINAL,
                                   ORDINALS, OWN_ORDER, PICKS_FROM_A_LIST, SAYS_LATE, TO_THAT_ORDER, TRACKING_FAILS,
                                   WHEN_IT_COMES, WHERE_IS, WHICH_ORDERS, asks_about_a_confirmation_email,
                                   asks_how_tracking_works, indian_pin_code,
                                   destination_postcodes, of_category, within_postcode)
from actions.parsing import (contact_detail, foreign_places, format_price, looks_like_address, order_number,
                             order_number_alone, whole_phone_number, within_date, within_phone_number)

logger = logging.getLogger(__name__)
REQUESTED = "requested_info"
# Which order task a bare answer ("1042") continues: tracking or cancelling.
TASK = "order_task"


def latest_entity(tracker: Tracker, *names: str) -> Optional[str]:
    for name in names:
        value = next(tracker.get_latest_entity_values(name), None)
        if value:
            return str(value)
    return None


def entity_values(tracker: Tracker, *names: str) -> List[str]:
    """Every value of the latest message's entities of these names, in the order of `names`."""
    return [str(value) for name in names for value in tracker.get_latest_entity_values(name) if value]


def named_skus(tracker: Tracker) -> List[str]:
    """The SKUs of the products the latest message names ("the french press order")."""
    skus: List[str] = []
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "product":
            skus += entity.get("skus") or []
    return skus


# "not the filters", "except the mugs": products named as not meant.
_NOT_MEANT = re.compile(r"(?i)\b(?:not|except|apart from|other than)\s+(?:the\s+|my\s+|a\s+)?$")


def meant_skus(tracker: Tracker) -> List[str]:
    """`named_skus` without the products said not to be meant ("the dripper one is late, not the
    filters"), nor those of a change asked after the question ("is it shipped? also add 1 more grinder")."""
    text = tracker.latest_message.get("text") or ""
    skus: List[str] = []
    for entity in _of_the_question(tracker, "product"):
        start = entity.get("start")
        if start is not None and _NOT_MEANT.search(text[:int(start)]):
            continue
        skus += entity.get("skus") or []
    return skus


def meant_kinds(tracker: Tracker) -> List[str]:
    """The kinds of product (categories) the question names, not a change asked after it."""
    return [str(entity["value"]) for entity in _of_the_question(tracker, "category") if entity.get("value")]


def _of_the_question(tracker: Tracker, kind: str) -> List[Dict[str, Any]]:
    """The latest message's entities of `kind` before a change asked after a question about an
    order (placed_order_edits.change_starts_at), all of them when it asks no such change."""
    from actions.placed_order_edits import change_starts_at  # here: it imports this module
    cut = change_starts_at(tracker)
    return [entity for entity in tracker.latest_message.get("entities") or [] if entity.get("entity") == kind
            and (cut is None or entity.get("start") is None or int(entity["start"]) < cut)]


def product_spans(tracker: Tracker) -> List[Tuple[int, int]]:
    """Where the latest message names products (the catalogue matcher's entities)."""
    return [(int(entity["start"]), int(entity["end"])) for entity in tracker.latest_message.get("entities") or []
            if entity.get("entity") == "product" and entity.get("start") is not None and entity.get("end") is not None]


def said_order_number(tracker: Tracker) -> Optional[str]:
    """The order number the latest message names: the shop's own ("OB-…") before bare digits, and
    never a date's year or a part of a phone number (a pasted "Order number: OB-SEV2VWFK / Date: 7
    Dec 2026" gave the NLU's order_id "2026" first)."""
    text = tracker.latest_message.get("text") or ""
    named = [order_number(value) for value in entity_values(tracker, "order_id")] + [order_number(text)]
    postcode = postcode_after_a_delivery_answer(tracker)
    named = [number for number in named if number and not within_date(number, text)
             and not within_phone_number(number, text) and not within_email(number, text)
             and not within_postcode(number, text) and number != postcode]  # "delivery time to 560001 pincode"
    written = (number for number in named  # "OB-SEV2VWFK" as the shop writes it, not "1042" or "SEV2VWFK"
               if re.search(rf"(?i)\bOB[-\s]?{re.escape(number[3:])}\b", text) and number.startswith("OB-"))
    return next(written, None) or next(iter(named), None)


# The bot's answers about delivering somewhere, after which a bare number is the next place's postcode.
DELIVERY_ANSWERS = ("utter_not_delivered_there", "utter_not_delivered_to_pin_code", "utter_delivery_options",
                    "utter_faq/shipping_costs", "utter_faq/customs_duties", "utter_delivery_time")
# Answers asking for an order's number: a number next is that.
ASKS_FOR_A_NUMBER = ("utter_delivery_time_order_hint", "utter_ask_order_number", "utter_ask_order_contact")
# "and 110001?", "ok what about 400001 mumbai", "to 560001 then": a number, and a place at most.
_A_NUMBER_AND_A_PLACE = re.compile(
    r"(?i)^\W*(?:(?:and|ok|okay|so|also|or|then|hmm|what about|how about|what of)\W+)*(?:(?:to|for|in)\s+)?"
    r"(\d{4,6})(?:[\s,]+[^\W\d_]+){0,3}(?:\s+then)?\W*$")


def postcode_after_a_delivery_answer(tracker: Tracker) -> Optional[str]:
    """ "and 110001?" right after "we don't deliver to Germany… / We ship across the EU…": the postcode
    of the next place asked about, not an order's number (QA16: "I can't find order 110001")."""
    said = [(event.get("metadata") or {}).get("utter_action") for event in previous_turn(tracker)
            if event.get("event") == "bot"]
    if not any(response in DELIVERY_ANSWERS for response in said) or any(
            response in ASKS_FOR_A_NUMBER for response in said):
        return None
    match = _A_NUMBER_AND_A_PLACE.match(tracker.latest_message.get("text") or "")
    return match.group(1) if match else None


def answer_a_postcode(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """A postcode asked about with no order named ("ok what about 400001 mumbai", "and 110001?"
    after a delivery answer): that we don't deliver to the place or the Indian PIN code; after a
    delivery answer, else where we deliver. False, and nothing said, for another message ("how
    many days delivery to 10115 berlin" gets the usual answer)."""
    text = tracker.latest_message.get("text") or ""
    after_an_answer = postcode_after_a_delivery_answer(tracker)
    if not (after_an_answer or destination_postcodes(text)) or said_order_number(tracker) is not None:
        return False
    if say_not_delivered_there(dispatcher, text, product_spans(tracker), after_an_answer):
        return True
    if after_an_answer is None:
        return False
    dispatcher.utter_message(response="utter_delivery_time" if HOW_LONG.search(text) else "utter_delivery_options")
    return True


def within_email(number: Optional[str], text: str) -> bool:
    """True when `number` ("OB-MURPHY57") is read only from inside an email address in `text`
    ("grace.murphy57@example.com"): no order's number."""
    code = re.escape(str(number or "").removeprefix("OB-"))
    outside = re.sub(r"\S+@\S+", " ", text)
    return bool(code) and re.search(rf"(?i){code}", text) is not None and re.search(rf"(?i){code}", outside) is None


def requested_order_number(tracker: Tracker) -> Optional[str]:
    """The order number in the latest message, or the one asked for a moment ago."""
    requested = tracker.get_slot(REQUESTED)
    text = tracker.latest_message.get("text") or ""
    named = said_order_number(tracker)
    if named is None and within_phone_number(latest_entity(tracker, "order_id") or order_number(text), text):
        return order_number(tracker.get_slot("order_id")) if requested == "contact" else None
    asked = order_number(text, asked=True) if requested == "order_id" else None
    return (
        named
        or (asked if not within_email(asked, text) else None)
        or order_number_alone(text)  # "HZME5UYP", "#X5DKAPRB": a number the NLU took for no order
        or (order_number(tracker.get_slot("order_id")) if requested == "contact" else None)
    )


def given_contact(tracker: Tracker) -> Optional[str]:
    """The email or phone on an order that the latest message gives: as an entity in any message
    ("OB-… ada@example.com"), or the whole answer when asked for it. A phone is read whole from
    the message: the NLU's entity of "+91 98765 11111" was "+91 98765 1111", which no order has."""
    text = tracker.latest_message.get("text") or ""
    email, phone = latest_entity(tracker, "email"), latest_entity(tracker, "phone")
    contact = contact_detail(email) if email else whole_phone_number(phone, text) if phone else None
    if tracker.get_slot(REQUESTED) == "contact":
        contact = contact or contact_detail(text)
    return contact


IN_TRANSIT = ("confirmed", "processing", "shipped")


def follows_up_on_the_order(tracker: Tracker, text: str) -> bool:
    """True for "did it ship yet" or "when will it arrive" right after an order was talked about,
    and for "what's in my order?" after one was opened with its email or phone (this chat's own
    orders are not the ones meant)."""
    if not tracker.get_slot("order_id") or HYPOTHETICAL.search(text):
        return False
    if tracker.get_slot("contact") and re.search(r"(?i)\bmy (?:order|parcel|package)\b", text) \
            and not ALL_ORDERS.search(text):
        return True
    return bool(FOLLOW_UP.search(text) and not ANOTHER_ORDER.search(text))


def order_followed_up(tracker: Tracker, text: str) -> Optional[str]:
    """The order a follow-up is about: the one the bot's last answer named ("when will it arrive"
    right after the order was placed, or "when?" / "late?" after its status: the shop's delivery
    times had answered), else the one just talked about (`follows_up_on_the_order`)."""
    shown = None if HYPOTHETICAL.search(text) else order_in_view(tracker)
    if shown and (BARE_FOLLOW_UP.match(text) or (FOLLOW_UP.search(text) and not ANOTHER_ORDER.search(text))):
        return shown
    return order_number(tracker.get_slot("order_id")) if follows_up_on_the_order(tracker, text) else None


def _order_lines(orders: List[Order]) -> str:
    """"• OB-…: 2 × Ceramic Mug Blue, 1 × Glass Teapot – shipped" per order, newest first; one past
    its expected delivery says so ("– shipped, late: expected 2026-11-20")."""
    today = datetime.now(timezone.utc).date()

    def items(order: Order) -> str:
        named = [f"{line.quantity} × {line.name}" for line in order.lines[:2]]
        return ", ".join(named) + (", …" if len(order.lines) > 2 else "")

    def state(order: Order) -> str:
        late = f", late: expected {order.estimated_delivery}" if _is_late(order, today) else ""
        return order.status.replace("_", " ") + late
    return "\n".join(f"• {o.number}: {items(o)} – {state(o)}" for o in orders[:6])


def _shipment_meant(orders: List[Order], text: str) -> Optional[Order]:
    """"my order is late", "why so long": the order that is late, whichever is newest; "tracking
    number?": the order shipped (a late one first), when the newest is not the one on the road."""
    if not orders or not (ABOUT_A_SHIPMENT.search(text) or SAYS_LATE.search(text)):
        return None
    today = datetime.now(timezone.utc).date()
    late = [o for o in orders if _is_late(o, today)]
    if late and SAYS_LATE.search(text):
        return late[0]
    if orders[0].status == "shipped" or not ABOUT_A_SHIPMENT.search(text):
        return None
    shipped = sorted((o for o in orders if o.status == "shipped"), key=lambda o: not _is_late(o, today))
    return shipped[0] if shipped else None


def _the_other_of_two(orders: List[Order], shown: List[str], text: str) -> Optional[Order]:
    """ "and my other order?" with two orders on the go, right after the bot's answer about one of
    them: the other one (without one in view, both are listed)."""
    if len(orders) != 2 or not shown or shown[0] not in {o.number for o in orders} \
            or not re.search(r"(?i)\bother\b", text) or re.search(r"(?i)\b(?:all|both)\b", text):
        return None
    return next(o for o in orders if o.number != shown[0])


def _earliest_meant(orders: List[Order], text: str) -> Optional[Order]:
    """"my first order", "the older one": the earliest of the orders (listed newest first)."""
    return orders[-1] if orders and EARLIEST.search(text) else None


def _followed_by_its_wording(text: str) -> bool:
    """A follow-up said as one ("did it ship yet", "why so long?"), not just "my order" after
    another chat's order was opened with its email (follows_up_on_the_order)."""
    return bool(BARE_FOLLOW_UP.match(text) or (FOLLOW_UP.search(text) and not ANOTHER_ORDER.search(text)))


async def _late_instead(backend: BackendClient, number: Optional[str]) -> Optional[str]:
    """ "it's late" about this chat's order `number`, which is not late while another is: that other one."""
    today = datetime.now(timezone.utc).date()
    orders = await backend.list_orders(limit=10)
    followed = next((o for o in orders if o.number == number), None)
    if followed is None or _is_late(followed, today):
        return None
    return next((o.number for o in orders if _is_late(o, today)), None)


def asks_about_own_order(text: str) -> bool:
    """ "when will my order arrive", "order no 1042 when"; not "how many days delivery to 10115 berlin"
    (a postcode)."""
    number = order_number(text)
    named = number is not None and not within_postcode(number, text)
    return bool(OWN_ORDER.search(text) or named) and not HYPOTHETICAL.search(text)


def asks_when_an_order_comes(tracker: Tracker, text: str) -> bool:
    """ "order OB-… when does it ship", "when will my parcel come", whatever the NLU read (a delivery
    question): when the customer's order comes. While ordering, only one named by its number: "when
    will my order come" there is about the order being made."""
    if not WHEN_IT_COMES.search(text) or HYPOTHETICAL.search(text):
        return False
    return said_order_number(tracker) is not None or bool(not tracker.active_loop_name and OWN_ORDER.search(text))


def complains_about_what_came(text: str) -> bool:
    """Damaged, spoilt or fewer than ordered; not a parcel that is late, lost or untrackable
    ("the tracking is not working", "my parcel is missing")."""
    from actions.support import SHORT_DELIVERY, reports_what_came_wrong  # here: actions.support imports this module
    if re.search(SHORT_DELIVERY, text, re.IGNORECASE):
        return True
    return reports_what_came_wrong(text) and not (NOT_RECEIVED.search(text) or SAYS_LATE.search(text)
                                                  or TRACKING_FAILS.search(text))


def _problem_response(order: Order, text: str, today: date) -> Optional[str]:
    """A response that owns up to a problem instead of the plain status, with an offer of a person:
    a delivered order the customer says they don't have, or one past its expected delivery."""
    if order.status == "delivered" and NOT_RECEIVED.search(text):
        return "utter_order_delivered_not_received"
    return "utter_order_late" if _is_late(order, today) else None


# A question about the carrier or tracking number, not about the order as a whole.
COURIER_QUESTION = re.compile(r"(?i)\b(?:courier|carrier|tracking|track(?:ing)? (?:no|number|id|link)|dhl|ups|dpd|"
                              r"gls|fedex|hermes|which (?:company|service) (?:is )?(?:delivering|bringing))\b")


def _is_late(order: Order, today: date) -> bool:
    """On its way and past its expected delivery date."""
    try:
        expected = date.fromisoformat(str(order.estimated_delivery)[:10])
    except ValueError:
        return False
    return order.status in IN_TRANSIT and expected < today


def _reassures(dispatcher: CollectingDispatcher, order: Order, text: str, insists: bool) -> Optional[List[Dict[Text, Any]]]:
    """A shipped order said to be late before its expected date, or whose tracking "doesn't work":
    why (not late yet; a new tracking number takes a while to show), not the status line again;
    when the tracking fails or the customer insists, the offer of a person. None for other messages."""
    fails = TRACKING_FAILS.search(text) is not None
    if order.status != "shipped" or not (fails or (SAYS_LATE.search(text) and order.estimated_delivery)):
        return None
    values = dict(number=order.number, carrier=order.carrier or "our carrier",
                  tracking_number=order.tracking_number or "not yet available",
                  estimated_delivery=order.estimated_delivery or "soon")
    response = "utter_tracking_not_working" if fails else (
        "utter_order_still_on_time" if insists else "utter_order_not_late_yet")
    dispatcher.utter_message(response=response, **values)
    if not (fails or insists):
        return []
    dispatcher.utter_message(response="utter_offer_a_person")
    return [SlotSet("pending_confirmation", "human_handoff")]


class Said(NamedTuple):
    """What the bot said before that changes an order's answer: that the order isn't late yet (the
    customer insists), and the tickets opened about orders (order number → ticket)."""
    not_late_yet: bool = False
    tickets: Dict[str, int] = {}


def said_before(tracker: Tracker, text: str) -> Said:
    """What the bot said in this conversation that the answer to `text` depends on."""
    insists = bool(SAYS_LATE.search(text)) and said_lately(tracker, "utter_order_not_late_yet", "utter_order_still_on_time")
    tickets = {}
    for event in tracker.events or []:
        metadata = (event.get("metadata") or {}) if event.get("event") == "bot" else {}
        number = order_number(str(metadata.get("number") or ""))
        if number and metadata.get("ticket_id"):
            tickets[number] = metadata["ticket_id"]
    return Said(insists, tickets)


def utter_order_status(dispatcher: CollectingDispatcher, order: Order, text: str = "",
                       said: Said = Said()) -> List[Dict[Text, Any]]:
    """One response per status, so the wording lives in the domain; a late or missing order gets
    an apology and an offer of a person instead (answered by action_answer_confirmation), or, once
    a ticket is open about it, that the team is chasing it. Asked what is in it, its items come first."""
    problem = _problem_response(order, text, datetime.now(timezone.utc).date())
    reassured = None if problem or ASKS_CONTENTS.search(text) else _reassures(dispatcher, order, text,
                                                                               said.not_late_yet)
    if reassured is not None:
        return reassured
    if problem == "utter_order_late" and order.number in said.tickets:
        # "when will it come" after the ticket to chase it was opened: no second offer
        dispatcher.utter_message(response="utter_order_late_being_chased", number=order.number,
                                 ticket_id=said.tickets[order.number], carrier=order.carrier or "our carrier",
                                 estimated_delivery=order.estimated_delivery or "soon")
        return []
    if problem is None and COURIER_QUESTION.search(text) and order.status in ("pending", "confirmed", "processing"):
        # "which courier?" before it ships: there is none yet, and the customer hears when there will be
        dispatcher.utter_message(response="utter_no_courier_yet", number=order.number)
        return []
    if ASKS_CONTENTS.search(text):
        dispatcher.utter_message(response="utter_order_contents", number=order.number,
                                 lines="\n".join(f"• {line.quantity} × {line.name}" for line in order.lines),
                                 total=format_price(order.total_minor, order.currency))
    dispatcher.utter_message(
        response=problem or f"utter_order_status_{order.status}",
        number=order.number,
        total=format_price(order.total_minor, order.currency),
        amount=format_price(order.refund_amount_minor or order.refund_due_minor or order.total_minor,
                            order.currency),
        carrier=order.carrier or "our carrier",
        tracking_number=order.tracking_number or "not yet available",
        estimated_delivery=order.estimated_delivery or "soon",
    )
    if problem is None and order.status in ("confirmed", "processing") and WHEN_IT_COMES.search(text):
        # "when will it arrive" before it ships: how long it takes once it does
        dispatcher.utter_message(response="utter_delivery_time")
    return [SlotSet("pending_confirmation", "human_handoff")] if problem else []


def without_stale_offer(tracker: Tracker, events: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    """A status answer without an offer of a person ends an earlier offer still open: a "yes"
    now is not an answer to it (it is asked again from action_track_order's own question only)."""
    asks = any(e.get("name") == "pending_confirmation" for e in events)
    stale = tracker.get_slot("pending_confirmation") == "human_handoff" and not asks
    return events + ([SlotSet("pending_confirmation", None)] if stale else [])


async def _never_ships(backend: BackendClient, number: Optional[str], contact: Optional[str]) -> bool:
    """The order was cancelled or expired (so a parcel question is about another one)."""
    try:
        return number is not None and (await backend.get_order(number, contact)).status in ("cancelled", "expired")
    except NotFound:
        return False


def _holds(order: Order, skus: List[str], categories: List[str]) -> bool:
    """The order holds a product named, or one of a category named (by its word in the name)."""
    return any(line.sku in skus or any(of_category(line.name, category) for category in categories)
               for line in order.lines)


def states_a_rating(text: str) -> bool:
    """"1 star. worst service", "5/5 love it": a rating, whatever else the message says."""
    from actions.feedback import STATED_RATING  # imported here: actions.feedback imports this module
    return bool(STATED_RATING.search(text))


def gives_feedback(tracker: Tracker) -> bool:
    """ "delivery was slow, 2/5", "8/10", "just wanted to say the mugs I got are lovely" while no
    question waits for its answer (a form's, an order number): feedback, whatever the NLU read ("Via
    Roma 3/5, …" is an address)."""
    from actions.feedback import praises_what_was_received  # imported here: actions.feedback imports this module
    text = tracker.latest_message.get("text") or ""
    asking = tracker.active_loop_name or tracker.get_slot("requested_slot") or tracker.get_slot(REQUESTED)
    return not asking and (states_a_rating(text) or praises_what_was_received(text)) and not looks_like_address(text)


class ActionTrackOrder(Action):
    def name(self) -> Text:
        return "action_track_order"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        verified = await answer_about_a_verified_order(dispatcher, tracker)
        if verified is not None:  # "… and pls add a french press to it" about another chat's order: refused, no form
            return while_a_form_waits(tracker, verified)
        return while_a_form_waits(tracker, then_the_change(tracker, await self.answer(dispatcher, tracker, domain)))

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                     domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        """The answer to the message, without handing over to a form (run does)."""
        answered = await answer_about_the_cancel(dispatcher, tracker)
        if answered is not None:  # "has it shipped yet?" while a cancel waits: that order, then the question again
            return answered
        if explain_tracking(dispatcher, tracker):  # "do you send tracking?": how it works, no order asked for
            return []
        from actions.support import chase_the_late_order  # here: actions.support imports this module
        chased = await chase_the_late_order(dispatcher, tracker)
        if chased is not None:  # "yes get a person to chase my late order" to the offer to chase it
            return chased
        from actions.change_address import new_name_at_the_summary  # here: actions.change_address imports this module
        renamed = await new_name_at_the_summary(dispatcher, tracker, domain)
        if renamed is not None:  # "the name is wrong, it should be just Nina Kovač" at "Shall I place it?" (QA F8)
            return renamed
        shop_cancel = await answer_why_it_was_cancelled(dispatcher, tracker, domain)
        if shop_cancel is not None:  # "why was it cancelled??" about an order the shop cancelled
            return shop_cancel
        if tracker.get_slot("pending_order"):
            from actions.back_to_the_order import back_to_the_waiting_order  # here: it imports this module
            waiting = await back_to_the_waiting_order(dispatcher, tracker, tracker.latest_message.get("text") or "")
            if waiting is not None:  # "confirm OB-… please" for the order still waiting for its yes: placed
                return waiting
        if answer_a_postcode(dispatcher, tracker):  # "ok what about 400001 mumbai" after a delivery answer
            return []
        number = requested_order_number(tracker)
        text = tracker.latest_message.get("text") or ""
        if asks_about_a_confirmation_email(text):  # "did you send me a confirmation email?": none is sent
            return await _confirmed_in_the_chat(dispatcher, tracker, number)
        contact = given_contact(tracker)
        given = contact is not None
        if contact is None and leaves_the_check(tracker, text):
            # "ok back to my order" to "the email on OB-…?" asked while ordering: the order goes on
            return [SlotSet(REQUESTED, None)]
        if number is None and tracker.get_slot(REQUESTED) is None and states_a_rating(text):
            # "1 star. worst service, order came 2 weeks late": feedback, stored with or without an order
            return [FollowupAction("feedback_form")]
        if complains_about_what_came(text):
            # "got it today but one of the cups is chipped": sorry and the free return or a ticket,
            # not "I hope you enjoy it!"
            from actions.support import complain_about_what_came  # here: actions.support imports this module
            return await complain_about_what_came(dispatcher, tracker, domain)
        if number is None and tracker.get_slot(REQUESTED) is None and HYPOTHETICAL.search(text):
            utter_delivery_time(dispatcher, text, product_spans(tracker))  # "if I order today when will it come"
            return []
        skus, categories = meant_skus(tracker), meant_kinds(tracker)
        followed = None if number is not None or skus or categories else order_followed_up(tracker, text)
        followed_up = followed is not None
        if followed_up:
            # "did it ship yet", "what's the tracking number": the order just talked about, one
            # checked with its email too (the details given then still hold)
            same = followed == order_number(tracker.get_slot("order_id"))
            number, contact = followed, contact or (tracker.get_slot("contact") if same else None)
        elif number and not contact and number == order_number(tracker.get_slot("order_id")):
            # "where is OB-…" again right after it was opened with its email: the same details
            contact = tracker.get_slot("contact")
        try:
            async with BackendClient(tracker.sender_id) as backend:
                if followed_up and not _followed_by_its_wording(text) \
                        and await order_checked_elsewhere(backend, tracker) is None:
                    number = None  # "where is my order" after an email given while ordering: this chat's orders
                about_a_parcel = ABOUT_A_SHIPMENT.search(text) or WHEN_IT_COMES.search(text) or SAYS_LATE.search(text)
                if number and followed_up and about_a_parcel and await _never_ships(backend, number, contact):
                    number = None  # "which courier?", "when will it come" right after a cancelled one: the order on its way
                if number and followed_up and not given and SAYS_LATE.search(text):
                    number = await _late_instead(backend, number) or number  # "it's late": the one that is
                said = said_before(tracker, text)
                if number is None:
                    # "… also add 1 more grinder": that change comes next, not "if you meant another order"
                    return without_stale_offer(
                        tracker, await self._last_order(dispatcher, backend, text, skus, categories,
                                                        picking=tracker.get_slot(REQUESTED) == "order_id",
                                                        shown=orders_in_view(tracker), said=said,
                                                        hint=_change_after_a_question(tracker) is None))
                return without_stale_offer(
                    tracker, await self._order_by_number(dispatcher, backend, number, contact, text, given, said))
        except BackendError as error:
            logger.warning("order lookup failed: %s", error)
            dispatcher.utter_message(response="utter_backend_unavailable")
            return []

    @staticmethod
    async def _last_order(dispatcher: CollectingDispatcher, backend: BackendClient,
                          text: str, skus: List[str], categories: List[str] = (),
                          picking: bool = False, shown: List[str] = (), said: Said = Said(),
                          hint: bool = True) -> List[Dict[Text, Any]]:
        """The order a message without a number means: the one holding a product it names ("the
        tea infuser order"; of those, one the bot's last answer named, `shown`), else the one late
        or shipped that a parcel question means, else the earliest for "my first order", else the
        last one; "all my orders" or "my other order" lists them."""
        every = await backend.list_orders(limit=10)
        orders = [o for o in every if o.status not in ("cancelled", "expired")]
        as_shown = [o for number in shown for o in every if o.number == number] if len(shown) > 1 else orders[:6]
        ordinal = ORDINAL.search(text) if picking or (len(shown) > 1 and PICKS_FROM_A_LIST.match(text)) else None
        if ordinal and as_shown:  # "the second one" after the list: as it was listed
            index = ORDINALS[ordinal.group(1).lower()]
            picked = as_shown[index] if -len(as_shown) <= index < len(as_shown) else as_shown[-1]
            return await ActionTrackOrder._order_by_number(dispatcher, backend, picked.number, None, text)
        the_other = _the_other_of_two(orders, shown, text) if not (skus or categories) else None
        if the_other:  # "and my other order?" with two: the one not just talked about
            return await ActionTrackOrder._order_by_number(dispatcher, backend, the_other.number, None, text)
        # "and the other order?" with one on its way, "show all my orders": the cancelled ones too
        listed = every if len(orders) <= 1 or re.search(r"(?i)\ball\b", text) else orders
        if (ALL_ORDERS.search(text) or WHICH_ORDERS.search(text)) and len(listed) > 1:
            dispatcher.utter_message(response="utter_order_list", orders=_order_lines(listed))
            return [SlotSet(REQUESTED, "order_id"), SlotSet(TASK, "track")]
        # "the grinder order" even once cancelled, "the order with the mugs" (a category to the NLU);
        # one just shown first ("the mugs one" after the list), one late first ("the dripper one is late")
        of_kinds = await skus_of_kinds(backend, categories) if categories else []
        holding = sorted((o for o in every if _holds(o, list(skus) + of_kinds, categories)),
                         key=lambda o: (o not in orders, o.number not in shown))
        # the newest order still under way or done, before a cancelled one ("which courier?" after cancelling the newest)
        order = (_shipment_meant(holding, text) or holding[0]) if holding else (
            _shipment_meant(orders, text) or _earliest_meant(orders, text)
            or (orders[0] if orders else await backend.get_last_order()))
        if order is None and HOW_LONG.search(text) and not asks_about_own_order(text):
            # "how many days for delivery" from someone without orders: the times, then the number
            utter_delivery_time(dispatcher, text)
            dispatcher.utter_message(response="utter_delivery_time_order_hint")
            return [SlotSet(REQUESTED, "order_id"), SlotSet(TASK, "track")]
        if order is None:
            dispatcher.utter_message(response="utter_ask_order_number")
            return [SlotSet(REQUESTED, "order_id"), SlotSet(TASK, "track")]
        offer = utter_order_status(dispatcher, order, text, said)
        say_where_it_goes_if_asked(dispatcher, order, text, offer)
        others = [o for o in orders if o.number != order.number and o.status in IN_TRANSIT]
        if not offer and hint:  # a question of ours must stay the last message
            if others:  # "where is my order" with more than one on its way: the others too
                dispatcher.utter_message(response="utter_other_open_orders", orders=_order_lines(others))
            else:
                dispatcher.utter_message(response="utter_other_order_hint")
        return [SlotSet(REQUESTED, None), SlotSet("order_id", order.number)] + offer

    @staticmethod
    async def _order_by_number(
        dispatcher: CollectingDispatcher, backend: BackendClient, number: str, contact: Optional[str],
        text: str, given: bool = True, said: Said = Said(),
    ) -> List[Dict[Text, Any]]:
        """The order and its status; `given`: the message gave `contact` (not kept from before)."""
        try:
            order = await backend.get_order(number, contact)
        except NotFound:
            return ask_for_the_contact(dispatcher, number, "track", tried=contact if given else None)
        offer = utter_order_status(dispatcher, order, text, said)
        if contact is None:  # another chat's order opened with its email: its address is not shown
            say_where_it_goes_if_asked(dispatcher, order, text, offer)
        return [SlotSet(REQUESTED, None), SlotSet("order_id", order.number)] + verified_with(contact) + offer


def say_where_it_goes_if_asked(dispatcher: CollectingDispatcher, order: Order, text: str,
                               offer: List[Dict[Text, Any]]) -> None:
    """ "what did i order again and where is it going": after its status, the address the order goes
    to (QA16: only the items and status were said); not under a question the answer asks (`offer`:
    "shall I bring in a person?" stays the last message)."""
    from actions.change_address import asks_for_the_address, say_where_it_goes  # here: it imports this module
    if asks_for_the_address(text) and not offer:
        say_where_it_goes(dispatcher, order)


async def _confirmed_in_the_chat(dispatcher: CollectingDispatcher, tracker: Tracker,
                                 number: Optional[str]) -> List[Dict[Text, Any]]:
    """ "did you send me a confirmation email?", "i didn't get the confirmation email" (QA16: it got
    the status alone): the shop sends no email (the backend has no mailer; the notifier writes to
    the chat), so an order placed here is confirmed here, with its number; then the order named,
    else the newest, and where it stands (a delivered one is not "not received" for it). Without
    an order on this chat, its number is asked for."""
    try:
        async with BackendClient(tracker.sender_id) as backend:
            if number:
                dispatcher.utter_message(response="utter_order_confirmed_in_chat")
                return await ActionTrackOrder._order_by_number(dispatcher, backend, number, None, "", given=False)
            order = await backend.get_last_order()
    except BackendError as error:
        logger.warning("order lookup failed: %s", error)
        dispatcher.utter_message(response="utter_backend_unavailable")
        return []
    if order is None:
        dispatcher.utter_message(response="utter_no_order_confirmed_in_chat")
        return [SlotSet(REQUESTED, "order_id"), SlotSet(TASK, "track")]
    dispatcher.utter_message(response="utter_order_confirmed_in_chat")
    return [SlotSet(REQUESTED, None), SlotSet("order_id", order.number)] + utter_order_status(dispatcher, order)


def _change_after_a_question(tracker: Tracker) -> Optional[str]:
    from actions.placed_order_edits import change_after_a_question  # here: it imports this module
    return change_after_a_question(tracker)


def then_the_change(tracker: Tracker, events: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    """A status answer's events, then the change asked in the same message ("is my order shipped
    yet? also add 1 more grinder", "… also pls send it to <address>"), as if said alone: its form
    proposes it for the order just answered about (QA N3, N7); not when the answer asked a question
    of its own (an order number, an email, "shall I bring in a person?")."""
    form = _change_after_a_question(tracker)
    answered = any(e.get("name") == "order_id" and e.get("value") for e in events)
    asked = any(e.get("name") in (REQUESTED, "pending_confirmation") and e.get("value") for e in events)
    if form is None or not answered or asked or any(e.get("event") == "followup" for e in events):
        return events
    return events + [FollowupAction(form)]


# The forms a check of another chat's order pauses while its email or phone is asked for: asked
# again under that question, the order form's "Where should we send it?" took the email for the
# address. (The other forms act on an order of this chat, and read an email as which one.)
PAUSES_FOR_A_CHECK = ("order_form",)


def while_a_form_waits(tracker: Tracker, events: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    """An order answer's events, with the form around it: asking for the email or phone on another
    chat's order pauses the form under way, as an offer of a person does (support.offer_a_person);
    the answer to that lets the form go on, its question asked again. An offer of a person in the
    answer (a late order) keeps it paused: the offer's "no" goes back to it."""
    from actions.support import end_active_form  # imported here: actions.support imports this module
    from actions.tickets import PAUSED_FORM  # imported here: actions.tickets imports this module
    form = (tracker.active_loop or {}).get("name")
    asks = any(event.get("name") == REQUESTED and event.get("value") == "contact" for event in events)
    if asks and form in PAUSES_FOR_A_CHECK and tracker.get_slot("requested_slot"):
        return events + [SlotSet(PAUSED_FORM, form)] + end_active_form(tracker)
    paused = tracker.get_slot(PAUSED_FORM)
    goes_on = not any(event.get("event") == "followup" or (event.get("name") == "pending_confirmation"
                                                          and event.get("value")) for event in events)
    if paused in PAUSES_FOR_A_CHECK and not form and not asks and goes_on:
        return events + [SlotSet(PAUSED_FORM, None), FollowupAction(paused)]
    return events


def leaves_the_check(tracker: Tracker, text: str) -> bool:
    """Asked for the email or phone on another chat's order while ordering, a message that gives
    none and names no order ("ok back to my order", "i don't have it"): the check is left (asked
    again, it had looped), and the order form goes on."""
    from actions.tickets import PAUSED_FORM  # imported here: actions.tickets imports this module
    waits = tracker.get_slot(PAUSED_FORM) in PAUSES_FOR_A_CHECK and tracker.get_slot(REQUESTED) == "contact"
    return bool(waits and not tracker.active_loop_name and said_order_number(tracker) is None
                and (BACK_TO_THE_ORDER.search(text) or not asks_about_own_order(text)))


def ask_for_the_contact(dispatcher: CollectingDispatcher, number: str, task: str,
                        tried: Optional[str] = None) -> List[Dict[Text, Any]]:
    """Another chat's order (or none: the answer is the same): the email or phone on it is asked
    for, and asked again after `tried` did not match (a typo in the email is easily made)."""
    if tried:
        dispatcher.utter_message(response="utter_order_not_verified", number=number)
        return [SlotSet(REQUESTED, "contact"), SlotSet("order_id", number), SlotSet(TASK, task),
                SlotSet("contact", None)]
    dispatcher.utter_message(response="utter_ask_order_contact", number=number)
    return [SlotSet(REQUESTED, "contact"), SlotSet("order_id", number), SlotSet(TASK, task)]


def verified_with(contact: Optional[str]) -> List[Dict[Text, Any]]:
    """The contact an order was opened with, kept as read (the slot's own mapping keeps the NLU's
    entity, "+91 98765 1111" of "+91 98765 11111", and nothing for a number it did not see), so
    that follow-ups on that order ("what was in it", "where is my refund") open it too."""
    return [SlotSet("contact", contact)] if contact else []


async def order_checked_elsewhere(backend: BackendClient, tracker: Tracker) -> Optional[Order]:
    """The order just talked about when it is another chat's, opened with the email or phone on
    it (slots order_id and contact); None when there is none, or it is this chat's own."""
    number, contact = order_number(tracker.get_slot("order_id")), tracker.get_slot("contact")
    if not number or not contact:
        return None
    try:
        await backend.get_order(number)
        return None  # this chat's own
    except NotFound:
        pass
    try:
        return await backend.get_order(number, contact)
    except NotFound:
        return None


class ActionDeliveryTime(Action):
    """"How long does delivery take": the shop's delivery times; about the customer's own order
    ("when will my parcel arrive"), outside a form, that order's status and expected date."""

    def name(self) -> Text:
        return "action_delivery_time"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        text = tracker.latest_message.get("text") or ""
        if gives_feedback(tracker):  # "delivery was slow, 2/5": a review of it
            return [FollowupAction("feedback_form")]
        from actions.ticket_follow_ups import answer_while_the_team_is_awaited  # here: via actions.tickets it imports this module
        awaited = await answer_while_the_team_is_awaited(dispatcher, tracker)
        if awaited is not None:  # "when?", "how long till someone answers" right after a handoff
            return awaited
        if explain_tracking(dispatcher, tracker):  # "do you give a tracking number once something ships?"
            return []
        about_an_order = await answer_about_an_order(dispatcher, tracker, domain)
        if about_an_order is not None:  # "what's in my order now" right after placing it
            return about_an_order
        if not tracker.active_loop_name and (asks_about_own_order(text) or order_followed_up(tracker, text)):
            return await ActionTrackOrder().run(dispatcher, tracker, domain)
        utter_delivery_time(dispatcher, text, product_spans(tracker))
        answer_the_other_questions(dispatcher, text, "utter_delivery_time")  # "… and do you take paypal?"
        from actions.order_form_start import orders_with_a_request  # here: it imports this module
        if orders_with_a_request(tracker):  # "can i get 2 espresso cup sets? and how long does delivery take?"
            return [FollowupAction("order_form")]
        return asks_to_place_after_an_aside(dispatcher, tracker, [])


def explain_tracking(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """How tracking works, for a question about it in general; False, and nothing said, otherwise."""
    if not asks_how_tracking_works(tracker.latest_message.get("text") or ""):
        return False
    dispatcher.utter_message(response="utter_tracking_explained")
    return True


def utter_delivery_time(dispatcher: CollectingDispatcher, text: str, products: List[Tuple[int, int]] = ()) -> None:
    """The shop's delivery times; for a place we don't deliver to ("how long to mumbai", "delivery
    time to 560001 pincode"), that (`products`: where the message names products, whose origin is
    no place: "colombia beans")."""
    if not say_not_delivered_there(dispatcher, text, products):
        dispatcher.utter_message(response="utter_delivery_time")


def say_not_delivered_there(dispatcher: CollectingDispatcher, text: str, products: List[Tuple[int, int]] = (),
                            postcode: Optional[str] = None) -> bool:
    """Says that we don't deliver to the place the message names ("mumbai", "the US") or to the
    Indian PIN code it gives ("ship to 560001?", QA16: the shipping list had answered; `postcode`:
    one read from the talk); False, and nothing said, for a place we deliver to or none."""
    place = foreign_places(text, products)
    pin_code = None if place else indian_pin_code(text, postcode)
    if place:
        dispatcher.utter_message(response="utter_not_delivered_there", place=place)
    elif pin_code:
        dispatcher.utter_message(response="utter_not_delivered_to_pin_code", postcode=pin_code)
    return bool(place or pin_code)


# An email or phone number and nothing else ("ada@example.com", "its +91 98765 11111").
_ONLY_A_CONTACT = re.compile(r"(?i)^(?:\W|\b(?:it|its|it'?s|is|was|my|our|the|email|e-?mail|mail|address|phone|mobile|"
                             r"number|no|here|try|use|used|with|on|for|of|order|this|that|one|ok|okay|sorry|oh|and)\b)*$")


def only_gives_a_contact(text: str) -> bool:
    """The message is an email or a phone number (9 digits at least: "12345678" is an order's)."""
    contact, rest = contact_detail(text) or "", re.sub(r"\S+@\S+|[\d+()]", " ", text)
    return ("@" in contact or len(contact.lstrip("+")) >= 9) and _ONLY_A_CONTACT.match(rest) is not None


def order_in_view(tracker: Tracker) -> Optional[str]:
    """The order the bot's last answer named ("Order OB-… is on its way", "I can't find order OB-…
    on this chat"), whose number the response's metadata keeps; None after an answer about
    anything else (a product: "whats in it" is then about that)."""
    at_the_latest = False
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            if at_the_latest:
                return None
            at_the_latest = True
        elif event.get("event") == "bot" and at_the_latest and (event.get("metadata") or {}).get("number"):
            return order_number(str(event["metadata"]["number"]))
    return None


def _last_answer(tracker: Tracker) -> List[Dict[Text, Any]]:
    """The bot's messages since the customer's message before the latest, in order."""
    said: List[Dict[Text, Any]] = []
    at_the_latest = False
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            if at_the_latest:
                break
            at_the_latest = True
        elif event.get("event") == "bot" and at_the_latest:
            said.insert(0, event)
    return said


def orders_in_view(tracker: Tracker) -> List[str]:
    """Every order the bot's last answer named, as it named them: the one it was about (its
    metadata's "number") and those it listed ("• OB-…: 2 × Ceramic Mug Blue – shipped")."""
    numbers: List[str] = []
    for event in _last_answer(tracker):
        metadata = event.get("metadata") or {}
        named = ([str(metadata["number"])] if metadata.get("number") else []) + re.findall(
            r"\bOB-[0-9A-Z]{8}\b", str(metadata.get("orders") or ""))
        numbers += [number for number in map(order_number, named) if number and number not in numbers]
    return numbers


def said_lately(tracker: Tracker, *responses: str) -> bool:
    """The bot's last answer was one of `responses`."""
    return any((event.get("metadata") or {}).get("utter_action") in responses for event in _last_answer(tracker))


# "is the blue one in stock?", "how much is the teapot one": a product question, whatever was said before.
_ASKS_ABOUT_A_PRODUCT = re.compile(r"(?i)\b(?:stock|price|prices|cost|costs|how much|available|availability|sell|"
                                   r"do you have|have you got|colou?rs?|sizes?|bigger|smaller|cheaper)\b")


def picks_an_order_in_view(tracker: Tracker) -> bool:
    """ "the mugs one", "the teapot order", "the second one" right after the bot named or listed the
    customer's orders: one of them, not a product to buy ("i want the blue one too" is)."""
    text = tracker.latest_message.get("text") or ""
    if not orders_in_view(tracker) or BUYS_OR_CHANGES.search(text) or HYPOTHETICAL.search(text) \
            or _ASKS_ABOUT_A_PRODUCT.search(text):
        return False
    names_items = bool(named_skus(tracker) or latest_entity(tracker, "category"))
    return bool((names_items and BY_ITS_ITEMS.search(text))
                or (len(orders_in_view(tracker)) > 1 and PICKS_FROM_A_LIST.match(text)))


def asks_after_an_order_holding(tracker: Tracker) -> bool:
    """ "tracking for the teapot?", "the dripper one is late", "where is the glass teapot": a
    product named in a question about a parcel (whether an order holds it is the backend's)."""
    text = tracker.latest_message.get("text") or ""
    named = bool(meant_skus(tracker) or meant_kinds(tracker))
    return named and not HYPOTHETICAL.search(text) and bool(
        ABOUT_A_SHIPMENT.search(text) or SAYS_LATE.search(text) or WHERE_IS.search(text) or NOT_RECEIVED.search(text)
        or ASKS_IF_SENT.search(text))  # "is the coffee shipped?" (QA16: the coffee list)


async def _an_order_holds(tracker: Tracker) -> bool:
    """One of the customer's orders holds a product (or kind) the latest message names."""
    categories = meant_kinds(tracker)
    async with BackendClient(tracker.sender_id) as backend:
        skus = meant_skus(tracker) + await skus_of_kinds(backend, categories)
        return any(_holds(order, skus, categories) for order in await backend.list_orders(limit=10))


async def skus_of_kinds(backend: BackendClient, categories: List[str]) -> List[str]:
    """The SKUs of the catalogue's products of these categories: "is the coffee shipped?" is about
    the Ethiopia beans, though no coffee's name says "coffee"."""
    skus: List[str] = []
    for category in dict.fromkeys(categories):
        skus += [product.sku for product in (await backend.products_in(category, 100))[0]]
    return skus


async def asks_after_an_ordered_product(tracker: Tracker) -> bool:
    """ "hello? my moka pot still not here", "is the coffee shipped?": a question about the parcel
    of something the customer ordered in this chat, whatever the NLU read (an order, a product
    question); not one that buys more of it. For the order form's start: tracking answers it."""
    text = tracker.latest_message.get("text") or ""
    if not asks_after_an_order_holding(tracker) or _BUYS_MORE.search(text):
        return False
    try:
        return await _an_order_holds(tracker)
    except BackendError as error:
        logger.warning("order lookup failed: %s", error)
        return False


# "i'll take another one", "add a moka pot": more of it bought, whatever else is said.
_BUYS_MORE = re.compile(r"(?i)\b(?:i'?ll take|i (?:want|need|would like|'d like) (?:a|an|one|another|\d)|buy|purchase|"
                        r"another|one more|add)\b")


class AboutAVerifiedOrder(NamedTuple):
    """A message about an order of another chat opened here with its email or phone: the order,
    whether its delivery address is asked, whether a change of it is."""
    order: Order
    asks_address: bool
    changes_it: bool


async def about_a_verified_order(tracker: Tracker) -> Optional[AboutAVerifiedOrder]:
    """ "whats the delivery address on it? and pls add a french press to it" right after another
    chat's order was opened with its email or phone (or naming it, or "to it"): what it asks of that
    order; None for other messages, a new order ("as a separate order"), or an order of this chat."""
    from actions.separate_order import NEW_ORDER  # here: its imports reach this module
    text = tracker.latest_message.get("text") or ""
    asks_address = ASKS_ITS_ADDRESS.search(text) is not None
    changes_it = CHANGES_THE_ORDER.search(text) is not None
    number = order_number(tracker.get_slot("order_id"))
    if not (asks_address or changes_it) or not number or not tracker.get_slot("contact") or NEW_ORDER.search(text):
        return None
    named = said_order_number(tracker)
    if (named or number) != number or not (named or TO_THAT_ORDER.search(text) or order_in_view(tracker) == number):
        return None
    try:
        async with BackendClient(tracker.sender_id) as backend:
            order = await order_checked_elsewhere(backend, tracker)
    except BackendError as error:
        logger.warning("order lookup failed: %s", error)
        return None
    return None if order is None else AboutAVerifiedOrder(order, asks_address, changes_it)


async def answer_about_a_verified_order(dispatcher: CollectingDispatcher,
                                        tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """The answer to a message about an order of another chat opened with its email or phone
    (`about_a_verified_order`; QA16: "… and pls add a french press to it" started a new checkout):
    its delivery address is not shown (to whoever has its email or phone, only its items, total and
    status are), and it can't be changed from this chat; nothing is started. None for other messages."""
    about = await about_a_verified_order(tracker)
    if about is None:
        return None
    if about.asks_address:
        dispatcher.utter_message(response="utter_verified_order_address_private", number=about.order.number)
    if about.changes_it:
        dispatcher.utter_message(response="utter_verified_order_not_changed_here", number=about.order.number)
    return [SlotSet(REQUESTED, None), SlotSet("order_id", about.order.number)]


async def answer_about_an_order(dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: Dict[Text, Any]) -> Optional[List[Dict[Text, Any]]]:
    """A message read as a product question, a bare value or out of scope that is about an order:
    the email or phone asked for ("my phone is 98765 11111"), an order number alone ("HZME5UYP",
    "#X5DKAPRB", "and x5dkaprb?"), "whats in it" right after an order's answer, an email or
    phone alone (a check of the order just talked about), whether a confirmation email was sent. The answer, or None when the message is
    about something else (the caller answers it: the category list had answered all these)."""
    if tracker.active_loop_name:
        return None
    verified = await answer_about_a_verified_order(dispatcher, tracker)
    if verified is not None:  # "whats the delivery address on it?" about another chat's order: not shown
        return verified
    text = tracker.latest_message.get("text") or ""
    if asks_about_a_confirmation_email(text):  # read as the invoice FAQ or out of scope: whether one was sent
        return await ActionTrackOrder().run(dispatcher, tracker, domain)
    task, requested = tracker.get_slot(TASK), tracker.get_slot(REQUESTED)
    if (requested == "contact" and given_contact(tracker)) or order_number_alone(text):
        if task == "refund" and requested in ("order_id", "contact"):
            from actions.refunds import ActionRefundStatus  # imported here: actions.refunds imports this module
            return await ActionRefundStatus().run(dispatcher, tracker, domain)
        if task == "cancel" and requested == "order_id":
            from actions.cancel import ActionCancelOrder  # imported here: actions.cancel imports this module
            return await ActionCancelOrder().run(dispatcher, tracker, domain)
        from actions.change_address import ADDRESS_TASK, tell_the_address  # here: it imports this module
        if task == ADDRESS_TASK:  # the email on another chat's order, asked for its address (as inform does)
            return await tell_the_address(dispatcher, tracker)
        return await ActionTrackOrder().run(dispatcher, tracker, domain)
    if picks_an_order_in_view(tracker) or asks_after_an_order_holding(tracker):
        try:
            if picks_an_order_in_view(tracker) or await _an_order_holds(tracker):
                # "the mugs one" after the orders were listed, "tracking for the teapot?": that order
                return await ActionTrackOrder().run(dispatcher, tracker, domain)
        except BackendError as error:
            logger.warning("order lookup failed: %s", error)
    shown = order_in_view(tracker)
    about_it = shown and ASKS_CONTENTS.search(text) and not (named_skus(tracker) or latest_entity(tracker, "category"))
    # not the answer to another question ("what's the new email for the order?", "Shall I …?")
    alone = requested in (None, "order_id") and not tracker.get_slot("pending_confirmation") and only_gives_a_contact(text)
    contact = given_contact(tracker) if alone else None
    if not (about_it or contact):
        return None
    # the order the conversation is on, not one of the slot's when a number was asked for instead
    number = shown or (order_number(tracker.get_slot("order_id")) if requested is None else None)
    if number is None:  # "ada@example.com" out of the blue: the team finds orders by it
        dispatcher.utter_message(response="utter_order_lookup_by_contact", contact=contact)
        return [SlotSet("pending_confirmation", "human_handoff")]
    if about_it and number == order_number(tracker.get_slot("order_id")):
        contact = tracker.get_slot("contact")  # the details it was opened with, if another chat's
    try:
        async with BackendClient(tracker.sender_id) as backend:
            return without_stale_offer(tracker, await ActionTrackOrder._order_by_number(
                dispatcher, backend, number, contact, text, given=not about_it))
    except BackendError as error:
        logger.warning("order lookup failed: %s", error)
        dispatcher.utter_message(response="utter_backend_unavailable")
        return []
