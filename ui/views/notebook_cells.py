"""The notebook's cells as text, and its first sections: the run's settings, the data and the network.

``Cells`` collects the cells for one ``notebook.RunSpec``: each section is a function that appends its
Markdown and code cells to it, in order. This module writes sections 0–3 (title and settings, the
data, split and scaling, the network and its initial weights); ``notebook_step`` writes the rest, and
``notebook.build_notebook`` calls them all. User text reaches Markdown cells only through
``markdown_text`` and code cells only as Python literals (``repr``).
"""

from __future__ import annotations

import csv
import io
import string

import pandas as pd
from nbformat import v4

from core import graph
from core.data import INCOME_CSV
from ui.views import notebook_classes
from ui.views.symbols import subscript as tex

SHOWN_ROWS = 30          # row labels printed per set; an upload may have thousands


class Cells:
    """The cells written so far for one RunSpec (``out``), and what every section needs to know of it."""

    def __init__(self, spec):
        self.spec = spec                          # a notebook.RunSpec
        self.layers = graph.layer_names(len(spec.hidden))
        self.names = self.layers[:-1]             # the hidden layers
        self.batched = spec.batch_size is not None
        self.decay = spec.weight_decay > 0
        self.epoch = spec.step_epoch             # the epoch whose step the notebook walks through
        self.classify = spec.task == "classification"
        self.out: list = []

    def md(self, text: str) -> None:
        self.out.append(v4.new_markdown_cell(text.strip("\n")))

    def code(self, text: str) -> None:
        self.out.append(v4.new_code_cell(text.strip("\n")))

    def w_list(self, suffix: str = "") -> str:
        return "[" + ", ".join(f"W_{n}{suffix}" for n in self.layers) + "]"


def markdown_text(text: str, limit: int = 120) -> str:
    """User text as literal Markdown: no links, HTML, maths or formatting survive; one line, at most ``limit`` characters."""
    text = "".join(" " if ord(c) < 32 or c in "\x7f\u2028\u2029" else c for c in str(text))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    entities = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
    return "".join(entities.get(c) or ("\\" + c if c in string.punctuation else c) for c in text)


def comment(code: str, why: str, column: int = 40) -> str:
    """``code  # why``, the comments of a cell lined up."""
    return f"{code.ljust(column - 2)}  # {why}"


_G = {
    "sigmoid": ('def g(z):\n    """Sigmoid: 1 / (1 + e^(−z))."""\n    return 1 / (1 + np.exp(-z))\n\n\n'
                'def g_prime(z, u):\n    """g′(z) = g(z)·(1 − g(z)), written with u = g(z)."""\n'
                '    return u * (1 - u)',
                r"g(z) = \frac{1}{1 + e^{-z}}", r"g'(z) = g(z)\,(1 - g(z))"),
    "tanh": ('def g(z):\n    """tanh z."""\n    return np.tanh(z)\n\n\n'
             'def g_prime(z, u):\n    """g′(z) = 1 − tanh² z, written with u = g(z)."""\n    return 1 - u * u',
             r"g(z) = \tanh z", r"g'(z) = 1 - \tanh^2 z"),
    "relu": ('def g(z):\n    """ReLU: max(0, z)."""\n    return np.maximum(z, 0.0)\n\n\n'
             'def g_prime(z, u):\n    """g′(z) = 1 where z > 0, else 0 (0 at z = 0, as in the app)."""\n'
             '    return (z > 0).astype(float)',
             r"g(z) = \max(0, z)", r"g'(z) = 1 \text{ if } z > 0 \text{ else } 0"),
}


# ----- sections 0–3 -------------------------------------------------------------------------------

