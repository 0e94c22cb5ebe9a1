"""QA round 15, the order form: edits before the order is placed, an order with its address in one
message, counts after the item, "which kettle?" answered by a word of a name, a goodbye mid-form.
Entities are as the NLU gave them for the testers' messages."""
from __future__ import annotations

import httpx
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation
from actions.change_address import ValidateChangeAddressForm
from actions.conversation import TASK_SLOTS
from actions.inform import ActionHandleInform
from actions.order_draft import merge_into_draft
from actions.order_slots import asks_to_place_after_an_aside
from actions.ordering import ValidateOrderForm
from tests.actions.test_cancel import status_of
from tests.actions.test_ordering import (BLUE_MUGS, DOMAIN, ORDER_SLOTS_FILLED, answer, form_tracker,
                                         pending_order)
from tests.actions.test_orders import STAFF, new_identity, tracker_for

CAST_IRON = {"sku": "TEA-POT-CST", "name": "Cast Iron Teapot 0.8 L", "quantity": 1, "candidates": []}
GLASS = {"sku": "TEA-POT-GLS", "name": "Glass Teapot with Infuser 1 L", "quantity": 1, "candidates": []}
RED_MUGS = {"sku": "MUG-CER-RED", "name": "Ceramic Mug Red", "quantity": 2, "candidates": []}
KETTLES = ["KET-ELC-STL", "KET-GOO-BLK", "KET-STV-RED"]
KETTLE_CHOICE = {"sku": None, "name": "kettle", "quantity": 1, "candidates": [
    {"sku": "KET-ELC-STL", "name": "Electric Kettle 1.7 L Steel"},
    {"sku": "KET-GOO-BLK", "name": "Gooseneck Kettle 0.9 L Black"},
    {"sku": "KET-STV-RED", "name": "Stovetop Whistling Kettle Red"}]}
ELECTRIC_KETTLE = {"sku": "KET-ELC-STL", "name": "Electric Kettle 1.7 L Steel", "quantity": 1, "candidates": []}


def stock_up(backend, *skus: str) -> None:
    """A few in stock (not many: other tests ask for one more than there is, within the limit of 20)."""
    for sku in skus:
        stock = httpx.get(f"{backend.url}/api/v1/staff/products/{sku}/stock", headers=STAFF).json()
        if stock["available"] < 5:
            httpx.post(f"{backend.url}/api/v1/staff/products/{sku}/restock", headers=STAFF,
                       json={"quantity": 5, "note": "tests/actions qa15 order form"}).raise_for_status()


def slots_of(events) -> dict:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


def glass_entity(text: str) -> list:
    """ "glass" as the NLU reads it: the drinking glasses, not the glass teapot."""
    start = text.index("glass")
    return [{"entity": "product", "value": "glass", "skus": ["GLS-DBW-2PC", "GLS-TMB-SET"], "start": start,
             "end": start + 5, "quantity": 1},
            {"entity": "quantity", "value": "1", "start": start + 6, "end": start + 9, "implicit": False}]


async def test_the_glass_one_is_taken_out_of_the_order_being_made(backend, dispatcher):
    """F38/F39/F53: "remove the glass one" with a cast iron and a glass teapot in the order was ignored
    at the summary, and while the address was asked it started changing a placed order."""
    stock_up(backend, "TEA-POT-CST")
    identity = new_identity()
    number = (await pending_order(backend, dispatcher, identity, [CAST_IRON, GLASS]))[1]["value"]
    at_the_summary = {**ORDER_SLOTS_FILLED, "order_items": [CAST_IRON, GLASS], "order_draft": [CAST_IRON, GLASS],
                      "pending_order": number, "pending_confirmation": "place_order"}
    asking_the_address = {"requested_slot": "shipping_address", "order_items": [CAST_IRON, GLASS],
                          "order_draft": [CAST_IRON, GLASS]}
    for text, slots in (("remove the glass one", at_the_summary), ("i said swap, remove the glass one", at_the_summary),
                        ("remove the glass one", asking_the_address)):
        said = CollectingDispatcher()
        tracker = form_tracker(identity, text, "change_order", glass_entity(text), slots=slots)
        events = await ValidateOrderForm().run(said, tracker, DOMAIN)
        assert slots_of(events)["order_items"] == [CAST_IRON], text
        assert [(m["response"], m.get("names")) for m in said.messages] == [
            ("utter_order_items_removed", GLASS["name"])], text
    # "remove the red ones": no product to the NLU, a word of one item's name
    slots = {"requested_slot": "shipping_address", "order_items": [RED_MUGS, BLUE_MUGS],
             "order_draft": [RED_MUGS, BLUE_MUGS]}
    events = await ValidateOrderForm().run(CollectingDispatcher(),
                                           form_tracker(identity, "remove the red ones", "change_order", [], slots=slots),
                                           DOMAIN)
    assert slots_of(events)["order_items"] == [BLUE_MUGS]


