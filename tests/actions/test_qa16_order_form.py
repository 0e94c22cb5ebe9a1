"""QA round 16, the order form: "forget it, keep 20" at a quantity question, "drop the colombia" at the
summary, a removal that stays done while another change waits, item edits while a question is open,
the order discarded by mistake wanted again, the stock checked before a count is said taken.
Entities are as the NLU gave them for the testers' messages; products whose stock matters are made
for the test (the session's backend is shared)."""
from __future__ import annotations

import uuid

import httpx
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionCancelOrder
from actions.conversation import ActionStop
from actions.draft_edits import drops_an_item
from actions.ordering import ActionAskOrderItems, ActionAskShippingAddress, ValidateOrderForm
from tests.actions.test_cancel import status_of
from tests.actions.test_ordering import DOMAIN, ORDER_SLOTS_FILLED, form_tracker, orders_of, pending_order
from tests.actions.test_orders import ADDRESS, STAFF, new_identity, tracker_for
from tests.actions.test_qa15_order_form import slots_of

WHITE = {"sku": "MUG-CER-WHT", "name": "Ceramic Mug White", "quantity": 20, "candidates": []}
RED = {"sku": "MUG-CER-RED", "name": "Ceramic Mug Red", "quantity": 5, "candidates": []}
GOOSENECK = {"sku": "KET-GOO-BLK", "name": "Gooseneck Pour-Over Kettle Black", "quantity": None, "candidates": []}
ENAMEL = {"sku": "MUG-ENM-CRM", "name": "Enamel Camp Mug Cream", "quantity": 3, "candidates": []}
EMAIL = "ada@example.com"


def made_product(backend, name: str, stock: int, category: str = "", colour: str = "") -> dict:
    """A product of the test's own, `stock` of it available; as a draft item, no count yet."""
    sku = f"QA16-{uuid.uuid4().hex[:8].upper()}"
    httpx.post(f"{backend.url}/api/v1/staff/products", headers=STAFF,
               json={"sku": sku, "name": name, "category": category or f"QA16 {sku}", "price_minor": 1290,
                     "initial_stock": stock, "attributes": {"colour": colour} if colour else {}}).raise_for_status()
    return {"sku": sku, "name": name, "quantity": None, "candidates": []}


def at_least(backend, sku: str, count: int) -> None:
    available = httpx.get(f"{backend.url}/api/v1/staff/products/{sku}/stock", headers=STAFF).json()["available"]
    if available < count:
        httpx.post(f"{backend.url}/api/v1/staff/products/{sku}/restock", headers=STAFF,
                   json={"quantity": count - available + 5, "note": "tests/actions qa16 order form"}).raise_for_status()


async def summary_of(backend, identity: str, items: list) -> dict:
    """The slots of an order waiting for its "yes" with `items` (created in the backend, holding stock)."""
    key = uuid.uuid4().hex
    events = await pending_order(backend, CollectingDispatcher(), identity, items, key=key)
    number = next(event["value"] for event in events if event.get("name") == "pending_order")
    return {**ORDER_SLOTS_FILLED, "order_items": items, "order_draft": items, "pending_order": number,
            "pending_confirmation": "place_order", "order_idempotency_key": key}


def lines_held(backend, identity: str, number: str) -> list:
    [order] = [order for order in orders_of(backend, identity) if order["number"] == number]
    return sorted((line["sku"], line["quantity"]) for line in order["lines"])


def responses(dispatcher: CollectingDispatcher) -> list:
    return [message["response"] for message in dispatcher.messages]


def asked_this_turn(tracker, response: str):
    """The tracker as the form's question action sees it: `response` said in this turn."""
    tracker.events = tracker.events + [{"event": "bot", "text": "…", "metadata": {"utter_action": response}}]
    return tracker


def entity(text: str, said: str, value: str, skus: list, kind: str = "product", quantity=None) -> dict:
    start = text.index(said)
    return {"entity": kind, "value": value, "start": start, "end": start + len(said),
            **({"skus": skus, "quantity": quantity} if kind == "product" else {})}


