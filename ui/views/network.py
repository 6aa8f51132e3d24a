"""What the Network page draws: numbers from a History snapshot laid onto the architecture graph.

Pure functions: arrays in, dicts, strings or a chart out. The graph's edges carry ``matrix``,
``row`` and ``col`` (see ``core.graph``), so every weight, gradient and change is read from the
array it lives in — never re-derived here. Works for any number of hidden layers: the arrays come
as tuples, one per layer, first hidden layer first, named as in ``core.graph.matrix_names``.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np

from core import activations, network
from core.graph import hidden_kind, layer_names, matrix_names
from ui.views import diagram
from ui.views import style as st_style
from ui.views.numbers import fixed

SHOW = ("weights", "gradients", "change since epoch 0")
# Tooltip titles; they are also field names in the chart data, so no ".", ":" or brackets.
WEIGHT, GRADIENT, CHANGE = "weight W", "gradient ∂L/∂W", "change W − W⁽⁰⁾"
TITLES = dict(zip(SHOW, (WEIGHT, GRADIENT, CHANGE)))
PREFIX = dict(zip(SHOW, ("", "∂L/∂", "change of ")))      # "∂L/∂" + "W_H" names the table


class Quantities(NamedTuple):
    """The three numbers an edge can show, each a tuple with one array per layer (output last).

    ``W`` are the weights at the chosen epoch, ``dW`` the gradient ∂L/∂W of the training loss at
    those weights, ``change`` the weights minus the initial weights; array l is shaped like layer
    l's weights, (1 + fan-in, units), bias in row 0.
    """

    W: tuple
    dW: tuple
    change: tuple

    @classmethod
    def of(cls, weights: Sequence, grads: Sequence, initial: Sequence) -> "Quantities":
        return cls(tuple(weights), tuple(grads), tuple(w - w0 for w, w0 in zip(weights, initial)))

    def shown(self, show: str) -> tuple:
        """The arrays, one per layer, of the quantity ``show`` (one of SHOW)."""
        return {SHOW[0]: self.W, SHOW[1]: self.dW, SHOW[2]: self.change}[show]

    def finite(self) -> bool:
        return all(np.isfinite(a).all() for arrays in self for a in arrays)

    def drawable(self) -> "Quantities":
        """The same numbers with any overflow (inf, NaN) replaced by 0, so a chart never gets one."""
        return Quantities(*(tuple(np.nan_to_num(a, nan=0.0, posinf=0.0, neginf=0.0) for a in arrays)
                            for arrays in self))


def edge_values(G, arrays: Sequence) -> dict:
    """Edge (u, v) → the entry of the layer array (``arrays``, one per layer) that it stands for."""
    by_name = dict(zip(matrix_names(len(arrays) - 1), arrays))
    return {(u, v): float(np.asarray(by_name[d["matrix"]], dtype=float)[d["row"], d["col"]])
            for u, v, d in G.edges(data=True)}


def edge_tooltips(G, q: Quantities) -> dict:
    """Edge → its weight, gradient and change since epoch 0 (all three in every tooltip)."""
    columns = {WEIGHT: edge_values(G, q.W), GRADIENT: edge_values(G, q.dW), CHANGE: edge_values(G, q.change)}
    return {e: {title: values[e] for title, values in columns.items()} for e in G.edges()}


def node_tooltips(G, x_aug: np.ndarray, z: Sequence, u: Sequence, y: np.ndarray | None = None) -> dict:
    """Node → {"z", "u"} (as text) for one sample: ``x_aug`` (N_I+1,); ``z``, ``u`` one array per
    layer, output last (hidden layer l: (n_l,), output: (N_O,)).

    An input node's output u is the scaled input itself and it has no z; a bias node's u is 1.
    Unit j of a hidden layer is column j-1 of its z (the bias node has no column).
    """
    depth = len(z) - 1
    kinds = {hidden_kind(layer, depth): layer - 1 for layer in range(1, depth + 1)}
    out = {}
    for node, d in G.nodes(data=True):
        kind, i = node
        if d["bias"]:
            zs, us = "none (bias)", "1"
        elif kind == "x":
            zs, us = "none (input)", fixed(x_aug[i])
        elif kind in kinds:
            zs, us = fixed(z[kinds[kind]][i - 1]), fixed(u[kinds[kind]][i - 1])
        else:
            zs = us = fixed(z[-1][i - 1])
        out[node] = {"z": zs, "u": us}
        if kind == "o" and y is not None:
            out[node]["target y"] = fixed(y[i - 1])
    return out


def edge_widths(n_hidden: int, style: st_style.ChartStyle) -> tuple[float, float] | None:
    """Thinner lines for a wide hidden layer, where many lines share the space."""
    if n_hidden <= 12:
        return None                                  # the diagram's own widths
    return (0.8, 7.0) if style.font >= 16 else (0.4, 4.5)


def network_chart(G, q: Quantities, show: str, nodes: dict, style: st_style.ChartStyle = st_style.NORMAL):
    """The diagram with edges showing ``show`` (one of SHOW), every tooltip filled in, styled."""
    arrays = q.shown(show)
    widest = max([a.shape[1] for a in arrays[:-1]], default=1)
    chart = diagram.network_chart(G, edge_values(G, arrays), value_title=TITLES[show],
                                  edge_extra=edge_tooltips(G, q), node_extra=nodes, style=style,
                                  label_halo=True, width_range=edge_widths(widest, style))
    return style.apply(chart)


def shapes_rows(n: int, n_inputs: int, hidden, n_outputs: int) -> list[tuple[str, str, str, str]]:
    """docs/core-api.md's variables-and-shapes table with the sizes filled in: (code, maths, meaning, shape)."""
    hidden = network.widths(hidden)
    N, I, O = n, n_inputs, n_outputs
    names = layer_names(len(hidden))
    fan_in = [I, *hidden]
    rows = [("X_aug", r"$X_{\mathrm{aug}}$", "data, one row per sample, leading column of ones", f"({N}, {I + 1})"),
            ("y", r"$y$", "targets", f"({N}, {O})")]
    for l, (name, width) in enumerate(zip(names, [*hidden, O])):
        what = "output-layer" if name == "O" else ("hidden-layer" if len(hidden) == 1 else f"hidden layer {l + 1}'s")
        rows.append((f"W_{name}", f"$W_{{{name}}}$", f"{what} weights, row 0 = bias", f"({fan_in[l] + 1}, {width})"))
    for name, width in zip(names, [*hidden, O]):
        meaning = ("output pre-activation and output" if name == "O" else "hidden pre-activation and activation"
                   + ("" if len(hidden) == 1 else f", layer {name[1:]}"))
        rows.append((f"z_{name}, u_{name}", rf"$z_{{{name}}},\ u_{{{name}}}$", meaning, f"({N}, {width})"))
    deltas = list(zip(names, [*hidden, O]))[::-1]
    rows.append((", ".join(f"delta_{a}" for a, _ in deltas), r"$" + r",\ ".join(rf"\delta_{{{a}}}" for a, _ in deltas)
                 + "$", "deltas ∂L/∂z", ", ".join(f"({N}, {w})" for _, w in deltas)))
    rows.append((", ".join(f"dW_{a}" for a, _ in deltas),
                 "$" + r",\ ".join(rf"\partial L/\partial W_{{{a}}}" for a, _ in deltas) + "$", "gradients",
                 ", ".join(f"({fan_in[names.index(a)] + 1}, {w})" for a, w in deltas)))
    return rows