async def test_swap_it_after_naming_the_other_teapot_replaces_it(backend, dispatcher):
    """F38: "is the cast iron one available now? i'd prefer that one, swap it" at the summary of a
    glass teapot added the cast iron one beside it."""
    stock_up(backend, "TEA-POT-CST")
    identity = new_identity()
    number = (await pending_order(backend, dispatcher, identity, [GLASS]))[1]["value"]
    slots = {**ORDER_SLOTS_FILLED, "order_items": [GLASS], "order_draft": [GLASS], "pending_order": number,
             "pending_confirmation": "place_order"}
    text = "is the cast iron one available now? i'd prefer that one, swap it"
    entities = [{"entity": "product", "value": "Cast Iron Teapot 0.8 L", "skus": ["TEA-POT-CST"], "start": 7, "end": 16}]
    events = await ValidateOrderForm().run(CollectingDispatcher(),
                                           form_tracker(identity, text, "product_info", entities, slots=slots), DOMAIN)
    assert [(item["sku"], item["quantity"]) for item in slots_of(events)["order_items"]] == [("TEA-POT-CST", 1)]


ARJUN = "2 red mugs and 1 french press. ship to Arjun Mehta, Ringstraße 9, 1010 Wien, Austria, arjun@example.at"
ARJUN_ENTITIES = [
    {"entity": "email", "value": "arjun@example.at", "start": 86, "end": 102},
    {"entity": "order_id", "value": "1010", "start": 66, "end": 70},
    {"entity": "quantity", "value": "2", "start": 0, "end": 1, "implicit": False},
    {"entity": "product", "value": "Ceramic Mug Red", "skus": ["MUG-CER-RED"], "start": 2, "end": 10, "quantity": 2},
    {"entity": "quantity", "value": "1", "start": 15, "end": 16, "implicit": False},
    {"entity": "product", "value": "French Press 800 ml", "skus": ["BRW-FRP-800"], "start": 17, "end": 29, "quantity": 1}]
# the tester's message: a colour said alone, "kettle electric", "ph" before the phone
WHOLE = ("2 mugs red n 1 blue, 1 kettle electric, 1 french press. ship to Arjun Mehta, Ringstraße 9, 1010 Wien, "
         "Austria, ph +43 660 1234567")
WHOLE_ENTITIES = [
    {"entity": "order_id", "value": "1010", "start": 91, "end": 95},
    {"entity": "phone", "value": "+43 660 1234567", "start": 114, "end": 129},
    {"entity": "quantity", "value": "2", "start": 0, "end": 1, "implicit": False},
    {"entity": "product", "value": "Ceramic Mug Red", "skus": ["MUG-CER-RED"], "start": 2, "end": 10, "quantity": 2},
    {"entity": "quantity", "value": "1", "start": 21, "end": 22, "implicit": False},
    {"entity": "product", "value": "kettle electric", "skus": ["KET-ELC-STL", "KET-STV-RED"], "start": 23, "end": 38,
     "quantity": 1},
    {"entity": "quantity", "value": "1", "start": 40, "end": 41, "implicit": False},
    {"entity": "product", "value": "French Press 800 ml", "skus": ["BRW-FRP-800"], "start": 42, "end": 54, "quantity": 1}]
