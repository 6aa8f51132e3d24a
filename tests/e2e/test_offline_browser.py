"""No network at run time: every page loads with nothing requested from another host."""

from urllib.parse import urlparse

from tests.e2e.conftest import assert_no_exception, charts_drawn, wait_ready


def test_no_page_requests_anything_from_another_host(server, page):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    host = urlparse(server.url).netloc
    for path in ["/?seed=9&projector=true", "/network", "/backprop?step=4", "/training?seeds=true"]:
        seen = len(requests)
        page.goto(f"{server.url}{path}")
        wait_ready(page)
        # Everything that could fetch from elsewhere (fonts, icons, the charts) has had its turn ...
        assert charts_drawn(page), f"{path}: a chart was not drawn"
        assert_no_exception(page)
        # ... and the listener saw this page's own requests, so it would have seen another host's.
        assert any(urlparse(u).netloc == host for u in requests[seen:]), f"{path}: no request seen at all"
    foreign = [u for u in requests if urlparse(u).netloc not in (host, "") and not u.startswith(("data:", "blob:"))]
    assert foreign == [], foreign
