"""QA round 16, readings: the offer of a person mid-order ends with the order's question; "2 more
bags of colombia" for an order of several lines; Black Friday and gift cards are no products (nor
gift wrapping); whether a confirmation email was sent is answered truthfully (none is: the chat)."""
from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import yaml
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation
from actions.catalogue import ActionShowProducts
from actions.change_order import ActionConfirmOrderChange
from actions.faq import DEALS, GIFT_CARDS, ActionAnswerFaq
from actions.fallback import ActionDefaultFallback, ActionFallback
from actions.order_wording import asks_about_a_confirmation_email
from actions.orders import ActionTrackOrder
from actions.placed_order_edits import adds_to_a_placed_order, lines_named_by_words
from tests.actions.test_change_order import change_form_started, confirmation, lines_of
from tests.actions.test_faq import faq_tracker
from tests.actions.test_orders import STAFF, new_identity, place_order, ship, tracker_for
from tests.actions.test_replacements import placed_order

RESPONSES = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text())["responses"]
OFFER = RESPONSES["utter_offer_human"][0]["text"]


def responses(dispatcher: CollectingDispatcher) -> list:
    return [message["response"] for message in dispatcher.messages]


# --- the offer of a person while ordering -----------------------------------------------------

KETTLES = [{"sku": "KET-ELC-STL", "name": "Electric Kettle 1.7 L Steel"},
           {"sku": "KET-GOO-BLK", "name": "Gooseneck Pour-Over Kettle Black"},
           {"sku": "KET-STV-RED", "name": "Stovetop Whistling Kettle Red"}]
WHICH_KETTLE = [{"sku": None, "name": "kettle", "quantity": 1, "candidates": KETTLES}]
HOW_MANY_CHAI = [{"sku": "TEA-CHA-200", "name": "Masala Chai 200 g", "quantity": None, "candidates": []}]


def second_miss(asked: str, slots: dict, intent: str = "nlu_fallback"):
    """The order form asked for `asked` (its requested slot), then two messages not understood."""
    tracker = tracker_for(new_identity(), "xxyyzz", slots={"requested_slot": asked, **slots})
    tracker.latest_message["intent"] = {"name": intent, "confidence": 0.3}
    tracker.active_loop = {"name": "order_form"}
    tracker.events = [{"event": "user", "text": "get me 1 kettle", "parse_data": {"intent": {"name": "place_order"}}},
                      {"event": "bot", "metadata": {"utter_action": "utter_ask_which_product"}}]
    for miss, said in (("sdfkjh", "utter_ask_rephrase"), ("xxyyzz", None)):
        tracker.events.append({"event": "user", "text": miss, "parse_data": {"intent": {"name": intent}}})
        if said:
            tracker.events.append({"event": "bot", "metadata": {"utter_action": said}})
    return tracker


async def test_the_offer_of_a_person_mid_order_ends_with_the_orders_question(backend):
    """The offer ("Shall I ask someone …?") left "which kettle?" behind; it ends with it now, the
    offer's name and buttons kept (a "yes" opens its ticket), and a "no" goes back to the order."""
    said = CollectingDispatcher()
    events = await ActionFallback().run(said, second_miss("order_items", {"order_draft": WHICH_KETTLE}), {})
    [offer] = said.messages
    assert offer["response"] == "utter_offer_human"
    assert offer["text"].startswith(OFFER + " Or we can go on with your order: which kettle would you like?\n"
                                    "• Electric Kettle 1.7 L Steel: €"), offer["text"]
    assert "• Gooseneck Pour-Over Kettle Black: €" in offer["text"] and not offer["buttons"]
    assert events[:2] == [SlotSet("pending_confirmation", "human_handoff"), SlotSet("paused_form", "order_form")]
    no = confirmation(new_identity(), "deny", "action_fallback",
                      {"pending_confirmation": "human_handoff", "paused_form": "order_form"})
    assert FollowupAction("order_form") in await ActionAnswerConfirmation().run(CollectingDispatcher(), no, {})


