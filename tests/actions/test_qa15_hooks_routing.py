"""QA round 15, where a message goes whatever the NLU read: items with the address they go to, a
rating said as "8/10" or with a delivery question's words, a new name at the order summary, places
we don't deliver to named with "the", and delivery questions the general delivery answer missed.
Against a real backend; entities as the NLU gives them."""
from __future__ import annotations

import pytest
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.catalogue import ActionShowProducts
from actions.faq import ActionAnswerFaq
from actions.inform import ActionHandleInform
from actions.orders import ActionDeliveryTime, ActionTrackOrder, gives_feedback
from actions.parsing import asks_to_buy, foreign_place, only_asks, wants_to_order
from tests.actions.conftest import load_tracker
from tests.actions.test_faq import faq_tracker
from tests.actions.test_orders import new_identity, place_order, tracker_for
from tests.actions.test_qa15_addresses import KARI, summary_slots

INES = "Ines Costa, Rua das Flores 5, 4050-262 Porto, Portugal"


def product(text: str, words: str, sku: str, quantity: int) -> dict:
    """The product entity for `words` in `text`, its count on it (no quantity entity of its own)."""
    start = text.index(words)
    return {"entity": "product", "value": words, "skus": [sku], "start": start, "end": start + len(words),
            "quantity": quantity}


@pytest.mark.parametrize("text, words, sku, quantity", [
    (f"3 cast iron teapots to {INES}", "cast iron teapots", "TEA-POT-CST", 3),
    (f"1 tea infuser to {INES}", "tea infuser", "TEA-INF-STL", 1),
])
async def test_items_and_the_address_they_go_to_asked_as_a_product_question_are_an_order(
        backend, text, words, sku, quantity):
    """F36: "3 cast iron teapots to Ines Costa, …, Portugal" read as a product question listed the
    teapots instead of starting the order."""
    tracker = load_tracker("product_question", text, [product(text, words, sku, quantity)])
    said = CollectingDispatcher()
    assert await ActionShowProducts().run(said, tracker, {}) == [FollowupAction("order_form")]
    assert said.messages == []


@pytest.mark.parametrize("text, asks", [
    (f"3 cast iron teapots to {INES}", False), (f"i want 3 cast iron teapots to {INES}", False),
    ("how much does the teapot cost", True), ("what's the price of the mug", True), ("whats the price", True),
    ("is the mug microwaveable", True), ("what do they cost?", True), ("2 mugs, whatever colour", False),
])
def test_a_name_holding_a_question_word_is_no_question(text, asks):
    """F36: "Costa" read as "cost" made the order a question about prices."""
    assert only_asks(text) is asks
    if text.startswith("i want"):
        assert asks_to_buy(text) and wants_to_order(text)


@pytest.mark.parametrize("text", ["4/5", "10/10", "8/10", "delivery was slow, 2/5"])
async def test_a_rating_said_alone_is_feedback_unless_a_question_waits(backend, text):
    """"4/5", "10/10", "8/10" read as inform: a rating (by way of the product answer, whose rating
    check comes before any search), not an order number asked for."""
    said = CollectingDispatcher()
    tracker = tracker_for(new_identity(), text)
    tracker.latest_message["intent"] = {"name": "inform", "confidence": 0.6}
    assert await ActionHandleInform().run(said, tracker, {}) == [FollowupAction("feedback_form")]
    assert said.messages == []
    assert gives_feedback(tracker_for(new_identity(), text))
    for slots in ({"requested_info": "order_id", "order_task": "track"}, {"requested_slot": "shipping_address"}):
        assert not gives_feedback(tracker_for(new_identity(), text, slots=slots))


def test_an_address_with_a_slash_in_its_number_is_no_rating():
    assert not gives_feedback(tracker_for(new_identity(), "Ada Rossi, Via Roma 3/5, 00100 Roma, Italy"))
    assert gives_feedback(tracker_for(new_identity(), "just wanted to say the mugs we got are lovely"))


