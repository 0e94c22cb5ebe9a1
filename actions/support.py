"""Support: complaints, payment problems and requests for a person open a ticket for the team.

A request for a person hands the chat to the team at once (the gateway takes the handoff payload);
one for the shop's phone number or email gets them, and a person here is offered.
A complaint or a payment problem opens a ticket the team works on and offers a person: the chat
stays with the bot unless the customer says yes, and then that same ticket is handed over; what
the customer says about the problem meanwhile ("it was €58.70 on paypal") is added to it.
"""
from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional, Text
from zoneinfo import ZoneInfo

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendError, NotFound, Ticket
from actions.form_answers import last_utterance
from actions.order_slots import at_the_summary
from actions.orders import latest_entity, named_skus, order_in_view, states_a_rating
from actions.parsing import agrees, contact_detail, decided_answer, order_number, says_no
from actions.return_reasons import shops_fault

logger = logging.getLogger(__name__)
TRANSCRIPT_TURNS = 30

PENDING = "pending_confirmation"
OFFERED_TICKET = "offered_ticket"  # the ticket a "yes, a person please" hands over
PAUSED_FORM = "paused_form"  # the form the offer interrupted; "no" goes back to it
# Why the ticket is opened, and what the customer is told, by the intent that asked for it.
REASONS = {
    "contact_human_agent": ("customer asked for a person", "utter_handoff_ticket"),
    "complaint": ("complaint", "utter_complaint_ticket"),
    "payment_issue": ("payment issue", "utter_payment_issue_ticket"),
}
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
}
LATE_ORDER = OFFERED_FOR["utter_order_late"]
# What the bot says when it has opened a ticket (or added to one) and offers a person: what the
# customer writes next about the problem belongs to that ticket.
TICKET_OFFERS = ("utter_complaint_ticket", "utter_payment_issue_ticket", "utter_payment_declined_ticket",
                 "utter_ticket_already_open", "utter_ticket_details_added", "utter_refund_amount_ticket",
                 "utter_late_order_ticket")
# Deleting the customer's data is for good: asked first, and a "yes" (answered like a person offered,
# pending_confirmation "human_handoff") files the request for the team: the reason and the reply.
DATA_CONFIRMATIONS = {
    "utter_confirm_data_deletion": ("data deletion request", "utter_data_deletion_ticket"),
    "utter_confirm_detail_removal": ("personal details removal request", "utter_detail_removal_ticket"),
}
# Every offer of a person (pending_confirmation "human_handoff"), asked again as it was said.
PERSON_OFFERS = tuple(OFFERED_FOR) + TICKET_OFFERS + ("utter_contact_details", "utter_offer_a_person",
                                                      "utter_sorry_offer_a_person") + tuple(DATA_CONFIRMATIONS)
# What the bot says when it has handed the chat over, or answered while the team is awaited.
HANDOFF_LINES = ("utter_handoff_ticket", "utter_sorry_handing_over", "utter_handoff_ticket_no_calls",
                 "utter_ticket_waiting", "utter_ticket_waiting_no_calls")
# Sent during a handoff by the backend and the gateway, not by an action; named here so
# scripts/validate_bot.py counts them as used.
HANDOFF_RESPONSES = ("utter_handoff_started", "utter_handoff_out_of_hours",
                     "utter_handoff_staff_reply", "utter_handoff_ended")


def handoff_payload(ticket_id: int) -> Dict[str, Any]:
    """A custom payload the gateway intercepts (never shown): it hands the conversation to staff
    (backend state, staff Slack thread) and tells the customer when someone will answer."""
    return {"handoff": {"ticket_id": ticket_id}}


def transcript(tracker: Tracker, turns: int = TRANSCRIPT_TURNS) -> List[Dict[str, Any]]:
    """The last user and bot messages, readable by staff."""
    lines = []
    for event in tracker.events:
        sender = {"user": "user", "bot": "bot"}.get(event.get("event"))
        if sender and event.get("text"):
            timestamp = event.get("timestamp")
            when: Optional[str] = (
                datetime.fromtimestamp(timestamp, tz=timezone.utc).isoformat() if timestamp else None
            )
            lines.append({"sender": sender, "text": event["text"][:4000], "timestamp": when})
    return lines[-turns:]


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