def title(cells: Cells) -> None:
    s = cells.spec
    source = ("Income2 — 30 people from *An Introduction to Statistical Learning* (James, Witten, "
            "Hastie, Tibshirani, 2013), bundled with the app" if s.data_csv is None
            else "your file " + (markdown_text(s.data_name) if s.data_name else "(no name)")
            + ", embedded below")
    if s.toy is not None:
        name, points, noise, seed, inputs = s.toy
        source = (f"the toy data set *{name}*: {points:,} points, noise {noise:g}, data seed {seed}, drawn below "
                  "with the app's own generator")
    layers = ("none" if not s.hidden else f"one layer of {s.hidden[0]}" if len(s.hidden) == 1
              else f"{len(s.hidden)} layers of " + " and ".join(str(h) for h in s.hidden))
    task = [("task", "classification: a sigmoid output for two classes, softmax for more; the cross-entropy loss"
             if cells.classify else "regression: a linear output; the squared loss")]
    rows = task + [
        ("data", source),
        ("features → target", ", ".join(markdown_text(f) for f in s.features) + " → " + markdown_text(s.target)),
        ("rows with a missing value", "dropped" if s.drop_incomplete else "none allowed"),
        ("test fraction, split seed", f"{s.test_size:g}, {s.split_seed}"),
        ("hidden units", f"{layers}, {s.activation}"),
        ("seed of the initial weights", str(s.seed)),
        ("learning rate η", f"{s.eta:g}"),
        ("epochs", f"{s.epochs:,}"),
        ("batch size", "all training rows (full batch)" if s.batch_size is None else str(s.batch_size)),
        ("weight decay λ", f"{s.weight_decay:g}"),
        ("the step walked through", f"epoch {cells.epoch}" + (", first batch" if cells.batched else "")),
    ]
    table = "\n".join(f"| {k} | {v} |" for k, v in rows)
    cells.md(f"""
# Backprop Explainer — this run as a notebook

This notebook recomputes, number by number, the run set up in the Backprop Explainer. It follows
the lecture the app grows out of: the data, the split and scaling, the network and its initial
weights, the forward pass, the loss, the backward pass, one step of gradient descent, then many
steps, and the loss curve. Only numpy, pandas and altair are used and nothing from the app is
imported, so it runs anywhere: run all cells from the top.

| setting | value |
|---|---|
{table}
""")
    cells.code("import io\nimport math\n\nimport altair as alt\nimport numpy as np\nimport pandas as pd\n\n"
              "np.set_printoptions(precision=8, suppress=False, linewidth=100)")
    settings = [("test_size", s.test_size, "the fraction of rows held out for testing"),
                ("split_seed", s.split_seed, "random_state of the split"),
                ("seed", s.seed, "the initial weights' random seed"),
                ("eta", s.eta, "the learning rate η"),
                ("epochs", s.epochs, "epochs of training")]
    if cells.batched:
        settings.append(("B", s.batch_size, "rows per mini-batch"))
    if cells.decay:
        settings.append(("lam", s.weight_decay, "weight decay λ"))
    lines = [comment(f"{name} = {value!r}", why) for name, value, why in settings]
    cells.md("The run's settings, as in the app's sidebar. The layer sizes and the activation "
            "are written into the code below; these numbers can be changed here.")
    cells.code("\n".join(lines))


def data(cells: Cells) -> None:
    s = cells.spec
    if s.toy is not None:
        cells.md("""
## 1. The data

The toy data set, drawn here exactly as the app draws it: the clean shape from the data seed's own
generator, then a standard-normal jitter per coordinate times `noise`, then the rows shuffled. The
columns are the inputs x1 and x2 and the class `label`.
""")
        cells.code(notebook_classes.toy_code(*s.toy) + f"\nfeatures = {list(s.features)!r}\ntarget = {s.target!r}\ndf")
        return
    # Split on "\n" only: a quoted field may hold any other line-break character, kept by repr.
    text = INCOME_CSV.read_text(encoding="utf-8") if s.data_csv is None else s.data_csv
    if text.endswith("\n"):
        text = text[:-1]
    body = ",\n".join("    " + repr(line) for line in text.split("\n"))
    what = ("Income2: one row per person, Education in years, Seniority in months and Income in "
            "$1000s." if s.data_csv is None else "Your table, as the app read it (the chosen columns).")
    cells.md(f"""
## 1. The data

{what} It is embedded in the notebook as CSV text, one line of the file per line below, so nothing
has to be downloaded.
""")
    drop = ""
    if s.drop_incomplete and cells.classify:
        drop = ("\n\n# The app drops rows with a blank, NaN or infinite feature value, or without a class.\n"
                "complete = np.isfinite(df[features].to_numpy(dtype=float)).all(axis=1) & df[target].notna().to_numpy()\n"
                "print(\"rows dropped:\", list(df.index[~complete]))\n"
                "df = df[complete]")
    elif s.drop_incomplete:
        drop = ("\n\n# The app drops rows with a blank, NaN or infinite value in a chosen column.\n"
                "complete = np.isfinite(df[features + [target]].to_numpy(dtype=float)).all(axis=1)\n"
                "print(\"rows dropped:\", list(df.index[~complete]))\n"
                "df = df[complete]")
    rename = ""
    names = _column_names(text)
    if s.data_csv is not None and _read_back(text) != names:
        rename = ("\n# pandas renames a column named like the row labels, a repeated name or an empty one;"
                  "\n# these are the names as the app read them.\n"
                  f"df.columns = {names!r}")
    cells.code(f"""
CSV = "\\n".join([
{body},
])
df = pd.read_csv(io.StringIO(CSV), index_col=0){rename}
features = {list(s.features)!r}
target = {s.target!r}{drop}
df
""")


def _column_names(text: str) -> list[str]:
    """The column names of a table as ``notebook.table_csv`` writes it: its header row without the
    row labels' column, exactly (quotes, commas and line breaks included)."""
    return next(csv.reader(io.StringIO(text, newline="")))[1:]


def _read_back(text: str) -> list[str]:
    """The column names ``pd.read_csv(..., index_col=0)`` gives the same text."""
    return [str(c) for c in pd.read_csv(io.StringIO(text), index_col=0, nrows=0).columns]


