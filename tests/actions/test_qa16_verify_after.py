"""QA round 16's verification, after the order, against a real backend, turn by turn as the web chat
had it: a new phone with a change of items changes the phone at its yes; part of a line of an order
not sent yet "returned" reduces that line; a refund short of its due asked about in any words opens
the disputed-refund ticket; words naming a line of the order at its cancel question take that line
off; a yes with a reason cancels with that reason; a person asked for at any form gets one, and the
re-order shown for a staff-cancelled order is released; a shipped order's redirection offers a person."""
from __future__ import annotations

import httpx
import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation, ActionCancelOrder
from actions.cancel_items import items_out_at_the_change_question, propose_without
from actions.catalogue import ActionShowProducts
from actions.change_address import ValidateChangeAddressForm
from actions.change_order import ValidateChangeOrderForm
from actions.fallback import ActionFallback
from actions.ordering import ValidateOrderForm
from actions.refunds import ActionRefundStatus, answer_a_refund_dispute
from actions.returns import ValidateReturnForm
from actions.support import asks_for_a_person, declines_the_reorder, hand_over, offer_to_redirect
from actions.yes_to_cancel import says_yes_to_the_cancel
from tests.actions.test_cancel import status_of
from tests.actions.test_change_contact import contact_of
from tests.actions.test_change_order import DOMAIN
from tests.actions.test_orders import STAFF, ship, tracker_for
from tests.actions.test_qa16_cancels import Chat, cancel_reason_of, lines_of, responses
from tests.actions.test_replacements import placed_order
from tests.actions.test_returns import add_to_return, delivered, staff_move
from tests.actions.test_support import tickets_of

KETTLES = ["KET-ELC-STL", "KET-GOO-BLK", "KET-STV-RED"]


def entity(text: str, words: str, name: str, value, **extra) -> dict:
    start = text.lower().index(words)
    return {"entity": name, "value": value, "start": start, "end": start + len(words), **extra}


def chat_tracker(chat: Chat, text: str, intent: str, entities=()):
    """The tracker the chat's next message would come with (for the functions an action calls)."""
    tracker = tracker_for(chat.identity, text, entities=list(entities), slots=dict(chat.slots))
    tracker.latest_message["intent"] = {"name": intent, "confidence": 0.9}
    tracker.events = chat.events + [{"event": "action", "name": "action_listen"},
                                    {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}]
    return tracker


async def yes(chat: Chat, text: str = "yes") -> CollectingDispatcher:
    return (await chat.say(text, "affirm", ActionAnswerConfirmation()))[1]


# --- 14/N2. a new phone with a change of items: the yes changes the phone ---------------------------

PHONE_AND_KETTLES = "change the phone on my order to +41 78 999 88 77 and make it 2 kettles"


def phone_and_kettles_entities() -> list:
    text = PHONE_AND_KETTLES
    return [entity(text, "+41 78 999 88 77", "phone", "+41 78 999 88 77"), entity(text, "2", "quantity", "2"),
            entity(text, "kettles", "product", "kettle", skus=KETTLES, quantity=2)]


async def test_yes_to_the_contact_change_asked_with_a_change_of_items_changes_the_contact(backend):
    """"… to +41 78 999 88 77 and make it 2 kettles" → the contact question and "one change at a time";
    "yes" (or the button) got the same question again and the phone was never changed."""
    for answer in ("yes", "/affirm"):
        chat = Chat()
        number = placed_order(backend, chat.identity, [("KET-ELC-STL", 1)])
        _, asked = await chat.say(PHONE_AND_KETTLES, "change_order", ValidateChangeOrderForm(),
                                  phone_and_kettles_entities(), ran_as="change_order_form")
        assert "utter_confirm_contact_change" in responses(asked)
        assert any("make it 2 kettles" in (message.get("text") or "") for message in asked.messages)
        done = await yes(chat, answer)
        assert responses(done) == ["utter_contact_changed"], answer
        assert contact_of(backend, chat.identity, number) == ("ada@example.com", "+41789998877")
        assert lines_of(backend, chat.identity, number) == {("KET-ELC-STL", 1)}  # the kettles come next
        assert chat.slot("pending_confirmation") is None


