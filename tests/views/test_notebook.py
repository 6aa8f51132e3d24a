"""ui.views.notebook: the downloaded notebook reproduces the run, and runs with nothing of the project.

Expected numbers come from the docs/core-api.md literals or from ``reference_run`` below — sklearn's own
train_test_split, then the independent per-sample loop of tests/reference.py — never from the
notebook's own output. The fast tests execute the code cells in this
process; the ``slow`` ones execute the downloaded file in a fresh Jupyter kernel in an empty folder.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import math
import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklearn.model_selection import train_test_split

from tests import reference as ref
from ui.views.notebook import ALLOWED_IMPORTS, RunSpec, build_notebook, file_name, markdown_text, table_csv

REPO = Path(__file__).resolve().parents[2]
PROJECT_PACKAGES = {p.name for p in REPO.iterdir() if p.is_dir() and (p / "__init__.py").exists()} | {"app"}

# docs/core-api.md, verbatim.
LOSS_BEFORE_SEED_9, LOSS_AFTER_SEED_9 = "3.52260967", "2.44151428"
FINAL_TRAIN_DEFAULTS, FINAL_TEST_DEFAULTS = "0.02386055", "0.05175851"
DW_O_SEED_9 = [-9.09566587, -2.19214132, -2.47487746, -1.39665172]
DW_H_SEED_9 = [[-1.03990459, -3.12814644, -0.35050278],
               [-0.88510364, -2.64996514, -0.296022],
               [-0.76317137, -2.36740073, -0.26625607]]

ODD_NAMES = ("years 'in' school", 'back\\slash "quoted"', "income <b>[$]</b>\n(k)")


# ----- helpers ------------------------------------------------------------------------------------

def cells(text: str, kind: str = "code") -> list[str]:
    return [c["source"] for c in nbformat.reads(text, as_version=4).cells if c.cell_type == kind]


def run_in_process(text: str) -> str:
    """Execute the notebook's code cells here (numpy's global random state restored); their stdout."""
    state = np.random.get_state()
    out, ns = io.StringIO(), {}
    try:
        with contextlib.redirect_stdout(out):
            for source in cells(text):
                exec(compile(source, "<notebook>", "exec"), ns)
    finally:
        np.random.set_state(state)
    return out.getvalue()


def printed(output: str) -> dict[str, str]:
    """The numbers the page shows, as the notebook printed them."""
    patterns = {"before": r"loss before the step: L = (\S+)", "after": r"loss after the step:  L = (\S+)",
                "train": r"final training loss = (\S+)", "test": r"final test loss     = (\S+)"}
    found = {k: re.search(p, output) for k, p in patterns.items()}
    return {k: m.group(1) for k, m in found.items() if m}


def printed_matrix(output: str, name: str) -> np.ndarray:
    """The matrix printed under ``name =`` (numpy's layout: one bracketed row per line)."""
    block = re.search(re.escape(name) + r" =\n(\[\[.*?\]\])\n", output, re.S).group(1)
    return np.array([[float(v) for v in row.split()] for row in re.findall(r"\[([^\[\]]+)\]", block)])


def assert_printed(value: str, expected: float) -> None:
    """``value`` is ``expected`` printed with 8 decimals (allowing for rounding at the last digit)."""
    assert re.fullmatch(r"-?\d+\.\d{8}", value), value
    assert abs(float(value) - expected) <= 5e-9 + 1e-12 * abs(expected), (value, expected)


def odd_table() -> pd.DataFrame:
    """A small upload with awkward column names and one incomplete row, as ``read_table`` returns it."""
    rng = np.random.default_rng(7)
    n = 12
    a = rng.uniform(8, 20, n).round(3)
    b = rng.uniform(10, 150, n).round(1)
    t = (2.5 * a + 0.1 * b + rng.normal(0, 2, n)).round(4)
    t[4] = np.nan
    df = pd.DataFrame({ODD_NAMES[0]: a, ODD_NAMES[1]: b, ODD_NAMES[2]: t, "note": ["x, y"] * n})
    df.index = pd.RangeIndex(1, n + 1, name="Row")
    return df


# ----- the independent implementation on the notebook's data ----------------------------------------

def reference_run(table: pd.DataFrame, spec: RunSpec) -> dict[str, float]:
    """The run by tests/reference.py, sample by sample: loss before/after the walked-through step, final losses."""
    columns = list(spec.features) + [spec.target]
    values = table[columns].to_numpy(dtype=float)
    if spec.drop_incomplete:
        values = values[np.isfinite(values).all(axis=1)]
    X_tr, X_te, y_tr, y_te = train_test_split(values[:, :-1], values[:, -1], test_size=spec.test_size,
                                              random_state=spec.split_seed)
    xs, ys = np.abs(X_tr).max(axis=0), np.abs(y_tr).max()
    X_train, X_test = (np.hstack([np.ones((len(X), 1)), X / xs]) for X in (X_tr, X_te))
    y_train, y_test = (y[:, None] / ys for y in (y_tr, y_te))
    act, eta, lam = spec.activation, spec.eta, spec.weight_decay
    # One epoch more when the step shown is the final weights' (the step a further epoch would take).
    epochs = max(spec.epochs, spec.step_epoch + 1)
    weights = ref.init(spec.seed, X_tr.shape[1], spec.hidden)
    losses, history, batches = ref.train(X_train, y_train, X_test, y_test, weights, eta, epochs, act, spec.batch_size,
                                         lam, spec.seed)
    W, rows = history[spec.step_epoch], batches[spec.step_epoch][0]
    grads = ref.batch(X_train[rows], y_train[rows], W, act, lam)["dW"]
    after = [w - eta * g for w, g in zip(W, grads)]
    return {"before": losses[spec.step_epoch, 0], "after": ref.loss(X_train, y_train, after, act),
            "train": losses[spec.epochs, 0], "test": losses[spec.epochs, 1]}


def test_the_reference_loop_gives_the_lecture_numbers():
    income = pd.read_csv(REPO / "data" / "Income2.csv", index_col=0)
    ref = reference_run(income, RunSpec(seed=9, eta=0.01, epochs=1))
    assert f"{ref['before']:.8f}" == LOSS_BEFORE_SEED_9 and f"{ref['after']:.8f}" == LOSS_AFTER_SEED_9


# ----- the file ------------------------------------------------------------------------------------

@pytest.mark.parametrize("spec", [RunSpec(), RunSpec(hidden=(8, 4), batch_size=5, weight_decay=0.01, step_epoch=7),
                                  RunSpec(data_csv=table_csv(odd_table()), data_name="<x>.csv",
                                          features=ODD_NAMES[:2], target=ODD_NAMES[2], drop_incomplete=True)],
                         ids=["defaults", "deep-batch-decay", "upload"])
def test_the_notebook_is_valid_nbformat_4_and_imports_only_numpy_pandas_altair(spec):
    text = build_notebook(spec)
    nb = nbformat.reads(text, as_version=4)
    nbformat.validate(nb)
    assert nb.nbformat == 4 and nb.metadata.kernelspec.name == "python3"
    imported = set()
    for source in cells(text):
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                imported.add((node.module or "").split(".")[0])
            elif isinstance(node, ast.Call) and getattr(node.func, "id", "") in {"__import__", "exec", "eval", "open"}:
                pytest.fail(f"a code cell calls {node.func.id}")
            elif isinstance(node, ast.Name):
                assert node.id not in PROJECT_PACKAGES, f"a code cell names the project's {node.id!r}"
    assert imported == set(ALLOWED_IMPORTS), imported
    assert "Backprop Explainer" in cells(text, "markdown")[0]


def test_the_same_run_downloads_the_same_bytes():
    assert build_notebook(RunSpec(seed=5)) == build_notebook(RunSpec(seed=5))
    assert build_notebook(RunSpec(seed=5)) != build_notebook(RunSpec(seed=6))


def test_user_text_enters_code_as_python_literals_and_markdown_escaped():
    table = odd_table()
    spec = RunSpec(data_csv=table_csv(table, ODD_NAMES), data_name='x"; import os #\n[a](http://e.vil) <img src=x>',
                   features=ODD_NAMES[:2], target=ODD_NAMES[2], drop_incomplete=True)
    text = build_notebook(spec)
    data_cell = next(c for c in cells(text) if "CSV =" in c)
    assigned = {t.id: node.value for node in ast.parse(data_cell).body if isinstance(node, ast.Assign)
                for t in node.targets if isinstance(t, ast.Name)}
    assert ast.literal_eval(assigned["features"]) == list(ODD_NAMES[:2])
    assert ast.literal_eval(assigned["target"]) == ODD_NAMES[2]
    ns = {"io": io, "pd": pd, "np": np}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(data_cell, ns)
    expected = table[list(ODD_NAMES)].dropna()
    pd.testing.assert_frame_equal(ns["df"], expected, check_names=False, check_exact=True)
    for md in cells(text, "markdown"):
        assert "<img" not in md and "<b>" not in md and "](" not in md
    title = cells(text, "markdown")[0]
    assert markdown_text('x"; import os #\n[a](http://e.vil) <img src=x>') in title
    assert markdown_text(ODD_NAMES[2]) in title


def test_markdown_text_leaves_no_markdown_html_or_maths_active():
    s = markdown_text("*a* _b_ `c` [d](e) <f> & $g$ | h \\ #i\nj")
    assert "<" not in s and ">" not in s and "\n" not in s
    assert all(s[i - 1] == "\\" for i, c in enumerate(s) if c in "*_`[]()$|#" and i)
    assert markdown_text("x" * 500).endswith("…") and len(markdown_text("x" * 500)) == 120


def test_the_download_name_is_made_of_settings_only():
    assert file_name(RunSpec(hidden=(8, 4), eta=0.05, seed=9)) == "backprop-sigmoid-8x4-eta0.05-seed9-epochs1000.ipynb"


@pytest.mark.parametrize("bad", [dict(activation="softplus"), dict(hidden=(0,)), dict(eta=0), dict(eta=math.nan),
                                 dict(epochs=0), dict(step_epoch=1001), dict(batch_size=0), dict(weight_decay=-1),
                                 dict(test_size=1.0), dict(seed=2**32), dict(features=("Income",)),
                                 dict(data_csv=b"bytes")])
def test_a_run_spec_refuses_settings_the_app_cannot_have(bad):
    with pytest.raises(ValueError):
        RunSpec(**bad)


# ----- the numbers, in this process -----------------------------------------------------------------

def test_the_lecture_step_prints_the_spec_numbers():
    out = run_in_process(build_notebook(RunSpec(seed=9, eta=0.01, epochs=1)))
    p = printed(out)
    assert (p["before"], p["after"]) == (LOSS_BEFORE_SEED_9, LOSS_AFTER_SEED_9)
    assert "ŷ[:3] = [0.12279609 0.06554042 0.15085488]" in out
    np.testing.assert_allclose(printed_matrix(out, "∂L/∂W_O").ravel(), DW_O_SEED_9, rtol=5e-8)
    np.testing.assert_allclose(printed_matrix(out, "∂L/∂W_H"), DW_H_SEED_9, rtol=5e-8)


def test_the_defaults_print_the_final_losses_of_the_training_page():
    p = printed(run_in_process(build_notebook(RunSpec())))
    assert (p["train"], p["test"]) == (FINAL_TRAIN_DEFAULTS, FINAL_TEST_DEFAULTS)


SPECS = {
    "tanh-epoch-40": RunSpec(activation="tanh", eta=0.02, epochs=60, step_epoch=40, seed=3),
    "relu-two-layers": RunSpec(activation="relu", hidden=(5, 3), eta=0.01, epochs=40, step_epoch=2, seed=11),
    "batches-of-4": RunSpec(hidden=(4,), batch_size=4, epochs=25, step_epoch=3, seed=1),
    "decay": RunSpec(weight_decay=0.05, epochs=30, step_epoch=0, seed=2),
    "three-layers-batch-decay": RunSpec(hidden=(3, 4, 2), activation="tanh", batch_size=6, weight_decay=0.01,
                                        eta=0.02, epochs=15, step_epoch=15, seed=4, test_size=0.3, split_seed=5),
    "batch-not-smaller-than-N": RunSpec(batch_size=15, epochs=20, step_epoch=1),
}


@pytest.mark.parametrize("name", SPECS)
def test_printed_numbers_equal_an_independent_per_sample_loop(name):
    spec = SPECS[name]
    income = pd.read_csv(REPO / "data" / "Income2.csv", index_col=0)
    p, ref = printed(run_in_process(build_notebook(spec))), reference_run(income, spec)
    for key in ("before", "after", "train", "test"):
        assert_printed(p[key], ref[key])


def test_an_upload_with_odd_names_and_a_missing_value_prints_the_independent_numbers():
    table = odd_table()
    spec = RunSpec(data_csv=table_csv(table), data_name="odd.csv", features=ODD_NAMES[:2], target=ODD_NAMES[2],
                   drop_incomplete=True, hidden=(3, 2), batch_size=3, weight_decay=0.01, epochs=30, step_epoch=4,
                   test_size=0.25, split_seed=1)
    out = run_in_process(build_notebook(spec))
    assert "rows dropped: [5]" in out
    p, ref = printed(out), reference_run(table, spec)
    for key in ("before", "after", "train", "test"):
        assert_printed(p[key], ref[key])


# Column names pandas would read back as other names: the index column's own name, pandas' names for
# an unnamed or a repeated column, an empty name, and text a CSV must quote or a spreadsheet would run.
HOSTILE_NAMES = ["Row", "index", "Unnamed: 0", "Row.1", "", ' "quoted" ', "a,b", "line\nbreak", "=SUM(A1)",
                 "Unnamed: 2", "None", "1.5"]


def hostile_table(names, n: int = 14) -> pd.DataFrame:
    """A table whose columns are ``names`` (the last is the target), indexed by row from 1 as the app reads one."""
    rng = np.random.default_rng(3)
    values = {name: rng.uniform(1, 20, n).round(3) for name in names[:-1]}
    values[names[-1]] = (sum(values.values()) + rng.normal(0, 1, n)).round(4)
    return pd.DataFrame(values, index=pd.RangeIndex(1, n + 1, name="Row"))


@pytest.mark.parametrize("names", [["Row", "index", "Income"], ["index", "Row"], ["Unnamed: 0", "", "Row.1"],
                                   HOSTILE_NAMES[4:9], HOSTILE_NAMES[8:], ["x", "Row"]],
                         ids=["row-index", "index-target-row", "unnamed-empty-row1", "quotes-commas-newline-formula",
                              "formula-unnamed-None-number", "target-row"])
def test_any_column_names_read_back_as_themselves_and_print_the_independent_numbers(names):
    table = hostile_table(names)
    spec = RunSpec(data_csv=table_csv(table, names), data_name="names.csv", features=tuple(names[:-1]),
                   target=names[-1], hidden=(3,), epochs=20, step_epoch=2, seed=5, test_size=0.3)
    text = build_notebook(spec)
    ns: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        for source in cells(text)[:3]:                      # imports, settings, the data
            exec(source, ns)
    assert list(ns["df"].columns) == names
    pd.testing.assert_frame_equal(ns["df"], table[names], check_names=False, check_exact=True)
    p, ref = printed(run_in_process(text)), reference_run(table, spec)
    for key in ("before", "after", "train", "test"):
        assert_printed(p[key], ref[key])


@settings(max_examples=40, deadline=None)
@given(n=st.integers(4, 80), test_size=st.sampled_from([0.05, 0.1, 0.2, 0.25, 0.3, 1 / 3, 0.5, 0.7, 0.9, 0.95]),
       split_seed=st.integers(0, 2**32 - 1))
def test_the_numpy_split_is_sklearns_train_test_split(n, test_size, split_seed):
    assume(math.ceil(test_size * n) < n)                    # sklearn (and the app) refuse an empty training set
    X = np.arange(n, dtype=float)[:, None] + 1
    table = pd.DataFrame({"a": X[:, 0], "b": X[:, 0] ** 2, "t": 3 * X[:, 0]}, index=pd.RangeIndex(1, n + 1))
    text = build_notebook(RunSpec(data_csv=table_csv(table), features=("a", "b"), target="t",
                                  test_size=test_size, split_seed=split_seed))
    ns: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        for source in cells(text)[:4]:                      # imports, settings, data, split
            exec(source, ns)
    train_rows, test_rows = train_test_split(np.arange(n), test_size=test_size, random_state=split_seed)
    np.testing.assert_array_equal(ns["train_idx"], train_rows)
    np.testing.assert_array_equal(ns["test_idx"], test_rows)


def test_the_bundled_data_is_embedded_exactly():
    text = build_notebook(RunSpec())
    ns: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        for source in cells(text)[:3]:
            exec(source, ns)
    assert ns["CSV"] + "\n" == (REPO / "data" / "Income2.csv").read_text().replace("\r\n", "\n")
    assert ns["df"].shape == (30, 3)


# ----- the downloaded file in a fresh kernel ---------------------------------------------------------

def execute(text: str, folder: Path) -> tuple[str, list]:
    """Run the notebook with nbclient in a new ipykernel, in ``folder``; its stdout and its outputs."""
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.reads(text, as_version=4)
    (folder / "run.ipynb").write_text(text, encoding="utf-8")   # what a student opens
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(folder)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    stdout = "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stdout")
    return stdout, outputs


