"""Reading which items of a delivered order go back, from the catalogue matcher's entities."""
from __future__ import annotations

from actions.return_items import (choose_from_message, choose_return_items, is_whole_order, read_return_message,
                                  reason_after_items, tidy_reason)
from tests.actions.test_order_changes import MUGS, TEAPOT, TEAPOTS, product

ORDER = [MUGS, TEAPOT]  # 2 blue mugs and a glass teapot


def chosen(text, entities=()):
    result = choose_return_items(ORDER, list(entities), text)
    return [(line["sku"], line["quantity"]) for line in result.lines], result.problem


def test_a_product_named_without_a_count_is_all_of_it():
    text = "the blue mugs"
    assert chosen(text, product(text, "blue mugs", ["MUG-CER-BLU"])) == ([("MUG-CER-BLU", 2)], None)


def test_a_count_or_an_article_is_that_many():
    text = "1 blue mug"
    assert chosen(text, product(text, "blue mug", ["MUG-CER-BLU"], 1)) == ([("MUG-CER-BLU", 1)], None)
    text = "just a blue mug"
    assert chosen(text, product(text, "blue mug", ["MUG-CER-BLU"], 1, implicit=True)) == (
        [("MUG-CER-BLU", 1)], None)


def test_a_name_shared_by_several_products_means_the_one_in_the_order():
    text = "the teapot"
    assert chosen(text, product(text, "teapot", TEAPOTS)) == ([("TEA-POT-GLS", 1)], None)


def test_everything_and_everything_but_one_product():
    assert chosen("all of it") == ([("MUG-CER-BLU", 2), ("TEA-POT-GLS", 1)], None)
    assert chosen("both") == ([("MUG-CER-BLU", 2), ("TEA-POT-GLS", 1)], None)
    text = "everything except the teapot"
    assert chosen(text, product(text, "teapot", TEAPOTS)) == ([("MUG-CER-BLU", 2)], None)
    text = "i'll keep the teapot"
    assert chosen(text, product(text, "teapot", TEAPOTS)) == ([("MUG-CER-BLU", 2)], None)
    text = "the mugs but keep the teapot"
    entities = product(text, "mugs", ["MUG-CER-BLU", "MUG-CER-RED"]) + product(text, "teapot", TEAPOTS)
    assert chosen(text, entities) == ([("MUG-CER-BLU", 2)], None)


def test_what_the_order_does_not_hold_or_more_than_it_holds_is_a_problem():
    text = "the red mug"
    assert chosen(text, product(text, "red mug", ["MUG-CER-RED"])) == ([], ("not_in_order", "red mug"))
    text = "3 blue mugs"
    assert chosen(text, product(text, "blue mugs", ["MUG-CER-BLU"], 3)) == (
        [], ("too_many", "Ceramic Mug Blue", 2))
    text = "keep the teapot and the mugs"
    entities = product(text, "teapot", TEAPOTS) + product(text, "mugs", ["MUG-CER-BLU"])
    assert chosen(text, entities) == ([], ("nothing",))
    assert chosen("hmm not sure") == ([], ("unclear",))
    assert chosen("i don't want to send anything back at all") == ([], ("unclear",))


