"""The gradient check: backprop's gradient against centred differences, weight by weight (pure).

``check`` takes a ``core.step.Step`` and gives a ``Check``; ``ui.draw.gradcheck`` draws it. With ``mistake``
the analytic ∂L/∂W_O is the lecture demo's published one (``core.gradcheck.misordered_output_gradient``,
bias stacked last), so the student sees the check catch it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from core import gradcheck, graph
from core.step import Step, objective_after

EPS = 1e-6
REL_TOL = 1e-5          # a relative error above this fails, unless the gap is within round-off
ROUND_OFF = 20 * np.finfo(float).eps   # × L/ε: how far round-off alone moves a centred difference
MAX_LOSS, MAX_WEIGHT = 1e6, 1e3        # beyond these, a nudge of ε drowns in round-off


MAX_CHECKED = 400                      # weights checked one by one; a larger network: a spread sample


class Check(NamedTuple):
    """One gradient check: a row per weight, the verdict and what a step with this gradient does."""

    frame: pd.DataFrame          # weight, analytic, numerical, relative error, verdict
    worst: float                 # largest relative error
    failed: list[str]            # names of the weights that fail
    finite: bool                 # False when the numbers are too large to compare
    dW_O: np.ndarray             # the analytic ∂L/∂W_O that was checked
    loss_after: float            # loss after one step with the checked gradient
    total: int = 0               # weights in the network (the frame may hold a sample of them)
    focus: tuple = ()            # row positions (in ``frame``) of the weights into the chosen units

    @property
    def passed(self) -> bool:
        return self.finite and not self.failed


def _entries(shapes, focus_units: dict) -> list[tuple[int, int, int]]:
    """(layer, row, col) of the weights to check: all of them, or — past MAX_CHECKED — the weights
    into the chosen units, the output's, and an even spread of the rest."""
    every = [(l, i, j) for l, shape in enumerate(shapes) for i in range(shape[0]) for j in range(shape[1])]
    if len(every) <= MAX_CHECKED:
        return every
    must = {e for e in every if e[0] == len(shapes) - 1 or focus_units.get(e[0]) == e[2]}
    rest = [e for e in every if e not in must]
    spread = [rest[t] for t in np.unique(np.linspace(0, len(rest) - 1, max(MAX_CHECKED - len(must), 0)).astype(int))]
    return sorted(must | set(spread))


def check(s: Step, mistake: bool = False, eps: float = EPS, focus_units: dict | None = None) -> Check:
    """Compare ``s``'s analytic gradient (or the demo's misordered ∂L/∂W_O) with centred differences.

    ``focus_units``: layer index → the chosen unit's column (0-based), whose rows are marked.
    """
    focus_units = focus_units or {}
    grads = list(s.backward.dW)
    if mistake:
        grads[-1] = gradcheck.misordered_output_gradient(s.forward.u[-2], s.backward.delta[-1]) + s.dW_decay[-1]
    entries = _entries([W.shape for W in s.weights], focus_units)
    num = gradcheck.numerical_gradients(s.X_aug, s.y, s.weights, s.activation, s.weight_decay, eps=eps,
                                        only=set(entries), loss=s.loss_kind)
    names = graph.matrix_names(len(s.weights) - 1)
    labels = [f"{names[l]}[{i},{j + 1}]" for l, i, j in entries]
    analytic = np.array([grads[l][i, j] for l, i, j in entries])
    numerical = np.array([num[l][i, j] for l, i, j in entries])
    biggest = max(float(np.abs(W).max()) for W in s.weights)
    finite = bool(np.all(np.isfinite(analytic)) and np.all(np.isfinite(numerical))
                  and s.objective <= MAX_LOSS and biggest <= MAX_WEIGHT)
    with np.errstate(all="ignore"):
        rel = gradcheck.relative_error(analytic, numerical)
        within_round_off = np.abs(analytic - numerical) <= ROUND_OFF * s.objective / eps
        bad = (rel > REL_TOL) & ~within_round_off
    if finite:
        verdicts = np.where(bad, "✗ disagrees", np.where(rel > REL_TOL, "✓ within round-off", "✓ agrees"))
    else:
        verdicts = np.full(len(labels), "— cannot check")
    target = "J" if s.weight_decay else "L"
    frame = pd.DataFrame({"weight": labels, f"backprop ∂{target}/∂w": analytic, f"numerical ∂{target}/∂w": numerical,
                          "relative error": rel, "verdict": verdicts})
    # The weights that fail first, so the table opens on them.
    order = np.argsort(~(bad & finite), kind="stable")
    frame = frame.iloc[order].reset_index(drop=True)
    chosen = np.array([focus_units.get(l) == j for l, _, j in entries])[order]
    after = objective_after(s.X_aug, s.y, s.weights, grads, s.eta, s.activation, s.weight_decay, s.loss_kind)
    worst = float(np.nanmax(rel)) if finite and rel.size else float("nan")
    return Check(frame, worst, [n for n, b in zip(labels, bad) if b] if finite else [], finite, grads[-1], after,
                 sum(W.size for W in s.weights), tuple(int(t) for t in np.flatnonzero(chosen)))


def verdict(c: Check) -> tuple[str, str]:
    """(kind, sentence) for the verdict box: "success" when the check passes, "error" when it fails."""
    checked = len(c.frame)
    total = f"all {checked}" if checked >= c.total else f"{checked} (a spread sample) of the {c.total}"
    if not c.finite:
        return "warning", ("The numbers have overflowed at these weights, so the two gradients cannot be "
                           "compared. Pick an earlier epoch or a smaller η.")
    if c.passed:
        return "success", (f"PASS: backprop and the numerical gradient agree for {total} weights "
                           f"(largest relative error {c.worst:.1e}, threshold {REL_TOL:.0e}).")
    shown = ", ".join(c.failed[:6]) + (f" and {len(c.failed) - 6} more" if len(c.failed) > 6 else "")
    return "error", (f"FAIL: {len(c.failed)} of {checked} weights disagree ({shown}); relative errors up to "
                     f"{c.worst:.2f}, far above {REL_TOL:.0e}. This gradient is wrong.")


WHY = ("Is backprop's gradient right? Check it without backprop: nudge one weight by ±ε, run the forward "
       "pass twice and see how much the loss moves. The centred difference approximates ∂L/∂w to about ε², "
       "for every weight in turn. If the two gradients disagree, the backward pass has a bug.")
FORMULAS = (r"\frac{\partial L}{\partial w} \approx \frac{L(w + \varepsilon) - L(w - \varepsilon)}{2\varepsilon}"
            r"\qquad \text{relative error} = \frac{|g_{\text{bp}} - g_{\text{num}}|}{|g_{\text{bp}}| + |g_{\text{num}}|}")
