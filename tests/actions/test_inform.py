"""A bare value ("1042", an address) goes where the bot asked for it; against a real backend."""
from __future__ import annotations

from actions.inform import ActionHandleInform
from tests.actions.test_orders import new_identity, place_order, tracker_for

SWISS_ADDRESS = "Lukas Meier, Bahnhofstrasse 10, 8001 Zurich, Switzerland"
# What the order-number regex makes of the postcode.
POSTCODE_AS_ORDER_ID = [{"entity": "order_id", "value": "8001", "start": 33, "end": 37}]


async def test_an_address_out_of_the_blue_is_not_read_as_an_order_number(backend, dispatcher):
    tracker = tracker_for(new_identity(), SWISS_ADDRESS, entities=POSTCODE_AS_ORDER_ID)
    assert await ActionHandleInform().run(dispatcher, tracker, {}) == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_address_without_task"]


async def test_an_order_number_asked_for_is_tracked(backend, dispatcher):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    tracker = tracker_for(identity, number, entities=[{"entity": "order_id", "value": number}],
                          slots={"requested_info": "order_id", "order_task": "track"})
    await ActionHandleInform().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_status_pending"]
    assert dispatcher.messages[0]["number"] == number
