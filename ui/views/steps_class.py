"""Steps 1–4 of the walk-through for classification (pure builders, as ``ui.views.steps``).

The output is σ(z_O) (two classes) or softmax(z_O) (three or more) and the loss the cross-entropy.
Step 3 is where classification pays: the loss's slope and the output's slope multiply into
δ_O = ŷ − y, derived with the chosen sample's numbers, beside what the squared loss with a sigmoid
output would give (a σ′ factor that vanishes when the unit saturates). From δ_O down, backprop is
the lecture's, so steps 4–6 are the regression builders; with no hidden layer step 4 says why it is
empty.
"""

from __future__ import annotations

import numpy as np

from core.graph import sub as sub_index
from ui.views import steps, tables
from ui.views.numbers import aligned, plain, short
from ui.views.step_model import (OUT, TITLES, Context, Diagram, Metric, Note, StepView, Table, focus_line,
                                 sample_rows, weight_values)
from ui.views.tables import dims

SIGMOID = r"\hat y = \sigma(z_O) = \frac{1}{1 + e^{-z_O}}"
SOFTMAX = r"\hat y_k = \frac{e^{z_{O,k}}}{\sum_{j} e^{z_{O,j}}}"
LOSS_TWO = r"L = -\sum_{n=1}^{N} \Bigl[\, y_n \log \hat y_n + (1 - y_n) \log\left(1 - \hat y_n\right) \Bigr] = \sum_{n=1}^{N} \ell_n"
LOSS_MANY = r"L = -\sum_{n=1}^{N} \sum_{k=1}^{K} y_{n,k} \log \hat y_{n,k} = \sum_{n=1}^{N} \ell_n"
DELTA = r"\delta_O = \frac{\partial L}{\partial z_O} = \hat y - y"


def _two(ctx: Context) -> bool:
    return ctx.n_outputs == 1


def _truth(ctx: Context) -> int:
    """The chosen sample's class index (0-based)."""
    y = ctx.step.y[ctx.n - 1]
    return int(y[0] > 0.5) if len(y) == 1 else int(np.argmax(y))


def forward_view(ctx: Context) -> StepView:
    """The lecture's forward pass, then the output unit that turns z_O into probabilities."""
    view = steps.forward_view(ctx)
    num, par = ctx.digits.latex, ctx.digits.paren
    s, n, r = ctx.step, ctx.n, ctx.n - 1
    z, y_hat = s.z_O[r], s.y_hat[r]
    output_sum = view.substituted[-1].replace(rf"\hat y_{{{n}}} = z^{{O}}_{{{n}}}", rf"z^{{O}}_{{{n}}}")
    if _two(ctx):
        out = rf"\hat y_{{{n}}} = \sigma\!\left(z^{{O}}_{{{n}}}\right) = \frac{{1}}{{1 + e^{{-{par(z[0])}}}}} = {num(y_hat[0])}"
        said = "The output unit squashes its sum z_O into a probability with the sigmoid σ: ŷ is the probability " \
               "the network gives the second class."
    else:
        k = _truth(ctx) + 1
        terms = " + ".join(rf"e^{{{par(v)}}}" for v in z)
        out = (rf"\hat y_{{{n},{k}}} = \frac{{e^{{z^{{O}}_{{{n},{k}}}}}}}{{\sum_j e^{{z^{{O}}_{{{n},j}}}}}} = "
               rf"\frac{{e^{{{par(z[k - 1])}}}}}{{{terms}}} = {num(y_hat[k - 1])}")
        said = (f"The {ctx.n_outputs} output units' sums z_O become probabilities with the softmax: each is "
                "exponentiated and divided by their total, so the row of ŷ sums to 1. Written out for the "
                "sample's own class k = " + str(k) + ".")
    why = view.why.replace("The output adds up the hidden units' outputs, each times its weight, plus a bias; it is "
                           "linear, so the prediction ŷ is z_O itself.",
                           "The output adds up the hidden units' outputs, each times its weight, plus a bias (z_O). "
                           + said) if ctx.depth else (
        "With no hidden layer the output adds up the inputs, each times its weight, plus a bias (z_O): logistic "
        "(or softmax) regression. " + said)
    below = r"[1,\ u]" if ctx.depth else r"X_{\mathrm{aug}}"
    general = view.general[:-1] + [aligned([rf"z_O &= {below}\,W_O",
                                            (SIGMOID if _two(ctx) else SOFTMAX).replace("=", "&=", 1)])]
    diagram = view.diagram._replace(node_text={**view.diagram.node_text, OUT: f"ŷ = {short(y_hat[_truth(ctx)] if not _two(ctx) else y_hat[0])}"})
    probabilities = Table(s.y_hat, sample_rows(ctx), tables.output_labels(ctx.n_outputs, "ŷ"),
                          f"Probabilities ŷ {dims(s.y_hat)} = " + ("σ(z_O)" if _two(ctx) else "softmax(z_O), each row sums to 1"),
                          (r,))
    return view._replace(why=why, general=general, substituted=view.substituted[:-1] + [output_sum, out],
                         tables=view.tables + [probabilities], diagram=diagram)


