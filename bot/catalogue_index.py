"""The catalogue index: catalogue words, their typo neighbours, and mentions of products and
categories found in a spaCy Doc."""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, NamedTuple, Optional, Set, Tuple

import spacy
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc

from rasa.nlu.constants import ENTITY_ATTRIBUTE_CONFIDENCE_TYPE
from rasa.shared.nlu.constants import (
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
)

from bot.catalogue_words import NUMBER_WORDS, QUANTITY_BRIDGE_WORDS, deletes, fold, osa_distance, singular

logger = logging.getLogger(__name__)

FUNCTION_WORDS = {"a", "an", "the", "of", "with", "and", "for", "to", "in", "on", "by", "set",
                  "pack", "pair", "piece", "x", "ml", "cl", "l", "g", "kg", "cm", "mm", "w", "oz"}
# Ordinary words a typo fix must leave alone even though one edit turns them into catalogue words.
NEVER_CORRECT = {"order", "orders", "where", "there", "three", "these", "those", "price", "prices",
                 "refund", "return", "track", "still", "stock", "store", "great", "thanks",
                 "please", "hello", "today", "money", "month", "tried", "items", "back"}
PHRASE_CUTS = {"with", "of", "for", "in", "and"}
COLOUR_KEYS = ("colour", "color", "finish")
# What a count may be of before the product's words: "2 bags of colombia", "a pack of the ethiopia".
CONTAINERS = {"bag", "bags", "pack", "packs", "box", "boxes", "set", "sets"}


class Unit(NamedTuple):
    """One catalogue word found in a message: tokens [tok_start, tok_end), its canonical form."""
    tok_start: int
    tok_end: int
    canon: str
    distance: int
    stop: bool


class Mention(NamedTuple):
    """A product or category mention; a category mention keeps its product reading in `product`."""
    kind: str
    tok_start: int
    tok_end: int
    value: str
    skus: Tuple[str, ...]
    confidence: float
    product: Optional["Mention"] = None

    def entity(self, doc: Doc, quantity: Optional[int]) -> Dict[str, Any]:
        span = doc[self.tok_start:self.tok_end]
        entity = {ENTITY_ATTRIBUTE_TYPE: self.kind, ENTITY_ATTRIBUTE_START: span.start_char,
                  ENTITY_ATTRIBUTE_END: span.end_char, ENTITY_ATTRIBUTE_VALUE: self.value,
                  ENTITY_ATTRIBUTE_CONFIDENCE_TYPE: self.confidence}
        if self.kind == "product":
            entity.update(skus=list(self.skus), quantity=quantity)
        return entity


