"""CatalogueMatcher: products, categories, quantities from a snapshot and a live HTTP catalogue."""
from __future__ import annotations

import json
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.catalogue_matcher import CatalogueMatcher

FIXTURE = Path(__file__).parent / "fixtures" / "catalogue.json"
SNAPSHOT_PRODUCTS = json.loads(FIXTURE.read_text(encoding="utf-8"))["data"]
TEAPOTS = ["TEA-POT-CST", "TEA-POT-GLS", "TEA-POT-CER"]


class ProductsServer:
    """A tiny real backend stand-in: GET /api/v1/products?limit=&offset= over a mutable list."""

    def __init__(self, products: list[dict]) -> None:
        self.products = [dict(p, active=True, description="", price_minor=1000, currency="EUR",
                              available=5, low_stock=False) for p in products]
        self.requests: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                owner.requests.append(self.path)
                url = urlparse(self.path)
                query = parse_qs(url.query)
                limit, offset = int(query["limit"][0]), int(query["offset"][0])
                if url.path != "/api/v1/products" or not 1 <= limit <= 100:
                    self.send_response(404 if url.path != "/api/v1/products" else 422)
                    self.end_headers()
                    return
                body = json.dumps({"data": owner.products[offset:offset + limit],
                                   "count": len(owner.products)}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def matcher():
    component = CatalogueMatcher({"refresh_seconds": 0, "catalogue_file": str(FIXTURE)})
    yield component
    component.close()


@pytest.fixture
def backend():
    server = ProductsServer(SNAPSHOT_PRODUCTS)
    yield server
    server.stop()


@pytest.fixture
def dead_url() -> str:
    with socket.socket() as sock:  # a port nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def entities(component: CatalogueMatcher, text: str, kind: str | None = None) -> list[dict]:
    message = Message.build(text=text)
    component.process([message])
    found = message.get("entities") or []
    return [e for e in found if kind is None or e["entity"] == kind]


def wait_for(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("text, skus", [
    ("mugs", None),  # the category, see test_catalogue_matcher_category
    ("two mugs", ["MUG-CER-RED", "MUG-CER-BLU", "MUG-CER-GRN", "MUG-CER-WHT", "MUG-TRV-STL"]),
    ("do you sell teapots", TEAPOTS),
    ("the GLASSES please", ["GLS-TMB-SET", "GLS-DBW-2PC"]),
    ("cafetieres?", ["BRW-FRP-800"]),
    ("Cafetières", ["BRW-FRP-800"]),
])
def test_catalogue_matcher_plural_and_case(matcher, text, skus):
    found = entities(matcher, text, "product")
    assert [e["skus"] for e in found] == ([skus] if skus else [])


def test_catalogue_matcher_partial_name_picks_the_blue_mug(matcher):
    [product] = entities(matcher, "I'd like a blue mug", "product")
    assert product["skus"] == ["MUG-CER-BLU"]
    assert product["value"] == "Ceramic Mug Blue"
    assert "I'd like a blue mug"[product["start"]:product["end"]] == "blue mug"


def test_catalogue_matcher_with_a_part_of_its_name_is_one_product(tmp_path):
    """"the glass teapot with infuser" is that teapot, not a tea infuser too; "a teapot with 2
    infusers" is two things."""
    catalogue = json.loads(FIXTURE.read_text())
    products = catalogue["data"]
    products.append({"sku": "TEA-INF-STL", "name": "Stainless Tea Infuser", "category": "Teaware", "synonyms": [],
                     "attributes": {}})
    catalogue["count"] = len(products)
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(catalogue))
    component = CatalogueMatcher({"refresh_seconds": 0, "catalogue_file": str(path)})
    try:
        text = "i want to order the glass teapot with infuser"
        [product] = entities(component, text, "product")
        assert product["skus"] == ["TEA-POT-GLS"] and text[product["start"]:product["end"]] == "glass teapot with infuser"
        assert [e["skus"] for e in entities(component, "a cast iron teapot and an infuser", "product")] == [
            ["TEA-POT-CST"], ["TEA-INF-STL"]]
    finally:
        component.close()


def test_catalogue_matcher_ambiguous_name_lists_candidates(matcher):
    [product] = entities(matcher, "how much is a teapot", "product")
    assert product["value"] == "teapot"
    assert product["skus"] == TEAPOTS


@pytest.mark.parametrize("text, sku", [
    ("tetsubin", "TEA-POT-CST"), ("a demitasse", "MUG-ESP-SET"), ("water boiler", "KET-ELC-STL"),
    ("cast iron tea pot", "TEA-POT-CST"), ("latte glass", "GLS-DBW-2PC"),
])
def test_catalogue_matcher_synonyms(matcher, text, sku):
    assert [e["skus"] for e in entities(matcher, text, "product")] == [[sku]]


@pytest.mark.parametrize("text, skus, confidence", [
    ("is the kettel in stock", ["KET-ELC-STL", "KET-GOO-BLK"], 0.9),  # swapped letters
    ("a tepot please", TEAPOTS, 0.9),  # missing letter
    ("french presss", ["BRW-FRP-800"], 0.9),  # extra letter
    ("cafettierre", ["BRW-FRP-800"], 0.8),  # two edits in a long word
    ("2 blu mugs", ["MUG-CER-BLU"], 0.9),  # a short colour word missing a letter, before the product
    ("a bleu mug", ["MUG-CER-BLU"], 0.9),  # ... or with two letters swapped
])
def test_catalogue_matcher_typos(matcher, text, skus, confidence):
    [product] = entities(matcher, text, "product")
    assert product["skus"] == skus
    assert product["confidence_entity"] == confidence


@pytest.mark.parametrize("text", ["mig", "first class delivery", "pleace", "kettlexx"])
def test_catalogue_matcher_typos_stay_within_limits(matcher, text):
    assert entities(matcher, text, "product") == []


@pytest.mark.parametrize("text", ["send back mug", "a rad mug", "blu ones please"])
def test_catalogue_matcher_short_words_stay_themselves(matcher, text):
    """A short word is read as a colour only when one letter is missing or two are swapped, and
    only right before a product's name: "back" is not "black", "rad" not "red"."""
    assert all(len(product["skus"]) > 1 for product in entities(matcher, text, "product"))


def test_catalogue_matcher_multi_item_with_quantities(matcher):
    text = "2 blue mugs and a teapot"
    found = entities(matcher, text)
    assert [(e["entity"], text[e["start"]:e["end"]], e["value"]) for e in found] == [
        ("quantity", "2", "2"), ("product", "blue mugs", "Ceramic Mug Blue"),
        ("quantity", "a", "1"), ("product", "teapot", "teapot")]
    assert [e["quantity"] for e in found if e["entity"] == "product"] == [2, 1]
    assert [e["implicit"] for e in found if e["entity"] == "quantity"] == [False, True]


@pytest.mark.parametrize("text, quantity", [
    ("three teapots", 3), ("twelve cups", 12), ("a dozen mugs", 12), ("half a dozen glasses", 6),
    ("half-a-dozen glasses", 6), ("a couple of kettles", 2), ("a pair of grinders", 2),
    ("coffee beans x3", 3), ("3x french press", 3), ("4 x tetsubin", 4), ("2 of the red mugs", 2),
    ("a teapot x2", 2), ("3 bags of coffee beans", 3), ("x3 kettles", 3),
])
def test_catalogue_matcher_quantity_words(matcher, text, quantity):
    [product] = entities(matcher, text, "product")
    [count] = entities(matcher, text, "quantity")
    assert product["quantity"] == quantity
    assert count["value"] == str(quantity)


def test_catalogue_matcher_quantity_alone_is_an_answer(matcher):
    assert [e["value"] for e in entities(matcher, "make it 4 please")] == ["4"]
    assert [e["value"] for e in entities(matcher, "three")] == ["3"]
    assert entities(matcher, "it's been 2 weeks") == []
    assert entities(matcher, "the blue one") == []


@pytest.mark.parametrize("text, category", [
    ("do you sell kettles", "Kettles"), ("show me your glassware", "Glassware"),
    ("any mugs on sale?", "Mugs"), ("teaware", "Teaware"),
    ("what coffee gear do you have", "Coffee Gear"),
])
def test_catalogue_matcher_category(matcher, text, category):
    assert [(e["entity"], e["value"]) for e in entities(matcher, text)] == [("category", category)]


@pytest.mark.parametrize("text", [
    "where is my order", "I want a refund", "my order 1042 is late", "order #123 hasn't arrived",
    "can I talk to a person", "hello there", "the box was damaged", "what are your opening hours",
    "I want to change my shipping address", "it's been a week", "",
])
def test_catalogue_matcher_no_false_positives(matcher, text):
    assert entities(matcher, text) == []


def test_catalogue_matcher_entity_shape(matcher):
    [quantity, product] = entities(matcher, "3 travel mugs")
    assert product == {"entity": "product", "start": 2, "end": 13, "value": "Insulated Travel Mug",
                       "confidence_entity": 1.0, "skus": ["MUG-TRV-STL"], "quantity": 3,
                       "extractor": "CatalogueMatcher"}
    assert quantity == {"entity": "quantity", "start": 0, "end": 1, "value": "3",
                        "confidence_entity": 1.0, "implicit": False,
                        "extractor": "CatalogueMatcher"}


def test_catalogue_matcher_skips_spans_other_extractors_found(matcher):
    message = Message.build(text="2 blue mugs")
    earlier = {"entity": "product", "start": 2, "end": 11, "value": "blue mugs",
               "extractor": "RegexEntityExtractor"}
    message.set("entities", [earlier])
    matcher.process([message])
    assert [e["entity"] for e in message.get("entities")] == ["product", "quantity"]
    assert message.get("entities")[0] is earlier


def test_catalogue_matcher_quantity_yields_to_other_entities(matcher):
    message = Message.build(text="order 1042 x3 mugs")
    order_id = {"entity": "order_id", "start": 6, "end": 13, "value": "1042 x3"}
    message.set("entities", [order_id])
    matcher.process([message])
    assert [e["entity"] for e in message.get("entities")] == ["order_id", "category"]


def test_catalogue_matcher_process_never_raises(tmp_path, caplog):
    component = CatalogueMatcher({"refresh_seconds": 0, "catalogue_file": str(FIXTURE)})
    component._index = None  # stands for any bug inside matching
    message = Message.build(text="2 blue mugs")
    with caplog.at_level(logging.ERROR, logger="bot.catalogue_matcher"):
        assert component.process([message]) == [message]
    assert message.get("entities") is None
    assert "no entities added" in caplog.text


def test_catalogue_matcher_is_fast(tmp_path):
    products = [dict(p, sku=f"{p['sku']}-{i}", name=f"{p['name']} Edition {i}")
                for i in range(27) for p in SNAPSHOT_PRODUCTS][:500]
    snapshot = tmp_path / "catalogue.json"
    snapshot.write_text(json.dumps({"data": products}), encoding="utf-8")
    component = CatalogueMatcher({"refresh_seconds": 0, "catalogue_file": str(snapshot)})
    messages = ["hi can I get 2 blue mugs and a teapot please", "where is my order",
                "do you have a gooseneck kettel", "half a dozen glasses and 3 bags of coffee beans"]
    for text in messages:  # warm the word cache as a running bot would
        entities(component, text)
    started = time.perf_counter()
    for _ in range(50):
        for text in messages:
            entities(component, text)
    assert (time.perf_counter() - started) / 200 < 0.002


def test_catalogue_matcher_fetch_pages_and_writes_snapshot(backend, tmp_path):
    snapshot = tmp_path / "var" / "catalogue.json"
    component = CatalogueMatcher({"backend_url": backend.url, "refresh_seconds": 60,
                                  "catalogue_file": str(snapshot), "page_size": 5})
    try:
        assert wait_for(lambda: snapshot.exists())
        assert len(backend.requests) == 4  # 19 products, 5 a page
        assert json.loads(snapshot.read_text())["count"] == len(SNAPSHOT_PRODUCTS)
        assert entities(component, "a tetsubin", "product")[0]["skus"] == ["TEA-POT-CST"]
    finally:
        component.close()


def test_catalogue_matcher_backend_down_uses_snapshot(dead_url, tmp_path, caplog):
    snapshot = tmp_path / "catalogue.json"
    snapshot.write_bytes(FIXTURE.read_bytes())
    with caplog.at_level(logging.WARNING, logger="bot.catalogue_matcher"):
        component = CatalogueMatcher({"backend_url": dead_url, "refresh_seconds": 0.05,
                                      "catalogue_file": str(snapshot), "timeout_seconds": 1})
        try:
            assert entities(component, "2 blue mugs", "product")[0]["skus"] == ["MUG-CER-BLU"]
            assert wait_for(lambda: caplog.records)
            time.sleep(0.3)  # several more failed refreshes
        finally:
            component.close()
    assert len(caplog.records) == 1
    assert "using 19 products" in caplog.records[0].getMessage()
    assert snapshot.read_bytes() == FIXTURE.read_bytes()


def test_catalogue_matcher_nothing_at_all_extracts_nothing(dead_url, tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="bot.catalogue_matcher"):
        component = CatalogueMatcher({"backend_url": dead_url, "refresh_seconds": 0.05,
                                      "catalogue_file": str(tmp_path / "missing.json")})
        try:
            assert wait_for(lambda: caplog.records)
            time.sleep(0.3)
            for text in ["2 blue mugs and a teapot", "", "3"]:
                assert entities(component, text) == []
        finally:
            component.close()
    assert len(caplog.records) == 1
    assert "No catalogue" in caplog.records[0].getMessage()


def test_catalogue_matcher_refresh_picks_up_new_product(backend, tmp_path):
    component = CatalogueMatcher({"backend_url": backend.url, "refresh_seconds": 0.1,
                                  "catalogue_file": str(tmp_path / "catalogue.json")})
    try:
        assert wait_for(lambda: component.product_count == len(SNAPSHOT_PRODUCTS))
        assert entities(component, "a bamboo whisk", "product") == []
        backend.products.append({**backend.products[0], "sku": "TEA-WSK-BMB",
                                 "name": "Bamboo Matcha Whisk", "category": "Teaware",
                                 "synonyms": ["chasen"], "attributes": {"material": "bamboo"}})
        assert wait_for(lambda: entities(component, "2 bamboo whisks", "product"))
        [product] = entities(component, "2 bamboo whisks", "product")
        assert (product["skus"], product["quantity"]) == (["TEA-WSK-BMB"], 2)
    finally:
        component.close()


def test_catalogue_matcher_a_set_said_is_the_product_sold_as_a_set(tmp_path):
    """"i want a tumbler set" had ordered the travel mug, which is also called a tumbler."""
    catalogue = json.loads(FIXTURE.read_text())
    travel_mug = next(p for p in catalogue["data"] if p["sku"] == "MUG-TRV-STL")
    travel_mug["synonyms"] = list(travel_mug["synonyms"]) + ["tumbler"]
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(catalogue))
    component = CatalogueMatcher({"refresh_seconds": 0, "catalogue_file": str(path)})
    try:
        for text in ("i want a tumbler set", "a set of tumblers", "2 tumbler glasses sets"):
            assert [e["skus"] for e in entities(component, text, "product")] == [["GLS-TMB-SET"]], text
        assert [e["skus"] for e in entities(component, "a tumbler for my coffee", "product")] == [["MUG-TRV-STL"]]
    finally:
        component.close()


