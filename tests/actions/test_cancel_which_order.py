"""Which order a cancel is about, against a real backend: "cancel the mug order" with two mug orders
asks which, naming both; one no order holds is said so; "the other one", "the one with the red
mugs" or "the second one" picks; a question about the order at "Do you want me to cancel…?" is
answered about that order and the question asked again; refusals are worded for customers."""
from __future__ import annotations

import httpx
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation, ActionCancelOrder
from actions.catalogue import ActionShowProducts
from actions.inform import ActionHandleInform
from actions.refunds import ActionRefundStatus
from tests.actions.test_cancel import CLEARED, after_cancel_all, answer, status_of
from tests.actions.test_orders import STAFF, new_identity, ship, tracker_for
from tests.actions.test_replacements import named, placed_order

MUGS = ["MUG-CER-BLK", "MUG-CER-BLU", "MUG-CER-GRN", "MUG-CER-RED", "MUG-CER-WHT", "MUG-ENM-CRM", "MUG-TRV-STL"]
RED_MUG = ["MUG-CER-RED"], "Ceramic Mug Red"


def said_by(dispatcher: CollectingDispatcher) -> list:
    return [(m.get("response") or m.get("text"), m.get("number")) for m in dispatcher.messages]


def after_the_bot(identity: str, text: str, intent: str, said: CollectingDispatcher, slots: dict,
                  entities: list = None, action: str = "action_cancel_order"):
    """`text` (read as `intent`) right after `action` said `said`'s messages, with the slots then."""
    tracker = tracker_for(identity, text, entities=entities or [], slots=slots)
    tracker.latest_message["intent"] = {"name": intent, "confidence": 0.9}
    spoken = [{"event": "bot", "text": _text_of(m), "data": {"buttons": m.get("buttons") or []},
               "metadata": {"utter_action": m.get("response")}} for m in said.messages]
    tracker.events = [{"event": "action", "name": action}, *spoken,
                      {"event": "action", "name": "action_listen"},
                      {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}},
                      {"event": "action", "name": "action_extract_slots"}]
    return tracker


def _text_of(message: dict) -> str:
    """The message as the customer saw it: enough of it for the actions to read (its orders)."""
    return message.get("text") or " ".join(str(value) for key, value in message.items()
                                           if key in ("number", "orders", "items", "name"))


async def mug_orders(backend, identity: str) -> tuple:
    """manage-05: red mugs; a french press and a blue mug; a coffee scale (newest)."""
    red = placed_order(backend, identity, [("MUG-CER-RED", 2)])
    press = placed_order(backend, identity, [("BRW-FRP-800", 1), ("MUG-CER-BLU", 1)])
    scale = placed_order(backend, identity, [("BRW-SCL-DIG", 1)])
    return red, press, scale


async def test_the_mug_order_of_two_is_asked_about_naming_both(backend):
    identity = new_identity()
    red, press, scale = await mug_orders(backend, identity)
    text = "cancel the mug order"
    asked = CollectingDispatcher()
    events = await ActionCancelOrder().run(asked, tracker_for(identity, text, [named(text, "mug", MUGS, "mug")]), {})
    [question] = asked.messages
    assert question["response"] == "utter_cancel_which_order"
    assert red in question["orders"] and press in question["orders"] and scale not in question["orders"]
    assert events == [SlotSet("requested_info", "order_id"), SlotSet("order_task", "cancel"),
                      SlotSet("pending_confirmation", None)]
    slots = {"requested_info": "order_id", "order_task": "cancel"}
    # "the one with the red mugs" (a product question to the NLU), "the second one" (inform)
    text = "the one with the red mugs"
    picked = CollectingDispatcher()
    tracker = after_the_bot(identity, text, "product_info", asked, slots, [named(text, "red mugs", *RED_MUG)])
    events = await ActionShowProducts().run(picked, tracker, {})
    assert said_by(picked) == [("utter_confirm_cancel", red)]
    assert SlotSet("pending_confirmation", "cancel_order") in events
    listed = [number for number in (red, press) if number in question["orders"]]
    second = CollectingDispatcher()
    await ActionHandleInform().run(second, after_the_bot(identity, "the second one", "inform", asked, slots), {})
    assert said_by(second) == [("utter_confirm_cancel", sorted(listed, key=question["orders"].index)[1])]
    assert {status_of(backend, identity, n) for n in (red, press, scale)} == {"confirmed"}


