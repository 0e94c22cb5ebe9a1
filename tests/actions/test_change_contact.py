"""Changing the email or phone number of an order placed, against a real backend: however the NLU
reads the request, the change is shown and confirmed first; a phone given with a new address is
changed with it, not dropped."""
from __future__ import annotations

import httpx
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation
from actions.change_address import ActionConfirmAddressChange, ValidateChangeAddressForm
from actions.change_order import ValidateChangeOrderForm
from actions.inform import ActionHandleInform
from actions.ordering import ValidateOrderForm
from tests.actions.test_change_address import address_of, answer_address
from tests.actions.test_change_order import DOMAIN, confirmation, flow_tracker
from tests.actions.test_orders import BOT, new_identity, place_order, ship
from tests.actions.test_ordering import form_tracker
from tests.actions.test_replacements import TO_THE_CHANGE_FORM

EMAIL = "pls update my email on the order to priya.new@example.com"
PHONE = "can i change the phone number on my order to +49 170 1234567"


def contact_of(backend, identity, number):
    order = httpx.get(f"{backend.url}/api/v1/orders/{number}", headers={**BOT, "X-Channel-Identity": identity}).json()
    return order["contact_email"], order["contact_phone"]


def slots_after(events) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def answered(identity, intent, slots, form="change_address_form"):
    """A yes or no right after the form that got the request asked to change the contact."""
    tracker = confirmation(identity, intent, form, slots)
    tracker.events[1]["metadata"] = {"utter_action": "utter_confirm_contact_change"}
    return tracker


async def test_a_new_email_read_as_an_address_change_is_confirmed_then_changed(backend):
    """after2-108 (N7): "pls update my email on the order to …" got "What's the new address?"."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    said = CollectingDispatcher()
    tracker = flow_tracker(identity, EMAIL, "change_shipping_address", "change_address_form",
                           [{"entity": "email", "value": "priya.new@example.com"}])
    tracker.active_loop = {}
    events = await ValidateChangeAddressForm().run(said, tracker, DOMAIN)
    assert [(m["response"], m["number"]) for m in said.messages] == [("utter_confirm_contact_change", number)]
    assert (said.messages[0]["old_contact"], said.messages[0]["new_contact"]) == (
        "ada@example.com", "priya.new@example.com")
    assert SlotSet("pending_confirmation", "change_contact") in events and events[-1] == FollowupAction("action_listen")
    assert contact_of(backend, identity, number) == ("ada@example.com", None)  # nothing before the yes
    done = CollectingDispatcher()
    await ActionAnswerConfirmation().run(done, answered(identity, "affirm", slots_after(events)), {})
    assert [m["response"] for m in done.messages] == ["utter_contact_changed"]
    assert contact_of(backend, identity, number) == ("priya.new@example.com", None)


async def test_a_new_phone_read_as_a_change_of_items_or_an_order_is_confirmed_and_no_keeps_it(backend):
    """after2-92 (N7): "can i change the phone number on my order to +49 170 1234567" got "What
    should I change in order …? It has: • 2 × Paper Filters"."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    entities = [{"entity": "phone", "value": "+49 170 1234567"}]
    order_form = form_tracker(identity, PHONE, "place_order", entities)
    order_form.active_loop = {}
    assert await ValidateOrderForm().run(CollectingDispatcher(), order_form, DOMAIN) == TO_THE_CHANGE_FORM
    said = CollectingDispatcher()
    tracker = flow_tracker(identity, PHONE, "change_order", "change_order_form", entities)
    tracker.active_loop = {}
    events = await ValidateChangeOrderForm().run(said, tracker, DOMAIN)
    assert [m["response"] for m in said.messages] == ["utter_confirm_contact_change"]
    assert said.messages[0]["new_contact"] == "ada@example.com, +491701234567"
    assert SlotSet("requested_slot", None) in events and events[-1] == FollowupAction("action_listen")
    kept = CollectingDispatcher()
    await ActionAnswerConfirmation().run(kept, answered(identity, "deny", slots_after(events), "change_order_form"), {})
    assert [(m["response"], m["number"]) for m in kept.messages] == [("utter_contact_change_kept", number)]
    await ActionAnswerConfirmation().run(CollectingDispatcher(), answered(
        identity, "affirm", slots_after(events), "change_order_form"), {})
    assert contact_of(backend, identity, number) == ("ada@example.com", "+491701234567")


async def test_without_the_new_contact_it_is_asked_for(backend):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    said = CollectingDispatcher()
    tracker = flow_tracker(identity, "the email on my order is wrong", "change_shipping_address", "change_address_form")
    tracker.active_loop = {}
    events = await ValidateChangeAddressForm().run(said, tracker, DOMAIN)
    assert [(m["response"], m["number"]) for m in said.messages] == [("utter_ask_new_contact", number)]
    answer = CollectingDispatcher()
    tracker = flow_tracker(identity, "priya.new@example.com", "inform", "x",
                           [{"entity": "email", "value": "priya.new@example.com"}], slots=slots_after(events))
    tracker.active_loop = {}
    events = await ActionHandleInform().run(answer, tracker, {})
    assert [m["response"] for m in answer.messages] == ["utter_confirm_contact_change"]
    assert SlotSet("pending_confirmation", "change_contact") in events


