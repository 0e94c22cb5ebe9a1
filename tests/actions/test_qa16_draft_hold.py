"""QA round 16: an order waiting at its summary while the customer asks the team for something only
they can add (express shipping, gift wrapping, a discount code), and the same order after it lapsed.

The order is held PENDING_ORDER_TTL_MINUTES (30) from when it was made; then the backend's expiry
releases it. To let it lapse here, the order's hold is moved into the past in the test database
(the clock half an hour on, for that one order) and the real staff route runs the expiry use case.
"""
from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation
from actions.faq import ActionAnswerFaq
from actions.order_hold import extra_asked_for, hold_in_words
from actions.support import ActionOpenTicket
from tests.actions.test_faq import faq_tracker
from tests.actions.test_ordering import BLUE_MUGS, orders_of, pending_order
from tests.actions.test_orders import BOT, new_identity
from tests.actions.test_qa15_support import responses, turn
from tests.actions.test_support import STAFF, staff_ticket, tickets_of

HELD = "utter_team_extra_order_held"
SUMMARY = ("utter_confirm_order", "Here's your order: … Shall I place it?")
HELD_SAID = (HELD, "I've asked our team about gift wrapping (ticket #1). Your order isn't placed yet: …")
STILL_WAITING = ("utter_confirm_order_after_aside", "Your order is still waiting: shall I place it?")


async def an_order_at_its_summary(backend) -> tuple:
    """(identity, number) of a new pending order of 2 blue mugs, made by action_place_order."""
    identity = new_identity()
    events = await pending_order(backend, CollectingDispatcher(), identity, [dict(BLUE_MUGS)])
    return identity, next(e["value"] for e in events if e["name"] == "pending_order")


def at_the_summary(identity: str, number: str, text: str, intent: str, said=(), pending: str = "place_order"):
    return turn(identity, text, intent, (SUMMARY,) + tuple(said),
                {"pending_confirmation": pending, "pending_order": number})


def order(backend, identity: str, number: str) -> dict:
    response = httpx.get(f"{backend.url}/api/v1/orders/{number}", headers={**BOT, "X-Channel-Identity": identity})
    response.raise_for_status()
    return response.json()


def expires_at(backend, identity: str, number: str) -> datetime:
    return datetime.fromisoformat(order(backend, identity, number)["expires_at"].replace("Z", "+00:00"))


