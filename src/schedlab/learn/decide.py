"""A trained scorer as a decision maker: rows and a legal mask in, an action out (greedy or sampled).

Shared by every learned online policy (MEC, IoT, SoC); PyTorch is imported on first use, so
the domains that register these policies still load without it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from schedlab.core.errors import SchedlabError

POLICY_DIR = Path(__file__).resolve().parent / "policies"


class ScorerDecider:
    """Loads `weights` (a file `schedlab train` wrote) on first use; `__call__(rows, legal)` picks an action."""

    def __init__(self, weights: str | Path, env: str) -> None:
        self.weights, self.env = Path(weights), env
        self._scorer = None

    @classmethod
    def from_scorer(cls, scorer, env: str = "") -> ScorerDecider:
        """A decider around a scorer already loaded (the solvers load theirs through `load_scorer`)."""
        decider = cls("", env)
        decider._scorer = scorer
        return decider

    def _load(self):
        if importlib.util.find_spec("torch") is None:
            raise SchedlabError("learned policies need PyTorch: pip install 'schedlab[learn]' (make run installs it)")
        if not self.weights.is_file():
            raise SchedlabError(f"{self.weights}: no such policy file (train one with: schedlab train {self.env} --out FILE)")
        from schedlab.learn.solver import load_scorer

        scorer, _ = load_scorer(str(self.weights))
        return scorer

    def scores(self, rows: np.ndarray) -> np.ndarray:
        import torch

        if self._scorer is None:
            self._scorer = self._load()
        with torch.inference_mode():
            return self._scorer(torch.from_numpy(np.ascontiguousarray(rows, np.float32))[None])[0][0].numpy()

    def __call__(self, rows: np.ndarray, legal: np.ndarray, rng: np.random.Generator | None = None) -> int:
        options = np.flatnonzero(legal)
        if options.size == 1:
            return int(options[0])
        scores = self.scores(rows)[options].astype(np.float64)
        if rng is None:
            return int(options[int(np.argmax(scores))])
        weights = np.exp(scores - scores.max())
        return int(options[int(rng.choice(options.size, p=weights / weights.sum()))])

    def probabilities(self, rows: np.ndarray, legal: np.ndarray) -> np.ndarray:
        """The policy's softmax over the legal actions (zero elsewhere)."""
        scores = np.where(legal, self.scores(rows).astype(np.float64), -np.inf)
        weights = np.exp(scores - scores[legal].max())
        return weights / weights.sum()
