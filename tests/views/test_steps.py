"""The six steps as content (ui.views.steps) and the gradient check (ui.views.gradcheck), without a browser."""

import math

import numpy as np
import pytest

from core import data, network, step as core_step, training
from ui.draw import chart
from ui.state.params import ETA_CHOICES
from ui.views import gradcheck, numbers, step_model, steps, style

DW_H = [[-1.03990459, -3.12814644, -0.35050278],
        [-0.88510364, -2.64996514, -0.296022],
        [-0.76317137, -2.36740073, -0.26625607]]
DW_O = [-9.09566587, -2.19214132, -2.47487746, -1.39665172]


@pytest.fixture(scope="module")
def prepared():
    return data.prepare(data.load_income())


def context(prepared, seed=9, hidden=3, eta=0.01, act="sigmoid", n=4, j=2, W=None, **kw):
    W_H, W_O = W if W is not None else network.init_weights(2, hidden, 1, seed)
    s = core_step.one_step(prepared.X_train_aug, prepared.y_train, W_H, W_O, eta, act)
    return step_model.Context(s, n, j, 0, list(prepared.train_rows), eta_choices=ETA_CHOICES, **kw)


@pytest.fixture(scope="module")
def lecture(prepared):
    """Seed 9, η 0.01, epoch 0; sample n = 4 and hidden unit h₂ picked."""
    return context(prepared, next_loss=2.44151428)


def table(view, caption_start):
    [t] = [t for t in view.tables if t.caption.startswith(caption_start)]
    return t


# ----------------------------------------------------------------------------- numbers as text


def test_numbers_for_latex_are_fixed_decimals_or_powers_of_ten():
    assert numbers.num(3.5226096730871306, 8) == "3.52260967"
    assert numbers.num(-0.24031) == "-0.2403"
    assert numbers.num(0) == "0"
    assert numbers.num(1.158e9) == r"1.158 \times 10^{9}"
    assert numbers.num(-8.237e-4) == r"-8.237 \times 10^{-4}"
    assert numbers.num(float("inf")) == r"\text{overflow}"
    assert numbers.num(float("nan")) == r"\text{not a number}"


def test_negative_factors_get_parentheses():
    assert numbers.par(-0.5543) == r"\left(-0.5543\right)"
    assert numbers.par(1.7401) == "1.7401"
    assert numbers.par(2e9).startswith(r"\left(")


def test_numbers_for_text_and_diagram_never_say_nan_or_inf():
    assert numbers.plain(2.441514278) == "2.44151428"
    assert numbers.plain(float("inf")) == "overflow"
    assert numbers.plain(2.56e304) == "2.560000e+304"
    assert numbers.short(-0.000256) == "−0.000256"
    assert numbers.short(float("-inf")) == "overflow"


def test_a_long_column_vector_is_written_as_a_transposed_row():
    assert numbers.Digits(decimals=4).matrix([[1.5], [-2.25]]) == r"\begin{bmatrix}1.5000 \\ -2.2500\end{bmatrix}"
    assert numbers.FULL.matrix(np.ones((7, 1))).endswith(r"\end{bmatrix}^{\top}")


# ----------------------------------------------------------------------------- the six steps


def test_there_are_six_steps_in_lecture_order(lecture):
    assert step_model.TITLES == ("Forward pass", "Loss", "Output delta", "Hidden deltas", "Gradients", "Update")
    for k in range(1, 7):
        view = steps.build(k, lecture)
        assert view.number == k and view.title == step_model.TITLES[k - 1]
        assert view.general and view.substituted and view.tables


def test_forward_pass_substitutes_the_chosen_sample_and_unit(lecture):
    s = lecture.step
    view = steps.build(1, lecture)
    z_eq, u_eq, y_eq = view.substituted
    assert r"z^{H}_{4,2}" in z_eq and r"w^{H}_{1,2}" in z_eq
    assert f"{s.X_aug[3, 1]:.8f} \\times \\left({s.W_H[1, 1]:.8f}\\right)" in z_eq
    assert z_eq.endswith(f"&= {s.fwd.z_H[3, 1]:.8f}" + r"\end{aligned}")
    assert u_eq.endswith(f"= {s.fwd.u_H[3, 1]:.8f}") and r"\frac{1}{1 + e^{-" in u_eq
    assert f"&= {s.fwd.z_O[3, 0]:.8f}" in y_eq
    assert "sample n = 4 (data row 26) and hidden unit h₂" in view.focus
    assert table(view, "Hidden sums z_H").values.shape == (15, 3)
    np.testing.assert_array_equal(table(view, "Predictions").values, s.fwd.z_O)


