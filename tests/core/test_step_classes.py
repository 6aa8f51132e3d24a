"""One step shown number by number (core.step) and a nudged weight (core.nudge) with the cross-entropy:
ŷ as probabilities, δ_O = ŷ − y, each sample's cross-entropy, and the update, against tests/reference.py."""

import numpy as np
import pytest

from core import activations, data, network, nudge, step
from tests import reference as ref

CE = "cross_entropy"
DEPTHS = [(), (4,), (4, 3), (3, 5, 2)]


@pytest.fixture(scope="module")
def moons():
    return data.prepare(data.toy("moons", 40, 0.1, seed=0), ("x1", "x2"), "label", task="classification")


@pytest.fixture(scope="module")
def three():
    return data.prepare(data.toy("three", 45, 0.1, seed=0), ("x1", "x2"), "label", task="classification")


@pytest.mark.parametrize("hidden", DEPTHS)
@pytest.mark.parametrize("which", ["moons", "three"])
@pytest.mark.parametrize("weight_decay", [0.0, 0.2])
def test_one_step_matches_the_reference_and_shows_each_term(request, hidden, which, weight_decay):
    p = request.getfixturevalue(which)
    X, y = p.X_train_aug[:6], p.y_train[:6]
    weights = ref.init(5, 2, hidden, p.n_outputs)
    eta = 0.3
    s = step.gradient_step(X, y, weights, eta, "tanh", weight_decay, loss=CE)
    expected = ref.batch(X, y, weights, "tanh", weight_decay, "cross_entropy")
    assert s.loss_kind == CE and "cross_entropy" in repr(s)
    # what the page shows for classification: ŷ as probabilities and δ_O = ŷ − y
    np.testing.assert_allclose(s.y_hat, expected["u"][-1], rtol=1e-12)
    np.testing.assert_array_equal(s.y_hat, s.forward.u[-1])
    np.testing.assert_array_equal(s.z_O, s.forward.z[-1])
    np.testing.assert_array_equal(s.delta_O, s.y_hat - y)
    np.testing.assert_allclose(s.delta_O, expected["delta"][-1], rtol=1e-9, atol=1e-14)
    assert ((s.y_hat >= 0) & (s.y_hat <= 1)).all()
    # each sample's cross-entropy, and their sum
    per_sample = [ref.sample(x, t, weights, "tanh", "cross_entropy")["loss"] for x, t in zip(X, y)]
    np.testing.assert_allclose(s.losses, per_sample, rtol=1e-12)
    assert s.loss == pytest.approx(expected["loss"], rel=1e-12)
    assert s.objective == pytest.approx(expected["loss"] + expected["penalty"], rel=1e-12)
    for k in range(len(weights)):
        np.testing.assert_allclose(s.dW_terms[k], expected["terms"][k], rtol=1e-9, atol=1e-14)
        np.testing.assert_allclose(s.weights_new[k], weights[k] - eta * expected["dW"][k], rtol=1e-12, atol=1e-14)
    new = [W - eta * g for W, g in zip(weights, expected["dW"])]
    assert s.loss_after == pytest.approx(ref.loss(X, y, new, "tanh", "cross_entropy"), rel=1e-11)
    assert s.objective_after == pytest.approx(s.loss_after + ref.penalty(new, weight_decay), rel=1e-12)


def test_a_small_step_lowers_the_cross_entropy_by_about_eta_times_the_squared_gradient(three):
    weights = network.init_layers(2, (4, 3), 3, seed=1)
    s = step.gradient_step(three.X_train_aug, three.y_train, weights, 1e-6, "relu", 0.1, loss=CE)
    assert s.objective_after - s.objective == pytest.approx(s.predicted_change, rel=1e-3)


def test_largest_lowering_eta_uses_the_steps_loss(moons):
    weights = network.init_layers(2, (3,), 1, seed=321)
    s = step.gradient_step(moons.X_train_aug, moons.y_train, weights, 1e4, "sigmoid", loss=CE)
    assert not s.objective_after < s.objective                        # η = 10⁴ overshoots
    eta = step.largest_lowering_eta(s, (0.001, 0.01, 0.1, 1.0, 10.0))
    assert eta is not None
    after = step.objective_after(s.X_aug, s.y, weights, s.backward.dW, eta, "sigmoid", 0.0, loss=CE)
    assert after < s.objective
    assert after == pytest.approx(ref.loss(s.X_aug, s.y, [W - eta * g for W, g in zip(weights, s.backward.dW)],
                                           "sigmoid", "cross_entropy"), rel=1e-12)


def test_the_squared_step_keeps_its_names_and_numbers(prepared):
    W_H, W_O = network.init_weights(2, 3, seed=9)
    s = step.one_step(prepared.X_train_aug, prepared.y_train, W_H, W_O, 0.01)
    assert s.loss_kind == "squared" and s.loss == pytest.approx(3.52260967, abs=1e-8)
    assert s.loss_after == pytest.approx(2.44151428, abs=1e-8)
    np.testing.assert_array_equal(s.y_hat, s.z_O)                     # the linear output: ŷ = z_O
    np.testing.assert_array_equal(s.delta_O, s.y_hat - prepared.y_train)


def test_per_sample_losses_of_the_cross_entropy_need_z_o():
    y, z = np.array([[1.0], [0.0]]), np.array([[0.0], [2.0]])
    np.testing.assert_allclose(step.sample_losses(y, None, CE, z_O=z), [np.log(2), np.log1p(np.exp(2.0))], rtol=1e-15)
    with pytest.raises(ValueError, match="z_O"):
        step.sample_losses(y, network.output(z, CE), CE)


# ----- the nudge ------------------------------------------------------------------------------------

@pytest.mark.parametrize("hidden", DEPTHS)
@pytest.mark.parametrize("which", ["moons", "three"])
@pytest.mark.parametrize("activation", activations.NAMES)
def test_a_nudge_moves_the_cross_entropy_as_the_chain_rule_says(request, hidden, which, activation):
    p = request.getfixturevalue(which)
    weights = network.init_layers(2, hidden, p.n_outputs, seed=9)
    for l, W in enumerate(weights):
        r, c = W.shape[0] - 1, W.shape[1] - 1
        diffs, kinks = [], []
        for delta in (1e-2, 1e-3, 1e-4):
            out = nudge.nudge(p.X_train_aug, p.y_train, weights, l, r, c, delta, activation, loss=CE)
            assert out.loss_kind == CE
            fwd = network.forward_pass(p.X_train_aug, weights, activation, CE)
            np.testing.assert_array_equal(out.residual, fwd.y_hat - p.y_train)        # ∂L/∂z_O = ŷ − y
            assert out.L == pytest.approx(ref.loss(p.X_train_aug, p.y_train, weights, activation, CE), rel=1e-12)
            assert out.dL_chained == pytest.approx(out.gradient * delta, rel=1e-9, abs=1e-15)
            kinks.append(any(ch.kinked.any() for ch in out.changes if ch.kinked is not None))
            diffs.append(nudge.relative_difference(out.dL, out.dL_chained))
        # first order: halving the nudge halves the difference (unless a ReLU kink was crossed)
        for big, small, kinked in zip(diffs, diffs[1:], kinks):
            assert kinked or small <= big / 5 or small < 1e-8, (l, diffs)
