"""Classification in words, tables and numbers: pure functions for the pages (no Streamlit).

Probabilities ``y_hat`` are (N, 1) for two classes (the probability of ``classes[1]``) or (N, K)
for K classes; targets ``y`` likewise (0/1 or one-hot), as ``core.data.prepare`` makes them.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from core import evaluate
from ui.views import numbers
from ui.views.safe import md

SCORES = ("accuracy", "cross-entropy per row")


def class_index(y) -> np.ndarray:
    """Each row's class index (N,) from 0/1 targets, one-hot rows or probabilities."""
    return evaluate.predicted_class(np.asarray(y, dtype=float))


def probabilities(y_hat) -> np.ndarray:
    """(N, K) probabilities of every class, also for the one sigmoid output of two classes."""
    y_hat = np.asarray(y_hat, dtype=float)
    return np.hstack([1 - y_hat, y_hat]) if y_hat.shape[1] == 1 else y_hat


def confusion(y, y_hat, classes: Sequence) -> pd.DataFrame:
    """Counts of rows by true class (rows) and predicted class (columns), every class listed."""
    K = len(classes)
    counts = np.zeros((K, K), dtype=int)
    np.add.at(counts, (class_index(y), class_index(y_hat)), 1)
    names = [str(c) for c in classes]
    return pd.DataFrame(counts, index=[f"true {c}" for c in names], columns=[f"predicted {c}" for c in names])


def score_values(y, y_hat, loss: float) -> tuple[float, float]:
    """(accuracy, cross-entropy per row) of one split at one epoch; ``loss`` is the summed cross-entropy."""
    return evaluate.accuracy(y, y_hat), float(loss) / max(len(y), 1)


def score_text(accuracy: float, per_row: float) -> list[str]:
    """The two numbers as every view prints them: "97.5 %" and "0.0712"."""
    return [f"{100 * accuracy:.1f} %" if np.isfinite(accuracy) else "—", numbers.spec(per_row, ".4g")]


def sample_sentence(sample: int, y_hat_row, y_row, classes: Sequence) -> str:
    """What the network says about training sample ``sample`` (Markdown, class names escaped)."""
    p = probabilities(np.atleast_2d(y_hat_row))[0]
    truth, guess = int(class_index(np.atleast_2d(y_row))[0]), int(np.argmax(p))
    name = [md(str(c), 40) for c in classes]
    fmt = numbers.fixed
    if len(classes) == 2:
        said = f"ŷ = σ(z_O) = **{fmt(p[1])}**, the probability of class {name[1]}"
    else:
        said = "ŷ = softmax(z_O) = [" + ", ".join(fmt(v) for v in p) + "], one probability per class"
    verdict = "right" if guess == truth else "wrong"
    return (f"Sample n = {sample}: {said}, so the predicted class is **{name[guess]}**; its class is "
            f"**{name[truth]}** ({verdict}).")