def test_loss_shows_each_samples_share_and_their_sum(lecture):
    view = steps.build(2, lecture)
    assert view.substituted[1].endswith(r"&= 3.52260967\end{aligned}")
    assert view.metrics[0].value == "3.52260967"
    t = table(view, "The 15 rows of y (15, 1)")
    assert t.rows[-1] == step_model.SUM_ROW and t.values[-1, 3] == pytest.approx(3.52260967, abs=1e-8)
    assert t.values[:-1, 3].sum() == pytest.approx(t.values[-1, 3])
    assert view.diagram.highlight_nodes == {step_model.OUT} and not view.diagram.highlight_edges


def test_output_delta_is_minus_the_error(lecture):
    s = lecture.step
    view = steps.build(3, lecture)
    [eq] = view.substituted
    assert eq.endswith(f"= {-(s.y[3, 0] - s.fwd.z_O[3, 0]):.8f}")
    assert "δ_O of sample 4 is positive: its prediction is too high" in view.notes[0].text


def test_hidden_delta_is_slope_times_weight_times_output_delta(lecture):
    view = steps.build(4, lecture)
    g_eq, delta_eq, bias_eq = view.substituted
    assert g_eq.endswith("= 0.22826604") and r"u\,(1 - u)" in g_eq
    assert r"0.22826604 \times 1.74011731 \times 0.06654431" in delta_eq
    result = float(delta_eq.rsplit("&= ", 1)[1].removesuffix(r"\end{aligned}"))
    assert result == pytest.approx(0.22826604 * 1.74011731 * 0.06654431, abs=2e-8)     # the factors shown
    assert "-0.64794746" in bias_eq and "dropped" in bias_eq
    assert "Why the bias row of W_O is dropped" in view.why
    # The bias node h₀ passes no error back: its edge stays dark.
    assert (step_model.H(0), step_model.OUT) not in view.diagram.highlight_edges
    assert view.diagram.node_text[step_model.H(2)] == "δ = 0.0264"


def test_gradients_are_sums_of_per_sample_terms_with_the_spec_numbers(lecture):
    view = steps.build(5, lecture)
    np.testing.assert_allclose(table(view, "Hidden-layer gradient").values, DW_H, atol=1e-8)
    dW_O = table(view, "Output-layer gradient")
    assert dW_O.rows[0] == "h₀ = 1" and dW_O.values[0, 0] == pytest.approx(-9.09566587, abs=1e-8)
    terms = table(view, "Each sample's term u")
    assert terms.values.shape == (16, 4) and terms.rows[-1] == step_model.SUM_ROW
    np.testing.assert_allclose(terms.values[:-1].sum(axis=0), DW_O, atol=1e-8)
    np.testing.assert_allclose(terms.values[-1], DW_O, atol=1e-8)
    bias = view.substituted[1]
    assert r"\underbrace{1 \times 0.06654431}_{\scriptstyle n = 4}" in bias and bias.endswith(r"&= -9.09566587\end{aligned}")
    assert r"\text{the other 14}" in bias
    assert r"-1.03990459 & -3.12814644 & -0.35050278" in view.side[-1]     # ∂L/∂W_H, docs/core-api.md's digits
    assert "-9.09566587" in view.substituted[-1]


def test_update_takes_a_step_against_the_gradient_and_the_loss_falls(lecture):
    s = lecture.step
    view = steps.build(6, lecture)
    assert view.metrics[1].value == "2.44151428" and view.metrics[1].delta.startswith("-1.0810953")
    assert view.notes[0].kind == "success" and "fell by 1.08109539" in view.notes[0].text
    assert "Same as the training run: its loss at epoch 1 is 2.44151428" in view.notes[1].text
    assert rf"w^{{O}}_{{2}} &\leftarrow 1.74011731 - 0.01 \times \left(-2.47487746\right) = {s.W_O_new[2, 0]:.8f}" \
        in view.substituted[0]
    np.testing.assert_allclose(table(view, "Hidden weights W_H (3, 3) after").values, s.W_H - 0.01 * np.array(DW_H),
                               atol=1e-8)


