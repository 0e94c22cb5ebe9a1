"""Return requests and refund status in chat against a real backend."""
from __future__ import annotations

import re

import httpx
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation
from actions.conversation import ActionStop
from actions.change_order import ValidateChangeOrderForm
from actions.refunds import ActionRefundStatus
from actions.returns import ActionAskReturnItems, ActionConfirmReturn, ValidateReturnForm
from tests.actions.test_change_order import DOMAIN, TEAPOTS, confirmation, flow_tracker
from tests.actions.test_orders import ADDRESS, BOT, STAFF, new_identity, place_order, ship, tracker_for
from tests.actions.test_cancel import order_of, status_of


def staff_move(backend, number, status, **extra):
    response = httpx.post(f"{backend.url}/api/v1/staff/orders/{number}/transition", headers=STAFF,
                          json={"status": status, **extra})
    assert response.status_code == 200, response.text


def deliver(backend, identity, number):
    ship(backend, identity, number)
    staff_move(backend, number, "delivered")


def delivered(backend, identity, *lines):
    """A delivered order of `lines` ((sku, quantity), ...); returns its number."""
    response = httpx.post(
        f"{backend.url}/api/v1/orders", headers={**BOT, "X-Channel-Identity": identity},
        json={"lines": [{"sku": sku, "quantity": q} for sku, q in lines], "shipping_address": ADDRESS,
              "contact_email": "ada@example.com"})
    assert response.status_code == 201, response.text
    number = response.json()["number"]
    deliver(backend, identity, number)
    return number


def returning(backend, identity, number):
    response = httpx.get(f"{backend.url}/api/v1/orders/{number}", headers={**BOT, "X-Channel-Identity": identity})
    return {line["sku"]: line["return_quantity"] for line in response.json()["lines"] if line["return_quantity"]}


def named(text, words, skus, quantity=None):
    start = text.index(words)
    return [{"entity": "product", "value": words, "skus": skus, "quantity": quantity,
             "start": start, "end": start + len(words)}]


async def answer_items(identity, target, text, intent="inform", entities=None):
    dispatcher = CollectingDispatcher()
    slots = {"target_order": target, "requested_slot": "return_items"}
    tracker = flow_tracker(identity, text, intent, "return_form", entities=entities, slots=slots)
    return await ValidateReturnForm().run(dispatcher, tracker, DOMAIN), dispatcher


async def start(identity, text="i want to return my order", entities=None):
    """The return form's validation on its activation by `text`: (events, what it said). Rasa
    validates it with the form already active and nothing asked yet (t2 QA M1: a tracker without
    the active form hid that "cancel my return" never reached the return registered)."""
    dispatcher = CollectingDispatcher()
    tracker = flow_tracker(identity, text, "refund_return_request", "return_form", entities)
    return await ValidateReturnForm().run(dispatcher, tracker, DOMAIN), dispatcher


async def test_return_delivered_order_with_reason_after_yes(backend):
    """One mug ordered: nothing to choose, so the items aren't asked."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    deliver(backend, identity, number)
    events, _ = await start(identity)
    target = events[0]["value"]
    assert target["number"] == number
    items = [{"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 1}]
    assert SlotSet("return_items", items) in events  # so the form asks the reason next

    reason = "the blue mug arrived chipped"
    slots = {"target_order": target, "requested_slot": "return_reason"}
    tracker = flow_tracker(identity, reason, "complaint", "return_form", slots=slots,
                           slot_candidates={"return_reason": reason})
    assert await ValidateReturnForm().run(CollectingDispatcher(), tracker, DOMAIN) == [SlotSet("return_reason", reason)]

    summary = CollectingDispatcher()
    slots = {"target_order": target, "return_items": items, "return_reason": reason}
    events = await ActionConfirmReturn().run(summary, tracker_for(identity, "", slots=slots), {})
    # a chipped mug is the shop's fault: an apology comes before the question (care QA M5)
    assert [m["response"] for m in summary.messages] == ["utter_return_sorry_faulty", "utter_confirm_return"]
    assert summary.messages[-1]["reason"] == reason
    assert summary.messages[-1]["amount"] == "€17.80"  # everything, shipping included
    assert status_of(backend, identity, number) == "delivered"  # nothing sent before the yes

    answer = CollectingDispatcher()
    slots["pending_confirmation"] = "return_order"
    await ActionAnswerConfirmation().run(answer, confirmation(identity, "affirm", "action_confirm_return", slots), {})
    # chipped: the shop's fault, so the team sends the prepaid label (QA15 F3)
    assert [m["response"] for m in answer.messages] == ["utter_return_requested_label"]
    assert status_of(backend, identity, number) == "return_requested"
    assert returning(backend, identity, number) == {"MUG-CER-BLU": 1}


async def test_return_no_requests_nothing(backend, dispatcher):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    deliver(backend, identity, number)
    slots = {"target_order": {"number": number}, "return_reason": "too small", "pending_confirmation": "return_order"}
    await ActionAnswerConfirmation().run(dispatcher, confirmation(identity, "deny", "action_confirm_return", slots), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_return_not_requested"]
    assert status_of(backend, identity, number) == "delivered"


async def test_return_not_delivered_offers_cancel(backend):
    identity = new_identity()
    place_order(backend, identity)
    events, dispatcher = await start(identity)
    assert [m["response"] for m in dispatcher.messages] == ["utter_return_not_delivered"]
    assert SlotSet("requested_slot", None) in events


async def test_return_while_shipping_is_refused(backend):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    ship(backend, identity, number)
    _, dispatcher = await start(identity)
    assert [m["response"] for m in dispatcher.messages] == ["utter_return_not_arrived"]


async def test_return_reason_too_short_is_asked_again(backend, dispatcher):
    slots = {"target_order": {"number": "OB-X", "lines": []}, "requested_slot": "return_reason"}
    tracker = flow_tracker(new_identity(), "eh", "inform", "return_form", slots=slots,
                           slot_candidates={"return_reason": "eh"})
    assert await ValidateReturnForm().run(dispatcher, tracker, DOMAIN) == [SlotSet("return_reason", None)]
    assert [m["response"] for m in dispatcher.messages] == ["utter_invalid_return_reason"]


async def test_refund_status_refunded_gives_amount_and_date(backend, dispatcher):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    deliver(backend, identity, number)
    httpx.post(f"{backend.url}/api/v1/orders/{number}/return", json={"reason": "too big"},
               headers={"Authorization": "Bearer dev-bot-token", "X-Channel-Identity": identity}).raise_for_status()
    staff_move(backend, number, "returned")
    staff_move(backend, number, "refunded", refund_minor=500)
    await ActionRefundStatus().run(dispatcher, tracker_for(identity, "where is my refund"), {})
    message = dispatcher.messages[0]
    assert message["response"] == "utter_refund_refunded"
    assert message["amount"] == "€5.00" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", message["date"])


async def test_refund_status_return_requested(backend, dispatcher):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    deliver(backend, identity, number)
    httpx.post(f"{backend.url}/api/v1/orders/{number}/return", json={"reason": "too big"},
               headers={"Authorization": "Bearer dev-bot-token", "X-Channel-Identity": identity}).raise_for_status()
    entities = [{"entity": "order_id", "value": number}]
    events = await ActionRefundStatus().run(dispatcher, tracker_for(identity, f"refund for {number}?", entities), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_refund_return_requested"]
    assert SlotSet("order_id", number) in events


async def test_refund_status_without_orders_asks_for_number(backend, dispatcher):
    events = await ActionRefundStatus().run(dispatcher, tracker_for(new_identity(), "where is my refund"), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_refund_order_number"]
    assert events == [SlotSet("requested_info", "order_id"), SlotSet("order_task", "refund")]


async def test_return_the_product_named_picks_the_order_holding_it(backend):
    """"i want to return the french press" with a later tea order: the french press order. A change
    ("add a french press to my order") still means the last order."""
    identity = new_identity()
    press = order_of(backend, identity, "BRW-FRP-800")
    deliver(backend, identity, press)
    tea = order_of(backend, identity, "TEA-SEN-100")
    entities = [{"entity": "product", "value": "french press", "skus": ["BRW-FRP-800"]}]
    events, _ = await start(identity, "i want to return the french press", entities)
    assert events[0]["value"]["number"] == press
    tracker = flow_tracker(identity, "add a french press to my order", "change_order", "change_order_form", entities)
    tracker.active_loop = {}
    events = await ValidateChangeOrderForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert events[0]["value"]["number"] == tea


async def test_return_my_order_after_ordering_again_means_the_delivered_one(backend):
    """"i want to return my order" with a newer order still pending: the delivered order, not a
    refusal about the new one; with nothing delivered, the last order's refusal says why."""
    identity = new_identity()
    press = order_of(backend, identity, "BRW-FRP-800")
    deliver(backend, identity, press)
    order_of(backend, identity, "TEA-SEN-100")
    events, dispatcher = await start(identity)
    assert events[0]["value"]["number"] == press and not dispatcher.messages