@pytest.mark.parametrize("asked, slots, question", [
    ("order_items", {"order_draft": HOW_MANY_CHAI}, "how many Masala Chai 200 g would you like?"),
    ("order_items", {"order_draft": []}, "what would you like to order?"),
    ("shipping_address", {"order_draft": HOW_MANY_CHAI, "order_saved_address": {}}, "where should we send it?"),
    ("order_contact", {}, "an email address or phone number where we can reach you about the order?"),
])
async def test_each_question_of_the_order_is_the_offers_last_words(backend, asked, slots, question):
    said = CollectingDispatcher()
    await ActionFallback().run(said, second_miss(asked, slots, intent="out_of_scope"), {})
    offer = RESPONSES["utter_offer_human_out_of_scope"][0]["text"]
    assert responses(said) == ["utter_offer_human_out_of_scope"]
    assert said.messages[0]["text"].startswith(f"{offer} Or we can go on with your order: {question}"), question


async def test_a_yes_or_no_question_of_the_order_is_not_added_to_the_offer(backend):
    """ "Shall I send it to the address of your last order?" under "Shall I ask someone?": one yes
    would answer both; the offer stays as it was (its "no" asks the order's question again)."""
    saved = {"address": {"name": "Ada Lovelace", "line1": "12 Market Street", "city": "Dublin",
                         "postal_code": "D02 X285", "country": "IE"}, "contact": "ada@example.com"}
    said = CollectingDispatcher()
    await ActionFallback().run(said, second_miss("shipping_address", {"order_saved_address": saved}), {})
    assert responses(said) == ["utter_offer_human"] and said.messages[0]["text"] is None


async def test_rasas_core_fallback_offers_a_person_with_the_orders_question_too(backend):
    tracker = second_miss("order_items", {"order_draft": HOW_MANY_CHAI}, intent="inform")
    tracker.events[-3:-1] = [{"event": "user", "text": "sdfkjh", "parse_data": {"intent": {"name": "inform"}}},
                             {"event": "bot", "metadata": {"utter_action": "utter_default"}}]
    said = CollectingDispatcher()
    await ActionDefaultFallback().run(said, tracker, {})
    assert responses(said) == ["utter_offer_human"]
    assert said.messages[0]["text"] == f"{OFFER} Or we can go on with your order: how many Masala Chai 200 g would you like?"


# --- "add 2 more bags of colombia" to an order of several lines ------------------------------

LINES = [{"sku": "COF-COL-250", "name": "Colombia Huila Beans 250 g"}, {"sku": "MUG-CER-WHT", "name": "Ceramic Mug White"},
         {"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue"}, {"sku": "TEA-POT-GLS", "name": "Glass Teapot with Infuser 1 L"}]


def test_a_word_of_one_lines_name_names_that_line():
    text = "add 2 more bags of colombia to that order"
    assert lines_named_by_words(LINES, text) == [{"entity": "product", "value": "Colombia Huila Beans 250 g",
                                                  "skus": ["COF-COL-250"], "start": 19, "end": 27}]
    assert lines_named_by_words(LINES, "2 more colombian")[0]["skus"] == ["COF-COL-250"]
    assert lines_named_by_words(LINES, "make the white one 3")[0]["skus"] == ["MUG-CER-WHT"]
    # a word two lines share, none, two lines named, or a product the NLU found: none of the lines
    assert lines_named_by_words(LINES, "add 2 more ceramic ones") == []
    assert lines_named_by_words(LINES, "add 2 more to that order") == []
    assert lines_named_by_words(LINES, "2 more colombia and a glass teapot") == []
    assert lines_named_by_words(LINES, text, [{"entity": "product", "value": "mug", "skus": ["MUG-CER-BLU"]}]) == []


