"""Chromium through `make class`'s balancer: two students upload different files on two replicas,
each sees only their own data, and a reload stays on the student's replica."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_exception, open_and_upload, wait_ready

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FILES = {
    "a": ("hours-a.csv", "hours,practice,grade\n" + "".join(
        f"{1 + i % 9},{i % 5},{40 + 2 * (1 + i % 9) + 3 * (i % 5) + i % 3}\n" for i in range(40))),
    "b": ("ages-b.csv", "age,income,weight,spend\n" + "".join(
        f"{20 + i % 40},{30 + i % 17},{60 + i % 23},{5 + (20 + i % 40) // 4 + (30 + i % 17) // 3 + i % 4}\n"
        for i in range(50))),
}


def serverid(context) -> str:
    return next((c["value"] for c in context.cookies() if c["name"] == "SERVERID"), "")



def test_two_students_on_two_replicas_each_see_only_their_own_upload(shared_cluster, browser,
                                                                     browser_context_args):
    contexts = {k: browser.new_context(**browser_context_args) for k in FILES}
    try:
        pages = {k: c.new_page() for k, c in contexts.items()}
        for k, (name, content) in FILES.items():                 # one after the other, as students arrive
            open_and_upload(shared_cluster.url, pages[k], "/?seed=9", name, content.encode())
        expect(pages["a"].get_by_text("40 rows, 2 features")).to_be_visible(timeout=60_000)
        expect(pages["b"].get_by_text("50 rows, 3 features")).to_be_visible(timeout=60_000)
        homes = {k: serverid(c) for k, c in contexts.items()}
        assert set(homes.values()) == {"r1", "r2"}, homes
        for k, other in (("a", "b"), ("b", "a")):
            page = pages[k]
            wait_ready(page)
            assert_no_exception(page)
            text = page.locator('[data-testid="stApp"]').inner_text()
            assert f"File: {FILES[k][0]}" in text
            assert FILES[other][0] not in text
            assert ("income" in text) == (k == "b") and ("practice" in text) == (k == "a")
        # A reload is a new page load: the browser sends its cookie, HAProxy keeps it on its replica.
        pages["a"].reload()
        wait_ready(pages["a"])
        assert_no_exception(pages["a"])
        assert serverid(contexts["a"]) == homes["a"]
        assert shared_cluster.replica(homes["a"]).server.proc.poll() is None
    finally:
        for c in contexts.values():
            c.close()
