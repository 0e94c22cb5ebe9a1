"""Pure helpers that read order numbers, contacts and search words from user text."""
from __future__ import annotations

import pytest

from actions.parsing import contact_detail, format_price, order_number, search_terms


@pytest.mark.parametrize("text, expected", [
    ("my order 1042 is late", "1042"),
    ("Order #104233", "104233"),
    ("ob-kr3fc2v4", "OB-KR3FC2V4"),
    ("where is OBKR3FC2V4", "OB-KR3FC2V4"),
    ("order status", None),
    ("call me at 12", None),
    (None, None),
])
def test_order_number(text, expected):
    assert order_number(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("it's Ada@Example.com thanks", "ada@example.com"),
    ("+353 85 123 4567", "+353851234567"),
    ("085-123-4567", "0851234567"),
    ("no idea", None),
    ("1234", None),
])
def test_contact_detail(text, expected):
    assert contact_detail(text) == expected


def test_format_price_known_and_unknown_currency():
    assert format_price(123456, "EUR") == "€1,234.56"
    assert format_price(990, "CHF") == "9.90 CHF"


def test_search_terms_drop_filler_words():
    assert search_terms("do you have any blue mugs in stock?") == ["blue", "mugs"]
