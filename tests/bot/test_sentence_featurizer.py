"""SentenceFeaturizer adds the encoder's sentence and per-token vectors as dense features."""
from __future__ import annotations

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.sentence_encoder import SentenceEncoder, normalise
from bot.sentence_featurizer import SentenceFeaturizer


def tokenised(*texts: str) -> list[Message]:
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    messages = [Message(data={"text": text}) for text in texts]
    tokenizer.process(messages)
    return messages


@pytest.fixture
def featurizer(tmp_path) -> SentenceFeaturizer:
    return SentenceFeaturizer.create({"alias": "meaning"}, LocalModelStorage(tmp_path),
                                     Resource("meaning"), ExecutionContext(GraphSchema({}), "x"))


def test_sentence_features_are_the_encoders_embedding(featurizer):
    (message,) = featurizer.process(tokenised("where is my order"))
    sequence, sentence = message.get_dense_features("text", ["meaning"])
    assert sequence.features.shape == (4, 384)  # one row per whitespace token
    assert sentence.features.shape == (1, 384)
    expected = SentenceEncoder.load().encode(["where is my order"])[0]
    assert normalise(sentence.features[0]) == pytest.approx(expected, abs=1e-5)


def test_training_data_are_featurised_and_messages_without_tokens_skipped(featurizer):
    data = TrainingData(tokenised("hello there", "i want two mugs") + [Message(data={"intent": "greet"})])
    featurizer.process_training_data(data)
    featurised = [m for m in data.training_examples if m.get_dense_features("text", ["meaning"])[1]]
    assert len(featurised) == 2
    assert all(np.isfinite(m.get_dense_features("text", ["meaning"])[0].features).all()
               for m in featurised)