async def test_forget_it_keep_20_to_how_many_keeps_20_and_the_limit_is_asked_once(backend):
    """F1: "add 5 more white" to 20 white mugs asked the limit and then "How many …?" again; "forget it
    keep 20" then threw the whole order away."""
    at_least(backend, "MUG-CER-WHT", 30)
    identity = new_identity()
    slots = await summary_of(backend, identity, [WHITE, RED])
    said = CollectingDispatcher()
    tracker = form_tracker(identity, "add 5 more white", "place_order", [], slots=slots)
    events = await ValidateOrderForm().run(said, tracker, DOMAIN)
    draft = slots_of(events)["order_draft"]
    assert responses(said) == ["utter_order_quantity_out_of_range"]
    asked = CollectingDispatcher()
    waiting = {**slots, "order_draft": draft, "order_items": None, "requested_slot": "order_items"}
    await ActionAskOrderItems().run(asked, asked_this_turn(tracker_for(identity, "add 5 more white", slots=waiting),
                                                           "utter_order_quantity_out_of_range"), DOMAIN)
    assert asked.messages == []  # "I can take between 1 and 20 … How many would you like?" asked it
    for text in ("forget it keep 20", "forget it, keep 20", "never mind, just 20"):
        said = CollectingDispatcher()
        events = await ValidateOrderForm().run(said, form_tracker(identity, text, "stop", [], slots=waiting), DOMAIN)
        assert slots_of(events)["order_items"] == [WHITE, RED], text
    # a stop with no answer in it is still a stop: the form takes nothing, the stop rule leaves it
    for text in ("forget it", "never mind, bye"):
        events = await ValidateOrderForm().run(CollectingDispatcher(), form_tracker(identity, text, "stop", [],
                                                                                    slots=waiting), DOMAIN)
        assert slots_of(events).get("order_items") is None, text  # left as "stop" leaves it, or not taken


async def test_the_limit_said_for_a_new_order_is_the_only_question(backend):
    """F1: "25 white mugs asap": "I can take between 1 and 20 … How many would you like?" and then
    "How many Ceramic Mug White would you like?"."""
    text = "25 white mugs asap"
    entities = [{"entity": "quantity", "value": "25", "start": 0, "end": 2, "implicit": False},
                entity(text, "white mugs", "Ceramic Mug White", ["MUG-CER-WHT"], quantity=25)]
    said = CollectingDispatcher()
    events = await ValidateOrderForm().run(said, form_tracker(new_identity(), text, "place_order", entities), DOMAIN)
    assert responses(said) == ["utter_order_quantity_out_of_range"]
    asked = CollectingDispatcher()
    slots = {"order_draft": slots_of(events)["order_draft"]}
    await ActionAskOrderItems().run(asked, asked_this_turn(tracker_for(new_identity(), text, slots=slots),
                                                           "utter_order_quantity_out_of_range"), DOMAIN)
    assert asked.messages == []
    # asked on a later turn (after a side question), the question is asked
    await ActionAskOrderItems().run(asked, tracker_for(new_identity(), text, slots=slots), DOMAIN)
    assert responses(asked) == ["utter_ask_order_quantity"]


DROPS = ("i said drop the colombia", "drop the colombia", "forget the colombia", "lose the colombia",
         "scrap the colombia", "ditch the colombia")


async def test_dropping_an_item_named_at_the_summary_takes_out_that_item_only(backend):
    """F2: "i said drop the colombia" (a stop to the NLU, no product found) threw the whole order away."""
    colombia = {"sku": "COF-COL-250", "name": "Colombia Huila Beans 250 g", "quantity": 1, "candidates": []}
    decaf = made_product(backend, "Swiss Water Decaf 250 g", 10, "Coffee")
    decaf["quantity"] = 5
    identity = new_identity()
    slots = await summary_of(backend, identity, [colombia, decaf])
    for text in DROPS:
        tracker = form_tracker(identity, text, "stop", [], slots=slots)
        assert drops_an_item(tracker), text
        said = CollectingDispatcher()
        events = await ValidateOrderForm().run(said, tracker, DOMAIN)
        assert slots_of(events)["order_items"] == [decaf], text
        assert [(m["response"], m.get("names")) for m in said.messages] == [
            ("utter_order_items_removed", colombia["name"])], text
    for text in ("forget it", "drop it", "never mind", "i said drop it", "forget about it"):
        assert not drops_an_item(form_tracker(identity, text, "stop", [], slots=slots)), text


async def test_a_stop_naming_an_item_at_the_summary_goes_to_the_order_form(backend):
    colombia = {"sku": "COF-COL-250", "name": "Colombia Huila Beans 250 g", "quantity": 1, "candidates": []}
    identity = new_identity()
    slots = await summary_of(backend, identity, [colombia, dict(WHITE, quantity=1)])
    tracker = tracker_for(identity, "i said drop the colombia", slots=slots)
    tracker.latest_message["intent"] = {"name": "stop", "confidence": 0.24}
    events = await ActionStop().run(CollectingDispatcher(), tracker, DOMAIN)
    assert events == [FollowupAction("order_form")]
    assert status_of(backend, identity, slots["pending_order"]) == "pending"


