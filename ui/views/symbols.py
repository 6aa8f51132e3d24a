"""The notation, written once: every symbol the pages use in prose, equations, captions, tables and charts.

The pages show this table in a "Symbols" panel reachable from every page, and
``tests/app/test_notation.py`` checks that every symbol an equation uses is explained here.
"""

from __future__ import annotations

# (the symbol in LaTeX, what it means). Indices: sample n, node i below, unit j, unit k above.
SYMBOLS: tuple[tuple[str, str], ...] = (
    (r"n = 1 \dots N", "a sample: one row of the training data (or of the current mini-batch, N rows)"),
    (r"i,\ j,\ k", "a node of the layer below (i = 0 is its bias node), a hidden unit, a unit of the layer above"),
    (r"x_{n,i}", "input i of sample n, scaled; x_{n,0} = 1 is the bias input"),
    (r"X_{\mathrm{aug}}", "all inputs, one row per sample, with the column of ones first"),
    (r"y_n,\ \hat y_n", "the target and the prediction for sample n (scaled)"),
    (r"W_H,\ W_O", "the weight matrices of the hidden and the output layer (W_{H1}, W_{H2}, W_{H3} with "
                   "several hidden layers). Row 0 holds the bias weights, row i the weights from node i below, "
                   "column j those into unit j"),
    (r"w^{H}_{i,j},\ w^{O}_{j}", "one weight: from node i below into hidden unit j; from hidden unit j into the "
                                 "output. In tables and menus written W_H[i,j] and W_O[j,1]"),
    (r"\overline{W}", "W without its bias row 0: the weights that carry a delta back"),
    (r"z^{H}_{n,j}", "the sum of unit j for sample n: its inputs times their weights, bias included"),
    (r"u^{H}_{n,j} = g(z^{H}_{n,j})", "the unit's output; [1, u_H] is the next layer's input, with a 1 for "
                                      "its bias node in front"),
    (r"g,\ g'", "the activation (sigmoid, tanh or ReLU) and its slope"),
    (r"L = \tfrac{1}{2}\sum_{n} (y_n - \hat y_n)^2", "the loss: a sum over the rows, not a mean"),
    (r"\ell_n", "sample n's share of the loss L"),
    (r"J = L + \tfrac{\lambda}{2}\sum w^2", "what a step lowers when weight decay λ > 0 (the sum runs over "
                                            "the non-bias weights)"),
    (r"\delta = \partial L / \partial z", "a unit's delta: how fast the loss changes with the unit's sum z"),
    (r"\partial L / \partial W", "the gradient: one number per weight, shaped like W"),
    (r"\eta", "the learning rate: the step W ← W − η·∂L/∂W"),
    (r"\lambda", "weight decay: adds λ·w to every non-bias weight's gradient"),
    (r"\odot", "multiplies two matrices of the same shape entry by entry"),
    (r"A^{\top}", "A transposed: its rows become columns"),
    (r"\varepsilon", "the small nudge of a gradient check (10⁻⁶)"),
    (r"g_{\text{bp}},\ g_{\text{num}}", "backprop's gradient and the centred difference's, in a gradient check"),
    (r"E", "the number of epochs: passes over the training rows"),
    (r"N_I,\ N_H,\ N_O", "the numbers of inputs, hidden units and outputs (N_{H1}, … per hidden layer)"),
    (r"e", "Euler's number, 2.718…, in the sigmoid g(z) = 1 / (1 + e^{−z})"),
)

# The symbols an equation may use, as they appear in its LaTeX: every one is explained above.
IN_EQUATIONS = (
    r"\delta", r"\eta", r"\lambda", r"\ell", r"\varepsilon", r"\odot", r"\top", r"\overline", r"\partial",
    r"\hat y", "x", "y", "z", "u", "w", "W", "X", "L", "J", "g", "N", "n", "i", "j", "k", "E", "A", "I", "e",
)


def subscript(layer: str) -> str:
    """A layer's name as a LaTeX subscript: ``H``, or ``{H2}`` when it is longer than one character."""
    return layer if len(layer) == 1 else "{" + layer + "}"


def sym(base: str, layer: str) -> str:
    """``z_H`` or ``z_{H2}``: a matrix symbol with its layer as subscript."""
    return f"{base}_{subscript(layer)}"


def markdown() -> str:
    """The table as Markdown with the symbols in inline LaTeX."""
    rows = [f"| ${tex}$ | {meaning} |" for tex, meaning in SYMBOLS]
    return ("| symbol | meaning |\n|---|---|\n" + "\n".join(rows) +
            "\n\nThe bias of every layer is a node whose output is always 1: column x₀ of X_aug and the first "
            "entry of [1, u], so row 0 of every weight matrix holds the biases.")
