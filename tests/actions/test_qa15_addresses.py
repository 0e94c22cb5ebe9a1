"""QA round 15, addresses and contact details: talk before the name, a labelled phone after the
address, a comma-less line, countries we don't serve, a product's origin that is no address, the
email changed at the summary, a name changed alone, and "can i change my address" with no order."""
from __future__ import annotations

import pytest
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.change_address import ActionConfirmAddressChange, ValidateChangeAddressForm
from actions.change_order import gives_an_address
from actions.parsing import contact_with_address, new_name_in, parse_address, tries_an_address
from tests.actions.test_change_address import address_of, start
from tests.actions.test_change_contact import slots_after
from tests.actions.test_change_order import DOMAIN, flow_tracker
from tests.actions.test_orders import new_identity, place_order, tracker_for

KARI = {"name": "Kari Nordmann", "line1": "Bryggen 3", "city": "Bergen", "postal_code": "5003", "country": "NO"}


@pytest.mark.parametrize("text, name", [
    ("no i said different address. Kari Nordmann, Bryggen 3, 5003 Bergen, Norway", "Kari Nordmann"),
    ("no i said different address, Kari Nordmann, Bryggen 3, 5003 Bergen, Norway", "Kari Nordmann"),
    ("ok back to the order. Nina Kovač, Slovenska cesta 5, 1000 Ljubljana, Slovenia", "Nina Kovač"),
    ("Dr. Ada Lovelace, 12 Market Street, 10115 Berlin, Germany", "Dr. Ada Lovelace"),
    ("J. R. Smith, 12 Market Street, 10115 Berlin, Germany", "J. R. Smith"),
])
def test_talk_before_the_name_is_not_put_on_the_parcel(text, name):
    """F8: "no i said different address. Kari Nordmann" was the name on the order placed."""
    assert parse_address(text)[0]["name"] == name


@pytest.mark.parametrize("text, contact", [
    ("Ola Nordmann, Karl Johans gate 15, 0154 Oslo, Norway, tel +47 912 34 567", "+4791234567"),
    ("Arjun Mehta, Ringstraße 9, 1010 Wien, Austria, ph +43 660 1234567", "+436601234567"),
    ("Arjun Mehta, Ringstraße 9, 1010 Wien, Austria, phone: +43 660 1234567", "+436601234567"),
    ("Arjun Mehta, Ringstraße 9, 1010 Wien, Austria mobile +43 660 1234567", "+436601234567"),
    ("Arjun Mehta, Ringstraße 9, 1010 Wien, Austria, email: arjun@example.at", "arjun@example.at"),
])
def test_a_labelled_contact_after_the_address_is_the_contact_not_the_country(text, contact):
    """F9: "…, Norway, tel +47 912 34 567" was "didn't recognise the country"."""
    address, problem = parse_address(text)
    assert problem is None and address["country"] in ("NO", "AT") and address["city"] in ("Oslo", "Wien")
    assert contact_with_address(text) == contact


@pytest.mark.parametrize("text", ["Hans Meier, Landstrasse 10, 9490 Vaduz, Liechtenstein",
                                  "Marc Rossi, 3 Avenue de la Costa, 98000 Monaco, Monaco",
                                  "Ana Perez, Calle Mayor 5, 35001 Las Palmas, Canary Islands"])
def test_a_country_we_do_not_serve_is_said_so_not_unrecognised(text):
    """t3 F11: Liechtenstein and Monaco were "didn't recognise the country"."""
    assert parse_address(text) == (None, "not_shipped")


@pytest.mark.parametrize("text, expected", [
    ("Priya Sharma Kungsgatan 44 111 35 Stockholm Sweden",
     {"name": "Priya Sharma", "line1": "Kungsgatan 44", "city": "Stockholm", "postal_code": "111 35", "country": "SE"}),
    ("Kari Nordmann Bryggen 3 5003 Bergen Norway", KARI),
    ("Ada Lovelace 12 Market Street 10115 Berlin Germany",
     {"name": "Ada Lovelace", "line1": "12 Market Street", "city": "Berlin", "postal_code": "10115", "country": "DE"}),
    ("Ola Nordmann Karl Johans gate 15 0154 Oslo Norway", None),  # where the name ends is unsure: commas asked for
    ("i want 2 mugs for Ada Lovelace 12 Market Street 10115 Berlin Germany", None),
])
def test_an_address_in_one_line_without_commas_is_read_where_its_parts_are_sure(text, expected):
    """F7: "Priya Sharma Kungsgatan 44 111 35 Stockholm Sweden" was asked for again with commas."""
    assert parse_address(text)[0] == expected


