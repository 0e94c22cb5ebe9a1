"""FaqSelector: picks the answer of a retrieval intent (`faq/payment_options`, ...) for every
message, in the output format of Rasa's ResponseSelector, so `utter_faq` and the HTTP API's
`response_selector` work unchanged.

Why not Rasa's ResponseSelector: to tell about ten FAQ answers apart it trained a neural network
over every sparse feature (30-45 s of each training) and stored 166 MB of weights, optimiser state
included, in every model archive. The same two opinions IntentBlender uses (a TF-IDF logistic
regression and one per sentence embedding), fitted on the FAQ examples only, train in about a
second and pick the FAQ answers of the dev set as well (docs/benchmarks.md).

Place it after the SentenceFeaturizers named in `embedding_featurizers` (without any, the TF-IDF
model decides alone).
"""
from __future__ import annotations

import logging
import zlib
from typing import Any, Dict, List, Optional, Text

import numpy as np

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY, RESPONSE_SELECTOR_PROPERTY_NAME, RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY, RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY)
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.nlu.training_data.util import intent_response_key_to_template_key

from bot import stored_models
from bot.intent_blender import build_pipeline, logistic_regression
from bot.sentence_featurizer import sentence_embedding

logger = logging.getLogger(__name__)

MODEL_FILE = "faq_selector.pkl"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FaqSelector(GraphComponent):
    """One answer per retrieval intent for every message, with a ranking of the others."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "embedding_featurizers": [],  # aliases of SentenceFeaturizers
            "word_ngrams": [1, 2],
            "char_ngrams": [2, 5],
            "C": 10.0,
            "max_iter": 3000,
            "random_seed": 42,
            "ranking_length": 10,
        }

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 state: Optional[Dict[Text, Any]] = None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        # {"selectors": {retrieval intent: {"words": model, <featurizer>: model} or {"only": key}},
        #  "responses": {template key: responses}}
        self._state = state or {"selectors": {}, "responses": {}}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "FaqSelector":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        by_intent: Dict[Text, List[Message]] = {}
        for example in training_data.intent_examples:
            if example.get(INTENT_RESPONSE_KEY) and example.get(TEXT):
                by_intent.setdefault(example.get(INTENT), []).append(example)
        self._state["selectors"] = {intent: self._fit(examples) for intent, examples in by_intent.items()}
        self._state["responses"] = dict(training_data.responses)
        stored_models.save(self._model_storage, self._resource, MODEL_FILE, self._state)
        return self._resource

    def _fit(self, examples: List[Message]) -> Dict[Text, Any]:
        keys = [e.get(INTENT_RESPONSE_KEY) for e in examples]
        if len(set(keys)) == 1:
            return {"only": keys[0]}  # one answer needs no model
        selector = {"words": build_pipeline(self._config).fit([e.get(TEXT) for e in examples], keys)}
        for featurizer in self._config["embedding_featurizers"]:
            embeddings = [sentence_embedding(e, featurizer) for e in examples]
            if all(vector is not None for vector in embeddings):
                selector[featurizer] = logistic_regression(self._config).fit(np.stack(embeddings), keys)
        return selector

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "FaqSelector":
        state = stored_models.load(model_storage, resource, MODEL_FILE)
        if state is None:
            logger.debug("FaqSelector: no trained model in this archive; no FAQ answers.")
        return cls(config, model_storage, resource, state)

    def _ranking(self, selector: Dict[Text, Any], message: Message) -> List[tuple]:
        """(intent response key, probability), best first."""
        if selector.get("only"):
            return [(selector["only"], 1.0)]
        opinions = [selector["words"].predict_proba([message.get(TEXT) or ""])[0]]
        for featurizer in self._config["embedding_featurizers"]:
            embedding = sentence_embedding(message, featurizer)
            if selector.get(featurizer) is not None and embedding is not None:
                opinions.append(selector[featurizer].predict_proba(embedding[None, :])[0])
        probabilities = np.mean(opinions, axis=0)
        return sorted(zip(selector["words"].classes_, probabilities.tolist()), key=lambda kv: -kv[1])

    def process(self, messages: List[Message]) -> List[Message]:
        selectors = self._state["selectors"]
        if not selectors:
            return messages
        for message in messages:
            properties = message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}
            properties[RESPONSE_SELECTOR_RETRIEVAL_INTENTS] = sorted(selectors)
            for retrieval_intent, selector in selectors.items():
                properties[retrieval_intent] = self._prediction(self._ranking(selector, message))
            message.set(RESPONSE_SELECTOR_PROPERTY_NAME, properties, add_to_output=True)
        return messages

    def _prediction(self, ranking: List[tuple]) -> Dict[Text, Any]:
        """ResponseSelector's output for one retrieval intent."""
        best_key, best_confidence = ranking[0]
        template = intent_response_key_to_template_key(best_key)
        return {
            RESPONSE_SELECTOR_PREDICTION_KEY: {
                RESPONSE_SELECTOR_RESPONSES_KEY: self._state["responses"].get(template, []),
                PREDICTED_CONFIDENCE_KEY: best_confidence,
                INTENT_RESPONSE_KEY: best_key,
                RESPONSE_SELECTOR_UTTER_ACTION_KEY: template,
            },
            RESPONSE_SELECTOR_RANKING_KEY: [
                {"id": zlib.crc32(key.encode()), PREDICTED_CONFIDENCE_KEY: confidence,
                 INTENT_RESPONSE_KEY: key}
                for key, confidence in ranking[: self._config["ranking_length"]]],
        }