async def test_an_order_no_order_holds_is_said_and_nothing_else_offered(backend):
    """manage-31/-33: "cancel the french press order" with none had offered to cancel the mug order."""
    identity = new_identity()
    red = placed_order(backend, identity, [("MUG-CER-RED", 2)])
    text = "cancel the french press order"
    said = CollectingDispatcher()
    press = [named(text, "french press", ["BRW-FRP-800"], "French Press 800 ml")]
    events = await ActionCancelOrder().run(said, tracker_for(identity, text, press), {})
    [message] = said.messages
    assert message["response"] == "utter_cancel_no_order_holds" and message["name"] == "French Press 800 ml"
    assert red in message["orders"]
    assert SlotSet("pending_confirmation", "cancel_order") not in events
    assert status_of(backend, identity, red) == "confirmed"


async def test_the_other_one_or_a_product_at_the_question_asks_about_that_order(backend):
    """manage-05: at "cancel OB-… (french press, blue mug)?", "the other one" (inform) had shown a
    product and "no!! the one with the red mugs" (a product question) the red mug."""
    identity = new_identity()
    red = placed_order(backend, identity, [("MUG-CER-RED", 2)])
    press = placed_order(backend, identity, [("BRW-FRP-800", 1), ("MUG-CER-BLU", 1)])
    asked = CollectingDispatcher()
    events = await ActionCancelOrder().run(asked, tracker_for(identity, "cancel my order"), {})
    # the newest is asked about, and the other open one named (after2-115)
    assert said_by(asked) == [("utter_cancel_newest_of_several", None), ("utter_confirm_cancel", press)]
    assert red in asked.messages[0]["orders"] and press not in asked.messages[0]["orders"]
    slots = {e["name"]: e["value"] for e in events}
    other = CollectingDispatcher()
    await ActionHandleInform().run(other, after_the_bot(identity, "the other one", "inform", asked, slots), {})
    assert said_by(other) == [("utter_confirm_cancel", red)]
    text = "no!! the one with the red mugs"
    picked = CollectingDispatcher()
    tracker = after_the_bot(identity, text, "product_info", asked, slots, [named(text, "red mugs", *RED_MUG)])
    await ActionShowProducts().run(picked, tracker, {})
    assert said_by(picked) == [("utter_confirm_cancel", red)]
    denied = CollectingDispatcher()
    tracker = after_the_bot(identity, text, "deny", asked, slots, [named(text, "red mugs", *RED_MUG)])
    await ActionAnswerConfirmation().run(denied, tracker, {})
    assert said_by(denied) == [("utter_cancel_kept", press), ("utter_confirm_cancel", red)]