def test_too_large_a_step_says_the_loss_rose_and_why(prepared):
    ctx = context(prepared, seed=321, eta=5.0, n=1, j=1)
    view = steps.build(6, ctx)
    [note] = view.notes
    assert note.kind == "error"
    assert note.text.startswith("The loss ROSE, from 3.11571807 to 52169.17654617")
    assert "more than the whole loss" in note.text and "overshoots" in note.text
    assert "η = 0.05 would have lowered the loss" in note.text
    assert view.metrics[1].delta.startswith("+52166.06")
    assert "ROSE by 52166.06082810" in steps.status_line(ctx)


def test_an_overflowing_step_is_named_and_never_shows_nan_or_inf(prepared):
    h = training.train(prepared, n_hidden=3, learning_rate=5.0, epochs=1000, seed=321)
    snap = h.at(h.last_epoch)
    ctx = context(prepared, eta=5.0, n=1, j=1, W=(snap.W_H, snap.W_O), diverged_at=h.diverged_at)
    for k in range(1, 7):
        view = steps.build(k, ctx)
        text = " ".join([view.focus, *view.substituted, *view.side, *(n.text for n in view.notes),
                         *(m.value for m in view.metrics), *view.diagram.node_text.values(),
                         *view.diagram.edge_text.values()])
        assert "nan" not in text.lower() and "inf" not in text.lower()
    view = steps.build(6, ctx)
    assert view.metrics[1].value == "overflow"
    assert "ROSE beyond what a computer can represent" in view.notes[0].text
    assert "Training diverged at epoch 82" in view.notes[0].text


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("hidden,j", [(1, 1), (32, 32)])
def test_every_activation_and_width_builds_every_step_for_the_chosen_unit(prepared, act, hidden, j):
    ctx = context(prepared, seed=5, hidden=hidden, eta=0.05, act=act, n=15, j=j)
    for k in range(1, 7):
        view = steps.build(k, ctx)
        assert all(math.isfinite(v) for t in view.tables for v in t.values.ravel() if not np.isnan(v))
    assert rf"w^{{O}}_{{{j}}}" in steps.build(6, ctx).substituted[0]
    assert rf"\delta^{{H}}_{{15,{j}}}" in steps.build(4, ctx).substituted[1]
    assert table(steps.build(4, ctx), "Hidden deltas").values.shape == (15, hidden)


def test_relu_slope_is_one_or_zero_and_a_dead_unit_is_explained(prepared):
    W_H, W_O = network.init_weights(2, 3, 1, 9)
    W_H[:, 1] = -5.0                                  # unit h₂ is off for every sample
    view = steps.build(4, context(prepared, act="relu", W=(W_H, W_O)))
    assert r"0 \quad (z = " in view.substituted[0]
    assert "ReLU unit is off" in view.notes[0].text


def test_the_diagram_lights_what_each_step_touches(lecture):
    into_h2 = {(step_model.X(i), step_model.H(2)) for i in range(3)}
    forward = steps.build(1, lecture).diagram
    assert into_h2 <= forward.highlight_edges and (step_model.H(0), step_model.OUT) in forward.highlight_edges
    assert forward.node_text[step_model.OUT] == "ŷ = " + numbers.short(lecture.step.fwd.z_O[3, 0])
    grads = steps.build(5, lecture).diagram
    assert grads.value_title == "gradient"
    assert grads.edge_values[(step_model.H(0), step_model.OUT)] == pytest.approx(-9.09566587)
    assert grads.edge_text[(step_model.H(0), step_model.OUT)] == "−9.1"
    update = steps.build(6, lecture).diagram
    assert update.edge_values[(step_model.H(2), step_model.OUT)] == lecture.step.W_O_new[2, 0]


def test_the_diagram_spec_carries_the_steps_values(lecture):
    view = steps.build(4, lecture)
    spec = chart.vega_spec(step_model.diagram_chart(step_model.diagram_key(view), 2, 3, style.NORMAL), style.NORMAL)
    assert spec["layer"] and all(isinstance(v, bytes) for v in spec["datasets"].values())
    assert spec["config"]["text"]["fontSize"] == style.NORMAL.font
    # the key holds the step's values: the output bias's delta travels to the chart
    values = dict(step_model.diagram_key(view)[0])
    assert values == view.diagram.edge_values


