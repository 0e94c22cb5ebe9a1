"""Words for the catalogue matcher: quantities ("two", "a dozen", "x3") and word normalisation
(case and accent folding, singular forms, edit distance for typos)."""
from __future__ import annotations

import unicodedata
from typing import List, Set

from spacy.matcher import Matcher

NUMBER_WORDS = {w: n for n, w in enumerate(
    "one two three four five six seven eight nine ten eleven twelve".split(), start=1)}
NUMBER_WORDS.update(thirteen=13, fourteen=14, fifteen=15, twenty=20)
# Words that may follow a quantity nobody attached to a product ("3 please", "4 of them").
QUANTITY_TAIL_WORDS = {"please", "pls", "plz", "of", "pieces", "pcs", "units", "items", "more",
                       "them", "thanks", "thx", "each", "only", "total", "instead", "then"}
# Words that may come before it: "just 2", "make it 3", "i want 4", "quantity: 5".
QUANTITY_LEAD_WORDS = {"just", "only", "it", "take", "need", "want", "get", "buy", "order", "to",
                       "make", "like", "have", "maybe", "say", "qty", "quantity", ":", "="}
SENTENCE_END = {".", "!", "?", ",", ";", ")"}
UNITS = {"g", "gr", "gram", "grams", "kg", "kilo", "kilos", "ml", "l", "litre", "litres", "liter",
         "liters", "oz", "cm", "mm", "w", "%", "percent", "pc", "piece", "pieces"}
SIZE_WORDS = {"set", "sets", "pack", "packs", "box", "boxes", "case", "pair"}
# Between a quantity and its product: "2 of the blue mugs", "3 bags of beans", "a set of glasses".
QUANTITY_BRIDGE_WORDS = {"of", "the", "those", "these", "more", "bag", "bags", "pack", "packs",
                         "box", "boxes", "set", "sets", "-"}


def quantity_matcher(vocab) -> Matcher:
    """Token patterns for quantities; each match's value comes from `quantity_value`."""
    hyphen = {"ORTH": "-", "OP": "?"}
    article = {"LOWER": {"IN": ["a", "an"]}}
    number = {"TEXT": {"REGEX": r"^\d{1,3}$"}}
    matcher = Matcher(vocab)
    matcher.add("QTY", [
        [number], [{"LOWER": {"IN": list(NUMBER_WORDS)}}],
        [{"LOWER": {"REGEX": r"^\d{1,3}x$"}}], [number, {"LOWER": {"IN": ["x", "*"]}}],
        [{"LOWER": "half"}, hyphen, dict(article, OP="?"), hyphen, {"LOWER": "dozen"}],
        [dict(article, OP="?"), hyphen, {"LOWER": {"IN": ["couple", "pair", "dozen"]}}],
        [number, {"LOWER": {"IN": ["dozen", "pairs"]}}],
    ])
    matcher.add("QTY_AFTER", [[{"LOWER": {"REGEX": r"^x\d{1,3}$"}}],
                              [{"LOWER": {"IN": ["x", "*"]}}, number]])
    matcher.add("ARTICLE", [[article]])
    return matcher


def quantity_value(words: List[str]) -> int:
    """The number a quantity match means: ["half", "a", "dozen"] -> 6, ["3x"] -> 3."""
    words = [w for w in words if w not in ("-", "a", "an", "x", "*")] or ["1"]
    first = words[0].strip("x")
    n = int(first) if first.isdigit() else NUMBER_WORDS.get(first, 1)
    if words[-1] == "dozen":
        return 6 if first == "half" else 12 * (n if first.isdigit() else 1)
    if words[-1] in ("couple", "pair"):
        return 2
    if words[-1] == "pairs":
        return 2 * n
    return n


# Catalogue words that never identify a product on their own.


def fold(word: str) -> str:
    """Lower case without accents: "Cafetières" -> "cafetieres"."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def singular(word: str) -> str:
    """A crude, deterministic English singular; applied to catalogue and message words alike."""
    if len(word) <= 3 or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    return word[:-1] if word.endswith("s") else word


def osa_distance(a: str, b: str) -> int:
    """Edit distance counting an adjacent swap as one edit ("kettel" -> "kettle" is 1)."""
    prev2: List[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def deletes(word: str, depth: int) -> Set[str]:
    found, frontier = set(), {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1:] for w in frontier for i in range(len(w))}
        found |= frontier
    return found
