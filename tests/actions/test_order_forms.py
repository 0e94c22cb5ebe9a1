"""The order a flow on an existing order acts on (actions/order_forms.py): a customer asked "which
order is it?" who has no number to give."""
from __future__ import annotations

import pytest
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation
from actions.change_order import ValidateChangeOrderForm
from actions.returns import ValidateReturnForm
from tests.actions.test_change_order import DOMAIN, flow_tracker
from tests.actions.test_orders import new_identity, tracker_for
from tests.actions.test_support import staff_ticket

EMAIL = "priya.sharma@example.com"
ASKED = {"requested_slot": "target_order"}


@pytest.mark.parametrize("text, intent, entities, response", [
    ("no", "deny", [], "utter_order_number_unknown"),
    ("i dont have it", "deny", [], "utter_order_number_unknown"),
    ("i dont know my order number!!", "track_order", [], "utter_order_number_unknown"),
    ("cant find the confirmation email, no idea", "nlu_fallback", [], "utter_order_number_unknown"),
    (f"i ordered on the website with {EMAIL}, dont know the number", "inform",
     [{"entity": "email", "value": EMAIL}], "utter_order_lookup_by_contact"),
    ("+353 85 123 4567", "inform", [{"entity": "phone", "value": "+353 85 123 4567"}], "utter_order_lookup_by_contact"),
])
async def test_no_number_to_give_gets_the_team_offered_not_the_same_question(backend, text, intent, entities, response):
    """care-55: "no", "i dont have it" got "Okay." and the question again, "i dont know my order
    number!!" two order-number questions at once, an email the catalogue and the question again."""
    tracker = flow_tracker(new_identity(), text, intent, "return_form", entities=entities, slots=ASKED)
    said = CollectingDispatcher()
    events = await ValidateReturnForm().run(said, tracker, DOMAIN)
    assert [m["response"] for m in said.messages] == [response]
    if entities:
        assert said.messages[0]["contact"] == contact_of(entities)
    assert SlotSet("pending_confirmation", "human_handoff") in events
    assert ActiveLoop(None) in events and events[-1] == FollowupAction("action_listen")  # the form asks no more


def contact_of(entities):
    value = entities[0]["value"]
    return value if "@" in value else "+353851234567"


async def test_yes_to_the_team_finding_the_order_hands_over_with_the_email_in_the_ticket(backend):
    identity = new_identity()
    text = f"i ordered on the website with {EMAIL}, dont know the number"
    offered = CollectingDispatcher()
    await ValidateReturnForm().run(offered, flow_tracker(identity, text, "inform", "return_form",
                                                         [{"entity": "email", "value": EMAIL}], ASKED), DOMAIN)
    answer = tracker_for(identity, "yes", slots={"pending_confirmation": "human_handoff"})
    answer.latest_message["intent"] = {"name": "affirm", "confidence": 0.99}
    answer.events = [{"event": "user", "text": text, "parse_data": {"intent": {"name": "inform"}}},
                     {"event": "action", "name": "return_form"},
                     {"event": "bot", "text": "Thanks. I can only find …",
                      "metadata": {"utter_action": offered.messages[0]["response"]}},
                     {"event": "action", "name": "action_listen"},
                     {"event": "user", "text": "yes", "parse_data": {"intent": {"name": "affirm"}}}]
    handed = CollectingDispatcher()
    await ActionAnswerConfirmation().run(handed, answer, {})
    assert [m["response"] for m in handed.messages] == ["utter_handoff_ticket"]
    ticket = staff_ticket(backend, handed.messages[0]["ticket_id"])
    assert ticket["reason"] == "order number unknown"
    assert text in [turn["text"] for turn in ticket["transcript"]]


async def test_no_to_the_team_finding_the_order_does_not_ask_for_the_number_again(backend):
    answer = tracker_for(new_identity(), "no thanks", slots={"pending_confirmation": "human_handoff"})
    answer.latest_message["intent"] = {"name": "deny", "confidence": 0.99}
    answer.events = [{"event": "action", "name": "return_form"},
                     {"event": "bot", "text": "No problem. …", "metadata": {"utter_action": "utter_order_number_unknown"}},
                     {"event": "action", "name": "action_listen"},
                     {"event": "user", "text": "no thanks", "parse_data": {"intent": {"name": "deny"}}}]
    said = CollectingDispatcher()
    events = await ActionAnswerConfirmation().run(said, answer, {})
    assert [m["response"] for m in said.messages] == ["utter_no_human_then"]
    assert not any(e.get("event") == "followup" for e in events)


async def test_an_order_number_is_still_the_answer_and_other_forms_offer_the_team_too(backend):
    said = CollectingDispatcher()
    tracker = flow_tracker(new_identity(), "its OB-ZZZZ9999", "inform", "return_form", slots=ASKED)
    await ValidateReturnForm().run(said, tracker, DOMAIN)
    assert [m["response"] for m in said.messages] == ["utter_change_order_not_found"]
    changing = CollectingDispatcher()
    tracker = flow_tracker(new_identity(), "i don't remember it", "deny", "change_order_form", slots=ASKED)
    events = await ValidateChangeOrderForm().run(changing, tracker, DOMAIN)
    assert [m["response"] for m in changing.messages] == ["utter_order_number_unknown"]
    assert ActiveLoop(None) in events
