"""Looks: a colour-blind-safe palette and chart sizes for laptop and projector (pure: no Streamlit).

The palette is Okabe & Ito's (2008), distinguishable with the common colour-vision deficiencies.
Wherever sign or data split matters, it is shown by a second channel too (dash, marker shape).
"""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt

BLUE = "#0072B2"
VERMILLION = "#D55E00"
ORANGE = "#E69F00"
SKY = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLACK = "#222222"
CHART_TEXT = "#3d3d3d"                           # axes, legends, titles: 10:1 on white
POSITIVE, NEGATIVE = BLUE, VERMILLION            # weights and gradients: sign = colour + dash
TRAIN, TEST = BLUE, VERMILLION                   # rows: colour + marker shape
TRAIN_SHAPE, TEST_SHAPE = "circle", "triangle-up"
SEQUENTIAL = "viridis"                           # colour-blind-safe, monotone in lightness
CLASS_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
                 "#999999", "#882255")       # Okabe–Ito, then two more: one colour per class (up to 10)


@dataclass(frozen=True)
class ChartStyle:
    """Sizes for charts; ``projector`` is larger everywhere."""

    font: int = 13
    title: int = 15
    line: float = 2.0
    point: int = 60
    height: int = 320
    floor: int = 0             # no chart text smaller than this (the projector's back row)

    def smaller(self, by: int) -> int:
        """A font ``by`` points under this style's, never under its floor."""
        return max(self.font - by, self.floor)

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
    ink = dict(labelColor=CHART_TEXT, titleColor=CHART_TEXT)      # Streamlit's theme greys them to ~3.7:1
    return (chart.configure_axis(labelFontSize=s.font, titleFontSize=s.font + 1, labelLimit=320, **ink)
            .configure_legend(labelFontSize=s.font, titleFontSize=s.font + 1, symbolSize=s.point * 1.5, **ink)
            .configure_title(fontSize=s.title, color=CHART_TEXT, subtitleColor=CHART_TEXT)
            .configure_header(labelFontSize=s.font, titleFontSize=s.font + 1, **ink)
            .configure_text(fontSize=s.font)
            .configure_view(strokeWidth=0))


NORMAL = ChartStyle()
PROJECTOR = ChartStyle(font=20, title=24, line=4.0, point=160, height=420, floor=20)


def chart_style(projector: bool) -> ChartStyle:
    return PROJECTOR if projector else NORMAL


alt.data_transformers.disable_max_rows()
