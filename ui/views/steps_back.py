"""Steps 4–6 of the walk-through: the hidden deltas, the gradients and the update (pure builders).

The hidden deltas are backpropagation's recursion: each hidden layer's δ comes from the δ of the
layer above it, through the weights between them and the slope g′ of the activation. With one
hidden layer it runs once (from δ_O); with more, the same general equation is shown once and
instantiated for every layer with live numbers, from the top down. See ``ui.views.steps``.
"""

from __future__ import annotations

import math

import numpy as np

from core import activations
from core.graph import unit_label
from core.step import largest_lowering_eta
from ui.views.numbers import aligned, change, plain, short, signed
from ui.views.tables import dims
from ui.views.symbols import sym
from ui.views.step_model import (OUT, SMALL, TITLES, Context, Diagram, Metric, Note, StepView, Table, X, chosen_path,
                                 each_unit, edges_into, focus_line, layer_labels, node, sample_rows, weight_values)

DELTA_RULE = r"\delta^{H}_{n,j} = g'\!\left(z^{H}_{n,j}\right)\, w^{O}_{j}\, \delta^{O}_{n}"
# With several hidden layers the rule names its two layers in words: "this" one and the one "above" it
# (a letter such as ℓ would give a symbol a second meaning: ℓ_n is sample n's share of the loss).
DELTA_RULE_LAYERS = (r"\delta^{\text{this}}_{n,j} = g'\!\left(z^{\text{this}}_{n,j}\right) \sum_{k} "
                     r"w^{\text{above}}_{j,k}\,\delta^{\text{above}}_{n,k}")


def _g_prime_numbers(act: str, z: float, u: float, d) -> str:
    if act == "sigmoid":
        return rf"u\,(1 - u) = {d.paren(u)} \times \left(1 - {d.paren(u)}\right)"
    if act == "tanh":
        return rf"1 - u^2 = 1 - {d.paren(u)}^2"
    return r"1 \quad (z = " + d.latex(z) + r" > 0)" if z > 0 else r"0 \quad (z = " + d.latex(z) + r" \le 0)"


def _delta_back(ctx: Context, layer: int) -> str:
    """δ of the chosen unit of hidden layer ``layer`` for the chosen sample: g′ times the deltas above, weighted."""
    num, par = ctx.digits.latex, ctx.digits.paren
    s, n, r = ctx.step, ctx.n, ctx.n - 1
    L, j_layer, above = ctx.name(layer), ctx.unit(layer), ctx.name(layer + 1)
    gp, dH = s.g_primes[layer - 1][r, j_layer - 1], s.backward.delta[layer - 1][r, j_layer - 1]
    W, delta = s.weights[layer], s.backward.delta[layer][r]    # the weights out of this layer, the deltas above
    g = rf"g'\!\left(z^{{{L}}}_{{{n},{j_layer}}}\right)"
    if above == "O" and len(delta) == 1:
        terms = [rf"w^{{O}}_{{{j_layer}}}\; \delta^{{O}}_{{{n}}}"]
        values = [rf"{par(W[j_layer, 0])} \times {par(delta[0])}"]
    elif len(delta) <= 3:
        terms = [rf"w^{{{above}}}_{{{j_layer},{k}}}\,\delta^{{{above}}}_{{{n},{k}}}" for k in range(1, len(delta) + 1)]
        values = [rf"{par(W[j_layer, k - 1])} \times {par(delta[k - 1])}" for k in range(1, len(delta) + 1)]
    else:
        k = ctx.unit(layer + 1)
        rest = float(W[j_layer] @ delta) - W[j_layer, k - 1] * delta[k - 1]
        terms = [rf"w^{{{above}}}_{{{j_layer},{k}}}\,\delta^{{{above}}}_{{{n},{k}}}",
                 rf"\sum_{{k \ne {k}}} w^{{{above}}}_{{{j_layer},k}}\,\delta^{{{above}}}_{{{n},k}}"]
        values = [rf"{par(W[j_layer, k - 1])} \times {par(delta[k - 1])}",
                  rf"\underbrace{{{par(rest)}}}_{{\scriptstyle\text{{the other {len(delta) - 1} units}}}}"]
    if above == "O" and len(delta) == 1:
        lines = [rf"\delta^{{{L}}}_{{{n},{j_layer}}} &= {g}\; {terms[0]}",
                 rf"&= {par(gp)} \times {values[0]}", rf"&= {num(dH)}"]
    else:
        lines = [rf"\delta^{{{L}}}_{{{n},{j_layer}}} &= {g} \left({' + '.join(terms)}\right)",
                 rf"&= {par(gp)} \times \left({' + '.join(values)}\right)", rf"&= {num(dH)}"]
    return aligned(lines)


