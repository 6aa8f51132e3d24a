"""The classification payload the browser draws: its boundary grid is the network's own prediction,
its numbers are the accuracy and cross-entropy of each split, computed here independently."""

import base64

import numpy as np
import pytest

from core import training
from ui.state import toy
from ui.views import class_frames, classes


def run(dataset="moons", inputs=(), hidden=(3,), epochs=300, **kw):
    p = toy.prepared(dataset, kw.get("points", 120), 0.1, 0, inputs, 42, 0.5)
    h = training.train(p, hidden, 0.05, epochs, 321, kw.get("act", "sigmoid"), loss="cross_entropy",
                       stride=kw.get("stride", 1))
    return p, h


def by_hand(x1: float, x2: float, inputs, x_scale, weights, act: str) -> list[float]:
    """One point's probabilities, a plain loop: derived inputs, scaling, every layer, sigmoid or softmax."""
    extra = {"x1sq": x1 * x1, "x2sq": x2 * x2, "x1x2": x1 * x2, "sinx1": np.sin(x1), "sinx2": np.sin(x2)}
    a = [v / s for v, s in zip([x1, x2] + [extra[n] for n in inputs], x_scale)]
    g = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh, "relu": lambda z: max(z, 0.0)}[act]
    for k, W in enumerate(weights):
        z = [W[0, c] + sum(a[r] * W[r + 1, c] for r in range(len(a))) for c in range(W.shape[1])]
        a = [g(v) for v in z] if k < len(weights) - 1 else z
    if len(a) == 1:
        return [1 / (1 + np.exp(-a[0]))]
    e = np.exp(np.array(a) - max(a))
    return list(e / e.sum())


@pytest.mark.parametrize("dataset,inputs,hidden,act", [("moons", (), (3,), "sigmoid"),
                                                       ("circle", ("x1sq", "x2sq"), (), "sigmoid"),
                                                       ("three", ("sinx1", "x1x2"), (4, 3), "tanh")])
def test_the_boundary_grid_of_every_frame_is_the_networks_own_prediction(dataset, inputs, hidden, act):
    p, h = run(dataset, inputs, hidden, act=act)
    payload = class_frames.build(p, h, ["x1", "x2"])
    grid = class_frames.decode_grid(payload)
    b = payload["boundary"]
    rng = np.random.default_rng(0)
    for f in [0, len(payload["frames"]["epoch"]) // 2, -1]:
        weights = h.at(payload["frames"]["epoch"][f]).weights
        for _ in range(12):
            i, j = rng.integers(len(b["x1"])), rng.integers(len(b["x2"]))
            expected = by_hand(b["x1"][i], b["x2"][j], inputs, p.x_scale, weights, act)
            np.testing.assert_allclose(grid[f, j, i], expected, rtol=2e-6, atol=2e-7)


def test_the_plane_spans_every_row_and_the_points_carry_their_class_and_split():
    p, h = run()
    b = class_frames.build(p, h, ["x1", "x2"])["boundary"]
    X = np.vstack([p.to_original_X(p.X_train_aug), p.to_original_X(p.X_test_aug)])
    assert b["x1"][0] < X[:, 0].min() and b["x1"][-1] > X[:, 0].max()
    assert b["x2"][0] < X[:, 1].min() and b["x2"][-1] > X[:, 1].max()
    pts = np.frombuffer(base64.b64decode(b["points"]["x"]), dtype="<f4").reshape(-1, 2)
    np.testing.assert_allclose(pts, X, rtol=1e-6)
    truth = [int(v) for v in np.concatenate([p.y_train[:, 0], p.y_test[:, 0]])]
    assert b["points"]["class"] == truth and b["points"]["n_train"] == len(p.y_train)


def test_each_frames_numbers_are_accuracy_and_cross_entropy_per_row_of_each_split():
    p, h = run("three", epochs=200, stride=3)
    payload = class_frames.build(p, h, ["x1", "x2"])
    for f, epoch in enumerate(payload["frames"]["epoch"]):
        snap = h.at(epoch)
        expected = []
        for y, y_hat, loss in ((p.y_train, snap.y_hat_train, snap.loss_train), (p.y_test, snap.y_hat_test, snap.loss_test)):
            right = sum(int(np.argmax(a) == np.argmax(b)) for a, b in zip(y, y_hat))
            expected += [f"{100 * right / len(y):.1f} %", f"{loss / len(y):.4g}"]
        assert payload["frames"]["text"][f] == expected


def test_an_epoch_between_the_shipped_frames_is_exact():
    p, h = run(epochs=5000)
    payload = class_frames.build(p, h, ["x1", "x2"])
    epoch = next(e for e in range(h.last_epoch) if e not in payload["frames"]["epoch"])
    one = class_frames.one_frame(p, h, epoch)
    snap = h.at(epoch)
    grid = np.frombuffer(base64.b64decode(one["grid"]), dtype="<f4")
    x1, x2 = class_frames.plane(p)
    expected = by_hand(x1[5], x2[7], (), p.x_scale, snap.weights, "sigmoid")
    np.testing.assert_allclose(grid[7 * len(x1) + 5], expected[0], rtol=2e-6)
    assert one["text"][0] == f"{100 * np.mean((snap.y_hat_train > 0.5) == (p.y_train > 0.5)):.1f} %"
    # its dots on the loss chart are per row, as every shipped frame's (the chart's axis), not the sums
    assert np.allclose(one["loss"], [snap.loss_train / len(p.y_train), snap.loss_test / len(p.y_test)], rtol=1e-12)


def test_the_confusion_matrix_counts_every_row_once_by_true_and_predicted_class():
    y = np.eye(3)[[0, 0, 1, 2, 2, 2]]
    y_hat = np.eye(3)[[0, 1, 1, 2, 0, 2]] * 0.8 + 0.05
    table = classes.confusion(y, y_hat, ("a", "b", "c"))
    assert table.loc["true a"].tolist() == [1, 1, 0] and table.loc["true c"].tolist() == [1, 0, 2]
    assert list(table.columns) == ["predicted a", "predicted b", "predicted c"]
    two = classes.confusion(np.array([[0.0], [1.0], [1.0]]), np.array([[0.2], [0.9], [0.4]]), (0, 1))
    assert two.values.tolist() == [[1, 0], [1, 1]]


def test_the_sample_sentence_names_the_probability_and_the_verdict():
    said = classes.sample_sentence(3, np.array([0.83]), np.array([1.0]), ("no", "yes"))
    assert "σ(z_O)" in said and "0.83" in said and "**yes**" in said and "(right)" in said
    said = classes.sample_sentence(1, np.array([0.2, 0.5, 0.3]), np.array([1.0, 0, 0]), ("a", "b", "c"))
    assert "softmax" in said and "(wrong)" in said


def test_the_predictions_file_of_a_classification_run_names_each_rows_class_and_every_probability():
    import io

    import pandas as pd

    from ui.views import exports
    p, h = run("three", epochs=50)
    snap = h.at(50)
    table = pd.read_csv(io.StringIO(exports.predictions_csv(p, snap)))
    assert list(table.columns) == ["split", "row", "x1", "x2", "label", "predicted label", "probability of 0",
                                   "probability of 1", "probability of 2"]
    train = table[table.split == "training"]
    np.testing.assert_allclose(train[["probability of 0", "probability of 1", "probability of 2"]], snap.y_hat_train)
    assert (train.label == np.argmax(p.y_train, axis=1)).all()
    assert (train["predicted label"] == np.argmax(snap.y_hat_train, axis=1)).all()
    assert "softmax" in exports.weights_json(snap, p, {})
