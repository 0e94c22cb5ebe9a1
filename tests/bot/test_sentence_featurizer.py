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
from bot.universal_encoder import UniversalEncoder


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


@pytest.fixture
def universal(tmp_path) -> SentenceFeaturizer:
    return SentenceFeaturizer.create({"alias": "universal", "encoder": "universal"},
                                     LocalModelStorage(tmp_path), Resource("universal"),
                                     ExecutionContext(GraphSchema({}), "x"))


def test_universal_encoder_adds_its_sentence_embedding_only(universal):
    (message,) = universal.process(tokenised("where is my order"))
    sequence, sentence = message.get_dense_features("text", ["universal"])
    assert sequence is None  # the model has no per-token states
    assert sentence.features.shape == (1, 512)
    expected = UniversalEncoder.load().encode(["where is my order"])[0]
    assert sentence.features[0] == pytest.approx(expected, abs=1e-6)
    assert np.linalg.norm(expected) == pytest.approx(1.0, abs=1e-4)


def test_universal_embedding_puts_paraphrases_closer_than_other_requests():
    parcel, package, refund = UniversalEncoder.load().encode(
        ["where is my parcel", "has my package shipped yet", "i want my money back"])
    assert parcel @ package > parcel @ refund + 0.1


def test_universal_encoder_takes_no_texts_and_empty_texts():
    encoder = UniversalEncoder.load()
    assert encoder.encode([]).shape == (0, 512)
    assert np.isfinite(encoder.encode([""])).all()


def test_unknown_encoder_is_refused_at_creation(tmp_path):
    with pytest.raises(ValueError, match="encoder 'bert'"):
        SentenceFeaturizer.create({"alias": "x", "encoder": "bert"}, LocalModelStorage(tmp_path),
                                  Resource("x"), ExecutionContext(GraphSchema({}), "x"))