def hidden_delta_view(ctx: Context) -> StepView:
    num = ctx.digits.latex
    s, n, r = ctx.step, ctx.n, ctx.n - 1
    g = activations.get(s.activation)
    subs, tables_, texts = [], [], {}
    for layer in range(ctx.depth, 0, -1):            # from the top down: each layer from the one above
        L, j_layer = ctx.name(layer), ctx.unit(layer)
        at = (r, j_layer - 1)                        # the chosen sample's row, the chosen unit's column
        z, u, gp = s.forward.z[layer - 1][at], s.forward.u[layer - 1][at], s.g_primes[layer - 1][at]
        subs.append(rf"g'\!\left(z^{{{L}}}_{{{n},{j_layer}}}\right) = "
                    rf"{_g_prime_numbers(s.activation, z, u, ctx.digits)} = {num(gp)}")
        subs.append(_delta_back(ctx, layer))
        units, above = layer_labels(ctx, layer), ctx.name(layer + 1)
        gp, dl = s.g_primes[layer - 1], s.backward.delta[layer - 1]
        tables_ += [Table(gp, sample_rows(ctx), units, f"Slopes g′(z_{L}) {dims(gp)}, g = {s.activation}",
                          (r,), (j_layer - 1,)),
                    Table(dl, sample_rows(ctx), units,
                          f"Hidden deltas δ_{L} {dims(dl)} = g′(z_{L}) ⊙ (δ_{above} · W̄_{above}ᵀ)", (r,),
                          (j_layer - 1,))]
        texts.update(each_unit(ctx, lambda j, d=s.backward.delta[layer - 1]: f"δ = {short(d[r, j - 1])}", layer))
    W_O, one = s.weights[-1], ctx.depth == 1
    if one and ctx.n_hidden <= 5:
        kept = r",\ ".join(num(v) for v in W_O[1:, 0])
        subs.append(rf"W_O = \Bigl(\underbrace{{{num(W_O[0, 0])}}}_{{\scriptstyle\text{{bias row: dropped}}}},\ "
                    rf"\underbrace{{{kept}}}_{{\scriptstyle\overline{{W}}_{{\scriptstyle O}}\text{{: carry }}\delta_{{\scriptstyle O}}\text{{ back}}}}\Bigr)^{{\top}}")
    texts[OUT] = f"δ_O = {short(s.backward.delta[-1][r, 0])}"
    lit = set()
    for layer in range(1, ctx.depth + 1):            # weights out of every hidden unit (not out of bias nodes)
        for j in range(1, ctx.widths[layer - 1] + 1):
            above = range(1, (ctx.widths[layer] if layer < ctx.depth else 1) + 1)
            lit |= {(node(ctx, layer, j), node(ctx, layer + 1, k)) for k in above}
    general = ([aligned([r"\delta_H &= g'(z_H) \odot \left(\delta_O\; \overline{W}_O^{\top}\right)", DELTA_RULE.replace(
        "=", "&=", 1)]), g.der_latex] if one else
        [aligned([r"\delta_{\text{this}} &= g'(z_{\text{this}}) \odot \left(\delta_{\text{above}}\; "
                  r"\overline{W}_{\text{above}}^{\top}\right)",
                  DELTA_RULE_LAYERS.replace("=", "&=", 1)]), g.der_latex])
    dropped = "the bias row of W_O is dropped** (W̄_O is W_O without its row 0)" if one else \
        "the bias rows are dropped** (W̄ is W without its row 0)"
    why = ("Each hidden unit gets its share of the error above it: the deltas of the layer above sent back "
           "along the unit's outgoing weights, times the slope g′ of the activation at the unit's sum "
           f"(⊙ multiplies entry by entry). **Why {dropped}: row 0 belongs to the bias node, whose output is "
           "the constant 1. It has no inputs and no sum z, so there is nothing behind it to pass error to. "
           "Its own weights still get a gradient in step 5.")
    if not one:
        why += (f" With {ctx.depth} hidden layers this is backpropagation's recursion: the same rule runs "
                "once per layer, from the top down — " + " → ".join(f"δ_{ctx.name(layer)}" for layer in
                                                                     range(ctx.depth + 1, 0, -1)) +
                ". In the rule, *this* is the layer whose deltas it gives and *above* the layer after it.")
    off = s.activation == "relu" and any(s.g_primes[layer - 1][r, ctx.unit(layer) - 1] == 0
                                         for layer in range(1, ctx.depth + 1))
    return StepView(
        4, TITLES[3], why, general, focus_line(ctx), subs, [],
        [Note("info", "g′ is 0 here: this ReLU unit is off for this sample, so no error reaches its weights.")]
        if off else [],
        tables_, Diagram(weight_values(ctx, s.weights), "weight", set(texts), lit, texts, {}),
    )


