"""Changing an order's items in chat against a real backend: the form, the summary, yes/no, refusals."""
from __future__ import annotations

from pathlib import Path

import httpx
import yaml
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import Order
from actions.cancel import ActionAnswerConfirmation
from actions.change_order import ActionAskOrderChanges, ActionConfirmOrderChange, ValidateChangeOrderForm
from actions.conversation import TASK_SLOTS
from actions.order_forms import order_view
from tests.actions.test_orders import ADDRESS, BOT, STAFF, new_identity, place_order, ship, tracker_for

DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text())
FLOW_CLEARED = [SlotSet("target_order", None), SlotSet("order_changes", None),
                SlotSet("pending_confirmation", None), SlotSet("order_change_choice", None)]


TEAPOTS = ["TEA-POT-CST", "TEA-POT-GLS", "TEA-POT-CER"]


def flow_tracker(identity, text, intent, form, entities=None, slots=None, slot_candidates=None):
    """A tracker as a form hands it to its validation action; slot candidates come last."""
    tracker = tracker_for(identity, text, entities=entities, slots=slots)
    tracker.latest_message["intent"] = {"name": intent, "confidence": 0.99}
    tracker.active_loop = {"name": form}
    tracker.events = tracker.events + [{"event": "action", "name": form}] + [
        {"event": "slot", "name": name, "value": value} for name, value in (slot_candidates or {}).items()]
    return tracker


def confirmation(identity, intent, asked_by, slots):
    """The user's yes/no right after `asked_by` asked it."""
    tracker = tracker_for(identity, "yes" if intent == "affirm" else "no", slots=slots)
    tracker.latest_message["intent"] = {"name": intent, "confidence": 0.99}
    tracker.events = [
        {"event": "action", "name": asked_by},
        {"event": "bot", "text": "Shall I?"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "yes", "parse_data": {"intent": {"name": intent}}},
        {"event": "action", "name": "action_extract_slots"},
    ]
    return tracker


def order_view_of(backend, identity, number):
    response = httpx.get(f"{backend.url}/api/v1/orders/{number}", headers={**BOT, "X-Channel-Identity": identity})
    return order_view(Order.from_json(response.json()))


def orders_of_identity(backend, identity):
    response = httpx.get(f"{backend.url}/api/v1/orders", headers={**BOT, "X-Channel-Identity": identity})
    return [order["number"] for order in response.json()["data"]]


def lines_of(backend, identity, number):
    response = httpx.get(f"{backend.url}/api/v1/orders/{number}", headers={**BOT, "X-Channel-Identity": identity})
    return [(line["sku"], line["quantity"]) for line in response.json()["lines"]]


def teapot_entities(text):
    start = text.index("glass teapot")
    return [{"entity": "quantity", "value": "1", "implicit": True, "start": start - 2, "end": start - 1},
            {"entity": "product", "value": "glass teapot", "skus": ["TEA-POT-GLS"], "quantity": 1,
             "start": start, "end": start + len("glass teapot")}]


async def change_requested(backend, identity, text="add a glass teapot to my order"):
    """The form's activation with the change in the same message."""
    dispatcher = CollectingDispatcher()
    tracker = flow_tracker(identity, text, "change_order", "change_order_form", teapot_entities(text))
    tracker.active_loop = {}
    return await ValidateChangeOrderForm().run(dispatcher, tracker, DOMAIN), dispatcher


async def test_change_order_form_reads_last_order_and_change(backend):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    events, dispatcher = await change_requested(backend, identity)
    assert dispatcher.messages == []
    target = next(e["value"] for e in events if e["name"] == "target_order")
    assert target["number"] == number and target["lines"][0]["sku"] == "MUG-CER-BLU"
    changes = next(e["value"] for e in events if e["name"] == "order_changes")
    assert [(line["sku"], line["quantity"]) for line in changes] == [("MUG-CER-BLU", 1), ("TEA-POT-GLS", 1)]


async def test_change_order_shipped_is_refused_with_reason(backend):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    ship(backend, identity, number)
    events, dispatcher = await change_requested(backend, identity)
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_locked_shipped"]
    assert SlotSet("requested_slot", None) in events and SlotSet("target_order", None) in events


