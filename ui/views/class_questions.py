"""Questions a lecturer can ask the class about the step or run on screen, built from its numbers (pure).

Each question is what ``ClassStore.pose`` takes: ``{"text", "choices", "answer", "explain"}``, the
answer computed by ``core`` (the step the page shows: ``ctx.step``) and the explanation one line
of the lesson. Predict, then observe: every question is about a number the page shows once the
step is taken, so the lecturer asks before moving on. The classification lesson (``classes``
given) asks about its own numbers: the class predicted, δ_O = ŷ − y, the accuracy.
``summary_frame`` writes a class's questions and counts for the lecturer to take home.
"""

from __future__ import annotations

import functools
from typing import Sequence

import numpy as np
import pandas as pd

from core import evaluate, network
from core.graph import layer_name, unit_label
from core.history import History
from ui.views.step_model import Context

MAX_WEIGHTS = 12          # the store takes up to 12 choices
CHOICE_CHARS = 120        # ... each of at most 120 characters


def for_step(ctx: Context, step_no: int, classes: Sequence | None = None) -> list[dict]:
    """The questions about step ``step_no`` (1 … 6) of ``ctx``, sample n and unit j as on screen;
    ``classes`` (the class names, in the order of ŷ's columns) for the classification lesson."""
    if classes is None:
        ask = {1: [_y_hat], 2: [_loss_down], 3: [_delta_sign_O], 4: [_delta_sign_H], 5: [_moves_most],
               6: [_weight_direction, _loss_down]}[step_no]
        return [question for make in ask if (question := make(ctx)) is not None]
    ask = {1: [functools.partial(_predicted_class, classes=classes)], 2: [_loss_down, _accuracy_up],
           3: [_delta_O_value], 4: [_delta_sign_H], 5: [_moves_most], 6: [_weight_direction, _accuracy_up]}[step_no]
    return [question for make in ask if (question := make(ctx)) is not None]


def for_steps(ctx: Context, steps: Sequence[int], classes: Sequence | None = None) -> list[dict]:
    """The questions of several steps, in order, each once."""
    out: list[dict] = []
    for number in steps:
        out += [q for q in for_step(ctx, number, classes) if q not in out]
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
    if layer == 0:                         # no hidden layer: no hidden δ
        return None
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


# ----------------------------------------------------------------------------- classification


def _own_class(y_row) -> int:
    """A target row's class index: 0/1 for one column, the one-hot's column for several."""
    return int(evaluate.predicted_class(np.atleast_2d(y_row))[0])


def _predicted_class(ctx: Context, classes: Sequence) -> dict | None:
    """Which class the forward pass gives sample n: the most probable (ŷ > ½ with two classes)."""
    y_hat = np.asarray(ctx.step.y_hat[ctx.n - 1], dtype=float)
    if not np.all(np.isfinite(y_hat)) or len(classes) < 2:
        return None
    names = [str(c)[:CHOICE_CHARS] for c in classes]
    if len(set(names)) < len(names) or len(names) > MAX_WEIGHTS:
        return None
    k = _own_class(y_hat)
    if len(y_hat) == 1:
        said = (f"ŷ = σ(z_O) = {ctx.digits.text(float(y_hat[0]))} is the probability of {names[1]}: above ½ the "
                f"network predicts {names[1]}, below it {names[0]}.")
    else:
        said = (f"softmax gives {names[k]} the largest probability, {ctx.digits.text(float(y_hat[k]))}: the "
                "predicted class is the most probable one.")
    return {"text": f"Forward pass ({_where(ctx)}): which class does the network predict?", "choices": names,
            "answer": names[k], "explain": said}


