"""action_open_ticket stores a ticket with a readable transcript in the real backend."""
from __future__ import annotations

import uuid

import httpx
import pytest

from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation

from actions.settings import get_settings
from actions.support import ActionOpenTicket
from tests.actions.conftest import load_tracker
from tests.actions.test_change_order import confirmation
from tests.actions.test_orders import new_identity, place_order

STAFF = {"Authorization": "Bearer dev-staff-token"}


def tracker_with(intent: str, text: str):
    tracker = load_tracker("product_question", text=text)
    tracker.latest_message["intent"] = {"name": intent, "confidence": 0.9}
    tracker.sender_id = f"web:{uuid.uuid4().hex}"
    tracker.events.append({"event": "bot", "text": "Here's what I found", "timestamp": 1764064800.0})
    tracker.events.append({"event": "user", "text": text, "timestamp": 1764064860.0})
    return tracker


def tickets_of(backend, sender: str) -> list:
    response = httpx.get(f"{backend.url}/api/v1/staff/tickets", headers=STAFF, params={"limit": 100})
    return [t for t in response.json()["data"] if t["conversation_id"] == sender]


def staff_ticket(backend, ticket_id: int) -> dict:
    response = httpx.get(f"{backend.url}/api/v1/staff/tickets", headers=STAFF, params={"limit": 100})
    response.raise_for_status()
    return next(t for t in response.json()["data"] if t["id"] == ticket_id)


@pytest.mark.parametrize("intent, reason, reply", [
    ("contact_human_agent", "customer asked for a person", "utter_handoff_ticket"),
    ("complaint", "complaint", "utter_complaint_ticket"),
    ("payment_issue", "payment issue", "utter_payment_issue_ticket"),
])
async def test_open_ticket_stores_reason_and_transcript(backend, dispatcher, intent, reason, reply):
    tracker = tracker_with(intent, "this is not ok, I need someone")
    events = await ActionOpenTicket().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == [reply]
    ticket = staff_ticket(backend, dispatcher.messages[0]["ticket_id"])
    if intent == "contact_human_agent":  # handed over at once
        assert events == []
        assert dispatcher.messages[0]["custom"] == {"handoff": {"ticket_id": ticket["id"]}}
    else:  # a person is offered; the chat stays with the bot
        assert events == [SlotSet("pending_confirmation", "human_handoff"), SlotSet("offered_ticket", ticket["id"]),
                          SlotSet("paused_form", None)]
        assert not dispatcher.messages[0]["custom"]
    assert ticket["reason"] == reason
    assert ticket["conversation_id"] == tracker.sender_id
    assert [(t["sender"], t["text"]) for t in ticket["transcript"]][-2:] == [
        ("bot", "Here's what I found"), ("user", "this is not ok, I need someone")]


async def test_open_ticket_during_a_form_ends_the_form(backend, dispatcher):
    # The team takes over; the form must not ask for the address again under their reply.
    tracker = tracker_with("contact_human_agent", "can i talk to a person")
    tracker.active_loop = {"name": "order_form"}
    tracker.slots.update(requested_slot="shipping_address")
    events = await ActionOpenTicket().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_handoff_ticket"]
    assert events == [ActiveLoop(None), SlotSet("requested_slot", None)]


async def test_yes_to_the_offered_person_hands_over_the_same_ticket(backend, dispatcher):
    tracker = tracker_with("complaint", "the mug arrived broken and nobody answers my mails")
    await ActionOpenTicket().run(dispatcher, tracker, {})
    ticket_id = dispatcher.messages[0]["ticket_id"]
    answer = confirmation(tracker.sender_id, "affirm", "action_open_ticket",
                          {"pending_confirmation": "human_handoff", "offered_ticket": ticket_id})
    handed = CollectingDispatcher()
    events = await ActionAnswerConfirmation().run(handed, answer, {})
    assert events[-1] == SlotSet("offered_ticket", None)
    assert [(m["response"], m["custom"]) for m in handed.messages] == [
        ("utter_handoff_ticket", {"handoff": {"ticket_id": ticket_id}})]
    assert [t["id"] for t in tickets_of(backend, tracker.sender_id)] == [ticket_id]


