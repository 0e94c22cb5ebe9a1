"""QA round 15, product questions: comparisons by size and side by side, and yes/no questions
asked while ordering, against the real catalogue."""
from __future__ import annotations

from typing import List, Tuple

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.catalogue import ActionShowProducts
from tests.actions.conftest import load_tracker

MUG_SKUS = ["MUG-CER-BLK", "MUG-CER-BLU", "MUG-CER-GRN", "MUG-CER-RED", "MUG-CER-WHT"]
TEAPOTS = ["TEA-POT-CST", "TEA-POT-CER", "TEA-POT-GLS"]
KETTLES = [{"sku": "KET-ELC-STL", "name": "Electric Kettle 1.7 L Steel"},
           {"sku": "KET-GOO-BLK", "name": "Gooseneck Pour-Over Kettle Black"},
           {"sku": "KET-STV-RED", "name": "Stovetop Whistling Kettle Red"}]
GRINDERS = [{"sku": "GRN-ELC-BUR", "name": "Electric Burr Grinder"}, {"sku": "GRN-HND-BUR", "name": "Hand Burr Grinder"}]


def product(value: str, skus: List[str], text: str) -> dict:
    start = text.index(value)
    return {"entity": "product", "value": value, "skus": skus, "start": start, "end": start + len(value)}


def asked_which(tracker: Tracker, name: str, options: List[dict]) -> None:
    """The order form has just asked "Which <name> would you like?" with `options`."""
    tracker.slots["order_draft"] = [{"sku": None, "name": name, "quantity": 1, "candidates": options}]
    tracker.events.append({"event": "bot", "text": f"Which {name} would you like?",
                           "metadata": {"utter_action": "utter_ask_which_product"}})


async def ask(tracker: Tracker) -> Tuple[CollectingDispatcher, list]:
    dispatcher = CollectingDispatcher()
    events = await ActionShowProducts().run(dispatcher, tracker, {})
    return dispatcher, events


def listed(dispatcher: CollectingDispatcher) -> List[str]:
    said = next(m for m in dispatcher.messages if m.get("products"))
    return [line[2:].split(":")[0] for line in said["products"].splitlines()]


async def test_a_bigger_one_than_named_looks_at_the_whole_kind(backend):
    """"a bigger mug than the ceramic ones" named the 350 ml ceramic mug; "a bigger teapot than the
    glass one" answered "No: … has material stoneware"."""
    text = "do you have a bigger mug than the ceramic ones?"
    dispatcher, _ = await ask(load_tracker("product_question", text=text,
                                           entities=[product("mug", MUG_SKUS, text)]))
    assert listed(dispatcher) == ["Enamel Camp Mug Cream", "Insulated Travel Mug"]
    text = "do you have a bigger teapot than the glass one?"
    dispatcher, _ = await ask(load_tracker("product_question", text=text, entities=[
        product("teapot", TEAPOTS, text), product("glass", ["GLS-DBW-2PC", "GLS-TMB-SET"], text)]))
    assert [m["response"] for m in dispatcher.messages] == ["utter_product_list"]
    assert listed(dispatcher) == ["Ceramic Teapot 1.2 L Blue"]


async def test_the_biggest_of_a_kind_and_what_sizes_it_comes_in(backend):
    text = "which mug is the biggest?"
    dispatcher, _ = await ask(load_tracker("product_question", text=text, entities=[product("mug", MUG_SKUS, text)]))
    assert listed(dispatcher) == ["Insulated Travel Mug"]
    dispatcher, _ = await ask(load_tracker("product_question", text="what sizes are the mugs",
                                           entities=[{"entity": "category", "value": "Mugs"}]))
    assert "size 450 ml" in dispatcher.messages[0]["products"]


async def test_a_bigger_one_while_ordering_is_bigger_than_the_one_ordered(backend):
    """Ordering a glass teapot, "do you have a bigger one?" showed a 2 L kettle, and at the summary
    "is there a bigger teapot than this one?" the same teapot."""
    draft = [{"sku": "TEA-POT-GLS", "name": "Glass Teapot with Infuser 1 L", "quantity": 1, "candidates": []}]
    tracker = load_tracker("product_question", text="do you have a bigger one?")
    tracker.slots["order_draft"] = draft
    dispatcher, _ = await ask(tracker)
    assert listed(dispatcher) == ["Ceramic Teapot 1.2 L Blue"]
    text = "is there a bigger teapot than this one?"
    tracker = load_tracker("product_question", text=text, entities=[product("teapot", TEAPOTS, text)])
    tracker.slots.update({"order_draft": draft, "pending_confirmation": "place_order", "pending_order": "OB-7KB8JMGK"})
    dispatcher, _ = await ask(tracker)
    assert listed(dispatcher) == ["Ceramic Teapot 1.2 L Blue"]


