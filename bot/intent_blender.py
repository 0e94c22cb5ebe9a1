"""IntentBlender: DIET's opinion on the intent, blended with three simpler, smoother ones.

Why: DIET fits the wording of our training data tightly and is over-confident on wording it never
saw. Simpler models err differently, and the weighted average of all beats each on the dev set
(figures in docs/benchmarks.md):
- `diet`: DIET's intent ranking (its `ranking_length: 0`, so every intent has a score);
- `words`: a logistic regression over TF-IDF word 1-2-grams and character 2-5-grams;
- per pretrained sentence embedding (a SentenceFeaturizer named in `embedding_featurizers`, say
  `meaning`), two opinions: `meaning`, a logistic regression over the embedding, and
  `meaning_neighbours`, each intent's closest training examples by that embedding (the mean
  cosine of its `neighbours` most similar ones), turned into probabilities by a softmax with a low
  temperature: "said almost like this before". A few neighbours, not one, so that one odd example
  does not decide (dev set: in scope +0.5 to 1 point with 3-5). Two encoders trained on different
  data err on different messages (docs/benchmarks.md, steps 17-18).

Place it after DIETClassifier and before FallbackClassifier. It writes `intent` and
`intent_ranking` again with
    p(intent) = sum over opinions k of weight_k * p_k(intent) / sum of the weights used.
Retrieval intents stay whole (`faq`); FaqSelector (bot/faq_selector.py) picks the answer. Without a
sentence featurizer (`embedding_featurizers: []`) only `diet` and `words` are blended.

Out-of-scope boost: a message the shop does not handle usually still resembles some shop intent,
so `out_of_scope` comes second rather than first. `out_of_scope_boost` b multiplies its blended
score, so it wins whenever it reaches 1/b of the best intent's: a wrong answer to a foreign request
costs more than a "sorry, I can't help with that". Unlike a confidence threshold this needs
positive evidence of out-of-scope, so in-scope messages that are merely unsure keep their intent.
"""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Text

import numpy as np
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

from bot import stored_models
from bot.sentence_featurizer import sentence_embedding

logger = logging.getLogger(__name__)

MODEL_FILE = "intent_blender.pkl"
OUT_OF_SCOPE = "out_of_scope"
Scores = Dict[Text, float]


def build_pipeline(config: Dict[Text, Any]) -> Pipeline:
    """TF-IDF word and character n-grams into a multinomial logistic regression."""
    features = make_union(
        TfidfVectorizer(ngram_range=tuple(config["word_ngrams"]), sublinear_tf=True,
                        token_pattern=r"(?u)\b\w+\b"),
        TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(config["char_ngrams"]),
                        sublinear_tf=True),
    )
    return Pipeline([("features", features), ("classifier", logistic_regression(config))])


def logistic_regression(config: Dict[Text, Any]) -> LogisticRegression:
    return LogisticRegression(C=config["C"], max_iter=config["max_iter"], class_weight="balanced",
                              random_state=config["random_seed"])


@dataclass
class NearestExamples:
    """Training embeddings grouped by intent; scores an embedding by each intent's best matches."""
    intents: List[Text]
    starts: np.ndarray  # where each intent's rows begin in `embeddings`
    embeddings: np.ndarray  # normalised float32 (float16 would halve 9 MB but cost 10 ms a message)

    @classmethod
    def fit(cls, embeddings: np.ndarray, labels: List[Text]) -> "NearestExamples":
        order = np.argsort(np.array(labels), kind="stable")
        sorted_labels = [labels[i] for i in order]
        intents = sorted(set(labels))
        starts = np.array([sorted_labels.index(intent) for intent in intents])
        return cls(intents, starts, embeddings[order].astype(np.float32))

    def probabilities(self, embedding: np.ndarray, temperature: float, neighbours: int = 1) -> Scores:
        """Softmax over each intent's mean similarity to its `neighbours` closest examples."""
        similarities = self.embeddings @ embedding
        closest = np.array([_mean_of_largest(segment, neighbours)
                            for segment in np.split(similarities, self.starts[1:])])
        best = closest / temperature
        weights = np.exp(best - best.max())
        return dict(zip(self.intents, (weights / weights.sum()).tolist()))


