"""QA round 16, addresses: places in EU countries we don't deliver to (the Canary Islands, Ceuta,
Melilla, Gibraltar, the Channel Islands, Åland, the French overseas departments), "no, keep the old
one" at "What's the new address?", a postcode read as an order number, "which address is it going
to?", talk before the name, "- same name" and a UK address without its country, no address question
after a refusal, and a new phone asked for with a change of items."""
from __future__ import annotations

import pytest
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.change_address import (ValidateChangeAddressForm, asks_for_the_address, declines_the_new_address,
                                    keep_the_address, new_name_at_the_summary)
from actions.change_order import ValidateChangeOrderForm
from actions.fallback import asks_about_delivery_to
from actions.inform import ActionHandleInform
from actions.ordering import ValidateOrderForm
from actions.parsing import foreign_place, looks_like_address, new_name_in, parse_address, within_address
from tests.actions.test_change_address import address_of, start
from tests.actions.test_change_contact import contact_of, slots_after
from tests.actions.test_change_order import DOMAIN, flow_tracker
from tests.actions.test_orders import ADDRESS, new_identity, place_order, ship, tracker_for
from tests.actions.test_ordering import form_tracker

CANARY = "Carlos Perez, Calle Triana 20, 35002 Las Palmas de Gran Canaria, Spain"


def responses(said: CollectingDispatcher) -> list:
    return [m["response"] for m in said.messages]


# 1. Places outside the EU VAT area, in countries we deliver to otherwise -----------------------

@pytest.mark.parametrize("text", [
    CANARY,
    "Ana Ruiz, Calle del Castillo 12, 38002 Santa Cruz de Tenerife, España",
    "Ana Ruiz, Avenida Mayor 3, Las Palmas 35010, Spain",
    "Luis Gomez, Calle Real 90, 51001 Ceuta, Spain",
    "Luis Gomez, Avenida Juan Carlos I 8, 52001 Melilla, Spain",
    "John Smith, 10 Main Street, Gibraltar GX11 1AA, Gibraltar",
    "John Smith, 10 Main Street, GX11 1AA Gibraltar, UK",
    "Tom Le Brun, 5 King Street, St Helier JE2 4WE, United Kingdom",
    "Tom Le Brun, 5 High Street, St Peter Port GY1 2AB, Guernsey",
    "Tom Le Brun, 5 King Street, St Helier JE2 4WE, Channel Islands",
    "Emma Lind, Torggatan 4, 22100 Mariehamn, Finland",
    "Emma Lind, Torggatan 4, AX-22100 Mariehamn, Åland",
    "Marie Dubois, 12 Rue Victor Hugo, 97200 Fort-de-France, France",
    "Marie Dubois, 3 Rue de Paris, 97400 Saint-Denis, Réunion",
    "Marie Dubois, 3 Rue de Paris, 97300 Cayenne, French Guiana",
    "Jan Peters, Am Hafen 2, 27498 Helgoland, Germany",
])
def test_an_address_outside_the_eu_vat_area_is_not_shipped(text):
    """F1 (critical): "…, 35002 Las Palmas de Gran Canaria, Spain" was accepted and the order placed,
    though the shop answers "we don't deliver to the Canary Islands"."""
    assert parse_address(text) == (None, "not_shipped")
    assert looks_like_address(text)  # explained, not ignored


@pytest.mark.parametrize("text, city", [
    ("Ana Ruiz, Calle Mayor 5, 28013 Madrid, Spain", "Madrid"),
    ("Ana Ruiz, Carrer de Mallorca 100, 08036 Barcelona, Spain", "Barcelona"),
    ("Marie Dubois, 3 Rue de Paris, 93200 Saint-Denis, France", "Saint-Denis"),
    ("Emma Lind, Mannerheimintie 5, 00100 Helsinki, Finland", "Helsinki"),
    ("Mike Johnson, 1 Canada Square, London E14 5AB, UK", "London"),
    ("Ian Quayle, 4 Athol Street, Douglas IM1 1JA, UK", "Douglas"),
])
def test_the_rest_of_those_countries_is_shipped_to(text, city):
    assert parse_address(text)[0]["city"] == city