async def test_no_to_the_offered_person_keeps_the_ticket(backend, dispatcher):
    answer = confirmation(new_identity(), "deny", "action_open_ticket",
                          {"pending_confirmation": "human_handoff", "offered_ticket": 12})
    events = await ActionAnswerConfirmation().run(dispatcher, answer, {})
    assert [(m["response"], m["ticket_id"]) for m in dispatcher.messages] == [("utter_ticket_without_person", 12)]
    assert events == [SlotSet("pending_confirmation", None), SlotSet("paused_form", None)]


async def test_a_person_asked_for_after_declining_takes_the_same_ticket(backend, dispatcher):
    """Complaint, "no" to a person, later "let me talk to someone": that ticket is handed over,
    not a second one. More said about the problem while the offer is open opens none either
    (and "i want a person" hands it over); a new complaint after the offer was answered joins the
    ticket still open (the backend's), and is offered a person again."""
    tracker = tracker_with("complaint", "the kettle stopped working after a week")
    await ActionOpenTicket().run(dispatcher, tracker, {})
    ticket_id = dispatcher.messages[0]["ticket_id"]
    declined = confirmation(tracker.sender_id, "deny", "action_open_ticket",
                            {"pending_confirmation": "human_handoff", "offered_ticket": ticket_id})
    events = await ActionAnswerConfirmation().run(CollectingDispatcher(), declined, {})
    assert SlotSet("offered_ticket", None) not in events
    later = tracker_with("contact_human_agent", "actually let me talk to someone")
    later.sender_id, later.slots["offered_ticket"] = tracker.sender_id, ticket_id
    handed = CollectingDispatcher()
    assert await ActionOpenTicket().run(handed, later, {}) == [SlotSet("offered_ticket", None)]
    assert [(m["response"], m["custom"]) for m in handed.messages] == [
        ("utter_handoff_ticket", {"handoff": {"ticket_id": ticket_id}})]
    while_offered = tracker_with("complaint", "and the mug is chipped too")
    while_offered.sender_id = tracker.sender_id
    while_offered.slots.update(offered_ticket=ticket_id, pending_confirmation="human_handoff")
    noted = CollectingDispatcher()
    assert await ActionOpenTicket().run(noted, while_offered, {}) == []
    assert [(m["response"], m["ticket_id"]) for m in noted.messages] == [("utter_ticket_already_open", ticket_id)]
    while_offered.latest_message["text"] = "it failed again, i want a person"
    handed = CollectingDispatcher()
    await ActionOpenTicket().run(handed, while_offered, {})
    assert [(m["response"], m["custom"]) for m in handed.messages] == [
        ("utter_handoff_ticket", {"handoff": {"ticket_id": ticket_id}})]
    assert len(tickets_of(backend, tracker.sender_id)) == 1
    another = tracker_with("complaint", "and the mug is chipped too")
    another.sender_id, another.slots["offered_ticket"] = tracker.sender_id, ticket_id
    opened = CollectingDispatcher()
    await ActionOpenTicket().run(opened, another, {})
    assert [(m["response"], m["ticket_id"]) for m in opened.messages] == [("utter_ticket_already_open", ticket_id)]
    assert len(tickets_of(backend, tracker.sender_id)) == 1


async def test_no_to_the_offered_person_goes_back_to_the_interrupted_form(backend, dispatcher):
    # "my payment keeps failing" while asked for the address: ticket, offer, "no", the address again
    tracker = tracker_with("payment_issue", "my payment keeps failing")
    tracker.active_loop = {"name": "order_form"}
    events = await ActionOpenTicket().run(dispatcher, tracker, {})
    assert SlotSet("paused_form", "order_form") in events and ActiveLoop(None) in events
    answer = confirmation(tracker.sender_id, "deny", "action_open_ticket",
                          {"pending_confirmation": "human_handoff", "offered_ticket": 7, "paused_form": "order_form"})
    events = await ActionAnswerConfirmation().run(CollectingDispatcher(), answer, {})
    assert events[-1] == FollowupAction("order_form")