async def test_change_order_asks_what_to_change_and_explains_unclear_answer(backend, dispatcher):
    identity = new_identity()
    place_order(backend, identity)
    tracker = flow_tracker(identity, "i want to change my order", "change_order", "change_order_form")
    tracker.active_loop = {}
    events = await ValidateChangeOrderForm().run(dispatcher, tracker, DOMAIN)
    target = next(e["value"] for e in events if e["name"] == "target_order")
    assert [e["name"] for e in events] == ["target_order"]
    await ActionAskOrderChanges().run(dispatcher, tracker_for(identity, "", slots={"target_order": target}), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_order_changes"]
    assert "Ceramic Mug Blue" in dispatcher.messages[0]["lines"]

    unclear = CollectingDispatcher()
    slots = {"target_order": target, "requested_slot": "order_changes"}
    tracker = flow_tracker(identity, "hmm something else", "inform", "change_order_form", slots=slots)
    assert await ValidateChangeOrderForm().run(unclear, tracker, DOMAIN) == [SlotSet("order_changes", None)]
    assert [m["response"] for m in unclear.messages] == ["utter_change_not_understood"]


async def test_which_teapot_is_asked_with_buttons_and_the_answer_makes_the_change(backend, dispatcher):
    """"oh and 2 teapots too": "Which teapot do you mean?" (not "what should I change?"), then
    "the glass one" or a button adds 2 glass teapots; an answer naming none is a change of its own."""
    identity = new_identity()
    place_order(backend, identity)
    _, asked = await change_requested(backend, identity)
    target = order_view_of(backend, identity, orders_of_identity(backend, identity)[0])
    text = "oh and 2 teapots too"
    entities = [{"entity": "quantity", "value": "2", "start": 7, "end": 8},
                {"entity": "product", "value": "teapots", "skus": TEAPOTS, "quantity": 2, "start": 9, "end": 16}]
    slots = {"target_order": target, "requested_slot": "order_changes"}
    tracker = flow_tracker(identity, text, "place_order", "change_order_form", entities, slots=slots)
    events = await ValidateChangeOrderForm().run(dispatcher, tracker, DOMAIN)
    [choice] = [e["value"] for e in events if e["name"] == "order_change_choice"]
    assert [m["response"] for m in dispatcher.messages] == ["utter_change_which_product"]
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == [f'/inform{{"product": "{sku}"}}' for sku in TEAPOTS]
    asking = tracker_for(identity, text, slots={**slots, "order_change_choice": choice})
    asking.events = asking.events + [which_said(dispatcher.messages[0])]
    assert await ActionAskOrderChanges().run(dispatcher, asking, {}) == []
    assert len(dispatcher.messages) == 1  # no "what should I change?" under the question, nor it twice
    slots["order_change_choice"] = choice
    for answer, said in (("the glass one", []), ("/inform", [{"entity": "product", "value": "TEA-POT-GLS"}])):
        tracker = flow_tracker(identity, answer, "inform", "change_order_form", said, slots=slots)
        events = await ValidateChangeOrderForm().run(CollectingDispatcher(), tracker, DOMAIN)
        changes = next(e["value"] for e in events if e["name"] == "order_changes")
        assert [(line["sku"], line["quantity"]) for line in changes] == [("MUG-CER-BLU", 1), ("TEA-POT-GLS", 2)], answer
        assert SlotSet("order_change_choice", None) in events
    tracker = flow_tracker(identity, "remove the blue mug", "change_order", "change_order_form",
                           [{"entity": "product", "value": "blue mug", "skus": ["MUG-CER-BLU"], "start": 11, "end": 19}],
                           slots=slots)
    events = await ValidateChangeOrderForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert SlotSet("order_change_choice", None) in events and SlotSet("order_changes", None) in events


def which_said(message):
    """The bot event of "which teapot do you mean?" as the dispatcher's message became."""
    return {"event": "bot", "text": f"Which {message['name']} do you mean: {message['options']}?",
            "data": {"buttons": message["buttons"]}, "metadata": {"utter_action": "utter_change_which_product"}}


async def which_teapot_asked(backend, identity, slots=None):
    """"oh and a teapot too" for the identity's order: the slots while "which teapot?" waits, and the
    question as said."""
    target = order_view_of(backend, identity, orders_of_identity(backend, identity)[0])
    text = "oh and a teapot too"
    entities = [{"entity": "quantity", "value": "1", "implicit": True, "start": 7, "end": 8},
                {"entity": "product", "value": "teapot", "skus": TEAPOTS, "quantity": 1, "start": 9, "end": 15}]
    slots = {**(slots or {}), "target_order": target, "requested_slot": "order_changes"}
    asked = CollectingDispatcher()
    tracker = flow_tracker(identity, text, "place_order", "change_order_form", entities, slots=slots)
    events = await ValidateChangeOrderForm().run(asked, tracker, DOMAIN)
    [choice] = [e["value"] for e in events if e["name"] == "order_change_choice"]
    return {**slots, "order_change_choice": choice}, which_said(asked.messages[0])


async def test_thanks_or_bye_to_which_teapot_leaves_the_change_and_the_order_as_it_was(backend):
    """"thanks", "ok bye", "forget it", "no thanks" to "which teapot do you mean?" while changing a
    placed order: the change is left as "stop" leaves it (not asked again); the order stays."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    httpx.post(f"{backend.url}/api/v1/orders/{number}/confirm",
               headers={**BOT, "X-Channel-Identity": identity}).raise_for_status()
    slots, _ = await which_teapot_asked(backend, identity)
    for text, intent in (("thanks", "thank"), ("ok bye", "goodbye"), ("forget it", "out_of_scope"),
                         ("no thanks", "deny")):
        said = CollectingDispatcher()
        tracker = flow_tracker(identity, text, intent, "change_order_form", slots=slots)
        events = await ValidateChangeOrderForm().run(said, tracker, DOMAIN)
        assert events == [ActiveLoop(None)] + [SlotSet(slot, None) for slot in TASK_SLOTS] + [
            FollowupAction("action_listen")], text
        assert [m["response"] for m in said.messages] == ["utter_stopped"], text
    assert lines_of(backend, identity, number) == [("MUG-CER-BLU", 1)]
    assert order_view_of(backend, identity, number)["status"] == "confirmed"


async def test_never_mind_to_which_teapot_at_the_order_summary_asks_to_place_it_again(backend):
    """At "Shall I place it?", "add a teapot", "which teapot?", "never mind": the order still waits for
    its yes (not cancelled as a "stop" would), its summary asked again."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]  # pending, as at its summary in this chat
    slots, _ = await which_teapot_asked(backend, identity, {"pending_order": number,
                                                            "pending_confirmation": "place_order"})
    said = CollectingDispatcher()
    tracker = flow_tracker(identity, "never mind", "stop", "change_order_form", slots=slots)
    events = await ValidateChangeOrderForm().run(said, tracker, DOMAIN)
    assert [(m["response"], m["number"]) for m in said.messages] == [("utter_confirm_order", number)]
    assert SlotSet("requested_slot", None) in events and SlotSet("order_change_choice", None) in events
    assert SlotSet("pending_confirmation", "place_order") in events and events[-1] == FollowupAction("action_listen")
    assert order_view_of(backend, identity, number)["status"] == "pending"
    assert lines_of(backend, identity, number) == [("MUG-CER-BLU", 1)]


async def test_a_question_at_which_teapot_is_answered_then_which_is_asked_again_once(backend):
    identity = new_identity()
    place_order(backend, identity)
    slots, which = await which_teapot_asked(backend, identity)
    text = "how much is the glass teapot?"
    tracker = flow_tracker(identity, text, "product_info", "change_order_form", teapot_entities(text), slots)
    assert await ValidateChangeOrderForm().run(CollectingDispatcher(), tracker, DOMAIN) == []  # its rule answers
    answered = tracker_for(identity, text, slots=slots)
    answered.events = [which, {"event": "action", "name": "action_listen"},
                       {"event": "user", "text": text, "parse_data": {"intent": {"name": "product_info"}}},
                       {"event": "action", "name": "action_show_products"},
                       {"event": "bot", "text": "Glass Teapot with Infuser 1 L: €32.90, in stock",
                        "metadata": {"utter_action": "utter_product_list"}},
                       {"event": "action", "name": "change_order_form"}]
    asked = CollectingDispatcher()
    assert await ActionAskOrderChanges().run(asked, answered, {}) == []
    assert [(m["text"], m["buttons"]) for m in asked.messages] == [(which["text"], which["data"]["buttons"])]


async def test_change_order_question_is_not_an_answer(backend, dispatcher):
    identity = new_identity()
    place_order(backend, identity)
    events, _ = await change_requested(backend, identity)
    target = next(e["value"] for e in events if e["name"] == "target_order")
    slots = {"target_order": target, "requested_slot": "order_changes"}
    tracker = flow_tracker(identity, "how long does delivery take", "delivery_time", "change_order_form", slots=slots)
    assert await ValidateChangeOrderForm().run(dispatcher, tracker, DOMAIN) == []  # the form is rejected
    text = "how much is the glass teapot?"
    tracker = flow_tracker(identity, text, "product_info", "change_order_form", teapot_entities(text), slots)
    assert await ValidateChangeOrderForm().run(dispatcher, tracker, DOMAIN) == []  # a question, not an addition
    text = "add a glass teapot"
    tracker = flow_tracker(identity, text, "product_info", "change_order_form", teapot_entities(text), slots)
    assert (await ValidateChangeOrderForm().run(dispatcher, tracker, DOMAIN))[0]["name"] == "order_changes"


async def confirmed_change(backend, identity, intent="affirm", slots=None):
    events, _ = await change_requested(backend, identity)
    slots = {**(slots or {}), **{e["name"]: e["value"] for e in events}}
    summary = CollectingDispatcher()
    events = await ActionConfirmOrderChange().run(summary, tracker_for(identity, "", slots=slots), {})
    slots.update({e["name"]: e["value"] for e in events})
    answer = CollectingDispatcher()
    tracker = confirmation(identity, intent, "action_confirm_order_change", slots)
    return summary, answer, await ActionAnswerConfirmation().run(answer, tracker, {})


async def test_change_order_summary_then_yes_changes_lines(backend):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    summary, answer, events = await confirmed_change(backend, identity)
    message = summary.messages[0]
    assert message["response"] == "utter_confirm_order_change"
    assert "Glass Teapot" in message["lines"] and message["number"] == number
    assert [m["response"] for m in answer.messages] == ["utter_order_changed"]
    assert events == FLOW_CLEARED
    assert lines_of(backend, identity, number) == [("MUG-CER-BLU", 1), ("TEA-POT-GLS", 1)]
    order = httpx.get(f"{backend.url}/api/v1/orders/{number}", headers={**BOT, "X-Channel-Identity": identity}).json()
    assert answer.messages[0]["total"].replace(",", "") == f"€{order['total_minor'] / 100:.2f}"
    assert message["total"] == answer.messages[0]["total"]  # the summary's total was the real one


async def test_change_at_the_order_summary_asks_again_to_place_the_order(backend):
    # "add a glass teapot" while the bot waits for the yes to a new order: changed, still unplaced.
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    for intent, response in (("affirm", "utter_order_changed"), ("deny", "utter_order_change_kept")):
        _, answer, events = await confirmed_change(backend, identity, intent, slots={"pending_order": number})
        assert [m["response"] for m in answer.messages] == [response, "utter_confirm_order"]
        assert answer.messages[1]["number"] == number and "Glass Teapot" in answer.messages[1]["lines"]
        assert SlotSet("pending_confirmation", "place_order") in events
        # the order form's slots follow the order as it now is, for a later edit at the summary
        slots = {e["name"]: e["value"] for e in events}
        # (the "no" of the second round keeps what the first round's "yes" changed)
        assert [(item["sku"], item["quantity"]) for item in slots["order_items"]] == [
            ("MUG-CER-BLU", 1), ("TEA-POT-GLS", 1)]
        assert slots["order_draft"] == slots["order_items"]
        assert slots["shipping_address"]["city"] and slots["order_contact"] == "ada@example.com"


async def test_emptying_the_order_not_yet_placed_drops_it(backend, dispatcher):
    # At "Shall I place it?": "remove the blue mugs" takes out all there is. Not a change: a "no".
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    target = order_view_of(backend, identity, number)
    text = "remove the blue mugs"
    entities = [{"entity": "product", "value": "blue mugs", "skus": ["MUG-CER-BLU"], "start": 11, "end": 20}]
    slots = {"target_order": target, "requested_slot": "order_changes", "pending_order": number,
             "pending_confirmation": "place_order"}
    events = await ValidateChangeOrderForm().run(
        dispatcher, flow_tracker(identity, text, "change_order", "change_order_form", entities, slots), DOMAIN)
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_not_placed"]
    assert SlotSet("requested_slot", None) in events and SlotSet("pending_order", None) in events
    response = httpx.get(f"{backend.url}/api/v1/orders/{number}", headers={**BOT, "X-Channel-Identity": identity})
    assert response.json()["status"] == "cancelled"


async def test_change_order_no_keeps_lines(backend):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    _, answer, events = await confirmed_change(backend, identity, "deny")
    assert [m["response"] for m in answer.messages] == ["utter_order_change_kept"]
    assert lines_of(backend, identity, number) == [("MUG-CER-BLU", 1)]


def free_stock(backend, sku: str) -> int:
    return httpx.get(f"{backend.url}/api/v1/staff/products/{sku}/stock", headers=STAFF).json()["available"]


def hold_all_but(backend, sku: str, left: int) -> tuple:
    """Orders of another chat holding `sku` until `left` or fewer (but some) are free: the test's
    own short stock, whatever the tests before it did (the suite tops glass teapots up past the 20
    one line may hold, and "available + 1" was refused for that instead). (identity, numbers)."""
    holder, held = new_identity(), []
    while free_stock(backend, sku) > left:
        response = httpx.post(f"{backend.url}/api/v1/orders", headers={**BOT, "X-Channel-Identity": holder}, json={
            "lines": [{"sku": sku, "quantity": min(20, free_stock(backend, sku) - left)}],
            "shipping_address": ADDRESS, "contact_email": "ada@example.com"})
        assert response.status_code == 201, response.text
        held.append(response.json()["number"])
    return holder, held


def release(backend, holder: str, held: list) -> None:
    for number in held:
        httpx.post(f"{backend.url}/api/v1/orders/{number}/cancel", headers={**BOT, "X-Channel-Identity": holder},
                   json={"reason": "test stock released"}).raise_for_status()


async def test_change_order_short_stock_names_alternatives(backend, dispatcher):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    holder, held = hold_all_but(backend, "TEA-POT-GLS", 3)
    try:
        available = free_stock(backend, "TEA-POT-GLS")
        assert 0 < available <= 3
        slots = {"target_order": {"number": number, "currency": "EUR"},
                 "order_changes": [{"sku": "TEA-POT-GLS", "name": "Glass Teapot", "quantity": available + 1}],
                 "pending_confirmation": "change_order"}
        await ActionAnswerConfirmation().run(
            dispatcher, confirmation(identity, "affirm", "action_confirm_order_change", slots), {})
    finally:
        release(backend, holder, held)
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_short_stock", "utter_order_change_not_sent"]
    assert (dispatcher.messages[0]["requested"], dispatcher.messages[0]["available"]) == (available + 1, available)
    assert dispatcher.messages[0]["alternatives"]
    assert lines_of(backend, identity, number) == [("MUG-CER-BLU", 1)]


async def test_change_order_short_stock_is_said_before_the_summary(backend, dispatcher):
    """Adding more than is free: said at once, with alternatives, and no summary to say yes to."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    stock = httpx.get(f"{backend.url}/api/v1/staff/products/TEA-POT-GLS/stock", headers=STAFF).json()
    target = {"number": number, "currency": "EUR", "status": "pending",
              "lines": [{"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 1, "unit_price_minor": 1290}]}
    wanted = stock["available"] + 1
    slots = {"target_order": target, "order_changes": [
        {"sku": "MUG-CER-BLU", "quantity": 1}, {"sku": "TEA-POT-GLS", "quantity": wanted}]}
    events = await ActionConfirmOrderChange().run(dispatcher, tracker_for(identity, "add teapots", slots=slots), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_short_stock", "utter_order_change_not_sent"]
    assert (dispatcher.messages[0]["requested"], dispatcher.messages[0]["available"]) == (wanted, stock["available"])
    assert SlotSet("pending_confirmation", "change_order") not in events


async def test_change_order_locked_when_sent_is_refused_saying_why(backend, dispatcher):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    ship(backend, identity, number)  # shipped between the summary and the "yes"
    slots = {"target_order": {"number": number, "currency": "EUR"},
             "order_changes": [{"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 2}],
             "pending_confirmation": "change_order"}
    await ActionAnswerConfirmation().run(dispatcher, confirmation(identity, "affirm", "action_confirm_order_change", slots), {})
    # as the shop says it (shipped, can be returned), not the backend's "…; it is 'shipped'."
    assert [(m["response"], m["status"]) for m in dispatcher.messages] == [("utter_order_locked_shipped", "shipped")]


async def test_an_affirm_without_a_word_of_agreement_changes_nothing(backend, dispatcher):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    tracker = confirmation(identity, "affirm", "action_confirm_order_change",
                           {"pending_confirmation": "change_order", "target_order": {"number": number, "lines": []},
                            "order_changes": [{"sku": "GRN-HND-BUR", "name": "Hand Burr Grinder", "quantity": 1}]})
    tracker.latest_message["text"] = "same address"
    assert await ActionAnswerConfirmation().run(dispatcher, tracker, {}) == []
    assert dispatcher.messages[0]["response"] == "utter_yes_or_no_first"
    assert "GRN-HND-BUR" not in [sku for sku, _ in lines_of(backend, identity, number)]


async def test_no_to_what_should_i_change_leaves_the_form(backend):
    """"make it 3" → "What should I change in order …?" → "no" had got "Okay." and the question again."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    slots = {"target_order": order_view_of(backend, identity, number), "requested_slot": "order_changes"}
    said = CollectingDispatcher()
    tracker = flow_tracker(identity, "no", "deny", "change_order_form", slots=slots)
    events = await ValidateChangeOrderForm().run(said, tracker, DOMAIN)
    assert [m["response"] for m in said.messages] == ["utter_order_change_kept"]
    assert SlotSet("target_order", None) in events and SlotSet("requested_slot", None) in events


def told(text, words, entity, value, skus=None, quantity=None):
    start = text.index(words)
    found = {"entity": entity, "value": value, "start": start, "end": start + len(words)}
    return {**found, "skus": skus, "quantity": quantity} if skus else found


def two_masala_chai(text):
    """ "add 2 masala chai …": the count and the tea."""
    return [{"entity": "quantity", "value": "2", "start": 4, "end": 5},
            told(text, "masala chai", "product", "Masala Chai 200 g", ["TEA-CHA-200"], 2)]


MUGS_ORDER = "add 2 masala chai to the mugs order"
MUGS_ORDER_ENTITIES = two_masala_chai(MUGS_ORDER) + [told(MUGS_ORDER, "mugs", "category", "Mugs")]


async def change_form_started(identity, text, entities, intent="place_order", slots=None):
    said = CollectingDispatcher()
    tracker = flow_tracker(identity, text, intent, "change_order_form", entities, slots=slots)
    tracker.active_loop = {}
    events = await ValidateChangeOrderForm().run(said, tracker, DOMAIN)
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}, said


