"""The sidebar's toy data sets for classification: the controls, the prepared data, and the way back
when a setting cannot be used.

A toy set is drawn by ``core.data.toy`` from four settings (data set, points, noise, data seed), gets
the chosen derived inputs (``ui.views.derived``) and is split and scaled by ``core.data.prepare``. A
combination that cannot be split so that every class has training rows (20 points of three classes
with a test fraction of 0.8, say) gets one sentence, and the settings go back to the last that
worked (the defaults if none did).
"""

from __future__ import annotations

import functools
from typing import Any

import streamlit as st

from core import data
from ui.state import params
from ui.state.params import BY_NAME
from ui.views import derived

_WORKED = "_toy_worked"          # the toy settings (with split and test) that last prepared
NAMES = {"circle": "circle", "xor": "XOR", "gauss": "two Gaussians", "spiral": "spiral", "moons": "two moons",
         "three": "three classes"}
SPLIT = ("split", "test")


def table(dataset: str, points: int, noise: float, dseed: int, inputs: tuple[str, ...]):
    """The toy set with its derived inputs: columns x1, x2, the derived ones, label (rows 1 … points)."""
    return derived.with_derived(data.toy(dataset, points, noise, dseed), inputs)


@functools.lru_cache(maxsize=32)
def prepared(dataset: str, points: int, noise: float, dseed: int, inputs: tuple[str, ...],
             split: int, test: float) -> data.Prepared:
    """The toy set split (stratified) and scaled, shared by every session with these settings."""
    p = data.prepare(table(dataset, points, noise, dseed, inputs), derived.columns(inputs), derived.LABEL,
                     test_size=test, split_seed=split, task="classification")
    for a in (p.X_train_aug, p.X_test_aug, p.y_train, p.y_test, p.x_scale, p.y_scale, p.train_rows, p.test_rows):
        a.setflags(write=False)
    return p


def title(dataset: str, points: int, noise: float) -> str:
    return f"Toy data: {NAMES.get(dataset, dataset)}, {points:,} points, noise {noise:g}"


def controls(where, number_input, choice) -> dict[str, Any]:
    """The toy set's widgets in ``where``, each bound to its link key; their values by Python name.

    ``number_input`` and ``choice`` are the sidebar's own widget makers (float-typed whole numbers,
    select-sliders), so these widgets behave as the others do.
    """
    p = BY_NAME
    values: dict[str, Any] = {}
    ds = p["dataset"]
    values["dataset"] = where.selectbox(ds.label, ds.choices, index=ds.choices.index(ds.default), key=ds.key,
                                        bind="query-params", help=ds.help)
    values["points"] = number_input(where, p["points"])
    values["noise"] = float(choice(where, p["noise"]))
    values["dseed"] = number_input(where, p["dseed"])
    inp = p["inputs"]
    chosen = where.pills(inp.label, inp.choices, selection_mode="multi", key=inp.key, bind="query-params",
                         help=inp.help)
    values["inputs"] = tuple(c for c in inp.choices if c in (chosen or ()))
    return values


def check(values: dict[str, Any], pending: str, notice) -> None:
    """Prepare the toy set of ``values`` (Python names, with split and test); when it cannot be
    prepared, say why in one sentence and go back to the settings that last worked (a rerun)."""
    key = tuple(values[n] for n in (*params.TOY, *SPLIT))
    try:
        prepared(*key)
    except data.DataError as exc:
        worked = st.session_state.get(_WORKED) or tuple(BY_NAME[n].default for n in (*params.TOY, *SPLIT))
        notice("warning", f"These data settings cannot be used: {exc} The app went back to the last data "
                          "settings that worked.")
        back = dict(zip((*params.TOY, *SPLIT), worked))
        st.session_state[pending] = {BY_NAME[n].key: widget_value(n, v) for n, v in back.items()}
        st.rerun()
    st.session_state[_WORKED] = key


def widget_value(name: str, value):
    """A setting as its widget holds it (whole numbers are float-typed boxes, inputs a list)."""
    if name in ("points", "dseed", "split"):
        return float(value)
    if name == "inputs":
        return list(value)
    return value