async def test_open_ticket_about_an_order_not_theirs_opens_it_without_the_order(backend, dispatcher):
    tracker = tracker_with("contact_human_agent", "i need a person about this order")
    tracker.slots["order_id"] = "OB-ZZZZZZZZ"  # verified by contact details, or not there at all
    await ActionOpenTicket().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_handoff_ticket"]
    assert staff_ticket(backend, dispatcher.messages[0]["ticket_id"])["order_number"] is None


async def test_a_payment_ticket_names_the_order_in_the_message(backend, dispatcher):
    """"i was charged twice for order OB-…": the ticket is about that order, not about none."""
    tracker = tracker_with("payment_issue", "")
    number = place_order(backend, tracker.sender_id)["number"]
    text = f"i was charged twice for order {number}"
    tracker.latest_message.update(text=text, entities=[{"entity": "order_id", "value": number}])
    await ActionOpenTicket().run(dispatcher, tracker, {})
    assert staff_ticket(backend, dispatcher.messages[0]["ticket_id"])["order_number"] == number


@pytest.mark.parametrize("text, details", [
    ("customer care number?", True), ("what is your email", True), ("do you have a phone no", True),
    ("i want to talk to a person", False), ("call me on my number", False), ("connect me to an agent", False),
])
async def test_asking_for_the_shops_number_gets_it_and_the_offer_of_a_person(backend, dispatcher, text, details):
    tracker = tracker_with("contact_human_agent", text)
    events = await ActionOpenTicket().run(dispatcher, tracker, {})
    if details:
        assert [m["response"] for m in dispatcher.messages] == ["utter_contact_details"]
        assert events == [SlotSet("pending_confirmation", "human_handoff")]
    else:  # a call asked for hears that the team answers in the chat
        handoff = "utter_handoff_ticket_no_calls" if "call" in text else "utter_handoff_ticket"
        assert [m["response"] for m in dispatcher.messages] == [handoff]


async def test_a_request_for_a_person_that_names_none_is_asked_first(backend, dispatcher):
    """"i dont know the email" read as a request for a person: offered, no ticket until "yes"."""
    tracker = tracker_with("contact_human_agent", "i dont know the email")
    tracker.slots["requested_info"] = "contact"  # asked for the email on an order
    events = await ActionOpenTicket().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_offer_a_person"]
    assert events == [SlotSet("pending_confirmation", "human_handoff")]


async def test_a_complaint_asking_for_a_manager_is_handed_over_at_once(backend, dispatcher):
    tracker = tracker_with("complaint", "this is ridiculous, let me talk to a manager")
    events = await ActionOpenTicket().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_sorry_handing_over"]
    ticket = staff_ticket(backend, dispatcher.messages[0]["ticket_id"])
    assert ticket["reason"] == "complaint" and dispatcher.messages[0]["custom"] == {"handoff": {"ticket_id": ticket["id"]}}
    assert events == [SlotSet("offered_ticket", None)]  # no earlier ticket left to hand over later


async def test_open_ticket_backend_down_says_so(backend, dispatcher, monkeypatch):
    monkeypatch.setenv("BACKEND_URL", "http://127.0.0.1:9")
    get_settings.cache_clear()
    try:
        events = await ActionOpenTicket().run(dispatcher, tracker_with("complaint", "bad"), {})
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert events == []  # no ticket, no handoff: a form goes on
    assert [m["response"] for m in dispatcher.messages] == ["utter_ticket_failed"]


