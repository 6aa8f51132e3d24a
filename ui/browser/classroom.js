// Backprop Explainer: class mode in the browser — the lecturer's screen leads, the students follow.
//
// Mounted at the top of every page while the address holds ?class=<code> (ui/draw/classroom.py).
// Which role this browser plays is decided here: the browser that started the class keeps the
// lecturer key in localStorage (never in a link), so it is the lecturer — also after the tab is
// closed and opened again; any other browser follows. The server checks the key on every move.
//
// Lecturer: whenever the address changes (page, setting, step, epoch: every widget of the app is
// bound to the address), the new view is sent to POST _class/<code>/lead with the key. A page's
// controls brought back on returning to it are shown but not in the address: the page sends them
// (a second mount, {page, controls}) and the address's own values win over them. It also
// long-polls the class to show, large for the projector, the code, the join link and its QR code
// (both made by the server: ui/views/qr.py), how many follow, and the current question with its
// answers counted live.
// Follower: long-polls GET _class/<code>/wait with a random id of its own and, when the lecturer
// moves, shows the lecturer's page with the lecturer's link (a run of that page with the new
// address, without loading anything again). The server draws a following page from the link alone,
// without the settings' controls; "Explore on my own" tells it so (a trigger), and the controls come
// back, starting from the lecturer's view; "Back to the lecturer" opens the lecturer's view at once. The
// question of the moment is shown here, at the top of the page, with one button per choice; an
// answer goes to POST _class/<code>/answer and can be changed until the lecturer closes it.
// The module lives as long as the page: a rerun mounts it again and it goes on where it was.
//
// Play on the Training page lives in each browser (ui/browser/player.js). The lecturer's player
// tells this module its state (a window event) and the view carries it ("play"); the server stamps
// a running Play's start with its own clock and tells the time with every answer (X-Class-Now), so
// a follower's player starts as far along as the lecturer's is, without comparing two browsers'
// clocks, and stops where the lecturer's stopped.
// While following, a narrow screen keeps the moment's point on the first screen: the page's own
// controls (keys "led-…", which the lecturer drives) are hidden, and a step's equation with its
// numbers comes right under its heading (ui/browser/following.css, put on the page by this module).

const KEY = (code) => `backprop-class-key:${code}`;            // localStorage: the lecturer key
const FOLLOWER = "backprop-class-follower";                    // localStorage: this browser's random id
const EXPLORING = (code) => `backprop-class-exploring:${code}`; // sessionStorage: "1" while exploring
const APPLIED = (code) => `backprop-class-applied:${code}`;     // sessionStorage: last view version opened
const OPENED = (code) => `backprop-class-opened:${code}`;       // sessionStorage: and that view, as opened
const MINE = (code, q) => `backprop-class-answer:${code}:${q}`; // sessionStorage: this tab's answer
const LEAD_EVERY_MS = 100;       // the lecturer's address looked at this often: a move leaves within 0.1 s
const WAIT_CONTROLS_MS = 3000;
const RERUN_WAIT_MS = 15000;     // a class of hundreds keeps a server busy for seconds after a move

let current = null;        // the running Lecturer or Follower
let trigger = null;        // the mount's setTriggerValue (the latest: a rerun mounts it again)
let shown = { page: null, controls: {} };   // the lecturer's page controls the address may lack
let played = null;         // the lecturer's player as it last told (with the page it is on)
const clicks = new WeakSet();

window.addEventListener("backprop-player", (e) => {
  played = e.detail ? { ...e.detail, page: page() } : null;
  if (current && current.leadIfMoved) current.leadIfMoved();
});
window.addEventListener("backprop-player-ready", () => { if (current && current.leadPlay) current.leadPlay(); });

let followingCss = "";      // ui/browser/following.css, sent by the server with the bar's data

