"""QA round 16 (verification), against a real backend: a yes that asks the team to add an extra at
the order's summary passes it on and holds the order (never places it); a 6-digit postcode after a
delivery question is no order number; a confirmation email asked about is answered; a gift voucher
is not sold; a no to the return's question declines it.
"""
from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation
from actions.faq import ActionAnswerFaq
from actions.inform import ActionHandleInform
from actions.order_hold import pass_the_extra_on
from actions.order_wording import asks_about_a_confirmation_email
from actions.orders import ActionTrackOrder, said_order_number
from actions.support import ActionOpenTicket
from tests.actions.test_change_order import order_view_of
from tests.actions.test_faq import faq_tracker
from tests.actions.test_orders import new_identity, place_order
from tests.actions.test_qa15_support import responses, turn
from tests.actions.test_returns import delivered, returning
from tests.actions.test_qa16_draft_hold import STILL_WAITING, an_order_at_its_summary, at_the_summary, order
from tests.actions.test_support import tickets_of

HELD = "utter_team_extra_order_held"
DISCOUNT_FAQ = ("utter_faq/discounts", "Sign up to our newsletter … for a code, ask for a person before you confirm.")


# --- B: "yes get a person to do it" after asking for a discount code at the summary ----------------

CODE_ASKED = "wait i have code SAVE15, can you apply it"
# ActionAnswerConfirmation reads the yes (actions/cancel.py): the hook, among its answers beside the question
# (actions/confirmation_asides.py), is `passed_on = await pass_the_extra_on(dispatcher, tracker)`; if not None, return it.


def yes_after_the_code_faq(identity: str, number: str, text: str):
    yes = at_the_summary(identity, number, text, "affirm", [DISCOUNT_FAQ, STILL_WAITING])
    yes.events[3]["text"] = CODE_ASKED  # what the customer said to the summary
    return yes


def assert_passed_on_and_held(backend, identity: str, number: str, dispatcher: CollectingDispatcher,
                              about: str, reason: str) -> None:
    assert responses(dispatcher) == [HELD, "utter_confirm_order_after_aside"]
    assert dispatcher.messages[0]["about"] == about
    assert order(backend, identity, number)["status"] == "pending"
    assert [(t["reason"], t["order_number"], t["handoff_active"]) for t in tickets_of(backend, identity)] == [
        (reason, number, False)]


@pytest.mark.parametrize("text", ["yes get a person to do it", "yes, ask your team", "yes someone please"])
async def test_a_yes_asking_the_team_for_the_code_holds_the_order_and_opens_its_ticket(backend, text):
    identity, number = await an_order_at_its_summary(backend)
    dispatcher = CollectingDispatcher()
    events = await pass_the_extra_on(dispatcher, yes_after_the_code_faq(identity, number, text))
    assert_passed_on_and_held(backend, identity, number, dispatcher, "your discount code",
                              "discount code for an order in chat")
    assert SlotSet("pending_confirmation", "place_order") in events


@pytest.mark.parametrize("text", ["yes get a person to do it", "yes someone please"])
async def test_the_yes_read_by_the_confirmation_never_places_the_order(backend, text):
    """QA16v B: "wait i have code SAVE15, can you apply it" → the discount FAQ and "Your order is
    still waiting: shall I place it?"; "yes get a person to do it" placed the order, no ticket."""
    identity, number = await an_order_at_its_summary(backend)
    dispatcher = CollectingDispatcher()
    await ActionAnswerConfirmation().run(dispatcher, yes_after_the_code_faq(identity, number, text), {})
    assert_passed_on_and_held(backend, identity, number, dispatcher, "your discount code",
                              "discount code for an order in chat")


async def test_the_yes_read_as_a_request_for_a_person_passes_the_code_on_too(backend):
    """ "yes, ask your team" is read as contact_human_agent: the ticket about the code, the order held."""
    identity, number = await an_order_at_its_summary(backend)
    asked = yes_after_the_code_faq(identity, number, "yes, ask your team")
    asked.latest_message["intent"] = {"name": "contact_human_agent", "confidence": 0.51}
    dispatcher = CollectingDispatcher()
    await ActionOpenTicket().run(dispatcher, asked, {})
    assert_passed_on_and_held(backend, identity, number, dispatcher, "your discount code",
                              "discount code for an order in chat")


