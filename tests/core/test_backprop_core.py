"""One step number by number (core.step): the lecture's numbers, per-sample terms, the update."""

from functools import lru_cache

import numpy as np
import pytest

from core import data, gradcheck, network, step, training

LR_CHOICES = (0.0001, 0.001, 0.01, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0)


@pytest.fixture(scope="module")
def prepared():
    return data.prepare(data.load_income())


@pytest.fixture(scope="module")
def lecture(prepared):
    W_H, W_O = network.init_weights(2, 3, 1, seed=9)
    return step.one_step(prepared.X_train_aug, prepared.y_train, W_H, W_O, 0.01, "sigmoid")


def test_the_lecture_step_has_the_spec_numbers(lecture):
    assert lecture.loss == pytest.approx(3.52260967, abs=1e-8)
    np.testing.assert_allclose(lecture.bwd.dW_H, [[-1.03990459, -3.12814644, -0.35050278],
                                                  [-0.88510364, -2.64996514, -0.296022],
                                                  [-0.76317137, -2.36740073, -0.26625607]], atol=1e-8)
    np.testing.assert_allclose(lecture.bwd.dW_O[:, 0], [-9.09566587, -2.19214132, -2.47487746, -1.39665172],
                               atol=1e-8)


def test_the_loss_after_the_lecture_step_is_2_44151428(lecture):
    assert lecture.loss_after == pytest.approx(2.44151428, abs=1e-8)
    assert lecture.change == pytest.approx(2.44151428 - 3.52260967, abs=1e-7)


def test_the_loss_after_the_step_agrees_with_a_step_along_the_numerical_gradient(prepared, lecture):
    num = gradcheck.numerical_gradient(lecture.X_aug, lecture.y, lecture.W_H, lecture.W_O)
    after = step.loss_after_step(lecture.X_aug, lecture.y, lecture.W_H, lecture.W_O, num.dW_H, num.dW_O, 0.01)
    assert after == pytest.approx(lecture.loss_after, abs=1e-8)


def test_the_demo_mistake_gives_the_published_wrong_loss(lecture):
    wrong = gradcheck.misordered_output_gradient(lecture.fwd.u_H, lecture.bwd.delta_O)
    after = step.loss_after_step(lecture.X_aug, lecture.y, lecture.W_H, lecture.W_O, lecture.bwd.dW_H, wrong, 0.01)
    assert after == pytest.approx(2.89056541, abs=1e-8)


def test_per_sample_terms_sum_to_the_loss_and_the_gradients(lecture):
    assert lecture.losses.shape == (15,)
    assert lecture.losses.sum() == pytest.approx(lecture.loss, rel=1e-12)
    assert lecture.dW_O_terms.shape == (15, 4, 1) and lecture.dW_H_terms.shape == (15, 3, 3)
    np.testing.assert_allclose(lecture.dW_O_terms.sum(axis=0), lecture.bwd.dW_O, rtol=1e-12)
    np.testing.assert_allclose(lecture.dW_H_terms.sum(axis=0), lecture.bwd.dW_H, rtol=1e-12)


def test_a_per_sample_term_is_delta_times_the_value_at_the_start_of_the_weight(lecture):
    n, i, j = 3, 1, 1                       # sample 4, input x₁, unit h₂ (code indices)
    assert lecture.dW_H_terms[n, i, j] == lecture.X_aug[n, i] * lecture.bwd.delta_H[n, j]
    assert lecture.dW_O_terms[n, 0, 0] == lecture.bwd.delta_O[n, 0]          # bias row: 1 · δ_O
    assert lecture.dW_O_terms[n, 2, 0] == lecture.fwd.u_H[n, 1] * lecture.bwd.delta_O[n, 0]


def test_g_prime_is_the_sigmoid_slope_and_the_hidden_delta_uses_it(lecture):
    u = lecture.fwd.u_H
    np.testing.assert_allclose(lecture.g_prime, u * (1 - u))
    np.testing.assert_allclose(lecture.bwd.delta_H, lecture.g_prime * lecture.bwd.delta_O * lecture.W_O[1:, 0])


def test_the_update_is_w_minus_eta_times_the_gradient(lecture):
    np.testing.assert_allclose(lecture.W_H_new, lecture.W_H - 0.01 * lecture.bwd.dW_H)
    np.testing.assert_allclose(lecture.W_O_new, lecture.W_O - 0.01 * lecture.bwd.dW_O)


def test_a_small_step_changes_the_loss_by_about_minus_eta_times_the_squared_gradient(lecture):
    assert lecture.predicted_change < 0
    small = step.loss_after_step(lecture.X_aug, lecture.y, lecture.W_H, lecture.W_O, lecture.bwd.dW_H,
                                 lecture.bwd.dW_O, 1e-5) - lecture.loss
    assert small == pytest.approx(1e-5 * lecture.predicted_change / 0.01, rel=1e-3)


@lru_cache
def strided_history(act):
    return training.train(data.prepare(data.load_income()), n_hidden=4, learning_rate=0.01, epochs=5000,
                          seed=3, activation=act, stride=5)


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("epoch", [0, 7, 1234])
def test_a_step_from_the_history_lands_on_the_next_epoch_of_the_history(prepared, act, epoch):
    h = strided_history(act)
    snap = h.at(epoch)
    s = step.one_step(prepared.X_train_aug, prepared.y_train, snap.W_H, snap.W_O, 0.01, act)
    assert s.loss == pytest.approx(h.losses[epoch, 0], rel=1e-12)
    assert s.loss_after == pytest.approx(h.losses[epoch + 1, 0], rel=1e-12)
    np.testing.assert_allclose(s.W_H_new, h.at(epoch + 1).W_H, rtol=1e-12, atol=1e-14)


def test_a_too_large_eta_raises_the_loss_and_a_smaller_one_is_found(prepared):
    W_H, W_O = network.init_weights(2, 3, 1, seed=321)
    s = step.one_step(prepared.X_train_aug, prepared.y_train, W_H, W_O, 5.0)
    assert s.change > 0 and s.predicted_change < 0
    eta = step.largest_lowering_eta(s, LR_CHOICES)
    assert eta is not None and eta < 5.0
    assert step.loss_after_step(s.X_aug, s.y, W_H, W_O, s.bwd.dW_H, s.bwd.dW_O, eta) < s.loss


def test_an_overflowing_step_reports_a_non_finite_loss_without_warnings(prepared):
    h = training.train(prepared, n_hidden=3, learning_rate=5.0, epochs=1000, seed=321)
    snap = h.at(h.last_epoch)
    s = step.one_step(prepared.X_train_aug, prepared.y_train, snap.W_H, snap.W_O, 5.0)
    assert np.isfinite(s.loss) and not np.isfinite(s.loss_after)
    assert step.largest_lowering_eta(s, (0.0001,)) in (None, 0.0001)