// Whether this page follows: its layout on a narrow screen, and whether the lecturer's Play leads
// its player (a student exploring, or out of the class, plays on their own).
function following(on) {
  if (!on) window.dispatchEvent(new CustomEvent("backprop-lead-play", { detail: null }));
  if (on && followingCss && !document.getElementById("bpc-following-css")) {
    const style = document.createElement("style");
    style.id = "bpc-following-css";
    style.textContent = followingCss;
    document.head.appendChild(style);
  }
  if (on) document.documentElement.setAttribute("data-bpc-following", "");
  else document.documentElement.removeAttribute("data-bpc-following");
}

function stored(area, name, value) {
  try {
    const s = area === "local" ? window.localStorage : window.sessionStorage;
    if (value === undefined) return s.getItem(name);
    if (value === null) s.removeItem(name);
    else s.setItem(name, value);
  } catch (e) { /* storage refused (a private window's quota): the class still works for this page */ }
  return null;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const esc = (text) => String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
const base = () => location.pathname.replace(/[^/]*$/, "");     // the app's root: pages are one segment
const page = () => decodeURIComponent(location.pathname.slice(base().length));

function query(search) {
  const out = {};
  for (const [k, v] of new URLSearchParams(search)) if (k !== "class") out[k] = v;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

async function post(path, body) {
  const r = await fetch(`${base()}_class/${path}`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), cache: "no-store",
  });
  let answer = {};
  try { answer = await r.json(); } catch (e) { /* an empty or non-JSON answer: the status says it */ }
  return { ok: r.ok, status: r.status, body: answer };
}

// A page of the app at another link, without loading it again: Streamlit answers a "popstate" (the
// Back button) by running the page the path names with the address's values, as it does for a link
// opened (the address's values win over what the session kept). If no
// run starts (the app in the middle of something, or a Streamlit that no longer does this), the
// page is loaded again instead.
function sameDocument(target) {
  history.pushState(null, "", target);
  const app = document.querySelector('[data-testid="stApp"]');
  let ran = false;
  const seen = new MutationObserver(() => { ran = true; seen.disconnect(); });
  if (app) seen.observe(app, { attributes: true, attributeFilter: ["data-test-script-state"] });
  window.dispatchEvent(new PopStateEvent("popstate", { state: null }));
  setTimeout(() => {
    seen.disconnect();
    if (!ran && location.href.endsWith(target)) location.reload();
  }, RERUN_WAIT_MS);
}

function randomId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"[b & 63]).join("");
}

// The mount's own box (the mount may be a shadow root, where ":scope >" matches nothing).
const ownBox = (parent) => Array.from(parent.children).find((c) => c.classList.contains("bpc-host"));

class Member {
  constructor(code, data) {
    this.code = code;
    this.data = data;
    this.state = null;
    this.error = null;
    this.running = true;
    this.host = null;
  }

  show(parent, data) {
    // A box of its own inside the mount: the mount also holds the component's stylesheet.
    let host = ownBox(parent);
    if (!host) {
      host = document.createElement("div");
      host.className = "bpc-host";
      parent.appendChild(host);
    }
    this.host = host;
    this.data = data;
    if (!clicks.has(host)) {
      clicks.add(host);
      host.addEventListener("click", (e) => {
        const button = e.target instanceof Element && e.target.closest("button[data-act]");
        if (button && current) current.act(button.dataset.act, button.dataset.value);
      });
    }
    this.render();
  }

  stop() { this.running = false; }

  // Long-poll the class: `extra` adds this role's own parameters; `arrived` sees each new state.
  async poll(extra) {
    let version = -1, pause = 500;
    while (this.running) {
      let r, body;
      try {
        r = await fetch(`${base()}_class/${this.code}/wait?since=${version}${extra(this.state)}`, { cache: "no-store" });
        body = await r.json();
      } catch (e) {              // offline for a moment, or the server restarting: try again, less often
        await sleep(pause);
        pause = Math.min(pause * 2, 5000);
        continue;
      }
      if (!this.running) return;
      pause = 500;
      const now = Number(r.headers.get("X-Class-Now"));
      if (Number.isFinite(now) && now > 0) this.clock = { server: now, local: performance.now() };
      if (!r.ok) {
        this.error = body.error || "The class cannot be reached: try again in a moment.";
        this.render();
        if (r.status === 404 || r.status === 403) { this.stop(); return; }   // gone, ended or full: one sentence
        await sleep(2000);
        continue;
      }
      this.error = null;
      this.state = body;
      version = body.version;
      if (body.ended) this.stop();
      this.arrived();
      this.render();
    }
  }