def split(cells: Cells) -> None:
    n = SHOWN_ROWS
    if cells.classify:
        cells.md(notebook_classes.SPLIT_MD)
        cells.code(notebook_classes.SPLIT.replace("{n}", str(n)) + _AUGMENT)
        return
    cells.md(r"""
## 2. Split and scale

A fraction `test_size` of the rows is held out to test the network; the rest train it. The cell
below is `sklearn.model_selection.train_test_split(X, y, test_size=test_size,
random_state=split_seed)` written out in numpy: one random permutation of the rows, of which the
first ⌈test_size · rows⌉ are the test set and the rest the training set.

Each feature and the target are then divided by their largest absolute value **in the training
rows**, so training values lie in [−1, 1] while a test value can exceed 1. Last, every row gets a
leading 1: the output of the bias node, so that a bias is just the weight in row 0 of a weight
matrix. That gives `X_train_aug` (N × (N_I + 1)).
""")
    cells.code(f"""
X = df[features].to_numpy(dtype=float)      # (rows, N_I)
y = df[[target]].to_numpy(dtype=float)      # (rows, N_O)

n_test = math.ceil(test_size * len(X))
order = np.random.RandomState(split_seed).permutation(len(X))
test_idx, train_idx = order[:n_test], order[n_test:]
X_train, X_test, y_train, y_test = X[train_idx], X[test_idx], y[train_idx], y[test_idx]
print("training rows:", *df.index[train_idx][:{n}], "…" if len(train_idx) > {n} else "")
print("test rows:    ", *df.index[test_idx][:{n}], "…" if len(test_idx) > {n} else "")

x_scale = np.abs(X_train).max(axis=0)       # the largest |value| of each feature in the training rows
y_scale = np.abs(y_train).max(axis=0)
X_train, X_test = X_train / x_scale, X_test / x_scale
y_train, y_test = y_train / y_scale, y_test / y_scale
print("x_scale =", x_scale, "  y_scale =", y_scale)
print("largest scaled test value of each feature:", X_test.max(axis=0))
""" + _AUGMENT)


_AUGMENT = '''

def augment(A):
    """[1, A]: the bias node's constant output 1 as column 0. (N, k) → (N, k + 1)"""
    return np.hstack([np.ones((len(A), 1)), A])


X_train_aug, X_test_aug = augment(X_train), augment(X_test)
print("X_train_aug[:3] =", X_train_aug[:3], sep="\\n")
'''


def network(cells: Cells) -> None:
    s = cells.spec
    code, g_tex, gp_tex = _G[s.activation]
    sizes = [r"N_I"] + [f"N_{tex(n)}" for n in cells.names] + ["N_O"]
    shapes = ", ".join(f"$W_{tex(l)}$: $({a} + 1) \\times {b}$" for l, a, b in zip(cells.layers, sizes[:-1], sizes[1:]))
    hidden_md = ("no hidden layer" if not cells.names else
                 f"one hidden layer of $N_H$ {s.activation} units" if len(cells.names) == 1
                 else "hidden layers of $" + "$, then $".join(sizes[1:-1]) + f"$ {s.activation} units")
    out_md = ("$N_O$ = 1 linear output" if not cells.classify else
              "$N_O$ outputs: one sigmoid unit $\\hat y = \\sigma(z_O)$, the probability of `classes[1]`, for two "
              "classes; for $K \\ge 3$ classes $K$ units with softmax, $\\hat y_k = e^{z_k} / \\sum_j e^{z_j}$, one "
              "probability per class (`output` below)")
    cells.md(f"""
## 3. The network and its initial weights

$N_I$ inputs, {hidden_md}, and {out_md}. Each layer's weights
form one matrix with a row per input node — row 0 for the bias node — and a column per unit:
{shapes}.

The hidden units' activation is ${g_tex}$, with slope ${gp_tex}$. The initial weights are
standard-normal draws after `np.random.seed(seed)`, one matrix per layer, first hidden layer first.
""")
    if cells.decay:
        code += ('\n\n\ndef decay(W_l):\n    """∂/∂W of the weight decay (λ/2) Σ w²: λ·W, except in the bias row 0,'
                 ' which is not decayed."""\n    D = lam * W_l\n    D[0] = 0.0\n    return D')
    if cells.classify:
        code += notebook_classes.OUTPUT
    cells.code(code)
    lines = [comment("N, N_I = X_train.shape", "training rows, inputs"),
             comment("N_O = y_train.shape[1]", "outputs")]
    for name, width in zip(cells.names, s.hidden):
        lines.append(comment(f"N_{name} = {width}", "hidden units"))
    lines += ["", "np.random.seed(seed)"]
    fan_in = ["N_I"] + [f"N_{n}" for n in cells.names]
    fan_out = [f"N_{n}" for n in cells.names] + ["N_O"]
    for layer, a, b in zip(cells.layers, fan_in, fan_out):
        lines.append(f"W_{layer} = np.random.randn({a} + 1, {b})")
    lines += [f"W_init = {cells.w_list()}      # the layers in order, output last; row 0 = bias",
              "for name, W_l in zip(" + repr([f"W_{n}" for n in cells.layers]) + ", W_init):",
              "    print(name + \" =\", W_l, sep=\"\\n\")"]
    cells.code("\n".join(lines))

