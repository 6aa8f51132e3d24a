"""The "Backprop step by step" page under AppTest: the lecture's numbers, the stepper, the gradient check."""

import re

import numpy as np
import pytest

from core import data, step as core_step, training
from tests.app.helpers import no_exception, open_app, texts
from ui.serve.cache import stride_for

DW_H = [[-1.03990459, -3.12814644, -0.35050278],
        [-0.88510364, -2.64996514, -0.296022],
        [-0.76317137, -2.36740073, -0.26625607]]


def frames(at):
    return [d.value for d in at.dataframe]


def headings(at):
    return [h.value for h in at.subheader]


def metric(at, label_start):
    [m] = [m for m in at.metric if m.label.startswith(label_start)]
    return m.value


@pytest.fixture(scope="module")
def prepared():
    return data.prepare(data.load_income())


def test_seed_9_at_epoch_0_shows_the_lecture_loss_and_gradients_as_text():
    at = open_app("backprop", {"seed": "9", "all": "true"})
    no_exception(at)
    page = texts(at)
    assert "Loss L at epoch 0: **3.52260967**" in page
    assert metric(at, "Loss L at epoch 0") == "3.52260967"
    np.testing.assert_allclose(_gradient_table(at, "H"), DW_H, atol=1e-8)
    dW_O = _gradient_table(at, "O")
    assert dW_O[0, 0] == pytest.approx(-9.09566587, abs=1e-8)
    # docs/core-api.md's digits, as the laptop view writes them (8 decimals, the same as its tables)
    assert r"-1.03990459 & -3.12814644 & -0.35050278 \\ -0.88510364 & -2.64996514 & -0.29602200" in page
    assert r"-9.09566587 \\ -2.19214132 \\ -2.47487746 \\ -1.39665172" in page


def _gradient_table(at, layer):
    """∂L/∂W_H or ∂L/∂W_O from the Gradients step, found by its caption."""
    captions = [c.value for c in at.caption]
    want = "Hidden-layer gradient" if layer == "H" else "Output-layer gradient"
    tables = [c for c in captions if re.search(r"\(\d+, \d+\)", c)]      # a table's caption names its shape
    k = [i for i, c in enumerate(tables) if c.startswith(want)]
    assert len(k) == 1, tables
    return frames(at)[k[0]].to_numpy()


def test_the_lecture_first_step_lowers_the_loss_to_2_44151428():
    at = open_app("backprop", {"seed": "9", "lr": "0.01", "step": "6"})
    no_exception(at)
    assert headings(at)[0] == "Step 6 of 6 · Update"
    assert metric(at, "Loss after this step") == "2.44151428"
    assert "fell by 1.08109539" in texts(at)
    assert "Same as the training run: its loss at epoch 1 is 2.44151428." in texts(at)


def test_a_link_opens_the_step_it_names_and_the_buttons_move_it():
    at = open_app("backprop", {"seed": "9", "step": "4", "epoch": "10"})
    no_exception(at)
    assert headings(at)[0] == "Step 4 of 6 · Hidden deltas"
    assert at.slider(key="epoch").value == 10
    at.button(key="next").click().run()
    assert headings(at)[0] == "Step 5 of 6 · Gradients" and at.query_params["step"] == "5"
    at.button(key="next").click().run()
    assert headings(at)[0] == "Step 6 of 6 · Update" and at.button(key="next").disabled
    for expected in (5, 4, 3, 2, 1):
        at.button(key="prev").click().run()
        assert headings(at)[0].startswith(f"Step {expected} of 6")
    assert at.button(key="prev").disabled and "step" not in at.query_params
    no_exception(at)


def test_show_all_steps_gives_the_whole_derivation():
    at = open_app("backprop", {"all": "true"})
    no_exception(at)
    assert headings(at)[:6] == [f"Step {k} of 6 · {t}" for k, t in enumerate(
        ["Forward pass", "Loss", "Output delta", "Hidden deltas", "Gradients", "Update"], start=1)]
    assert at.button(key="next").disabled and at.button(key="prev").disabled
    # a diagram per step and the nudge's, and the gradient pictured: the curve where it bends and a zoom on the step
    assert len(charts(at, "nodes")) == 6 + 1 and len(charts(at, "tangents")) == 2