def loss_view(ctx: Context) -> StepView:
    """The cross-entropy: −log of the probability each row gives its own class, summed."""
    num, par = ctx.digits.latex, ctx.digits.paren
    s, n, r = ctx.step, ctx.n, ctx.n - 1
    ell, y, y_hat = s.losses, s.y, s.y_hat
    if _two(ctx):
        sub = (rf"\ell_{{{n}}} = -\Bigl[\, y_{{{n}}} \log \hat y_{{{n}}} + (1 - y_{{{n}}}) \log\left(1 - \hat y_{{{n}}}\right)"
               rf"\Bigr] = -\Bigl[\, {num(y[r, 0])} \log {par(y_hat[r, 0])} + {num(1 - y[r, 0])} \log {par(1 - y_hat[r, 0])}"
               rf"\Bigr] = {num(ell[r])}")
        own = y_hat[:, 0] * y[:, 0] + (1 - y_hat[:, 0]) * (1 - y[:, 0])
    else:
        k = _truth(ctx) + 1
        sub = (rf"\ell_{{{n}}} = -\log \hat y_{{{n},{k}}} = -\log {par(y_hat[r, k - 1])} = {num(ell[r])}"
               rf"\quad (\text{{only its class, }} k = {k}\text{{, has }} y_{{{n},k}} = 1)")
        own = np.sum(y_hat * y, axis=1)
    symbols = (" + ".join(rf"\ell_{{{m}}}" for m in range(1, ctx.N + 1)) if ctx.N <= 3 else
               rf"\ell_{{1}} + \ell_{{2}} + \dots + \ell_{{{ctx.N}}}")
    values = " + ".join(num(v) for v in ell) if ctx.N <= 3 else rf"{num(ell[0])} + {num(ell[1])} + \dots + {num(ell[-1])}"
    share = ell[r] / s.loss if s.loss > 0 else 0.0
    worst = int(np.argmax(ell))
    why = ("The loss for classification is the **cross-entropy**: for each row, −log of the probability the network "
           "gives that row's own class, **summed** over the rows (not averaged). A sure and right row costs almost "
           "0; a sure and wrong one costs a lot, without bound. Every row will push on every weight.")
    metrics = [Metric(f"Cross-entropy L at epoch {ctx.epoch}", plain(s.loss)),
               Metric(f"Sample n = {n}'s share ℓ{sub_index(n)}", plain(ell[r]), None)]
    general = [LOSS_TWO if _two(ctx) else LOSS_MANY]
    subs = [sub, aligned([rf"L &= {symbols}", rf"&= {values}", rf"&= {num(s.loss)}"])]
    if s.weight_decay:
        why += f" With weight decay λ = {steps.with_decay(ctx, general, subs, metrics)} the step lowers J = L + (λ/2)·Σw² instead."
    frame = np.column_stack([own, ell])
    return StepView(
        2, TITLES[1], why, general, focus_line(ctx, unit=False), subs, metrics,
        [Note("info", f"Sample n = {n} contributes {share:.1%} of the loss: the network gives its class the "
                      f"probability {plain(own[r], 4)}. The largest share is sample n = {worst + 1} (data row "
                      f"{ctx.data_rows[worst]}), {ell[worst] / s.loss:.1%}." if s.loss > 0 else
              "The loss is 0: every row gets probability 1 for its class.")],
        [Table(np.vstack([frame, frame.sum(axis=0, keepdims=True)]), sample_rows(ctx, total=True),
               ["ŷ of its class", "ℓ = −log(ŷ of its class)"],
               f"Each of the {ctx.N} rows: the probability ŷ {dims(y_hat)} gives its own class, and its share "
               f"ℓ {dims(ell[:, None])} of the loss; the Σ of ℓ is L", (r,))],
        Diagram(weight_values(ctx, s.weights), "weight", {OUT}, set(), {OUT: f"ℓ = {short(ell[r])}"}, {}),
    )


