"""Changing an order's shipping address in chat against a real backend."""
from __future__ import annotations

import httpx
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation, ActionCancelOrder
from actions.change_address import ActionConfirmAddressChange, ValidateChangeAddressForm
from tests.actions.test_cancel import order_of
from tests.actions.test_change_order import DOMAIN, confirmation, flow_tracker
from tests.actions.test_orders import BOT, new_identity, place_order, ship

NEW_TEXT = "Grace Hopper, 1 New Road, Cork T12 RW26, Ireland"
NEW_ADDRESS = {"name": "Grace Hopper", "line1": "1 New Road", "city": "Cork", "postal_code": "T12 RW26",
               "country": "IE"}


async def start(identity, text="change the delivery address", entities=None):
    dispatcher = CollectingDispatcher()
    tracker = flow_tracker(identity, text, "change_shipping_address", "change_address_form", entities)
    tracker.active_loop = {}
    return await ValidateChangeAddressForm().run(dispatcher, tracker, DOMAIN), dispatcher


async def answer_address(identity, dispatcher, text, intent="inform"):
    """The validation's events when `text` answers "What's the new address?" for the last order."""
    events, _ = await start(identity)
    slots = {"target_order": events[0]["value"], "requested_slot": "new_shipping_address"}
    tracker = flow_tracker(identity, text, intent, "change_address_form", slots=slots)
    return await ValidateChangeAddressForm().run(dispatcher, tracker, DOMAIN)


def address_of(backend, identity, number):
    response = httpx.get(f"{backend.url}/api/v1/orders/{number}", headers={**BOT, "X-Channel-Identity": identity})
    return response.json()["shipping_address"]


async def test_change_address_by_number_collects_confirms_and_changes(backend):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    place_order(backend, identity)  # a newer order: the number in the message wins
    events, _ = await start(identity, f"change the address of {number}", [{"entity": "order_id", "value": number}])
    target = events[0]["value"]
    assert target["number"] == number

    asked = CollectingDispatcher()
    slots = {"target_order": target, "requested_slot": "new_shipping_address"}
    tracker = flow_tracker(identity, NEW_TEXT, "inform", "change_address_form", slots=slots)
    events = await ValidateChangeAddressForm().run(asked, tracker, DOMAIN)
    assert events == [SlotSet("new_shipping_address", NEW_ADDRESS)]

    summary = CollectingDispatcher()
    slots = {"target_order": target, "new_shipping_address": NEW_ADDRESS}
    events = await ActionConfirmAddressChange().run(summary, flow_tracker(identity, "", "inform", "x", slots=slots), {})
    assert [m["response"] for m in summary.messages] == ["utter_confirm_address_change"]
    assert "Cork" in summary.messages[0]["new_address"] and "Dublin" in summary.messages[0]["old_address"]
    assert events == [SlotSet("pending_confirmation", "change_address")]

    answer = CollectingDispatcher()
    slots["pending_confirmation"] = "change_address"
    tracker = confirmation(identity, "affirm", "action_confirm_address_change", slots)
    await ActionAnswerConfirmation().run(answer, tracker, {})
    assert [m["response"] for m in answer.messages] == ["utter_address_changed"]
    assert address_of(backend, identity, number)["city"] == "Cork"


async def test_change_address_invalid_explains(backend, dispatcher):
    identity = new_identity()
    place_order(backend, identity)
    assert await answer_address(identity, dispatcher, "1 New Road Cork") == [SlotSet("new_shipping_address", None)]
    assert [m["response"] for m in dispatcher.messages] == ["utter_invalid_address_parts"]


async def test_change_address_question_instead_of_the_address_is_left_to_its_rule(backend, dispatcher):
    identity = new_identity()
    place_order(backend, identity)
    assert await answer_address(identity, dispatcher, "i'd rather order a teapot", "place_order") == []
    assert await answer_address(identity, dispatcher, NEW_TEXT, "change_shipping_address") == [
        SlotSet("new_shipping_address", NEW_ADDRESS)]
    assert dispatcher.messages == []


async def test_change_address_after_shipping_is_refused(backend):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    ship(backend, identity, number)
    events, dispatcher = await start(identity)
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_locked_shipped"]
    assert SlotSet("requested_slot", None) in events
    assert await ActionConfirmAddressChange().run(CollectingDispatcher(), flow_tracker(identity, "", "inform", "x"), {}) \
        == [SlotSet("target_order", None), SlotSet("new_shipping_address", None), SlotSet("pending_confirmation", None)]


