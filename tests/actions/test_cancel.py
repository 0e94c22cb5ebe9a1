"""Cancelling in chat against a real backend: confirmation first, refusals with a reason, stock released."""
from __future__ import annotations

import httpx
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation, ActionCancelOrder
from tests.actions.test_change_order import confirmation
from tests.actions.test_orders import new_identity, place_order, ship, tracker_for

CLEARED = [SlotSet("requested_info", None), SlotSet("order_task", None), SlotSet("pending_confirmation", None)]


def available(backend, sku: str = "MUG-CER-BLU") -> int:
    return httpx.get(f"{backend.url}/api/v1/products/{sku}").json()["available"]


def status_of(backend, identity: str, number: str) -> str:
    response = httpx.get(f"{backend.url}/api/v1/orders/{number}",
                         headers={"Authorization": "Bearer dev-bot-token", "X-Channel-Identity": identity})
    return response.json()["status"]


def answer(identity: str, number: str, intent: str, just_asked: bool = True):
    tracker = tracker_for(identity, "yes" if intent == "affirm" else "no",
                          slots={"pending_confirmation": "cancel_order", "order_id": number})
    tracker.latest_message["intent"] = {"name": intent, "confidence": 0.99}
    asked = "action_cancel_order" if just_asked else "action_show_products"
    tracker.events = [
        {"event": "action", "name": asked},
        {"event": "bot", "text": "Do you want me to cancel it?"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "yes", "parse_data": {"intent": {"name": intent}}},
        {"event": "action", "name": "action_extract_slots"},  # Rasa runs it after each message
    ]
    return tracker


def at_the_question(identity: str, number: str, text: str, intent: str = "affirm"):
    """`text` said right after "Do you want me to cancel it?", read by the NLU as `intent`."""
    tracker = answer(identity, number, intent)
    tracker.latest_message["text"] = text
    tracker.events[1]["metadata"] = {"utter_action": "utter_confirm_cancel"}
    return tracker


def after_a_side_answer(identity: str, number: str, text: str, side: tuple):
    """`text` (read as a yes) after the cancel question, a side question and the bot's answer to
    it: side = (question, its intent, the action answering, the answer, its response name)."""
    question, intent, action, reply, response = side
    tracker = answer(identity, number, "affirm")
    tracker.latest_message["text"] = text
    tracker.events[1:2] = [
        {"event": "bot", "text": "Do you want me to cancel it?", "metadata": {"utter_action": "utter_confirm_cancel"}},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": question, "parse_data": {"intent": {"name": intent}}},
        {"event": "action", "name": action},
        {"event": "bot", "text": reply, "metadata": {"utter_action": response}},
    ]
    return tracker


