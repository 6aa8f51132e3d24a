"""The gradient, pictured (ui.views.slope): the tangent's slope is backprop's entry, the plotted curve's
own centred difference agrees with it to 1e-6, and the arrow ends where one step of this weight alone
lands — each checked against the independent forward pass of tests/reference.py, for every activation,
depth, epoch, and on uploaded data. At the lecture's settings the picture frames the step and shows
the curve bend: both points in the window, a y range set by what the window shows, a visible bend."""

from __future__ import annotations

import io

import numpy as np
import pytest

from core import data, network, step, training
from tests import reference as ref
from ui.views import slope, style


def with_value(weights, k, i, c, value):
    out = [W.copy() for W in weights]
    out[k][i, c] = value
    return out


def upload():
    rng = np.random.default_rng(5)
    x1, x2, x3 = rng.uniform(1, 9, 40), rng.uniform(-3, 3, 40), rng.uniform(0, 100, 40)
    csv = "a,b,c,target\n" + "\n".join(f"{u},{v},{w},{u * v + w / 10}" for u, v, w in zip(x1, x2, x3))
    return data.prepare(data.read_table(io.BytesIO(csv.encode())), ("a", "b", "c"), "target")


CASES = [("bundled", (3,), "sigmoid", 0.01, 0, 9), ("bundled", (3,), "tanh", 0.05, 200, 321),
         ("bundled", (3,), "relu", 0.05, 40, 321), ("bundled", (8, 4), "sigmoid", 0.05, 100, 321),
         ("bundled", (4, 3, 2), "tanh", 0.01, 7, 3), ("upload", (5,), "sigmoid", 0.02, 30, 1)]