async def test_the_order_form_and_the_address_change_refuse_a_canary_islands_address(backend):
    identity = new_identity()
    said = CollectingDispatcher()
    tracker = form_tracker(identity, CANARY, "inform", [{"entity": "order_id", "value": "35002"}],
                           slots={"requested_slot": "shipping_address"})
    assert await ValidateOrderForm().run(said, tracker, DOMAIN) == [SlotSet("shipping_address", None)]
    assert responses(said) == ["utter_invalid_address_outside_vat_area"]  # the area named: Spain is served
    assert said.messages[0]["place"] == "the Canary Islands"

    number = place_order(backend, identity)["number"]
    events, said = await start(identity, f"change the address to {CANARY}", [{"entity": "order_id", "value": "35002"}])
    assert events[0]["value"]["number"] == number  # the postcode is no order number
    assert responses(said) == ["utter_invalid_address_outside_vat_area"]
    assert said.messages[0]["place"] == "the Canary Islands"
    assert SlotSet("new_shipping_address", None) in events
    assert address_of(backend, identity, number)["city"] == "Dublin"


@pytest.mark.parametrize("text, place", [
    ("what about Gibraltar", "Gibraltar"), ("do you ship to ceuta?", "Ceuta"), ("and melilla?", "Melilla"),
    ("do you deliver to jersey", "Jersey"), ("what about the channel islands", "the Channel Islands"),
    ("shipping to martinique?", "Martinique"), ("do you deliver to Åland", "Åland"),
    ("deliver to fuerteventura?", "Fuerteventura"), ("do you ship to new jersey", "New Jersey"),
    ("is shipping free for a family reunion order", None),
])
def test_those_places_asked_about_are_not_delivered_to(text, place):
    """F1: "what about Gibraltar" right after the Canary Islands answer got "outside what I can help with"."""
    assert foreign_place(text) == place


def test_what_about_gibraltar_after_the_canary_islands_answer_is_a_delivery_question():
    tracker = tracker_for(new_identity(), "what about Gibraltar")
    tracker.latest_message["intent"] = {"name": "out_of_scope", "confidence": 0.44}
    tracker.events = [{"event": "user", "text": "do you deliver to Canary Islands"},
                      {"event": "bot", "text": "Sorry, we don't deliver to the Canary Islands …",
                       "metadata": {"utter_action": "utter_not_delivered_there"}},
                      {"event": "action", "name": "action_listen"},
                      {"event": "user", "text": "what about Gibraltar"}]
    assert asks_about_delivery_to(tracker) == "Gibraltar"


# 2. "no, keep the old one" at "What's the new address?" ---------------------------------------

def asked_for_the_new_address(identity, text, intent, target, form="change_address_form"):
    """`text` right after the change-address form asked "What's the new address?"."""
    tracker = flow_tracker(identity, text, intent, form,
                           slots={"target_order": target, "requested_slot": "new_shipping_address"})
    tracker.events = [{"event": "action", "name": "change_address_form"},
                      {"event": "bot", "text": "What's the new address?",
                       "metadata": {"utter_action": "utter_ask_new_shipping_address"}},
                      {"event": "action", "name": "action_listen"},
                      {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}},
                      {"event": "action", "name": form}]
    return tracker


