"""QA session 16, returns and refunds, against a real backend: "one chai" more for a return on its
way is one; "i'll keep the chai, still returning the teapot" takes the chai out of the return (not
the teapot, and never adds it); a return of one item of an order not sent yet offers to take it off
the order; a return asked for in a refund question starts, a reason said before (or earlier in the
chat) is not asked again, and an item named at the reason question is no reason; an exchange with no
order answers how exchanges work, and "which order?" is not asked under every unrelated answer; a
refund short of what the return was worth is owned up to, with a ticket."""
from __future__ import annotations

import httpx
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation
from actions.refunds import ActionRefundStatus, answer_a_refund_dispute
from actions.return_continuations import continues_a_return
from actions.return_withdrawal import (answer_withdrawal, items_taken_out, keeps_items, keeps_part_of_a_registered_return,
                                       reason_without)
from actions.returns import ActionConfirmReturn, ValidateReturnForm
from tests.actions.test_cancel import status_of
from tests.actions.test_change_order import DOMAIN, confirmation, flow_tracker, lines_of
from tests.actions.test_orders import ADDRESS, BOT, STAFF, new_identity, tracker_for
from tests.actions.test_returns import (add_to_return, at_the_summary, delivered, found, reason_step, returning, staff_move,
                                        start)
from tests.actions.test_support import tickets_of

CHAI = {"sku": "TEA-CHA-200", "name": "Masala Chai 200 g"}
TEAPOT = {"sku": "TEA-POT-CST", "name": "Cast Iron Teapot 0.8 L"}
TEAPOTS = ["TEA-POT-CST", "TEA-POT-CER", "TEA-POT-GLS"]
MUGS = ["MUG-CER-BLK", "MUG-CER-BLU", "MUG-CER-GRN", "MUG-CER-RED", "MUG-CER-WHT", "MUG-ENM-CRM", "MUG-TRV-STL"]


def said(dispatcher: CollectingDispatcher) -> list:
    return [m["response"] for m in dispatcher.messages]


def slots_of(events: list) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def restocked(backend, *skus) -> None:
    for sku in skus:
        httpx.post(f"{backend.url}/api/v1/staff/products/{sku}/restock", headers=STAFF,
                   json={"quantity": 4, "note": "tests/actions qa16 returns"}).raise_for_status()


def chai_and_teapot(backend, identity: str) -> str:
    """QA's order: 2 × Masala Chai (€11.90 each) and the cast iron teapot, delivered."""
    restocked(backend, "TEA-POT-CST")
    return delivered(backend, identity, ("TEA-CHA-200", 2), ("TEA-POT-CST", 1))


def order_of(backend, identity: str) -> dict:
    response = httpx.get(f"{backend.url}/api/v1/orders/{order_number_of(backend, identity)}",
                         headers={**BOT, "X-Channel-Identity": identity})
    return response.json()


def order_number_of(backend, identity: str) -> str:
    response = httpx.get(f"{backend.url}/api/v1/orders", headers={**BOT, "X-Channel-Identity": identity})
    return response.json()["data"][0]["number"]


def chai(text: str, words: str = "chai", nth: int = 0, quantity=None) -> dict:
    return found(text, words, nth=nth, skus=["TEA-CHA-200"], quantity=quantity)


# --- 1. "one chai" is one ------------------------------------------------------------------------

async def test_one_chai_more_for_a_return_on_its_way_is_one_not_both(backend):
    """"actually the chai is too spicy too, can i send one chai back as well" with the teapot's return
    registered proposed 2 × Masala Chai, €23.80."""
    identity = new_identity()
    number = chai_and_teapot(backend, identity)
    add_to_return(backend, identity, number, "the lid is cracked", ("TEA-POT-CST", 1))
    text = "actually the chai is too spicy too, can i send one chai back as well"
    events, _ = await start(identity, text, [chai(text), found(text, "one", "quantity", value="1"),
                                             chai(text, nth=1, quantity=1)])
    slots = slots_of(events)
    assert slots["return_items"] == [{**CHAI, "quantity": 1}]
    assert slots["return_reason"] == "the chai is too spicy too"
    summary = CollectingDispatcher()
    await ActionConfirmReturn().run(summary, tracker_for(identity, "", slots=slots), {})
    assert said(summary) == ["utter_confirm_return_more"]
    assert (summary.messages[0]["items"], summary.messages[0]["amount"]) == ("1 × Masala Chai 200 g", "€11.90")