async def test_an_order_told_by_what_it_holds_is_the_one_changed(backend):
    """t2 M4: "add 2 masala chai to the mugs order" started a separate order with its own shipping
    ("to my order" changed the placed one). The mugs order gets the chai (and no extra mug: the
    mugs say which order); "to the order with the french press" likewise."""
    from actions.ordering import ValidateOrderForm
    from actions.placed_order_edits import adds_to_a_placed_order
    from tests.actions.test_ordering import form_tracker
    from tests.actions.test_replacements import TO_THE_CHANGE_FORM, placed_order

    identity = new_identity()
    mugs = placed_order(backend, identity, [("MUG-CER-WHT", 2)])
    press = placed_order(backend, identity, [("BRW-FRP-800", 1)])  # newer
    text, entities = MUGS_ORDER, MUGS_ORDER_ENTITIES
    assert await adds_to_a_placed_order(form_tracker(identity, text, "place_order", entities))
    tracker = form_tracker(identity, text, "place_order", entities)
    tracker.active_loop = {}
    assert await ValidateOrderForm().run(CollectingDispatcher(), tracker, DOMAIN) == TO_THE_CHANGE_FORM
    slots, said = await change_form_started(identity, text, entities)
    assert said.messages == [] and slots["target_order"]["number"] == mugs
    assert [(line["sku"], line["quantity"]) for line in slots["order_changes"]] == [("MUG-CER-WHT", 2), ("TEA-CHA-200", 2)]

    text = "add 2 masala chai to the order with the french press"
    entities = two_masala_chai(text) + [told(text, "french press", "product", "French Press 800 ml", ["BRW-FRP-800"])]
    slots, _ = await change_form_started(identity, text, entities)
    assert slots["target_order"]["number"] == press
    assert [(line["sku"], line["quantity"]) for line in slots["order_changes"]] == [("BRW-FRP-800", 1), ("TEA-CHA-200", 2)]
    placed_order(backend, identity, [("TEA-POT-GLS", 1)])  # newer again: the mugs still say which
    slots, _ = await change_form_started(identity, MUGS_ORDER, MUGS_ORDER_ENTITIES, "change_order", {"order_id": press})
    assert slots["target_order"]["number"] == mugs


