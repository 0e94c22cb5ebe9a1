"""QA round 16 (verification), the order form: an item counted in bags kept with another item, the
count kept as it was after a refused new one, only the limit said for a count over it, "just the X"
at the summary, "order them" after a price for a count, items with an address we don't ship to, and
payment words said with an order. Entities are as the NLU gives them for the testers' messages."""
from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions import draft_edits
from actions.catalogue import ActionShowProducts
from actions.ordering import ValidateOrderForm
from tests.actions.test_ordering import DOMAIN, form_tracker
from tests.actions.test_orders import new_identity
from tests.actions.test_qa16_hooks import in_the_order_form
from tests.actions.test_qa16_order_form import at_least, lines_held, responses, slots_of, summary_of
from tests.actions.test_qa16_tracking import asked, followups

PRESS = {"sku": "BRW-FRP-800", "name": "French Press 800 ml", "quantity": 1, "candidates": []}
RED = {"sku": "MUG-CER-RED", "name": "Ceramic Mug Red", "quantity": 3, "candidates": []}
BLUE = {"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 2, "candidates": []}
TUMBLERS = {"sku": "GLS-TMB-SET", "name": "Tumbler Glasses Set of 6", "quantity": 1, "candidates": []}
DRIPPER = {"sku": "BRW-V60-CER", "name": "Ceramic Pour-Over Dripper", "quantity": 1, "candidates": []}


def product(text: str, said: str, value: str, skus: list, quantity=None) -> dict:
    start = text.index(said)
    return {"entity": "product", "value": value, "start": start, "end": start + len(said), "skus": skus,
            "quantity": quantity}


def count(text: str, said: str, value: int, implicit: bool = False) -> dict:
    start = text.index(said)
    return {"entity": "quantity", "value": str(value), "start": start, "end": start + len(said), "implicit": implicit}


def article(text: str, before: str) -> dict:
    """The count 1 of the "a" said right before `before` ("a french press")."""
    start = text.index(f"a {before}")
    return {"entity": "quantity", "value": "1", "start": start, "end": start + 1, "implicit": True}


def category(text: str, said: str, value: str) -> dict:
    start = text.index(said)
    return {"entity": "category", "value": value, "start": start, "end": start + len(said)}


def items_of(events) -> list:
    return [(item["sku"], item["quantity"]) for item in slots_of(events)["order_items"]]


# --- N1. "a french press and 2 bags of colombia" ------------------------------------------------

PRESS_AND_BEANS = "can i get a french press and 2 bags of colombia"
BEANS_AND_PRESS = "2 bags of colombia and a french press"


def press_and_beans(text: str, beans_found: bool = True) -> list:
    """As the catalogue matcher reads it now (bot/catalogue_index.py), or read before it (no beans)."""
    press = [article(text, "french"), product(text, "french press", "French Press 800 ml",
                                                                ["BRW-FRP-800"], 1)]
    beans = [count(text, "2", 2), product(text, "colombia", "Colombia Huila Beans 250 g", ["COF-COL-250"], 2)] \
        if beans_found else []
    return sorted(press + beans, key=lambda e: e["start"])


async def test_a_french_press_and_2_bags_of_colombia_are_both_ordered(backend):
    """N1 (critical): the address was asked with only the french press in the order, and nothing said so."""
    for text in (PRESS_AND_BEANS, BEANS_AND_PRESS):
        said = CollectingDispatcher()
        events = await ValidateOrderForm().run(said, form_tracker(new_identity(), text, "place_order",
                                                                  press_and_beans(text)), DOMAIN)
        assert sorted(items_of(events)) == [("BRW-FRP-800", 1), ("COF-COL-250", 2)], text
        assert said.messages == [], text


async def test_beans_counted_in_bags_the_nlu_misses_are_said_not_found(backend):
    """N1: an item named that can't be read is never dropped silently ("2 bags of colombia" read as
    nothing, "2 bags of kenya" not sold)."""
    for text in (PRESS_AND_BEANS, BEANS_AND_PRESS, "a french press and 2 bags of kenya"):
        said = CollectingDispatcher()
        events = await ValidateOrderForm().run(said, form_tracker(new_identity(), text, "place_order",
                                                                  press_and_beans(text, beans_found=False)), DOMAIN)
        assert items_of(events) == [("BRW-FRP-800", 1)], text
        assert [(m["response"], m.get("names")) for m in said.messages] == [
            ("utter_order_items_not_found", '"colombia"' if "colombia" in text else '"kenya"')], text


# --- N2, N3. a count over the limit at the summary ---------------------------------------------

async def over_the_limit(backend, identity: str, text: str, entities: list, items: list) -> tuple:
    """The order waiting for its "yes" with `items`, and `text` (a count over the limit) read at it:
    (the slots as the form asks "how many?", what was said)."""
    slots = await summary_of(backend, identity, items)
    said = CollectingDispatcher()
    events = await ValidateOrderForm().run(said, form_tracker(identity, text, "place_order", entities, slots=slots),
                                           DOMAIN)
    waiting = {**slots, "order_draft": slots_of(events)["order_draft"], "order_items": None,
               "requested_slot": "order_items"}
    return waiting, said


KEPT_AS_IT_WAS = (("nah leave it as it was", "deny"), ("leave it as it was", "stop"), ("as before", "goodbye"),
                  ("keep it like it was", "deny"), ("no change", "deny"), ("never mind, keep them as they were", "deny"),
                  ("ok leave them as they are", "deny"), ("no, same as before", "deny"))


async def test_leave_it_as_it_was_after_a_count_over_the_limit_keeps_the_count_the_order_has(backend):
    """N2 (critical): "make it 30 red mugs actually", then "nah leave it as it was" took the red mugs out."""
    at_least(backend, "MUG-CER-RED", 10)
    identity = new_identity()
    text = "make it 30 red mugs actually"
    entities = [count(text, "30", 30), product(text, "red mugs", "Ceramic Mug Red", ["MUG-CER-RED"], 30)]
    waiting, said = await over_the_limit(backend, identity, text, entities, [RED, PRESS])
    assert responses(said) == ["utter_order_quantity_out_of_range"]
    assert [item["quantity"] for item in waiting["order_draft"]] == [None, 1]
    for answer, intent in KEPT_AS_IT_WAS:
        said = CollectingDispatcher()
        events = await ValidateOrderForm().run(said, form_tracker(identity, answer, intent, [], slots=waiting), DOMAIN)
        assert items_of(events) == [("MUG-CER-RED", 3), ("BRW-FRP-800", 1)], answer
        assert said.messages == [], answer
    assert lines_held(backend, identity, waiting["pending_order"]) == [("BRW-FRP-800", 1), ("MUG-CER-RED", 3)]
    # "none" still takes the item out, and a count still answers
    events = await ValidateOrderForm().run(CollectingDispatcher(), form_tracker(identity, "none", "deny", [],
                                                                                slots=waiting), DOMAIN)
    assert items_of(events) == [("BRW-FRP-800", 1)]
    events = await ValidateOrderForm().run(CollectingDispatcher(), form_tracker(identity, "5", "inform", [
        {"entity": "quantity", "value": "5", "start": 0, "end": 1, "implicit": False}], slots=waiting), DOMAIN)
    assert items_of(events) == [("MUG-CER-RED", 5), ("BRW-FRP-800", 1)]


async def test_leave_it_as_it_was_after_an_item_added_over_the_limit_leaves_it_out(backend):
    """N2: the order as it waits for its "yes" is "as it was": an item the refused edit added goes."""
    identity = new_identity()
    text = "add 30 red mugs"
    entities = [count(text, "30", 30), product(text, "red mugs", "Ceramic Mug Red", ["MUG-CER-RED"], 30)]
    waiting, said = await over_the_limit(backend, identity, text, entities, [BLUE, PRESS])
    assert responses(said) == ["utter_order_quantity_out_of_range"]
    for answer, intent in KEPT_AS_IT_WAS[:3]:
        said = CollectingDispatcher()
        events = await ValidateOrderForm().run(said, form_tracker(identity, answer, intent, [], slots=waiting), DOMAIN)
        assert items_of(events) == [("MUG-CER-BLU", 2), ("BRW-FRP-800", 1)], answer
        assert said.messages == [], answer


async def test_a_new_count_over_the_limit_says_only_the_limit(backend):
    """N3: "change the blue mugs to 25" said "Okay, 25 × Ceramic Mug Blue." and then the 1-20 limit."""
    text = "change the blue mugs to 25"
    entities = [product(text, "blue mugs", "Ceramic Mug Blue", ["MUG-CER-BLU"]), count(text, "25", 25)]
    waiting, said = await over_the_limit(backend, new_identity(), text, entities, [BLUE, PRESS])
    assert responses(said) == ["utter_order_quantity_out_of_range"]
    # within the limit the new count is said
    said = CollectingDispatcher()
    text, identity = "change the blue mugs to 4", new_identity()
    slots = await summary_of(backend, identity, [BLUE, PRESS])
    await ValidateOrderForm().run(said, form_tracker(identity, text, "change_order", [
        product(text, "blue mugs", "Ceramic Mug Blue", ["MUG-CER-BLU"]), count(text, "4", 4)], slots=slots), DOMAIN)
    assert responses(said) == ["utter_order_quantity_changed"]


# --- 2. "just the X" at the summary -------------------------------------------------------------

def just_the(text: str) -> list:
    """The entities the NLU gives for the testers' messages."""
    if text.startswith("nevermind the mugs"):
        return [category(text, "mugs", "Mugs"), product(text, "glasses", "glass", ["GLS-DBW-2PC", "GLS-TMB-SET"])]
    if text.startswith("forget the mugs"):
        return [category(text, "mugs", "Mugs"), product(text, "tumblers", "Insulated Travel Mug", ["MUG-TRV-STL"])]
    if "dripper" in text:
        return [product(text, "dripper", "Ceramic Pour-Over Dripper", ["BRW-V60-CER"])]
    if "red mugs" in text:
        return [product(text, "red mugs", "Ceramic Mug Red", ["MUG-CER-RED"])]
    return []


JUST_THE = (
    ([BLUE, TUMBLERS], "nevermind the mugs just the glasses", "product_info", [TUMBLERS]),
    ([BLUE, TUMBLERS], "forget the mugs, just the tumblers then", "product_info", [TUMBLERS]),
    ([dict(BLUE, quantity=1), DRIPPER], "actually just the dripper pls", "product_info", [DRIPPER]),
    ([BLUE, RED], "ok then just the blue ones now, ill order the red next week", "change_order", [BLUE]),
    ([BLUE, RED, PRESS], "only the red mugs please", "product_info", [RED]),
)


async def test_just_the_x_at_the_summary_keeps_only_the_lines_it_names(backend):
    """2 (major): a product list or card answered, and the other lines stayed in the order."""
    for items, text, intent, kept in JUST_THE:
        identity = new_identity()
        slots = await summary_of(backend, identity, items)
        tracker = form_tracker(identity, text, intent, just_the(text), slots=slots)
        assert draft_edits.keeps_only_some(tracker), text  # an edit of the order waiting, not a product question
        said = CollectingDispatcher()
        events = await ValidateOrderForm().run(said, tracker, DOMAIN)
        assert slots_of(events)["order_items"] == kept, text
        gone = ", ".join(item["name"] for item in items if item not in kept)
        assert [(m["response"], m.get("names")) for m in said.messages] == [("utter_order_items_removed", gone)], text


async def test_just_the_x_at_the_summary_read_as_a_product_question_goes_to_the_order_form(backend):
    """2: the product answer (a list, a card) is where the NLU's product_info takes these messages."""
    for items, text, intent, _ in JUST_THE[:3]:
        identity = new_identity()
        slots = await summary_of(backend, identity, items)
        said = CollectingDispatcher()
        events = await ActionShowProducts().run(said, asked(identity, text, intent, just_the(text), slots), {})
        assert followups(events) == ["order_form"] and said.messages == [], text


async def test_just_the_x_naming_no_line_or_every_line_is_no_edit(backend):
    identity = new_identity()
    slots = await summary_of(backend, identity, [BLUE, RED])
    text = "just the french press"
    press = [product(text, "french press", "French Press 800 ml", ["BRW-FRP-800"])]
    assert not draft_edits.keeps_only_some(form_tracker(identity, text, "product_info", press, slots=slots))
    assert not draft_edits.keeps_only_some(form_tracker(identity, "just the mugs", "product_info", [
        category("just the mugs", "mugs", "Mugs")], slots=slots))  # every line is a mug: nothing goes
    # not at a summary: a product question
    assert not draft_edits.keeps_only_some(form_tracker(identity, "only the blue ones", "product_info", [],
                                            slots={"order_draft": [BLUE, RED]}))


# --- 7. an order after a price ------------------------------------------------------------------

ETHIOPIA_PRICE = "how much are 3 bags of the ethiopia beans"


async def test_order_them_after_the_price_of_a_count_orders_that_count(backend):
    """7 (major): "ok so order them??" after the price of 3 bags of the ethiopia beans asked "How many?"."""
    tracker = in_the_order_form(new_identity(), "ok so order them??", "place_order",
                                slots={"shown_products": ["COF-ETH-250"]}, said=[("utter_product_list", {})])
    tracker.events = [{"event": "user", "text": ETHIOPIA_PRICE, "parse_data": {"entities": [
        count(ETHIOPIA_PRICE, "3", 3), product(ETHIOPIA_PRICE, "ethiopia beans", "Ethiopia Yirgacheffe Beans 250 g",
                                               ["COF-ETH-250"], 3)]}}] + tracker.events
    events = await ValidateOrderForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert items_of(events) == [("COF-ETH-250", 3)]


async def test_the_order_said_after_a_price_question_is_read(backend):
    """7: "whats the price of the hand grinder, and can i order one": the card only (the order form,
    once the product answer hands it the message, takes one grinder)."""
    text = "whats the price of the hand grinder, and can i order one"
    entities = [product(text, "hand grinder", "Hand Burr Grinder", ["GRN-HND-BUR"]), count(text, "one", 1)]
    events = await ValidateOrderForm().run(CollectingDispatcher(), in_the_order_form(
        new_identity(), text, "product_info", entities), DOMAIN)
    assert items_of(events) == [("GRN-HND-BUR", 1)]


async def test_a_price_then_can_i_order_one_gives_the_price_and_starts_the_order(backend):
    """7: "whats the price of the hand grinder, and can i order one": only the card was answered."""
    text = "whats the price of the hand grinder, and can i order one"
    entities = [product(text, "hand grinder", "Hand Burr Grinder", ["GRN-HND-BUR"]), count(text, "one", 1)]
    said = CollectingDispatcher()
    events = await ActionShowProducts().run(said, asked(new_identity(), text, "product_info", entities), {})
    assert responses(said) == ["utter_product_list"] and followups(events) == ["order_form"]


# --- 12. items and an address we don't ship to --------------------------------------------------

NYC = "2 red mugs and a french press, ship to NYC - John Smith, 350 5th Ave, New York, NY 10118, USA"
SYDNEY = "hi pls send a french press to my mum in sydney: Mary Lee, 10 George St, Sydney NSW 2000, Australia"


def items_and_address(text: str) -> list:
    postcode = "10118" if "10118" in text else "2000"
    found = [{"entity": "order_id", "value": postcode, "start": text.index(postcode),
              "end": text.index(postcode) + len(postcode)}, article(text, "french"),
             product(text, "french press", "French Press 800 ml", ["BRW-FRP-800"], 1)]
    if text.startswith("2 red mugs"):
        found += [count(text, "2", 2), product(text, "red mugs", "Ceramic Mug Red", ["MUG-CER-RED"], 2)]
    return found


async def test_items_with_an_address_we_dont_ship_to_are_taken_and_the_address_refused(backend):
    """12 (major): the address question followed, nothing said of the USA; "George" (of George St)
    was looked for in the catalogue."""
    for text, items in ((NYC, [("MUG-CER-RED", 2), ("BRW-FRP-800", 1)]), (SYDNEY, [("BRW-FRP-800", 1)])):
        said = CollectingDispatcher()
        events = await ValidateOrderForm().run(said, form_tracker(new_identity(), text, "place_order",
                                                                  items_and_address(text)), DOMAIN)
        assert sorted(items_of(events)) == sorted(items), text
        assert responses(said) == ["utter_invalid_address_not_shipped"], text
        assert slots_of(events).get("shipping_address") is None, text


# --- 14. payment words with an order ------------------------------------------------------------

PAYING = ("i want to buy the electric burr grinder and pay in 3 instalments",
          "i'll take the electric burr grinder, paying with klarna in 3",
          "the electric burr grinder please, can i pay with paypal")


async def test_payment_words_said_with_an_order_get_the_chats_payment_terms(backend):
    """14 (major): "I couldn't find "instalments" in our catalogue"; Klarna ignored."""
    for text in PAYING:
        entities = [product(text, "electric burr grinder", "Electric Burr Grinder", ["GRN-ELC-BUR"])]
        said = CollectingDispatcher()
        events = await ValidateOrderForm().run(said, form_tracker(new_identity(), text, "place_order", entities), DOMAIN)
        assert items_of(events) == [("GRN-ELC-BUR", 1)], text
        assert responses(said) == ["utter_order_paid_in_the_chat"], text
    assert "utter_order_paid_in_the_chat" in DOMAIN["responses"]
    # "in 3" of paying is no count: how many is asked
    text = "electric burr grinder, klarna in 3"
    said = CollectingDispatcher()
    events = await ValidateOrderForm().run(said, form_tracker(new_identity(), text, "place_order", [
        product(text, "electric burr grinder", "Electric Burr Grinder", ["GRN-ELC-BUR"])]), DOMAIN)
    assert [(item["sku"], item["quantity"]) for item in slots_of(events)["order_draft"]] == [("GRN-ELC-BUR", None)]
    assert responses(said) == ["utter_order_paid_in_the_chat"]
    # an order without a word of paying gets no such note
    text = "i want to buy the electric burr grinder"
    said = CollectingDispatcher()
    await ValidateOrderForm().run(said, form_tracker(new_identity(), text, "place_order", [
        product(text, "electric burr grinder", "Electric Burr Grinder", ["GRN-ELC-BUR"])]), DOMAIN)
    assert said.messages == []
