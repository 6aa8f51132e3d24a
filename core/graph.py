"""The network's architecture as a networkx graph, named in the notation on screen.

Notation vs code: nodes are x₀ … x_{N_I} (x₀ is the bias node, always 1), h₀ … h_{N_H} (h₀ is the
hidden bias node) and the outputs o₁ … o_{N_O}. ``W_H[i,j]`` is the weight from x_i to h_j; in the
code array that is ``W_H[i, j-1]`` because the array has no column for the bias node h₀ (it has no
inputs). Likewise ``W_O[j,k]`` (from h_j to o_k) is ``W_O[j, k-1]`` in code.
"""

from __future__ import annotations

from typing import Sequence

import networkx as nx

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def sub(i: int) -> str:
    """``i`` as Unicode subscript digits."""
    return str(i).translate(_SUB)


def architecture(n_inputs: int, n_hidden: int, n_outputs: int = 1,
                 input_names: Sequence[str] | None = None,
                 output_names: Sequence[str] | None = None) -> nx.DiGraph:
    """Layered DiGraph with bias nodes; every node and edge carries its name in the notation.

    Node keys are ``("x", i)``, ``("h", j)``, ``("o", k)`` with attributes ``layer`` (0, 1, 2),
    ``index``, ``bias`` and ``label``. Edge attributes: ``matrix`` ("W_H" or "W_O"), ``row`` and
    ``col`` (indices into the code arrays) and ``name`` (e.g. "W_H[2,1]").
    """
    input_names = list(input_names or [f"input {i}" for i in range(1, n_inputs + 1)])
    output_names = list(output_names or (["output"] if n_outputs == 1 else
                                         [f"output {k}" for k in range(1, n_outputs + 1)]))
    G = nx.DiGraph()
    G.add_node(("x", 0), layer=0, index=0, bias=True, label=f"x{sub(0)} = 1 (bias)")
    for i in range(1, n_inputs + 1):
        G.add_node(("x", i), layer=0, index=i, bias=False, label=f"x{sub(i)} {input_names[i - 1]}")
    G.add_node(("h", 0), layer=1, index=0, bias=True, label=f"h{sub(0)} = 1 (bias)")
    for j in range(1, n_hidden + 1):
        G.add_node(("h", j), layer=1, index=j, bias=False, label=f"h{sub(j)}")
    for k in range(1, n_outputs + 1):
        G.add_node(("o", k), layer=2, index=k, bias=False, label=f"ŷ{sub(k) if n_outputs > 1 else ''} {output_names[k - 1]}")
    for i in range(n_inputs + 1):
        for j in range(1, n_hidden + 1):
            G.add_edge(("x", i), ("h", j), matrix="W_H", row=i, col=j - 1, name=f"W_H[{i},{j}]")
    for j in range(n_hidden + 1):
        for k in range(1, n_outputs + 1):
            G.add_edge(("h", j), ("o", k), matrix="W_O", row=j, col=k - 1, name=f"W_O[{j},{k}]")
    return G
