"""Download as notebook: the run on screen as a Jupyter notebook that reproduces every number.

``build_notebook(RunSpec(...))`` returns the ``.ipynb`` JSON text. The notebook follows the lecture
(SPEC §1): load the data (embedded as CSV text), split and scale, initialise with the seed, the
forward pass, the loss, the deltas and gradients of one step with the page's numbers printed, the
training loop and the loss curve. It imports only numpy, pandas and altair — nothing from this
project — so it runs anywhere.

The step the notebook walks through is the first update of epoch ``step_epoch`` (the Backprop
page's epoch slider): with step_epoch > 0 a "fast-forward" section first runs that many epochs with
the training loop's own function. With mini-batches, that update uses the first batch of the epoch.
The losses it prints before and after the step are ½ Σ (y − ŷ)² over all training rows, as on the
page.

User text (file names, column names) enters code cells only as Python literals (``repr``) and
Markdown cells only escaped (``markdown_text``).
"""

from __future__ import annotations

import math
import re
import string
from dataclasses import dataclass
from typing import Sequence

import nbformat
import pandas as pd
from nbformat import v4

from core.data import INCOME_CSV

ACTIVATIONS = ("sigmoid", "tanh", "relu")
ALLOWED_IMPORTS = ("io", "math", "numpy", "pandas", "altair")
SHOWN_ROWS = 30          # row labels printed per set; an upload may have thousands


@dataclass(frozen=True)
class RunSpec:
    """Everything that decides the run, as plain values (the app's ``Settings`` plus the data).

    ``data_csv``: None for the bundled Income2, else the table as ``table_csv`` writes it;
    ``data_name``: the upload's file name (shown, never used as a path). ``hidden``: units per
    hidden layer. ``batch_size`` None: every training row in one batch. ``step_epoch``: the epoch
    whose first update the notebook takes by hand (0 = from the initial weights).
    """

    data_csv: str | None = None
    data_name: str | None = None
    features: tuple[str, ...] = ("Education", "Seniority")
    target: str = "Income"
    test_size: float = 0.5
    split_seed: int = 42
    hidden: tuple[int, ...] = (3,)
    eta: float = 0.05
    epochs: int = 1000
    seed: int = 321
    activation: str = "sigmoid"
    batch_size: int | None = None
    weight_decay: float = 0.0
    drop_incomplete: bool = False
    step_epoch: int = 0

    def __post_init__(self):
        def put(name, value):
            object.__setattr__(self, name, value)

        for name in ("data_csv", "data_name"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"{name} must be text or None, got {type(value).__name__}.")
        features = (self.features,) if isinstance(self.features, str) else tuple(self.features)
        put("features", tuple(str(f) for f in features))
        put("target", str(self.target))
        if not self.features or self.target in self.features:
            raise ValueError("Choose at least one feature, and a target that is not a feature.")
        hidden = tuple(self.hidden) if hasattr(self.hidden, "__iter__") else (self.hidden,)
        put("hidden", tuple(_whole("a hidden layer's width", h, 1) for h in hidden))
        if not self.hidden:
            raise ValueError("hidden must list at least one hidden layer.")
        put("split_seed", _whole("split_seed", self.split_seed, 0, 2**32 - 1))
        put("seed", _whole("seed", self.seed, 0, 2**32 - 1))
        put("epochs", _whole("epochs", self.epochs, 1))
        put("step_epoch", _whole("step_epoch", self.step_epoch, 0, self.epochs))
        if self.batch_size is not None:
            put("batch_size", _whole("batch_size", self.batch_size, 1))
        put("test_size", _number("test_size", self.test_size, 0.0, 1.0, open_low=True, open_high=True))
        put("eta", _number("eta", self.eta, 0.0, math.inf, open_low=True))
        put("weight_decay", _number("weight_decay", self.weight_decay, 0.0, math.inf))
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"Unknown activation {self.activation!r}; choose one of {', '.join(ACTIVATIONS)}.")
        put("drop_incomplete", bool(self.drop_incomplete))