def asks_for_a_person(tracker: Tracker) -> bool:
    """ "can i speak to a person about my rating", or "no, a PERSON please" read as such."""
    text = tracker.latest_message.get("text") or ""
    return bool(_ASKS_FOR_A_PERSON.search(text)) or (
        (tracker.latest_message.get("intent") or {}).get("name") == "contact_human_agent"
        and WANTS_A_PERSON.search(text) is not None)


async def hand_over(dispatcher: CollectingDispatcher, tracker: Tracker,
                    domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
    """A person asked for from inside a form: the form ends, and the chat is handed over."""
    tracker.latest_message["intent"] = {"name": "contact_human_agent", "confidence": 1.0}
    return await ActionOpenTicket().run(dispatcher, tracker, domain) + end_active_form(tracker)


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
                                if e.get("event") == "bot") if said in PERSON_OFFERS)
    return next(offers, None)


def _offered_reason(tracker: Tracker) -> Optional[str]:
    """The reason for a ticket opened by a "yes" to the person offered last, while that offer is open."""
    if tracker.get_slot(PENDING) != "human_handoff":
        return None
    return OFFERED_FOR.get(_last_person_offer(tracker))


# A question rather than more about the problem ("what payment methods do you take?").
_ASKS = re.compile(r"(?i)\?|^\W*(?:(?:ok(?:ay)?|so|and|but|also|btw|hi|hey)[\s,]+)*(?:what'?s?|how'?s?|when|where|why|which|"
                   r"who|will|would|can|could|do|does|did|should|shall|is|are|any)\b")
# Words of a bare answer to the offer, which add nothing to the ticket ("no thanks, just pls fix it").
_ANSWER_WORDS = frozenset("""yes yeah yep yup ok okay sure no nope nah not thanks thank thx ty you u just pls please
    plz fix it sort out look into that's thats all need needed fine its it's then for now later i'm im good ill i'll
    wait we'll see a the and person someone human team""".split())


def says_more(text: str) -> bool:
    """More than a yes or no to the offer: what happened, when, how much."""
    words = re.findall(r"[^\W_]+(?:'[^\W_]+)?|[€$£]\s*\d", text.lower())
    return sum(word not in _ANSWER_WORDS for word in words) >= 2


def tells_more_about_the_ticket(tracker: Tracker) -> bool:
    """Right after a ticket was opened and a person offered, a message that is no question and
    says more than yes or no ("it was €58.70 on paypal, around 3pm yesterday", "no need, also the
    courier was DHL"): more about that problem, whatever the NLU made of it (a payment FAQ)."""
    text = tracker.latest_message.get("text") or ""
    return bool(tracker.get_slot(OFFERED_TICKET) and tracker.get_slot(PENDING) == "human_handoff"
                and last_utterance(tracker) in TICKET_OFFERS and not _ASKS.search(text) and says_more(text))


async def add_to_the_ticket(dispatcher: CollectingDispatcher, tracker: Tracker,
                            response: str = "utter_ticket_details_added",
                            declined: Optional[bool] = None) -> List[Dict[Text, Any]]:
    """The customer's latest words join the ticket they are about (the backend adds them to the
    conversation's open ticket), and the bot says so. Starting with a "no" ("no need, just wanted u
    to know. also the courier was DHL"), or `declined`, they decline the person offered as well."""
    offered = tracker.get_slot(OFFERED_TICKET)
    said = last_utterance(tracker) or ""
    reason = REASONS["payment_issue" if said.startswith("utter_payment") else "complaint"][0]
    try:
        ticket = await _open(tracker, reason, any_open=True)
    except BackendError as error:
        logger.warning("could not add to ticket %s: %s", offered, error)
        dispatcher.utter_message(response="utter_ticket_failed")
        return []
    if declined or (declined is None and says_no(tracker.latest_message.get("text"))):
        dispatcher.utter_message(response="utter_ticket_details_added_no_person", ticket_id=ticket.id)
        paused = tracker.get_slot(PAUSED_FORM)
        return [SlotSet(PENDING, None), SlotSet(PAUSED_FORM, None), SlotSet(OFFERED_TICKET, ticket.id)] + (
            [FollowupAction(paused)] if paused else [])
    dispatcher.utter_message(response=response, ticket_id=ticket.id)
    return [] if ticket.id == offered else [SlotSet(OFFERED_TICKET, ticket.id)]  # the offer stays open