async def test_two_more_bags_of_colombia_for_an_order_of_several_lines_are_proposed_and_made(backend):
    """QA: "add 2 more bags of colombia to that order" found no product when the order held more
    than the coffee (the matcher wants "colombia beans"). The Colombia line gets 2 more, the rest
    stays, after the usual summary and yes; without "to that order" it is that order's change too."""
    identity = new_identity()
    number = placed_order(backend, identity, [("MUG-CER-WHT", 2), ("COF-COL-250", 1), ("TEA-POT-GLS", 1)])
    assert await adds_to_a_placed_order(tracker_for(identity, "2 more bags of colombia"))
    text = "add 2 more bags of colombia to that order"
    slots, said = await change_form_started(identity, text, [], slots={"order_id": number})
    assert said.messages == [] and slots["target_order"]["number"] == number
    assert sorted((line["sku"], line["quantity"]) for line in slots["order_changes"]) == [
        ("COF-COL-250", 3), ("MUG-CER-WHT", 2), ("TEA-POT-GLS", 1)]
    summary = CollectingDispatcher()
    events = await ActionConfirmOrderChange().run(summary, tracker_for(identity, text, slots=slots), {})
    assert responses(summary) == ["utter_confirm_order_change"] and "3 × Colombia Huila Beans" in summary.messages[0]["lines"]
    slots.update({e["name"]: e["value"] for e in events})
    yes = CollectingDispatcher()
    await ActionAnswerConfirmation().run(yes, confirmation(identity, "affirm", "action_confirm_order_change", slots), {})
    assert responses(yes) == ["utter_order_changed"]
    assert sorted(lines_of(backend, identity, number)) == [("COF-COL-250", 3), ("MUG-CER-WHT", 2), ("TEA-POT-GLS", 1)]


# --- Black Friday and gift cards ------------------------------------------------------------

def asked(text: str, intent: str):
    tracker = tracker_for(new_identity(), text)
    tracker.latest_message["intent"] = {"name": intent, "confidence": 0.6}
    return tracker


@pytest.mark.parametrize("text, answer", [
    ("black friday deals?", "utter_faq/discounts"), ("any black friday sale", "utter_faq/discounts"),
    ("when is your next sale", "utter_faq/discounts"), ("do you sell gift cards?", "utter_no_gift_cards"),
    ("gift card", "utter_no_gift_cards"), ("can i buy a gift voucher", "utter_no_gift_cards"),
])
async def test_black_friday_and_gift_cards_are_no_products(backend, text, answer):
    """ "black friday deals?" listed the black mug, cast iron teapot and gooseneck kettle ("black");
    "do you sell gift cards?" said only that it found none and listed the categories."""
    for intent in ("product_info", "place_order"):
        said = CollectingDispatcher()
        events = await ActionShowProducts().run(said, asked(text, intent), {})
        assert responses(said) == [answer] and events == [], (text, intent)


async def test_a_gift_card_question_is_no_gift_wrapping_nor_a_miss(backend):
    for selected in ("utter_faq/gift_wrapping", "utter_faq/payment_options"):
        said = CollectingDispatcher()
        await ActionAnswerFaq().run(said, faq_tracker("do you sell gift cards?", selected), {})
        assert responses(said) == ["utter_no_gift_cards"], selected
    said = CollectingDispatcher()
    await ActionAnswerFaq().run(said, faq_tracker("do you offer gift wrapping", "utter_faq/gift_wrapping"), {})
    assert responses(said) == ["utter_faq/gift_wrapping"]
    for text, answer in (("gift card??", "utter_no_gift_cards"), ("black friday??", "utter_faq/discounts")):
        said = CollectingDispatcher()
        assert await ActionFallback().run(said, asked(text, "nlu_fallback"), {}) == []
        assert responses(said) == [answer]


def test_the_wordings_of_deals_and_gift_cards():
    assert all(DEALS.search(t) for t in ("black friday deals?", "any sale on?", "is the kettle on sale",
                                         "discount code?", "cyber monday offers", "any deals"))
    assert not any(DEALS.search(t) for t in ("what do you offer", "is the kettle for sale", "do you have black mugs",
                                             "ok deal, place it"))
    assert all(GIFT_CARDS.search(t) for t in ("gift card", "do you sell giftcards", "gift vouchers?", "e-gift"))
    assert not any(GIFT_CARDS.search(t) for t in ("gift wrapping", "can i send it as a gift", "gift set"))


