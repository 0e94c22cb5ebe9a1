"""QA round 15, late ordering fixes: the order form the offer of a person paused goes on after
another miss or an answer to its question, "i'll take it" after one of the kettles asked about
takes that kettle (verify-3 F10); "a mug and a teapot (please)" is an order (findings-1 F14)."""
from __future__ import annotations

from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.catalogue import ActionShowProducts
from actions.fallback import ActionDefaultFallback, ActionFallback
from actions.ordering import ValidateOrderForm
from tests.actions.test_ordering import form_tracker
from tests.actions.test_orders import new_identity, tracker_for
from tests.actions.test_qa15_final_ordering import DOMAIN, slots_of

KETTLES = [{"sku": "KET-ELC-STL", "name": "Electric Kettle 1.7 L Steel"},
           {"sku": "KET-GOO-BLK", "name": "Gooseneck Pour-Over Kettle Black"},
           {"sku": "KET-STV-RED", "name": "Stovetop Whistling Kettle Red"}]
WHICH_KETTLE = [{"sku": None, "name": "kettle", "quantity": 1, "candidates": KETTLES}]  # "get me 1 kettle"
UNDER_THE_OFFER = {"order_draft": WHICH_KETTLE, "pending_confirmation": "human_handoff", "paused_form": "order_form"}
BACK_TO_THE_ORDER = [SlotSet("pending_confirmation", None), SlotSet("paused_form", None), FollowupAction("order_form")]


def after_the_offer(text: str, intent: str, slots=None, entities=None):
    """ "sdfkjh", "xxyyzz" (a person offered, "which kettle?" paused), then `text`."""
    tracker = tracker_for(new_identity(), text, entities=entities, slots={**UNDER_THE_OFFER, **(slots or {})})
    tracker.latest_message["intent"] = {"name": intent, "confidence": 0.4}
    tracker.events = [{"event": "user", "text": "get me 1 kettle", "parse_data": {"intent": {"name": "place_order"}}}]
    for miss, said in (("sdfkjh", "utter_ask_rephrase"), ("xxyyzz", "utter_offer_human")):
        tracker.events += [{"event": "user", "text": miss, "parse_data": {"intent": {"name": "nlu_fallback"}}},
                           {"event": "bot", "metadata": {"utter_action": said}}]
    tracker.events += [{"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}]
    return tracker


async def test_another_miss_at_the_offer_of_a_person_goes_back_to_the_order(backend):
    said = CollectingDispatcher()
    events = await ActionFallback().run(said, after_the_offer("??", "out_of_scope"), {})
    assert [m["response"] for m in said.messages] == ["utter_out_of_scope"] and events == BACK_TO_THE_ORDER
    said = CollectingDispatcher()
    events = await ActionDefaultFallback().run(said, after_the_offer("hmm the what", "inform"), {})
    assert [m["response"] for m in said.messages] == ["utter_default"] and events == BACK_TO_THE_ORDER
    # the form, back, reads nothing into "??" and asks "which kettle?" again
    slots = {"order_draft": WHICH_KETTLE, "requested_slot": None}
    events = await ValidateOrderForm().run(said, form_tracker(new_identity(), "??", "out_of_scope", slots=slots), DOMAIN)
    assert not slots_of(events).get("order_items")


async def test_the_gooseneck_one_at_the_offer_answers_which_kettle(backend):
    tracker = after_the_offer("the gooseneck one", "product_info")
    said = CollectingDispatcher()
    events = await ActionShowProducts().run(said, tracker, DOMAIN)
    assert said.messages == [] and events == [SlotSet("pending_confirmation", None), SlotSet("paused_form", None),
                                              SlotSet("requested_slot", "order_items"), FollowupAction("order_form")]
    slots = {"order_draft": WHICH_KETTLE, "requested_slot": "order_items"}
    events = await ValidateOrderForm().run(
        CollectingDispatcher(), form_tracker(new_identity(), "the gooseneck one", "product_info", slots=slots), DOMAIN)
    assert [(i["sku"], i["quantity"]) for i in slots_of(events)["order_items"]] == [("KET-GOO-BLK", 1)]


async def test_ill_take_it_after_one_of_the_kettles_asked_about_takes_that_kettle(backend):
    shown = {"shown_products": ["KET-GOO-BLK"]}
    tracker = after_the_offer("ok i'll take it", "affirm", slots=shown)
    tracker.events.insert(-1, {"event": "bot", "metadata": {"utter_action": "utter_product_list"}})
    assert await ActionShowProducts().run(CollectingDispatcher(), tracker, DOMAIN) == BACK_TO_THE_ORDER
    slots = {"order_draft": WHICH_KETTLE, "requested_slot": None, **shown}
    tracker = form_tracker(new_identity(), "ok i'll take it", "affirm", slots=slots)
    tracker.events.insert(0, {"event": "bot", "metadata": {"utter_action": "utter_product_list"}})
    tracker.events.insert(0, {"event": "user", "text": "the gooseneck one"})
    events = await ValidateOrderForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert [(i["sku"], i["quantity"]) for i in slots_of(events)["order_items"]] == [("KET-GOO-BLK", 1)]


MUGS = ["MUG-CER-BLK", "MUG-CER-BLU", "MUG-CER-GRN", "MUG-CER-RED", "MUG-CER-WHT", "MUG-ENM-CRM", "MUG-TRV-STL"]
TEAPOTS = ["TEA-POT-CST", "TEA-POT-CER", "TEA-POT-GLS"]


def a_mug_and_a_teapot(text: str):
    """The catalogue matcher's entities (var/catalogue.json) for "a mug and a teapot …"."""
    return [{"entity": "quantity", "value": "1", "implicit": True, "start": 0, "end": 1},
            {"entity": "product", "value": "mug", "skus": MUGS, "quantity": 1, "start": 2, "end": 5},
            {"entity": "quantity", "value": "1", "implicit": True, "start": 10, "end": 11},
            {"entity": "product", "value": "teapot", "skus": TEAPOTS, "quantity": 1, "start": 12, "end": 18}]


async def test_a_mug_and_a_teapot_is_an_order_asking_which_of_each(backend):
    for text in ("a mug and a teapot please", "a mug and a teapot"):
        said = CollectingDispatcher()
        tracker = tracker_for(new_identity(), text, entities=a_mug_and_a_teapot(text))
        tracker.latest_message["intent"] = {"name": "product_info", "confidence": 0.9}
        assert await ActionShowProducts().run(said, tracker, DOMAIN) == [FollowupAction("order_form")], text
        assert said.messages == [], text
        tracker = form_tracker(new_identity(), text, "product_info", a_mug_and_a_teapot(text))
        events = await ValidateOrderForm().run(CollectingDispatcher(), tracker, DOMAIN)
        draft = slots_of(events)["order_draft"]  # "which mug?", then "which teapot?" in the form
        assert [(item["name"], item["quantity"], len(item["candidates"])) for item in draft] == [
            ("mug", 1, 7), ("teapot", 1, 3)], text
    tracker = tracker_for(new_identity(), "a mug and a teapot?", entities=a_mug_and_a_teapot("a mug and a teapot?"))
    tracker.latest_message["intent"] = {"name": "product_info", "confidence": 0.9}
    said = CollectingDispatcher()
    await ActionShowProducts().run(said, tracker, DOMAIN)  # asked: the products
    assert [m["response"] for m in said.messages][:1] == ["utter_product_list"]