@pytest.mark.parametrize("source, hidden, activation, eta, epoch, seed", CASES)
@pytest.mark.parametrize("decay", [0.0, 0.01])
def test_tangent_centred_difference_and_step_agree_with_an_independent_forward_pass(source, hidden, activation,
                                                                                  eta, epoch, seed, decay):
    p = data.prepare(data.load_income()) if source == "bundled" else upload()
    h = training.train(p, n_hidden=hidden, learning_rate=eta, epochs=max(epoch, 1), seed=seed,
                       activation=activation, weight_decay=decay)
    weights = list(h.at(epoch).weights)
    s = step.gradient_step(p.X_train_aug, p.y_train, weights, eta, activation, decay)
    _, back = network.passes(p.X_train_aug, p.y_train, weights, activation, decay)
    names = slope.weight_names(s)

    def J(l, i, c, value):                  # the objective with one weight changed, by tests/reference.py
        return ref.objective(p.X_train_aug, p.y_train, with_value(weights, l, i, c, value), activation, decay)

    for name in (names[0], names[1], names[len(names) // 2], names[-1]):          # biases, inputs, the output
        pic = slope.picture(s, name)
        k, i, c = slope.locate(s, name)
        assert pic.slope == back.dW[k][i, c]                                        # backprop's entry
        w, eps = weights[k][i, c], 1e-6
        centred = (J(k, i, c, w + eps) - J(k, i, c, w - eps)) / (2 * eps)
        assert pic.numerical == pytest.approx(centred, rel=1e-6, abs=1e-8)
        assert pic.slope == pytest.approx(centred, rel=1e-6, abs=1e-7)             # the tangent is the curve's slope
        w_next = w - eta * back.dW[k][i, c]
        assert pic.w_next == pytest.approx(w_next, rel=1e-15)
        assert pic.J_next == pytest.approx(J(k, i, c, w_next), rel=1e-12)
        for curve in (c for c in (pic.curve, pic.zoom) if c is not None):     # the curve passes through w
            at_w = curve[curve.weight == w]
            assert len(at_w) == 1 and at_w.J.iloc[0] == pytest.approx(pic.J, rel=1e-12)
            assert curve.weight.min() <= min(w, w_next) and max(w, w_next) <= curve.weight.max()


def lecture_step(seed=9, eta=0.01):
    p = data.prepare(data.load_income())
    return step.gradient_step(p.X_train_aug, p.y_train, network.init_layers(2, (3,), 1, seed), eta)


def domain(spec: dict, channel: str) -> list[float]:
    [d] = {tuple(layer["encoding"][channel]["scale"]["domain"]) for layer in spec["layer"]
           if "scale" in layer["encoding"].get(channel, {}) and "domain" in layer["encoding"][channel]["scale"]}
    return list(d)


def panels(pic) -> list[tuple[dict, "pd.DataFrame"]]:
    """Each chart the picture draws, with the curve it plots: the bending window, and the zoom if any."""
    out = [(slope.chart(pic, False, style.PROJECTOR), pic.curve)]
    if pic.zoom is not None:
        out.append((slope.chart(pic, False, style.PROJECTOR, zoomed=True), pic.zoom))
    return out


def departure(pic, curve) -> float:
    """How far the curve leaves its tangent within the window: the bend a student can see."""
    return float(np.max(np.abs(curve.J - (pic.J + pic.slope * (curve.weight - pic.w)))))


LECTURE_WEIGHTS = ["W_H[1,1]", "W_O[0,1]", "W_H[0,1]", "W_H[0,2]", "W_O[2,1]", "W_H[2,3]"]   # biases: row 0


@pytest.mark.parametrize("seed, eta, name", [(9, 0.01, name) for name in LECTURE_WEIGHTS] +
                         [(321, 0.2, "W_O[0,1]"), (321, 0.05, "W_H[1,2]")])
def test_the_picture_frames_the_step_and_the_curve_visibly_bends(seed, eta, name):
    pic = slope.picture(lecture_step(seed, eta), name)
    lo_w, hi_w = sorted((pic.w, pic.w_next))
    for spec, curve in panels(pic):
        x, y = domain(spec, "x"), domain(spec, "y")
        assert x[0] <= lo_w and hi_w <= x[1]                                       # now and after the step
        assert x == [curve.weight.min(), curve.weight.max()]
        low, high = curve.J.min(), curve.J.max()                                    # y set by the window
        assert y[0] < low and high < y[1] and (y[1] - y[0]) <= 1.2 * (high - low)
        assert y[0] <= min(pic.J, pic.J_next) and max(pic.J, pic.J_next) <= y[1]
    spec, curve = panels(pic)[0]
    y = domain(spec, "y")
    assert departure(pic, curve) >= 0.10 * (y[1] - y[0]), "the curve looks like its tangent: no bend to see"
    spec, curve = panels(pic)[-1]                    # where the step is drawn: it is no dot
    x = domain(spec, "x")
    assert abs(pic.w_next - pic.w) >= (x[1] - x[0]) / 12
    labels = {layer["transform"][0]["filter"] for layer in spec["layer"] if layer.get("transform")}
    assert labels == {"datum.where == 'now'", "datum.where == 'after the step'"}         # both points labelled


def test_a_long_step_gets_no_axis_ten_times_taller_than_the_step():
    """At η = 0.2 from seed 321 the step on W_O[0,1] lands past the bottom: before, a window of 2.5 steps
    either side ran the loss axis to 200 while the step moved it by 6."""
    pic = slope.picture(lecture_step(321, 0.2), "W_O[0,1]")
    [(spec, curve)] = panels(pic)                     # the step itself shows the bend: one chart
    y = domain(spec, "y")
    assert y[1] - y[0] < 10 * max(abs(pic.J - pic.J_next), abs(pic.slope * (pic.w_next - pic.w)))
    assert pic.J_next > curve.J.min()                 # past the bottom of the curve


def test_at_the_lecture_settings_a_zoom_shows_the_step_the_curve_is_too_wide_for():
    pic = slope.picture(lecture_step(), "W_H[1,1]")
    assert pic.zoom is not None
    wide, zoom = pic.curve.weight.max() - pic.curve.weight.min(), pic.zoom.weight.max() - pic.zoom.weight.min()
    assert wide >= 8 * zoom
    assert zoom == pytest.approx(3 * abs(pic.w_next - pic.w))            # the step and one step either side
    spec = slope.chart(pic, False, style.PROJECTOR)
    [band] = spec["datasets"]["zoom"].itertuples()                      # the wide chart marks the zoomed window
    assert (band.lo, band.hi) == (pic.zoom.weight.min(), pic.zoom.weight.max())


def test_a_flat_slice_never_widens_without_end():
    """A weight into a ReLU unit that is off for every sample: the loss does not change along it."""
    p = data.prepare(data.load_income())
    weights = network.init_layers(2, (3,), 1, 9)
    weights[0][:, 1] = [-50.0, -1.0, -1.0]          # unit 2 is off for every sample: W_H[1,2] changes nothing
    s = step.gradient_step(p.X_train_aug, p.y_train, weights, 0.01, "relu")
    pic = slope.picture(s, "W_H[1,2]")
    assert pic.slope == 0 and pic.zoom is None
    assert pic.curve.weight.max() - pic.curve.weight.min() <= 1.0 + 1e-12
    spec = slope.chart(pic, False, style.PROJECTOR)
    y = domain(spec, "y")
    assert y[1] > y[0]


def test_the_chart_draws_the_curve_both_slopes_and_the_step():
    p = data.prepare(data.load_income())
    weights = network.init_layers(2, (3,), 1, 9)
    s = step.gradient_step(p.X_train_aug, p.y_train, weights, 0.01)
    pic = slope.picture(s, "W_H[1,1]")
    spec = slope.chart(pic, False, style.PROJECTOR)
    assert set(spec["datasets"]) == {"curve", "tangents", "step", "points", "zoom"}      # the zoomed window's band
    tangents = spec["datasets"]["tangents"]
    assert set(tangents.line) == {slope.TANGENT, slope.CENTRED}
    for _, line in tangents.groupby("line"):
        rise = np.diff(line.J.to_numpy())[0] / np.diff(line.weight.to_numpy())[0]
        assert rise == pytest.approx(pic.slope, rel=1e-6)
    assert spec["config"]["axis"]["labelFontSize"] == style.PROJECTOR.font
    zoomed = slope.chart(pic, False, style.PROJECTOR, zoomed=True)
    assert set(zoomed["datasets"]) == {"curve", "tangents", "step", "points"}
    assert zoomed["datasets"]["curve"].equals(pic.zoom.reset_index(drop=True))


def test_a_weight_that_is_not_there_is_refused():
    p = data.prepare(data.load_income())
    s = step.gradient_step(p.X_train_aug, p.y_train, network.init_layers(2, (3,), 1, 9), 0.01)
    for bad in ("W_H[9,1]", "W_H[1,0]", "W_X[1,1]", "nonsense"):
        with pytest.raises(ValueError):
            slope.locate(s, bad)
