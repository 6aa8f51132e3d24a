// Backprop Explainer: bring a heading into view when the page asks for it.
//
// Under a step, "Next" and "Previous" repeat the buttons at the top; the page stays scrolled where it
// was, so without this the student would meet the new step from its tail. The page sends
// {to: the heading's id, n: how many times this session has asked}; each new n scrolls once, so a
// rerun for any other reason (another control, a remount after visiting another page) leaves the
// page where the student is. The heading keeps clear of Streamlit's top bar by its scroll-margin-top
// (the app's stylesheet, ui/draw/layout.py). Draws nothing.

let done = 0;         // the last n handled: the module lives as long as the page, across reruns

export default function mount({ data }) {
  if (!data || !data.to || data.n === done) return;
  done = data.n;
  let frames = 0;
  const go = () => {            // the heading may be drawn a frame or two after this element
    const heading = document.getElementById(data.to);
    if (heading) heading.scrollIntoView({ block: "start" });
    else if (++frames < 120) requestAnimationFrame(go);
  };
  go();
}
