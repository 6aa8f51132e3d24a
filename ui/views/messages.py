"""The app's sentences about a run: divergence, what η to try, the spread over seeds.

Markdown written by the app only (no user text), so pages can show them as they are.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from core.graph import unit_label


def smaller_eta(eta: float, choices: Sequence[float]) -> float | None:
    """The η to suggest instead of ``eta`` when a run diverged: the largest choice at most a tenth of
    ``eta`` (or the smallest choice; None when there is none). For one step from given weights,
    ``core.step.largest_lowering_eta`` finds the largest η that lowers the loss instead."""
    below = sorted((c for c in choices if c < eta), reverse=True)
    tenth = [c for c in below if c <= eta / 10]
    return tenth[0] if tenth else (min(choices) if choices else None)


def divergence(h, eta: float, smaller: float | None, why: bool = False) -> str:
    """The one divergence message: when, (with ``why``) why it happens, what to try."""
    e, last = h.diverged_at, max(h.last_epoch, 0)
    text = f"**Training diverged at epoch {e:,}** with η = {eta:g}: the loss became too large for a computer to hold."
    try_ = f" Try a smaller learning rate, e.g. η = {smaller:g} (or the lecture's 0.05)." if smaller else \
        " Try a smaller learning rate."
    if not why:
        return text + f" Epochs 0 to {last:,} have finite numbers and can be shown." + try_
    if h.last_epoch < 0 or e == 0:
        when = "The loss is not a finite number even for the initial weights."
    else:
        when = (f"The training loss grew from {h.losses[0, 0]:.4g} at epoch 0 to {h.losses[-1, 0]:.3g} at "
                f"epoch {h.last_epoch:,}.")
    return (f"{text} {when}\n\n"
            f"**Why:** with η = {eta:g} every update W ← W − η·∂L/∂W jumps past the bottom of the "
            "loss valley and lands higher up the other side, where the slope is steeper, so the next "
            "jump is bigger still — the weights swing further out at every step.\n\n"
            f"**What to try:**{try_} The charts below show the finite epochs 0–{last:,}.")


def seed_summary(seeds, final_loss_test, seed: int) -> str:
    """The spread of final test losses over seeds in one or two sentences."""
    loss = np.asarray(final_loss_test, dtype=float)
    seeds = np.asarray(seeds)
    ok = np.isfinite(loss)
    n, bad = len(loss), int((~ok).sum())
    if not ok.any():
        return f"All {n} seeds diverged: no final test loss to compare."
    good, order = loss[ok], np.argsort(loss[ok], kind="stable")
    best, worst = seeds[ok][order[0]], seeds[ok][order[-1]]
    text = (f"Final test loss over {ok.sum()} seeds: lowest **{good.min():.4g}** (seed {best}), median "
            f"**{np.median(good):.4g}**, highest **{good.max():.4g}** (seed {worst}) — the worst is "
            f"{good.max() / good.min():.3g}× the best.")
    mine = loss[seeds == seed]
    if len(mine) and np.isfinite(mine[0]):
        rank = int(np.sum(good < mine[0])) + 1
        text += f" This run's seed {seed}: **{mine[0]:.4g}**, rank {rank} of {ok.sum()}."
    if bad:
        text += f" {bad} of {n} seeds diverged and are left out."
    return text


def instability(f, eta: float, hidden: tuple[int, ...]) -> str:
    """One ``core.diagnose.Finding`` as what happened, why, and what to try (Markdown, app-written)."""
    v = f.values
    units = sum(hidden)
    if f.kind == "jump":
        return (f"**A large jump at the start.** The training loss rose from {v['before']:.4g} at epoch 0 to "
                f"{v['first']:.4g} after the first step ({v['first_ratio']:.3g}×) and {v['peak']:.4g} by epoch "
                f"{f.epoch} before it fell. **Why:** the lecture's loss is a sum over the rows, and every one of the "
                f"{units} hidden units adds its share to the output, so the first gradient is large and a step of "
                f"η = {eta:g} lands far past the valley. **What to try:** a smaller η (e.g. {eta / 10:g}) or fewer "
                "hidden units.")
    if f.kind == "spike":
        back = (f"and fell back to {v['after']:.4g}" if v["recovered"] else "and had not come back down by the "
                "last epoch")
        return (f"**A spike after a calm stretch.** Near epoch {f.epoch:,} the training loss, {v['before']:.4g} "
                f"until then, climbed to {v['peak']:.4g} at epoch {v['peak_epoch']:,} {back}. **Why:** while the "
                "loss falls, the weights can drift into a steeper part of the valley, where a step of "
                f"η = {eta:g} is too long: the step throws them out (the loss spikes) and they settle somewhere "
                "flatter — sometimes called a catapult. **What to try:** a slightly smaller η gives a smooth curve"
                + ("; if the loss recovers, as here, the spike does no harm." if v["recovered"] else "."))
    layer = f"hidden layer {v['layer']}" if len(hidden) > 1 else "the hidden layer"
    which = ", ".join(unit_label(v["layer"], len(hidden), j) for j in v["units"][:8]) + (f" and {len(v['units']) - 8} more" if len(v["units"]) > 8 else "")
    count = f"{len(v['units'])} of the {v['of']} units of {layer} ({which})"
    if f.kind == "dead":
        return (f"**Units that stopped learning: {count} are dead** since epoch {f.epoch:,}. Each outputs 0 "
                "for every training row, so its slope g′ is 0 there and no gradient reaches its weights: they "
                "never change again. **Why:** a large step pushed their sums z below 0 for every row. **What "
                "to try:** a smaller η, another seed, or tanh or sigmoid instead of ReLU.")
    return (f"**Units that stopped learning: {count} are saturated** since epoch {f.epoch:,}. Their sums z are "
            f"so large that the slope g′ of {v['activation']} is almost 0 for every training row, so their "
            "weights barely move. **Why:** large weights, from the start or from a large step, push the sums "
            "far out on the flat parts of the curve. **What to try:** a smaller η, another seed, or fewer units.")


def waiting(what: str, running: bool, ahead: int | None, done: int, total: int, seconds_left: float | None) -> str:
    """The line under a bar while a page waits for the class's shared trainer."""
    if not running:
        before = "" if not ahead else f" — {ahead} run{'s' if ahead != 1 else ''} before yours"
        return f"{what}: waiting for the trainer the class shares{before}…"
    if total <= 0:
        return f"{what}: starting…"
    left = "" if seconds_left is None else f" — about {max(1, round(seconds_left))} s left"
    return f"{what}: epoch {done:,} of {total:,}{left}"