# When the team answers in the chat (utter_faq/opening_hours; the backend's STAFF_HOURS say the same).
SUPPORT_ZONE = ZoneInfo("Europe/Berlin")  # CET, as the hours are given
SUPPORT_HOURS = {0: (9, 18), 1: (9, 18), 2: (9, 18), 3: (9, 18), 4: (9, 18), 5: (10, 14)}  # weekday: (from, to)


def when_the_team_answers(now: Optional[datetime] = None) -> str:
    """ "Someone should answer you here soon." in support hours, else from when they will."""
    local = (now or datetime.now(timezone.utc)).astimezone(SUPPORT_ZONE)
    opens, closes = SUPPORT_HOURS.get(local.weekday(), (0, 0))
    if opens <= local.hour < closes:
        return "Someone should answer you here soon."
    for days in range(8):
        day = local + timedelta(days=days)
        opens = SUPPORT_HOURS.get(day.weekday(), (None,))[0]
        if opens is not None and (days or local.hour < opens):
            named = "today" if days == 0 else "tomorrow" if days == 1 else f"on {day:%A}"
            return f"Our team is offline right now; someone will answer you here {named} from {opens}:00 CET."
    return "Someone will answer you here as soon as they can."


# "call me on +49 …", "will they call me or not?": the team answers in the chat, not by phone.
_CALL = re.compile(r"(?i)\b(?:call|ring|phone)\b(?! (?:it|that|this)\b)|\bcall ?back\b")
# Right after a handoff: asking whether, when or how the team answers ("hello? anyone there?", "when?",
# "how long will it take for someone to answer", "so will they call me or not?").
_ASKS_AFTER_THE_TEAM = re.compile(
    r"(?i)\b(?:any ?(?:one|body|1) (?:there|here|around|home)|still there|hello+|how long|when|"
    r"will (?:they|someone|somebody|anyone|you|u)|are (?:they|you) (?:there|coming|going)|is (?:any|some) ?(?:one|body)|"
    r"wait\w*|call|reply|respond|answer)\b|^\W*\?[?!\s]*$")


def after_a_handoff(tracker: Tracker) -> Optional[int]:
    """The ticket the chat was just handed over with, while nothing else has been said since."""
    if last_utterance(tracker) not in HANDOFF_LINES:
        return None
    said = next((e.get("text") or "" for e in reversed(tracker.events or []) if e.get("event") == "bot"), "")
    found = re.search(r"ticket #(\d+)", said)
    return int(found.group(1)) if found else None