def table_csv(table: pd.DataFrame, columns: Sequence[str] | None = None) -> str:
    """``table`` (the DataFrame the app read) as CSV text for ``RunSpec.data_csv``.

    Only ``columns`` (default: all) and the row labels are kept; floats are written to round-trip,
    so the notebook reads back exactly the app's numbers with ``pd.read_csv(..., index_col=0)``.
    """
    part = table if columns is None else table[list(columns)]
    return part.to_csv(index=True, lineterminator="\n")


def file_name(spec: RunSpec) -> str:
    """A download name made of the settings only (never of user text)."""
    layers = "x".join(str(h) for h in spec.hidden)
    name = f"backprop-{spec.activation}-{layers}-eta{spec.eta:g}-seed{spec.seed}-epochs{spec.epochs}"
    return re.sub(r"[^A-Za-z0-9._-]", "_", name) + ".ipynb"


def markdown_text(text: str, limit: int = 120) -> str:
    """User text as literal Markdown: no links, HTML, maths or formatting survive; one line, at most ``limit`` characters."""
    text = "".join(" " if ord(c) < 32 or c in "\x7f\u2028\u2029" else c for c in str(text))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    entities = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
    return "".join(entities.get(c) or ("\\" + c if c in string.punctuation else c) for c in text)


def build_notebook(spec: RunSpec) -> str:
    """The notebook for ``spec`` as ``.ipynb`` JSON text (nbformat 4), the same bytes for the same spec."""
    cells = _Cells(spec)
    nb = v4.new_notebook(cells=cells.build())
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    for i, cell in enumerate(nb.cells):      # stable ids: the same run downloads the same file
        cell.id = f"cell-{i:02d}"
    nbformat.validate(nb)
    return nbformat.writes(nb)


# ---------------------------------------------------------------------------------------------

def _whole(name, value, low, high=None) -> int:
    try:
        ok = not isinstance(value, bool) and int(value) == value
    except (TypeError, ValueError, OverflowError):
        ok = False
    if not ok or value < low or (high is not None and value > high):
        rule = f"from {low} to {high}" if high is not None else f"≥ {low}"
        raise ValueError(f"{name} must be a whole number {rule}, got {value!r}.")
    return int(value)


def _comment(code: str, why: str, column: int = 40) -> str:
    """``code  # why``, the comments of a cell lined up."""
    return f"{code.ljust(column - 2)}  # {why}"


def _number(name, value, low, high, open_low=False, open_high=False) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        x = math.nan
    ok = math.isfinite(x) and (x > low if open_low else x >= low) and (x < high if open_high else x <= high)
    if not ok:
        raise ValueError(f"{name} must be a finite number in the allowed range, got {value!r}.")
    return x


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


