"""The back row of a lecture hall, measured from computed styles at 1280×720 with ``?projector=true``:
every piece of text on every page is 20 px or larger (labels, buttons, captions, equation indices,
chart text) and stands out from what is behind it at 4.5:1 or more (WCAG's ratio for body text); the
keyboard's step shortcuts leave no focus frame around the page."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import assert_no_exception, charts_drawn, press_step_key, step_keys_ready, wait_ready

SMALLEST_PX = 20
CONTRAST = 4.5
LECTURE = "seed=9&lr=0.01"
PAGES = ["/?projector=true", "/network?projector=true", f"/backprop?projector=true&{LECTURE}&all=true",
         f"/backprop?projector=true&{LECTURE}&hidden=8,4&step=4", f"/training?projector=true&{LECTURE}",
         "/?projector=true&task=classification&dataset=three", "/network?projector=true&task=classification&hidden=4,3",
         "/backprop?projector=true&task=classification&step=3", "/training?projector=true&task=classification"]

# Every visible text node of the main area and every input's value: its size, and its contrast with
# the first opaque colour drawn behind its centre (the element itself may sit over another's
# background, as a slider's value does), its colour's alpha and its ancestors' opacity included;
# disabled controls, faded on purpose, and text not shown at all are left out.
_MEASURE = r"""
() => {
  const rgb = (c) => { const m = (c.match(/[\d.]+/g) || []).map(Number); return m.length >= 3 ? m : null; };
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92
                                                              : Math.pow((v + 0.055) / 1.055, 2.4); })
                                  .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const opacity = (el) => { let o = 1; for (; el; el = el.parentElement) o *= parseFloat(getComputedStyle(el).opacity); return o; };
  const behind = (el, x, y) => {
    for (const e of document.elementsFromPoint(x, y)) {
      if (e === el || el.contains(e)) continue;
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c && (c.length === 3 || c[3] === 1)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const measure = (el, text) => {
    const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
    if (r.width === 0 || r.height === 0 || cs.visibility === "hidden") return null;
    if (el.closest("button:disabled, [aria-disabled='true'], [disabled]")) return null;   // faded on purpose
    const fg = rgb(el instanceof SVGElement ? cs.fill : cs.color) || rgb(cs.color);
    const bg = behind(el, r.x + r.width / 2, r.y + r.height / 2);
    const a = (fg.length > 3 ? fg[3] : 1) * opacity(el);
    if (a < 0.05) return null;                   // not shown (a slider's ends until it is hovered)
    const seen = fg.slice(0, 3).map((v, i) => v * a + bg[i] * (1 - a));
    const [hi, lo] = [lum(seen), lum(bg)].sort((p, q) => q - p);
    return { text: text.slice(0, 50), px: parseFloat(cs.fontSize), contrast: (hi + 0.05) / (lo + 0.05),
             where: (el.closest("[data-testid]") || {}).dataset?.testid || el.tagName };
  };
  const out = [], main = document.querySelector('[data-testid="stMain"]');
  const walk = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  for (let n; (n = walk.nextNode());) {
    const text = n.textContent.replace(/[\u200b\s]/g, "");
    const el = n.parentElement;
    if (!text || el.closest(".katex-mathml, [aria-hidden='true'], .st-key-page-helpers")) continue;
    const m = measure(el, text);
    if (m) out.push(m);
  }
  for (const input of main.querySelectorAll("input[type='number'], input[type='text']")) {
    const m = measure(input, input.value || input.placeholder);
    if (m && m.text) out.push(m);
  }
  return out;
}
"""


@pytest.mark.parametrize("path", PAGES)
def test_every_projected_text_is_20_px_or_more_at_4_5_to_1(server, page, path):
    page.goto(server.url + path)
    wait_ready(page)                    # with the projector's stylesheet
    assert charts_drawn(page), "the charts did not draw"
    assert_no_exception(page)
    texts = page.evaluate(_MEASURE)
    assert len(texts) > 10, "nothing measured"
    small = sorted((t for t in texts if t["px"] < SMALLEST_PX - 0.01), key=lambda t: t["px"])
    assert not small, f"{len(small)} texts under {SMALLEST_PX} px, e.g. {small[:5]}"
    faint = sorted((t for t in texts if t["contrast"] < CONTRAST), key=lambda t: t["contrast"])
    assert not faint, f"{len(faint)} texts under {CONTRAST}:1, e.g. {faint[:5]}"
    # the larger text still fits: no button reaches past the column it sits in (its label would be cut)
    cut = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stMain"] button')].filter(b => {
        const col = b.closest('[data-testid="stColumn"]'), r = b.getBoundingClientRect();
        return col && r.width > 0 && r.right > col.getBoundingClientRect().right + 1;
      }).map(b => b.textContent)""")
    assert cut == [], f"buttons cut off by their column: {cut}"


def test_the_step_keys_leave_no_focus_frame_on_the_page(server, page):
    page.goto(f"{server.url}/backprop?projector=true&{LECTURE}&step=2")
    wait_ready(page)                    # with the projector's stylesheet
    step_keys_ready(page, 2)
    press_step_key(page, "ArrowRight", 3)
    framed = page.evaluate("""() => [...document.querySelectorAll('*')].filter(e => {
        const s = getComputedStyle(e), r = e.getBoundingClientRect();
        return r.width > 600 && r.height > 400 && s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
      }).map(e => e.tagName + '.' + (e.dataset.testid || ''))""")
    assert framed == [], f"a focus frame stays around {framed}"