async def test_cancel_order_asks_for_confirmation_first(backend, dispatcher):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    events = await ActionCancelOrder().run(dispatcher, tracker_for(identity, "cancel my order"), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_confirm_cancel"]
    assert dispatcher.messages[0]["number"] == number
    assert SlotSet("pending_confirmation", "cancel_order") in events
    assert status_of(backend, identity, number) == "pending"


async def test_answer_yes_cancels_and_releases_stock(backend, dispatcher):
    identity = new_identity()
    before = available(backend)
    number = place_order(backend, identity)["number"]
    assert available(backend) == before - 1
    events = await ActionAnswerConfirmation().run(dispatcher, answer(identity, number, "affirm"), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_cancelled"]
    assert events == CLEARED
    assert status_of(backend, identity, number) == "cancelled"
    assert available(backend) == before


async def test_answer_no_keeps_order(backend, dispatcher):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    await ActionAnswerConfirmation().run(dispatcher, answer(identity, number, "deny"), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_cancel_kept"]
    assert status_of(backend, identity, number) == "pending"


async def test_answer_yes_without_fresh_question_cancels_nothing(backend, dispatcher):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    tracker = answer(identity, number, "affirm", just_asked=False)
    await ActionAnswerConfirmation().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_ok"]
    assert status_of(backend, identity, number) == "pending"


async def test_answer_yes_after_a_side_question_asks_again_then_cancels(backend, dispatcher):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    buttons = [{"title": "Yes, cancel it", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
    question = f"Shall I cancel order {number}?"
    tracker = answer(identity, number, "affirm")
    tracker.events[1:2] = [
        {"event": "bot", "text": question, "data": {"buttons": buttons},
         "metadata": {"utter_action": "utter_confirm_cancel"}},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "how long do refunds take", "parse_data": {"intent": {"name": "faq"}}},
        {"event": "action", "name": "utter_faq"},
        {"event": "bot", "text": "Refunds take 5-7 business days. Anything else?", "metadata": {"utter_action": "utter_faq"}},
    ]
    # "yes" may answer the side answer's question: the question is asked again as it was, nothing happens.
    assert await ActionAnswerConfirmation().run(dispatcher, tracker, {}) == []
    assert [(m["text"], m["buttons"]) for m in dispatcher.messages] == [(question, buttons)]
    assert status_of(backend, identity, number) == "pending"

    tracker.events[-1:] = [
        {"event": "action", "name": "action_answer_confirmation"},
        {"event": "bot", "text": question, "data": {"buttons": buttons}},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "yes", "parse_data": {"intent": {"name": "affirm"}}},
        {"event": "action", "name": "action_extract_slots"},
    ]
    dispatcher.messages.clear()
    assert await ActionAnswerConfirmation().run(dispatcher, tracker, {}) == CLEARED
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_cancelled"]
    assert status_of(backend, identity, number) == "cancelled"


async def test_a_yes_naming_the_cancellation_after_a_side_answer_cancels(backend, dispatcher):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    tracker = answer(identity, number, "affirm")
    tracker.latest_message["text"] = "ok yes cancel it"
    tracker.events[1:2] = [
        {"event": "bot", "text": "Shall I cancel it?", "metadata": {"utter_action": "utter_confirm_cancel"}},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "how long do refunds take", "parse_data": {"intent": {"name": "faq"}}},
        {"event": "action", "name": "utter_faq"},
        {"event": "bot", "text": "Refunds take 5-7 business days.", "metadata": {"utter_action": "utter_faq"}},
    ]
    await ActionAnswerConfirmation().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_cancelled"]
    assert status_of(backend, identity, number) == "cancelled"


async def test_cancel_shipped_order_is_refused_with_reason(backend, dispatcher):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    ship(backend, identity, number)
    entities = [{"entity": "order_id", "value": number}]
    events = await ActionCancelOrder().run(dispatcher, tracker_for(identity, f"cancel {number}", entities), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_cannot_cancel_shipped"]
    assert events == CLEARED + [SlotSet("order_id", number)]


async def test_cancel_someone_elses_order_is_not_found(backend, dispatcher):
    number = place_order(backend, new_identity())["number"]
    entities = [{"entity": "order_id", "value": number}]
    await ActionCancelOrder().run(dispatcher, tracker_for(new_identity(), f"cancel {number}", entities), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_cancel_order_not_found"]


async def test_cancel_without_orders_asks_which(backend, dispatcher):
    events = await ActionCancelOrder().run(dispatcher, tracker_for(new_identity(), "cancel my order"), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_cancel_order_number"]
    assert events == [SlotSet("requested_info", "order_id"), SlotSet("order_task", "cancel"),
                      SlotSet("pending_confirmation", None)]


def order_of(backend, identity: str, sku: str) -> str:
    response = httpx.post(
        f"{backend.url}/api/v1/orders", headers={"Authorization": "Bearer dev-bot-token", "X-Channel-Identity": identity},
        json={"lines": [{"sku": sku, "quantity": 1}], "contact_email": "ada@example.com",
              "shipping_address": {"name": "Ada Lovelace", "line1": "12 Market Street", "city": "Dublin",
                                   "postal_code": "D02 X285", "country": "IE"}})
    assert response.status_code == 201, response.text
    return response.json()["number"]


async def test_cancel_the_order_holding_the_product_named(backend, dispatcher):
    """"cancel the french press order" with a later tea order: the french press one, not the last."""
    identity = new_identity()
    press = order_of(backend, identity, "BRW-FRP-800")
    order_of(backend, identity, "TEA-SEN-100")  # placed later: the "last order"
    entities = [{"entity": "product", "value": "french press", "skus": ["BRW-FRP-800"]}]
    await ActionCancelOrder().run(dispatcher, tracker_for(identity, "cancel the french press order", entities), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_confirm_cancel"]
    assert dispatcher.messages[0]["number"] == press


async def test_a_question_read_as_yes_does_nothing_and_asks_again(backend, dispatcher):
    """"what happens next?" at "cancel it?" came out of the NLU as affirm: it is no yes."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    tracker = at_the_question(identity, number, "what happens next?")
    assert await ActionAnswerConfirmation().run(dispatcher, tracker, {}) == []
    assert [m.get("response") or m["text"] for m in dispatcher.messages] == [
        "utter_yes_or_no_first", "Do you want me to cancel it?"]
    assert status_of(backend, identity, number) == "pending"


async def test_a_yes_to_the_question_asked_by_another_action_answers_it(backend, dispatcher):
    """The summary shown again by action_handle_inform (an address at the summary): "yes" places it."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    tracker = answer(identity, number, "affirm", just_asked=False)
    tracker.events[1]["metadata"] = {"utter_action": "utter_confirm_cancel"}
    await ActionAnswerConfirmation().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_cancelled"]
    assert status_of(backend, identity, number) == "cancelled"


async def test_an_unsure_answer_read_as_yes_does_nothing_and_asks_again(backend, dispatcher):
    """"maybe", "hmm idk", "umm" came out of the NLU as affirm and cancelled orders."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    for text in ("maybe", "hmm idk", "umm", "i guess"):
        dispatcher.messages.clear()
        tracker = at_the_question(identity, number, text)
        assert await ActionAnswerConfirmation().run(dispatcher, tracker, {}) == []
        assert [m.get("response") or m["text"] for m in dispatcher.messages] == [
            "utter_yes_or_no_first", "Do you want me to cancel it?"]
    assert status_of(backend, identity, number) == "pending"


async def test_ok_after_a_plain_side_answer_acknowledges_it_and_the_question_is_asked_again(backend, dispatcher):
    """"cancel it?" -> "wait did it ship already" -> the status -> "ok": no consent to cancel."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    tracker = after_a_side_answer(identity, number, "ok", (
        "wait did it ship already", "track_order", "action_track_order",
        f"Order {number} is confirmed and will be packed shortly.", "utter_order_status_confirmed"))
    assert await ActionAnswerConfirmation().run(dispatcher, tracker, {}) == []
    assert [m["text"] for m in dispatcher.messages] == ["Do you want me to cancel it?"]
    assert status_of(backend, identity, number) == "pending"


async def test_yes_to_a_person_with_no_offer_open_hands_over(backend, dispatcher):
    """"yes, a person please" after the offer was closed, or "yes" to "I can fetch a person for
    you" (the bot-challenge answer): a handoff ticket, not "Okay."."""
    for text, last in (("yes a person please", "utter_ok"), ("yes", "utter_iamabot")):
        dispatcher.messages.clear()
        tracker = tracker_for(new_identity(), text)
        tracker.latest_message["intent"] = {"name": "affirm", "confidence": 0.99}
        tracker.events = [
            {"event": "action", "name": last},
            {"event": "bot", "text": "…", "metadata": {"utter_action": last}},
            {"event": "action", "name": "action_listen"},
            {"event": "user", "text": text, "parse_data": {"intent": {"name": "affirm"}}},
        ]
        await ActionAnswerConfirmation().run(dispatcher, tracker, {})
        assert [m["response"] for m in dispatcher.messages] == ["utter_handoff_ticket"]
        assert dispatcher.messages[0]["custom"]["handoff"]["ticket_id"] == dispatcher.messages[0]["ticket_id"]
    dispatcher.messages.clear()
    tracker = tracker_for(new_identity(), "yes")
    tracker.latest_message["intent"] = {"name": "affirm", "confidence": 0.99}
    await ActionAnswerConfirmation().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_ok"]


async def test_cancel_my_order_means_the_newest_that_can_still_be_cancelled(backend, dispatcher):
    """The newest order has shipped, an older one hasn't: that one is offered, with its items."""
    identity = new_identity()
    older = place_order(backend, identity)["number"]
    newest = place_order(backend, identity)["number"]
    ship(backend, identity, newest)
    await ActionCancelOrder().run(dispatcher, tracker_for(identity, "cancel my order"), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_confirm_cancel"]
    assert dispatcher.messages[0]["number"] == older
    assert dispatcher.messages[0]["items"] == "1 × Ceramic Mug Blue"


async def test_no_its_fine_read_as_yes_is_a_no_and_its_fine_alone_asks_again(backend, dispatcher):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    tracker = at_the_question(identity, number, "its fine")
    assert await ActionAnswerConfirmation().run(dispatcher, tracker, {}) == []
    assert dispatcher.messages[0]["response"] == "utter_yes_or_no_first"
    dispatcher.messages.clear()
    tracker = at_the_question(identity, number, "no its fine")
    await ActionAnswerConfirmation().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_cancel_kept"]
    assert status_of(backend, identity, number) == "pending"


async def test_yes_after_a_side_answer_that_asked_for_a_number_asks_again(backend, dispatcher):
    """"cancel it?" -> "where is my other order" -> a list and "tell me its number" -> "yes"."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    tracker = after_a_side_answer(identity, number, "yes", (
        "where is my other order", "track_order", "action_track_order",
        "These are your orders: … Tell me its number.", "utter_order_list"))
    tracker.slots["requested_info"] = "order_id"
    assert await ActionAnswerConfirmation().run(dispatcher, tracker, {}) == []
    assert status_of(backend, identity, number) == "pending"


async def test_cancel_it_after_checking_someone_elses_order_is_about_that_order(backend, dispatcher):
    """After another identity's order was checked by its email, "cancel it" is refused for that
    order: it used to offer to cancel the customer's own, different order."""
    other = place_order(backend, new_identity())["number"]
    identity = new_identity()
    own = place_order(backend, identity)["number"]
    tracker = tracker_for(identity, "cancel it", slots={"order_id": other, "contact": "ada@example.com"})
    await ActionCancelOrder().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_cancel_order_not_found"]
    assert status_of(backend, identity, own) == "pending"


async def test_the_other_order_is_asked_about_at_no_and_after_a_cancel(backend, dispatcher):
    """Two open orders: "no the other one" at "cancel the newest?" keeps it and asks about the
    older one; after that one is cancelled, "and the other one too" asks about the newest; when
    there is no other left, that is said."""
    identity = new_identity()
    older = place_order(backend, identity)["number"]
    newest = place_order(backend, identity)["number"]
    events = await ActionAnswerConfirmation().run(
        dispatcher, at_the_question(identity, newest, "no the other one", "deny"), {})
    assert [(m["response"], m["number"]) for m in dispatcher.messages] == [
        ("utter_cancel_kept", newest), ("utter_confirm_cancel", older)]
    assert SlotSet("pending_confirmation", "cancel_order") in events and SlotSet("order_id", older) in events
    await ActionAnswerConfirmation().run(dispatcher, answer(identity, older, "affirm"), {})
    assert status_of(backend, identity, older) == "cancelled" and status_of(backend, identity, newest) == "pending"
    too = tracker_for(identity, "and the other one too", slots={"order_id": older})
    too.latest_message["intent"] = {"name": "affirm", "confidence": 0.9}
    too.events = [{"event": "bot", "text": "Done", "metadata": {"utter_action": "utter_order_cancelled"}},
                  {"event": "action", "name": "action_listen"},
                  {"event": "user", "text": "and the other one too"}]
    asked = CollectingDispatcher()
    await ActionAnswerConfirmation().run(asked, too, {})
    assert [(m["response"], m["number"]) for m in asked.messages] == [("utter_confirm_cancel", newest)]
    none_left = CollectingDispatcher()
    await ActionCancelOrder().run(none_left, tracker_for(identity, "cancel the other one", slots={"order_id": newest}), {})
    assert [m["response"] for m in none_left.messages] == ["utter_no_other_cancellable"]


async def test_cancel_it_after_a_refusal_stays_on_the_refused_order(backend, dispatcher):
    identity = new_identity()
    open_order = place_order(backend, identity)["number"]
    shipped = place_order(backend, identity)["number"]
    ship(backend, identity, shipped)
    events = await ActionCancelOrder().run(dispatcher, tracker_for(identity, f"cancel {shipped}",
                                                                   [{"entity": "order_id", "value": shipped}]), {})
    assert SlotSet("order_id", shipped) in events
    again = CollectingDispatcher()
    await ActionCancelOrder().run(again, tracker_for(identity, "ok cancel it", slots={"order_id": shipped}), {})
    assert [(m["response"], m["number"]) for m in again.messages] == [("utter_cannot_cancel_shipped", shipped)]
    assert status_of(backend, identity, open_order) == "pending"


async def test_a_question_about_the_cancellation_policy_cancels_nothing(backend, dispatcher):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    events = await ActionCancelOrder().run(dispatcher, tracker_for(identity, "until when can i cancel an order?"), {})
    assert events == [] and [m["response"] for m in dispatcher.messages] == ["utter_faq/cancellation_fee"]
    assert status_of(backend, identity, number) == "pending"


async def test_nothing_said_is_no_yes_and_the_last_words_decide(backend, dispatcher):
    """".", "", "x" read as a yes cancel nothing (the question is asked again); "no problem, go
    ahead" read as a no cancels; "wait no actually keep it" read as a yes keeps the order."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    for noise in (".", "", "…", "x"):
        said = CollectingDispatcher()
        assert await ActionAnswerConfirmation().run(said, at_the_question(identity, number, noise), {}) == [], noise
        assert said.messages[0]["response"] == "utter_yes_or_no_first" and status_of(backend, identity, number) == "pending"
    kept = CollectingDispatcher()
    await ActionAnswerConfirmation().run(kept, at_the_question(identity, number, "wait no actually keep it"), {})
    assert [m["response"] for m in kept.messages] == ["utter_cancel_kept"]
    await ActionAnswerConfirmation().run(dispatcher, at_the_question(identity, number, "no problem, go ahead", "deny"), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_cancelled"]
    assert status_of(backend, identity, number) == "cancelled"


def after_cancel_all(identity: str, number: str, intent: str, request: str = "cancel all my orders"):
    """A yes or no to "Do you want me to cancel order <number> …?", asked for `request`."""
    tracker = answer(identity, number, intent)
    tracker.events[1].update(text=f"Do you want me to cancel order {number} (1 × Ceramic Mug Blue; €17.80)?",
                             metadata={"utter_action": "utter_confirm_cancel"})
    tracker.events[0:0] = [{"event": "user", "text": request, "parse_data": {"intent": {"name": "cancel_order"}}}]
    return tracker


async def test_cancel_both_asks_about_each_order_in_turn(backend, dispatcher):
    identity = new_identity()
    first, second = place_order(backend, identity)["number"], place_order(backend, identity)["number"]
    tracker = after_cancel_all(identity, second, "affirm", "cancel both my orders")
    events = await ActionAnswerConfirmation().run(dispatcher, tracker, {})
    assert [(m["response"], m["number"]) for m in dispatcher.messages] == [
        ("utter_order_cancelled", second), ("utter_confirm_cancel", first)]
    assert SlotSet("pending_confirmation", "cancel_order") in events
    assert status_of(backend, identity, first) == "pending"


async def test_the_reason_said_with_the_cancel_request_is_stored_with_the_cancellation(backend, dispatcher):
    """"cancel my order, i found it cheaper elsewhere": the shop's cancellations report groups by
    the reason, which had always been "cancelled by the customer in chat"."""
    identity = new_identity()
    number = order_of(backend, identity, "MUG-CER-BLU")
    tracker = confirmation(identity, "affirm", "action_cancel_order", {"pending_confirmation": "cancel_order",
                                                                         "order_id": number})
    tracker.events[0:0] = [{"event": "user", "text": "cancel my order, i found it cheaper elsewhere",
                            "parse_data": {"intent": {"name": "cancel_order"}}}]
    await ActionAnswerConfirmation().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_cancelled"]
    staff = httpx.get(f"{backend.url}/api/v1/staff/orders/{number}",
                      headers={"Authorization": "Bearer dev-staff-token"}).json()
    assert staff["cancel_reason"] == "customer: i found it cheaper elsewhere"


async def test_cancelling_a_named_order_while_one_is_being_made_ends_that_form(backend, dispatcher):
    """"please cancel order OB-…" at "What would you like to order?": the form had stayed active,
    asked again after the question, and every "yes" got both questions again, forever."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    tracker = tracker_for(identity, f"please cancel order {number}",
                          entities=[{"entity": "order_id", "value": number}])
    tracker.active_loop = {"name": "order_form"}
    events = await ActionCancelOrder().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_confirm_cancel"]
    assert ActiveLoop(None) in events and SlotSet("pending_confirmation", "cancel_order") in events


async def test_the_order_holding_the_product_named_is_cancelled_not_the_one_talked_about(backend, dispatcher):
    """"cancel the grinder order, found it cheaper elsewhere" right after talking about the mug
    order: "it" in the reason had made it a follow-up on the mugs."""
    identity = new_identity()
    grinder = order_of(backend, identity, "GRN-HND-BUR")
    mugs = order_of(backend, identity, "MUG-CER-BLU")
    text = "cancel the grinder order, found it cheaper elsewhere"
    tracker = tracker_for(identity, text, slots={"order_id": mugs}, entities=[
        {"entity": "product", "value": "grinder", "skus": ["GRN-ELC-BUR", "GRN-HND-BUR"]}])
    await ActionCancelOrder().run(dispatcher, tracker, {})
    assert (dispatcher.messages[0]["response"], dispatcher.messages[0]["number"]) == ("utter_confirm_cancel", grinder)


async def test_yes_after_asking_about_another_order_cancels_the_order_the_question_names(backend, dispatcher):
    """"cancel A", "where is B?" (B's status: the conversation's order is now B), "yes" (asked
    again about A), "yes": A is cancelled, never B (it was)."""
    identity = new_identity()
    first, second = (place_order(backend, identity)["number"] for _ in range(2))
    question = f"Do you want me to cancel order {first} (1 × Ceramic Mug Blue; €17.80)?"
    tracker = answer(identity, second, "affirm")  # the tracking answer set order_id to the second
    tracker.events[1:] = [
        {"event": "bot", "text": question, "metadata": {"utter_action": "utter_confirm_cancel"}},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": f"where is {second}", "parse_data": {"intent": {"name": "track_order"}}},
        {"event": "action", "name": "action_track_order"},
        {"event": "bot", "text": f"Order {second} is pending.", "metadata": {"utter_action": "utter_order_status"}},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "yes", "parse_data": {"intent": {"name": "affirm"}}},
        {"event": "action", "name": "action_answer_confirmation"},
        {"event": "bot", "text": question},  # asked again as it was
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "yes", "parse_data": {"intent": {"name": "affirm"}}},
        {"event": "action", "name": "action_extract_slots"},
    ]
    assert await ActionAnswerConfirmation().run(dispatcher, tracker, {}) == CLEARED
    assert [(m["response"], m["number"]) for m in dispatcher.messages] == [("utter_order_cancelled", first)]
    assert (status_of(backend, identity, first), status_of(backend, identity, second)) == ("cancelled", "pending")


async def test_a_yes_taken_back_in_the_same_message_does_nothing_and_asks_again(backend, dispatcher):
    """"yes no wait" came out of the NLU as affirm and cancelled the order."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    for text in ("yes no wait", "yes no", "ok hold on", "yes but wait"):
        dispatcher.messages.clear()
        assert await ActionAnswerConfirmation().run(dispatcher, at_the_question(identity, number, text), {}) == [], text
        assert [m.get("response") or m["text"] for m in dispatcher.messages] == [
            "utter_yes_or_no_first", "Do you want me to cancel it?"], text
    assert status_of(backend, identity, number) == "pending"


def after_the_next_question(identity: str, cancelled: str, asked: str, text: str, intent: str):
    """`text` (read as `intent`) after "cancel all my orders" and a yes: `cancelled` is cancelled and
    `asked` asked about in the bot's last turn."""
    tracker = tracker_for(identity, text, slots={"pending_confirmation": "cancel_order", "order_id": asked})
    tracker.latest_message["intent"] = {"name": intent, "confidence": 0.35}
    tracker.events = [
        {"event": "user", "text": "cancel all my orders", "parse_data": {"intent": {"name": "cancel_order"}}},
        {"event": "action", "name": "action_cancel_order"},
        {"event": "bot", "text": f"Do you want me to cancel order {cancelled}?",
         "metadata": {"utter_action": "utter_confirm_cancel"}},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "yes", "parse_data": {"intent": {"name": "affirm"}}},
        {"event": "action", "name": "action_answer_confirmation"},
        {"event": "bot", "text": f"Done: order {cancelled} is cancelled.", "metadata": {"utter_action": "utter_order_cancelled"}},
        {"event": "bot", "text": f"Do you want me to cancel order {asked} (1 × Ceramic Mug Blue; €17.80)?",
         "metadata": {"utter_action": "utter_confirm_cancel"}},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}},
    ]
    return tracker