@pytest.mark.parametrize("text, said", [
    ("yes", [DISCOUNT_FAQ, STILL_WAITING]),  # a plain yes places it, as the FAQ said it can
    ("yes place it, no need for a person", [DISCOUNT_FAQ, STILL_WAITING]),
    ("yes get a person to do it", [("utter_faq/shipping_costs", "Standard delivery …"), STILL_WAITING]),
])
async def test_other_yeses_at_the_summary_are_left_to_the_confirmation(backend, text, said):
    identity, number = await an_order_at_its_summary(backend)
    tracker = at_the_summary(identity, number, text, "affirm", said)
    if said[0] == DISCOUNT_FAQ:
        tracker.events[3]["text"] = CODE_ASKED
    dispatcher = CollectingDispatcher()
    assert await pass_the_extra_on(dispatcher, tracker) is None
    assert dispatcher.messages == [] and tickets_of(backend, identity) == []
    await ActionAnswerConfirmation().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_order_placed"]


async def test_express_asked_of_the_team_in_an_faq_question_at_the_summary_is_passed_on(backend):
    """QA16v B (minor): "i need express delivery on this, can someone from your team add it" at the
    summary only got the shipping FAQ."""
    identity, number = await an_order_at_its_summary(backend)
    tracker = faq_tracker("i need express delivery on this, can someone from your team add it",
                          "utter_faq/shipping_costs")
    tracker.sender_id = identity
    tracker.slots.update({"pending_confirmation": "place_order", "pending_order": number})
    dispatcher = CollectingDispatcher()
    await ActionAnswerFaq().run(dispatcher, tracker, {})
    assert_passed_on_and_held(backend, identity, number, dispatcher, "express shipping",
                              "express shipping for an order in chat")


async def test_express_asked_about_without_the_team_at_the_summary_is_the_faq(backend):
    identity, number = await an_order_at_its_summary(backend)
    tracker = faq_tracker("can i get express delivery on this", "utter_faq/shipping_costs")
    tracker.sender_id = identity
    tracker.slots.update({"pending_confirmation": "place_order", "pending_order": number})
    dispatcher = CollectingDispatcher()
    await ActionAnswerFaq().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_faq/shipping_costs", "utter_confirm_order_after_aside"]
    assert tickets_of(backend, identity) == []


# --- 3: a 6-digit postcode after a delivery question is no order number ----------------------------

NOT_THERE = ("utter_not_delivered_there", "Sorry, we don't deliver to Bangalore: we ship across the EU, …")
SHIPPING = ("utter_delivery_options", "We ship across the EU, the UK, Switzerland and Norway …")


def number_said(identity: str, text: str, number: str, said) -> Tracker:
    """`text` read as inform with the NLU's order_id entity `number` (its regex takes any 4-8 digits)."""
    tracker = turn(identity, text, "inform", said)
    start = text.index(number)
    tracker.latest_message["entities"] = [{"entity": "order_id", "value": number, "start": start,
                                           "end": start + len(number), "extractor": "RegexEntityExtractor"}]
    return tracker


@pytest.mark.parametrize("text, number, said, answer", [
    ("ok what about 400001 mumbai", "400001", NOT_THERE, ("utter_not_delivered_there", "place", "Mumbai")),
    ("and 110001 delhi?", "110001", SHIPPING, ("utter_not_delivered_there", "place", "Delhi")),
    ("and 110001?", "110001", SHIPPING, ("utter_not_delivered_to_pin_code", "postcode", "110001")),
    ("what about 560001", "560001", NOT_THERE, ("utter_not_delivered_to_pin_code", "postcode", "560001")),
])
async def test_a_postcode_after_a_delivery_question_is_answered_as_a_place(backend, text, number, said, answer):
    """QA16v 3: "do you deliver to bangalore india" → no; "ok what about 400001 mumbai" → "I can't
    find order 400001 on this chat…" (and "do you ship to germany", "and 110001 delhi?" the same)."""
    identity, dispatcher = new_identity(), CollectingDispatcher()
    place_order(backend, identity)  # an order on the chat: still no lookup of "order 400001"
    events = await ActionHandleInform().run(dispatcher, number_said(identity, text, number, [said]), {})
    response, key, value = answer
    assert [(m["response"], m.get(key)) for m in dispatcher.messages] == [(response, value)]
    assert not any(e.get("name") == "order_id" for e in events)


async def test_a_number_with_a_place_is_a_postcode_whatever_came_before(backend):
    identity, dispatcher = new_identity(), CollectingDispatcher()
    await ActionTrackOrder().run(dispatcher, number_said(identity, "mumbai 400001?", "400001", []), {})
    assert responses(dispatcher) == ["utter_not_delivered_there"]


@pytest.mark.parametrize("text, said", [
    ("order 110001", [SHIPPING]),  # named as an order
    ("110001", [("utter_ask_order_number", "… What's your order number? …")]),
    ("and 110001?", [("utter_order_status_pending", "Order OB-… is waiting …")]),
])
async def test_a_number_given_as_an_order_is_still_looked_up(backend, text, said):
    identity, dispatcher = new_identity(), CollectingDispatcher()
    tracker = number_said(identity, text, "110001", said)
    await ActionHandleInform().run(dispatcher, tracker, {})
    assert "utter_not_delivered_to_pin_code" not in responses(dispatcher)
    assert "utter_not_delivered_there" not in responses(dispatcher)
    assert said_order_number(tracker) == "110001"


