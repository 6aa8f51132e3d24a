"""The six steps of one gradient-descent step as content: the equation, the same with live numbers, tables.

Pure builders: a ``Context`` (one ``core.step.Step``, the sample and hidden unit picked) in, a
``StepView`` out — LaTeX strings, app-written Markdown, tables and what the network diagram should
light up (``ui.views.step_model``). ``ui.draw.step`` draws a view with Streamlit.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from core import activations
from core.graph import sub
from core.step import loss_after_step
from ui.views import tables
from ui.views.messages import smaller_eta
from ui.views.numbers import aligned, change, plain, short, signed
from ui.views.step_model import (OUT, SMALL, TITLES, Context, Diagram, H, Metric, Note, StepView, Table, X,
                                 all_nodes, each_unit, edges_into, edges_out, focus_line, sample_rows,
                                 weight_values)


def forward_view(ctx: Context) -> StepView:
    num, par = ctx.digits.latex, ctx.digits.paren
    s, n, j = ctx.step, ctx.n, ctx.j
    r, c = n - 1, j - 1
    g = activations.get(s.activation)
    x, z, u = s.X_aug[r], s.fwd.z_H[r, c], s.fwd.u_H[r, c]
    inputs_ = range(ctx.n_inputs + 1)
    z_eq = aligned(_chain(rf"z^{{H}}_{{{n},{j}}}", [rf"x_{{{n},{i}}}\,w^{{H}}_{{{i},{j}}}" for i in inputs_])
                   + _chain("", [rf"{par(x[i])} \times {par(s.W_H[i, c])}" for i in inputs_], per_line=2)
                   + [rf"&= {num(z)}"])
    u_eq = rf"u^{{H}}_{{{n},{j}}} = g\!\left(z^{{H}}_{{{n},{j}}}\right) = {_g_numbers(s.activation, z, ctx.digits)} = {num(u)}"
    y_hat = s.fwd.z_O[r, 0]
    if ctx.n_hidden <= 3:
        units_ = range(1, ctx.n_hidden + 1)
        sym = [r"w^{O}_{0}"] + [rf"u^{{H}}_{{{n},{k}}}\,w^{{O}}_{{{k}}}" for k in units_]
        nums = [num(s.W_O[0, 0])] + [rf"{par(s.fwd.u_H[r, k - 1])} \times {par(s.W_O[k, 0])}" for k in units_]
    else:
        rest = y_hat - s.W_O[0, 0] - u * s.W_O[j, 0]
        sym = [r"w^{O}_{0}", rf"u^{{H}}_{{{n},{j}}}\,w^{{O}}_{{{j}}}",
               rf"\sum_{{k \ne {j}}} u^{{H}}_{{{n},k}}\,w^{{O}}_{{k}}"]
        nums = [num(s.W_O[0, 0]), rf"{par(u)} \times {par(s.W_O[j, 0])}",
                rf"\underbrace{{{par(rest)}}}_{{\text{{the other {ctx.n_hidden - 1} units}}}}"]
    y_eq = aligned(_chain(rf"\hat y_{{{n}}} = z^{{O}}_{{{n}}}", sym) + _chain("", nums, per_line=2)
                   + [rf"&= {num(y_hat)}"])
    rows = sample_rows(ctx)
    units = tables.unit_labels(ctx.n_hidden)
    inputs = tables.input_labels(ctx.n_inputs)
    node_text = {X(i): short(x[i]) for i in range(1, ctx.n_inputs + 1)}
    node_text.update(each_unit(ctx, lambda k: f"u = {short(s.fwd.u_H[r, k - 1])}"))
    node_text[OUT] = f"ŷ = {short(y_hat)}"
    lit_edges = edges_into(ctx, j) | edges_out(ctx)
    return StepView(
        1, TITLES[0],
        "Each hidden unit adds up its inputs, each times its weight (**z**), and passes the sum "
        f"through the activation g = {s.activation} (**u**). The output adds up the hidden units' "
        "outputs, each times its weight, plus a bias; it is linear, so the prediction ŷ is z_O itself. "
        "A bias is a node whose output is always 1: column x₀ of X_aug and h₀ of [1, u_H], "
        "so row 0 of W_H and of W_O holds the biases.",
        [aligned([r"z_H &= X_{\mathrm{aug}}\,W_H", r"z^{H}_{n,j} &= \sum_{i=0}^{N_I} x_{n,i}\,w^{H}_{i,j}"]),
         aligned([r"u_H &= g(z_H)", g.latex.replace("=", "&=", 1)]),
         aligned([r"\hat y = z_O &= [1,\ u_H]\,W_O",
                  r"\hat y_n &= w^{O}_{0} + \sum_{j=1}^{N_H} u^{H}_{n,j}\,w^{O}_{j}"])],
        focus_line(ctx), [z_eq, u_eq, y_eq], [], [],
        [Table(s.W_H, inputs, units, f"Hidden weights W_H at epoch {ctx.epoch} (row x₀: biases)", (), (c,)),
         Table(s.W_O, tables.unit_labels(ctx.n_hidden, bias=True), ["→ ŷ"],
               f"Output weights W_O at epoch {ctx.epoch} (row h₀: bias)", (j,)),
         Table(s.fwd.z_H, rows, units, "Hidden sums z_H = X_aug·W_H", (r,), (c,)),
         Table(s.fwd.u_H, rows, units, f"Hidden outputs u_H = g(z_H), g = {s.activation}", (r,), (c,)),
         Table(s.X_aug, rows, inputs, "Inputs X_aug (scaled; x₀ = 1 is the bias node)", (r,)),
         Table(s.fwd.z_O, rows, ["ŷ = z_O"], "Predictions ŷ = z_O = [1, u_H]·W_O", (r,))],
        Diagram(weight_values(s.W_H, s.W_O), "weight", all_nodes(ctx), lit_edges, node_text, {}),
    )


def _chain(lhs: str, parts: Sequence[str], per_line: int = 3) -> list[str]:
    """``lhs = a + b + …`` as aligned lines of at most ``per_line`` terms, so a projector never cuts them."""
    return [(rf"{lhs} &= " if k == 0 else r"&\quad + ") + " + ".join(parts[k:k + per_line])
            for k in range(0, len(parts), per_line)]


def _g_numbers(act: str, z: float, d) -> str:
    num, par = d.latex, d.paren
    if act == "sigmoid":
        return rf"\frac{{1}}{{1 + e^{{-{par(z)}}}}}"
    if act == "tanh":
        return rf"\tanh {par(z)}"
    return rf"\max\left(0,\ {num(z)}\right)"


def loss_view(ctx: Context) -> StepView:
    num, par = ctx.digits.latex, ctx.digits.paren
    s, n = ctx.step, ctx.n
    r = n - 1
    y, y_hat = s.y[:, 0], s.fwd.z_O[:, 0]
    ell = s.losses
    share = ell[r] / s.loss if s.loss > 0 else 0.0
    if ctx.N <= 3:
        sym = " + ".join(rf"\ell_{{{k}}}" for k in range(1, ctx.N + 1))
        nums = " + ".join(num(v) for v in ell)
    else:
        sym = rf"\ell_{{1}} + \ell_{{2}} + \dots + \ell_{{{ctx.N}}}"
        nums = rf"{num(ell[0])} + {num(ell[1])} + \dots + {num(ell[-1])}"
    worst = int(np.argmax(ell))
    frame = np.column_stack([y, y_hat, y - y_hat, ell])
    total = frame.sum(axis=0, keepdims=True)
    return StepView(
        2, TITLES[1],
        "The loss measures how far the predictions are from the targets: half the squared error of "
        f"each of the N = {ctx.N} training samples, **summed** (not averaged). Every sample adds its "
        "own term ℓₙ, so every sample will push on every weight.",
        [r"L = \tfrac{1}{2} \sum_{n=1}^{N} \left(y_n - \hat y_n\right)^2 = \sum_{n=1}^{N} \ell_n"],
        focus_line(ctx, unit=False),
        [rf"\ell_{{{n}}} = \tfrac{{1}}{{2}}\left(y_{{{n}}} - \hat y_{{{n}}}\right)^2 = "
         rf"\tfrac{{1}}{{2}}\left({num(y[r])} - {par(y_hat[r])}\right)^2 = {num(ell[r])}",
         aligned([rf"L &= {sym}", rf"&= {nums}", rf"&= {num(s.loss)}"])],
        [Metric(f"Loss L at epoch {ctx.epoch}", plain(s.loss)),
         Metric(f"Sample n = {n}'s share ℓ{sub(n)}", plain(ell[r]), None)],
        [Note("info", f"Sample n = {n} contributes {share:.1%} of the loss. The largest share is "
                      f"sample n = {worst + 1} (data row {ctx.data_rows[worst]}), {ell[worst] / s.loss:.1%}."
              if s.loss > 0 else "The loss is 0: every prediction hits its target.")],
        [Table(np.vstack([frame, total]), sample_rows(ctx, total=True), ["y", "ŷ", "y − ŷ", "ℓ = ½(y − ŷ)²"],
               "Each sample's share ℓ of the loss (y and ŷ are scaled); the Σ row of ℓ is L", (r,))],
        Diagram(weight_values(s.W_H, s.W_O), "weight", {OUT}, set(),
                {OUT: f"ℓ = {short(ell[r])}"}, {}),
    )


def output_delta_view(ctx: Context) -> StepView:
    num, par = ctx.digits.latex, ctx.digits.paren
    s, n = ctx.step, ctx.n
    r = n - 1
    y, z_O, d = s.y[r, 0], s.fwd.z_O[r, 0], s.bwd.delta_O[r, 0]
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
        [Table(np.column_stack([s.y[:, 0], s.fwd.z_O[:, 0], s.bwd.delta_O[:, 0]]), sample_rows(ctx),
               ["y", "z_O = ŷ", "δ_O = −(y − z_O)"], "Output deltas, one per sample", (r,))],
        Diagram(weight_values(s.W_H, s.W_O), "weight", {OUT}, set(), {OUT: f"δ_O = {short(d)}"}, {}),
    )


def hidden_delta_view(ctx: Context) -> StepView:
    num, par = ctx.digits.latex, ctx.digits.paren
    s, n, j = ctx.step, ctx.n, ctx.j
    r, c = n - 1, j - 1
    g = activations.get(s.activation)
    z, u, gp = s.fwd.z_H[r, c], s.fwd.u_H[r, c], s.g_prime[r, c]
    w, dO, dH = s.W_O[j, 0], s.bwd.delta_O[r, 0], s.bwd.delta_H[r, c]
    subs = [rf"g'\!\left(z^{{H}}_{{{n},{j}}}\right) = {_g_prime_numbers(s.activation, z, u, ctx.digits)} = {num(gp)}",
            aligned([rf"\delta^{{H}}_{{{n},{j}}} &= g'\!\left(z^{{H}}_{{{n},{j}}}\right)\; w^{{O}}_{{{j}}}\;"
                     rf" \delta^{{O}}_{{{n}}}",
                     rf"&= {par(gp)} \times {par(w)} \times {par(dO)}", rf"&= {num(dH)}"])]
    if ctx.n_hidden <= 5:
        kept = r",\ ".join(num(v) for v in s.W_O[1:, 0])
        subs.append(rf"W_O = \Bigl(\underbrace{{{num(s.W_O[0, 0])}}}_{{\text{{bias row: dropped}}}},\ "
                    rf"\underbrace{{{kept}}}_{{W_O[1:]\text{{: carry }}\delta_O\text{{ back}}}}\Bigr)^{{\top}}")
    units = tables.unit_labels(ctx.n_hidden)
    rows = sample_rows(ctx)
    return StepView(
        4, TITLES[3],
        "Each hidden unit gets its share of the output's error: δ_O sent back along the unit's outgoing "
        "weight, times the slope g′ of the activation at the unit's sum. **Why the bias row of W_O is "
        "dropped:** row 0 belongs to the hidden bias node h₀, whose output is the constant 1. It has no "
        "inputs and no sum z, so there is nothing behind it to pass error to. Its own weight, row 0 of "
        "W_O, still gets a gradient in step 5.",
        [aligned([r"\delta_H &= g'(z_H) \odot \left(\delta_O\; W_O[1{:}]^{\top}\right)",
                  r"\delta^{H}_{n,j} &= g'\!\left(z^{H}_{n,j}\right)\, w^{O}_{j}\, \delta^{O}_{n}"]),
         g.der_latex],
        focus_line(ctx), subs, [],
        [Note("info", "g′ is 0 here: this ReLU unit is off for this sample, so no error reaches its weights.")]
        if s.activation == "relu" and gp == 0 else [],
        [Table(s.g_prime, rows, units, f"Slopes g′(z_H), g = {s.activation}", (r,), (c,)),
         Table(s.bwd.delta_H, rows, units, "Hidden deltas δ_H = g′(z_H) ⊙ (δ_O · W_O[1:]ᵀ)", (r,), (c,))],
        Diagram(weight_values(s.W_H, s.W_O), "weight", {H(k) for k in range(1, ctx.n_hidden + 1)} | {OUT},
                edges_out(ctx) - {(H(0), OUT)},
                {**each_unit(ctx, lambda k: f"δ = {short(s.bwd.delta_H[r, k - 1])}"), OUT: f"δ_O = {short(dO)}"},
                {}),
    )


def _g_prime_numbers(act: str, z: float, u: float, d) -> str:
    num, par = d.latex, d.paren
    if act == "sigmoid":
        return rf"u\,(1 - u) = {par(u)} \times \left(1 - {par(u)}\right)"
    if act == "tanh":
        return rf"1 - u^2 = 1 - {par(u)}^2"
    return r"1 \quad (z = " + num(z) + r" > 0)" if z > 0 else r"0 \quad (z = " + num(z) + r" \le 0)"


def _sum_line(lhs: str, symbol: str, n: int, term_tex: str, term: float, total: float, N: int, d) -> str:
    num, par = d.latex, d.paren
    others = total - term
    return aligned([
        rf"{lhs} &= \sum_{{n=1}}^{{{N}}} {symbol}",
        rf"&= \underbrace{{{term_tex}}}_{{n = {n}}} + \underbrace{{{par(others)}}}_{{\text{{the other {N - 1}}}}}",
        rf"&= {num(total)}"])


def gradient_view(ctx: Context) -> StepView:
    par = ctx.digits.paren
    s, n, j = ctx.step, ctx.n, ctx.j
    r, c = n - 1, j - 1
    u, dO = s.fwd.u_H[r, c], s.bwd.delta_O[r, 0]
    dW_O, dW_H = s.bwd.dW_O, s.bwd.dW_H
    out = [
        _sum_line(rf"\frac{{\partial L}}{{\partial w^{{O}}_{{{j}}}}}", rf"u^{{H}}_{{n,{j}}}\,\delta^{{O}}_{{n}}", n,
                  rf"{par(u)} \times {par(dO)}", s.dW_O_terms[r, j, 0], dW_O[j, 0], ctx.N, ctx.digits),
        _sum_line(r"\frac{\partial L}{\partial w^{O}_{0}}", r"1 \cdot \delta^{O}_{n}", n,
                  rf"1 \times {par(dO)}", s.dW_O_terms[r, 0, 0], dW_O[0, 0], ctx.N, ctx.digits),
    ]
    hidden = []
    for i in range(ctx.n_inputs + 1):
        hidden.append(_sum_line(
            rf"\frac{{\partial L}}{{\partial w^{{H}}_{{{i},{j}}}}}", rf"x_{{n,{i}}}\,\delta^{{H}}_{{n,{j}}}", n,
            rf"{par(s.X_aug[r, i])} \times {par(s.bwd.delta_H[r, c])}", s.dW_H_terms[r, i, c], dW_H[i, c], ctx.N,
            ctx.digits))
    if ctx.n_hidden <= SMALL:
        out.append(rf"\frac{{\partial L}}{{\partial W_O}} = {ctx.digits.matrix(dW_O)}")
        hidden.append(rf"\frac{{\partial L}}{{\partial W_H}} = {ctx.digits.matrix(dW_H)}")
    rows = sample_rows(ctx, total=True)
    inputs = tables.input_labels(ctx.n_inputs)
    units_b = tables.unit_labels(ctx.n_hidden, bias=True)
    grads = weight_values(dW_H, dW_O)
    lit = edges_into(ctx, j) | {(H(0), OUT), (H(j), OUT)}
    return StepView(
        5, TITLES[4],
        "A weight's gradient is the delta at its arrow's end times the value at its start, **summed "
        "over the samples**: every sample adds one term. For a bias weight the value at the start is "
        "the constant 1, so its gradient is just the sum of the deltas.",
        [aligned([r"\frac{\partial L}{\partial W_O} &= [1,\ u_H]^{\top}\,\delta_O = "
                  r"\sum_{n=1}^{N} [1,\ u^{H}_{n}]^{\top}\,\delta^{O}_{n}",
                  r"\frac{\partial L}{\partial W_H} &= X_{\mathrm{aug}}^{\top}\,\delta_H = "
                  r"\sum_{n=1}^{N} x_{n}^{\top}\,\delta^{H}_{n}"]),
         r"\frac{\partial L}{\partial w_{a \to b}} = \sum_{n=1}^{N} (\text{value at } a)_n\,(\delta \text{ at } b)_n"],
        focus_line(ctx), out, [],
        [Note("info", "Row 0 of ∂L/∂W_O belongs to the bias node h₀ because the forward pass puts its 1 first, "
                      "[1, u_H]. The original lecture demo stacked it last when forming this gradient and "
                      "printed a wrong update; the gradient check at the bottom of the page catches it.")],
        [Table(dW_O, units_b, ["∂L/∂w → ŷ"], "Output-layer gradient ∂L/∂W_O (row h₀: bias)", (0, j)),
         Table(dW_H, inputs, tables.unit_labels(ctx.n_hidden), "Hidden-layer gradient ∂L/∂W_H (row x₀: biases)",
               (), (c,)),
         Table(np.vstack([s.dW_O_terms[:, :, 0], dW_O[:, 0]]), rows, units_b,
               "Each sample's term u_H·δ_O of ∂L/∂W_O (column h₀: 1·δ_O); the Σ row is ∂L/∂W_Oᵀ", (r,), (0, j)),
         Table(np.vstack([s.dW_H_terms[:, :, c], dW_H[:, c]]), rows, inputs,
               f"Each sample's term x·δ_H of the weights into h{sub(j)}; "
               f"the Σ row is column h{sub(j)} of ∂L/∂W_H", (r,))],
        Diagram(grads, "gradient", {X(i) for i in range(ctx.n_inputs + 1)} | {H(0), H(j), OUT}, lit, {},
                {e: short(grads[e]) for e in lit}),
        tuple(hidden),
    )


def update_view(ctx: Context) -> StepView:
    num = ctx.digits.latex
    s, j = ctx.step, ctx.j
    c = j - 1
    eta = s.eta
    lines = [_update_line(rf"w^{{O}}_{{{j}}}", s.W_O[j, 0], eta, s.bwd.dW_O[j, 0], s.W_O_new[j, 0], ctx.digits),
             _update_line(r"w^{O}_{0}", s.W_O[0, 0], eta, s.bwd.dW_O[0, 0], s.W_O_new[0, 0], ctx.digits)]
    lines += [_update_line(rf"w^{{H}}_{{{i},{j}}}", s.W_H[i, c], eta, s.bwd.dW_H[i, c], s.W_H_new[i, c],
                           ctx.digits) for i in range(ctx.n_inputs + 1)]
    subs = [aligned(lines),
            rf"L:\ {num(s.loss)} \;\longrightarrow\; {num(s.loss_after)}"]
    notes = _update_notes(ctx)
    delta = signed(s.change) if math.isfinite(s.change) else None
    lit = edges_into(ctx, j) | {(H(0), OUT), (H(j), OUT)}
    new = weight_values(s.W_H_new, s.W_O_new)
    old = weight_values(s.W_H, s.W_O)
    units = tables.unit_labels(ctx.n_hidden)
    inputs = tables.input_labels(ctx.n_inputs)
    return StepView(
        6, TITLES[5],
        "Every weight takes a step against its gradient, of size η times the gradient. For a small "
        "enough η the loss falls by about η·‖∂L/∂W‖² (the slope times the step); too large an η "
        "overshoots the valley and the loss rises.",
        [rf"W \leftarrow W - \eta\,\frac{{\partial L}}{{\partial W}}, \quad \eta = {_eta(eta)}"],
        f"**With the numbers** of hidden unit h{sub(j)}'s weights and the output bias, epoch {ctx.epoch}:",
        subs,
        [Metric(f"Loss before (epoch {ctx.epoch})", plain(s.loss)),
         Metric("Loss after this step", plain(s.loss_after), delta)],
        notes,
        [Table(np.column_stack([s.W_O[:, 0], -eta * s.bwd.dW_O[:, 0], s.W_O_new[:, 0]]),
               tables.unit_labels(ctx.n_hidden, bias=True), ["W_O before", "− η·∂L/∂W_O", "W_O after"],
               "Output weights, before and after the step (row h₀: bias)", (0, j)),
         Table(s.W_H_new, inputs, units, f"Hidden weights after the step (W_H at epoch {ctx.epoch + 1})", (), (c,)),
         Table(-eta * s.bwd.dW_H, inputs, units, "Change of the hidden weights, −η·∂L/∂W_H", (), (c,))],
        Diagram(new if all(math.isfinite(v) for v in new.values()) else old,
                "new weight" if all(math.isfinite(v) for v in new.values()) else "weight",
                {X(i) for i in range(ctx.n_inputs + 1)} | {H(0), H(j), OUT}, lit, {},
                {e: change(new[e] - old[e]) for e in lit}),
    )


def _update_line(symbol: str, w: float, eta: float, grad: float, new: float, d) -> str:
    return rf"{symbol} &\leftarrow {d.latex(w)} - {_eta(eta)} \times {d.paren(grad)} = {d.latex(new)}"


def _eta(eta: float) -> str:
    return f"{eta:g}"


def _update_notes(ctx: Context) -> list[Note]:
    s = ctx.step
    notes = []
    if not math.isfinite(s.loss_after):
        notes.append(Note("error", (
            f"The loss ROSE beyond what a computer can represent: this step overflows. η = {_eta(s.eta)} is "
            f"far too large for these weights — the gradient only gives the slope near the current weights, "
            f"and a step of η·‖∂L/∂W‖ = {plain(s.eta * math.sqrt(s.gradient_norm2), 4)} lands far past the "
            "valley." + (f" Training diverged at epoch {ctx.diverged_at}." if ctx.diverged_at is not None else "")
            + _try_eta(ctx))))
    elif s.change > 0:
        factor = s.loss_after / s.loss if s.loss > 0 else float("inf")
        notes.append(Note("error", (
            f"The loss ROSE, from {plain(s.loss)} to {plain(s.loss_after)} ({factor:.3g} times as large). "
            f"The slope promised a fall of about η·‖∂L/∂W‖² = {plain(-s.predicted_change, 6)}"
            + (" (more than the whole loss: a sure sign that the step is far too long)" if
               -s.predicted_change > s.loss else "") +
            f". That estimate holds only for small steps: with η = {_eta(s.eta)} the step overshoots the "
            "bottom of the valley and lands higher up on the other side. Larger losses make larger "
            "gradients and still larger steps, so the run can blow up." + _try_eta(ctx))))
    else:
        pct = -s.change / s.loss if s.loss > 0 else 0.0
        notes.append(Note("success", (
            f"The loss fell by {plain(-s.change)} ({pct:.2%}), from {plain(s.loss)} to {plain(s.loss_after)}. "
            f"The slope alone predicted a fall of about η·‖∂L/∂W‖² = {plain(-s.predicted_change, 6)}.")))
    if ctx.next_loss is not None and math.isfinite(s.loss_after):
        notes.append(Note("info", (
            f"Same as the training run: its loss at epoch {ctx.epoch + 1} is {plain(ctx.next_loss)}.")))
    elif ctx.diverged_at is None and ctx.n_epochs is not None and ctx.epoch >= ctx.n_epochs:
        notes.append(Note("info", (
            f"Epoch {ctx.epoch} holds the final weights: the training run stopped here, so this is the "
            "step it would take next.")))
    return notes


def _try_eta(ctx: Context) -> str:
    step = ctx.step
    eta = smaller_eta(step.eta, ctx.eta_choices, lambda e: step_lowers_loss(step, e))
    return f" Try a smaller η: from here, η = {_eta(eta)} would have lowered the loss." if eta else \
        " Try a smaller η."


def status_line(ctx: Context) -> str:
    """One line above the stepper: the loss at this epoch and after this epoch's step."""
    s = ctx.step
    line = f"Loss L at epoch {ctx.epoch}: **{plain(s.loss)}** → after this step: **{plain(s.loss_after)}**"
    if math.isfinite(s.change):
        line += f" ({'fell' if s.change <= 0 else 'ROSE'} by {plain(abs(s.change))})"
    return line + f" · η = {_eta(s.eta)}"