def turn(said, slots, name):
    """The events of an action's run, as the tracker keeps them: its slots and what it said."""
    return ([{"event": "action", "name": name}] + [{"event": "slot", "name": k, "value": v} for k, v in slots.items()]
            + [{"event": "bot", "text": m["response"], "metadata": {"utter_action": m["response"]}} for m in said])


async def test_a_count_after_short_stock_resizes_the_refused_change(backend):
    """t2 M4: "add 10 masala chai to the mugs order" → short stock → "ok make it 2 then" had set the
    mugs of the order to 2 (or started a new order). It resizes the refused change: 2 of the tea
    go to the mugs order; one of the similar items named instead takes the short one's place."""
    import uuid
    from actions.placed_order_edits import adds_to_a_placed_order
    from tests.actions.test_replacements import placed_order

    sku = f"TEA-{uuid.uuid4().hex[:6].upper()}"
    httpx.post(f"{backend.url}/api/v1/staff/products", headers=STAFF, json={
        "sku": sku, "name": "Spiced Chai Sampler", "category": "Tea", "price_minor": 900,
        "initial_stock": 3}).raise_for_status()
    identity = new_identity()
    mugs = placed_order(backend, identity, [("MUG-CER-WHT", 2)])
    placed_order(backend, identity, [("BRW-FRP-800", 1)])  # newer
    text = "add 10 spiced chai to the mugs order"
    entities = [{"entity": "quantity", "value": "10", "start": 4, "end": 6},
                told(text, "spiced chai", "product", "Spiced Chai Sampler", [sku], 10), told(text, "mugs", "category", "Mugs")]
    slots, _ = await change_form_started(identity, text, entities)
    assert [(line["sku"], line["quantity"]) for line in slots["order_changes"]] == [("MUG-CER-WHT", 2), (sku, 10)]
    refused = CollectingDispatcher()
    events = await ActionConfirmOrderChange().run(refused, tracker_for(identity, text, slots=slots), {})
    assert [m["response"] for m in refused.messages] == ["utter_order_short_stock", "utter_order_change_not_sent"]
    history = ([{"event": "user", "text": text}] + turn([], slots, "change_order_form")
               + turn(refused.messages, {e["name"]: e["value"] for e in events}, "action_confirm_order_change")
               + [{"event": "action", "name": "action_listen"}])

    def next_message(text, entities, intent="inform"):
        tracker = flow_tracker(identity, text, intent, "change_order_form", entities)
        tracker.active_loop = {}
        tracker.events = history + [{"event": "user", "text": text}]
        return tracker

    for text, entities, lines in (
            ("ok make it 2 then", [{"entity": "quantity", "value": "2", "start": 11, "end": 12}], [(sku, 2)]),
            ("ok 2 english breakfast then", [told("ok 2 english breakfast then", "english breakfast", "product",
                                                  "English Breakfast Tea 250 g", ["TEA-EBF-250"], 2)],
             [("TEA-EBF-250", 2)])):
        assert await adds_to_a_placed_order(next_message(text, entities)), text
        said = CollectingDispatcher()
        events = await ValidateChangeOrderForm().run(said, next_message(text, entities), DOMAIN)
        changed = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
        assert said.messages == [] and changed["target_order"]["number"] == mugs, text
        assert [(line["sku"], line["quantity"]) for line in changed["order_changes"]] == [("MUG-CER-WHT", 2)] + lines
    summary = CollectingDispatcher()
    events = await ActionConfirmOrderChange().run(summary, tracker_for(identity, "", slots=changed), {})
    assert [(m["response"], m["number"]) for m in summary.messages] == [("utter_confirm_order_change", mugs)]
    await ActionAnswerConfirmation().run(CollectingDispatcher(), confirmation(
        identity, "affirm", "action_confirm_order_change", {**changed, **{e["name"]: e["value"] for e in events}}), {})
    assert lines_of(backend, identity, mugs) == [("MUG-CER-WHT", 2), ("TEA-EBF-250", 2)]