def test_catalogue_matcher_a_counted_word_of_one_products_name_is_that_product(matcher):
    """"7 ethiopia" (the bot itself had suggested the Ethiopia beans) found nothing; the word
    alone, or one that several products' names share, is still no product."""
    [product] = entities(matcher, "7 ethiopia", "product")
    assert product["skus"] == ["COF-ETH-250"] and product["quantity"] == 7
    assert entities(matcher, "ethiopia", "product") == []
    assert all(len(e["skus"]) > 1 for e in entities(matcher, "2 electric", "product"))


def test_catalogue_matcher_counts_after_a_comma_in_a_list(matcher):
    """"2 blue mugs, a glass teapot, 3 french presses" had lost the counts after each comma (taken
    for "1,000"), and the bot asked how many of each again."""
    found = entities(matcher, "hi i need 2 blue mugs, a glass teapot, 3 french presses and one hand grinder", "product")
    assert [e["quantity"] for e in found] == [2, 1, 3, 1]
    assert [e["value"] for e in entities(matcher, "it costs 1,500 or 1.7 l", "quantity")] == []


def test_a_category_word_naming_one_product_is_any_of_the_category(tmp_path):
    """"1 tea please" ordered English Breakfast Tea (the one tea with "tea" in its name) without
    asking which of the three teas."""
    catalogue = json.loads(FIXTURE.read_text())
    teas = [("TEA-EBF-250", "English Breakfast Tea 250 g"), ("TEA-SEN-100", "Japanese Sencha 100 g"),
            ("TEA-CHA-200", "Masala Chai 200 g")]
    catalogue["data"] += [{"sku": sku, "name": name, "category": "Tea", "synonyms": [], "attributes": {}}
                          for sku, name in teas]
    catalogue["count"] = len(catalogue["data"])
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(catalogue))
    component = CatalogueMatcher({"refresh_seconds": 0, "catalogue_file": str(path)})
    try:
        [product] = entities(component, "1 tea please", "product")
        assert sorted(product["skus"]) == ["TEA-CHA-200", "TEA-EBF-250", "TEA-SEN-100"]
        assert [e["skus"] for e in entities(component, "2 english breakfast tea", "product")] == [["TEA-EBF-250"]]
    finally:
        component.close()


