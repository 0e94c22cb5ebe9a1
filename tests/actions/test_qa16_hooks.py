"""QA round 16, the hooks other fixers reported for the order and change forms: a parcel question, a
price question or a restock question at the order form's start (or "when will it be back" while it
asks), the SKU of a product refused for stock, a count taken after a price question and "order them"
after several products, a change of another chat's order, a question asked before a change, "make
the chai 5 packets", and the address asked with the status. Entities are as the NLU gave them for
the testers' messages (tests/actions/test_qa16_tracking.py)."""
from __future__ import annotations

import uuid

import httpx
import pytest
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.catalogue import ActionShowProducts
from actions.change_order import ActionConfirmOrderChange, ValidateChangeOrderForm
from actions.fallback import ActionFallback
from actions.ordering import ActionAskOrderItems, ValidateOrderForm
from actions.orders import ActionTrackOrder
from tests.actions.test_change_order import DOMAIN, flow_tracker, order_view_of
from tests.actions.test_orders import ADDRESS, STAFF, after_answer, in_days, new_identity, place_order, ship
from tests.actions.test_qa15_tracking import confirm, place
from tests.actions.test_qa16_order_form import made_product, responses, slots_of
from tests.actions.test_qa16_tracking import (ADDRESS_AND_ADD, ETHIOPIA, FRENCH_PRESS, GRINDER_AND_CHAI,
                                              GRINDER_THEN_CHAI, MOKA, MOKA_NOT_HERE, MUG_AND_PRESS, MUG_THEN_PRESS,
                                              SENCHA, UPDATE_AND_ADD, in_stock, verified_order)