ARJUN = "Arjun Mehta, 9 Mariahilfer Strasse, 1060 Wien, Austria"
ARJUN_ADDRESS = {"name": "Arjun Mehta", "line1": "9 Mariahilfer Strasse", "city": "Wien", "postal_code": "1060",
                 "country": "AT"}
TO_THE_ADDRESS_FORM = [SlotSet("order_changes", None), SlotSet("order_change_choice", None),
                       SlotSet("requested_slot", None), FollowupAction("change_address_form")]


async def test_an_address_to_what_should_i_change_is_the_new_address_never_a_count(backend):
    """t4 C1: "Arjun Mehta, 9 Mariahilfer Strasse, 1060 Wien, Austria" to "What should I change in order
    …?" proposed 9 × Tea Caddy Tin (the house number; 3 mugs for "3 Mariahilfer Strasse"), and a yes
    stored it. It is the order's new address: the address change takes it, the items stay."""
    from actions.change_address import ValidateChangeAddressForm
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    target = order_view_of(backend, identity, number)
    for text in (ARJUN, "Arjun Mehta 3 Mariahilfer Strasse 1060 Wien Austria"):
        said = CollectingDispatcher()
        tracker = flow_tracker(identity, text, "inform", "change_order_form", [{"entity": "order_id", "value": "1060"}],
                               slots={"target_order": target, "requested_slot": "order_changes"})
        assert await ValidateChangeOrderForm().run(said, tracker, DOMAIN) == TO_THE_ADDRESS_FORM, text
        assert said.messages == [], text
    # said with the request itself, the same
    said = CollectingDispatcher()
    tracker = flow_tracker(identity, f"change my order: {ARJUN}", "change_order", "change_order_form")
    tracker.active_loop = {}
    assert await ValidateChangeOrderForm().run(said, tracker, DOMAIN) == TO_THE_ADDRESS_FORM
    # the address form the hand-off starts reads the same message, for the same order
    handed = flow_tracker(identity, ARJUN, "inform", "change_address_form", slots={"target_order": target})
    handed.active_loop = {}
    events = await ValidateChangeAddressForm().run(CollectingDispatcher(), handed, DOMAIN)
    assert SlotSet("new_shipping_address", ARJUN_ADDRESS) in events
    assert lines_of(backend, identity, number) == [("MUG-CER-BLU", 1)]


