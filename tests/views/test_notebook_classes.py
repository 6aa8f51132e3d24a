"""ui.views.notebook for classification: the notebook draws the toy set (or embeds the uploaded rows),
splits it stratified, puts σ or softmax on the output, takes the cross-entropy and δ_O = ŷ − y, and
trains to the app's numbers.

Expected numbers come from ``reference_run`` below — scikit-learn's own stratified
``train_test_split``, then the independent per-sample loop of tests/reference.py with the
cross-entropy — never from the notebook's output. The fast tests execute the code cells in this
process; the ``slow`` ones execute the downloaded file in a fresh Jupyter kernel in an empty folder.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.model_selection import train_test_split

from core import data
from tests import reference as ref
from tests.views.test_notebook import assert_printed, cells, execute, printed, run_in_process
from ui.views import derived
from ui.views.notebook import RunSpec, build_notebook, table_csv

CE = "cross_entropy"


def toy_spec(dataset="moons", points=60, noise=0.1, dseed=0, inputs=(), **kw) -> RunSpec:
    return RunSpec(task="classification", toy=(dataset, points, noise, dseed, inputs),
                   features=derived.columns(inputs), target=derived.LABEL, **{"eta": 0.02, **kw})


def printed_scores(output: str) -> dict[str, float]:
    found = {k: re.search(rf"final {k} accuracy\s+= (\S+)", output) for k in ("training", "test")}
    return {k: float(m.group(1)) for k, m in found.items() if m}


def reference_run(table: pd.DataFrame, spec: RunSpec) -> dict[str, float]:
    """The run by tests/reference.py with the cross-entropy, sample by sample, on scikit-learn's stratified split."""
    keep = table
    if spec.drop_incomplete:
        keep = table[np.isfinite(table[list(spec.features)].to_numpy(dtype=float)).all(axis=1)
                     & table[spec.target].notna()]
    X = keep[list(spec.features)].to_numpy(dtype=float)
    names = sorted(set(keep[spec.target]), key=lambda v: (isinstance(v, str), v))
    k = np.array([names.index(v) for v in keep[spec.target]])
    y = (k == 1).astype(float)[:, None] if len(names) == 2 else np.eye(len(names))[k]
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=spec.test_size, random_state=spec.split_seed,
                                              stratify=k)
    xs = np.abs(X_tr).max(axis=0)
    X_train, X_test = (np.hstack([np.ones((len(A), 1)), A / xs]) for A in (X_tr, X_te))
    act, eta, lam = spec.activation, spec.eta, spec.weight_decay
    epochs = max(spec.epochs, spec.step_epoch + 1)
    weights = ref.init(spec.seed, X.shape[1], spec.hidden, y.shape[1])
    losses, history, batches = ref.train(X_train, y_tr, X_test, y_te, weights, eta, epochs, act, spec.batch_size,
                                         lam, spec.seed, kind=CE)
    W, rows = history[spec.step_epoch], batches[spec.step_epoch][0]
    grads = ref.batch(X_train[rows], y_tr[rows], W, act, lam, kind=CE)["dW"]
    after = [w - eta * g for w, g in zip(W, grads)]

    def accuracy(X_aug, Y):
        p = ref.predict(X_aug, history[spec.epochs], act, CE)
        right = (p[:, 0] > 0.5) == (Y[:, 0] == 1) if Y.shape[1] == 1 else p.argmax(axis=1) == Y.argmax(axis=1)
        return float(right.mean())

    return {"before": losses[spec.step_epoch, 0], "after": ref.loss(X_train, y_tr, after, act, CE),
            "train": losses[spec.epochs, 0], "test": losses[spec.epochs, 1],
            "training": accuracy(X_train, y_tr), "test accuracy": accuracy(X_test, y_te)}


def toy_table(spec: RunSpec) -> pd.DataFrame:
    name, points, noise, dseed, inputs = spec.toy
    return derived.with_derived(data.toy(name, points, noise, dseed), inputs)


def assert_same_numbers(out: str, expected: dict) -> None:
    p, scores = printed(out), printed_scores(out)
    for key in ("before", "after", "train", "test"):
        assert_printed(p[key], expected[key])
    assert scores == {"training": pytest.approx(expected["training"], abs=5e-5),
                      "test": pytest.approx(expected["test accuracy"], abs=5e-5)}


SPECS = {
    "two-classes": toy_spec(epochs=150),
    "three-classes-batch-decay-epoch-3": toy_spec("three", batch_size=7, weight_decay=0.01, epochs=40, step_epoch=3,
                                                  seed=5),
    "circle-squares-no-hidden-layer": toy_spec("circle", inputs=("x1sq", "x2sq"), hidden=(), eta=0.05, epochs=60),
    "xor-two-tanh-layers": toy_spec("xor", hidden=(4, 3), activation="tanh", eta=0.01, epochs=40, step_epoch=40,
                                    test_size=0.3, split_seed=7),
}


