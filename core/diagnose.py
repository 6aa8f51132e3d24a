"""What a training run went through, read from its History: the instabilities a class will meet.

Plain numpy over a ``History`` (and the prepared data for the units' activations); the pages turn
each ``Finding`` into a sentence (``ui.views.messages.instability``). Divergence is the History's own
``diverged_at``; the rest is found here:

* a **jump** at the start — within the first ``EARLY`` epochs the training loss rises above
  ``JUMP`` times its value at epoch 0 (too large a first step; many hidden units make the summed
  loss's first gradient large);
* a **spike** after a calm stretch — later, the loss climbs above ``JUMP`` times the lowest value
  it had reached, after at least ``CALM`` epochs in which no epoch changed it by more than
  ``STEADY`` (the weights drift into a steeper place than the step size tolerates, are thrown out,
  and settle again: a "catapult");
* **dead** units (ReLU: output 0 for every training row, so g′ = 0 and no gradient reaches their
  weights) and **saturated** units (sigmoid/tanh: g′ below ``FLAT`` of its largest value for every
  row, so their weights barely move), at the last finite epoch, with the epoch since which they
  have been stuck (among the History's kept epochs).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from core import activations, network

EARLY = 10            # epochs that count as "the start"
JUMP = 2.0            # a rise to this many times the reference loss
CALM = 50             # epochs of steady change before a spike
STEADY = 0.02         # the largest relative change of one epoch in a steady stretch
FLAT = 0.02           # g′ below this share of g′'s largest value: saturated
MAX_SLOPE = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0}


class Finding(NamedTuple):
    """One thing the run went through: ``kind`` ("jump", "spike", "dead", "saturated"), the epoch it
    shows at, and the numbers a sentence about it needs."""

    kind: str
    epoch: int
    values: dict


def jump(losses: np.ndarray) -> Finding | None:
    """A rise above JUMP × the loss at epoch 0 within the first EARLY epochs (training losses (E+1,))."""
    L = np.asarray(losses, dtype=float)
    start = L[1:EARLY + 1]
    if not len(start) or not L[0] > 0 or start.max() < JUMP * L[0]:
        return None
    peak = int(np.argmax(start)) + 1
    return Finding("jump", peak, {"before": float(L[0]), "first": float(L[1]), "peak": float(L[peak]),
                                  "ratio": float(L[peak] / L[0]), "first_ratio": float(L[1] / L[0])})


def spike(losses: np.ndarray) -> Finding | None:
    """The first rise, after epoch EARLY, above JUMP × the lowest loss so far that follows a steady
    stretch of at least CALM epochs."""
    L = np.asarray(losses, dtype=float)
    if len(L) < EARLY + CALM + 2:
        return None
    low = np.minimum.accumulate(L)
    with np.errstate(all="ignore"):
        change = np.abs(np.diff(L) / L[:-1])
    for e in np.flatnonzero(L[1:] > JUMP * low[:-1]) + 1:
        if e <= EARLY:
            continue
        start = int(np.flatnonzero(L[:e] == low[e - 1])[-1])      # where the rise began
        if start < CALM or change[start - CALM:start].max() > STEADY:
            continue
        peak = e + int(np.argmax(L[e:e + 10 * CALM]))
        after = L[peak:]
        return Finding("spike", int(start), {"before": float(L[start]), "peak": float(L[peak]), "peak_epoch": int(peak),
                                             "recovered": bool(after.min() < 1.5 * L[start]),
                                             "after": float(after.min())})
    return None


def stuck_units(history, prepared) -> list[Finding]:
    """Dead (ReLU) or saturated (sigmoid, tanh) hidden units at the last finite epoch, per layer."""
    act = history.activation
    g = activations.get(act)
    X = prepared.X_train_aug

    def stuck_at(weights) -> list[np.ndarray]:
        fwd = network.forward_pass(X, list(weights), act)
        if act == "relu":
            return [np.all(u <= 0, axis=0) for u in fwd.u[:-1]]
        return [np.all(g.der(z, u) < FLAT * MAX_SLOPE[act], axis=0) for z, u in zip(fwd.z[:-1], fwd.u[:-1])]

    with np.errstate(all="ignore"):
        now = stuck_at(history.at(history.last_epoch).weights)
        if not any(mask.any() for mask in now):
            return []
        # Since when: the first kept epoch after which each unit stayed stuck.
        kept = [int(e) for e in history.kept_epochs if e <= history.last_epoch]
        since = [np.full(mask.shape, history.last_epoch) for mask in now]
        still = [mask.copy() for mask in now]
        for e in reversed(kept[:-1]):
            for l, mask in enumerate(stuck_at(history.at(e).weights)):
                still[l] &= mask
                since[l] = np.where(still[l], e, since[l])
    kind = "dead" if act == "relu" else "saturated"
    return [Finding(kind, int(since[l][mask].min()), {"layer": l + 1, "units": [int(j) + 1 for j in np.flatnonzero(mask)],
                                                        "of": int(mask.size), "activation": act})
            for l, mask in enumerate(now) if mask.any()]


def instabilities(history, prepared) -> list[Finding]:
    """Everything above that this run went through, in the order it happened."""
    losses = history.losses[:, 0]
    found = [f for f in (jump(losses), spike(losses)) if f is not None] + stuck_units(history, prepared)
    return sorted(found, key=lambda f: f.epoch)
