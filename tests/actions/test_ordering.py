"""Placing an order in chat against a real backend: the form, the pending order, yes/no, short stock."""
from __future__ import annotations

import socket
import uuid
from pathlib import Path

import httpx
import pytest
import yaml
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation, ActionCancelOrder
from actions.catalogue import ActionShowProducts
from actions.change_order import ValidateChangeOrderForm
from actions.conversation import TASK_SLOTS, ActionStop
from actions.order_draft import merge_into_draft, pick_alternative, take_alternative
from actions.ordering import ActionAskOrderItems, ActionAskShippingAddress, ValidateOrderForm
from actions.placed_order_edits import TO_AN_ORDER
from actions.place_order import ActionPlaceOrder
from actions.settings import get_settings
from tests.actions.test_cancel import available, status_of
from tests.actions.test_change_order import flow_tracker
from tests.actions.test_orders import ADDRESS, BOT, new_identity, place_order, ship, tracker_for

DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text())
TEAPOTS = ["TEA-POT-CST", "TEA-POT-GLS", "TEA-POT-CER"]
# What the catalogue matcher gives for "2 blue mugs and a teapot".
MULTI_ITEM = [
    {"entity": "quantity", "value": "2", "implicit": False},
    {"entity": "product", "value": "Ceramic Mug Blue", "skus": ["MUG-CER-BLU"], "quantity": 2},
    {"entity": "quantity", "value": "1", "implicit": True},
    {"entity": "product", "value": "teapot", "skus": TEAPOTS, "quantity": 1},
]
BLUE_MUGS = {"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 2, "candidates": []}
ORDER_SLOTS_FILLED = {"shipping_address": ADDRESS, "order_contact": "ada@example.com"}


def form_tracker(identity, text, intent="inform", entities=None, slots=None, slot_candidates=None):
    """A tracker as the order form hands it to validate_order_form: slot candidates come last."""
    tracker = tracker_for(identity, text, entities=entities, slots=slots)
    tracker.latest_message["intent"] = {"name": intent, "confidence": 0.99}
    tracker.active_loop = {"name": "order_form"}
    tracker.events = tracker.events + [{"event": "action", "name": "order_form"}] + [
        {"event": "slot", "name": name, "value": value} for name, value in (slot_candidates or {}).items()]
    return tracker


def orders_of(backend, identity: str) -> list:
    response = httpx.get(f"{backend.url}/api/v1/orders", headers={**BOT, "X-Channel-Identity": identity})
    return response.json()["data"]


def answer(identity: str, number: str, intent: str):
    tracker = tracker_for(identity, "yes" if intent == "affirm" else "no",
                          slots={"pending_confirmation": "place_order", "pending_order": number})
    tracker.latest_message["intent"] = {"name": intent, "confidence": 0.99}
    tracker.events = [
        {"event": "action", "name": "action_place_order"},
        {"event": "bot", "text": "Shall I place it?"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "yes", "parse_data": {"intent": {"name": intent}}},
        {"event": "action", "name": "action_extract_slots"},
    ]
    return tracker


async def pending_order(backend, dispatcher, identity, items, key="key-1"):
    slots = {"order_items": items, "order_idempotency_key": key, **ORDER_SLOTS_FILLED}
    events = await ActionPlaceOrder().run(dispatcher, tracker_for(identity, "ada@example.com", slots=slots), {})
    return events


async def test_order_form_multi_item_message_keeps_draft_and_asks_which_teapot(backend, dispatcher):
    identity = new_identity()
    tracker = form_tracker(identity, "i'd like 2 blue mugs and a teapot", "place_order", MULTI_ITEM)
    events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
    teapot = {"sku": None, "name": "teapot", "quantity": 1,
              "candidates": [{"sku": sku, "name": sku} for sku in TEAPOTS]}
    assert events == [SlotSet("order_items", None), SlotSet("order_draft", [BLUE_MUGS, teapot])]
    assert dispatcher.messages == []

    asking = CollectingDispatcher()
    draft_tracker = tracker_for(identity, "", slots={"order_draft": [BLUE_MUGS, teapot]})
    events = await ActionAskOrderItems().run(asking, draft_tracker, {})
    assert [m["response"] for m in asking.messages] == ["utter_ask_which_product"]
    assert [b["payload"] for b in asking.messages[0]["buttons"]] == [
        f'/inform{{"product": "{sku}"}}' for sku in TEAPOTS]
    [draft] = [e["value"] for e in events if e["name"] == "order_draft"]
    assert draft[1]["candidates"][1] == {"sku": "TEA-POT-GLS", "name": "Glass Teapot with Infuser 1 L"}


async def test_order_form_which_product_offers_buttons_only_for_what_is_in_stock(backend, dispatcher):
    skus = []
    for name, stock in (("Lantern Red", 0), ("Lantern Blue", 4)):
        sku = f"LNT-{uuid.uuid4().hex[:8].upper()}"
        httpx.post(f"{backend.url}/api/v1/staff/products", headers={"Authorization": "Bearer dev-staff-token"},
                   json={"sku": sku, "name": name, "category": "Lanterns", "price_minor": 1500,
                         "initial_stock": stock}).raise_for_status()
        skus.append(sku)
    lantern = {"sku": None, "name": "lantern", "quantity": 1, "candidates": [{"sku": s, "name": s} for s in skus]}
    await ActionAskOrderItems().run(dispatcher, tracker_for(new_identity(), "", slots={"order_draft": [lantern]}), {})
    [message] = dispatcher.messages
    assert [b["payload"] for b in message["buttons"]] == [f'/inform{{"product": "{skus[1]}"}}']
    assert "Lantern Red: €15.00 (out of stock)" in message["options"]


async def test_order_form_says_which_counted_item_it_could_not_find(backend, dispatcher):
    text = "i want 2 glases and a teapot"
    entities = [{"entity": "quantity", "value": "1", "implicit": True, "start": 20, "end": 21},
                {"entity": "product", "value": "teapot", "skus": TEAPOTS, "quantity": 1, "start": 22, "end": 28}]
    tracker = form_tracker(new_identity(), text, "place_order", entities)
    events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_items_not_found"]
    assert dispatcher.messages[0]["names"] == '"glases"'
    assert [item["name"] for item in next(e["value"] for e in events if e["name"] == "order_draft")] == ["teapot"]


async def test_white_ones_after_red_mugs_are_white_mugs(backend, dispatcher):
    text = "i want two red mugs and three white ones"
    entities = [{"entity": "quantity", "value": "2", "start": 7, "end": 10},
                {"entity": "product", "value": "Ceramic Mug Red", "skus": ["MUG-CER-RED"], "quantity": 2,
                 "start": 11, "end": 19}]
    events = await ValidateOrderForm().run(dispatcher, form_tracker(new_identity(), text, "place_order", entities), DOMAIN)
    draft = next(e["value"] for e in events if e["name"] == "order_draft")
    assert [(item["sku"], item["quantity"]) for item in draft] == [("MUG-CER-RED", 2), ("MUG-CER-WHT", 3)]
    assert "utter_order_items_not_found" not in [m["response"] for m in dispatcher.messages]


async def test_order_form_choice_by_words_completes_items(backend, dispatcher):
    teapot = {"sku": None, "name": "teapot", "quantity": 1, "candidates": [
        {"sku": "TEA-POT-CST", "name": "Cast Iron Teapot 0.8 L"},
        {"sku": "TEA-POT-GLS", "name": "Glass Teapot with Infuser 1 L"}]}
    slots = {"order_draft": [BLUE_MUGS, teapot], "requested_slot": "order_items"}
    tracker = form_tracker(new_identity(), "the glass one", slots=slots)
    events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
    chosen = {"sku": "TEA-POT-GLS", "name": "Glass Teapot with Infuser 1 L", "quantity": 1, "candidates": []}
    assert events == [SlotSet("order_items", [BLUE_MUGS, chosen]), SlotSet("order_draft", [BLUE_MUGS, chosen])]


async def test_which_teapot_answered_with_a_word_of_its_name_is_that_teapot(backend, dispatcher):
    """"glass pls" or "no the glass teapot" to "which teapot?": the glass teapot, not drinking
    glasses, and the teapot is not taken out."""
    teapot = {"sku": None, "name": "teapot", "quantity": 1, "candidates": [
        {"sku": "TEA-POT-CST", "name": "Cast Iron Teapot 0.8 L"},
        {"sku": "TEA-POT-GLS", "name": "Glass Teapot with Infuser 1 L"}]}
    chosen = {"sku": "TEA-POT-GLS", "name": "Glass Teapot with Infuser 1 L", "quantity": 1, "candidates": []}
    glasses = [{"entity": "product", "value": "glass", "skus": ["GLS-TMB-SET", "GLS-DBW-2PC"], "start": 0, "end": 5}]
    glass_teapot = [{"entity": "product", "value": "glass teapot", "skus": ["TEA-POT-GLS"], "start": 7, "end": 19}]
    for text, entities in (("glass pls", glasses), ("no the glass teapot", glass_teapot)):
        slots = {"order_draft": [BLUE_MUGS, teapot], "requested_slot": "order_items"}
        tracker = form_tracker(new_identity(), text, "product_info", entities, slots=slots)
        events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
        assert SlotSet("order_draft", [BLUE_MUGS, chosen]) in events, text
        assert dispatcher.messages == [], text
    # another product named: no blue teapot because "blue" is in its name
    red = [{"entity": "product", "value": "blue mugs", "skus": ["MUG-CER-BLU"], "quantity": 2, "start": 6, "end": 15}]
    teapot["candidates"].append({"sku": "TEA-POT-CER", "name": "Ceramic Teapot 1.2 L Blue"})
    slots = {"order_draft": [teapot], "requested_slot": "order_items"}
    events = await ValidateOrderForm().run(dispatcher, form_tracker(new_identity(), "and 2 blue mugs", "place_order",
                                                                    red, slots=slots), DOMAIN)
    draft = next(e["value"] for e in events if e["name"] == "order_draft")
    assert [item["sku"] for item in draft] == [None, "MUG-CER-BLU"]


async def test_which_one_answered_with_a_description_is_the_one_it_fits(backend):
    """"the manual one", "the one for camping", "the big one", "the one with temperature control"
    to "which …?" asked the same question again and again."""
    grinders = [{"sku": "GRN-HND-BUR", "name": "Hand Burr Grinder"}, {"sku": "GRN-ELC-BUR", "name": "Electric Burr Grinder"}]
    mugs = [{"sku": "MUG-CER-RED", "name": "Ceramic Mug Red"}, {"sku": "MUG-ENM-CRM", "name": "Enamel Camp Mug Cream"},
            {"sku": "MUG-TRV-STL", "name": "Insulated Travel Mug"}]
    teapots = [{"sku": "TEA-POT-CST", "name": "Cast Iron Teapot 0.8 L"},
               {"sku": "TEA-POT-GLS", "name": "Glass Teapot with Infuser 1 L"},
               {"sku": "TEA-POT-CER", "name": "Ceramic Teapot 1.2 L Blue"}]
    kettles = [{"sku": "KET-ELC-STL", "name": "Electric Kettle 1.7 L Steel"},
               {"sku": "KET-GOO-BLK", "name": "Gooseneck Pour-Over Kettle Black"}]
    for text, options, sku in (("the manual one", grinders, "GRN-HND-BUR"), ("the one for camping", mugs, "MUG-ENM-CRM"),
                               ("the big one pls", teapots, "TEA-POT-CER"), ("the smallest", teapots, "TEA-POT-CST"),
                               ("the one with temperature control", kettles, "KET-GOO-BLK")):
        item = {"sku": None, "name": "x", "quantity": 1, "candidates": options}
        slots = {"order_draft": [item], "requested_slot": "order_items"}
        events = await ValidateOrderForm().run(CollectingDispatcher(), form_tracker(new_identity(), text, "inform", slots=slots),
                                               DOMAIN)
        draft = next(e["value"] for e in events if e["name"] == "order_draft")
        assert [i["sku"] for i in draft] == [sku], text


async def test_words_that_fit_one_products_name_need_no_which_question(backend, dispatcher):
    kettles = ["KET-ELC-STL", "KET-GOO-BLK", "KET-STV-RED"]
    for text, value in (("i'd like 1 electric kettle", "electric kettle"),
                        ("order the Electric Kettle 1.7 L Steel", "kettle")):
        entities = [{"entity": "product", "value": value, "skus": kettles, "quantity": 1}]
        events = await ValidateOrderForm().run(dispatcher, form_tracker(new_identity(), text, "place_order", entities), DOMAIN)
        draft = next(e["value"] for e in events if e["name"] == "order_draft")
        assert [(item["sku"], item["quantity"]) for item in draft] == [("KET-ELC-STL", 1)], text
    # a colour only one of them has, said apart from the product ("which mug?" had been asked)
    mugs = [{"entity": "product", "value": "mug", "start": 8, "end": 11, "quantity": 2,
             "skus": ["MUG-CER-RED", "MUG-CER-BLU", "MUG-CER-WHT", "MUG-ENM-CRM"]}]
    events = await ValidateOrderForm().run(dispatcher, form_tracker(new_identity(), "mujhe 2 mug chahiye red wale",
                                                                    "place_order", mugs), DOMAIN)
    draft = next(e["value"] for e in events if e["name"] == "order_draft")
    assert [(item["sku"], item["quantity"]) for item in draft] == [("MUG-CER-RED", 2)]
    # the word that named them all picks none ("tea" is only in English Breakfast Tea's name)
    teas = [{"entity": "product", "value": "tea", "start": 2, "end": 5, "quantity": 1,
             "skus": ["TEA-EBF-250", "TEA-SEN-100", "TEA-CHA-200"]}]
    events = await ValidateOrderForm().run(dispatcher, form_tracker(new_identity(), "1 tea please", "place_order", teas),
                                           DOMAIN)
    draft = next(e["value"] for e in events if e["name"] == "order_draft")
    assert [item["sku"] for item in draft] == [None]


async def test_reorder_takes_the_last_orders_items_again(backend):
    """"same as last time pls", "reorder my last order", "my usual" asked what to order, or said
    the words were no product."""
    identity = new_identity()
    await pending_order(backend, CollectingDispatcher(), identity, [BLUE_MUGS])
    [last] = orders_of(backend, identity)
    await ActionAnswerConfirmation().run(CollectingDispatcher(), answer(identity, last["number"], "affirm"), {})
    for text in ("same as last time pls", "reorder my last order", "my usual"):
        dispatcher = CollectingDispatcher()
        events = await ValidateOrderForm().run(dispatcher, form_tracker(identity, text, "place_order"), DOMAIN)
        assert [m["response"] for m in dispatcher.messages] == ["utter_order_again"], text
        draft = next(e["value"] for e in events if e["name"] == "order_draft")
        assert [(item["sku"], item["quantity"]) for item in draft] == [("MUG-CER-BLU", 2)], text
    nothing = CollectingDispatcher()
    await ValidateOrderForm().run(nothing, form_tracker(new_identity(), "same as last time", "place_order"), DOMAIN)
    assert [m["response"] for m in nothing.messages][:1] == ["utter_no_order_to_repeat"]


async def test_an_address_said_with_the_order_is_taken(backend):
    """"2 red mugs to Marta Kowalska, …, Poland" asked for the address again."""
    mugs = [{"entity": "product", "value": "Ceramic Mug Red", "skus": ["MUG-CER-RED"], "quantity": 2,
             "start": 2, "end": 10}]
    for text in ("2 red mugs to Marta Kowalska, ul. Mokotowska 15, 00-640 Warszawa, Poland",
                 "2 red mugs please. ship to Marta Kowalska, Mokotowska 15, 00-640 Warszawa, Poland. email marta@wp.pl"):
        events = await ValidateOrderForm().run(CollectingDispatcher(), form_tracker(new_identity(), text, "place_order", mugs),
                                               DOMAIN)
        values = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
        assert [(i["sku"], i["quantity"]) for i in values["order_items"]] == [("MUG-CER-RED", 2)], text
        assert values["shipping_address"]["city"] == "Warszawa", text
    assert values["order_contact"] == "marta@wp.pl"


async def test_make_it_another_product_replaces_the_only_item(backend):
    """"actually no make it the glass teapot" while ordering a french press added the teapot."""
    press = {"sku": "BRW-FRP-800", "name": "French Press 800 ml", "quantity": 1, "candidates": []}
    teapot = [{"entity": "product", "value": "Glass Teapot with Infuser 1 L", "skus": ["TEA-POT-GLS"],
               "start": 25, "end": 37}]
    slots = {"requested_slot": "shipping_address", "order_items": [press], "order_draft": [press]}
    tracker = form_tracker(new_identity(), "actually no make it the glass teapot", "place_order", teapot, slots=slots)
    events = await ValidateOrderForm().run(CollectingDispatcher(), tracker, DOMAIN)
    draft = next(e["value"] for e in events if e["name"] == "order_draft")
    assert [(item["sku"], item["quantity"]) for item in draft] == [("TEA-POT-GLS", 1)]


async def test_ill_take_it_orders_the_product_just_shown(backend, dispatcher):
    for text, quantity in (("ok i'll take it", 1), ("i'll take them", None), ("i want 2 of those", 2), ("ok 1 then", 1)):
        tracker = form_tracker(new_identity(), text, "place_order", [], slots={"shown_products": ["BRW-FRP-800"]})
        events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
        draft = next(e["value"] for e in events if e["name"] == "order_draft")
        assert [(item["sku"], item["name"], item["quantity"]) for item in draft] == [
            ("BRW-FRP-800", "French Press 800 ml", quantity)], text


async def test_none_to_how_many_takes_the_item_out(backend, dispatcher):
    infuser = {"sku": "TEA-INF-STL", "name": "Stainless Tea Infuser", "quantity": None, "candidates": []}
    teapot = {"sku": "TEA-POT-GLS", "name": "Glass Teapot with Infuser 1 L", "quantity": 1, "candidates": []}
    for answer in ("none", "0", "no", "skip it"):
        said = CollectingDispatcher()
        slots = {"order_draft": [teapot, infuser], "requested_slot": "order_items"}
        events = await ValidateOrderForm().run(said, form_tracker(new_identity(), answer, "deny", [], slots=slots), DOMAIN)
        assert SlotSet("order_draft", [teapot]) in events, answer
        assert [m["response"] for m in said.messages] == ["utter_order_items_removed"], answer


async def test_order_form_asks_quantity_then_takes_bare_number(backend, dispatcher):
    mugs = dict(BLUE_MUGS, quantity=None)
    await ActionAskOrderItems().run(dispatcher, tracker_for(new_identity(), "", slots={"order_draft": [mugs]}), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_order_quantity"]
    slots = {"order_draft": [mugs], "requested_slot": "order_items"}
    tracker = form_tracker(new_identity(), "3 please", entities=[{"entity": "quantity", "value": "3"}], slots=slots)
    events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
    assert events == [SlotSet("order_items", [dict(mugs, quantity=3)]), SlotSet("order_draft", [dict(mugs, quantity=3)])]
    # read as a yes, still the quantity asked for; "never mind" still leaves
    tracker = form_tracker(new_identity(), "ok 3 then", "affirm", slots=slots)
    assert (await ValidateOrderForm().run(dispatcher, tracker, DOMAIN))[0] == SlotSet("order_items", [dict(mugs, quantity=3)])
    tracker = form_tracker(new_identity(), "stop, not 3", "stop", slots=slots)
    assert await ValidateOrderForm().run(dispatcher, tracker, DOMAIN) == []


async def test_order_form_unknown_product_explains(backend, dispatcher):
    tracker = form_tracker(new_identity(), "a unicorn", slots={"requested_slot": "order_items"})
    events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
    assert events == [SlotSet("order_items", None)]
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_product_not_found"]


async def test_order_form_stop_extracts_nothing(backend, dispatcher):
    tracker = form_tracker(new_identity(), "never mind", "stop", slots={"requested_slot": "order_items"})
    assert await ValidateOrderForm().run(dispatcher, tracker, DOMAIN) == []


TEAPOT_CHOICE = {"sku": None, "name": "teapot", "quantity": 1, "candidates": [
    {"sku": "TEA-POT-CST", "name": "Cast Iron Teapot 0.8 L"},
    {"sku": "TEA-POT-GLS", "name": "Glass Teapot with Infuser 1 L"},
    {"sku": "TEA-POT-CER", "name": "Ceramic Teapot 1.2 L Blue"}]}
# How the NLU may read a leave-taking: the words decide.
LEAVE_TAKINGS = [("thanks", "thank"), ("ok bye", "goodbye"), ("never mind", "stop"), ("forget it", "out_of_scope"),
                 ("no thanks", "deny"), ("thank you so much", "affirm")]
STOPPED = [ActiveLoop(None)] + [SlotSet(slot, None) for slot in TASK_SLOTS] + [FollowupAction("action_listen")]


async def test_thanks_or_bye_to_which_teapot_leaves_the_order_form_as_stop_does(backend):
    """"thanks", "ok bye", "never mind", "forget it" to "which teapot would you like?": the form is
    left as "stop" leaves it (not asked again), and the order placed before is kept."""
    identity = new_identity()
    placed = place_order(backend, identity)["number"]
    httpx.post(f"{backend.url}/api/v1/orders/{placed}/confirm",
               headers={**BOT, "X-Channel-Identity": identity}).raise_for_status()
    slots = {"order_draft": [BLUE_MUGS, TEAPOT_CHOICE], "requested_slot": "order_items"}
    for text, intent in LEAVE_TAKINGS:
        said = CollectingDispatcher()
        events = await ValidateOrderForm().run(said, form_tracker(identity, text, intent, slots=slots), DOMAIN)
        assert events == STOPPED, text
        assert [m["response"] for m in said.messages] == ["utter_stopped"], text
    assert status_of(backend, identity, placed) == "confirmed"
    # a thank-you that picks one answers the question
    tracker = form_tracker(identity, "the glass one, thanks", "thank", slots=slots)
    events = await ValidateOrderForm().run(CollectingDispatcher(), tracker, DOMAIN)
    glass = {"sku": "TEA-POT-GLS", "name": "Glass Teapot with Infuser 1 L", "quantity": 1, "candidates": []}
    assert SlotSet("order_draft", [BLUE_MUGS, glass]) in events


async def test_never_mind_to_which_teapot_at_the_summary_keeps_the_order_waiting(backend, dispatcher):
    """"add a teapot" at "Shall I place it?", "which teapot?", "never mind": only the teapot goes; the
    order is not cancelled, its summary is asked again."""
    identity = new_identity()
    number = (await pending_order(backend, dispatcher, identity, [BLUE_MUGS]))[1]["value"]
    slots = {**ORDER_SLOTS_FILLED, "order_draft": [BLUE_MUGS, TEAPOT_CHOICE], "requested_slot": "order_items",
             "pending_order": number, "pending_confirmation": "place_order"}
    said = CollectingDispatcher()
    events = await ValidateOrderForm().run(said, form_tracker(identity, "never mind", "stop", slots=slots), DOMAIN)
    assert events == [SlotSet("order_items", [BLUE_MUGS]), SlotSet("order_draft", [BLUE_MUGS])]
    assert said.messages == []
    slots.update(order_items=[BLUE_MUGS], order_draft=[BLUE_MUGS])
    await ActionPlaceOrder().run(said, tracker_for(identity, "never mind", slots=slots), {})
    assert [(m["response"], m["number"]) for m in said.messages] == [("utter_confirm_order", number)]
    assert status_of(backend, identity, number) == "pending"


async def test_a_question_at_which_teapot_is_left_to_its_rule_then_which_is_asked_again(backend):
    """"how much is the glass teapot?" or a delivery question to "which teapot?": not an answer (the
    question's rule answers it), then "which teapot?" once more."""
    identity = new_identity()
    slots = {"order_draft": [BLUE_MUGS, TEAPOT_CHOICE], "requested_slot": "order_items"}
    glass = [{"entity": "product", "value": "glass teapot", "skus": ["TEA-POT-GLS"], "start": 16, "end": 28}]
    for text, intent, entities in (("how much is the glass teapot?", "product_info", glass),
                                   ("how long does delivery take?", "delivery_time", [])):
        tracker = form_tracker(identity, text, intent, entities, slots=slots)
        assert await ValidateOrderForm().run(CollectingDispatcher(), tracker, DOMAIN) == [], text
    asked = CollectingDispatcher()
    await ActionAskOrderItems().run(asked, tracker_for(identity, "how much is the glass teapot?", slots=slots), {})
    assert [m["response"] for m in asked.messages] == ["utter_ask_which_product"]


async def test_order_form_quantity_over_limit_is_asked_again(backend, dispatcher):
    entities = [{"entity": "product", "value": "Ceramic Mug Blue", "skus": ["MUG-CER-BLU"], "quantity": 50}]
    tracker = form_tracker(new_identity(), "50 blue mugs", "place_order", entities)
    events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
    assert events == [SlotSet("order_items", None), SlotSet("order_draft", [dict(BLUE_MUGS, quantity=None)])]
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_quantity_out_of_range"]


async def test_order_form_address_parsed(backend, dispatcher):
    text = "Ada Lovelace, 12 Market Street, Dublin D02 X285, Ireland"
    slots = {"requested_slot": "shipping_address", "order_items": [BLUE_MUGS]}
    tracker = form_tracker(new_identity(), text, slots=slots)
    events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
    assert events == [SlotSet("shipping_address", ADDRESS)]


async def test_order_form_address_without_country_explains(backend, dispatcher):
    text = "Ada Lovelace, 12 Market Street, Dublin D02 X285, Atlantis"
    tracker = form_tracker(new_identity(), text, slots={"requested_slot": "shipping_address"})
    events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
    assert events == [SlotSet("shipping_address", None)]
    assert [m["response"] for m in dispatcher.messages] == ["utter_invalid_address_country"]


async def test_an_address_completed_in_a_second_message_is_taken(backend, dispatcher):
    """"…, 10115 Berlin" → "Which country is that in?" → "germany": the address with the country."""
    earlier = "Max Muster, Hauptstrasse 5, 10115 Berlin"
    tracker = form_tracker(new_identity(), "germany", slots={"requested_slot": "shipping_address"})
    tracker.events = [
        {"event": "user", "text": earlier},
        {"event": "bot", "text": "Which country is that in?", "metadata": {"utter_action": "utter_invalid_address_no_country"}},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "germany"},
        {"event": "action", "name": "order_form"}]
    events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
    assert events == [SlotSet("shipping_address", {"name": "Max Muster", "line1": "Hauptstrasse 5", "city": "Berlin",
                                                   "postal_code": "10115", "country": "DE"})]
    assert dispatcher.messages == []


async def test_a_country_after_which_country_is_taken_whatever_the_nlu_reads(backend):
    """"CH" (read as a stop) ended the order; "uk" and "switzerland" (read as FAQ questions) got a
    shop answer and the address was lost."""
    for earlier, country, intent, code in (("Hans Meier, Bahnhofstr 1, 8001 Zurich", "CH", "stop", "CH"),
                                           ("Hans Meier, Bahnhofstr 1, 8001 Zurich", "switzerland", "faq", "CH"),
                                           ("Mike Johnson, 1 Canada Square, London E14 5AB", "uk", "faq", "GB")):
        tracker = form_tracker(new_identity(), country, intent, slots={"requested_slot": "shipping_address"})
        tracker.events = [
            {"event": "user", "text": earlier},
            {"event": "bot", "text": "Which country is that in?", "metadata": {"utter_action": "utter_invalid_address_no_country"}},
            {"event": "action", "name": "action_listen"},
            {"event": "user", "text": country},
            {"event": "action", "name": "order_form"}]
        events = await ValidateOrderForm().run(CollectingDispatcher(), tracker, DOMAIN)
        [address] = [e["value"] for e in events if e.get("name") == "shipping_address"]
        assert address["country"] == code, country


async def test_the_address_is_not_asked_again_under_what_was_wrong_with_it(backend, dispatcher):
    tracker = tracker_for(new_identity(), "Ada Lovelace, 12 Market Street, 10115 Berlin")
    tracker.events = [{"event": "user", "text": "Ada Lovelace, 12 Market Street, 10115 Berlin"},
                      {"event": "action", "name": "order_form"},
                      {"event": "bot", "text": "Which country is that in?",
                       "metadata": {"utter_action": "utter_invalid_address_no_country"}}]
    assert await ActionAskShippingAddress().run(dispatcher, tracker, {}) == []
    assert dispatcher.messages == []


async def test_an_address_with_the_email_fills_both_and_one_without_commas_is_explained(backend, dispatcher):
    text = "Ada Lovelace, 12 Market Street, Dublin D02 X285, Ireland, ada@example.com"
    tracker = form_tracker(new_identity(), text, "inform", slots={"requested_slot": "shipping_address"})
    events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
    assert SlotSet("order_contact", "ada@example.com") in events
    assert next(e["value"] for e in events if e["name"] == "shipping_address")["country"] == "IE"
    text = "Bob Brown 5 High Street Cork T12 AB34 Ireland"
    tracker = form_tracker(new_identity(), text, "change_shipping_address", slots={"requested_slot": "shipping_address"})
    explained = CollectingDispatcher()
    assert await ValidateOrderForm().run(explained, tracker, DOMAIN) == [SlotSet("shipping_address", None)]
    assert [m["response"] for m in explained.messages] == ["utter_invalid_address_parts"]


async def test_a_labelled_address_with_contact_lines_fills_both(backend):
    """"Name: … / Address: … / UK / Email: …" was refused ("start the address with the name")."""
    text = "Name: Oliver Twist\nAddress: 221B Baker Street\nLondon NW1 6XE\nUK\nEmail: oliver@example.co.uk\nPhone: 07700 900123"
    tracker = form_tracker(new_identity(), text, "inform", slots={"requested_slot": "shipping_address"})
    dispatcher = CollectingDispatcher()
    events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
    values = {e["name"]: e["value"] for e in events}
    assert values["shipping_address"]["name"] == "Oliver Twist" and values["shipping_address"]["country"] == "GB"
    assert values["order_contact"] == "oliver@example.co.uk, 07700900123" and dispatcher.messages == []


async def test_order_form_contact_invalid_explains(backend, dispatcher):
    tracker = form_tracker(new_identity(), "no thanks", slots={"requested_slot": "order_contact"})
    events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
    assert events == [SlotSet("order_contact", None)]
    assert [m["response"] for m in dispatcher.messages] == ["utter_invalid_contact"]


async def test_order_form_question_while_asked_for_the_address_is_left_to_its_rule(backend, dispatcher):
    # Nothing extracted: the form is rejected, the product rule answers, then the form asks again.
    slots = {"requested_slot": "shipping_address", "order_items": [BLUE_MUGS]}
    for text, intent in (("how much is the glass teapot?", "product_info"),
                         ("my payment keeps failing", "payment_issue"), ("where is my order", "track_order"),
                         ("ok", "affirm")):  # "ok" after "hold on": no address, no format lecture
        tracker = form_tracker(new_identity(), text, intent, slots=slots)
        assert await ValidateOrderForm().run(dispatcher, tracker, DOMAIN) == []
    assert dispatcher.messages == []


async def test_an_address_worded_as_an_address_change_answers_the_address_question(backend):
    """"deliver to 4 Elm Road, …" and "send it to my home" at "Where should we send it?" went to
    changing an order already placed ("I don't see any orders") and the order being made was lost."""
    slots = {"requested_slot": "shipping_address", "order_items": [BLUE_MUGS], "order_draft": [BLUE_MUGS]}
    for text, said in (("deliver to Siobhan Kelly, 4 Elm Road, Cork T12 RW26, Ireland", None),
                       ("send it to my home address pls", "utter_invalid_address_parts")):
        dispatcher = CollectingDispatcher()
        tracker = form_tracker(new_identity(), text, "change_shipping_address", slots=slots)
        events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
        assert any(e.get("name") == "shipping_address" for e in events), text
        assert [m["response"] for m in dispatcher.messages][:1] == ([said] if said else []), text


async def test_order_form_answer_is_taken_whatever_it_reads_like(backend, dispatcher):
    text = "Ada Lovelace, 12 Market Street, Dublin D02 X285, Ireland"
    tracker = form_tracker(new_identity(), text, "delivery_options",
                           slots={"requested_slot": "shipping_address", "order_items": [BLUE_MUGS]})
    assert await ValidateOrderForm().run(dispatcher, tracker, DOMAIN) == [SlotSet("shipping_address", ADDRESS)]
    tracker = form_tracker(new_identity(), "call me on +353 87 123 4567", "contact_human_agent",
                           slots={"requested_slot": "order_contact"})
    assert await ValidateOrderForm().run(dispatcher, tracker, DOMAIN) == [
        SlotSet("order_contact", "+353871234567")]


async def test_order_form_more_items_while_asked_for_the_address_join_the_draft(backend, dispatcher):
    text = "and a glass teapot too"
    entities = [{"entity": "product", "value": "glass teapot", "skus": ["TEA-POT-GLS"], "quantity": 1}]
    teapot = {"sku": "TEA-POT-GLS", "name": "glass teapot", "quantity": 1, "candidates": []}
    tracker = form_tracker(new_identity(), text, "place_order", entities,
                           slots={"requested_slot": "shipping_address", "order_items": [BLUE_MUGS],
                                  "order_draft": [BLUE_MUGS]})
    events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
    assert events == [SlotSet("order_items", [BLUE_MUGS, teapot]), SlotSet("order_draft", [BLUE_MUGS, teapot])]
    assert [(m["response"], m["names"]) for m in dispatcher.messages] == [("utter_order_items_added", "glass teapot")]
    tracker.latest_message.update(text="please add a glass teapot too", intent={"name": "product_info"})
    assert (await ValidateOrderForm().run(dispatcher, tracker, DOMAIN))[0] == SlotSet("order_items", [BLUE_MUGS, teapot])


async def test_order_form_takes_out_what_the_customer_no_longer_wants(backend, dispatcher):
    # Asked which teapot: "actually no teapot, just the mugs" leaves the mugs.
    teapot = {"sku": None, "name": "teapot", "quantity": 1, "candidates": [{"sku": s, "name": s} for s in TEAPOTS]}
    text = "actually no teapot, just the blue mugs"
    entities = [{"entity": "product", "value": "teapot", "skus": TEAPOTS, "start": text.index("teapot")},
                {"entity": "product", "value": "Ceramic Mug Blue", "skus": ["MUG-CER-BLU"],
                 "start": text.index("blue mugs")}]
    tracker = form_tracker(new_identity(), text, "deny", entities,
                           slots={"requested_slot": "order_items", "order_draft": [BLUE_MUGS, teapot]})
    events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
    assert events == [SlotSet("order_items", [BLUE_MUGS]), SlotSet("order_draft", [BLUE_MUGS])]
    assert [(m["response"], m["names"]) for m in dispatcher.messages] == [("utter_order_items_removed", "teapot")]
    # while the address is asked, too; the whole draft gone: the form asks what to order
    text = "remove the blue mugs"
    tracker = form_tracker(new_identity(), text, "change_order", [dict(entities[1], start=text.index("blue"))],
                           slots={"requested_slot": "shipping_address", "order_items": [BLUE_MUGS],
                                  "order_draft": [BLUE_MUGS]})
    events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
    assert events == [SlotSet("order_items", None), SlotSet("order_draft", [])]
    # a kind the one item is of: "remove the tea" (a category to the NLU) was ignored
    tea = {"sku": "TEA-EBF-250", "name": "English Breakfast Tea 250 g", "quantity": 2, "candidates": []}
    text = "remove the tea"
    tracker = form_tracker(new_identity(), text, "change_order", [{"entity": "category", "value": "Tea", "start": 11,
                                                                   "end": 14}],
                           slots={"requested_slot": "shipping_address", "order_items": [BLUE_MUGS, tea],
                                  "order_draft": [BLUE_MUGS, tea]})
    events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
    assert SlotSet("order_draft", [BLUE_MUGS]) in events


async def test_order_form_new_quantity_while_asked_for_the_address(backend, dispatcher):
    slots = {"requested_slot": "shipping_address", "order_items": [BLUE_MUGS], "order_draft": [BLUE_MUGS]}
    tracker = form_tracker(new_identity(), "actually make it 3", "change_order", slots=slots)
    events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
    assert events == [SlotSet("order_items", [dict(BLUE_MUGS, quantity=3)]),
                      SlotSet("order_draft", [dict(BLUE_MUGS, quantity=3)])]
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_quantity_changed"]


async def test_a_new_count_for_one_of_several_items_named_by_a_word_of_its_name(backend):
    """"make the red ones 3", "change the mugs to 4" at the summary (or while the address is asked)
    had changed nothing, and a "yes" placed the old counts."""
    red = {"sku": "MUG-CER-RED", "name": "Ceramic Mug Red", "quantity": 2, "candidates": []}
    teapot = {"sku": "TEA-POT-GLS", "name": "Glass Teapot with Infuser 1 L", "quantity": 1, "candidates": []}
    category = [{"entity": "category", "value": "Mugs"}, {"entity": "quantity", "value": "4"}]
    for text, intent, entities, draft, expected in (
            ("make the red ones 3", "place_order", [], [BLUE_MUGS, red], [BLUE_MUGS, dict(red, quantity=3)]),
            ("make the blue mugs 3 instead", "place_order", [], [BLUE_MUGS, red], [dict(BLUE_MUGS, quantity=3), red]),
            ("change the mugs to 4", "change_order", category, [red, teapot], [dict(red, quantity=4), teapot]),
            ("make the red ones 3", "place_order", [], [red], [dict(red, quantity=3)])):  # the only line
        slots = {"requested_slot": "shipping_address", "order_items": draft, "order_draft": draft}
        dispatcher = CollectingDispatcher()
        events = await ValidateOrderForm().run(dispatcher, form_tracker(new_identity(), text, intent, entities, slots=slots), DOMAIN)
        assert SlotSet("order_draft", expected) in events, text
        assert [m["response"] for m in dispatcher.messages] == ["utter_order_quantity_changed"], text
    # both items are mugs: which one is not said, nothing changes
    slots = {"requested_slot": "shipping_address", "order_items": [BLUE_MUGS, red], "order_draft": [BLUE_MUGS, red]}
    dispatcher = CollectingDispatcher()
    events = await ValidateOrderForm().run(dispatcher, form_tracker(new_identity(), "change the mugs to 4", "change_order",
                                                                    category, slots=slots), DOMAIN)
    assert not any(e.get("name") == "order_draft" for e in events)


async def test_order_form_known_customer_reuses_last_address(backend, dispatcher):
    identity = new_identity()
    place_order(backend, identity, email="ada@example.com")
    events = await ActionAskShippingAddress().run(dispatcher, tracker_for(identity, ""), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_reuse_address"]
    saved = {"address": ADDRESS, "contact": "ada@example.com"}
    assert events == [SlotSet("order_saved_address", saved)]
    # asked again after a side question ("how much is shipping?"): offered again, not dropped
    again = CollectingDispatcher()
    tracker = tracker_for(identity, "", slots={"order_saved_address": saved})
    assert await ActionAskShippingAddress().run(again, tracker, {}) == []
    assert [m["response"] for m in again.messages] == ["utter_ask_reuse_address"]
    tracker = form_tracker(identity, "yes", "affirm", slots={"requested_slot": "shipping_address",
                                                              "order_saved_address": saved})
    events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
    assert events == [SlotSet("shipping_address", ADDRESS), SlotSet("order_contact", "ada@example.com"),
                      SlotSet("order_saved_address", {})]


async def test_same_address_to_the_last_orders_address_takes_it(backend):
    """"same address pls" to "Shall I send it to the address of your last order?" had gone to
    changing the last order's address; "yes but use my phone …" took neither."""
    saved = {"address": ADDRESS, "contact": "ada@example.com"}
    slots = {"requested_slot": "shipping_address", "order_saved_address": saved}
    for text, intent, contact in (("same address pls", "change_shipping_address", "ada@example.com"),
                                  ("same as last time", "inform", "ada@example.com"),
                                  ("yes but use my phone +49 151 2345678", "affirm", "+491512345678"),
                                  # its "012" had become a new count of 12 paper filters
                                  ("same address but contact me on 012 345 6789 instead", "inform", "0123456789")):
        draft = [{"sku": "BRW-FLT-100", "name": "Paper Filters 100 pack", "quantity": 2, "candidates": []}]
        tracker = form_tracker(new_identity(), text, intent, slots={**slots, "order_draft": draft, "order_items": draft})
        events = await ValidateOrderForm().run(CollectingDispatcher(), tracker, DOMAIN)
        assert SlotSet("shipping_address", ADDRESS) in events, text
        assert SlotSet("order_contact", contact) in events, text
        assert not any(e.get("name") in ("order_draft", "order_items") for e in events), text


async def test_order_form_new_customer_is_asked_for_address(backend, dispatcher):
    events = await ActionAskShippingAddress().run(dispatcher, tracker_for(new_identity(), ""), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_shipping_address"]
    assert events == [SlotSet("order_saved_address", {})]


async def test_place_order_creates_pending_order_and_asks_to_confirm(backend, dispatcher):
    identity = new_identity()
    teapot = {"sku": "TEA-POT-GLS", "name": "Glass Teapot with Infuser 1 L", "quantity": 1, "candidates": []}
    events = await pending_order(backend, dispatcher, identity, [BLUE_MUGS, teapot])
    [order] = orders_of(backend, identity)
    assert events == [SlotSet("order_idempotency_key", "key-1"), SlotSet("pending_order", order["number"]),
                      SlotSet("pending_confirmation", "place_order")]
    assert order["status"] == "pending"
    assert [(line["sku"], line["quantity"]) for line in order["lines"]] == [("MUG-CER-BLU", 2), ("TEA-POT-GLS", 1)]
    message = dispatcher.messages[0]
    assert message["response"] == "utter_confirm_order"
    assert message["total"] == "€58.70"  # 2 × 12.90 + 32.90, free shipping from 50.00
    assert "2 × Ceramic Mug Blue: €25.80" in message["lines"]
    assert (message["address"], message["contact"]) == (
        "Ada Lovelace, 12 Market Street, D02 X285 Dublin, IE", "ada@example.com")


async def test_an_order_edited_at_its_summary_is_changed_in_place(backend, dispatcher):
    # "add a glass teapot too" at "Shall I place it?": the form runs again with the same key slot.
    identity = new_identity()
    await pending_order(backend, dispatcher, identity, [BLUE_MUGS])
    [first] = orders_of(backend, identity)
    teapot = {"sku": "TEA-POT-GLS", "name": "Glass Teapot with Infuser 1 L", "quantity": 1, "candidates": []}
    cork = {**ADDRESS, "city": "Cork", "postal_code": "T12 RW26"}
    slots = {"order_items": [BLUE_MUGS, teapot], "order_idempotency_key": "key-1",
             "pending_order": first["number"], **ORDER_SLOTS_FILLED, "shipping_address": cork}
    events = await ActionPlaceOrder().run(dispatcher, tracker_for(identity, "add a glass teapot too", slots=slots), {})
    [order] = orders_of(backend, identity)  # the same one: nothing cancelled
    assert order["number"] == first["number"] and order["status"] == "pending"
    assert [(line["sku"], line["quantity"]) for line in order["lines"]] == [("MUG-CER-BLU", 2), ("TEA-POT-GLS", 1)]
    assert order["shipping_address"]["city"] == "Cork"
    assert SlotSet("pending_order", first["number"]) in events
    assert [m["response"] for m in dispatcher.messages] == ["utter_confirm_order", "utter_confirm_order"]
    assert "Glass Teapot" in dispatcher.messages[1]["lines"]


async def test_an_item_added_at_the_summary_counts_the_stock_the_order_already_holds(backend, dispatcher):
    """The last 3 lanterns in the order waiting for its "yes", then "also add a red mug": the
    lanterns had been called out of stock (the order's own reservation) and dropped."""
    sku = f"LNT-{uuid.uuid4().hex[:8].upper()}"
    httpx.post(f"{backend.url}/api/v1/staff/products", headers={"Authorization": "Bearer dev-staff-token"},
               json={"sku": sku, "name": "Lantern Green", "category": "Lanterns", "price_minor": 1500,
                     "initial_stock": 3}).raise_for_status()
    identity = new_identity()
    lanterns = {"sku": sku, "name": "Lantern Green", "quantity": 3, "candidates": []}
    await pending_order(backend, dispatcher, identity, [lanterns])
    [first] = orders_of(backend, identity)
    red = {"sku": "MUG-CER-RED", "name": "Ceramic Mug Red", "quantity": 1, "candidates": []}
    tracker = form_tracker(identity, "also add a red mug", "place_order", slots={"pending_order": first["number"]})
    said = CollectingDispatcher()
    slots = await ValidateOrderForm().validate_order_items([lanterns, red], said, tracker, DOMAIN)
    assert slots["order_items"] == [lanterns, red] and said.messages == []


async def test_a_contact_changed_at_the_summary_changes_the_order_unless_a_part_goes(backend, dispatcher):
    """A new email at the summary changes the waiting order in place; "use my phone instead" (the
    email dropped, which the backend can't clear) replaces it with a new one."""
    identity = new_identity()
    await pending_order(backend, dispatcher, identity, [BLUE_MUGS])
    [first] = orders_of(backend, identity)
    slots = {"order_items": [BLUE_MUGS], "order_idempotency_key": "key-1", "pending_order": first["number"],
             **ORDER_SLOTS_FILLED, "order_contact": "grace@example.com, +353851234567"}
    events = await ActionPlaceOrder().run(dispatcher, tracker_for(identity, "use grace@example.com", slots=slots), {})
    [changed] = orders_of(backend, identity)
    assert (changed["number"], changed["status"]) == (first["number"], "pending")
    assert (changed["contact_email"], changed["contact_phone"]) == ("grace@example.com", "+353851234567")
    assert dispatcher.messages[-1]["contact"] == "grace@example.com, +353851234567"
    slots = {**slots, "order_contact": "+353851234567"}
    events = await ActionPlaceOrder().run(dispatcher, tracker_for(identity, "use my phone instead", slots=slots), {})
    orders = {o["number"]: o for o in orders_of(backend, identity)}
    assert orders[first["number"]]["status"] == "cancelled"
    [second] = [o for number, o in orders.items() if number != first["number"]]
    assert (second["contact_email"], second["contact_phone"]) == (None, "+353851234567")
    assert SlotSet("pending_order", second["number"]) in events


async def test_an_email_and_a_phone_are_both_kept_for_the_order(backend, dispatcher):
    text = "grace@example.com and my mobile is +353 85 123 4567"
    tracker = form_tracker(new_identity(), text, slots={"requested_slot": "order_contact"})
    events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
    assert SlotSet("order_contact", "grace@example.com, +353851234567") in events


async def test_place_order_retry_with_same_key_creates_one_order(backend, dispatcher):
    identity = new_identity()
    await pending_order(backend, dispatcher, identity, [BLUE_MUGS])
    await pending_order(backend, dispatcher, identity, [BLUE_MUGS])
    assert len(orders_of(backend, identity)) == 1
    assert dispatcher.messages[0]["number"] == dispatcher.messages[1]["number"]


async def test_answer_yes_confirms_order_and_gives_number(backend, dispatcher):
    identity = new_identity()
    events = await pending_order(backend, dispatcher, identity, [BLUE_MUGS])
    number = events[1]["value"]
    events = await ActionAnswerConfirmation().run(dispatcher, answer(identity, number, "affirm"), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_confirm_order", "utter_order_placed"]
    assert dispatcher.messages[1]["number"] == number
    assert SlotSet("pending_order", None) in events and SlotSet("order_items", None) in events
    assert status_of(backend, identity, number) == "confirmed"


async def test_a_side_question_at_the_summary_asks_again_and_the_yes_places_it(backend, dispatcher):
    """"how much is shipping?" at "Shall I place it?" was answered and the order left hanging; a
    "yes" then showed the whole summary again instead of placing it."""
    from actions.faq import ActionAnswerFaq
    from tests.actions.test_faq import faq_tracker
    identity = new_identity()
    number = (await pending_order(backend, dispatcher, identity, [BLUE_MUGS]))[1]["value"]
    aside = faq_tracker("how much is shipping", "utter_faq/shipping_costs")
    aside.slots.update({"pending_confirmation": "place_order", "pending_order": number})
    asked = CollectingDispatcher()
    assert await ActionAnswerFaq().run(asked, aside, {}) == []
    assert [m["response"] for m in asked.messages] == ["utter_faq/shipping_costs", "utter_confirm_order_after_aside"]
    tracker = answer(identity, number, "affirm")
    tracker.events = [{"event": "action", "name": "action_answer_faq"},
                      {"event": "bot", "text": "Your order is still waiting: shall I place it?",
                       "metadata": {"utter_action": "utter_confirm_order_after_aside"}},
                      {"event": "action", "name": "action_listen"},
                      {"event": "user", "text": "yes", "parse_data": {"intent": {"name": "affirm"}}}]
    placed = CollectingDispatcher()
    await ActionAnswerConfirmation().run(placed, tracker, {})
    assert [m["response"] for m in placed.messages] == ["utter_order_placed"]
    assert status_of(backend, identity, number) == "confirmed"


async def test_a_yes_with_a_change_places_nothing(backend, dispatcher):
    """"yes but without the caddy" placed the order with the caddy (the word not recognised)."""
    identity = new_identity()
    number = (await pending_order(backend, dispatcher, identity, [BLUE_MUGS]))[1]["value"]
    tracker = answer(identity, number, "affirm")
    tracker.latest_message["text"] = "yes but without the caddy"
    asked = CollectingDispatcher()
    assert await ActionAnswerConfirmation().run(asked, tracker, {}) == []
    assert [m["response"] for m in asked.messages] == ["utter_what_to_change_first"]
    tracker.latest_message["entities"] = [{"entity": "product", "value": "Tea Caddy Tin", "skus": ["TEA-CAD-TIN"],
                                           "start": 20, "end": 25}]
    assert await ActionAnswerConfirmation().run(CollectingDispatcher(), tracker, {}) == [FollowupAction("order_form")]
    assert status_of(backend, identity, number) == "pending"
    # a "yes" to "What should I change first?" had placed the order, the caddy still in it
    tracker = answer(identity, number, "affirm")
    tracker.events[1] = {"event": "bot", "text": "What should I change first?",
                         "metadata": {"utter_action": "utter_what_to_change_first"}}
    tracker.events[0] = {"event": "action", "name": "action_answer_confirmation"}
    again = CollectingDispatcher()
    await ActionAnswerConfirmation().run(again, tracker, {})
    assert [m["response"] for m in again.messages] == ["utter_confirm_order"]
    assert status_of(backend, identity, number) == "pending"


async def test_no_or_yes_without_an_item_at_the_summary_takes_only_it_out(backend, dispatcher):
    """"no filters" threw the whole order away; "yes but without the tea" showed the teas."""
    identity = new_identity()
    filters = {"sku": "BRW-FLT-100", "name": "Paper Filters 100 pack", "quantity": 2, "candidates": []}
    for text, intent in (("no filters", "deny"), ("yes but without the filters", "affirm")):
        number = (await pending_order(backend, dispatcher, identity, [BLUE_MUGS, filters], key=text))[1]["value"]
        tracker = answer(identity, number, intent)
        tracker.latest_message["text"] = text
        tracker.slots.update({"order_items": [BLUE_MUGS, filters], "order_draft": [BLUE_MUGS, filters],
                              **ORDER_SLOTS_FILLED})
        said = CollectingDispatcher()
        events = await ActionAnswerConfirmation().run(said, tracker, {})
        assert [m["response"] for m in said.messages] == ["utter_order_items_removed", "utter_confirm_order"], text
        assert SlotSet("order_items", [BLUE_MUGS]) in events, text
        assert [(o["number"], o["status"]) for o in orders_of(backend, identity) if o["number"] == number] == [
            (number, "pending")], text


async def test_answer_no_cancels_pending_order_and_releases_stock(backend, dispatcher):
    identity = new_identity()
    before = available(backend)
    events = await pending_order(backend, dispatcher, identity, [BLUE_MUGS])
    number = events[1]["value"]
    assert available(backend) == before - 2
    await ActionAnswerConfirmation().run(dispatcher, answer(identity, number, "deny"), {})
    assert dispatcher.messages[-1]["response"] == "utter_order_not_placed"
    assert status_of(backend, identity, number) == "cancelled"
    assert available(backend) == before


async def test_yes_right_after_no_at_the_summary_makes_the_order_again(backend, dispatcher):
    """"no" released the order; "sorry i meant yes, place it" makes it again and asks once more."""
    identity = new_identity()
    events = await pending_order(backend, dispatcher, identity, [BLUE_MUGS])
    released = events[1]["value"]
    await ActionAnswerConfirmation().run(dispatcher, answer(identity, released, "deny"), {})
    tracker = tracker_for(identity, "sorry i meant yes, place it")
    tracker.latest_message["intent"] = {"name": "affirm", "confidence": 0.9}
    tracker.events = [{"event": "bot", "text": "I haven't placed the order.", "metadata": {"utter_action": "utter_order_not_placed"}},
                      {"event": "action", "name": "action_listen"},
                      {"event": "user", "text": "sorry i meant yes, place it"}]
    again = CollectingDispatcher()
    events = await ActionAnswerConfirmation().run(again, tracker, {})
    assert [m["response"] for m in again.messages] == ["utter_confirm_order"]
    [number] = [e["value"] for e in events if e["name"] == "pending_order"]
    assert number != released and status_of(backend, identity, number) == "pending"
    assert [(o["number"], [(line["sku"], line["quantity"]) for line in o["lines"]]) for o in orders_of(backend, identity)][0] == (
        number, [("MUG-CER-BLU", 2)])


async def test_an_item_with_none_left_goes_and_the_rest_goes_on_to_the_address(backend):
    """"2 black mugs and 1 glass teapot": the black mugs are out of stock; "What would you like to
    order?" was asked with the teapot kept, and again after the address."""
    black = {"sku": "MUG-CER-BLK", "name": "Ceramic Mug Black", "quantity": 2, "candidates": []}
    teapot = {"sku": "TEA-POT-GLS", "name": "Glass Teapot with Infuser 1 L", "quantity": 1, "candidates": []}
    dispatcher = CollectingDispatcher()
    tracker = form_tracker(new_identity(), "2 black mugs and 1 glass teapot", "place_order")
    result = await ValidateOrderForm().validate_order_items([black, teapot], dispatcher, tracker, DOMAIN)
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_out_of_stock", "utter_order_goes_on_without"]
    assert result["order_items"] == [teapot] and result["order_alternatives"]


async def test_place_order_short_stock_says_available_and_alternatives(backend, dispatcher):
    identity = new_identity()
    stock = available(backend, "MUG-CER-GRN")
    green = {"sku": "MUG-CER-GRN", "name": "Ceramic Mug Green", "quantity": stock + 1, "candidates": []}
    events = await pending_order(backend, dispatcher, identity, [green])
    message = dispatcher.messages[0]
    assert message["response"] == "utter_order_short_stock"
    assert (message["available"], message["requested"]) == (stock, stock + 1)
    assert "Ceramic Mug Red" in message["alternatives"] and "Black" not in message["alternatives"]
    offered = events[3]["value"]
    assert "Ceramic Mug Red" in [offer["name"] for offer in offered] and len(offered) <= 3
    assert events == [SlotSet("order_items", None), SlotSet("order_draft", [dict(green, quantity=None)]),
                      SlotSet("order_idempotency_key", None), SlotSet("order_alternatives", offered),
                      FollowupAction("order_form")]
    assert orders_of(backend, identity) == []


MUG_OFFERS = [{"sku": "MUG-CER-RED", "name": "Ceramic Mug Red"},
              {"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue"},
              {"sku": "TEA-POT-GLS", "name": "Glass Teapot with Infuser 1 L"}]


def test_an_offer_is_picked_by_the_words_that_tell_it_apart():
    assert pick_alternative(MUG_OFFERS, "ok give me 2 blue ones instead")["sku"] == "MUG-CER-BLU"
    assert pick_alternative(MUG_OFFERS, "the glass one then")["sku"] == "TEA-POT-GLS"
    assert pick_alternative(MUG_OFFERS[:2], "ok the mug then") is None  # both are mugs
    assert pick_alternative(MUG_OFFERS, "red or blue, whichever") is None  # two picked
    assert pick_alternative(MUG_OFFERS, "no thanks") is None
    assert pick_alternative([], "blue") is None


async def test_order_form_takes_an_offered_product_after_an_out_of_stock_answer(backend, dispatcher):
    """"Green is out of stock, similar: Red, Blue" -> "ok give me 2 blue ones instead"."""
    slots = {"order_draft": [], "requested_slot": "order_items", "order_alternatives": MUG_OFFERS}
    tracker = form_tracker(new_identity(), "ok give me 2 blue ones instead", "place_order",
                           [{"entity": "quantity", "value": "2"}], slots=slots)
    events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
    blue = {"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 2, "candidates": []}
    assert SlotSet("order_items", [blue]) in events and SlotSet("order_alternatives", None) in events
    # read as a yes, and without a number: the form then asks how many
    tracker = form_tracker(new_identity(), "ok the blue then", "affirm", slots=slots)
    events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
    assert SlotSet("order_draft", [dict(blue, quantity=None)]) in events


async def test_an_offer_named_by_the_nlu_takes_as_many_as_were_asked_also_at_the_address(backend):
    """"the cast iron one then" after 3 blue ceramic teapots were out of stock took 1 (its "one"),
    and once the rest of an order went on to the address, an offer was no more taken."""
    offers = [{"sku": "TEA-POT-CST", "name": "Cast Iron Teapot 0.8 L", "count": 3},
              {"sku": "TEA-POT-GLS", "name": "Glass Teapot with Infuser 1 L", "count": 3}]
    text = "the cast iron one then"
    cast_iron = [{"entity": "product", "value": "Cast Iron Teapot 0.8 L", "skus": ["TEA-POT-CST"], "start": 4, "end": 13}]
    teapot = {"sku": "TEA-POT-CST", "name": "Cast Iron Teapot 0.8 L", "quantity": 3, "candidates": []}
    for draft, requested in (([], "order_items"), ([BLUE_MUGS], "shipping_address")):
        slots = {"order_draft": draft, "order_items": draft or None, "requested_slot": requested,
                 "order_alternatives": offers}
        dispatcher = CollectingDispatcher()
        events = await ValidateOrderForm().run(dispatcher, form_tracker(new_identity(), text, "place_order", cast_iron,
                                                                        slots=slots), DOMAIN)
        assert SlotSet("order_items", draft + [teapot]) in events, requested
        assert not any(e.get("name") == "shipping_address" and e.get("value") for e in events), requested
    # "the glass one then": the NLU finds drinking glasses, the offers hold one glass teapot
    glasses = [{"entity": "product", "value": "glass", "skus": ["GLS-TMB-SET", "GLS-DBW-2PC"], "start": 4, "end": 9}]
    slots = {"order_draft": [], "requested_slot": "order_items", "order_alternatives": offers}
    events = await ValidateOrderForm().run(CollectingDispatcher(), form_tracker(new_identity(), "the glass one then",
                                                                                "place_order", glasses, slots=slots),
                                           DOMAIN)
    assert SlotSet("order_items", [{"sku": "TEA-POT-GLS", "name": "Glass Teapot with Infuser 1 L", "quantity": 3,
                                    "candidates": []}]) in events


async def test_instead_replaces_the_short_item_still_waiting_for_a_quantity(backend, dispatcher):
    short_red = {"sku": "MUG-CER-RED", "name": "Ceramic Mug Red", "quantity": None, "candidates": []}
    slots = {"order_draft": [BLUE_MUGS, short_red], "requested_slot": "order_items",
             "order_alternatives": [{"sku": "MUG-CER-WHT", "name": "Ceramic Mug White"},
                                    {"sku": "MUG-CER-GRN", "name": "Ceramic Mug Green"}]}
    tracker = form_tracker(new_identity(), "3 white ones instead", "inform",
                           [{"entity": "quantity", "value": "3"}], slots=slots)
    events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
    white = {"sku": "MUG-CER-WHT", "name": "Ceramic Mug White", "quantity": 3, "candidates": []}
    assert SlotSet("order_items", [BLUE_MUGS, white]) in events


async def test_place_order_backend_down_keeps_form_state(backend, dispatcher, monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    monkeypatch.setenv("BACKEND_URL", dead)
    get_settings.cache_clear()
    try:
        events = await pending_order(backend, dispatcher, new_identity(), [BLUE_MUGS], key="key-down")
    finally:
        monkeypatch.setenv("BACKEND_URL", backend.url)
        get_settings.cache_clear()
    assert [m["response"] for m in dispatcher.messages] == ["utter_backend_unavailable", "utter_order_retry_hint"]
    assert events == [SlotSet("order_idempotency_key", "key-down")]


async def test_just_looking_with_nothing_under_way_stops_nothing(dispatcher):
    await ActionStop().run(dispatcher, tracker_for(new_identity(), "i was just looking, not buying"), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_nothing_to_stop"]
    slots = {"pending_confirmation": "human_handoff", "offered_ticket": 12}
    await ActionStop().run(dispatcher, tracker_for(new_identity(), "maybe later", slots=slots), {})
    assert (dispatcher.messages[-1]["response"], dispatcher.messages[-1]["ticket_id"]) == ("utter_ticket_without_person", 12)


async def test_stop_leaves_form_and_cancels_unconfirmed_order(backend, dispatcher):
    identity = new_identity()
    events = await pending_order(backend, dispatcher, identity, [BLUE_MUGS])
    number = events[1]["value"]
    tracker = tracker_for(identity, "never mind", slots={"pending_confirmation": "place_order", "pending_order": number})
    events = await ActionStop().run(dispatcher, tracker, {})
    assert events == [ActiveLoop(None)] + [SlotSet(slot, None) for slot in TASK_SLOTS]
    # said plainly: the order was not placed (a "yes, place it" then orders it again)
    assert dispatcher.messages[-1]["response"] == "utter_order_not_placed"
    assert status_of(backend, identity, number) == "cancelled"


async def test_answer_yes_with_backend_down_keeps_order_pending(backend, dispatcher, monkeypatch):
    identity = new_identity()
    events = await pending_order(backend, dispatcher, identity, [BLUE_MUGS])
    number = events[1]["value"]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        monkeypatch.setenv("BACKEND_URL", f"http://127.0.0.1:{sock.getsockname()[1]}")
    get_settings.cache_clear()
    try:
        events = await ActionAnswerConfirmation().run(dispatcher, answer(identity, number, "affirm"), {})
    finally:
        monkeypatch.setenv("BACKEND_URL", backend.url)
        get_settings.cache_clear()
    assert events == []
    assert dispatcher.messages[-1]["response"] == "utter_backend_unavailable"
    assert status_of(backend, identity, number) == "pending"


async def test_order_form_declined_reuse_asks_for_new_address(backend, dispatcher):
    saved = {"address": ADDRESS, "contact": "ada@example.com"}
    tracker = form_tracker(new_identity(), "no", "deny", slots={"requested_slot": "shipping_address",
                                                              "order_saved_address": saved})
    events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
    assert events == [SlotSet("shipping_address", None), SlotSet("order_saved_address", {})]
    events = await ActionAskShippingAddress().run(
        dispatcher, tracker_for(new_identity(), "no", slots={"order_saved_address": {}}), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_shipping_address"]


async def test_order_form_add_worded_as_change_goes_to_the_draft(backend, dispatcher):
    entities = [{"entity": "product", "value": "Ceramic Mug Blue", "skus": ["MUG-CER-BLU"], "quantity": 2}]
    tracker = form_tracker(new_identity(), "add 2 blue mugs", "change_order", entities,
                           slots={"requested_slot": "order_items"})
    events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
    assert events == [SlotSet("order_items", [BLUE_MUGS]), SlotSet("order_draft", [BLUE_MUGS])]


RED_MUGS = [{"entity": "quantity", "value": "2", "implicit": False},
            {"entity": "product", "value": "Ceramic Mug Red", "skus": ["MUG-CER-RED"], "quantity": 2}]


def test_words_that_point_at_an_order_already_placed():
    for text in ["please add 2 red mugs to my order", "add it to my last order too",
                 "put a teapot on the order", "add a teapot to order OB-7KB8JMGK", "add one to order #1042"]:
        assert TO_AN_ORDER.search(text), text
    for text in ["i'd like to order 2 mugs", "add this to my cart", "i want to order a teapot",
                 "add a teapot too", "order 3 green mugs"]:
        assert not TO_AN_ORDER.search(text), text


async def test_adding_to_my_order_changes_the_order_already_placed(backend, dispatcher):
    identity = new_identity()
    place_order(backend, identity)
    tracker = form_tracker(identity, "please add 2 red mugs to my order", "place_order", RED_MUGS)
    events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
    assert events == [SlotSet("requested_slot", None), FollowupAction("change_order_form")]


async def test_adding_to_my_order_without_any_order_starts_one(backend, dispatcher):
    tracker = form_tracker(new_identity(), "please add 2 red mugs to my order", "place_order", RED_MUGS)
    events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
    red = {"sku": "MUG-CER-RED", "name": "Ceramic Mug Red", "quantity": 2, "candidates": []}
    assert SlotSet("order_draft", [red]) in events


async def test_adding_to_someone_elses_order_is_refused_not_a_new_order(backend, dispatcher):
    """"add 1 red mug to order OB-…" of another customer, from a chat without orders: the change
    form looks it up and says it found no such order of theirs; nothing new is ordered."""
    number = place_order(backend, new_identity())["number"]
    identity = new_identity()
    text = f"add 1 red mug to order {number}"
    entities = RED_MUGS + [{"entity": "order_id", "value": number}]
    events = await ValidateOrderForm().run(dispatcher, form_tracker(identity, text, "place_order", entities), DOMAIN)
    assert events == [SlotSet("requested_slot", None), FollowupAction("change_order_form")]
    events = await ValidateChangeOrderForm().run(
        dispatcher, flow_tracker(identity, text, "change_order", "change_order_form", entities), DOMAIN)
    assert [m["response"] for m in dispatcher.messages] == ["utter_change_order_not_found"]
    assert SlotSet("target_order", None) in events and orders_of(backend, identity) == []


async def test_adding_to_the_order_being_made_stays_in_it(backend, dispatcher):
    identity = new_identity()
    place_order(backend, identity)
    slots = {"order_draft": [BLUE_MUGS], "requested_slot": "shipping_address"}
    tracker = form_tracker(identity, "add 2 red mugs to the order as well", "place_order", RED_MUGS,
                           slots=slots)
    events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
    assert FollowupAction("change_order_form") not in events


async def test_an_address_given_when_asked_how_many_is_the_address_not_a_quantity(backend, dispatcher):
    mugs = dict(BLUE_MUGS, quantity=None)
    slots = {"order_draft": [mugs], "requested_slot": "order_items"}
    tracker = form_tracker(new_identity(), "Arjun Rao, 12 Market Street, Dublin D02 X285, Ireland", "inform",
                           [{"entity": "quantity", "value": "12"}], slots=slots)
    events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
    slots_set = {e["name"]: e["value"] for e in events}
    assert "order_items" not in slots_set  # still no quantity: the form asks again
    assert slots_set["shipping_address"]["city"] == "Dublin" and slots_set["shipping_address"]["name"] == "Arjun Rao"
    assert dispatcher.messages == []  # no "couldn't find 'Market'"


SHORT_TEAPOT = {"sku": "TEA-POT-CER", "name": "Ceramic Teapot 1.2 L Blue", "quantity": None, "candidates": []}
TEAPOT_OFFERS = [{"sku": "TEA-POT-CST", "name": "Cast Iron Teapot 0.8 L"},
                 {"sku": "TEA-POT-GLS", "name": "Glass Teapot with Infuser 1 L"}]


async def test_an_offer_named_as_a_product_replaces_the_short_item(backend, dispatcher):
    """"only 2 of the blue teapot; similar: Cast Iron Teapot, ..." -> "give me 3 cast iron teapots
    instead", or its SKU from a button: no more "how many blue teapots?"."""
    slots = {"order_draft": [SHORT_TEAPOT], "requested_slot": "order_items", "order_alternatives": TEAPOT_OFFERS}
    cast_iron = [{"entity": "product", "value": "cast iron teapots", "skus": ["TEA-POT-CST"], "quantity": 3}]
    for text, intent, entities in [("give me 3 cast iron teapots instead", "place_order", cast_iron),
                                   ('/inform{"product": "TEA-POT-CST"}', "inform",
                                    [{"entity": "product", "value": "TEA-POT-CST"}])]:
        tracker = form_tracker(new_identity(), text, intent, entities, slots=slots)
        events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
        draft = next(e["value"] for e in events if e["name"] == "order_draft")
        assert [item["sku"] for item in draft] == ["TEA-POT-CST"], text
    # a product that was not offered joins the order; the short item still waits for its number
    tracker = form_tracker(new_identity(), "and 2 blue mugs", "place_order",
                           [{"entity": "product", "value": "blue mugs", "skus": ["MUG-CER-BLU"], "quantity": 2}],
                           slots=slots)
    events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
    draft = next(e["value"] for e in events if e["name"] == "order_draft")
    assert [item["sku"] for item in draft] == ["TEA-POT-CER", "MUG-CER-BLU"]


def just_placed_tracker(identity, text, number):
    """The order form activated by a follow-up right after "Thank you! Your order ... is placed"."""
    tracker = form_tracker(identity, text, "place_order", RED_MUGS)
    tracker.events = [
        {"event": "user", "text": "yes", "parse_data": {"intent": {"name": "affirm"}}},
        {"event": "action", "name": "action_answer_confirmation"},
        {"event": "bot", "text": f"Thank you! Your order {number} is placed (€12.90).",
         "metadata": {"utter_action": "utter_order_placed"}},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": {"intent": {"name": "place_order"}}},
        {"event": "action", "name": "order_form"},
    ]
    return tracker


async def test_a_follow_up_right_after_placing_changes_the_placed_order(backend, dispatcher):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    for text in ["oh and throw in 2 red mugs too", "make it 2 red mugs instead"]:
        events = await ValidateOrderForm().run(dispatcher, just_placed_tracker(identity, text, number), DOMAIN)
        assert events == [SlotSet("requested_slot", None), FollowupAction("change_order_form")], text
    # not an edit: a new order
    events = await ValidateOrderForm().run(dispatcher, just_placed_tracker(identity, "2 red mugs", number), DOMAIN)
    assert FollowupAction("change_order_form") not in events



async def test_make_it_3_mugs_later_changes_the_placed_order_while_it_can_change(backend, dispatcher):
    """"make it 3 mugs" or "remove the blue mugs" some turns after placing: the placed order, not
    a new one, while it hasn't shipped; after shipping the change form says it can't change (it
    held mugs), and "make it 3 teapots" it never held is a new order; without an order, a new one."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    mugs = [{"entity": "quantity", "value": "3", "implicit": False},
            {"entity": "product", "value": "mugs", "skus": ["MUG-CER-BLU", "MUG-CER-RED"], "quantity": 3}]
    events = await ValidateOrderForm().run(dispatcher, form_tracker(identity, "make it 3 mugs", "place_order", mugs), DOMAIN)
    assert events == [SlotSet("requested_slot", None), FollowupAction("change_order_form")]
    blue = [{"entity": "product", "value": "blue mugs", "skus": ["MUG-CER-BLU"], "start": 11, "end": 20}]
    events = await ActionShowProducts().run(dispatcher, tracker_for(identity, "remove the blue mugs", blue), {})
    assert events == [FollowupAction("change_order_form")]
    ship(backend, identity, number)
    events = await ValidateOrderForm().run(dispatcher, form_tracker(identity, "make it 3 mugs", "place_order", mugs), DOMAIN)
    assert events == [SlotSet("requested_slot", None), FollowupAction("change_order_form")]
    refused = CollectingDispatcher()
    change = flow_tracker(identity, "remove the blue mugs", "change_order", "change_order_form", blue)
    events = await ValidateChangeOrderForm().run(refused, change, DOMAIN)
    assert [m["response"] for m in refused.messages] == ["utter_order_locked_shipped"]
    teapots = [{"entity": "quantity", "value": "3", "implicit": False},
               {"entity": "product", "value": "teapots", "skus": TEAPOTS, "quantity": 3}]
    events = await ValidateOrderForm().run(
        dispatcher, form_tracker(identity, "make it 3 teapots", "place_order", teapots), DOMAIN)
    assert FollowupAction("change_order_form") not in events
    events = await ValidateOrderForm().run(
        dispatcher, form_tracker(new_identity(), "make it 3 mugs", "place_order", mugs), DOMAIN)
    assert FollowupAction("change_order_form") not in events


async def test_a_product_name_on_its_own_shows_the_product_instead_of_ordering(backend, dispatcher):
    """"mokka pot" read as an order: its price and stock, not "how many would you like?"."""
    moka = [{"entity": "product", "value": "mokka pot", "skus": ["BRW-MOK-6CP"], "start": 0, "end": 9}]
    events = await ValidateOrderForm().run(dispatcher, form_tracker(new_identity(), "mokka pot", "place_order", moka), DOMAIN)
    assert events == [SlotSet("requested_slot", None), FollowupAction("action_show_products")]
    # shown as the form's follow-up, it ends the turn itself: no rule covers what comes next
    shown = tracker_for(new_identity(), "mokka pot", moka)
    shown.latest_action_name = "order_form"
    events = await ActionShowProducts().run(dispatcher, shown, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_product_list"]
    assert events == [SlotSet("shown_products", ["BRW-MOK-6CP"]), FollowupAction("action_listen")]
    moka[0].update(start=7, end=16)
    events = await ValidateOrderForm().run(
        dispatcher, form_tracker(new_identity(), "i want mokka pot", "place_order", moka), DOMAIN)
    assert FollowupAction("action_show_products") not in events


async def test_a_damage_complaint_read_as_an_order_opens_a_complaint(backend, dispatcher):
    """"the teapot i got is cracked, really disappointed": an apology, a ticket and a person
    offered, not "which teapot would you like?"; the turn ends there."""
    teapot = [{"entity": "product", "value": "teapot", "skus": TEAPOTS, "start": 4, "end": 10}]
    tracker = form_tracker(new_identity(), "the teapot i got is cracked, really disappointed", "place_order", teapot)
    events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
    assert [m["response"] for m in dispatcher.messages] == ["utter_complaint_ticket"]
    assert SlotSet("paused_form", None) in events and SlotSet("pending_confirmation", "human_handoff") in events
    assert events[-2:] == [SlotSet("requested_slot", None), FollowupAction("action_listen")]
    assert not any(e.get("name") == "order_draft" for e in events)
    replacement = CollectingDispatcher()
    text = "i want a replacement, the teapot is cracked"
    await ValidateOrderForm().run(replacement, form_tracker(new_identity(), text, "place_order", teapot), DOMAIN)
    assert [m["response"] for m in replacement.messages] == ["utter_complaint_ticket"]


async def test_an_order_number_read_as_an_order_request_gets_that_orders_status(backend, dispatcher):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    while not any(c.isdigit() for c in number):  # one of letters only needs its prefix
        number = place_order(backend, identity)["number"]
    text = f"order {number.removeprefix('OB-')}"
    tracker = form_tracker(identity, text, "place_order", [{"entity": "order_id", "value": text}])
    events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
    assert [(m["response"], m.get("number")) for m in dispatcher.messages] == [("utter_order_status_pending", number)], dispatcher.messages
    assert events[-2:] == [SlotSet("requested_slot", None), FollowupAction("action_listen")]


async def test_order_details_read_as_an_order_request_lists_the_order(backend, dispatcher):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    events = await ValidateOrderForm().run(dispatcher, form_tracker(identity, "order details pls", "place_order"), DOMAIN)
    assert [(m["response"], m.get("number")) for m in dispatcher.messages][:2] == [
        ("utter_order_contents", number), ("utter_order_status_pending", number)]
    assert events[-2:] == [SlotSet("requested_slot", None), FollowupAction("action_listen")]


@pytest.mark.parametrize("text", ["where is the order with the mugs", "where's my mug, it should have been here by now"])
async def test_where_is_read_as_an_order_request_tracks_the_order(backend, dispatcher, text):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    events = await ValidateOrderForm().run(dispatcher, form_tracker(identity, text, "place_order"), DOMAIN)
    assert dispatcher.messages[0]["response"].startswith("utter_order_") and dispatcher.messages[0]["number"] == number
    assert events[-2:] == [SlotSet("requested_slot", None), FollowupAction("action_listen")]


async def test_and_the_other_order_read_as_an_order_request_lists_the_orders(backend, dispatcher):
    identity = new_identity()
    first, second = place_order(backend, identity)["number"], place_order(backend, identity)["number"]
    for text in ("and the other order?", "what orders do i have"):
        dispatcher.messages.clear()
        await ValidateOrderForm().run(dispatcher, form_tracker(identity, text, "place_order"), DOMAIN)
        assert dispatcher.messages[0]["response"] == "utter_order_list", text
    assert first in dispatcher.messages[0]["orders"] and second in dispatcher.messages[0]["orders"]


async def test_make_it_3_right_after_placing_read_as_a_product_question_changes_the_order(backend, dispatcher):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    tracker = just_placed_tracker(identity, "make it 3", number)
    tracker.latest_message.update(intent={"name": "product_info", "confidence": 0.6}, entities=[])
    tracker.active_loop = {}
    assert await ActionShowProducts().run(dispatcher, tracker, {}) == [FollowupAction("change_order_form")]


async def test_short_stock_is_said_as_soon_as_the_items_are_known(backend, dispatcher):
    """"2 black mugs" (none left): said before the address is asked, with what is in stock."""
    black = [{"entity": "quantity", "value": "2"},
             {"entity": "product", "value": "black mugs", "skus": ["MUG-CER-BLK"], "quantity": 2}]
    tracker = form_tracker(new_identity(), "2 black mugs please", "place_order", black)
    events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_out_of_stock"]
    slots = {e["name"]: e["value"] for e in events}
    assert slots["order_items"] is None and slots["order_draft"] == []
    assert slots["order_alternatives"] and all(o["sku"] != "MUG-CER-BLK" for o in slots["order_alternatives"])


def test_make_it_3_mugs_means_the_mugs_already_in_the_order():
    """At the summary of 2 red mugs, "make it 3 mugs" (every mug a candidate) sets the red ones to 3;
    it used to ask "which mug?" and then order 2 + 3."""
    draft = [{"sku": "MUG-CER-RED", "name": "Ceramic Mug Red", "quantity": 2, "candidates": []}]
    mugs = [{"entity": "product", "value": "mug", "skus": ["MUG-CER-RED", "MUG-CER-BLU", "MUG-CER-GRN"],
             "quantity": 3, "start": 10, "end": 14}]
    assert merge_into_draft(draft, mugs, "make it 3 mugs", answering=False)
    assert [(d["sku"], d["quantity"]) for d in draft] == [("MUG-CER-RED", 3)]
    # A choice still open for a product the draft already holds replaces it once settled.
    draft = [{"sku": "MUG-CER-RED", "name": "Ceramic Mug Red", "quantity": 2, "candidates": []},
             {"sku": None, "name": "mug", "quantity": 3,
              "candidates": [{"sku": "MUG-CER-RED", "name": "Ceramic Mug Red"}, {"sku": "MUG-CER-BLU", "name": "x"}]}]
    red = [{"entity": "product", "value": "Ceramic Mug Red", "skus": ["MUG-CER-RED"], "start": 0, "end": 3}]
    assert merge_into_draft(draft, red, "red", answering=True)
    assert [(d["sku"], d["quantity"]) for d in draft] == [("MUG-CER-RED", 3)]


def test_more_of_a_product_in_the_draft_adds_to_its_count():
    draft = [{"sku": "TEA-INF-STL", "name": "Stainless Tea Infuser", "quantity": 1, "candidates": []}]
    for text, expected in (("and 1 more tea infuser", 2), ("another tea infuser", 3), ("make it 5 tea infusers", 5)):
        start = text.index("tea infuser")
        entity = {"entity": "product", "value": "Stainless Tea Infuser", "skus": ["TEA-INF-STL"],
                  "quantity": 5 if "5" in text else 1, "start": start, "end": start + 11}
        assert merge_into_draft(draft, [entity], text, answering=False), text
        assert draft[0]["quantity"] == expected, text


async def test_cancel_at_the_summary_is_a_no_to_that_order(backend, dispatcher):
    identity = new_identity()
    events = await pending_order(backend, dispatcher, identity, [BLUE_MUGS])
    number = events[1]["value"]
    tracker = tracker_for(identity, "cancel", slots={"pending_confirmation": "place_order", "pending_order": number})
    said = CollectingDispatcher()
    await ActionCancelOrder().run(said, tracker, {})
    assert [m["response"] for m in said.messages] == ["utter_order_not_placed"]
    assert status_of(backend, identity, number) == "cancelled"


def test_the_product_named_with_the_is_one_of_it():
    """"2 red mugs and the hand grinder" had asked "how many hand grinders?" after every answer."""
    text = "i want 2 red mugs and the hand grinder"
    entities = [{"entity": "product", "value": "red mugs", "skus": ["MUG-CER-RED"], "quantity": 2,
                 "start": 9, "end": 17},
                {"entity": "product", "value": "hand grinder", "skus": ["GRN-HND-BUR"], "start": 26, "end": 38}]
    draft: list = []
    assert merge_into_draft(draft, entities, text, answering=False)
    assert [(item["sku"], item["quantity"]) for item in draft] == [("MUG-CER-RED", 2), ("GRN-HND-BUR", 1)]
    plural: list = []
    merge_into_draft(plural, [{"entity": "product", "value": "blue mugs", "skus": ["MUG-CER-BLU"], "start": 13,
                               "end": 22}], "i'll take the blue mugs", answering=False)
    assert plural[0]["quantity"] is None  # how many is asked


async def test_a_new_count_while_the_address_is_asked_says_the_count_not_added(backend, dispatcher):
    """"actually make it 3 mugs" had answered "Added to your order: mugs."."""
    text = "actually make it 3 blue mugs"
    mugs = [{"entity": "product", "value": "blue mugs", "skus": ["MUG-CER-BLU"], "quantity": 3,
             "start": text.index("blue"), "end": len(text)}]
    slots = {"requested_slot": "shipping_address", "order_items": [BLUE_MUGS], "order_draft": [BLUE_MUGS]}
    await ValidateOrderForm().run(dispatcher, form_tracker(new_identity(), text, "change_order", mugs, slots=slots), DOMAIN)
    assert [(m["response"], m.get("quantity")) for m in dispatcher.messages] == [("utter_order_quantity_changed", 3)]


def test_also_add_a_red_mug_to_red_mugs_adds_one():
    """At the summary of 2 red mugs, "also add a red mug" had set them to 1 (a paid order went so)."""
    for text in ("also add a red mug", "a red mug too", "add another red mug"):
        draft = [{"sku": "MUG-CER-RED", "name": "Ceramic Mug Red", "quantity": 2, "candidates": []}]
        start = text.index("red mug")
        red = [{"entity": "product", "value": "red mug", "skus": ["MUG-CER-RED"], "quantity": 1,
                "start": start, "end": start + 7}]
        assert merge_into_draft(draft, red, text, answering=False)
        assert draft[0]["quantity"] == 3, text


async def test_edits_at_the_summary_read_as_changes_or_questions_edit_the_order_being_made(backend, dispatcher):
    """"remove the grinder" (change_order) at "Shall I place it?" had started the change form on
    the unplaced order, whose removal was then lost and the order placed with the grinder; "make
    it 3" (a product question) had shown the product."""
    identity = new_identity()
    await pending_order(backend, dispatcher, identity, [BLUE_MUGS])
    [order] = orders_of(backend, identity)
    summary = {"pending_order": order["number"], "pending_confirmation": "place_order",
               "order_items": [BLUE_MUGS], "order_draft": [BLUE_MUGS], **ORDER_SLOTS_FILLED}
    change = form_tracker(identity, "remove the grinder", "change_order", slots=summary)
    change.active_loop = {"name": "change_order_form"}
    assert await ValidateChangeOrderForm().run(CollectingDispatcher(), change, DOMAIN) == [
        SlotSet("requested_slot", None), FollowupAction("order_form")]
    question = tracker_for(identity, "make it 3", slots=summary)
    question.latest_message["intent"] = {"name": "product_info", "confidence": 0.6}
    assert await ActionShowProducts().run(CollectingDispatcher(), question, {}) == [FollowupAction("order_form")]
    resized = CollectingDispatcher()
    events = await ValidateOrderForm().run(resized, form_tracker(identity, "make it 3", "product_info", slots=summary), DOMAIN)
    assert SlotSet("order_items", [dict(BLUE_MUGS, quantity=3)]) in events


async def test_a_swap_or_removal_at_the_summary_edits_the_order_being_made(backend, dispatcher):
    """"replace the french press with a moka pot" at the summary had added the moka pot beside
    the press; "remove the french press" (a product question to the NLU) had shown the press."""
    identity = new_identity()
    press = {"sku": "BRW-FRP-800", "name": "French Press 800 ml", "quantity": 1, "candidates": []}
    await pending_order(backend, dispatcher, identity, [BLUE_MUGS, press])
    [order] = orders_of(backend, identity)
    summary = {"pending_order": order["number"], "pending_confirmation": "place_order",
               "order_items": [BLUE_MUGS, press], "order_draft": [BLUE_MUGS, press], **ORDER_SLOTS_FILLED}
    text = "replace the french press with a moka pot"
    entities = [{"entity": "product", "value": "French Press 800 ml", "skus": ["BRW-FRP-800"], "start": 12, "end": 24},
                {"entity": "quantity", "value": "1", "implicit": True},
                {"entity": "product", "value": "Stovetop Espresso Maker 6 cup", "skus": ["BRW-MOK-6CP"], "quantity": 1,
                 "start": 32, "end": 40}]
    said = CollectingDispatcher()
    events = await ValidateOrderForm().run(said, form_tracker(identity, text, "place_order", entities, slots=summary), DOMAIN)
    draft = next(e["value"] for e in events if e.get("name") == "order_draft")
    assert [(item["sku"], item["quantity"]) for item in draft] == [("MUG-CER-BLU", 2), ("BRW-MOK-6CP", 1)]
    assert [m["response"] for m in said.messages] == ["utter_order_items_removed", "utter_order_items_added"]
    for text in ("remove the french press", "take the french press out of the order"):
        removal = [{"entity": "product", "value": "French Press 800 ml", "skus": ["BRW-FRP-800"],
                    "start": text.index("french"), "end": text.index("french") + 12}]
        question = tracker_for(identity, text, removal, slots=summary)
        question.latest_message["intent"] = {"name": "product_info", "confidence": 0.5}
        assert await ActionShowProducts().run(CollectingDispatcher(), question, {}) == [FollowupAction("order_form")], text
        events = await ValidateOrderForm().run(CollectingDispatcher(), form_tracker(identity, text, "product_info", removal,
                                                                                    slots=summary), DOMAIN)
        assert SlotSet("order_items", [BLUE_MUGS]) in events, text


async def test_a_preorder_is_said_to_be_unavailable_not_started(backend, dispatcher):
    """"can i preorder one" had started an order ("What would you like to order?")."""
    events = await ValidateOrderForm().run(dispatcher, form_tracker(new_identity(), "can i preorder one", "place_order"),
                                           DOMAIN)
    assert [m["response"] for m in dispatcher.messages] == ["utter_no_preorders"]
    assert events == [SlotSet("requested_slot", None), FollowupAction("action_listen")]


async def test_a_new_count_while_which_teapot_is_asked_is_kept_and_said(backend):
    """"make it 3", "actually 4 please", "3 teapots" to "which teapot?": the count the teapot is
    ordered in changes and the bot says so, then asks which teapot once more (it had been lost)."""
    choice = dict(TEAPOT_CHOICE, quantity=2)
    teapots = [{"entity": "quantity", "value": "3"},
               {"entity": "product", "value": "teapot", "skus": TEAPOTS, "quantity": 3}]
    for text, intent, entities, count in (
            ("make it 3", "inform", [{"entity": "quantity", "value": "3"}], 3),
            ("actually 4 please", "inform", [], 4),
            ("3 teapots", "place_order", teapots, 3)):
        slots = {"order_draft": [BLUE_MUGS, choice], "requested_slot": "order_items"}
        dispatcher = CollectingDispatcher()
        events = await ValidateOrderForm().run(dispatcher, form_tracker(new_identity(), text, intent, entities,
                                                                        slots=slots), DOMAIN)
        assert SlotSet("order_draft", [BLUE_MUGS, dict(choice, quantity=count)]) in events, text
        assert [(m["response"], m["quantity"]) for m in dispatcher.messages] == [
            ("utter_order_quantity_changed", count)], text
    # the count it already has: nothing to say, "which teapot?" again
    slots = {"order_draft": [BLUE_MUGS, choice], "requested_slot": "order_items"}
    dispatcher = CollectingDispatcher()
    await ValidateOrderForm().run(dispatcher, form_tracker(new_identity(), "2", "inform",
                                                           [{"entity": "quantity", "value": "2"}], slots=slots), DOMAIN)
    assert dispatcher.messages == []


def test_an_offer_taken_beside_the_short_item_keeps_both_at_their_counts():
    """"only 6 green mugs left": "ok 6 green and 6 white then" had dropped the green ones."""
    offers = [{"sku": "MUG-CER-WHT", "name": "Ceramic Mug White"}, {"sku": "MUG-CER-RED", "name": "Ceramic Mug Red"}]
    short = {"sku": "MUG-CER-GRN", "name": "Ceramic Mug Green", "quantity": None, "candidates": []}
    for text, expected in (
            ("ok 6 green and 6 white then", [("MUG-CER-GRN", 6), ("MUG-CER-WHT", 6)]),
            ("6 of the green and 4 white", [("MUG-CER-GRN", 6), ("MUG-CER-WHT", 4)]),
            ("ok 2 white ones then", [("MUG-CER-WHT", 2)])):  # in place of the green ones
        draft = [dict(BLUE_MUGS), dict(short)]
        assert take_alternative(draft, offers, text), text
        assert [(item["sku"], item["quantity"]) for item in draft] == [("MUG-CER-BLU", 2)] + expected, text


def test_which_teapot_answered_with_each_of_them_orders_each():
    """"2 teapots", "which teapot?": "1 cast iron teapot and 1 glass teapot" had become 2 cast iron
    teapots; "one of each" and "both" had asked "which teapot?" again and again."""
    two = {"sku": None, "name": "teapot", "quantity": 2, "candidates": TEAPOT_CHOICE["candidates"][:2]}
    named = [{"entity": "product", "value": "Cast Iron Teapot 0.8 L", "skus": ["TEA-POT-CST"], "quantity": 1},
             {"entity": "product", "value": "Glass Teapot with Infuser 1 L", "skus": ["TEA-POT-GLS"], "quantity": 1}]
    unnumbered = [dict(entity, quantity=None) for entity in named]
    for text, entities in (("1 cast iron teapot and 1 glass teapot", named), ("the cast iron and the glass one", unnumbered),
                           ("one of each", []), ("both", [])):
        draft = [dict(BLUE_MUGS), {**two, "candidates": list(two["candidates"])}]
        assert merge_into_draft(draft, entities, text, answering=True), text
        assert [(item["sku"], item["quantity"]) for item in draft] == [
            ("MUG-CER-BLU", 2), ("TEA-POT-CST", 1), ("TEA-POT-GLS", 1)], text
    # three teapots to choose from for two: "both" can't say which, so "which teapot?" again
    draft = [dict(TEAPOT_CHOICE, quantity=2)]
    assert not merge_into_draft(draft, [], "both", answering=True)
    assert draft[0]["sku"] is None


async def test_which_teapot_answered_by_position_or_price(backend):
    """"the cheaper one", "the cheapest", "the first one", "the last one" to "which teapot?" had
    asked the same question again and again; "wait a second" is no pick."""
    prices = {sku: httpx.get(f"{backend.url}/api/v1/products/{sku}").json()["price_minor"]
              for sku in (c["sku"] for c in TEAPOT_CHOICE["candidates"])}
    cheapest, dearest = min(prices, key=prices.get), max(prices, key=prices.get)
    for text, sku in (("the cheaper one", cheapest), ("cheapest pls", cheapest), ("the most expensive", dearest),
                      ("the first one", "TEA-POT-CST"), ("last one", "TEA-POT-CER")):
        slots = {"order_draft": [BLUE_MUGS, TEAPOT_CHOICE], "requested_slot": "order_items"}
        events = await ValidateOrderForm().run(CollectingDispatcher(), form_tracker(new_identity(), text, slots=slots), DOMAIN)
        draft = next(e["value"] for e in events if e.get("name") == "order_draft")
        assert draft[1]["sku"] == sku, text
    slots = {"order_draft": [BLUE_MUGS, TEAPOT_CHOICE], "requested_slot": "order_items"}
    events = await ValidateOrderForm().run(CollectingDispatcher(), form_tracker(new_identity(), "wait a second", slots=slots),
                                           DOMAIN)
    assert all(item["sku"] for e in events if e.get("name") == "order_draft" for item in e["value"][:1])
    assert not any(e.get("name") == "order_draft" and e["value"][1]["sku"] for e in events)


def test_an_offer_taken_without_a_count_is_as_many_as_the_short_item_was():
    """"2 black mugs" (out of stock, red offered), "ok red ones instead then": 2 red mugs, not
    "how many?" (the count was forgotten)."""
    offers = [{"sku": "MUG-CER-RED", "name": "Ceramic Mug Red", "count": 2},
              {"sku": "MUG-CER-WHT", "name": "Ceramic Mug White", "count": 2}]
    draft = [dict(BLUE_MUGS)]
    assert take_alternative(draft, offers, "ok red ones instead then")
    assert [(item["sku"], item["quantity"]) for item in draft] == [("MUG-CER-BLU", 2), ("MUG-CER-RED", 2)]
    draft = [dict(BLUE_MUGS)]
    assert take_alternative(draft, offers, "3 white ones then")
    assert [(item["sku"], item["quantity"]) for item in draft] == [("MUG-CER-BLU", 2), ("MUG-CER-WHT", 3)]


async def test_one_of_each_that_cannot_be_split_says_how_to_say_which(backend):
    """"2 teapots" of 3, "one of each": which ones isn't said; the bot says how, then asks which."""
    identity = new_identity()
    slots = {"order_draft": [dict(TEAPOT_CHOICE, quantity=2)], "requested_slot": "order_items"}
    asked = CollectingDispatcher()
    await ActionAskOrderItems().run(asked, tracker_for(identity, "one of each", slots=slots), {})
    assert [m["response"] for m in asked.messages] == ["utter_which_ones", "utter_ask_which_product"]
    assert asked.messages[0]["example"] == "1 Cast Iron Teapot 0.8 L and 1 Glass Teapot with Infuser 1 L"


async def test_an_ambiguous_count_split_by_words_of_the_names_orders_each(backend):
    """"4 mugs - 2 blue 2 white" had put all 4 on one colour after "couldn't find blue";
    "one electric one gooseneck" to "which kettle?" had ordered 2 gooseneck kettles; "the glass one
    and the cast iron one" to "which teapot?" one of each; "the glass one, and actually 4 mugs not
    2" the glass teapot (not glassware, which had trapped the customer in "which glass?") and 4 mugs."""
    mugs = [{"entity": "quantity", "value": "4"},
            {"entity": "product", "value": "mugs", "quantity": 4, "start": 2, "end": 6,
             "skus": ["MUG-CER-RED", "MUG-CER-BLU", "MUG-CER-GRN", "MUG-CER-WHT", "MUG-ENM-CRM", "MUG-TRV-STL"]}]
    dispatcher = CollectingDispatcher()
    events = await ValidateOrderForm().run(dispatcher, form_tracker(new_identity(), "4 mugs - 2 blue 2 white", "place_order",
                                                                    mugs), DOMAIN)
    draft = next(e["value"] for e in events if e.get("name") == "order_draft")
    assert [(item["sku"], item["quantity"]) for item in draft] == [("MUG-CER-BLU", 2), ("MUG-CER-WHT", 2)]
    assert "utter_order_items_not_found" not in [m["response"] for m in dispatcher.messages]

    kettles = {"sku": None, "name": "kettle", "quantity": 2, "candidates": [
        {"sku": "KET-ELC-STL", "name": "Electric Kettle 1.7 L Steel"},
        {"sku": "KET-GOO-BLK", "name": "Gooseneck Pour-Over Kettle Black"}]}
    draft = [kettles]
    assert merge_into_draft(draft, [], "one electric one gooseneck", answering=True)
    assert [(item["sku"], item["quantity"]) for item in draft] == [("KET-ELC-STL", 1), ("KET-GOO-BLK", 1)]

    glass = {"entity": "product", "value": "glass", "skus": ["GLS-TMB-SET", "GLS-DBW-2PC"], "start": 4, "end": 9}
    cast_iron = {"entity": "product", "value": "Cast Iron Teapot 0.8 L", "skus": ["TEA-POT-CST"], "start": 22, "end": 31}
    draft = [dict(TEAPOT_CHOICE, quantity=2, candidates=list(TEAPOT_CHOICE["candidates"]))]
    assert merge_into_draft(draft, [glass, cast_iron], "the glass one and the cast iron one", answering=True)
    assert [(item["sku"], item["quantity"]) for item in draft] == [("TEA-POT-GLS", 1), ("TEA-POT-CST", 1)]

    four_mugs = {"entity": "product", "value": "mugs", "quantity": 4, "start": 30, "end": 34,
                 "skus": ["MUG-CER-RED", "MUG-CER-BLU", "MUG-CER-WHT"]}
    draft = [dict(BLUE_MUGS), dict(TEAPOT_CHOICE, candidates=list(TEAPOT_CHOICE["candidates"]))]
    assert merge_into_draft(draft, [glass, four_mugs], "the glass one, and actually 4 mugs not 2", answering=True)
    assert [(item["sku"], item["quantity"]) for item in draft] == [("MUG-CER-BLU", 4), ("TEA-POT-GLS", 1)]


async def test_a_count_for_the_short_item_with_another_product_keeps_both(backend):
    """"only 5 masala chai left, how many?": "5 is fine, also 2 sencha" and "whatever you have plus
    2 sencha" had dropped the chai for the sencha (offered in its place)."""
    available = httpx.get(f"{backend.url}/api/v1/products/TEA-CHA-200").json()["available"]
    chai = {"sku": "TEA-CHA-200", "name": "Masala Chai 200 g", "quantity": None, "candidates": []}
    offers = [{"sku": "TEA-SEN-100", "name": "Japanese Sencha 100 g", "count": 8}]
    for text, count in (("5 is fine, also 2 sencha", 5), ("whatever you have plus 2 sencha", min(available, 20))):
        sencha = [{"entity": "quantity", "value": "2", "start": text.index("2"), "end": text.index("2") + 1},
                  {"entity": "product", "value": "Japanese Sencha 100 g", "skus": ["TEA-SEN-100"], "quantity": 2,
                   "start": text.index("sencha"), "end": len(text)}]
        slots = {"order_draft": [dict(chai)], "requested_slot": "order_items", "order_alternatives": offers}
        events = await ValidateOrderForm().run(CollectingDispatcher(), form_tracker(new_identity(), text, "place_order",
                                                                                    sencha, slots=slots), DOMAIN)
        draft = next(e["value"] for e in events if e.get("name") == "order_draft")
        assert [(item["sku"], item["quantity"]) for item in draft] == [("TEA-CHA-200", count), ("TEA-SEN-100", 2)], text


def test_a_count_corrected_in_the_same_message_is_the_one_ordered():
    """"2 white mugs, no wait make that 3, and a tea infuser" had ordered 2 mugs."""
    text = "2 white mugs, no wait make that 3, and a tea infuser"
    entities = [{"entity": "product", "value": "Ceramic Mug White", "skus": ["MUG-CER-WHT"], "quantity": 2,
                 "start": 2, "end": 12},
                {"entity": "product", "value": "Stainless Tea Infuser", "skus": ["TEA-INF-STL"], "quantity": 1,
                 "start": text.index("tea"), "end": len(text)}]
    draft = []
    assert merge_into_draft(draft, entities, text, answering=False)
    assert [(item["sku"], item["quantity"]) for item in draft] == [("MUG-CER-WHT", 3), ("TEA-INF-STL", 1)]


async def test_add_it_after_a_product_shown_during_the_order_adds_that_product(backend, dispatcher):
    """"how much is the glass teapot?" at the summary (or while the address is asked), then "ok
    add it": the teapot joins the order (it had changed nothing, or read as an address)."""
    identity = new_identity()
    await pending_order(backend, dispatcher, identity, [BLUE_MUGS])
    [order] = orders_of(backend, identity)
    teapot = {"sku": "TEA-POT-GLS", "name": "Glass Teapot with Infuser 1 L", "quantity": 1, "candidates": []}
    for slots in ({"pending_order": order["number"], "pending_confirmation": "place_order", "order_items": [BLUE_MUGS],
                   "order_draft": [BLUE_MUGS], **ORDER_SLOTS_FILLED},
                  {"requested_slot": "shipping_address", "order_items": [BLUE_MUGS], "order_draft": [BLUE_MUGS]}):
        tracker = form_tracker(identity, "ok add it", "place_order", slots={**slots, "shown_products": ["TEA-POT-GLS"]})
        tracker.events[-1:-1] = [{"event": "bot", "text": "• Glass Teapot …", "metadata": {"utter_action": "utter_product_list"}},
                                 {"event": "user", "text": "ok add it"}]
        events = await ValidateOrderForm().run(CollectingDispatcher(), tracker, DOMAIN)
        assert SlotSet("order_items", [BLUE_MUGS, teapot]) in events, slots
    # a product seen before the order began is not "it" at the summary
    tracker = form_tracker(identity, "ok i'll take it", "place_order", slots={
        "pending_order": order["number"], "pending_confirmation": "place_order", "order_items": [BLUE_MUGS],
        "order_draft": [BLUE_MUGS], "shown_products": ["TEA-POT-GLS"], **ORDER_SLOTS_FILLED})
    events = await ValidateOrderForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert SlotSet("order_items", [BLUE_MUGS, teapot]) not in events


CADDY = {"sku": "TEA-CAD-TIN", "name": "Tea Caddy Tin", "quantity": 1, "candidates": []}


async def test_cancelling_an_item_at_the_summary_takes_it_out_not_the_order(backend, dispatcher):
    """t1 M1: "cancel the tea caddy pls" / "cancel the caddy, just the mugs" at "Shall I place it?"
    threw the whole order away. The item goes and the summary is shown again; a product that is the
    whole order, or "cancel it", is still a no to the order."""
    identity = new_identity()
    number = (await pending_order(backend, dispatcher, identity, [BLUE_MUGS, CADDY]))[1]["value"]
    summary = {"pending_order": number, "pending_confirmation": "place_order",
               "order_items": [BLUE_MUGS, CADDY], "order_draft": [BLUE_MUGS, CADDY], **ORDER_SLOTS_FILLED}
    text = "cancel the tea caddy pls"
    caddy = [{"entity": "product", "value": "Tea Caddy Tin", "skus": ["TEA-CAD-TIN"], "start": 11, "end": 20}]
    cancel = tracker_for(identity, text, caddy, slots=summary)
    cancel.latest_message["intent"] = {"name": "cancel_order", "confidence": 0.76}
    assert await ActionCancelOrder().run(CollectingDispatcher(), cancel, {}) == [FollowupAction("order_form")]
    said = CollectingDispatcher()
    form = form_tracker(identity, text, "cancel_order", caddy, slots=summary)
    events = await ValidateOrderForm().run(said, form, DOMAIN)
    assert SlotSet("order_items", [BLUE_MUGS]) in events
    assert [m["response"] for m in said.messages] == ["utter_order_items_removed"]
    # "caddy" alone is no product to the NLU: the word names the item
    text = "cancel the caddy, just the mugs"
    mugs = [{"entity": "category", "value": "Mugs", "start": 27, "end": 31}]
    cancel = tracker_for(identity, text, mugs, slots=summary)
    cancel.latest_message["intent"] = {"name": "cancel_order", "confidence": 0.3}
    said = CollectingDispatcher()
    events = await ActionCancelOrder().run(said, cancel, {})
    assert [m["response"] for m in said.messages] == ["utter_order_items_removed", "utter_confirm_order"]
    assert said.messages[0]["names"] == "Tea Caddy Tin"
    assert SlotSet("pending_confirmation", "place_order") in events and SlotSet("pending_order", number) in events
    [order] = orders_of(backend, identity)
    assert (order["number"], order["status"]) == (number, "pending")
    assert [(line["sku"], line["quantity"]) for line in order["lines"]] == [("MUG-CER-BLU", 2)]
    # the mugs are all that is left: cancelling them is a no to the order
    left = {**summary, "order_items": [BLUE_MUGS], "order_draft": [BLUE_MUGS]}
    blue = [{"entity": "product", "value": "Ceramic Mug Blue", "skus": ["MUG-CER-BLU"], "start": 11, "end": 20}]
    cancel = tracker_for(identity, "cancel the blue mugs", blue, slots=left)
    said = CollectingDispatcher()
    await ActionCancelOrder().run(said, cancel, {})
    assert [m["response"] for m in said.messages] == ["utter_order_not_placed"]
    assert status_of(backend, identity, number) == "cancelled"


async def test_cancel_it_at_the_summary_of_several_items_is_still_a_no(backend, dispatcher):
    for text in ("cancel it", "cancel the whole order pls", "cancel everything"):
        identity = new_identity()
        number = (await pending_order(backend, dispatcher, identity, [BLUE_MUGS, CADDY]))[1]["value"]
        summary = {"pending_order": number, "pending_confirmation": "place_order",
                   "order_items": [BLUE_MUGS, CADDY], "order_draft": [BLUE_MUGS, CADDY], **ORDER_SLOTS_FILLED}
        said = CollectingDispatcher()
        await ActionCancelOrder().run(said, tracker_for(identity, text, slots=summary), {})
        assert [m["response"] for m in said.messages] == ["utter_order_not_placed"], text
        assert status_of(backend, identity, number) == "cancelled", text


async def test_changing_your_mind_after_no_at_the_summary_makes_the_order_again(backend, dispatcher):
    """t1 M11: "no" at the summary, then "actually i changed my mind, place it after all" (a cancel to
    the NLU) asked "Which order would you like to cancel?". It makes the declined order again, as
    "sorry i meant yes" does, whichever way it was read; "changed my mind, dont want it" does not."""
    for text, intent, action in (("actually i changed my mind, place it after all", "cancel_order", ActionCancelOrder),
                                 ("changed my mind, i do want it", "cancel_order", ActionCancelOrder),
                                 ("no wait i want it after all", "deny", ActionAnswerConfirmation)):
        identity = new_identity()
        released = (await pending_order(backend, dispatcher, identity, [BLUE_MUGS]))[1]["value"]
        await ActionAnswerConfirmation().run(CollectingDispatcher(), answer(identity, released, "deny"), {})
        tracker = tracker_for(identity, text)
        tracker.latest_message["intent"] = {"name": intent, "confidence": 0.4}
        tracker.events = [{"event": "bot", "text": "I haven't placed the order.",
                           "metadata": {"utter_action": "utter_order_not_placed"}},
                          {"event": "action", "name": "action_listen"},
                          {"event": "user", "text": text}]
        again = CollectingDispatcher()
        events = await action().run(again, tracker, {})
        assert [m["response"] for m in again.messages] == ["utter_confirm_order"], text
        [number] = [e["value"] for e in events if e["name"] == "pending_order"]
        assert number != released and status_of(backend, identity, number) == "pending", text
    tracker.latest_message["text"] = tracker.events[-1]["text"] = "i changed my mind, i dont want anything"
    kept = CollectingDispatcher()
    await ActionCancelOrder().run(kept, tracker, {})
    assert "utter_confirm_order" not in [m.get("response") for m in kept.messages]


async def test_cancelling_an_item_read_as_a_product_question_at_the_summary(backend, dispatcher):
    """"cancel the tea caddy" read as a product question at the summary: taken out like "remove the
    tea caddy"; when the caddy is all the order holds, a no to the order (not an empty order form)."""
    text = "cancel the tea caddy"
    caddy = [{"entity": "product", "value": "Tea Caddy Tin", "skus": ["TEA-CAD-TIN"], "start": 11, "end": 20}]
    for items, said in (([BLUE_MUGS, CADDY], None), ([CADDY], "utter_order_not_placed")):
        identity = new_identity()
        number = (await pending_order(backend, dispatcher, identity, items))[1]["value"]
        summary = {"pending_order": number, "pending_confirmation": "place_order",
                   "order_items": items, "order_draft": items, **ORDER_SLOTS_FILLED}
        question = tracker_for(identity, text, caddy, slots=summary)
        question.latest_message["intent"] = {"name": "product_info", "confidence": 0.5}
        answered = CollectingDispatcher()
        events = await ActionShowProducts().run(answered, question, {})
        if said is None:
            assert events == [FollowupAction("order_form")] and answered.messages == []
            assert status_of(backend, identity, number) == "pending"
        else:
            assert [m["response"] for m in answered.messages] == [said]
            assert status_of(backend, identity, number) == "cancelled"