# --- 7. part of a line of an order not sent yet, "returned": that line reduced ----------------------

BEANS = ["COF-COL-250", "COF-ETH-250", "COF-ESP-1KG"]
ONE_BAG_BACK = "actually also the beans, can i return 1 bag of beans, only need one"


def one_bag_back_entities() -> list:
    text = ONE_BAG_BACK
    return [entity(text, "beans", "product", "bean", skus=BEANS),
            {**entity(text, "1 bag", "quantity", "1"), "end": text.index("1 bag") + 1},
            {**entity(text, "beans, only", "product", "bean", skus=BEANS, quantity=1), "end": text.index("beans, only") + 5},
            entity(text, "one", "quantity", "1")]


async def test_one_bag_of_two_returned_from_an_order_not_sent_offers_to_make_it_one(backend):
    """qv16b-0007: the scale taken off, then "actually also the beans, can i return 1 bag of beans, only
    need one" (2 bags left, read as an order) got "nothing to return. I can cancel it instead"."""
    for lines in ([("COF-COL-250", 2)], [("COF-COL-250", 2), ("BRW-SCL-DIG", 1)]):
        chat = Chat()
        number = placed_order(backend, chat.identity, lines)
        _, offered = await chat.say(ONE_BAG_BACK, "place_order", ValidateReturnForm(), one_bag_back_entities(),
                                    ran_as="return_form")
        assert responses(offered) == ["utter_return_not_sent_remove_instead", "utter_confirm_order_change"], lines
        assert offered.messages[0]["items"] == "1 × Colombia Huila Beans 250 g"
        assert "1 × Colombia Huila Beans 250 g" in offered.messages[1]["lines"]
        assert chat.slot("pending_confirmation") == "change_order"
        assert responses(await yes(chat)) == ["utter_order_changed"]
        assert lines_of(backend, chat.identity, number) == {("COF-COL-250", 1)} | set(lines[1:])


# --- 5. at "Shall I change it?", words naming a line of the order take it out ---------------------

FILTERS = ["BRW-FLT-100", "TEA-INF-STL"]
HANG_ON = "hang on can I cancel the filters from it, I have loads"
FILTERS_OFF = "no just take the filters off"


async def filters_out_shown(backend) -> tuple:
    """qv16b-0006: the filters' removal shown ("Order … would then be: 1 × French Press")."""
    chat = Chat()
    number = placed_order(backend, chat.identity, [("BRW-FLT-100", 2), ("BRW-FRP-800", 1)])
    _, shown = await chat.say(HANG_ON, "cancel_order", ActionCancelOrder(),
                              [entity(HANG_ON, "filters", "product", "filter", skus=FILTERS)])
    assert responses(shown) == ["utter_confirm_order_change"] and "Filters" not in shown.messages[0]["lines"]
    return chat, number


async def test_take_the_filters_off_at_the_change_question_reads_them_from_the_order(backend):
    """"no just take the filters off" at that question got "Which filter do you mean: Paper Filters 100
    pack, Stainless Tea Infuser?" (the order holds only paper filters), and the pick kept the order."""
    chat, number = await filters_out_shown(backend)
    tracker = chat_tracker(chat, FILTERS_OFF, "deny", [entity(FILTERS_OFF, "filters", "product", "filter", skus=FILTERS)])
    out = await items_out_at_the_change_question(tracker)
    assert out is not None and out.already_out == ["Paper Filters 100 pack"]
    assert out.left == [{"sku": "BRW-FRP-800", "name": "French Press 800 ml", "quantity": 1}]
    said = CollectingDispatcher()
    await propose_without(said, tracker, out)
    assert responses(said) == ["utter_change_takes_them_off", "utter_confirm_order_change"]
    assert "Filters" not in said.messages[1]["lines"] and "French Press" in said.messages[1]["lines"]

    # the change shown keeps the filters ("no, just 1 pair", another change): nothing is read here
    for text, intent in (("no i mean 3 french presses not 1", "deny"), ("yes", "affirm")):
        assert await items_out_at_the_change_question(chat_tracker(chat, text, intent)) is None, text
    assert lines_of(backend, chat.identity, number) == {("BRW-FLT-100", 2), ("BRW-FRP-800", 1)}


