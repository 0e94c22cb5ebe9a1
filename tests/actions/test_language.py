"""Which messages are in a language the bot doesn't speak (actions/language.py)."""
from __future__ import annotations

import pytest

from actions.language import is_foreign


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
