"""Every file of the bad-CSV corpus (tests/core/bad_csv, 113 files) through the upload flow and every page.

For each file the student sees exactly the sentence ``expected.json`` gives (or, for a file the app
can use, which data is in use), on every page; no page raises, every chart is valid JSON for the
browser (no NaN or Infinity) with no backslash in a title; and after choosing the bundled data again
the session shows the lecture's loss 3.52260967 on Backprop, with the link's seed 9 and η 0.01.

The whole corpus through every page takes minutes, so it is marked slow (``make test`` runs it);
a dozen files chosen to cover every outcome run in the fast suite.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.helpers import APP, PAGES, texts
from ui.views.safe import md

CORPUS = Path(__file__).resolve().parents[1] / "core" / "bad_csv"
EXPECTED = json.loads((CORPUS / "expected.json").read_text())
CASES = sorted(name for name in EXPECTED if not name.startswith("_"))
LECTURE = {"seed": "9", "lr": "0.01"}
KEEPS_INCOME = "Until the columns work, the app keeps using the bundled Income2 data."
# One of each outcome and the classic traps: refused when read, too few numeric columns,
# refused by the split, incomplete rows, used as it is; `set`, a trailing backslash, 1e308, 1e149.
FAST = ["binary_nul.csv", "spreadsheet.xlsx", "utf16_le_bom.csv", "value_1e308.csv", "fifty_one_columns.csv",
        "all_text_columns.csv", "constant_target.csv", "incomplete_values.csv", "name_set.csv",
        "name_trailing_backslash.csv", "value_just_below_limit.csv", "decimal_comma_semicolon.csv"]


def test_the_corpus_has_at_least_sixty_cases_and_the_fast_ones_are_in_it():
    assert len(CASES) >= 60 and set(FAST) <= set(CASES)
    assert {p.name for p in CORPUS.iterdir()} - {"expected.json"} == set(CASES)


def said(name: str) -> dict:
    """What the student must read after uploading ``name``: {"error"|"warning"|"info": Markdown}."""
    e = EXPECTED[name]
    if e["outcome"] == "refused":
        return {"error": md(e["message"], 600)}
    numeric, prep = e["numeric"], e["prepare"]
    if prep is None:                         # fewer than two numeric columns: the upload widget says so
        n = len(numeric)
        return {"error": md(f"The file has {n} numeric column{'s' if n != 1 else ''}; the network needs at least "
                            "two (features and a target). Upload a table with numbers in at least two columns.", 600)}
    if prep["outcome"] == "refused":
        return {"error": md(prep["message"], 600), "warning": KEEPS_INCOME}
    k = len(prep["features"])
    return {"info": f"Your data: {md(name, 60)} — {e['rows']:,} rows, {k} feature{'s' if k != 1 else ''} → "
                    f"{md(prep['target'], 40)}."}


def upload(name: str) -> AppTest:
    """A new session opened with the lecture's link; the file uploaded under "Your CSV file"."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(LECTURE)
    at.run()
    at.sidebar.radio(key="source").set_value("Your CSV file")
    at.sidebar.file_uploader(key="upload_file").set_value((name, (CORPUS / name).read_bytes(), "text/csv"))
    return at.run()


def charts_are_valid(at) -> None:
    """Every chart's spec is strict JSON (the browser's JSON.parse refuses NaN and Infinity), and no
    title carries a backslash into a Vega expression."""
    def refuse(constant):
        raise AssertionError(f"{constant} in a chart spec")
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec, parse_constant=refuse)
        assert "\\\\" not in json.dumps(_titles(spec)), "a backslash in a chart title"


def _titles(node) -> list:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "title" and isinstance(v, str)] + \
               [t for k, v in node.items() if k != "datasets" for t in _titles(v)]
    if isinstance(node, list):
        return [t for v in node for t in _titles(v)]
    return []


def check_sentence(at, name: str) -> None:
    assert not at.exception, [e.value for e in at.exception]
    want = said(name)
    if "error" in want:
        assert want["error"] in [e.value for e in at.error]
    else:
        assert not at.error, [e.value for e in at.error]
    if "warning" in want:
        assert want["warning"] in [w.value for w in at.warning]
    if "info" in want:
        assert want["info"] in [i.value for i in at.info]
    charts_are_valid(at)


def back_to_the_lecture(at) -> None:
    """The bundled data again, on Backprop: the lecture's first loss, with the link's settings."""
    at.sidebar.radio(key="source").set_value("Income2 (bundled)").run()
    at.switch_page(PAGES["backprop"]).run()
    assert not at.exception
    assert "3.52260967" in texts(at)
    assert at.sidebar.number_input(key="seed").value == 9 and at.sidebar.select_slider(key="lr").value == 0.01
    assert "Your data" not in texts(at)


@pytest.mark.parametrize("name", FAST)
@pytest.mark.fast_sample(3)
def test_a_bad_or_odd_file_gets_its_sentence_on_every_page_and_the_lecture_is_one_click_away(name):
    at = upload(name)
    check_sentence(at, name)
    for page in ("network", "backprop", "training", "data"):
        at.switch_page(PAGES[page]).run()
        check_sentence(at, name)
    back_to_the_lecture(at)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(set(CASES) - set(FAST)))
def test_every_file_of_the_corpus_gets_its_sentence_on_every_page(name):
    test_a_bad_or_odd_file_gets_its_sentence_on_every_page_and_the_lecture_is_one_click_away(name)
