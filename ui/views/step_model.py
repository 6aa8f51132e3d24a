"""What a step of the walk-through is made of, how its layers are named, and its diagram (pure).

Indices follow the notation on screen: sample n = 1…N, input i = 0…N_I (x₀ = 1 is the bias
node), unit j of a hidden layer = 1…its width (h₀ = 1 is that layer's bias node). In the code
arrays sample n is row n−1 and unit j is column j−1 of z; the weights keep the bias in row 0, so
the weight from node i below to unit j is ``W[i, j−1]``. With one hidden layer the layers are
named H and O, as in the lecture; with several, H1, H2, H3 and O.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np

from core import graph, network
from core.graph import hidden_kind, sub, unit_label
from core.step import Step
from ui.views import diagram, tables
from ui.views import style as st_style
from ui.views.numbers import FULL, Digits
from ui.views.safe import md

TITLES = ("Forward pass", "Loss", "Output delta", "Hidden deltas", "Gradients", "Update")
COUNT = len(TITLES)
SUM_ROW = "Σ (sum)"           # short: a label cut short would look like one more sample
SMALL = 4          # matrices up to this many columns are also written out in LaTeX
TERMS = 5          # sums of up to this many terms are written out in full


class Context(NamedTuple):
    """What every step is built from. ``n`` and ``j`` are 1-based, as on screen; in a hidden layer
    narrower than ``j`` the chosen unit is its last."""

    step: Step
    n: int
    j: int
    epoch: int
    data_rows: Sequence             # original row label of each row of the step (its batch)
    next_loss: float | None = None  # the training run's loss at epoch+1, when it has one
    diverged_at: int | None = None
    eta_choices: Sequence[float] = ()      # learning rates to suggest when the loss rises
    n_epochs: int | None = None            # epochs the training run took (its last update: n_epochs − 1)
    digits: Digits = FULL                  # the same digits in equations and tables
    batches: int = 1                       # updates per epoch: the step is the first of them

    @property
    def N(self) -> int:
        return self.step.X_aug.shape[0]

    @property
    def n_inputs(self) -> int:
        return self.step.X_aug.shape[1] - 1

    @property
    def n_outputs(self) -> int:
        return self.step.weights[-1].shape[1]

    @property
    def depth(self) -> int:
        """Number of hidden layers."""
        return len(self.step.weights) - 1

    @property
    def widths(self) -> tuple[int, ...]:
        return tuple(w.shape[1] for w in self.step.weights[:-1])

    @property
    def n_hidden(self) -> int:
        """Width of the first hidden layer."""
        return self.widths[0]

    def unit(self, layer: int) -> int:
        """The chosen unit (1-based) of hidden layer ``layer`` (1-based); layer 0 is the inputs (the
        weights a network without a hidden layer follows come from input 1)."""
        if layer == 0 or layer > self.depth:          # the inputs, or the output unit
            return 1
        return min(self.j, self.widths[layer - 1])

    def name(self, layer: int) -> str:
        """The name of layer ``layer`` (1 … depth + 1): "H" or "H1" … for hidden layers, "O" for the output."""
        return graph.layer_name(layer, self.depth)

    def source(self, layer: int, n, i) -> str:
        """The symbol of input i of layer ``layer`` for sample n: x_{n,i} below the first hidden layer,
        else u of the layer below (u_{n,0} = 1 is its bias node)."""
        return rf"x_{{{n},{i}}}" if layer == 1 else rf"u^{{{self.name(layer - 1)}}}_{{{n},{i}}}"


class Table(NamedTuple):
    """A matrix with rows and columns named in the notation. ``caption`` names the variables shown with
    their own shapes ("δ_O (15, 1)", ``tables.dims``), never the table's: a Σ row or columns side by
    side make a table that is no variable, and the caption says which rows it shows.

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
    """What the network diagram shows for a step (arguments of ``ui.views.diagram.network_chart``)."""

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


def layer_labels(ctx: Context, layer: int, bias: bool = False) -> list[str]:
    """Labels of the nodes of layer ``layer``: the inputs (0), a hidden layer's units, "→ ŷ" for the output."""
    if layer == 0:
        return tables.input_labels(ctx.n_inputs)
    if layer > ctx.depth:
        return ["→ " + o for o in tables.output_labels(ctx.n_outputs, "ŷ")]
    return tables.unit_labels(ctx.widths[layer - 1], bias, layer, ctx.depth)


def X(i: int) -> tuple:
    return ("x", i)


def H(j: int, layer: int = 1, depth: int = 1) -> tuple:
    """Unit j of hidden layer ``layer`` (of ``depth``) as a graph node."""
    return (hidden_kind(layer, depth), j)


OUT = ("o", 1)


def node(ctx: Context, layer: int, i: int) -> tuple:
    """Node i of layer ``layer`` (0: inputs, 1 … depth: hidden, depth + 1: output)."""
    return X(i) if layer == 0 else OUT if layer > ctx.depth else H(i, layer, ctx.depth)


