"""action_show_products answers from the live catalogue."""
from __future__ import annotations

import uuid

import httpx
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import Product
from actions.catalogue import CATEGORY_PAGE, ActionShowProducts, describe_product
from actions.inform import ActionHandleInform
from actions.settings import get_settings
from tests.actions.conftest import load_tracker
from tests.actions.test_orders import after_answer, new_identity, place_order, responses, tracker_for


async def test_show_products_lists_categories_for_general_question(backend, dispatcher):
    events = await ActionShowProducts().run(dispatcher, load_tracker("product_question"), {})
    categories = httpx.get(f"{backend.url}/api/v1/categories").json()["data"]
    assert events == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_categories"]
    listed = dispatcher.messages[0]["categories"]
    assert all(c["name"] in listed for c in categories)


async def test_show_products_finds_product_named_in_text(backend, dispatcher):
    mug = httpx.get(f"{backend.url}/api/v1/products", params={"q": "mug"}).json()["data"][0]
    tracker = load_tracker("product_question", text="how much are your mugs")
    await ActionShowProducts().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_product_list"]
    assert mug["name"] in dispatcher.messages[0]["products"]
    assert f"€{mug['price_minor'] / 100:,.2f}" in dispatcher.messages[0]["products"]


async def test_show_products_uses_product_entity(backend, dispatcher):
    product = httpx.get(f"{backend.url}/api/v1/products", params={"limit": 1}).json()["data"][0]
    entities = [{"entity": "product", "value": product["name"]}]
    tracker = load_tracker("product_question", text="tell me more", entities=entities)
    await ActionShowProducts().run(dispatcher, tracker, {})
    assert product["name"] in dispatcher.messages[0]["products"]


async def test_one_product_is_described_and_follow_ups_are_about_the_products_shown(backend, dispatcher):
    """"tell me about the french press" gives its size and material; "is it in stock" next is
    about it, and "is the green one in stock" after the mugs about the green mug only."""
    entities = [{"entity": "product", "value": "french press", "skus": ["BRW-FRP-800"]}]
    tracker = load_tracker("product_question", text="tell me about the french press", entities=entities)
    events = await ActionShowProducts().run(dispatcher, tracker, {})
    assert "size 800 ml, material glass and steel" in dispatcher.messages[0]["products"]
    assert events == [SlotSet("shown_products", ["BRW-FRP-800"])]
    for follow_up in ("is it in stock", "how many left", "stock hai?", "what material is it"):
        dispatcher.messages.clear()
        tracker = load_tracker("product_question", text=follow_up)
        tracker.slots["shown_products"] = ["BRW-FRP-800"]
        await ActionShowProducts().run(dispatcher, tracker, {})
        assert [m["response"] for m in dispatcher.messages] == ["utter_product_list"], follow_up
        assert dispatcher.messages[0]["products"].startswith("• French Press 800 ml"), follow_up
    dispatcher.messages.clear()
    tracker = load_tracker("product_question", text="is the green one in stock")
    tracker.slots["shown_products"] = ["MUG-CER-BLU", "MUG-CER-GRN", "MUG-CER-WHT"]
    await ActionShowProducts().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["products"].count("•") == 1 and "Ceramic Mug Green" in dispatcher.messages[0]["products"]


async def test_what_we_dont_sell_is_said_before_what_we_do(backend, dispatcher):
    await ActionShowProducts().run(dispatcher, load_tracker("product_question", text="do you sell toasters"), {})
    assert [(m["response"], m.get("thing")) for m in dispatcher.messages] == [
        ("utter_not_sold", "toasters"), ("utter_categories", None)]
    dispatcher.messages.clear()
    entities = [{"entity": "category", "value": "Mugs"}]
    tracker = load_tracker("product_question", text="do you have yellow mugs", entities=entities)
    await ActionShowProducts().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages][:2] == ["utter_no_such_colour", "utter_product_list"]
    assert dispatcher.messages[0]["colour"] == "yellow"
    dispatcher.messages.clear()
    tracker = load_tracker("product_question", text="do you have blue mugs", entities=entities)
    await ActionShowProducts().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["response"] == "utter_product_list"