async def test_edits_while_how_many_is_asked_are_made(backend):
    """F4: "gooseneck kettle and 3 enamel mugs" → "How many Gooseneck …?"; the address with the email
    is kept, and "nevermind the mugs just the kettle" is made (it asked a third time)."""
    identity = new_identity()
    asking = {"requested_slot": "order_items", "order_draft": [GOOSENECK, ENAMEL]}
    text = "Ada Lovelace, 12 Market Street, Dublin D02 X285, Ireland, ada@example.com"
    tracker = form_tracker(identity, text, "change_shipping_address",
                           [entity(text, EMAIL, EMAIL, [], kind="email")], slots=asking)
    values = slots_of(await ValidateOrderForm().run(CollectingDispatcher(), tracker, DOMAIN))
    assert (values["shipping_address"]["city"], values["order_contact"]) == ("Dublin", EMAIL)
    text = "nevermind the mugs just the kettle"
    entities = [entity(text, "mugs", "Mugs", [], kind="category"),
                entity(text, "kettle", "kettle", ["KET-ELC-STL", "KET-GOO-BLK", "KET-STV-RED"])]
    asking.update(shipping_address=values["shipping_address"], order_contact=EMAIL)
    said = CollectingDispatcher()
    events = await ValidateOrderForm().run(said, form_tracker(identity, text, "place_order", entities, slots=asking),
                                           DOMAIN)
    assert slots_of(events)["order_items"] == [dict(GOOSENECK, quantity=1)]
    assert [(m["response"], m.get("names")) for m in said.messages] == [("utter_order_items_removed", ENAMEL["name"])]


async def test_a_removal_said_done_stays_done_while_another_change_waits_for_stock(backend):
    """F3: "actually make the green 2 and drop the blue" (1 green left): "Taken out: Ceramic Mug Blue",
    then the green's stock question; after the answer the blue was back. "actually make the decaf 9 and
    drop the colombia": the colombia stayed."""
    kind = f"Lantern{uuid.uuid4().hex[:6]}"
    blue = dict(made_product(backend, f"{kind} Blue", 5, kind, "blue"), quantity=1)
    green = dict(made_product(backend, f"{kind} Green", 1, kind, "green"), quantity=1)
    identity = new_identity()
    slots = await summary_of(backend, identity, [blue, green])
    said = CollectingDispatcher()
    text = "actually make the green 2 and drop the blue"
    events = await ValidateOrderForm().run(said, form_tracker(identity, text, "change_order", [], slots=slots), DOMAIN)
    assert slots_of(events)["order_draft"] == [dict(green, quantity=None)]
    assert responses(said) == ["utter_order_items_removed", "utter_order_short_stock"]
    assert blue["name"] not in said.messages[1]["alternatives"]  # the one just taken out is no alternative
    assert lines_held(backend, identity, slots["pending_order"]) == [(green["sku"], 1)]
    # "fine" to "how many?" is no yes to the summary (the summary before the edit had been shown again)
    asking = {**slots, **slots_of(events), "requested_slot": "order_items"}
    said = CollectingDispatcher()
    events = await ValidateOrderForm().run(said, form_tracker(identity, "fine", "affirm", [], slots=asking), DOMAIN)
    assert slots_of(events) == {"order_draft": [dict(green, quantity=None)]} and said.messages == []

    colombia = dict(made_product(backend, "Colombia Huila Beans 250 g", 5, "Coffee"), quantity=1)
    decaf = dict(made_product(backend, "Swiss Water Decaf 250 g", 5, "Coffee"), quantity=1)
    identity = new_identity()
    slots = await summary_of(backend, identity, [colombia, decaf])
    text = "actually make the decaf 9 and drop the colombia"
    entities = [entity(text, "decaf", "Swiss Water Decaf 250 g", [decaf["sku"]])]
    said = CollectingDispatcher()
    events = await ValidateOrderForm().run(said, form_tracker(identity, text, "change_order", entities, slots=slots),
                                           DOMAIN)
    assert slots_of(events)["order_draft"] == [dict(decaf, quantity=None)]
    assert responses(said) == ["utter_order_items_removed", "utter_order_short_stock"]
    assert lines_held(backend, identity, slots["pending_order"]) == [(decaf["sku"], 1)]


async def test_a_count_is_said_taken_only_when_the_stock_has_it(backend):
    """F6: "actually make it 3 of those teapots" while the address was asked → "Okay, 3 × Ceramic
    Teapot 1.2 L Blue." and then "Sorry, we only have 2…"."""
    teapot = dict(made_product(backend, "Ceramic Teapot 1.2 L Blue", 2, "Teaware"), quantity=1)
    asking = {"requested_slot": "shipping_address", "order_draft": [teapot], "order_items": [teapot]}
    for count, said_back in ((3, ["utter_order_short_stock"]), (2, ["utter_order_quantity_changed"])):
        text = f"actually make it {count} of those teapots"
        entities = [{"entity": "quantity", "value": str(count), "start": 17, "end": 18, "implicit": False},
                    entity(text, "teapots", "teapot", ["TEA-POT-CST", teapot["sku"], "TEA-POT-GLS"], quantity=count)]
        said = CollectingDispatcher()
        events = await ValidateOrderForm().run(said, form_tracker(new_identity(), text, "place_order", entities,
                                                                  slots=asking), DOMAIN)
        assert responses(said) == said_back, text
        assert slots_of(events)["order_draft"] == [dict(teapot, quantity=None if count == 3 else count)], text


