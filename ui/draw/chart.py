"""Drawing a chart: a pure builder's spec, finished once and replayed to every student who asks again."""

from __future__ import annotations

import importlib

import streamlit as st

from ui.serve import internals, replay
from ui.views.style import ChartStyle


def vega_spec(chart, style: ChartStyle) -> dict:
    """An Altair chart's (or a Vega-Lite dict's) finished spec with its data already in Arrow form.

    ``st.altair_chart`` validates and serialises the whole chart on every rerun (hundreds of ms
    for the network diagram); a spec made once can be drawn by ``st.vega_lite_chart`` in a few.
    """
    spec = style.apply(chart)
    spec = dict(spec) if isinstance(spec, dict) else spec.to_dict(validate=False)  # validated in tests
    spec["datasets"] = {name: internals.streamlit_arrow_bytes(rows)
                        for name, rows in spec.get("datasets", {}).items()}
    return spec


@replay.shared(max_entries=256)
def _chart(builder: str, args: tuple, kwargs: dict, style: ChartStyle, key: str | None) -> None:
    module, name = builder.split(":")
    spec = vega_spec(getattr(importlib.import_module(module), name)(*args, **kwargs), style)
    st.vega_lite_chart(spec, width="stretch", key=key)


def show_chart(build, *args, style: ChartStyle, key: str | None = None, **kwargs) -> None:
    """Draw ``build(*args, **kwargs)`` (a pure, module-level chart builder) full width.

    The finished chart is recorded per builder and arguments and replayed (``ui.serve.replay``), so
    a rerun that shows the same chart costs almost nothing. Only charts of the bundled data go in
    that cross-session cache; charts of a session's own upload are built for that session alone.
    """
    _chart(f"{build.__module__}:{build.__qualname__}", args, kwargs, style, key)