def test_beans_by_their_origin_are_no_address():
    """F30: "add 2 more bags of colombia" right after placing opened "What's the new address?"."""
    assert not tries_an_address("add 2 more bags of colombia")
    assert not tries_an_address("oh and add 2 colombia")
    assert not gives_an_address(tracker_for(new_identity(), "add 2 more bags of colombia"))
    assert tries_an_address("Bob Brown 5 High Street Cork T12 AB34 Ireland")


@pytest.mark.parametrize("text, name", [
    ("change the name to Nina Kovač", "Nina Kovač"),
    ("the name is wrong, it should be just Nina Kovač", "Nina Kovač"),
    ("change the name on the order to Nina Kovač please", "Nina Kovač"),
    ("my name is wrong", None), ("what name is on the order?", None), ("change the email to a@b.pl", None),
])
def test_a_new_name_alone(text, name):
    assert new_name_in(text) == name


def summary_slots(number, contact="alek@example.pl, 600700800"):
    return {"pending_order": number, "pending_confirmation": "place_order", "order_contact": contact,
            "shipping_address": KARI, "order_items": [{"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 1}]}


async def at_the_summary(identity, number, text):
    said = CollectingDispatcher()
    tracker = flow_tracker(identity, text, "change_shipping_address", "change_address_form", slots=summary_slots(number))
    tracker.active_loop = {}
    return await ValidateChangeAddressForm().run(said, tracker, DOMAIN), said


async def test_a_new_email_at_the_summary_changes_the_contact_and_shows_the_summary_again(backend):
    """F44: "change the email to alek2@example.pl" at the summary opened the address form."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    events, said = await at_the_summary(identity, number, "change the email to alek2@example.pl")
    assert [m["response"] for m in said.messages] == ["utter_confirm_order"]
    assert SlotSet("order_contact", "alek2@example.pl, 600700800") in events  # the phone stays
    assert ActiveLoop(None) in events and not any(e.get("name") == "new_shipping_address" for e in events)

    events, said = await at_the_summary(identity, number, "i need to change my email")
    assert [(m["response"], m["number"]) for m in said.messages] == [("utter_ask_new_contact", number)]
    assert events == [ActiveLoop(None), SlotSet("requested_slot", None), FollowupAction("action_listen")]


async def test_the_name_is_wrong_at_the_summary_shows_the_summary_again_with_that_name(backend):
    """F8: "the name is wrong, it should be just Nina Kovač" at the summary fixed nothing."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    events, said = await at_the_summary(identity, number, "the name is wrong, it should be just Nina Kovač")
    assert [m["response"] for m in said.messages] == ["utter_confirm_order"]
    assert SlotSet("shipping_address", {**KARI, "name": "Nina Kovač"}) in events and ActiveLoop(None) in events
    assert address_of(backend, identity, number)["name"] == "Nina Kovač"


async def test_a_new_name_alone_keeps_the_rest_of_the_address(backend):
    """F8: "change the name to Nina Kovač" asked for the whole address again."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    events, _ = await start(identity, "change the name to Nina Kovač")
    slots = slots_after(events)
    old = {part: value for part, value in slots["target_order"]["address"].items() if value}
    assert slots["new_shipping_address"] == {**old, "name": "Nina Kovač"} and old["name"] != "Nina Kovač"
    at_summary = {**slots, "pending_order": number, "pending_confirmation": "place_order",
                  "order_contact": "ada@example.com",
                  "order_items": [{"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 1}]}
    said = CollectingDispatcher()
    await ActionConfirmAddressChange().run(said, flow_tracker(identity, "", "inform", "x", slots=at_summary), {})
    assert [m["response"] for m in said.messages] == ["utter_confirm_order"]
    assert address_of(backend, identity, number)["name"] == "Nina Kovač"


async def test_can_i_change_my_address_without_an_order_is_answered_not_asked_for_a_number(backend):
    """t3 F12: "can i change my delivery address" with no order asked for an order number, again
    after every later question."""
    events, said = await start(new_identity(), "can i change my delivery address")
    assert [m["response"] for m in said.messages] == ["utter_address_change_no_order"]
    assert SlotSet("requested_slot", None) in events
