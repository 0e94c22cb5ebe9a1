"""Is a message written in a language other than English? The bot only speaks English; a customer
writing in Spanish or Russian should hear that (and be offered a person), not "I didn't get that".

Offline and deliberately simple: letters of another script (Cyrillic, Arabic, CJK, Devanagari...)
make most of the message, or most of its words are common words of a European language that are
not English words. Hinglish ("mera order kab aayega") is code-mixed English the bot reads, so Hindi
written in Latin letters is not foreign here.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.support import offer_a_person

# Function words and shop words of the languages customers most often try; none is an English word
# or Hinglish word (so "is", "die", "dove", "pour", "com", "wo", "mein", "das" are left out).
_FOREIGN_WORDS = frozenset("""
hola quiero dónde donde está esta mi mis pedido pedidos gracias favor cuándo cuando llega necesito
comprar tienen puedo los las una qué cómo porque también envío devolución todavía ayuda
bonjour je veux où est ma mon mes commande merci s'il vous plaît quand avez avec une les des
pas c'est livraison colis remboursement toujours
hallo ich möchte ist meine bestellung danke bitte wann haben sie und nicht eine der mit
für lieferung paket hilfe noch wurde
olá ola obrigado obrigada onde meu minha encomenda você voce não nao entrega ajuda
ciao vorrei dov'è il mio ordine grazie sono della consegna aiuto ancora
ik wil waar mijn bestelling bedankt alstublieft wanneer een het niet
devolver cancelar comprar taza tazas dos tres tetera hervidor cuánto cuesta
voudrais retourner annuler acheter commander deux trois tasse tasses théière bouilloire combien
kaufen bestellen zurückgeben stornieren zwei drei tasse tassen teekanne wasserkocher lager auf kostet
comprare restituire annullare tazza tazze teiera quanto costa
guten wie lange dauert versand nach liefern liefert lieferzeit können gibt auch schon jetzt heute warum wieso
bestellt rechnung zahlung kosten wir uns
vous livrez livrer savoir si pouvez peux suis combien pourquoi aujourd'hui demain déjà votre vos nous notre
envoyer paiement facture prix
vocês entregam quanto posso gostaria hoje amanhã já
avete perché oggi domani spedizione spedite buongiorno
envían pueden tarda hoy mañana tengo tiene buenos días buenas
""".split())
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def is_foreign(text: str) -> bool:
    """True when the message is written in a language other than English."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    if sum(not _is_latin(c) for c in letters) >= len(letters) / 2:
        return True
    words = [w.lower() for w in _WORD.findall(text)]
    foreign = sum(w in _FOREIGN_WORDS for w in words)
    return foreign >= 2 and foreign >= len(words) / 2


def _is_latin(letter: str) -> bool:
    return letter.isascii() or unicodedata.name(letter, "").startswith("LATIN")


def only_english(dispatcher: CollectingDispatcher, tracker: Optional[Tracker] = None) -> List[Dict[Text, Any]]:
    """Says the bot only speaks English, and offers a person (a "yes" hands the chat over); a form
    it interrupts waits (actions/support.py offer_a_person)."""
    return offer_a_person(dispatcher, tracker, "utter_only_english")
