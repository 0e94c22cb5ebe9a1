"""action_answer_faq: the selected FAQ answer, or that we don't deliver to the place asked about."""
from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.faq import ActionAnswerFaq
from tests.actions.conftest import load_tracker


def faq_tracker(text: str, selected: str):
    tracker = load_tracker("product_question", text=text)
    tracker.latest_message["intent"] = {"name": "faq", "confidence": 0.9}
    tracker.latest_message["response_selector"] = {
        "all_retrieval_intents": ["faq"],
        "faq": {"response": {"utter_action": selected, "intent_response_key": selected.removeprefix("utter_"),
                             "confidence": 0.8, "responses": []}, "ranking": []}}
    return tracker


@pytest.mark.parametrize("text, selected, said", [
    ("how much is shipping", "utter_faq/shipping_costs", ("utter_faq/shipping_costs", None)),
    ("delivery charges for usa?", "utter_faq/shipping_costs", ("utter_not_delivered_there", "the USA")),
    ("do i pay customs in india", "utter_faq/customs_duties", ("utter_not_delivered_there", "India")),
    ("can i pay by paypal from the usa", "utter_faq/payment_options", ("utter_faq/payment_options", None)),
])
async def test_faq_answer_unless_we_dont_deliver_there(dispatcher, text, selected, said):
    assert await ActionAnswerFaq().run(dispatcher, faq_tracker(text, selected), {}) == []
    assert [(m["response"], m.get("place")) for m in dispatcher.messages] == [said]


async def test_delivery_options_and_a_courier_question_about_an_order(backend, dispatcher):
    from tests.actions.test_orders import new_identity, place_order, ship
    plain = faq_tracker("what delivery options do you have", "utter_faq/shipping_costs")
    plain.latest_message["intent"] = {"name": "delivery_options", "confidence": 0.9}
    await ActionAnswerFaq().run(dispatcher, plain, {})
    canada = faq_tracker("do you ship to canada", "utter_faq/shipping_costs")
    canada.latest_message["intent"] = {"name": "delivery_options", "confidence": 0.9}
    await ActionAnswerFaq().run(dispatcher, canada, {})
    assert [(m["response"], m.get("place")) for m in dispatcher.messages] == [
        ("utter_delivery_options", None), ("utter_not_delivered_there", "Canada")]
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    ship(backend, identity, number)
    courier = faq_tracker("which courier?", "utter_faq/shipping_costs")
    courier.sender_id = identity
    courier.slots["order_id"] = number
    dispatcher.messages.clear()
    await ActionAnswerFaq().run(dispatcher, courier, {})
    assert [(m["response"], m.get("carrier")) for m in dispatcher.messages] == [("utter_order_status_shipped", "DHL")]


async def test_a_request_to_delete_the_data_is_asked_first_and_unsubscribing_opens_a_ticket(backend):
    """"please delete my account and all my data" got the privacy FAQ and nothing was done; then it
    filed the deletion at once, on a question too (qa3-3): the deletion is asked first
    (tests/actions/test_qa15_support.py), the unsubscribe is filed."""
    from rasa_sdk.events import SlotSet

    from tests.actions.test_orders import new_identity
    from tests.actions.test_support import tickets_of
    for text, said, reasons in (("please delete my account and all my data", "utter_confirm_data_deletion", []),
                                ("unsubscribe me from your emails", "utter_unsubscribe_ticket", ["unsubscribe request"])):
        dispatcher = CollectingDispatcher()
        tracker = faq_tracker(text, "utter_faq/account")
        tracker.sender_id = new_identity()
        events = await ActionAnswerFaq().run(dispatcher, tracker, {})
        assert events == ([SlotSet("pending_confirmation", "human_handoff")] if not reasons else []), text
        assert [m["response"] for m in dispatcher.messages] == [said], text
        assert [t["reason"] for t in tickets_of(backend, tracker.sender_id)] == reasons, text
    plain = CollectingDispatcher()
    await ActionAnswerFaq().run(plain, faq_tracker("do i need an account to order", "utter_faq/account"), {})
    assert [m["response"] for m in plain.messages] == ["utter_faq/account"]


