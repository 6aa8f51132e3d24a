"""Classification on every page under AppTest: the task and the toy data from the sidebar or a link,
an uploaded file of classes, and bad input answered by one sentence with the settings kept."""

import numpy as np
import pandas as pd
import pytest

from tests.app.helpers import PAGES, component_data, no_exception, open_app, texts
from ui.state.params import CLASS_PRESETS

CLASSIFY = {"task": "classification"}
REGRESSION_ONLY = ("R²", "RMSE", "Income", "½", "flat", "nearly all alike", "MLPRegressor")


def settings(at):
    return at.session_state["_settings"]


@pytest.mark.parametrize("where", PAGES)
@pytest.mark.parametrize("query", [{"dataset": "moons"}, {"dataset": "three", "hidden": "0"},
                                   {"dataset": "circle", "inputs": ["x1sq", "x2sq"], "hidden": "0"}],
                         ids=["moons", "three-no-hidden", "circle-x-squared"])
@pytest.mark.fast_sample(3)
def test_every_page_classifies_a_toy_set_and_shows_nothing_of_regression(where, query):
    at = open_app(where, {**CLASSIFY, **query})
    no_exception(at)
    s = settings(at)
    assert (s.task, s.data, s.loss, s.dataset) == ("classification", "toy", "cross_entropy", query["dataset"])
    assert s.hidden == ((3,) if "hidden" not in query else ())
    said = texts(at)
    assert not [w for w in REGRESSION_ONLY if w in said], said
    assert not at.warning, [w.value for w in at.warning]


def test_the_training_page_sends_the_boundary_the_classes_and_the_scores():
    at = open_app("training", {**CLASSIFY, "dataset": "three"})
    no_exception(at)
    [run] = [d["run"] for d in component_data(at, "run")]
    assert run["kind"] == "classification" and run["boundary"]["classes"] == ["0", "1", "2"]
    assert run["score_names"] == ["Training accuracy", "Training cross-entropy per row", "Test accuracy",
                                  "Test cross-entropy per row"]
    parts = [d["parts"] for d in component_data(at, "view")]
    assert [["scores"], ["boundary", "loss"]] in parts
    [train, test] = at.table[:2]
    counts = train.value
    assert counts.shape == (3, 3) and int(np.asarray(counts).sum()) == 100
    assert "Confusion matrices at epoch 1,000" in texts(at)
    at.toggle(key="regions").set_value(True).run()
    assert all(d["look"].get("hard") for d in component_data(at, "view") if "boundary" in str(d["parts"]))


def test_the_sidebar_shows_the_data_set_controls_only_when_classifying():
    at = open_app("data")
    assert not [w for w in at.sidebar.selectbox if w.key == "dataset"]
    at.sidebar.radio(key="task").set_value("classification").run()
    no_exception(at)
    assert at.sidebar.selectbox(key="dataset").value == "moons"
    at.sidebar.selectbox(key="dataset").set_value("spiral").run()
    at.sidebar.number_input(key="points").set_value(300).run()
    no_exception(at)
    s = settings(at)
    assert (s.dataset, s.points) == ("spiral", 300)
    assert "the class y = label, one of 2" in texts(at)


def test_no_hidden_layer_is_accepted_when_classifying_and_refused_for_regression():
    at = open_app("network", CLASSIFY)
    at.sidebar.text_input(key="hidden").set_value("0").run()
    no_exception(at)
    assert settings(at).hidden == ()
    at.sidebar.radio(key="task").set_value("regression").run()
    no_exception(at)
    assert settings(at).hidden == (3,) and at.sidebar.text_input(key="hidden").value == "3"


def test_an_unknown_data_set_in_the_link_is_one_sentence_and_the_default():
    at = open_app("training", {**CLASSIFY, "dataset": "blobs"})
    no_exception(at)
    assert settings(at).dataset == "moons"
    [warning] = [w.value for w in at.warning]
    assert warning == ("The link's `dataset=blobs` is not allowed (dataset must be one of circle, xor, gauss, spiral, "
                       "moons, three); using moons.")


@pytest.mark.parametrize("name", list(CLASS_PRESETS))
@pytest.mark.fast_sample(2)
def test_each_classification_preset_opens_every_page(name):
    at = open_app("training")
    at.sidebar.selectbox(key="preset").set_value(name).run()
    no_exception(at)
    s = settings(at)
    for key, value in CLASS_PRESETS[name].items():
        assert getattr(s, key) == value, key
    for page in PAGES:
        at.switch_page(PAGES[page]).run()
        no_exception(at)


def with_upload(content: bytes, at):
    at.sidebar.radio(key="source").set_value("Your CSV file").run()
    at.sidebar.file_uploader(key="upload_file").set_value(("classes.csv", content, "text/csv")).run()
    return at


def choose_class_column(at):
    at.sidebar.selectbox(key="target").set_value("kind").run()
    at.sidebar.multiselect(key="features").set_value(["length", "width"]).run()