def after_order_talk(identity, text, entities, number, said_since=()):
    """`text` read as a new order, some messages after the bot said order `number` was placed:
    `said_since` holds (message, response) pairs of the side questions between."""
    from tests.actions.test_ordering import form_tracker
    tracker = form_tracker(identity, text, "place_order", entities)
    tracker.events = [{"event": "user", "text": "yes"},
                      {"event": "bot", "text": f"Your order {number} is placed.",
                       "metadata": {"utter_action": "utter_order_placed"}}]
    for message, response in said_since:
        tracker.events += [{"event": "user", "text": message},
                           {"event": "bot", "text": "…", "metadata": {"utter_action": response}}]
    tracker.events += [{"event": "action", "name": "action_listen"}, {"event": "user", "text": text},
                       {"event": "action", "name": "order_form"}]
    return tracker


async def test_add_x_to_it_or_and_x_right_after_an_order_changes_that_order(backend):
    """t4 M2: "can you add a blue mug to it" after a question about the order just placed, "and 2 red
    mugs" right after placing, "And could you add two of the white mugs to it as well?" and "and add
    the tea caddy i asked for" right after an address change, "ok aur ek mug add kar do blue wala"
    after two tracking questions: each had started a second order with its own shipping."""
    from actions.ordering import ValidateOrderForm
    from tests.actions.test_replacements import TO_THE_CHANGE_FORM
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    blue_mug = "can you add a blue mug to it"
    red = "and 2 red mugs"
    white = "And could you add two of the white mugs to it as well?"
    caddy = "and add the tea caddy i asked for"
    hinglish = "ok aur ek mug add kar do blue wala"
    moved = ("Done: order will go to …", "utter_address_changed")
    for text, entities, since in (
            (blue_mug, [told(blue_mug, "blue mug", "product", "Ceramic Mug Blue", ["MUG-CER-BLU"], 1)],
             [("when will it arrive", "utter_faq/delivery_time")]),
            (red, [told(red, "red mugs", "product", "Ceramic Mug Red", ["MUG-CER-RED"], 2)], []),
            (white, [told(white, "white mugs", "product", "Ceramic Mug White", ["MUG-CER-WHT"], 2)], [moved]),
            (caddy, [told(caddy, "tea caddy", "product", "Tea Caddy Tin", ["TEA-CAD-TIN"])], [moved]),
            (hinglish, [told(hinglish, "mug", "product", "mug", ["MUG-CER-BLU", "MUG-CER-RED"])],
             [("bhai mera order kab aayega", "utter_order_status"), ("tracking number kya hai", "utter_no_tracking_yet")])):
        tracker = after_order_talk(identity, text, entities, number, since)
        events = await ValidateOrderForm().run(CollectingDispatcher(), tracker, DOMAIN)
        assert events == TO_THE_CHANGE_FORM, text
    # the change form adds the red mugs to the order placed
    slots, said = await change_form_started(identity, red, [told(red, "red mugs", "product", "Ceramic Mug Red",
                                                                   ["MUG-CER-RED"], 2)])
    assert said.messages == [] and slots["target_order"]["number"] == number
    assert [(line["sku"], line["quantity"]) for line in slots["order_changes"]] == [("MUG-CER-BLU", 1), ("MUG-CER-RED", 2)]
    # "blue wala": the blue one, not the red mugs the order holds, nor "which mug?"; "add" after it adds
    from tests.actions.test_replacements import placed_order
    reds_identity = new_identity()
    reds = placed_order(backend, reds_identity, [("MUG-CER-RED", 2)])
    mugs = ["MUG-CER-BLK", "MUG-CER-BLU", "MUG-CER-GRN", "MUG-CER-RED", "MUG-CER-WHT"]
    for text, lines in ((hinglish, [("MUG-CER-RED", 2), ("MUG-CER-BLU", 1)]),
                        ("ek mug add kar do", [("MUG-CER-RED", 3)])):
        slots, said = await change_form_started(reds_identity, text, [told(text, "mug", "product", "mug", mugs)])
        assert said.messages == [] and slots["target_order"]["number"] == reds, text
        assert [(line["sku"], line["quantity"]) for line in slots["order_changes"]] == lines, text
    # longer ago, a new order without a word of adding, or a question: no change
    for text, since in ((blue_mug, [("hi", "utter_greet")] * 3), ("2 red mugs", []),
                        ("and how much is the red mugs?", [])):
        tracker = after_order_talk(identity, text, [told(text, "red mugs" if "red" in text else "blue mug", "product",
                                                         "Ceramic Mug Red", ["MUG-CER-RED"], 2)], number, since)
        assert FollowupAction("change_order_form") not in await ValidateOrderForm().run(
            CollectingDispatcher(), tracker, DOMAIN), text


