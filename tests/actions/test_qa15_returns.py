"""QA session 15, returns: the shop's fault goes back with a prepaid label from the team, an order
that never arrived is no return, exchanges and warranty claims, partial returns."""
from __future__ import annotations

from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation
from actions.return_policy_questions import answer_about_the_postage
from actions.returns import ActionConfirmReturn, ValidateReturnForm
from actions.warranty_claims import claim_under_warranty
from tests.actions.test_cancel import status_of
from tests.actions.test_change_order import DOMAIN, confirmation, flow_tracker
from tests.actions.test_orders import new_identity, tracker_for
from tests.actions.test_returns import at_the_summary, delivered, found, request_return_of, returning, start
from tests.actions.test_support import tickets_of

ESPRESSO_CUPS = {"sku": "MUG-ESP-SET", "name": "Espresso Cups Set of 4", "quantity": 2}


def responses(dispatcher):
    return [m["response"] for m in dispatcher.messages]


async def summary_then_yes(identity, target, items, reason):
    """The return's summary for `items` and `reason`, then "yes": (summary said, answer said, events)."""
    slots = {"target_order": target, "return_items": items, "return_reason": reason}
    summary = CollectingDispatcher()
    await ActionConfirmReturn().run(summary, tracker_for(identity, "", slots=slots), {})
    answer = CollectingDispatcher()
    slots["pending_confirmation"] = "return_order"
    events = await ActionAnswerConfirmation().run(
        answer, confirmation(identity, "affirm", "action_confirm_return", slots), {})
    return summary, answer, events