MUG = {"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 2, "candidates": []}


def in_the_order_form(identity: str, text: str, intent: str, entities=None, slots=None, said=()):
    """`text` (read as `intent`) handed to the order form's validation, right after the bot said
    `said` [(response, its values)]."""
    tracker = after_answer(identity, text, list(said), entities, slots, intent=intent)
    tracker.active_loop = {"name": "order_form"}
    tracker.events = tracker.events + [{"event": "action", "name": "order_form"}]
    return tracker


def at_the_change_forms_start(identity: str, text: str, intent: str, entities=None, slots=None, said=()):
    """`text` as the change form's activation gets it (no target yet), after the bot said `said`."""
    tracker = after_answer(identity, text, list(said), entities, slots, intent=intent)
    tracker.events = tracker.events + [{"event": "action", "name": "change_order_form"}]
    return tracker


def followups(events: list) -> list:
    return [event["name"] for event in events if event.get("event") == "followup"]


def spoken(said: CollectingDispatcher) -> list:
    """The bot's messages as the next turn's tracker holds them: (response, its values)."""
    return [(m["response"], {k: v for k, v in m.items() if k not in ("response", "text", "buttons", "elements",
                                                                   "custom", "template", "image", "attachment")})
            for m in said.messages]


def entity_at(text: str, said: str, value: str, skus: list, quantity=None) -> dict:
    start = text.index(said)
    return {"entity": "product", "value": value, "start": start, "end": start + len(said), "skus": skus,
            "quantity": quantity}


# --- A1. "my moka pot still not here" at the order form's start ---------------------------------

async def test_a_parcel_question_about_an_ordered_product_at_the_order_forms_start_is_its_tracking(backend):
    """Read as place_order, it asked "How many Stovetop Espresso Maker 6 cup would you like?"."""
    in_stock(backend, "BRW-MOK-6CP")
    identity = new_identity()
    number = place(backend, identity, "BRW-MOK-6CP")
    ship(backend, identity, number, expected=in_days(2))
    said = CollectingDispatcher()
    events = await ValidateOrderForm().run(said, in_the_order_form(identity, MOKA_NOT_HERE, "place_order", MOKA), DOMAIN)
    assert responses(said)[0] == "utter_order_not_late_yet" and said.messages[0]["number"] == number
    assert "order_draft" not in slots_of(events) and events[-1] == FollowupAction("action_listen")
    # without a moka pot ordered on this chat: the order it reads
    events = await ValidateOrderForm().run(CollectingDispatcher(), in_the_order_form(
        new_identity(), MOKA_NOT_HERE, "place_order", MOKA), DOMAIN)
    assert [item["sku"] for item in slots_of(events)["order_draft"]] == ["BRW-MOK-6CP"]


# --- A2, A3. a price or a restock asked at the start; a restock asked while the form asks ------

async def test_the_price_of_a_count_at_the_order_forms_start_goes_to_the_product_answer(backend):
    """ "how much are 3 bags of the ethiopia beans" read as place_order: an order of 3 had started."""
    tracker = in_the_order_form(new_identity(), "how much are 3 bags of the ethiopia beans", "place_order", ETHIOPIA)
    said = CollectingDispatcher()
    assert await ValidateOrderForm().run(said, tracker, DOMAIN) == [SlotSet("requested_slot", None),
                                                                   FollowupAction("action_show_products")]
    assert said.messages == []
    # an order, then its price asked, is still an order
    text = "i need 3 bags of the ethiopia beans, how much is that?"
    tracker = in_the_order_form(new_identity(), text, "place_order", [
        {"entity": "quantity", "value": "3", "start": 7, "end": 8, "implicit": False},
        entity_at(text, "ethiopia beans", "Ethiopia Yirgacheffe Beans 250 g", ["COF-ETH-250"], 3)])
    events = await ValidateOrderForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert slots_of(events)["order_items"][0]["quantity"] == 3


def refused(kettle: dict) -> list:
    return [("utter_order_out_of_stock", {"name": kettle["name"], "alternatives": "nothing similar right now"}),
            ("utter_ask_order_items", {})]


async def test_when_will_it_be_back_at_the_order_forms_start_goes_to_the_product_answer(backend):
    kettle = made_product(backend, f"Whistling Kettle {uuid.uuid4().hex[:6]}", 0)
    tracker = in_the_order_form(new_identity(), "when will it be back", "place_order", said=refused(kettle))
    assert await ValidateOrderForm().run(CollectingDispatcher(), tracker, DOMAIN) == [
        SlotSet("requested_slot", None), FollowupAction("action_show_products")]


async def test_when_will_it_be_back_while_the_form_asks_is_answered_and_the_order_kept(backend):
    """QA16 F6: after the only item was refused ("What would you like to order?"), "when will it be
    back" got "Sorry, I couldn't find that…", and "when will the decaf be back" refused the decaf again."""
    kettle = made_product(backend, f"Whistling Kettle {uuid.uuid4().hex[:6]}", 0)
    asking = {"requested_slot": "order_items", "order_draft": []}
    said = CollectingDispatcher()
    events = await ValidateOrderForm().run(said, in_the_order_form(new_identity(), "when will it be back", "product_info",
                                                                   slots=asking, said=refused(kettle)), DOMAIN)
    assert responses(said) == ["utter_product_back_in_days"] and said.messages[0]["name"] == kettle["name"]
    assert slots_of(events)["order_draft"] == [] and "order_items" not in slots_of(events)  # asked again
    text = "when will the kettle be back in stock?"
    named = [entity_at(text, "kettle", kettle["name"], [kettle["sku"]])]
    for slots in (asking, {"requested_slot": "order_items", "order_draft": [dict(MUG, quantity=None)]},
                  {"requested_slot": "shipping_address", "order_draft": [MUG], "order_items": [MUG]}):
        said = CollectingDispatcher()
        events = await ValidateOrderForm().run(said, in_the_order_form(new_identity(), text, "product_info", named,
                                                                       slots=slots, said=refused(kettle)), DOMAIN)
        assert responses(said) == ["utter_product_back_in_days"], slots
        assert slots_of(events)["order_draft"] == slots["order_draft"] and "order_items" not in slots_of(events)


# --- A4. the SKU of a product refused for stock ----------------------------------------------------

def twins(backend) -> tuple:
    """Two products of one name: the first by name and SKU in stock, the second out of it."""
    name, tag = f"Enamel Kettle {uuid.uuid4().hex[:6]}", uuid.uuid4().hex[:6].upper()
    made = []
    for suffix, stock in (("A", 5), ("B", 0)):
        sku = f"QA16H-{tag}-{suffix}"
        httpx.post(f"{backend.url}/api/v1/staff/products", headers=STAFF,
                   json={"sku": sku, "name": name, "category": f"QA16H {tag}", "price_minor": 2990,
                         "initial_stock": stock}).raise_for_status()
        made.append(sku)
    return name, made[0], made[1]


async def when_back(identity: str, said: CollectingDispatcher) -> CollectingDispatcher:
    """ "when will it be back" right after the bot said what `said` holds."""
    answer = CollectingDispatcher()
    await ActionShowProducts().run(answer, after_answer(identity, "when will it be back", spoken(said),
                                                        intent="product_info"), {})
    return answer


async def test_the_product_refused_by_the_order_form_is_the_one_when_will_it_be_back_means(backend):
    """Refused by name, "when will it be back" found the product of that name in stock."""
    name, _, out = twins(backend)
    identity, text = new_identity(), f"i'd like a {name}"
    said = CollectingDispatcher()
    await ValidateOrderForm().run(said, in_the_order_form(identity, text, "place_order",
                                                          [entity_at(text, name, name, [out], 1)]), DOMAIN)
    assert responses(said) == ["utter_order_out_of_stock"] and said.messages[0]["sku"] == out
    answer = await when_back(identity, said)
    assert responses(answer) == ["utter_product_back_in_days"] and answer.messages[0]["days"] == 7


async def test_the_product_refused_by_a_change_is_the_one_when_will_it_be_back_means(backend):
    name, _, out = twins(backend)
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    target = order_view_of(backend, identity, number)
    changes = [{"sku": line["sku"], "name": line["name"], "quantity": line["quantity"]} for line in target["lines"]]
    tracker = flow_tracker(identity, f"add a {name}", "change_order", "change_order_form",
                           slots={"target_order": target, "order_changes": changes + [
                               {"sku": out, "name": name, "quantity": 1}]})
    said = CollectingDispatcher()
    await ActionConfirmOrderChange().run(said, tracker, DOMAIN)
    assert responses(said) == ["utter_order_out_of_stock", "utter_order_change_not_sent"]
    assert said.messages[0]["sku"] == out
    answer = await when_back(identity, said)
    assert responses(answer) == ["utter_product_back_in_days"]


# --- A5. a count after a price question; "order them" after several products -----------------

async def test_a_bare_count_after_a_price_question_is_of_the_product_asked_about(backend):
    """ "how much is the travel mug? i'll take 2 and a french press": 1 travel mug had been read."""
    said = CollectingDispatcher()
    events = await ValidateOrderForm().run(said, in_the_order_form(new_identity(), MUG_THEN_PRESS, "product_info",
                                                                   MUG_AND_PRESS), DOMAIN)
    assert [(item["sku"], item["quantity"]) for item in slots_of(events)["order_items"]] == [
        ("MUG-TRV-STL", 2), ("BRW-FRP-800", 1)]
    # a count with its own product is that product's
    text = "how much is the travel mug? i'll take 2 french presses"
    entities = [MUG_AND_PRESS[0], entity_at(text, "french presses", "French Press 800 ml", ["BRW-FRP-800"], 2)]
    events = await ValidateOrderForm().run(CollectingDispatcher(), in_the_order_form(
        new_identity(), text, "product_info", entities), DOMAIN)
    assert [(item["sku"], item["quantity"]) for item in slots_of(events)["order_draft"]] == [
        ("MUG-TRV-STL", 1), ("BRW-FRP-800", 2)]


def after_products_shown(text: str, shown: list, named_before: list):
    """`text` at the order form's start, the customer's message before having named `named_before`
    (entities) and the bot having listed `shown`."""
    tracker = in_the_order_form(new_identity(), text, "place_order", slots={"shown_products": shown},
                                said=[("utter_product_list", {})])
    tracker.events = [{"event": "user", "text": "how much are they?", "parse_data": {"entities": named_before}}] + \
        tracker.events
    return tracker


async def test_order_them_after_several_products_named_takes_each_and_asks_how_many(backend):
    """QA16 F5: "ok so order them??" after the prices of the travel mug and the french press asked
    "What would you like to order?"."""
    named = [MUG_AND_PRESS[0], MUG_AND_PRESS[2]]
    said = CollectingDispatcher()
    tracker = after_products_shown("ok so order them??", ["MUG-TRV-STL", "BRW-FRP-800"], named)
    events = await ValidateOrderForm().run(said, tracker, DOMAIN)
    draft = slots_of(events)["order_draft"]
    assert [(item["sku"], item["quantity"]) for item in draft] == [("MUG-TRV-STL", None), ("BRW-FRP-800", None)]
    assert said.messages == []
    asked = CollectingDispatcher()
    await ActionAskOrderItems().run(asked, in_the_order_form(new_identity(), "ok so order them??", "place_order",
                                                             slots={"order_draft": draft}), DOMAIN)
    assert responses(asked) == ["utter_ask_order_quantity"] and asked.messages[0]["name"] == "Insulated Travel Mug"
    # a list asked for by kind ("do you have kettles?"): which of them is not said
    kettles = ["KET-ELC-STL", "KET-GOO-BLK", "KET-STV-RED"]
    tracker = after_products_shown("ok so order them??", kettles,
                                   [{"entity": "product", "value": "kettle", "start": 12, "end": 19, "skus": kettles}])
    events = await ValidateOrderForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert not slots_of(events).get("order_draft")


# --- B. a change of another chat's order -------------------------------------------------------

async def test_a_change_form_started_about_another_chats_order_refuses_it_and_ends(backend):
    """ "whats the delivery address on it? and pls add a french press to it" handed to the change
    form (read as place_order): "I can't find order … on this chat" had answered."""
    stranger, number, slots = verified_order(backend)
    tracker = at_the_change_forms_start(stranger, ADDRESS_AND_ADD, "place_order", FRENCH_PRESS, slots,
                                        said=[("utter_order_status_confirmed", {"number": number})])
    said = CollectingDispatcher()
    events = await ValidateChangeOrderForm().run(said, tracker, DOMAIN)
    assert responses(said) == ["utter_verified_order_address_private", "utter_verified_order_not_changed_here"]
    assert ActiveLoop(None) in events and events[-1] == FollowupAction("action_listen")
    assert not any(event.get("name") == "target_order" for event in events)


# --- C, D. a question before a change; "make the chai 5 packets" --------------------------------

def chai_order(backend) -> tuple:
    identity = new_identity()
    number = place(backend, identity, "TEA-CHA-200")
    confirm(backend, identity, number)
    return identity, number


def changes_of(events: list) -> list:
    return [(line["sku"], line["quantity"]) for line in slots_of(events).get("order_changes") or []]


async def test_the_status_asked_before_a_change_is_said_at_the_change_forms_start(backend):
    """QA16 F4: read as change_order, only the sencha was proposed; the status was never said."""
    identity, number = chai_order(backend)
    said = CollectingDispatcher()
    events = await ValidateChangeOrderForm().run(said, at_the_change_forms_start(identity, UPDATE_AND_ADD, "change_order",
                                                                                 SENCHA), DOMAIN)
    assert responses(said) == ["utter_order_status_confirmed"] and said.messages[0]["number"] == number
    assert changes_of(events) == [("TEA-CHA-200", 1), ("TEA-SEN-100", 1)]
    # answered before the form in this turn (the status answer handed over to it): not said twice
    tracker = at_the_change_forms_start(identity, UPDATE_AND_ADD, "track_order", SENCHA)
    tracker.events.insert(-1, {"event": "bot", "text": "…", "metadata": {"utter_action": "utter_order_status_confirmed"}})
    said = CollectingDispatcher()
    events = await ValidateChangeOrderForm().run(said, tracker, DOMAIN)
    assert said.messages == [] and changes_of(events) == [("TEA-CHA-200", 1), ("TEA-SEN-100", 1)]


async def test_a_question_answered_with_a_question_of_its_own_ends_the_change_form(backend):
    """The order late: "shall I bring in a person?" is the last message, not the shipped order refused."""
    identity = new_identity()
    number = place(backend, identity, "TEA-CHA-200")
    ship(backend, identity, number, expected=in_days(-3))
    said = CollectingDispatcher()
    events = await ValidateChangeOrderForm().run(said, at_the_change_forms_start(identity, UPDATE_AND_ADD, "change_order",
                                                                                 SENCHA), DOMAIN)
    assert responses(said) == ["utter_order_late"]
    assert SlotSet("pending_confirmation", "human_handoff") in events and ActiveLoop(None) in events
    assert events[-1] == FollowupAction("action_listen") and not any(e.get("name") == "target_order" for e in events)


@pytest.mark.parametrize("intent", ["change_order", "product_info"])
async def test_a_product_question_before_a_change_is_answered_and_only_the_change_read(backend, intent):
    """QA16 F4: "is the grinder good for espresso? also pls make the chai 5 packets" asked "Which
    grinder do you mean?"; the grinders' card first (read as product_info, the product answer gives
    it and hands the whole message over), then the chai made 5."""
    identity, number = chai_order(backend)
    tracker = at_the_change_forms_start(identity, GRINDER_AND_CHAI, intent, GRINDER_THEN_CHAI)
    said = CollectingDispatcher()
    if intent == "product_info":
        events = await ActionShowProducts().run(said, tracker, DOMAIN)
        assert followups(events) == ["change_order_form"]
        tracker.events.insert(-1, {"event": "bot", "text": "…", "metadata": {"utter_action": "utter_product_list"}})
    events = await ValidateChangeOrderForm().run(said, tracker, DOMAIN)
    assert responses(said) == ["utter_product_list"] and "Hand Burr Grinder" in said.messages[0]["products"]
    assert changes_of(events) == [("TEA-CHA-200", 5)]


@pytest.mark.parametrize("text", ["make the chai 5 packets", "also pls make the chai 5 packets",
                                  "can you make the chai 5 please", "change the chai to 5"])
async def test_make_the_chai_5_packets_sets_its_count(backend, text):
    """ "make the chai 5 packets" had read no count ("to" only): nothing, or 1 more with "also"."""
    identity, number = chai_order(backend)
    entities = [entity_at(text, "chai", "Masala Chai 200 g", ["TEA-CHA-200"])]
    said = CollectingDispatcher()
    events = await ValidateChangeOrderForm().run(said, at_the_change_forms_start(identity, text, "change_order", entities),
                                                 DOMAIN)
    assert said.messages == [] and changes_of(events) == [("TEA-CHA-200", 5)], text


# --- P3. the address asked with the status ------------------------------------------------------

async def test_what_did_i_order_and_where_is_it_going_says_its_address_too(backend):
    """QA16: the items and status were said, never where it goes."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    said = CollectingDispatcher()
    await ActionTrackOrder().run(said, after_answer(identity, "what did i order again and where is it going", [],
                                                    intent="track_order"), {})
    assert responses(said)[:3] == ["utter_order_contents", "utter_order_status_pending", None]
    assert number in said.messages[2]["text"] and ADDRESS["line1"] in said.messages[2]["text"]
    said = CollectingDispatcher()
    await ActionTrackOrder().run(said, after_answer(identity, "what did i order again", [], intent="track_order"), {})
    assert None not in responses(said)


async def test_the_email_asked_for_another_chats_order_address_read_as_out_of_scope_answers_the_address_question(backend):
    """Asked for the email on another chat's order to tell its address, the email read as out of
    scope (the fallback asks answer_about_an_order) gave the order's status instead; it answers the
    address question (for another chat's order: that its address is not shown here)."""
    number = place_order(backend, new_identity(), email="owner@example.com")["number"]
    slots = {"requested_info": "contact", "order_task": "address", "order_id": number}
    tracker = after_answer(new_identity(), "owner@example.com", [("utter_ask_order_contact", {"number": number})],
                           [{"entity": "email", "value": "owner@example.com"}], slots, intent="out_of_scope")
    said = CollectingDispatcher()
    events = await ActionFallback().run(said, tracker, DOMAIN)
    assert [m["response"] for m in said.messages] == ["utter_verified_order_address_private"]
    assert ADDRESS["line1"] not in str(said.messages)  # knowing the email is no right to the home address
    assert SlotSet("contact", "owner@example.com") in events