async def test_take_the_filters_off_at_the_change_question_then_yes_takes_them_off(backend):
    chat, number = await filters_out_shown(backend)
    _, said = await chat.say(FILTERS_OFF, "deny", ActionAnswerConfirmation(),
                             [entity(FILTERS_OFF, "filters", "product", "filter", skus=FILTERS)])
    assert responses(said) == ["utter_change_takes_them_off", "utter_confirm_order_change"]
    assert responses(await yes(chat)) == ["utter_order_changed"]
    assert lines_of(backend, chat.identity, number) == {("BRW-FRP-800", 1)}


# --- N1. a yes with a reason at the cancel question cancels, with that reason ----------------------

@pytest.mark.parametrize("text, words, kind, reason", [
    ("yes, found the mugs cheaper elsewhere too", "mugs", "category", "found the mugs cheaper elsewhere too"),
    ("yep. found the press cheaper on amazon", "press", "product", "found the press cheaper on amazon"),
])
async def test_a_yes_with_a_reason_read_as_a_product_search_cancels_with_that_reason(backend, text, words, kind, reason):
    """qv16b-0010: "yes, found the mugs cheaper elsewhere too" to "Do you want me to cancel order …?"
    listed the white mug; the order stayed open, and "yes cancel it" cancelled it with the generic reason."""
    chat = Chat()
    number = placed_order(backend, chat.identity, [("MUG-CER-WHT", 2), ("BRW-FRP-800", 1)])
    _, asked = await chat.say("cancel my order", "cancel_order", ActionCancelOrder())
    assert responses(asked) == ["utter_confirm_cancel"]
    named = entity(text, words, kind, "Mugs") if kind == "category" else \
        entity(text, words, kind, "French Press 800 ml", skus=["BRW-FRP-800"])
    _, said = await chat.say(text, "product_info", ActionShowProducts(), [named])
    assert responses(said) == ["utter_order_cancelled"]
    assert status_of(backend, chat.identity, number) == "cancelled"
    assert cancel_reason_of(number, backend) == f"customer: {reason}"


@pytest.mark.parametrize("text, intent, form, reason", [
    ("yes cancel, the mugs are too expensive", "change_order", "change_order_form", "the mugs are too expensive"),
    ("yes pls, ordered the mugs by mistake", "place_order", "order_form", "ordered the mugs by mistake"),
])
async def test_a_yes_with_a_reason_read_as_a_change_or_an_order_cancels_with_that_reason(backend, text, intent, form,
                                                                                         reason):
    chat = Chat()
    number = placed_order(backend, chat.identity, [("MUG-CER-WHT", 2), ("BRW-FRP-800", 1)])
    await chat.say("cancel my order", "cancel_order", ActionCancelOrder())
    action = ValidateChangeOrderForm() if form == "change_order_form" else ValidateOrderForm()
    _, said = await chat.say(text, intent, action, [entity(text, "mugs", "category", "Mugs")], ran_as=form)
    assert responses(said) == ["utter_order_cancelled"]
    assert cancel_reason_of(number, backend) == f"customer: {reason}"


async def test_a_product_question_after_a_yes_or_without_the_question_is_still_a_product_question(backend):
    chat = Chat()
    number = placed_order(backend, chat.identity, [("MUG-CER-WHT", 2), ("BRW-FRP-800", 1)])
    text = "yes, are the mugs dishwasher safe?"
    await chat.say("cancel my order", "cancel_order", ActionCancelOrder())
    assert not says_yes_to_the_cancel(chat_tracker(chat, text, "product_info"))
    assert not says_yes_to_the_cancel(chat_tracker(chat, "pls cancel the mugs from it", "cancel_order"))
    assert says_yes_to_the_cancel(chat_tracker(chat, "ok yes, changed my mind", "product_info"))
    chat.bot_said("action_show_products", {"response": "utter_product_list", "products": "…"})
    assert not says_yes_to_the_cancel(chat_tracker(chat, "yes, found the mugs cheaper elsewhere too", "product_info"))
    assert status_of(backend, chat.identity, number) == "confirmed"


