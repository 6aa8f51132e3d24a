"""core.crosscheck: scikit-learn's MLPRegressor, set up like the app, gives the app's loss curve.

Deeper networks, mini-batches and weight decay are checked two ways: scikit-learn's side against the
independent plain loop of tests/reference.py, and the whole check against ``core.training.train``.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import crosscheck, training
from core.crosscheck import TOLERANCE
from tests import reference as ref

FIRST_LOSS_SEED_321 = 3.11571807        # docs/core-api.md / tests/core/test_reference_numbers.py
FINAL_LOSS_TRAIN_SEED_321 = "0.02386055"


def plain_curve(prepared, hidden, eta, epochs, seed, activation="sigmoid", batch_size=None, lam=0.0):
    """The app's training loss before each epoch and after the last, by the plain loop of tests/reference.py."""
    p = prepared
    weights = ref.init(seed, p.n_inputs, hidden, p.n_outputs)
    losses, _, _ = ref.train(p.X_train_aug, p.y_train, p.X_test_aug, p.y_test, weights, eta, epochs, activation,
                             batch_size, lam, seed)
    return losses[:, 0]


# ----- the defaults --------------------------------------------------------------------------------

def test_at_the_defaults_scikit_learn_gives_the_apps_loss_curve(prepared, default_history):
    c = crosscheck.crosscheck(prepared)
    assert c.matches and c.max_rel_diff <= TOLERANCE and c.note is None and c.unsupported is None
    assert len(c.epochs) == 1001 and c.agree_until == 1000 and c.restart_rel_diff is None
    np.testing.assert_allclose(c.loss_ours, default_history.losses[:, 0], rtol=1e-15)
    np.testing.assert_allclose(c.loss_sklearn, c.loss_ours, rtol=TOLERANCE)
    assert f"{c.loss_sklearn[0]:.8f}" == f"{FIRST_LOSS_SEED_321:.8f}"
    assert f"{c.loss_sklearn[-1]:.8f}" == FINAL_LOSS_TRAIN_SEED_321
    assert "equals the app's at all 1,001 epochs" in c.summary
    assert "learning_rate_init=0.05 * 15" in c.sklearn_code and "momentum=0.0" in c.sklearn_code


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("n_hidden", [1, pytest.param(2, marks=pytest.mark.slow), 3,
                                      pytest.param(5, marks=pytest.mark.slow), pytest.param(8, marks=pytest.mark.slow),
                                      pytest.param(16, marks=pytest.mark.slow), 32])   # all in `make test`
@pytest.mark.fast_sample(4)       # make test-fast: widths 1, 3, 32 (tanh too in the property test below)
def test_every_activation_and_width_from_1_to_32_matches_to_1e_9(prepared, activation, n_hidden):
    # η = 0.01: every one of these runs is stable. (At η = 0.05 some tanh/relu runs sit at the edge of
    # stability, where rounding differences grow; see the test of the restart below.)
    c = crosscheck.crosscheck(prepared, n_hidden, eta=0.01, epochs=1000, seed=321, activation=activation)
    assert c.matches, c.summary
    assert len(c.epochs) == 1001 or "diverged" in c.note      # tanh with 32 units overflows at epoch 261


@pytest.mark.parametrize("n_hidden", [1, 4, 32])
@pytest.mark.fast_sample(2)
def test_sigmoid_at_the_default_learning_rate_matches_for_1_to_32_units(prepared, n_hidden):
    assert crosscheck.crosscheck(prepared, n_hidden).matches


@settings(max_examples=12, deadline=None)
@given(n_hidden=st.integers(1, 32), activation=st.sampled_from(["sigmoid", "tanh", "relu"]),
       seed=st.integers(0, 2**32 - 1), eta=st.sampled_from([0.001, 0.002, 0.005, 0.01]))
def test_any_width_seed_and_small_learning_rate_matches(prepared, n_hidden, activation, seed, eta):
    c = crosscheck.crosscheck(prepared, n_hidden, eta=eta, epochs=150, seed=seed, activation=activation)
    assert c.max_rel_diff <= TOLERANCE or c.restart_rel_diff <= TOLERANCE, c.summary


# ----- when the curves part, diverge, or are long -----------------------------------------------------