# --- 14: the confirmation email asked about; a voucher is not sold -------------------------------

@pytest.mark.parametrize("text", ["i never got a confirmation mail for my order??", "did you send a conf email",
                                  "where is the order email", "i didnt get any mail", "no mail received yet",
                                  "haven't received the order confirmation mail"])
async def test_a_confirmation_mail_asked_about_says_no_email_is_sent_for_chat_orders(backend, text):
    """QA16v 14: "i never got a confirmation mail for my order??" got the order status alone."""
    identity, dispatcher = new_identity(), CollectingDispatcher()
    number = place_order(backend, identity)["number"]
    await ActionTrackOrder().run(dispatcher, turn(identity, text, "track_order"), {})
    assert responses(dispatcher)[:2] == ["utter_order_confirmed_in_chat", "utter_order_status_pending"]
    assert dispatcher.messages[1]["number"] == number


@pytest.mark.parametrize("text, about", [
    ("i never got a confirmation mail for my order??", True), ("did you send a conf email", True),
    ("where is the order email", True), ("i didnt get any mail", True), ("no mail received yet", True),
    ("my email is ada@example.com", False), ("can you mail me the invoice", False),
    ("the mail says it shipped but where is it", False), ("change the email on my order", False),
    ("i didnt get my order", False), ("did you get my mail about the refund", False),
])
def test_what_asks_about_a_confirmation_email(text, about):
    assert asks_about_a_confirmation_email(text) is about


@pytest.mark.parametrize("text", ["can i buy a voucher for my mum's birthday", "do you sell vouchers",
                                  "can i get a voucher as a present for a friend"])
async def test_a_voucher_to_buy_is_not_sold(text):
    """QA16v 14 (minor): "can i buy a voucher for my mum's birthday" got the gift wrapping answer."""
    dispatcher = CollectingDispatcher()
    await ActionAnswerFaq().run(dispatcher, faq_tracker(text, "utter_faq/gift_wrapping"), {})
    assert responses(dispatcher) == ["utter_no_gift_cards"]


@pytest.mark.parametrize("text", ["i have a voucher code, can i use it", "where do i enter my voucher"])
async def test_a_voucher_to_use_is_a_discount(text):
    dispatcher = CollectingDispatcher()
    await ActionAnswerFaq().run(dispatcher, faq_tracker(text, "utter_faq/discounts"), {})
    assert responses(dispatcher) == ["utter_faq/discounts"]


async def test_a_postcode_we_deliver_to_after_a_delivery_answer_gets_where_we_deliver(backend):
    identity, dispatcher = new_identity(), CollectingDispatcher()
    place_order(backend, identity)
    await ActionHandleInform().run(dispatcher, number_said(identity, "and 10115 then?", "10115", [SHIPPING]), {})
    assert responses(dispatcher) == ["utter_delivery_options"]


# --- A: a no to the return's question declines it ---------------------------------------------------

RETURN_ASKED = ("utter_confirm_return", "Shall I register the return of the whole of order OB-…?")
TEAS = ("utter_product_list", "We have these teas: …")


async def a_return_asked(backend) -> tuple:
    """(identity, the return's slots) at its summary for a delivered order of one blue mug."""
    identity = new_identity()
    number = delivered(backend, identity, ("MUG-CER-BLU", 1))
    slots = {"target_order": order_view_of(backend, identity, number),
             "return_items": [{"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 1}],
             "return_reason": "changed my mind", "pending_confirmation": "return_order"}
    return identity, slots


# The fixes are in modules other helpers edit (see the report): parsing.decided_answer reads a no
# after "hmm"; cancel.ActionAnswerConfirmation lets a no to the return stand after an aside.


@pytest.mark.parametrize("text, said", [
    pytest.param("hmm no dont return it", [RETURN_ASKED]),
    pytest.param("no", [RETURN_ASKED, TEAS]),  # after an unrelated answer
    ("no, dont return it", [RETURN_ASKED]),
])
async def test_a_no_to_the_return_declines_it(backend, text, said):
    """QA16v A: "hmm no dont return it" to "Shall I register the return …?" got the same question
    again; after "what teas do you have" (the list), "no" got it again too."""
    identity, slots = await a_return_asked(backend)
    number = slots["target_order"]["number"]
    tracker = turn(identity, text, "deny", said, slots)
    dispatcher = CollectingDispatcher()
    await ActionAnswerConfirmation().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_return_not_requested"]
    assert returning(backend, identity, number) == {}