# --- 12. a person asked for at the new order shown for a shop-cancelled one -------------------------

def cancelled_as_undeliverable(backend, identity: str) -> str:
    number = placed_order(backend, identity, [("MUG-CER-BLU", 1)])
    httpx.post(f"{backend.url}/api/v1/staff/orders/{number}/transition", headers=STAFF,
               json={"status": "cancelled", "note": "address undeliverable"}).raise_for_status()
    return number


async def reorder_shown(backend) -> tuple:
    """qv16b-0012: "hi why was my order cancelled??" → the shop's note, and the same mug as a new order
    to the same address, "Shall I place it?" (made in the backend, not placed)."""
    chat = Chat()
    number = cancelled_as_undeliverable(backend, chat.identity)
    chat.slots["order_id"] = number
    _, said = await chat.say("hi why was my order cancelled??", "cancel_order", ActionCancelOrder())
    assert responses(said) == ["utter_cancelled_by_the_shop", "utter_confirm_order"]
    reorder = chat.slot("pending_order")
    assert reorder and reorder != number and status_of(backend, chat.identity, reorder) == "pending"
    return chat, reorder


def handed_over(said: CollectingDispatcher) -> bool:
    return any("handoff" in (message.get("custom") or {}) for message in said.messages)


PERSON_NOT_ADDRESS = "no, the address is fine?? its my home. i want a person"


async def test_a_person_asked_for_at_the_reorder_hands_over_and_lets_the_reorder_go(backend):
    """"no, the address is fine?? its my home. i want a person" (an address change to the NLU) got "What's
    the new address?", and "i dont want a new address. a human please" the same; the new order stayed."""
    for text, intent in ((PERSON_NOT_ADDRESS, "change_shipping_address"), ("i want a person", "contact_human_agent")):
        chat, reorder = await reorder_shown(backend)
        tracker = chat_tracker(chat, text, intent)
        assert asks_for_a_person(tracker), text
        said = CollectingDispatcher()
        events = await hand_over(said, tracker, DOMAIN)
        assert responses(said) == ["utter_reorder_released", "utter_handoff_ticket"] and handed_over(said), text
        assert status_of(backend, chat.identity, reorder) == "cancelled"
        assert SlotSet("pending_order", None) in events and SlotSet("pending_confirmation", None) in events
    for text in ("i dont want a new address. a human please", "a real person now!!", "i need a human"):
        assert asks_for_a_person(tracker_for(chat.identity, text)), text
    for text in ("i dont want a person", "no need for a human, just fix it", "i want the person who packed it to know"):
        assert not asks_for_a_person(tracker_for(chat.identity, text)), text


async def test_a_person_asked_for_with_no_reorder_waiting_lets_no_order_go(backend):
    chat = Chat()
    number = placed_order(backend, chat.identity, [("MUG-CER-BLU", 1)], confirmed=False)
    chat.bot_said("action_place_order", {"response": "utter_confirm_order"}, pending_order=number,
                  pending_confirmation="place_order")
    said = CollectingDispatcher()
    await hand_over(said, chat_tracker(chat, "i want a person", "contact_human_agent"), DOMAIN)
    assert "utter_reorder_released" not in responses(said) and handed_over(said)
    assert status_of(backend, chat.identity, number) == "pending"  # an order being made is no re-order


async def test_no_the_address_is_fine_at_the_reorder_is_a_no_to_it(backend):
    chat, reorder = await reorder_shown(backend)
    text = "no, the address is fine?? its my home"
    assert declines_the_reorder(chat_tracker(chat, text, "change_shipping_address"))
    assert not declines_the_reorder(chat_tracker(chat, "no, send it to my office instead", "change_shipping_address"))
    _, said = await chat.say(text, "deny", ActionAnswerConfirmation())
    assert responses(said) == ["utter_order_not_placed"]
    assert status_of(backend, chat.identity, reorder) == "cancelled"


