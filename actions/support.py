"""Support: complaints, payment problems and requests for a person open a ticket for the team.

A request for a person hands the chat to the team at once (the gateway takes the handoff payload);
one for the shop's phone number or email gets them, and a person here is offered.
A complaint or a payment problem opens a ticket the team works on and offers a person: the chat
stays with the bot unless the customer says yes, and then that same ticket is handed over; what
the customer says about the problem meanwhile ("it was €58.70 on paypal") is added to it
(actions/ticket_follow_ups.py). A question whether a way to pay is taken ("is card payment ok")
is the payment FAQ, and a charge claimed for an order nothing is due on yet (paid on delivery) is
a payment problem. Requests about the customer's data are actions/data_requests.py;
opening a ticket itself, actions/tickets.py. A person asked for about express shipping, gift
wrapping or a discount code while an order waits at its summary: actions/order_hold.py.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendError, Order, order_or_none
from actions.data_requests import DATA_CONFIRMATIONS, confirmed_data_request, file_the_data_request, take_a_data_request
from actions.form_answers import last_utterance, previous_turn
from actions.more_questions import answer_the_other_questions
from actions.order_hold import SPLIT_DELIVERY_OFFER, answer_a_split_delivery, ask_the_team_for_an_extra, asks_to_split
from actions.order_slots import asks_to_place_after_an_aside, at_the_summary
from actions.orders import named_skus, order_in_view, states_a_rating
from actions.parsing import agrees, contact_detail, decided_answer, format_price, looks_like_address, order_number
from actions.return_reasons import shops_fault
from actions.ticket_follow_ups import (TICKET_OFFERS, add_to_the_ticket, answer_while_the_team_is_awaited,
                                       asks_to_be_called, note_the_ticket_closed)
from actions.tickets import OFFERED_TICKET, PAUSED_FORM, PENDING, REASONS, handoff_payload, open_ticket

logger = logging.getLogger(__name__)
# Why the ticket is opened when the customer says yes to a person the bot offered, by the offer:
# "yes" to "shall I ask someone to check it?" after a product question is no bare request for a person.
OFFERED_FOR = {
    "utter_order_late": "late order",
    "utter_order_delivered_not_received": "delivered order not received",
    "utter_product_detail_unknown": "product question",
    "utter_only_english": "customer writes in another language",
    "utter_order_number_unknown": "order number unknown",
    "utter_order_lookup_by_contact": "order number unknown",
    "utter_offer_human": "not understood by the bot",
    "utter_offer_human_out_of_scope": "not understood by the bot",
    SPLIT_DELIVERY_OFFER: "split delivery",
    "utter_offer_redirect_person": "redirect a shipped order",
}
REDIRECT_OFFER = "utter_offer_redirect_person"
LATE_ORDER = OFFERED_FOR["utter_order_late"]
# The offer of a person asked again after an emoji that is no answer ("😀😀😀"); the offer it
# repeats keeps deciding what a "yes" opens the ticket about.
EMOJI_NUDGE = "utter_offer_a_person_emoji"
# Every offer of a person (pending_confirmation "human_handoff"), asked again as it was said.
PERSON_OFFERS = tuple(OFFERED_FOR) + TICKET_OFFERS + ("utter_contact_details", "utter_offer_a_person",
                                                      "utter_sorry_offer_a_person", EMOJI_NUDGE) + tuple(DATA_CONFIRMATIONS)
# Sent during a handoff by the backend and the gateway, not by an action; named here so
# scripts/validate_bot.py counts them as used.
HANDOFF_RESPONSES = ("utter_handoff_started", "utter_handoff_out_of_hours",
                     "utter_handoff_staff_reply", "utter_handoff_ended", "utter_handoff_back_to_bot")


# Asking how to reach the shop rather than for a person here: "customer care number?", "what is
# your email". "call me" or "talk to" someone is a person.
_CONTACT_DETAILS = re.compile(
    r"(?i)\b(?:phone|number|no\.?|num|contact (?:details|info|number)|e-?mail|mail id|whatsapp|"
    r"helpline|hotline|toll ?free|landline|address to write)\b")
_A_PERSON_HERE = re.compile(r"(?i)\b(?:talk|speak|chat|connect|transfer|call me|call back|person|human|agent|"
                            r"someone|somebody|representative|executive|manager|real)\b")


# A complaint that asks for someone already ("this is ridiculous, let me talk to a manager"):
# no need to offer a person first.
_ASKS_FOR_A_PERSON = re.compile(
    r"(?i)\b(?:talk|speak|chat|connect|transfer|put me through|escalate)\b.{0,25}"
    r"\b(?:person|human|agent|some ?one|somebody|representative|executive|manager|supervisor|senior|staff|team)\b|"
    r"\b(?:get|fetch|bring)\b (?:me )?(?:a |an |the )?(?:real )?(?:person|human|agent|some ?one|somebody|"
    r"manager|supervisor)\b|"  # "get me a person to upgrade it"
    r"\b(?:call me|call back|real person|human being)\b")


# "I don't want to talk to a robot", "no bots please", "not a bot, a real person": a person wanted,
# though the words refuse something (they were read as refusing a person, or as a plain "no").
_NO_BOT = re.compile(
    r"(?i)\b(?:no|not|don'?t want|dont want|do not want|hate|stop|enough|without|tired of|sick of|"
    r"instead of|rather than)\b[\w\s,'-]{0,25}?\b(?:bots?|robots?|chat ?bots?|ai|automated)\b")


def refuses_a_bot(text: Optional[str]) -> bool:
    return bool(_NO_BOT.search(text or ""))


# How a request for a person names one: without any of these, the bot asks before handing over.
_NAMES_SOMEONE = re.compile(
    r"(?i)\b(?:person|people|human|agent|some ?one|somebody|some1|representative|rep|executive|manager|"
    r"supervisor|senior|staff|team|operator|advisor|adviser|assistant|customer (?:care|service|support)|"
    r"support|help ?desk|call|talk|speak|chat with|contact|insaan|banda|live)\b")


# Asking for someone, not only naming them: "get me a real person", "can i talk to someone",
# "agent please"; "my friend works in your customer service" and "i spoke to someone yesterday"
# name someone and ask for no one (they were handed over, and the gateway then kept the chat).
_REQUESTS_SOMEONE = re.compile(
    r"(?i)\b(?:talk|speak|chat|connect|transfer|put me (?:through|in touch)|get me|give me|call me|call back|"
    r"contact me|reach me|want|need|wanna|would like|'d like|can i|could i|can you|could you|can someone|"
    r"may i|let me|please|pls|plz|now|asap|immediately|escalate|hand (?:me )?over)\b|\?")


def only_mentions_someone(text: str) -> bool:
    """A sentence of four words or more that names a person or the team but asks for no one."""
    return len(re.findall(r"[a-z']+", text.lower())) >= 4 and not _REQUESTS_SOMEONE.search(text)


# Less came than was ordered: "only 1 travel mug inside, i ordered 2", "received only 2 of the 4 cups".
SHORT_DELIVERY = (r"\bonly (?:\d+|one|two|three|half)\b.{0,40}\b(?:inside|in (?:it|the (?:box|parcel|package))|came|"
                  r"arrived|was there|were there)\b|\b(?:got|received|came with) only (?:\d+|one|two|three|half)\b|"
                  r"\b(?!(?:parcel|package|order|delivery|shipment|it|everything)\b)\w+ (?:is|are|was|were) missing\b")
_SHORT = re.compile("(?i)" + SHORT_DELIVERY)
# A complaint worded as a remark on a product ("not happy with the quality of the mug", "broken
# item what to do"), which the NLU may read as a product question.
_COMPLAINS = re.compile(
    r"(?i)\b(?:not (?:happy|satisfied|pleased)|unhappy|disappoint\w*|dissatisfied|terrible|horrible|awful|"
    r"pathetic|worst|rubbish|useless|poor (?:quality|product)|bad (?:quality|product)|cheap quality|"
    r"broken|broke|damaged|cracked|chipped|defective|faulty|leak(?:s|ing|y)|stopped working|"
    r"doesn'?t work|does not work|not working|"
    # a wrong item: "you sent me green mugs instead of white ones", "got the wrong colour"
    r"wrong (?:items?|products?|colou?rs?|sizes?|things?|ones?|parcel|package)|sent (?:me )?(?:the )?wrong|"
    r"(?:sent|got|received|delivered|came)\b.{1,60}\binstead of|not what i (?:ordered|wanted|asked for)|"
    r"missing (?:items?|from (?:my|the) (?:order|parcel|package|box)))\b|" + r"(?:" + r")|(?:".join(
        (r"\b(?:stale|mou?ldy|rancid|spoilt|spoiled|torn|ripped|dented|shattered|smashed|trash|garbage)\b",
         # "smells weird", "tasted like dust": not "what does it smell like"
         r"\b(?:smell|tast)(?:s|ed|ing|es|y)\b[\s,]*(?:really |very |so |a bit |kind of |kinda )?"
         r"(?:weird|off|bad|funny|strange|awful|horrible|disgusting|musty|old|burnt|of nothing|like (?:dust|"
         r"cardboard|nothing|water|chemicals?|plastic|soap|metal|paper|mou?ld|dirt|ash|hay|sawdust|old))\b",
         SHORT_DELIVERY)) + r")")


# "yes, a person please", "card declined again, i want a person": someone, said plainly.
WANTS_A_PERSON = re.compile(r"(?i)\b(?:person|human|agent|some ?one|somebody|some1|staff|team|representative|"
                            r"executive|manager|supervisor|real person|call me)\b")
# A payment that didn't go through, rather than one taken wrongly.
_DECLINED = re.compile(r"(?i)\b(?:declined?|rejected|refused|fail(?:ed|s|ing)?|not (?:going|go) through|"
                       r"won'?t go through|doesn'?t go through|error|not accepted|isn'?t accepted|bounced)\b")


# "i don't want to talk to anyone", "no need for a person": words of a person, refused.
REFUSES_A_PERSON = re.compile(
    r"(?i)\b(?:don'?t|dont|do not|no need to|not)\s+(?:(?:want|need|wanna)\s+(?:to\s+)?)?(?:talk|speak|chat)\b|"
    r"\bno (?:need (?:for|of) )?(?:a )?(?:person|human|agent|staff)\b")


def complains(text: Optional[str]) -> bool:
    return bool(_COMPLAINS.search(text or ""))


# What came is spoilt: "smells off", "tasted like dust" (return_reasons.DAMAGED has the breakages).
_SPOILT = re.compile(r"(?i)\b(?:trash|garbage|rancid|(?:smell|tast)(?:s|ed|es)\b[\s,]*(?:\w+ )?"
                     r"(?:weird|off|bad|funny|strange|awful|horrible|disgusting|musty|old|burnt|like))\b")


def reports_what_came_wrong(text: Optional[str]) -> bool:
    """ "one of the cups is chipped", "only 1 travel mug inside, i ordered 2", "the sencha smells
    off": something wrong with what arrived, rather than with the parcel's journey."""
    text = text or ""
    return bool(_SHORT.search(text) or _SPOILT.search(text) or shops_fault(text) == "damaged")


