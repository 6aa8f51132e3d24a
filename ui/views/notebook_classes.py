"""The notebook's classification parts: the toy data set built in numpy, the stratified split, the
sigmoid or softmax output and the cross-entropy.

``notebook_cells`` and ``notebook_step`` call these when the run classifies (``RunSpec.task``). The
toy set's code is ``core.toy``'s own source, so the notebook draws the very points the
app drew; the split repeats ``train_test_split(..., stratify=labels)``; the loss is computed from z_O
as ``core.network.cross_entropy`` computes it.
"""

from __future__ import annotations

import inspect
import re

from core import toy

def _source(fn) -> str:
    """A function of ``core.toy`` as the notebook shows it: its own source, without the underscore
    that keeps it private there."""
    return re.sub(r"\b_(" + "|".join(toy.TOY_SETS + ("clouds",)) + r")\b", r"\1", inspect.getsource(fn)).strip()


_BALANCED = _source(toy.balanced)


def _shape(name: str) -> tuple[int, str]:
    """(classes, the code that draws the shape): ``core.toy``'s own function, and the helper it calls."""
    draw, k = toy._SHAPES[name]
    code = _source(draw)
    return k, (_source(toy._clouds) + "\n\n\n" + code) if "clouds(" in code else code


# Each shape as core.toy draws it: (classes, its function's source).
SHAPES = {name: _shape(name) for name in toy.TOY_SETS}

# Derived inputs as ui.views.derived computes them: (column name, expression of x1 and x2).
DERIVED = {"x1sq": ("x1²", "x1 * x1"), "x2sq": ("x2²", "x2 * x2"), "x1x2": ("x1·x2", "x1 * x2"),
           "sinx1": ("sin x1", "np.sin(x1)"), "sinx2": ("sin x2", "np.sin(x2)")}


def toy_code(dataset: str, points: int, noise: float, seed: int, inputs: tuple[str, ...]) -> str:
    """The code cell that draws the toy set (and adds the derived inputs) into ``df``."""
    k, shape = SHAPES[dataset]
    lines = [_BALANCED.strip(), "", "", shape.strip(), "", "",
             f"points, noise, data_seed = {int(points)!r}, {float(noise)!r}, {int(seed)!r}",
             "rng = np.random.default_rng(data_seed)              # the data's own generator",
             f"X_shape, label = {dataset}(rng, balanced(points, {k}))   # the clean shape first,",
             "X_toy = X_shape + noise * rng.normal(size=X_shape.shape)     # then the jitter,",
             "order = rng.permutation(points)                       # then the rows shuffled",
             'df = pd.DataFrame({"x1": X_toy[order, 0], "x2": X_toy[order, 1], "label": label[order]},',
             '                  index=pd.RangeIndex(1, points + 1, name="Row"))']
    if inputs:
        lines += ["", "# The extra inputs, computed from x1 and x2, join the table before the label.",
                  'x1, x2 = df["x1"].to_numpy(), df["x2"].to_numpy()']
        for name in inputs:
            column, expr = DERIVED[name]
            lines.append(f'df.insert(df.columns.get_loc("label"), {column!r}, {expr})')
    return "\n".join(lines)


