"""The gradient check: backprop's gradient against centred differences, weight by weight (pure).

``check`` takes a ``core.step.Step`` and gives a ``Check``; ``ui.draw.gradcheck`` draws it. With ``mistake``
the analytic ∂L/∂W_O is the lecture demo's published one (``core.gradcheck.misordered_output_gradient``,
bias stacked last), so the student sees the check catch it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from core import gradcheck
from core.step import Step, loss_after_step

EPS = 1e-6
REL_TOL = 1e-5          # a relative error above this fails, unless the gap is within round-off
ROUND_OFF = 20 * np.finfo(float).eps   # × L/ε: how far round-off alone moves a centred difference
MAX_LOSS, MAX_WEIGHT = 1e6, 1e3        # beyond these, a nudge of ε drowns in round-off


class Check(NamedTuple):
    """One gradient check: a row per weight, the verdict and what a step with this gradient does."""

    frame: pd.DataFrame          # weight, analytic, numerical, relative error, verdict
    worst: float                 # largest relative error
    failed: list[str]            # names of the weights that fail
    finite: bool                 # False when the numbers are too large to compare
    dW_O: np.ndarray             # the analytic ∂L/∂W_O that was checked
    loss_after: float            # loss after one step with the checked gradient

    @property
    def passed(self) -> bool:
        return self.finite and not self.failed


def check(s: Step, mistake: bool = False, eps: float = EPS) -> Check:
    """Compare ``s``'s analytic gradient (or the demo's misordered ∂L/∂W_O) with centred differences."""
    dW_H = s.bwd.dW_H
    dW_O = gradcheck.misordered_output_gradient(s.fwd.u_H, s.bwd.delta_O) if mistake else s.bwd.dW_O
    num = gradcheck.numerical_gradient(s.X_aug, s.y, s.W_H, s.W_O, s.activation, eps=eps)
    names = [f"W_H[{i},{j + 1}]" for i in range(dW_H.shape[0]) for j in range(dW_H.shape[1])]
    names += [f"W_O[{j},{k + 1}]" for j in range(dW_O.shape[0]) for k in range(dW_O.shape[1])]
    analytic = np.concatenate([dW_H.ravel(), dW_O.ravel()])
    numerical = np.concatenate([num.dW_H.ravel(), num.dW_O.ravel()])
    finite = bool(np.all(np.isfinite(analytic)) and np.all(np.isfinite(numerical))
                  and s.loss <= MAX_LOSS and max(np.abs(s.W_H).max(), np.abs(s.W_O).max()) <= MAX_WEIGHT)
    with np.errstate(all="ignore"):
        rel = gradcheck.relative_error(analytic, numerical)
        within_round_off = np.abs(analytic - numerical) <= ROUND_OFF * s.loss / eps
        bad = (rel > REL_TOL) & ~within_round_off
    if finite:
        verdicts = np.where(bad, "✗ disagrees", np.where(rel > REL_TOL, "✓ within round-off", "✓ agrees"))
    else:
        verdicts = np.full(len(names), "— cannot check")
    frame = pd.DataFrame({"weight": names, "backprop ∂L/∂w": analytic, "numerical ∂L/∂w": numerical,
                          "relative error": rel, "verdict": verdicts})
    # The weights that fail first, so the table opens on them.
    frame = frame.iloc[np.argsort(~(bad & finite), kind="stable")].reset_index(drop=True)
    after = loss_after_step(s.X_aug, s.y, s.W_H, s.W_O, dW_H, dW_O, s.eta, s.activation)
    worst = float(np.nanmax(rel)) if finite and rel.size else float("nan")
    return Check(frame, worst, [n for n, b in zip(names, bad) if b] if finite else [], finite, dW_O, after)


def verdict(c: Check) -> tuple[str, str]:
    """(kind, sentence) for the verdict box: "success" when the check passes, "error" when it fails."""
    total = len(c.frame)
    if not c.finite:
        return "warning", ("The numbers have overflowed at these weights, so the two gradients cannot be "
                           "compared. Pick an earlier epoch or a smaller η.")
    if c.passed:
        return "success", (f"PASS: backprop and the numerical gradient agree for all {total} weights "
                           f"(largest relative error {c.worst:.1e}, threshold {REL_TOL:.0e}).")
    shown = ", ".join(c.failed[:6]) + (f" and {len(c.failed) - 6} more" if len(c.failed) > 6 else "")
    return "error", (f"FAIL: {len(c.failed)} of {total} weights disagree ({shown}); relative errors up to "
                     f"{c.worst:.2f}, far above {REL_TOL:.0e}. This gradient is wrong.")


WHY = ("Is backprop's gradient right? Check it without backprop: nudge one weight by ±ε, run the forward "
       "pass twice and see how much the loss moves. The centred difference approximates ∂L/∂w to about ε², "
       "for every weight in turn. If the two gradients disagree, the backward pass has a bug.")
FORMULAS = (r"\frac{\partial L}{\partial w} \approx \frac{L(w + \varepsilon) - L(w - \varepsilon)}{2\varepsilon}"
            r"\qquad \text{relative error} = \frac{|a - n|}{|a| + |n|}")
