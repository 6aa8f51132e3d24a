"""core.crosscheck for classification: scikit-learn's MLPClassifier, set up like the app, takes the
app's steps (two classes with a logistic output, three with softmax).

Its log-loss is a mean over the batch and the app's cross-entropy a sum, so its learning rate is
η × rows in the batch; where that holds, every weight agrees to rounding. The weights are compared
with ``core.training.train`` and with the independent plain loop of tests/reference.py; and a
deliberately wrong gradient in the app makes the check fail.
"""

import numpy as np
import pytest

from core import crosscheck, data, fast, training
from core.crosscheck import TOLERANCE
from tests import reference as ref

CE = "cross_entropy"


def toy_prepared(name, points=60):
    return data.prepare(data.toy(name, points, 0.1, 3), ("x1", "x2"), "label", task="classification")


@pytest.fixture(scope="module", params=["moons", "three"], ids=["two-classes", "three-classes"])
def classes(request):
    return toy_prepared(request.param)


def plain_weights(p, hidden, eta, epochs, seed, activation="sigmoid", batch_size=None, lam=0.0):
    """The weights after ``epochs`` epochs by the plain one-sample-at-a-time loop of tests/reference.py."""
    W = ref.init(seed, p.n_inputs, hidden, p.n_outputs)
    _, history, _ = ref.train(p.X_train_aug, p.y_train, p.X_test_aug, p.y_test, W, eta, epochs, activation,
                              batch_size, lam, seed, kind=CE)
    return history[-1]


@pytest.mark.parametrize("hidden, batch_size, lam, activation, eta", [
    ((3,), None, 0.0, "sigmoid", 0.02),
    ((3,), 7, 0.01, "sigmoid", 0.02),          # 30 rows: batches of 7, 7, 7, 7 and 2 (two learning rates)
    ((4, 3), 5, 0.0, "tanh", 0.01),
    ((), None, 0.001, "sigmoid", 0.05),        # no hidden layer: logistic or softmax regression
])
@pytest.mark.fast_sample(3)
def test_scikit_learn_ends_at_the_apps_weights_and_the_plain_loops(classes, hidden, batch_size, lam, activation, eta):
    epochs = 8
    theirs = crosscheck.sklearn_weights(classes, hidden, eta, epochs, 7, activation, batch_size, lam, CE)
    h = training.train(classes, hidden, eta, epochs, 7, activation, batch_size, lam, CE)
    plain = plain_weights(classes, hidden, eta, epochs, 7, activation, batch_size, lam)
    assert len(theirs) == len(h.weights) == len(plain) == len(hidden) + 1
    for mine, sk, pl in zip(h.weights, theirs, plain):
        assert sk.shape == pl.shape == mine[-1].shape
        np.testing.assert_allclose(sk, pl, rtol=0, atol=1e-10)
        np.testing.assert_allclose(mine[-1], pl, rtol=0, atol=1e-10)
        assert not np.allclose(pl, mine[0])        # training moved every layer


def test_two_classes_get_one_logistic_output_and_three_get_three_softmax_outputs():
    two, three = toy_prepared("moons"), toy_prepared("three")
    assert crosscheck.sklearn_weights(two, (3,), 0.02, 1, loss=CE)[-1].shape == (4, 1)
    W = crosscheck.sklearn_weights(three, (3,), 0.02, 1, loss=CE)[-1]
    assert W.shape == (4, 3)
    # softmax: ŷ of each row sums to 1 over the three outputs, which a logistic output would not
    u = ref.predict(three.X_train_aug, crosscheck.sklearn_weights(three, (3,), 0.02, 1, loss=CE), "sigmoid", CE)
    np.testing.assert_allclose(u.sum(axis=1), 1.0, rtol=1e-12)


@pytest.mark.parametrize("name", ["moons", "three"])
@pytest.mark.fast_sample(2)
def test_at_the_classification_defaults_the_loss_curves_agree_for_a_thousand_epochs(name):
    p = data.prepare(data.toy(name), ("x1", "x2"), "label", task="classification")
    c = crosscheck.crosscheck(p, (3,), 0.02, 1000, 321, loss=CE)
    assert c.matches, c.summary
    assert len(c.epochs) == 1001 and c.note is None
    h = training.train(p, 3, 0.02, 1000, 321, loss=CE)
    np.testing.assert_allclose(c.loss_ours, h.losses[:, 0], rtol=1e-15)
    W = ref.init(321, 2, (3,), p.n_outputs)
    assert c.loss_sklearn[0] == pytest.approx(ref.loss(p.X_train_aug, p.y_train, W, "sigmoid", CE), rel=1e-12)
    assert "MLPClassifier(" in c.sklearn_code and "learning_rate_init=0.02 * 100" in c.sklearn_code


def test_a_wrong_gradient_in_the_app_fails_the_check(monkeypatch):
    p = toy_prepared("moons")
    assert crosscheck.crosscheck(p, (3,), 0.02, 50, 5, loss=CE).matches
    right = fast.backward_into

    def bias_row_last(ws, y, weights, *args, **kwargs):   # the lecture demo's mistake, in the app's loop
        out = right(ws, y, weights, *args, **kwargs)
        ws.dW[-1][...] = np.roll(ws.dW[-1], -1, axis=-2)
        return out

    monkeypatch.setattr(fast, "backward_into", bias_row_last)
    c = crosscheck.crosscheck(p, (3,), 0.02, 50, 5, loss=CE)
    assert not c.matches and c.agree_until == 0 and c.restart_rel_diff > TOLERANCE
    assert "does not remove the difference" in c.summary
    wrong = training.train(p, 3, 0.02, 50, 5, loss=CE).weights[-1][-1]
    assert np.abs(wrong - crosscheck.sklearn_weights(p, (3,), 0.02, 50, 5, loss=CE)[-1]).max() > 1e-3


def test_an_activation_scikit_learn_lacks_names_the_classifier(monkeypatch):
    monkeypatch.delitem(crosscheck.SKLEARN_ACTIVATION, "relu")
    c = crosscheck.crosscheck(toy_prepared("moons"), activation="relu", loss=CE)
    assert c.unsupported.startswith("scikit-learn's MLPClassifier has no 'relu' activation")
    assert len(c.epochs) == 0


def test_a_loss_the_app_does_not_know_is_a_value_error():
    with pytest.raises(ValueError):
        crosscheck.crosscheck(toy_prepared("moons"), loss="hinge")
