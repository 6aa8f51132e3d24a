"""ui.serve.replay: what every student shares is drawn once and replayed; an upload is never shared."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.helpers import PAGES, component_data, no_exception, open_app
from ui.serve import cache
from tests.app.test_data_page import matrix
from tests.core import test_reference_numbers as ref

CALLS: list[tuple] = []          # what the drawing function below was really run with


def replay_app(data: str, value: float, note: str):
    """An app that draws a shared table twice (in a column, then below) with the given settings."""
    import pandas as pd
    import streamlit as st

    from tests.serve import test_replay
    from ui.serve import replay
    from ui.state import params, sidebar

    @replay.shared(max_entries=8)
    def draw(frame, label, _note):
        test_replay.CALLS.append((label, _note))
        st.dataframe(frame)
        st.caption(f"{label} {_note}")

    st.session_state[sidebar._CURRENT] = params.Settings(data=data)
    left, _ = st.columns(2)
    with left:
        draw(pd.DataFrame({"v": [value]}), "in a column", note)
    draw(pd.DataFrame({"v": [value]}), "below", note)
    st.markdown("end")


def nested_app(label: str):
    """A shared function that draws another shared function into a column it made."""
    import streamlit as st

    from tests.serve import test_replay
    from ui.serve import replay

    @replay.shared(max_entries=8)
    def inner(text):
        test_replay.CALLS.append(("inner", text))
        st.caption(text)

    @replay.shared(max_entries=8)
    def outer(text):
        test_replay.CALLS.append(("outer", text))
        _, right = st.columns(2)
        with right:
            inner(text)
        st.markdown("after the columns")

    inner("alone")              # recorded on its own first, at the top level
    outer(label)


def _script(data: str, value: float, note: str) -> AppTest:
    return AppTest.from_function(replay_app, args=(data, value, note), default_timeout=30)


@pytest.fixture(autouse=True)
def fresh():
    CALLS.clear()
    cache.clear()
    yield
    cache.clear()


def layout(node, depth: int = 0) -> list[str]:
    """The page as an indented outline of element and container types: where everything sits."""
    lines = []
    for child in getattr(node, "children", {}).values():
        lines.append("  " * depth + type(child).__name__)
        lines += layout(child, depth + 1)
    return lines


def shown(at: AppTest) -> list:
    return [(c.value, float(d.value["v"].iloc[0])) for c, d in zip(at.caption, at.dataframe)]


def test_a_second_session_gets_the_elements_without_running_the_function():
    first = _script("income", 1.5, "first")
    first.run()
    no_exception(first)
    assert CALLS == [("in a column", "first"), ("below", "first")]
    second = _script("income", 1.5, "second")          # another student, same arguments
    second.run()
    no_exception(second)
    assert CALLS == [("in a column", "first"), ("below", "first")], "ran again instead of replaying"
    # The recorded elements, in the same places: one inside the column, one in the main area.
    assert shown(second) == shown(first) == [("in a column first", 1.5), ("below first", 1.5)]
    assert len(second.columns[0].dataframe) == 1
    assert layout(second.main) == layout(first.main)
    assert [m.value for m in second.markdown] == ["end"]


def test_a_shared_function_inside_another_keeps_its_place_on_replay():
    runs = [AppTest.from_function(nested_app, args=("alone",), default_timeout=30) for _ in range(2)]
    for at in runs:
        at.run()
        no_exception(at)
    first, second = runs
    assert layout(second.main) == layout(first.main)
    assert [c.value for c in second.columns[1].caption] == ["alone"]
    assert [m.value for m in second.markdown] == ["after the columns"]
    assert CALLS == [("inner", "alone"), ("outer", "alone"), ("inner", "alone")]   # then all replayed


def test_other_arguments_draw_again():
    _script("income", 1.5, "a").run()
    at = _script("income", 2.5, "b")
    at.run()
    assert shown(at) == [("in a column b", 2.5), ("below b", 2.5)]
    assert len(CALLS) == 4


def test_an_upload_is_never_recorded():
    for note in ("first", "second"):
        at = _script("upload-1234", 1.5, note)
        at.run()
        no_exception(at)
        assert shown(at) == [(f"in a column {note}", 1.5), (f"below {note}", 1.5)]
    assert len(CALLS) == 4


@pytest.mark.parametrize("link", [{"seed": "9", "lr": "0.01"}, {"projector": "true", "hidden": "32"}])
@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.fast_sample(3)
def test_a_replayed_page_shows_what_the_first_run_drew(page, link):
    """Every page, opened by a second student, shows the same tables, captions and charts, in the
    same places."""
    cache.clear()
    first = open_app(page, link)
    second = open_app(page, link)
    for at in (first, second):
        no_exception(at)

    def content(at):
        return ([c.value for c in at.caption], [m.value for m in at.markdown],
                [f"{m.label} {m.value}" for m in at.metric],
                [d.value.to_csv() for d in at.dataframe],
                [(c.proto.spec, [(d.name, d.data.data) for d in c.proto.datasets])
                 for c in at.get("vega_lite_chart")], [c.proto.json for c in at.get("bidi_component")])

    assert content(second) == content(first)
    assert layout(second.main) == layout(first.main), "an element left its column or container"
    assert len(first.dataframe) + len(first.get("vega_lite_chart")) + len(first.get("bidi_component")) > 0


@pytest.mark.parametrize("page,before,after", [
    ("backprop", {"seed": "9", "lr": "0.01"}, {"seed": "9", "lr": "0.01", "step": "4", "sample": "3", "epoch": "10"}),
    ("backprop", {"seed": "9", "mistake": "true"}, {"seed": "9", "mistake": "false", "all": "true"}),
    ("training", {}, {"epoch": "500"}),
    ("network", {"hidden": "5"}, {"hidden": "5", "epoch": "20"}),
    ("data", {"split": "7"}, {"split": "7", "projector": "true", "seed": "1"}),
])
@pytest.mark.fast_sample(2)
def test_what_the_cache_holds_never_shows_through_a_different_view(page, before, after):
    """A student on ``after``, once another has filled the cache on ``before``, sees exactly what
    they would see with an empty cache: nothing recorded for one view leaks into another."""
    cache.clear()
    open_app(page, before)
    warm = open_app(page, after)
    cache.clear()
    cold = open_app(page, after)
    for at in (warm, cold):
        no_exception(at)

    def content(at):
        return ([c.value for c in at.caption], [m.value for m in at.markdown], [l.value for l in at.latex],
                [f"{m.label} {m.value}" for m in at.metric], [d.value.to_csv() for d in at.dataframe],
                [(c.proto.spec, [(d.name, d.data.data) for d in c.proto.datasets])
                 for c in at.get("vega_lite_chart")], [c.proto.json for c in at.get("bidi_component")],
                layout(at.main))

    assert content(warm) == content(cold)


def second_visit(page: str, link: dict) -> AppTest:
    """The page as the second student to open ``link`` sees it: replayed from the shared cache."""
    cache.clear()
    open_app(page, link)
    at = open_app(page, link)
    no_exception(at)
    return at


def metric(at: AppTest, label: str) -> float:
    [m] = [m for m in at.metric if m.label == label or m.label.startswith(label + " (")]
    return float(m.value.replace(",", ""))


def test_a_second_student_reads_the_lecture_numbers_on_every_page():
    """The replayed views carry the reference numbers of docs/core-api.md, and those derived in
    tests/core/test_reference_numbers.py from the plain lecture loop, not this app's output."""
    tight = dict(rel=5e-8, abs=5e-9)
    at = second_visit("data", {})
    assert matrix(at, "X_train_aug").iloc[0].tolist() == pytest.approx(ref.X_TRAIN_AUG_0, **tight)
    assert matrix(at, "X_test_aug").iloc[7].tolist() == pytest.approx(ref.X_TEST_AUG_7, **tight)

    at = second_visit("network", {"seed": "9", "epoch": "0"})
    assert at.dataframe[0].value.to_numpy()[0] == pytest.approx(ref.W_H_0, rel=5e-8)
    assert at.dataframe[1].value.to_numpy().ravel() == pytest.approx(ref.W_O_SEED_9, rel=5e-8)
    assert metric(at, "Training loss L") == pytest.approx(ref.LOSS_SEED_9, rel=1e-6)

    at = second_visit("backprop", {"seed": "9", "lr": "0.01", "epoch": "0", "mistake": "true"})
    [status] = [m.value for m in at.markdown if m.value.startswith("Loss L at epoch 0:")]
    before, after = (float(x) for x in re.findall(r"\*\*([0-9.]+)\*\*", status)[:2])
    assert before == pytest.approx(ref.LOSS_SEED_9, rel=5e-8)
    assert after == pytest.approx(ref.LOSS_AFTER_CORRECT_STEP, rel=5e-8)
    assert metric(at, "Loss after a step with the demo's gradient") == \
        pytest.approx(ref.LOSS_AFTER_MISORDERED_STEP, rel=5e-8)
    assert metric(at, "Loss after a step with the correct gradient") == \
        pytest.approx(ref.LOSS_AFTER_CORRECT_STEP, rel=5e-8)
    [check] = [d.value for d in at.dataframe if "numerical ∂L/∂w" in d.value.columns]
    w_o = check[check.weight.str.startswith("W_O")].sort_values("weight")
    assert w_o["numerical ∂L/∂w"].tolist() == pytest.approx(ref.DW_O_SEED_9, rel=1e-6)
    assert w_o["backprop ∂L/∂w"].tolist() == pytest.approx(ref.DW_O_MISORDERED, rel=5e-8)

    at = second_visit("training", {})
    (run,) = [d["run"] for d in component_data(at, "run")]
    training_loss, _, _, _, test_loss = (float(v) for v in run["frames"]["text"][-1][:5])
    assert run["frames"]["epoch"][-1] == 1000
    assert training_loss == pytest.approx(ref.FINAL_LOSS_TRAIN_SEED_321, rel=1e-5)
    assert test_loss == pytest.approx(ref.FINAL_LOSS_TEST_SEED_321, rel=1e-5)
