// Backprop Explainer: bring a heading into view when the page asks for it.
//
// Under a step, "Next" and "Previous" repeat the buttons at the top; the page stays scrolled where it
// was, so without this the student would meet the new step from its tail. The page sends
// {to: the heading's id, n: how many times this session has asked}; each new n scrolls once, so a
// rerun for any other reason (another control, a remount after visiting another page) leaves the
// page where the student is. The heading keeps clear of Streamlit's top bar by its scroll-margin-top
// (the app's stylesheet, ui/draw/layout.py). While the page is still being drawn (the last step's
// elements replaced, charts drawn, on a slow phone for a second or more) what lies above the heading
// may change height, and what lies below may be gone for a moment (the box then stops at its end, with
// the heading lower down): the heading is brought up again whenever it is not where a scroll to it
// puts it, until it has stayed put for STILL frames after the run has ended, or the reader scrolls,
// taps or presses a key. Only the reader lets it go: a box moved by a script (the browser's own scroll
// anchoring, which moves the box to keep the view in place as the page above grows) is not the reader.
// Draws nothing.

const STILL = 30;          // frames the heading must stay put before it is let go
const LONGEST = 600;       // frames at most (about 10 s)

let done = 0;         // the last n handled: the module lives as long as the page, across reruns

export default function mount({ data }) {
  if (!data || !data.to || data.n === done) return;
  done = data.n;
  let frames = 0, still = 0, target = null, last = null, reader = false;
  const stop = () => { reader = true; };
  const events = ["wheel", "touchstart", "keydown", "mousedown"];
  events.forEach((e) => window.addEventListener(e, stop, { once: true, passive: true }));
  const end = () => events.forEach((e) => window.removeEventListener(e, stop));
  // A slow server sends a run's elements over seconds: the heading counts as still only once it is done.
  const app = document.querySelector('[data-testid="stApp"]');
  const drawing = () => app !== null && app.getAttribute("data-test-script-state") === "running";
  const hold = () => {          // the heading may be drawn a frame or two after this element
    if (reader || ++frames > LONGEST) { end(); return; }
    const heading = document.getElementById(data.to);
    if (heading) {
      let now = heading.getBoundingClientRect().top;
      if (target === null || Math.abs(now - target) > 1) {
        heading.scrollIntoView({ block: "start" });
        now = heading.getBoundingClientRect().top;
        // the highest it has been put is where it belongs; lower, the box was at its end
        if (target === null || now < target) target = now;
      }
      const moved = last === null || Math.abs(now - last) > 1;
      last = now;
      if (moved || drawing()) still = 0;
      else if (++still >= STILL) { end(); return; }
    }
    requestAnimationFrame(hold);
  };
  hold();
}
