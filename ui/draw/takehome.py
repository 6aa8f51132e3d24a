"""Take it home: this exact run as a Jupyter notebook, and the same run checked against scikit-learn."""

from __future__ import annotations

import streamlit as st

from ui.draw import training as training_view
from ui.serve import cache
from ui.state.params import Settings
from ui.views import loss_charts, notebook


def run_spec(s: Settings, step_epoch: int = 0) -> notebook.RunSpec:
    """The settings (and an upload's table, embedded as CSV text) as a notebook's ``RunSpec``."""
    ds = None if s.data == "income" else cache.dataset(s)      # (the bundled table is not needed here)
    upload = None if ds is None or ds.bundled else notebook.table_csv(ds.table, (*s.features, s.target))
    return notebook.RunSpec(data_csv=upload, data_name=None if upload is None else ds.title, features=s.features,
                            target=s.target, test_size=s.test, split_seed=s.split, hidden=s.hidden, eta=s.eta,
                            epochs=cache.epochs_allowed(s), seed=s.seed, activation=s.activation,
                            batch_size=s.batch_size, weight_decay=s.weight_decay, drop_incomplete=s.drop,
                            step_epoch=step_epoch)


def notebook_button(s: Settings, step_epoch: int = 0, where=st) -> None:
    """A download of the run as a notebook that needs only numpy, pandas and altair (built when asked for)."""
    spec = run_spec(s, step_epoch)
    where.download_button(
        "This run as a Jupyter notebook", lambda: notebook.build_notebook(spec), file_name=notebook.file_name(spec),
        mime="application/x-ipynb+json", icon=":material/code:", on_click="ignore",
        help="The data, the split, the initial weights, one step by hand and the training loop in plain numpy: "
             "the same numbers as these pages, in a notebook you can run anywhere.")


def sklearn_panel(s: Settings, run: training_view.TrainingRun) -> None:
    """The same run trained by scikit-learn's MLPRegressor: both loss curves and how far apart they are."""
    st.subheader("Check against scikit-learn")
    st.markdown("Does a real library do what this app does? scikit-learn's `MLPRegressor` can train the same "
                "network from the same initial weights with plain gradient descent (no momentum, no shuffling of "
                "its own, the app's batches). Its loss is a *mean* where the lecture's is a *sum*, so its "
                "learning rate is η times the rows in a batch.")
    if not st.toggle("Train it with scikit-learn too", key="sklearn", bind="query-params",
                     help="About half a second at the lecture's settings; longer runs are compared over their "
                          "first epochs."):
        return
    c = cache.sklearn_check(s)
    (st.success if c.matches else st.info)(c.summary)
    if c.unsupported:
        return
    training_view.show(loss_charts.crosscheck_chart(c.epochs, c.loss_ours, c.loss_sklearn, run.look))
    st.caption("Both curves are ½·Σ(y − ŷ)² over the training rows before each epoch's updates; where they agree "
               "the dashed line lies on the solid one.")
    st.code(f"from sklearn.neural_network import MLPRegressor\n{c.sklearn_code}", language="python")