def shapes_markdown(n: int, n_inputs: int, hidden, n_outputs: int) -> str:
    """``shapes_rows`` as a Markdown table (all text is app-written)."""
    hidden = network.widths(hidden)
    units = (f"N_H = {hidden[0]} hidden units" if len(hidden) == 1 else
             f"{len(hidden)} hidden layers of " + ", ".join(str(w) for w in hidden) + " units")
    head = (f"N = {n} training samples, N_I = {n_inputs} inputs, {units}, "
            f"N_O = {n_outputs} output{'s' if n_outputs > 1 else ''}\n\n")
    rows = [f"| `{code}` | {maths} | {meaning} | {shape} |"
            for code, maths, meaning, shape in shapes_rows(n, n_inputs, hidden, n_outputs)]
    return head + "| code | maths | meaning | shape |\n|---|---|---|---|\n" + "\n".join(rows)


OUTPUT_LATEX = {   # ŷ from z_O: the task's output unit
    "squared": r"\hat y = u_O = z_O \quad \text{(linear output)}",
    "sigmoid": r"\hat y = u_O = \sigma(z_O) = \frac{1}{1 + e^{-z_O}} \quad \text{(the probability of class 1)}",
    "softmax": r"\hat y_k = u_{O,k} = \frac{e^{z_{O,k}}}{\sum_j e^{z_{O,j}}} \quad \text{(softmax: one probability per class)}",
}


def output_kind(loss: str, n_outputs: int) -> str:
    """"squared" (linear output), "sigmoid" (two classes) or "softmax" (three or more)."""
    return "squared" if loss == "squared" else ("sigmoid" if n_outputs == 1 else "softmax")


def forward_latex(activation: str, n: int, n_inputs: int, hidden, n_outputs: int, loss: str = "squared") -> list[str]:
    """The forward pass in the notation of the shapes table (shapes under each factor), then one unit
    of each layer written out. Short lines, one ``st.latex`` each, for a narrow projected column."""
    hidden = network.widths(hidden)
    g = activations.get(activation)
    names = layer_names(len(hidden))
    N, I, O = n, n_inputs, n_outputs

    def shaped(symbol: str, rows: int, cols: int) -> str:
        return r"\underbrace{" + symbol + "}_{" + f"{rows}" + r"\times" + f"{cols}" + "}"

    lines, written = [], []
    below, width_below = "X", I
    for name, width in zip(names, [*hidden, O]):
        left = r"X_{\mathrm{aug}}" if below == "X" else rf"[\,\mathbf{{1}},\ u_{{{below}}}\,]"
        lines.append(shaped(f"z_{{{name}}}", N, width) + " = " + shaped(left, N, width_below + 1) + r"\;"
                     + shaped(f"W_{{{name}}}", width_below + 1, width))
        source = "x" if below == "X" else rf"u^{{{below}}}"
        if name == "O":
            lines.append(OUTPUT_LATEX[output_kind(loss, n_outputs)])
            zo = r"\hat y_n" if loss == "squared" else (r"z^{O}_{n}" if n_outputs == 1 else r"z^{O}_{n,k}")
            k = "" if n_outputs == 1 else ",k"
            written.append(rf"{zo} = w^{{O}}_{{0{k}}} + \sum_{{j=1}}^{{{width_below}}} {source}_{{n,j}}\,w^{{O}}_{{j{k}}}")
        else:
            lines.append(rf"u_{{{name}}} = g(z_{{{name}}})" + (r", \qquad " + g.latex + r" \quad \text{(" + g.name
                                                                 + ")}" if below == "X" else ""))
            written.append(rf"z^{{{name}}}_{{n,j}} = w^{{{name}}}_{{0,j}} + \sum_{{i=1}}^{{{width_below}}} "
                           rf"{source}_{{n,i}}\,w^{{{name}}}_{{i,j}}")
        below, width_below = name, width
    return lines + written