INES = "3 cast iron teapots to Ines Costa, Rua das Flores 5, 4050-262 Porto, Portugal"
INES_ENTITIES = [
    {"entity": "quantity", "value": "3", "start": 0, "end": 1, "implicit": False},
    {"entity": "product", "value": "Cast Iron Teapot 0.8 L", "skus": ["TEA-POT-CST"], "start": 2, "end": 19, "quantity": 3}]


async def test_items_and_the_address_they_go_to_are_an_order_whatever_the_nlu_read(backend):
    """F32/F36: "2 red mugs … ship to …, 1010 Wien, Austria" was tracking "order 1010"; "3 cast iron
    teapots to Ines Costa, …, Portugal" a product search or an address change of no order."""
    stock_up(backend, "TEA-POT-CST", "MUG-CER-RED", "BRW-FRP-800")
    identity = new_identity()
    tracker = tracker_for(identity, ARJUN, entities=ARJUN_ENTITIES)
    tracker.latest_message["intent"] = {"name": "inform", "confidence": 0.3}
    assert await ActionHandleInform().run(CollectingDispatcher(), tracker, DOMAIN) == [FollowupAction("order_form")]
    for text, entities in ((ARJUN, ARJUN_ENTITIES), (INES, INES_ENTITIES)):
        tracker = form_tracker(identity, text, "change_shipping_address", entities)
        tracker.active_loop = {"name": "change_address_form"}
        said = CollectingDispatcher()
        events = await ValidateChangeAddressForm().run(said, tracker, DOMAIN)
        assert events == [SlotSet("requested_slot", None), FollowupAction("order_form")], text
        assert said.messages == [], text
    said = CollectingDispatcher()
    events = await ValidateOrderForm().run(said, form_tracker(identity, ARJUN, "change_shipping_address",
                                                              ARJUN_ENTITIES), DOMAIN)
    values = slots_of(events)
    assert [(i["sku"], i["quantity"]) for i in values["order_items"]] == [("MUG-CER-RED", 2), ("BRW-FRP-800", 1)]
    assert (values["shipping_address"]["postal_code"], values["order_contact"]) == ("1010", "arjun@example.at")
    said = CollectingDispatcher()
    events = await ValidateOrderForm().run(said, form_tracker(identity, WHOLE, "inform", WHOLE_ENTITIES), DOMAIN)
    values = slots_of(events)
    assert [(i["sku"], i["quantity"]) for i in values["order_items"]] == [
        ("MUG-CER-RED", 2), ("MUG-CER-BLU", 1), ("KET-ELC-STL", 1), ("BRW-FRP-800", 1)]
    assert (values["shipping_address"]["city"], values["order_contact"]) == ("Wien", "+436601234567")
    assert said.messages == []  # not "I couldn't find "blue""
    events = await ValidateOrderForm().run(CollectingDispatcher(), form_tracker(identity, INES, "change_shipping_address",
                                                                                INES_ENTITIES), DOMAIN)
    values = slots_of(events)
    assert [(i["sku"], i["quantity"]) for i in values["order_items"]] == [("TEA-POT-CST", 3)]
    assert values["shipping_address"]["city"] == "Porto"
    # a placed order sent elsewhere stays the address change's
    tracker = form_tracker(identity, "send the teapot order to " + INES[23:], "change_shipping_address",
                           [{"entity": "product", "value": "teapot", "skus": ["TEA-POT-CST"], "start": 9, "end": 15}])
    tracker.active_loop = {"name": "change_address_form"}
    assert FollowupAction("order_form") not in await ValidateChangeAddressForm().run(CollectingDispatcher(), tracker,
                                                                                     DOMAIN)