# "i want a person", "i need a human", "a human please", "real person now": someone asked for in
# plain words, whatever else the message says ("no, the address is fine?? its my home. i want a person"
# read as an address change had asked "What's the new address?" twice; QA16 verify 12).
_WANTS_SOMEONE = re.compile(
    r"(?i)\b(?:want|need|wanna|would like|'d like|get me|give me)\s+(?:to\s+(?:talk|speak|chat)\s+(?:to|with)\s+)?"
    r"(?:a |an |the |some )?(?:real |actual |live )?(?:person|human|agent|representative|manager|supervisor|"
    r"human being|customer (?:care|service|support))\b(?!\s+(?:who|that|which)\b)|"
    r"\b(?:a |an )?(?:real |actual |live )?(?:person|human|agent|representative)\s*(?:,\s*)?(?:please|pls|plz|now|asap)\b")
# "i don't want a person", "no need for a human": the words of a person, refused.
_NOT_WANTED = re.compile(r"(?i)\b(?:don'?t|dont|do not|doesn'?t|didn'?t|never|no need|not)\W+(?:\w+\W+){0,2}$")


def asks_for_a_person(tracker: Tracker) -> bool:
    """ "can i speak to a person about my rating", "i want a person", "a human please", or "no, a
    PERSON please" read as such: a person asked for from any flow, handed over at once (hand_over)."""
    text = tracker.latest_message.get("text") or ""
    if REFUSES_A_PERSON.search(text) and not refuses_a_bot(text):
        return False  # "i dont want to talk to a human, just fix it"
    wanted = any(not _NOT_WANTED.search(text[:match.start()]) for match in _WANTS_SOMEONE.finditer(text))
    return bool(_ASKS_FOR_A_PERSON.search(text)) or wanted or (
        (tracker.latest_message.get("intent") or {}).get("name") == "contact_human_agent"
        and WANTS_A_PERSON.search(text) is not None)