async def test_a_declined_card_gets_what_to_try_not_the_double_charge_answer(backend, dispatcher):
    await ActionOpenTicket().run(dispatcher, tracker_with("payment_issue", "my card got declined"), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_payment_declined_ticket"]


async def test_a_complaint_is_about_the_order_holding_the_product_or_the_only_order(backend, dispatcher):
    from tests.actions.test_cancel import order_of  # imported here: test_cancel imports test_orders
    identity = new_identity()
    mugs = place_order(backend, identity)["number"]
    press = order_of(backend, identity, "BRW-FRP-800")
    tracker = tracker_with("complaint", "one of the mugs i received is chipped")
    tracker.sender_id = identity
    tracker.slots["order_id"] = press  # the order talked about last
    tracker.latest_message["entities"] = [{"entity": "product", "value": "mugs", "skus": ["MUG-CER-BLU", "MUG-CER-RED"]}]
    await ActionOpenTicket().run(dispatcher, tracker, {})
    assert staff_ticket(backend, dispatcher.messages[0]["ticket_id"])["order_number"] == mugs
    only = new_identity()
    number = place_order(backend, only)["number"]
    tracker = tracker_with("complaint", "the box was crushed")
    tracker.sender_id = only
    said = CollectingDispatcher()
    await ActionOpenTicket().run(said, tracker, {})
    assert staff_ticket(backend, said.messages[0]["ticket_id"])["order_number"] == number


async def ticket_asked(tracker, in_chat_of=None):
    """action_open_ticket on `tracker`, in the chat of the tracker `in_chat_of` if given: (what it
    said, its events)."""
    if in_chat_of is not None:
        tracker.sender_id = in_chat_of.sender_id
    said = CollectingDispatcher()
    return said, await ActionOpenTicket().run(said, tracker, {})


async def test_the_same_problem_again_gets_the_open_ticket_not_a_second(backend):
    """A late order chased twice, or a complaint made again after the offer was forgotten: the
    backend gives back the open ticket, and the bot says it is already open and offers a person."""
    first_turn = tracker_with("complaint", "the mug arrived chipped")
    first, _ = await ticket_asked(first_turn)
    again, events = await ticket_asked(tracker_with("complaint", "hello?? the mug is chipped, what now"),
                                       in_chat_of=first_turn)
    ticket_id = first.messages[0]["ticket_id"]
    assert [m["response"] for m in again.messages] == ["utter_ticket_already_open"]
    assert again.messages[0]["ticket_id"] == ticket_id
    assert SlotSet("pending_confirmation", "human_handoff") in events
    assert [t["id"] for t in tickets_of(backend, first_turn.sender_id)] == [ticket_id]
    assert staff_ticket(backend, ticket_id)["transcript"][-1]["text"] == "hello?? the mug is chipped, what now"


async def test_a_person_asked_for_after_a_complaint_is_handed_that_complaints_ticket(backend):
    complaint_turn = tracker_with("complaint", "the teapot lid is cracked")
    first, _ = await ticket_asked(complaint_turn)
    handed, _ = await ticket_asked(tracker_with("contact_human_agent", "can i talk to a human please"),
                                   in_chat_of=complaint_turn)
    ticket_id = first.messages[0]["ticket_id"]
    assert [(m["response"], m["ticket_id"]) for m in handed.messages] == [("utter_handoff_ticket", ticket_id)]
    assert [t["id"] for t in tickets_of(backend, complaint_turn.sender_id)] == [ticket_id]


def said_after(tracker, response: str, text: str, intent: str, **slots):
    """The customer's `text` right after the bot said `response` in the chat of `tracker`."""
    turn = tracker_with(intent, text)
    turn.sender_id = tracker.sender_id
    turn.slots.update(slots)
    turn.events = [{"event": "user", "text": tracker.latest_message["text"]},
                   {"event": "bot", "text": "…", "metadata": {"utter_action": response}},
                   {"event": "action", "name": "action_listen"},
                   {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}]
    return turn


async def test_more_about_a_complaint_after_a_side_answer_is_added_to_its_ticket(backend):
    """care-63: ticket #92, a shipping FAQ, then "courier was rude again today": the bot said "I've
    added that to ticket #92" while the ticket's transcript never got the words."""
    first = tracker_with("complaint", "the delivery guy was super rude to me and threw the parcel")
    opened, _ = await ticket_asked(first)
    ticket_id = opened.messages[0]["ticket_id"]
    again = said_after(first, "utter_delivery_options", "courier was rude again today when i sent a return",
                       "complaint", offered_ticket=ticket_id, pending_confirmation="human_handoff")
    noted, _ = await ticket_asked(again)
    assert [(m["response"], m["ticket_id"]) for m in noted.messages] == [("utter_ticket_already_open", ticket_id)]
    assert staff_ticket(backend, ticket_id)["transcript"][-1]["text"] == "courier was rude again today when i sent a return"


async def test_details_after_a_payment_ticket_join_it_and_no_thanks_is_acknowledged(backend):
    """care-06: the amount, method and time right after a payment ticket got the payment-methods
    FAQ and never reached the ticket; "no thanks, just pls fix it" got the whole ticket message again."""
    from actions.faq import ActionAnswerFaq
    first = tracker_with("payment_issue", "money got deducted from my account but no order was placed")
    opened, _ = await ticket_asked(first)
    ticket_id = opened.messages[0]["ticket_id"]
    offer = {"offered_ticket": ticket_id, "pending_confirmation": "human_handoff"}
    details = said_after(first, "utter_payment_issue_ticket", "it was €58.70 on paypal, around 3pm yesterday", "faq",
                         **offer)
    details.latest_message["response_selector"] = {
        "faq": {"response": {"utter_action": "utter_faq/payment_options"}}}
    added = CollectingDispatcher()
    assert await ActionAnswerFaq().run(added, details, {}) == []  # the offer stays open
    assert [(m["response"], m["ticket_id"]) for m in added.messages] == [("utter_ticket_details_added", ticket_id)]
    assert staff_ticket(backend, ticket_id)["transcript"][-1]["text"] == "it was €58.70 on paypal, around 3pm yesterday"
    for before in ("utter_ticket_details_added", "utter_faq/payment_options"):  # just asked, or a FAQ in between
        declined = said_after(first, before, "no thanks, just pls fix it", "deny", **offer)
        said = CollectingDispatcher()
        events = await ActionAnswerConfirmation().run(said, declined, {})
        assert [(m["response"], m["ticket_id"]) for m in said.messages] == [("utter_ticket_without_person", ticket_id)]
        assert SlotSet("pending_confirmation", None) in events
    assert len(tickets_of(backend, first.sender_id)) == 1


async def test_a_question_after_a_ticket_is_still_answered(backend):
    from actions.faq import ActionAnswerFaq
    first = tracker_with("payment_issue", "i was charged twice")
    opened, _ = await ticket_asked(first)
    question = said_after(first, "utter_payment_issue_ticket", "what payment methods do you accept", "faq",
                          offered_ticket=opened.messages[0]["ticket_id"], pending_confirmation="human_handoff")
    question.latest_message["response_selector"] = {"faq": {"response": {"utter_action": "utter_faq/payment_options"}}}
    said = CollectingDispatcher()
    await ActionAnswerFaq().run(said, question, {})
    assert [m["response"] for m in said.messages] == ["utter_faq/payment_options"]


async def test_a_no_with_more_about_the_problem_declines_the_person_and_adds_it(backend):
    """care-63: "no need, just wanted u to know. also the courier was DHL" (read as a delivery
    question) got the delivery options; the "no" and the courier were lost."""
    from actions.faq import ActionAnswerFaq
    first = tracker_with("complaint", "the delivery guy was super rude to me and threw the parcel")
    opened, _ = await ticket_asked(first)
    ticket_id = opened.messages[0]["ticket_id"]
    text = "no need, just wanted u to know. also the courier was DHL"
    declined = said_after(first, "utter_complaint_ticket", text, "delivery_options",
                          offered_ticket=ticket_id, pending_confirmation="human_handoff")
    said = CollectingDispatcher()
    events = await ActionAnswerFaq().run(said, declined, {})
    assert [(m["response"], m["ticket_id"]) for m in said.messages] == [
        ("utter_ticket_details_added_no_person", ticket_id)]
    assert SlotSet("pending_confirmation", None) in events
    assert staff_ticket(backend, ticket_id)["transcript"][-1]["text"] == text
    as_a_no = said_after(first, "utter_complaint_ticket", "nah im good, the driver was from DHL btw", "deny",
                         offered_ticket=ticket_id, pending_confirmation="human_handoff")
    said = CollectingDispatcher()
    await ActionAnswerConfirmation().run(said, as_a_no, {})
    assert [m["response"] for m in said.messages] == ["utter_ticket_details_added_no_person"]
    assert staff_ticket(backend, ticket_id)["transcript"][-1]["text"] == "nah im good, the driver was from DHL btw"


@pytest.mark.parametrize("offer, reason", [
    ("utter_order_delivered_not_received", "delivered order not received"),
    ("utter_product_detail_unknown", "product question"),
    ("utter_offer_human", "not understood by the bot"),
    ("utter_contact_details", "customer asked for a person"),
])
async def test_yes_to_an_offered_person_opens_a_ticket_saying_what_it_is_about(backend, offer, reason):
    """"it says delivered but i never got it" → "yes pls" opened a ticket "customer asked for a person"."""
    asked = tracker_with("track_order", "it says delivered but i never got it")
    answer = said_after(asked, offer, "yes pls", "affirm", pending_confirmation="human_handoff")
    said = CollectingDispatcher()
    await ActionAnswerConfirmation().run(said, answer, {})
    assert [m["response"] for m in said.messages] == ["utter_handoff_ticket"]
    assert staff_ticket(backend, said.messages[0]["ticket_id"])["reason"] == reason


def test_no_thanks_to_a_person_is_not_told_to_rephrase():
    from tests.actions.test_change_order import DOMAIN
    text = DOMAIN["responses"]["utter_no_human_then"][0]["text"]
    assert "other words" not in text and text.startswith("Okay.")


def test_a_wrong_item_is_a_complaint_but_a_wish_for_another_is_not():
    from actions.support import complains
    for text in ("you sent me green mugs instead of white ones", "got the wrong colour", "item missing from my order",
                 "you have sent me two white mugs instead of the red ones"):
        assert complains(text), text
    for text in ("can you send 2 red mugs instead of the blue ones", "i want red instead of blue",
                 "wrong address on my order"):
        assert not complains(text), text


async def test_refusing_a_person_in_words_of_one_hands_nothing_over(backend, dispatcher):
    """"no i dont want to talk to anyone i want it delivered" to "Shall I ask someone to chase it?"
    (read as a request for a person) handed the chat over."""
    from tests.actions.test_orders import new_identity, tracker_for
    identity = new_identity()
    tracker = tracker_for(identity, "no i dont want to talk to anyone i want it delivered",
                          slots={"pending_confirmation": "human_handoff"})
    tracker.latest_message["intent"] = {"name": "contact_human_agent", "confidence": 0.8}
    events = await ActionOpenTicket().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_no_human_then"]
    assert not any(m.get("json_message") for m in dispatcher.messages)
    assert SlotSet("pending_confirmation", None) in events and tickets_of(backend, identity) == []


async def test_a_phone_at_the_summary_read_as_asking_for_ours_is_the_orders_contact(backend, dispatcher):
    """"yes but use my phone instead 070 123 4567" at "Shall I place it?" got the shop's number."""
    from tests.actions.test_orders import new_identity, tracker_for
    tracker = tracker_for(new_identity(), "yes but use my phone instead 070 123 4567",
                          slots={"pending_confirmation": "place_order", "pending_order": "OB-7KB8JMGK"})
    tracker.latest_message["intent"] = {"name": "contact_human_agent", "confidence": 0.6}
    assert await ActionOpenTicket().run(dispatcher, tracker, {}) == [FollowupAction("action_handle_inform")]
    assert dispatcher.messages == []


async def test_ok_after_i_can_fetch_a_person_hands_nothing_over(backend, dispatcher):
    """"haha cool", "lol ok", "ok" after "I'm a bot… I can fetch a person" each opened a ticket."""
    from actions.cancel import ActionAnswerConfirmation
    from tests.actions.test_orders import new_identity, tracker_for
    for text in ("haha cool", "lol ok", "ok"):
        identity = new_identity()
        tracker = tracker_for(identity, text)
        tracker.latest_message["intent"] = {"name": "affirm", "confidence": 0.8}
        tracker.events = [{"event": "bot", "text": "I'm a bot", "metadata": {"utter_action": "utter_iamabot"}},
                          {"event": "action", "name": "action_listen"}, {"event": "user", "text": text}]
        said = CollectingDispatcher()
        await ActionAnswerConfirmation().run(said, tracker, {})
        assert [m["response"] for m in said.messages] == ["utter_ok"], text
        assert tickets_of(backend, identity) == [], text



async def late_order_answered(backend) -> tuple:
    """A chat whose order is two days late, tracked: (its identity, the order's number, what the
    bot's answer set)."""
    from tests.actions.test_orders import in_days, ship, tracker_for
    from actions.orders import ActionTrackOrder
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    ship(backend, identity, number, expected=in_days(-2))
    said = CollectingDispatcher()
    events = await ActionTrackOrder().run(said, tracker_for(identity, "my order is late"), {})
    assert [m["response"] for m in said.messages] == ["utter_order_late"]
    return identity, number, {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.mark.parametrize("text, intent", [
    ("what r u going to do about it", "help"),
    ("so what now?", "nlu_fallback"),
    ("this is unacceptable, what will you do", "complaint"),
    ("hello?? now what", "greet"),
    ("so what now?", "affirm"),  # a yes to the person offered would act without consent
])
async def test_what_now_after_a_late_order_apologises_and_opens_a_ticket_for_it(backend, text, intent):
    """QA: "what r u going to do about it" right after "order … is late" got the general menu."""
    from actions.conversation import ActionGreet, ActionHelp
    from actions.fallback import ActionFallback
    from tests.actions.test_orders import after_answer
    identity, number, slots = await late_order_answered(backend)
    tracker = after_answer(identity, text, [("utter_order_late", {"number": number})], slots=slots, intent=intent)
    action = {"help": ActionHelp, "nlu_fallback": ActionFallback, "complaint": ActionOpenTicket,
              "greet": ActionGreet, "affirm": ActionAnswerConfirmation}[intent]
    said = CollectingDispatcher()
    events = await action().run(said, tracker, {})
    assert [(m["response"], m["number"]) for m in said.messages] == [("utter_late_order_ticket", number)]
    ticket = staff_ticket(backend, said.messages[0]["ticket_id"])
    assert (ticket["reason"], ticket["order_number"]) == ("late order", number)
    assert events == [SlotSet("pending_confirmation", "human_handoff"), SlotSet("offered_ticket", ticket["id"])]
    # "yes" to the person offered hands that same ticket over
    answer = said_after(tracker, "utter_late_order_ticket", "yes please", "affirm",
                        pending_confirmation="human_handoff", offered_ticket=ticket["id"])
    handed = CollectingDispatcher()
    await ActionAnswerConfirmation().run(handed, answer, {})
    assert [(m["response"], m["ticket_id"]) for m in handed.messages] == [("utter_handoff_ticket", ticket["id"])]
    assert [t["id"] for t in tickets_of(backend, identity)] == [ticket["id"]]


async def test_the_late_order_chased_again_gets_its_open_ticket(backend):
    from actions.conversation import ActionHelp
    from tests.actions.test_orders import after_answer
    identity, number, slots = await late_order_answered(backend)
    chased = []
    for text in ("what will you do about it", "seriously, what are you going to do"):
        said = CollectingDispatcher()
        await ActionHelp().run(said, after_answer(identity, text, [("utter_order_late", {"number": number})],
                                                  slots=slots, intent="help"), {})
        chased.append((said.messages[0]["response"], said.messages[0]["ticket_id"]))
    assert [response for response, _ in chased] == ["utter_late_order_ticket", "utter_ticket_already_open"]
    assert chased[0][1] == chased[1][1]


async def test_help_or_nonsense_without_a_late_order_is_not_chased(backend):
    from actions.conversation import ActionHelp
    from actions.fallback import ActionFallback
    from tests.actions.test_orders import after_answer
    said = CollectingDispatcher()
    await ActionHelp().run(said, after_answer(new_identity(), "what can you do", [("utter_greet", {})],
                                              intent="help"), {})
    assert [m["response"] for m in said.messages] == ["utter_help"]
    identity, number, slots = await late_order_answered(backend)
    said = CollectingDispatcher()
    await ActionFallback().run(said, after_answer(identity, "blorp", [("utter_order_late", {"number": number})],
                                                  slots=slots, intent="nlu_fallback"), {})
    assert [m["response"] for m in said.messages] == ["utter_ask_rephrase"]
    assert tickets_of(backend, identity) == []