  arrived() {}

  questionHtml(q, counts, mine, live) {
    const total = counts ? counts.reduce((a, b) => a + b, 0) : 0;
    const rows = q.choices.map((choice, i) => {
      const n = counts ? counts[i] : 0;
      const right = q.answer === choice;
      const bar = live ? `<span class="bpc-bar"><span style="width:${total ? (100 * n) / total : 0}%"></span></span>
                          <span class="bpc-n">${n}</span>` : "";
      const tag = live ? "div" : "button";
      const act = !live && q.state === "open" ? ` data-act="answer" data-value="${esc(choice)}"` : "";
      const off = !live && q.state !== "open" ? " disabled" : "";
      return `<${tag} class="bpc-choice${mine === choice ? " mine" : ""}${right ? " right" : ""}"${act}${off}>
                <span class="bpc-label">${esc(choice)}</span>${bar}</${tag}>`;
    }).join("");
    const status = q.state === "open" ? (live ? `${total} answer${total === 1 ? "" : "s"} so far`
                                              : mine ? `Your answer: ${esc(mine)}. You can change it until the lecturer closes the question.`
                                                     : "Tap your answer.")
      : q.state === "closed" ? "Answers are closed." : `Answer: <b>${esc(q.answer)}</b>${q.explain ? ` — ${esc(q.explain)}` : ""}`;
    return `<div class="bpc-question" data-state="${q.state}"><p class="bpc-text">${esc(q.text)}</p>
              <div class="bpc-choices${live ? " live" : ""}">${rows}</div><p class="bpc-status">${status}</p></div>`;
  }
}

class Lecturer extends Member {
  constructor(code, key, data) {
    super(code, data);
    this.key = key;
    this.sent = null;
    this.leading = false;
    this.timer = setInterval(() => this.leadIfMoved(), LEAD_EVERY_MS);
    this.leadIfMoved();
    this.poll((s) => (s ? `&answers=${s.answers}&following=${s.following}` : ""));
  }

  stop() { super.stop(); clearInterval(this.timer); }

  async leadIfMoved() {
    if (this.leading || !this.running) return;
    const here = page();
    if (this.arrivedOn !== here) { this.arrivedOn = here; this.arrivedAt = Date.now(); }
    // On a new page, wait a moment for its controls (sent once its script has run) rather than
    // lead twice: followers would open the page, then open it again with the controls.
    if (shown.page !== here && Date.now() - this.arrivedAt < WAIT_CONTROLS_MS) return;
    const own = shown.page === here ? shown.controls : {};
    const view = { page: here, query: query(new URLSearchParams({ ...own, ...query(location.search) }).toString()) };
    const p = played && played.page === here ? played : null;
    if (p) view.play = p.playing ? { playing: true, from: p.from, speed: p.speed } : { playing: false, epoch: p.epoch };
    const text = JSON.stringify(view);
    if (text === this.sent) return;
    if (p && p.playing) view.play.elapsed = Math.max(0, (performance.now() - p.t0) / 1000);   // stamped by the server
    this.leading = true;
    try {
      const r = await post(`${this.code}/lead`, { key: this.key, ...view });
      if (r.ok) { this.sent = text; this.leadError = null; }
      else {
        this.leadError = r.body.error || "The class did not take this move.";
        if (r.status === 404 || r.status === 403) this.stop();
      }
    } catch (e) { /* the next tick sends it again */ }
    this.leading = false;
    this.render();
  }

  act() {}