BUILDERS = (forward_view, loss_view, output_delta_view, hidden_delta_view, gradient_view, update_view)


HEADLINES = (
    r"z_H = X_{\mathrm{aug}}\,W_H, \qquad u_H = g(z_H), \qquad \hat y = z_O = [1,\ u_H]\,W_O",
    r"L = \tfrac{1}{2} \sum_{n=1}^{N} \left(y_n - \hat y_n\right)^2",
    r"\delta_O = \frac{\partial L}{\partial z_O} = -\left(y - z_O\right)",
    r"\delta^{H}_{n,j} = g'\!\left(z^{H}_{n,j}\right)\, w^{O}_{j}\, \delta^{O}_{n}",
    r"\frac{\partial L}{\partial W_O} = [1,\ u_H]^{\top}\,\delta_O, \qquad "
    r"\frac{\partial L}{\partial W_H} = X_{\mathrm{aug}}^{\top}\,\delta_H",
    r"W \leftarrow W - \eta\,\frac{\partial L}{\partial W}",
)


def build(number: int, ctx: Context) -> StepView:
    """Step ``number`` (1 … 6) for ``ctx``."""
    return BUILDERS[number - 1](ctx)._replace(headline=HEADLINES[number - 1])


def step_lowers_loss(step, eta: float) -> bool:
    """Whether a step of size ``eta`` along this step's gradient lowers its loss."""
    after = loss_after_step(step.X_aug, step.y, step.W_H, step.W_O, step.bwd.dW_H, step.bwd.dW_O, eta,
                            step.activation)
    return math.isfinite(after) and after < step.loss
