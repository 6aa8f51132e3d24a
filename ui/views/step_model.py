"""What a step of the walk-through is made of, and how its diagram is keyed (pure).

Indices follow the notation on screen: sample n = 1…N, input i = 0…N_I (x₀ = 1 is the bias
node), hidden unit j = 1…N_H (h₀ = 1 is the hidden bias node). In the code arrays sample n is row
n−1 and unit j is column j−1 of ``z_H``; the weights keep the bias in row 0, so ``W_H[i, j−1]``.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np

from core import graph
from core.graph import sub
from core.step import Step
from ui.views import diagram, tables
from ui.views import style as st_style
from ui.views.numbers import FULL, Digits
from ui.views.safe import md

TITLES = ("Forward pass", "Loss", "Output delta", "Hidden deltas", "Gradients", "Update")
COUNT = len(TITLES)
SUM_ROW = "Σ over samples"
SMALL = 4          # matrices up to this many columns are also written out in LaTeX


class Context(NamedTuple):
    """What every step is built from. ``n`` and ``j`` are 1-based, as on screen."""

    step: Step
    n: int
    j: int
    epoch: int
    data_rows: Sequence             # original row label of each training sample
    next_loss: float | None = None  # the training run's loss at epoch+1, when it has one
    diverged_at: int | None = None
    eta_choices: Sequence[float] = ()      # learning rates to suggest when the loss rises
    n_epochs: int | None = None            # epochs the training run took (its last update: n_epochs − 1)
    digits: Digits = FULL                  # the same digits in equations and tables

    @property
    def N(self) -> int:
        return self.step.X_aug.shape[0]

    @property
    def n_inputs(self) -> int:
        return self.step.X_aug.shape[1] - 1

    @property
    def n_hidden(self) -> int:
        return self.step.W_H.shape[1]


class Table(NamedTuple):
    """A matrix with rows and columns named in the notation; ``caption`` gets the shape appended.

    ``focus_rows``/``focus_cols`` (indices) are the chosen sample's rows and the chosen hidden
    unit's columns, highlighted wherever the table is drawn.
    """

    values: np.ndarray
    rows: list[str]
    cols: list[str]
    caption: str
    focus_rows: tuple[int, ...] = ()
    focus_cols: tuple[int, ...] = ()


class Note(NamedTuple):
    kind: str          # "success", "info", "warning" or "error"
    text: str


class Metric(NamedTuple):
    label: str
    value: str
    delta: str | None = None


class Diagram(NamedTuple):
    """What the network diagram shows for a step (arguments of ``ui.diagram.network_chart``)."""

    edge_values: dict
    value_title: str
    highlight_nodes: set
    highlight_edges: set
    node_text: dict
    edge_text: dict


class StepView(NamedTuple):
    """One step ready to draw: the why, general equations, equations with numbers, metrics, notes, tables."""

    number: int
    title: str
    why: str
    general: list[str]
    focus: str
    substituted: list[str]
    metrics: list[Metric]
    notes: list[Note]
    tables: list[Table]
    diagram: Diagram
    side: tuple[str, ...] = ()     # more equations with numbers, beside ``substituted`` when there is room
    headline: str = ""             # the step's general equation in one line, for the projector's first screen



# ----------------------------------------------------------------------------- labels and graph keys


def sample_rows(ctx: Context, total: bool = False) -> list[str]:
    return tables.sample_labels(ctx.data_rows) + ([SUM_ROW] if total else [])


def X(i: int) -> tuple:
    return ("x", i)


def H(j: int) -> tuple:
    return ("h", j)


OUT = ("o", 1)


def edges_into(ctx: Context, j: int) -> set:
    return {(X(i), H(j)) for i in range(ctx.n_inputs + 1)}


def edges_out(ctx: Context) -> set:
    return {(H(j), OUT) for j in range(ctx.n_hidden + 1)}


def all_nodes(ctx: Context) -> set:
    return {X(i) for i in range(ctx.n_inputs + 1)} | {H(k) for k in range(ctx.n_hidden + 1)} | {OUT}


def each_unit(ctx: Context, text) -> dict:
    """``text(k)`` beside every hidden unit when there is room for it, else beside the chosen one."""
    units = range(1, ctx.n_hidden + 1) if ctx.n_hidden <= 6 else [ctx.j]
    return {H(k): text(k) for k in units}


def weight_values(W_H, W_O) -> dict:
    """Edge (u, v) → its weight, for ``ui.diagram``: W_H[i, j−1] is x_i → h_j, W_O[j, 0] is h_j → ŷ."""
    values = {(X(i), H(j + 1)): W_H[i, j] for i in range(W_H.shape[0]) for j in range(W_H.shape[1])}
    values.update({(H(j), OUT): W_O[j, 0] for j in range(W_O.shape[0])})
    return values


def focus_line(ctx: Context, unit: bool = True) -> str:
    who = f"sample n = {ctx.n} (data row {ctx.data_rows[ctx.n - 1]})"
    return f"**With the numbers** of {who}" + (f" and hidden unit h{sub(ctx.j)}" if unit else "") + \
        f", epoch {ctx.epoch}:"


# ----------------------------------------------------------------------------- the diagram


def diagram_key(view: StepView) -> tuple:
    """The step diagram's contents as a plain tuple: what decides how it looks."""
    d = view.diagram
    return (tuple(sorted(d.edge_values.items())), d.value_title, tuple(sorted(d.highlight_nodes)),
            tuple(sorted(d.highlight_edges)), tuple(sorted(d.node_text.items())),
            tuple(sorted(d.edge_text.items())))