def test_the_gradient_check_passes_and_the_demo_mistake_fails_it():
    at = open_app("backprop", {"seed": "9", "lr": "0.01"})
    assert at.success[0].value.startswith("PASS: backprop and the numerical gradient agree for all 13 weights")
    assert not at.error
    at.toggle(key="mistake").set_value(True).run()
    no_exception(at)
    [fail] = at.error
    assert fail.value.startswith("FAIL: 4 of 13 weights disagree (W_O[0,1], W_O[1,1], W_O[2,1], W_O[3,1])")
    assert metric(at, "Loss after a step with the demo's gradient") == "2.89056541"
    assert metric(at, "Loss after a step with the correct gradient") == "2.44151428"


def test_the_substituted_equations_follow_the_sample_and_unit_picked():
    at = open_app("backprop", {"seed": "9", "step": "4", "sample": "4", "unit": "2"})
    page = texts(at)
    assert r"0.22826604 \times 1.74011731 \times 0.06654431" in page
    at.number_input(key="unit").set_value(3).run()
    assert r"\delta^{H}_{4,3}" in texts(at) and "hidden unit h₃" in texts(at)
    at.number_input(key="sample").set_value(15).run()
    assert r"\delta^{H}_{15,3}" in texts(at)


@pytest.mark.parametrize("query,epoch", [({"seed": "9"}, 0), ({"seed": "9"}, 10), ({"seed": "9"}, 1000),
                                         ({"epochs": "5000", "act": "tanh", "lr": "0.01"}, 1234)])