def _sum_line(lhs: str, symbol: str, n: int, term_tex: str, term: float, total: float, N: int, d) -> str:
    others = total - term
    return aligned([
        rf"{lhs} &= \sum_{{n=1}}^{{{N}}} {symbol}",
        rf"&= \underbrace{{{term_tex}}}_{{\scriptstyle n = {n}}} + \underbrace{{{d.paren(others)}}}_{{\scriptstyle\text{{the other {N - 1}}}}}",
        rf"&= {d.latex(total)}"])


def _inputs_shown(ctx: Context, layer: int) -> range:
    """Which inputs of layer ``layer`` a step writes out: all of them, or the bias and the first two."""
    fan = ctx.step.weights[layer - 1].shape[0]
    return range(fan) if fan <= 5 else range(3)


def gradient_view(ctx: Context) -> StepView:
    par = ctx.digits.paren
    s, n, r = ctx.step, ctx.n, ctx.n - 1
    d, lam = ctx.digits, s.weight_decay
    data_dW = [terms.sum(axis=0) for terms in s.dW_terms]
    out, hidden = [], []
    jo = ctx.unit(ctx.depth)
    a_O, dO = s.forward.a[-1][r], s.backward.delta[-1][r, 0]
    last = ctx.name(ctx.depth)
    out.append(_sum_line(rf"\frac{{\partial L}}{{\partial w^{{O}}_{{{jo}}}}}",
                         rf"u^{{{last}}}_{{n,{jo}}}\,\delta^{{O}}_{{n}}", n, rf"{par(a_O[jo])} \times {par(dO)}",
                         s.dW_terms[-1][r, jo, 0], data_dW[-1][jo, 0], ctx.N, d))
    out.append(_sum_line(r"\frac{\partial L}{\partial w^{O}_{0}}", r"1 \cdot \delta^{O}_{n}", n,
                         rf"1 \times {par(dO)}", s.dW_terms[-1][r, 0, 0], data_dW[-1][0, 0], ctx.N, d))
    for layer in range(1, ctx.depth + 1):
        L, j_layer = ctx.name(layer), ctx.unit(layer)
        c = j_layer - 1                              # the chosen unit's column
        a, delta_j = s.forward.a[layer - 1][r], s.backward.delta[layer - 1][r, c]
        for i in _inputs_shown(ctx, layer):
            hidden.append(_sum_line(
                rf"\frac{{\partial L}}{{\partial w^{{{L}}}_{{{i},{j_layer}}}}}",
                rf"{ctx.source(layer, 'n', i)}\,\delta^{{{L}}}_{{n,{j_layer}}}", n,
                rf"{par(a[i])} \times {par(delta_j)}", s.dW_terms[layer - 1][r, i, c], data_dW[layer - 1][i, c],
                ctx.N, d))
        if lam:
            w = s.weights[layer - 1][1, c]
            hidden.append(rf"\frac{{\partial J}}{{\partial w^{{{L}}}_{{1,{j_layer}}}}} = \frac{{\partial L}}"
                          rf"{{\partial w^{{{L}}}_{{1,{j_layer}}}}} + \lambda\, w^{{{L}}}_{{1,{j_layer}}} = "
                          rf"{d.latex(data_dW[layer - 1][1, c])} + {lam:g} \times {par(w)} = "
                          rf"{d.latex(s.backward.dW[layer - 1][1, c])}")
    if ctx.depth == 1 and ctx.n_hidden <= SMALL and not lam:
        out.append(rf"\frac{{\partial L}}{{\partial W_O}} = {d.matrix(s.backward.dW[-1])}")
        hidden.append(rf"\frac{{\partial L}}{{\partial W_H}} = {d.matrix(s.backward.dW[0])}")
    rows = sample_rows(ctx, total=True)
    grads = weight_values(ctx, s.backward.dW)
    lit = {(node(ctx, ctx.depth, 0), OUT), (node(ctx, ctx.depth, jo), OUT)}
    for layer in range(1, ctx.depth + 1):
        lit |= edges_into(ctx, layer, ctx.unit(layer))
    dW = s.backward.dW
    tables_ = [Table(dW[-1], layer_labels(ctx, ctx.depth, bias=True), ["∂L/∂w " + o for o in layer_labels(ctx, ctx.depth + 1)],
                     f"Output-layer gradient ∂L/∂W_O {dims(dW[-1])} "
                     f"(row {layer_labels(ctx, ctx.depth, True)[0].split(' ')[0]}: bias)", (0, jo))]
    for layer in range(1, ctx.depth + 1):
        L = ctx.name(layer)
        tables_.append(Table(dW[layer - 1], layer_labels(ctx, layer - 1, bias=layer > 1),
                             layer_labels(ctx, layer),
                             (f"Hidden-layer gradient ∂L/∂W_H {dims(dW[0])} (row x₀: biases)" if ctx.depth == 1 else
                              f"Gradient ∂L/∂W_{L} {dims(dW[layer - 1])} of hidden layer {layer} (row 0: biases)"), (),
                             (ctx.unit(layer) - 1,)))
    units_b = layer_labels(ctx, ctx.depth, bias=True)
    tables_.append(Table(np.vstack([s.dW_terms[-1][:, :, 0], data_dW[-1][:, 0]]), rows, units_b,
                         f"Each sample's term u_{last}·δ_O of ∂L/∂W_O {dims(dW[-1])}, a column per weight (bias "
                         f"column: 1·δ_O): the {ctx.N} rows, one per sample, then their Σ row, which is ∂L/∂W_O "
                         "written as a row", (r,), (0, jo)))
    for layer in range(1, ctx.depth + 1):
        j_layer, c = ctx.unit(layer), ctx.unit(layer) - 1
        unit, L = unit_label(layer, ctx.depth, j_layer), ctx.name(layer)
        tables_.append(Table(np.vstack([s.dW_terms[layer - 1][:, :, c], data_dW[layer - 1][:, c]]), rows,
                             layer_labels(ctx, layer - 1, bias=layer > 1),
                             f"Each sample's term {'x' if layer == 1 else 'u'}·δ_{L} of the weights into {unit}: the "
                             f"{ctx.N} rows, one per sample, then their Σ row, which is column {unit} of "
                             f"∂L/∂W_{L} {dims(dW[layer - 1])}", (r,)))
    if lam:
        for layer in range(1, ctx.depth + 2):
            decay = s.dW_decay[layer - 1]
            tables_.append(Table(decay, layer_labels(ctx, layer - 1, bias=layer > 1), layer_labels(ctx, layer),
                                 f"Weight decay's term λ·W_{ctx.name(layer)} {dims(decay)} (bias row: 0)"))
    first = ctx.name(1)
    general = [aligned([rf"\frac{{\partial L}}{{\partial W_O}} &= [1,\ {sym('u', last)}]^{{\top}}\,\delta_O = "
                        rf"\sum_{{n=1}}^{{N}} [1,\ u^{{{last}}}_{{n}}]^{{\top}}\,\delta^{{O}}_{{n}}",
                        rf"\frac{{\partial L}}{{\partial {sym('W', first)}}} &= X_{{\mathrm{{aug}}}}^{{\top}}\,"
                        rf"{sym(chr(92) + 'delta', first)} = \sum_{{n=1}}^{{N}} x_{{n}}^{{\top}}\,\delta^{{{first}}}_{{n}}"]),
               r"\frac{\partial L}{\partial w_{i,j}} = \sum_{n=1}^{N} (\text{output of node } i)_n\,"
               r"(\delta \text{ of unit } j)_n"]
    if lam:
        general.append(r"\frac{\partial J}{\partial w} = \frac{\partial L}{\partial w} + \lambda\, w"
                       r"\quad (\text{bias weights: } + 0)")
    why = ("A weight's gradient is the delta of the unit it leads into times the output of the node it "
           "comes from, **summed over the samples**: every sample adds one term. For a bias weight that "
           "output is the constant 1, so its gradient is just the sum of the deltas.")
    if lam:
        why += (f" Weight decay adds λ·w (λ = {lam:g}) to every weight's gradient except the biases': "
                "the tables show it separately.")
    return StepView(
        5, TITLES[4], why, general, focus_line(ctx), out,
        [], [Note("info", "Row 0 of ∂L/∂W_O belongs to the bias node because the forward pass puts its 1 first, "
                          f"[1, u_{last}]. The original lecture demo stacked it last when forming this gradient and "
                          "printed a wrong update; the gradient check at the bottom of the page catches it.")],
        tables_,
        Diagram(grads, "gradient", {n_ for e in lit for n_ in e} | {X(0)}, lit, {},
                {e: short(grads[e]) for e in lit}),
        tuple(hidden),
    )