async def test_an_address_after_the_only_item_went_out_of_stock_is_no_order_number(backend):
    """F37: the teapot sold out while the address was given; the order form, asked again, read the
    postcode 26122 as an order to track."""
    identity = new_identity()
    text = "Tom Weber, Lange Straße 3, 26122 Oldenburg, Germany, tom@example.de"
    entities = [{"entity": "email", "value": "tom@example.de", "start": 53, "end": 67},
                {"entity": "order_id", "value": "26122", "start": 27, "end": 32}]
    slots = {"order_draft": [], "order_items": None, "requested_slot": None,
             "order_alternatives": [{"sku": "TEA-POT-GLS", "name": GLASS["name"], "count": 1}],
             "shipping_address": {"name": "Tom Weber", "line1": "Lange Straße 3", "city": "Oldenburg",
                                  "postal_code": "26122", "country": "DE"}}
    for offered in (slots["order_alternatives"], []):  # nothing similar in stock: no offers
        said = CollectingDispatcher()
        tracker = form_tracker(identity, text, "inform", entities, slots={**slots, "order_alternatives": offered})
        events = await ValidateOrderForm().run(said, tracker, DOMAIN)
        assert said.messages == [], offered
        assert not any(event.get("event") == "followup" for event in events), offered


def test_a_count_said_after_the_item_is_its_count():
    """F18: "the enamel camp mug, 2 of them" ordered 1; "colombia coffee beans, 3 bags" asked how many."""
    text = "ok i want the enamel camp mug, 2 of them, and the ceramic teapot"
    entities = [{"entity": "product", "value": "Enamel Camp Mug Cream", "skus": ["MUG-ENM-CRM"], "start": 14, "end": 29},
                {"entity": "product", "value": "Ceramic Teapot 1.2 L Blue", "skus": ["TEA-POT-CER"], "start": 50,
                 "end": 64}]
    draft = []
    merge_into_draft(draft, entities, text, answering=False)
    assert [(item["sku"], item["quantity"]) for item in draft] == [("MUG-ENM-CRM", 2), ("TEA-POT-CER", 1)]
    text = "I want to order colombia coffee beans, 3 bags"
    draft = []
    merge_into_draft(draft, [{"entity": "product", "value": "Colombia Huila Beans 250 g", "skus": ["COF-COL-250"],
                              "start": 16, "end": 37}], text, answering=False)
    assert [(item["sku"], item["quantity"]) for item in draft] == [("COF-COL-250", 3)]
    # the count before the next product stays that product's
    text = "a blue mug, 2 red mugs"
    draft = []
    merge_into_draft(draft, [{"entity": "product", "value": "Ceramic Mug Blue", "skus": ["MUG-CER-BLU"], "start": 2,
                              "end": 10, "quantity": 1},
                             {"entity": "product", "value": "Ceramic Mug Red", "skus": ["MUG-CER-RED"], "start": 14,
                              "end": 22, "quantity": 2}], text, answering=False)
    assert [(item["sku"], item["quantity"]) for item in draft] == [("MUG-CER-BLU", 1), ("MUG-CER-RED", 2)]


async def test_which_kettle_answered_with_a_word_of_a_name_is_that_kettle(backend):
    """F12/F3: "electric" picked the stovetop kettle (it works on gas, electric and induction hobs)
    over the Electric Kettle; "2 nos blue mug and one tea kettle, electric one" asked which kettle
    and said "nos" was not found."""
    identity = new_identity()
    slots = {"order_draft": [BLUE_MUGS, KETTLE_CHOICE], "requested_slot": "order_items"}
    for text, intent in (("electric", "out_of_scope"), ("the big one then, the electric", "inform")):
        events = await ValidateOrderForm().run(CollectingDispatcher(), form_tracker(identity, text, intent, slots=slots),
                                               DOMAIN)
        assert slots_of(events)["order_draft"] == [BLUE_MUGS, ELECTRIC_KETTLE], text
    text = "kindly book 2 nos blue mug and one tea kettle, electric one"
    entities = [{"entity": "quantity", "value": "2", "start": 12, "end": 13, "implicit": False},
                {"entity": "product", "value": "Ceramic Mug Blue", "skus": ["MUG-CER-BLU"], "start": 18, "end": 26,
                 "quantity": 2},
                {"entity": "quantity", "value": "1", "start": 31, "end": 34, "implicit": False},
                {"entity": "product", "value": "kettle", "skus": KETTLES, "start": 35, "end": 45, "quantity": 1}]
    said = CollectingDispatcher()
    events = await ValidateOrderForm().run(said, form_tracker(identity, text, "place_order", entities), DOMAIN)
    assert slots_of(events)["order_draft"] == [BLUE_MUGS, ELECTRIC_KETTLE]
    assert "utter_order_items_not_found" not in [m["response"] for m in said.messages]