@pytest.mark.fast_sample(2)
def test_the_numbers_are_core_recomputed_from_the_historys_weights(prepared, query, epoch):
    at = open_app("backprop", {**query, "epoch": str(epoch), "step": "5"})
    no_exception(at)
    epochs, act, lr = int(query.get("epochs", 1000)), query.get("act", "sigmoid"), float(query.get("lr", 0.05))
    h = training.train(prepared, n_hidden=3, learning_rate=lr, epochs=epochs, seed=int(query.get("seed", 321)),
                       activation=act, stride=stride_for(epochs))
    assert h.stride == (5 if epochs == 5000 else 1)
    snap = h.at(epoch)
    expected = core_step.one_step(prepared.X_train_aug, prepared.y_train, snap.W_H, snap.W_O, lr, act)
    np.testing.assert_allclose(_gradient_table(at, "H"), expected.bwd.dW_H, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(_gradient_table(at, "O"), expected.bwd.dW_O, rtol=1e-10, atol=1e-14)
    assert f"Loss L at epoch {epoch}: **{expected.loss:.8f}**" in texts(at)


def test_a_too_large_eta_says_the_loss_rose_and_an_overflow_never_crashes():
    at = open_app("backprop", {"lr": "5", "step": "6"})
    no_exception(at)
    assert "Training diverged at epoch 82" in at.warning[0].value
    assert any(e.value.startswith("The loss ROSE, from 3.11571807") for e in at.error)
    at.slider(key="epoch").set_value(81).run()
    no_exception(at)
    assert metric(at, "Loss after this step") == "overflow"
    assert any("ROSE beyond what a computer can represent" in e.value for e in at.error)
    assert "nan" not in texts(at).lower()


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("hidden", [1, 32])
@pytest.mark.fast_sample(5)
def test_every_activation_and_width_runs_with_the_last_unit_picked(act, hidden):
    at = open_app("backprop", {"act": act, "hidden": str(hidden), "unit": str(hidden), "all": "true"})
    no_exception(at)
    assert rf"\delta^{{H}}_{{1,{hidden}}}" in texts(at)
    assert not [w for w in at.warning if "link" in w.value]            # the link was taken as it is


def test_a_unit_or_sample_out_of_range_after_a_settings_change_is_kept_in_range():
    at = open_app("backprop", {"hidden": "5", "unit": "5", "sample": "15", "step": "4"})
    assert at.number_input(key="unit").value == 5
    at.sidebar.text_input(key="hidden").set_value("3").run()
    no_exception(at)
    assert at.number_input(key="unit").value == 3 and r"\delta^{H}_{15,3}" in texts(at)
    at.sidebar.select_slider(key="test").set_value(0.8).run()         # 6 training rows left
    no_exception(at)
    assert at.number_input(key="sample").value == 6 and r"\delta^{H}_{6,3}" in texts(at)


def test_bad_page_parameters_fall_back_and_say_so():
    at = open_app("backprop", {"step": "9", "sample": "99", "unit": "0", "all": "maybe", "mistake": "yes",
                               "epoch": "-3"})
    no_exception(at)
    notice = "\n".join(w.value for w in at.warning)
    for key in ("step=9", "sample=99", "unit=0", "all=maybe", "mistake=yes", "epoch=-3"):
        assert f"`{key}`" in notice
    assert "step must be a whole number from 1 to 6" in notice
    assert headings(at)[0] == "Step 1 of 6 · Forward pass"


def test_the_gradient_pictured_follows_the_link_and_says_backprops_slope():
    at = open_app("backprop", {"seed": "9", "lr": "0.01", "weight": "W_O[0,1]", "step": "5"})
    no_exception(at)
    assert at.selectbox(key="weight").value == "W_O[0,1]"
    # docs/core-api.md: ∂L/∂W_O's bias entry for seed 9 is -9.09566587
    assert metric(at, "Backprop's ∂L/∂w (tangent)") == "-9.09566587"
    assert metric(at, "The curve's centred difference") == "-9.09566587"
    assert "w ← w − η·∂L/∂w" in texts(at)


def test_the_gradient_pictured_defaults_to_the_weight_the_steps_follow_and_refuses_a_bad_link():
    at = open_app("backprop", {"unit": "2", "step": "6"})
    assert at.selectbox(key="weight").value == "W_H[1,2]"
    at = open_app("backprop", {"weight": "W_H[9,9]", "step": "5"})
    no_exception(at)
    assert at.selectbox(key="weight").value == "W_H[1,1]"
    assert "`weight=W_H[9,9]` is not allowed" in "\n".join(w.value for w in at.warning)


def pictured(at) -> bool:
    return "The gradient, pictured" in headings(at)


def charts(at, dataset: str) -> list:
    """The page's charts that draw ``dataset``: "tangents" for the gradient pictured, "nodes" for a diagram."""
    return [c for c in at.get("vega_lite_chart") if any(d.name == dataset for d in c.proto.datasets)]


def test_the_gradient_is_pictured_once_step_5_has_introduced_it_and_steps_1_to_4_say_where():
    for k in (1, 2, 3, 4):
        at = open_app("backprop", {"seed": "9", "lr": "0.01", "step": str(k)})
        no_exception(at)
        assert not pictured(at) and not [box for box in at.selectbox if box.key == "weight"]
        assert [m for m in at.markdown if "**The gradient, pictured**" in m.value and "steps 5 and 6" in m.value]
        assert not charts(at, "tangents") and charts(at, "nodes")     # the step's diagram, no picture
    for k in (5, 6):
        at = open_app("backprop", {"seed": "9", "lr": "0.01", "step": str(k)})
        assert pictured(at) and "Step 5 gave every weight its gradient ∂L/∂w" in texts(at)
        assert len(charts(at, "tangents")) == 2                       # W_H[1,1] at η 0.01: the curve and the zoom
    assert headings(at).index("The gradient, pictured") > headings(at).index("Step 6 of 6 · Update")


def test_a_weight_picked_in_the_picture_stays_in_the_link_through_steps_1_to_4():
    at = open_app("backprop", {"seed": "9", "lr": "0.01", "step": "5"})
    at.selectbox(key="weight").set_value("W_O[2,1]").run()
    at.button(key="prev").click().run()
    no_exception(at)
    assert not pictured(at)
    at.button(key="next").click().run()
    assert pictured(at) and at.selectbox(key="weight").value == "W_O[2,1]"
    assert at.query_params["weight"] == "W_O[2,1]" and at.query_params["step"] == "5"
