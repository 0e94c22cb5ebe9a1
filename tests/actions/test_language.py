"""Which messages are in a language the bot doesn't speak (actions/language.py)."""
from __future__ import annotations

import pytest
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation
from actions.catalogue import ActionShowProducts
from actions.fallback import ActionFallback
from actions.language import is_foreign
from actions.ordering import ValidateOrderForm
from tests.actions.conftest import load_tracker
from tests.actions.test_change_order import DOMAIN, flow_tracker
from tests.actions.test_ordering import form_tracker
from tests.actions.test_orders import new_identity, tracker_for
from tests.actions.test_support import staff_ticket


@pytest.mark.parametrize("text", [
    "¿Dónde está mi pedido?",
    "bonjour, je veux annuler ma commande",
    "Hallo, wo ist meine Bestellung? Danke",
    "olá, onde está minha encomenda",
    "ciao, vorrei sapere dov'è il mio ordine",
    "Где мой заказ?",
    "我的订单在哪里",
    "मेरा ऑर्डर कहाँ है",
    "هل يمكنني إرجاع المنتج",
])
def test_other_languages_are_foreign(text):
    assert is_foreign(text)


@pytest.mark.parametrize("text", [
    "where is my order",
    "mera order kab aayega bhai",
    "order mein kya hai",
    "das minute me batao",
    "a dove grey mug please",
    "ok ciao",
    "send it to help@shop.com",
    "I'd like to pour-over coffee set",
    "blorp",
    "👍",
    "",
    "café au lait mug",
    "the Müller kettle",
])
def test_english_hinglish_and_odd_messages_are_not(text):
    assert not is_foreign(text)


async def test_an_order_or_product_question_in_another_language_hears_english_only(backend):
    ordering = CollectingDispatcher()
    events = await ValidateOrderForm().run(ordering, form_tracker(new_identity(), "Ich möchte zwei Tassen kaufen",
                                                                  "place_order"), DOMAIN)
    assert [m["response"] for m in ordering.messages] == ["utter_only_english"]
    assert SlotSet("pending_confirmation", "human_handoff") in events
    asking = CollectingDispatcher()
    await ActionShowProducts().run(asking, load_tracker("product_question", text="ist der Wasserkocher auf Lager?"), {})
    assert [m["response"] for m in asking.messages] == ["utter_only_english"]


def _answer_to_the_offer(identity: str, text: str, earlier_turn: list, slots: dict):
    """The customer's `text` (read as a yes) right after the bot's turn `earlier_turn`."""
    tracker = tracker_for(identity, text, slots=slots)
    tracker.latest_message["intent"] = {"name": "affirm", "confidence": 0.9}
    tracker.events = earlier_turn + [{"event": "action", "name": "action_listen"},
                                     {"event": "user", "text": text, "parse_data": {"intent": {"name": "affirm"}}}]
    return tracker


ONLY_ENGLISH = {"event": "bot", "text": "Sorry, I can only chat in English for now. … Would you like that?",
                "metadata": {"utter_action": "utter_only_english"}}
WHICH_ORDER = {"event": "bot", "text": "I don't see any orders from you on this chat. Which order is it?",
               "metadata": {"utter_action": "utter_ask_target_order"}}


@pytest.mark.parametrize("yes", ["yes", "/affirm", "yes a person please"])
async def test_another_language_at_a_forms_question_offers_a_person_whose_yes_hands_over(backend, yes):
    """care-54: asked "which order is it?", a German message got the offer of a person and the
    form's question under it; "yes", the button and "yes a person please" got both again, in a loop."""
    identity = new_identity()
    german = flow_tracker(identity, "wo ist meine Rückerstattung", "out_of_scope", "return_form",
                          slots={"requested_slot": "target_order"})
    offered = CollectingDispatcher()
    events = await ActionFallback().run(offered, german, {})
    assert [m["response"] for m in offered.messages] == ["utter_only_english"]
    assert events == [SlotSet("pending_confirmation", "human_handoff"), SlotSet("paused_form", "return_form"),
                      ActiveLoop(None), SlotSet("requested_slot", None)]  # no form question under the offer
    answer = _answer_to_the_offer(identity, yes, [{"event": "action", "name": "action_fallback"}, ONLY_ENGLISH],
                                  {"pending_confirmation": "human_handoff", "paused_form": "return_form"})
    handed = CollectingDispatcher()
    await ActionAnswerConfirmation().run(handed, answer, {})
    assert [m["response"] for m in handed.messages] == ["utter_handoff_ticket"]
    ticket = staff_ticket(backend, handed.messages[0]["ticket_id"])
    assert ticket["reason"] == "customer writes in another language"


async def test_no_to_the_english_only_offer_goes_back_to_the_form(backend):
    answer = _answer_to_the_offer(new_identity(), "no", [{"event": "action", "name": "action_fallback"}, ONLY_ENGLISH],
                                  {"pending_confirmation": "human_handoff", "paused_form": "return_form"})
    answer.latest_message["intent"] = {"name": "deny", "confidence": 0.9}
    said = CollectingDispatcher()
    events = await ActionAnswerConfirmation().run(said, answer, {})
    assert events[-1] == FollowupAction("return_form")


async def test_yes_to_an_offer_a_forms_question_followed_still_hands_over(backend):
    """An offer of a person made while a form was active, its question asked again under it: the
    "yes" is to the offer (it can't answer "which order is it?"), not a reason to ask it again."""
    identity = new_identity()
    answer = _answer_to_the_offer(identity, "yes", [{"event": "action", "name": "action_fallback"}, ONLY_ENGLISH,
                                                    {"event": "action", "name": "return_form"}, WHICH_ORDER],
                                  {"pending_confirmation": "human_handoff", "requested_slot": "target_order"})
    answer.active_loop = {"name": "return_form"}
    handed = CollectingDispatcher()
    events = await ActionAnswerConfirmation().run(handed, answer, {})
    assert [m["response"] for m in handed.messages] == ["utter_handoff_ticket"]
    assert ActiveLoop(None) in events