def _delta_O_value(ctx: Context) -> dict | None:
    """δ_O = ŷ − y of sample n to two decimals (with several classes, its own class's component)."""
    r = ctx.n - 1
    k = _own_class(ctx.step.y[r]) if ctx.n_outputs > 1 else 0
    y_hat, y = float(ctx.step.y_hat[r, k]), float(ctx.step.y[r, k])
    delta = float(ctx.step.backward.delta[-1][r, k])
    if not np.isfinite(delta):
        return None
    shifts = (-1, 0, 1, 2) if ctx.n % 2 == 0 else (-2, -1, 0, 1)
    choices = [f"{delta + s * 0.1:.2f}" for s in shifts]
    if len(set(choices)) < len(choices) or f"{delta:.2f}" == "-0.00":
        return None
    which = f"δ_O of its own class k = {k + 1}" if ctx.n_outputs > 1 else "δ_O"
    return {"text": f"Output delta ({_where(ctx)}): what is {which}, to two decimals?", "choices": choices,
            "answer": f"{delta:.2f}",
            "explain": f"δ_O = ŷ − y = {ctx.digits.text(y_hat)} − {ctx.digits.text(y)} = {ctx.digits.text(delta)}: "
                       "with the cross-entropy the output's slopes cancel, leaving the probability's error."}


def step_accuracy(ctx: Context) -> tuple[float, float]:
    """(before, after): the share of this step's rows whose predicted class is their own, with the
    weights before the update and after it (``core.evaluate.accuracy`` on ``core.network``'s ŷ)."""
    s = ctx.step
    after = network.forward_pass(s.X_aug, s.weights_new, s.activation, s.loss_kind).y_hat
    return evaluate.accuracy(s.y, s.y_hat), evaluate.accuracy(s.y, after)


def _accuracy_up(ctx: Context) -> dict | None:
    before, after = step_accuracy(ctx)
    if not (np.isfinite(before) and np.isfinite(after)):
        return None
    way = "up" if after > before else "down" if after < before else "it stays"
    return {"text": f"Will the accuracy on this step's {ctx.N} training rows go up or down after the update "
                    f"(epoch {ctx.epoch})?", "choices": ["up", "down", "it stays"], "answer": way,
            "explain": f"It goes from {100 * before:.1f} % to {100 * after:.1f} %: a row counts as right when its "
                       "most probable class is its own, so the accuracy moves only when a row's probabilities "
                       "cross over (ŷ crosses ½ with two classes), whichever way L moves."}



def for_run(h: History, n_test: int, targets: tuple | None = None) -> list[dict]:
    """The questions about a whole training run (the Training page): whether the loss ever rose, and
    where the test rows end up against the training rows. ``n_test``: the test rows (0: no split);
    ``targets`` (y_train, y_test) for the classification lesson, which also asks about accuracy."""
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
    if targets is not None and n_test > 0 and (q := _run_accuracy(h, *targets)) is not None:
        out.append(q)
    return out


def _run_accuracy(h: History, y_train, y_test) -> dict | None:
    """After the last epoch, which rows the network classifies better: the training or the test rows."""
    snap = h.at(h.last_epoch)
    train, test = evaluate.accuracy(y_train, snap.y_hat_train), evaluate.accuracy(y_test, snap.y_hat_test)
    if not (np.isfinite(train) and np.isfinite(test)):
        return None
    shown = f"{100 * train:.1f} %", f"{100 * test:.1f} %"
    answer = "the same" if shown[0] == shown[1] else "training rows" if train > test else "test rows"
    return {"text": f"After {h.last_epoch:,} epochs, is the accuracy higher on the training rows or on the "
                    "test rows?", "choices": ["training rows", "test rows", "the same"], "answer": answer,
            "explain": f"Accuracy: training {shown[0]}, test {shown[1]} — the share of rows whose most probable "
                       "class is their own. The weights were fitted to the training rows; the test rows show "
                       "how well that carries over."}


def summary_frame(rows) -> pd.DataFrame:
    """A class's summary: one line per question and choice, with its count and whether it is the
    right answer. ``rows`` are ``QuestionSummary`` values (text, choices, counts, answer). Offered
    as CSV through ``exports.to_csv``, as every CSV the app offers."""
    lines = [{"question": number, "text": row.text, "choice": choice, "answers": row.counts.get(choice, 0),
              "right answer": "yes" if choice == row.answer else ""}
             for number, row in enumerate(rows, start=1) for choice in row.choices]
    return pd.DataFrame(lines, columns=["question", "text", "choice", "answers", "right answer"])
