"""No network at run time: every page loads with nothing requested from another host."""

from urllib.parse import urlparse

from tests.e2e.conftest import assert_no_exception, wait_ready


def test_no_page_requests_anything_from_another_host(server, page):
    foreign = []
    host = urlparse(server.url).netloc
    page.on("request", lambda r: foreign.append(r.url) if urlparse(r.url).netloc not in (host, "") and
            not r.url.startswith(("data:", "blob:")) else None)
    for path in ["/?seed=9&projector=true", "/network", "/backprop?step=4", "/training?seeds=true"]:
        page.goto(f"{server.url}{path}")
        wait_ready(page)
        page.wait_for_timeout(1000)
        assert_no_exception(page)
    assert foreign == [], foreign