def errors(at) -> str:
    return "\n".join(e.value.replace("\\", "") for e in at.error)


def classes_csv(labels, n=60, seed=1) -> bytes:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"length": rng.uniform(1, 9, n), "width": rng.uniform(1, 5, n)})
    df["kind"] = [labels[i % len(labels)] for i in range(n)]
    return df.to_csv(index=False).encode()


def test_an_uploaded_file_whose_target_has_text_classes_is_classified():
    at = open_app("data", CLASSIFY)
    with_upload(classes_csv(["setosa", "versicolor", "virginica"]), at=at)
    choose_class_column(at)
    no_exception(at)
    s = settings(at)
    assert s.target == "kind" and s.data.startswith("upload:") and s.features == ("length", "width")
    said = texts(at).replace("\\", "")
    assert "the class y = kind, one of 3: setosa, versicolor, virginica" in said, said
    at.switch_page(PAGES["training"]).run()
    no_exception(at)
    [run] = [d["run"] for d in component_data(at, "run")]
    assert run["boundary"]["classes"] == ["setosa", "versicolor", "virginica"]


@pytest.mark.parametrize("labels,words", [
    (["same"], "only one class"), ([f"c{i}" for i in range(11)], "11 different values"),
])
def test_a_target_with_one_class_or_more_than_ten_is_one_sentence_and_the_data_is_kept(labels, words):
    at = open_app("data", CLASSIFY)
    with_upload(classes_csv(labels, n=66), at=at)
    at.sidebar.selectbox(key="target").set_value("kind").run()
    no_exception(at)
    assert words in errors(at) and len(at.error) == 1
    assert settings(at).data == "toy"                 # the data in use before


def test_a_class_missing_from_the_training_rows_is_one_sentence_and_the_previous_split_comes_back():
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"length": rng.uniform(1, 9, 50), "width": rng.uniform(1, 5, 50)})
    df["kind"] = ["rare" if i < 2 else ("x" if i % 2 else "y") for i in range(50)]
    at = open_app("data", CLASSIFY)
    with_upload(df.to_csv(index=False).encode(), at=at)
    choose_class_column(at)
    no_exception(at)
    assert settings(at).target == "kind" and settings(at).test == 0.5
    at.sidebar.select_slider(key="test").set_value(0.8).run()
    no_exception(at)
    [said] = [w.value.replace("\\", "") for w in at.warning]
    assert "Class 'rare' has no row in the training set after the split" in said and "went back to test fraction 0.5" in said
    assert settings(at).test == 0.5 and settings(at).target == "kind" and settings(at).data.startswith("upload:")


def test_toy_settings_that_cannot_be_prepared_are_one_sentence_and_the_last_that_worked(monkeypatch):
    from core import data
    from ui.state import toy

    real = toy.prepared

    def refusing(dataset, points, *rest):        # stands for any toy set the split cannot serve
        if points == 30:
            raise data.DataError("Class 2 has no row in the training set after the split.")
        return real(dataset, points, *rest)

    monkeypatch.setattr(toy, "prepared", refusing)
    at = open_app("training", {**CLASSIFY, "points": "40"})
    assert settings(at).points == 40
    at.sidebar.number_input(key="points").set_value(30).run()
    no_exception(at)
    said = "\n".join(w.value for w in at.warning)
    assert "cannot be used: Class 2 has no row in the training set" in said and "last data settings that worked" in said
    assert settings(at).points == 40 and at.sidebar.number_input(key="points").value == 40


@pytest.mark.parametrize("query", [{}, {"dataset": "three"}, {"dataset": "circle", "hidden": "0"}],
                         ids=["moons", "three", "no-hidden"])
def test_the_step_page_derives_delta_o_and_its_gradient_check_passes(query):
    at = open_app("backprop", {**CLASSIFY, **query, "step": "3"})
    no_exception(at)
    said = texts(at)
    assert "δ_O = ŷ − y" in said and "squared loss" in said
    assert r"\hat y_{1} - y_{1}" in said
    assert "PASS" in said and "disagrees" not in said        # the gradient check uses the cross-entropy too
    assert not [w for w in ("½", "Income", "R²", "linear output") if w in said]
    assert not [t for t in at.toggle if t.key == "mistake"]   # the regression demo's mistake is not offered


def test_the_network_page_maps_every_hidden_unit_at_the_chosen_epoch_and_only_when_classifying():
    import json

    at = open_app("network", {**CLASSIFY, "hidden": "5,2", "epoch": "300"})
    no_exception(at)
    [spec] = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart") if '"facet"' in c.proto.spec]
    assert spec["facet"]["field"] == "unit" and "What each hidden unit computes" in [h.value for h in at.subheader]
    assert "at epoch 300" in texts(at)
    assert not [c for c in open_app("network").get("vega_lite_chart") if '"facet"' in c.proto.spec]