async def test_a_question_about_the_order_at_the_cancel_question_is_answered_about_it(backend):
    """manage-01/-05/-07: "is it already packed?" had got a teapot list and "what happens to my
    money?" the refund status of another order; a yes after it cancels the order asked about."""
    identity = new_identity()
    asked_about = placed_order(backend, identity, [("MUG-CER-RED", 1)])
    httpx.post(f"{backend.url}/api/v1/staff/orders/{asked_about}/transition", headers=STAFF,
               json={"status": "processing"}).raise_for_status()
    newest = placed_order(backend, identity, [("BRW-FLT-100", 1)])
    asked = CollectingDispatcher()
    entities = [{"entity": "order_id", "value": asked_about}]
    events = await ActionCancelOrder().run(asked, tracker_for(identity, f"cancel {asked_about}", entities), {})
    slots = {e["name"]: e["value"] for e in events}
    packed = CollectingDispatcher()
    await ActionShowProducts().run(packed, after_the_bot(identity, "is it already packed?", "product_info", asked, slots), {})
    assert said_by(packed) == [("utter_order_status_processing", asked_about), ("utter_confirm_cancel", asked_about)]
    money = CollectingDispatcher()
    await ActionRefundStatus().run(money, after_the_bot(identity, "what happens to my money?", "refund_status", asked, slots), {})
    assert said_by(money) == [("utter_cancel_refund", asked_about), ("utter_confirm_cancel", asked_about)]
    assert money.messages[0]["total"] == "€17.80"
    yes = after_the_bot(identity, "yes", "affirm", money, {**slots, "order_id": newest}, action="action_refund_status")
    await ActionAnswerConfirmation().run(CollectingDispatcher(), yes, {})
    assert (status_of(backend, identity, asked_about), status_of(backend, identity, newest)) == ("cancelled", "confirmed")


async def test_and_the_other_one_too_in_cancel_all_is_a_yes(backend):
    """manage-21: "cancel all my orders", "yes", then at the next order "and the other one too"
    (read as a no) had kept it."""
    identity = new_identity()
    first, second = (placed_order(backend, identity, [("TEA-CAD-TIN", 1)]) for _ in range(2))
    tracker = after_cancel_all(identity, second, "affirm")
    next_one = CollectingDispatcher()
    await ActionAnswerConfirmation().run(next_one, tracker, {})
    assert said_by(next_one) == [("utter_order_cancelled", second), ("utter_confirm_cancel", first)]
    slots = {"pending_confirmation": "cancel_order", "order_id": first}
    too = after_the_bot(identity, "and the other one too", "deny", next_one, slots, action="action_answer_confirmation")
    too.events[0:0] = tracker.events[:1]
    said = CollectingDispatcher()
    await ActionAnswerConfirmation().run(said, too, {})
    assert said_by(said) == [("utter_order_cancelled", first)]
    assert status_of(backend, identity, first) == "cancelled"


async def test_a_cancel_refused_at_the_yes_is_worded_for_customers(backend, dispatcher):
    """Shipped between the question and the yes: not the backend's "An order that is 'shipped'
    cannot become 'cancelled'. Allowed next: delivered."."""
    identity = new_identity()
    number = placed_order(backend, identity, [("MUG-CER-BLU", 1)], confirmed=False)
    ship(backend, identity, number)
    assert await ActionAnswerConfirmation().run(dispatcher, answer(identity, number, "affirm"), {}) == CLEARED + [
        SlotSet("order_id", number)]
    assert said_by(dispatcher) == [("utter_cannot_cancel_shipped", number)]


async def test_a_money_question_read_as_a_cancel_is_about_the_order_asked_about(backend):
    """"what happens to my money if i cancel?" at the question, read as a cancel: not the newest order."""
    identity = new_identity()
    asked_about = placed_order(backend, identity, [("MUG-CER-RED", 1)])
    placed_order(backend, identity, [("BRW-FLT-100", 1)])
    asked = CollectingDispatcher()
    entities = [{"entity": "order_id", "value": asked_about}]
    events = await ActionCancelOrder().run(asked, tracker_for(identity, f"cancel {asked_about}", entities), {})
    said = CollectingDispatcher()
    text = "what happens to my money if i cancel?"
    await ActionCancelOrder().run(said, after_the_bot(identity, text, "cancel_order", asked,
                                                      {e["name"]: e["value"] for e in events}), {})
    assert said_by(said) == [("utter_cancel_refund", asked_about), ("utter_confirm_cancel", asked_about)]


