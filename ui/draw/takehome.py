"""Take it home: this exact run as a Jupyter notebook, and the same run checked against scikit-learn."""

from __future__ import annotations

import streamlit as st

from core import crosscheck
from ui.draw import training as training_view
from ui.serve import cache
from ui.state.params import Settings
from ui.views import loss_charts, notebook


def run_spec(s: Settings, step_epoch: int = 0) -> notebook.RunSpec:
    """The settings (and an upload's table, embedded as CSV text) as a notebook's ``RunSpec``."""
    toy = (s.dataset, s.points, s.noise, s.dseed, s.inputs) if s.data == "toy" else None   # the notebook draws it
    ds = None if s.data == "income" or toy else cache.dataset(s)      # (the bundled table is not needed here)
    upload = None if ds is None or ds.bundled else notebook.table_csv(ds.table, (*s.features, s.target))
    return notebook.RunSpec(data_csv=upload, data_name=None if upload is None else ds.title, features=s.features,
                            target=s.target, test_size=s.test, split_seed=s.split, hidden=s.hidden, eta=s.eta,
                            epochs=cache.epochs_allowed(s), seed=s.seed, activation=s.activation,
                            batch_size=s.batch_size, weight_decay=s.weight_decay, drop_incomplete=s.drop,
                            step_epoch=step_epoch, task=s.task, toy=toy)


def notebook_button(s: Settings, step_epoch: int = 0, where=st) -> None:
    """A download of the run as a notebook that needs only numpy, pandas and altair (built when asked for)."""
    spec = run_spec(s, step_epoch)
    where.download_button(
        "This run as a Jupyter notebook", lambda: notebook.build_notebook(spec), file_name=notebook.file_name(spec),
        mime="application/x-ipynb+json", icon=":material/code:", on_click="ignore",
        help="The data, the split, the initial weights, one step by hand and the training loop in plain numpy: "
             "the same numbers as these pages, in a notebook you can run anywhere.")


def sklearn_panel(s: Settings, run: training_view.TrainingRun) -> None:
    """The same run trained by scikit-learn's MLPRegressor or MLPClassifier: both loss curves and how far apart."""
    name = crosscheck.estimator_name(s.loss)
    st.subheader("Check against scikit-learn")
    st.markdown(SKLEARN_INTRO[s.loss].format(name=name))
    if not st.toggle("Train it with scikit-learn too", key="sklearn", bind="query-params",
                     help="About half a second at the default settings; longer runs are compared over their "
                          "first epochs."):
        return
    c = cache.sklearn_check(s)
    (st.success if c.matches else st.info)(c.summary)
    if c.unsupported:
        return
    title = loss_charts.CROSS_ENTROPY_TITLE if s.classifies else loss_charts.LOSS_TITLE
    training_view.show(loss_charts.crosscheck_chart(c.epochs, c.loss_ours, c.loss_sklearn, run.look, title))
    st.caption(SKLEARN_CAPTION[s.loss])
    st.code(f"from sklearn.neural_network import {name}\n{c.sklearn_code}", language="python")


# What is the same and where the conventions differ, one text per loss.
SKLEARN_INTRO = {
    "squared": "Does a real library do what this app does? scikit-learn's `{name}` can train the same network "
               "from the same initial weights with plain gradient descent (no momentum, no shuffling of its own, "
               "the app's batches). Its loss is a *mean* where the lecture's is a *sum*, so its learning rate is "
               "η times the rows in a batch.",
    "cross_entropy": "Does a real library do what this app does? scikit-learn's `{name}` can train the same "
                     "network from the same initial weights with plain gradient descent (no momentum, no shuffling "
                     "of its own, the app's batches). Like the app it puts a sigmoid on the output for two classes "
                     "and softmax for three or more, and its δ_O is ŷ − y. Its log-loss is a *mean* over the batch "
                     "where the app's cross-entropy is a *sum*, so its learning rate is η times the rows in a batch "
                     "(and its weight decay α/(2·rows)·Σw² per batch, the same step). Every weight then agrees to "
                     "rounding.",
}
SKLEARN_CAPTION = {
    "squared": "Both curves are ½·Σ(y − ŷ)² over the training rows before each epoch's updates; where they agree "
               "the dashed line lies on the solid one.",
    "cross_entropy": "Both curves are the cross-entropy summed over the training rows before each epoch's updates; "
                     "where they agree the dashed line lies on the solid one. scikit-learn computes its loss from "
                     "probabilities clipped to 2.2e-16 … 1 − 2.2e-16, the app from z_O, so the two may part in the "
                     "last digits once the loss is about 1e-7 or less, although every step is the same.",
}
