"""Questions about one product that its card alone doesn't answer: whether it has a property ("is
the glass teapot dishwasher safe?", "does the stovetop kettle work on induction?", "is the french
press glass?") and when it is back in stock. Answered from the catalogue's attributes and the
product's restock time; a property the catalogue doesn't record is said to be unknown, with the
offer of a person who can check, never guessed.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

from actions.backend_client import Product

Answer = Tuple[str, Dict[str, Any]]  # (response, its values)

BACK_IN_STOCK = re.compile(
    r"(?i)\b(?:back in stock|in stock again|available again|restock\w*|re-stock\w*|back (?:again|soon)|"
    r"come back|coming back|when (?:will|do|can) (?:you|u|i)\b.{0,30}\b(?:more|again|restock|buy it|get it)|"
    r"when (?:are|is|will)\b.{0,40}\bback)\b")
# "how much are 3 bags of the ethiopia beans", "price of the travel mug?": a price asked.
PRICE_ASKED = re.compile(r"(?i)\b(?:how much|pric(?:e|es|ed)|costs?)\b")
# "i'll take 2 and a french press", "order them", "add one": an order said with the question.
ORDERS_TOO = re.compile(r"(?i)\b(?:i'?ll take|i will take|i'?ll have|i'?ll get|i want|i'?d like|i would like|order|"
                        r"buy|purchase|add|get me|give me|send me)\b")
# Where a question ends and the next words begin: "how much is the travel mug? i'll take 2".
_QUESTION_ENDS = re.compile(r"[?.!;]+|\s(?:then|so|ok(?:ay)?)\b|,?\s+and\s+(?=(?:can|could|may)\s+i\b)")


def asks_only_the_price(text: str) -> bool:
    """ "how much are 3 bags of the ethiopia beans": a price asked, nothing ordered (the count is
    what the price is for: QA16 had started an order and never said the price)."""
    return PRICE_ASKED.search(text or "") is not None and ORDERS_TOO.search(text or "") is None


def orders_after_the_price(text: str) -> Optional[int]:
    """Where the order begins in a message that asks a price, then orders ("how much is the
    travel mug? i'll take 2 and a french press": at "i'll"); None for a price question alone, an
    order alone, or an order before the question ("add a mug, how much is it?": the order form's)."""
    for end in _QUESTION_ENDS.finditer(text or ""):
        question, rest = text[:end.start()], text[end.end():]
        if PRICE_ASKED.search(question) and not ORDERS_TOO.search(question):
            return end.end() if ORDERS_TOO.search(rest) and not PRICE_ASKED.search(rest) else None
    return None


def asks_when_back(text: str) -> bool:
    """ "when will it be back", "when will the decaf be back in stock?": a restock question, not an
    item to order (QA16: the order form took "decaf" for an item and said it was out of stock)."""
    return BACK_IN_STOCK.search(text or "") is not None and ORDERS_TOO.search(text or "") is None


# "is it…", also after a word or two of lead-in ("wait, is it dishwasher safe?", "oh and does it…").
YES_NO_QUESTION = re.compile(r"(?i)^\W*(?:(?:and|so|but|also|hi|hey|ok|okay|oh|wait|um+|hmm+|btw|sorry|actually|"
                             r"quick question|one more thing)\W+){0,3}(?:is|are|does|do|can|will|would|could)\b")
# How people ask about a property, and the words the catalogue's attributes use for it.
_PROPERTIES = {
    "dishwasher": ("dishwasher",), "microwave": ("microwave",), "oven": ("oven",), "freezer": ("freezer",),
    "induction": ("induction",), "gas": ("gas",), "bpa": ("bpa",), "lead": ("lead-free", "lead free"),
    "vegan": ("vegan",), "organic": ("organic",), "gluten": ("gluten",), "fairtrade": ("fair trade", "fairtrade"),
    "handmade": ("handmade",), "leak": ("leak",), "insulated": ("insulated",), "decaf": ("decaf",),
    "caffeine": ("caffeine", "decaf"), "temperature": ("temperature",), "timer": ("timer",),
    "infuser": ("infuser",), "lid": ("lid",), "strainer": ("strainer",),
}
_MATERIALS = ("glass", "steel", "stainless", "ceramic", "stoneware", "porcelain", "enamel", "cast iron", "iron",
              "aluminium", "aluminum", "plastic", "wood", "wooden", "bamboo", "copper", "silicone")


def answer_about(product: Product, text: str) -> Optional[Answer]:
    """The answer to a question about `product`'s properties or restock, or None when the message
    asks neither (the product card answers it)."""
    if BACK_IN_STOCK.search(text):
        return _restock(product)
    if not YES_NO_QUESTION.search(text):
        return None
    lowered = text.lower()
    material = next((m for m in _MATERIALS if re.search(rf"\b{m}\b", lowered)), None)
    if material and "material" in product.attributes and material not in product.name.lower():
        return _material(product, material)
    asked = next((key for key in _PROPERTIES if re.search(rf"\b{key}", lowered)), None)
    if asked is None:
        return None
    known = _detail_naming(product, _PROPERTIES[asked]) or _named_for(product, _PROPERTIES[asked])
    if known:
        return "utter_product_has", {"name": product.name, "detail": known}
    return "utter_product_detail_unknown", {"name": product.name, "details": details_of(product) or "its price"}


def details_of(product: Product) -> str:
    """"size 1 L, material borosilicate glass"."""
    return ", ".join(_details(product))


def _details(product: Product) -> List[str]:
    """Each attribute as said: "size 1 L", "timer" (a true flag by its name)."""
    return [name.replace("_", " ") + ("" if value is True else f" {value}")
            for name, value in product.attributes.items() if value not in (None, "", False)]


def _detail_naming(product: Product, words: Tuple[str, ...]) -> Optional[str]:
    return next((said for said in _details(product) if any(word in said.lower() for word in words)), None)


def _named_for(product: Product, words: Tuple[str, ...]) -> Optional[str]:
    """ "an infuser" for the "Glass Teapot with Infuser": a part its name says it has."""
    said = next((word for word in words if re.search(rf"\b{word}", product.name.lower())), None)
    return None if said is None else ("an " if said[0] in "aeiou" else "a ") + said


def _material(product: Product, material: str) -> Answer:
    made_of = str(product.attributes["material"])
    response = "utter_product_has" if material in made_of.lower() else "utter_product_has_not"
    return response, {"name": product.name, "detail": f"material {made_of}"}


def _restock(product: Product) -> Answer:
    if product.available > 0:
        return "utter_product_in_stock_now", {"name": product.name, "available": product.available}
    if product.restock_days:
        return "utter_product_back_in_days", {"name": product.name, "days": product.restock_days}
    return "utter_product_back_unknown", {"name": product.name}
