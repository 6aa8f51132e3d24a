"""Looks: a colour-blind-safe palette, chart sizes for laptop and projector, projector-mode CSS.

The palette is Okabe & Ito's (2008), distinguishable with the common colour-vision deficiencies.
Wherever sign or data split matters, it is shown by a second channel too (dash, marker shape).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import altair as alt
import streamlit as st
from streamlit import dataframe_util

from ui import replay

BLUE = "#0072B2"
VERMILLION = "#D55E00"
ORANGE = "#E69F00"
SKY = "#56B4E9"
GREEN = "#009E73"
PURPLE = "#CC79A7"
YELLOW = "#F0E442"
GREY = "#777777"
BLACK = "#222222"
CATEGORICAL = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, YELLOW, BLACK)
POSITIVE, NEGATIVE = BLUE, VERMILLION            # weights and gradients: sign = colour + dash
TRAIN, TEST = BLUE, VERMILLION                   # rows: colour + marker shape
TRAIN_SHAPE, TEST_SHAPE = "circle", "triangle-up"
SEQUENTIAL = "viridis"                           # colour-blind-safe, monotone in lightness


@dataclass(frozen=True)
class ChartStyle:
    """Sizes for charts; ``projector`` is larger everywhere."""

    font: int = 13
    title: int = 15
    line: float = 2.0
    point: int = 60
    height: int = 320

    def apply(self, chart):
        """The chart with this style's fonts and sizes (a copy; ``chart`` is not changed).

        The configuration is built once on an empty chart and attached: calling ``configure_*`` on
        a large layered chart would copy all of its layers once per call.
        """
        if isinstance(chart, dict):                       # a Vega-Lite spec written by hand
            return {**chart, "config": self._config_dict()}
        styled = chart.copy(deep=False)
        styled.config = self._config()
        return styled

    def _config_dict(self) -> dict:
        key = ("dict", self)
        return _CONFIGS.get(key) or _CONFIGS.setdefault(key, self._config().to_dict())

    def _config(self):
        return _CONFIGS.get(self) or _CONFIGS.setdefault(self, _configured(alt.Chart(), self).config)


_CONFIGS: dict = {}


def _configured(chart, s: ChartStyle):
    return (chart.configure_axis(labelFontSize=s.font, titleFontSize=s.font + 1, labelLimit=320)
            .configure_legend(labelFontSize=s.font, titleFontSize=s.font + 1, symbolSize=s.point * 1.5)
            .configure_title(fontSize=s.title)
            .configure_header(labelFontSize=s.font, titleFontSize=s.font + 1)
            .configure_text(fontSize=s.font)
            .configure_view(strokeWidth=0))


NORMAL = ChartStyle()
PROJECTOR = ChartStyle(font=20, title=24, line=4.0, point=160, height=420)


def chart_style(projector: bool) -> ChartStyle:
    return PROJECTOR if projector else NORMAL


_PROJECTOR_CSS = """
<style>
html { font-size: 21px; }
[data-testid="stSidebar"] { min-width: 360px; }
.katex { font-size: 1.3em; }
[data-testid="stMetricValue"] { font-size: 2.4rem; }
[data-testid="stDataFrame"] * { font-size: 1rem; }
#vg-tooltip-element { font-size: 18px; }
#vg-tooltip-element td { padding: 2px 6px; }
</style>
"""


def apply_page_style(projector: bool) -> None:
    """Projector mode: larger base font (everything in rem scales with it) and larger equations."""
    if projector:
        # A fixed, app-written stylesheet: no user-supplied text ever reaches it.
        st.html(_PROJECTOR_CSS)


def side_by_side(spec, projector: bool) -> list:
    """Columns on a laptop (``spec`` as for ``st.columns``); one under the other in projector mode,
    where the page is narrow and the type large."""
    if projector:
        return [st.container() for _ in (range(spec) if isinstance(spec, int) else spec)]
    return st.columns(spec, gap="medium")


def vega_spec(chart, style: ChartStyle) -> dict:
    """An Altair chart's finished Vega-Lite spec with its data already in Arrow form.

    ``st.altair_chart`` validates and serialises the whole chart on every rerun (hundreds of ms
    for the network diagram); a spec made once can be drawn by ``st.vega_lite_chart`` in a few.
    """
    spec = style.apply(chart)
    spec = dict(spec) if isinstance(spec, dict) else spec.to_dict(validate=False)  # validated in tests
    spec["datasets"] = {name: dataframe_util.convert_anything_to_arrow_bytes(rows)
                        for name, rows in spec.get("datasets", {}).items()}
    return spec


@replay.shared(max_entries=256)
def _chart(builder: str, args: tuple, kwargs: dict, style: ChartStyle, key: str | None) -> None:
    module, name = builder.split(":")
    spec = vega_spec(getattr(importlib.import_module(module), name)(*args, **kwargs), style)
    st.vega_lite_chart(spec, width="stretch", key=key)


def show_chart(build, *args, style: ChartStyle, key: str | None = None, **kwargs) -> None:
    """Draw ``build(*args, **kwargs)`` (a pure, module-level chart builder) full width.

    The finished chart is recorded per builder and arguments and replayed (``ui.replay``), so a
    rerun that shows the same chart costs almost nothing. Only charts of the bundled data go in
    that cross-session cache; charts of a session's own upload are built for that session alone.
    """
    _chart(f"{build.__module__}:{build.__qualname__}", args, kwargs, style, key)


alt.data_transformers.disable_max_rows()