@pytest.mark.parametrize("text, quantity", [
    ("glass teapot 2", 2), ("red mug 3 pls", 3), ("i want the cast iron teapot 2!", 2),
    ("red mug 2 days ago", None),  # not at the end: not its count
])
def test_a_number_after_the_product_at_the_end_is_its_count(matcher, text, quantity):
    """"english breakfast 2" at "How many?" was asked again and again."""
    [product] = entities(matcher, text, "product")
    assert product["quantity"] == quantity


@pytest.mark.parametrize("text, said, quantity", [
    ("can i get a french press and 2 bags of colombia", "colombia", 2),
    ("2 bags of colombia and a french press", "colombia", 2),
    ("a bag of the ethiopia please", "ethiopia", 1),
    ("3 packs of ethiopia", "ethiopia", 3),
])
def test_catalogue_matcher_a_word_of_one_products_name_counted_in_bags_is_that_product(matcher, text, said, quantity):
    """QA16 verify N1: "can i get a french press and 2 bags of colombia" found only the french press
    ("7 ethiopia" was read, a count before "bags of" was not), and the beans were silently dropped."""
    found = [e for e in entities(matcher, text, "product") if text[e["start"]:e["end"]] == said]
    assert [(e["skus"], e["quantity"]) for e in found] == [
        (["COF-COL-250" if said == "colombia" else "COF-ETH-250"], quantity)], text
    # counted only with a count: "the colombia", "bags of colombia" name no product by that word
    assert entities(matcher, "the colombia", "product") == []
    assert entities(matcher, "bags of colombia", "product") == []
