"""What each hidden unit learned, as pure data: every unit's map holds its own output u, computed here
again by a plain loop, over the same plane as the decision boundary."""

import math

import numpy as np
import pandas as pd

from core import network
from ui.state import toy
from ui.views import unit_maps


def test_every_cell_of_every_map_is_that_units_output_there():
    p = toy.prepared("circle", 80, 0.1, 1, ("x1sq", "x2sq"), 42, 0.5)
    weights = network.init_layers(p.n_inputs, (3, 2), p.n_outputs, 5)
    table = unit_maps.frame(p, weights, "tanh")
    assert list(pd.unique(table.unit)) == ["hᴴ¹₁", "hᴴ¹₂", "hᴴ¹₃", "hᴴ²₁", "hᴴ²₂"]
    assert len(table) == 5 * unit_maps.CELLS ** 2
    for row in table.sample(25, random_state=0).itertuples():
        x1, x2 = row.x1, row.x2
        a = [v / s for v, s in zip([x1, x2, x1 * x1, x2 * x2], p.x_scale)]
        outputs = []
        for W in weights[:-1]:
            a = [math.tanh(W[0, c] + sum(a[r] * W[r + 1, c] for r in range(len(a)))) for c in range(W.shape[1])]
            outputs += a
        assert math.isclose(row.u, outputs[row.order], rel_tol=1e-9, abs_tol=1e-12)


def test_the_chart_is_one_small_map_per_unit_with_a_shared_colour_scale():
    p = toy.prepared("moons", 60, 0.1, 0, (), 42, 0.5)
    weights = network.init_layers(2, (4,), 1, 3)
    spec = unit_maps.maps(p, weights, "sigmoid", ("x1", "x2"))
    assert spec["facet"]["field"] == "unit" and spec["resolve"]["scale"]["color"] == "shared"
    assert spec["spec"]["encoding"]["color"]["scale"]["domain"] == [0.0, 1.0]
    data = spec["datasets"]["units"]
    assert sorted(pd.unique(data.unit)) == ["h₁", "h₂", "h₃", "h₄"] and data.u.between(0, 1).all()
    assert (data.x1_end > data.x1).all() and np.isclose((data.x1_end - data.x1).iloc[0],
                                                         np.diff(np.unique(data.x1))[0])
