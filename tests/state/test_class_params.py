"""Classification's settings as rows of the one table: what a link may hold, what a page is told,
and the toy data they decide (pure, no Streamlit)."""

from dataclasses import replace

import numpy as np
import pytest

from core import data
from ui.state import toy
from ui.state.params import BY_KEY, CLASS_PRESETS, DEFAULTS, NO_LAYER, PRESETS, link_notices, spell, tidy
from ui.views import derived

USED = DEFAULTS.linked()


@pytest.mark.parametrize("key,text,value", [
    ("task", "classification", "classification"), ("dataset", "spiral", "spiral"), ("points", "1e3", 1000),
    ("points", "20", 20), ("noise", "0.5", 0.5), ("noise", "5e-2", 0.05), ("noise", "0", 0.0), ("dseed", "7", 7),
    ("inputs", "x1sq,x2sq", ("x1sq", "x2sq")), ("inputs", "sinx2, x1sq", ("x1sq", "sinx2")), ("inputs", "none", ()),
    ("hidden", "0", NO_LAYER), ("hidden", "", NO_LAYER), ("hidden", "0.0", NO_LAYER), ("hidden", "8,4", (8, 4))])
def test_each_new_setting_reads_what_a_link_may_hold(key, text, value):
    assert BY_KEY[key].parse(text) == value


@pytest.mark.parametrize("key,text", [
    ("task", "clustering"), ("dataset", "blobs"), ("points", "19"), ("points", "1001"), ("noise", "0.55"),
    ("noise", "0.07"), ("dseed", "-1"), ("inputs", "x3sq"), ("inputs", "x1sq,x1sq"), ("hidden", "0,4")])
def test_a_value_out_of_range_is_refused(key, text):
    with pytest.raises((ValueError, TypeError)):
        BY_KEY[key].parse(text)


def test_an_unknown_data_set_gets_one_sentence_naming_the_choices_and_the_fallback():
    [note] = link_notices({"dataset": ["blobs"]}, USED)
    assert note == ("The link's `dataset=blobs` is not allowed (dataset must be one of circle, xor, gauss, spiral, "
                    "moons, three); using moons.")


def test_no_hidden_layer_is_refused_for_regression_with_a_reason():
    [note] = link_notices({"hidden": ["0"]}, USED)
    assert "for classification only" in note and note.endswith("using 3.")
    assert link_notices({"hidden": ["0"], "task": ["classification"]},
                        {**USED, "hidden": NO_LAYER, "task": "classification"}) == []


def test_derived_inputs_are_one_link_value_per_input_and_a_bad_one_is_reported_once():
    assert link_notices({"inputs": ["x1sq", "x2sq"]}, {**USED, "inputs": ("x1sq", "x2sq")}) == []
    [note] = link_notices({"inputs": ["x1sq", "cube"]}, USED)
    assert "inputs=x1sq,cube" in note and note.endswith("using none.")
    assert "inputs" not in tidy({"inputs": ["x2sq,x1sq"]})      # the sidebar writes those as repeated values


def test_no_hidden_layer_is_spelled_0_and_a_link_writes_it_so():
    assert spell(NO_LAYER) == "0" and tidy({"hidden": [""]}) == {"hidden": "0"}


def test_regression_keys_and_arguments_are_unchanged():
    assert DEFAULTS.loss == "squared" and not DEFAULTS.classifies
    assert DEFAULTS.data_key() == ("income", ("Education", "Seniority"), "Income", False, 42, 0.5)
    assert set(DEFAULTS.training_args()) == {"split", "test", "seed", "hidden", "eta", "epochs", "activation",
                                             "batch_size", "weight_decay"}


def test_a_toy_run_is_keyed_on_everything_that_decides_its_data():
    s = replace(DEFAULTS, task="classification", data="toy", dataset="circle", points=300, noise=0.2, dseed=5,
                inputs=("x1sq",))
    assert s.loss == "cross_entropy"
    assert s.data_key()[-6:] == ("classification", "circle", 300, 0.2, 5, ("x1sq",))
    args = s.training_args()
    assert (args["dataset"], args["points"], args["noise"], args["dseed"], args["inputs"]) == ("circle", 300, 0.2, 5,
                                                                                               ("x1sq",))


def test_the_toy_data_gets_its_derived_inputs_before_the_split_and_is_scaled_like_any_input():
    p = toy.prepared("circle", 100, 0.0, 3, ("x1sq", "x2sq", "sinx1"), 42, 0.5)
    raw = data.toy("circle", 100, 0.0, 3)
    assert p.features == ("x1", "x2", "x1²", "x2²", "sin x1") and p.classes == (0, 1)
    X = p.to_original_X(p.X_train_aug)
    rows = raw.loc[p.train_rows]
    np.testing.assert_allclose(X[:, 2], rows.x1 ** 2)
    np.testing.assert_allclose(X[:, 4], np.sin(rows.x1))
    np.testing.assert_allclose(np.abs(p.X_train_aug[:, 1:]).max(axis=0), 1.0)     # training maxima are 1
    assert derived.columns(("x1x2",)) == ("x1", "x2", "x1·x2")


def test_the_classification_presets_are_presets_and_each_prepares():
    assert set(CLASS_PRESETS) <= set(PRESETS)
    for values in CLASS_PRESETS.values():
        s = replace(DEFAULTS, **values)
        toy.prepared(s.dataset, s.points, s.noise, s.dseed, s.inputs, s.split, s.test)
    assert CLASS_PRESETS["Circle: x² inputs and no hidden layer"]["hidden"] == NO_LAYER
