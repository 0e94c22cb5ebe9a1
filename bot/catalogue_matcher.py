"""CatalogueMatcher: a spaCy-based Rasa NLU entity extractor for products, categories, quantities.

The catalogue comes from the backend's public `GET /api/v1/products` (paged). A daemon thread
refreshes it every `refresh_seconds` and writes a snapshot (`catalogue_file`) when a fetch brings
something new; `process()` only reads the last built index and never touches the network. With the
backend down the snapshot is used; with neither, nothing is extracted (one warning is logged).

Matching works on spaCy tokens (`spacy.blank("en")`: tokenizer, stop words, `Matcher` patterns for
quantities). Every word is folded (case, accents), made singular and, when unknown, typo-corrected
against the catalogue's own words. Runs of catalogue words become one mention each; the run's last
"head" noun ("mug", "teapot", a one-word synonym like "cafetiere") picks the candidate products and
the other words ("blue", "cast iron") narrow them down.

Entities (besides start, end, value, entity, extractor, confidence_entity):
  product   value = the product name when one SKU matches, else the matched words normalised
            (lower case, singular, typos fixed, e.g. "teapot", "coffee bean");
            "skus": candidate SKUs in catalogue order; "quantity": int or None.
  category  value = the catalogue's category name ("Mugs"), for a plural or mass-noun category
            word with no quantity ("mugs", "tea"); "a mug" or "2 mugs" is a product instead.
  quantity  value = a numeric string ("2"); "implicit": True when it only came from "a"/"an".
Export a snapshot once (e.g. at setup or before `rasa train`): python -m bot.catalogue_matcher
"""
from __future__ import annotations

import json
import logging
import os
import threading
import unicodedata
import urllib.request
import weakref
from pathlib import Path
from typing import Any, Dict, List, NamedTuple, Optional, Set, Text, Tuple, Type

import spacy
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.matcher import Matcher
from spacy.tokens import Doc

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import ENTITY_ATTRIBUTE_CONFIDENCE_TYPE
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)


logger = logging.getLogger(__name__)

DEFAULT_BACKEND_URL = "http://127.0.0.1:8000"
PRODUCTS_PATH = "/api/v1/products"
MAX_PAGES = 200  # 20,000 products: a guard against a backend that never stops paging
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
FUNCTION_WORDS = {"a", "an", "the", "of", "with", "and", "for", "to", "in", "on", "by", "set",
                  "pack", "pair", "piece", "x", "ml", "cl", "l", "g", "kg", "cm", "mm", "w", "oz"}
# Ordinary words a typo fix must leave alone even though one edit turns them into catalogue words.
NEVER_CORRECT = {"order", "orders", "where", "there", "three", "these", "those", "price", "prices",
                 "refund", "return", "track", "still", "stock", "store", "great", "thanks",
                 "please", "hello", "today", "money", "month", "tried", "items"}
PHRASE_CUTS = {"with", "of", "for", "in", "and"}
COLOUR_KEYS = ("colour", "color", "finish")


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
        mentions = []
        for run in self._runs(self._units(doc)):
            mention = self._classify(doc, run)
            if mention is not None:
                mentions.append(mention)
        return mentions

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

    def _classify(self, doc: Doc, run: List[Unit]) -> Optional[Mention]:
        start, end = run[0].tok_start, run[-1].tok_end
        content = [u.canon for u in run if not u.stop]
        confidence = round(max(0.5, 1.0 - 0.1 * sum(u.distance for u in run)), 2)
        heads = [u.canon for u in run if u.canon in self.heads and not u.stop]
        if heads:  # products named by the head word, or at least carrying it, best overlap wins
            strong = set(self.heads[heads[-1]])
            scores = {p: 2 * len(self.bags[p].intersection(content)) + (p in strong)
                      for p in self.carriers[heads[-1]]}
            chosen = [p for p, score in scores.items() if score == max(scores.values())]
        elif len(content) >= 2:
            chosen = [p for p, bag in enumerate(self.name_bags) if bag.issuperset(content)]
        else:
            chosen = []
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


