"""QA session 15, complaints about what came (verify-2 N4 N8, verify-3 N1 N20 N21): a stale, torn,
chipped or short delivery is never a new order, a product list or "I hope you enjoy it!"."""
from __future__ import annotations

import uuid

from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.catalogue import ActionShowProducts
from actions.ordering import ValidateOrderForm
from actions.orders import ActionTrackOrder, complains_about_what_came
from actions.support import complains
from tests.actions.conftest import load_tracker
from tests.actions.test_ordering import DOMAIN, form_tracker, orders_of
from tests.actions.test_orders import new_identity, tracker_for
from tests.actions.test_returns import delivered, start
from tests.actions.test_support import tickets_of

SENCHA = [{"entity": "product", "value": "sencha", "skus": ["TEA-SEN-100"], "start": 4, "end": 10}]


def responses(dispatcher):
    return [m["response"] for m in dispatcher.messages]


def test_spoilt_torn_and_short_deliveries_are_complaints():
    for text in ("the sencha is stale and smells weird", "my english breakfast tea bag was torn open",
                 "your product is trash, the tea tasted like dust", "coffee arrived, smells off",
                 "parcel came but only 1 travel mug inside, i ordered 2"):
        assert complains(text), text
    for text in ("what does the sencha taste like", "does it smell nice", "only 2 left in stock?", "is the sencha fresh"):
        assert not complains(text), text
    for text in ("the tracking number is not working", "my parcel is missing", "where is my order"):
        assert not complains_about_what_came(text), text


async def test_a_stale_tea_of_a_delivered_order_is_its_free_return_not_a_new_order(backend):
    """N20 [critical]: "the sencha is stale and smells weird" started a new order of sencha, and
    two yeses placed it."""
    identity = new_identity()
    delivered(backend, identity, ("TEA-SEN-100", 1))
    text = "the sencha is stale and smells weird"
    said = CollectingDispatcher()
    events = await ValidateOrderForm().run(said, form_tracker(identity, text, "place_order", SENCHA), DOMAIN)
    assert events == [SlotSet("requested_slot", None), FollowupAction("return_form")] and said.messages == []
    assert len(orders_of(backend, identity)) == 1  # no new order
    _, returned = await start(identity, text, SENCHA)  # the return form it goes to says sorry first
    assert responses(returned)[0] == "utter_return_sorry_faulty"


async def test_a_torn_tea_bag_without_an_order_is_a_complaint_ticket(backend):
    """verify-3: "my english breakfast tea bag was torn open" got "How many English Breakfast Tea?"."""
    identity = new_identity()
    text = "my english breakfast tea bag was torn open"
    tea = [{"entity": "product", "value": "english breakfast tea", "skus": ["TEA-EBF-250"], "start": 3, "end": 24}]
    said = CollectingDispatcher()
    events = await ValidateOrderForm().run(said, form_tracker(identity, text, "place_order", tea), DOMAIN)
    assert responses(said) == ["utter_complaint_ticket"]
    assert events[-2:] == [SlotSet("requested_slot", None), FollowupAction("action_listen")]
    assert [t["reason"] for t in tickets_of(backend, identity)] == ["complaint"]


async def test_tea_that_tastes_like_dust_is_no_product_list(backend):
    """N1: "your product is trash, the tea tasted like dust" got a list of teas."""
    for text in ("your product is trash, the tea tasted like dust", "the tea i got tastes like dust, its stale"):
        tracker = load_tracker("product_question", text=text,
                               entities=[{"entity": "category", "value": "Tea"}])
        tracker.sender_id = f"web:{uuid.uuid4().hex}"
        said = CollectingDispatcher()
        events = await ActionShowProducts().run(said, tracker, {})
        assert responses(said) == ["utter_complaint_ticket"], text
        assert SlotSet("pending_confirmation", "human_handoff") in events


async def test_a_chipped_cup_of_a_delivered_order_is_no_enjoy_it(backend):
    """N4: "got it today but one of the cups is chipped :( what do i do" got "I hope you enjoy it!"."""
    identity = new_identity()
    delivered(backend, identity, ("MUG-ESP-SET", 1))
    said = CollectingDispatcher()
    events = await ActionTrackOrder().run(
        said, tracker_for(identity, "got it today but one of the cups is chipped :( what do i do"), {})
    assert events == [FollowupAction("return_form")] and said.messages == []


async def test_a_mug_short_in_the_parcel_opens_a_ticket_on_that_order(backend):
    """N8: "parcel came but only 1 travel mug inside, i ordered 2" got "I hope you enjoy it!"."""
    identity = new_identity()
    number = delivered(backend, identity, ("MUG-TRV-STL", 2))
    said = CollectingDispatcher()
    mug = [{"entity": "product", "value": "travel mug", "skus": ["MUG-TRV-STL"]}]
    events = await ActionTrackOrder().run(
        said, tracker_for(identity, "parcel came but only 1 travel mug inside, i ordered 2", mug), {})
    assert responses(said) == ["utter_complaint_ticket"]
    assert SlotSet("pending_confirmation", "human_handoff") in events
    [ticket] = tickets_of(backend, identity)
    assert (ticket["reason"], ticket["order_number"]) == ("complaint", number)


async def test_nothing_at_my_door_is_a_delivered_order_not_received(backend):
    """N21: "package shows delivered but nothing at my door" got "I hope you enjoy it!"."""
    identity = new_identity()
    delivered(backend, identity, ("MUG-CER-BLU", 1))
    for text in ("package shows delivered but nothing at my door", "it's not at my door", "never got it"):
        said = CollectingDispatcher()
        await ActionTrackOrder().run(said, tracker_for(identity, text), {})
        assert responses(said) == ["utter_order_delivered_not_received"], text


async def test_a_complaint_read_as_out_of_scope_is_a_complaint(backend):
    """N1: "coffee arrived, smells off" read as out of scope got "that's outside what I can help with"."""
    from actions.fallback import ActionFallback
    tracker = tracker_for(new_identity(), "coffee arrived, smells off")
    tracker.latest_message["intent"] = {"name": "out_of_scope", "confidence": 0.7}
    said = CollectingDispatcher()
    await ActionFallback().run(said, tracker, {})
    assert responses(said) == ["utter_complaint_ticket"]


def test_tastes_like_dust_and_smells_off_are_the_shops_fault():
    from actions.return_reasons import DAMAGED
    from actions.return_confirmation import FAULTY
    for text in ("it tastes like dust", "the beans smell off", "tasted weird"):
        assert FAULTY.search(text) and DAMAGED.search(text), text
