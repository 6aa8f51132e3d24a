// Backprop Explainer: the Training page's controls and views, handed to ui/browser/player.js.
//
// player.js (45 kB) is the module of the run's carrier, whose message Streamlit sends once and then
// only as a reference. A component's message holds its whole script, and the controls' message
// changes with every epoch: sent with player.js inside, each epoch moved by a lecturer would send
// every following browser the script again. So the controls and the views are this small module,
// which gives each mount to player.js's own `mount` once that module has run (the carrier comes
// first on the page, but the two modules may load in either order).

export default function mount(component) {
  let cleanup = null;
  let gone = false;
  const go = () => {
    if (!gone && cleanup === null) cleanup = window.backpropPlayer.mount(component) || (() => {});
  };
  if (window.backpropPlayer) go();
  else window.addEventListener("backprop-player-loaded", go, { once: true });
  return () => {
    gone = true;
    window.removeEventListener("backprop-player-loaded", go);
    if (cleanup) cleanup();
  };
}
