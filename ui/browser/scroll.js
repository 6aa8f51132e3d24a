// Backprop Explainer: bring a heading into view when the page asks for it.
//
// Under a step, "Next" and "Previous" repeat the buttons at the top; the page stays scrolled where it
// was, so without this the student would meet the new step from its tail. The page sends
// {to: the heading's id, n: how many times this session has asked}; each new n scrolls once, so a
// rerun for any other reason (another control, a remount after visiting another page) leaves the
// page where the student is. The heading keeps clear of Streamlit's top bar by its scroll-margin-top
// (the app's stylesheet, ui/draw/layout.py). While the page is still being drawn (the last step's
// elements replaced, charts drawn, on a slow phone for a second or more) what lies above the heading
// may change height: the heading is held where it was put until it has stayed there for STILL frames
// after the run has ended, or the reader scrolls, taps or presses a key. Draws nothing.

const STILL = 30;          // frames the heading must stay put before it is let go
const LONGEST = 600;       // frames at most (about 10 s)

let done = 0;         // the last n handled: the module lives as long as the page, across reruns

export default function mount({ data }) {
  if (!data || !data.to || data.n === done) return;
  done = data.n;
  let frames = 0, still = 0, top = null, reader = false;
  const stop = () => { reader = true; };
  const events = ["wheel", "touchstart", "keydown", "mousedown"];
  events.forEach((e) => window.addEventListener(e, stop, { once: true, passive: true }));
  const end = () => events.forEach((e) => window.removeEventListener(e, stop));
  // Where every box holding the heading stands. One that moved without us was scrolled by someone
  // else, unless it now stands at its end: the page got shorter under it (the last step's elements
  // replaced on a phone) and the browser moved it there; then the heading is put back.
  const boxes = (el) => { const out = []; for (let a = el.parentElement; a; a = a.parentElement) out.push(a); return out; };
  const offsets = (el) => boxes(el).map((a) => a.scrollTop);
  const atEnd = (a) => a.scrollTop >= a.scrollHeight - a.clientHeight - 1;
  const movedByOther = (el) => boxes(el).some((a, i) => a.scrollTop !== ours[i] && !atEnd(a));
  let ours = null;
  // A slow server sends a run's elements over seconds: the heading counts as still only once it is done.
  const app = document.querySelector('[data-testid="stApp"]');
  const drawing = () => app !== null && app.getAttribute("data-test-script-state") === "running";
  const hold = () => {          // the heading may be drawn a frame or two after this element
    if (reader || ++frames > LONGEST) { end(); return; }
    const heading = document.getElementById(data.to);
    if (heading) {
      if (ours !== null && movedByOther(heading)) { end(); return; }       // scrolled by someone else
      const now = heading.getBoundingClientRect().top;
      if (top === null || Math.abs(now - top) > 1) {
        heading.scrollIntoView({ block: "start" });
        top = heading.getBoundingClientRect().top;
        ours = offsets(heading);
        still = 0;
      } else if (drawing()) still = 0;            // the run still sends elements: not yet still
      else if (++still >= STILL) { end(); return; }
    }
    requestAnimationFrame(hold);
  };
  hold();
}