@pytest.mark.parametrize("text, intent", [
    ("no leave it", "deny"), ("no", "deny"), ("nope keep the old one", "deny"),
    ("i dont want to change it anymore", "change_order"), ("leave it as it is", "stop"),
    ("actually never mind, keep the current address", "deny"),
])
async def test_no_to_what_is_the_new_address_keeps_the_address_and_ends_the_form(backend, text, intent):
    """F2: "no leave it", "no", "nope keep the old one" got "Okay." and the same question;
    "i dont want to change it anymore" started the change of items."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    target = (await start(identity))[0][0]["value"]
    tracker = asked_for_the_new_address(identity, text, intent, target)
    assert declines_the_new_address(tracker)
    said = CollectingDispatcher()
    events = await ValidateChangeAddressForm().run(said, tracker, DOMAIN)
    assert [(m["response"], m["number"]) for m in said.messages] == [("utter_address_change_kept", number)]
    assert ActiveLoop(None) in events and SlotSet("requested_slot", None) in events
    assert SlotSet("target_order", None) in events and events[-1] == FollowupAction("action_listen")
    # what another action that got the message first (the confirmation's "no", the change of items) runs
    kept = CollectingDispatcher()
    assert await keep_the_address(kept, asked_for_the_new_address(identity, text, intent, target,
                                                                   "change_order_form")) == events
    assert [(m["response"], m["number"]) for m in kept.messages] == [("utter_address_change_kept", number)]


@pytest.mark.parametrize("text", [
    "no, its Kari Nordmann, Bryggen 3, 5003 Bergen, Norway", "no the other order", "no, the french press one",
    "hmm what's the free shipping limit", "Kari Nordmann, Bryggen 3, 5003 Bergen, Norway"])
def test_an_address_or_another_order_at_the_question_is_no_no(text):
    assert not declines_the_new_address(asked_for_the_new_address(new_identity(), text, "deny", {"number": "OB-X"}))


def test_a_no_long_after_the_address_question_is_not_about_it():
    tracker = asked_for_the_new_address(new_identity(), "no", "deny", {"number": "OB-X"})
    tracker.events[1]["metadata"] = {"utter_action": "utter_confirm_cancel"}
    assert not declines_the_new_address(tracker)


# 3. A postcode in a change of address is no order number --------------------------------------

async def test_a_postcode_with_same_name_is_the_address_of_the_last_order(backend):
    """F3: "change address to Bahnhofstrasse 50, 8001 Zürich, Switzerland, same name" got "I can't
    find order 8001 on this chat"."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    text = "change address to Bahnhofstrasse 50, 8001 Zürich, Switzerland, same name"
    assert within_address("8001", text)
    events, said = await start(identity, text, [{"entity": "order_id", "value": "8001"}])
    assert said.messages == [] and events[0]["value"]["number"] == number
    assert SlotSet("new_shipping_address", {"name": ADDRESS["name"], "line1": "Bahnhofstrasse 50", "city": "Zürich",
                                            "postal_code": "8001", "country": "CH"}) in events


async def test_a_postcode_of_a_shipped_order_gets_the_refusal_and_nothing_after_it(backend):
    """F3, F6: "please change address to 9 Avenue Foch, 75116 Paris, France same name" (shipped) got "I
    can't find order 75116"; "pls change delivery address to Bahnhofstrasse 1, 8001 Zurich,
    Switzerland" got the refusal, then "I need the address as name, street, town…"."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    ship(backend, identity, number)
    for text, postcode in (("please change address to 9 Avenue Foch, 75116 Paris, France same name", "75116"),
                           ("pls change delivery address to Bahnhofstrasse 1, 8001 Zurich, Switzerland", "8001"),
                           ("change the address", None)):
        events, said = await start(identity, text, [{"entity": "order_id", "value": postcode}] if postcode else [])
        assert [(m["response"], m["number"]) for m in said.messages] == [("utter_order_locked_shipped", number)], text
        assert SlotSet("requested_slot", None) in events
        assert not any(e.get("name") == "new_shipping_address" and e.get("value") for e in events)


# 4. "which address is it going to?" ------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "which address is it being delivered to?", "where is it going", "what address do you have for my order",
    "i dont want to change it i just want to know the address u have", "whats the delivery address on my order",
    "can you confirm the shipping address", "where are you sending my order?", "what did i order again and where is it going"])
def test_a_question_about_the_address(text):
    assert asks_for_the_address(text)


@pytest.mark.parametrize("text", [
    "change my delivery address", "what's the return address?", "what is your shop's address", "where is my order",
    "can i still change the address?", "change the address to Ada Lovelace, 12 Market Street, Dublin D02 X285, Ireland",
    "where is it", "what's the new address format"])
def test_no_question_about_the_address(text):
    assert not asks_for_the_address(text)


async def test_which_address_is_it_going_to_is_answered_and_no_form_starts(backend):
    """F4: "which address is it being delivered to?" got "What's the new address?", and "i dont want
    to change it i just want to know the address u have" "I need the address as name, street, …"."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    for text in ("which address is it being delivered to?", "what address do you have for my order"):
        events, said = await start(identity, text)
        assert len(said.messages) == 1 and number in said.messages[0]["text"], text
        assert "Ada Lovelace, 12 Market Street, D02 X285 Dublin, IE" in said.messages[0]["text"]
        assert ActiveLoop(None) in events and events[-1] == FollowupAction("action_listen")
        assert not any(e.get("name") == "new_shipping_address" and e.get("value") for e in events)
    target = (await start(identity))[0][0]["value"]
    said = CollectingDispatcher()
    text = "i dont want to change it i just want to know the address u have"
    events = await ValidateChangeAddressForm().run(
        said, asked_for_the_new_address(identity, text, "change_shipping_address", target), DOMAIN)
    assert len(said.messages) == 1 and "12 Market Street" in said.messages[0]["text"]
    assert ActiveLoop(None) in events and SlotSet("target_order", None) in events


