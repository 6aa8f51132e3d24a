"""ui.serve.arrow: chart data to Arrow; ui.draw.training converts a run's fixed frames once."""

import numpy as np
import pandas as pd
import pyarrow as pa

from core import data, training
from ui.draw import training as training_view
from ui.serve.arrow import arrow_bytes
from ui.serve.internals import streamlit_arrow_bytes
from ui.views import loss_charts
from ui.views.dataset import INCOME_TITLE, Dataset
from ui.state.params import Settings


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


def test_a_runs_fixed_frames_are_converted_once_and_per_epoch_frames_every_time(monkeypatch):
    p = data.prepare(data.load_income())
    h = training.train(p, n_hidden=3, learning_rate=0.05, epochs=50, seed=321)
    ds = Dataset("income", INCOME_TITLE, data.load_income(), data.FEATURES, data.TARGET, dict(data.UNITS))
    run = training_view.TrainingRun(Settings(epochs=50), ds, p, h)
    calls = []
    real = training_view.arrow_bytes
    monkeypatch.setattr(training_view, "arrow_bytes", lambda f: calls.append(len(f)) or real(f))
    for epoch in (10, 20):
        spec = loss_charts.loss_chart(run.losses, loss_charts.loss_cursor(h.losses, epoch), run.last)
        out = run.arrow(spec)
        assert set(out["datasets"]) == set(spec["datasets"])
        assert all(isinstance(b, bytes) for b in out["datasets"].values())
        assert read(out["datasets"]["cursor"]).epoch.tolist() == [epoch, epoch]
    # the loss curve (51 epochs x 2 splits) once; the part drawn so far, the cursor and the epoch
    # line at each epoch
    assert calls.count(len(run.losses)) == 1
    assert len(calls) == 1 + 2 * 3