def test_derived_inputs_written_with_commas_in_a_link_are_taken_and_join_the_network():
    at = open_app("network", {**CLASSIFY, "dataset": "circle", "inputs": "x2sq,x1sq", "hidden": "0"})
    no_exception(at)
    s = settings(at)
    assert s.inputs == ("x1sq", "x2sq") and s.features == ("x1", "x2", "x1²", "x2²")
    assert not at.warning
    assert at.query_params.get("inputs") == ["x1sq", "x2sq"]


def test_an_upload_with_one_feature_is_classified_without_a_plane_to_draw():
    at = open_app("data", CLASSIFY)
    with_upload(classes_csv(["a", "b"]), at=at)
    at.sidebar.selectbox(key="target").set_value("kind").run()
    at.sidebar.multiselect(key="features").set_value(["length"]).run()
    at.switch_page(PAGES["training"]).run()
    no_exception(at)
    [run] = [d["run"] for d in component_data(at, "run")]
    assert run["boundary"] is None and run["kind"] == "classification"
    assert [["scores"], ["loss"]] in [d["parts"] for d in component_data(at, "view")]
    assert not [t for t in at.toggle if t.key == "regions"]
    at.switch_page(PAGES["network"]).run()
    no_exception(at)


def test_classification_opens_at_its_own_default_eta_and_switching_task_moves_an_untouched_eta():
    at = open_app("data", CLASSIFY)
    no_exception(at)
    assert settings(at).eta == 0.02                  # a link that names no η: classification's default
    at.sidebar.radio(key="task").set_value("regression").run()
    assert settings(at).eta == 0.05
    at.sidebar.radio(key="task").set_value("classification").run()
    assert settings(at).eta == 0.02
    at.sidebar.select_slider(key="lr").set_value(0.1).run()
    at.sidebar.radio(key="task").set_value("regression").run()
    no_exception(at)
    assert settings(at).eta == 0.1                   # a chosen η stays chosen


def test_a_link_with_an_eta_keeps_it_when_classifying():
    at = open_app("data", {**CLASSIFY, "lr": "0.05"})
    no_exception(at)
    assert settings(at).eta == 0.05 and not at.warning


def one_number_and_a_label(n=60, seed=2, extra_text=False) -> bytes:
    """One numeric column and a text label (and, if asked, a text column that is not a feature)."""
    rng = np.random.default_rng(seed)
    length = rng.uniform(1, 9, n)
    df = pd.DataFrame({"length": length})
    if extra_text:
        df["color"] = ["red" if i % 3 else "blue" for i in range(n)]
    df["kind"] = np.where(length > 5, "long", "short")
    return df.to_csv(index=False).encode()


def test_an_upload_of_one_numeric_feature_and_a_text_label_is_classified():
    at = with_upload(one_number_and_a_label(), open_app("data", CLASSIFY))
    no_exception(at)
    assert not at.error
    s = settings(at)
    assert s.data.startswith("upload:") and (s.features, s.target) == (("length",), "kind")
    assert "the class y = kind, one of 2: long, short" in texts(at).replace("\\", "")
    at.switch_page(PAGES["training"]).run()
    no_exception(at)
    [run] = [d["run"] for d in component_data(at, "run")]
    assert run["kind"] == "classification" and run["boundary"] is None


def test_the_same_file_for_regression_is_one_sentence_and_the_bundled_data_stays():
    at = with_upload(one_number_and_a_label(), open_app("data"))
    no_exception(at)
    assert errors(at) == ("The file has 1 numeric column; the network needs at least two (features and a target). "
                          "Upload a table with numbers in at least two columns.")
    assert settings(at).data == "income"
    at.sidebar.radio(key="task").set_value("classification").run()        # the classes are usable there
    no_exception(at)
    assert not at.error and settings(at).target == "kind"


def test_a_text_column_beside_the_features_is_not_offered_and_a_sentence_says_why():
    at = with_upload(one_number_and_a_label(extra_text=True), open_app("data", CLASSIFY))
    no_exception(at)
    assert at.sidebar.multiselect(key="features").options == ["length"]
    assert "Not offered as a feature: Column 'color' is not numeric (row 1 holds 'blue')" in \
        "\n".join(c.value.replace("\\", "") for c in at.sidebar.caption)
    assert settings(at).features == ("length",) and settings(at).target == "kind"
    assert not at.error


def test_a_file_whose_rare_class_lands_only_in_the_test_rows_is_one_sentence_and_the_toy_data_stays():
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"length": rng.uniform(1, 9, 50), "width": rng.uniform(1, 5, 50)})
    df["kind"] = ["rare" if i < 2 else ("x" if i % 2 else "y") for i in range(50)]
    at = open_app("data", {**CLASSIFY, "test": "0.8", "dataset": "xor"})
    with_upload(df.to_csv(index=False).encode(), at=at)
    at.sidebar.selectbox(key="target").set_value("kind").run()
    no_exception(at)
    assert len(at.error) == 1 and "Class 'rare' has no row in the training set after the split" in errors(at)
    s = settings(at)
    assert (s.data, s.dataset, s.test) == ("toy", "xor", 0.8)      # the data and settings in use before