async def test_and_the_other_one_too_is_a_yes_to_the_order_asked_about_however_it_is_read(backend):
    """after2-25 (N2): "cancel all my orders", "yes", then "and the other one too" read as an order
    started the order form, whose "What would you like to order?" came back under every answer
    after. Read as an order, a change, a bare value or a cancel, it cancels the order asked about,
    and the last one left is asked about next."""
    from actions.change_order import ValidateChangeOrderForm
    from actions.inform import ActionHandleInform
    from actions.ordering import ValidateOrderForm
    from tests.actions.test_change_order import DOMAIN
    from tests.actions.test_replacements import TO_THE_CHANGE_FORM

    for text, intent in (("and the other one too", "place_order"), ("and the other one too", "inform"),
                         ("cancel the other one too", "cancel_order"), ("that one as well", "change_order")):
        identity = new_identity()
        oldest, middle, newest = (place_order(backend, identity)["number"] for _ in range(3))
        httpx.post(f"{backend.url}/api/v1/orders/{newest}/cancel", headers={
            "Authorization": "Bearer dev-bot-token", "X-Channel-Identity": identity}).raise_for_status()
        said = CollectingDispatcher()
        tracker = after_the_next_question(identity, newest, middle, text, intent)
        if intent == "place_order":  # the order form at its start hands it on, and asks nothing
            tracker.active_loop = {}
            assert await ValidateOrderForm().run(said, tracker, DOMAIN) == TO_THE_CHANGE_FORM, text
            assert said.messages == []
        if intent in ("place_order", "change_order"):
            tracker.active_loop = {}
            events = await ValidateChangeOrderForm().run(said, tracker, DOMAIN)
            assert events[-1] == FollowupAction("action_listen"), text
        elif intent == "inform":
            events = await ActionHandleInform().run(said, tracker, {})
        else:
            events = await ActionCancelOrder().run(said, tracker, {})
        assert [(m["response"], m["number"]) for m in said.messages] == [
            ("utter_order_cancelled", middle), ("utter_confirm_cancel", oldest)], (text, intent)
        assert SlotSet("pending_confirmation", "cancel_order") in events and SlotSet("order_id", oldest) in events
        assert [status_of(backend, identity, n) for n in (oldest, middle)] == ["pending", "cancelled"], text


