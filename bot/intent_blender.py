"""IntentBlender: a second, linear opinion on the intent, averaged with DIET's.

Why: DIET (no pretrained vectors may be downloaded) fits the wording of our training data
tightly and is over-confident on wording it never saw, so most out-of-scope messages land on some
shop intent with high confidence. A logistic regression over TF-IDF word 1-2-grams and character
2-5-grams is smoother: alone it is a little worse in scope but catches many more out-of-scope
messages, and the average of both beats each on the dev set (figures in docs/benchmarks.md).

Place it after DIETClassifier (with DIET's `ranking_length: 0`, so every intent has a score) and
before FallbackClassifier. It reads DIET's `intent_ranking`, blends
    p(intent) = diet_weight * p_DIET(intent) + (1 - diet_weight) * p_LR(intent)
and writes `intent` and `intent_ranking` again. Retrieval intents stay whole (`faq`); the
ResponseSelector still picks the answer. Trains in seconds on text only (no Rasa featurizers).

Out-of-scope boost: a message the shop does not handle usually still resembles some shop intent,
so `out_of_scope` comes second rather than first. `out_of_scope_boost` b multiplies its blended
score, so it wins whenever it reaches 1/b of the best intent's: a wrong answer to a foreign request
costs more than a "sorry, I can't help with that". Unlike a confidence threshold this needs
positive evidence of out-of-scope, so in-scope messages that are merely unsure keep their intent
(dev set figures in docs/benchmarks.md).
"""
from __future__ import annotations

import logging
import pickle
from typing import Any, Dict, List, Optional, Text

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_union

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

MODEL_FILE = "intent_blender.pkl"
OUT_OF_SCOPE = "out_of_scope"


def build_pipeline(config: Dict[Text, Any]) -> Pipeline:
    """TF-IDF word and character n-grams into a multinomial logistic regression."""
    features = make_union(
        TfidfVectorizer(ngram_range=tuple(config["word_ngrams"]), sublinear_tf=True,
                        token_pattern=r"(?u)\b\w+\b"),
        TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(config["char_ngrams"]),
                        sublinear_tf=True),
    )
    classifier = LogisticRegression(C=config["C"], max_iter=config["max_iter"],
                                    class_weight="balanced", random_state=config["random_seed"])
    return Pipeline([("features", features), ("classifier", classifier)])


def blend(diet_ranking: List[Dict[Text, Any]], linear: Dict[Text, float],
          diet_weight: float) -> List[Dict[Text, Any]]:
    """Weighted average of both opinions, best first; an intent one side lacks scores 0 there.
    DIET's own fallback entry (`nlu_fallback`) is not an opinion about the intent and is dropped."""
    scores = {name: (1.0 - diet_weight) * p for name, p in linear.items()}
    for entry in diet_ranking:
        name = entry[INTENT_NAME_KEY]
        if name != "nlu_fallback":
            scores[name] = scores.get(name, 0.0) + diet_weight * float(entry[PREDICTED_CONFIDENCE_KEY])
    ranking = sorted(scores.items(), key=lambda item: -item[1])
    return [{INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: score} for name, score in ranking]


def boost_out_of_scope(ranking: List[Dict[Text, Any]], boost: float) -> List[Dict[Text, Any]]:
    """Multiplies `out_of_scope`'s score by `boost` (capped at 1) and sorts again."""
    if boost == 1.0:
        return ranking
    boosted = [{**entry, PREDICTED_CONFIDENCE_KEY: min(1.0, boost * entry[PREDICTED_CONFIDENCE_KEY])}
               if entry[INTENT_NAME_KEY] == OUT_OF_SCOPE else entry for entry in ranking]
    return sorted(boosted, key=lambda entry: -entry[PREDICTED_CONFIDENCE_KEY])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class IntentBlender(GraphComponent, IntentClassifier):
    """Blends DIET's intent ranking with a TF-IDF logistic regression's."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "diet_weight": 0.5,  # 1.0: DIET alone, 0.0: the linear model alone
            "out_of_scope_boost": 1.0,  # 1.0: off; see boost_out_of_scope
            "word_ngrams": [1, 2],
            "char_ngrams": [2, 5],
            "C": 10.0,
            "max_iter": 3000,
            "random_seed": 42,
            "ranking_length": 10,  # intents reported in intent_ranking
        }

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 pipeline: Optional[Pipeline] = None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._pipeline = pipeline

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "IntentBlender":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(TEXT) and e.get(INTENT)]
        if len({e.get(INTENT) for e in examples}) < 2:
            logger.debug("IntentBlender: fewer than two intents to learn; DIET decides alone.")
            return self._resource
        pipeline = build_pipeline(self._config)
        pipeline.fit([e.get(TEXT) for e in examples], [e.get(INTENT) for e in examples])
        self._pipeline = pipeline
        with self._model_storage.write_to(self._resource) as model_dir:
            with open(model_dir / MODEL_FILE, "wb") as file:
                pickle.dump(pipeline, file)
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "IntentBlender":
        pipeline = None
        try:
            with model_storage.read_from(resource) as model_dir:
                with open(model_dir / MODEL_FILE, "rb") as file:
                    pipeline = pickle.load(file)  # our own artefact, written by train() above
        except (ValueError, FileNotFoundError):
            logger.debug("IntentBlender: no trained model in this archive; DIET decides alone.")
        return cls(config, model_storage, resource, pipeline)

    def process(self, messages: List[Message]) -> List[Message]:
        if self._pipeline is None:
            return messages
        texts = [message.get(TEXT) or "" for message in messages]
        probabilities = self._pipeline.predict_proba(texts)
        labels = list(self._pipeline.classes_)
        for message, row in zip(messages, probabilities):
            linear = dict(zip(labels, (float(p) for p in row)))
            ranking = blend(message.get("intent_ranking") or [], linear, self._config["diet_weight"])
            ranking = boost_out_of_scope(ranking, self._config["out_of_scope_boost"])
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking[: self._config["ranking_length"]], add_to_output=True)
        return messages
