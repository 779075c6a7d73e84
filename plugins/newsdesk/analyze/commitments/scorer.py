"""The commitment scorer: a logistic regression over the decisions' features.

Owns the model file (``scorer.json``: feature weights, bias, threshold, and how it was trained),
``Scorer.probability`` and ``fit`` — a small L2-regularised logistic regression fitted by Newton's
method in numpy, so training needs nothing beyond what running needs. The training data (real
news, scored on held-out folds by document) is assembled by ``nlp/commitments/train_scorer.py``.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from newsdesk.errors import ConfigError

SCORER_FILE = Path(__file__).with_name("scorer.json")
# The hand-set expectations the fitted weights are shrunk towards (and the rules-only baseline).
PRIOR_FILE = Path(__file__).with_name("prior.json")


@dataclass(frozen=True, slots=True)
class Scorer:
    weights: Mapping[str, float]
    bias: float
    threshold: float
    meta: Mapping[str, Any] = field(default_factory=dict)
    digest: str = "0"  # of the file it was read from: part of the analyzer version

    def probability(self, features: Mapping[str, float]) -> float:
        z = self.bias + sum(self.weights.get(name, 0.0) * value for name, value in features.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def accepts(self, features: Mapping[str, float]) -> bool:
        return self.probability(features) >= self.threshold

    def to_json(self) -> str:
        body = {
            "weights": {k: round(v, 6) for k, v in sorted(self.weights.items()) if abs(v) >= 1e-6},
            "bias": round(self.bias, 6),
            "threshold": round(self.threshold, 4),
            "meta": dict(self.meta),
        }
        return json.dumps(body, indent=1, ensure_ascii=False, sort_keys=False) + "\n"


def load_scorer(path: Path | None = None) -> Scorer:
    """The scorer in ``path`` (default: the bundled one); a bad file is a ConfigError."""
    return _load(path or SCORER_FILE)


@lru_cache(maxsize=8)
def _load(path: Path) -> Scorer:
    try:
        raw = path.read_bytes()
        body = json.loads(raw.decode("utf-8"))
        return Scorer(
            weights={str(k): float(v) for k, v in body["weights"].items()},
            bias=float(body["bias"]),
            threshold=float(body["threshold"]),
            meta=body.get("meta", {}),
            digest=hashlib.sha256(raw).hexdigest()[:8],
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"commitment scorer {path} cannot be read: {exc}") from exc


def fit(
    rows: Sequence[Mapping[str, float]],
    labels: Sequence[int],
    *,
    l2: float = 1.0,
    prior: Mapping[str, float] | None = None,
    prior_bias: float = 0.0,
    weights: Sequence[float] | None = None,
    iterations: int = 50,
) -> tuple[dict[str, float], float]:
    """Weights and bias of a logistic regression (Newton's method), shrunk towards ``prior``.

    The prior is the linguist's expectation (a lexical cue is strong evidence, a present tense
    weak); the L2 penalty pulls each weight towards it rather than towards zero, so a feature the
    training data says little about keeps its expected sign.
    """
    prior = prior or {}
    names = sorted({name for row in rows for name in row} | set(prior))
    index = {name: i for i, name in enumerate(names)}
    x = np.zeros((len(rows), len(names) + 1))
    x[:, -1] = 1.0
    for r, row in enumerate(rows):
        for name, value in row.items():
            x[r, index[name]] = value
    y = np.asarray(labels, dtype=float)
    sample = np.ones(len(rows)) if weights is None else np.asarray(weights, dtype=float)
    reg = np.full(len(names) + 1, l2)
    reg[-1] = 1e-3  # the bias is barely shrunk
    w0 = np.array([prior.get(name, 0.0) for name in names] + [prior_bias])
    w = w0.copy()
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -30, 30)))
        grad = x.T @ (sample * (p - y)) + reg * (w - w0)
        hess = (x * (sample * p * (1 - p))[:, None]).T @ x + np.diag(reg)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return {name: float(w[i]) for name, i in index.items()}, float(w[-1])
