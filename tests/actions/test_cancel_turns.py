"""Cancelling over several turns of one conversation, against a real backend. "cancel all my
orders": each order that can still be cancelled is asked about in turn, a "no" keeps that one and
goes on to the next, the orders past cancelling are named with why, and once the run ends (or the
customer leaves it) none of its orders is asked about again. Around the question: "why not??" after
a refusal, "what? no", a yes with its reason read as a new cancel, a side question answered and the
question asked again."""
from __future__ import annotations

import string

import httpx
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation, ActionCancelOrder
from tests.actions.test_cancel import status_of
from tests.actions.test_change_order import DOMAIN
from tests.actions.test_orders import STAFF, new_identity, ship, tracker_for
from tests.actions.test_replacements import placed_order


class _Blank(dict):
    def __missing__(self, key):
        return ""


def spoken(message: dict) -> dict:
    """A message of the dispatcher as Rasa stores it: the response's text filled in, its name as metadata."""
    name = message.get("response")
    if not name:  # said again as it was: text and buttons, no response name
        return {"event": "bot", "text": message.get("text"), "data": {"buttons": message.get("buttons") or []},
                "metadata": {}}
    template = DOMAIN["responses"][name][0]
    text = string.Formatter().vformat(template.get("text", ""), (), _Blank(message))
    return {"event": "bot", "text": text, "data": {"buttons": template.get("buttons") or []},
            "metadata": {"utter_action": name}}


