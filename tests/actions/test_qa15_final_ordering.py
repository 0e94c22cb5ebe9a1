"""QA round 15, final ordering fixes: changes that change nothing, questions asked mid-order, an
order said with a question or as "a X please"."""
from __future__ import annotations

from pathlib import Path

import yaml
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation
from actions.change_order import ActionConfirmOrderChange
from actions.faq import ActionAnswerFaq
from actions.order_changes import apply_changes
from actions.ordering import ValidateOrderForm
from tests.actions.test_change_order import FLOW_CLEARED, change_form_started, confirmation, lines_of
from tests.actions.test_ordering import form_tracker
from tests.actions.test_orders import new_identity, tracker_for
from tests.actions.test_replacements import placed_order

COLOMBIA = {"sku": "COF-COL-250", "name": "Colombia Huila Beans 250 g", "quantity": 2}
MORE_COLOMBIA = "oh and add 2 more bags of colombia to that order"


def test_two_more_of_the_one_item_unrecognised_adds_two():
    """F30: the matcher found no product in "2 more bags of colombia"; the count made it 2 of 2."""
    result = apply_changes([COLOMBIA], [], MORE_COLOMBIA)
    assert result.changed and result.lines == [dict(COLOMBIA, quantity=4)]


def test_a_change_to_what_the_order_holds_already_is_no_change():
    text = "make it 2 colombia"
    start = text.index("colombia")
    entities = [{"entity": "product", "value": "colombia", "skus": ["COF-COL-250"], "quantity": 2,
                 "start": start, "end": start + len("colombia")}]
    assert not apply_changes([COLOMBIA], entities, text).changed
    assert not apply_changes([COLOMBIA], [], "make it 2").changed


async def test_more_colombia_to_the_order_just_placed_is_proposed_and_made(backend):
    identity = new_identity()
    number = placed_order(backend, identity, [("COF-COL-250", 2)])
    slots, _ = await change_form_started(identity, MORE_COLOMBIA, [], intent="place_order")
    assert [(line["sku"], line["quantity"]) for line in slots["order_changes"]] == [("COF-COL-250", 4)]
    summary = CollectingDispatcher()
    events = await ActionConfirmOrderChange().run(summary, tracker_for(identity, "", slots=slots), {})
    slots.update({e["name"]: e["value"] for e in events})
    assert "4 × Colombia" in summary.messages[0]["lines"]
    answer = CollectingDispatcher()
    await ActionAnswerConfirmation().run(answer, confirmation(identity, "affirm", "action_confirm_order_change",
                                                              slots), {})
    assert [m["response"] for m in answer.messages] == ["utter_order_changed"]
    assert lines_of(backend, identity, number) == [("COF-COL-250", 4)]


async def test_an_unchanged_order_is_never_proposed_nor_said_changed(backend):
    identity = new_identity()
    number = placed_order(backend, identity, [("COF-COL-250", 2)])
    slots, _ = await change_form_started(identity, "add colombia", [], intent="change_order")
    target = slots["target_order"]
    same = [dict(line) for line in target["lines"]]
    said = CollectingDispatcher()
    events = await ActionConfirmOrderChange().run(said, tracker_for(
        identity, "", slots={"target_order": target, "order_changes": same}), {})
    assert [m["response"] for m in said.messages] == ["utter_order_change_kept"] and events == FLOW_CLEARED
    answer = CollectingDispatcher()
    slots = {"target_order": target, "order_changes": same, "pending_confirmation": "change_order"}
    await ActionAnswerConfirmation().run(answer, confirmation(identity, "affirm", "action_confirm_order_change",
                                                              slots), {})
    assert [m["response"] for m in answer.messages] == ["utter_order_change_kept"]
    assert lines_of(backend, identity, number) == [("COF-COL-250", 2)]


# --- questions while ordering, an order with a question, "a X please" ---------------------------

DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text())
PRESS = {"sku": "BRW-FRP-800", "name": "French Press 800 ml", "quantity": 1, "candidates": []}
RED_MUGS = {"sku": "MUG-CER-RED", "name": "Ceramic Mug Red", "quantity": 2, "candidates": []}


def named(text, words, sku, name, quantity=None, implicit=False):
    """The catalogue matcher's entities for `words` in `text` ("a" before it: an implicit 1)."""
    start = text.index(words)
    found = [{"entity": "product", "value": name, "skus": [sku], "quantity": quantity,
              "start": start, "end": start + len(words)}]
    if implicit:
        found.append({"entity": "quantity", "value": "1", "implicit": True, "start": start - 2, "end": start - 1})
    return found


