"""The numpy all-MiniLM-L6-v2 against values of the reference implementation (transformers +
torch, computed once off-line), and the WordPiece tokenizer's BERT rules."""
from __future__ import annotations

import numpy as np
import pytest

from bot.sentence_encoder import SentenceEncoder, basic_words

# First six dimensions of the normalised sentence embedding, from transformers' BertModel with
# sentence-transformers' mean pooling on the same weights.
REFERENCE = {
    "where is my order": [-0.00621, -0.02604, 0.06837, 0.01874, 0.00462, 0.02651],
    "Café déjà-vu: 2x naïve mugs!!": [-0.04145, 0.05959, 0.07384, 0.04972, 0.04988, -0.02921],
}


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder.load()


def test_embeddings_match_the_reference_implementation(encoder):
    vectors = encoder.encode(list(REFERENCE))
    for vector, expected in zip(vectors, REFERENCE.values()):
        assert vector[:6] == pytest.approx(expected, abs=2e-5)
        assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)


def test_tokenizer_follows_bert_uncased(encoder):
    assert basic_words("Café déjà-vu: 2x naïve mugs!!") == [
        "cafe", "deja", "-", "vu", ":", "2x", "naive", "mugs", "!", "!"]
    assert encoder.tokenizer.encode("Café déjà-vu: 2x naïve mugs!!") == [
        101, 7668, 2139, 3900, 1011, 24728, 1024, 1016, 2595, 15743, 14757, 2015, 999, 999, 102]
    assert basic_words("北京 ok\u200b\tnow") == ["北", "京", "ok", "now"]


def test_unknown_and_overlong_words_become_unk(encoder):
    unknown = encoder.tokenizer.vocab["[UNK]"]
    assert encoder.tokenizer.word_ids("x" * 101) == [unknown]
    assert encoder.tokenizer.word_ids("\U0001F600") == [unknown]


def test_same_meaning_is_closer_than_other_meanings(encoder):
    parcel, package, weather = encoder.encode(
        ["where is my parcel", "has my package shipped yet", "will it rain tomorrow"])
    assert parcel @ package > parcel @ weather + 0.2


def test_order_of_texts_and_batching_do_not_change_vectors(encoder):
    texts = ["hi", "i would like two blue mugs and a teapot delivered to berlin", "refund"]
    together = encoder.encode(texts, batch_size=2)
    alone = np.stack([encoder.encode([text])[0] for text in texts])
    assert np.abs(together - alone).max() < 1e-5


def test_token_spans_cover_each_tokens_pieces(encoder):
    ids, spans = encoder.tokenizer.encode_tokens(["Where's", "my", "order"])
    assert ids[0] == encoder.tokenizer.cls and ids[-1] == encoder.tokenizer.sep
    assert spans == [(1, 4), (4, 5), (5, 6)]  # where ' s | my | order
    long_ids, long_spans = encoder.tokenizer.encode_tokens(["order"] * 300)
    assert len(long_ids) == 256 and long_spans[-1] == (255, 255)