class CatalogueIndex:
    """Immutable lookup tables over one catalogue; rebuilt (never mutated) when it changes."""

    def __init__(self, products: List[Dict[str, Any]]) -> None:
        nlp = spacy.blank("en")  # its own tokenizer: builds run on the refresh thread
        self.products = products
        self.vocab: Set[str] = set()
        self.heads: Dict[str, List[int]] = {}
        self.bigrams: Set[Tuple[str, str]] = set()
        self.modifiers: Set[str] = set()  # words that describe a product in some phrase
        self.carriers: Dict[str, List[int]] = {}  # word -> products whose bag holds it
        self.bags: List[Set[str]] = []  # every word of name, synonyms, attribute values
        self.name_bags: List[Set[str]] = []  # name and synonym words only
        self.categories: Dict[Tuple[str, ...], Tuple[str, bool]] = {}
        self.in_category: Dict[Tuple[str, ...], List[int]] = {}  # category words -> its products
        for number, product in enumerate(products):
            attributes = product["attributes"]
            attribute_words = {w for value in attributes.values() if isinstance(value, str)
                               for w in self._words(nlp, value)}
            colours = {w for key in COLOUR_KEYS if isinstance(attributes.get(key), str)
                       for w in self._words(nlp, attributes[key])}
            name_bag: Set[str] = set()
            for phrase in [product["name"], *product["synonyms"]]:
                words = self._words(nlp, phrase)
                name_bag.update(words)
                self.bigrams.update(zip(words, words[1:]))
                head = self._head(nlp, phrase, colours)
                self.modifiers.update(w for w in words if w != head)
                if head and number not in self.heads.setdefault(head, []):
                    self.heads[head].append(number)
            self.name_bags.append(name_bag)
            self.bags.append(name_bag | attribute_words)
            self.vocab |= self.bags[-1]
            for word in self.bags[-1]:
                self.carriers.setdefault(word, []).append(number)
            category = product["category"]
            if category:
                words = tuple(self._words(nlp, category))
                mass = fold(category.split()[-1]) == singular(fold(category.split()[-1]))
                self.categories[words] = (category, mass)
                self.in_category.setdefault(words, []).append(number)
                self.vocab.update(words)
        self._deletes: Dict[str, Set[str]] = {}
        for word in self.vocab:
            if len(word) >= 3:
                for variant in deletes(word, 2 if len(word) >= 7 else 1) | {word}:
                    self._deletes.setdefault(variant, set()).add(word)
        self._cache: Dict[str, Optional[Tuple[str, int]]] = {}

    @staticmethod
    def _words(nlp, phrase: str) -> List[str]:
        words = [singular(fold(t.text)) for t in nlp.make_doc(phrase)
                 if not t.is_punct and not t.like_num and any(c.isalpha() for c in t.text)]
        return [w for w in words if len(w) > 1 and w not in FUNCTION_WORDS]

    @staticmethod
    def _head(nlp, phrase: str, colours: Set[str]) -> Optional[str]:
        """The noun a phrase is about: its last plain word before a number or "with"/"of"."""
        kept = []
        for token in nlp.make_doc(phrase):
            if token.like_num or token.lower_ in PHRASE_CUTS:
                break
            word = singular(fold(token.text))
            if any(c.isalpha() for c in word) and word not in FUNCTION_WORDS \
                    and not token.is_stop and len(word) > 1:
                kept.append(word)
        plain = [w for w in kept if w not in colours]  # "Ceramic Mug Blue" is about a mug
        return (plain or kept or [None])[-1]

    def resolve(self, text: str) -> Optional[Tuple[str, int]]:
        """The catalogue word a message word stands for, with the edits it took, or None."""
        if text in self._cache:
            return self._cache[text]
        word = fold(text)
        base = singular(word)
        found = (base, 0) if base in self.vocab else (word, 0) if word in self.vocab else None
        if found is None and len(word) >= 5 and word.isalpha() and word not in NEVER_CORRECT \
                and word not in STOP_WORDS:
            found = self._closest(base, 2 if len(word) >= 9 else 1)
        if len(self._cache) > 20000:
            self._cache.clear()
        self._cache[text] = found
        return found

    def _names_a_product(self, text: str) -> bool:
        found = self.resolve(text)
        return found is not None and found[0] in self.heads

    def _short_modifier(self, text: str) -> Optional[Tuple[str, int]]:
        """A describing word of 3-4 letters typed with one letter missing or two swapped ("blu",
        "bleu", "gren"), trusted only right before a product's name: short words are too often
        other words for the general typo fix, and a changed letter ("mig") is left alone."""
        word = fold(text)
        if not (3 <= len(word) <= 4 and word.isalpha()) or word in STOP_WORDS or word in NEVER_CORRECT:
            return None
        fits = sorted(candidate for candidate in self.modifiers
                      if candidate[0] == word[0] and osa_distance(word, candidate) == 1
                      and (len(candidate) == len(word) + 1
                           or (len(candidate) == len(word) and sorted(candidate) == sorted(word))))
        return (fits[0], 1) if len(fits) == 1 else None

    def _closest(self, word: str, limit: int) -> Optional[Tuple[str, int]]:
        best: Optional[Tuple[int, str]] = None
        for variant in deletes(word, limit) | {word}:
            for candidate in self._deletes.get(variant, ()):
                if candidate[0] != word[0] or abs(len(candidate) - len(word)) > limit:
                    continue  # typos rarely hit the first letter ("class" is not "glass")
                distance = osa_distance(word, candidate)
                if distance == 1 and len(word) < 7 and len(candidate) == len(word) \
                        and sorted(word) != sorted(candidate):
                    continue  # one swapped letter in a short word is usually another word
                if distance <= limit and (best is None or (distance, candidate) < best):
                    best = (distance, candidate)
        return (best[1], best[0]) if best else None

    def find_mentions(self, doc: Doc) -> List[Mention]:
        mentions: List[Mention] = []
        for run in self._runs(self._units(doc)):
            mention = self._classify(doc, run)
            if mention is None:
                continue
            if mentions and self._part_of_its_name(doc, mentions[-1], mention):
                # "glass teapot with infuser": the teapot's own name, not a tea infuser too
                mentions[-1] = mentions[-1]._replace(tok_end=mention.tok_end)
                continue
            mentions.append(mention)
        return mentions

    def _part_of_its_name(self, doc: Doc, named: Mention, after: Mention) -> bool:
        """`after` follows `named` with "with" between and continues `named`'s one product's name."""
        if named.kind != "product" or len(named.skus) != 1 or after.tok_start != named.tok_end + 1 \
                or fold(doc[named.tok_end].text) != "with":
            return False
        name = next(p["name"] for p in self.products if p["sku"] == named.skus[0])
        said = " ".join(fold(token.text) for token in doc[named.tok_end:after.tok_end])
        return said in fold(name)

    def _units(self, doc: Doc) -> List[Optional[Unit]]:
        """Catalogue words in order; None breaks a run, a hyphen (kept as "-") does not."""
        units: List[Optional[Unit]] = []
        i = 0
        while i < len(doc):
            token = doc[i]
            if token.text == "-":
                units.append(Unit(i, i + 1, "-", 0, True))
                i += 1
                continue
            nxt = i + 2 if i + 2 < len(doc) and doc[i + 1].text == "-" else i + 1
            if nxt < len(doc) and token.is_alpha and doc[nxt].is_alpha:
                joined = singular(fold(token.text + doc[nxt].text))  # "tea pot" -> "teapot"
                if joined in self.vocab:
                    units.append(Unit(i, nxt + 1, joined, 0, False))
                    i = nxt + 1
                    continue
            found = self.resolve(token.text) if token.is_alpha or token.text.isalnum() else None
            if found is None and i + 1 < len(doc) and self._names_a_product(doc[i + 1].text):
                found = self._short_modifier(token.text)  # "blu mugs", "bleu mug"
            units.append(Unit(i, i + 1, found[0], found[1], token.is_stop) if found else None)
            i += 1
        return units

    def _runs(self, units: List[Optional[Unit]]) -> List[List[Unit]]:
        runs: List[List[Unit]] = [[]]
        for unit in units:
            run = runs[-1]
            if unit is None or (unit.canon == "-" and not run):
                runs.append([])
            elif unit.canon == "-":
                continue
            elif not run and unit.stop:
                continue
            elif run and self._separate(run[-1], unit):
                runs.append([unit])  # "teapot mug" is two things; "coffee bean" is one
            else:
                run.append(unit)
        trimmed = []
        for run in runs:
            while run and run[-1].stop:
                run = run[:-1]
            if run:
                trimmed.append(run)
        return trimmed

    def _separate(self, left: Unit, right: Unit) -> bool:
        """Whether two adjacent catalogue words name two things rather than one."""
        if left.stop or left.canon not in self.heads or left.canon in self.modifiers:
            return False
        return (left.canon, right.canon) not in self.bigrams and not set(
            self.carriers.get(left.canon, ())).intersection(self.carriers.get(right.canon, ()))

    @staticmethod
    def _packed(doc: Doc, start: int, end: int) -> Optional[str]:
        """ "set" or "pack" said with the words ("tumbler set", "a set of tumblers"): a product sold
        as one is meant, not another carrying the same word (the travel mug is also a "tumbler")."""
        after = fold(doc[end].text) if end < len(doc) else ""
        before = fold(doc[start - 2].text) if start >= 2 and fold(doc[start - 1].text) == "of" else ""
        return next((singular(word) for word in (after, before) if singular(word) in ("set", "pack")), None)

    def _name_words(self, number: int) -> Set[str]:
        return {singular(fold(word)) for word in re.findall(r"[A-Za-z]+", self.products[number]["name"])}

    def _classify(self, doc: Doc, run: List[Unit]) -> Optional[Mention]:
        start, end = run[0].tok_start, run[-1].tok_end
        content = [u.canon for u in run if not u.stop]
        confidence = round(max(0.5, 1.0 - 0.1 * sum(u.distance for u in run)), 2)
        heads = [u.canon for u in run if u.canon in self.heads and not u.stop]
        if heads:  # products named by the head word, or at least carrying it, best overlap wins
            strong = set(self.heads[heads[-1]])
            packed = self._packed(doc, start, end)
            scores = {p: 2 * len(self.bags[p].intersection(content)) + (p in strong)
                      + 2 * bool(packed and packed in self._name_words(p)) for p in self.carriers[heads[-1]]}
            chosen = [p for p, score in scores.items() if score == max(scores.values())]
        elif len(content) >= 2:
            chosen = [p for p, bag in enumerate(self.name_bags) if bag.issuperset(content)]
        elif content and _counted(doc, start):
            # "7 ethiopia", "2 bags of colombia": a counted word of one product's name only (alone it
            # may be anything)
            chosen = [p for p, bag in enumerate(self.name_bags) if content[0] in bag]
            chosen = chosen if len(chosen) == 1 and len(content[0]) >= 4 else []
        else:
            chosen = []
        if len(chosen) == 1 and tuple(content) in self.in_category:
            # "1 tea": any of the teas, asked which; not the one whose name happens to hold the
            # category's word (English Breakfast Tea)
            chosen = sorted(set(chosen) | set(self.in_category[tuple(content)]))
        product = None
        if chosen:
            chosen.sort()
            if len(chosen) == 1:
                value = self.products[chosen[0]]["name"]
            else:
                known = set().union(*(self.bags[p] for p in chosen))
                value = " ".join(dict.fromkeys(w for w in content if w in known))
            product = Mention("product", start, end, value,
                              tuple(self.products[p]["sku"] for p in chosen), confidence)
        category = self.categories.get(tuple(content))
        if category is not None:
            name, mass = category
            last = fold(doc[end - 1].text)
            if mass or singular(last) != last:
                return Mention("category", start, end, name, (), confidence, product)
        return product


def _counted(doc: Doc, start: int) -> bool:
    """A count said right before token `start`: "7 ethiopia", "2 bags of colombia", "3 of the
    ethiopia", "a bag of colombia" (an article counts only with a bag or pack between)."""
    at, packed = start, False
    while at > 0 and fold(doc[at - 1].text) in QUANTITY_BRIDGE_WORDS:
        at -= 1
        packed = packed or fold(doc[at].text) in CONTAINERS
    if at == 0:
        return False
    word = fold(doc[at - 1].text)
    return doc[at - 1].like_num or word in NUMBER_WORDS or (packed and word in ("a", "an"))
