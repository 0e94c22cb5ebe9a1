"""Tiny text normalisation so "Mugs", "mug" and "MUG" all meet in the search column."""
from __future__ import annotations

import re

_WORD = re.compile(r"[a-z0-9]+")


def singular(word: str) -> str:
    # Deliberately simple English rules; enough for "mugs", "glasses", "teapots", "berries".
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us")):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    return [singular(w) for w in _WORD.findall(text.lower())]


def search_text(name: str, category: str, synonyms: list[str], attributes: dict) -> str:
    parts = [name, category, *synonyms, *(str(v) for v in attributes.values())]
    # Spaces around every word let a query match whole-word prefixes with LIKE '% word%'.
    return " " + " ".join(dict.fromkeys(w for p in parts for w in words(p))) + " "