def update_view(ctx: Context) -> StepView:
    s, eta, d = ctx.step, ctx.step.eta, ctx.digits
    jo = ctx.unit(ctx.depth)
    lines = [_update_line(rf"w^{{O}}_{{{jo}}}", s.weights[-1][jo, 0], eta, s.backward.dW[-1][jo, 0],
                          s.weights_new[-1][jo, 0], d),
             _update_line(r"w^{O}_{0}", s.weights[-1][0, 0], eta, s.backward.dW[-1][0, 0], s.weights_new[-1][0, 0], d)]
    for layer in range(1, ctx.depth + 1):
        L, c = ctx.name(layer), ctx.unit(layer) - 1
        W, dW, W_new = s.weights[layer - 1], s.backward.dW[layer - 1], s.weights_new[layer - 1]
        lines += [_update_line(rf"w^{{{L}}}_{{{i},{c + 1}}}", W[i, c], eta, dW[i, c], W_new[i, c], d)
                  for i in _inputs_shown(ctx, layer)]
    target = "J" if s.weight_decay else "L"
    subs = [aligned(lines), rf"L:\ {d.latex(s.loss)} \;\longrightarrow\; {d.latex(s.loss_after)}"]
    delta = signed(s.change) if math.isfinite(s.change) else None
    lit = chosen_path(ctx)
    new, old = weight_values(ctx, s.weights_new), weight_values(ctx, s.weights)
    finite = all(math.isfinite(v) for v in new.values())
    tables_ = [Table(np.column_stack([s.weights[-1][:, 0], -eta * s.backward.dW[-1][:, 0], s.weights_new[-1][:, 0]]),
                     layer_labels(ctx, ctx.depth, bias=True), ["W_O before", f"− η·∂{target}/∂W_O", "W_O after"],
                     f"Output weights W_O {dims(s.weights[-1])} before and after the step, with the change "
                     f"−η·∂{target}/∂W_O {dims(s.weights[-1])} between (row 0: bias)", (0, jo))]
    for layer in range(1, ctx.depth + 1):
        L, rows_, cols = ctx.name(layer), layer_labels(ctx, layer - 1, bias=layer > 1), layer_labels(ctx, layer)
        what = "the hidden weights" if ctx.depth == 1 else f"W_{L}"
        shape = dims(s.weights[layer - 1])
        tables_ += [Table(s.weights_new[layer - 1], rows_, cols,
                          ("Hidden weights W_H" if ctx.depth == 1 else f"Weights W_{L}") + f" {shape} after the step"
                          + (f" (W_{L} at epoch {ctx.epoch + 1})" if ctx.batches == 1 else ""),
                          (), (ctx.unit(layer) - 1,)),
                    Table(-eta * s.backward.dW[layer - 1], rows_, cols,
                          f"Change of {what}, −η·∂{target}/∂W_{L} {shape}", (), (ctx.unit(layer) - 1,))]
    whose = (f"hidden unit {unit_label(1, 1, ctx.j)}'s weights and the output bias" if ctx.depth == 1 else
             "the chosen units' weights and the output bias")
    return StepView(
        6, TITLES[5],
        f"Every weight takes a step against its gradient, of size η times the gradient. For a small enough η the "
        f"{'objective J' if s.weight_decay else 'loss'} falls by about η·‖∂{target}/∂W‖², η times {NORM2} (the "
        f"slope times the step); too large an η overshoots the valley and {'J' if s.weight_decay else 'the loss'} "
        "rises.",
        [rf"W \leftarrow W - \eta\,\frac{{\partial {target}}}{{\partial W}}, \quad \eta = {eta:g}"],
        f"**With the numbers** of {whose}, epoch {ctx.epoch}:", subs,
        [Metric(f"Loss before (epoch {ctx.epoch})", plain(s.loss)), Metric("Loss after this step", plain(s.loss_after), delta)],
        _update_notes(ctx), tables_,
        Diagram(new if finite else old, "new weight" if finite else "weight", {n_ for e in lit for n_ in e}, lit, {},
                {e: change(new[e] - old[e]) for e in lit}),
    )