def test_a_count_alone_is_enough_for_an_order_of_one_product():
    assert choose_return_items([MUGS], [], "just 1").lines == [
        {"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 1}]
    assert choose_return_items([MUGS], [], "5").problem == ("too_many", "Ceramic Mug Blue", 2)
    assert choose_return_items(ORDER, [], "just 1").problem == ("unclear",)


def test_whole_order():
    assert is_whole_order([{"sku": "MUG-CER-BLU", "quantity": 2}, {"sku": "TEA-POT-GLS", "quantity": 1}], ORDER)
    assert not is_whole_order([{"sku": "MUG-CER-BLU", "quantity": 2}], ORDER)
    assert not is_whole_order([{"sku": "MUG-CER-BLU", "quantity": 1}, {"sku": "TEA-POT-GLS", "quantity": 1}], ORDER)


def test_words_of_one_line_name_it_and_categories_name_all_their_lines():
    assert chosen("the glass one") == ([("TEA-POT-GLS", 1)], None)
    assert chosen("the ceramic ones") == ([("MUG-CER-BLU", 2)], None)
    assert chosen("the red one") == ([], ("unclear",))
    lines = [{**MUGS, "category": "Mugs"}, {**TEAPOT, "category": "Teaware"},
             {"sku": "MUG-CER-RED", "name": "Ceramic Mug Red", "quantity": 1, "category": "Mugs"}]
    text = "all the mugs"
    mugs = [{"entity": "category", "value": "Mugs", "start": 8, "end": 12}]
    assert [(l["sku"], l["quantity"]) for l in choose_return_items(lines, mugs, text).lines] == [
        ("MUG-CER-BLU", 2), ("MUG-CER-RED", 1)]
    text = "everything except the mugs"
    mugs = [{"entity": "category", "value": "Mugs", "start": 22, "end": 26}]
    assert [(l["sku"], l["quantity"]) for l in choose_return_items(lines, mugs, text).lines] == [("TEA-POT-GLS", 1)]


def test_everything_but_some_units_keeps_those_units():
    text = "everything but one mug"
    entities = product(text, "mug", ["MUG-CER-BLU", "MUG-CER-RED"], 1)
    assert chosen(text, entities) == ([("MUG-CER-BLU", 1), ("TEA-POT-GLS", 1)], None)


def test_a_reason_said_after_the_items():
    text = "the teapot, the lid is cracked"
    assert reason_after_items(text, product(text, "teapot", TEAPOTS)) == "the lid is cracked"
    text = "i want to return the french press because it leaks"
    assert reason_after_items(text, product(text, "french press", ["BRW-FRP-800"])) == "it leaks"
    text = "Return the red mug please, I changed my mind"
    assert reason_after_items(text, product(text, "red mug", ["MUG-CER-RED"])) == "I changed my mind"
    text = "retun the tea pot pls its cracked"
    assert reason_after_items(text, product(text, "tea pot", TEAPOTS)) == "its cracked"
    text = "the teapot too"
    assert reason_after_items(text, product(text, "teapot", TEAPOTS)) is None
    text = "1 mug and the teapot please"
    assert reason_after_items(text, product(text, "teapot", TEAPOTS)) is None
    assert reason_after_items("all of it", []) is None


def test_a_name_the_matcher_took_for_another_product_is_read_from_the_order():
    text = "the glass one"  # the catalogue matcher: drinking glasses, not the teapot
    glasses = product(text, "glass", ["GLS-TMB-SET", "GLS-WIN-002"])
    assert chosen(text, glasses) == ([("TEA-POT-GLS", 1)], None)


def test_keeping_one_of_two_kinds_asks_what_goes_back():
    lines = ORDER + [{"sku": "MUG-CER-RED", "name": "Ceramic Mug Red", "quantity": 1}]
    text = "everything but one mug"
    entities = product(text, "mug", ["MUG-CER-BLU", "MUG-CER-RED"], 1)
    assert choose_return_items(lines, entities, text).problem == ("ambiguous_kept", "mug")


def test_some_of_a_product_asks_how_many():
    text = "i have to return some mugs"
    entities = [{"entity": "category", "value": "Mugs", "start": 22, "end": 26}]
    lines = [{**MUGS, "category": "Mugs"}, {**TEAPOT, "category": "Teaware"}]
    assert choose_return_items(lines, entities, text).problem == ("how_many", "Ceramic Mug Blue", 2)


def test_a_reason_is_kept_without_the_talk_around_it():
    assert [tidy_reason(r) for r in ("is broken, what do i do?", "arrived cracked, i want to send it back",
                                     "it leaks. please help!", "the lid is cracked")] == [
        "is broken", "arrived cracked", "it leaks", "the lid is cracked"]


def test_a_product_said_to_be_fine_stays():
    text = "the teapot, the mugs are fine"
    entities = product(text, "teapot", TEAPOTS) + product(text, "mugs", [MUGS["sku"]])
    assert choose_return_items([MUGS, TEAPOT], entities, text).lines == [
        {"sku": TEAPOT["sku"], "name": TEAPOT["name"], "quantity": 1}]
    assert reason_after_items(text, entities) is None


# The red mugs and the cast iron teapot of the care QA (care-03, care-04).
RED_ORDER = [{"sku": "MUG-CER-RED", "name": "Ceramic Mug Red", "quantity": 3, "category": "Mugs"},
             {"sku": "TEA-POT-CST", "name": "Cast Iron Teapot 0.8 L", "quantity": 1, "category": "Teaware"}]
ALL_MUGS = ["MUG-CER-RED", "MUG-CER-BLU", "MUG-CER-GRN", "MUG-CER-WHT", "MUG-TRV-STL"]


def found(text, words, entity="product", nth=0, **values):
    """An entity at the `nth` occurrence of `words` in `text`, as the catalogue matcher gives it."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(words, start + 1)
    return {"entity": entity, "value": words, "start": start, "end": start + len(words), **values}


def red_choice(text, entities):
    choice, message = choose_from_message(RED_ORDER, text, entities)
    return [(line["sku"], line["quantity"]) for line in choice.lines], message.reason


def test_items_and_a_reason_naming_them_again_give_the_items_named():
    """care-04: "mugs" in the reason had re-selected all 3 mugs (the whole order, €12.90 too much)
    and the reason was cut to "are wrong shade"."""
    text = "i want to return 2 red mugs and the teapot, mugs are wrong shade"
    entities = [found(text, "2", "quantity"), found(text, "red mugs", skus=["MUG-CER-RED"], quantity=2),
                found(text, "teapot", skus=TEAPOTS), found(text, "mugs", "category", nth=1, value="Mugs")]
    assert red_choice(text, entities) == ([("MUG-CER-RED", 2), ("TEA-POT-CST", 1)], "mugs are wrong shade")
    text = "i need to send back 2 of the red mugs and the teapot. mugs are the wrong shade and teapot is too heavy"
    entities = [found(text, "2", "quantity"), found(text, "red mugs", skus=["MUG-CER-RED"], quantity=2),
                found(text, "teapot", skus=TEAPOTS), found(text, "mugs", "category", nth=1, value="Mugs"),
                found(text, "teapot", skus=TEAPOTS, nth=1)]
    assert red_choice(text, entities) == ([("MUG-CER-RED", 2), ("TEA-POT-CST", 1)],
                                          "mugs are the wrong shade and teapot is too heavy")


def test_a_product_named_only_in_the_reason_is_the_item_when_none_came_before():
    text = "also one of the mugs has a chip, can i send that back as well"
    entities = [found(text, "one", "quantity"), found(text, "mugs", skus=ALL_MUGS, quantity=1)]
    assert red_choice(text, entities) == ([("MUG-CER-RED", 1)], "one of the mugs has a chip")
    text = "return the teapot, it's too heavy, and the mugs are chipped"
    entities = [found(text, "teapot", skus=TEAPOTS), found(text, "mugs", "category", value="Mugs")]
    assert red_choice(text, entities) == ([("TEA-POT-CST", 1), ("MUG-CER-RED", 3)],
                                          "it's too heavy, and the mugs are chipped")


def test_a_product_of_the_reason_that_is_not_in_the_order_picks_nothing():
    text = "my french press arrived broken, glass is shattered"
    entities = [found(text, "french press", skus=["BRW-FRP-800"]), found(text, "glass", skus=["GLS-TMB-SET"])]
    press = [{"sku": "BRW-FRP-800", "name": "French Press 800 ml", "quantity": 1}]
    choice, message = choose_from_message(press, text, entities)
    assert [(line["sku"], line["quantity"]) for line in choice.lines] == [("BRW-FRP-800", 1)]
    assert message.reason == "my french press arrived broken, glass is shattered"  # it was "is shattered"


def test_a_correction_or_a_list_of_items_is_no_reason():
    text = "no only 2 mugs not 3"
    entities = [found(text, "2", "quantity"), found(text, "mugs", skus=ALL_MUGS, quantity=2)]
    assert red_choice(text, entities) == ([("MUG-CER-RED", 2)], None)
    text = "the mugs, and the teapot"
    entities = [found(text, "mugs", "category", value="Mugs"), found(text, "teapot", skus=TEAPOTS)]
    assert red_choice(text, entities) == ([("MUG-CER-RED", 3), ("TEA-POT-CST", 1)], None)
    text = "and the last mug also, same reason as the other mugs"
    entities = [found(text, "mug", skus=ALL_MUGS), found(text, "mugs", "category", value="Mugs")]
    assert read_return_message(text, entities).reason == "same reason as the other mugs"


def test_reasons_are_stored_as_clean_phrases():
    """The care QA's stored reasons: "is too heavy", "too, its way too heavy", "are chipped, want to
    send them back", "i told u its chipped"."""
    text = "the teapot is too heavy"
    assert reason_after_items(text, product(text, "teapot", TEAPOTS)) == "the teapot is too heavy"
    text = "the teapot too, its way too heavy"
    assert reason_after_items(text, product(text, "teapot", TEAPOTS)) == "its way too heavy"
    text = "the mugs are chipped, want to send them back"
    assert reason_after_items(text, product(text, "mugs", ALL_MUGS)) == "the mugs are chipped"
    assert tidy_reason("i told u its chipped") == "its chipped"
    assert tidy_reason("i want to return it because the lid is broken") == "the lid is broken"


def test_a_reason_starting_with_too_keeps_it():
    """after2-432: "too big for me" was stored as "big for me"; the items' "too" still goes."""
    assert [tidy_reason(r) for r in ("too big for me", "too heavy", "too, its way too heavy", "too small, sorry")] == [
        "too big for me", "too heavy", "its way too heavy", "too small, sorry"]


def test_not_buy_after_the_items_is_no_reason():
    """after2-431: "no!! i want to RETURN 1 white mug not buy" at the summary: no new reason "not buy"."""
    text = "no!! i want to RETURN 1 white mug not buy"
    entities = [found(text, "1", "quantity"), found(text, "white mug", skus=["MUG-CER-WHT"], quantity=1)]
    assert read_return_message(text, entities).reason is None


def test_the_shops_fault_is_damage_or_the_wrong_item_sent_not_taste_or_size():
    from actions.return_reasons import shops_fault
    verdicts = {text: shops_fault(text) for text in (
        "mugs are the wrong shade", "the teapot is too heavy", "too big for me", "wrong colour", "not my style",
        "i ordered the wrong size", "my mistake, wrong item", "the infuser is rusty", "arrived cracked",
        "the filters tore while brewing", "it won't heat", "you sent me green mugs instead of blue ones",
        "wrong item received", "i got the wrong colour mugs", "ordered blue but these are green",
        "this is not what i ordered", "received a different product", "you sent it to the wrong address",
        "it's not broken, i just don't like it")}
    assert verdicts == {
        "mugs are the wrong shade": None, "the teapot is too heavy": None, "too big for me": None,
        "wrong colour": None, "not my style": None, "i ordered the wrong size": None, "my mistake, wrong item": None,
        "the infuser is rusty": "damaged", "arrived cracked": "damaged", "the filters tore while brewing": "damaged",
        "it won't heat": "damaged", "you sent me green mugs instead of blue ones": "wrong_item",
        "wrong item received": "wrong_item", "i got the wrong colour mugs": "wrong_item",
        "ordered blue but these are green": "wrong_item", "this is not what i ordered": "wrong_item",
        "received a different product": "wrong_item", "you sent it to the wrong address": None,
        "it's not broken, i just don't like it": None}


def test_the_rest_is_everything_left_to_choose_but_not_the_rest_kept():
    """t2 QA m5: "the rest too" while a return is on its way asked again what goes back."""
    assert chosen("the rest too") == ([("MUG-CER-BLU", 2), ("TEA-POT-GLS", 1)], None)
    assert chosen("i want to return whatever is left") == ([("MUG-CER-BLU", 2), ("TEA-POT-GLS", 1)], None)
    for text in ("i'll keep the rest", "the rest is fine", "the rest can stay"):
        assert chosen(text) == ([], ("unclear",)), text


def test_a_reason_after_a_request_that_names_no_product():
    """t2 QA m4: "i want to return my order, it doesnt fit my kitchen"; not a question, an order number
    or which items."""
    assert read_return_message("i want to return my order, it doesnt fit my kitchen", []).reason == \
        "it doesnt fit my kitchen"
    assert read_return_message("send it all back please because they are ugly", []).reason == "they are ugly"
    assert read_return_message("all of it, they dont fit", []).reason == "they dont fit"
    for text in ("i want to return my order, what do i do?", "i want to return my order, not all of it",
                 "i want to return my order, OB-ABCD1234", "i want to return my order. thanks a lot",
                 "i want to return my order", "i want to return my order as soon as possible"):
        assert read_return_message(text, []).reason is None, text
