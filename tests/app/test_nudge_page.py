"""The Backprop page's "chain rule, felt" under AppTest: it follows the link, the page's sample and
units, any depth and activation, and a bad link value gets the usual one-line notice."""

import pytest

from tests.app.helpers import no_exception, open_app, texts

LECTURE = {"seed": "9", "lr": "0.01"}


def table_rows(at, first_column: str) -> list[list[str]]:
    for t in at.table:
        frame = t.value
        if frame.index.name == first_column:
            return [[str(i), *map(str, row)] for i, row in zip(frame.index, frame.to_numpy())]
    raise AssertionError(f"no table starting with {first_column!r}")


def test_the_lecture_nudge_shows_backprops_gradient_times_the_nudge():
    at = open_app("backprop", {**LECTURE, "nudge_w": "W_H[1,1]", "nudge": "-0.05"})
    no_exception(at)
    links = table_rows(at, "change")
    assert links[-1][0] == "ΔL, every sample"
    assert float(links[-1][1].replace("−", "-")) == pytest.approx(-0.88510364 * -0.05, rel=1e-4)   # docs/core-api.md
    assert "(the nudge of } w^{H}_{1,1}" in texts(at)


@pytest.mark.parametrize("link", [{"hidden": "8,4", "act": "tanh", "nudge_w": "W_H1[2,3]"},
                                  {"hidden": "3,2,2", "act": "relu", "nudge_w": "W_H2[0,1]", "nudge": "0.5"},
                                  {"hidden": "32", "nudge_w": "W_O[7,1]", "sample": "9", "unit": "5"}])
def test_any_depth_activation_and_weight(link):
    at = open_app("backprop", link)
    no_exception(at)
    assert table_rows(at, "Δw") and table_rows(at, "unit")


@pytest.mark.parametrize("bad", [{"nudge": "7"}, {"nudge_w": "W_Z[9,9]"}])
def test_a_bad_nudge_in_the_link_falls_back_with_a_notice(bad):
    at = open_app("backprop", bad)
    no_exception(at)
    key, value = next(iter(bad.items()))
    assert f"`{key}={value}`" in "\n".join(w.value for w in at.warning)