def output_delta_view(ctx: Context) -> StepView:
    """δ_O = ŷ − y, derived with the sample's numbers, and what the squared loss would have given."""
    num, par = ctx.digits.latex, ctx.digits.paren
    s, n, r = ctx.step, ctx.n, ctx.n - 1
    y, y_hat, d = s.y[r], s.y_hat[r], s.delta_O[r]
    if _two(ctx):
        p, t = float(y_hat[0]), float(y[0])
        slope = p * (1 - p)
        general = [aligned([r"\frac{\partial \ell}{\partial \hat y} &= -\frac{y}{\hat y} + \frac{1 - y}{1 - \hat y}"
                            r" = \frac{\hat y - y}{\hat y\,(1 - \hat y)}",
                            r"\frac{\partial \hat y}{\partial z_O} &= \sigma'(z_O) = \hat y\,(1 - \hat y)",
                            r"\delta_O = \frac{\partial \ell}{\partial \hat y}\,\frac{\partial \hat y}{\partial z_O} &= \hat y - y"])]
        subs = []
        if slope > 0:
            subs.append(rf"\frac{{\partial \ell_{{{n}}}}}{{\partial \hat y_{{{n}}}}} = \frac{{{par(p)} - {par(t)}}}"
                        rf"{{{par(p)} \times \left(1 - {par(p)}\right)}} = {num((p - t) / slope)}")
            subs.append(rf"\sigma'\!\left(z^{{O}}_{{{n}}}\right) = {par(p)} \times \left(1 - {par(p)}\right) = {num(slope)}")
        subs.append(rf"\delta^{{O}}_{{{n}}} = " + (rf"{num((p - t) / slope)} \times {num(slope)} = " if slope > 0 else "")
                    + rf"\hat y_{{{n}}} - y_{{{n}}} = {par(p)} - {par(t)} = {num(d[0])}")
        squared = (p - t) * slope
        contrast = (f"With the squared loss and the same sigmoid output, δ_O = (ŷ − y)·σ′(z_O) would keep the slope: "
                    f"here ({plain(p - t, 4)}) × {plain(slope, 4)} = {plain(squared, 4)} instead of {plain(d[0], 4)}. "
                    "σ′ is at most ¼ and nearly 0 when the unit saturates (ŷ near 0 or 1), so a confidently wrong "
                    "row would learn slowly; the cross-entropy's slope cancels σ′ exactly.")
        columns = ["y", "ŷ = σ(z_O)", "δ_O = ŷ − y"]
        values = np.column_stack([s.y[:, 0], s.y_hat[:, 0], s.delta_O[:, 0]])
    else:
        K = ctx.n_outputs
        general = [aligned([r"\frac{\partial \hat y_j}{\partial z_{O,k}} &= \hat y_j\,\left([j = k] - \hat y_k\right)"
                            r"\quad \text{(the softmax's slopes)}",
                            r"\delta_{O,k} = \sum_j \frac{\partial \ell}{\partial \hat y_j}\,\frac{\partial \hat y_j}"
                            r"{\partial z_{O,k}} &= \sum_j \left(-\frac{y_j}{\hat y_j}\right) \hat y_j\,"
                            r"\left([j = k] - \hat y_k\right) = \hat y_k \sum_j y_j - y_k = \hat y_k - y_k"])]
        comma = r",\ "
        diffs = comma.join(rf"{par(y_hat[k])} - {par(y[k])}" for k in range(K))
        results = comma.join(num(v) for v in d)
        subs = [rf"\delta^{{O}}_{{{n}}} = \hat y_{{{n}}} - y_{{{n}}} = \left[\,{diffs}\,\right] = "
                rf"\left[\,{results}\,\right]"]
        c = _truth(ctx)
        slope = float(y_hat[c] * (1 - y_hat[c]))
        contrast = ("With the squared loss the output's slope would stay in δ_O: for the row's own class "
                    f"(ŷ − y)·ŷ(1 − ŷ) = ({plain(y_hat[c] - y[c], 4)}) × {plain(slope, 4)} = "
                    f"{plain((y_hat[c] - y[c]) * slope, 4)} instead of {plain(d[c], 4)} — nearly 0 when the unit "
                    "saturates, so a confidently wrong row would learn slowly. Σ_j y_j = 1 (one-hot) cancels it here.")
        columns = [f"δ_O{sub_index(k)}" for k in range(1, K + 1)]
        values = s.delta_O
    why = ("Backpropagation starts at the output: δ_O = ∂L/∂z_O, how fast the loss changes when a sample's output "
           "sum z_O moves. It is two slopes multiplied — the loss's with respect to ŷ and the "
           + ("sigmoid's" if _two(ctx) else "softmax's") + " with respect to z_O — and for the cross-entropy their "
           "product is the simplest there is: **δ_O = ŷ − y**, the same form the lecture's regression network has. "
           "Too high a probability for the wrong class gives a positive δ_O, too low for the "
           "right one a negative δ_O.")
    return StepView(
        3, TITLES[2], why, general, focus_line(ctx, unit=False), subs, [], [Note("info", contrast)],
        [Table(values, sample_rows(ctx), columns,
               f"The {ctx.N} rows of the output deltas δ_O {dims(s.delta_O)} = ŷ − y, one per sample"
               + (f", beside y {dims(s.y)} and ŷ {dims(s.y_hat)}" if _two(ctx) else ""), (r,))],
        Diagram(weight_values(ctx, s.weights), "weight", {OUT}, set(), {OUT: f"δ_O = {short(d[0])}"}, {}),
    )


