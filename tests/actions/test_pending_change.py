"""Edits while a change of a placed order waits for its "yes", against a real backend: each edit
amends the change proposed ("make it 3 white mugs", "actually make it 4", "and remove the teapot"),
the summary shows all of them, and none is read as a new order; "cancel" drops the change."""
from __future__ import annotations

from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation, ActionCancelOrder
from actions.change_order import ActionConfirmOrderChange, ValidateChangeOrderForm
from actions.ordering import ValidateOrderForm
from actions.placed_order_edits import adds_to_a_placed_order
from tests.actions.test_change_order import DOMAIN, FLOW_CLEARED, confirmation, flow_tracker, lines_of
from tests.actions.test_ordering import form_tracker
from tests.actions.test_replacements import TO_THE_CHANGE_FORM, named, placed_order
from tests.actions.test_orders import new_identity, tracker_for

WHITE = ("white mugs", ["MUG-CER-WHT"], "Ceramic Mug White")
TEAPOTS = ["TEA-POT-CST", "TEA-POT-CER", "TEA-POT-GLS"]


def product(text: str, words: str, skus, value: str, quantity=None) -> list:
    return [named(text, words, skus, value, quantity)]


async def proposed(identity: str, text: str, entities: list, intent: str, slots: dict = None) -> tuple:
    """`text` starts the change form (as a rule or another action hands it over), then the summary
    is shown: (the slots after it, the summary)."""
    slots = dict(slots or {})
    tracker = flow_tracker(identity, text, intent, "change_order_form", entities, slots=slots)
    tracker.active_loop = {}
    events = await ValidateChangeOrderForm().run(CollectingDispatcher(), tracker, DOMAIN)
    slots.update({e["name"]: e["value"] for e in events if e.get("event") == "slot"})
    summary = CollectingDispatcher()
    events = await ActionConfirmOrderChange().run(summary, tracker_for(identity, text, slots=slots), {})
    slots.update({e["name"]: e["value"] for e in events if e.get("event") == "slot"})
    return slots, summary.messages[-1]


def shown(summary: dict) -> list:
    return [line.split(":")[0].lstrip("• ") for line in summary["lines"].split("\n")]


async def test_edits_before_the_yes_build_up_and_the_summary_shows_them_all(backend):
    """manage-04: "make it 3 white mugs", "actually make it 4" (the same summary again), "and remove
    the teapot" (the 3 lost): the yes saved 2 mugs."""
    identity = new_identity()
    number = placed_order(backend, identity, [("MUG-CER-WHT", 2), ("TEA-POT-GLS", 1)])
    text = "make it 3 white mugs"
    slots, summary = await proposed(identity, text, product(text, "white mugs", *WHITE[1:], quantity=3), "place_order")
    assert shown(summary) == ["3 × Ceramic Mug White", "1 × Glass Teapot with Infuser 1 L"]
    slots, summary = await proposed(identity, "actually make it 4", [], "inform", slots)
    assert shown(summary) == ["4 × Ceramic Mug White", "1 × Glass Teapot with Infuser 1 L"]
    text = "and remove the teapot"
    slots, summary = await proposed(identity, text, product(text, "teapot", TEAPOTS, "teapot"), "place_order", slots)
    assert shown(summary) == ["4 × Ceramic Mug White"]
    assert slots["target_order"]["number"] == number
    await ActionAnswerConfirmation().run(CollectingDispatcher(), confirmation(
        identity, "affirm", "action_confirm_order_change", slots), {})
    assert lines_of(backend, identity, number) == [("MUG-CER-WHT", 4)]


