"""Questions a lecturer can ask the class about the step or run on screen, built from its numbers (pure).

Each question is what ``ClassStore.pose`` takes: ``{"text", "choices", "answer", "explain"}``, the
answer computed by ``core`` (the step the page shows: ``ctx.step``) and the explanation one line
of the lesson. Predict, then observe: every question is about a number the page shows once the
step is taken, so the lecturer asks before moving on. ``summary_csv`` writes a class's questions
and counts for the lecturer to take home.
"""

from __future__ import annotations

import csv
import io
from typing import Sequence

import numpy as np

from core.graph import layer_name, unit_label
from core.history import History
from ui.views.step_model import Context

MAX_WEIGHTS = 12          # the store takes up to 12 choices


def for_step(ctx: Context, step_no: int) -> list[dict]:
    """The questions about step ``step_no`` (1 … 6) of ``ctx``, sample n and unit j as on screen."""
    ask = {1: [_y_hat], 2: [_loss_down], 3: [_delta_sign_O], 4: [_delta_sign_H], 5: [_moves_most],
           6: [_weight_direction, _loss_down]}[step_no]
    return [question for make in ask if (question := make(ctx)) is not None]


def for_steps(ctx: Context, steps: Sequence[int]) -> list[dict]:
    """The questions of several steps, in order, each once."""
    out: list[dict] = []
    for number in steps:
        out += [q for q in for_step(ctx, number) if q not in out]
    return out


def _where(ctx: Context) -> str:
    """Where a question about one sample points: "epoch 0, sample n = 4"."""
    return f"epoch {ctx.epoch}, sample n = {ctx.n}"


def _y_hat(ctx: Context) -> dict | None:
    """Four values to two decimals, one of them ŷ of sample n (its first output)."""
    y_hat = float(ctx.step.forward.y_hat[ctx.n - 1, 0])
    if not np.isfinite(y_hat):
        return None
    spread = max(0.05, round(abs(y_hat) * 0.25, 2))
    shifts = (-1, 0, 1, 2) if ctx.n % 2 == 0 else (-2, -1, 0, 1)
    choices = [f"{y_hat + k * spread:.2f}" for k in shifts]
    if len(set(choices)) < len(choices):
        return None
    return {"text": f"Forward pass ({_where(ctx)}): what is ŷ, to two decimals?", "choices": choices,
            "answer": f"{y_hat:.2f}",
            "explain": f"ŷ = {ctx.digits.text(y_hat)}: each layer computes z = [1, u]·W, then u = g(z), and the "
                       "output layer passes z on."}


def _loss_down(ctx: Context) -> dict | None:
    before = ctx.step.loss + ctx.step.penalty
    after = ctx.step.loss_after + ctx.step.penalty_after
    if not np.isfinite(before):
        return None
    down = bool(np.isfinite(after) and after < before)
    shown = ctx.digits.text(after) if np.isfinite(after) else "not a number (it overflowed)"
    return {"text": f"Will L go down after this step's update ({_where(ctx)})?", "choices": ["yes", "no"],
            "answer": "yes" if down else "no",
            "explain": f"L goes from {ctx.digits.text(before)} to {shown}: a small enough step against the "
                       "gradient lowers the loss; too large a step (η) can overshoot."}


def _sign(x: float) -> str:
    return "positive" if x > 0 else "negative" if x < 0 else "zero"


def _delta_sign_O(ctx: Context) -> dict | None:
    delta = float(ctx.step.backward.delta[-1][ctx.n - 1, 0])
    if not np.isfinite(delta):
        return None
    return {"text": f"What sign does the output delta δ_O have ({_where(ctx)})?",
            "choices": ["positive", "negative", "zero"], "answer": _sign(delta),
            "explain": f"δ_O = ŷ − y = {ctx.digits.text(delta)}: positive when the prediction is above the "
                       "target, negative when it is below."}


