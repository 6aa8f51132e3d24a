"""core.nudge: the change a nudged weight makes downstream, measured by running the network forward
again, equals the chain rule's product of local slopes to first order — for every layer at depth
1 to 3 and every activation — and the chained change of L is exactly ∂L/∂w·Δw."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import data, network, nudge

DELTAS = (1e-2, 1e-3, 1e-4)


@pytest.fixture(scope="module")
def p():
    return data.prepare(data.load_income())


def every_weight_of_each_layer(weights):
    """For each layer, a bias weight and an input weight (the last unit)."""
    for l, W in enumerate(weights):
        yield l, 0, W.shape[1] - 1
        yield l, W.shape[0] - 1, 0


@pytest.mark.parametrize("hidden", [(3,), (4, 3), (5, 4, 3)])
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_measured_changes_equal_the_chained_ones_to_first_order_in_every_layer(p, hidden, activation):
    weights = network.init_layers(p.n_inputs, hidden, 1, seed=9)
    for l, r, c in every_weight_of_each_layer(weights):
        diffs, kinks = [], []
        for delta in DELTAS:
            out = nudge.nudge(p.X_train_aug, p.y_train, weights, l, r, c, delta, activation)
            kinks.append(any(ch.kinked.any() for ch in out.changes if ch.kinked is not None))
            assert [ch.layer for ch in out.changes] == list(range(l, len(weights)))
            worst = max(nudge.relative_difference(ch.dz, ch.dz_chained) for ch in out.changes)
            worst = max([worst] + [nudge.relative_difference(ch.du, ch.du_chained) for ch in out.changes
                                   if ch.du is not None])
            diffs.append(max(worst, nudge.relative_difference(out.dL, out.dL_chained)))
            assert out.dL_chained == pytest.approx(out.gradient * delta, rel=1e-9, abs=1e-15)
        # first order: the relative difference shrinks in proportion to the nudge (or is already 0);
        # across a ReLU kink the slope holds on one side only, and the nudge says so
        for big, small, kinked in zip(diffs, diffs[1:], kinks):
            assert kinked or small <= big / 5 or small < 1e-8, (l, r, c, diffs, kinks)
        assert activation == "relu" or not any(kinks)


def test_the_nudged_layer_changes_only_the_unit_the_weight_feeds_by_input_times_nudge(p):
    weights = network.init_layers(p.n_inputs, (3,), 1, seed=9)
    out = nudge.nudge(p.X_train_aug, p.y_train, weights, 0, 1, 1, 0.1)
    first = out.changes[0]
    assert np.allclose(first.dz[:, [0, 2]], 0) and np.allclose(first.dz[:, 1], p.X_train_aug[:, 1] * 0.1)
    assert np.allclose(first.dz, first.dz_chained)              # z is linear in the weight: exact
    bias = nudge.nudge(p.X_train_aug, p.y_train, weights, 1, 0, 0, 0.1)
    assert np.allclose(bias.changes[0].dz, 0.1) and bias.changes[0].du is None   # the output bias moves ŷ by Δw
    assert bias.dL == pytest.approx(bias.dL_chained + 0.5 * 15 * 0.1 ** 2)       # L is quadratic in ŷ


def test_a_lecture_weight_moves_the_loss_as_its_gradient_says(p):
    """Seed 9, the lecture's first step: ∂L/∂W_O[0] = −9.09566587 (docs/core-api.md), so a nudge of
    0.001 lowers L by about 0.0091."""
    weights = network.init_layers(p.n_inputs, (3,), 1, seed=9)
    out = nudge.nudge(p.X_train_aug, p.y_train, weights, 1, 0, 0, 1e-3)
    assert out.gradient == pytest.approx(-9.09566587, abs=1e-8)
    assert out.dL == pytest.approx(-9.09566587e-3, rel=1e-3) and out.L == pytest.approx(3.52260967, abs=1e-8)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), depth=st.integers(1, 3), width=st.integers(1, 6),
       activation=st.sampled_from(["sigmoid", "tanh"]), pick=st.integers(0, 10**6))
def test_for_any_network_the_chained_loss_change_is_the_gradient_times_the_nudge(p, seed, depth, width,
                                                                                  activation, pick):
    weights = network.init_layers(p.n_inputs, (width,) * depth, 1, seed=seed)
    l = pick % len(weights)
    r, c = (pick // 7) % weights[l].shape[0], (pick // 11) % weights[l].shape[1]
    out = nudge.nudge(p.X_train_aug, p.y_train, weights, l, r, c, 1e-4, activation)
    assert out.dL_chained == pytest.approx(out.gradient * 1e-4, rel=1e-8, abs=1e-16)
    assert nudge.relative_difference(out.dL, out.dL_chained) < 1e-2 or abs(out.gradient) < 1e-6


def test_a_relu_unit_pushed_across_its_kink_is_named():
    X_aug = np.array([[1.0, 1.0]])
    weights = [np.array([[-0.05], [0.0]]), np.array([[0.0], [1.0]])]          # z = −0.05: switched off
    out = nudge.nudge(X_aug, np.array([[1.0]]), weights, 0, 0, 0, 0.1, "relu")  # z = +0.05: on
    hidden = out.changes[0]
    assert hidden.kinked.tolist() == [[True]] and hidden.slope.tolist() == [[0.0]]
    assert hidden.du.tolist() == [[pytest.approx(0.05)]] and hidden.du_chained.tolist() == [[0.0]]