async def test_a_bare_count_is_for_the_item_the_change_is_about(backend):
    """manage-12: "add a tea infuser to my order", "actually make it 2": 2 infusers (the summary had
    lost the infuser); "wait, 2 infusers not 1" likewise."""
    identity = new_identity()
    placed_order(backend, identity, [("MUG-CER-RED", 2)])
    text = "add a tea infuser to my order"
    infuser = ["TEA-INF-STL"], "Stainless Tea Infuser"
    first, _ = await proposed(identity, text, product(text, "tea infuser", *infuser), "place_order")
    _, summary = await proposed(identity, "actually make it 2", [], "inform", first)
    assert shown(summary) == ["2 × Ceramic Mug Red", "2 × Stainless Tea Infuser"]
    text = "wait, 2 infusers not 1"
    _, summary = await proposed(identity, text, product(text, "infusers", *infuser, quantity=2), "inform", first)
    assert shown(summary) == ["2 × Ceramic Mug Red", "2 × Stainless Tea Infuser"]


async def test_more_edits_while_a_change_waits_amend_it_and_start_no_new_order(backend, dispatcher):
    """manage-11/-01/-12: "add the glass teapot too", "no i mean 3 red mugs not 2", "wait, 2
    infusers not 1" while "Shall I change it?" waits: the change form, not a new order; a question
    or "as a new order" is not."""
    identity = new_identity()
    placed_order(backend, identity, [("MUG-CER-WHT", 2)])
    text = "add a french press to my order"
    slots, _ = await proposed(identity, text, product(text, "french press", ["BRW-FRP-800"], "French Press 800 ml"),
                              "place_order")
    amendments = [("add the glass teapot too", "glass teapot", ["TEA-POT-GLS"], "place_order", None),
                  ("no i mean 3 red mugs not 2", "red mugs", ["MUG-CER-RED"], "place_order", 3),
                  ("wait, 2 infusers not 1", "infusers", ["TEA-INF-STL"], "inform", 2)]
    for text, words, skus, intent, quantity in amendments:
        tracker = form_tracker(identity, text, intent, product(text, words, skus, words, quantity), slots)
        assert await adds_to_a_placed_order(tracker), text
        assert await ValidateOrderForm().run(dispatcher, tracker, DOMAIN) == TO_THE_CHANGE_FORM, text
    for text, words in (("how much is the glass teapot?", "glass teapot"), ("add a glass teapot as a new order", "glass teapot")):
        tracker = form_tracker(identity, text, "place_order", product(text, words, ["TEA-POT-GLS"], words), slots)
        assert not await adds_to_a_placed_order(tracker), text
    text = "add the glass teapot too"
    _, summary = await proposed(identity, text, product(text, "glass teapot", ["TEA-POT-GLS"], "Glass Teapot"),
                                "place_order", slots)
    assert shown(summary) == ["2 × Ceramic Mug White", "1 × French Press 800 ml", "1 × Glass Teapot with Infuser 1 L"]


async def test_a_correction_read_as_a_no_amends_the_change(backend):
    """"no i mean 3 red mugs not 2" or "no, 3 red mugs" at "Shall I change it?", read as a no: not
    "stays as it is"."""
    identity = new_identity()
    number = placed_order(backend, identity, [("TEA-EBF-250", 3)])
    text = "add 2 red mugs to my order"
    slots, _ = await proposed(identity, text, product(text, "red mugs", ["MUG-CER-RED"], "Ceramic Mug Red", 2),
                              "place_order")
    for text in ("no i mean 3 red mugs not 2", "no, 3 red mugs"):
        said = CollectingDispatcher()
        tracker = confirmation(identity, "deny", "action_confirm_order_change", slots)
        tracker.latest_message.update(text=text, entities=product(text, "red mugs", ["MUG-CER-RED"], "Ceramic Mug Red", 3))
        assert await ActionAnswerConfirmation().run(said, tracker, {}) == [FollowupAction("change_order_form")], text
        assert said.messages == [], text
    assert lines_of(backend, identity, number) == [("TEA-EBF-250", 3)]


