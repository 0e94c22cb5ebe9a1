"""Which messages are in a language the bot doesn't speak (actions/language.py)."""
from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.catalogue import ActionShowProducts
from actions.language import is_foreign
from actions.ordering import ValidateOrderForm
from tests.actions.conftest import load_tracker
from tests.actions.test_change_order import DOMAIN
from tests.actions.test_ordering import form_tracker
from tests.actions.test_orders import new_identity


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
