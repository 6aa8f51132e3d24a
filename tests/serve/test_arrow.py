"""ui.serve.arrow: chart data to Arrow as Streamlit would send it."""

import numpy as np
import pandas as pd
import pyarrow as pa

from ui.serve.arrow import arrow_bytes
from ui.serve.internals import streamlit_arrow_bytes


def read(b: bytes) -> pd.DataFrame:
    return pa.ipc.open_stream(b).read_all().to_pandas()


def test_numbers_and_text_arrive_as_streamlit_would_send_them():
    frame = pd.DataFrame({"epoch": np.arange(4, dtype=np.int32), "split": ["training", "test"] * 2,
                          "loss": [0.5, np.nan, 1e300, -0.0], "ok": [True, False, True, True]})
    ours, theirs = read(arrow_bytes(frame)), read(streamlit_arrow_bytes(frame))
    pd.testing.assert_frame_equal(ours, theirs.reset_index(drop=True), check_dtype=False)
    assert list(ours.columns) == ["epoch", "split", "loss", "ok"]


def test_other_column_types_take_streamlits_converter():
    frame = pd.DataFrame({"when": pd.to_datetime(["2026-01-01", "2026-01-02"]), "mixed": [1, "a"]})
    assert read(arrow_bytes(frame)).shape == (2, 2)

