"""The published numbers of docs/core-api.md, the demo's published mistake, and the default 1000-epoch run.

The literals below are copied from docs/core-api.md, except the ones marked "derived here": those were worked
out by code that does not go through ``core.network.backward`` or ``core.training`` (the independent
implementation in tests/reference.py, or centred differences), and the test checks the literal
against that derivation before checking core against the literal.
"""

import csv

import numpy as np
import pytest
from sklearn.model_selection import train_test_split

from core import data, gradcheck, network, training
from tests import reference as ref
from tests.core.conftest import INCOME_CSV

RTOL = 5e-8   # 8 significant digits

# ----- docs/core-api.md, verbatim ------------------------------------------------------------------------
X_TRAIN_AUG_0 = [1, 0.82410423, 0.50367647]
X_TEST_AUG_7 = [1, 1.01954397, 0.10661765]
W_H_0 = [1.10855471e-03, -2.89544069e-01, -1.11606630e+00]
W_O_SEED_9 = [-0.64794746, 0.63589108, 1.74011731, 0.29668222]
Y_HAT_FIRST_3 = [0.12279609, 0.06554042, 0.15085488]
LOSS_SEED_9 = 3.52260967
DW_H_SEED_9 = [[-1.03990459, -3.12814644, -0.35050278],
               [-0.88510364, -2.64996514, -0.296022],
               [-0.76317137, -2.36740073, -0.26625607]]
DW_O_SEED_9 = [-9.09566587, -2.19214132, -2.47487746, -1.39665172]
DW_O_MISORDERED = [-2.19214132, -2.47487746, -1.39665172, -9.09566587]
LOSS_AFTER_MISORDERED_STEP = 2.89056541
FIRST_LOSS_SEED_321 = 3.11571807

# ----- derived here (see the tests that check them) --------------------------------------------
LOSS_AFTER_CORRECT_STEP = 2.4415143          # seed 9, one step with η = 0.01
LAST_LOSS_TRAIN_SEED_321 = 0.023860850       # loss before the 1000th update (loss_train[999])
FINAL_LOSS_TRAIN_SEED_321 = 0.023860551      # loss with the final weights (losses[1000, 0])
FINAL_LOSS_TEST_SEED_321 = 0.051758510       # test loss with the final weights


def lecture_init(seed):
    """"Initial weights" in docs/core-api.md with the global generator, exactly as the demo did it: [W_H, W_O]."""
    return ref.init(seed, 2, (3,))


def lecture_train(prepared, weights, eta, epochs):
    """The lesson's plain loop, steps 4-8 (docs/core-api.md), by tests/reference.py; losses (epochs+1, 2) incl.
    the final weights'."""
    p = prepared
    return ref.train(p.X_train_aug, p.y_train, p.X_test_aug, p.y_test, weights, eta, epochs)[0]


@pytest.fixture(scope="module")
def seed_9(prepared):
    W_H, W_O = network.init_weights(2, 3, 1, seed=9)
    fwd = network.forward(prepared.X_train_aug, W_H, W_O)
    bwd = network.backward(prepared.X_train_aug, prepared.y_train, W_H, W_O, fwd)
    return W_H, W_O, fwd, bwd


# ----- data: split and scaling ---------------------------------------------------------------

def raw_income_rows():
    with open(INCOME_CSV, newline="") as f:
        rows = list(csv.DictReader(f))
    X = np.array([[float(r["Education"]), float(r["Seniority"])] for r in rows])
    y = np.array([[float(r["Income"])] for r in rows])
    return X, y


def test_scaling_divides_by_the_training_maxima_computed_from_the_raw_csv(prepared):
    X, y = raw_income_rows()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, random_state=42)
    assert X.shape == (30, 2) and X_train.shape == (15, 2)
    np.testing.assert_array_equal(prepared.x_scale, np.abs(X_train).max(axis=0))
    np.testing.assert_array_equal(prepared.y_scale, np.abs(y_train).max(axis=0))
    # The maxima are taken over training rows only: the test rows hold a larger Education.
    assert np.abs(X_test[:, 0]).max() > prepared.x_scale[0]
    np.testing.assert_allclose(prepared.X_train_aug[:, 1:], X_train / np.abs(X_train).max(axis=0), rtol=1e-15)
    np.testing.assert_allclose(prepared.X_test_aug[:, 1:], X_test / np.abs(X_train).max(axis=0), rtol=1e-15)
    np.testing.assert_allclose(prepared.y_train, y_train / np.abs(y_train).max(), rtol=1e-15)
    np.testing.assert_allclose(prepared.y_test, y_test / np.abs(y_train).max(), rtol=1e-15)