@pytest.mark.parametrize("text, said_then", [
    (PERSON_NOT_ADDRESS, ["utter_reorder_released", "utter_handoff_ticket"]),
    ("no, the address is fine?? its my home", ["utter_order_not_placed"]),
])
async def test_the_address_form_hands_over_or_takes_the_no_to_the_reorder(backend, text, said_then):
    chat, reorder = await reorder_shown(backend)
    _, said = await chat.say(text, "change_shipping_address", ValidateChangeAddressForm(), ran_as="change_address_form")
    assert responses(said) == said_then
    assert status_of(backend, chat.identity, reorder) == "cancelled"


# --- 15. the address of an order on its way asked for again: a person, who can ask the carrier -----

async def refused_as_shipped(backend) -> tuple:
    chat = Chat()
    number = placed_order(backend, chat.identity, [("BRW-FRP-800", 1)], confirmed=False)
    ship(backend, chat.identity, number)
    _, said = await chat.say("change the address", "change_shipping_address", ValidateChangeAddressForm(),
                             ran_as="change_address_form")
    assert responses(said) == ["utter_order_locked_shipped"]
    return chat, number


MOVED = "actually i moved, pls send to 9 Oak Road, Leeds LS1 4DY instead"


async def test_the_address_asked_again_after_the_refusal_offers_a_person_who_can_redirect(backend):
    """qv16b-0016: "actually i moved, pls send to 9 Oak Road, Leeds LS1 4DY instead" and "but i dont live
    there anymore!! what do i do, can someone redirect it" got the same refusal twice."""
    for text in (MOVED, "but i dont live there anymore!! what do i do, can someone redirect it"):
        chat, number = await refused_as_shipped(backend)
        said = CollectingDispatcher()
        events = await offer_to_redirect(said, chat_tracker(chat, text, "change_shipping_address"))
        assert responses(said) == ["utter_offer_redirect_person"] and said.messages[0]["number"] == number, text
        assert SlotSet("pending_confirmation", "human_handoff") in events
    chat.bot_said("change_address_form", said.messages[0], **{e["name"]: e["value"] for e in events})
    handed = await yes(chat)
    assert responses(handed) == ["utter_handoff_ticket"]
    [ticket] = tickets_of(backend, chat.identity)
    assert (ticket["reason"], ticket["order_number"]) == ("redirect a shipped order", number)

    # not after other answers, not a "no", not an order delivered since
    chat, number = await refused_as_shipped(backend)
    assert await offer_to_redirect(CollectingDispatcher(), chat_tracker(chat, "no ok forget it", "deny")) is None
    chat.events += [{"event": "action", "name": "action_listen"},
                    {"event": "user", "text": "where is it now", "parse_data": {"intent": {"name": "track_order"}}}]
    chat.bot_said("action_track_order", {"response": "utter_order_status_shipped", "number": number})
    assert await offer_to_redirect(CollectingDispatcher(), chat_tracker(chat, MOVED, "change_shipping_address")) is None
    chat, number = await refused_as_shipped(backend)
    staff_move(backend, number, "delivered")
    assert await offer_to_redirect(CollectingDispatcher(), chat_tracker(chat, MOVED, "change_shipping_address")) is None


async def test_the_address_form_offers_the_redirect_instead_of_refusing_again(backend):
    chat, _ = await refused_as_shipped(backend)
    _, said = await chat.say(MOVED, "change_shipping_address", ValidateChangeAddressForm(), ran_as="change_address_form")
    assert responses(said) == ["utter_offer_redirect_person"]


# --- 8. a refund short of its due, asked about in any words; no email called a fake for its true sum -