async def test_anything_under_a_price_lists_only_those(backend, dispatcher):
    await ActionShowProducts().run(dispatcher, load_tracker("product_question", text="anything under 10 euro?"), {})
    listed = dispatcher.messages[0]["products"].splitlines()
    assert listed and all(float(line.split("€")[1].split(",")[0]) <= 10 for line in listed)
    dispatcher.messages.clear()
    await ActionShowProducts().run(dispatcher, load_tracker("product_question", text="anything below 1 euro"), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_nothing_under_price", "utter_categories"]


async def test_show_products_backend_down_says_unavailable(backend, dispatcher, monkeypatch):
    monkeypatch.setenv("BACKEND_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    get_settings.cache_clear()
    try:
        events = await ActionShowProducts().run(dispatcher, load_tracker("product_question"), {})
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert events == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_backend_unavailable"]


async def test_show_products_order_wording_starts_the_order_form(backend, dispatcher):
    entities = [{"entity": "quantity", "value": "8"},
                {"entity": "product", "value": "green mugs", "skus": ["MUG-CER-GRN"], "quantity": 8}]
    tracker = load_tracker("product_question", text="I'd like to order 8 green mugs", entities=entities)
    events = await ActionShowProducts().run(dispatcher, tracker, {})
    assert events == [FollowupAction("order_form")] and dispatcher.messages == []


async def test_a_product_with_a_rating_is_a_review(backend, dispatcher):
    """"the french press is great, 5 stars" names a product but rates it: the feedback form."""
    entities = [{"entity": "product", "value": "french press", "skus": ["BRW-FRP-800"]}]
    tracker = load_tracker("product_question", text="the french press is great, 5 stars", entities=entities)
    assert await ActionShowProducts().run(dispatcher, tracker, {}) == [FollowupAction("feedback_form")]


async def test_a_counted_product_on_its_own_is_an_order(backend, dispatcher):
    """"3 english breakfast tea" read as a product question starts the order; "do you have 3 …?" doesn't."""
    entities = [{"entity": "quantity", "value": "3"},
                {"entity": "product", "value": "english breakfast tea", "skus": ["TEA-EBF-250"], "quantity": 3}]
    tracker = load_tracker("product_question", text="3 english breakfast tea", entities=entities)
    assert await ActionShowProducts().run(dispatcher, tracker, {}) == [FollowupAction("order_form")]
    tracker = load_tracker("product_question", text="do you have 3 english breakfast tea?", entities=entities)
    assert FollowupAction("order_form") not in await ActionShowProducts().run(dispatcher, tracker, {})


async def test_show_products_question_with_quantity_is_answered(backend, dispatcher):
    entities = [{"entity": "product", "value": "green mugs", "skus": ["MUG-CER-GRN"], "quantity": 8}]
    tracker = load_tracker("product_question", text="do you have 8 green mugs in stock", entities=entities)
    await ActionShowProducts().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_product_list"]


async def test_show_products_for_a_category_lists_it_and_counts_the_rest(backend, dispatcher):
    category = f"Candles {uuid.uuid4().hex[:6]}"
    for n in range(CATEGORY_PAGE + 2):
        httpx.post(f"{backend.url}/api/v1/staff/products", headers={"Authorization": "Bearer dev-staff-token"},
                   json={"sku": f"CND-{uuid.uuid4().hex[:8].upper()}", "name": f"Candle {n}",
                         "category": category, "price_minor": 900, "initial_stock": 9}).raise_for_status()
    entities = [{"entity": "category", "value": category}]
    tracker = load_tracker("product_question", text="show me your candles", entities=entities)
    await ActionShowProducts().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_product_list", "utter_more_products"]
    assert len(dispatcher.messages[0]["products"].splitlines()) == CATEGORY_PAGE
    assert dispatcher.messages[1]["more"] == 2


async def test_show_products_how_many_left_gives_the_number(backend, dispatcher):
    mug = httpx.get(f"{backend.url}/api/v1/products/MUG-CER-BLU").json()
    entities = [{"entity": "product", "value": "blue mugs", "skus": ["MUG-CER-BLU"]}]
    tracker = load_tracker("product_question", text="how many blue mugs do you have left", entities=entities)
    await ActionShowProducts().run(dispatcher, tracker, {})
    assert f"{mug['available']} in stock" in dispatcher.messages[0]["products"] or mug["available"] <= 5


async def test_a_complaint_worded_as_a_product_remark_opens_a_complaint_ticket(backend, dispatcher):
    """"not happy with the quality of the mug" read as a product question: an apology and a
    ticket with a person offered, not a list of mugs."""
    entities = [{"entity": "product", "value": "mug", "skus": ["MUG-CER-BLU", "MUG-CER-RED"]}]
    tracker = load_tracker("product_question", text="not happy with the quality of the mug", entities=entities)
    tracker.sender_id = f"web:{uuid.uuid4().hex}"
    events = await ActionShowProducts().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_complaint_ticket"]
    assert SlotSet("pending_confirmation", "human_handoff") in events
    tickets = httpx.get(f"{backend.url}/api/v1/staff/tickets", headers={"Authorization": "Bearer dev-staff-token"},
                        params={"limit": 100}).json()["data"]
    assert [t["reason"] for t in tickets if t["conversation_id"] == tracker.sender_id] == ["complaint"]


async def test_follow_ups_tell_the_products_shown_apart_or_go_to_their_neighbours(backend, dispatcher):
    """After the mugs, "how much is the red one" is the red mug (not the red kettle); after only
    the green mug, "and the black one?" is the black mug beside it, not every black product; after
    the teapots, "is the glass one in stock" is the glass teapot (not glassware)."""
    for shown, text, expected in (
            (["MUG-CER-RED", "MUG-CER-BLU", "MUG-CER-GRN"], "how much is the red one", ["Ceramic Mug Red"]),
            (["MUG-CER-GRN"], "and the black one?", ["Ceramic Mug Black"]),
            (["TEA-POT-CST", "TEA-POT-GLS", "TEA-POT-CER"], "is the glass one in stock",
             ["Glass Teapot with Infuser 1 L"])):
        dispatcher.messages.clear()
        tracker = load_tracker("product_question", text=text)
        tracker.slots["shown_products"] = shown
        await ActionShowProducts().run(dispatcher, tracker, {})
        listed = [line[2:].split(":")[0] for line in dispatcher.messages[-1]["products"].splitlines()]
        assert listed == expected, text


async def test_the_glass_one_after_a_teapot_and_which_is_cheaper_after_several(backend):
    """"and the glass one?" after the cast iron teapot had listed all glassware (the NLU finds
    "glass" products); "which is cheaper" after two products had listed the whole catalogue."""
    glass = [{"entity": "product", "value": "glass", "skus": ["GLS-TMB-SET", "GLS-DBW-2PC"], "start": 8, "end": 13}]
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("product_question", text="and the glass one?", entities=glass)
    tracker.slots["shown_products"] = ["TEA-POT-CST"]
    await ActionShowProducts().run(dispatcher, tracker, {})
    assert "Glass Teapot with Infuser 1 L" in dispatcher.messages[-1]["products"]
    assert "Tumbler" not in dispatcher.messages[-1]["products"]
    for text, expected in (("which is cheaper", "Glass Teapot with Infuser 1 L"),
                           ("which one is more expensive?", "Cast Iron Teapot 0.8 L")):
        dispatcher = CollectingDispatcher()
        tracker = load_tracker("product_question", text=text)
        tracker.slots["shown_products"] = ["TEA-POT-CST", "TEA-POT-GLS"]
        await ActionShowProducts().run(dispatcher, tracker, {})
        listed = [line[2:].split(":")[0] for line in dispatcher.messages[-1]["products"].splitlines()]
        assert listed == [expected], text


async def test_a_colour_we_dont_have_is_said_and_true_attributes_read_as_words(backend, dispatcher):
    entities = [{"entity": "product", "value": "teapots", "skus": ["TEA-POT-CST", "TEA-POT-GLS", "TEA-POT-CER"]}]
    await ActionShowProducts().run(dispatcher, load_tracker("product_question", text="do you have pink teapots",
                                                            entities=entities), {})
    assert [(m["response"], m.get("colour"), m.get("category")) for m in dispatcher.messages] == [
        ("utter_no_such_colour", "pink", "teapots"), ("utter_product_list", None, None)]
    product = Product(sku="X", name="Kettle", category="Kettles", price_minor=100, currency="EUR", available=9,
                      attributes={"temperature_control": True, "cordless": False})
    assert describe_product(product, details=True) == "Kettle: €1.00, in stock (temperature control)"


async def test_price_ranges_the_cheapest_and_the_warranty(backend, dispatcher):
    def shown() -> list:
        return next(m for m in reversed(dispatcher.messages) if m["response"] == "utter_product_list")["products"].splitlines()

    def listed():
        return [line[2:].split(":")[0] for line in shown()]

    await ActionShowProducts().run(dispatcher, load_tracker("product_question", text="anything between 20 and 40 euro"), {})
    prices = [float(line.split("€")[1].split(",")[0]) for line in shown()]
    assert prices and all(20 <= p <= 40 for p in prices)
    teapots = [{"entity": "product", "value": "teapot", "skus": ["TEA-POT-CST", "TEA-POT-GLS", "TEA-POT-CER"]}]
    await ActionShowProducts().run(dispatcher, load_tracker("product_question", text="cheapest teapot?", entities=teapots), {})
    assert listed() == ["Glass Teapot with Infuser 1 L"]
    await ActionShowProducts().run(dispatcher, load_tracker("product_question", text="most expensive item?"), {})
    everything = httpx.get(f"{backend.url}/api/v1/products", params={"limit": 100}).json()["data"]
    assert listed() == [max(everything, key=lambda p: p["price_minor"])["name"]]
    dispatcher.messages.clear()
    await ActionShowProducts().run(dispatcher, load_tracker("product_question", text="do the kettles have warranty"), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_faq/warranty"]


async def test_wanting_the_product_or_a_count_after_it_starts_the_order(backend, dispatcher):
    moka = [{"entity": "product", "value": "Stovetop Espresso Maker 6 cup", "skus": ["BRW-MOK-6CP"], "start": 11, "end": 33}]
    tracker = load_tracker("product_question", text="i want the stovetop espresso maker", entities=moka)
    assert await ActionShowProducts().run(dispatcher, tracker, {}) == [FollowupAction("order_form")]
    tracker = load_tracker("product_question", text="ok 1 then")
    tracker.slots["shown_products"] = ["BRW-MOK-6CP"]
    assert await ActionShowProducts().run(dispatcher, tracker, {}) == [FollowupAction("order_form")]


async def test_the_mug_while_ordering_blue_mugs_is_that_mug(backend):
    """"is the mug dishwasher safe?" at the summary of two blue mugs listed all five mugs; "is the
    mug in green?" is not narrowed to the blue one."""
    mugs = [{"entity": "product", "value": "mug", "start": 7, "end": 10,
             "skus": ["MUG-CER-RED", "MUG-CER-BLU", "MUG-CER-GRN", "MUG-CER-WHT", "MUG-CER-BLK"]}]
    draft = [{"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 2, "candidates": []}]
    said = {}
    for text in ("is the mug dishwasher safe", "is the mug in green?"):
        dispatcher = CollectingDispatcher()
        tracker = load_tracker("product_question", text=text, entities=mugs)
        tracker.slots["order_draft"] = draft
        await ActionShowProducts().run(dispatcher, tracker, {})
        said[text] = dispatcher.messages[-1].get("name") or dispatcher.messages[-1]["products"]
    assert said["is the mug dishwasher safe"] == "Ceramic Mug Blue"
    assert "Ceramic Mug Green" in said["is the mug in green?"]


async def test_a_detail_we_dont_know_at_the_summary_offers_no_person_over_the_order(backend):
    """"is it dishwasher safe?" at "Shall I place it?" offered a person in its place: "no thanks"
    lost the order and "ok confirm it then" handed the chat to the team."""
    mug = [{"entity": "product", "value": "Ceramic Mug Red", "skus": ["MUG-CER-RED"], "start": 3, "end": 6}]
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("product_question", text="is it dishwasher safe?", entities=mug)
    tracker.slots.update({"pending_confirmation": "place_order", "pending_order": "OB-7KB8JMGK"})
    events = await ActionShowProducts().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_product_detail_unknown_while_ordering",
                                                            "utter_confirm_order_after_aside"]
    assert not any(e.get("name") == "pending_confirmation" for e in events)


async def test_the_total_so_far_while_ordering_lists_the_order(backend):
    """"whats the total so far" while the address was asked got the shop's categories."""
    draft = [{"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 2, "candidates": []},
             {"sku": None, "name": "teapot", "quantity": 1, "candidates": []}]  # still "which teapot?"
    for text in ("whats the total so far", "what's in my basket?"):
        dispatcher = CollectingDispatcher()
        tracker = load_tracker("product_question", text=text)
        tracker.slots["order_draft"] = draft
        assert await ActionShowProducts().run(dispatcher, tracker, {}) == []
        [said] = dispatcher.messages
        assert said["response"] == "utter_order_so_far_with_shipping", text
        assert said["lines"] == "• 2 × Ceramic Mug Blue: €25.80" and said["subtotal"] == "€25.80", text


async def test_whats_in_it_and_a_bare_order_number_reach_the_order(backend):
    """After another chat's order was opened with its email, "whats in it" got the categories; so
    did an order number without its "OB-"."""
    number = place_order(backend, new_identity(), email="grace@example.com")["number"]
    stranger = new_identity()
    d = CollectingDispatcher()
    t = after_answer(stranger, "grace@example.com", [("utter_cancel_order_not_found", {"number": number})],
                     [{"entity": "email", "value": "grace@example.com"}])
    await ActionHandleInform().run(d, t, {})
    assert responses(d) == ["utter_order_status_pending"]
    d = CollectingDispatcher()
    t = after_answer(stranger, "whats in it", [("utter_order_status_pending", {"number": number})],
                     slots={"order_id": number, "contact": "grace@example.com"}, intent="product_info")
    await ActionShowProducts().run(d, t, {})
    assert responses(d) == ["utter_order_contents", "utter_order_status_pending"]
    d = CollectingDispatcher()
    own = new_identity()
    n2 = place_order(backend, own)["number"]
    while not any(c.isdigit() for c in n2):
        n2 = place_order(backend, own)["number"]
    t = tracker_for(own, n2.removeprefix("OB-"))
    await ActionHandleInform().run(d, t, {})
    assert responses(d) == ["utter_order_status_pending"]


async def test_which_one_is_bigger_the_smallest_and_a_bigger_one(backend):
    """"which one is bigger?" after two teapots had listed them both (only prices ranked): both, by size;
    "smallest mug", "biggest teapot" give that one; "do you have a bigger one?" after a teapot gives
    the bigger ones of its kind, nearest first, or says it is already the biggest."""
    def ask(text: str, shown=(), entities=()) -> CollectingDispatcher:
        dispatcher = CollectingDispatcher()
        tracker = load_tracker("product_question", text=text, entities=list(entities))
        tracker.slots["shown_products"] = list(shown)
        return dispatcher, tracker

    def listed(dispatcher: CollectingDispatcher) -> list:
        return [line[2:].split(":")[0] for line in dispatcher.messages[-1]["products"].splitlines()]

    teapots = [{"entity": "product", "value": "teapot", "skus": ["TEA-POT-CST", "TEA-POT-GLS", "TEA-POT-CER"]}]
    mugs = [{"entity": "category", "value": "Mugs"}]
    for text, shown, entities, expected in (
            ("which one is bigger?", ["TEA-POT-CST", "TEA-POT-GLS"], (), ["Glass Teapot with Infuser 1 L",
                                                                            "Cast Iron Teapot 0.8 L"]),
            ("which is smaller", ["TEA-POT-CER", "TEA-POT-GLS"], (), ["Glass Teapot with Infuser 1 L",
                                                                        "Ceramic Teapot 1.2 L Blue"]),
            ("whats your biggest teapot", (), teapots, ["Ceramic Teapot 1.2 L Blue"]),
            ("smallest mug?", (), mugs, ["Espresso Cups Set of 4"]),
            ("do you have a bigger one?", ["TEA-POT-CST"], (), ["Glass Teapot with Infuser 1 L",
                                                                 "Ceramic Teapot 1.2 L Blue"])):
        dispatcher, tracker = ask(text, shown, entities)
        await ActionShowProducts().run(dispatcher, tracker, {})
        assert listed(dispatcher) == expected, text
        assert "size" in dispatcher.messages[-1]["products"], text  # the sizes compared are shown
    dispatcher, tracker = ask("any larger ones?", ["TEA-POT-CER"])
    await ActionShowProducts().run(dispatcher, tracker, {})
    assert (dispatcher.messages[0]["response"], dispatcher.messages[0]["extreme"]) == (
        "utter_product_already_extreme", "biggest")


def test_sizes_compare_within_their_measure():
    from actions.product_sizes import by_size, measure, ranks_by_size

    def product(sku: str, size: str) -> Product:
        return Product(sku=sku, name=sku, category="X", price_minor=100, currency="EUR", available=1,
                       attributes={"size": size})
    assert measure(product("a", "0.8 L")) == ("volume", 800.0)
    assert measure(product("b", "250 g")) == ("weight", 250.0)
    assert measure(product("c", "set of 4")) is None
    tin, pot, cup = product("tin", "1 kg"), product("pot", "1,2 l"), product("cup", "90 ml")
    assert by_size([tin, pot, cup], biggest=True) == [pot]  # a kilo is not bigger than a litre
    assert by_size([tin, cup], biggest=True) == []  # nothing to compare against
    assert (ranks_by_size("which one is bigger"), ranks_by_size("the smallest"), ranks_by_size("the cheapest")) == (
        True, False, None)