def chart_spec(output) -> dict | None:
    """The Vega-Lite spec of an altair chart output: its vega-lite mimetype, or inside altair's HTML."""
    for kind, value in output.get("data", {}).items():
        if kind.startswith("application/vnd.vegalite"):
            return value
    found = re.search(r"\}\)\((\{.*\}), \{\"mode\": \"vega-lite\"\}\);", output.get("data", {}).get("text/html", ""), re.S)
    return json.loads(found.group(1)) if found else None


@pytest.mark.slow
def test_in_a_fresh_kernel_the_lecture_step_prints_3_52260967_then_2_44151428(tmp_path):
    stdout, _ = execute(build_notebook(RunSpec(seed=9, eta=0.01)), tmp_path)
    p = printed(stdout)
    assert (p["before"], p["after"]) == (LOSS_BEFORE_SEED_9, LOSS_AFTER_SEED_9)


@pytest.mark.slow
def test_in_a_fresh_kernel_the_defaults_print_the_final_losses_and_draw_the_loss_curve(tmp_path):
    stdout, outputs = execute(build_notebook(RunSpec()), tmp_path)
    p = printed(stdout)
    assert (p["train"], p["test"]) == (FINAL_TRAIN_DEFAULTS, FINAL_TEST_DEFAULTS)
    charts = [chart_spec(o) for o in outputs if o.output_type == "execute_result"]
    charts = [c for c in charts if c]
    assert len(charts) == 1
    spec = charts[0]
    assert spec["encoding"]["y"]["scale"]["type"] == "log"
    values = next(iter(spec["datasets"].values()))
    assert len(values) == 2 * 1000 and {v["rows"] for v in values} == {"training", "test"}