def blend(opinions: Dict[Text, Scores], weights: Dict[Text, float]) -> List[Dict[Text, Any]]:
    """Weighted average of the opinions present, best first; an intent an opinion lacks scores 0
    there. DIET's own fallback entry (`nlu_fallback`) is not an opinion about the intent."""
    used = {name: weights.get(name, 0.0) for name, scores in opinions.items()
            if scores and weights.get(name, 0.0) > 0}
    total = sum(used.values()) or 1.0
    scores: Scores = {}
    for name, weight in used.items():
        for intent, p in opinions[name].items():
            if intent != "nlu_fallback":
                scores[intent] = scores.get(intent, 0.0) + weight / total * p
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
    """Blends DIET's intent ranking with linear and nearest-example opinions."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # diet, words, and per embedding featurizer <alias> and <alias>_neighbours
            "weights": {"diet": 0.5, "words": 0.5},
            "embedding_featurizers": [],  # aliases of SentenceFeaturizers
            "neighbours": 1,  # closest examples averaged per intent
            "neighbour_temperature": 0.02,  # lower: only the nearest intent counts
            "out_of_scope_boost": 1.0,  # 1.0: off; see boost_out_of_scope
            "word_ngrams": [1, 2],
            "char_ngrams": [2, 5],
            "C": 10.0,
            "max_iter": 3000,
            "random_seed": 42,
            "ranking_length": 10,  # intents reported in intent_ranking
        }

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 models: Optional[Dict[Text, Any]] = None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._weights = self._config["weights"]
        self._model_storage = model_storage
        self._resource = resource
        self._models = models or {}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "IntentBlender":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(TEXT) and e.get(INTENT)]
        labels = [e.get(INTENT) for e in examples]
        if len(set(labels)) < 2:
            logger.debug("IntentBlender: fewer than two intents to learn; DIET decides alone.")
            return self._resource
        fits = {"words": (build_pipeline(self._config), [e.get(TEXT) for e in examples])}
        neighbours = {}
        for featurizer in self._config["embedding_featurizers"]:
            embeddings = [sentence_embedding(e, featurizer) for e in examples]
            if not all(vector is not None for vector in embeddings):
                logger.warning("IntentBlender: no sentence features from '%s'; its opinions are "
                               "left out.", featurizer)
                continue
            matrix = np.stack(embeddings)
            fits[featurizer] = (logistic_regression(self._config), matrix)
            neighbours[featurizer] = NearestExamples.fit(matrix, labels)
        # The regressions are independent and spend their time in numpy/scipy without the GIL: fitted
        # side by side they take about half the wall time on 2 cores (the same models either way).
        with ThreadPoolExecutor(max_workers=len(fits)) as pool:
            fitted = {name: pool.submit(model.fit, inputs, labels) for name, (model, inputs) in fits.items()}
            self._models = {"words": fitted["words"].result()}
            for featurizer, nearest in neighbours.items():
                self._models.update({featurizer: fitted[featurizer].result(), f"{featurizer}_neighbours": nearest})
        stored_models.save(self._model_storage, self._resource, MODEL_FILE, self._models)
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "IntentBlender":
        models = stored_models.load(model_storage, resource, MODEL_FILE)
        if models is None:
            logger.debug("IntentBlender: no trained model in this archive; DIET decides alone.")
        return cls(config, model_storage, resource, models)

    def _opinions(self, message: Message) -> Dict[Text, Scores]:
        opinions = {"diet": {entry[INTENT_NAME_KEY]: float(entry[PREDICTED_CONFIDENCE_KEY])
                             for entry in message.get("intent_ranking") or []}}
        words = self._models.get("words")
        if words is not None:
            opinions["words"] = _probabilities(words, [message.get(TEXT) or ""])
        for featurizer in self._config["embedding_featurizers"]:
            embedding = sentence_embedding(message, featurizer)
            if embedding is None or featurizer not in self._models:
                continue
            opinions[featurizer] = _probabilities(self._models[featurizer], embedding[None, :])
            opinions[f"{featurizer}_neighbours"] = self._models[f"{featurizer}_neighbours"]\
                .probabilities(embedding, self._config["neighbour_temperature"],
                               self._config["neighbours"])
        return opinions

    def process(self, messages: List[Message]) -> List[Message]:
        if not self._models:
            return messages
        for message in messages:
            ranking = blend(self._opinions(message), self._weights)
            ranking = boost_out_of_scope(ranking, self._config["out_of_scope_boost"])
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking[: self._config["ranking_length"]], add_to_output=True)
        return messages


def _mean_of_largest(values: np.ndarray, count: int) -> float:
    if len(values) <= count:
        return float(values.mean())
    return float(np.partition(values, -count)[-count:].mean())


def _probabilities(model: Any, rows: Any) -> Scores:
    return dict(zip(model.classes_, (float(p) for p in model.predict_proba(rows)[0])))
