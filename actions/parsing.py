"""Pure helpers for reading user text and formatting values for replies."""
from __future__ import annotations

import re
from typing import List, Optional

_CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}

# Words that never name a product; what is left of a message is worth a catalogue search.
_STOP_WORDS = frozenset(
    """a an and any are as at be buy can cost costs do does for from get have how i in is it me
    much my of on or please price prices pls show sell stock tell that the there this to u want
    what whats which with you your available have got do details info about need looking some
    many much is are in-stock instock left still any more""".split()
)


# Order numbers as the backend issues them ("OB-KR3FC2V4") or as plain digits ("1042").
_ORDER_NUMBER = re.compile(r"(?i)\b(OB-?[0-9A-Z]{8}|\d{4,8})\b")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"\+?\d[\d\s().-]{6,18}\d")


def order_number(text: Optional[str]) -> Optional[str]:
    """The order number in an entity value or message ("order #1042" → "1042")."""
    match = _ORDER_NUMBER.search(text or "")
    if not match:
        return None
    number = match.group(1).upper()
    return number if number.isdigit() or number.startswith("OB-") else "OB-" + number[2:]


def contact_detail(text: Optional[str]) -> Optional[str]:
    """An email address, or a phone number with its separators removed."""
    text = text or ""
    email = _EMAIL.search(text)
    if email:
        return email.group(0).lower()
    phone = _PHONE.search(text)
    if phone:
        digits = re.sub(r"[^\d+]", "", phone.group(0))
        return digits if len(digits.lstrip("+")) >= 7 else None
    return None


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