async def test_remove_one_item_and_swap_another_in_one_message(backend):
    """manage-13: "remove the blue mugs and swap the red mug for a white one" had removed both
    colours and added no white mug; "also swap the red mug for a white one" after the removal
    brought the blue mugs back."""
    identity = new_identity()
    placed_order(backend, identity, [("MUG-CER-BLU", 2), ("MUG-CER-RED", 1), ("TEA-CAD-TIN", 1)])
    text = "remove the blue mugs and swap the red mug for a white one"
    entities = (product(text, "blue mugs", ["MUG-CER-BLU"], "Ceramic Mug Blue")
                + product(text, "red mug", ["MUG-CER-RED"], "Ceramic Mug Red"))
    _, summary = await proposed(identity, text, entities, "change_order")
    assert sorted(shown(summary)) == ["1 × Ceramic Mug White", "1 × Tea Caddy Tin"]
    text = "remove the blue mugs from my order"
    slots, _ = await proposed(identity, text, product(text, "blue mugs", ["MUG-CER-BLU"], "Ceramic Mug Blue"),
                              "change_order")
    text = "also swap the red mug for a white one"
    _, summary = await proposed(identity, text, product(text, "red mug", ["MUG-CER-RED"], "Ceramic Mug Red"),
                                "place_order", slots)
    assert sorted(shown(summary)) == ["1 × Ceramic Mug White", "1 × Tea Caddy Tin"]


async def test_cancel_alone_at_a_change_drops_the_change_not_the_order(backend):
    """"cancel" while "Shall I change it?" waits: the change is dropped and the order stays as it
    was; "cancel the whole order" still asks to cancel the order."""
    identity = new_identity()
    number = placed_order(backend, identity, [("MUG-CER-RED", 2)])
    text = "add a tea infuser to my order"
    slots, _ = await proposed(identity, text, product(text, "tea infuser", ["TEA-INF-STL"], "Stainless Tea Infuser"),
                              "place_order")
    for text in ("cancel", "cancel that", "cancel the change"):
        said = CollectingDispatcher()
        events = await ActionCancelOrder().run(said, tracker_for(identity, text, slots=slots), {})
        assert [(m["response"], m["number"]) for m in said.messages] == [("utter_order_change_kept", number)], text
        assert all(event in events for event in FLOW_CLEARED), text
    said = CollectingDispatcher()
    events = await ActionCancelOrder().run(said, tracker_for(identity, "cancel the whole order", slots=slots), {})
    assert [(m["response"], m["number"]) for m in said.messages] == [("utter_confirm_cancel", number)]
    assert SlotSet("pending_confirmation", "cancel_order") in events
    assert lines_of(backend, identity, number) == [("MUG-CER-RED", 2)]


async def test_which_teapot_asked_for_an_edit_of_a_waiting_change_keeps_that_change(backend):
    """"add a teapot too" at "Shall I change it?": "which teapot?" (no yes acts meanwhile), then the
    answer adds it to the change shown, not to the order as placed."""
    identity = new_identity()
    placed_order(backend, identity, [("MUG-CER-WHT", 2)])
    text = "make it 3 white mugs"
    slots, _ = await proposed(identity, text, product(text, "white mugs", *WHITE[1:], quantity=3), "place_order")
    text = "add a teapot too"
    tracker = flow_tracker(identity, text, "place_order", "change_order_form", product(text, "teapot", TEAPOTS, "teapot"),
                           slots=slots)
    tracker.active_loop = {}
    asked = CollectingDispatcher()
    events = await ValidateChangeOrderForm().run(asked, tracker, DOMAIN)
    assert [m["response"] for m in asked.messages] == ["utter_change_which_product"]
    assert SlotSet("pending_confirmation", None) in events
    slots.update({e["name"]: e["value"] for e in events}, requested_slot="order_changes")
    tracker = flow_tracker(identity, "the glass one", "inform", "change_order_form", slots=slots)
    events = await ValidateChangeOrderForm().run(CollectingDispatcher(), tracker, DOMAIN)
    changes = next(e["value"] for e in events if e["name"] == "order_changes")
    assert [(line["sku"], line["quantity"]) for line in changes] == [("MUG-CER-WHT", 3), ("TEA-POT-GLS", 1)]