@pytest.mark.parametrize("name", SPECS)
def test_printed_numbers_equal_an_independent_per_sample_loop_with_the_cross_entropy(name):
    spec = SPECS[name]
    assert_same_numbers(run_in_process(build_notebook(spec)), reference_run(toy_table(spec), spec))


def test_the_notebook_draws_the_apps_toy_table_with_its_derived_inputs():
    spec = toy_spec("spiral", points=80, noise=0.25, dseed=9, inputs=("x1x2", "sinx1"))
    ns = {}
    for source in cells(build_notebook(spec))[:3]:          # imports, settings, the data
        exec(compile(source, "<notebook>", "exec"), ns)
    pd.testing.assert_frame_equal(ns["df"], toy_table(spec))
    assert list(ns["df"].columns) == ["x1", "x2", "x1·x2", "sin x1", "label"]


def test_the_notebook_says_what_it_computes_for_classification():
    text = "\n".join(cells(build_notebook(toy_spec("three")), "markdown") + cells(build_notebook(toy_spec("three"))))
    for words in ("drawn here exactly as the app draws it", "stratified", r"\delta_O = \frac{\partial L}{\partial z_O} = \hat y - y",
                  "softmax", "cross-entropy", "delta_O = y_hat - y_train", "L = cross_entropy(y_train, z_O)",
                  "def output(z):", "def cross_entropy(y, z):"):
        assert words in text, words
    assert "½" not in "\n".join(cells(build_notebook(toy_spec("three"))))


def text_labels(n=40, seed=4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"length": rng.uniform(1, 9, n).round(3), "width": rng.uniform(1, 5, n).round(2)})
    df["kind"] = np.where(df["length"] > 6, "long", np.where(df["width"] > 3, "wide", "small"))
    df.loc[5, "width"] = np.nan
    df.index = pd.RangeIndex(1, n + 1, name="Row")
    return df


def test_an_upload_of_text_classes_with_a_missing_value_is_embedded_and_prints_the_independent_numbers():
    table = text_labels()
    spec = RunSpec(data_csv=table_csv(table), data_name="kinds.csv", features=("length", "width"), target="kind",
                   task="classification", drop_incomplete=True, hidden=(3,), eta=0.02, epochs=50, step_epoch=2)
    out = run_in_process(build_notebook(spec))
    assert "rows dropped: [6]" in out and "classes: ['long', 'small', 'wide']" in out
    assert_same_numbers(out, reference_run(table, spec))


@settings(max_examples=40, deadline=None)
@given(counts=st.lists(st.integers(2, 12), min_size=2, max_size=5), test_size=st.sampled_from([0.2, 0.3, 0.5, 0.7]),
       split_seed=st.integers(0, 2**32 - 1), shuffle_seed=st.integers(0, 1000))
def test_the_numpy_stratified_split_is_sklearns(counts, test_size, split_seed, shuffle_seed):
    labels = np.random.default_rng(shuffle_seed).permutation(np.repeat(np.arange(len(counts)), counts))
    n = len(labels)
    try:
        _, _, want_train, want_test = train_test_split(np.zeros((n, 1)), np.arange(n), test_size=test_size,
                                                       random_state=split_seed, stratify=labels)
    except ValueError:             # a split scikit-learn refuses (a set smaller than the classes): the app too
        return
    source = [c for c in cells(build_notebook(toy_spec())) if "approximate_mode" in c][0]
    code = source.split("x_scale =")[0]
    table = pd.DataFrame({"x": np.arange(n, dtype=float), "label": labels}, index=pd.RangeIndex(1, n + 1))
    ns = {"np": np, "math": __import__("math"), "df": table, "features": ["x"], "target": "label",
          "test_size": test_size, "split_seed": split_seed, "print": lambda *a, **k: None}
    exec(code, ns)
    np.testing.assert_array_equal(ns["train_idx"], want_train)
    np.testing.assert_array_equal(ns["test_idx"], want_test)


@pytest.mark.slow
@pytest.mark.parametrize("dataset", ["moons", "three"])
def test_in_a_fresh_kernel_the_classification_defaults_print_the_independent_numbers(dataset, tmp_path):
    spec = toy_spec(dataset, points=200, epochs=1000)          # the sidebar's defaults for this data set
    stdout, _ = execute(build_notebook(spec), tmp_path)
    assert_same_numbers(stdout, reference_run(toy_table(spec), spec))