NORM2 = "the sum of the squares of every weight's gradient"     # ‖∂L/∂W‖², said where it is used


def _target(s) -> str:
    """What the step lowers: J with weight decay, else L."""
    return "J" if s.weight_decay else "L"


def _update_line(symbol: str, w: float, eta: float, grad: float, new: float, d) -> str:
    return rf"{symbol} &\leftarrow {d.latex(w)} - {eta:g} \times {d.paren(grad)} = {d.latex(new)}"


def _update_notes(ctx: Context) -> list[Note]:
    s = ctx.step
    notes = []
    if not math.isfinite(s.loss_after):
        notes.append(Note("error", (
            f"The loss ROSE beyond what a computer can represent: this step overflows. η = {s.eta:g} is "
            f"far too large for these weights — the gradient only gives the slope near the current weights, "
            f"and a step of length η·‖∂{_target(s)}/∂W‖ = {plain(s.eta * math.sqrt(s.gradient_norm2), 4)} (η times "
            f"the square root of {NORM2}) lands far past the valley."
            + (f" Training diverged at epoch {ctx.diverged_at}." if ctx.diverged_at is not None else "")
            + _try_eta(ctx))))
    elif s.change > 0:
        factor = s.loss_after / s.loss if s.loss > 0 else float("inf")
        notes.append(Note("error", (
            f"The loss ROSE, from {plain(s.loss)} to {plain(s.loss_after)} ({factor:.3g} times as large). "
            f"The slope promised a fall of about η·‖∂{_target(s)}/∂W‖² = {plain(-s.predicted_change, 6)}, η times "
            f"{NORM2}"
            + (" (more than the whole loss: a sure sign that the step is far too long)" if
               -s.predicted_change > s.loss else "") +
            f". That estimate holds only for small steps: with η = {s.eta:g} the step overshoots the "
            "bottom of the valley and lands higher up on the other side. Larger losses make larger "
            "gradients and still larger steps, so the run can blow up." + _try_eta(ctx))))
    else:
        pct = -s.change / s.loss if s.loss > 0 else 0.0
        notes.append(Note("success", (
            f"The loss fell by {plain(-s.change)} ({pct:.2%}), from {plain(s.loss)} to {plain(s.loss_after)}. "
            f"The slope alone predicted a fall of about η·‖∂{_target(s)}/∂W‖² = {plain(-s.predicted_change, 6)}, "
            f"η times {NORM2}.")))
    if ctx.batches > 1:
        notes.append(Note("info", (
            f"This is the first of the epoch's {ctx.batches} updates, on the {ctx.N} rows of batch 1; the "
            "training run takes the other batches next, so its loss at the next epoch differs.")))
    elif ctx.next_loss is not None and math.isfinite(s.loss_after):
        notes.append(Note("info", (
            f"Same as the training run: its loss at epoch {ctx.epoch + 1} is {plain(ctx.next_loss)}.")))
    elif ctx.diverged_at is None and ctx.n_epochs is not None and ctx.epoch >= ctx.n_epochs:
        notes.append(Note("info", (
            f"Epoch {ctx.epoch} holds the final weights: the training run stopped here, so this is the "
            "step it would take next.")))
    return notes


def _try_eta(ctx: Context) -> str:
    eta = largest_lowering_eta(ctx.step, ctx.eta_choices)
    return f" Try a smaller η: from here, η = {eta:g} would have lowered the loss." if eta else \
        " Try a smaller η."