  render() {
    if (!this.host) return;
    const s = this.state;
    const link = this.data.join || `${location.origin}${base()}?class=${this.code}`;
    const qr = this.data.qr ? `<svg class="bpc-qr" viewBox="0 0 ${this.data.qr.size} ${this.data.qr.size}" role="img"
        aria-label="QR code of the join link" shape-rendering="crispEdges"><rect width="100%" height="100%" fill="#fff"/>
        <path d="${esc(this.data.qr.path)}" fill="#000"/></svg>` : "";
    const following = s ? `<span class="bpc-following">${s.following} following</span>` : "";
    const error = this.leadError || this.error;
    this.host.innerHTML = `<div class="bpc lecturer${this.data.projector ? " projector" : ""}" data-version="${s ? s.version : -1}">
      ${qr}<div class="bpc-main">
      <div class="bpc-join"><span>Join with the code <b class="bpc-code">${esc(this.code)}</b></span>
        <span class="bpc-link">${esc(link)}</span>${following}</div>
      ${s && s.ended ? `<p class="bpc-status">This class has ended.</p>` : ""}
      ${s && s.question ? this.questionHtml(s.question, s.counts, null, true) : ""}
      ${error ? `<p class="bpc-error">${esc(error)}</p>` : ""}</div></div>`;
  }
}

class Follower extends Member {
  constructor(code, data) {
    super(code, data);
    this.id = stored("local", FOLLOWER);
    if (!this.id || !/^[A-Za-z0-9_-]{8,64}$/.test(this.id)) {
      this.id = randomId();
      stored("local", FOLLOWER, this.id);
    }
    following(!this.exploring);
    this.poll(() => `&follower=${this.id}`);
  }

  // The server draws a following page without the settings' controls (the link gives them): tell it
  // when this tab explores or follows again, and once the run that knows it has come, finish the move.
  show(parent, data) {
    super.show(parent, data);
    const want = !this.exploring;
    if (typeof data.following !== "boolean") return;
    if (data.following !== want) {
      if (this.told !== want) { this.told = want; setTimeout(() => trigger && trigger("follow", want), 0); }
      return;
    }
    this.told = null;
    if (this.then === "back") { this.then = null; this.arrived(true); }
    else if (this.then === "explore") {     // start from the lecturer's view, with every control
      this.then = null;
      const s = this.state;
      const here = query(location.search);
      if (s && s.view && s.view.page === page() && Object.keys(s.view.query || {}).some((k) => !(k in here)))
        sameDocument(this.target());
    }
  }

  // The lecturer's view as an address of this app, with this class's code.
  target() {
    const s = this.state;
    const search = new URLSearchParams({ ...(s.view.query || {}), class: this.code }).toString();
    return `${base()}${encodeURI(s.view.page)}?${search}`;
  }

  get exploring() { return stored("session", EXPLORING(this.code)) === "1"; }

  stop() { super.stop(); following(false); }

  // The lecturer's Play, for this page's player (player.js hears it), when this page shows the
  // lecturer's run: the same page and link but for the epoch. Otherwise none: the page is about to
  // move, and its new player asks again ("backprop-player-ready").
  leadPlay() {
    const s = this.state;
    if (!s || s.ended || this.exploring || !s.view || s.view.page !== page()) return;
    const others = (q) => JSON.stringify(Object.entries(q).filter(([k]) => k !== "epoch"));
    const p = s.view.play;
    let detail = null;
    if (p && others(query(location.search)) === others(s.view.query || {})) {
      if (p.playing && this.clock && Number.isFinite(p.since)) {
        const ran = Math.max(0, this.clock.server - p.since);       // seconds, on the server's clock
        detail = { id: `play:${p.since}:${p.from}:${p.speed}`, playing: true, from: p.from, speed: p.speed,
                   t0: this.clock.local - ran * 1000 };
      } else if (!p.playing) detail = { id: `stop:${p.epoch}`, playing: false, epoch: p.epoch };
    }
    window.dispatchEvent(new CustomEvent("backprop-lead-play", { detail }));
  }