def layer_size(ctx: Context, layer: int) -> int:
    """Nodes of layer ``layer`` without its bias node (inputs, units, or 1 output)."""
    return ctx.n_inputs if layer == 0 else 1 if layer > ctx.depth else ctx.widths[layer - 1]


def edges_into(ctx: Context, layer: int, j: int) -> set:
    """Every edge into node j of layer ``layer``, the bias edge included."""
    return {(node(ctx, layer - 1, i), node(ctx, layer, j)) for i in range(layer_size(ctx, layer - 1) + 1)}


def edges_out(ctx: Context) -> set:
    return edges_into(ctx, ctx.depth + 1, 1)


def all_nodes(ctx: Context) -> set:
    return {node(ctx, layer, i) for layer in range(ctx.depth + 2)
            for i in range(layer_size(ctx, layer) + (layer <= ctx.depth))}


def chosen_path(ctx: Context) -> set:
    """The weights into the chosen unit of every hidden layer and into ŷ."""
    edges = set()
    for layer in range(1, ctx.depth + 1):
        edges |= edges_into(ctx, layer, ctx.unit(layer))
    return edges | edges_out(ctx)


def each_unit(ctx: Context, text, layer: int = 1) -> dict:
    """``text(j)`` beside every unit of hidden layer ``layer`` when there is room, else beside the chosen one."""
    units = range(1, ctx.widths[layer - 1] + 1) if ctx.widths[layer - 1] <= 6 else [ctx.unit(layer)]
    return {H(j, layer, ctx.depth): text(j) for j in units}


def weight_values(ctx: Context, weights: Sequence[np.ndarray]) -> dict:
    """Edge (u, v) → its entry in ``weights`` (one array per layer, shaped like the weights)."""
    values = {}
    for layer, W in enumerate(weights, start=1):
        for i in range(W.shape[0]):
            for j in range(W.shape[1]):
                values[(node(ctx, layer - 1, i), node(ctx, layer, j + 1))] = float(W[i, j])
    return values


def focus_line(ctx: Context, unit: bool = True) -> str:
    who = f"sample n = {ctx.n} (data row {ctx.data_rows[ctx.n - 1]})"
    if unit and ctx.depth == 0:
        pass                                       # no hidden unit to name
    elif unit and ctx.depth == 1:
        who += f" and hidden unit {unit_label(1, 1, ctx.j)}"
    elif unit:
        who += " and units " + ", ".join(unit_label(layer, ctx.depth, ctx.unit(layer))
                                        for layer in range(1, ctx.depth + 1))
    return f"**With the numbers** of {who}, epoch {ctx.epoch}:"


# ----------------------------------------------------------------------------- the diagram


def diagram_key(view: StepView) -> tuple:
    """The step diagram's contents as a plain tuple: what decides how it looks."""
    d = view.diagram
    return (tuple(sorted(d.edge_values.items())), d.value_title, tuple(sorted(d.highlight_nodes)),
            tuple(sorted(d.highlight_edges)), tuple(sorted(d.node_text.items())),
            tuple(sorted(d.edge_text.items())))


def diagram_chart(key: tuple, n_inputs: int, hidden, chart_style: st_style.ChartStyle,
                  height: int | None = None):
    """The step's network diagram (``ui.views.diagram.network_chart``) from ``diagram_key(view)``."""
    values, title, nodes, edges, node_text, edge_text = key
    # Nodes are named in the notation of the equations (x₁, h₂, ŷ); the caption names the columns.
    G = graph.architecture(n_inputs, hidden, input_names=[""] * n_inputs, output_names=[""])
    G.nodes[X(0)]["label"] = "x₀ = 1"       # short: the column is narrow
    depth = len(network.widths(hidden))
    for layer in range(1, depth + 1):
        bias = (hidden_kind(layer, depth), 0)
        G.nodes[bias]["label"] = G.nodes[bias]["label"].replace(" (bias)", "")
    return diagram.network_chart(G, dict(values), value_title=title, highlight_nodes=set(nodes),
                                 highlight_edges=set(edges), node_text=dict(node_text),
                                 edge_text=dict(edge_text), style=chart_style,
                                 x_domain=(-0.5, depth + 2.0),
                                 height=height, legend=height is None)


def diagram_caption(view: StepView, features: Sequence[str], target: str) -> str:
    """What the lit part of the diagram is, and what x₁, x₂, … and ŷ stand for (names made safe)."""
    what = {1: "the weights into the chosen units and every weight into ŷ; the sample's values on the nodes",
            2: "the output, where the loss is measured", 3: "the output and its delta δ_O",
            4: "the weights that carry the deltas back (bias weights carry none) and each unit's δ",
            5: "the gradients of the chosen units' weights and of the output bias",
            6: "the chosen units' new weights, labelled with their change"}[view.number]
    names = ", ".join(f"x{sub(i)} = {md(f)}" for i, f in enumerate(features, start=1))
    return (f"Highlighted: {what}. Line width = size of the {view.diagram.value_title}; blue solid = "
            f"positive, vermilion dashed = negative. {names}; ŷ = predicted {md(target)}.")


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
