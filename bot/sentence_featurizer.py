"""SentenceFeaturizer: pretrained meaning as dense features, from one of two encoders.

`encoder: minilm` (all-MiniLM-L6-v2, bot/sentence_encoder.py) adds to every message's text, under
this component's alias:
- sentence features: the mean of the model's last-layer token states (1 x 384), which
  sentence-transformers normalises into this model's sentence embedding;
- sequence features: one vector per Rasa token, the mean of the states of its word pieces.
`encoder: universal` (the Universal Sentence Encoder, bot/universal_encoder.py) adds sentence
features only (1 x 512): the model has no per-token states.

IntentBlender and FaqSelector read the sentence features (`sentence_embedding` below) for their
embedding opinions, so each message is encoded once. Training data are encoded in length-sorted
batches (~6,700 examples in ~30 s on 2 cores with MiniLM, a few seconds with the universal one).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple, Type

import numpy as np

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.sentence_encoder import SentenceEncoder, mean_pool, normalise
from bot.universal_encoder import UniversalEncoder

Features = Tuple[Optional[np.ndarray], np.ndarray]  # (sequence, sentence) of one message
ENCODERS = ("minilm", "universal")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceFeaturizer(DenseFeaturizer, GraphComponent):
    """Sentence and token vectors of a pretrained sentence encoder."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**DenseFeaturizer.get_default_config(), "encoder": "minilm"}

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, {**self.get_default_config(), **config})
        # Loaded here, not at the first message: a missing model fails the start, not a reply.
        if self._config["encoder"] == "minilm":
            self._encoder, self._features = SentenceEncoder.load(), self._minilm_features
        else:
            self._encoder, self._features = UniversalEncoder.load(), self._universal_features

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SentenceFeaturizer":
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        encoder = config.get("encoder", "minilm")
        if encoder not in ENCODERS:
            raise ValueError(f"SentenceFeaturizer: encoder '{encoder}' is not one of {ENCODERS}")

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        tokenised = [m for m in messages if m.get(TOKENS_NAMES[TEXT])]
        for message, (sequence, sentence) in zip(tokenised, self._features(tokenised)):
            self.add_features_to_message(sequence, sentence, TEXT, message)
        return messages

    def _minilm_features(self, messages: List[Message]) -> List[Features]:
        encoded = [self._encoder.tokenizer.encode_tokens([t.text for t in m.get(TOKENS_NAMES[TEXT])])
                   for m in messages]
        states = self._encoder.token_states([ids for ids, _ in encoded])
        return [(np.stack([rows[start:end].mean(0) if end > start else np.zeros(rows.shape[1])
                           for start, end in spans]).astype(np.float32),
                 mean_pool(rows)[None, :].astype(np.float32))
                for (_, spans), rows in zip(encoded, states)]

    def _universal_features(self, messages: List[Message]) -> List[Features]:
        vectors = self._encoder.encode([m.get(TEXT) for m in messages])
        return [(None, vector[None, :]) for vector in vectors]


def sentence_embedding(message: Message, featurizer: Optional[Text]) -> Optional[np.ndarray]:
    """The normalised sentence vector that the SentenceFeaturizer aliased `featurizer` added to
    `message`; None without one."""
    if not featurizer:
        return None
    _, sentence = message.get_dense_features(TEXT, [featurizer])
    return None if sentence is None else normalise(sentence.features[0])
