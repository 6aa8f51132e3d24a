"""The network's architecture as a networkx graph, named in the notation on screen.

Notation vs code: nodes are x₀ … x_{N_I} (x₀ is the bias node, always 1), the hidden units
h₀ … h_{N_H} of each hidden layer (h₀ is that layer's bias node) and the outputs o₁ … o_{N_O}.
A subscript holds only the unit's index: with several hidden layers the layer's name goes above,
as in the equations (hᴴ²₃ is unit 3 of layer H2, like z^{H2}_{n,3}), never into the subscript.
With one hidden layer its nodes are ``("h", j)`` and its weights ``W_H``; with several they are
``("h1", j)``, ``("h2", j)``, … and ``W_H1``, ``W_H2``, …; the output weights are always ``W_O``.
``W_H[i,j]`` is the weight from node i of the layer below to unit j; in the code array that is
``W_H[i, j-1]`` because the array has no column for the bias node h₀ (it has no inputs).
"""

from __future__ import annotations

from typing import Sequence

import networkx as nx

from core import network

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUP = str.maketrans("0123456789HO", "⁰¹²³⁴⁵⁶⁷⁸⁹ᴴᴼ")


def sub(i: int) -> str:
    """``i`` as Unicode subscript digits."""
    return str(i).translate(_SUB)


def sup(name: str) -> str:
    """A layer's name ("H2", "O") in Unicode superscript: "ᴴ²"."""
    return name.translate(_SUP)


def layer_name(layer: int, depth: int) -> str:
    """The name on screen of layer ``layer`` (1 … depth + 1) of a network with ``depth`` hidden layers:
    "H" for the only hidden layer, "H1", "H2", … for several, "O" for the output layer."""
    return "O" if layer > depth else "H" if depth == 1 else f"H{layer}"


def layer_names(depth: int) -> list[str]:
    """Every layer's name, first hidden layer first: ["H", "O"] or ["H1", "H2", "O"]."""
    return [layer_name(layer, depth) for layer in range(1, depth + 2)]


def matrix_names(depth: int) -> list[str]:
    """The weight matrices' names, first hidden layer first: ["W_H", "W_O"] or ["W_H1", "W_H2", "W_O"]."""
    return [f"W_{name}" for name in layer_names(depth)]


def unit_label(layer: int, depth: int, j: int) -> str:
    """Unit j of hidden layer ``layer`` (1-based) as on screen: "h₂" with one hidden layer; with several
    the layer's name above, "hᴴ¹₂" (h^{H1}_2), so that the subscript holds the unit's index alone."""
    return f"h{sub(j)}" if depth == 1 else f"h{sup(layer_name(layer, depth))}{sub(j)}"


def hidden_kind(layer: int, depth: int) -> str:
    """Node kind of hidden layer ``layer`` (1-based): its name in lower case, "h" or "h1", "h2", …."""
    return layer_name(layer, depth).lower()


def architecture(n_inputs: int, n_hidden, n_outputs: int = 1,
                 input_names: Sequence[str] | None = None,
                 output_names: Sequence[str] | None = None) -> nx.DiGraph:
    """Layered DiGraph with bias nodes; every node and edge carries its name in the notation.

    ``n_hidden`` is a width or a tuple of widths, one per hidden layer. Node keys are ``("x", i)``,
    ``(hidden_kind(layer, depth), j)`` and ``("o", k)``, with attributes ``layer`` (0 for the inputs,
    1 … depth for the hidden layers, depth + 1 for the outputs), ``index``, ``bias`` and ``label``.
    Edge attributes: ``matrix`` (a name of ``matrix_names``), ``row`` and ``col`` (indices into the
    code arrays) and ``name`` (e.g. "W_H[2,1]").
    """
    sizes = tuple(int(n) for n in network.widths(n_hidden))
    depth = len(sizes)
    names = matrix_names(depth)
    input_names = list(input_names or [f"input {i}" for i in range(1, n_inputs + 1)])
    output_names = list(output_names or (["output"] if n_outputs == 1 else
                                         [f"output {k}" for k in range(1, n_outputs + 1)]))
    G = nx.DiGraph()
    G.add_node(("x", 0), layer=0, index=0, bias=True, label=f"x{sub(0)} = 1 (bias)")
    for i in range(1, n_inputs + 1):
        G.add_node(("x", i), layer=0, index=i, bias=False, label=f"x{sub(i)} {input_names[i - 1]}")
    below = [("x", i) for i in range(n_inputs + 1)]
    for layer, width in enumerate(sizes, start=1):
        kind = hidden_kind(layer, depth)
        G.add_node((kind, 0), layer=layer, index=0, bias=True, label=f"{unit_label(layer, depth, 0)} = 1 (bias)")
        for j in range(1, width + 1):
            G.add_node((kind, j), layer=layer, index=j, bias=False, label=unit_label(layer, depth, j))
        for i, u in enumerate(below):
            for j in range(1, width + 1):
                G.add_edge(u, (kind, j), matrix=names[layer - 1], row=i, col=j - 1,
                           name=f"{names[layer - 1]}[{i},{j}]")
        below = [(kind, j) for j in range(width + 1)]
    for k in range(1, n_outputs + 1):
        G.add_node(("o", k), layer=depth + 1, index=k, bias=False,
                   label=f"ŷ{sub(k) if n_outputs > 1 else ''} {output_names[k - 1]}")
        for j, u in enumerate(below):
            G.add_edge(u, ("o", k), matrix="W_O", row=j, col=k - 1, name=f"W_O[{j},{k}]")
    return G
