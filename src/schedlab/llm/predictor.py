"""Output-length prediction from the prompt (trained on CASTILLO).

A ridge regression on hashed word unigrams and bigrams of the prompt's first 300 characters,
log input length, and one-hot model, dataset and model x dataset indicators, fitted to the log of
each prompt's mean output length over its ten sampled responses. Small enough to train in
seconds and to ship (`data/length_predictor.npz`), strong enough to order requests for SJF.
"""

from __future__ import annotations

import io
import math
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

HASH_DIM = 2048
_WORD = re.compile(r"[a-z0-9_]+|[^\sa-z0-9_]")
BUCKETS = (0, 64, 128, 256, 512, 1024)


def _hash(token: str) -> int:
    return zlib.crc32(token.encode()) % HASH_DIM


@dataclass
class LengthPredictor:
    weights: np.ndarray
    models: list[str]
    datasets: list[str]
    smearing: float  # multiplier on exp(prediction); 1.0 keeps the median-like estimate

    @property
    def dim(self) -> int:
        return HASH_DIM + 2 + len(self.models) + len(self.datasets) + len(self.models) * len(self.datasets)

    def features(self, text: str, input_tokens: int, model: str, dataset: str) -> np.ndarray:
        x = np.zeros(self.dim)
        words = _WORD.findall(text.lower())
        for w in words:
            x[_hash(w)] += 1.0
        for a, b in zip(words, words[1:], strict=False):
            x[_hash(a + " " + b)] += 1.0
        norm = math.sqrt(float(x[:HASH_DIM] @ x[:HASH_DIM])) or 1.0
        x[:HASH_DIM] /= norm
        x[HASH_DIM] = 1.0
        x[HASH_DIM + 1] = math.log1p(input_tokens)
        base = HASH_DIM + 2
        mi = self.models.index(model) if model in self.models else -1
        di = self.datasets.index(dataset) if dataset in self.datasets else -1
        if mi >= 0:
            x[base + mi] = 1.0
        base += len(self.models)
        if di >= 0:
            x[base + di] = 1.0
        base += len(self.datasets)
        if mi >= 0 and di >= 0:
            x[base + mi * len(self.datasets) + di] = 1.0
        return x

    def predict(self, text: str, input_tokens: int, model: str, dataset: str) -> float:
        return float(math.exp(self.features(text, input_tokens, model, dataset) @ self.weights) * self.smearing)

    def save(self) -> bytes:
        buf = io.BytesIO()
        np.savez_compressed(
            buf,
            weights=self.weights.astype(np.float32),
            models=np.array(self.models),
            datasets=np.array(self.datasets),
            smearing=np.array(self.smearing),
        )
        return buf.getvalue()

    @classmethod
    def load(cls, data: bytes) -> LengthPredictor:
        z = np.load(io.BytesIO(data))
        return cls(
            z["weights"].astype(float), [str(m) for m in z["models"]], [str(d) for d in z["datasets"]], float(z["smearing"])
        )


def train(rows: Sequence[dict], l2: float = 10.0) -> LengthPredictor:
    """Fit on CASTILLO rows (`prompt_head`, `input_tokens`, `model`, `dataset`, `output_tokens` list)."""
    models = sorted({r["model"] for r in rows})
    datasets = sorted({r["dataset"] for r in rows})
    pred = LengthPredictor(np.zeros(0), models, datasets, 1.0)
    x = np.stack([pred.features(r["prompt_head"], r["input_tokens"], r["model"], r["dataset"]) for r in rows])
    y = np.log(np.array([max(np.mean(r["output_tokens"]), 1.0) for r in rows]))
    gram = x.T @ x + l2 * np.eye(x.shape[1])
    pred.weights = np.linalg.solve(gram, x.T @ y)
    pred.smearing = 1.0  # exp of the mean log: a median-like estimate, which minimises absolute error
    return pred


def bucket(n: float) -> int:
    return int(np.searchsorted(BUCKETS, n, side="right") - 1)


@lru_cache(maxsize=1)
def bundled_predictor() -> LengthPredictor:
    return LengthPredictor.load(resources.files("schedlab.llm").joinpath("data/length_predictor.npz").read_bytes())