async def test_yes_to_the_offer_to_cancel_instead_asks_the_cancel_question(backend):
    """after2-90 (N3): "i want to return 1 mug" before it shipped got "I can cancel it instead, with
    a full refund", and "yes pls do that" then "Okay." while the order stayed on its way. The offer
    leaves its question open: a yes asks to cancel that order (its items and total), whose yes
    cancels it; "Keep it" keeps it."""
    from actions.returns import ValidateReturnForm
    from tests.actions.test_change_order import DOMAIN, flow_tracker

    identity = new_identity()
    number = placed_order(backend, identity, [("MUG-CER-WHT", 2)])
    text = "i want to return the 2 mugs"  # the whole order (one mug alone: that mug off it, qa16)
    offer = CollectingDispatcher()
    tracker = flow_tracker(identity, text, "refund_return_request", "return_form",
                           [named(text, "mugs", MUGS, "mug", 2)])
    tracker.active_loop = {}
    events = await ValidateReturnForm().run(offer, tracker, DOMAIN)
    assert said_by(offer) == [("utter_return_not_delivered", number)]
    assert SlotSet("pending_confirmation", "cancel_order") in events and SlotSet("order_id", number) in events
    slots = {e["name"]: e["value"] for e in events}
    for yes in ("yes pls do that", "ok fine yes", "yes please"):
        asked = CollectingDispatcher()
        await ActionAnswerConfirmation().run(asked, after_the_bot(identity, yes, "affirm", offer, slots,
                                                                  action="return_form"), {})
        assert said_by(asked) == [("utter_confirm_cancel", number)], yes
        assert (asked.messages[0]["items"], asked.messages[0]["total"]) == ("2 × Ceramic Mug White", "€28.70")
        assert status_of(backend, identity, number) == "confirmed"
    kept = CollectingDispatcher()
    await ActionAnswerConfirmation().run(kept, after_the_bot(identity, "/deny", "deny", offer, slots,
                                                             action="return_form"), {})
    assert said_by(kept) == [("utter_cancel_kept", number)]
    done = CollectingDispatcher()
    await ActionAnswerConfirmation().run(done, after_the_bot(identity, "yes", "affirm", asked, slots,
                                                             action="action_answer_confirmation"), {})
    assert said_by(done) == [("utter_order_cancelled", number)]
    assert status_of(backend, identity, number) == "cancelled"


async def test_will_i_get_my_money_back_read_as_a_return_at_the_cancel_question(backend):
    """after2-29 (N3): "will i get my money back" at "Do you want me to cancel …?" was read as a
    return and answered with the offer to cancel instead (whose yes then did nothing): it is
    answered about the order asked about (a full refund) and the same question asked again, which
    "yes please" answers."""
    from actions.returns import ValidateReturnForm
    from tests.actions.test_change_order import DOMAIN

    identity = new_identity()
    number = placed_order(backend, identity, [("MUG-CER-RED", 1)])
    httpx.post(f"{backend.url}/api/v1/staff/orders/{number}/transition", headers=STAFF,
               json={"status": "processing"}).raise_for_status()
    asked = CollectingDispatcher()
    events = await ActionCancelOrder().run(asked, tracker_for(identity, "pls cancel it", slots={"order_id": number}), {})
    slots = {e["name"]: e["value"] for e in events}
    money = CollectingDispatcher()
    tracker = after_the_bot(identity, "will i get my money back", "refund_return_request", asked, slots)
    events = await ValidateReturnForm().run(money, tracker, DOMAIN)
    assert said_by(money) == [("utter_cancel_refund", number), ("utter_confirm_cancel", number)]
    assert SlotSet("requested_slot", None) in events and events[-1] == FollowupAction("action_listen")
    yes = after_the_bot(identity, "yes please", "affirm", money, slots, action="return_form")
    done = CollectingDispatcher()
    await ActionAnswerConfirmation().run(done, yes, {})
    assert said_by(done) == [("utter_order_cancelled", number)]
    assert status_of(backend, identity, number) == "cancelled"
