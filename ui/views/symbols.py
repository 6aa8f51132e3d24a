"""The notation, written once: every symbol the pages use in prose, equations, captions, tables and charts.

The pages show this table in a "Symbols" panel reachable from every page, and
``tests/app/test_notation.py`` checks that every symbol an equation uses is explained here.
"""

from __future__ import annotations

# (the symbol in LaTeX, what it means, as Markdown with every symbol in $…$ so that it is drawn as maths).
# Indices: sample n, node i below, unit j, unit k above.
SYMBOLS: tuple[tuple[str, str], ...] = (
    (r"n = 1 \dots N", "a sample: one row of the training data (or of the current mini-batch, $N$ rows)"),
    (r"i,\ j,\ k", "a node of the layer below ($i = 0$ is its bias node), a hidden unit, a unit of the layer above"),
    (r"x_i,\ h_j,\ \hat y", "the nodes of the diagram: input $i$ ($x_0 = 1$ is the bias node), unit $j$ of a hidden "
                           "layer ($h_0 = 1$ is its bias node; with several hidden layers $h^{H2}_{j}$ is unit $j$ of "
                           "layer H2), the output"),
    (r"x_{n,i}", "input $i$ of sample $n$, scaled; $x_{n,0} = 1$ is the bias input"),
    (r"X,\ X_{\mathrm{aug}}", r"the inputs, one row per sample and a column per input; the same with the column of "
                             r"ones first, $X_{\mathrm{aug}} = [\mathbf{1}\ X]$, one column more"),
    (r"y_n,\ \hat y_n", "the target and the prediction for sample $n$ (scaled)"),
    (r"W_H,\ W_O", "the weight matrices of the hidden and the output layer ($W_{H1}, W_{H2}, W_{H3}$ with "
                   "several hidden layers). Row 0 holds the bias weights, row $i$ the weights from node $i$ below, "
                   "column $j$ those into unit $j$"),
    (r"w^{H}_{i,j},\ w^{O}_{j}", "one weight: from node $i$ below into hidden unit $j$; from hidden unit $j$ into the "
                                 "output. In tables and menus written `W_H[i,j]` and `W_O[j,1]`"),
    (r"\overline{W}", "$W$ without its bias row 0: the weights that carry a delta back"),
    (r"z^{H}_{n,j}", "the sum of unit $j$ for sample $n$: its inputs times their weights, bias included"),
    (r"u^{H}_{n,j} = g(z^{H}_{n,j})", r"the unit's output; $[1,\ u_H]$ is the next layer's input, with a 1 for "
                                      "its bias node in front"),
    (r"g,\ g'", "the activation (sigmoid, tanh or ReLU) and its slope"),
    (r"L = \tfrac{1}{2}\sum_{n} (y_n - \hat y_n)^2", "the loss: a sum over the rows, not a mean"),
    (r"\ell_n", "sample $n$'s share of the loss $L$"),
    (r"J = L + \tfrac{\lambda}{2}\sum w^2", r"what a step lowers when weight decay $\lambda > 0$ (the sum runs over "
                                            "the non-bias weights)"),
    (r"\delta = \partial L / \partial z", "a unit's delta: how fast the loss changes with the unit's sum $z$"),
    (r"\partial L / \partial W", "the gradient: one number per weight, shaped like $W$"),
    (r"\lVert \partial L / \partial W \rVert^2", "the sum of the squares of every weight's gradient, all layers "
                                                  r"together: a small step lowers $L$ by about $\eta$ times it"),
    (r"\eta", r"the learning rate: the step $W \leftarrow W - \eta\, \partial L / \partial W$"),
    (r"\lambda", r"weight decay: adds $\lambda w$ to every non-bias weight's gradient"),
    (r"\odot", "multiplies two matrices of the same shape entry by entry"),
    (r"A^{\top}", "$A$ transposed: its rows become columns"),
    (r"\varepsilon", "the small nudge of a gradient check ($10^{-6}$)"),
    (r"\Delta", r"a change: $\Delta w$ the nudge given to one weight, $\Delta z$, $\Delta u$, $\Delta \hat y$ and "
                r"$\Delta L$ the changes it makes downstream"),
    (r"g_{\text{bp}},\ g_{\text{num}}", "backprop's gradient and the centred difference's, in a gradient check"),
    (r"E", "the number of epochs: passes over the training rows"),
    (r"N_I,\ N_H,\ N_O", r"the numbers of inputs, hidden units and outputs ($N_{H1}, N_{H2}, \dots$ per hidden layer)"),
    (r"e", "Euler's number, 2.718…, in the sigmoid $g(z) = 1 / (1 + e^{-z})$"),
    (r"K", "classification: the number of classes; $y_{n,k} = 1$ when sample $n$ is of class $k$ (one-hot), else 0"),
    (r"\sigma(z) = 1 / (1 + e^{-z})", r"the sigmoid output of a two-class network: $\hat y = \sigma(z_O)$ is the "
                                      "probability of the second class"),
    (r"\hat y_k = e^{z_{O,k}} / \sum_j e^{z_{O,j}}", "the softmax output of a network with $K \\ge 3$ classes: one "
                                                    "probability per class, summing to 1"),
    (r"L = -\sum_{n} \sum_{k} y_{n,k} \log \hat y_{n,k}", r"classification's loss, the cross-entropy: $-\log$ of the "
                                                           r"probability each row gives its own class, summed; "
                                                           r"then $\delta_O = \hat y - y$"),
)

# The rule every index follows, on every page, in the diagram, the tables and the notebook.
INDICES = (
    "**Indices.** A subscript holds an entry's indices, row first, separated by a comma: $x_{n,i}$ (sample $n$, "
    "input $i$), $z^{H}_{n,j}$ (sample $n$, unit $j$), $w^{H}_{i,j}$ (from node $i$ into unit $j$: row $i$, column $j$ of "
    "$W_H$, written `W_H[i,j]` in tables and menus). A layer is never an index: its name (H and O; H1, H2, H3 with several hidden "
    "layers) sits above an entry, $z^{H2}_{n,j}$, $h^{H2}_{j}$, or below a whole matrix, $W_{H2}$, $z_{H2}$."
)

# The symbols an equation may use, as they appear in its LaTeX: every one is explained above.
IN_EQUATIONS = (
    r"\Delta", r"\delta", r"\eta", r"\lambda", r"\ell", r"\varepsilon", r"\odot", r"\top", r"\overline", r"\partial",
    r"\hat y", "x", "y", "z", "u", "w", "W", "X", "L", "J", "g", "N", "n", "i", "j", "k", "E", "A", "I", "e", "h",
    r"\sigma", r"\log", "K",
)


def subscript(layer: str) -> str:
    """A layer's name as a LaTeX subscript: ``H``, or ``{H2}`` when it is longer than one character."""
    return layer if len(layer) == 1 else "{" + layer + "}"


def sym(base: str, layer: str) -> str:
    """``z_H`` or ``z_{H2}``: a matrix symbol with its layer as subscript."""
    return f"{base}_{subscript(layer)}"


def markdown() -> str:
    """The table as Markdown, every symbol in inline LaTeX, then the bias and the rule for indices."""
    rows = [f"| ${tex}$ | {meaning} |" for tex, meaning in SYMBOLS]
    return ("| symbol | meaning |\n|---|---|\n" + "\n".join(rows) +
            "\n\nThe bias of every layer is a node whose output is always 1: column $x_0$ of $X_{\\mathrm{aug}}$ and "
            "the first entry of $[1,\\ u]$, so row 0 of every weight matrix holds the biases.\n\n" + INDICES)