@pytest.mark.slow
def test_in_a_fresh_kernel_an_uploaded_csv_with_odd_names_reproduces_the_independent_numbers(tmp_path):
    table = odd_table()
    spec = RunSpec(data_csv=table_csv(table), data_name='my "data"\\.csv', features=ODD_NAMES[:2],
                   target=ODD_NAMES[2], drop_incomplete=True, hidden=(4, 3), activation="tanh", batch_size=4,
                   weight_decay=0.001, eta=0.02, epochs=200, step_epoch=10, test_size=0.3, split_seed=3)
    stdout, _ = execute(build_notebook(spec), tmp_path)
    p, ref = printed(stdout), reference_run(table, spec)
    for key in ("before", "after", "train", "test"):
        assert_printed(p[key], ref[key])
    assert json.loads((tmp_path / "run.ipynb").read_text())["nbformat"] == 4


@pytest.mark.slow
def test_in_a_fresh_kernel_columns_named_like_the_row_labels_or_pandas_own_names_reproduce_the_numbers(tmp_path):
    names = ["Row", "index", "Unnamed: 0", "Row.1", "", "=SUM(A1)"]
    table = hostile_table(names)
    spec = RunSpec(data_csv=table_csv(table, names), data_name="Row.csv", features=tuple(names[:-1]),
                   target=names[-1], hidden=(3,), epochs=50, step_epoch=5, seed=8, test_size=0.3)
    stdout, _ = execute(build_notebook(spec), tmp_path)
    p, ref = printed(stdout), reference_run(table, spec)
    for key in ("before", "after", "train", "test"):
        assert_printed(p[key], ref[key])
