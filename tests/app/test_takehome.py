"""Take it home, from the pages themselves: the notebook a student downloads reproduces the page's
numbers in a fresh kernel (docs/core-api.md and the plain lecture loop's values, not the app's output), and the
scikit-learn panel shows both curves agreeing."""

from __future__ import annotations

import json

import nbformat
import numpy as np
import pandas as pd
import pytest

from tests.app.helpers import PAGES, no_exception, open_app, texts
from tests.app.test_training_page import download, media, shown  # noqa: F401  (media is a fixture)
from tests.app.test_upload import with_upload
from tests.core import test_reference_numbers as ref
from tests.views.test_notebook import execute, printed

LECTURE = {"seed": "9", "lr": "0.01"}


def notebook_from(at, media_) -> str:
    text = download(media_, at, "This run as a Jupyter notebook")
    nbformat.validate(nbformat.reads(text, as_version=4))
    return text


def test_both_pages_offer_the_run_as_a_notebook_with_the_pages_settings(media):
    for page in ("backprop", "training"):
        at = open_app(page, {**LECTURE, "hidden": "8,4", "batch": "5", "l2": "0.01"})
        no_exception(at)
        source = "\n".join(c.source for c in nbformat.reads(notebook_from(at, media), as_version=4).cells)
        settings = {line.split("#")[0].strip() for line in source.splitlines()}
        assert {"seed = 9", "eta = 0.01", "N_H1 = 8", "N_H2 = 4", "B = 5", "lam = 0.01"} <= settings


@pytest.mark.slow
def test_the_backprop_pages_notebook_prints_the_lectures_step_in_a_fresh_kernel(media, tmp_path):
    at = open_app("backprop", {**LECTURE, "step": "6"})
    assert "3.52260967" in texts(at) and "2.44151428" in texts(at)
    stdout, _ = execute(notebook_from(at, media), tmp_path)
    p = printed(stdout)
    assert p["before"] == f"{ref.LOSS_SEED_9:.8f}"                                   # docs/core-api.md
    assert abs(float(p["after"]) - ref.LOSS_AFTER_CORRECT_STEP) < 5e-8               # the plain loop's


@pytest.mark.slow
def test_the_training_pages_notebook_prints_the_final_losses_in_a_fresh_kernel(media, tmp_path):
    at = open_app("training")
    stdout, _ = execute(notebook_from(at, media), tmp_path)
    p = printed(stdout)
    assert abs(float(p["train"]) - ref.FINAL_LOSS_TRAIN_SEED_321) < 5e-9
    assert abs(float(p["test"]) - ref.FINAL_LOSS_TEST_SEED_321) < 5e-9


@pytest.mark.parametrize("page, query", [
    ("training", {"task": "classification", "dataset": "three", "epochs": "150", "batch": "9", "l2": "0.01"}),
    ("backprop", {"task": "classification", "points": "80", "hidden": "4,2", "act": "tanh", "epoch": "12",
                  "epochs": "60"}),
])
@pytest.mark.fast_sample(2)
def test_a_classification_pages_notebook_draws_the_toy_set_and_prints_the_independent_numbers(media, page, query):
    from tests.views.test_notebook_classes import assert_same_numbers, reference_run, toy_table, toy_spec
    from tests.views.test_notebook import run_in_process

    at = open_app(page, query)
    no_exception(at)
    assert "Take it home" in [h.value for h in at.subheader]
    text = notebook_from(at, media)
    s = at.session_state["_settings"]
    spec = toy_spec(s.dataset, s.points, s.noise, s.dseed, s.inputs, hidden=s.hidden, eta=s.eta, epochs=s.epochs,
                    seed=s.seed, activation=s.activation, batch_size=s.batch_size, weight_decay=s.weight_decay,
                    step_epoch=int(query.get("epoch", 0)))
    assert s.eta == 0.02 and "eta = 0.02" in text
    assert_same_numbers(run_in_process(text), reference_run(toy_table(spec), spec))


def row_and_index_csv(n: int = 24) -> bytes:
    """A student's file whose columns are named Row and index, the names the notebook's own table
    uses for its row labels (pandas would read them back as other names)."""
    rng = np.random.default_rng(11)
    table = pd.DataFrame({"Row": rng.uniform(1, 9, n).round(2), "index": rng.uniform(10, 90, n).round(1)})
    table["y"] = (3 * table["Row"] + 0.2 * table["index"] + rng.normal(0, 1, n)).round(3)
    return table.to_csv(index=False).encode()


@pytest.mark.slow
def test_a_notebook_of_columns_named_row_and_index_prints_the_pages_numbers_in_a_fresh_kernel(media, tmp_path):
    at = with_upload(row_and_index_csv(), "rows.csv", open_app("data", {"epochs": "300", "step": "6", "seed": "9"}))
    no_exception(at)
    assert at.sidebar.multiselect(key="features").value == ["Row", "index"]
    at.switch_page(PAGES["backprop"]).run()
    no_exception(at)
    (tmp_path / "backprop").mkdir(), (tmp_path / "training").mkdir()
    stdout, _ = execute(notebook_from(at, media), tmp_path / "backprop")
    p = printed(stdout)
    assert p["before"] in texts(at) and p["after"] in texts(at)          # the step's losses, 8 decimals as printed
    at.switch_page(PAGES["training"]).run()
    no_exception(at)
    stdout, _ = execute(notebook_from(at, media), tmp_path / "training")
    p, (_, _, numbers) = printed(stdout), shown(at)
    assert numbers["Training loss"] == f"{float(p['train']):.6g}" and numbers["Test loss"] == f"{float(p['test']):.6g}"


@pytest.mark.parametrize("query", [{}, {"hidden": "8,4", "batch": "5", "l2": "0.01"}, {"act": "tanh", "lr": "0.01"}])
@pytest.mark.fast_sample(3)
def test_the_scikit_learn_panel_shows_both_curves_agreeing(query):
    at = open_app("training", {**query, "sklearn": "true"})
    no_exception(at)
    assert any(s.value.startswith("scikit-learn's loss equals the app's at all 1,001 epochs") for s in at.success)
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    assert any(layer.get("data", {}).get("name") == "curves" for spec in specs for layer in spec.get("layer", []))
    assert any("MLPRegressor(" in c.value for c in at.code)


@pytest.mark.parametrize("dataset, outputs", [("moons", 1), ("three", 3)])
@pytest.mark.fast_sample(2)
def test_the_scikit_learn_panel_trains_a_classification_with_mlpclassifier_and_says_where_conventions_differ(
        dataset, outputs):
    at = open_app("training", {"task": "classification", "dataset": dataset, "sklearn": "true"})
    no_exception(at)
    assert any(s.value.startswith("scikit-learn's loss equals the app's at all 1,001 epochs") for s in at.success)
    [code] = [c.value for c in at.code if "MLPClassifier(" in c.value]
    assert "from sklearn.neural_network import MLPClassifier" in code
    assert "learning_rate_init=0.02 * 100" in code and "momentum=0.0" in code      # η·rows: 100 training rows
    said = texts(at)
    assert "sigmoid on the output for two classes and softmax for three or more" in said
    assert "its learning rate is η times the rows in a batch" in said and "clipped" in said
    assert "MLPRegressor" not in said and "½" not in said
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    assert any("−Σ y·log ŷ" in json.dumps(spec, ensure_ascii=False) for spec in specs)


def test_the_scikit_learn_panel_waits_to_be_asked():
    at = open_app("training")
    assert not [s for s in at.success if "scikit-learn" in s.value]