def diagram_chart(key: tuple, n_inputs: int, n_hidden: int, chart_style: st_style.ChartStyle,
                  height: int | None = None):
    """The step's network diagram (``ui.views.diagram.network_chart``) from ``diagram_key(view)``."""
    values, title, nodes, edges, node_text, edge_text = key
    # Nodes are named in the notation of the equations (x₁, h₂, ŷ); the caption names the columns.
    G = graph.architecture(n_inputs, n_hidden, input_names=[""] * n_inputs, output_names=[""])
    G.nodes[X(0)]["label"], G.nodes[H(0)]["label"] = "x₀ = 1", "h₀ = 1"      # short: the column is narrow
    return diagram.network_chart(G, dict(values), value_title=title, highlight_nodes=set(nodes),
                                 highlight_edges=set(edges), node_text=dict(node_text),
                                 edge_text=dict(edge_text), style=chart_style, x_domain=(-0.5, 3.0),
                                 height=height, legend=height is None)


def diagram_caption(view: StepView, features: Sequence[str], target: str) -> str:
    """What the lit part of the diagram is, and what x₁, x₂, … and ŷ stand for (names made safe)."""
    what = {1: "the weights into the chosen unit and every weight into ŷ; the sample's values on the nodes",
            2: "the output, where the loss is measured", 3: "the output and its delta δ_O",
            4: "the weights that carry δ_O back (the bias weight carries none) and each unit's δ",
            5: "the gradients of the chosen unit's weights and of the output bias",
            6: "the chosen unit's new weights, labelled with their change"}[view.number]
    names = ", ".join(f"x{sub(i)} = {md(f)}" for i, f in enumerate(features, start=1))
    return (f"Lit: {what}. Line width = size of the {view.diagram.value_title}; blue solid = positive, "
            f"vermilion dashed = negative. {names}; ŷ = predicted {md(target)}.")


def table_rows(tabs: Sequence[Table], capacity: int = 6) -> list[list[tuple[Table, int]]]:
    """Tables packed into rows of ``capacity`` width units: 1–2 columns take 2, 3 take 3, more take all."""
    rows: list[list[tuple[Table, int]]] = []
    used = capacity
    for t in tabs:
        w = min(2 if len(t.cols) <= 2 else 3 if len(t.cols) == 3 else capacity, capacity)
        if used + w > capacity:
            rows.append([])
            used = 0
        rows[-1].append((t, w))
        used += w
    return rows