def test_the_diagram_caption_names_columns_without_markdown(lecture):
    caption = step_model.diagram_caption(steps.build(1, lecture), ["[x](http://evil)", "$a$"], "**Income**")
    assert "[x](http://evil)" not in caption and r"\[x\]" in caption
    assert r"\$a\$" in caption and r"\*\*Income\*\*" in caption


def test_tables_are_packed_by_width():
    t = lambda cols: step_model.Table(np.zeros((2, cols)), ["a", "b"], [str(c) for c in range(cols)], "")
    rows = step_model.table_rows([t(1), t(1), t(3), t(3), t(4), t(1)])
    assert [[w for _, w in r] for r in rows] == [[2, 2], [3, 3], [6], [2]]
    assert [[w for _, w in r] for r in step_model.table_rows([t(3), t(1)], capacity=4)] == [[3], [2]]


def test_index_labels_follow_the_notation(lecture):
    assert "n = 4 (data row 26)" in steps.build(2, lecture).focus
    assert table(steps.build(1, lecture), "Hidden weights W_H").rows == ["x₀ = 1", "x₁", "x₂"]


# ----------------------------------------------------------------------------- gradient check


def test_the_gradient_check_passes_for_backprop(lecture):
    c = gradcheck.check(lecture.step)
    assert c.passed and c.worst < 1e-8 and len(c.frame) == 13
    kind, sentence = gradcheck.verdict(c)
    assert kind == "success" and sentence.startswith("PASS") and "all 13 weights" in sentence
    assert c.loss_after == pytest.approx(2.44151428, abs=1e-8)


def test_the_gradient_check_catches_the_lecture_demos_mistake(lecture):
    c = gradcheck.check(lecture.step, mistake=True)
    assert not c.passed
    assert c.failed == ["W_O[0,1]", "W_O[1,1]", "W_O[2,1]", "W_O[3,1]"]
    np.testing.assert_allclose(c.dW_O[:, 0], DW_O[1:] + DW_O[:1], atol=1e-8)
    assert c.loss_after == pytest.approx(2.89056541, abs=1e-8)
    kind, sentence = gradcheck.verdict(c)
    assert kind == "error" and sentence.startswith("FAIL: 4 of 13 weights disagree")
    assert list(c.frame.verdict[:4]) == ["✗ disagrees"] * 4            # the failures come first


def test_the_gradient_check_declines_when_numbers_are_too_large(prepared):
    h = training.train(prepared, n_hidden=3, learning_rate=5.0, epochs=1000, seed=321)
    snap = h.at(40)
    ctx = context(prepared, eta=5.0, W=(snap.W_H, snap.W_O))
    c = gradcheck.check(ctx.step)
    assert not c.finite and not c.passed and set(c.frame.verdict) == {"— cannot check"}
    assert gradcheck.verdict(c)[0] == "warning"


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("epoch", [0, 50, 1000])
def test_the_gradient_check_passes_along_a_training_run_and_the_mistake_fails(prepared, act, epoch):
    h = training.train(prepared, n_hidden=4, learning_rate=0.01, epochs=1000, seed=7, activation=act)
    snap = h.at(epoch)
    ctx = context(prepared, eta=0.01, act=act, W=(snap.W_H, snap.W_O))
    assert gradcheck.check(ctx.step).passed
    assert not gradcheck.check(ctx.step, mistake=True).passed


def test_long_sums_wrap_onto_lines_of_three_terms(prepared):
    rng = np.random.RandomState(0)
    X_aug = np.hstack([np.ones((6, 1)), rng.rand(6, 4)])          # four features, as an uploaded CSV may have
    s = core_step.one_step(X_aug, rng.rand(6, 1), rng.randn(5, 3), rng.randn(4, 1), 0.05)
    ctx = step_model.Context(s, 2, 3, 0, list(range(1, 7)))
    z_eq, _, y_eq = steps.build(1, ctx).substituted
    assert z_eq.count(r"&\quad +") == 1 + 2                    # 5 terms: symbols 3 + 2, numbers 2 + 2 + 1
    assert r"x_{2,4}\,w^{H}_{4,3}" in z_eq
    assert y_eq.count(r"&\quad +") == 1 + 1                    # bias + 3 units: symbols 3 + 1, numbers 2 + 2
    assert len(steps.build(5, ctx).side) == 5 + 1               # a line for each of x₀ … x₄, then ∂L/∂W_H