class CatalogueSource:
    """Reads the catalogue from the backend (paged) or the snapshot file; writes the snapshot."""

    def __init__(self, backend_url: str, snapshot: Path, timeout: float, page_size: int) -> None:
        self.backend_url = backend_url.rstrip("/")
        self.snapshot = snapshot
        self.timeout = timeout
        self.page_size = max(1, min(100, page_size))  # the backend answers 422 above 100
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # internal

    def fetch(self) -> List[Dict[str, Any]]:
        """All active products; raises OSError or ValueError when the backend can't give them."""
        products: List[Dict[str, Any]] = []
        for _ in range(MAX_PAGES):
            url = f"{self.backend_url}{PRODUCTS_PATH}?limit={self.page_size}&offset={len(products)}"
            request = urllib.request.Request(url, headers={"Accept": "application/json"})
            with self._opener.open(request, timeout=self.timeout) as response:
                page = json.loads(response.read().decode("utf-8"))
            data = page["data"]
            products.extend(data)
            if not data or len(products) >= int(page["count"]):
                break
        return [trim(p) for p in products if p.get("active", True)]

    def read_snapshot(self) -> Optional[List[Dict[str, Any]]]:
        try:
            payload = json.loads(self.snapshot.read_text(encoding="utf-8"))
            data = payload["data"] if isinstance(payload, dict) else payload
            return [trim(p) for p in data if p.get("active", True)]
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            logger.warning("Catalogue snapshot %s is unreadable: %s", self.snapshot, exc)
            return None

    def write_snapshot(self, products: List[Dict[str, Any]]) -> None:
        try:
            self.snapshot.parent.mkdir(parents=True, exist_ok=True)
            partial = self.snapshot.with_name(self.snapshot.name + ".tmp")
            partial.write_text(json.dumps({"source": self.backend_url, "count": len(products),
                                           "data": products}, indent=1, ensure_ascii=False),
                               encoding="utf-8")
            os.replace(partial, self.snapshot)
        except OSError as exc:
            logger.warning("Could not write catalogue snapshot %s: %s", self.snapshot, exc)