def test_an_unstable_run_parts_the_curves_but_every_step_still_matches(prepared):
    c = crosscheck.crosscheck(prepared, 13, eta=0.05, activation="relu")
    assert not c.matches and 0 < c.agree_until < 1000
    assert c.restart_rel_diff <= TOLERANCE
    np.testing.assert_allclose(c.loss_sklearn[: c.agree_until + 1], c.loss_ours[: c.agree_until + 1], rtol=TOLERANCE)
    assert f"up to epoch {c.agree_until:,}" in c.summary and "rounding" in c.summary


def test_a_diverging_run_is_compared_up_to_the_overflow(prepared):
    h = training.train(prepared, learning_rate=10.0)
    c = crosscheck.crosscheck(prepared, eta=10.0)
    assert h.diverged_at is not None and len(c.epochs) == h.diverged_at
    assert c.matches and f"diverged at epoch {h.diverged_at}" in c.note


def test_a_long_run_is_compared_over_its_first_epochs_and_says_so(prepared):
    c = crosscheck.crosscheck(prepared, epochs=20_000, max_updates=300)
    assert len(c.epochs) == 301 and c.matches
    assert "first 300 of 20,000 epochs" in c.note


def test_an_activation_scikit_learn_lacks_is_named_in_a_sentence(prepared, monkeypatch):
    monkeypatch.delitem(crosscheck.SKLEARN_ACTIVATION, "relu")
    c = crosscheck.crosscheck(prepared, activation="relu")
    assert not c.matches and len(c.epochs) == 0
    assert "no 'relu' activation" in c.unsupported and c.summary == c.unsupported


def test_an_activation_the_app_does_not_know_is_a_value_error(prepared):
    with pytest.raises(ValueError, match="choose one of"):
        crosscheck.crosscheck(prepared, activation="softplus")


# ----- depth, mini-batches and weight decay ------------------------------------------------------------

def test_batches_follow_spec_3():
    full = crosscheck.batches(15, None, 3, seed=1)
    assert len(full) == 3 and all(len(e) == 1 and list(e[0]) == list(range(15)) for e in full)
    for at_least_n in (15, 99):       # a batch of N rows or more is the full batch: no random order drawn
        assert [list(e[0]) for e in crosscheck.batches(15, at_least_n, 2, seed=1)] == [list(range(15))] * 2
    rng = np.random.default_rng(4)
    plan = crosscheck.batches(15, 4, 3, seed=4)
    for epoch in plan:
        order = rng.permutation(15)
        assert [len(b) for b in epoch] == [4, 4, 4, 3]
        np.testing.assert_array_equal(np.concatenate(epoch), order)


@pytest.mark.parametrize("hidden, batch_size, lam, activation, eta", [
    ((8, 4), None, 0.0, "sigmoid", 0.01),
    ((3,), 4, 0.0, "sigmoid", 0.01),          # 15 rows: batches of 4, 4, 4 and 3 (another learning rate)
    ((3,), None, 0.05, "sigmoid", 0.01),
    ((8, 4), 5, 0.01, "tanh", 0.01),
    ((32, 32, 32), 1, 0.001, "tanh", 0.001),
    ((8, 8, 8), 1, 0.001, "relu", 0.001),
])
@pytest.mark.fast_sample(3)
def test_scikit_learns_side_equals_a_plain_loop_for_depth_batches_and_decay(prepared, hidden, batch_size, lam,
                                                                           activation, eta):
    epochs = 60 if batch_size == 1 else 300
    ours = plain_curve(prepared, hidden, eta, epochs, 7, activation, batch_size, lam)
    theirs = crosscheck.sklearn_losses(prepared, hidden, eta, epochs, 7, activation, batch_size, lam)
    assert len(ours) == epochs + 1 and np.isfinite(ours).all()        # a whole run, no divergence
    np.testing.assert_allclose(theirs, ours, rtol=TOLERANCE)


@pytest.mark.parametrize("hidden, batch_size, lam, eta", [((8, 4), 5, 0.01, 0.01), ((3,), 4, 0.0, 0.01),
                                                          ((3,), None, 0.05, 0.01), ((32, 32, 32), 1, 0.001, 0.001)])
@pytest.mark.fast_sample(2)
def test_depth_batches_and_decay_match_the_apps_training(prepared, hidden, batch_size, lam, eta):
    c = crosscheck.crosscheck(prepared, hidden, eta=eta, epochs=100, seed=7, batch_size=batch_size,
                              weight_decay=lam)
    assert c.matches, c.summary
    np.testing.assert_allclose(c.loss_ours, plain_curve(prepared, hidden, eta, 100, 7, "sigmoid", batch_size, lam),
                               rtol=TOLERANCE)
