"""Replacing an item of a placed order in chat, against a real backend: "swap the hand grinder for the
electric one", "make the mugs blue instead". Read as a new order by the NLU, the order form hands it
to the change form, which reads the order's new lines; nothing changes before the "yes"."""
from __future__ import annotations

import httpx
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation
from actions.catalogue import ActionShowProducts
from actions.change_order import ActionConfirmOrderChange, ValidateChangeOrderForm
from actions.ordering import ValidateOrderForm
from tests.actions.test_change_order import DOMAIN, confirmation, flow_tracker, lines_of
from tests.actions.test_ordering import form_tracker
from tests.actions.test_returns import delivered, start
from tests.actions.test_orders import ADDRESS, BOT, new_identity, ship, tracker_for

GRINDER_AND_RED_MUGS = [("GRN-HND-BUR", 1), ("MUG-CER-RED", 2)]
KETTLES = ["KET-ELC-STL", "KET-GOO-BLK", "KET-STV-RED"]
TO_THE_CHANGE_FORM = [SlotSet("requested_slot", None), FollowupAction("change_order_form")]


def placed_order(backend, identity: str, lines, confirmed: bool = True) -> str:
    """An order of `lines` ([(sku, quantity)]) for the chat `identity`, confirmed unless said."""
    headers = {**BOT, "X-Channel-Identity": identity}
    response = httpx.post(f"{backend.url}/api/v1/orders", headers=headers, json={
        "lines": [{"sku": sku, "quantity": quantity} for sku, quantity in lines],
        "shipping_address": ADDRESS, "contact_email": "ada@example.com"})
    assert response.status_code == 201, response.text
    number = response.json()["number"]
    if confirmed:
        httpx.post(f"{backend.url}/api/v1/orders/{number}/confirm", headers=headers).raise_for_status()
    return number


def named(text: str, words: str, skus, value: str, quantity=None) -> dict:
    """A product entity as the catalogue matcher gives it for `words` in `text`."""
    start = text.index(words)
    return {"entity": "product", "value": value, "skus": skus, "quantity": quantity, "start": start,
            "end": start + len(words)}


def swap(text: str, *products) -> tuple:
    """(text, entities) with each product given as (words, sku, catalogue name)."""
    return text, [named(text, words, [sku], value) for words, sku, value in products]


HAND = ("hand grinder", "GRN-HND-BUR", "Hand Burr Grinder")
ELECTRIC = ("electric grinder", "GRN-ELC-BUR", "Electric Burr Grinder")
ELECTRIC_AND_RED_MUGS = {("GRN-ELC-BUR", 1), ("MUG-CER-RED", 2)}
GRINDER_AND_BLUE_MUGS = {("GRN-HND-BUR", 1), ("MUG-CER-BLU", 2)}
# (text, entities) and the order's lines after: the matcher finds no product in "the electric one".
SWAPS = [
    (swap("swap the hand grinder for the electric one", HAND), ELECTRIC_AND_RED_MUGS),
    (swap("replace the hand grinder with the electric grinder", HAND, ELECTRIC), ELECTRIC_AND_RED_MUGS),
    (swap("i want the electric grinder instead", ELECTRIC), ELECTRIC_AND_RED_MUGS),
    (swap("make the mugs blue instead", ("mugs blue", "MUG-CER-BLU", "Ceramic Mug Blue")), GRINDER_AND_BLUE_MUGS),
    (swap("change the red mugs to the blue ones", ("red mugs", "MUG-CER-RED", "Ceramic Mug Red")), GRINDER_AND_BLUE_MUGS),
    (swap("blue mugs instead of red", ("blue mugs", "MUG-CER-BLU", "Ceramic Mug Blue")), GRINDER_AND_BLUE_MUGS),
]


async def read_change(identity: str, text: str, entities: list, intent: str = "change_order") -> tuple:
    """The change form at its activation with the change in the message: (events, what it said)."""
    said = CollectingDispatcher()
    tracker = flow_tracker(identity, text, intent, "change_order_form", entities)
    tracker.active_loop = {}
    return await ValidateChangeOrderForm().run(said, tracker, DOMAIN), said


def changed_lines(events) -> set:
    changes = next(e["value"] for e in events if e["name"] == "order_changes")
    return {(line["sku"], line["quantity"]) for line in changes}


async def test_a_swap_worded_as_an_order_goes_to_the_placed_order(backend, dispatcher):
    identity = new_identity()
    placed_order(backend, identity, GRINDER_AND_RED_MUGS)
    for (text, entities), _ in SWAPS:
        events = await ValidateOrderForm().run(dispatcher, form_tracker(identity, text, "place_order", entities), DOMAIN)
        assert events == TO_THE_CHANGE_FORM, text
    # "instead" of nothing the order holds: a new order
    text = "i want the french press instead"
    press = [named(text, "french press", ["BRW-FRP-800"], "French Press 800 ml")]
    events = await ValidateOrderForm().run(dispatcher, form_tracker(identity, text, "place_order", press), DOMAIN)
    assert FollowupAction("change_order_form") not in events


