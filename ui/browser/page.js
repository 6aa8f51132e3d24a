// Backprop Explainer: two things every page needs in the student's browser that Streamlit does not do.
//
// 1. Equations fit their column. KaTeX draws a displayed equation on one line and cuts off what does
//    not fit (on a phone, "= 0.3156…" loses its result). An equation wider than its column is drawn
//    smaller until it fits — every size in KaTeX is in em, so a smaller font scales all of it. It is
//    measured again when its column changes width, when its text changes and when the fonts arrive.
// 2. A tap shows a chart's tooltip. Vega shows a tooltip on "pointermove", which a finger tapping a
//    point never sends; on a touch screen the tap is passed on to the chart as that move.
//
// Mounted once on every page (ui/draw/browser.py); a module is loaded once per page, so the observers
// are installed once, whatever number of reruns mounts it again. Draws nothing.

const fitted = new WeakSet();       // .katex-display elements already observed
let installed = false;

const SLACK = 4;        // px kept free: KaTeX's box reaches ~2 px past its last glyph

// The column a displayed equation sits in: its element (its own box shrinks with its content).
const column = (display) => display.closest('[data-testid="stElementContainer"]') || display.parentElement;

// The width the equation's glyphs need.
function need(display) {
  const html = display.querySelector(".katex-html");
  if (!html) return 0;
  const range = document.createRange();
  range.selectNodeContents(html);
  return range.getBoundingClientRect().width;
}

// Shrink ``display`` (a .katex-display) until its equation fits its column; natural size if it fits.
// Never below the page's --bpx-fit-floor (projector mode: the size at which a subscript is still
// 20 px); an equation that would need less scrolls sideways in its own box instead.
function fit(display) {
  display.style.fontSize = "";
  const floor = parseFloat(getComputedStyle(display).getPropertyValue("--bpx-fit-floor")) || 0;
  for (let i = 0; i < 3; i++) {
    const wide = need(display), free = column(display).clientWidth - SLACK;
    const now = parseFloat(getComputedStyle(display).fontSize);
    if (wide <= free || free <= 0 || now <= floor) return;
    display.style.fontSize = `${Math.max(floor, Math.floor(now * (free / wide) * 100) / 100)}px`;
  }
}

const widths = new WeakMap();       // column -> its width when its equations were last fitted
const resized = new ResizeObserver((entries) => {
  for (const { target } of entries) {
    if (widths.get(target) !== target.clientWidth) {     // only a new width can change the fit
      widths.set(target, target.clientWidth);
      target.querySelectorAll(".katex-display").forEach(fit);
    }
  }
});

function watch(root) {
  for (const display of root.querySelectorAll(".katex-display")) {
    if (!fitted.has(display)) {
      fitted.add(display);
      fit(display);
      const col = column(display);
      widths.set(col, col.clientWidth);
      resized.observe(col);
    }
  }
}

// New equations, and new text in an equation drawn before (React reuses its elements); looked at
// once per frame, however many changes a rerun makes.
const again = new Set();
let pending = false;
const changed = new MutationObserver((records) => {
  for (const r of records) {
    const node = r.target.nodeType === 1 ? r.target : r.target.parentElement;
    const display = node && node.closest(".katex-display");
    if (display && fitted.has(display)) again.add(display);
  }
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    again.forEach(fit);
    again.clear();
    watch(document.body);
  });
});

// A finger lifted on a chart: the chart is told the pointer moved there, as a mouse would have.
function tapIsHover(event) {
  if (event.pointerType !== "touch" || !(event.target instanceof Element) || !event.target.closest(".vega-embed")) return;
  event.target.dispatchEvent(new PointerEvent("pointermove", {
    bubbles: true, composed: true, clientX: event.clientX, clientY: event.clientY,
    pointerId: event.pointerId, pointerType: "touch", isPrimary: event.isPrimary,
  }));
}

export default function mount() {
  if (installed) return;
  installed = true;
  watch(document.body);
  changed.observe(document.body, { childList: true, subtree: true, characterData: true });
  document.fonts.addEventListener("loadingdone", () => document.querySelectorAll(".katex-display").forEach(fit));
  document.addEventListener("pointerup", tapIsHover, true);
}
