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

import logging
import os
import threading
import weakref
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Type

import spacy
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


from bot.catalogue_index import CatalogueIndex, Mention
from bot.catalogue_words import (
    NUMBER_WORDS,
    QUANTITY_BRIDGE_WORDS,
    QUANTITY_LEAD_WORDS,
    QUANTITY_TAIL_WORDS,
    SENTENCE_END,
    SIZE_WORDS,
    UNITS,
    quantity_matcher,
    quantity_value,
)
from bot.catalogue_source import DEFAULT_BACKEND_URL, CatalogueSource

logger = logging.getLogger(__name__)


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
            if start > 0 and doc[start - 1].text in ("#", "£", "$", "€", ".", ",") and not doc[start - 1].whitespace_:
                continue  # "#123", "£5", "1.7", "1,000": not a count; "2 mugs, 3 filters" is one
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
            after = by_start.get(mention.tok_end) or _trailing(doc, mention.tok_end, quantities)
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


def _trailing(doc: Doc, end: int, quantities: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """A number right after a product that ends the message: "english breakfast 2", "red mug 3
    pls" (the product's count; "mugs 2 teapots 3" is not read this way)."""
    qty = next((q for q in quantities if q["tok_start"] == end and q["label"] != "ARTICLE"), None)
    if qty is None:
        return None
    rest = doc[qty["tok_end"]:]
    return qty if all(t.is_punct or t.lower_ in QUANTITY_TAIL_WORDS for t in rest) else None


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
