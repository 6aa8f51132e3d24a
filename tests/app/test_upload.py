"""Your own data through the upload widget: good files flow through every page, bad ones get a
sentence and leave the previous data and settings in place."""

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.app.helpers import PAGES, no_exception, open_app, texts

CORPUS = Path(__file__).resolve().parents[1] / "core" / "bad_csv"
EXPECTED = json.loads((CORPUS / "expected.json").read_text())
UNREADABLE = sorted(name for name, e in EXPECTED.items() if not name.startswith("_") and e["stage"] == "read")
READABLE = sorted(name for name, e in EXPECTED.items() if not name.startswith("_") and e["stage"] == "ok")


def plain(md_text: str) -> str:
    """Markdown-escaped text back to what the student reads."""
    return re.sub(r"\\(.)", r"\1", md_text)


def good_csv(n=40, names=("age", "hours", "distance", "pay")) -> bytes:
    rng = np.random.default_rng(1)
    df = pd.DataFrame({c: rng.uniform(1, 50, n) for c in names[:-1]})
    df[names[-1]] = 0.8 * df[names[0]] + 1.5 * df[names[1]] + rng.normal(0, 3, n)
    return df.to_csv(index=False).encode()


def with_upload(content: bytes, name="class.csv", at=None):
    at = at or open_app()
    at.sidebar.radio(key="source").set_value("Your CSV file").run()
    at.sidebar.file_uploader(key="upload_file").set_value((name, content, "text/csv")).run()
    return at


def errors(at) -> str:
    return "\n".join(plain(e.value) for e in at.error)


def test_a_good_file_with_three_features_reaches_every_page():
    at = with_upload(good_csv())
    no_exception(at)
    assert at.sidebar.multiselect(key="features").value == ["age", "hours", "distance"]
    assert at.sidebar.selectbox(key="target").value == "pay"
    for page in PAGES:
        at.switch_page(PAGES[page]).run()
        no_exception(at)
        assert "40 rows, 3 features" in plain(texts(at))


def test_the_column_choice_survives_page_changes():
    at = with_upload(good_csv())
    at.sidebar.multiselect(key="features").set_value(["hours"]).run()
    at.switch_page(PAGES["training"]).run()
    assert at.sidebar.multiselect(key="features").value == ["hours"]
    assert "1 feature " in plain(texts(at))


def test_the_bundled_data_is_one_click_away():
    at = with_upload(good_csv())
    at.sidebar.radio(key="source").set_value("Income2 (bundled)").run()
    no_exception(at)
    assert "Your data" not in texts(at)
    at.switch_page(PAGES["backprop"]).run()
    assert "3.11571807" in texts(at)          # the default run's initial loss on Income2


# Every file in `make test`, a sample in `make test-fast` (where tests/core/test_bad_input.py checks every
# file's sentence without Streamlit).
@pytest.mark.fast_sample(8)
@pytest.mark.parametrize("name", UNREADABLE)
def test_an_unreadable_file_gets_a_sentence_and_changes_nothing(name):
    at = open_app(query={"seed": "9", "hidden": "5"})
    at = with_upload(good_csv(), at=at)                     # a good upload first
    at = with_upload((CORPUS / name).read_bytes(), name=name, at=at)
    no_exception(at)
    assert EXPECTED[name]["phrase"] in errors(at)
    assert at.sidebar.multiselect(key="features").value == ["age", "hours", "distance"]   # previous data stays
    assert at.sidebar.number_input(key="seed").value == 9 and at.sidebar.text_input(key="hidden").value == "5"


@pytest.mark.fast_sample(4)
@pytest.mark.parametrize("name", READABLE)
def test_readable_variants_are_accepted(name):
    at = with_upload((CORPUS / name).read_bytes(), name=name)
    no_exception(at)
    assert not at.error
    assert at.sidebar.selectbox(key="target").value == "Income"


def test_a_constant_column_is_refused_with_its_name_and_the_fix():
    at = with_upload((CORPUS / "constant_feature.csv").read_bytes())
    no_exception(at)
    assert "'Seniority' has the same value (100) in every row" in errors(at)
    assert "bundled" in texts(at)          # the previous data (Income2) stays in use
    at.sidebar.multiselect(key="features").set_value(["Education"]).run()
    assert not at.error and "1 feature" in plain(texts(at))


def test_incomplete_rows_are_counted_located_and_can_be_dropped():
    at = with_upload((CORPUS / "incomplete_values.csv").read_bytes())
    no_exception(at)
    message = errors(at)
    assert "5 rows have a blank, NaN or infinite value" in message and "rows 2, 4, 7, 10, 11" in message
    at.sidebar.checkbox(key="drop").check().run()
    no_exception(at)
    assert not at.error
    at.switch_page(PAGES["training"]).run()
    no_exception(at)


def test_more_than_10000_rows_is_refused_and_says_so():
    big = good_csv(n=10_001)
    at = with_upload(big)
    assert "more than 10,000 data rows" in errors(at) and "refuses" in errors(at)


@pytest.mark.parametrize("evil", ["<b>bold</b>", "[click](http://evil.example)", "$\\frac{1}{0}$",
                                  ":red[alarm]", "**strong**"])
@pytest.mark.fast_sample(2)
def test_column_names_with_markup_are_shown_literally(evil):
    content = good_csv(names=("age", evil, "pay"))
    at = with_upload(content, name=f"{evil}.csv")
    no_exception(at)
    assert evil in at.sidebar.multiselect(key="features").value
    # Wherever the name appears in Markdown it is escaped, so it reads literally.
    for element in list(at.markdown) + list(at.info) + list(at.caption) + list(at.error) + list(at.warning):
        assert evil not in element.value or element.value.count("\\") > 0
    for page in PAGES:
        at.switch_page(PAGES[page]).run()
        no_exception(at)
