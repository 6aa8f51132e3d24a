"""What the Network page draws: numbers from a History snapshot laid onto the architecture graph.

Pure functions: arrays in, dicts, strings or a chart out. The graph's edges carry ``matrix``,
``row`` and ``col`` (see ``core.graph``), so every weight, gradient and change is read from the
array it lives in — never re-derived here.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from core import activations
from ui.views import diagram
from ui.views import style as st_style
from ui.views.numbers import fixed

SHOW = ("weights", "gradients", "change since epoch 0")
# Tooltip titles; they are also field names in the chart data, so no ".", ":" or brackets.
WEIGHT, GRADIENT, CHANGE = "weight W", "gradient ∂L/∂W", "change W − W⁽⁰⁾"
TITLES = dict(zip(SHOW, (WEIGHT, GRADIENT, CHANGE)))
PREFIX = dict(zip(SHOW, ("", "∂L/∂", "change of ")))      # "∂L/∂" + "W_H" names the table


class Quantities(NamedTuple):
    """The three numbers an edge can show, each as the pair (hidden layer, output layer).

    ``W`` are the weights at the chosen epoch, ``dW`` the gradient ∂L/∂W of the training loss at
    those weights, ``change`` the weights minus the initial weights. Shapes: (N_I+1, N_H), (N_H+1, N_O).
    """

    W: tuple[np.ndarray, np.ndarray]
    dW: tuple[np.ndarray, np.ndarray]
    change: tuple[np.ndarray, np.ndarray]

    @classmethod
    def of(cls, W_H, W_O, dW_H, dW_O, W_H0, W_O0) -> "Quantities":
        return cls((W_H, W_O), (dW_H, dW_O), (W_H - W_H0, W_O - W_O0))

    def shown(self, show: str) -> tuple[np.ndarray, np.ndarray]:
        """(hidden, output) arrays of the quantity ``show`` (one of SHOW)."""
        return {SHOW[0]: self.W, SHOW[1]: self.dW, SHOW[2]: self.change}[show]

    def finite(self) -> bool:
        return all(np.isfinite(a).all() for pair in self for a in pair)

    def drawable(self) -> "Quantities":
        """The same numbers with any overflow (inf, NaN) replaced by 0, so a chart never gets one."""
        return Quantities(*(tuple(np.nan_to_num(a, nan=0.0, posinf=0.0, neginf=0.0) for a in pair)
                            for pair in self))


def edge_values(G, M_H: np.ndarray, M_O: np.ndarray) -> dict:
    """Edge (u, v) → the entry of ``M_H`` (shaped like W_H) or ``M_O`` (like W_O) that it stands for."""
    arrays = {"W_H": np.asarray(M_H, dtype=float), "W_O": np.asarray(M_O, dtype=float)}
    return {(u, v): float(arrays[d["matrix"]][d["row"], d["col"]]) for u, v, d in G.edges(data=True)}


def edge_tooltips(G, q: Quantities) -> dict:
    """Edge → its weight, gradient and change since epoch 0 (all three in every tooltip)."""
    columns = {WEIGHT: edge_values(G, *q.W), GRADIENT: edge_values(G, *q.dW),
               CHANGE: edge_values(G, *q.change)}
    return {e: {title: values[e] for title, values in columns.items()} for e in G.edges()}


def node_tooltips(G, x_aug: np.ndarray, z_H: np.ndarray, u_H: np.ndarray, z_O: np.ndarray,
                  y: np.ndarray | None = None) -> dict:
    """Node → {"z", "u"} (as text) for one sample: ``x_aug`` (N_I+1,), ``z_H``/``u_H`` (N_H,), ``z_O`` (N_O,).

    An input node's output u is the scaled input itself and it has no z; a bias node's u is 1.
    Hidden unit j is column j-1 of ``z_H`` (the bias node h₀ has no column).
    """
    out = {}
    for node, d in G.nodes(data=True):
        kind, i = node
        if d["bias"]:
            z, u = "none (bias)", "1"
        elif kind == "x":
            z, u = "none (input)", fixed(x_aug[i])
        elif kind == "h":
            z, u = fixed(z_H[i - 1]), fixed(u_H[i - 1])
        else:
            z, u = fixed(z_O[i - 1]), fixed(z_O[i - 1])
        out[node] = {"z": z, "u": u}
        if kind == "o" and y is not None:
            out[node]["target y"] = fixed(y[i - 1])
    return out


def edge_widths(n_hidden: int, style: st_style.ChartStyle) -> tuple[float, float] | None:
    """Thinner lines for a wide hidden layer, where (N_I+1+N_O)·N_H lines share the space."""
    if n_hidden <= 12:
        return None                                  # the diagram's own widths
    return (0.8, 7.0) if style.font >= 16 else (0.4, 4.5)


def network_chart(G, q: Quantities, show: str, nodes: dict, style: st_style.ChartStyle = st_style.NORMAL):
    """The diagram with edges showing ``show`` (one of SHOW), every tooltip filled in, styled."""
    M_H, M_O = q.shown(show)
    chart = diagram.network_chart(G, edge_values(G, M_H, M_O), value_title=TITLES[show],
                                  edge_extra=edge_tooltips(G, q), node_extra=nodes, style=style,
                                  label_halo=True, width_range=edge_widths(M_H.shape[1], style))
    return style.apply(chart)


def shapes_rows(n: int, n_inputs: int, n_hidden: int, n_outputs: int) -> list[tuple[str, str, str, str]]:
    """SPEC §1's variables-and-shapes table with the sizes filled in: (code, maths, meaning, shape)."""
    N, I, H, O = n, n_inputs, n_hidden, n_outputs
    return [
        ("X_aug", r"$X$", "data, one row per sample, leading column of ones", f"({N}, {I + 1})"),
        ("y", r"$y$", "targets", f"({N}, {O})"),
        ("W_H", r"$W_H$", "hidden-layer weights, row 0 = bias", f"({I + 1}, {H})"),
        ("W_O", r"$W_O$", "output-layer weights, row 0 = bias", f"({H + 1}, {O})"),
        ("z_H, u_H", r"$z_H,\ u_H$", "hidden pre-activation and activation", f"({N}, {H})"),
        ("z_O, u_O", r"$z_O,\ u_O$", "output pre-activation and output", f"({N}, {O})"),
        ("delta_O, delta_H", r"$\delta_O,\ \delta_H$", "deltas ∂L/∂z", f"({N}, {O}), ({N}, {H})"),
        ("dW_O, dW_H", r"$\partial L/\partial W_O,\ \partial L/\partial W_H$", "gradients",
         f"({H + 1}, {O}), ({I + 1}, {H})"),
    ]