def slots_of(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def test_a_stock_question_at_the_address_is_answered_and_adds_nothing(backend):
    """verify-3 N2: "btw do you have english breakfast tea" added the tea and looped on "how many?"."""
    for text, words, sku, name in (("btw do you have english breakfast tea", "english breakfast tea", "TEA-EBF-250",
                                    "English Breakfast Tea 250 g"),
                                   ("do you also sell red mugs", "red mugs", "MUG-CER-RED", "Ceramic Mug Red")):
        said = CollectingDispatcher()
        slots = {"requested_slot": "shipping_address", "order_items": [PRESS], "order_draft": [PRESS]}
        tracker = form_tracker(new_identity(), text, "place_order", named(text, words, sku, name), slots=slots)
        events = await ValidateOrderForm().run(said, tracker, DOMAIN)
        assert slots_of(events)["order_draft"] == [PRESS], text
        assert "order_items" not in slots_of(events) and not any(e.get("event") == "followup" for e in events)
        assert name in said.messages[0].get("products", ""), said.messages  # the product card
        assert not any(m.get("response") == "utter_order_items_added" for m in said.messages)


async def test_a_question_about_a_product_starts_no_order(backend):
    """verify-3 N14, N25: "what is masala chai" asked "How many Masala Chai would you like?"."""
    for text, words in (("what is masala chai", "masala chai"), ("siri ask the shop if they have chai", "chai")):
        tracker = form_tracker(new_identity(), text, "place_order",
                               named(text, words, "TEA-CHA-200", "Masala Chai 200 g"))
        events = await ValidateOrderForm().run(CollectingDispatcher(), tracker, DOMAIN)
        assert events == [SlotSet("requested_slot", None), FollowupAction("action_show_products")], text
    text = "do you have masala chai? i'd like 2"  # an order after all
    tracker = form_tracker(new_identity(), text, "place_order", named(text, "masala chai", "TEA-CHA-200",
                                                                     "Masala Chai 200 g", 2))
    assert FollowupAction("action_show_products") not in await ValidateOrderForm().run(
        CollectingDispatcher(), tracker, DOMAIN)


async def test_one_item_and_please_is_an_order(backend):
    """verify-1 N3: "a tea infuser please" showed the product; the address next had no order."""
    for text, words, sku, name in (("a tea infuser please", "tea infuser", "TEA-INF-STL", "Stainless Tea Infuser"),
                                   ("a sencha please", "sencha", "TEA-SEN-100", "Japanese Sencha 100 g")):
        tracker = form_tracker(new_identity(), text, "place_order", named(text, words, sku, name, 1, implicit=True))
        events = await ValidateOrderForm().run(CollectingDispatcher(), tracker, DOMAIN)
        assert [(i["sku"], i["quantity"]) for i in slots_of(events)["order_items"]] == [(sku, 1)], text
    text = "tea infuser"  # the name alone still shows it
    tracker = form_tracker(new_identity(), text, "place_order", named(text, text, "TEA-INF-STL", "Stainless Tea Infuser"))
    assert FollowupAction("action_show_products") in await ValidateOrderForm().run(CollectingDispatcher(), tracker, DOMAIN)


async def test_a_return_question_while_ordering_is_the_policy_and_the_order_goes_on(backend):
    """verify-3 N17: "can i return it if i dont like it?" at the contact step started the return form."""
    for text in ("can i return it if i dont like it?", "ok also how do returns work if i dont like it"):
        said = CollectingDispatcher()
        slots = {"requested_slot": "order_contact", "order_items": [RED_MUGS], "order_draft": [RED_MUGS],
                 "shipping_address": {"name": "Aoife Byrne"}}
        tracker = form_tracker(new_identity(), text, "refund_return_request", [], slots=slots)
        events = await ValidateOrderForm().run(said, tracker, DOMAIN)
        assert [m["response"] for m in said.messages] == ["utter_faq/refund_policy"], text
        assert events == [SlotSet("order_draft", [RED_MUGS])], text  # the form goes on: not rejected


async def test_an_order_with_a_question_is_answered_and_started(backend):
    """verify-1 N2: "… 2 ethopia beans, also whats ur return policy" answered only the question."""
    text = "yo can i get the gooseneck kettel and 2 ethopia beans, also whats ur return policy"
    entities = named(text, "ethopia beans", "COF-ETH-250", "Ethiopia Yirgacheffe Beans 250 g", 2)
    said = CollectingDispatcher()
    tracker = tracker_for(new_identity(), text, entities=entities)
    tracker.latest_message["intent"] = {"name": "faq", "confidence": 0.9}
    tracker.latest_message["response_selector"] = {"faq": {"response": {"utter_action": "utter_faq/refund_policy"}}}
    events = await ActionAnswerFaq().run(said, tracker, DOMAIN)
    assert [m["response"] for m in said.messages] == ["utter_faq/refund_policy"]
    assert events == [FollowupAction("order_form")]


async def test_an_order_with_a_delivery_time_question_is_answered_and_started(backend):
    """verify-1 N2: "can i get 2 of the espresso cup sets? and how long does delivery take to
    germany?" (delivery_time) answered the delivery time and lost the order."""
    from actions.orders import ActionDeliveryTime
    text = "can i get 2 of the espresso cup sets? and how long does delivery take to germany?"
    entities = named(text, "espresso cup sets", "MUG-ESP-SET", "Espresso Cups Set of 4", 2)
    tracker = tracker_for(new_identity(), text, entities=entities)
    tracker.latest_message["intent"] = {"name": "delivery_time", "confidence": 0.9}
    said = CollectingDispatcher()
    events = await ActionDeliveryTime().run(said, tracker, DOMAIN)
    assert [m["response"] for m in said.messages] == ["utter_delivery_time"]
    assert events == [FollowupAction("order_form")]