def trim(product: Dict[str, Any]) -> Dict[str, Any]:
    """The fields matching needs; stock and prices change too often to belong in a snapshot."""
    return {"sku": str(product["sku"]), "name": str(product["name"]),
            "category": str(product.get("category") or ""),
            "synonyms": [str(s) for s in product.get("synonyms") or []],
            "attributes": dict(product.get("attributes") or {})}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class CatalogueMatcher(GraphComponent, EntityExtractorMixin):
    """Finds catalogue products, categories and their quantities in user messages."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "backend_url": None,  # None: $BACKEND_URL, else http://127.0.0.1:8000
            "refresh_seconds": 300,  # 0 or less: read the snapshot only, never the backend
            "catalogue_file": "var/catalogue.json",  # relative to the working directory
            "timeout_seconds": 5.0,
            "page_size": 100,  # the backend caps `limit` at 100
        }

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Tokenizer]

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> CatalogueMatcher:
        return cls(config)

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = {**self.get_default_config(), **config}
        url = (self._config["backend_url"] or os.environ.get("BACKEND_URL")
               or DEFAULT_BACKEND_URL)
        self._source = CatalogueSource(url, Path(self._config["catalogue_file"]),
                                       float(self._config["timeout_seconds"]),
                                       int(self._config["page_size"]))
        self._nlp = spacy.blank("en")
        self._quantities = quantity_matcher(self._nlp.vocab)
        self._products: Optional[List[Dict[str, Any]]] = self._source.read_snapshot()
        try:
            self._index = CatalogueIndex(self._products or [])
        except Exception:  # a malformed snapshot must not stop the bot from starting
            logger.exception("Catalogue snapshot %s could not be indexed.", self._source.snapshot)
            self._products, self._index = None, CatalogueIndex([])
        self._backend_down = False
        self._stop = threading.Event()
        refresh = float(self._config["refresh_seconds"])
        if refresh > 0:
            threading.Thread(target=_refresh_loop, args=(weakref.ref(self), self._stop, refresh),
                             name="catalogue-refresh", daemon=True).start()
        elif not self._products:
            logger.warning("No catalogue: snapshot %s missing and refresh is off; "
                           "no products will be extracted.", self._source.snapshot)

    @property
    def product_count(self) -> int:
        return len(self._index.products)

    def close(self) -> None:
        """Stops the refresh thread (it is a daemon, so this is only needed by tests)."""
        self._stop.set()

    def refresh(self) -> bool:
        """Fetches the catalogue once; rebuilds the index and the snapshot if it changed."""
        try:
            products = self._source.fetch()
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            if not self._backend_down:
                self._backend_down = True
                if self._products:
                    logger.warning("Catalogue refresh from %s failed (%s); using %d products "
                                   "from %s.", self._source.backend_url, exc,
                                   len(self._products), self._source.snapshot)
                else:
                    logger.warning("No catalogue: %s is unreachable (%s) and there is no "
                                   "snapshot at %s; no products will be extracted.",
                                   self._source.backend_url, exc, self._source.snapshot)
            return False
        if self._backend_down:
            logger.info("Catalogue backend %s is reachable again.", self._source.backend_url)
        self._backend_down = False
        if products != self._products:
            self._index = CatalogueIndex(products)  # one reference swap: process() never waits
            self._products = products
            logger.info("Catalogue refreshed: %d products.", len(products))
        elif self._source.snapshot.exists():
            return True
        self._source.write_snapshot(products)
        return True

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            try:
                found = self.extract(message.get(TEXT) or "", message.get(ENTITIES) or [])
            except Exception:  # an extractor bug must never take the conversation down
                logger.exception("CatalogueMatcher failed on a message; no entities added.")
                continue
            if found:
                message.set(ENTITIES, (message.get(ENTITIES) or []) + found, add_to_output=True)
        return messages

    def extract(self, text: str, existing: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        """The new entities for `text`, minus spans other extractors already claimed."""
        index = self._index
        if not text or not index.products:
            return []
        doc = self._nlp.make_doc(text)
        mentions = index.find_mentions(doc)
        quantities = [q for q in self._find_quantities(doc)  # "order 1042" is not a count
                      if not any(_claimed(q["entity"], other) for other in existing)]
        entities = self._pair(doc, index, mentions, quantities)
        fresh = [e for e in entities if not any(_claimed(e, other) for other in existing)]
        return self.add_extractor_name(sorted(fresh, key=lambda e: e[ENTITY_ATTRIBUTE_START]))

    def _find_quantities(self, doc: Doc) -> List[Dict[str, Any]]:
        spans = []
        for match_id, start, end in self._quantities(doc):
            if start > 0 and doc[start - 1].text in ("#", "£", "$", "€", ".", ","):
                continue  # "#123", "£5", "1.7", "1,000": not a count
            if end < len(doc) and doc[end].lower_ in UNITS or start > 1 and \
                    doc[start - 1].lower_ == "of" and doc[start - 2].lower_ in SIZE_WORDS:
                continue  # "1 kg", "250 g", "a set of 6": sizes, not counts
            spans.append((start, end, self._nlp.vocab.strings[match_id]))
        chosen: List[Dict[str, Any]] = []
        for start, end, label in sorted(spans, key=lambda s: (s[0] - s[1], s[0])):
            if any(start < q["tok_end"] and q["tok_start"] < end for q in chosen):
                continue
            n = quantity_value([t.lower_ for t in doc[start:end]])
            span = doc[start:end]
            entity = {ENTITY_ATTRIBUTE_TYPE: "quantity", ENTITY_ATTRIBUTE_START: span.start_char,
                      ENTITY_ATTRIBUTE_END: span.end_char, ENTITY_ATTRIBUTE_VALUE: str(n),
                      ENTITY_ATTRIBUTE_CONFIDENCE_TYPE: 1.0, "implicit": label == "ARTICLE"}
            chosen.append({"tok_start": start, "tok_end": end, "label": label, "n": n,
                           "used": False, "entity": entity})
        return sorted(chosen, key=lambda q: q["tok_start"])

    def _pair(self, doc: Doc, index: CatalogueIndex, mentions: List[Mention],
              quantities: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        by_end = {q["tok_end"]: q for q in quantities}
        by_start = {q["tok_start"]: q for q in quantities if q["label"] == "QTY_AFTER"}
        entities: List[Dict[str, Any]] = []
        for mention in mentions:
            qty = None
            i = mention.tok_start
            word = doc[i - 1] if i > 0 else None
            if i not in by_end and word is not None and word.is_alpha and not word.is_stop \
                    and word.lower_ not in NUMBER_WORDS and not index.resolve(word.text):
                i -= 1  # one unknown word right before: "6 wine glasses", "2 large mugs"
            while i > 0 and i not in by_end and doc[i - 1].lower_ in QUANTITY_BRIDGE_WORDS:
                i -= 1
            after = by_start.get(mention.tok_end)
            if i in by_end and not by_end[i]["used"]:
                qty = by_end[i]
            if after is not None and not after["used"] and (
                    qty is None or qty["label"] == "ARTICLE"):
                qty = after  # "a teapot x2" means 2
            if qty is not None and mention.kind == "category":  # "2 mugs" are products,
                product = mention.product if qty["label"] != "ARTICLE" else None
                qty, mention = (qty, product) if product else (None, mention)  # "a tea lover" not
            if qty is not None:
                qty["used"] = True
                entities.append(qty["entity"])
            entities.append(mention.entity(doc, qty["n"] if qty else None))
        for qty in quantities:
            if not qty["used"] and qty["label"] != "ARTICLE" and _stands_alone(doc, qty):
                entities.append(qty["entity"])
        return entities


def _stands_alone(doc: Doc, qty: Dict[str, Any]) -> bool:
    """A quantity with no product counts only as an answer: "3", "make it 4", "three please";
    not "2 weeks", "at 5", "15 times 23", "the blue one"."""
    start, end = qty["tok_start"], qty["tok_end"]
    before = doc[start - 1].lower_ if start > 0 else None
    after = doc[end] if end < len(doc) else None
    return (before is None or before in QUANTITY_LEAD_WORDS) and (
        after is None or after.text in SENTENCE_END or after.lower_ in QUANTITY_TAIL_WORDS)


def _claimed(entity: Dict[str, Any], other: Dict[str, Any]) -> bool:
    """Whether another extractor already found this span: same entity type, or anything at all
    where our quantity would be (an order_id or phone number is not a count)."""
    start, end = other.get(ENTITY_ATTRIBUTE_START), other.get(ENTITY_ATTRIBUTE_END)
    if not isinstance(start, int) or not isinstance(end, int):
        return False
    overlaps = entity[ENTITY_ATTRIBUTE_START] < end and start < entity[ENTITY_ATTRIBUTE_END]
    kinds = (other.get(ENTITY_ATTRIBUTE_TYPE), "quantity")
    return overlaps and entity[ENTITY_ATTRIBUTE_TYPE] in kinds


RETRY_SECONDS = 5.0


def _refresh_loop(ref: "weakref.ref[CatalogueMatcher]", stop: threading.Event,
                  seconds: float) -> None:
    """Refreshes now, then every `seconds`, until stopped or the component is garbage-collected."""
    while not stop.is_set():
        component = ref()
        if component is None:
            return
        try:
            component.refresh()
        except Exception:  # keep the thread alive whatever one refresh did
            logger.exception("Catalogue refresh crashed; will retry.")
        # Until the backend answers (e.g. while the stack starts), retry soon rather than later.
        wait = min(seconds, RETRY_SECONDS) if component._backend_down else seconds
        del component
        stop.wait(wait)


def main() -> int:
    """Fetches the catalogue once and writes the snapshot: exit 0 on success, 1 otherwise."""
    logging.basicConfig(level=logging.INFO)
    config = CatalogueMatcher.get_default_config()
    source = CatalogueSource(os.environ.get("BACKEND_URL") or DEFAULT_BACKEND_URL,
                             Path(config["catalogue_file"]), config["timeout_seconds"],
                             config["page_size"])
    try:
        products = source.fetch()
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        logger.error("Could not fetch the catalogue from %s: %s", source.backend_url, exc)
        return 1
    source.write_snapshot(products)
    logger.info("Wrote %d products to %s.", len(products), source.snapshot)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
