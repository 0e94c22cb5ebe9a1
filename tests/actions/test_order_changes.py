"""Reading a change to an order's items from the catalogue matcher's entities and the words around them."""
from __future__ import annotations

from actions.order_changes import apply_changes, replace_line

MUGS = {"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 2}
TEAPOT = {"sku": "TEA-POT-GLS", "name": "Glass Teapot with Infuser 1 L", "quantity": 1}
TEAPOTS = ["TEA-POT-CST", "TEA-POT-GLS", "TEA-POT-CER"]


def product(text: str, words: str, skus, quantity=None, implicit=False):
    """A product entity as the catalogue matcher gives it, found at `words` in `text`."""
    start = text.index(words)
    entities = [{"entity": "product", "value": words, "skus": skus, "quantity": quantity,
                 "start": start, "end": start + len(words)}]
    if implicit:
        entities.append({"entity": "quantity", "value": "1", "implicit": True, "start": start - 2, "end": start - 1})
    return entities


def test_apply_changes_add_new_product():
    text = "add a glass teapot"
    result = apply_changes([MUGS], product(text, "glass teapot", ["TEA-POT-GLS"], 1, implicit=True), text)
    assert result.problem is None and result.changed
    assert result.lines == [MUGS, {"sku": "TEA-POT-GLS", "name": "glass teapot", "quantity": 1}]


def test_apply_changes_add_more_of_a_product_in_the_order():
    text = "add 2 more blue mugs"
    result = apply_changes([MUGS], product(text, "blue mugs", ["MUG-CER-BLU"], 2), text)
    assert result.lines == [dict(MUGS, quantity=4)]


def test_apply_changes_remove_product():
    text = "please remove the teapot"
    result = apply_changes([MUGS, TEAPOT], product(text, "teapot", TEAPOTS), text)
    assert result.lines == [MUGS] and result.changed


def test_apply_changes_remove_one_of_several_units():
    text = "remove 1 blue mug"
    result = apply_changes([MUGS], product(text, "blue mug", ["MUG-CER-BLU"], 1), text)
    assert result.lines == [dict(MUGS, quantity=1)]


def test_apply_changes_set_quantity():
    text = "make it 3 blue mugs"
    result = apply_changes([MUGS, TEAPOT], product(text, "blue mugs", ["MUG-CER-BLU"], 3), text)
    assert result.lines == [dict(MUGS, quantity=3), TEAPOT]


def test_apply_changes_bare_quantity_for_one_line_order():
    result = apply_changes([MUGS], [{"entity": "quantity", "value": "5"}], "make it 5")
    assert result.lines == [dict(MUGS, quantity=5)]


def test_apply_changes_replace_keeps_quantity():
    text = "replace the blue mugs with red mugs"
    entities = (product(text, "blue mugs", ["MUG-CER-BLU"]) + product(text, "red mugs", ["MUG-CER-RED"]))
    result = apply_changes([MUGS], entities, text)
    assert result.lines == [{"sku": "MUG-CER-RED", "name": "red mugs", "quantity": 2}]


def test_a_product_added_with_a_after_a_removal_is_one():
    """"remove the mugs and add a french press" made 2 french presses, as many as the mugs."""
    text = "remove the blue mugs and add a french press"
    entities = product(text, "blue mugs", ["MUG-CER-BLU"]) + product(text, "french press", ["BRW-FRP-800"], 1,
                                                                     implicit=True)
    result = apply_changes([MUGS, TEAPOT], entities, text)
    assert result.lines == [TEAPOT, {"sku": "BRW-FRP-800", "name": "french press", "quantity": 1}]


def test_apply_changes_ambiguous_new_product_asks():
    text = "add a teapot"
    result = apply_changes([MUGS], product(text, "teapot", TEAPOTS, 1, implicit=True), text)
    assert result.problem == ("ambiguous", "teapot", TEAPOTS) and not result.changed


def test_apply_changes_remove_what_is_not_there():
    text = "remove the teapot"
    result = apply_changes([MUGS], product(text, "teapot", TEAPOTS), text)
    assert result.problem == ("not_in_order", "teapot")


def test_apply_changes_removing_everything_is_refused():
    text = "remove the blue mugs"
    result = apply_changes([MUGS], product(text, "blue mugs", ["MUG-CER-BLU"]), text)
    assert result.problem == ("empty", "")


def test_apply_changes_too_many():
    text = "make it 30 blue mugs"
    result = apply_changes([MUGS], product(text, "blue mugs", ["MUG-CER-BLU"], 30), text)
    assert result.problem == ("too_many", "Ceramic Mug Blue")


def test_apply_changes_nothing_recognised():
    result = apply_changes([MUGS], [], "I want to change my order")
    assert not result.changed and result.problem is None and result.lines == [MUGS]


def test_apply_changes_change_a_product_to_a_count():
    text = "change the mugs to 3"
    result = apply_changes([MUGS, TEAPOT], product(text, "mugs", ["MUG-CER-BLU", "MUG-CER-RED"]), text)
    assert result.problem is None and result.changed
    assert [(line["sku"], line["quantity"]) for line in result.lines] == [("MUG-CER-BLU", 3), ("TEA-POT-GLS", 1)]


def test_a_product_followed_by_too_is_added():
    text = "oh and a teapot too"
    entities = product(text, "teapot", TEAPOTS, 1, implicit=True)
    assert apply_changes([MUGS], entities, text).problem == ("ambiguous", "teapot", TEAPOTS)
    assert apply_changes([MUGS, TEAPOT], entities, text).lines == [MUGS, dict(TEAPOT, quantity=2)]


def test_apply_changes_takes_a_count_said_apart_from_the_product():
    """"arre 2 aur add kar do chai" (2 more chai): the matcher gives the chai no count; "ek aur chai": one more."""
    chai = {"sku": "TEA-CHA-200", "name": "Masala Chai 200 g", "quantity": 1}
    for text, quantity in (("arre 2 aur add kar do chai", 3), ("ek aur chai", 2)):
        result = apply_changes([MUGS, chai], product(text, "chai", ["TEA-CHA-200"]), text)
        assert result.lines == [MUGS, dict(chai, quantity=quantity)], text


def test_replace_line_gives_the_new_product_the_old_items_place_and_count():
    grinder = {"sku": "GRN-HND-BUR", "name": "Hand Burr Grinder", "quantity": 2}
    electric = {"sku": "GRN-ELC-BUR", "name": "Electric Burr Grinder"}
    assert replace_line([MUGS, grinder], "GRN-HND-BUR", electric).lines == [MUGS, dict(electric, quantity=2)]
    # "swap one of the hand grinders for an electric one"
    assert replace_line([MUGS, grinder], "GRN-HND-BUR", electric, quantity=1, taken=1).lines == [
        MUGS, dict(grinder, quantity=1), dict(electric, quantity=1)]
    # onto a product the order holds already
    red = {"sku": "MUG-CER-RED", "name": "Ceramic Mug Red", "quantity": 1}
    blue = {"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue"}
    assert replace_line([MUGS, red], "MUG-CER-RED", blue).lines == [dict(MUGS, quantity=3)]


def test_a_category_named_in_a_removal_is_the_orders_items_of_it():
    """"remove the french press and the mugs": "mugs" is a category to the NLU; only the french
    press had gone."""
    press = {"sku": "BRW-FRP-800", "name": "French Press 800 ml", "quantity": 1}
    red = {"sku": "MUG-CER-RED", "name": "Ceramic Mug Red", "quantity": 2}
    blue = {"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 1}
    teapot = {"sku": "TEA-POT-GLS", "name": "Glass Teapot with Infuser 1 L", "quantity": 1}
    text = "remove the french press and the mugs from my order"
    entities = product(text, "french press", ["BRW-FRP-800"]) + [
        {"entity": "category", "value": "Mugs", "start": text.index("mugs"), "end": text.index("mugs") + 4}]
    result = apply_changes([press, red, blue, teapot], entities, text)
    assert result.changed and result.lines == [teapot]


def test_keep_the_other_item_after_a_removal_keeps_it():
    """QA: "remove the scale, keep the beans" carried "remove" on to the beans: "That would leave order … empty"."""
    text = "remove the teapot, keep the mugs"
    entities = product(text, "teapot", TEAPOTS) + product(text, "mugs", ["MUG-CER-BLU"])
    result = apply_changes([MUGS, TEAPOT], entities, text)
    assert result.problem is None and result.changed and result.lines == [MUGS]
    text = "i do not want the teapot"  # a "not" before a product still takes it out
    assert apply_changes([MUGS, TEAPOT], product(text, "teapot", TEAPOTS), text).lines == [MUGS]


def test_a_item_please_is_an_order():
    from actions.parsing import wants_to_order
    assert wants_to_order("a tea infuser please") and wants_to_order("an electric kettle pls")