def no_hidden_view(ctx: Context) -> StepView:
    """Step 4 without a hidden layer: there is nothing between the inputs and the output to pass δ_O to."""
    s = ctx.step
    return StepView(
        4, TITLES[3],
        "This network has no hidden layer: the inputs feed the output directly (logistic or softmax regression). "
        "There is no hidden unit to pass δ_O back to, so this step has nothing to compute; step 5 builds ∂L/∂W_O "
        "from δ_O and the inputs at once. Add a hidden layer in the sidebar to see the deltas travel back.",
        [r"\text{no hidden layer: } \frac{\partial L}{\partial W_O} = X_{\mathrm{aug}}^{\top}\,\delta_O"],
        focus_line(ctx, unit=False), [], [], [], [],
        Diagram(weight_values(ctx, s.weights), "weight", {OUT}, set(), {OUT: f"δ_O = {short(s.delta_O[ctx.n - 1, 0])}"}, {}),
    )


def headline(number: int, ctx: Context) -> str:
    """Steps 1–3's one-line equation for a projected first screen (others as for regression)."""
    if number == 1:
        below = r"[1,\ u]" if ctx.depth else r"X_{\mathrm{aug}}"
        return rf"z_O = {below}\,W_O, \qquad " + (SIGMOID if _two(ctx) else SOFTMAX)
    if number == 2:
        return (LOSS_TWO if _two(ctx) else LOSS_MANY).split(" = \\sum_{n=1}^{N} \\ell_n")[0]
    if number == 3:
        return DELTA
    return steps.headline(number, ctx)


BUILDERS = {1: forward_view, 2: loss_view, 3: output_delta_view}


def build(number: int, ctx: Context) -> StepView:
    """Step ``number`` (1 … 6) for a classification step."""
    if number == 4 and ctx.depth == 0:
        view = no_hidden_view(ctx)
    else:
        view = BUILDERS.get(number, lambda c: steps.BUILDERS[number - 1](c))(ctx)
    return view._replace(headline=headline(number, ctx))