async def hand_over(dispatcher: CollectingDispatcher, tracker: Tracker,
                    domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
    """A person asked for from inside a form: the form ends, and the chat is handed over (a new order
    made for a shop-cancelled one and not placed is let go: ActionOpenTicket)."""
    tracker.latest_message["intent"] = {"name": "contact_human_agent", "confidence": 1.0}
    return await ActionOpenTicket().run(dispatcher, tracker, domain) + end_active_form(tracker)


# The answer to an order the shop cancelled, which shows the same items as a new order (not placed).
SHOP_CANCELLED = "utter_cancelled_by_the_shop"
_PLACED_OR_NOT = ("utter_order_placed", "utter_order_not_placed", "utter_order_lapsed")


def reorder_waiting(tracker: Tracker) -> Optional[str]:
    """The number of the new order shown for one the shop cancelled ("Shall I place it?"), while it
    is still unplaced: made since that answer, with no "placed" or "not placed" since; else None."""
    number = tracker.get_slot("pending_order")
    if not number:
        return None
    for event in reversed(tracker.events or []):
        said = (event.get("metadata") or {}).get("utter_action") if event.get("event") == "bot" else None
        if said in _PLACED_OR_NOT:
            return None
        if said == SHOP_CANCELLED:
            return number
    return None


async def release_the_reorder(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """The new order shown for a shop-cancelled one, declined or left for a person: cancelled in the
    backend (its stock released, as a "no" to its summary does) and said so; [] when there is none."""
    number = reorder_waiting(tracker)
    if number is None:
        return []
    try:
        async with BackendClient(tracker.sender_id) as backend:
            await backend.cancel_order(number, reason="not confirmed in chat")
    except BackendError as error:  # lapsed or placed meanwhile, or the backend away: nothing to release
        logger.warning("releasing the unplaced new order %s failed: %s", number, error)
        return []
    dispatcher.utter_message(response="utter_reorder_released", number=number)
    from actions.order_slots import ORDER_SLOTS  # the order being made ends with it
    return [SlotSet(slot, None) for slot in ORDER_SLOTS] + ([SlotSet(PENDING, None)]
                                                            if tracker.get_slot(PENDING) == "place_order" else [])


# "no, the address is fine", "no its my home", "no thanks, same address is fine": a no to the new order
# shown for a shop-cancelled one (read as an address change, it asked "What's the new address?").
_ADDRESS_IS_FINE = re.compile(r"(?i)\b(?:address|it|that|this)\s+(?:is|was|'s)\s+(?:fine|ok|okay|correct|right|good)\b|"
                              r"\b(?:my|its my|it'?s my)\s+home\b|\bnothing wrong with (?:the|my) address\b")


def declines_the_reorder(tracker: Tracker) -> bool:
    """A "no" at the summary of the new order shown for a shop-cancelled one, saying its address was
    fine: no new order (ActionAnswerConfirmation's "no" releases it), and no address form."""
    text = tracker.latest_message.get("text") or ""
    return (tracker.get_slot(PENDING) == "place_order" and reorder_waiting(tracker) is not None
            and re.match(r"(?i)^\W*(?:no+|nope|nah)\b", text) is not None and _ADDRESS_IS_FINE.search(text) is not None)


def offer_a_person(dispatcher: CollectingDispatcher, tracker: Optional[Tracker], response: str,
                   **values: Any) -> List[Dict[Text, Any]]:
    """Offers a person (`response` asks; actions/cancel.py answers). A form the offer interrupts is
    paused: asked again under the offer, its question took the "yes" (a customer writing in German
    got the offer and "which order is it?" in a loop); a "no" goes back to it."""
    dispatcher.utter_message(response=response, **values)
    paused = (tracker.active_loop or {}).get("name") if tracker else None
    if not paused:
        return [SlotSet(PENDING, "human_handoff")]
    return [SlotSet(PENDING, "human_handoff"), SlotSet(PAUSED_FORM, paused)] + end_active_form(tracker)


def _last_person_offer(tracker: Tracker) -> Optional[str]:
    offers = (said for said in ((e.get("metadata") or {}).get("utter_action") for e in reversed(tracker.events or [])
                                if e.get("event") == "bot") if said in PERSON_OFFERS and said != EMOJI_NUDGE)
    return next(offers, None)


def _offered_reason(tracker: Tracker) -> Optional[str]:
    """The reason for a ticket opened by a "yes" to the person offered last, while that offer is open."""
    if tracker.get_slot(PENDING) != "human_handoff":
        return None
    return OFFERED_FOR.get(_last_person_offer(tracker))


# "same email", "the same phone number" at the order's summary: the order's contact kept as it is,
# not the shop's email asked for (qa2 F1: a person was offered, and the order was left unplaced).
_SAME_CONTACT = re.compile(r"(?i)\bsame (?:e-?mail|mail|phone|mobile|number|contact|details)\b")
# The confirmations a "kindly do the needful" (a request for a person to the NLU) answers with a yes.
_ANSWERED_WITH_A_YES = ("cancel_order", "place_order", "change_order", "change_address", "change_contact",
                        "return_order", "withdraw_return")


def answers_a_question_with_a_yes(tracker: Tracker) -> bool:
    """ "kindly do the needful" at "Do you want me to cancel order …?", read as a request for a
    person: a yes to the question open (cancel, place, change, return), naming no one."""
    text = tracker.latest_message.get("text") or ""
    return (tracker.get_slot(PENDING) in _ANSWERED_WITH_A_YES and decided_answer(text) == "yes"
            and not _NAMES_SOMEONE.search(text) and not refuses_a_bot(text))


def asks_for_contact_details(text: Optional[str]) -> bool:
    return bool(_CONTACT_DETAILS.search(text or "")) and not _A_PERSON_HERE.search(text or "")


PAYMENT_OPTIONS = "utter_faq/payment_options"
# A way to pay named: "card payment", "visa mastercard amex", "pay by paypal", "cash on delivery".
_PAYMENT_METHOD = re.compile(
    r"(?i)\b(?:cards?|credit|visa|master ?card|amex|american express|maestro|rupay|paypal|apple ?pay|google ?pay|"
    r"g ?pay|upi|paytm|klarna|sofort|ideal|bank transfer|wire transfer|cash|cod|net ?banking|wallets?|crypto|"
    r"bitcoin|cheques?)\b|\bpay(?:ing|ment)?\s+(?:by|with|via|in|using|through)\b|\bpayment (?:options?|methods?|modes?)\b")
# Asking whether it is taken: "… ok?", "do you accept amex", "can i pay cash".
_ASKS_IF_TAKEN = re.compile(r"(?i)\?|\b(?:ok|okay|fine|accept\w*|take|allowed|possible|available|supported|works?|"
                            r"can i|could i|do you|does it|is it|is there)\b")
# A payment gone wrong: then it is that problem, however it is asked ("is it ok that i was charged twice?").
PAYMENT_PROBLEM = re.compile(
    r"(?i)\b(?:fail\w*|declin\w*|charged|overcharg\w*|deduct\w*|debited|paid|twice|double|errors?|refund\w*|"
    r"not (?:working|accepted|going through|gone through|go through|ok|okay)|"
    r"(?:won'?t|didn'?t|doesn'?t|did not|does not|can'?t|cannot) (?:work|go through|pay)|rejected|refused|bounced|"
    r"stuck|taken|gone|missing|wrong|problems?|issues?|trouble)\b")


def asks_which_payments_are_taken(text: Optional[str]) -> bool:
    """ "is card payment ok", "card payment ok? visa mastercard amex": whether a way to pay is
    accepted (the NLU reads a payment problem), with no word of a payment gone wrong."""
    text = text or ""
    return bool(_PAYMENT_METHOD.search(text) and _ASKS_IF_TAKEN.search(text) and not PAYMENT_PROBLEM.search(text))


class ActionOpenTicket(Action):
    def name(self) -> Text:
        return "action_open_ticket"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        before = len(dispatcher.messages)
        events = await self._open(dispatcher, tracker, domain)
        handed = next((index for index, message in enumerate(dispatcher.messages[before:], before)
                       if "handoff" in (message.get("custom") or {})), None)
        if handed is None or reorder_waiting(tracker) is None:
            return events
        # the chat goes to a person: the new order shown for a shop-cancelled one is let go, said first
        released = CollectingDispatcher()
        events = await release_the_reorder(released, tracker) + events
        dispatcher.messages[handed:handed] = released.messages
        return events

    async def _open(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                    domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        text = tracker.latest_message.get("text") or ""
        if tracker.get_slot(PENDING) == "place_order" and tracker.get_slot("pending_order") and contact_detail(text):
            # "yes but use my phone instead 070 123 4567" at the summary: the order's contact, not
            # a request for the shop's number
            return [FollowupAction("action_handle_inform")]
        if at_the_summary(tracker) and _SAME_CONTACT.search(text):
            # "same email" at "Shall I place it?": the contact stays; the summary and its question again
            from actions.place_order import ask_to_place_again  # imported here: it imports this module
            asked = await ask_to_place_again(dispatcher, tracker, tracker.get_slot("pending_order"))
            if asked:
                return asked
        if intent == "contact_human_agent" and answers_a_question_with_a_yes(tracker):
            from actions.cancel import ActionAnswerConfirmation  # imported here: actions.cancel imports this module
            return await ActionAnswerConfirmation().run(dispatcher, tracker, domain)
        answered = await self._answered_otherwise(dispatcher, tracker, domain)
        if answered is not None:
            return answered
        if intent == "payment_issue" and asks_which_payments_are_taken(text):
            # "is card payment ok", "card payment ok? visa mastercard amex": how to pay, no ticket
            dispatcher.utter_message(response=PAYMENT_OPTIONS)
            answer_the_other_questions(dispatcher, text, PAYMENT_OPTIONS)
            return asks_to_place_after_an_aside(dispatcher, tracker, [])
        chased = await take_up_the_chase(dispatcher, tracker)
        if chased is not None:  # "yes get a person to chase my late order", read as a complaint or for a person
            return chased
        if intent == "complaint" and asks_to_split(text):
            # "can u split it into 2 deliveries" (the word "split" reads as damage): a question, no apology
            return await answer_a_split_delivery(dispatcher, tracker)
        no_bot = refuses_a_bot(text)  # "I don't want to talk to a robot": a person, said as a refusal
        if intent == "contact_human_agent" and REFUSES_A_PERSON.search(text) and not no_bot:
            # "no i dont want to talk to anyone i want it delivered" was handed over to a person
            tracker.latest_message["intent"] = {"name": "deny", "confidence": 1.0}
            from actions.cancel import ActionAnswerConfirmation  # imported here: actions.cancel imports this module
            return await ActionAnswerConfirmation().run(dispatcher, tracker, domain)
        asked_for_theirs = tracker.get_slot("requested_info") == "contact"  # "i don't know the email"
        if intent == "contact_human_agent" and asks_for_contact_details(text) and not (asked_for_theirs or no_bot):
            # "customer care number?": the number and email, and a person here if they like
            dispatcher.utter_message(response="utter_contact_details")
            return [SlotSet(PENDING, "human_handoff")]
        if intent not in ("complaint", "payment_issue"):
            asked = await ask_the_team_for_an_extra(dispatcher, tracker)
            if asked is not None:  # "can someone gift wrap it?" at the summary: a ticket; the order still waits
                return asked + end_active_form(tracker)
        if intent == "contact_human_agent" and not no_bot and (
                not _NAMES_SOMEONE.search(text) or only_mentions_someone(text)):
            # read as a request for a person without naming one ("i don't know the email"), or naming
            # one without asking for them ("my friend works in your customer service"): asked first
            dispatcher.utter_message(response="utter_offer_a_person")
            return [SlotSet(PENDING, "human_handoff")]
        offered = tracker.get_slot(OFFERED_TICKET)
        if intent == "complaint" and not offered and not tracker.active_loop_name and states_a_rating(text):
            # "1 star. worst service": a rating, stored with its comment (and a low one's ticket)
            return [FollowupAction("feedback_form")]
        if intent == "complaint" and not _ASKS_FOR_A_PERSON.search(text):
            chased = await chase_the_late_order(dispatcher, tracker)
            if chased is not None:  # "this is unacceptable" right after "order … is late": that order's ticket
                return chased
        still_offered = offered and tracker.get_slot(PENDING) == "human_handoff"
        if offered and (intent not in ("complaint", "payment_issue") or (still_offered and WANTS_A_PERSON.search(text))):
            # "yes" to the offer of a person after a complaint or a payment problem, a person asked
            # for after saying no to it, or "card declined again, i want a person" instead of a yes:
            # that ticket is handed over
            dispatcher.utter_message(response="utter_handoff_ticket", ticket_id=offered,
                                     json_message=handoff_payload(int(offered)))
            return [SlotSet(OFFERED_TICKET, None)] + end_active_form(tracker)
        if still_offered:  # more about the problem before answering the offer: added to it, no second ticket
            return await add_to_the_ticket(dispatcher, tracker, "utter_ticket_already_open")
        reason, response = REASONS.get(intent, REASONS["contact_human_agent"])
        offered_for = _offered_reason(tracker) if intent not in ("complaint", "payment_issue") else None
        if intent == "payment_issue" and _DECLINED.search(text):
            response = "utter_payment_declined_ticket"
        try:
            # a person asked for takes up whatever ticket is open in the chat (a complaint, a late order)
            ticket = await open_ticket(tracker, offered_for or reason, any_open=response == "utter_handoff_ticket")
        except BackendError as error:
            logger.warning("could not open a %s ticket: %s", reason, error)
            dispatcher.utter_message(response="utter_ticket_failed")
            return []
        ticket_id = ticket.id
        if ticket.already_open and response != "utter_handoff_ticket":
            response = "utter_ticket_already_open"  # the same problem again: that ticket, no second
        if response != "utter_handoff_ticket" and _ASKS_FOR_A_PERSON.search(tracker.latest_message.get("text") or ""):
            # a complaint or payment problem that asks for someone: handed over at once
            dispatcher.utter_message(response="utter_sorry_handing_over", ticket_id=ticket_id,
                                     json_message=handoff_payload(ticket_id))
            return [SlotSet(OFFERED_TICKET, None)] + end_active_form(tracker)
        if response != "utter_handoff_ticket":
            dispatcher.utter_message(response=response, ticket_id=ticket_id)
            paused = (tracker.active_loop or {}).get("name")
            return [SlotSet(PENDING, "human_handoff"), SlotSet(OFFERED_TICKET, ticket_id),
                    SlotSet(PAUSED_FORM, paused)] + end_active_form(tracker)
        if asks_to_be_called(tracker.latest_message.get("text") or ""):
            response = "utter_handoff_ticket_no_calls"  # "can someone call me on +49 …": they answer here
        dispatcher.utter_message(response=response, ticket_id=ticket_id,
                                 json_message=handoff_payload(ticket_id))
        return end_active_form(tracker)

    @staticmethod
    async def _answered_otherwise(dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: Dict[Text, Any]) -> Optional[List[Dict[Text, Any]]]:
        """Messages read as a request for a person (or a yes to one) that are something else: a
        yes to deleting data, a question after the handoff, a ticket to close, a data request, or
        nonsense read as a yes after the person offered was declined. None for the rest."""
        data_request = confirmed_data_request(tracker, _last_person_offer(tracker))
        if data_request is not None:  # "yes" to "shall I ask our team to delete it?"
            return await file_the_data_request(dispatcher, tracker, *data_request)
        for answer in (answer_while_the_team_is_awaited, note_the_ticket_closed):
            answered = await answer(dispatcher, tracker)
            if answered is not None:
                return answered
        if (tracker.latest_message.get("intent") or {}).get("name") == "contact_human_agent":
            answered = await take_a_data_request(dispatcher, tracker)
            if answered is not None:  # "please remove my phone number from your system": not our number
                return answered
        if declined_before(tracker):
            # "ghhh" read as a yes after "no thanks" to a person: no handoff without a yes in words
            if agrees(tracker.latest_message.get("text")):
                dispatcher.utter_message(response="utter_ok")
                return [SlotSet(PENDING, None)]
            from actions.fallback import ActionFallback  # imported here: actions.fallback imports this module
            return await ActionFallback().run(dispatcher, tracker, domain)
        return None


def declined_before(tracker: Tracker) -> bool:
    """A "yes" that comes right after the customer declined the person offered, and says neither a
    yes in words ("hmm ok actually yes") nor who it wants: no consent to hand the chat over."""
    from actions.person_offer_answers import DECLINED_A_PERSON  # imported here: it imports this module
    text = tracker.latest_message.get("text") or ""
    return ((tracker.latest_message.get("intent") or {}).get("name") == "affirm"
            and tracker.get_slot(PENDING) != "human_handoff" and last_utterance(tracker) in DECLINED_A_PERSON
            and decided_answer(text) != "yes" and not WANTS_A_PERSON.search(text) and not text.startswith("/"))


async def ticket_with_an_offer(dispatcher: CollectingDispatcher, tracker: Tracker, reason: str, response: str,
                               order: Optional[str] = None, if_open: Optional[str] = None,
                               **values: Any) -> List[Dict[Text, Any]]:
    """A ticket for the team about `reason` (and `order`, else the order meant), said with
    `response` (which offers a person), or `if_open` when that ticket was open already: a "yes"
    hands that ticket over, as after a complaint."""
    try:
        ticket = await open_ticket(tracker, reason, order=order)
    except BackendError as error:
        logger.warning("could not open a %s ticket: %s", reason, error)
        dispatcher.utter_message(response="utter_ticket_failed")
        return []
    said = if_open if if_open and ticket.already_open else response
    dispatcher.utter_message(response=said, ticket_id=ticket.id, **values)
    return [SlotSet(PENDING, "human_handoff"), SlotSet(OFFERED_TICKET, ticket.id)]


# "what r u going to do about it", "so what now?", "this is unacceptable": the customer asks what the
# shop does about a problem the bot has just owned up to.
_WHAT_NOW = re.compile(
    r"(?i)^\W*(?:(?:and|ok|okay)\W+)?(?:so|then)\W*$|"  # "so?", "and then?", "ok so?"
    r"\b(?:what now|now what|what next|"
    r"what(?:'?s| is) (?:next|the plan|being done|happening|going to happen)|"
    r"what (?:are|r|will|would|can|do|should|shall) (?:you|u|ya|we|i|you guys|your team) "
    r"(?:going to |gonna |gna |planning to |supposed to )?do\b|what (?:are|r) (?:you|u) doing about|"
    r"do something|fix (?:it|this)|sort (?:it|this) out|chase|"
    r"unacceptable|ridiculous|not (?:ok|okay|acceptable|good enough|fair)|"
    r"how (?:much )?long(?:er)? (?:do|must|should|will|am) i (?:have to |supposed to )?wait)")


def late_order_asked_about(tracker: Tracker) -> Optional[str]:
    """The late order the latest message asks the shop to act on, while the person offered about
    it is still open ("so what now?", "what will you do about it", a complaint); else None."""
    text = tracker.latest_message.get("text") or ""
    if _offered_reason(tracker) != LATE_ORDER:
        return None
    if not (_WHAT_NOW.search(text) or complains(text)
            or (tracker.latest_message.get("intent") or {}).get("name") == "complaint"):
        return None
    return order_in_view(tracker) or order_number(tracker.get_slot("order_id"))


async def chase_the_late_order(dispatcher: CollectingDispatcher,
                               tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """A follow-up on a late order the bot has just owned up to: a yes with more said after it
    ("yes chase it. and if it doesnt come by friday i want to cancel") takes up the offer and is
    answered (take_up_the_chase); "what will you do about it" (read as help, it got the menu) gets
    an apology, a ticket for the team to chase that order, and the offer of a person, whose "yes"
    hands that ticket over. None when the message is no such follow-up."""
    chased = await take_up_the_chase(dispatcher, tracker)
    if chased is not None:
        return chased
    number = late_order_asked_about(tracker)
    if number is None:
        return None
    return await ticket_with_an_offer(dispatcher, tracker, LATE_ORDER, "utter_late_order_ticket", order=number,
                                      if_open="utter_ticket_already_open", number=number)


# A yes that opens the message, and what follows it: "yes chase it. and if it doesnt come by friday
# i want to cancel", "yes please, and can you also tell me the courier phone number".
_YES_FIRST = re.compile(r"(?is)^\W*(?:yes+|yeah|yea|yep|yup|ya|sure|please|pls|plz|ok(?:ay)?|okk|alright|haan|ji)\b"
                        r"(?P<rest>.*)$")
# Its first clause putting the chase off: "ok i'll wait", "ok no need", "sure, leave it for now".
_PUTS_OFF = re.compile(r"(?i)\b(?:wait|no need|not needed|leave it|never ?mind|not now|later|don'?t|dont|do not|"
                       r"no(?! problem| worries)|nah)\b")
# Words that add nothing to a yes: "yes please", "ok do it", "sure go ahead thanks".
_PLAIN_YES_WORDS = frozenset("""yes yeah yea yep yup ya sure please pls plz ok okay okk alright haan ji do it go ahead
    thanks thank you thx ty fine great""".split())
_FIRST_CLAUSE = re.compile(r"[.!?;]|\b(?:and|but|also)\b", re.IGNORECASE)
# Naming what the offer was: a yes to it also after another answer came between.
_NAMES_THE_CHASE = re.compile(r"(?i)\b(?:chase|follow up|check (?:on )?it|person|someone|somebody|human|agent|team)\b")
# What the rest of the message may ask that the bot can answer at once.
_CANCEL_OR_REFUND = re.compile(r"(?i)\b(?:cancel\w*|refund\w*|money back|return (?:it|them|the order))\b")
_COURIER = re.compile(r"(?i)\b(?:courier|carrier|delivery (?:company|service|guy|man|person|partner)|dhl|ups|dpd|gls|"
                      r"fedex|hermes|tracking|track (?:it|the parcel|my parcel))\b")


def _the_rest_after_a_yes(text: str) -> Optional[str]:
    """What follows a yes that opens the message and means it; None for a plain yes, no yes first,
    or a yes that is none ("ok i'll wait", "ok so what now?", "yes... no, leave it")."""
    found = _YES_FIRST.match(text)
    rest = found.group("rest") if found else ""
    if not set(re.findall(r"[^\W_]+", rest.lower())) - _PLAIN_YES_WORDS:
        return None
    if decided_answer(text) == "no" or REFUSES_A_PERSON.search(text):
        return None
    if _PUTS_OFF.search(_FIRST_CLAUSE.split(rest, maxsplit=1)[0]):
        return None
    if _WHAT_NOW.search(rest) and not _NAMES_THE_CHASE.search(rest):
        return None  # "ok so what now?": asks what the shop does (late_order_asked_about)
    return rest


def late_order_offer_taken_up(tracker: Tracker) -> Optional[str]:
    """The late order whose offer ("Shall I ask someone from the team to chase it for you?") the
    latest message answers with a yes followed by more; None for any other message."""
    text = tracker.latest_message.get("text") or ""
    if _offered_reason(tracker) != LATE_ORDER or _the_rest_after_a_yes(text) is None:
        return None
    just_offered = any((event.get("metadata") or {}).get("utter_action") in ("utter_order_late", EMOJI_NUDGE)
                       for event in previous_turn(tracker) if event.get("event") == "bot")
    if not (just_offered or _NAMES_THE_CHASE.search(text)):
        return None
    return order_in_view(tracker) or order_number(tracker.get_slot("order_id"))


async def take_up_the_chase(dispatcher: CollectingDispatcher,
                            tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """A yes to the offer to chase a late order, with more after it: the ticket, handed over as a
    plain yes hands it, then what the rest asks, briefly (a shipped order can't be cancelled but can
    be returned once it arrives; the courier, with the tracking number). None for other messages."""
    number = late_order_offer_taken_up(tracker)
    if number is None:
        return None
    rest = _the_rest_after_a_yes(tracker.latest_message.get("text") or "") or ""
    try:
        ticket = await open_ticket(tracker, LATE_ORDER, any_open=True, order=number)
    except BackendError as error:
        logger.warning("could not open the late order's ticket: %s", error)
        dispatcher.utter_message(response="utter_ticket_failed")
        return []
    calls = asks_to_be_called(rest) and not _COURIER.search(rest)  # "yes, call me": they answer here
    dispatcher.utter_message(response="utter_handoff_ticket_no_calls" if calls else "utter_handoff_ticket",
                             ticket_id=ticket.id, json_message=handoff_payload(ticket.id))
    if _CANCEL_OR_REFUND.search(rest) or _COURIER.search(rest):
        await _answer_about_the_late_order(dispatcher, tracker, number, rest)
    return [SlotSet(PENDING, None), SlotSet(PAUSED_FORM, None), SlotSet(OFFERED_TICKET, None)] + end_active_form(tracker)


async def _answer_about_the_late_order(dispatcher: CollectingDispatcher, tracker: Tracker, number: str,
                                       rest: str) -> None:
    """Cancelling it or who the courier is, asked with the yes to chasing it; nothing when the order
    can't be read (the team has the question on the ticket)."""
    checked = tracker.get_slot("contact") if number == order_number(tracker.get_slot("order_id")) else None
    try:
        async with BackendClient(tracker.sender_id) as backend:
            order = await backend.get_order(number, checked)
    except BackendError as error:
        logger.warning("reading the late order %s failed: %s", number, error)
        return
    if _CANCEL_OR_REFUND.search(rest) and not order.cancellable:
        dispatcher.utter_message(response="utter_cannot_cancel_shipped", number=order.number)
    if _COURIER.search(rest) and order.carrier:
        dispatcher.utter_message(response="utter_late_order_courier", number=order.number, carrier=order.carrier,
                                 tracking_number=order.tracking_number or "not yet available")


# A charge the customer says was taken: "i was charged for the cancelled order", "73.60 gone from my card".
_CHARGED = re.compile(r"(?i)\b(?:charged|deducted|debited|billed|paid|overcharged)\b|"
                      r"\b(?:taken|gone|cut|missing) from (?:my )?(?:card|account|bank|credit card|wallet)\b|"
                      r"\bmoney (?:was |got |has been )?(?:taken|gone|cut)\b")
# Orders made in chat are paid on delivery: in these states nothing has been due yet.
NOT_PAID_YET = ("pending", "confirmed", "processing", "shipped", "cancelled")
# An amount said: "€73.60", "73.60", "73,60 eur", "$12"; a bare whole number is no amount (a quantity, a date).
_AMOUNT = re.compile(r"(?i)(?P<symbol>[€$£₹])\s?(?P<figure>\d+(?:[.,]\d{1,2})?)|"
                     r"(?P<decimal>\d+[.,]\d{2})(?!\d)(?:\s?(?:€|eur\b|euros?\b))?|"
                     r"(?P<whole>\d+)\s?(?:€|eur\b|euros?\b)")


def claims_a_charge_for_nothing_due(order: Order, text: Optional[str]) -> bool:
    """A charge claimed for an order nothing is due on ("charged for the cancelled order, 73.60 gone
    from my card"): paid on delivery, an order cancelled or not yet delivered, with no refund under
    way, was never charged by us, so it is a payment problem, not a refund to wait for."""
    return bool(_CHARGED.search(text or "")) and order.status in NOT_PAID_YET and order.refund_status == "none"


def charge_said(text: str, currency: str) -> str:
    """ "the charge of €73.60" as the customer said it (a bare figure in the order's currency), or "the charge"."""
    found = _AMOUNT.search(text)
    if found is None:
        return "the charge"
    if found.group("symbol"):
        return f"the charge of {found.group('symbol')}{found.group('figure')}"
    figure = (found.group("decimal") or found.group("whole")).replace(",", ".")
    return f"the charge of {format_price(round(float(figure) * 100), currency)}"


async def report_a_charge(dispatcher: CollectingDispatcher, tracker: Tracker,
                          order: Order) -> List[Dict[Text, Any]]:
    """A charge claimed for an order nothing is due on: an apology, a payment ticket about that
    order (the amount is in the customer's words on it), that the team checks it, and the offer of a
    person, as for any payment problem."""
    state = "was cancelled" if order.status == "cancelled" else "hasn't been delivered yet"
    text = tracker.latest_message.get("text") or ""
    return await ticket_with_an_offer(dispatcher, tracker, REASONS["payment_issue"][0],
                                      "utter_payment_charged_for_unpaid_order", order=order.number,
                                      if_open="utter_ticket_already_open", number=order.number, state=state,
                                      charge=charge_said(text, order.currency))


def only_emoji(text: Optional[str]) -> bool:
    """The message is emoji (and perhaps punctuation) and nothing else: "😀😀😀", "🙏", "😂😂!"."""
    chars = [c for c in (text or "") if not c.isspace()]
    kinds = [unicodedata.category(c) for c in chars]
    return "So" in kinds and all(kind in ("So", "Sk", "Mn", "Cf") or kind.startswith("P") for kind in kinds)


def answer_an_emoji(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """An emoji that is no yes or no (👍, 👌, ✅ are a yes, 👎, ❌ a no: parsing.decided_answer) to the
    offer of a person: the offer again, briefly, rather than what a yes or a no would do. None for
    other messages, or when no person is offered."""
    text = tracker.latest_message.get("text") or ""
    if tracker.get_slot(PENDING) != "human_handoff" or not only_emoji(text) or decided_answer(text) is not None:
        return None
    dispatcher.utter_message(response=EMOJI_NUDGE)
    return []


async def open_complaint(dispatcher: CollectingDispatcher, tracker: Tracker,
                         domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
    """A complaint the NLU read as something else ("the teapot i got is cracked" as an order, "not
    happy with the quality of the mug" as a product question): handled as the complaint it is. A
    form that message just started is no form to go back to after the offer of a person."""
    tracker.latest_message["intent"] = {"name": "complaint", "confidence": 1.0}
    tracker.active_loop = {}
    return await ActionOpenTicket().run(dispatcher, tracker, domain)


async def complain_about_what_came(dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
    """A complaint about an item received, read as an order, a product search or a status question
    ("the sencha is stale and smells weird" started a new order of sencha): an item that arrived
    damaged or spoilt in a delivered order goes back free (the return form says sorry and offers
    the free return or a replacement); anything else (less came than ordered, "tastes like dust"
    with no order of theirs to return) is a complaint ticket. A split delivery asked for ("split it
    into 2 deliveries", where "split" reads as damage) is answered as the question it is."""
    text = tracker.latest_message.get("text") or ""
    if asks_to_split(text):  # "can u split it into 2 deliveries" ("split" reads as damage): a question
        return await answer_a_split_delivery(dispatcher, tracker)
    if shops_fault(text) == "damaged" and not _SHORT.search(text) and await _returnable_order_meant(tracker):
        return [FollowupAction("return_form")]
    return await open_complaint(dispatcher, tracker, domain)


async def _returnable_order_meant(tracker: Tracker) -> bool:
    """A delivered order of theirs to return from: the one holding a product named, else any."""
    skus = set(named_skus(tracker))
    try:
        async with BackendClient(tracker.sender_id) as backend:
            orders = [o for o in await backend.list_orders(limit=10) if o.returnable or o.adds_to_return]
    except BackendError as error:
        logger.warning("looking for the order of a complaint failed: %s", error)
        return False
    return any(not skus or skus & {line.sku for line in o.lines} for o in orders)


def end_active_form(tracker: Tracker) -> List[Dict[Text, Any]]:
    """Ends an active form: after a handoff, or a question of ours, it must not ask again under it.
    What it collected stays, so "i want to order" later goes on from there."""
    if (tracker.active_loop or {}).get("name"):
        return [ActiveLoop(None), SlotSet("requested_slot", None)]
    return []


# The refusal of an address change once the order has shipped (actions/order_forms.py not_editable).
LOCKED_SHIPPED = "utter_order_locked_shipped"
# "actually i moved, pls send to …", "i dont live there anymore, can someone redirect it": the address
# of the order just refused asked for again.
_ANOTHER_ADDRESS = re.compile(r"(?i)\b(?:redirect\w*|re-?rout\w*|divert\w*|moved|moving|"
                              r"(?:don'?t|dont|do not|no longer) live|not living|new address|different address|"
                              r"wrong address|(?:send|deliver|ship)\w*\s+(?:\w+\s+){0,2}?to\b|address)\b")


def insists_on_the_address(tracker: Tracker) -> Optional[str]:
    """The order whose address change the bot's last turn refused as shipped, when the message asks
    for it again ("actually i moved, pls send to 9 Oak Road, …"): its number; else None."""
    text = tracker.latest_message.get("text") or ""
    refusal = next((event for event in previous_turn(tracker) if event.get("event") == "bot"
                    and (event.get("metadata") or {}).get("utter_action") == LOCKED_SHIPPED), None)
    asks_again = _ANOTHER_ADDRESS.search(text) or looks_like_address(text)
    if refusal is None or decided_answer(text) == "no" or not asks_again:
        return None
    return order_number(refusal.get("text"))


async def offer_to_redirect(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """The address of an order on its way asked for again right after "already shipped, so its address
    can't be changed": no second refusal (QA16 verify 15), but a person offered, who can ask the
    carrier to redirect the parcel; a "yes" opens that ticket about the order and hands it over. None
    for other messages, or an order no longer on its way (delivered: the refusal says to return it)."""
    number = insists_on_the_address(tracker)
    if number is None:
        return None
    order = await order_or_none(tracker.sender_id, number, f"the shipped order {number}")
    if order is None or order.status != "shipped":
        return None
    # no form is paused under the offer: a "no" going back to the address form would refuse again
    return offer_a_person(dispatcher, None, REDIRECT_OFFER, number=order.number) + [SlotSet("order_id", order.number)]