async def test_colours_alone_amend_the_change_waiting(backend):
    """QA: "actually make it 1 red and 1 blue" at "Order … would then be: 2 × Ceramic Mug Red … Shall
    I change it?" proposed 1 red mug alone (the NLU finds no product in "red" or "blue")."""
    from tests.actions.test_replacements import placed_order
    identity = new_identity()
    number = placed_order(backend, identity, [("MUG-CER-BLU", 2)])
    text = "actually make it 1 red and 1 blue"
    entities = [{"entity": "quantity", "value": "1", "start": text.index("1 red"), "end": text.index("1 red") + 1},
                {"entity": "quantity", "value": "1", "start": text.index("1 blue"), "end": text.index("1 blue") + 1}]
    red = {"sku": "MUG-CER-RED", "name": "Ceramic Mug Red", "quantity": 2}
    slots = {"target_order": order_view_of(backend, identity, number), "order_changes": [red],
             "pending_confirmation": "change_order"}
    changed, said = await change_form_started(identity, text, entities, intent="change_order", slots=slots)
    assert [(line["sku"], line["quantity"]) for line in changed["order_changes"]] == [
        ("MUG-CER-RED", 1), ("MUG-CER-BLU", 1)], said.messages


async def test_no_i_confirm_the_order_as_it_is_changes_nothing(backend):
    """QA (critical): "no, i confirm the order as it is" to "Shall I change it?" made the change (its
    "confirm" read as a yes); so it did at a return's question."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    events, _ = await change_requested(backend, identity)
    slots = {e["name"]: e["value"] for e in events}
    summary = CollectingDispatcher()
    events = await ActionConfirmOrderChange().run(summary, tracker_for(identity, "", slots=slots), {})
    slots.update({e["name"]: e["value"] for e in events})
    for text in ("no, i confirm the order as it is", "no keep it"):
        tracker = confirmation(identity, "affirm", "action_confirm_order_change", slots)
        tracker.latest_message["text"] = text
        answer = CollectingDispatcher()
        await ActionAnswerConfirmation().run(answer, tracker, {})
        assert "utter_order_changed" not in [m["response"] for m in answer.messages], text
        assert lines_of(backend, identity, number) == [("MUG-CER-BLU", 1)], text