async def test_the_contact_of_a_shipped_order_is_not_changed(backend):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    ship(backend, identity, number)
    said = CollectingDispatcher()
    tracker = flow_tracker(identity, EMAIL, "change_shipping_address", "change_address_form")
    tracker.active_loop = {}
    await ValidateChangeAddressForm().run(said, tracker, DOMAIN)
    # t2 m12: said of the order, not of "its items and address", which the customer didn't ask about
    assert [(m["response"], m["number"]) for m in said.messages] == [("utter_order_locked", number)]
    assert "address" not in DOMAIN["responses"]["utter_order_locked"][0]["text"]
    answer = CollectingDispatcher()  # shipped between the summary and the yes: worded alike
    slots = {"target_order": {"number": number}, "new_order_contact": {"contact_email": "priya.new@example.com"},
             "pending_confirmation": "change_contact"}
    await ActionAnswerConfirmation().run(answer, answered(identity, "affirm", slots), {})
    assert [(m["response"], m["number"]) for m in answer.messages] == [("utter_order_locked", number)]
    assert contact_of(backend, identity, number) == ("ada@example.com", None)


async def test_a_phone_given_with_a_new_address_changes_with_it(backend, dispatcher):
    """after2-92 (N7): "Priya Sharma, Flat 3B, 22 Hauptstrasse, 10115 Berlin, Germany, +49 170
    5556666" changed the address and silently dropped the phone."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    text = "Priya Sharma, Flat 3B, 22 Hauptstrasse, 10115 Berlin, Germany, +49 170 5556666"
    events = await answer_address(identity, dispatcher, text)
    slots = slots_after(events)
    assert slots["new_order_contact"] == {"contact_phone": "+491705556666"}
    assert slots["new_shipping_address"]["line1"] == "22 Hauptstrasse"
    target = (await ValidateChangeAddressForm().run(CollectingDispatcher(), flow_tracker(
        identity, "change my address", "change_shipping_address", "change_address_form"), DOMAIN))
    summary = CollectingDispatcher()
    slots["target_order"] = slots_after(target)["target_order"]
    await ActionConfirmAddressChange().run(summary, flow_tracker(identity, "", "inform", "x", slots=slots), {})
    assert [m["response"] for m in summary.messages] == ["utter_confirm_address_and_contact_change"]
    assert summary.messages[0]["contact"] == "+491705556666"
    done = CollectingDispatcher()
    slots["pending_confirmation"] = "change_address"
    await ActionAnswerConfirmation().run(done, confirmation(identity, "affirm", "action_confirm_address_change", slots), {})
    assert [m["response"] for m in done.messages] == ["utter_address_changed", "utter_contact_changed"]
    assert address_of(backend, identity, number)["city"] == "Berlin"
    assert contact_of(backend, identity, number) == ("ada@example.com", "+491705556666")


async def test_a_phone_added_at_the_summary_keeps_the_new_email_shown(backend):
    """t2 M10: "update my email on the order to raj@example.in", then "and add my phone too, +44 7700
    900123" at its summary showed the old email with the phone, and the yes kept the old email.
    Now both: the new email and the phone; "… instead" makes the phone the whole change."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    tracker = flow_tracker(identity, "update my email on the order to raj@example.in", "change_shipping_address",
                           "change_address_form", [{"entity": "email", "value": "raj@example.in"}])
    tracker.active_loop = {}
    shown = slots_after(await ValidateChangeAddressForm().run(CollectingDispatcher(), tracker, DOMAIN))
    both = {"contact_email": "raj@example.in", "contact_phone": "+447700900123"}
    for text, intent, form, new, said_new in (
            ("and add my phone too, +44 7700 900123", "inform", None, both, "raj@example.in, +447700900123"),
            ("also change the phone number on my order to +44 7700 900123", "change_shipping_address",
             "change_address_form", both, "raj@example.in, +447700900123"),
            ("and add my phone too, +44 7700 900123", "place_order", "change_order_form", both,
             "raj@example.in, +447700900123"),
            ("no, use my phone +44 7700 900123 instead", "inform", None, {"contact_phone": "+447700900123"},
             "ada@example.com, +447700900123")):
        said = CollectingDispatcher()
        tracker = flow_tracker(identity, text, intent, form or "x", [{"entity": "phone", "value": "+44 7700 900123"}],
                               slots=shown)
        tracker.active_loop = {}
        forms = {"change_address_form": ValidateChangeAddressForm, "change_order_form": ValidateChangeOrderForm}
        run = forms[form]().run(said, tracker, DOMAIN) if form else ActionHandleInform().run(said, tracker, {})
        slots = {**shown, **slots_after(await run)}
        assert [(m["response"], m["number"]) for m in said.messages] == [("utter_confirm_contact_change", number)], text
        assert said.messages[0]["new_contact"] == said_new, text
        assert slots["new_order_contact"] == new, text
        if new == both:
            added = slots
    await ActionAnswerConfirmation().run(CollectingDispatcher(), answered(identity, "affirm", added), {})
    assert contact_of(backend, identity, number) == ("raj@example.in", "+447700900123")