async def answer_while_the_team_is_awaited(dispatcher: CollectingDispatcher,
                                           tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """ "hello? anyone there?", "when?", "will they call me?" right after a handoff (the gateway
    takes the chat then; these reach the bot when it has not): the message joins the ticket, and the
    customer hears that the team answers here, and when. None for any other message."""
    text = tracker.latest_message.get("text") or ""
    if after_a_handoff(tracker) is None or not _ASKS_AFTER_THE_TEAM.search(text):
        return None
    try:
        ticket = await _open(tracker, REASONS["contact_human_agent"][0], any_open=True)
    except BackendError as error:
        logger.warning("could not add a follow-up to the handed-over ticket: %s", error)
        dispatcher.utter_message(response="utter_ticket_failed")
        return []
    response = "utter_ticket_waiting_no_calls" if _CALL.search(text) else "utter_ticket_waiting"
    dispatcher.utter_message(response=response, ticket_id=ticket.id, when=when_the_team_answers())
    return []


# "please close the ticket, it was my mistake": the problem has gone; the team closes the ticket.
_CLOSES_THE_TICKET = re.compile(
    r"(?i)\b(?:close|cancel|withdraw|drop|delete|forget)\b.{0,12}\b(?:ticket|complaint|case)\b|"
    r"\b(?:ticket|complaint|case)\b.{0,20}\b(?:can be|be) closed\b")


def ticket_in_the_chat(tracker: Tracker) -> Optional[int]:
    """The ticket the bot named last in this chat ("… (ticket #108)"), if any."""
    for event in reversed(tracker.events or []):
        found = re.search(r"ticket #(\d+)", event.get("text") or "") if event.get("event") == "bot" else None
        if found:
            return int(found.group(1))
    return None


async def note_the_ticket_closed(dispatcher: CollectingDispatcher,
                                 tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """A request to close the chat's ticket: added to it for the team, who close it; no person is
    offered to someone whose problem is solved. None for any other message."""
    text = tracker.latest_message.get("text") or ""
    if not _CLOSES_THE_TICKET.search(text) or not (tracker.get_slot(OFFERED_TICKET) or ticket_in_the_chat(tracker)):
        return None
    try:
        ticket = await _open(tracker, "customer asked to close the ticket", any_open=True)
    except BackendError as error:
        logger.warning("could not add the close request to a ticket: %s", error)
        dispatcher.utter_message(response="utter_ticket_failed")
        return []
    dispatcher.utter_message(response="utter_ticket_close_noted", ticket_id=ticket.id)
    if tracker.get_slot(PENDING) != "human_handoff":
        return [SlotSet(OFFERED_TICKET, None)]
    paused = tracker.get_slot(PAUSED_FORM)  # the offer of a person is off; a form it paused goes on
    return [SlotSet(OFFERED_TICKET, None), SlotSet(PENDING, None), SlotSet(PAUSED_FORM, None)] + (
        [FollowupAction(paused)] if paused else [])


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


class ActionOpenTicket(Action):
    def name(self) -> Text:
        return "action_open_ticket"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
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
            ticket = await _open(tracker, offered_for or reason, any_open=response == "utter_handoff_ticket")
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
        if _CALL.search(tracker.latest_message.get("text") or ""):
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
        data_request = confirmed_data_request(tracker)
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
    from actions.cancel import DECLINED_A_PERSON  # imported here: actions.cancel imports this module
    text = tracker.latest_message.get("text") or ""
    return ((tracker.latest_message.get("intent") or {}).get("name") == "affirm"
            and tracker.get_slot(PENDING) != "human_handoff" and last_utterance(tracker) in DECLINED_A_PERSON
            and decided_answer(text) != "yes" and not WANTS_A_PERSON.search(text) and not text.startswith("/"))


# "please delete my account and all my data", "unsubscribe me from your emails": things only the
# team can do, so a ticket (the privacy FAQ alone left the request with no one).
_DATA_REQUEST = re.compile(
    r"(?i)\b(?:delete|erase|remove|wipe|close|deactivate)\b.{0,30}\b(?:account|data|details|information|info)\b|"
    r"\bgdpr\b.{0,40}\b(?:delete|deletion|erase|request|access|copy)\b|right to be forgotten|"
    r"\b(?:unsubscribe|opt me out|stop (?:sending|emailing)|no more (?:e-?mails|newsletters?))\b")
_UNSUBSCRIBE = re.compile(r"(?i)\b(?:unsubscribe|opt me out|stop (?:sending|emailing)|no more)\b")
# "please remove my phone number from your system": one detail out of the shop's records.
_DETAIL_REMOVAL = re.compile(
    r"(?i)\b(?:delete|erase|remove|wipe)\b.{0,20}?\b(?P<detail>phone(?: number)?|mobile(?: number)?|number|"
    r"e-?mail(?: address)?|address|name)\b.{0,20}\bfrom (?:your|the|ur) (?:system|records?|database|db|files?|"
    r"servers?|site|website|shop|store|list|mailing list)s?\b")
# "how do i delete my account", "is it possible to delete my account later if i want?": asking about it,
# not asking for it (tickets were filed on such questions, and irreversibly at that).
_ASKS_HOW = re.compile(
    r"(?i)\b(?:how (?:do|can|could|would|should|will) (?:i|we|you)|how to|is it possible|(?:would|will) it be possible|"
    r"possible to|can i|could i|am i able|will i be able|do you (?:let|allow)|what happens|if i (?:want|wish|decide)|"
    r"later|some ?day|in (?:the )?future)\b")
_REQUEST_NOW = re.compile(r"(?i)\b(?:please|pls|plz|i want|i wanna|i'?d like|i would like|go ahead|right now|asap)\b")


def asks_how_to_delete(text: str) -> bool:
    return bool(_ASKS_HOW.search(text)) and not (_REQUEST_NOW.search(text) and not re.search(r"(?i)\blater\b", text))


async def take_a_data_request(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """A request to unsubscribe: a ticket for the team, and said so. A request to delete the
    customer's data, or one detail of it: asked first (it cannot be undone), and a "yes" files it
    (ActionOpenTicket). A question how to: answered. None when the message is none of these."""
    text = tracker.latest_message.get("text") or ""
    detail = _DETAIL_REMOVAL.search(text)
    if detail:
        dispatcher.utter_message(response="utter_confirm_detail_removal", detail=detail.group("detail").lower())
        return [SlotSet(PENDING, "human_handoff")]
    if not _DATA_REQUEST.search(text):
        return None
    if _UNSUBSCRIBE.search(text) is None:
        if asks_how_to_delete(text):
            dispatcher.utter_message(response="utter_data_deletion_how")
            return []
        dispatcher.utter_message(response="utter_confirm_data_deletion")
        return [SlotSet(PENDING, "human_handoff")]
    return await file_the_data_request(dispatcher, tracker, "unsubscribe request", "utter_unsubscribe_ticket")


def confirmed_data_request(tracker: Tracker) -> Optional[tuple]:
    """(reason, reply) of the data request the latest "yes" confirms, else None."""
    if tracker.get_slot(PENDING) != "human_handoff" or (tracker.latest_message.get("intent") or {}).get("name") != "affirm":
        return None
    return DATA_CONFIRMATIONS.get(_last_person_offer(tracker))


async def file_the_data_request(dispatcher: CollectingDispatcher, tracker: Tracker,
                                reason: str, reply: str) -> List[Dict[Text, Any]]:
    try:
        ticket = await _open(tracker, reason)
    except BackendError as error:
        logger.warning("could not open a %s ticket: %s", reason, error)
        dispatcher.utter_message(response="utter_ticket_failed")
        return []
    dispatcher.utter_message(response=reply, ticket_id=ticket.id)
    return []


async def ticket_with_an_offer(dispatcher: CollectingDispatcher, tracker: Tracker, reason: str, response: str,
                               order: Optional[str] = None, if_open: Optional[str] = None,
                               **values: Any) -> List[Dict[Text, Any]]:
    """A ticket for the team about `reason` (and `order`, else the order meant), said with
    `response` (which offers a person), or `if_open` when that ticket was open already: a "yes"
    hands that ticket over, as after a complaint."""
    try:
        ticket = await _open(tracker, reason, order=order)
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
    """A follow-up on a late order the bot has just owned up to (read as help, it got the menu): an
    apology, a ticket for the team to chase that order, and the offer of a person, whose "yes" hands
    that ticket over. None when the message is no such follow-up."""
    number = late_order_asked_about(tracker)
    if number is None:
        return None
    return await ticket_with_an_offer(dispatcher, tracker, LATE_ORDER, "utter_late_order_ticket", order=number,
                                      if_open="utter_ticket_already_open", number=number)


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
    with no order of theirs to return) is a complaint ticket."""
    text = tracker.latest_message.get("text") or ""
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


async def _open(tracker: Tracker, reason: str, any_open: bool = False, order: Optional[str] = None) -> Ticket:
    """Opens the ticket, about `order`, else the order named, else the one holding a product named
    ("one of the mugs I received is chipped"), else the one talked about, else their only order, if
    it is the customer's own; one found through someone else's contact details (or gone) is not
    theirs to reference: 404, no order. With `any_open`, the conversation's open ticket takes the request."""
    order = order or order_number(latest_entity(tracker, "order_id"))
    async with BackendClient(tracker.sender_id) as backend:
        if order is None:
            order = await _order_meant(backend, tracker)
        try:
            return await backend.open_ticket(reason, tracker.sender_id, transcript(tracker), order, any_open)
        except NotFound:
            if not order:
                raise
            return await backend.open_ticket(reason, tracker.sender_id, transcript(tracker), any_open=any_open)


async def _order_meant(backend: BackendClient, tracker: Tracker) -> Optional[str]:
    skus, talked_about = set(named_skus(tracker)), tracker.get_slot("order_id")
    if talked_about and not skus:
        return talked_about
    orders = await backend.list_orders(limit=10)
    holding = [o.number for o in orders if skus & {line.sku for line in o.lines}]
    return next(iter(holding), None) or talked_about or (orders[0].number if len(orders) == 1 else None)


def end_active_form(tracker: Tracker) -> List[Dict[Text, Any]]:
    """Ends an active form: after a handoff, or a question of ours, it must not ask again under it.
    What it collected stays, so "i want to order" later goes on from there."""
    if (tracker.active_loop or {}).get("name"):
        return [ActiveLoop(None), SlotSet("requested_slot", None)]
    return []