async def test_an_item_out_of_stock_is_said_so_before_how_many(backend):
    """F6: "got any decaf? need 2 bags" (none left) asked "How many Swiss Water Decaf 250 g would you
    like?"; the 2 bags were not read either."""
    decaf = made_product(backend, "Swiss Water Decaf 250 g", 0, "Coffee")
    text = "got any decaf? need 2 bags"
    said = CollectingDispatcher()
    tracker = form_tracker(new_identity(), text, "place_order",
                           [entity(text, "decaf", "Swiss Water Decaf 250 g", [decaf["sku"]])])
    events = await ValidateOrderForm().run(said, tracker, DOMAIN)
    assert responses(said) == ["utter_order_out_of_stock"]
    assert said.messages[0]["alternatives"] != "nothing similar right now"
    assert slots_of(events)["order_draft"] == []
    sencha = made_product(backend, "Japanese Sencha 100 g", 5, "Tea")
    text = "got any sencha? need 2 bags"
    tracker = form_tracker(new_identity(), text, "place_order", [entity(text, "sencha", sencha["name"], [sencha["sku"]])])
    events = await ValidateOrderForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert slots_of(events)["order_items"] == [dict(sencha, quantity=2)]
    # a number ending an address is no count
    text = "sencha to Ada Lovelace, 1 Main Street, Dublin 8"
    tracker = form_tracker(new_identity(), text, "place_order", [entity(text, "sencha", sencha["name"], [sencha["sku"]])])
    events = await ValidateOrderForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert slots_of(events)["order_draft"] == [sencha]


async def test_same_as_before_after_a_discarded_order_is_its_address(backend):
    """F5: the order declined at its summary, then ordered again: "same as before" for the address is
    the address of that order (the customer has no order placed to offer one from)."""
    identity = new_identity()
    slots = await summary_of(backend, identity, [dict(RED, quantity=1)])
    httpx.post(f"{backend.url}/api/v1/orders/{slots['pending_order']}/cancel",
               headers={"Authorization": "Bearer dev-bot-token", "X-Channel-Identity": identity},
               json={"reason": "not confirmed in chat"}).raise_for_status()
    asked = CollectingDispatcher()
    events = await ActionAskShippingAddress().run(asked, tracker_for(identity, "a red mug"), DOMAIN)
    assert responses(asked) == ["utter_ask_shipping_address"]
    asking = {"requested_slot": "shipping_address", "order_draft": [dict(RED, quantity=1)],
              "order_items": [dict(RED, quantity=1)], **slots_of(events)}
    events = await ValidateOrderForm().run(CollectingDispatcher(), form_tracker(identity, "same as before", "place_order",
                                                                                [], slots=asking), DOMAIN)
    values = slots_of(events)
    assert values["shipping_address"]["city"] == ADDRESS["city"] and values["order_contact"] == EMAIL


async def test_the_order_declined_by_mistake_is_made_again(backend):
    """F5: "oops i pressed the wrong button, i did want it" after "No" at the summary asked which order
    to cancel."""
    identity = new_identity()
    slots = await summary_of(backend, identity, [dict(RED, quantity=1)])
    httpx.post(f"{backend.url}/api/v1/orders/{slots['pending_order']}/cancel",
               headers={"Authorization": "Bearer dev-bot-token", "X-Channel-Identity": identity},
               json={"reason": "not confirmed in chat"}).raise_for_status()
    for text, intent in (("oops i pressed the wrong button, i did want it", "cancel_order"),
                         ("no dont cancel anything. i want to place that order again - the dripper and the red mug",
                          "cancel_order")):
        tracker = tracker_for(identity, text)
        tracker.latest_message["intent"] = {"name": intent, "confidence": 0.5}
        tracker.events = [{"event": "bot", "text": "Okay, I haven't placed the order and the items are released.",
                           "metadata": {"utter_action": "utter_order_not_placed"}},
                          {"event": "action", "name": "action_listen"}, {"event": "user", "text": text}]
        said = CollectingDispatcher()
        events = await ActionCancelOrder().run(said, tracker, DOMAIN)
        assert responses(said) == ["utter_confirm_order"], text
        again = next(event["value"] for event in events if event.get("name") == "pending_order")
        assert lines_held(backend, identity, again) == [(RED["sku"], 1)], text
        httpx.post(f"{backend.url}/api/v1/orders/{again}/cancel",  # "No" again: declined by mistake once more
                   headers={"Authorization": "Bearer dev-bot-token", "X-Channel-Identity": identity},
                   json={"reason": "not confirmed in chat"}).raise_for_status()
