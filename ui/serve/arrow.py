"""Chart data straight to Arrow: the bytes ``st.vega_lite_chart`` sends to the browser."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from ui.serve.internals import streamlit_arrow_bytes


def arrow_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as Arrow IPC bytes.

    Number and text columns go straight to Arrow: Streamlit's general converter, which goes through
    the pandas metadata, takes about 1.4 ms per frame, this about 0.4 ms, and a Training view has
    a dozen frames. Any other column type takes Streamlit's way.
    """
    columns = {}
    try:
        for name in frame.columns:
            values = frame[name].to_numpy()
            if values.dtype.kind in "fiub":
                columns[str(name)] = pa.array(values, from_pandas=True)
            else:
                columns[str(name)] = pa.array(values.astype(object), type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError,
            TypeError, ValueError):
        return streamlit_arrow_bytes(frame)
    table = pa.table(columns)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()