# --- 2. "keep X" takes X out of the return ------------------------------------------------------

def chai_and_teapot_going_back(backend, identity: str) -> str:
    number = chai_and_teapot(backend, identity)
    add_to_return(backend, identity, number, "the lid is cracked", ("TEA-POT-CST", 1))
    add_to_return(backend, identity, number, "the chai is too spicy", ("TEA-CHA-200", 1))
    return number


def asked_to_take_out(dispatcher: CollectingDispatcher, events: list) -> dict:
    """What the bot asked to take out of the return, and what stays in it."""
    assert said(dispatcher) == ["utter_return_rest_stays", "utter_confirm_return_withdrawal"]
    assert SlotSet("pending_confirmation", "withdraw_return") in events and ActiveLoop(None) in events
    return {"out": dispatcher.messages[1]["items"], "stays": dispatcher.messages[0]["rest"]}


async def test_ill_keep_the_chai_still_returning_the_teapot_takes_the_chai_out(backend):
    """"hey, changed my mind on the chai, ill keep it. still returning the teapot tho" proposed adding
    the other chai to the return, with "ill keep it. still returning the teapot tho" as its reason."""
    identity = new_identity()
    number = chai_and_teapot_going_back(backend, identity)
    text = "hey, changed my mind on the chai, ill keep it. still returning the teapot tho"
    entities = [chai(text), found(text, "teapot", skus=TEAPOTS)]
    assert continues_a_return(tracker_for(identity, text, entities))  # read as an order, it is the return's
    events, dispatcher = await start(identity, text, entities)
    assert asked_to_take_out(dispatcher, events) == {"out": "1 × Masala Chai 200 g",
                                                     "stays": "1 × Cast Iron Teapot 0.8 L"}
    assert returning(backend, identity, number) == {"TEA-CHA-200": 1, "TEA-POT-CST": 1}  # nothing before the yes

    done = CollectingDispatcher()
    await answer_withdrawal(done, tracker_for(identity, "yes", slots=slots_of(events)), True)
    assert said(done) == ["utter_return_taken_out"]
    assert returning(backend, identity, number) == {"TEA-POT-CST": 1}
    assert status_of(backend, identity, number) == "return_requested"
    assert order_of(backend, identity)["return_reason"] == "the lid is cracked"  # nothing about the chai


async def test_keep_the_chai_at_the_summary_of_more_takes_the_chai_out_not_the_teapot(backend):
    """"no!! i want to KEEP the chai. take the chai off the return" at "Shall I add 1 × Masala Chai"
    proposed withdrawing the teapot; "keep the chai actually, only send the teapot" the same way."""
    identity = new_identity()
    chai_and_teapot_going_back(backend, identity)
    target = (await start(identity, "i want to return something else from my order"))[0][0]["value"]
    slots = {"target_order": target, "return_items": [{**CHAI, "quantity": 1}], "return_reason": "ill keep it"}
    for text in ("no!! i want to KEEP the chai. take the chai off the return",
                 "keep the chai actually, only send the teapot"):
        entities = [chai(text)] + ([chai(text, nth=1)] if text.count("chai") > 1 else []) + (
            [found(text, "teapot", skus=TEAPOTS)] if "teapot" in text else [])
        dispatcher = CollectingDispatcher()
        events = await ValidateReturnForm().run(
            dispatcher, at_the_summary(identity, text, "deny", "return_form", entities, slots), DOMAIN)
        assert asked_to_take_out(dispatcher, events) == {"out": "1 × Masala Chai 200 g",
                                                         "stays": "1 × Cast Iron Teapot 0.8 L"}, text
        assert SlotSet("return_items", None) in events  # the addition waiting for its yes is dropped