async def test_a_change_waiting_moves_to_the_other_order_the_customer_means(backend):
    """after2-103 (N6): "add a tea infuser to my order" went to the travel mug order; "no, to the
    other order, the filters one" showed the same summary again, and "wrong order, add it to OB-…"
    that order's status. Now the infuser is proposed for the filters order instead, and only its
    yes changes it."""
    from actions.inform import ActionHandleInform

    identity = new_identity()
    filters = placed_order(backend, identity, [("BRW-FLT-100", 1)])
    mug = placed_order(backend, identity, [("MUG-TRV-STL", 1)])
    text = "add a tea infuser to my order"
    infuser = product(text, "tea infuser", ["TEA-INF-STL"], "Stainless Tea Infuser")
    slots, summary = await proposed(identity, text, infuser, "place_order")
    assert slots["target_order"]["number"] == mug
    for text, intent, entities in (
            ("no, to the other order, the filters one", "deny",
             product("no, to the other order, the filters one", "filters", ["BRW-FLT-100"], "filter")),
            (f"wrong order, add it to {filters}", "inform", [{"entity": "order_id", "value": filters}])):
        handed = CollectingDispatcher()
        tracker = confirmation(identity, intent, "action_confirm_order_change", slots)
        tracker.latest_message.update(text=text, entities=entities)
        if intent == "deny":
            assert await ActionAnswerConfirmation().run(handed, tracker, {}) == [FollowupAction("change_order_form")]
        else:
            assert await ActionHandleInform().run(handed, tracker, {}) == [FollowupAction("change_order_form")]
        assert handed.messages == [], text
        assert await adds_to_a_placed_order(form_tracker(identity, text, "place_order", entities, slots)), text
        moved, summary = await proposed(identity, text, entities, intent, slots)
        assert moved["target_order"]["number"] == filters, text
        assert summary["response"] == "utter_confirm_order_change" and summary["number"] == filters
        assert shown(summary) == ["1 × Paper Filters 100 pack", "1 × Stainless Tea Infuser"], text
    assert (lines_of(backend, identity, filters), lines_of(backend, identity, mug)) == (
        [("BRW-FLT-100", 1)], [("MUG-TRV-STL", 1)])
    await ActionAnswerConfirmation().run(CollectingDispatcher(), confirmation(
        identity, "affirm", "action_confirm_order_change", moved), {})
    assert sorted(lines_of(backend, identity, filters)) == [("BRW-FLT-100", 1), ("TEA-INF-STL", 1)]
    assert lines_of(backend, identity, mug) == [("MUG-TRV-STL", 1)]


async def test_a_change_for_another_order_says_when_there_is_none_or_asks_which(backend):
    """"no, to the other order" with no other order that can change: said, the change waits; with
    two others: which one, and the number then moves it."""
    identity = new_identity()
    mug = placed_order(backend, identity, [("MUG-TRV-STL", 1)])
    text = "add a tea infuser to my order"
    slots, _ = await proposed(identity, text, product(text, "tea infuser", ["TEA-INF-STL"], "Stainless Tea Infuser"),
                              "place_order")
    said = CollectingDispatcher()
    tracker = flow_tracker(identity, "no, to the other order", "deny", "change_order_form", slots=slots)
    tracker.active_loop = {}
    assert await ValidateChangeOrderForm().run(said, tracker, DOMAIN) == []
    assert [(m["response"], m["number"]) for m in said.messages] == [("utter_change_no_other_order", mug)]
    first, second = (placed_order(backend, identity, [("BRW-FLT-100", 1)]) for _ in range(2))
    said = CollectingDispatcher()
    events = await ValidateChangeOrderForm().run(said, tracker, DOMAIN)
    assert [m["response"] for m in said.messages] == ["utter_change_which_order"]
    assert first in said.messages[0]["orders"] and second in said.messages[0]["orders"]
    assert events == [SlotSet("requested_slot", None), FollowupAction("action_listen")]
    moved, summary = await proposed(identity, first, [{"entity": "order_id", "value": first}], "inform", slots)
    assert moved["target_order"]["number"] == first and shown(summary) == [
        "1 × Paper Filters 100 pack", "1 × Stainless Tea Infuser"]