SPLIT = '''
X = df[features].to_numpy(dtype=float)      # (rows, N_I)
labels = df[target].tolist()
classes = sorted(set(labels), key=lambda v: (isinstance(v, str), v))   # the class names, sorted
K = len(classes)
label_idx = np.array([classes.index(v) for v in labels])               # each row's class, 0 … K−1
# Two classes: one column, 1.0 marking classes[1]; more: one-hot rows, one column per class.
y = (label_idx == 1).astype(float)[:, None] if K == 2 else np.eye(K)[label_idx]
print("classes:", classes)


def approximate_mode(counts, n_draws, rng):
    """How many of n_draws rows each class gets, in proportion to counts (scikit-learn's rounding)."""
    continuous = counts / counts.sum() * n_draws
    floored = np.floor(continuous)
    need = int(n_draws - floored.sum())
    remainder = continuous - floored
    for value in np.sort(np.unique(remainder))[::-1]:
        if need <= 0:
            break
        (tied,) = np.where(remainder == value)
        now = min(len(tied), need)
        floored[rng.choice(tied, size=now, replace=False)] += 1
        need -= now
    return floored.astype(int)


n_test = math.ceil(test_size * len(X))
n_train = len(X) - n_test
counts = np.bincount(label_idx)
rng = np.random.RandomState(split_seed)
by_class = np.split(np.argsort(label_idx, kind="mergesort"), np.cumsum(counts)[:-1])
n_i = approximate_mode(counts, n_train, rng)               # training rows of each class
t_i = approximate_mode(counts - n_i, n_test, rng)          # test rows of each class
train_idx, test_idx = [], []
for k in range(K):
    rows_k = by_class[k][rng.permutation(counts[k])]
    train_idx.extend(rows_k[:n_i[k]])
    test_idx.extend(rows_k[n_i[k]:n_i[k] + t_i[k]])
train_idx, test_idx = rng.permutation(train_idx), rng.permutation(test_idx)
X_train, X_test, y_train, y_test = X[train_idx], X[test_idx], y[train_idx], y[test_idx]
print("training rows:", *df.index[train_idx][:{n}], "…" if len(train_idx) > {n} else "")
print("test rows:    ", *df.index[test_idx][:{n}], "…" if len(test_idx) > {n} else "")
print("training rows per class:", dict(zip(classes, n_i.tolist())))

x_scale = np.abs(X_train).max(axis=0)       # the largest |value| of each feature in the training rows
X_train, X_test = X_train / x_scale, X_test / x_scale      # the classes are not scaled
print("x_scale =", x_scale)
'''

SPLIT_MD = r"""
## 2. Split and scale

Each row's class becomes a target the network can compare with: with two classes one column that is
1 for `classes[1]` and 0 for `classes[0]`; with more, one column per class, 1 in its own class's column
(one-hot). A fraction `test_size` of the rows is held out to test the network, **stratified**: each
class keeps its share in the training and the test rows. The cell below is
`sklearn.model_selection.train_test_split(X, y, test_size=test_size, random_state=split_seed,
stratify=label_idx)` written out in numpy: how many rows of each class go to training, then a random
order within each class, then the two sets shuffled.

Each feature is then divided by its largest absolute value **in the training rows**; the targets stay
0 and 1. Last, every row gets a leading 1: the output of the bias node, so that a bias is just the
weight in row 0 of a weight matrix. That gives `X_train_aug` (N × (N_I + 1)).
"""

OUTPUT = '''


def output(z):
    """ŷ from z_O: σ(z) for one output (the probability of classes[1]), softmax over several."""
    if z.shape[1] == 1:
        return 1 / (1 + np.exp(-z))
    e = np.exp(z - z.max(axis=1, keepdims=True))       # the same ratios, and no e^z overflows
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy(y, z):
    """L = −Σ y log ŷ over the rows (one output: −Σ [y log ŷ + (1 − y) log(1 − ŷ)]), from z_O:
    log σ(z) = −log(1 + e^−z) and log softmax(z)_k = z_k − log Σ_j e^z_j, so no log 0 ever occurs."""
    with np.errstate(all="ignore"):
        if z.shape[1] == 1:
            return float(np.sum(y * np.logaddexp(0.0, -z) + (1.0 - y) * np.logaddexp(0.0, z)))
        m = z.max(axis=1, keepdims=True)
        log_sum = m + np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))
        return float(np.sum(-np.sum(y * (z - log_sum), axis=1)))


def accuracy(y, y_hat):
    """The share of rows whose most probable class is their own."""
    if y.shape[1] == 1:
        return float(np.mean((y_hat[:, 0] > 0.5) == (y[:, 0] == 1)))
    return float(np.mean(y_hat.argmax(axis=1) == y.argmax(axis=1)))'''