def _delta_sign_H(ctx: Context) -> dict | None:
    layer = ctx.depth                      # the hidden layer next to the output, whose δ comes first
    unit = ctx.unit(layer)
    delta = float(ctx.step.backward.delta[layer - 1][ctx.n - 1, unit - 1])
    if not np.isfinite(delta):
        return None
    name = unit_label(layer, ctx.depth, unit)
    return {"text": f"What sign does δ of {name} have ({_where(ctx)})?",
            "choices": ["positive", "negative", "zero"], "answer": _sign(delta),
            "explain": f"δ of {name} = g′(z) · Σ (weight to the layer above · its δ) = {ctx.digits.text(delta)}: "
                       "g′ of the sigmoid and tanh is positive, so the sign comes from the sum."}


def _moves_most(ctx: Context) -> dict | None:
    """Among the first weights into output unit 1, the one the update moves most."""
    dW = np.asarray(ctx.step.backward.dW[-1])[:MAX_WEIGHTS, 0]
    if len(dW) < 2 or not np.all(np.isfinite(dW)):
        return None
    matrix = f"W_{layer_name(ctx.depth + 1, ctx.depth)}"
    names = [f"{matrix}[{i},1]" for i in range(len(dW))]
    most = int(np.argmax(np.abs(dW)))
    return {"text": f"Which weight into the output moves most in this update (epoch {ctx.epoch})?",
            "choices": names, "answer": names[most],
            "explain": f"Each weight moves by −η·∂L/∂W; {names[most]} has the gradient largest in size, "
                       f"{ctx.digits.text(float(dW[most]))}."}


def _weight_direction(ctx: Context) -> dict | None:
    matrix = f"W_{layer_name(ctx.depth + 1, ctx.depth)}"
    old, new = float(ctx.step.weights[-1][1, 0]), float(ctx.step.weights_new[-1][1, 0])
    if not (np.isfinite(old) and np.isfinite(new)):
        return None
    way = "up" if new > old else "down" if new < old else "it stays"
    return {"text": f"Will {matrix}[1,1] go up or down in this update (epoch {ctx.epoch})?",
            "choices": ["up", "down", "it stays"], "answer": way,
            "explain": f"{matrix}[1,1] goes from {ctx.digits.text(old)} to {ctx.digits.text(new)}: it moves "
                       "against the sign of its gradient."}


def for_run(h: History, n_test: int) -> list[dict]:
    """The questions about a whole training run (the Training page): whether the loss ever rose, and
    where the test rows end up against the training rows. ``n_test``: the test rows (0: no split)."""
    last = h.last_epoch
    if last < 1:
        return []
    train = h.losses[:, 0]
    rises = np.flatnonzero(np.diff(train) > 0)
    out = [{"text": f"Does the training loss L ever go up from one epoch to the next in these {last:,} epochs?",
            "choices": ["yes", "no"], "answer": "yes" if len(rises) else "no",
            "explain": (f"Yes: first from epoch {rises[0]:,} to {rises[0] + 1:,}. " if len(rises) else "No: ")
                       + "each update lowers L for small enough steps; too large an η, or mini-batches, "
                         "let it jump."}]
    if n_test > 0:
        per_train, per_test = h.losses[last, 0] / h.n_train, h.losses[last, 1] / n_test
        out.append({"text": f"After {last:,} epochs, is the loss per row higher on the test rows or on the "
                            "training rows?", "choices": ["test rows", "training rows"],
                    "answer": "test rows" if per_test > per_train else "training rows",
                    "explain": f"Per row: test {per_test:.4g}, training {per_train:.4g}. The weights were fitted "
                               "to the training rows; the test rows show how well that carries over."})
    return out


def summary_csv(rows) -> str:
    """A class's summary as CSV text: one line per question and choice, with its count and whether it
    is the right answer. ``rows`` are ``QuestionSummary`` values (text, choices, counts, answer)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["question", "text", "choice", "answers", "right answer"])
    for number, row in enumerate(rows, start=1):
        for choice in row.choices:
            writer.writerow([number, row.text, choice, row.counts.get(choice, 0),
                             "yes" if choice == row.answer else ""])
    return out.getvalue()
