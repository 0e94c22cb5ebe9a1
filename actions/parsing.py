"""Pure helpers for reading user text and formatting values for replies."""
from __future__ import annotations

import re
from typing import List

_CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}

# Words that never name a product; what is left of a message is worth a catalogue search.
_STOP_WORDS = frozenset(
    """a an and any are as at be buy can cost costs do does for from get have how i in is it me
    much my of on or please price prices pls show sell stock tell that the there this to u want
    what whats which with you your available have got do details info about need looking some
    many much is are in-stock instock left still any more""".split()
)


def format_price(price_minor: int, currency: str) -> str:
    symbol = _CURRENCY_SYMBOLS.get(currency.upper())
    amount = f"{price_minor / 100:,.2f}"
    return f"{symbol}{amount}" if symbol else f"{amount} {currency.upper()}"


def search_terms(text: str, limit: int = 3) -> List[str]:
    """The content words of a message, longest first: candidates for a catalogue search."""
    words = re.findall(r"[a-z][a-z\-]+", text.lower())
    content = [word for word in words if word not in _STOP_WORDS and len(word) > 2]
    unique = list(dict.fromkeys(content))
    return sorted(unique, key=len, reverse=True)[:limit]