async def test_change_address_of_someone_elses_order_is_not_found(backend):
    number = place_order(backend, new_identity())["number"]
    events, dispatcher = await start(new_identity(), f"new address for {number}", [{"entity": "order_id", "value": number}])
    assert [m["response"] for m in dispatcher.messages] == ["utter_change_order_not_found"]
    assert SlotSet("requested_slot", None) in events


async def test_change_address_without_orders_says_when_it_can_change_and_asks_nothing(backend):
    """No order on this chat has a number to give (another chat's order isn't found): QA t3 F12."""
    events, dispatcher = await start(new_identity())
    assert [m["response"] for m in dispatcher.messages] == ["utter_address_change_no_order"]
    assert SlotSet("requested_slot", None) in events


async def test_address_given_with_the_request_is_taken_and_its_postcode_is_no_order_number(backend):
    """"change the address to ..., 10115 Berlin, Germany": the order is the last one (10115 is the
    postcode the order-number pattern also matches) and the address isn't asked again."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    text = "change the address of my order to Max Muster, Flat 3B, 22 Hauptstrasse, 10115 Berlin, Germany"
    events, said = await start(identity, text, [{"entity": "order_id", "value": "10115"}])
    assert said.messages == []
    assert events[0]["value"]["number"] == number
    assert SlotSet("new_shipping_address", {
        "name": "Max Muster", "line1": "22 Hauptstrasse", "line2": "Flat 3B", "city": "Berlin",
        "postal_code": "10115", "country": "DE"}) in events


async def test_an_address_in_a_country_we_do_not_ship_to_says_so(backend, dispatcher):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    assert await answer_address(identity, dispatcher, "Asha Rao, 12 MG Road, Bengaluru 560001, India") == [
        SlotSet("new_shipping_address", None)]
    assert [m["response"] for m in dispatcher.messages] == ["utter_invalid_address_not_shipped"]
    assert address_of(backend, identity, number)["city"] == "Dublin"


async def test_an_address_without_a_name_keeps_the_name_on_the_order(backend):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    events, said = await start(identity, "change the address of my order to 5 Avenue Foch, 75116 Paris, France",
                               [{"entity": "order_id", "value": "75116"}])
    assert events[0]["value"]["number"] == number and said.messages == []
    assert SlotSet("new_shipping_address", {"name": "Ada Lovelace", "line1": "5 Avenue Foch", "city": "Paris",
                                            "postal_code": "75116", "country": "FR"}) in events


async def test_a_new_address_abroad_given_with_the_request_says_we_do_not_ship_there(backend):
    identity = new_identity()
    place_order(backend, identity)
    text = "change the address of my order to Mike Jones, 1600 Amphitheatre Pkwy, Mountain View, CA 94043, USA"
    events, said = await start(identity, text)
    assert [m["response"] for m in said.messages] == ["utter_invalid_address_not_shipped"]
    assert SlotSet("new_shipping_address", None) in events


async def test_a_new_address_for_the_order_at_its_summary_shows_that_summary_again(backend):
    """"actually send it to …" read as change_shipping_address while "Shall I place it?" waits:
    the unconfirmed order changes and its summary is the one question, not a second one."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    events, _ = await start(identity, f"actually send it to {NEW_TEXT}")
    target = events[0]["value"]
    slots = {"target_order": target, "new_shipping_address": NEW_ADDRESS, "pending_order": number,
             "pending_confirmation": "place_order", "order_contact": "ada@example.com",
             "order_items": [{"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 1}]}
    said = CollectingDispatcher()
    events = await ActionConfirmAddressChange().run(said, flow_tracker(identity, "", "inform", "x", slots=slots), {})
    assert [m["response"] for m in said.messages] == ["utter_confirm_order"]
    assert SlotSet("pending_confirmation", "place_order") in events and SlotSet("target_order", None) in events
    assert address_of(backend, identity, number)["city"] == "Cork"


async def test_the_address_of_the_order_holding_the_product_named_changes(backend):
    identity = new_identity()
    grinder = order_of(backend, identity, "GRN-HND-BUR")
    order_of(backend, identity, "TEA-CHA-200")  # newer
    events, _ = await start(identity, "i need to change the delivery adress for the grinder order",
                            entities=[{"entity": "product", "value": "grinder", "skus": ["GRN-ELC-BUR", "GRN-HND-BUR"]}])
    assert events[0]["value"]["number"] == grinder


async def test_the_order_named_before_a_new_address_is_the_one_changed(backend):
    """"please change the address of OB-… to Rahul Verma, …, 11143 Stockholm, Sweden" with two
    orders: the order named (not the newest, whose number the postcode is not either), and the
    request is no part of the address."""
    identity = new_identity()
    named = place_order(backend, identity)["number"]
    place_order(backend, identity)
    text = f"please change the address of {named} to Rahul Verma, 3 Kungsgatan, 11143 Stockholm, Sweden"
    entities = [{"entity": "order_id", "value": "11143"}, {"entity": "order_id", "value": named[3:]},
                {"entity": "order_id", "value": named}]
    events, said = await start(identity, text, entities)
    assert said.messages == []
    assert events[0]["value"]["number"] == named
    assert SlotSet("new_shipping_address", {"name": "Rahul Verma", "line1": "3 Kungsgatan", "city": "Stockholm",
                                            "postal_code": "11143", "country": "SE"}) in events


async def test_an_address_change_refused_at_the_yes_is_worded_for_customers(backend, dispatcher):
    """Shipped between the summary and the yes: "already shipped", not the backend's "The address can
    only be changed before the order ships; it is 'shipped'."."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    ship(backend, identity, number)
    slots = {"pending_confirmation": "change_address", "target_order": {"number": number},
             "new_shipping_address": NEW_ADDRESS}
    await ActionAnswerConfirmation().run(dispatcher, confirmation(identity, "affirm", "action_confirm_address_change",
                                                                  slots), {})
    assert [(m["response"], m["number"]) for m in dispatcher.messages] == [("utter_order_locked_shipped", number)]
    assert address_of(backend, identity, number)["city"] == "Dublin"


HANS = {"name": "Hans Mueller", "line1": "5 Hauptstrasse", "city": "Berlin", "postal_code": "10117", "country": "DE"}


async def test_send_the_x_order_to_an_address_is_an_address_change_of_that_order(backend):
    """after2-07 (manage M3): "send the tea caddy order to Hans Mueller, …" read as an order had
    started a new order ("Hauptstrasse" not in the catalogue, then "same address?"): the order
    form and the change form hand it to the address change of the order holding the tea caddy
    (not the newest), confirmed first."""
    from actions.change_order import ValidateChangeOrderForm
    from actions.ordering import ValidateOrderForm
    from tests.actions.test_ordering import form_tracker
    from tests.actions.test_replacements import TO_THE_CHANGE_FORM, named

    identity = new_identity()
    caddy = order_of(backend, identity, "TEA-CAD-TIN")
    place_order(backend, identity)  # newer
    text = "send the tea caddy order to Hans Mueller, 5 Hauptstrasse, 10117 Berlin, Germany"
    entities = [named(text, "tea caddy", ["TEA-CAD-TIN"], "Tea Caddy Tin"), {"entity": "order_id", "value": "10117"}]
    said = CollectingDispatcher()
    tracker = form_tracker(identity, text, "place_order", entities)
    tracker.active_loop = {}
    assert await ValidateOrderForm().run(said, tracker, DOMAIN) == TO_THE_CHANGE_FORM
    tracker = flow_tracker(identity, text, "place_order", "change_order_form", entities)
    tracker.active_loop = {}
    assert await ValidateChangeOrderForm().run(said, tracker, DOMAIN) == [
        SlotSet("requested_slot", None), FollowupAction("change_address_form")]
    assert said.messages == []
    events, said = await start(identity, text, entities)
    assert said.messages == [] and events[0]["value"]["number"] == caddy
    assert SlotSet("new_shipping_address", HANS) in events
    summary = CollectingDispatcher()
    slots = {"target_order": events[0]["value"], "new_shipping_address": HANS}
    await ActionConfirmAddressChange().run(summary, flow_tracker(identity, "", "inform", "x", slots=slots), {})
    assert [(m["response"], m["number"]) for m in summary.messages] == [("utter_confirm_address_change", caddy)]
    assert address_of(backend, identity, caddy)["city"] == "Dublin"


async def test_send_an_order_number_to_an_address_read_as_a_bare_value_changes_its_address(backend):
    """after2-03 (manage M3): "send OB-… to Hans Mueller, …, 10115 Berlin, Germany" (inform) got
    "That looks like an address. To have something sent there, tell me what you'd like to order"."""
    from actions.inform import ActionHandleInform

    identity = new_identity()
    named_order = place_order(backend, identity)["number"]
    place_order(backend, identity)
    text = f"send {named_order} to Hans Mueller, 5 Hauptstrasse, 10115 Berlin, Germany"
    entities = [{"entity": "order_id", "value": "10115"}, {"entity": "order_id", "value": named_order[3:]},
                {"entity": "order_id", "value": named_order}]
    said = CollectingDispatcher()
    tracker = flow_tracker(identity, text, "inform", "x", entities)
    tracker.active_loop = {}
    assert await ActionHandleInform().run(said, tracker, {}) == [FollowupAction("change_address_form")]
    assert said.messages == []
    events, said = await start(identity, text, entities)
    assert said.messages == [] and events[0]["value"]["number"] == named_order
    assert SlotSet("new_shipping_address", {**HANS, "postal_code": "10115"}) in events


async def test_cancel_at_the_new_address_question_drops_the_address_change(backend):
    """after2-91: "cancel" at "What's the new address?" offered to cancel the whole order: it leaves
    the address change and the order stays as it is; "cancel the whole order" still asks that."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    events, _ = await start(identity)
    slots = {"target_order": events[0]["value"], "requested_slot": "new_shipping_address"}
    said = CollectingDispatcher()
    tracker = flow_tracker(identity, "cancel", "cancel_order", "change_address_form", slots=slots)
    events = await ActionCancelOrder().run(said, tracker, {})
    assert [(m["response"], m["number"]) for m in said.messages] == [("utter_address_change_kept", number)]
    assert ActiveLoop(None) in events and SlotSet("pending_confirmation", "cancel_order") not in events
    assert SlotSet("target_order", None) in events
    said = CollectingDispatcher()
    tracker = flow_tracker(identity, "no just cancel the whole order", "cancel_order", "change_address_form", slots=slots)
    events = await ActionCancelOrder().run(said, tracker, {})
    assert [(m["response"], m["number"]) for m in said.messages] == [("utter_confirm_cancel", number)]
    assert ActiveLoop(None) in events


async def address_change_shown(identity):
    """ "change the address of my order to <NEW_TEXT>" and its summary: the slots then."""
    events, _ = await start(identity, f"change the address of my order to {NEW_TEXT}")
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    summary = CollectingDispatcher()
    events = await ActionConfirmAddressChange().run(summary, flow_tracker(identity, "", "inform", "x", slots=slots), {})
    assert [m["response"] for m in summary.messages] == ["utter_confirm_address_change"]
    return {**slots, **{e["name"]: e["value"] for e in events}}


async def test_the_other_order_at_the_address_summary_is_asked_about_with_the_same_address(backend):
    """t2 M3: "no, the other order, the french press one" at "Change the address of order <mugs>?"
    (read as a product question) started a new order of a french press and lost the new address.
    The order form and the change form hand it on: the same address change is shown for the
    french press order, and only its yes changes that order."""
    from actions.change_order import ValidateChangeOrderForm
    from actions.ordering import ValidateOrderForm
    from actions.placed_order_edits import adds_to_a_placed_order
    from tests.actions.test_ordering import form_tracker
    from tests.actions.test_replacements import TO_THE_CHANGE_FORM, named, placed_order

    identity = new_identity()
    press = placed_order(backend, identity, [("BRW-FRP-800", 1)])
    mugs = placed_order(backend, identity, [("MUG-CER-WHT", 2)])
    slots = await address_change_shown(identity)
    assert slots["target_order"]["number"] == mugs and slots["pending_confirmation"] == "change_address"
    text = "no, the other order, the french press one"
    entities = [named(text, "french press", ["BRW-FRP-800"], "French Press 800 ml")]
    assert await adds_to_a_placed_order(form_tracker(identity, text, "product_info", entities, slots))
    tracker = form_tracker(identity, text, "product_info", entities, slots)
    tracker.active_loop = {}
    assert await ValidateOrderForm().run(CollectingDispatcher(), tracker, DOMAIN) == TO_THE_CHANGE_FORM
    said = CollectingDispatcher()
    tracker = flow_tracker(identity, text, "product_info", "change_order_form", entities, slots=slots)
    tracker.active_loop = {}
    events = await ValidateChangeOrderForm().run(said, tracker, DOMAIN)
    assert [(m["response"], m["number"]) for m in said.messages] == [("utter_confirm_address_change", press)]
    assert "Cork" in said.messages[0]["new_address"] and "Dublin" in said.messages[0]["old_address"]
    assert SlotSet("pending_confirmation", "change_address") in events and events[-1] == FollowupAction("action_listen")
    assert address_of(backend, identity, press)["city"] == "Dublin"  # nothing before its yes
    moved = {**slots, **{e["name"]: e["value"] for e in events if e.get("event") == "slot"}}
    again = CollectingDispatcher()  # read as a change of address: the address form moves it alike
    tracker = flow_tracker(identity, text, "change_shipping_address", "change_address_form", entities, slots=slots)
    tracker.active_loop = {}
    events = await ValidateChangeAddressForm().run(again, tracker, DOMAIN)
    assert [(m["response"], m["number"]) for m in again.messages] == [("utter_confirm_address_change", press)]
    assert SlotSet("pending_confirmation", "change_address") in events and ActiveLoop(None) in events
    assert moved["target_order"]["number"] == press and moved["new_shipping_address"] == NEW_ADDRESS
    done = CollectingDispatcher()
    await ActionAnswerConfirmation().run(done, confirmation(identity, "affirm", "action_confirm_address_change",
                                                            moved), {})
    assert [(m["response"], m["number"]) for m in done.messages] == [("utter_address_changed", press)]
    assert (address_of(backend, identity, press)["city"], address_of(backend, identity, mugs)["city"]) == (
        "Cork", "Dublin")


async def test_no_the_other_one_at_the_address_summary_asks_about_the_other_order(backend):
    """t2 M3 (t2-c35): "no the other one" only declined; read as a no, it asks about the other order
    with the same address. With two others, which one is asked, and its number moves the change."""
    from actions.inform import ActionHandleInform
    from tests.actions.test_replacements import placed_order

    identity = new_identity()
    press = placed_order(backend, identity, [("BRW-FRP-800", 1)])
    mugs = placed_order(backend, identity, [("MUG-CER-WHT", 2)])
    slots = await address_change_shown(identity)
    said = CollectingDispatcher()
    tracker = confirmation(identity, "deny", "action_confirm_address_change", slots)
    tracker.latest_message["text"] = "no the other one"
    events = await ActionAnswerConfirmation().run(said, tracker, {})
    assert [(m["response"], m["number"]) for m in said.messages] == [("utter_confirm_address_change", press)]
    assert SlotSet("pending_confirmation", "change_address") in events
    assert address_of(backend, identity, mugs)["city"] == address_of(backend, identity, press)["city"] == "Dublin"

    caddy = placed_order(backend, identity, [("TEA-CAD-TIN", 1)])
    asked = CollectingDispatcher()
    tracker = confirmation(identity, "deny", "action_confirm_address_change", slots)
    tracker.latest_message["text"] = "no the other one"
    assert await ActionAnswerConfirmation().run(asked, tracker, {}) == []
    assert [m["response"] for m in asked.messages] == ["utter_change_which_order"]
    assert press in asked.messages[0]["orders"] and caddy in asked.messages[0]["orders"]
    answer = CollectingDispatcher()
    tracker = flow_tracker(identity, caddy, "inform", "x", [{"entity": "order_id", "value": caddy}], slots=slots)
    tracker.active_loop = {}
    assert await ActionHandleInform().run(answer, tracker, {}) == [FollowupAction("change_order_form")]
    from actions.change_order import ValidateChangeOrderForm
    tracker.active_loop = {}
    await ValidateChangeOrderForm().run(answer, tracker, DOMAIN)
    assert [(m["response"], m["number"]) for m in answer.messages] == [("utter_confirm_address_change", caddy)]


async def test_the_order_told_by_its_items_at_the_new_address_question_is_the_one_changed(backend):
    """t2 M3 (t2-c33): "i need to change my delivery address" (the mugs order, the newest) → "the
    french press one" showed the product card, and the address then went to the mugs order. Now
    the french press order's address is asked for, and its summary is the one shown."""
    from tests.actions.test_replacements import named, placed_order

    identity = new_identity()
    press = placed_order(backend, identity, [("BRW-FRP-800", 1)])
    mugs = placed_order(backend, identity, [("MUG-CER-WHT", 2)])
    events, _ = await start(identity, "i need to change my delivery address")
    slots = {"target_order": events[0]["value"], "requested_slot": "new_shipping_address"}
    assert slots["target_order"]["number"] == mugs
    text = "the french press one"
    entities = [named(text, "french press", ["BRW-FRP-800"], "French Press 800 ml")]
    said = CollectingDispatcher()
    events = await ValidateChangeAddressForm().run(
        said, flow_tracker(identity, text, "product_info", "change_address_form", entities, slots=slots), DOMAIN)
    assert said.messages == []  # the form asks for the address again
    switched = {e["name"]: e["value"] for e in events}
    assert switched["target_order"]["number"] == press and switched["new_shipping_address"] is None
    slots.update(target_order=switched["target_order"])
    assert await answer_in_the_form(identity, slots, NEW_TEXT) == [SlotSet("new_shipping_address", NEW_ADDRESS)]
    summary = CollectingDispatcher()
    await ActionConfirmAddressChange().run(summary, flow_tracker(identity, "", "inform", "x", slots={
        "target_order": switched["target_order"], "new_shipping_address": NEW_ADDRESS}), {})
    assert [(m["response"], m["number"]) for m in summary.messages] == [("utter_confirm_address_change", press)]


async def answer_in_the_form(identity, slots, text):
    tracker = flow_tracker(identity, text, "inform", "change_address_form", slots=slots)
    return await ValidateChangeAddressForm().run(CollectingDispatcher(), tracker, DOMAIN)


PASTED_EMAIL = ("Hi, re this email:\n'Your order has been received. Delivery address: Chloe Harris, Flat 4, "
                "28 Victoria Road, Brighton BN1 3FS'\nI've moved! Please send it to Chloe Harris, "
                "9 Preston Park Avenue, Brighton BN1 6HL, UK instead")
PRESTON_PARK = {"name": "Chloe Harris", "line1": "9 Preston Park Avenue", "city": "Brighton", "postal_code": "BN1 6HL",
                "country": "GB"}


async def test_the_address_after_send_it_to_is_the_new_one_and_two_without_a_word_are_asked_about(backend):
    """t4 C2: a pasted email holding the old address, then "I've moved! Please send it to <new> instead",
    offered (and after a yes stored) line1 "28 Victoria Road" and line2 "Flat 4, Brighton BN1 3FS', I've
    moved! Please send it to Chloe Harris, 9 Preston Park Avenue". The address after "send it to" is
    the new one; two addresses with no word of which is new are no address: the new one is asked for."""
    from actions.change_address import another_address_at_the_question
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    events, said = await start(identity, PASTED_EMAIL)
    assert SlotSet("new_shipping_address", PRESTON_PARK) in events and said.messages == []
    for text in ("my new address is Chloe Harris, 9 Preston Park Avenue, Brighton BN1 6HL, UK",
                 "Please send it to Chloe Harris, 9 Preston Park Avenue, Brighton BN1 6HL, UK"):
        assert SlotSet("new_shipping_address", PRESTON_PARK) in (await start(identity, text))[0], text
    two = ("Chloe Harris, Flat 4, 28 Victoria Road, Brighton BN1 3FS\n"
           "Chloe Harris, 9 Preston Park Avenue, Brighton BN1 6HL, UK")
    for text in (two, PASTED_EMAIL.replace("Please send it to ", "")):
        asked = CollectingDispatcher()
        events = await answer_address(identity, asked, text)
        assert events == [SlotSet("new_shipping_address", None)] and asked.messages == [], text  # the form asks again
    # said at "Change the address … to …?", the same
    target = (await start(identity))[0][0]["value"]
    slots = {"target_order": target, "new_shipping_address": NEW_ADDRESS, "pending_confirmation": "change_address"}
    again = CollectingDispatcher()
    events = await another_address_at_the_question(again, flow_tracker(identity, PASTED_EMAIL, "inform", "x",
                                                                        slots=slots), {}, PASTED_EMAIL)
    assert SlotSet("new_shipping_address", PRESTON_PARK) in events
    assert [m["response"] for m in again.messages] == ["utter_confirm_address_change"]
    assert "Preston Park" in again.messages[0]["new_address"] and "moved" not in again.messages[0]["new_address"]
    again = CollectingDispatcher()
    assert await another_address_at_the_question(again, flow_tracker(identity, two, "inform", "x", slots=slots),
                                                  {}, two) == []
    assert [m["response"] for m in again.messages] == ["utter_ask_new_shipping_address"]
    assert address_of(backend, identity, number)["city"] == "Dublin"  # nothing before a yes