async def test_whatever_you_have_to_how_many_takes_what_is_left(backend):
    """F35: "ok give me whatever you have" (a "no" to the NLU) to "how many decaf?" when short."""
    stock_up(backend, "COF-DEC-250")
    available = httpx.get(f"{backend.url}/api/v1/staff/products/COF-DEC-250/stock", headers=STAFF).json()["available"]
    decaf = {"sku": "COF-DEC-250", "name": "Swiss Water Decaf 250 g", "quantity": None, "candidates": []}
    slots = {"order_draft": [decaf], "requested_slot": "order_items"}
    tracker = form_tracker(new_identity(), "ok give me whatever you have", "deny", slots=slots)
    events = await ValidateOrderForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert slots_of(events)["order_items"] == [dict(decaf, quantity=min(available, 20))]


async def test_yes_while_an_added_item_is_not_chosen_places_nothing(backend, dispatcher):
    """F5: "add a kettle" at the summary, "which kettle?": a side answer asked "shall I place it?" too,
    and "yes place the order" placed it without the kettle."""
    identity = new_identity()
    number = (await pending_order(backend, dispatcher, identity, [BLUE_MUGS]))[1]["value"]
    slots = {**ORDER_SLOTS_FILLED, "order_items": [BLUE_MUGS], "order_draft": [BLUE_MUGS, KETTLE_CHOICE],
             "requested_slot": "order_items", "pending_order": number, "pending_confirmation": "place_order"}
    aside = form_tracker(identity, "which one is bigger?", "product_info", slots=slots)
    asked = CollectingDispatcher()
    assert asks_to_place_after_an_aside(asked, aside, []) == [] and asked.messages == []
    for text in ("yes", "yes place the order"):
        said = CollectingDispatcher()
        events = await ValidateOrderForm().run(said, form_tracker(identity, text, "affirm", slots=slots), DOMAIN)
        assert events == [SlotSet("order_draft", [BLUE_MUGS, KETTLE_CHOICE])], text
        assert [(m["response"], m["name"]) for m in said.messages] == [("utter_order_choice_first", "kettle")], text
    tracker = answer(identity, number, "affirm")
    tracker.latest_message["text"] = "yes place the order"
    tracker.slots.update(order_draft=[BLUE_MUGS, KETTLE_CHOICE])
    assert await ActionAnswerConfirmation().run(CollectingDispatcher(), tracker, {}) == [FollowupAction("order_form")]
    assert status_of(backend, identity, number) == "pending"


LEFT = [ActiveLoop(None)] + [SlotSet(slot, None) for slot in TASK_SLOTS] + [FollowupAction("action_listen")]


async def test_a_goodbye_while_the_address_or_contact_is_asked_leaves_the_order(backend):
    """F21: "bye", "thanks, bye", "i have to go, ill come back later" were read as a wrong address or
    contact, and the form would not let go."""
    identity = new_identity()
    for asked in ("shipping_address", "order_contact"):
        slots = {"requested_slot": asked, "order_items": [BLUE_MUGS], "order_draft": [BLUE_MUGS]}
        for text in ("bye", "thanks, bye", "i have to go, ill come back later"):
            said = CollectingDispatcher()
            events = await ValidateOrderForm().run(said, form_tracker(identity, text, "goodbye", slots=slots), DOMAIN)
            assert events == LEFT, (asked, text)
            assert [m["response"] for m in said.messages] == ["utter_order_left_goodbye"], (asked, text)
    # a thank-you alone is answered in kind by its rule, and the form asks again
    slots = {"requested_slot": "shipping_address", "order_items": [BLUE_MUGS], "order_draft": [BLUE_MUGS]}
    events = await ValidateOrderForm().run(CollectingDispatcher(), form_tracker(identity, "thanks", "thank", slots=slots),
                                           DOMAIN)
    assert ActiveLoop(None) not in events