def test_split_gives_fifteen_training_and_fifteen_test_rows_with_a_bias_column(prepared):
    assert prepared.X_train_aug.shape == (15, 3) and prepared.X_test_aug.shape == (15, 3)
    assert prepared.y_train.shape == (15, 1) and prepared.y_test.shape == (15, 1)
    assert np.all(prepared.X_train_aug[:, 0] == 1) and np.all(prepared.X_test_aug[:, 0] == 1)
    assert sorted(np.concatenate([prepared.train_rows, prepared.test_rows])) == list(range(1, 31))


def test_train_and_test_rows_name_the_original_rows_of_the_csv(prepared, income):
    X_train = income.loc[prepared.train_rows, ["Education", "Seniority"]].to_numpy()
    np.testing.assert_allclose(prepared.X_train_aug[:, 1:] * prepared.x_scale, X_train, rtol=1e-15)
    y_test = income.loc[prepared.test_rows, ["Income"]].to_numpy()
    np.testing.assert_allclose(prepared.y_test * prepared.y_scale, y_test, rtol=1e-15)


def test_scaled_rows_match_spec(prepared):
    np.testing.assert_allclose(prepared.X_train_aug[0], X_TRAIN_AUG_0, rtol=RTOL)
    np.testing.assert_allclose(prepared.X_test_aug[7], X_TEST_AUG_7, rtol=RTOL)


def test_a_test_value_can_exceed_one_after_scaling(prepared):
    # docs/core-api.md: the app points this out, so it must be true of the bundled data.
    assert prepared.X_test_aug[7, 1] > 1


# ----- seed 9: one forward and backward pass ----------------------------------------------------

def test_initial_weights_for_seed_9_match_spec(seed_9):
    W_H, W_O, _, _ = seed_9
    assert W_H.shape == (3, 3) and W_O.shape == (4, 1)
    np.testing.assert_allclose(W_H[0], W_H_0, rtol=RTOL)
    np.testing.assert_allclose(W_O[:, 0], W_O_SEED_9, rtol=RTOL)


def test_initial_weights_equal_the_demos_global_seed_draws_without_touching_global_state():
    before = np.random.get_state()[1].copy()
    W_H, W_O = network.init_weights(2, 3, 1, seed=9)
    assert np.array_equal(np.random.get_state()[1], before)
    demo_W_H, demo_W_O = lecture_init(9)
    np.testing.assert_array_equal(W_H, demo_W_H)
    np.testing.assert_array_equal(W_O, demo_W_O)


def test_first_predictions_and_loss_for_seed_9_match_spec(prepared, seed_9):
    _, _, fwd, _ = seed_9
    np.testing.assert_allclose(fwd.u_O[:3, 0], Y_HAT_FIRST_3, rtol=RTOL)
    np.testing.assert_allclose(network.loss(prepared.y_train, fwd.u_O), LOSS_SEED_9, rtol=RTOL)


def test_gradients_for_seed_9_match_spec_with_the_bias_row_first(seed_9):
    _, _, _, bwd = seed_9
    np.testing.assert_allclose(bwd.dW_H, DW_H_SEED_9, rtol=RTOL)
    np.testing.assert_allclose(bwd.dW_O[:, 0], DW_O_SEED_9, rtol=RTOL)


def test_the_independent_implementation_reproduces_spec(prepared):
    # Guards the independent implementation the derived literals rest on.
    weights = lecture_init(9)
    y_hat = ref.predict(prepared.X_train_aug, weights, "sigmoid")
    np.testing.assert_allclose(y_hat[:3, 0], Y_HAT_FIRST_3, rtol=RTOL)
    np.testing.assert_allclose(ref.loss(prepared.X_train_aug, prepared.y_train, weights, "sigmoid"), LOSS_SEED_9,
                               rtol=RTOL)


# ----- the demo's published mistake, and the correct step ---------------------------------------

def test_misordered_output_gradient_reproduces_the_demos_published_numbers(seed_9):
    _, _, fwd, bwd = seed_9
    wrong = gradcheck.misordered_output_gradient(fwd.u_H, bwd.delta_O)
    np.testing.assert_allclose(wrong[:, 0], DW_O_MISORDERED, rtol=RTOL)
    assert not np.allclose(wrong, bwd.dW_O)


def test_one_step_with_the_misordered_gradient_gives_the_demos_published_loss(prepared, seed_9):
    W_H, W_O, fwd, bwd = seed_9
    wrong = gradcheck.misordered_output_gradient(fwd.u_H, bwd.delta_O)
    after = network.forward(prepared.X_train_aug, W_H - 0.01 * bwd.dW_H, W_O - 0.01 * wrong)
    np.testing.assert_allclose(network.loss(prepared.y_train, after.u_O), LOSS_AFTER_MISORDERED_STEP, rtol=RTOL)


