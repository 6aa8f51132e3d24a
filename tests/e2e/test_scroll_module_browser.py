"""ui/browser/scroll.js on its own, in Chromium: a page that imitates Streamlit's (a scrolling main box,
the app's script state) is changed around the heading the module was asked to bring into view, frame
by frame as a slow server and a slow phone would, and the heading must be where the reader asked.

No Streamlit server: the page and the module are served to the browser by the test (``page.route``),
so every disturbance is made on purpose and each test is the same on a quiet and a busy machine."""

from __future__ import annotations

from pathlib import Path

import pytest

SCROLL_JS = (Path(__file__).resolve().parents[2] / "ui" / "browser" / "scroll.js").read_text(encoding="utf-8")
ORIGIN = "http://scroll.test"

PAGE = """<!doctype html><html><head><style>
  body { margin: 0; }
  main { height: 600px; overflow: auto; overflow-anchor: none; }
  .block { height: 400px; border-bottom: 1px solid #ccc; }
  h3 { scroll-margin-top: 0; margin: 0; height: 40px; }
</style></head><body>
<div data-testid="stApp" data-test-script-state="running"><main id="main">
  <div id="above"><div class="block"></div><div class="block"></div><div class="block"></div></div>
  <h3 id="step-3">Step 3 of 6</h3>
  <div id="below"><div class="block"></div><div class="block"></div></div>
</main></div>
<script type="module">
  import mount from "/scroll.js";
  window.mountScroll = (data) => mount({ data });
  window.moduleReady = true;
</script></body></html>"""

# where the heading stands in its box (0: at the top), and the box's scroll
WHERE = """() => { const m = document.getElementById('main'), h = document.getElementById('step-3');
                   return [Math.round(h.getBoundingClientRect().top - m.getBoundingClientRect().top), m.scrollTop]; }"""


@pytest.fixture
def harness(page):
    def serve(route):
        if route.request.url.endswith("/scroll.js"):
            route.fulfill(status=200, content_type="text/javascript", body=SCROLL_JS)
        else:
            route.fulfill(status=200, content_type="text/html", body=PAGE)
    page.route(f"{ORIGIN}/**", serve)
    page.set_viewport_size({"width": 390, "height": 600})
    page.goto(f"{ORIGIN}/")
    page.wait_for_function("() => window.moduleReady === true")
    page.evaluate("() => { document.getElementById('main').scrollTop = 1100; }")   # the reader is lower down
    return page


def frames(page, n: int) -> None:
    """Let ``n`` animation frames pass in the page."""
    page.evaluate("n => new Promise(done => { const f = () => (--n > 0 ? requestAnimationFrame(f) : done()); "
                  "requestAnimationFrame(f); })", n)


def grow_above(page, px: int) -> None:
    page.evaluate("px => { const b = document.createElement('div'); b.style.height = px + 'px'; "
                  "document.getElementById('above').prepend(b); }", px)


def run_ends(page) -> None:
    page.evaluate("() => document.querySelector('[data-testid=stApp]')"
                  ".setAttribute('data-test-script-state', 'notRunning')")


def test_the_heading_is_brought_to_the_top_and_held_there_while_the_page_above_it_changes(harness):
    harness.evaluate("() => window.mountScroll({to: 'step-3', n: 1})")
    frames(harness, 3)
    assert harness.evaluate(WHERE)[0] == 0
    for px in (120, 300, 45):       # elements above arrive over seconds from a busy server
        grow_above(harness, px)
        frames(harness, 40)          # more than the frames a still heading needs, yet the run goes on
        assert harness.evaluate(WHERE)[0] == 0
    run_ends(harness)
    frames(harness, 5)
    assert harness.evaluate(WHERE)[0] == 0


def test_a_scroll_the_reader_did_not_make_does_not_let_the_heading_go(harness):
    """Another script moving the box is not the reader: the heading is put back while the step is
    still drawn."""
    harness.evaluate("() => window.mountScroll({to: 'step-3', n: 1})")
    frames(harness, 3)
    harness.evaluate("() => { document.getElementById('main').scrollTop += 250; }")
    frames(harness, 3)
    grow_above(harness, 200)
    frames(harness, 3)
    assert harness.evaluate(WHERE)[0] == 0


def test_the_browsers_scroll_anchoring_does_not_let_the_heading_go(harness):
    """Chromium's scroll anchoring moves the box itself to keep what is in view in place when the page
    above grows; it cannot do so when the element it anchored to is replaced (Streamlit replaces a
    run's elements). The first kind of move is not the reader's: the heading is still held for the
    second."""
    harness.evaluate("() => window.mountScroll({to: 'step-3', n: 1})")
    frames(harness, 3)
    harness.evaluate("() => { document.getElementById('main').style.overflowAnchor = 'auto'; }")
    before = harness.evaluate(WHERE)[1]
    grow_above(harness, 200)
    frames(harness, 3)
    assert harness.evaluate(WHERE) == [0, before + 200], "the browser did not anchor the scroll"
    harness.evaluate("() => { document.getElementById('main').style.overflowAnchor = 'none'; }")
    grow_above(harness, 150)
    frames(harness, 3)
    assert harness.evaluate(WHERE)[0] == 0


def test_a_page_that_got_shorter_under_the_heading_has_it_put_back(harness):
    harness.evaluate("() => window.mountScroll({to: 'step-3', n: 1})")
    frames(harness, 3)
    # the last step's elements below removed before the new ones come: the box clamps its scroll to
    # its end, and the heading drops down the screen
    harness.evaluate("() => { document.getElementById('below').innerHTML = ''; }")
    frames(harness, 3)
    assert harness.evaluate(WHERE)[0] > 100
    harness.evaluate("() => { document.getElementById('below').innerHTML = '<div class=block></div>'.repeat(2); }")
    frames(harness, 3)
    assert harness.evaluate(WHERE)[0] == 0


@pytest.mark.parametrize("event", ["wheel", "touchstart", "keydown", "mousedown"])
def test_the_reader_scrolling_or_tapping_lets_the_heading_go(harness, event):
    harness.evaluate("() => window.mountScroll({to: 'step-3', n: 1})")
    frames(harness, 3)
    harness.evaluate("e => window.dispatchEvent(new Event(e))", event)
    harness.evaluate("() => { document.getElementById('main').scrollTop -= 300; }")    # the reader's own scroll
    frames(harness, 3)
    grow_above(harness, 100)
    frames(harness, 3)
    assert harness.evaluate(WHERE)[0] > 200, "the heading was pulled back after the reader scrolled"


def test_the_same_request_seen_again_does_not_scroll(harness):
    """A rerun for another reason mounts the module again with the same count: the page stays put."""
    harness.evaluate("() => window.mountScroll({to: 'step-3', n: 1})")
    frames(harness, 3)
    run_ends(harness)
    frames(harness, 40)
    harness.evaluate("() => { document.getElementById('main').scrollTop = 1300; }")
    harness.evaluate("() => window.mountScroll({to: 'step-3', n: 1})")
    harness.evaluate("() => window.mountScroll({to: null, n: 1})")
    frames(harness, 5)
    assert harness.evaluate(WHERE)[1] == 1300


def test_the_heading_is_let_go_once_it_stays_put_after_the_run(harness):
    harness.evaluate("() => window.mountScroll({to: 'step-3', n: 1})")
    frames(harness, 3)
    run_ends(harness)
    frames(harness, 40)                  # still for longer than it is held
    grow_above(harness, 150)             # a change long after the step was drawn is the page's own
    frames(harness, 3)
    assert harness.evaluate(WHERE)[0] == 150