def under_a_stray_order_form(identity: str, number: str, text: str):
    """`text` (a yes) after "Do you want me to cancel order …?", a message read as an order, and
    the order form's "What would you like to order?" (the form still active, holding nothing)."""
    tracker = tracker_for(identity, text, slots={"pending_confirmation": "cancel_order", "order_id": number,
                                                 "requested_slot": "order_items"})
    tracker.latest_message["intent"] = {"name": "affirm", "confidence": 0.9}
    tracker.active_loop = {"name": "order_form"}
    question = f"Do you want me to cancel order {number} (1 × Ceramic Mug Blue; €17.80)?"
    tracker.events = [
        {"event": "action", "name": "action_cancel_order"},
        {"event": "bot", "text": question, "metadata": {"utter_action": "utter_confirm_cancel"}},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "some words read as an order", "parse_data": {"intent": {"name": "place_order"}}},
        {"event": "action", "name": "order_form"},
        {"event": "bot", "text": "What would you like to order?", "metadata": {"utter_action": "utter_ask_order_items"}},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": {"intent": {"name": "affirm"}}},
    ]
    return tracker, question


async def test_an_order_form_started_under_the_cancel_question_ends_with_the_answer(backend):
    """after2-25/-27 (N2): with the order form started (holding nothing) under "Do you want me to
    cancel …?", "yes", "/affirm", "no" each got the cancel question and "What would you like to
    order?" again, forever. The question is asked again and the form ends; "yes cancel OB-…" naming
    the order asked about cancels it; naming another order asks about that one instead."""
    identity = new_identity()
    other, number = place_order(backend, identity)["number"], place_order(backend, identity)["number"]
    for text in ("yes", "/affirm"):
        said = CollectingDispatcher()
        tracker, question = under_a_stray_order_form(identity, number, text)
        events = await ActionAnswerConfirmation().run(said, tracker, {})
        assert [m["text"] for m in said.messages] == [question], text
        assert ActiveLoop(None) in events and SlotSet("requested_slot", None) in events, text
    assert status_of(backend, identity, number) == "pending"
    said = CollectingDispatcher()
    tracker, _ = under_a_stray_order_form(identity, number, f"yes cancel {other}")
    tracker.latest_message["entities"] = [{"entity": "order_id", "value": other}]
    events = await ActionAnswerConfirmation().run(said, tracker, {})
    assert [(m["response"], m["number"]) for m in said.messages] == [("utter_confirm_cancel", other)]
    assert ActiveLoop(None) in events
    assert (status_of(backend, identity, number), status_of(backend, identity, other)) == ("pending", "pending")
    said = CollectingDispatcher()
    tracker, _ = under_a_stray_order_form(identity, number, f"yes cancel {number}")
    tracker.latest_message["entities"] = [{"entity": "order_id", "value": number[3:]},
                                          {"entity": "order_id", "value": number}]
    events = await ActionAnswerConfirmation().run(said, tracker, {})
    assert [(m["response"], m["number"]) for m in said.messages] == [("utter_order_cancelled", number)]
    assert ActiveLoop(None) in events
    assert (status_of(backend, identity, number), status_of(backend, identity, other)) == ("cancelled", "pending")