class _Cells:
    """The cells for one RunSpec, section by section."""

    def __init__(self, spec: RunSpec):
        self.s = spec
        n = len(spec.hidden)
        self.names = ["H"] if n == 1 else [f"H{i}" for i in range(1, n + 1)]   # hidden layers
        self.layers = self.names + ["O"]
        self.batched = spec.batch_size is not None
        self.decay = spec.weight_decay > 0
        self.k = spec.step_epoch
        self.cells: list = []

    # helpers ---------------------------------------------------------------------------------
    def md(self, text: str) -> None:
        self.cells.append(v4.new_markdown_cell(text.strip("\n")))

    def code(self, text: str) -> None:
        self.cells.append(v4.new_code_cell(text.strip("\n")))

    def w_list(self, suffix: str = "") -> str:
        return "[" + ", ".join(f"W_{n}{suffix}" for n in self.layers) + "]"

    def tex(self, name: str) -> str:
        return name if len(name) == 1 else "{" + name + "}"

    # sections --------------------------------------------------------------------------------
    def build(self) -> list:
        self.title()
        self.data()
        self.split()
        self.network()
        if self.k:
            self.fast_forward()
        self.forward()
        self.loss()
        self.backward()
        self.update()
        self.training()
        self.curve()
        return self.cells

    def title(self) -> None:
        s = self.s
        data = ("Income2 — 30 people from *An Introduction to Statistical Learning* (James, Witten, "
                "Hastie, Tibshirani, 2013), bundled with the app" if s.data_csv is None
                else "your file " + (markdown_text(s.data_name) if s.data_name else "(no name)")
                + ", embedded below")
        layers = (f"one layer of {s.hidden[0]}" if len(s.hidden) == 1
                  else f"{len(s.hidden)} layers of " + " and ".join(str(h) for h in s.hidden))
        rows = [
            ("data", data),
            ("features → target", ", ".join(markdown_text(f) for f in s.features) + " → " + markdown_text(s.target)),
            ("rows with a missing value", "dropped" if s.drop_incomplete else "none allowed"),
            ("test fraction, split seed", f"{s.test_size:g}, {s.split_seed}"),
            ("hidden units", f"{layers}, {s.activation}"),
            ("seed of the initial weights", str(s.seed)),
            ("learning rate η", f"{s.eta:g}"),
            ("epochs", f"{s.epochs:,}"),
            ("batch size", "all training rows (full batch)" if s.batch_size is None else str(s.batch_size)),
            ("weight decay λ", f"{s.weight_decay:g}"),
            ("the step walked through", f"epoch {self.k}" + (", first batch" if self.batched else "")),
        ]
        table = "\n".join(f"| {k} | {v} |" for k, v in rows)
        self.md(f"""
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
        self.code("import io\nimport math\n\nimport altair as alt\nimport numpy as np\nimport pandas as pd\n\n"
                  "np.set_printoptions(precision=8, suppress=False, linewidth=100)")
        settings = [("test_size", s.test_size, "the fraction of rows held out for testing"),
                    ("split_seed", s.split_seed, "random_state of the split"),
                    ("seed", s.seed, "the initial weights' random seed"),
                    ("eta", s.eta, "the learning rate η"),
                    ("epochs", s.epochs, "epochs of training")]
        if self.batched:
            settings.append(("B", s.batch_size, "rows per mini-batch"))
        if self.decay:
            settings.append(("lam", s.weight_decay, "weight decay λ"))
        lines = [_comment(f"{name} = {value!r}", why) for name, value, why in settings]
        self.md("The run's settings, as in the app's sidebar. The layer sizes and the activation "
                "are written into the code below; these numbers can be changed here.")
        self.code("\n".join(lines))

    def data(self) -> None:
        s = self.s
        # Split on "\n" only: a quoted field may hold any other line-break character, kept by repr.
        text = INCOME_CSV.read_text(encoding="utf-8") if s.data_csv is None else s.data_csv
        if text.endswith("\n"):
            text = text[:-1]
        body = ",\n".join("    " + repr(line) for line in text.split("\n"))
        what = ("Income2: one row per person, Education in years, Seniority in months and Income in "
                "$1000s." if s.data_csv is None else "Your table, as the app read it (the chosen columns).")
        self.md(f"""
## 1. The data

{what} It is embedded in the notebook as CSV text, one line of the file per line below, so nothing
has to be downloaded.
""")
        drop = ""
        if s.drop_incomplete:
            drop = ("\n\n# The app drops rows with a blank, NaN or infinite value in a chosen column.\n"
                    "complete = np.isfinite(df[features + [target]].to_numpy(dtype=float)).all(axis=1)\n"
                    "print(\"rows dropped:\", list(df.index[~complete]))\n"
                    "df = df[complete]")
        self.code(f"""
CSV = "\\n".join([
{body},
])
df = pd.read_csv(io.StringIO(CSV), index_col=0)
features = {list(s.features)!r}
target = {s.target!r}{drop}
df
""")

    def split(self) -> None:
        self.md(r"""
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
        n = SHOWN_ROWS
        self.code(f"""
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


def augment(A):
    \"\"\"[1, A]: the bias node's constant output 1 as column 0. (N, k) → (N, k + 1)\"\"\"
    return np.hstack([np.ones((len(A), 1)), A])


X_train_aug, X_test_aug = augment(X_train), augment(X_test)
print("X_train_aug[:3] =", X_train_aug[:3], sep="\\n")
""")

    def network(self) -> None:
        s = self.s
        code, g_tex, gp_tex = _G[s.activation]
        tex = self.tex
        sizes = [r"N_I"] + [f"N_{tex(n)}" for n in self.names] + ["N_O"]
        shapes = ", ".join(f"$W_{tex(l)}$: $({a} + 1) \\times {b}$" for l, a, b in zip(self.layers, sizes[:-1], sizes[1:]))
        hidden_md = ("one hidden layer of $N_H$" if len(self.names) == 1
                     else "hidden layers of $" + "$, then $".join(sizes[1:-1]) + "$")
        self.md(f"""
## 3. The network and its initial weights

$N_I$ inputs, {hidden_md} {s.activation} units, and $N_O$ = 1 linear output. Each layer's weights
form one matrix with a row per input node — row 0 for the bias node — and a column per unit:
{shapes}.

The hidden units' activation is ${g_tex}$, with slope ${gp_tex}$. The initial weights are
standard-normal draws after `np.random.seed(seed)`, one matrix per layer, first hidden layer first.
""")
        if self.decay:
            code += ('\n\n\ndef decay(W_l):\n    """∂/∂W of the weight decay (λ/2) Σ w²: λ·W, except in the bias row 0,'
                     ' which is not decayed."""\n    D = lam * W_l\n    D[0] = 0.0\n    return D')
        self.code(code)
        lines = [_comment("N, N_I = X_train.shape", "training rows, inputs"),
                 _comment("N_O = y_train.shape[1]", "outputs")]
        for name, width in zip(self.names, s.hidden):
            lines.append(_comment(f"N_{name} = {width}", "hidden units"))
        lines += ["", "np.random.seed(seed)"]
        fan_in = ["N_I"] + [f"N_{n}" for n in self.names]
        fan_out = [f"N_{n}" for n in self.names] + ["N_O"]
        for layer, a, b in zip(self.layers, fan_in, fan_out):
            lines.append(f"W_{layer} = np.random.randn({a} + 1, {b})")
        lines += [f"W_init = {self.w_list()}      # the layers in order, output last; row 0 = bias",
                  "for name, W_l in zip(" + repr([f"W_{n}" for n in self.layers]) + ", W_init):",
                  "    print(name + \" =\", W_l, sep=\"\\n\")"]
        self.code("\n".join(lines))

    def loop_functions(self) -> None:
        """``gradients`` and ``train_epoch``: sections 4–7 as loops over the layers."""
        decay = " + decay(W_l)" if self.decay else ""
        if self.batched:
            epoch = f'''
def train_epoch(W, rng):
    """One epoch: the rows in a new random order, cut into batches of B, one update per batch."""
    order = rng.permutation(N) if B < N else np.arange(N)
    for start in range(0, N, B):
        rows = order[start:start + B]
        dW = gradients(W, X_train_aug[rows], y_train[rows])
        W = [W_l - eta * (dW_l{decay}) for W_l, dW_l in zip(W, dW)]
    return W
'''
        else:
            epoch = f'''
def train_epoch(W):
    """One epoch of full-batch gradient descent: W ← W − η·∂L/∂W for every layer."""
    dW = gradients(W, X_train_aug, y_train)
    return [W_l - eta * (dW_l{decay}) for W_l, dW_l in zip(W, dW)]
'''
        self.code('''
def gradients(W, X_aug, y):
    """∂L/∂W for every layer of W (output last) on the rows X_aug, y: sections 4 and 6 as loops."""
    inputs, zs = [X_aug], []             # inputs[l]: what layer l receives, bias column first
    for W_l in W[:-1]:
        zs.append(inputs[-1] @ W_l)
        inputs.append(augment(g(zs[-1])))
    delta = -(y - inputs[-1] @ W[-1])    # δ_O
    dW = [None] * len(W)
    for l in reversed(range(len(W))):
        dW[l] = inputs[l].T @ delta      # ∂L/∂W_l = [1, u]ᵀ · δ_l
        if l > 0:                        # δ one layer down; W[l]'s bias row 0 passes nothing back
            delta = g_prime(zs[l - 1], inputs[l][:, 1:]) * (delta @ W[l][1:].T)
    return dW

''' + epoch)

    def fast_forward(self) -> None:
        self.md(f"""
## 3b. Fast-forward to epoch {self.k}

The app shows the step of epoch {self.k}, that is, after {self.k} epochs of training. The next cell
defines the training loop's two functions (section 8 explains them; they repeat sections 4–7 for
any number of layers) and runs {self.k} epochs with them. Sections 4–7 then take the next step by
hand.
""")
        self.loop_functions()
        rng = "rng = np.random.default_rng(seed)   # one generator for the whole run\n" if self.batched else ""
        arg = "rng" if self.batched else ""
        unpack = ", ".join(f"W_{n}" for n in self.layers)
        self.code(f"""
k = {self.k}                               # the epoch the app shows
W = [W_l.copy() for W_l in W_init]
{rng}for e in range(k):
    W = train_epoch(W{', ' + arg if arg else ''})
{unpack} = W
for name, W_l in zip({[f"W_{n}" for n in self.layers]!r}, W):
    print(name, "at epoch", k, "=", W_l, sep="\\n")
""")

    def forward(self) -> None:
        tex = self.tex
        eqs = []
        prev = "X_{aug}"
        for name in self.names:
            eqs.append(f"z_{tex(name)} = {prev}\\, W_{tex(name)}, \\qquad u_{tex(name)} = g(z_{tex(name)})")
            prev = f"[1, u_{tex(name)}]"
        eqs.append(f"z_O = {prev}\\, W_O, \\qquad \\hat y = u_O = z_O")
        eq_md = "\n".join(f"$${e}$$" for e in eqs)
        batch_md = ""
        if self.batched:
            batch_md = (f"\n\nWith mini-batches the update of this step uses only the rows of the first batch of "
                        f"epoch {self.k}: a random order of the N training rows (one per epoch, from "
                        "`np.random.default_rng(seed)`), cut into batches of B. The forward pass covers every "
                        "training row, so that the loss is the app's; the backward pass takes the batch's rows.")
        self.md(f"""
## 4. Forward pass

Every training row at once: one matrix product per layer, then the activation. The linear output
unit passes $z_O$ on unchanged.

{eq_md}{batch_md}
""")
        lines = []
        if self.batched:
            if not self.k:
                lines.append(_comment("rng = np.random.default_rng(seed)", "one generator for the whole run"))
            lines += [_comment("order = rng.permutation(N) if B < N else np.arange(N)", f"epoch {self.k}'s row order"),
                      _comment("rows = order[:B]", "the first batch: this step's rows"),
                      "print(\"this step's batch, as row labels:\", *df.index[train_idx[rows]])", ""]
        prev = "X_train_aug"
        for name in self.names:
            lines.append(_comment(f"z_{name} = {prev} @ W_{name}", f"(N, N_{name})"))
            lines.append(f"u_{name} = g(z_{name})")
            prev = f"augment(u_{name})"
        lines.append(_comment(f"z_O = {prev} @ W_O", "(N, N_O)"))
        lines.append(_comment("y_hat = z_O", "the output unit is linear: u_O = z_O"))
        lines.append('print("ŷ[:3] =", y_hat[:3, 0])')
        self.code("\n".join(lines))

    def loss(self) -> None:
        decay_md = ""
        if self.decay:
            decay_md = (r" Weight decay adds $\frac{\lambda}{2} \sum w^2$ over every weight except the bias "
                        "rows to what gradient descent minimises; the loss the app shows and plots is $L$ "
                        "alone.")
        self.md(rf"""
## 5. Loss

$$L = \frac{{1}}{{2}} \sum_n (y_n - \hat y_n)^2$$

a sum over the training rows, not a mean.{decay_md}
""")
        lines = ["L = 0.5 * np.sum((y_train - y_hat) ** 2)", 'print(f"L = {L:.8f}")']
        if self.batched:
            lines += ["L_batch = 0.5 * np.sum((y_train[rows] - y_hat[rows]) ** 2)",
                      'print(f"this batch\'s part of L: {L_batch:.8f}")']
        if self.decay:
            lines += [f"penalty = 0.5 * lam * sum(np.sum(W_l[1:] ** 2) for W_l in {self.w_list()})",
                      'print(f"decay term (λ/2) Σ w² = {penalty:.8f}")']
        self.code("\n".join(lines))

    def backward(self) -> None:
        tex = self.tex
        names = self.names
        below = ["X_{aug}"] + [f"[1, u_{tex(n)}]" for n in names]   # what each layer receives
        above = names[1:] + ["O"]
        eqs = [r"\delta_O = \frac{\partial L}{\partial z_O} = -(y - z_O)"]
        for name, up in reversed(list(zip(names, above))):
            eqs.append(f"\\delta_{tex(name)} = g'(z_{tex(name)}) \\odot "
                       f"\\left(\\delta_{tex(up)}\\, W_{tex(up)}[1{{:}}]^\\top\\right)")
        grads = [f"\\frac{{\\partial L}}{{\\partial W_{tex(l)}}} = {b}^\\top \\delta_{tex(l)}"
                 for l, b in zip(reversed(self.layers), reversed(below))]
        recursion = ("" if len(names) == 1 else
                     "\n\nThe same equation, $\\delta_\\ell = g'(z_\\ell) \\odot (\\delta_{\\ell+1}\\, "
                     "W_{\\ell+1}[1{:}]^\\top)$, is used once per hidden layer, from the top down: each "
                     "layer's δ comes from the δ of the layer above it.")
        decay_md = ("\n\nWeight decay adds $\\lambda W$ to each gradient, with the bias row 0 left out "
                    "(`decay` in section 3)." if self.decay else "")
        batch_md = ("\n\nOnly the batch's rows (`[rows]`) enter the deltas and gradients of this step."
                    if self.batched else "")
        self.md(f"""
## 6. Backward pass

The deltas $\\delta = \\partial L / \\partial z$, from the output back. Row 0 of a weight matrix
belongs to the bias node, which has no inputs, so it passes no error back: the product uses
$W[1{{:}}]$ (rows 1 onwards).

{chr(10).join(f"$${e}$$" for e in eqs)}{recursion}

The gradients: each weight's is $\\delta_j \\cdot u_i$ (the delta of the unit it feeds times the
output of the node it comes from), summed over the rows. The bias node's output 1 comes first,
so the bias gradient is row 0 — the published demo stacked it last, which is the mistake the app's
gradient check catches.

{chr(10).join(f"$${e}$$" for e in grads)}{decay_md}{batch_md}
""")
        sel = "[rows]" if self.batched else ""
        lines = [f"delta_O = -(y_train{sel} - z_O{sel})" + " " * 10 + "# δ_O = ∂L/∂z_O: (rows, N_O)"]
        for name, up in reversed(list(zip(names, above))):
            lines.append(f"delta_{name} = g_prime(z_{name}{sel}, u_{name}{sel}) * (delta_{up} @ W_{up}[1:].T)"
                         f"   # δ_{name}: row 0 of W_{up} (bias) passes nothing back")
        ins = ["X_train_aug" + sel] + [f"augment(u_{n}{sel})" for n in names]
        decay = {l: f" + decay(W_{l})" if self.decay else "" for l in self.layers}
        for layer, inp in zip(reversed(self.layers), reversed(ins)):
            lines.append(f"dW_{layer} = {inp}.T @ delta_{layer}{decay[layer]}")
        lines.append("")
        for layer in self.layers:
            lines.append(f'print("∂L/∂W_{layer} =", dW_{layer}, sep="\\n")')
        self.code("\n".join(lines))

    def update(self) -> None:
        after = ("the loss over all training rows after this one update"
                 if self.batched else "the loss with the new weights")
        self.md(rf"""
## 7. One step of gradient descent

$$W \leftarrow W - \eta\, \frac{{\partial L}}{{\partial W}}$$

for every weight matrix. To see {after}, the forward pass runs again: `predict` is section 4 as a
loop over the layers, for any list of weight matrices.
""")
        lines = [f"W_{l}_new = W_{l} - eta * dW_{l}" for l in self.layers]
        lines += ["", "", "def predict(W, X_aug):",
                  f'    """ŷ for the layers W = {self.w_list()}: section 4 as a loop over the layers."""',
                  "    u = X_aug", "    for W_l in W[:-1]:", "        u = augment(g(u @ W_l))",
                  "    return u @ W[-1]", "", "",
                  f"L_new = 0.5 * np.sum((y_train - predict({self.w_list('_new')}, X_train_aug)) ** 2)",
                  'print(f"loss before the step: L = {L:.8f}")',
                  'print(f"loss after the step:  L = {L_new:.8f}")']
        self.code("\n".join(lines))

    def training(self) -> None:
        batch_md = (" Each epoch visits the training rows in a new random order (from one "
                    "`np.random.default_rng(seed)` for the whole run) in batches of B rows, one update per "
                    "batch; the last batch may be smaller." if self.batched else
                    " Every epoch is one full-batch step: all training rows, one update.")
        where = ("" if not self.k else " (defined in section 3b)")
        self.md(f"""
## 8. Training

The step of sections 4–7, repeated for `epochs` epochs from the initial weights.{batch_md}
`gradients` is sections 4 and 6 as loops over the layers and `train_epoch` applies section 7{where}.
The loss is recorded with the weights *before* each epoch's update, and once more for the final
weights. If the loss overflows (η too large), training stops there, as in the app.
""")
        if not self.k:
            self.loop_functions()
        rng = "rng = np.random.default_rng(seed)       # the same generator as in the app: one per run\n" \
            if self.batched else ""
        arg = "W, rng" if self.batched else "W"
        self.code(f'''
def loss(W, X_aug, y):
    """L = ½ Σ (y − ŷ)² over the rows X_aug, y (without the decay term)."""
    return 0.5 * np.sum((y - predict(W, X_aug)) ** 2)


W = [W_l.copy() for W_l in W_init]
{rng}loss_train, loss_test = [], []          # before each epoch's update; the last entry: the final weights
diverged_at = None
with np.errstate(all="ignore"):         # a too-large η overflows: stop at the first non-finite loss
    for e in range(epochs + 1):
        L_e = loss(W, X_train_aug, y_train)
        if not np.isfinite(L_e):
            diverged_at = e
            break
        loss_train.append(L_e)
        loss_test.append(loss(W, X_test_aug, y_test))
        if e < epochs:
            W = train_epoch({arg})
if diverged_at is not None:
    print(f"Training diverged at epoch {{diverged_at}}: the loss overflowed. Try a smaller learning rate η.")
    if loss_train:
        print(f"last finite losses (epoch {{len(loss_train) - 1}}): "
              f"training {{loss_train[-1]:.8g}}, test {{loss_test[-1]:.8g}}")
else:
    print(f"final training loss = {{loss_train[-1]:.8f}}")
    print(f"final test loss     = {{loss_test[-1]:.8f}}")
''')

    def curve(self) -> None:
        self.md("""
## 9. The loss curve

Training and test loss over the epochs, on a log scale (at most 1,000 points per line).
""")
        self.code('''
keep = np.unique(np.linspace(0, len(loss_train) - 1, 1000).astype(int))
curves = pd.DataFrame({"epoch": keep, "training": np.array(loss_train)[keep],
                       "test": np.array(loss_test)[keep]})
alt.Chart(curves.melt("epoch", var_name="rows", value_name="loss")).mark_line().encode(
    x=alt.X("epoch:Q", title="epoch"),
    y=alt.Y("loss:Q", scale=alt.Scale(type="log"), title="loss L = ½ Σ (y − ŷ)²"),
    color=alt.Color("rows:N", title=None),
).properties(width=500, height=300, title="Loss during training")
''')
