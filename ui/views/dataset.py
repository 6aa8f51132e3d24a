"""The table the app is working on, and which of its columns are features and target."""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

INCOME_TITLE = "Income2 (James et al., ISLR, 2013)"


class Dataset(NamedTuple):
    """A data set in use. Column names of an uploaded file are user text: show them with
    ``st.dataframe``/``st.text``, in charts, or through ``ui.views.safe.md`` — never raw in
    Markdown or LaTeX.
    """

    key: str                      # "income", or an id of the uploaded file
    title: str
    table: pd.DataFrame
    features: tuple[str, ...]
    target: str
    units: dict

    @property
    def bundled(self) -> bool:
        return self.key == "income"

    def label(self, column: str) -> str:
        """Column name with its unit, e.g. "Income ($1000s)"."""
        unit = self.units.get(column)
        return f"{column} ({unit})" if unit else str(column)