async def test_where_is_my_refund_after_ordering_again_means_the_returned_order(backend, dispatcher):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    deliver(backend, identity, number)
    httpx.post(f"{backend.url}/api/v1/orders/{number}/return", json={"reason": "too big"},
               headers={**BOT, "X-Channel-Identity": identity}).raise_for_status()
    order_of(backend, identity, "TEA-SEN-100")
    events = await ActionRefundStatus().run(dispatcher, tracker_for(identity, "where is my refund"), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_refund_return_requested"]
    assert SlotSet("order_id", number) in events


async def test_return_some_items_of_an_order_asks_which_and_refunds_those(backend):
    identity = new_identity()
    number = delivered(backend, identity, ("MUG-CER-BLU", 2), ("TEA-POT-GLS", 1))
    events, _ = await start(identity)
    target = events[0]["value"]
    assert [e for e in events if e["name"] == "return_items"] == []  # a choice: the form asks
    ask = CollectingDispatcher()
    await ActionAskReturnItems().run(ask, tracker_for(identity, "", slots={"target_order": target}), {})
    assert ask.messages[0]["lines"] == "• 2 × Ceramic Mug Blue\n• 1 × Glass Teapot with Infuser 1 L"

    text = "just one of the blue mugs"
    events, _ = await answer_items(identity, target, text, entities=named(text, "blue mugs", ["MUG-CER-BLU"], 1))
    items = [{"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 1}]
    assert events[0] == SlotSet("return_items", items)

    summary = CollectingDispatcher()
    slots = {"target_order": target, "return_items": items, "return_reason": "it has a crack"}
    await ActionConfirmReturn().run(summary, tracker_for(identity, "", slots=slots), {})
    assert [m["response"] for m in summary.messages] == ["utter_return_sorry_faulty", "utter_confirm_return_items"]
    assert (summary.messages[-1]["items"], summary.messages[-1]["amount"]) == ("1 × Ceramic Mug Blue", "€12.90")
    answer = CollectingDispatcher()
    slots["pending_confirmation"] = "return_order"
    await ActionAnswerConfirmation().run(answer, confirmation(identity, "affirm", "action_confirm_return", slots), {})
    assert answer.messages[0]["response"] == "utter_return_requested_label"
    assert (answer.messages[0]["items"], answer.messages[0]["amount"]) == ("1 × Ceramic Mug Blue", "€12.90")
    assert returning(backend, identity, number) == {"MUG-CER-BLU": 1}

    refund = CollectingDispatcher()
    await ActionRefundStatus().run(refund, tracker_for(identity, "where is my refund"), {})
    assert (refund.messages[0]["response"], refund.messages[0]["amount"]) == ("utter_refund_return_requested", "€12.90")


async def test_return_request_naming_a_product_takes_it_as_the_items(backend):
    identity = new_identity()
    delivered(backend, identity, ("MUG-CER-BLU", 2), ("TEA-POT-GLS", 1))
    text = "i want to return the teapot"
    events, _ = await start(identity, text, named(text, "teapot", ["TEA-POT-CST", "TEA-POT-GLS"]))
    assert SlotSet("return_items", [{"sku": "TEA-POT-GLS", "name": "Glass Teapot with Infuser 1 L",
                                     "quantity": 1}]) in events


async def test_return_items_answers_that_do_not_fit_are_explained(backend):
    identity = new_identity()
    delivered(backend, identity, ("MUG-CER-BLU", 2), ("TEA-POT-GLS", 1))
    target = (await start(identity))[0][0]["value"]
    text = "3 blue mugs"
    events, said = await answer_items(identity, target, text, entities=named(text, "blue mugs", ["MUG-CER-BLU"], 3))
    assert events[0] == SlotSet("return_items", None)
    assert said.messages[0]["response"] == "utter_return_items_too_many" and said.messages[0]["ordered"] == 2
    text = "the red mug"
    events, said = await answer_items(identity, target, text, entities=named(text, "red mug", ["MUG-CER-RED"]))
    assert said.messages[0]["response"] == "utter_return_items_not_in_order"
    events, said = await answer_items(identity, target, "hmm dunno")
    assert said.messages[0]["response"] == "utter_return_items_unclear"
    # Another request is left to its own rule; the form asks again afterwards.
    events, said = await answer_items(identity, target, "how much is return shipping?", intent="faq")
    assert said.messages == [] and SlotSet("return_items", None) not in events
    events, _ = await answer_items(identity, target, "everything except the teapot", entities=named(
        "everything except the teapot", "teapot", ["TEA-POT-CST", "TEA-POT-GLS"]))
    assert events[0] == SlotSet("return_items", [{"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 2}])


async def test_a_reason_said_with_the_items_is_not_asked_again(backend):
    identity = new_identity()
    delivered(backend, identity, ("MUG-CER-BLU", 2), ("TEA-POT-GLS", 1))
    text = "I want to return the teapot, the lid is cracked"
    events, _ = await start(identity, text, named(text, "teapot", ["TEA-POT-CST", "TEA-POT-GLS"]))
    assert SlotSet("return_reason", "the lid is cracked") in events
    assert events[0]["value"]["lines"][1]["category"] == "Teaware"  # for "the mugs" later


async def test_the_mugs_category_and_a_count_after_too_many(backend):
    identity = new_identity()
    delivered(backend, identity, ("MUG-CER-BLU", 2), ("MUG-CER-RED", 1), ("TEA-POT-GLS", 1))
    target = (await start(identity))[0][0]["value"]
    events, _ = await answer_items(identity, target, "all the mugs",
                                   entities=[{"entity": "category", "value": "Mugs", "start": 8, "end": 12}])
    assert [(i["sku"], i["quantity"]) for i in events[0]["value"]] == [("MUG-CER-BLU", 2), ("MUG-CER-RED", 1)]

    text = "3 blue mugs"
    said_before = named(text, "blue mugs", ["MUG-CER-BLU"], 3)
    dispatcher = CollectingDispatcher()
    slots = {"target_order": target, "requested_slot": "return_items"}
    tracker = flow_tracker(identity, "2", "inform", "return_form", slots=slots)
    tracker.events = [{"event": "user", "text": text, "parse_data": {"entities": said_before}},
                      {"event": "bot", "text": "you can return up to 2"},
                      {"event": "user", "text": "2", "parse_data": {"entities": []}},
                      {"event": "action", "name": "return_form"}]
    events = await ValidateReturnForm().run(dispatcher, tracker, DOMAIN)
    assert events[0] == SlotSet("return_items", [{"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 2}])


async def test_nothing_to_return_after_all_leaves_the_form(backend):
    identity = new_identity()
    number = delivered(backend, identity, ("MUG-CER-BLU", 2), ("TEA-POT-GLS", 1))
    target = (await start(identity))[0][0]["value"]
    events, said = await answer_items(identity, target, "nothing actually", intent="deny")
    assert [m["response"] for m in said.messages] == ["utter_return_not_requested"]
    assert SlotSet("requested_slot", None) in events and SlotSet("target_order", None) in events
    assert status_of(backend, identity, number) == "delivered"


async def test_a_yes_is_no_reason(backend, dispatcher):
    slots = {"target_order": {"number": "OB-X", "lines": []}, "requested_slot": "return_reason"}
    tracker = flow_tracker(new_identity(), "yes", "affirm", "return_form", slots=slots,
                           slot_candidates={"return_reason": "yes"})
    assert await ValidateReturnForm().run(dispatcher, tracker, DOMAIN) == [SlotSet("return_reason", None)]
    assert [m["response"] for m in dispatcher.messages] == ["utter_invalid_return_reason"]


async def test_how_long_the_refund_takes_while_the_return_waits_for_yes(backend):
    """Asked between the summary and the yes: answered, the question asked again, and a yes after
    it registers the return (it used to drop it)."""
    identity = new_identity()
    number = delivered(backend, identity, ("MUG-CER-BLU", 2), ("TEA-POT-GLS", 1))
    target = (await start(identity))[0][0]["value"]
    items = [{"sku": "TEA-POT-GLS", "name": "Glass Teapot with Infuser 1 L", "quantity": 1}]
    slots = {"target_order": target, "return_items": items, "return_reason": "lid cracked",
             "pending_confirmation": "return_order"}
    said = CollectingDispatcher()
    assert await ActionRefundStatus().run(said, tracker_for(identity, "how long does the refund take?", slots=slots),
                                          {}) == []
    assert said.messages[0]["response"] == "utter_refund_after_return" and said.messages[0]["amount"] == "€32.90"
    answer = CollectingDispatcher()
    await ActionAnswerConfirmation().run(answer, confirmation(identity, "affirm", "action_refund_status", slots), {})
    assert [m["response"] for m in answer.messages] == ["utter_return_requested_label"]
    assert returning(backend, identity, number) == {"TEA-POT-GLS": 1}


async def test_a_yes_after_a_side_answer_gets_the_return_question_again(backend, dispatcher):
    """"do i pay the return postage?" answered at the summary, then "yes": it may answer the side
    answer, so the summary's question is asked again; the yes to that registers the return."""
    identity = new_identity()
    number = delivered(backend, identity, ("MUG-CER-BLU", 2), ("TEA-POT-GLS", 1))
    target = (await start(identity))[0][0]["value"]
    slots = {"target_order": target, "return_items": [{"sku": "TEA-POT-GLS", "name": "Glass Teapot", "quantity": 1}],
             "return_reason": "lid cracked", "pending_confirmation": "return_order"}
    tracker = confirmation(identity, "affirm", "action_confirm_return", slots)
    question = f"Shall I register the return of 1 × Glass Teapot from order {number} for a refund of €32.90?"
    tracker.events[1:2] = [
        {"event": "bot", "text": question, "data": {"buttons": []},
         "metadata": {"utter_action": "utter_confirm_return_items"}},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "do i pay the return postage", "parse_data": {"intent": {"name": "faq"}}},
        {"event": "action", "name": "utter_faq"},
        {"event": "bot", "text": "Faulty items go back free.", "metadata": {"utter_action": "utter_faq"}},
    ]
    assert await ActionAnswerConfirmation().run(dispatcher, tracker, {}) == []
    assert [m["text"] for m in dispatcher.messages] == [question] and returning(backend, identity, number) == {}
    tracker.events += [{"event": "action", "name": "action_answer_confirmation"},
                       {"event": "bot", "text": question}, {"event": "action", "name": "action_listen"},
                       {"event": "user", "text": "yes"}]
    again = CollectingDispatcher()
    await ActionAnswerConfirmation().run(again, tracker, {})
    assert [m["response"] for m in again.messages] == ["utter_return_requested_label"]
    assert returning(backend, identity, number) == {"TEA-POT-GLS": 1}


async def test_i_changed_my_mind_is_a_reason_not_a_stop(dispatcher):
    slots = {"target_order": {"number": "OB-X", "lines": []}, "requested_slot": "return_reason"}
    tracker = flow_tracker(new_identity(), "I changed my mind", "stop", "return_form", slots=slots)
    assert await ActionStop().run(dispatcher, tracker, DOMAIN) == [
        SlotSet("return_reason", "I changed my mind"), FollowupAction("return_form")]
    assert dispatcher.messages == []
    tracker = flow_tracker(new_identity(), "never mind", "stop", "return_form", slots=slots)
    assert ActiveLoop(None) in await ActionStop().run(dispatcher, tracker, DOMAIN)


async def test_some_mugs_asks_how_many_and_the_count_answers_it(backend):
    identity = new_identity()
    delivered(backend, identity, ("MUG-CER-BLU", 3), ("TEA-POT-GLS", 1))
    text = "i have to return some mugs"
    mugs = [{"entity": "category", "value": "Mugs", "start": 22, "end": 26}]
    events, said = await start(identity, text, mugs)
    assert [m["response"] for m in said.messages] == ["utter_return_items_how_many"]
    assert [e for e in events if e["name"] == "return_items"] == []
    target = events[0]["value"]
    slots = {"target_order": target, "requested_slot": "return_items"}
    tracker = flow_tracker(identity, "2", "inform", "return_form", slots=slots)
    tracker.events = [{"event": "user", "text": text, "parse_data": {"entities": mugs}},
                      {"event": "user", "text": "2", "parse_data": {"entities": []}},
                      {"event": "action", "name": "return_form"}]
    events = await ValidateReturnForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert events[0] == SlotSet("return_items", [{"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 2}])


async def test_opened_tea_goes_back_only_when_faulty(backend, dispatcher):
    """The shop's policy: "opened it, don't like the taste" is refused for tea; "it's stale" is not."""
    identity = new_identity()
    number = delivered(backend, identity, ("TEA-EBF-250", 1))
    events, _ = await start(identity, "i want to return my tea")
    target = next(e["value"] for e in events if e["name"] == "target_order")
    items = next(e["value"] for e in events if e["name"] == "return_items")
    for reason, responses in (("opened it and don't like the taste", ["utter_return_opened_consumable"]),
                              ("opened it, it tastes stale", ["utter_return_sorry_faulty", "utter_confirm_return"]),
                              ("haven't opened it, just changed my mind", ["utter_confirm_return"])):
        said = CollectingDispatcher()
        slots = {"target_order": target, "return_items": items, "return_reason": reason}
        await ActionConfirmReturn().run(said, tracker_for(identity, "", slots=slots), {})
        assert [m["response"] for m in said.messages] == responses, reason
    assert status_of(backend, identity, number) == "delivered"


def request_return_of(backend, identity, number, *lines):
    response = httpx.post(f"{backend.url}/api/v1/orders/{number}/return", headers={**BOT, "X-Channel-Identity": identity},
                          json={"reason": "chipped", "lines": [{"sku": sku, "quantity": q} for sku, q in lines]})
    assert response.status_code == 200, response.text


async def test_more_of_an_order_joins_its_return_on_the_way(backend):
    """One blue mug on its way back, then "i want to return the teapot too": it had been refused
    ("already registered"); now the rest of the order is offered and the teapot joins that return."""
    identity = new_identity()
    number = delivered(backend, identity, ("MUG-CER-BLU", 2), ("TEA-POT-GLS", 1))
    request_return_of(backend, identity, number, ("MUG-CER-BLU", 1))
    events, said = await start(identity, "i want to return something else from my order")
    assert said.messages == []
    target = events[0]["value"]
    assert [(line["sku"], line["quantity"]) for line in target["lines"]] == [("MUG-CER-BLU", 1), ("TEA-POT-GLS", 1)]
    ask = CollectingDispatcher()
    await ActionAskReturnItems().run(ask, tracker_for(identity, "", slots={"target_order": target}), {})
    assert ask.messages[0]["response"] == "utter_ask_return_more_items"
    assert ask.messages[0]["returning"] == "1 × Ceramic Mug Blue"

    items = [{"sku": "TEA-POT-GLS", "name": "Glass Teapot with Infuser 1 L", "quantity": 1}]
    slots = {"target_order": target, "return_items": items, "return_reason": "the lid is cracked"}
    summary = CollectingDispatcher()
    await ActionConfirmReturn().run(summary, tracker_for(identity, "", slots=slots), {})
    assert [m["response"] for m in summary.messages] == ["utter_return_sorry_faulty", "utter_confirm_return_more"]
    assert summary.messages[-1]["amount"] == "€32.90"  # the teapot's price; the rest of the mugs stays
    answer = CollectingDispatcher()
    slots["pending_confirmation"] = "return_order"
    await ActionAnswerConfirmation().run(answer, confirmation(identity, "affirm", "action_confirm_return", slots), {})
    assert answer.messages[0]["response"] == "utter_return_requested_label"
    assert returning(backend, identity, number) == {"MUG-CER-BLU": 1, "TEA-POT-GLS": 1}
    assert status_of(backend, identity, number) == "return_requested"


async def test_the_rest_of_an_order_joining_its_return_adds_the_shipping_to_the_refund(backend):
    identity = new_identity()
    number = delivered(backend, identity, ("MUG-CER-BLU", 2))  # €25.80 and €4.90 shipping
    request_return_of(backend, identity, number, ("MUG-CER-BLU", 1))
    events, _ = await start(identity)
    target = events[0]["value"]
    items = [{"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 1}]
    assert (target["lines"][0]["quantity"], SlotSet("return_items", items) in events) == (1, True)  # nothing to choose
    summary = CollectingDispatcher()
    slots = {"target_order": target, "return_items": items, "return_reason": "don't need it"}
    await ActionConfirmReturn().run(summary, tracker_for(identity, "", slots=slots), {})
    assert (summary.messages[0]["response"], summary.messages[0]["amount"]) == (
        "utter_confirm_return_rest", "€17.80")  # the second mug and the shipping, said so
    answer = CollectingDispatcher()
    slots["pending_confirmation"] = "return_order"
    await ActionAnswerConfirmation().run(answer, confirmation(identity, "affirm", "action_confirm_return", slots), {})
    assert answer.messages[0]["amount"] == "€30.70"  # the whole order back
    assert returning(backend, identity, number) == {"MUG-CER-BLU": 2}
    again, said = await start(identity)
    assert [m["response"] for m in said.messages] == ["utter_return_already_requested"]
    # t2 QA m14: "(it's return requested)", "(it's returned)": the return's state in words
    assert said.messages[0]["status"] == "waiting for the items to reach us"
    staff_move(backend, number, "returned")
    again, said = await start(identity, "can i also return the mugs")
    assert [(m["response"], m["status"]) for m in said.messages] == [
        ("utter_return_already_requested", "back with us, and its refund is being processed")]


async def test_the_rest_of_an_order_with_free_shipping_refunds_no_shipping(backend):
    """t2 QA m6: "Then the whole order goes back, so the shipping is refunded too" was said of an
    order whose shipping was free."""
    identity = new_identity()
    number = delivered(backend, identity, ("MUG-CER-BLU", 4))  # €51.60: free shipping
    request_return_of(backend, identity, number, ("MUG-CER-BLU", 1))
    events, _ = await start(identity, "i want to return the rest too")
    target = events[0]["value"]
    items = [{"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 3}]
    assert SlotSet("return_items", items) in events  # t2 QA m5: "the rest too" is what is left
    summary = CollectingDispatcher()
    slots = {"target_order": target, "return_items": items, "return_reason": "too many"}
    await ActionConfirmReturn().run(summary, tracker_for(identity, "", slots=slots), {})
    assert (summary.messages[0]["response"], summary.messages[0]["amount"]) == ("utter_confirm_return_more", "€38.70")


async def test_a_return_worded_with_a_quantity_is_no_new_order(backend):
    """"i want to return 2 blue mugs" read as an order had started checkout (two yeses placed a paid
    order); "the teapot too" right after a return had asked "which teapot would you like?"."""
    from actions.ordering import ValidateOrderForm  # here: only this test needs the order form
    identity = new_identity()
    delivered(backend, identity, ("MUG-CER-BLU", 2), ("TEA-POT-GLS", 1))
    for text in ("i want to return 2 blue mugs", "send back one of the blue mugs", "i'd like to return two blue mugs"):
        tracker = flow_tracker(identity, text, "place_order", "order_form",
                               entities=named(text, "blue mugs", ["MUG-CER-BLU"], 2))
        events = await ValidateOrderForm().run(CollectingDispatcher(), tracker, DOMAIN)
        assert events == [SlotSet("requested_slot", None), FollowupAction("return_form")], text
    text = "the teapot too"
    too = flow_tracker(identity, text, "place_order", "order_form",
                       entities=named(text, "teapot", ["TEA-POT-GLS", "TEA-POT-CER", "TEA-POT-CST"]))
    too.events[-1:-1] = [{"event": "bot", "text": "Done", "metadata": {"utter_action": "utter_return_requested"}},
                         {"event": "action", "name": "action_listen"}, {"event": "user", "text": text}]
    assert await ValidateOrderForm().run(CollectingDispatcher(), too, DOMAIN) == [
        SlotSet("requested_slot", None), FollowupAction("return_form")]
    buying = flow_tracker(identity, "i want to buy 2 blue mugs", "place_order", "order_form")
    assert FollowupAction("return_form") not in await ValidateOrderForm().run(CollectingDispatcher(), buying, DOMAIN)


async def test_the_order_holding_the_product_named_is_returned_not_the_one_talked_about(backend):
    """Two delivered orders: "one of the red mugs is chipped, i want to return it" after talking about
    the newer (teapot) order returns from the mug order; it had offered the whole teapot order."""
    identity = new_identity()
    mugs = delivered(backend, identity, ("MUG-CER-RED", 2))
    teapot = delivered(backend, identity, ("TEA-POT-GLS", 1))
    text = "one of the red mugs is chipped, i want to return it"
    tracker = flow_tracker(identity, text, "refund_return_request", "return_form",
                           entities=named(text, "red mugs", ["MUG-CER-RED"]), slots={"order_id": teapot})
    tracker.active_loop = {}
    events = await ValidateReturnForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert events[0]["value"]["number"] == mugs


async def test_asking_to_return_what_already_goes_back_says_so(backend):
    """Both mugs on their way back, "i want to return 3 mugs": it had offered to add the teapot."""
    identity = new_identity()
    number = delivered(backend, identity, ("MUG-CER-BLU", 2), ("TEA-POT-GLS", 1))
    request_return_of(backend, identity, number, ("MUG-CER-BLU", 2))
    text = "i want to return 3 mugs"
    events, said = await start(identity, text, entities=named(text, "mugs", ["MUG-CER-BLU", "MUG-CER-RED"], 3))
    assert [m["response"] for m in said.messages] == ["utter_return_items_already_going"]
    assert (said.messages[0]["returning"], said.messages[0]["left"]) == (
        "2 × Ceramic Mug Blue", "1 × Glass Teapot with Infuser 1 L")
    assert SlotSet("requested_slot", None) in events and returning(backend, identity, number) == {"MUG-CER-BLU": 2}


def the_teapot_too(identity, slots, slot_candidates=None):
    """ "the teapot too" (read as an order) while the return form holds `slots`."""
    text = "the teapot too"
    return flow_tracker(identity, text, "place_order", "return_form",
                        entities=named(text, "teapot", ["TEA-POT-GLS", "TEA-POT-CER", "TEA-POT-CST"]),
                        slots=slots, slot_candidates=slot_candidates)


async def test_the_teapot_too_at_the_returns_summary_joins_the_items(backend):
    """The grinder's return shown for a yes, then "the teapot too": the summary had come back with
    the grinder alone."""
    identity = new_identity()
    delivered(backend, identity, ("GRN-HND-BUR", 1), ("TEA-POT-GLS", 1))
    target = (await start(identity))[0][0]["value"]
    grinder = [{"sku": "GRN-HND-BUR", "name": "Hand Burr Grinder", "quantity": 1}]
    tracker = the_teapot_too(identity, {"target_order": target, "return_items": grinder, "return_reason": "too noisy",
                                        "pending_confirmation": "return_order"})
    tracker.active_loop = {}
    events = await ValidateReturnForm().run(CollectingDispatcher(), tracker, DOMAIN)
    items = next(e["value"] for e in events if e["name"] == "return_items")
    assert [(item["sku"], item["quantity"]) for item in items] == [("GRN-HND-BUR", 1), ("TEA-POT-GLS", 1)]


async def test_the_teapot_too_asked_for_the_reason_adds_it_and_asks_the_reason_again(backend):
    identity = new_identity()
    delivered(backend, identity, ("MUG-CER-BLU", 2), ("TEA-POT-GLS", 1))
    target = (await start(identity))[0][0]["value"]
    mugs = [{"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 2}]
    tracker = the_teapot_too(identity, {"target_order": target, "return_items": mugs, "requested_slot": "return_reason"},
                             slot_candidates={"return_reason": "the teapot too"})
    events = await ValidateReturnForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert SlotSet("return_reason", None) in events
    items = next(e["value"] for e in events if e["name"] == "return_items")
    assert {item["sku"] for item in items} == {"MUG-CER-BLU", "TEA-POT-GLS"}


async def test_same_reason_for_more_items_is_the_returns_reason(backend, dispatcher):
    """"same reason" when the teapot joins the mugs' return had been stored literally."""
    identity = new_identity()
    number = delivered(backend, identity, ("MUG-CER-BLU", 2), ("TEA-POT-GLS", 1))
    request_return_of(backend, identity, number, ("MUG-CER-BLU", 2))  # reason "chipped"
    target = (await start(identity))[0][0]["value"]
    assert target["reason_so_far"] == "chipped"
    tracker = flow_tracker(identity, "same reason", "inform", "return_form",
                           slots={"target_order": target, "requested_slot": "return_reason"})
    assert ValidateReturnForm().validate_return_reason("same reason", dispatcher, tracker, DOMAIN) == {
        "return_reason": "chipped"}


async def test_more_than_is_left_to_return_is_said_not_quietly_reduced(backend):
    identity = new_identity()
    number = delivered(backend, identity, ("MUG-CER-RED", 2))
    request_return_of(backend, identity, number, ("MUG-CER-RED", 1))
    text = "i want to return 2 red mugs"
    events, said = await start(identity, text, entities=named(text, "red mugs", ["MUG-CER-RED"], 2))
    assert [(m["response"], m.get("ordered")) for m in said.messages] == [("utter_return_items_too_many", 1)]
    assert not any(e["name"] == "return_items" and e["value"] for e in events)


# The care QA's order (care-03, care-04): 3 red mugs and the cast iron teapot, €83.60 with free shipping.
ALL_MUGS = ["MUG-CER-RED", "MUG-CER-BLU", "MUG-CER-GRN", "MUG-CER-WHT", "MUG-TRV-STL"]
RED_MUGS = {"sku": "MUG-CER-RED", "name": "Ceramic Mug Red", "quantity": 3}
CAST_IRON = {"sku": "TEA-POT-CST", "name": "Cast Iron Teapot 0.8 L", "quantity": 1}


def found(text, words, entity="product", nth=0, **values):
    """An entity at the `nth` occurrence of `words` in `text`, as the catalogue matcher gives it."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(words, start + 1)
    return {"entity": entity, "value": words, "start": start, "end": start + len(words), **values}


def mugs_and_teapot(backend, identity):
    for sku in ("MUG-CER-RED", "TEA-POT-CST"):
        httpx.post(f"{backend.url}/api/v1/staff/products/{sku}/restock", headers=STAFF,
                   json={"quantity": 4, "note": "tests/actions returns"}).raise_for_status()
    return delivered(backend, identity, ("MUG-CER-RED", 3), ("TEA-POT-CST", 1))


def at_the_summary(identity, text, intent, form, entities, slots):
    """`text` right after the return's summary was shown for `slots`."""
    tracker = flow_tracker(identity, text, intent, form, entities=entities,
                           slots={**slots, "pending_confirmation": "return_order"})
    tracker.events[-1:-1] = [
        {"event": "action", "name": "action_confirm_return"},
        {"event": "bot", "text": "Shall I register the return…?", "metadata": {"utter_action": "utter_confirm_return"}},
        {"event": "action", "name": "action_listen"}, {"event": "user", "text": text}]
    tracker.active_loop = {} if form == "return_form" else tracker.active_loop
    return tracker


def orders_of(backend, identity):
    response = httpx.get(f"{backend.url}/api/v1/orders", headers={**BOT, "X-Channel-Identity": identity})
    return [(order["number"], order["status"]) for order in response.json()["data"]]


async def test_a_count_corrected_at_the_returns_summary_changes_the_return_not_a_new_order(backend):
    """care-03: "no only 2 mugs not 3" at "Shall I register the return of the whole of order …?" had
    started checkout ("Which mug would you like?") and created a pending order; "no just 2 mugs" too."""
    from actions.ordering import ValidateOrderForm  # here: only these tests need the order form
    from actions.catalogue import ActionShowProducts
    identity = new_identity()
    number = mugs_and_teapot(backend, identity)
    target = (await start(identity))[0][0]["value"]
    slots = {"target_order": target, "return_items": [RED_MUGS, CAST_IRON],
             "return_reason": "mugs are the wrong shade and teapot is too heavy"}
    for text in ("no only 2 mugs not 3", "no just 2 mugs"):
        entities = [found(text, "2", "quantity"), found(text, "mugs", skus=ALL_MUGS, quantity=2)]
        # read as a product question (the NLU's reading), as an order, or as a no: the return form's
        shown = await ActionShowProducts().run(CollectingDispatcher(), at_the_summary(
            identity, text, "product_info", "order_form", entities, slots), DOMAIN)
        assert {e.get("name") for e in shown if e["event"] == "followup"} <= {"order_form", "return_form"}, shown
        ordering = at_the_summary(identity, text, "place_order", "order_form", entities, slots)
        ordering.active_loop = {}
        assert await ValidateOrderForm().run(CollectingDispatcher(), ordering, DOMAIN) == [
            SlotSet("requested_slot", None), FollowupAction("return_form")], text
        no = at_the_summary(identity, text, "deny", "order_form", entities, slots)
        assert await ActionAnswerConfirmation().run(CollectingDispatcher(), no, {}) == [FollowupAction("return_form")]

        said = CollectingDispatcher()
        events = await ValidateReturnForm().run(said, at_the_summary(
            identity, text, "product_info", "return_form", entities, slots), DOMAIN)
        items = next(e["value"] for e in events if e["name"] == "return_items")
        assert [(item["sku"], item["quantity"]) for item in items] == [("MUG-CER-RED", 2), ("TEA-POT-CST", 1)], text
        assert not any(e["name"] == "return_reason" and e["value"] != slots["return_reason"] for e in events)
        assert said.messages == []

    summary = CollectingDispatcher()
    slots = {**slots, "return_items": items}
    await ActionConfirmReturn().run(summary, tracker_for(identity, "", slots=slots), {})
    assert (summary.messages[-1]["response"], summary.messages[-1]["amount"]) == ("utter_confirm_return_items", "€70.70")
    slots["pending_confirmation"] = "return_order"
    await ActionAnswerConfirmation().run(CollectingDispatcher(), confirmation(identity, "affirm", "action_confirm_return",
                                                                              slots), {})
    assert returning(backend, identity, number) == {"MUG-CER-RED": 2, "TEA-POT-CST": 1}
    assert orders_of(backend, identity) == [(number, "return_requested")]  # no order was started


async def test_just_the_teapot_or_not_the_teapot_at_the_summary(backend):
    identity = new_identity()
    mugs_and_teapot(backend, identity)
    target = (await start(identity))[0][0]["value"]
    slots = {"target_order": target, "return_items": [{**RED_MUGS, "quantity": 2}, CAST_IRON], "return_reason": "too big"}
    for text, expected in (("no, just the teapot", [("TEA-POT-CST", 1)]),
                           ("not the teapot", [("MUG-CER-RED", 2)]),
                           ("1 mug and the teapot", [("MUG-CER-RED", 1), ("TEA-POT-CST", 1)])):
        entities = [found(text, "teapot", skus=TEAPOTS)] + (
            [found(text, "1", "quantity"), found(text, "mug", skus=ALL_MUGS, quantity=1)] if "mug" in text else [])
        events = await ValidateReturnForm().run(CollectingDispatcher(), at_the_summary(
            identity, text, "product_info", "return_form", entities, slots), DOMAIN)
        items = next(e["value"] for e in events if e["name"] == "return_items")
        assert [(item["sku"], item["quantity"]) for item in items] == expected, text


async def test_items_and_reason_in_one_message_return_the_items_named(backend):
    """care-04: "i want to return 2 red mugs and the teapot, mugs are wrong shade" had registered the
    whole order (3 mugs, €83.60) with the reason "are wrong shade"."""
    identity = new_identity()
    mugs_and_teapot(backend, identity)
    text = "i want to return 2 red mugs and the teapot, mugs are wrong shade"
    entities = [found(text, "2", "quantity"), found(text, "red mugs", skus=["MUG-CER-RED"], quantity=2),
                found(text, "teapot", skus=TEAPOTS), found(text, "mugs", "category", nth=1, value="Mugs")]
    events, _ = await start(identity, text, entities)
    target = events[0]["value"]
    items = next(e["value"] for e in events if e["name"] == "return_items")
    assert [(item["sku"], item["quantity"]) for item in items] == [("MUG-CER-RED", 2), ("TEA-POT-CST", 1)]
    assert SlotSet("return_reason", "mugs are wrong shade") in events
    summary = CollectingDispatcher()
    await ActionConfirmReturn().run(summary, tracker_for(identity, "", slots={
        "target_order": target, "return_items": items, "return_reason": "mugs are wrong shade"}), {})
    assert (summary.messages[-1]["response"], summary.messages[-1]["amount"]) == ("utter_confirm_return_items", "€70.70")


async def test_a_reason_naming_the_products_again_keeps_the_items(backend):
    """care-03: the reason "mugs are the wrong shade and teapot is too heavy", given when asked, had
    made all 3 mugs go back (its "and" read as "the teapot too")."""
    identity = new_identity()
    mugs_and_teapot(backend, identity)
    target = (await start(identity))[0][0]["value"]
    chosen = [{**RED_MUGS, "quantity": 2}, CAST_IRON]
    text = "mugs are the wrong shade and teapot is too heavy"
    entities = [found(text, "mugs", "category", value="Mugs"), found(text, "teapot", skus=TEAPOTS)]
    tracker = flow_tracker(identity, text, "product_info", "return_form", entities=entities,
                           slots={"target_order": target, "return_items": chosen, "requested_slot": "return_reason"})
    events = await ValidateReturnForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert SlotSet("return_reason", text) in events
    assert all(e["value"] == chosen for e in events if e["name"] == "return_items")


def reason_step(identity, target, text, intent, entities=None, chosen=None):
    slots = {"target_order": target, "return_items": chosen or [CAST_IRON], "requested_slot": "return_reason"}
    return flow_tracker(identity, text, intent, "return_form", entities=entities, slots=slots)


async def test_a_question_at_the_reason_step_is_answered_not_stored(backend):
    """care-61, care-44: "how long will the refund take?", "what? do i need a reason?" and "also
    return a french press" were stored as the reason."""
    identity = new_identity()
    mugs_and_teapot(backend, identity)
    target = (await start(identity))[0][0]["value"]
    for text, intent, response in (("how long will the refund take?", "refund_status", "utter_return_refund_when"),
                                   ("what? do i need a reason?", "out_of_scope", "utter_return_reason_why")):
        said = CollectingDispatcher()
        events = await ValidateReturnForm().run(said, reason_step(identity, target, text, intent), DOMAIN)
        assert [m["response"] for m in said.messages] == [response], text
        assert [e["value"] for e in events if e["name"] == "return_reason"] == [None], text  # asked again
    text = "also return a french press"
    said = CollectingDispatcher()
    events = await ValidateReturnForm().run(said, reason_step(identity, target, text, "refund_return_request", [
        found(text, "a", "quantity", implicit=True), found(text, "french press", skus=["BRW-FRP-800"], quantity=1)]),
        DOMAIN)
    assert [(m["response"], m.get("name")) for m in said.messages] == [("utter_return_item_not_in_order", "french press")]
    assert [e["value"] for e in events if e["name"] == "return_reason"] == [None]
    assert not any(e["name"] == "return_items" for e in events)  # the teapot still goes back
    # another request worded as a question: nothing taken, so its rule answers and the form asks again
    text = "where is my other order?"
    events = await ValidateReturnForm().run(CollectingDispatcher(), reason_step(identity, target, text, "track_order"),
                                            DOMAIN)
    assert not any(e["name"] == "return_reason" for e in events)


def add_to_return(backend, identity, number, reason, *lines):
    response = httpx.post(f"{backend.url}/api/v1/orders/{number}/return", headers={**BOT, "X-Channel-Identity": identity},
                          json={"reason": reason, "lines": [{"sku": sku, "quantity": q} for sku, q in lines]})
    assert response.status_code == 200, response.text


async def test_more_items_with_their_reason_or_the_same_reason_are_not_asked_why_again(backend):
    """care-01: "also one of the mugs has a chip, can i send that back as well" was asked "why?";
    care-03: "and the last mug also, same reason as the other mugs" too."""
    identity = new_identity()
    number = mugs_and_teapot(backend, identity)
    add_to_return(backend, identity, number, "too heavy", ("TEA-POT-CST", 1))
    text = "also one of the mugs has a chip, can i send that back as well"
    events, _ = await start(identity, text, [found(text, "one", "quantity"), found(text, "mugs", skus=ALL_MUGS, quantity=1)])
    assert SlotSet("return_items", [{"sku": "MUG-CER-RED", "name": "Ceramic Mug Red", "quantity": 1}]) in events
    assert SlotSet("return_reason", "one of the mugs has a chip") in events

    add_to_return(backend, identity, number, "mugs are the wrong shade", ("MUG-CER-RED", 2))  # "too heavy; mugs are …"
    text = "and the last mug also, same reason as the other mugs"
    events, _ = await start(identity, text, [found(text, "mug", skus=ALL_MUGS),
                                             found(text, "mugs", "category", value="Mugs")])
    assert SlotSet("return_items", [{"sku": "MUG-CER-RED", "name": "Ceramic Mug Red", "quantity": 1}]) in events
    assert SlotSet("return_reason", "mugs are the wrong shade") in events
    target = events[0]["value"]
    tracker = flow_tracker(identity, "same reason as the other mugs", "product_info", "return_form",
                           slots={"target_order": target, "requested_slot": "return_reason"})
    assert ValidateReturnForm().validate_return_reason("same reason as the other mugs", CollectingDispatcher(), tracker,
                                                       DOMAIN) == {"return_reason": "mugs are the wrong shade"}


async def test_never_mind_the_return_leaves_it(backend):
    """care-04: "ok never mind the return for now" had started a return ("What would you like to send back?")."""
    identity = new_identity()
    mugs_and_teapot(backend, identity)
    events, said = await start(identity, "ok never mind the return for now")
    assert [m["response"] for m in said.messages] == ["utter_nothing_to_stop"]
    assert FollowupAction("action_listen") in events and not any(e["name"] == "target_order" and e["value"]
                                                                 for e in events if e["event"] == "slot")
    target = (await start(identity))[0][0]["value"]
    said = CollectingDispatcher()
    events = await ValidateReturnForm().run(said, reason_step(identity, target, "forget the return, not now", "deny"),
                                            DOMAIN)
    assert [m["response"] for m in said.messages] == ["utter_stopped"]
    assert SlotSet("target_order", None) in events and ActiveLoop(None) in events


async def test_a_damaged_item_gets_an_apology_and_a_replacement_gets_the_team(backend):
    """care-07: "my french press arrived broken, glass is shattered" got a bare refund summary, and "i
    dont want refund i want a replacement" the same summary again, word for word."""
    identity = new_identity()
    number = order_of(backend, identity, "BRW-FRP-800")
    deliver(backend, identity, number)
    text = "my french press arrived broken, glass is shattered"
    events, _ = await start(identity, text, [found(text, "french press", skus=["BRW-FRP-800"]),
                                             found(text, "glass", skus=["GLS-TMB-SET", "GLS-DBW-2PC"])])
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot" and e["name"] != "requested_slot"}
    assert slots["return_reason"] == "my french press arrived broken, glass is shattered"
    summary = CollectingDispatcher()
    await ActionConfirmReturn().run(summary, tracker_for(identity, "", slots=slots), {})
    assert [m["response"] for m in summary.messages] == ["utter_return_sorry_faulty", "utter_confirm_return"]

    for text, intent in (("i dont want refund i want a replacement", "refund_return_request"),
                         ("no, can you send me a new one instead, the one i got is broken", "deny")):
        tracker = at_the_summary(identity, text, intent, "return_form", [], slots)
        if intent == "deny":  # the no's action hands it to the return form
            assert await ActionAnswerConfirmation().run(CollectingDispatcher(), tracker, {}) == [
                FollowupAction("return_form")]
        said = CollectingDispatcher()
        events = await ValidateReturnForm().run(said, tracker, DOMAIN)
        responses = [m["response"] for m in said.messages]
        assert responses[0] == "utter_return_replacement" and "utter_confirm_return" not in responses, text
        assert responses[1] in ("utter_complaint_ticket", "utter_ticket_already_open"), text
        assert SlotSet("pending_confirmation", "human_handoff") in events
        # a replacement chosen: the refund return lapses, "no" to a person doesn't ask it again (QA15 F9)
        assert SlotSet("paused_form", None) in events and SlotSet("paused_form", "return_form") not in events
        assert SlotSet("return_items", None) in events and SlotSet("return_reason", None) in events
        assert events[-1] == FollowupAction("action_listen")
    tickets = httpx.get(f"{backend.url}/api/v1/staff/tickets", headers=STAFF,
                        params={"conversation_id": identity}).json()["data"]
    assert [ticket["order_number"] for ticket in tickets] == [number]  # one ticket, about this order
    assert status_of(backend, identity, number) == "delivered"


async def test_the_apology_is_not_repeated_when_the_summary_comes_back(backend):
    identity = new_identity()
    mugs_and_teapot(backend, identity)
    target = (await start(identity))[0][0]["value"]
    slots = {"target_order": target, "return_items": [CAST_IRON], "return_reason": "the lid is cracked"}
    tracker = tracker_for(identity, "", slots=slots)
    tracker.events += [{"event": "bot", "text": "I'm sorry", "metadata": {"utter_action": "utter_return_sorry_faulty"}},
                       {"event": "bot", "text": "Shall I?", "metadata": {"utter_action": "utter_confirm_return_items"}}]
    again = CollectingDispatcher()
    await ActionConfirmReturn().run(again, tracker, {})
    assert [m["response"] for m in again.messages] == ["utter_confirm_return_items"]
    own_mistake = CollectingDispatcher()  # the customer's own doing: no apology
    await ActionConfirmReturn().run(own_mistake, tracker_for(identity, "", slots={
        **slots, "return_reason": "i ordered the wrong size"}), {})
    assert [m["response"] for m in own_mistake.messages] == ["utter_confirm_return_items"]


# QA after2's order: 3 white mugs and the glass teapot (€68.60, free shipping).
WHITE_MUG = {"sku": "MUG-CER-WHT", "name": "Ceramic Mug White"}
GLASS = {"sku": "TEA-POT-GLS", "name": "Glass Teapot with Infuser 1 L", "quantity": 1}


def white_mugs_and_teapot(backend, identity):
    httpx.post(f"{backend.url}/api/v1/staff/products/MUG-CER-WHT/restock", headers=STAFF,
               json={"quantity": 4, "note": "tests/actions returns"}).raise_for_status()
    return delivered(backend, identity, ("MUG-CER-WHT", 3), ("TEA-POT-GLS", 1))


async def test_the_items_said_again_at_the_returns_summary_stay_in_the_return(backend):
    """after2-431: at the summary of 1 white mug and the teapot, "no!! i want to RETURN 1 white mug not
    buy" went to checkout and a "yes" made a pending order holding stock; after2-430: "no only 2 mugs
    not 3" at the summary of 2 mugs and the teapot asked "Which mug would you like?"."""
    from actions.catalogue import ActionShowProducts
    from actions.ordering import ValidateOrderForm
    from actions.return_continuations import continues_a_return
    identity = new_identity()
    number = white_mugs_and_teapot(backend, identity)
    target = (await start(identity))[0][0]["value"]
    slots = {"target_order": target, "return_items": [{**WHITE_MUG, "quantity": 1}, GLASS],
             "return_reason": "mugs are wrong shade"}
    text = "no!! i want to RETURN 1 white mug not buy"
    entities = [found(text, "1", "quantity"), found(text, "white mug", skus=["MUG-CER-WHT"], quantity=1)]
    # the order form hands it on ("not buy" is no purchase), a no or an item change too
    assert continues_a_return(at_the_summary(identity, text, "place_order", "order_form", entities, slots))
    ordered = at_the_summary(identity, text, "place_order", "order_form", entities, slots)
    ordered.active_loop = {}
    assert await ValidateOrderForm().run(CollectingDispatcher(), ordered, DOMAIN) == [
        SlotSet("requested_slot", None), FollowupAction("return_form")]
    no = at_the_summary(identity, text, "deny", "order_form", entities, slots)
    assert await ActionAnswerConfirmation().run(CollectingDispatcher(), no, {}) == [FollowupAction("return_form")]
    change = at_the_summary(identity, text, "change_order", "change_order_form", entities, slots)
    assert await ValidateChangeOrderForm().run(CollectingDispatcher(), change, DOMAIN) == [
        SlotSet("requested_slot", None), FollowupAction("return_form")]
    # the return form: the same items, "not buy" is no reason, so its summary comes again
    said = CollectingDispatcher()
    events = await ValidateReturnForm().run(said, at_the_summary(
        identity, text, "place_order", "return_form", entities, slots), DOMAIN)
    assert said.messages == [] and not any(
        e["value"] != slots[e["name"]] for e in events if e.get("name") in ("return_items", "return_reason"))
    assert not any(e.get("name") == "requested_slot" and e["value"] for e in events)

    text = "no only 2 mugs not 3"  # the summary already holds 2: said again, not a purchase
    two = {**slots, "return_items": [{**WHITE_MUG, "quantity": 2}, GLASS]}
    entities = [found(text, "2", "quantity"), found(text, "mugs", skus=ALL_MUGS, quantity=2)]
    shown = await ActionShowProducts().run(CollectingDispatcher(), at_the_summary(
        identity, text, "product_info", "order_form", entities, two), DOMAIN)
    assert {e.get("name") for e in shown if e["event"] == "followup"} <= {"order_form", "return_form"}, shown
    ordering = at_the_summary(identity, text, "place_order", "order_form", entities, two)
    ordering.active_loop = {}
    assert await ValidateOrderForm().run(CollectingDispatcher(), ordering, DOMAIN) == [
        SlotSet("requested_slot", None), FollowupAction("return_form")]
    buying = at_the_summary(identity, "i also want to buy 2 white mugs", "place_order", "order_form",
                            [found("i also want to buy 2 white mugs", "white mugs", skus=["MUG-CER-WHT"], quantity=2)],
                            two)
    assert not continues_a_return(buying)  # a purchase in so many words is one

    await ActionAnswerConfirmation().run(CollectingDispatcher(), confirmation(
        identity, "affirm", "action_confirm_return", {**slots, "pending_confirmation": "return_order"}), {})
    assert returning(backend, identity, number) == {"MUG-CER-WHT": 1, "TEA-POT-GLS": 1}
    assert orders_of(backend, identity) == [(number, "return_requested")]  # no order was started


async def test_a_return_asked_about_while_changing_the_address_of_an_order_on_its_way_is_refused(backend):
    """after2-90: "how do i send it back" while changing the address of a confirmed order ran the whole
    return form on it and ended in the backend's "An order that is 'confirmed' cannot become
    'return_requested'. Allowed next: …"."""
    from tests.actions.test_change_order import order_view_of
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    httpx.post(f"{backend.url}/api/v1/orders/{number}/confirm",
               headers={**BOT, "X-Channel-Identity": identity}).raise_for_status()
    target = order_view_of(backend, identity, number)
    tracker = flow_tracker(identity, "how do i send it back", "refund_return_request", "change_address_form",
                           slots={"target_order": target, "requested_slot": "new_shipping_address",
                                  "order_id": number})
    said = CollectingDispatcher()
    events = await ValidateReturnForm().run(said, tracker, DOMAIN)
    assert [m["response"] for m in said.messages] == ["utter_return_not_delivered"]  # cancelling is offered
    assert SlotSet("requested_slot", None) in events
    assert not any(e.get("name") == "return_items" and e["value"] for e in events)
    # a summary or a yes that still comes with such an order says why, never the backend's words
    slots = {"target_order": target, "return_items": [{"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue",
                                                       "quantity": 1}], "return_reason": "dont need them"}
    summary = CollectingDispatcher()
    events = await ActionConfirmReturn().run(summary, tracker_for(identity, "", slots=slots), {})
    assert [m["response"] for m in summary.messages] == ["utter_return_not_delivered"]
    assert SlotSet("pending_confirmation", "cancel_order") in events  # "I can cancel it instead": its yes asks
    answer = CollectingDispatcher()
    events = await ActionAnswerConfirmation().run(answer, confirmation(
        identity, "affirm", "action_confirm_return", {**slots, "pending_confirmation": "return_order"}), {})
    assert [m["response"] for m in answer.messages] == ["utter_return_not_delivered"]
    assert SlotSet("pending_confirmation", "cancel_order") in events and SlotSet("order_id", number) in events
    assert status_of(backend, identity, number) == "confirmed"


async def test_only_damage_or_a_wrong_item_sent_gets_the_apology(backend):
    """after2-430/431: "wrong shade" and "too heavy" got the faulty-item apology promising a free return;
    after2-96: "the infuser is rusty" got none; after2-432: "too big for me" was stored as "big for me"."""
    identity = new_identity()
    mugs_and_teapot(backend, identity)
    target = (await start(identity))[0][0]["value"]
    faulty, wrong = "utter_return_sorry_faulty", "utter_return_sorry_wrong_item"
    for reason, sorry in (("mugs are wrong shade", None), ("mugs are the wrong shade and teapot is too heavy", None),
                          ("too big for me", None), ("i ordered the wrong size", None), ("wrong colour", None),
                          ("the infuser is rusty", faulty), ("its chipped", faulty), ("the filters tore", faulty),
                          ("you sent me green mugs instead of blue ones", wrong), ("wrong item received", wrong),
                          ("ordered blue but these are green", wrong)):
        said = CollectingDispatcher()
        await ActionConfirmReturn().run(said, tracker_for(identity, "", slots={
            "target_order": target, "return_items": [CAST_IRON], "return_reason": reason}), {})
        note = ["utter_return_wrong_item_note"] if sorry == wrong else []
        assert [m["response"] for m in said.messages] == ([sorry] if sorry else []) + note + [
            "utter_confirm_return_items"], reason
    tracker = reason_step(identity, target, "too big for me", "inform")
    assert ValidateReturnForm().validate_return_reason("too big for me", CollectingDispatcher(), tracker, DOMAIN) == {
        "return_reason": "too big for me"}
    # a return left with "stop" is over: the next one's chip is apologised for again (after2-434)
    tracker = tracker_for(identity, "", slots={"target_order": target, "return_items": [CAST_IRON],
                                               "return_reason": "its chipped"})
    tracker.events += [{"event": "bot", "text": "I'm sorry", "metadata": {"utter_action": faulty}},
                       {"event": "bot", "text": "Shall I?", "metadata": {"utter_action": "utter_confirm_return_items"}},
                       {"event": "bot", "text": "Stopped", "metadata": {"utter_action": "utter_stopped"}}]
    again = CollectingDispatcher()
    await ActionConfirmReturn().run(again, tracker, {})
    assert [m["response"] for m in again.messages] == [faulty, "utter_confirm_return_items"]


async def test_a_wrong_item_sent_is_a_return_with_an_apology_not_a_purchase(backend):
    """after2-66: "you sent me green mugs instead of blue ones" was refused as an item change and "wrong
    item received" got no apology; after2-68: "i got the wrong colour mugs, ordered blue but these are
    green" started a purchase."""
    from actions.ordering import ValidateOrderForm
    identity = new_identity()
    number = delivered(backend, identity, ("MUG-CER-BLU", 2))
    sent = "you sent me green mugs instead of blue ones"
    green = [found(sent, "green mugs", skus=["MUG-CER-GRN"])]
    colour = "i got the wrong colour mugs, ordered blue but these are green"
    mugs = [found(colour, "mugs", "category", value="Mugs")]
    for text, entities in ((sent, green), (colour, mugs)):
        ordering = flow_tracker(identity, text, "place_order", "order_form", entities)
        ordering.active_loop = {}
        assert await ValidateOrderForm().run(CollectingDispatcher(), ordering, DOMAIN) == [
            SlotSet("requested_slot", None), FollowupAction("return_form")], text

    events, said = await start(identity, sent, green)
    assert [m["response"] for m in said.messages] == ["utter_return_sorry_wrong_item"]  # then "which go back?"
    assert SlotSet("return_reason", sent) in events and not any(e.get("name") == "return_items" for e in events)
    events, said = await start(identity, colour, mugs)
    assert [m["response"] for m in said.messages] == ["utter_return_sorry_wrong_item"]
    assert SlotSet("return_items", [{"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 2}]) in events
    reason = [e["value"] for e in events if e.get("name") == "return_reason"][-1]
    assert reason == "ordered blue but these are green"
    events, said = await start(identity, "wrong item received")
    assert [m["response"] for m in said.messages] == ["utter_return_sorry_wrong_item"]
    assert SlotSet("return_reason", "wrong item received") in events
    # the summary that follows doesn't say sorry twice
    summary = CollectingDispatcher()
    tracker = tracker_for(identity, "", slots={"target_order": events[0]["value"], "return_reason": reason,
                                               "return_items": [{"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue",
                                                                 "quantity": 2}]})
    tracker.events += [{"event": "bot", "text": "I'm sorry", "metadata": {"utter_action": "utter_return_sorry_wrong_item"}}]
    await ActionConfirmReturn().run(summary, tracker, {})
    assert [m["response"] for m in summary.messages] == ["utter_return_wrong_item_note", "utter_confirm_return"]
    assert status_of(backend, identity, number) == "delivered"


async def test_a_registered_return_is_withdrawn_after_a_yes(backend):
    """after2-94: "actually cancel my return, i'll keep them" answered "No problem" and the return stayed;
    after2-95: "i changed my mind, i dont want to return it anymore" asked what else goes back."""
    from actions.return_withdrawal import answer_withdrawal, withdraws_a_return
    identity = new_identity()
    number = delivered(backend, identity, ("MUG-CER-BLU", 2), ("TEA-POT-GLS", 1))
    request_return_of(backend, identity, number, ("MUG-CER-BLU", 2))
    for text in ("actually cancel my return, i'll keep them", "i changed my mind, i dont want to return it anymore",
                 "can you withdraw the return request?"):
        events, said = await start(identity, text)
        assert [m["response"] for m in said.messages] == ["utter_confirm_return_withdrawal"], text
        assert (said.messages[0]["items"], said.messages[0]["amount"]) == ("2 × Ceramic Mug Blue", "€25.80")
        assert SlotSet("pending_confirmation", "withdraw_return") in events and ActiveLoop(None) in events
        assert events[-1] == FollowupAction("action_listen")
    assert not withdraws_a_return("i want to return the mugs, i don't want to send back the teapot")
    assert status_of(backend, identity, number) == "return_requested"  # nothing before the yes

    slots = {"target_order": next(e["value"] for e in events if e.get("name") == "target_order"),
             "pending_confirmation": "withdraw_return"}
    kept = CollectingDispatcher()
    await answer_withdrawal(kept, tracker_for(identity, "no", slots=slots), False)
    assert [m["response"] for m in kept.messages] == ["utter_return_withdrawal_kept"]
    assert status_of(backend, identity, number) == "return_requested"
    # the yes as it comes: through action_answer_confirmation, right after the question
    yes = tracker_for(identity, "yes", slots=slots)
    yes.latest_message["intent"] = {"name": "affirm", "confidence": 0.99}
    yes.events = [{"event": "action", "name": "return_form"},
                  {"event": "bot", "text": "Shall I withdraw the return …?",
                   "metadata": {"utter_action": "utter_confirm_return_withdrawal"}},
                  {"event": "action", "name": "action_listen"},
                  {"event": "user", "text": "yes", "parse_data": {"intent": {"name": "affirm"}}},
                  {"event": "action", "name": "action_extract_slots"}]
    done = CollectingDispatcher()
    events = await ActionAnswerConfirmation().run(done, yes, {})
    assert [m["response"] for m in done.messages] == ["utter_return_withdrawn"]
    assert SlotSet("pending_confirmation", None) in events
    assert status_of(backend, identity, number) == "delivered" and returning(backend, identity, number) == {}

    # "cancel my return" read as a stop, nothing under way: the return form asks about it
    stop = tracker_for(identity, "cancel my return")
    stop.latest_message["intent"] = {"name": "stop", "confidence": 0.9}
    assert (await ActionStop().run(CollectingDispatcher(), stop, DOMAIN))[-1] == FollowupAction("return_form")
    events, said = await start(identity, "cancel my return")  # none on its way now: said so
    assert [m["response"] for m in said.messages] == ["utter_no_return_to_withdraw"]
    request_return_of(backend, identity, number, ("TEA-POT-GLS", 1))
    staff_move(backend, number, "returned")
    events, said = await start(identity, "pls cancel the return, i'll keep it")  # the items reached us
    assert [m["response"] for m in said.messages] == ["utter_return_withdrawal_too_late"]
    assert status_of(backend, identity, number) == "returned"


async def test_which_order_asked_at_the_reason_prompt_is_answered_not_stored(backend):
    """t2 QA M2: "wait which order is that" at "Why are you sending it back?" became the reason, and
    "hmm what order is this about?" started a new order: the order and what it holds are said, and
    the reason is asked again."""
    identity = new_identity()
    number = delivered(backend, identity, ("MUG-CER-BLU", 1), ("TEA-POT-GLS", 1))
    events, _ = await start(identity, "i want to return the teapot", named("i want to return the teapot", "teapot", TEAPOTS))
    target = events[0]["value"]
    slots = {"target_order": target, "return_items": [GLASS], "requested_slot": "return_reason"}
    for text, intent in (("wait which order is that", "track_order"), ("hmm what order is this about?", "place_order")):
        said = CollectingDispatcher()
        events = await ValidateReturnForm().run(said, flow_tracker(identity, text, intent, "return_form", slots=slots), DOMAIN)
        assert events == [SlotSet("return_reason", None)], text
        assert [(m["response"], m["number"], m["total"]) for m in said.messages] == [
            ("utter_order_contents", number, "€50.70")], text
        assert said.messages[0]["lines"] == "• 1 × Ceramic Mug Blue\n• 1 × Glass Teapot with Infuser 1 L"
    # a reason that mentions what was ordered is still the reason
    reason = "not what i ordered, the glass is thinner"
    events = await ValidateReturnForm().run(CollectingDispatcher(), flow_tracker(
        identity, reason, "complaint", "return_form", slots=slots), DOMAIN)
    assert events == [SlotSet("return_reason", reason)]


async def test_a_reason_said_after_the_request_is_not_asked_again(backend):
    """t2 QA m4: "i want to return my order, it doesnt fit my kitchen" and "ok i want to return the
    teapot after all, it's too heavy" were asked "Why are you sending it back?"."""
    identity = new_identity()
    delivered(backend, identity, ("MUG-CER-BLU", 1), ("TEA-POT-GLS", 1))
    events, _ = await start(identity, "i want to return my order, it doesnt fit my kitchen")
    assert SlotSet("return_reason", "it doesnt fit my kitchen") in events  # kept while the items are asked
    assert not any(e.get("name") == "return_items" for e in events)
    text = "ok i want to return the teapot after all, it's too heavy"
    events, _ = await start(identity, text, named(text, "teapot", TEAPOTS))
    assert SlotSet("return_items", [GLASS]) in events and SlotSet("return_reason", "it's too heavy") in events
    for text in ("i want to return my order, which one is it?", "i want to return my order, the one from last week"):
        events, _ = await start(identity, text)
        assert not any(e.get("name") == "return_reason" for e in events), text


async def test_a_registered_return_is_withdrawn_however_it_is_asked(backend):
    """t2 QA M1: "actually cancel my return, I'll keep it", "i want to withdraw my return", "cancel the
    return for OB-…", "i dont want to return the scale anymore, ill keep it" and "/withdraw_return"
    said "No problem" or "already registered" (the form, active as Rasa validates its activation, took
    them for leaving a return being made); once the items reached us it is too late, and said so."""
    identity = new_identity()
    number = delivered(backend, identity, ("MUG-CER-BLU", 1), ("TEA-POT-GLS", 1))
    request_return_of(backend, identity, number, ("MUG-CER-BLU", 1), ("TEA-POT-GLS", 1))
    teapot = "i dont want to return the teapot anymore, ill keep it"
    for text, entities in (("actually cancel my return, I'll keep it", None), ("i want to withdraw my return", None),
                           (f"cancel the return for {number}", None), ("/withdraw_return", None)):
        events, said = await start(identity, text, entities)
        assert [m["response"] for m in said.messages] == ["utter_confirm_return_withdrawal"], text
        assert said.messages[0]["number"] == number, text
        assert SlotSet("pending_confirmation", "withdraw_return") in events, text
    # the teapot kept: only the teapot comes out of the return, the mug still goes back (qa16)
    _, said = await start(identity, teapot, named(teapot, "teapot", TEAPOTS))
    assert [m["response"] for m in said.messages] == ["utter_return_rest_stays", "utter_confirm_return_withdrawal"]
    assert said.messages[1]["items"] == "1 × Glass Teapot with Infuser 1 L"
    # read as a stop with an earlier question left open ("which one?" after "my other order")
    stop = tracker_for(identity, "i want to withdraw my return", slots={"requested_info": "order_id", "order_task": "track"})
    stop.latest_message["intent"] = {"name": "stop", "confidence": 0.9}
    assert await ActionStop().run(CollectingDispatcher(), stop, DOMAIN) == [
        SlotSet("requested_info", None), SlotSet("order_task", None), FollowupAction("return_form")]
    # while a new return's reason is asked, "cancel my return" still leaves that one
    slots = {"target_order": {"number": number}, "requested_slot": "return_reason"}
    said = CollectingDispatcher()
    await ValidateReturnForm().run(said, flow_tracker(identity, "cancel my return", "stop", "return_form", slots=slots), DOMAIN)
    assert [m["response"] for m in said.messages] == ["utter_stopped"]

    slots = {"target_order": next(e["value"] for e in events if e.get("name") == "target_order"),
             "pending_confirmation": "withdraw_return"}
    yes = confirmation(identity, "affirm", "return_form", slots)
    yes.events[1]["metadata"] = {"utter_action": "utter_confirm_return_withdrawal"}
    done = CollectingDispatcher()
    await ActionAnswerConfirmation().run(done, yes, {})
    assert [m["response"] for m in done.messages] == ["utter_return_withdrawn"]
    assert status_of(backend, identity, number) == "delivered" and returning(backend, identity, number) == {}

    request_return_of(backend, identity, number, ("MUG-CER-BLU", 1))
    staff_move(backend, number, "returned")
    events, said = await start(identity, "actually i want to keep them, cancel the return")
    assert [m["response"] for m in said.messages] == ["utter_return_withdrawal_too_late"]
    staff_move(backend, number, "refunded", refund_minor=1190)
    events, said = await start(identity, "i want to withdraw my return")
    assert [m["response"] for m in said.messages] == ["utter_return_withdrawal_refunded"]
    assert status_of(backend, identity, number) == "refunded"


async def test_no_to_adding_to_a_registered_return_keeps_that_return(backend, dispatcher):
    """after2-96: "no" to adding the filters said "I haven't registered a return", though the infuser's was."""
    identity = new_identity()
    number = delivered(backend, identity, ("MUG-CER-BLU", 2), ("TEA-POT-GLS", 1))
    request_return_of(backend, identity, number, ("MUG-CER-BLU", 1))
    target = (await start(identity))[0][0]["value"]
    slots = {"target_order": target, "return_items": [GLASS], "return_reason": "too heavy",
             "pending_confirmation": "return_order"}
    await ActionAnswerConfirmation().run(dispatcher, confirmation(identity, "deny", "action_confirm_return", slots), {})
    assert [(m["response"], m["returning"]) for m in dispatcher.messages] == [
        ("utter_return_more_not_added", "1 × Ceramic Mug Blue")]
    assert returning(backend, identity, number) == {"MUG-CER-BLU": 1}


async def test_how_returns_work_is_answered_not_started_as_a_return(backend):
    """"do i get a return label", "where do i send the return to" (read as a return request) had
    asked "Which order is it?" or got "Sorry, I didn't get that" over and over."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    deliver(backend, identity, number)
    for text in ("do i get a return label", "who pays for the return postage?", "where do i send the return to?",
                 "is return pickup available from my home"):
        events, said = await start(identity, text)
        assert [m["response"] for m in said.messages] == ["utter_faq/refund_policy"], text
        assert ActiveLoop(None) in events and FollowupAction("action_listen") in events, text
    # a plain request is still a return
    events, said = await start(identity, "i want to send it back")
    assert "utter_faq/refund_policy" not in [m.get("response") for m in said.messages]


async def test_a_wrong_item_asked_about_as_a_change_gets_the_apology_and_the_right_ones_go_through_the_team(backend):
    """t4 M8: "you've sent me two white mugs instead of the red ones I ordered. What can be done?" (read
    as a change) was refused as "already delivered, so its items and address can't be changed", and
    "I'd rather have the right ones sent please" (the bot's own suggestion after the apology) started a
    new order. The first is the return with the apology, the second the replacement through the team."""
    from actions.ordering import ValidateOrderForm
    identity = new_identity()
    httpx.post(f"{backend.url}/api/v1/staff/products/MUG-CER-RED/restock", headers=STAFF,
               json={"quantity": 2, "note": "tests/actions returns"}).raise_for_status()
    number = delivered(backend, identity, ("MUG-CER-RED", 2))
    text = "you've sent me two white mugs instead of the red ones I ordered. What can be done?"
    entities = [found(text, "two", "quantity", value="2"),
                found(text, "white mugs", value="Ceramic Mug White", skus=["MUG-CER-WHT"], quantity=2)]
    change = flow_tracker(identity, text, "change_order", "change_order_form", entities)
    change.active_loop = {}
    said = CollectingDispatcher()
    assert await ValidateChangeOrderForm().run(said, change, DOMAIN) == [
        SlotSet("requested_slot", None), FollowupAction("return_form")]
    assert said.messages == []
    events, said = await start(identity, text, entities)
    assert [m["response"] for m in said.messages] == ["utter_return_sorry_wrong_item"]
    target = next(e["value"] for e in events if e.get("name") == "target_order")
    assert target["number"] == number and SlotSet("return_reason", text.rstrip("?")) in events
    assert not any(e.get("name") == "return_items" for e in events)  # then "what goes back?"
    # "What would you like to send back?" then the right ones asked for, read as a new order or not
    for wording, intent in (("I'd rather have the right ones sent please", "place_order"),
                            ("id rather have the right ones sent", "nlu_fallback")):
        history = [{"event": "bot", "text": "I'm sorry …", "metadata": {"utter_action": "utter_return_sorry_wrong_item"}},
                   {"event": "bot", "text": "What would you like to send back?",
                    "metadata": {"utter_action": "utter_ask_return_items"}},
                   {"event": "action", "name": "action_listen"}, {"event": "user", "text": wording}]
        if intent == "place_order":  # the order form it started hands it back to the return
            ordering = flow_tracker(identity, wording, intent, "order_form")
            ordering.active_loop, ordering.events = {}, history
            assert await ValidateOrderForm().run(CollectingDispatcher(), ordering, DOMAIN) == [
                SlotSet("requested_slot", None), FollowupAction("return_form")], wording
        tracker = flow_tracker(identity, wording, intent, "return_form",
                               slots={"target_order": target, "requested_slot": "return_items", "return_reason": text})
        tracker.events = history + tracker.events
        said = CollectingDispatcher()
        events = await ValidateReturnForm().run(said, tracker, DOMAIN)
        responses = [m["response"] for m in said.messages]
        assert responses[0] == "utter_return_replacement", wording
        assert responses[1] in ("utter_complaint_ticket", "utter_ticket_already_open"), wording
        assert SlotSet("pending_confirmation", "human_handoff") in events, wording
    assert orders_of(backend, identity) == [(number, "delivered")]  # no new order, nothing returned yet


async def test_a_kind_named_in_the_return_picks_the_order_holding_it(backend):
    """"i want to return the mugs, too small" with a newer delivered french press order registered
    the french press's return (the mugs are a kind, not a product, to the NLU)."""
    identity = new_identity()
    mugs = delivered(backend, identity, ("MUG-CER-GRN", 2))
    delivered(backend, identity, ("BRW-FRP-800", 1))
    text = "i want to return the mugs, too small"
    at = text.index("mugs")
    events, _ = await start(identity, text, [{"entity": "category", "value": "Mugs", "start": at, "end": at + 4}])
    target = next(e["value"] for e in events if e.get("name") == "target_order")
    assert target["number"] == mugs
