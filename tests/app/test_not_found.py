"""An address the app does not have shows the app's own "no such page" with a link to every page.

Under AppTest the browser's address is not sent, so the page name Streamlit would receive is
put in place of ``ui.draw.page.asked_path``; the browser tests open the real addresses.
"""

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.helpers import APP, PAGES, texts
from ui.draw import page


def open_address(monkeypatch, name: str, query: dict | None = None) -> AppTest:
    monkeypatch.setattr(page, "asked_path", lambda: name)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query or {})
    at.run()
    return at.switch_page("app_pages/not_found.py").run()


def links(at):
    return [(e.proto.label, e.proto.page) for e in at.get("page_link")]


@pytest.mark.parametrize("name,shown", [("nope", "/nope"), ("Network", "/Network"), ("ünïcode", "/ünïcode")])
@pytest.mark.fast_sample(2)
def test_an_unknown_address_names_itself_and_links_to_every_page(monkeypatch, name, shown):
    at = open_address(monkeypatch, name)
    assert at.title[0].value == "No such page"
    assert f"There is no page {shown} in Backprop Explainer." in texts(at).replace("\\", "").replace("*", "")
    assert [label for label, _ in links(at)] == ["Data", "Network", "Backprop step by step", "Training & results"]
    assert at.sidebar.number_input(key="seed").value == 321       # the sidebar is there as on every page


def test_a_deep_address_redirected_by_the_server_is_named_as_asked(monkeypatch):
    at = open_address(monkeypatch, "no-such-page", {"address": "/network/extra", "seed": "9"})
    assert "There is no page /network/extra in" in texts(at).replace("\\", "").replace("*", "")
    assert at.sidebar.number_input(key="seed").value == 9          # the link's settings still apply


def test_markup_in_an_address_is_shown_literally(monkeypatch):
    at = open_address(monkeypatch, "no-such-page", {"address": "/[x](http://evil.example)/<b>"})
    sentence = next(m.value for m in at.markdown if "There is no page" in m.value)
    assert "](http" not in sentence and "<b>" not in sentence         # escaped: no link, no HTML


def test_an_address_the_page_path_cannot_hold_leaves_the_default_page(monkeypatch):
    monkeypatch.setattr(page, "asked_path", lambda: "   ")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert at.title[0].value == "Data"


def test_the_known_pages_never_get_the_no_such_page(monkeypatch):
    for name in ("", "network", "backprop", "training", "data", "overview"):
        monkeypatch.setattr(page, "asked_path", lambda name=name: name)
        at = AppTest.from_file(APP, default_timeout=60).run()
        assert "No such page" not in [t.value for t in at.title]
        at.switch_page(PAGES["network"]).run()
        assert at.title[0].value == "Network"