def test_loss_after_one_correct_step_is_derived_independently_of_backward(prepared):
    # How: the gradient comes from centred differences of the loss (gradcheck.numerical_gradient
    # only calls forward and loss, never backward), the step W − η·∂L/∂W is taken here, and the
    # new loss is evaluated by the independent forward pass of tests/reference.py. Centred
    # differences are accurate to ~1e-10 relative, far below the 8 digits pinned.
    W_H, W_O = lecture_init(9)
    num = gradcheck.numerical_gradient(prepared.X_train_aug, prepared.y_train, W_H, W_O, eps=1e-6)
    after = ref.loss(prepared.X_train_aug, prepared.y_train, [W_H - 0.01 * num.dW_H, W_O - 0.01 * num.dW_O],
                     "sigmoid")
    np.testing.assert_allclose(after, LOSS_AFTER_CORRECT_STEP, rtol=RTOL)
    # ... and the same from the independent training loop.
    losses = lecture_train(prepared, [W_H, W_O], eta=0.01, epochs=1)
    np.testing.assert_allclose(losses[1, 0], LOSS_AFTER_CORRECT_STEP, rtol=RTOL)


def test_train_one_correct_step_from_seed_9_gives_the_derived_loss(prepared):
    history = training.train(prepared, seed=9, learning_rate=0.01, epochs=1)
    np.testing.assert_allclose(history.losses[0, 0], LOSS_SEED_9, rtol=RTOL)
    np.testing.assert_allclose(history.losses[1, 0], LOSS_AFTER_CORRECT_STEP, rtol=RTOL)
    assert history.losses[1, 0] < LOSS_AFTER_MISORDERED_STEP   # the correct step goes further down


def test_gradient_check_catches_the_misordered_gradient_and_passes_the_correct_one(prepared, seed_9):
    W_H, W_O, fwd, bwd = seed_9
    num = gradcheck.numerical_gradient(prepared.X_train_aug, prepared.y_train, W_H, W_O)
    wrong = gradcheck.misordered_output_gradient(fwd.u_H, bwd.delta_O)
    assert gradcheck.relative_error(wrong, num.dW_O).max() > 0.1
    assert gradcheck.relative_error(bwd.dW_O, num.dW_O).max() < 1e-6
    assert gradcheck.relative_error(bwd.dW_H, num.dW_H).max() < 1e-6


# ----- the default run: seed 321, η = 0.05, 1000 epochs ----------------------------------------

@pytest.fixture(scope="module")
def lecture_losses_seed_321(prepared):
    return lecture_train(prepared, lecture_init(321), eta=0.05, epochs=1000)


def test_default_run_first_loss_matches_spec(default_history):
    np.testing.assert_allclose(default_history.loss_train[0], FIRST_LOSS_SEED_321, rtol=RTOL)


def test_default_run_last_losses_match_the_plain_lecture_loop(default_history, lecture_losses_seed_321):
    np.testing.assert_allclose(default_history.losses, lecture_losses_seed_321, rtol=1e-9)
    np.testing.assert_allclose(default_history.loss_train[-1], lecture_losses_seed_321[999, 0], rtol=1e-9)
    np.testing.assert_allclose(default_history.losses[-1], lecture_losses_seed_321[1000], rtol=1e-9)


def test_default_run_last_losses_are_pinned(default_history, lecture_losses_seed_321):
    np.testing.assert_allclose(lecture_losses_seed_321[999, 0], LAST_LOSS_TRAIN_SEED_321, rtol=RTOL)
    np.testing.assert_allclose(lecture_losses_seed_321[1000], [FINAL_LOSS_TRAIN_SEED_321, FINAL_LOSS_TEST_SEED_321], rtol=RTOL)
    np.testing.assert_allclose(default_history.loss_train[-1], LAST_LOSS_TRAIN_SEED_321, rtol=RTOL)
    np.testing.assert_allclose(default_history.losses[-1, 0], FINAL_LOSS_TRAIN_SEED_321, rtol=RTOL)
    np.testing.assert_allclose(default_history.losses[-1, 1], FINAL_LOSS_TEST_SEED_321, rtol=RTOL)


# ----- the "Learning rate too high" preset: seed 321, η = 5 --------------------------------------

def test_divergence_epoch_at_eta_5_is_the_plain_lecture_loops(prepared):
    """The pages say "Training diverged at epoch 82" for ?lr=5. Derived here from the independent loop:
    the first epoch whose training loss (before its update) is not finite."""
    with np.errstate(all="ignore"):
        losses = lecture_train(prepared, lecture_init(321), eta=5.0, epochs=1000)
    first_bad = int(np.argmax(~np.isfinite(losses[:, 0])))
    assert not np.isfinite(losses[first_bad, 0]) and np.isfinite(losses[:first_bad, 0]).all()
    h = training.train(prepared, n_hidden=3, learning_rate=5.0, epochs=1000, seed=321)
    assert h.diverged_at == first_bad == 82