async def test_the_change_form_reads_a_swap_as_the_item_replaced(backend):
    identity = new_identity()
    placed_order(backend, identity, GRINDER_AND_RED_MUGS)
    for (text, entities), after in SWAPS:
        events, said = await read_change(identity, text, entities)
        assert changed_lines(events) == after, text
        assert said.messages == [], text


async def test_a_swap_is_shown_and_made_only_after_yes(backend):
    identity = new_identity()
    number = placed_order(backend, identity, GRINDER_AND_RED_MUGS)
    (text, entities), after = SWAPS[0]
    events, _ = await read_change(identity, text, entities)
    slots = {e["name"]: e["value"] for e in events}
    summary = CollectingDispatcher()
    events = await ActionConfirmOrderChange().run(summary, tracker_for(identity, text, slots=slots), {})
    [shown] = summary.messages
    assert shown["response"] == "utter_confirm_order_change" and "Hand Burr Grinder" not in shown["lines"]
    assert "1 × Electric Burr Grinder" in shown["lines"] and "2 × Ceramic Mug Red" in shown["lines"]
    assert set(lines_of(backend, identity, number)) == set(GRINDER_AND_RED_MUGS)  # nothing before the yes
    slots.update({e["name"]: e["value"] for e in events})
    answer = CollectingDispatcher()
    yes = confirmation(identity, "affirm", "action_confirm_order_change", slots)
    await ActionAnswerConfirmation().run(answer, yes, {})
    assert [m["response"] for m in answer.messages] == ["utter_order_changed"]
    assert set(lines_of(backend, identity, number)) == after


async def test_a_swap_for_a_product_of_several_asks_which_then_swaps(backend):
    identity = new_identity()
    placed_order(backend, identity, GRINDER_AND_RED_MUGS)
    text = "swap the hand grinder for a kettle"
    start = text.index("kettle")
    entities = [named(text, "hand grinder", ["GRN-HND-BUR"], "Hand Burr Grinder"),
                {"entity": "quantity", "value": "1", "implicit": True, "start": start - 2, "end": start - 1},
                named(text, "kettle", KETTLES, "kettle", quantity=1)]
    events, said = await read_change(identity, text, entities)
    assert [m["response"] for m in said.messages] == ["utter_change_which_product"]
    slots = {e["name"]: e["value"] for e in events}
    tracker = flow_tracker(identity, "the electric one", "inform", "change_order_form",
                           slots={**slots, "requested_slot": "order_changes"})
    events = await ValidateChangeOrderForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert changed_lines(events) == {("KET-ELC-STL", 1), ("MUG-CER-RED", 2)}


async def test_2_aur_chai_adds_to_the_placed_order_while_it_can_change(backend, dispatcher):
    """"arre 2 aur add kar do chai" (add 2 more chai) read as a new order: 2 more of the chai the
    order holds; once it has shipped, more chai is a new order."""
    identity = new_identity()
    number = placed_order(backend, identity, [("TEA-CHA-200", 1), ("MUG-CER-RED", 2)], confirmed=False)
    text = "arre 2 aur add kar do chai"
    chai = [named(text, "chai", ["TEA-CHA-200"], "Masala Chai 200 g")]
    events = await ValidateOrderForm().run(dispatcher, form_tracker(identity, text, "place_order", chai), DOMAIN)
    assert events == TO_THE_CHANGE_FORM
    events, _ = await read_change(identity, text, chai)
    assert changed_lines(events) == {("TEA-CHA-200", 3), ("MUG-CER-RED", 2)}
    ship(backend, identity, number)
    events = await ValidateOrderForm().run(dispatcher, form_tracker(identity, text, "place_order", chai), DOMAIN)
    assert FollowupAction("change_order_form") not in events


async def test_2_aur_chai_goes_to_the_order_holding_the_chai_not_the_newest(backend, dispatcher):
    identity = new_identity()
    number = placed_order(backend, identity, [("TEA-CHA-200", 1)], confirmed=False)
    newest = placed_order(backend, identity, GRINDER_AND_RED_MUGS, confirmed=False)
    ship(backend, identity, newest)
    text = "2 aur chai add kar do"
    chai = [named(text, "chai", ["TEA-CHA-200"], "Masala Chai 200 g")]
    events = await ValidateOrderForm().run(dispatcher, form_tracker(identity, text, "place_order", chai), DOMAIN)
    assert events == TO_THE_CHANGE_FORM
    events, _ = await read_change(identity, text, chai)
    assert next(e["value"] for e in events if e["name"] == "target_order")["number"] == number
    assert changed_lines(events) == {("TEA-CHA-200", 3)}