async def test_keep_the_filters_only_send_the_mug_of_a_registered_return(backend):
    """qa16b-0013: "oh wait can i keep the filters actually? only send the mug" (a change to the NLU)
    was refused: "Order … is return requested, so it can't be changed any more"."""
    identity = new_identity()
    number = delivered(backend, identity, ("MUG-CER-BLU", 1), ("BRW-FLT-100", 1))
    add_to_return(backend, identity, number, "not needed", ("MUG-CER-BLU", 1), ("BRW-FLT-100", 1))
    text = "oh wait can i keep the filters actually? only send the mug"
    entities = [found(text, "filters", skus=["BRW-FLT-100", "TEA-INF-STL"]), found(text, "mug", skus=MUGS)]
    change = flow_tracker(identity, text, "change_order", "change_order_form", entities)
    assert await keeps_part_of_a_registered_return(change)  # the change form hands it to the return form
    events, dispatcher = await start(identity, text, entities)
    assert asked_to_take_out(dispatcher, events) == {"out": "1 × Paper Filters 100 pack",
                                                     "stays": "1 × Ceramic Mug Blue"}


async def test_keeping_an_item_is_no_take_out_without_a_return_holding_it(backend):
    """"i want to return the mug, keep the filters" with no return registered: the mug's return."""
    identity = new_identity()
    number = delivered(backend, identity, ("MUG-CER-BLU", 1), ("BRW-FLT-100", 1))
    text = "i want to return the mug, keep the filters"
    entities = [found(text, "mug", skus=MUGS), found(text, "filters", skus=["BRW-FLT-100", "TEA-INF-STL"])]
    assert not await keeps_part_of_a_registered_return(flow_tracker(identity, text, "change_order",
                                                                    "change_order_form", entities))
    events, dispatcher = await start(identity, text, entities)
    assert said(dispatcher) == []
    assert slots_of(events)["return_items"] == [{"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 1}]
    assert status_of(backend, identity, number) == "delivered"


def test_what_a_message_takes_out_of_a_return():
    """The products kept (or, "only send the mug", all but those sent) come out; an answer naming what
    goes back ("just the teapot", "i want to return 2 mugs") takes nothing out."""
    returning = [{**CHAI, "quantity": 2}, {**TEAPOT, "quantity": 1}]
    cases = {
        "hey, changed my mind on the chai, ill keep it. still returning the teapot tho": [("chai", {}), ("teapot", {})],
        "can i keep one chai and send the other back": [("chai", {"quantity": 1})],
        "keep the chai actually, only send the teapot": [("chai", {}), ("teapot", {})],
        "only send the teapot": [("teapot", {})],
        "take the teapot out of my return": [("teapot", {})],
        "just the teapot please": [("teapot", {})],
        "the chai is fine but the teapot goes back": [("chai", {}), ("teapot", {})],
    }
    out = {}
    for text, named in cases.items():
        entities = [found(text, words, skus=TEAPOTS if words == "teapot" else ["TEA-CHA-200"], **extra)
                    for words, extra in named]
        out[text] = [(item["sku"], item["quantity"]) for item in items_taken_out(returning, text, entities)]
        assert keeps_items(text, entities) == bool(out[text]), text
    assert out == {
        "hey, changed my mind on the chai, ill keep it. still returning the teapot tho": [("TEA-CHA-200", 2)],
        "can i keep one chai and send the other back": [("TEA-CHA-200", 1)],
        "keep the chai actually, only send the teapot": [("TEA-CHA-200", 2)],
        "only send the teapot": [("TEA-CHA-200", 2)],
        "take the teapot out of my return": [("TEA-POT-CST", 1)],
        "just the teapot please": [],
        "the chai is fine but the teapot goes back": [],
    }
    assert reason_without("the lid is cracked; the chai is too spicy", [{**CHAI, "quantity": 1}],
                          [{**TEAPOT, "quantity": 1}]) == "the lid is cracked"


# --- 3. one item of an order not sent yet: taken off the order ---------------------------------

def scale_and_beans(backend, identity: str) -> str:
    response = httpx.post(f"{backend.url}/api/v1/orders", headers={**BOT, "X-Channel-Identity": identity},
                          json={"lines": [{"sku": "BRW-SCL-DIG", "quantity": 1}, {"sku": "COF-COL-250", "quantity": 1}],
                                "shipping_address": ADDRESS, "contact_email": "ada@example.com"})
    assert response.status_code == 201, response.text
    number = response.json()["number"]
    httpx.post(f"{backend.url}/api/v1/orders/{number}/confirm",
               headers={**BOT, "X-Channel-Identity": identity}).raise_for_status()
    return number


async def test_returning_one_item_of_an_order_not_sent_offers_to_take_it_off(backend):
    """"i want to return the scale, dont need it" (order confirmed: scale and beans) offered to cancel
    the whole order, beans too."""
    identity = new_identity()
    number = scale_and_beans(backend, identity)
    text = "i want to return the scale, dont need it"
    events, dispatcher = await start(identity, text, [found(text, "scale", skus=["BRW-SCL-DIG"])])
    assert said(dispatcher) == ["utter_return_not_sent_remove_instead", "utter_confirm_order_change"]
    assert dispatcher.messages[0]["items"] == "1 × Digital Coffee Scale"
    assert "Colombia Huila Beans 250 g" in dispatcher.messages[1]["lines"]
    assert "Scale" not in dispatcher.messages[1]["lines"]
    slots = slots_of(events)
    assert slots["pending_confirmation"] == "change_order" and slots["target_order"]["number"] == number
    assert [(line["sku"], line["quantity"]) for line in slots["order_changes"]] == [("COF-COL-250", 1)]
    assert events[-2:] == [ActiveLoop(None), FollowupAction("action_listen")]

    answer = CollectingDispatcher()
    await ActionAnswerConfirmation().run(answer, confirmation(identity, "affirm", "action_confirm_order_change",
                                                              slots), {})
    assert said(answer) == ["utter_order_changed"]
    assert lines_of(backend, identity, number) == [("COF-COL-250", 1)]
    assert status_of(backend, identity, number) == "confirmed"

    # the whole order named: nothing to take off, the cancel is offered as before
    events, dispatcher = await start(identity, "i want to return my order")
    assert said(dispatcher) == ["utter_return_not_delivered"]


# --- 4. a return asked for in other words, and its reason ---------------------------------------

async def test_send_it_all_back_in_a_refund_question_starts_the_return(backend):
    """"arrived. honestly dont like any of it, send it all back. whats the refund" (a refund question
    to the NLU) got "To send it back, say 'I want to return my order'"."""
    identity = new_identity()
    number = delivered(backend, identity, ("MUG-CER-BLU", 2))
    text = "arrived. honestly dont like any of it, send it all back. whats the refund"
    refund = CollectingDispatcher()
    assert await ActionRefundStatus().run(refund, tracker_for(identity, text), {}) == [FollowupAction("return_form")]
    assert said(refund) == []
    tracker = flow_tracker(identity, text, "refund_status", "return_form")
    events = await ValidateReturnForm().run(CollectingDispatcher(), tracker, DOMAIN)
    slots = slots_of(events)
    assert slots["return_items"] == [{"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 2}]
    assert slots["return_reason"] == "arrived. honestly dont like any of it"
    summary = CollectingDispatcher()
    await ActionConfirmReturn().run(summary, tracker_for(identity, "", slots=slots), {})
    assert said(summary) == ["utter_confirm_return"] and summary.messages[0]["amount"] == "€30.70"
    assert status_of(backend, identity, number) == "delivered"

    # a question about the policy is no return
    policy = CollectingDispatcher()
    assert await ActionRefundStatus().run(policy, tracker_for(identity, "is shipping refunded when i return"), {}) == []
    assert said(policy) == ["utter_refund_shipping_policy"]


async def test_a_reason_said_before_the_request_is_not_asked_again(backend):
    """"i opened the sencha and dont like the taste, want to return it" was asked "Why are you sending
    it back?"; the reason read, opened tea can't go back for taste."""
    identity = new_identity()
    delivered(backend, identity, ("TEA-SEN-100", 1), ("MUG-CER-BLU", 1))
    text = "i opened the sencha and dont like the taste, want to return it"
    events, _ = await start(identity, text, [found(text, "sencha", skus=["TEA-SEN-100"])])
    slots = slots_of(events)
    assert slots["return_items"] == [{"sku": "TEA-SEN-100", "name": "Japanese Sencha 100 g", "quantity": 1}]
    assert slots["return_reason"] == "i opened the sencha and dont like the taste"
    summary = CollectingDispatcher()
    await ActionConfirmReturn().run(summary, tracker_for(identity, "", slots=slots), {})
    assert said(summary) == ["utter_return_opened_consumable"]


async def test_a_fault_said_earlier_in_the_chat_is_the_reason_of_return_it_for_a_refund(backend):
    """"return it for a refund" after the customer had said the kettle arrived dented asked why again."""
    identity = new_identity()
    delivered(backend, identity, ("KET-ELC-STL", 1))
    tracker = flow_tracker(identity, "return it for a refund", "refund_return_request", "return_form")
    earlier = "my kettle arrived dented"
    tracker.events[:0] = [
        {"event": "user", "text": earlier, "parse_data": {"intent": {"name": "complaint"}, "entities": [
            found(earlier, "kettle", skus=["KET-ELC-STL", "KET-GOO-BLK", "KET-STV-RED"])]}},
        {"event": "bot", "text": "I'm sorry…", "metadata": {"utter_action": "utter_return_sorry_faulty"}},
        {"event": "user", "text": "id rather have a new one", "parse_data": {"intent": {"name": "inform"}}},
        {"event": "bot", "text": "I can't send a replacement…", "metadata": {"utter_action": "utter_return_replacement"}},
        {"event": "action", "name": "action_listen"}]
    events = await ValidateReturnForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert slots_of(events)["return_reason"] == "my kettle arrived dented"

    # another product's fault is not this return's reason
    delivered(backend, identity, ("MUG-CER-BLU", 1))
    tracker = flow_tracker(identity, "return it for a refund", "refund_return_request", "return_form")
    tracker.events[:0] = [{"event": "user", "text": earlier, "parse_data": {"intent": {"name": "complaint"},
                                                                             "entities": [found(earlier, "kettle", skus=["KET-ELC-STL"])]}}]
    events = await ValidateReturnForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert slots_of(events)["target_order"]["lines"][0]["sku"] == "MUG-CER-BLU"
    assert "return_reason" not in slots_of(events)


async def test_an_item_named_at_the_reason_question_is_no_reason(backend):
    """"the espresso beans" as the answer to "which item?" was stored as the return's reason."""
    identity = new_identity()
    delivered(backend, identity, ("COF-ESP-1KG", 1), ("BRW-SCL-DIG", 1))
    target = (await start(identity))[0][0]["value"]
    beans = {"sku": "COF-ESP-1KG", "name": "House Espresso Blend 1 kg", "quantity": 1}
    scale = {"sku": "BRW-SCL-DIG", "name": "Digital Coffee Scale", "quantity": 1}
    text = "the espresso beans"
    entities = [found(text, "espresso beans", skus=["COF-ESP-1KG"])]
    for chosen, items in (([beans], [beans]), ([beans, scale], [beans])):
        dispatcher = CollectingDispatcher()
        events = await ValidateReturnForm().run(
            dispatcher, reason_step(identity, target, text, "product_info", entities, chosen=chosen), DOMAIN)
        slots = slots_of(events)
        assert slots.get("return_reason") is None and "the espresso beans" not in str(slots)
        assert said(dispatcher) == ["utter_return_items_noted"] and dispatcher.messages[0]["items"] == items_text(items)
        assert slots.get("return_items", chosen) == items


def items_text(items):
    return ", ".join(f"{item['quantity']} × {item['name']}" for item in items)


# --- 5. an exchange with no order, and "which order?" under unrelated answers -------------------

async def test_an_exchange_asked_with_no_order_says_how_exchanges_work(backend):
    """"can i exchange a mug for a different colour" (no order on this chat) got a bare "Which order is it?"."""
    identity = new_identity()
    text = "can i exchange a mug for a different colour"
    events, dispatcher = await start(identity, text, [found(text, "a", "quantity", value="1", implicit=True),
                                                      found(text, "mug", skus=MUGS, quantity=1)])
    assert said(dispatcher) == ["utter_return_exchange", "utter_return_exchange_no_order"]
    assert events[-3:] == [SlotSet("requested_slot", None), ActiveLoop(None), FollowupAction("action_listen")]


def back_at_which_order(identity: str, asked: int) -> object:
    """The return form back after a side answer, "which order?" asked `asked` times since it started."""
    tracker = tracker_for(identity, "is shipping refunded when i return", slots={"requested_slot": "target_order"})
    tracker.latest_message["intent"] = {"name": "refund_status", "confidence": 0.6}
    tracker.active_loop = {"name": "return_form"}
    events = [{"event": "active_loop", "name": "return_form"}]
    side = ("how late can i order to ship today", "is shipping refunded when i return")
    for question in side[-asked:]:
        events += [{"event": "bot", "text": "Which order is it?", "metadata": {"utter_action": "utter_ask_target_order"}},
                   {"event": "action", "name": "action_listen"},
                   {"event": "user", "text": question, "parse_data": {"intent": {"name": "faq"}}},
                   {"event": "action", "name": "action_answer_faq"},
                   {"event": "bot", "text": "An answer", "metadata": {"utter_action": "utter_faq/shipping_costs"}}]
    tracker.events = events
    return tracker


async def test_which_order_is_asked_again_under_one_unrelated_answer_not_more(backend):
    identity = new_identity()
    once = await ValidateReturnForm().run(CollectingDispatcher(), back_at_which_order(identity, 1), DOMAIN)
    assert ActiveLoop(None) not in once  # asked again under the first answer
    dispatcher = CollectingDispatcher()
    twice = await ValidateReturnForm().run(dispatcher, back_at_which_order(identity, 2), DOMAIN)
    assert said(dispatcher) == [] and twice[-3:] == [SlotSet("requested_slot", None), ActiveLoop(None),
                                                     FollowupAction("action_listen")]


# --- 6. a refund short of what the return was worth ---------------------------------------------

def refunded_short(backend, identity: str) -> str:
    """3 × Masala Chai of 3 chai and a mug sent back (€35.70 due), €23.80 refunded."""
    number = delivered(backend, identity, ("TEA-CHA-200", 3), ("MUG-CER-BLU", 1))
    add_to_return(backend, identity, number, "too spicy", ("TEA-CHA-200", 3))
    staff_move(backend, number, "returned")
    staff_move(backend, number, "refunded", refund_minor=2380)
    return number


async def test_a_refund_short_of_the_return_is_owned_up_to_with_a_ticket(backend):
    """"got my refund email, but it says 23.80?? should be 35.70" got "Order … was refunded: €23.80";
    "why only 23.80, where is the rest 11.90??" was out of scope."""
    identity = new_identity()
    number = refunded_short(backend, identity)
    dispatcher = CollectingDispatcher()
    events = await ActionRefundStatus().run(
        dispatcher, tracker_for(identity, "got my refund email, but it says 23.80?? should be 35.70"), {})
    assert said(dispatcher) == ["utter_refund_no_email_same_amount", "utter_refund_short_ticket"]
    short = dispatcher.messages[1]
    assert (short["number"], short["amount"], short["due"], short["missing"]) == (number, "€23.80", "€35.70", "€11.90")
    assert SlotSet("pending_confirmation", "human_handoff") in events
    [ticket] = tickets_of(backend, identity)
    assert (ticket["reason"], ticket["order_number"], short["ticket_id"]) == ("refund amount disputed", number,
                                                                             ticket["id"])

    text = "why only 23.80, where is the rest 11.90??"  # out of scope to the NLU: action_fallback asks
    tracker = tracker_for(identity, text)
    tracker.latest_message["intent"] = {"name": "out_of_scope", "confidence": 0.69}
    tracker.events += [{"event": "bot", "text": "…", "metadata": {"utter_action": "utter_refund_short_ticket"}},
                       {"event": "action", "name": "action_listen"}, {"event": "user", "text": text}]
    again = CollectingDispatcher()
    events = await answer_a_refund_dispute(again, tracker)
    assert said(again) == ["utter_refund_short_ticket_open"] and again.messages[0]["missing"] == "€11.90"
    assert SlotSet("pending_confirmation", "human_handoff") in events
    assert len(tickets_of(backend, identity)) == 1
    assert await answer_a_refund_dispute(CollectingDispatcher(), tracker_for(identity, "why only 2 mugs left?")) is None
