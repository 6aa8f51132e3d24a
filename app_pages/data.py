"""Data: what the network is asked to learn, and the scaled numbers it will actually see."""

import numpy as np
import streamlit as st

from core.graph import sub
from ui.draw import page
from ui.draw.chart import show_chart
from ui.draw.layout import side_by_side
from ui.draw.matrix import show_data, show_matrix
from ui.serve import cache, replay
from ui.state.params import Settings
from ui.views import data_charts, numbers, style, tables
from ui.views.safe import md

s = page.header(
    "Data",
    "Watch a small neural network learn, number by number. In lesson order: **Data** (what it must "
    "learn) → **Network** (what it is) → **Backprop step by step** → **Training & results**.",
)


@replay.shared(max_entries=32)
def page_body(data_key: tuple, projector: bool, _s: Settings) -> None:
    """Everything below the title. ``data_key`` and ``projector`` decide all of it: one student draws
    it and every other student with the same split is sent the same elements (``ui.serve.replay``)."""
    s = _s
    assert s.data_key() == data_key and s.projector == projector, "the key must describe _s"
    ds, p = cache.dataset(s), cache.prepared(s)
    sty = style.chart_style(s.projector)
    look = dict(digits=numbers.digits_for(projector), projector=projector)
    columns = [*p.features, p.target]
    labels = {c: ds.label(c) for c in columns}
    inputs = ", ".join(f"x{sub(i)} = {md(f)}" for i, f in enumerate(p.features, start=1))
    classes = [str(c) for c in p.classes] if p.classes else None
    what = (f"the class y = {md(p.target)}, one of {len(classes)}: {md(', '.join(classes), 200)}" if classes
            else f"y = {md(p.target)}")
    st.markdown(
        f"Each of the {len(ds.table)} rows is one example: from the inputs {inputs} the network must "
        f"predict {what}. Below: the rows, their split into training and test rows, and the "
        "scaled numbers the network actually sees."
    )
    frame = data_charts.rows_frame(ds.table, p.features, p.target, p.train_rows, classes=bool(classes))
    titles = {data_charts.feature_field(i): labels[f] for i, f in enumerate(p.features, start=1)}
    titles["y"] = labels[p.target]
    # On a projector the first screen shows the picture and the numbers side by side.
    chart_box, table_box = st.columns([1.15, 1], gap="medium") if projector else (st.container(), st.container())
    with table_box:
        st.header("The table", divider="gray")
        show_data(ds.table, columns, labels, p.train_rows, ds.title, projector, bool(classes))
    with chart_box:
        st.header("What the network must learn", divider="gray")
        main, side = side_by_side([3, 2], projector) if p.n_inputs >= 2 and not classes else (st.container(), None)
        with main:
            show_chart(data_charts.feature_scatter, frame, titles, sty, classes, style=sty)
    if side is not None:      # the target against each feature: stacked beside, or two a row below
        per_row = 2 if s.projector else 1
        height = int(sty.height * (0.8 if s.projector else 1.3 / p.n_inputs))
        for first in range(1, p.n_inputs + 1, per_row):
            for col, i in zip(side.columns(per_row), range(first, min(first + per_row, p.n_inputs + 1))):
                with col:
                    show_chart(data_charts.target_vs_feature, frame, i, titles, sty, height, style=sty)
    chart_box.caption(("Colour = the class" if classes else "Colour = the target (dark = low, yellow = high)") +
                      "; circle = training row, triangle = test row. Hover over or tap a point for all its values.")

    st.header("The split", divider="gray")
    n_train, n_test = len(p.train_rows), len(p.test_rows)
    stratify = ", stratify=y" if classes else ""
    st.markdown(
        f"`train_test_split(X, y, test_size={s.test:g}, random_state={s.split}{stratify})` puts "
        f"**N = {n_train}** rows in the training set and **{n_test}** in the test set. The network "
        "learns from the training rows only; the test rows show whether what it learned carries over "
        "to examples it has never seen. (Split seed and test fraction: *Advanced*, in the sidebar.)"
        + (" The split is *stratified*: each class keeps its share of the rows in both sets." if classes else "")
    )
    c1, c2 = st.columns(2)
    c1.metric("Training rows", n_train)
    c2.metric("Test rows", n_test)
    c1.markdown("Training rows: " + ", ".join(str(r) for r in sorted(p.train_rows.tolist())))
    c2.markdown("Test rows: " + ", ".join(str(r) for r in sorted(p.test_rows.tolist())))

    st.header("Scaling", divider="gray")
    if classes:
        st.markdown("Every input is divided by its largest absolute value **in the training rows**, so that all "
                    "training inputs lie between −1 and 1. The class is not scaled: " + (
                        f"y = 1 means {md(classes[1])}, y = 0 means {md(classes[0])}." if len(classes) == 2 else
                        f"y is one-hot, a row of {len(classes)} numbers with a 1 in the column of its class."))
        st.latex(r"x_{n,i} \;\leftarrow\; \frac{x_{n,i}}{\max_{\text{training rows}} |x_{i}|}")
    else:
        st.markdown("Every input and the target are divided by their largest absolute value **in the "
                    "training rows**, so that all training numbers lie between −1 and 1:")
        st.latex(r"x_{n,i} \;\leftarrow\; \frac{x_{n,i}}{\max_{\text{training rows}} |x_{i}|}, \qquad "
                 r"y_n \;\leftarrow\; \frac{y_n}{\max_{\text{training rows}} |y|}")
    scaled = list(p.features) if classes else columns
    st.markdown(f"**The {len(scaled)} maxima, taken from the training rows only:**")
    maxima = st.container(horizontal=True)
    for name, scale in zip(scaled, [*p.x_scale, *p.y_scale]):
        maxima.metric(md(labels[name]), f"{scale:.8g}", help="The largest absolute value in the training rows.")
    y_labels = tables.output_labels(p.n_outputs)
    left, right = st.columns([2, 1] if s.projector else [3, 1], gap="medium")
    with left:
        show_matrix(p.X_train_aug, tables.sample_labels(p.train_rows), tables.input_labels(p.n_inputs),
                           f"X_train_aug {tables.dims(p.X_train_aug)}: the scaled training inputs, with the "
                           "column of ones x₀ first", **look)
    with right:
        show_matrix(p.y_train, tables.sample_labels(p.train_rows), y_labels, f"y_train {tables.dims(p.y_train)}", **look)
    row, first = p.train_rows[0], p.X_train_aug[0]
    steps = [f"{md(f)} {v:g} ÷ {scale:.8g} = **{x:.8f}**" for f, v, scale, x
             in zip(p.features, ds.table.loc[row, list(p.features)], p.x_scale, first[1:])]
    st.markdown(f"The first training row is data row {row}: {', '.join(steps)}, so the network sees "
                f"x = [{', '.join(f'{v:.8f}'.rstrip('0').rstrip('.') for v in first)}].")
    left, right = st.columns([2, 1] if s.projector else [3, 1], gap="medium")
    with left:
        show_matrix(p.X_test_aug, tables.sample_labels(p.test_rows), tables.input_labels(p.n_inputs),
                           f"X_test_aug {tables.dims(p.X_test_aug)}: the test inputs, scaled by the training "
                           "maxima",
                           highlight=np.abs(p.X_test_aug) > 1, **look)
    with right:
        show_matrix(p.y_test, tables.sample_labels(p.test_rows), y_labels, f"y_test {tables.dims(p.y_test)}",
                           highlight=np.abs(p.y_test) > 1, **look)
    hits = data_charts.above_one(p.X_test_aug, p.y_test[:, :0] if classes else p.y_test, p.test_rows, p.features,
                                 p.target)
    if len(hits):
        listed = "; ".join(f"row {r}: {md(c)} = **{v:.8f}**" for r, c, v in zip(hits.row, hits.column, hits.value))
        st.info(   # an info box, not a warning: warnings on this app are about a broken link or run
            f"**{len(hits)} test value{'s are' if len(hits) > 1 else ' is'} above 1** (highlighted): "
            f"{listed}. That is expected: the maxima come from the training rows only, as if the test "
            "rows arrived after training, so a test example can lie outside the range seen in training. "
            "The network must then extrapolate a little.", icon=":material/priority_high:")
    else:
        st.markdown(":material/check: No test value is above 1 with this split: every test row lies "
                    "inside the range of the training rows. With another split seed or test fraction that "
                    "can change, because the maxima come from the training rows only.")

    st.header("Shapes", divider="gray")
    n_in, n_all = p.n_inputs, n_train + n_test
    st.markdown(
        "| | before augmentation | after augmentation (column of ones first) |\n|---|---|---|\n"
        f"| all inputs `X`, all targets `y` | ({n_all}, {n_in}), ({n_all}, {p.n_outputs}) | (split first) |\n"
        f"| training inputs `X_train` → `X_train_aug` | ({n_train}, {n_in}) | ({n_train}, {n_in + 1}) |\n"
        f"| test inputs `X_test` → `X_test_aug` | ({n_test}, {n_in}) | ({n_test}, {n_in + 1}) |\n"
        f"| training targets `y_train` | ({n_train}, {p.n_outputs}) | unchanged |\n"
        f"| test targets `y_test` | ({n_test}, {p.n_outputs}) | unchanged |"
    )
    st.latex(r"X_{\text{aug}} = \begin{bmatrix} \mathbf{1} & X \end{bmatrix}"
             r"\quad\text{(the bias is an input that is always 1)}")


page_body(s.data_key(), s.projector, s)
page.next_page()