async def test_black_mugs_are_still_listed(backend):
    said = CollectingDispatcher()
    tracker = asked("do you have black mugs", "product_info")
    tracker.latest_message["entities"] = [{"entity": "product", "value": "Ceramic Mug Black", "skus": ["MUG-CER-BLK"],
                                           "start": 12, "end": 22}]
    await ActionShowProducts().run(said, tracker, {})
    assert responses(said) == ["utter_product_list"]


# --- "did you send me a confirmation email?" ------------------------------------------------

def test_the_wordings_of_a_confirmation_email():
    assert all(asks_about_a_confirmation_email(t) for t in (
        "did you send me a confirmation email?", "i didn't get the confirmation email", "no email confirmation yet",
        "was the order confirmation sent to my email", "did you email me to confirm my order"))
    assert not any(asks_about_a_confirmation_email(t) for t in (
        "is my order confirmed", "email me the invoice", "change the email on my order",
        "my email is ada@example.com, please confirm"))


def deliver(backend, identity: str, number: str) -> None:
    ship(backend, identity, number)
    httpx.post(f"{backend.url}/api/v1/staff/orders/{number}/transition", headers=STAFF,
               json={"status": "delivered"}).raise_for_status()


async def test_a_confirmation_email_question_hears_the_chat_is_the_confirmation_and_the_status(backend):
    """QA: "did you send me a confirmation email?" got the status alone; the shop sends no email (the
    backend has no mailer, the notifier writes to the chat), so that is said, then the order's
    number and status; "i didn't get the confirmation email" about a delivered order is no parcel
    that never came."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    said = CollectingDispatcher()
    events = await ActionTrackOrder().run(said, tracker_for(identity, "did you send me a confirmation email?"), {})
    assert responses(said) == ["utter_order_confirmed_in_chat", "utter_order_status_pending"]
    assert said.messages[1]["number"] == number and SlotSet("order_id", number) in events
    deliver(backend, identity, number)
    said = CollectingDispatcher()
    await ActionTrackOrder().run(said, tracker_for(identity, "i didn't get the confirmation email"), {})
    assert responses(said) == ["utter_order_confirmed_in_chat", "utter_order_status_delivered"]
    # read as the invoice FAQ (its answer speaks of a confirmation email): the same answer
    said = CollectingDispatcher()
    tracker = faq_tracker("i didn't get the confirmation email", "utter_faq/invoice")
    tracker.sender_id = identity
    await ActionAnswerFaq().run(said, tracker, {})
    assert responses(said) == ["utter_order_confirmed_in_chat", "utter_order_status_delivered"]


async def test_a_confirmation_email_question_without_an_order_asks_for_its_number(backend):
    said = CollectingDispatcher()
    events = await ActionTrackOrder().run(said, tracker_for(new_identity(), "did you send me a confirmation email?"), {})
    assert responses(said) == ["utter_no_order_confirmed_in_chat"]
    assert events == [SlotSet("requested_info", "order_id"), SlotSet("order_task", "track")]


def test_the_new_answers_are_worded_in_the_domain():
    """The answers these flows give: said by name, worded in domain.yml."""
    for name in ("utter_go_on_with_the_order", "utter_no_gift_cards", "utter_order_confirmed_in_chat",
                 "utter_no_order_confirmed_in_chat"):
        assert RESPONSES.get(name), name
    assert "{question}" in RESPONSES["utter_go_on_with_the_order"][0]["text"]
    assert "gift card" in RESPONSES["utter_no_gift_cards"][0]["text"]
    assert all("email" in RESPONSES[name][0]["text"] and "chat" in RESPONSES[name][0]["text"]
               for name in ("utter_order_confirmed_in_chat", "utter_no_order_confirmed_in_chat"))
