"""QA session 15, two requests in one message about a placed order: the status, then the change
asked with it ("is my order shipped yet? also add 1 more grinder", "where's my order? also pls send
it to <address> instead") proposed by its form in the same turn, as if said alone (QA N3, N7)."""
from __future__ import annotations

from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.change_address import ValidateChangeAddressForm
from actions.change_order import ValidateChangeOrderForm
from actions.orders import ActionTrackOrder
from tests.actions.test_change_order import DOMAIN, flow_tracker
from tests.actions.test_orders import new_identity, responses, tracker_for
from tests.actions.test_qa15_tracking import confirm, place

GRINDER = "GRN-HND-BUR"
ADD_A_GRINDER = "is my order shipped yet? also add 1 more grinder"
NEW_ADDRESS = "Anna Berg, Kungsgatan 22, 111 35 Stockholm, Sweden"
SEND_IT = f"where's my order? also pls send it to {NEW_ADDRESS} instead"


def grinder_entities(text: str) -> list:
    start = text.index("grinder")
    return [{"entity": "quantity", "value": "1", "start": start - 7, "end": start - 6},
            {"entity": "product", "value": "grinder", "skus": [GRINDER, "GRN-ELC-BUR"], "quantity": 1,
             "start": start, "end": start + len("grinder")}]


def confirmed_order(backend) -> tuple:
    identity = new_identity()
    number = place(backend, identity, GRINDER)
    confirm(backend, identity, number)
    return identity, number


async def handed_to(form, identity: str, text: str, entities: list, number: str) -> dict:
    """The form the status answer hands over to, run on the same message as Rasa runs it next."""
    tracker = flow_tracker(identity, text, "track_order", form.name().removeprefix("validate_"), entities,
                           slots={"order_id": number})
    tracker.active_loop = {}
    events = await form.run(CollectingDispatcher(), tracker, DOMAIN)
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def test_the_status_then_the_item_added_in_the_same_message_hands_over_to_the_change(backend, dispatcher):
    """N3 (web:qav2-0065): the status was said and "also add 1 more grinder" dropped."""
    identity, number = confirmed_order(backend)
    entities = grinder_entities(ADD_A_GRINDER)
    events = await ActionTrackOrder().run(dispatcher, tracker_for(identity, ADD_A_GRINDER, entities), {})
    assert responses(dispatcher) == ["utter_order_status_confirmed"]  # no "if you meant another order" between
    assert dispatcher.messages[0]["number"] == number and events[-1] == FollowupAction("change_order_form")


async def test_the_change_form_handed_over_to_proposes_the_item_added(backend):
    """N3: the form reads the message as the NLU classified it (track_order), as if the add was said alone."""
    identity, number = confirmed_order(backend)
    entities = grinder_entities(ADD_A_GRINDER)
    slots = await handed_to(ValidateChangeOrderForm(), identity, ADD_A_GRINDER, entities, number)
    assert slots["target_order"]["number"] == number
    assert [(line["sku"], line["quantity"]) for line in slots["order_changes"]] == [(GRINDER, 2)]


async def test_the_status_then_the_new_address_in_the_same_message_is_proposed(backend, dispatcher):
    """N7 (web:qav2-0079): the address change was dropped, and the customer's "yes" got "Okay."."""
    identity, number = confirmed_order(backend)
    events = await ActionTrackOrder().run(dispatcher, tracker_for(identity, SEND_IT), {})
    assert responses(dispatcher) == ["utter_order_status_confirmed"]
    assert events[-1] == FollowupAction("change_address_form")
    slots = await handed_to(ValidateChangeAddressForm(), identity, SEND_IT, [], number)
    assert slots["target_order"]["number"] == number
    address = slots["new_shipping_address"]
    assert (address["name"], address["line1"], address["postal_code"], address["city"]) == (
        "Anna Berg", "Kungsgatan 22", "111 35", "Stockholm")


async def test_a_status_question_alone_or_with_another_question_hands_over_to_no_form(backend, dispatcher):
    identity, _ = confirmed_order(backend)
    for text in ("is my order shipped yet?", "where's my order? also how long does shipping take",
                 "is my order shipped yet? also i want to return the grinder"):
        dispatcher.messages.clear()
        events = await ActionTrackOrder().run(dispatcher, tracker_for(identity, text, grinder_entities(text)
                                                                      if "grinder" in text else []), {})
        assert not any(e.get("event") == "followup" for e in events), text
        assert responses(dispatcher)[-1] == "utter_other_order_hint", text