async def test_the_address_asked_with_a_change_goes_on_to_the_new_address(backend):
    """ "what address do you have? i moved": the change, whose summary shows the old address too."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    events, said = await start(identity, "what address do you have for my order? i moved")
    assert said.messages == [] and events[0]["value"]["number"] == number and ActiveLoop(None) not in events


async def test_the_address_asked_at_an_order_summary_leaves_its_question_open(backend):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    tracker = flow_tracker(identity, "which address is it going to?", "change_shipping_address", "change_address_form",
                           slots={"pending_order": number, "pending_confirmation": "place_order"})
    tracker.active_loop = {}
    said = CollectingDispatcher()
    events = await ValidateChangeAddressForm().run(said, tracker, DOMAIN)
    assert number in said.messages[0]["text"] and "12 Market Street" in said.messages[0]["text"]
    assert not any(e.get("name") == "pending_confirmation" for e in events)


async def test_the_address_of_a_shipped_order_is_where_it_is_on_its_way_to(backend):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    ship(backend, identity, number)
    events, said = await start(identity, "which address is it being delivered to?")
    assert [m.get("response") for m in said.messages] == [None]
    assert "on its way" in said.messages[0]["text"] and "12 Market Street" in said.messages[0]["text"]


async def test_the_address_of_another_chats_order_only_after_its_email(backend):
    """Another identity's order: its email or phone first, as for its other details; then not its
    address (privacy), which only the chat it was ordered from sees."""
    number = place_order(backend, new_identity(), email="owner@example.com")["number"]
    identity = new_identity()
    text = f"which address is {number} going to?"
    events, said = await start(identity, text, [{"entity": "order_id", "value": number}])
    assert [(m["response"], m["number"]) for m in said.messages] == [("utter_ask_order_contact", number)]
    assert "12 Market Street" not in str(said.messages)
    asked = slots_after(events)
    assert asked["requested_info"] == "contact" and asked["order_task"] == "address" and ActiveLoop(None) in events

    for email, told in (("someone@example.com", False), ("owner@example.com", True)):
        answer = CollectingDispatcher()
        tracker = tracker_for(identity, email, [{"entity": "email", "value": email}], slots=asked)
        tracker.latest_message["intent"] = {"name": "inform", "confidence": 0.9}
        events = await ActionHandleInform().run(answer, tracker, {})
        if told:  # found, but knowing the email is no right to the home address: items, total, status only
            assert responses(answer) == ["utter_verified_order_address_private"]
            assert "12 Market Street" not in str(answer.messages)
            assert SlotSet("contact", "owner@example.com") in events
        else:
            assert responses(answer) == ["utter_order_not_verified"]


# 5. Talk before the name, "- same name", a UK address without its country ----------------------

@pytest.mark.parametrize("text, name", [
    ("ok send to my sister then - Anjali Sharma, 22 Bridge St, Manchester M3 4LZ, UK", "Anjali Sharma"),
    ("for my mum: Mary Jones, 22 Bridge St, Manchester M3 4LZ, UK", "Mary Jones"),
    ("send it to my brother Tom Baker, 22 Bridge St, Manchester M3 4LZ, UK", "Tom Baker"),
    ("Anne-Marie Smith, 22 Bridge St, Manchester M3 4LZ, UK", "Anne-Marie Smith"),
    ("My Linh Nguyen, 22 Bridge St, Manchester M3 4LZ, UK", "My Linh Nguyen"),
])
def test_talk_before_the_name_is_not_on_the_parcel(text, name):
    """F5: "ok send to my sister then - Anjali Sharma, …" put "my sister then - Anjali Sharma" on it."""
    assert parse_address(text)[0]["name"] == name


async def test_the_order_form_takes_the_name_without_the_talk(backend):
    text = "ok send to my sister then - Anjali Sharma, 22 Bridge St, Manchester M3 4LZ, UK"
    tracker = form_tracker(new_identity(), text, "inform", slots={"requested_slot": "shipping_address"})
    events = await ValidateOrderForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert slots_after(events)["shipping_address"]["name"] == "Anjali Sharma"


@pytest.mark.parametrize("text, name", [
    ("no wait the name shud be just Anjali Sharma", "Anjali Sharma"), ("the name is fine", None),
    ("name is correct now, place it", None), ("the name is spelt right", None)])
def test_a_new_name_at_the_summary_and_words_about_the_name(text, name):
    """What action_answer_confirmation would apply at "Shall I place it?" (a no or yes to the NLU)."""
    assert new_name_in(text) == name


async def test_the_name_corrected_at_the_summary_shows_the_summary_again(backend):
    """F5: "no wait the name shud be just Anjali Sharma" at "Shall I place it?" changed nothing."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    slots = {"pending_order": number, "pending_confirmation": "place_order", "order_contact": "ada@example.com",
             "shipping_address": {**ADDRESS, "name": "my sister then - Anjali Sharma"},
             "order_items": [{"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 1}]}
    tracker = flow_tracker(identity, "no wait the name shud be just Anjali Sharma", "affirm", "x", slots=slots)
    tracker.active_loop = {}
    said = CollectingDispatcher()
    events = await new_name_at_the_summary(said, tracker, {})
    assert responses(said) == ["utter_confirm_order"] and "Anjali Sharma, 12 Market Street" in said.messages[0]["address"]
    assert SlotSet("shipping_address", {**ADDRESS, "name": "Anjali Sharma"}) in events
    assert address_of(backend, identity, number)["name"] == "Anjali Sharma"


@pytest.mark.parametrize("text, expected", [
    ("actually can u change the delivery address to 5 Deansgate, Manchester M3 2BW, UK - same name",
     {"line1": "5 Deansgate", "city": "Manchester", "postal_code": "M3 2BW", "country": "GB"}),
    ("actually i moved, pls send to 9 Oak Road, Leeds LS1 4DY instead",
     {"line1": "9 Oak Road", "city": "Leeds", "postal_code": "LS1 4DY", "country": "GB"}),
    ("change my address to 9 Oak Road, Leeds LS1 4DY (same name as before)",
     {"line1": "9 Oak Road", "city": "Leeds", "postal_code": "LS1 4DY", "country": "GB"}),
])
async def test_the_new_address_given_with_the_request_is_taken(backend, text, expected):
    """F5: both got "What's the new address?", the address in the message discarded."""
    identity = new_identity()
    place_order(backend, identity)
    events, said = await start(identity, text)
    assert said.messages == [], text
    assert SlotSet("new_shipping_address", {"name": ADDRESS["name"], **expected}) in events


def test_a_uk_address_without_its_country_is_in_the_uk_and_others_are_asked_for_it():
    assert parse_address("Emma Clarke, 9 Oak Road, Leeds LS1 4DY")[0]["country"] == "GB"
    assert parse_address("Ada Lovelace, 12 Market Street, 10115 Berlin") == (None, "no_country")
    assert parse_address("Ada Lovelace, 12 Market Street, Dublin D02 X285") == (None, "no_country")


# 7. A new phone with a change of items ----------------------------------------------------------

async def test_a_new_phone_with_a_change_of_items_changes_the_phone_and_says_the_rest_comes_next(backend):
    """F7: "change the phone on my order to +41 78 999 88 77 and make it 2 kettles" changed only the
    quantity; the phone change was lost."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    text = "change the phone on my order to +41 78 999 88 77 and make it 2 kettles"
    start_of = text.index("kettles")
    entities = [{"entity": "phone", "value": "+41 78 999 88 77"},
                {"entity": "quantity", "value": "2", "start": start_of - 2, "end": start_of - 1},
                {"entity": "product", "value": "kettle", "skus": ["KET-ELC-STL", "KET-GOO-BLK", "KET-STV-RED"],
                 "quantity": 2, "start": start_of, "end": start_of + 7}]
    tracker = flow_tracker(identity, text, "change_order", "change_order_form", entities)
    tracker.active_loop = {}
    said = CollectingDispatcher()
    events = await ValidateChangeOrderForm().run(said, tracker, DOMAIN)
    # the note first, the question last: a yes answers the question the bot asked last (qv16b 14)
    assert len(said.messages) == 2 and "make it 2 kettles" in said.messages[0]["text"]
    assert said.messages[1]["response"] == "utter_confirm_contact_change"
    assert said.messages[1]["new_contact"] == "ada@example.com, +41789998877"
    assert SlotSet("pending_confirmation", "change_contact") in events and events[-1] == FollowupAction("action_listen")
    assert contact_of(backend, identity, number) == ("ada@example.com", None)  # nothing before the yes