async def test_a_rating_with_delivery_or_product_words_is_feedback(backend):
    """"delivery was slow, 2/5" (delivery_time), "shipping was super fast, 5/5" (an FAQ) and "the
    cast iron teapot is lovely, 5 stars" (its 5 a count to the NLU) are reviews."""
    said = CollectingDispatcher()
    slow = tracker_for(new_identity(), "delivery was slow, 2/5")
    assert await ActionDeliveryTime().run(said, slow, {}) == [FollowupAction("feedback_form")]
    fast = faq_tracker("shipping was super fast, 5/5", "utter_faq/shipping_costs")
    fast.sender_id = new_identity()
    assert await ActionAnswerFaq().run(said, fast, {}) == [FollowupAction("feedback_form")]
    text = "the cast iron teapot is lovely, 5 stars"
    five = {"entity": "quantity", "value": "5", "start": 32, "end": 33, "implicit": False}
    lovely = load_tracker("product_question", text, [product(text, "cast iron teapot", "TEA-POT-CST", 5), five])
    assert await ActionShowProducts().run(said, lovely, {}) == [FollowupAction("feedback_form")]
    assert said.messages == []


@pytest.mark.parametrize("action", [ActionHandleInform, ActionTrackOrder])
async def test_a_new_name_at_the_summary_shows_the_summary_again_with_that_name(backend, action):
    """F8: "the name is wrong, it should be just Nina Kovač" at the summary got the order's status."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    tracker = tracker_for(identity, "the name is wrong, it should be just Nina Kovač", slots=summary_slots(number))
    said = CollectingDispatcher()
    events = await action().run(said, tracker, {})
    assert [m["response"] for m in said.messages] == ["utter_confirm_order"]
    assert SlotSet("shipping_address", {**KARI, "name": "Nina Kovač"}) in events


@pytest.mark.parametrize("text, place", [
    ("we want it shipped to the US", "the US"), ("delivery to usa?", "the USA"), ("ship to U.S.A.", "the U.S.A."),
    ("do you deliver to uae", "the UAE"), ("do you ship to the united states of america", "the United States of America"),
    ("ship to the canary islands?", "the Canary Islands"), ("bosnia and herzegovina?", "Bosnia and Herzegovina"),
    ("how long to mumbai", "Mumbai"), ("can you deliver to us by friday", None),
])
def test_a_place_we_dont_deliver_to_is_named_with_its_article(text, place):
    """"Sorry, we don't deliver to US" read as broken English: "to the US"."""
    assert foreign_place(text) == place


@pytest.mark.parametrize("text, selected, said", [
    ("do you deliver on weekends", "utter_faq/shipping_costs", ["utter_delivery_days"]),
    ("can i choose a delivery time slot", "utter_faq/shipping_costs", ["utter_delivery_days"]),
    ("can the courier leave it with a neighbour", "utter_faq/shipping_costs", ["utter_delivery_not_home"]),
    ("do you ship to a packstation", "utter_faq/shipping_costs", ["utter_delivery_any_address"]),
    ("can i send it to my office address instead of home", "utter_faq/shipping_costs", ["utter_delivery_any_address"]),
    ("do you deliver on saturdays and do you take paypal", "utter_faq/shipping_costs",
     ["utter_delivery_days", "utter_faq/payment_options"]),
    ("do you ship to spain", "utter_faq/shipping_costs", ["utter_delivery_options"]),
    ("can i send it to my office in canada", "utter_faq/shipping_costs", ["utter_not_delivered_there"]),
])
async def test_a_question_about_how_the_parcel_comes_gets_its_own_answer(backend, text, selected, said):
    """t3 F19: "do you deliver on weekends", "can the courier leave it with a neighbour", "do you
    ship to a packstation" got the general "We ship across the EU…"."""
    tracker = faq_tracker(text, selected)
    tracker.latest_message["intent"] = {"name": "delivery_options", "confidence": 0.9}
    tracker.sender_id = new_identity()
    dispatcher = CollectingDispatcher()
    assert await ActionAnswerFaq().run(dispatcher, tracker, {}) == []
    assert [m["response"] for m in dispatcher.messages] == said


async def test_a_gift_sent_to_someone_else_says_any_address_works_and_the_gift_wrap(backend):
    """t3 F19: "can i send this as a gift to my mom in spain" got only the gift wrapping."""
    tracker = faq_tracker("can i send this as a gift to my mom in spain", "utter_faq/gift_wrapping")
    tracker.sender_id = new_identity()
    dispatcher = CollectingDispatcher()
    await ActionAnswerFaq().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_delivery_any_address", "utter_faq/gift_wrapping"]
    wrap = faq_tracker("do you gift wrap for my mum", "utter_faq/gift_wrapping")
    wrap.sender_id = new_identity()
    dispatcher = CollectingDispatcher()
    await ActionAnswerFaq().run(dispatcher, wrap, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_faq/gift_wrapping"]
