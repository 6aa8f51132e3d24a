"""The six steps of one gradient-descent step as content: the equation, the same with live numbers, tables.

Pure builders: a ``Context`` (one ``core.step.Step``, the sample and hidden unit picked) in, a
``StepView`` out — LaTeX strings, app-written Markdown, tables and what the network diagram should
light up (``ui.views.step_model``). Steps 1–3 are here, the backward steps 4–6 in
``ui.views.steps_back``; ``ui.draw.step`` draws a view with Streamlit. Any number of hidden
layers: with one, every symbol is the lecture's (z_H, w^H_{i,j}, …).
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from core import activations
from core.graph import sub, unit_label
from ui.views import steps_back
from ui.views.numbers import aligned, plain, short
from ui.views import tables
from ui.views.tables import dims
from ui.views.symbols import sym
from ui.views.step_model import (OUT, TERMS, TITLES, Context, Diagram, Metric, Note, StepView, Table, X, all_nodes,
                                 chosen_path, each_unit, focus_line, layer_labels, sample_rows, weight_values)


def chain(lhs: str, parts: Sequence[str], per_line: int = 3) -> list[str]:
    """``lhs = a + b + …`` as aligned lines of at most ``per_line`` terms, so a projector never cuts them."""
    return [(rf"{lhs} &= " if start == 0 else r"&\quad + ") + " + ".join(parts[start:start + per_line])
            for start in range(0, len(parts), per_line)]


def unit_sum(ctx: Context, layer: int) -> str:
    """z of the chosen unit of layer ``layer`` for the chosen sample, written out term by term."""
    num, par = ctx.digits.latex, ctx.digits.paren
    s, n, r = ctx.step, ctx.n, ctx.n - 1
    out = layer > ctx.depth
    j_layer = 1 if out else ctx.unit(layer)
    L, W, a = ctx.name(layer), s.weights[layer - 1], s.forward.a[layer - 1][r]
    z = s.forward.z[layer - 1][r, j_layer - 1]

    def w(i):
        return rf"w^{{O}}_{{{i}}}" if out else rf"w^{{{L}}}_{{{i},{j_layer}}}"

    if out and len(a) > 4:                  # the output's sum: its bias, the chosen unit, the others
        j = ctx.unit(ctx.depth)
        rest = z - a[0] * W[0, 0] - a[j] * W[j, 0]
        symbols = [w(0), rf"{ctx.source(layer, n, j)}\,{w(j)}",
                   rf"\sum_{{k \ne {j}}} {ctx.source(layer, n, 'k')}\,w^{{O}}_{{k}}"]
        numbers = [num(W[0, 0]), rf"{par(a[j])} \times {par(W[j, 0])}",
                   rf"\underbrace{{{par(rest)}}}_{{\scriptstyle\text{{the other {len(a) - 2} units}}}}"]
    elif len(a) > TERMS:                    # a wide layer below: the first two inputs and the rest
        rest = z - a[0] * W[0, j_layer - 1] - a[1] * W[1, j_layer - 1]
        symbols = [rf"{ctx.source(layer, n, i)}\,{w(i)}" for i in (0, 1)] + \
            [rf"\sum_{{i \ge 2}} {ctx.source(layer, n, 'i')}\,{w('i')}"]
        numbers = [rf"{par(a[i])} \times {par(W[i, j_layer - 1])}" for i in (0, 1)] + \
            [rf"\underbrace{{{par(rest)}}}_{{\scriptstyle\text{{the other {len(a) - 2} inputs}}}}"]
    else:
        symbols = [w(0) if out else rf"{ctx.source(layer, n, 0)}\,{w(0)}"] + \
            [rf"{ctx.source(layer, n, i)}\,{w(i)}" for i in range(1, len(a))]
        numbers = [num(W[0, j_layer - 1]) if out else rf"{par(a[0])} \times {par(W[0, j_layer - 1])}"] + \
            [rf"{par(a[i])} \times {par(W[i, j_layer - 1])}" for i in range(1, len(a))]
    lhs = rf"\hat y_{{{n}}} = z^{{O}}_{{{n}}}" if out else rf"z^{{{L}}}_{{{n},{j_layer}}}"
    return aligned(chain(lhs, symbols) + chain("", numbers, per_line=2) + [rf"&= {num(z)}"])


def g_numbers(act: str, z: float, d) -> str:
    if act == "sigmoid":
        return rf"\frac{{1}}{{1 + e^{{-{d.paren(z)}}}}}"
    if act == "tanh":
        return rf"\tanh {d.paren(z)}"
    return rf"\max\left(0,\ {d.latex(z)}\right)"


def general_forward(ctx: Context, g) -> list[str]:
    """The forward pass in symbols, layer by layer (the lecture's three lines for one hidden layer)."""
    blocks = []
    for layer in range(1, ctx.depth + 2):
        L, below = ctx.name(layer), ctx.name(layer - 1) if layer > 1 else None
        a = r"X_{\mathrm{aug}}" if below is None else rf"[1,\ {sym('u', below)}]"
        # a sum's upper limit is a script already: its own index is kept at script size (0.7), not
        # script-script (0.5), so that it is as large as every other index on a projector
        letters = "I" if below is None else ("H" if ctx.depth == 1 else below)
        size = rf"N_{{\scriptstyle {letters}}}"
        source = ctx.source(layer, "n", "i") if layer == 1 else rf"u^{{{below}}}_{{n,i}}"
        if L == "O":
            blocks.append(aligned([rf"\hat y = z_O &= {a}\,W_O",
                                   rf"\hat y_n &= w^{{O}}_{{0}} + \sum_{{j=1}}^{{{size}}} "
                                   rf"{ctx.source(layer, 'n', 'j')}\,w^{{O}}_{{j}}"]))
        else:
            blocks.append(aligned([rf"{sym('z', L)} &= {a}\,{sym('W', L)}",
                                   rf"z^{{{L}}}_{{n,j}} &= \sum_{{i=0}}^{{{size}}} {source}\,w^{{{L}}}_{{i,j}}"]))
            if layer == 1:
                blocks.append(aligned([rf"{sym('u', L)} &= g({sym('z', L)})", g.latex.replace("=", "&=", 1)]))
            else:
                blocks[-1] = blocks[-1][:-len(r"\end{aligned}")] + rf" \\[2pt] {sym('u', L)} &= g({sym('z', L)})" \
                    + r"\end{aligned}"
    return blocks


def forward_view(ctx: Context) -> StepView:
    num = ctx.digits.latex
    s, n, r = ctx.step, ctx.n, ctx.n - 1
    g = activations.get(s.activation)
    subs = []
    for layer in range(1, ctx.depth + 1):
        L, j_layer = ctx.name(layer), ctx.unit(layer)
        z, u = s.forward.z[layer - 1][r, j_layer - 1], s.forward.u[layer - 1][r, j_layer - 1]
        subs.append(unit_sum(ctx, layer))
        subs.append(rf"u^{{{L}}}_{{{n},{j_layer}}} = g\!\left(z^{{{L}}}_{{{n},{j_layer}}}\right) = "
                    rf"{g_numbers(s.activation, z, ctx.digits)} = {num(u)}")
    subs.append(unit_sum(ctx, ctx.depth + 1))
    y_hat = s.forward.z[-1][r, 0]
    rows = sample_rows(ctx)
    node_text = {X(i): short(s.X_aug[r, i]) for i in range(1, ctx.n_inputs + 1)}
    for layer in range(1, ctx.depth + 1):
        node_text.update(each_unit(ctx, lambda j, layer=layer: f"u = {short(s.forward.u[layer - 1][r, j - 1])}", layer))
    node_text[OUT] = f"ŷ = {short(y_hat)}"
    one = ctx.depth == 1
    biases = " and ".join(f"{unit_label(layer, ctx.depth, 0)} of [1, u_{ctx.name(layer)}]"
                          for layer in range(1, ctx.depth + 1))
    layers = "" if one else (f" With {ctx.depth} hidden layers the same happens layer after layer: each "
                             "layer's outputs, with a 1 for its bias node in front, are the next layer's inputs.")
    return StepView(
        1, TITLES[0],
        "Each hidden unit adds up its inputs, each times its weight (**z**), and passes the sum "
        f"through the activation g = {s.activation} (**u**). The output adds up the hidden units' "
        "outputs, each times its weight, plus a bias; it is linear, so the prediction ŷ is z_O itself. "
        f"A bias is a node whose output is always 1: column x₀ of X_aug and {biases}, "
        "so row 0 of every weight matrix holds the biases." + layers,
        general_forward(ctx, g), focus_line(ctx), subs, [], [],
        _forward_tables(ctx, rows),
        Diagram(weight_values(ctx, s.weights), "weight", all_nodes(ctx), chosen_path(ctx), node_text, {}),
    )


def _forward_tables(ctx: Context, rows: list[str]) -> list[Table]:
    s, r, e = ctx.step, ctx.n - 1, ctx.epoch
    one = ctx.depth == 1
    out = []
    for layer in range(1, ctx.depth + 2):
        L, c = ctx.name(layer), (ctx.unit(layer) - 1 if layer <= ctx.depth else 0)
        below = layer_labels(ctx, layer - 1, bias=layer > 1)
        bias = "x₀" if layer == 1 else below[0].split(" ")[0]
        W = s.weights[layer - 1]
        if L == "O":
            caption = f"Output weights W_O {dims(W)} at epoch {e} (row {bias}: bias)"
            out.append(Table(s.weights[-1], below, layer_labels(ctx, ctx.depth + 1), caption, (ctx.unit(ctx.depth),)))
        else:
            caption = (f"Hidden weights W_H {dims(W)} at epoch {e} (row x₀: biases)" if one else
                       f"Weights W_{L} {dims(W)} of hidden layer {layer} at epoch {e} (row {bias}: biases)")
            out.append(Table(s.weights[layer - 1], below, layer_labels(ctx, layer), caption, (), (c,)))
    for layer in range(1, ctx.depth + 1):
        L, c = ctx.name(layer), ctx.unit(layer) - 1
        a = "X_aug" if layer == 1 else f"[1, u_{ctx.name(layer - 1)}]"
        z, u = s.forward.z[layer - 1], s.forward.u[layer - 1]
        out.append(Table(z, rows, layer_labels(ctx, layer), f"Hidden sums z_{L} {dims(z)} = {a}·W_{L}", (r,), (c,)))
        out.append(Table(u, rows, layer_labels(ctx, layer),
                         f"Hidden outputs u_{L} {dims(u)} = g(z_{L}), g = {s.activation}", (r,), (c,)))
    last = ctx.name(ctx.depth)
    out.append(Table(s.X_aug, rows, layer_labels(ctx, 0),
                     f"Inputs X_aug {dims(s.X_aug)}, scaled; x₀ = 1 is the bias node", (r,)))
    out.append(Table(s.forward.z[-1], rows, ["ŷ = z_O"] if s.loss_kind == "squared" else tables.output_labels(ctx.n_outputs, "z_O"),
                     f"Predictions ŷ = z_O {dims(s.forward.z[-1])} = [1, u_{last}]·W_O", (r,)))
    return out


def loss_view(ctx: Context) -> StepView:
    num, par = ctx.digits.latex, ctx.digits.paren
    s, n = ctx.step, ctx.n
    r = n - 1
    y, y_hat = s.y[:, 0], s.forward.z[-1][:, 0]
    ell = s.losses
    share = ell[r] / s.loss if s.loss > 0 else 0.0
    if ctx.N <= 3:
        symbols = " + ".join(rf"\ell_{{{sample}}}" for sample in range(1, ctx.N + 1))
        values = " + ".join(num(v) for v in ell)
    else:
        symbols = rf"\ell_{{1}} + \ell_{{2}} + \dots + \ell_{{{ctx.N}}}"
        values = rf"{num(ell[0])} + {num(ell[1])} + \dots + {num(ell[-1])}"
    worst = int(np.argmax(ell))
    frame = np.column_stack([y, y_hat, y - y_hat, ell])
    total = frame.sum(axis=0, keepdims=True)
    rows_are = (f"the N = {ctx.N} rows of this batch" if ctx.batches > 1 else
                f"each of the N = {ctx.N} training samples")
    subs = [rf"\ell_{{{n}}} = \tfrac{{1}}{{2}}\left(y_{{{n}}} - \hat y_{{{n}}}\right)^2 = "
            rf"\tfrac{{1}}{{2}}\left({num(y[r])} - {par(y_hat[r])}\right)^2 = {num(ell[r])}",
            aligned([rf"L &= {symbols}", rf"&= {values}", rf"&= {num(s.loss)}"])]
    general = [r"L = \tfrac{1}{2} \sum_{n=1}^{N} \left(y_n - \hat y_n\right)^2 = \sum_{n=1}^{N} \ell_n"]
    metrics = [Metric(f"Loss L at epoch {ctx.epoch}", plain(s.loss)),
               Metric(f"Sample n = {n}'s share ℓ{sub(n)}", plain(ell[r]), None)]
    why = ("The loss measures how far the predictions are from the targets: half the squared error of "
           f"{rows_are}, **summed** (not averaged). Every sample adds its own term ℓₙ, so every sample "
           "will push on every weight.")
    if s.weight_decay:
        why += (f" With weight decay λ = {with_decay(ctx, general, subs, metrics)} the step lowers J = L + "
                "(λ/2)·Σw² instead: every weight except the biases pays for its size, so large weights shrink.")
    return StepView(
        2, TITLES[1], why, general, focus_line(ctx, unit=False), subs, metrics,
        [Note("info", f"Sample n = {n} contributes {share:.1%} of the loss. The largest share is "
                      f"sample n = {worst + 1} (data row {ctx.data_rows[worst]}), {ell[worst] / s.loss:.1%}."
              if s.loss > 0 else "The loss is 0: every prediction hits its target.")],
        [Table(np.vstack([frame, total]), sample_rows(ctx, total=True), ["y", "ŷ", "y − ŷ", "ℓ = ½(y − ŷ)²"],
               f"The {ctx.N} rows of y {dims(s.y)}, ŷ {dims(s.forward.z[-1])}, y − ŷ and each sample's share "
               f"ℓ {dims(ell[:, None])} of the loss, then their Σ row: the Σ of ℓ is L (y and ŷ are scaled)", (r,))],
        Diagram(weight_values(ctx, s.weights), "weight", {OUT}, set(), {OUT: f"ℓ = {short(ell[r])}"}, {}),
    )


def output_delta_view(ctx: Context) -> StepView:
    num, par = ctx.digits.latex, ctx.digits.paren
    s, n = ctx.step, ctx.n
    r = n - 1
    y, z_O, d = s.y[r, 0], s.forward.z[-1][r, 0], s.backward.delta[-1][r, 0]
    if d < 0:
        meaning = (f"δ_O of sample {n} is negative: its prediction is too low, so raising z_O would lower the "
                   "loss. Gradient descent will move the weights to raise it.")
    elif d > 0:
        meaning = (f"δ_O of sample {n} is positive: its prediction is too high, so lowering z_O would lower "
                   "the loss.")
    else:
        meaning = f"δ_O of sample {n} is 0: its prediction is exact and it asks for no change."
    return StepView(
        3, TITLES[2],
        "Backpropagation starts at the output. The output delta δ_O = ∂L/∂z_O says how fast the loss "
        "changes when a sample's output sum z_O moves. The derivative of ½(y − z)² with respect to z "
        "is −(y − z), and the output is linear (ŷ = z_O, slope 1), so that is all.",
        [aligned([r"\delta_O = \frac{\partial L}{\partial z_O} &= -\left(y - z_O\right)",
                  r"\delta^{O}_{n} &= -\left(y_n - z^{O}_{n}\right)"])],
        focus_line(ctx, unit=False),
        [rf"\delta^{{O}}_{{{n}}} = -\left(y_{{{n}}} - z^{{O}}_{{{n}}}\right) = "
         rf"-\left({num(y)} - {par(z_O)}\right) = {num(d)}"],
        [], [Note("info", meaning)],
        [Table(np.column_stack([s.y[:, 0], s.forward.z[-1][:, 0], s.backward.delta[-1][:, 0]]), sample_rows(ctx),
               ["y", "z_O = ŷ", "δ_O = −(y − z_O)"],
               f"The {ctx.N} rows of the output deltas δ_O {dims(s.backward.delta[-1])}, one per sample, beside "
               f"y {dims(s.y)} and z_O {dims(s.forward.z[-1])}", (r,))],
        Diagram(weight_values(ctx, s.weights), "weight", {OUT}, set(), {OUT: f"δ_O = {short(d)}"}, {}),
    )


# ----------------------------------------------------------------------------- the six, and a status line

BUILDERS = (forward_view, loss_view, output_delta_view, steps_back.hidden_delta_view, steps_back.gradient_view,
            steps_back.update_view)


def headline(number: int, ctx: Context) -> str:
    """Step ``number``'s general equation in one line (for the projected first screen)."""
    first, last, decay = ctx.name(1), ctx.name(ctx.depth), ctx.step.weight_decay
    if number == 1:
        return (rf"{sym('z', first)} = X_{{\mathrm{{aug}}}}\,{sym('W', first)}, \qquad {sym('u', first)} = "
                rf"g({sym('z', first)}), \qquad \hat y = z_O = [1,\ {sym('u', last)}]\,W_O")
    if number == 2:
        return r"L = \tfrac{1}{2} \sum_{n=1}^{N} \left(y_n - \hat y_n\right)^2" + (
            r", \qquad J = L + \tfrac{\lambda}{2}\sum w^2" if decay else "")
    if number == 3:
        return r"\delta_O = \frac{\partial L}{\partial z_O} = -\left(y - z_O\right)"
    if number == 4:
        return steps_back.DELTA_RULE if ctx.depth == 1 else steps_back.DELTA_RULE_LAYERS
    if number == 5:
        return (rf"\frac{{\partial L}}{{\partial W_O}} = [1,\ {sym('u', last)}]^{{\top}}\,\delta_O, \qquad "
                rf"\frac{{\partial L}}{{\partial {sym('W', first)}}} = X_{{\mathrm{{aug}}}}^{{\top}}\,"
                rf"{sym(chr(92) + 'delta', first)}" + (r", \qquad \frac{\partial J}{\partial w} = "
                                                         r"\frac{\partial L}{\partial w} + \lambda w" if decay else ""))
    return r"W \leftarrow W - \eta\,\frac{\partial " + ("J" if decay else "L") + r"}{\partial W}"


def build(number: int, ctx: Context) -> StepView:
    """Step ``number`` (1 … 6) for ``ctx``."""
    return BUILDERS[number - 1](ctx)._replace(headline=headline(number, ctx))


def status_line(ctx: Context) -> str:
    """One line above the stepper: the loss at this epoch and after this epoch's step."""
    s = ctx.step
    where = f"on batch 1 of {ctx.batches} " if ctx.batches > 1 else ""
    line = (f"Loss L {where}at epoch {ctx.epoch}: **{plain(s.loss)}** → after this step: "
            f"**{plain(s.loss_after)}**")
    if math.isfinite(s.change):
        line += f" ({'fell' if s.change <= 0 else 'ROSE'} by {plain(abs(s.change))})"
    return line + f" · η = {s.eta:g}" + (f" · λ = {s.weight_decay:g}" if s.weight_decay else "")


def with_decay(ctx: Context, general: list, subs: list, metrics: list) -> str:
    """Step 2's lines for weight decay (J = L + penalty, with the step's numbers), added to ``general``,
    ``subs`` and ``metrics``; returns λ as the sentences write it."""
    s, num = ctx.step, ctx.digits.latex
    lam = f"{s.weight_decay:g}"
    general.append(r"J = L + \frac{\lambda}{2} \sum_{\text{non-bias } w} w^2")
    subs.append(rf"J = {num(s.loss)} + \frac{{{lam}}}{{2}} \times {num(2 * s.penalty / s.weight_decay)} "
                rf"= {num(s.objective)}")
    metrics.append(Metric("What this step lowers: J = L + penalty", plain(s.objective)))
    return lam