async def test_a_damaged_return_asks_the_team_for_the_prepaid_label(backend):
    """qa3-7, qa2-3: "the handle is cracked" was promised a free return, then told to post it to
    Dublin at their own cost; no ticket, no label."""
    identity = new_identity()
    number = delivered(backend, identity, ("MUG-CER-BLU", 1))
    target = (await start(identity, "yo it arrived and the handle is cracked"))[0][0]["value"]
    summary, answer, events = await summary_then_yes(
        identity, target, [{"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 1}], "the handle is cracked")
    assert responses(summary) == ["utter_return_sorry_faulty", "utter_confirm_return"]
    assert responses(answer) == ["utter_return_requested_label"]
    assert status_of(backend, identity, number) == "return_requested"
    [ticket] = tickets_of(backend, identity)
    assert (ticket["reason"], ticket["order_number"]) == ("prepaid return label", number)
    assert answer.messages[0]["ticket_id"] == ticket["id"]
    assert SlotSet("offered_ticket", ticket["id"]) in events  # a person asked for later takes this ticket

    # "so who pays the postage? you said damaged items are free": answered plainly
    asked = tracker_for(identity, "so who pays the postage? you said damaged items are free",
                        slots={"offered_ticket": ticket["id"]})
    asked.events += [{"event": "bot", "text": "Done", "metadata": {"utter_action": "utter_return_requested_label"}}]
    said = CollectingDispatcher()
    assert answer_about_the_postage(said, asked) == []
    assert responses(said) == ["utter_return_postage_ours"] and said.messages[0]["ticket_id"] == ticket["id"]


async def test_an_ordinary_return_still_goes_back_at_the_customers_cost(backend):
    identity = new_identity()
    delivered(backend, identity, ("MUG-CER-BLU", 1))
    target = (await start(identity))[0][0]["value"]
    _, answer, _ = await summary_then_yes(
        identity, target, [{"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 1}], "too small")
    assert responses(answer) == ["utter_return_requested"] and tickets_of(backend, identity) == []
    asked = tracker_for(identity, "who pays the postage?")
    asked.events += [{"event": "bot", "text": "Done", "metadata": {"utter_action": "utter_return_requested"}}]
    assert answer_about_the_postage(CollectingDispatcher(), asked) is None  # the policy answers


async def test_a_wrong_item_is_not_sent_back_as_what_never_came(backend):
    """qa3-26: "i got mugs instead of the espresso cups": the return told them to send back the
    espresso cups they never received, at their own cost."""
    identity = new_identity()
    number = delivered(backend, identity, ("MUG-ESP-SET", 2))
    text = "the espresso cups are the wrong ones, i got mugs instead"
    target = (await start(identity, text, [found(text, "espresso cups", skus=["MUG-ESP-SET"])]))[0][0]["value"]
    summary, answer, _ = await summary_then_yes(identity, target, [ESPRESSO_CUPS], "i got mugs instead")
    assert responses(summary) == ["utter_return_sorry_wrong_item", "utter_return_wrong_item_note",
                                  "utter_confirm_return"]
    assert responses(answer) == ["utter_return_requested_wrong_item"]
    [ticket] = tickets_of(backend, identity)
    assert (ticket["reason"], ticket["order_number"]) == ("prepaid return label", number)


async def test_who_pays_the_postage_during_the_return(backend):
    identity = new_identity()
    delivered(backend, identity, ("MUG-CER-BLU", 2), ("TEA-POT-GLS", 1))
    target = (await start(identity))[0][0]["value"]
    items = [{"sku": "TEA-POT-GLS", "name": "Glass Teapot with Infuser 1 L", "quantity": 1}]
    for reason, answer in (("the lid is cracked", "utter_return_postage_free"), ("too big", "utter_return_postage_yours")):
        tracker = flow_tracker(identity, "so who pays the postage?", "faq", "return_form", slots={
            "target_order": target, "return_items": items, "return_reason": reason, "requested_slot": None})
        said = CollectingDispatcher()
        await ValidateReturnForm().run(said, tracker, DOMAIN)
        assert responses(said) == [answer], reason


async def test_return_it_it_never_arrived_is_no_return(backend):
    """qa2-23: "i want to return it, it never arrived" registered a return and asked the customer
    to post back a kettle they never got."""
    identity = new_identity()
    number = delivered(backend, identity, ("MUG-CER-BLU", 1))
    events, said = await start(identity, "i want to return it, it never arrived")
    assert responses(said) == ["utter_return_not_received", "utter_complaint_ticket"]
    assert SlotSet("requested_slot", None) in events and SlotSet("target_order", None) in events
    assert SlotSet("pending_confirmation", "human_handoff") in events
    [ticket] = tickets_of(backend, identity)
    assert (ticket["reason"], ticket["order_number"]) == ("delivered order not received", number)
    assert status_of(backend, identity, number) == "delivered"

    # said as the reason: the same, never the summary
    target = (await start(identity))[0][0]["value"]
    summary = CollectingDispatcher()
    slots = {"target_order": target, "return_items": [{"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue",
                                                        "quantity": 1}], "return_reason": "it never came"}
    await ActionConfirmReturn().run(summary, tracker_for(identity, "it never came", slots=slots), {})
    assert responses(summary) == ["utter_return_not_received", "utter_ticket_already_open"]
    assert status_of(backend, identity, number) == "delivered" and returning(backend, identity, number) == {}


async def test_no_to_a_person_after_choosing_a_replacement_does_not_ask_the_refund_again(backend):
    """qa3-26: "actually I'd rather have a replacement" (ticket opened), "no thanks" to a person:
    the refund return's question came back."""
    identity = new_identity()
    delivered(backend, identity, ("BRW-FRP-800", 1))
    target = (await start(identity, "the glass is cracked"))[0][0]["value"]
    slots = {"target_order": target, "return_reason": "the glass is cracked",
             "return_items": [{"sku": "BRW-FRP-800", "name": "French Press 800 ml", "quantity": 1}]}
    text = "actually I'd rather have a replacement"
    said = CollectingDispatcher()
    events = await ValidateReturnForm().run(said, at_the_summary(identity, text, "inform", "return_form", [], slots),
                                            DOMAIN)
    assert responses(said) == ["utter_return_replacement", "utter_complaint_ticket"]
    after = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert after["pending_confirmation"] == "human_handoff" and after["paused_form"] is None
    assert after["return_items"] is None and after["target_order"] is None

    tracker = confirmation(identity, "deny", "validate_return_form", {**slots, **after})
    tracker.latest_message["text"] = "no thanks"
    tracker.events[1] = {"event": "bot", "text": "I've opened ticket …", "metadata": {
        "utter_action": "utter_complaint_ticket"}}
    no = CollectingDispatcher()
    events = await ActionAnswerConfirmation().run(no, tracker, {})
    assert responses(no) == ["utter_ticket_without_person"]
    assert not any(e.get("event") == "followup" for e in events)  # the return form isn't asked again


async def test_an_exchange_is_said_to_be_a_return_and_a_new_order_or_a_person(backend):
    """qa2-25: "can i exchange the blue mug for a white one instead?" was silently turned into a
    refund return ("Why are you sending it back?")."""
    identity = new_identity()
    number = delivered(backend, identity, ("MUG-CER-BLU", 2), ("MUG-CER-RED", 1))
    request_return_of(backend, identity, number, ("MUG-CER-BLU", 1), ("MUG-CER-RED", 1))
    text = "can i exchange the blue mug for a white one instead?"
    events, said = await start(identity, text, [found(text, "blue mug", skus=["MUG-CER-BLU"])])
    assert responses(said) == ["utter_return_exchange"]
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots["return_reason"].startswith("exchange: ")  # not asked why: the summary asks which they want
    assert slots["return_items"] == [{"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 1}]

    # asked at the summary: the return form's, which says how exchanges work
    slots = {"target_order": slots["target_order"], "return_items": slots["return_items"], "return_reason": "too small"}
    tracker = at_the_summary(identity, "can i swap it for the white one?", "inform", "return_form", [], slots)
    assert await ActionAnswerConfirmation().run(CollectingDispatcher(), tracker, {}) == [FollowupAction("return_form")]
    said = CollectingDispatcher()
    await ValidateReturnForm().run(said, tracker, DOMAIN)
    assert responses(said) == ["utter_return_exchange"]


async def test_a_warranty_claim_opens_a_ticket_on_the_order_and_offers_a_person(backend):
    """qa3-39: "the grinder stopped working…", then at the refund summary "no i want it repaired
    under warranty" got the warranty FAQ's "contact us"."""
    identity = new_identity()
    number = delivered(backend, identity, ("GRN-ELC-BUR", 1))
    target = (await start(identity, "the grinder stopped working, it makes a weird noise and wont turn on"))[0][0]["value"]
    slots = {"target_order": target, "return_reason": "it stopped working",
             "return_items": [{"sku": "GRN-ELC-BUR", "name": "Electric Burr Grinder", "quantity": 1}]}
    text = "no i want it repaired under warranty"
    tracker = at_the_summary(identity, text, "deny", "return_form", [], slots)
    assert await ActionAnswerConfirmation().run(CollectingDispatcher(), tracker, {}) == [FollowupAction("return_form")]
    said = CollectingDispatcher()
    events = await ValidateReturnForm().run(said, tracker, DOMAIN)
    assert responses(said) == ["utter_warranty_claim", "utter_complaint_ticket"]
    assert said.messages[0]["items"] == "Electric Burr Grinder"
    [ticket] = tickets_of(backend, identity)
    assert (ticket["reason"], ticket["order_number"]) == ("warranty claim", number)
    assert SlotSet("pending_confirmation", "human_handoff") in events and SlotSet("return_items", None) in events
    assert status_of(backend, identity, number) == "delivered"  # no refund return


async def test_a_warranty_question_or_a_non_electrical_item_is_no_claim(backend):
    identity = new_identity()
    delivered(backend, identity, ("MUG-CER-BLU", 1))
    for text in ("do your products have a warranty", "my mug is cracked, can it be repaired under warranty?"):
        said = CollectingDispatcher()
        assert await claim_under_warranty(said, tracker_for(identity, text)) is None, text
        assert said.messages == []
    assert tickets_of(backend, identity) == []


async def test_opened_tea_stays_and_the_rest_of_the_return_goes_on(backend):
    """qa2-19: "mugs are smaller than i thought and i opened the tea but dont like the taste" threw
    the whole return away; "ok just the mugs then" then became a product search."""
    identity = new_identity()
    number = delivered(backend, identity, ("BRW-FRP-800", 1), ("MUG-CER-RED", 2), ("TEA-SEN-100", 1))
    target = (await start(identity, "hi i got my order. i want to return some stuff"))[0][0]["value"]
    mugs = [{"sku": "MUG-CER-RED", "name": "Ceramic Mug Red", "quantity": 2}]
    items = mugs + [{"sku": "TEA-SEN-100", "name": "Japanese Sencha 100 g", "quantity": 1}]
    summary = CollectingDispatcher()
    slots = {"target_order": target, "return_items": items,
             "return_reason": "mugs are smaller than i thought and i opened the tea but dont like the taste"}
    events = await ActionConfirmReturn().run(summary, tracker_for(identity, "", slots=slots), {})
    assert responses(summary) == ["utter_return_opened_consumable_rest", "utter_confirm_return_items"]
    assert summary.messages[-1]["items"] == "2 × Ceramic Mug Red" and summary.messages[-1]["amount"] == "€25.80"
    assert SlotSet("return_items", mugs) in events and SlotSet("pending_confirmation", "return_order") in events
    answer = CollectingDispatcher()
    slots.update(return_items=mugs, pending_confirmation="return_order")
    await ActionAnswerConfirmation().run(answer, confirmation(identity, "affirm", "action_confirm_return", slots), {})
    assert responses(answer) == ["utter_return_requested"]
    assert returning(backend, identity, number) == {"MUG-CER-RED": 2}


def items_turn(identity, target, before, before_entities, asked, text, entities):
    """`text` answering the bot's `asked` (a return items question) about the message `before`."""
    tracker = flow_tracker(identity, text, "inform", "return_form", entities=entities,
                           slots={"target_order": target, "requested_slot": "return_items"})
    tracker.events = [{"event": "user", "text": before, "parse_data": {"entities": before_entities}},
                      {"event": "bot", "text": "…", "metadata": {"utter_action": asked}},
                      {"event": "action", "name": "action_listen"},
                      {"event": "user", "text": text, "parse_data": {"entities": entities}},
                      {"event": "action", "name": "return_form"}]
    return tracker


async def test_a_partial_return_keeps_the_count_and_the_reason_given(backend):
    """qa2-25: "i want to return 3 blue mugs" (2 ordered), "sorry i meant 1 mug, the color is wrong"
    got "which mug?", then 2 blue mugs were proposed and the reason asked again."""
    identity = new_identity()
    delivered(backend, identity, ("MUG-CER-BLU", 2), ("MUG-CER-RED", 1))
    first = "i want to return 3 blue mugs"
    blue = [found(first, "blue mugs", skus=["MUG-CER-BLU"], quantity=3)]
    target = (await start(identity, first, blue))[0][0]["value"]
    one_blue = [{"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 1}]

    text = "sorry i meant 1 mug, the color is wrong"
    mug = [found(text, "mug", skus=["MUG-CER-BLU", "MUG-CER-RED", "MUG-CER-GRN"])]
    said = CollectingDispatcher()
    events = await ValidateReturnForm().run(said, items_turn(
        identity, target, first, blue, "utter_return_items_too_many", text, mug), DOMAIN)
    assert said.messages == []
    assert SlotSet("return_items", one_blue) in events and SlotSet("return_reason", "the color is wrong") in events

    # "which mug?" for "1 mug": "the blue one" is one of them, and the reason said with the count stays
    text = "1 mug, the color is wrong"
    mug = [found(text, "mug", skus=["MUG-CER-BLU", "MUG-CER-RED", "MUG-CER-GRN"], quantity=1)]
    said = CollectingDispatcher()
    events = await ValidateReturnForm().run(said, items_turn(
        identity, target, "i want to return some stuff", [], "utter_ask_return_items", text, mug), DOMAIN)
    assert [m["response"] for m in said.messages] == ["utter_return_items_ambiguous"]
    assert SlotSet("return_reason", "the color is wrong") in events
    said = CollectingDispatcher()
    events = await ValidateReturnForm().run(said, items_turn(
        identity, target, text, mug, "utter_return_items_ambiguous", "the blue one", []), DOMAIN)
    assert SlotSet("return_items", one_blue) in events


async def test_one_item_is_taken_out_of_a_registered_return_and_the_rest_stays(backend):
    """qa2-25: "withdraw the blue mug from the return, i keep it" started a new return ("Why are you
    sending it back?")."""
    identity = new_identity()
    number = delivered(backend, identity, ("MUG-CER-BLU", 2), ("MUG-CER-RED", 1))
    request_return_of(backend, identity, number, ("MUG-CER-BLU", 1), ("MUG-CER-RED", 1))
    text = "withdraw the blue mug from the return, i keep it"
    events, said = await start(identity, text, [found(text, "blue mug", skus=["MUG-CER-BLU"])])
    assert responses(said) == ["utter_return_rest_stays", "utter_confirm_return_withdrawal"]
    assert (said.messages[0]["rest"], said.messages[1]["items"]) == ("1 × Ceramic Mug Red", "1 × Ceramic Mug Blue")
    assert said.messages[1]["amount"] == "€12.90"
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots["pending_confirmation"] == "withdraw_return"

    answer = CollectingDispatcher()
    await ActionAnswerConfirmation().run(answer, confirmation(identity, "affirm", "return_form", slots), {})
    assert responses(answer) == ["utter_return_taken_out"] and answer.messages[0]["rest"] == "1 × Ceramic Mug Red"
    assert status_of(backend, identity, number) == "return_requested"
    assert returning(backend, identity, number) == {"MUG-CER-RED": 1}


async def test_a_warranty_claim_read_as_the_warranty_faq_is_a_claim(backend):
    """qa3-39: "no i want it repaired under warranty" read as faq/warranty got the policy's "contact us"."""
    from actions.faq import ActionAnswerFaq
    identity = new_identity()
    number = delivered(backend, identity, ("GRN-ELC-BUR", 1))
    tracker = tracker_for(identity, "the grinder stopped working, i want it repaired under warranty")
    tracker.latest_message["intent"] = {"name": "faq", "confidence": 0.8}
    tracker.latest_message["response_selector"] = {"faq": {"response": {
        "utter_action": "utter_faq/warranty", "intent_response_key": "faq/warranty", "confidence": 0.8}}}
    said = CollectingDispatcher()
    await ActionAnswerFaq().run(said, tracker, {})
    assert responses(said) == ["utter_warranty_claim", "utter_complaint_ticket"]
    [ticket] = tickets_of(backend, identity)
    assert (ticket["reason"], ticket["order_number"]) == ("warranty claim", number)