def chai_refunded_short(backend, identity: str) -> str:
    """qv16b-0008: 3 × Masala Chai delivered and returned whole (€40.60 due), €23.80 refunded."""
    number = delivered(backend, identity, ("TEA-CHA-200", 3))
    add_to_return(backend, identity, number, "stale, smells off", ("TEA-CHA-200", 3))
    staff_move(backend, number, "returned")
    staff_move(backend, number, "refunded", refund_minor=2380)
    return number


async def test_why_only_after_declining_the_person_is_the_refund_dispute_and_the_email_is_not_called_fake(backend):
    """"got my refund email, but it says 23.80?? should be 40.60" was told "that email didn't come from
    us" (the order says €23.80 too); after "No, thanks" to the person offered, "why only 23.80, where is
    the rest 16.80??" (out of scope to the NLU) got "Sorry, that's outside what I can help with"."""
    chat = Chat()
    number = chai_refunded_short(backend, chat.identity)
    _, said = await chat.say("got my refund email, but it says 23.80?? should be 40.60", "refund_status",
                             ActionRefundStatus())
    assert responses(said) == ["utter_refund_no_email_same_amount", "utter_refund_short_ticket"]
    assert (said.messages[1]["amount"], said.messages[1]["missing"]) == ("€23.80", "€16.80")
    assert responses((await chat.say("No, thanks", "deny", ActionAnswerConfirmation()))[1]) == [
        "utter_ticket_without_person"]
    _, again = await chat.say("why only 23.80, where is the rest 16.80??", "out_of_scope", ActionFallback())
    assert responses(again) == ["utter_refund_short_ticket_open"] and again.messages[0]["number"] == number
    assert len(tickets_of(backend, chat.identity)) == 1

    # an email naming another sum is still no email of ours
    _, other = await chat.say("my refund email says 40.60 was refunded", "refund_status", ActionRefundStatus())
    assert responses(other)[0] == "utter_refund_no_email"


async def test_why_only_with_the_refunded_sum_is_the_dispute_even_long_after_the_refund_talk(backend):
    chat = Chat()
    chai_refunded_short(backend, chat.identity)
    tracker = chat_tracker(chat, "why only 23.80, where is the rest 16.80??", "out_of_scope")
    said = CollectingDispatcher()
    assert await answer_a_refund_dispute(said, tracker) is not None  # no refund talked about in this chat
    assert responses(said) == ["utter_refund_short_ticket"]
    for text in ("why only 2 mugs left?", "why only 2.50 off, where is the rest of the discount"):
        assert await answer_a_refund_dispute(CollectingDispatcher(), chat_tracker(chat, text, "out_of_scope")) is None


async def test_when_do_i_get_my_money_back_after_a_charge_reported_is_the_teams_check(backend):
    """qv16b-0009: after the charge of a cancelled order was reported (ticket) and the person declined,
    "so when do i get my money back" got "any payment for it is refunded … within 5–7 business days"."""
    chat = Chat()
    number = placed_order(backend, chat.identity, [("GRN-HND-BUR", 1)])
    staff_move(backend, number, "cancelled")
    _, reported = await chat.say("bhai I was charged for the cancelled order also, 64.90 gone from my card. "
                                 "refund kab milega?", "refund_status", ActionRefundStatus())
    assert responses(reported) == ["utter_payment_charged_for_unpaid_order"]
    await chat.say("No, thanks", "deny", ActionAnswerConfirmation())
    _, said = await chat.say("so when do i get my money back", "refund_status", ActionRefundStatus())
    [ticket] = tickets_of(backend, chat.identity)
    assert responses(said) == ["utter_refund_charge_being_checked"]
    assert (said.messages[0]["number"], said.messages[0]["ticket_id"]) == (number, ticket["id"])

    # without a charge reported, a cancelled order's refund answer is as before
    other = Chat()
    cancelled = placed_order(backend, other.identity, [("GRN-HND-BUR", 1)])
    staff_move(backend, cancelled, "cancelled")
    _, said = await other.say("so when do i get my money back", "refund_status", ActionRefundStatus())
    assert responses(said) == ["utter_refund_cancelled"]