def shapes_markdown(n: int, n_inputs: int, n_hidden: int, n_outputs: int) -> str:
    """``shapes_rows`` as a Markdown table (all text is app-written)."""
    head = (f"N = {n} training samples, N_I = {n_inputs} inputs, N_H = {n_hidden} hidden units, "
            f"N_O = {n_outputs} output{'s' if n_outputs > 1 else ''}\n\n")
    rows = [f"| `{code}` | {maths} | {meaning} | {shape} |"
            for code, maths, meaning, shape in shapes_rows(n, n_inputs, n_hidden, n_outputs)]
    return head + "| code | maths | meaning | shape |\n|---|---|---|---|\n" + "\n".join(rows)


def forward_latex(activation: str, n: int, n_inputs: int, n_hidden: int, n_outputs: int) -> list[str]:
    """The forward pass in the notation of the shapes table (shapes under each factor), then one unit.

    Short lines, one ``st.latex`` each, so they fit a narrow column in projector mode.
    """
    g = activations.get(activation)
    N, I, H, O = n, n_inputs, n_hidden, n_outputs
    ones_u_H = r"[\,\mathbf{1},\ u_H\,]"

    def shaped(symbol: str, rows: int, cols: int) -> str:
        return r"\underbrace{" + symbol + "}_{" + f"{rows}" + r"\times" + f"{cols}" + "}"

    return [
        shaped("z_H", N, H) + " = " + shaped("X", N, I + 1) + r"\;" + shaped("W_H", I + 1, H),
        r"u_H = g(z_H), \qquad " + g.latex + r" \quad \text{(" + g.name + ")}",
        shaped("z_O", N, O) + " = " + shaped(ones_u_H, N, H + 1) + r"\;" + shaped("W_O", H + 1, O),
        r"\hat y = u_O = z_O \quad \text{(linear output)}",
        r"z_{h_j} = W_H[0,j] + \sum_{i=1}^{" + str(I) + r"} x_i\,W_H[i,j]",
        r"\hat y = W_O[0,1] + \sum_{j=1}^{" + str(H) + r"} u_{h_j}\,W_O[j,1]",
    ]