  // Open the lecturer's view if the lecturer moved since this tab last opened it (a student's own
  // click while following holds until the lecturer's next move).
  arrived(force = false) {
    const s = this.state;
    if (!s || s.ended || this.exploring || !s.view || typeof s.view.page !== "string") return;
    this.leadPlay();
    const applied = Number(stored("session", APPLIED(this.code)) ?? -1);
    if (!force && s.version <= applied) return;
    stored("session", APPLIED(this.code), String(s.version));
    const want = { ...(s.view.query || {}) };
    const view = JSON.stringify([s.view.page, query(new URLSearchParams(want).toString())]);
    // A question posed, closed or revealed changes the version, not the view: the page stays as it
    // is (Streamlit drops default values from the address, so the address is no test of that).
    const opened = stored("session", OPENED(this.code));
    stored("session", OPENED(this.code), view);
    if ((!force && view === opened) || view === JSON.stringify([page(), query(location.search)])) return;
    sameDocument(this.target());           // this page or another: a run of the page the path names
  }

  async act(what, value) {
    if (what === "explore" || what === "back") {
      stored("session", EXPLORING(this.code), what === "explore" ? "1" : null);
      following(what === "back");
      this.then = what;
      this.render();
      if (this.data) this.show(this.host.parentNode || this.host, this.data);    // tells the server
      return;
    }
    if (what !== "answer" || !this.state || !this.state.question) return;
    const q = this.state.question;
    try {
      const r = await post(`${this.code}/answer`, { follower: this.id, question: q.id, choice: value });
      if (r.ok) { stored("session", MINE(this.code, q.id), value); this.answerError = null; }
      else this.answerError = r.body.error || "Your answer did not reach the class: try again.";
    } catch (e) {
      this.answerError = "Your answer did not reach the class: check the connection and try again.";
    }
    this.render();
  }

  render() {
    if (!this.host) return;
    const s = this.state;
    const exploring = this.exploring;
    const head = s && s.ended ? `<span>The class ${esc(this.code)} has ended.</span>`
      : exploring ? `<span>Exploring on your own · class ${esc(this.code)}</span>
                     <button class="bpc-mode" data-act="back">Back to the lecturer</button>`
                  : `<span>Following the lecturer · class ${esc(this.code)}</span>
                     <button class="bpc-mode" data-act="explore">Explore on my own</button>`;
    const q = s && !s.ended ? s.question : null;
    const mine = q ? stored("session", MINE(this.code, q.id)) : null;
    const error = this.answerError || this.error;
    this.host.innerHTML = `<div class="bpc follower" data-version="${s ? s.version : -1}">
      <div class="bpc-head">${head}</div>
      ${q ? this.questionHtml(q, q.state === "revealed" ? s.counts : null, mine, false) : ""}
      ${error ? `<p class="bpc-error">${esc(error)}</p>` : ""}</div>`;
  }
}

export default function mount({ data, parentElement, setTriggerValue }) {
  trigger = setTriggerValue;
  if (data && data.controls) {              // the lecturer's page controls (a second, hidden mount)
    shown = { page: data.page, controls: data.controls };
    if (current && current.leadIfMoved) current.leadIfMoved();
    return;
  }
  if (data && data.followingCss) followingCss = data.followingCss;
  const code = data && data.code;
  if (!code) {
    following(false);
    if (current) current.stop();
    current = null;
    const host = ownBox(parentElement);
    if (host) host.remove();
    return;
  }
  if (data.newKey) stored("local", KEY(code), data.newKey);
  if (data.forget) stored("local", KEY(code), null);
  let key = stored("local", KEY(code));
  if (key && data.checked && !data.lecturer) {      // the server did not take this key: follow instead
    stored("local", KEY(code), null);
    key = null;
  }
  // Offer the key to the session: once per session, and once more to say a new key is kept.
  if (key && (data.newKey || (!data.lecturer && !data.checked))) setTimeout(() => setTriggerValue("key", key), 0);
  const role = key ? "lecturer" : "follower";
  if (!current || current.code !== code || current.role !== role) {
    if (current) current.stop();
    current = role === "lecturer" ? new Lecturer(code, key, data) : new Follower(code, data);
    current.role = role;
  }
  current.show(parentElement, data);
}