async def test_which_one_is_bigger_at_which_kettle_compares_the_options(backend):
    """At "Which kettle would you like?" (a kettle added at the summary) it showed one kettle and
    asked both "shall I place it?" and "which kettle?"."""
    tracker = load_tracker("product_question", text="which one is bigger?")
    tracker.slots.update({"shown_products": ["MUG-CER-BLU"], "pending_confirmation": "place_order",
                          "pending_order": "OB-7KB8JMGK"})
    asked_which(tracker, "kettle", KETTLES)
    dispatcher, _ = await ask(tracker)
    assert [m["response"] for m in dispatcher.messages] == ["utter_products_by_size"]
    assert dispatcher.messages[0]["order"] == "biggest"
    assert listed(dispatcher) == ["Stovetop Whistling Kettle Red", "Electric Kettle 1.7 L Steel",
                                  "Gooseneck Pour-Over Kettle Black"]


async def test_whats_the_difference_compares_the_options_offered(backend):
    tracker = load_tracker("product_question", text="whats the difference?")
    asked_which(tracker, "grinder", GRINDERS)
    dispatcher, _ = await ask(tracker)
    assert [m["response"] for m in dispatcher.messages] == ["utter_product_list"]
    assert listed(dispatcher) == ["Electric Burr Grinder", "Hand Burr Grinder"]
    assert "burr flat, settings 40" in dispatcher.messages[0]["products"]
    assert "capacity 25 g" in dispatcher.messages[0]["products"]


async def test_the_difference_between_two_named_shows_both(backend):
    """The matcher finds only "hand grinder" in "the electric and the hand grinder"."""
    text = "whats the difference between the electric and the hand grinder?"
    dispatcher, _ = await ask(load_tracker("product_question", text=text, entities=[
        {"entity": "product", "value": "Hand Burr Grinder", "skus": ["GRN-HND-BUR"], "start": 51, "end": 63}]))
    assert listed(dispatcher) == ["Electric Burr Grinder", "Hand Burr Grinder"]
    assert "burr flat" in dispatcher.messages[0]["products"]


async def test_a_yes_no_question_while_ordering_is_answered(backend):
    """At the address step with the cast iron teapot: "wait, is it dishwasher safe?" and "does the
    cast iron one come with an infuser?" got product cards."""
    draft = [{"sku": "TEA-POT-CST", "name": "Cast Iron Teapot 0.8 L", "quantity": 1, "candidates": []}]
    tracker = load_tracker("product_question", text="wait, is it dishwasher safe?")
    tracker.slots.update({"order_draft": draft, "shown_products": ["TEA-POT-CST"]})
    tracker.active_loop = {"name": "order_form"}  # the address is asked next: no offer of a person to answer "yes"
    dispatcher, events = await ask(tracker)
    assert [(m["response"], m["name"]) for m in dispatcher.messages] == [
        ("utter_product_detail_unknown_while_ordering", "Cast Iron Teapot 0.8 L")]
    assert not any(e.get("name") == "pending_confirmation" for e in events)
    text = "does the cast iron one come with an infuser?"
    entities = [product("cast iron", ["TEA-POT-CST"], text), product("infuser", ["TEA-INF-STL"], text)]
    tracker = load_tracker("product_question", text=text, entities=entities)
    tracker.slots.update({"order_draft": draft, "shown_products": ["TEA-POT-CST"]})
    dispatcher, _ = await ask(tracker)
    assert [(m["response"], m["name"]) for m in dispatcher.messages] == [
        ("utter_product_detail_unknown", "Cast Iron Teapot 0.8 L")]
    text = "does the glass teapot come with an infuser?"
    entities = [product("glass teapot", ["TEA-POT-GLS"], text), product("infuser", ["TEA-INF-STL"], text)]
    dispatcher, _ = await ask(load_tracker("product_question", text=text, entities=entities))
    assert [(m["response"], m["detail"]) for m in dispatcher.messages] == [("utter_product_has", "an infuser")]