@pytest.mark.parametrize("text, selected, said", [
    ("how much does shipping cost and do you take paypal", "utter_faq/shipping_costs",
     ["utter_faq/shipping_costs", "utter_faq/payment_options"]),
    ("whats ur return policy and how long is the warranty on kettles", "utter_faq/refund_policy",
     ["utter_faq/refund_policy", "utter_faq/warranty"]),
    ("do you charge for delivery, can I pay by bank transfer, and what is your returns policy?",
     "utter_faq/refund_policy", ["utter_faq/refund_policy", "utter_faq/shipping_costs", "utter_faq/payment_options"]),
    ("can i pay with paypal", "utter_faq/payment_options", ["utter_faq/payment_options"]),
])
async def test_every_question_of_a_message_is_answered(dispatcher, text, selected, said):
    """Only the first of two or three questions in one message had been answered."""
    await ActionAnswerFaq().run(dispatcher, faq_tracker(text, selected), {})
    assert [m["response"] for m in dispatcher.messages] == said


PASTED = """Hi, I got this email:
Subject: Your Hearth & Bean order {number} is confirmed
Thank you for your order!
1 x Ceramic Mug Blue  €12.90
2 x Colombia Huila Beans 250 g  €23.80
Ship to: Liam O'Connor, 9 Quay Street, Galway H91 E2RT, Ireland
when will it ship?"""


async def test_a_pasted_confirmation_or_an_order_named_with_when_it_ships_is_about_that_order(backend):
    """t4 M9: a pasted confirmation listing "2 x Colombia Huila Beans 250 g" got "we don't deliver
    to Colombia", and "no im in ireland. order OB-… when does it ship" the delivery options: both
    are about that order (another chat's: its email is asked for). A product's origin is no
    destination; a place asked about still is."""
    from tests.actions.test_orders import new_identity, place_order
    number = place_order(backend, new_identity(), email="liam@example.ie")["number"]
    pasted = PASTED.format(number=number)
    start = pasted.index("Colombia")
    beans = [{"entity": "order_id", "value": number},
             {"entity": "product", "value": "Colombia Huila Beans 250 g", "skus": ["COF-COL-250"],
              "start": start, "end": start + len("Colombia Huila Beans")}]
    for text, entities in ((pasted, beans), (f"no im in ireland. order {number} when does it ship",
                                             [{"entity": "order_id", "value": number}])):
        dispatcher = CollectingDispatcher()
        tracker = faq_tracker(text, "utter_faq/shipping_costs")
        tracker.latest_message["intent"] = {"name": "delivery_options", "confidence": 0.3}
        tracker.latest_message["entities"] = entities
        await ActionAnswerFaq().run(dispatcher, tracker, {})
        assert [(m["response"], m.get("number")) for m in dispatcher.messages] == [
            ("utter_ask_order_contact", number)], text
    dispatcher = CollectingDispatcher()
    listed = faq_tracker("do you have colombia beans and do you ship to colombia", "utter_faq/shipping_costs")
    listed.latest_message["entities"] = [{"entity": "product", "value": "Colombia Huila Beans 250 g",
                                          "skus": ["COF-COL-250"], "start": 12, "end": 26}]
    await ActionAnswerFaq().run(dispatcher, listed, {})
    assert [(m["response"], m.get("place")) for m in dispatcher.messages] == [("utter_not_delivered_there", "Colombia")]


async def test_express_asked_for_says_how_it_can_be_had(dispatcher):
    """"i want express delivery pls" at the summary got the list of countries we deliver to."""
    tracker = faq_tracker("i want express delivery pls", "utter_faq/shipping_costs")
    tracker.latest_message["intent"] = {"name": "delivery_options", "confidence": 0.8}
    await ActionAnswerFaq().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_faq/shipping_costs"]