async def test_a_swap_after_shipping_is_refused_by_the_change_form(backend, dispatcher):
    identity = new_identity()
    number = placed_order(backend, identity, GRINDER_AND_RED_MUGS, confirmed=False)
    ship(backend, identity, number)
    (text, entities), _ = SWAPS[3]  # "make the mugs blue instead"
    events = await ValidateOrderForm().run(dispatcher, form_tracker(identity, text, "place_order", entities), DOMAIN)
    assert events == TO_THE_CHANGE_FORM
    events, said = await read_change(identity, text, entities)
    assert [m["response"] for m in said.messages] == ["utter_order_locked_shipped"]
    assert SlotSet("target_order", None) in events


async def test_replace_read_as_a_return_swaps_in_the_order_not_yet_sent(backend):
    """"replace the hand grinder with the electric grinder" read as a return request: the order not
    sent yet changes; a delivered one's is the return form's to handle."""
    (text, entities), _ = SWAPS[1]
    identity = new_identity()
    placed_order(backend, identity, GRINDER_AND_RED_MUGS)
    events, said = await start(identity, text, entities)
    assert events == TO_THE_CHANGE_FORM and said.messages == []
    events, _ = await read_change(identity, text, entities, "refund_return_request")
    assert changed_lines(events) == ELECTRIC_AND_RED_MUGS
    identity = new_identity()
    delivered(backend, identity, *GRINDER_AND_RED_MUGS)
    events, _ = await start(identity, text, entities)
    assert FollowupAction("change_order_form") not in events
    assert next(e["value"] for e in events if e["name"] == "target_order")["status"] == "delivered"


async def test_an_item_change_goes_to_the_editable_order_holding_the_item(backend, dispatcher):
    """manage-30/-31: "make it 4 red mugs" when the newest order (a tea caddy) has shipped had started
    a new order; manage-08: "swap the tea caddy for 3 stovetop espresso makers" with a newer paper
    filters order likewise. The order that holds the item and can still change is meant."""
    identity = new_identity()
    red = placed_order(backend, identity, [("MUG-CER-RED", 2)])
    ship(backend, identity, placed_order(backend, identity, [("TEA-CAD-TIN", 1)], confirmed=False))
    text = "make it 4 red mugs"
    red_mugs = [named(text, "red mugs", ["MUG-CER-RED"], "Ceramic Mug Red", quantity=4)]
    events = await ValidateOrderForm().run(dispatcher, form_tracker(identity, text, "place_order", red_mugs), DOMAIN)
    assert events == TO_THE_CHANGE_FORM
    events, _ = await read_change(identity, text, red_mugs, "place_order")
    assert next(e["value"] for e in events if e["name"] == "target_order")["number"] == red
    assert changed_lines(events) == {("MUG-CER-RED", 4)}

    identity = new_identity()
    caddy = placed_order(backend, identity, [("TEA-CAD-TIN", 1)])
    placed_order(backend, identity, [("BRW-FLT-100", 1)])
    text = "swap the tea caddy for 2 stovetop espresso makers"
    entities = [named(text, "tea caddy", ["TEA-CAD-TIN"], "Tea Caddy Tin"),
                named(text, "stovetop espresso makers", ["BRW-MOK-6CP"], "Stovetop Espresso Maker 6 cup", quantity=2)]
    events = await ValidateOrderForm().run(dispatcher, form_tracker(identity, text, "place_order", entities), DOMAIN)
    assert events == TO_THE_CHANGE_FORM
    events, _ = await read_change(identity, text, entities, "place_order")
    assert next(e["value"] for e in events if e["name"] == "target_order")["number"] == caddy
    assert changed_lines(events) == {("BRW-MOK-6CP", 2)}


async def test_remove_the_mugs_read_as_a_product_question_changes_the_order(backend, dispatcher):
    """manage-12/-13: "remove the mugs" (a category to the NLU) had listed the mug catalogue."""
    identity = new_identity()
    placed_order(backend, identity, [("MUG-CER-BLU", 2), ("MUG-CER-RED", 1), ("TEA-CAD-TIN", 1)])
    tracker = tracker_for(identity, "remove the mugs", entities=[
        {"entity": "category", "value": "Mugs", "start": 11, "end": 15}])
    tracker.latest_message["intent"] = {"name": "product_info", "confidence": 0.9}
    assert await ActionShowProducts().run(dispatcher, tracker, {}) == [FollowupAction("change_order_form")]
    assert dispatcher.messages == []
    events, _ = await read_change(identity, "remove the mugs", tracker.latest_message["entities"], "product_info")
    assert changed_lines(events) == {("TEA-CAD-TIN", 1)}