class Chat:
    """One customer's conversation: each message is run through an action, and what the bot said
    (and the slots it set) is kept as the conversation's events, as Rasa keeps them."""

    def __init__(self, identity: str):
        self.identity, self.events, self.slots = identity, [], {}

    async def say(self, text: str, intent: str, action=ActionAnswerConfirmation, tracker_hook=None) -> list:
        tracker = tracker_for(self.identity, text, slots=dict(self.slots))
        tracker.latest_message["intent"] = {"name": intent, "confidence": 0.9}
        tracker.events = self.events + [{"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}},
                                        {"event": "action", "name": "action_extract_slots"}]
        if tracker_hook:
            tracker_hook(tracker)
        dispatcher = CollectingDispatcher()
        runner = action()
        events = await (runner.run(dispatcher, tracker, DOMAIN) if tracker_hook else runner.run(dispatcher, tracker, {}))
        self.events = tracker.events + [{"event": "action", "name": runner.name()}] + [
            spoken(m) for m in dispatcher.messages] + [{"event": "action", "name": "action_listen"}]
        self.slots.update({e["name"]: e["value"] for e in events if e.get("event") == "slot"})
        return [(m.get("response") or m.get("text"), m.get("number")) for m in dispatcher.messages]


def deliver(backend, identity: str, number: str) -> None:
    ship(backend, identity, number)
    httpx.post(f"{backend.url}/api/v1/staff/orders/{number}/transition", headers=STAFF,
               json={"status": "delivered"}).raise_for_status()


async def test_a_no_in_cancel_all_goes_on_to_the_next_and_the_run_is_then_forgotten(backend):
    """t2 M5: three open orders, "cancel all my orders", "no not that one": the others were never
    asked about; later, "i want to return the french press" → "I can cancel it instead" → yes →
    yes cancelled it and asked again about the order just kept (a quick yes would cancel it)."""
    from actions.returns import ValidateReturnForm

    identity = new_identity()
    press = placed_order(backend, identity, [("BRW-FRP-800", 1)])
    mugs = placed_order(backend, identity, [("MUG-CER-WHT", 2)])
    caddy = placed_order(backend, identity, [("TEA-CAD-TIN", 1)])
    chat = Chat(identity)
    assert await chat.say("cancel all my orders", "cancel_order", ActionCancelOrder) == [("utter_confirm_cancel", caddy)]
    assert await chat.say("no not that one", "deny") == [("utter_cancel_kept", caddy), ("utter_confirm_cancel", mugs)]
    # the customer leaves the run: a return of the french press, which can be cancelled instead
    def as_the_return_form(tracker):
        tracker.active_loop = {}
        tracker.latest_message["entities"] = [{"entity": "product", "value": "french press", "skus": ["BRW-FRP-800"],
                                               "start": 21, "end": 33}]
    said = await chat.say("i want to return the french press", "refund_return_request", ValidateReturnForm,
                          tracker_hook=as_the_return_form)
    assert said == [("utter_return_not_delivered", press)]
    assert await chat.say("yes", "affirm") == [("utter_confirm_cancel", press)]
    assert await chat.say("yes", "affirm") == [("utter_order_cancelled", press)]  # and nothing more asked
    assert chat.slots["pending_confirmation"] is None
    assert [status_of(backend, identity, n) for n in (press, mugs, caddy)] == ["cancelled", "confirmed", "confirmed"]


async def test_cancel_all_asks_each_once_and_names_those_past_cancelling(backend):
    """t2 m7: with a shipped and a delivered order beside open ones, only the open ones were asked
    about and the others never mentioned. Each open one is asked once, yes or no, then it ends."""
    identity = new_identity()
    delivered = placed_order(backend, identity, [("MUG-CER-RED", 1)], confirmed=False)
    deliver(backend, identity, delivered)
    shipped = placed_order(backend, identity, [("BRW-FLT-100", 1)], confirmed=False)
    ship(backend, identity, shipped)
    older = placed_order(backend, identity, [("TEA-CAD-TIN", 1)])
    newest = placed_order(backend, identity, [("MUG-CER-WHT", 1)])
    chat = Chat(identity)
    assert await chat.say("pls cancel all my orders", "cancel_order", ActionCancelOrder) == [
        ("utter_cannot_cancel_shipped", shipped), ("utter_cannot_cancel_delivered", delivered),
        ("utter_confirm_cancel", newest)]
    assert await chat.say("yes", "affirm") == [("utter_order_cancelled", newest), ("utter_confirm_cancel", older)]
    assert await chat.say("nope keep that one", "deny") == [("utter_cancel_kept", older)]
    assert chat.slots["pending_confirmation"] is None
    assert [status_of(backend, identity, n) for n in (newest, older)] == ["cancelled", "confirmed"]
    # a later "cancel my order" is a cancel of its own: the kept order, asked about once
    assert await chat.say("cancel my order", "cancel_order", ActionCancelOrder) == [("utter_confirm_cancel", older)]
    assert await chat.say("no", "deny") == [("utter_cancel_kept", older)]


async def test_cancel_all_with_none_left_to_cancel_says_why_for_each(backend):
    identity = new_identity()
    delivered = placed_order(backend, identity, [("MUG-CER-RED", 1)], confirmed=False)
    deliver(backend, identity, delivered)
    shipped = placed_order(backend, identity, [("BRW-FLT-100", 1)], confirmed=False)
    ship(backend, identity, shipped)
    chat = Chat(identity)
    assert await chat.say("cancel both my orders", "cancel_order", ActionCancelOrder) == [
        ("utter_cannot_cancel_shipped", shipped), ("utter_cannot_cancel_delivered", delivered)]
    assert chat.slots["pending_confirmation"] is None


async def test_cancel_both_is_not_the_other_one(backend):
    """"both" is no "the other one": right after an order was talked about, "cancel both my orders"
    starts with the newest, not with the one not talked about."""
    identity = new_identity()
    older = placed_order(backend, identity, [("TEA-CAD-TIN", 1)])
    newest = placed_order(backend, identity, [("MUG-CER-WHT", 1)])
    chat = Chat(identity)
    chat.slots["order_id"] = newest
    assert await chat.say("cancel both my orders", "cancel_order", ActionCancelOrder) == [("utter_confirm_cancel", newest)]
    assert await chat.say("yes", "affirm") == [("utter_order_cancelled", newest), ("utter_confirm_cancel", older)]
    assert await chat.say("yes", "affirm") == [("utter_order_cancelled", older)]


async def test_why_not_after_a_refusal_says_why_again_and_offers_a_person(backend):
    """t2 m3: "cancel it" → "… has already shipped, so it can't be cancelled" → "why not??" (read as a
    yes) had got "Okay."."""
    identity = new_identity()
    number = placed_order(backend, identity, [("MUG-CER-BLU", 1)], confirmed=False)
    ship(backend, identity, number)
    chat = Chat(identity)
    assert await chat.say("cancel my order pls", "cancel_order", ActionCancelOrder) == [
        ("utter_cannot_cancel_shipped", number)]
    [(again, _), offer] = await chat.say("why not??", "affirm")
    assert number in again and "has already shipped" in again and "return it within 30 days" in again
    assert offer == ("utter_offer_a_person", None) and chat.slots["pending_confirmation"] == "human_handoff"
    assert status_of(backend, identity, number) == "shipped"


async def test_what_no_at_the_cancel_question_is_a_no(backend):
    """t2 m8: "what? no" was taken as unsure ("Nothing has happened yet…") and asked again."""
    identity = new_identity()
    number = placed_order(backend, identity, [("MUG-CER-BLU", 1)])
    chat = Chat(identity)
    assert await chat.say("cancel my order", "cancel_order", ActionCancelOrder) == [("utter_confirm_cancel", number)]
    assert await chat.say("what? no", "affirm") == [("utter_cancel_kept", number)]
    assert status_of(backend, identity, number) == "confirmed"


async def test_a_yes_with_its_reason_read_as_a_cancel_cancels_and_keeps_the_reason(backend):
    """t2 m9: "hmm idk" → asked again → "ok yes cancel it, found it cheaper elsewhere" (read as a
    new cancel) only got the question again, without a word why."""
    identity = new_identity()
    number = placed_order(backend, identity, [("MUG-CER-BLU", 1)])
    chat = Chat(identity)
    question = await chat.say("cancel my order", "cancel_order", ActionCancelOrder)
    assert question == [("utter_confirm_cancel", number)]
    unsure = await chat.say("hmm idk", "affirm")
    assert unsure[0] == ("utter_yes_or_no_first", None) and number in unsure[1][0]
    said = await chat.say("ok yes cancel it, found it cheaper elsewhere", "cancel_order", ActionCancelOrder)
    assert said == [("utter_order_cancelled", number)]
    staff = httpx.get(f"{backend.url}/api/v1/staff/orders/{number}", headers=STAFF).json()
    assert staff["status"] == "cancelled" and staff["cancel_reason"] == "customer: found it cheaper elsewhere"


async def test_a_side_question_at_the_cancel_question_is_answered_and_the_question_asked_again(backend):
    """t2 m10: "how long does that take" (the refund, just explained) got the order's status, and
    the cancel question was dropped; "when will it arrive" is about the order."""
    from actions.orders import ActionDeliveryTime
    from actions.refunds import ActionRefundStatus

    identity = new_identity()
    number = placed_order(backend, identity, [("MUG-CER-BLU", 1)])
    chat = Chat(identity)
    assert await chat.say("cancel my order", "cancel_order", ActionCancelOrder) == [("utter_confirm_cancel", number)]
    assert await chat.say("will i get my money back?", "refund_status", ActionRefundStatus) == [
        ("utter_cancel_refund", number), ("utter_confirm_cancel", number)]
    assert await chat.say("how long does that take", "delivery_time", ActionDeliveryTime) == [
        ("utter_cancel_refund", number), ("utter_confirm_cancel", number)]
    assert await chat.say("and when will it arrive", "delivery_time", ActionDeliveryTime) == [
        ("utter_order_status_confirmed", number), ("utter_confirm_cancel", number)]
    assert await chat.say("ok go ahead", "affirm") == [("utter_order_cancelled", number)]
    assert status_of(backend, identity, number) == "cancelled"


def naming(*entities):
    """A tracker hook: the latest message's entities, as the NLU gave them."""
    def hook(tracker):
        tracker.latest_message["entities"] = list(entities)
    return hook


async def test_a_cancel_asked_for_after_dont_cancel_anything_asks_about_that_order(backend):
    """t4 M5a: two open orders, "cancel my order", "no wait not that one the grinder one", "hmm
    actually no dont cancel anything", then "ok actually yes cancel the mugs one" (read as a yes with
    no question open) got "Okay." and the mug order stayed."""
    from actions.catalogue import ActionShowProducts

    identity = new_identity()
    grinder = placed_order(backend, identity, [("GRN-ELC-BUR", 1)])
    mugs = placed_order(backend, identity, [("MUG-CER-WHT", 2)])
    chat = Chat(identity)
    assert await chat.say("cancel my order", "cancel_order", ActionCancelOrder) == [
        ("utter_cancel_newest_of_several", None), ("utter_confirm_cancel", mugs)]
    grinders = {"entity": "product", "value": "grinder", "skus": ["GRN-ELC-BUR", "GRN-HND-BUR"], "start": 26, "end": 33}
    assert await chat.say("no wait not that one the grinder one", "product_info", ActionShowProducts,
                          tracker_hook=naming(grinders)) == [("utter_confirm_cancel", grinder)]
    assert await chat.say("hmm actually no dont cancel anything", "deny") == [("utter_cancel_kept", grinder)]
    mug_category = {"entity": "category", "value": "Mugs", "start": 26, "end": 30}
    assert await chat.say("ok actually yes cancel the mugs one", "affirm", tracker_hook=naming(mug_category)) == [
        ("utter_confirm_cancel", mugs)]
    assert await chat.say("yes", "affirm") == [("utter_order_cancelled", mugs)]
    assert [status_of(backend, identity, n) for n in (mugs, grinder)] == ["cancelled", "confirmed"]


async def test_cancel_everything_asks_about_each_order_and_did_it_work_says_what_was_done(backend):
    """t4 M5b: "cancel everything" with two open orders asked about the newest only (the other was
    left open), and "did it work" afterwards got "Okay."."""
    identity = new_identity()
    older = placed_order(backend, identity, [("TEA-CAD-TIN", 1)])
    newest = placed_order(backend, identity, [("MUG-CER-WHT", 2)])
    chat = Chat(identity)
    assert await chat.say("cancel everything", "cancel_order", ActionCancelOrder) == [("utter_confirm_cancel", newest)]
    assert await chat.say("y", "affirm") == [("utter_order_cancelled", newest), ("utter_confirm_cancel", older)]
    [cancelled, kept, (again, _)] = await chat.say("did it work", "affirm")
    assert (cancelled, kept) == (("utter_order_status_cancelled", newest), ("utter_order_status_confirmed", older))
    assert again.startswith(f"Do you want me to cancel order {older}")
    assert status_of(backend, identity, older) == "confirmed"  # nothing done at the question
    assert await chat.say("yes", "affirm") == [("utter_order_cancelled", older)]
    assert await chat.say("is it cancelled now?", "cancel_order", ActionCancelOrder) == [
        ("utter_order_status_cancelled", newest), ("utter_order_status_cancelled", older)]
    assert [status_of(backend, identity, n) for n in (newest, older)] == ["cancelled", "cancelled"]


async def test_cancel_the_whole_thing_at_a_change_asks_to_cancel_that_order_alone(backend):
    """t4 M5c: "actually just cancel the whole thing" at "Shall I change it?" kept the order ("Okay,
    order … stays as it is."), while "cancel the whole order" asked to cancel it. Cancelling it
    ends there: "everything" at a change is that order, not all of the customer's orders."""
    from tests.actions.test_pending_change import product, proposed

    identity = new_identity()
    other = placed_order(backend, identity, [("MUG-CER-WHT", 1)])
    for text in ("actually just cancel the whole thing", "ok just cancel everything"):
        number = placed_order(backend, identity, [("MUG-CER-RED", 2)])
        request = f"add a tea infuser to order {number}"
        slots, summary = await proposed(identity, request, product(request, "tea infuser", ["TEA-INF-STL"],
                                                                   "Stainless Tea Infuser"), "place_order")
        chat = Chat(identity)
        chat.slots = slots
        chat.events = [{"event": "slot", "name": "pending_confirmation", "value": "change_order"}, spoken(summary),
                       {"event": "action", "name": "action_listen"}]
        assert await chat.say(text, "cancel_order", ActionCancelOrder) == [("utter_confirm_cancel", number)], text
        assert chat.slots["target_order"] is None and chat.slots["pending_confirmation"] == "cancel_order"
        assert await chat.say("yes", "affirm") == [("utter_order_cancelled", number)], text
        assert status_of(backend, identity, number) == "cancelled"
    assert status_of(backend, identity, other) == "confirmed"