def lapse(backend, number: str) -> None:
    """The order's hold has passed (moved into the past in the test database), and the backend's
    expiry (POST /staff/orders/expire) releases it."""
    path = backend.env["DATABASE_URL"].split(":///", 1)[1]
    past = (datetime.now(timezone.utc) - timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M:%S.%f")
    with sqlite3.connect(path, timeout=10) as database:
        moved = database.execute("UPDATE orders SET expires_at = ? WHERE number = ?", (past, number)).rowcount
    assert moved == 1
    response = httpx.post(f"{backend.url}/api/v1/staff/orders/expire", headers=STAFF)
    assert response.status_code == 200 and response.json()["expired"] >= 1, response.text


def assert_told_the_hold(backend, identity: str, number: str, message: dict, about: str) -> None:
    held = expires_at(backend, identity, number)
    assert timedelta(minutes=29) < held - datetime.now(timezone.utc) <= timedelta(minutes=30)
    assert message["held_until"] == f"{held:%H:%M} UTC"
    assert message["time_left"] in ("29 minutes", "30 minutes")
    assert message["about"] == about and not message["custom"]  # no handoff: "yes" must reach the bot


# --- the request for the team while the order waits ------------------------------------------------

async def test_gift_wrapping_asked_of_the_team_at_the_summary_says_until_when_the_order_is_held(backend):
    """QA16: "can someone gift wrap it" at the summary handed the chat over; out of hours the order
    lapsed after 30 minutes and nobody told the customer."""
    identity, number = await an_order_at_its_summary(backend)
    dispatcher = CollectingDispatcher()
    asked = at_the_summary(identity, number, "can someone gift wrap it before i confirm?", "contact_human_agent")
    events = await ActionOpenTicket().run(dispatcher, asked, {})

    assert responses(dispatcher) == [HELD, "utter_confirm_order_after_aside"]
    assert_told_the_hold(backend, identity, number, dispatcher.messages[0], "gift wrapping")
    assert dispatcher.messages[0]["team_adds"] == "gift wrap it"
    ticket_id = dispatcher.messages[0]["ticket_id"]
    assert events == [SlotSet("pending_confirmation", "place_order"), SlotSet("offered_ticket", ticket_id),
                      SlotSet("paused_form", None)]
    ticket = staff_ticket(backend, ticket_id)
    assert (ticket["reason"], ticket["order_number"], ticket["handoff_active"]) == (
        "gift wrapping for an order in chat", number, False)
    assert order(backend, identity, number)["status"] == "pending"

    # the summary's question is still open: "yes" places the order
    placed = CollectingDispatcher()
    yes = at_the_summary(identity, number, "yes", "affirm", [HELD_SAID, STILL_WAITING])
    await ActionAnswerConfirmation().run(placed, yes, {})
    assert responses(placed) == ["utter_order_placed"]
    assert order(backend, identity, number)["status"] == "confirmed"


async def test_a_person_asked_for_about_gift_wrap_in_an_faq_question_at_the_summary_hears_the_hold(backend):
    identity, number = await an_order_at_its_summary(backend)
    tracker = faq_tracker("ok I want gift wrap, can i talk to a person about it before confirming",
                          "utter_faq/gift_wrapping")
    tracker.sender_id = identity
    tracker.slots.update({"pending_confirmation": "place_order", "pending_order": number})
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerFaq().run(dispatcher, tracker, {})
    assert responses(dispatcher) == [HELD, "utter_confirm_order_after_aside"]
    assert_told_the_hold(backend, identity, number, dispatcher.messages[0], "gift wrapping")
    assert SlotSet("pending_confirmation", "place_order") in events


async def test_yes_to_a_person_offered_after_asking_for_express_passes_it_on_and_keeps_the_order_waiting(backend):
    identity, number = await an_order_at_its_summary(backend)
    said = [("utter_faq/shipping_costs", "… For express, ask for a person before you confirm …"),
            ("utter_offer_a_person", "Shall I ask someone from our team to help you here in the chat?")]
    yes = at_the_summary(identity, number, "yes please", "affirm", said, pending="human_handoff")
    asked = yes.events[3]  # what the customer said to the summary
    assert asked["event"] == "user" and yes.events[1]["metadata"]["utter_action"] == "utter_confirm_order"
    asked["text"] = "can i get express delivery on this"
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerConfirmation().run(dispatcher, yes, {})
    assert responses(dispatcher) == [HELD, "utter_confirm_order_after_aside"]
    assert_told_the_hold(backend, identity, number, dispatcher.messages[0], "express shipping")
    pending = [e["value"] for e in events if e.get("name") == "pending_confirmation"]
    assert pending[-1] == "place_order"


async def test_a_person_asked_for_at_the_summary_about_nothing_the_team_adds_is_handed_over_as_before(backend):
    identity, number = await an_order_at_its_summary(backend)
    dispatcher = CollectingDispatcher()
    await ActionOpenTicket().run(dispatcher, at_the_summary(identity, number, "can i talk to someone",
                                                            "contact_human_agent"), {})
    assert responses(dispatcher) == ["utter_handoff_ticket"]
    assert "handoff" in dispatcher.messages[0]["custom"]


async def test_a_person_asked_for_again_after_the_hold_was_said_gets_that_ticket_handed_over(backend):
    identity, number = await an_order_at_its_summary(backend)
    first = CollectingDispatcher()
    events = await ActionOpenTicket().run(first, at_the_summary(identity, number, "i have a discount code, can "
                                                                "someone apply it", "contact_human_agent"), {})
    ticket_id = first.messages[0]["ticket_id"]
    assert first.messages[0]["about"] == "your discount code"
    again = at_the_summary(identity, number, "no, i want to talk to a person now", "contact_human_agent",
                           [HELD_SAID, STILL_WAITING])
    again.slots.update({e["name"]: e["value"] for e in events})
    handed = CollectingDispatcher()
    await ActionOpenTicket().run(handed, again, {})
    assert responses(handed) == ["utter_handoff_ticket"]
    assert handed.messages[0]["custom"] == {"handoff": {"ticket_id": ticket_id}}
    assert [t["id"] for t in tickets_of(backend, identity)] == [ticket_id]


@pytest.mark.parametrize("text, said, about", [
    ("can you upgrade the shipping", [], "express shipping"),
    ("ok a person please", [("utter_faq/discounts", "Sign up to our newsletter …")], "your discount code"),
    ("a person please", [("utter_faq/gift_wrapping", "Gift wrapping costs €3 …"), STILL_WAITING], "gift wrapping"),
    ("a person please", [], None),
    ("a person please", [HELD_SAID, STILL_WAITING], None),  # passed on already: a person now
])
def test_the_extra_asked_for_is_read_from_the_talk_since_the_summary(text, said, about):
    extra = extra_asked_for(at_the_summary(new_identity(), "OB-X", text, "contact_human_agent", said))
    assert (extra.about if extra else None) == about


def test_the_hold_is_said_as_a_time_in_utc_and_the_time_left():
    now = datetime(2026, 3, 2, 14, 5, tzinfo=timezone.utc)  # a Monday
    assert hold_in_words(now + timedelta(minutes=30), now) == {"held_until": "14:35 UTC", "time_left": "30 minutes"}
    assert hold_in_words(now + timedelta(seconds=40), now)["time_left"] == "1 minute"
    assert hold_in_words(now + timedelta(hours=20), now) == {"held_until": "Tuesday 10:05 UTC",
                                                              "time_left": "about 20 hours"}


# --- coming back after the order lapsed ------------------------------------------------------------

async def test_yes_after_the_order_lapsed_says_so_and_makes_the_same_order_again(backend):
    """QA16: "yes, place it" after the hold had passed got "Sorry, I couldn't complete order …: An
    order that is 'cancelled' cannot become 'confirmed'", and the order was forgotten."""
    identity, number = await an_order_at_its_summary(backend)
    lapse(backend, number)
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerConfirmation().run(
        dispatcher, at_the_summary(identity, number, "yes, place it", "affirm", [HELD_SAID, STILL_WAITING]), {})

    assert responses(dispatcher) == ["utter_order_lapsed", "utter_confirm_order"]
    assert dispatcher.messages[0]["number"] == number
    lapsed = order(backend, identity, number)
    assert (lapsed["status"], lapsed["cancel_reason"]) == ("cancelled", "expired: not confirmed in time")
    again = next(o for o in orders_of(backend, identity) if o["number"] != number)
    assert again["status"] == "pending"
    assert [(line["sku"], line["quantity"]) for line in again["lines"]] == [("MUG-CER-BLU", 2)]
    assert again["shipping_address"] == lapsed["shipping_address"]
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert (slots["pending_order"], slots["pending_confirmation"]) == (again["number"], "place_order")

    placed = CollectingDispatcher()  # and its "yes" places the new one
    await ActionAnswerConfirmation().run(
        placed, at_the_summary(identity, again["number"], "yes", "affirm"), {})
    assert responses(placed) == ["utter_order_placed"]
    assert order(backend, identity, again["number"])["status"] == "confirmed"


async def test_no_after_the_order_lapsed_leaves_it_and_makes_nothing(backend):
    identity, number = await an_order_at_its_summary(backend)
    lapse(backend, number)
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerConfirmation().run(
        dispatcher, at_the_summary(identity, number, "no", "deny", [HELD_SAID, STILL_WAITING]), {})
    assert responses(dispatcher) == ["utter_order_not_placed"]
    assert SlotSet("pending_order", None) in events and SlotSet("pending_confirmation", None) in events
    assert [o["number"] for o in orders_of(backend, identity)] == [number]


async def test_asking_the_team_after_the_order_lapsed_tells_no_hold(backend):
    """The hold is said only while the order waits: once it lapsed, the request goes on as any other."""
    identity, number = await an_order_at_its_summary(backend)
    lapse(backend, number)
    dispatcher = CollectingDispatcher()
    await ActionOpenTicket().run(dispatcher, at_the_summary(identity, number, "can someone gift wrap it",
                                                            "contact_human_agent"), {})
    assert HELD not in responses(dispatcher)
