// Backprop Explainer: the Training page's views, drawn and animated in the student's browser.
//
// The server sends a run once (ui/views/frames.py: frames of weights and printed numbers, the loss
// curves, the rows) and this module draws every frame itself, so Play costs the server nothing.
// One component, three roles, told apart by data.role:
//   "run"      — the whole run; draws nothing. Mounted outside the page's fragment, so its message
//                stays the same from rerun to rerun and Streamlit sends the browser a reference only.
//   "controls" — Play/Pause, the speed and, while playing, the epoch as a bar. It says to the
//                server only "play" (once) and "stop" with the epoch reached (once).
//   "view"     — some of the views (scores, loss, trajectories, fit, learned), as rows of columns.
// A module is loaded once per page, so the parts of one page find each other and their run here.
//
// In a class (ui/browser/classroom.js, the same page's other module) the player speaks through two
// window events: it tells "backprop-player" {playing, from, speed, t0} or {playing: false, epoch}
// at every Play, Pause, end or speed change (the lecturer's browser leads with it), and it hears
// "backprop-lead-play" — the lecturer's player, as a follower's browser should play it — and asks
// for it with "backprop-player-ready" when a run's controls are first drawn. t0 is on the page's
// performance.now() clock, which both modules share.

const runs = new Map();           // run id -> Run
const players = new Map();        // run id -> Player
const mounted = new WeakMap();    // parentElement -> Controls or View
const KEEP_RUNS = 3;
let led = null;                   // the lecturer's player as this follower should play it (null: none)

const tell = (detail) => window.dispatchEvent(new CustomEvent("backprop-player", { detail }));
window.addEventListener("backprop-lead-play", (e) => {
  led = e.detail || null;
  for (const p of players.values()) if (p.controls) p.follow(led);
});

// ------------------------------------------------------------------------------------ the run

export function f32(b64) {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

const ACTIVATIONS = {
  sigmoid: (z) => 1 / (1 + Math.exp(-z)),
  tanh: Math.tanh,
  relu: (z) => (z > 0 ? z : 0),
};

// The network's prediction (target units) for n rows of inputs in original units, from the
// weights of every layer flattened in order (row 0 of each layer is its bias): the forward pass of
// core/network.py — z = [1, a]·W, a = g(z) in hidden layers, a linear output.
export function predict(net, W, X, n) {
  const { shapes, xScale, yScale } = net;
  const g = ACTIVATIONS[net.activation];
  const width = Math.max(...shapes.map(([, c]) => c), xScale.length);
  let a = new Float64Array(width), z = new Float64Array(width);
  const out = new Float64Array(n);
  const nIn = xScale.length;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < nIn; j++) a[j] = X[i * nIn + j] / xScale[j];
    let off = 0;
    for (let k = 0; k < shapes.length; k++) {
      const [rows, cols] = shapes[k];
      for (let c = 0; c < cols; c++) {
        let s = W[off + c];                                   // the bias row
        for (let r = 1; r < rows; r++) s += a[r - 1] * W[off + r * cols + c];
        z[c] = s;
      }
      off += rows * cols;
      if (k < shapes.length - 1) for (let c = 0; c < cols; c++) a[c] = g(z[c]);
    }
    out[i] = z[0] * yScale;
  }
  return out;
}

class Run {
  constructor(d) {
    this.id = d.id;
    this.last = d.last;
    this.diverged = d.diverged;
    this.net = { shapes: d.shapes, activation: d.activation, xScale: d.x_scale, yScale: d.y_scale };
    this.nWeights = d.shapes.reduce((s, [r, c]) => s + r * c, 0);
    this.rows = d.rows;
    const f = d.frames;
    this.epochs = Int32Array.from(f.epoch);
    this.heads = f.head;
    this.texts = f.text;
    this.noteOf = f.note || [];
    this.notes = d.notes || [];
    this.losses = f32(f.loss);
    this.weights = f32(f.weights);
    this.curve = { epoch: d.curve.epoch, train: f32(d.curve.train), test: f32(d.curve.test), domain: d.curve.domain };
    this.labels = d.labels;
    this.scoreNames = d.score_names || null;
    this.cache = new Map();
    this.classifies = d.kind === "classification";
    if (this.classifies) {          // the decision boundary: a probability grid per frame, drawn as it is
      const b = d.boundary;
      this.boundary = b && { x1: b.x1, x2: b.x2, outputs: b.outputs, classes: b.classes, grid: f32(b.grid),
                             cells: b.x1.length * b.x2.length * b.outputs,
                             points: { x: f32(b.points.x), cls: b.points.class, nTrain: b.points.n_train } };
      return;
    }
    const p = d.paths;
    this.paths = { epoch: p.epoch, rows: p.rows, targets: p.targets, predicted: f32(p.predicted),
                   targetRange: p.target_range, x: null };
    this.domain = d.domain;
    const q = d.points;
    this.points = { x: f32(q.x), truth: f32(q.true), row: q.row, nTrain: q.n_train, nInputs: q.n_inputs };
    this.learned = d.learned;
  }

  // The index of the last shipped frame at or before epoch.
  index(epoch) {
    let lo = 0, hi = this.epochs.length - 1;
    if (epoch <= this.epochs[0]) return 0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.epochs[mid] <= epoch) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  frame(i) {
    const P = this.nWeights;
    const k = this.noteOf[i];
    return { epoch: this.epochs[i], head: this.heads[i], text: this.texts[i], note: k >= 0 ? this.notes[k] : "",
             loss: [this.losses[2 * i], this.losses[2 * i + 1]],
             weights: this.weights.subarray(i * P, (i + 1) * P),
             grid: this.boundary ? this.boundary.grid.subarray(i * this.boundary.cells, (i + 1) * this.boundary.cells) : null };
  }

  // What depends on the weights only, computed once per frame and kept for a few frames.
  derived(frame) {
    if (this.classifies) return {};            // the grid comes with the frame
    const key = frame.pinned ? `p${frame.epoch}` : frame.epoch;
    let d = this.cache.get(key);
    if (d) return d;
    const pts = this.points;
    d = { points: predict(this.net, frame.weights, pts.x, pts.truth.length) };
    const shown = this.paths.rows;
    d.paths = Float64Array.from(shown, (r) => d.points[r]);     // shown rows are training rows, all kept
    const L = this.learned;
    if (L.kind === "surface") {
      const n1 = L.x1.length, n2 = L.x2.length, X = new Float64Array(n1 * n2 * 2);
      for (let j = 0; j < n2; j++) for (let i = 0; i < n1; i++) {
        X[2 * (j * n1 + i)] = L.x1[i]; X[2 * (j * n1 + i) + 1] = L.x2[j];
      }
      d.surface = predict(this.net, frame.weights, X, n1 * n2);
    } else {
      d.lines = L.lines.map((line, j) => {
        const n = line.x.length, m = L.medians.length, X = new Float64Array(n * m);
        for (let i = 0; i < n; i++) for (let k = 0; k < m; k++) X[i * m + k] = k === j ? line.x[i] : L.medians[k];
        return predict(this.net, frame.weights, X, n);
      });
    }
    this.cache.set(key, d);
    if (this.cache.size > 8) this.cache.delete(this.cache.keys().next().value);
    return d;
  }
}

// ------------------------------------------------------------------------------------ the player

class Player {
  constructor(run) {
    this.run = run;
    this.epoch = run.last;
    this.pinned = null;              // the exact frame of an epoch between shipped ones
    this.playing = null;             // {start, t0} while playing
    this.speed = "Normal";
    this.speeds = { Slow: 40, Normal: 20, Fast: 8 };
    this.views = new Set();
    this.controls = null;
    this.drawn = 0;
    this.raf = 0;
    this.sent = -1;                  // messages sent to the server (counted on from its "seen")
    this.sentAt = 0;
    this.serverPlaying = false;
    this.resync = 0;
  }

  send(name, value) {
    if (!this.controls) return;
    this.sent += 1;
    this.sentAt = performance.now();
    this.controls.send(name, { ...value, n: this.sent });
  }

  current() {
    const run = this.run;
    if (this.pinned && this.pinned.epoch === this.epoch) return this.pinned;
    return run.frame(run.index(this.epoch));
  }

  show(epoch) {
    this.epoch = epoch;
    const frame = this.current();
    for (const v of this.views) v.draw(frame, this);
    if (this.controls) this.controls.draw(frame, this);
    this.drawn += 1;
  }

  play() {
    if (this.playing || this.run.last < 1) return;
    const start = this.epoch >= this.run.last ? 0 : this.epoch;
    this.playing = { start, t0: performance.now() };
    this.stats = { frames: this.drawn, t0: this.playing.t0 };
    this.send("play", { epoch: start });
    this.tellPlaying();
    this.show(start);
    this.raf = requestAnimationFrame((t) => this.tick(t));
  }

  tellPlaying() {
    if (this.controls) tell({ playing: true, from: this.playing.start, speed: this.speed, t0: this.playing.t0 });
  }

  // The lecturer's Play, as led (``led``): play from its epoch as far along as the lecturer is, at its
  // speed, or stop where it stopped. Each lead is followed once, so a student's own click holds
  // until the lecturer's next move.
  follow(lead) {
    if (!lead || lead.id === this.ledId) return;
    this.ledId = lead.id;
    if (lead.playing) {
      if (this.run.last < 1) return;
      if (Object.hasOwn(this.speeds, lead.speed)) this.speed = lead.speed;
      const start = Math.min(Math.max(lead.from, 0), this.run.last);
      const was = !!this.playing;
      cancelAnimationFrame(this.raf);
      this.playing = { start, t0: Math.min(lead.t0, performance.now()) };
      this.stats = { frames: this.drawn, t0: this.playing.t0 };
      if (!was) this.send("play", { epoch: start });
      this.raf = requestAnimationFrame((t) => this.tick(t));
    } else if (this.playing) {
      cancelAnimationFrame(this.raf);
      this.epoch = Math.min(Math.max(lead.epoch, 0), this.run.last);
      this.stop("lead");
    }
  }

  tick(now) {
    if (!this.playing) return;
    const { start, t0 } = this.playing;
    const run = this.run;
    const target = start + ((now - t0) / 1000 / this.speeds[this.speed]) * run.last;
    if (target >= run.last) {
      this.show(run.last);
      this.stop("end");
      return;
    }
    const epoch = Math.max(run.epochs[run.index(target)], start);
    this.show(epoch);
    this.raf = requestAnimationFrame((t) => this.tick(t));
  }

  pause() {
    if (this.playing) this.stop("pause");
  }

  stop(reason) {
    this.playing = null;
    cancelAnimationFrame(this.raf);
    if (this.stats) {                // what this run of Play drew, as the page measured it (tests read it)
      const seconds = (performance.now() - this.stats.t0) / 1000;
      this.controls?.host.setAttribute?.("data-last-play", `${this.drawn - this.stats.frames} ${seconds.toFixed(3)}`);
    }
    this.send("stop", { epoch: this.epoch, reason });
    if (this.controls) tell({ playing: false, epoch: this.epoch });
    this.show(this.epoch);
  }

  setSpeed(name) {
    if (!(name in this.speeds)) return;
    this.speed = name;
    if (this.playing) {                 // keep the position
      this.playing = { start: this.epoch, t0: performance.now() };
      this.tellPlaying();
    }
    this.controls?.draw(this.current(), this);
  }

  // The server's word on where the page is. While playing, the browser leads. Paused, a reply
  // sent before the browser's latest message ("seen" lower than what was sent) is out of date.
  // A server that thinks the page plays when nothing does (the page was left while playing, or a
  // "stop" got lost) is told "stop" again.
  fromServer(d) {
    if (d.speeds) this.speeds = d.speeds;
    if (d.pinned) this.pinned = { ...d.pinned, pinned: true, weights: f32(d.pinned.weights),
                                  grid: d.pinned.grid !== undefined ? f32(d.pinned.grid) : null };
    if (this.sent < 0) this.sent = d.seen || 0;
    this.serverPlaying = !!d.playing;
    if (this.playing) return;
    clearTimeout(this.resync);
    if (d.playing) {
      const late = (d.seen || 0) < this.sent;
      this.resync = setTimeout(() => {
        if (!this.playing && this.serverPlaying) this.send("stop", { epoch: this.epoch, reason: "sync" });
      }, late ? 1500 : 0);
      return;
    }
    if ((d.seen || 0) < this.sent && performance.now() - this.sentAt < 3000) return;   // a late reply
    this.show(Math.min(Math.max(d.epoch, 0), this.run.last));
  }

  dispose() {
    this.playing = null;
    cancelAnimationFrame(this.raf);
    clearTimeout(this.resync);
  }
}

function playerFor(id) {
  let player = players.get(id);
  if (!player && runs.has(id)) {
    player = new Player(runs.get(id));
    players.set(id, player);
  }
  return player;
}

function storeRun(d) {
  if (runs.has(d.id)) return;
  runs.set(d.id, new Run(d));
  while (runs.size > KEEP_RUNS) {
    const old = runs.keys().next().value;
    runs.delete(old);
    players.get(old)?.dispose();
    players.delete(old);
  }
  for (const part of waiting.splice(0)) part.attach();
}
const waiting = [];       // parts mounted before their run arrived

// ------------------------------------------------------------------------------------ drawing

const COLOURS = { train: "#0072B2", test: "#D55E00", black: "#222222", grey: "#595959", grid: "#e6e6e6",
                  text: "#1b1b1b", faint: 0.18 };
const VIRIDIS = ["#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58",
                 "#b5de2b", "#fde725"].map((h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)));

// Viridis at t in [0, 1], using its first 90% (the palest yellow is lost on white), as rgb.
export function viridis(t) {
  const x = Math.min(Math.max(Number.isFinite(t) ? t : 0, 0), 1) * 0.9 * (VIRIDIS.length - 1);
  const i = Math.min(Math.floor(x), VIRIDIS.length - 2), f = x - i;
  return VIRIDIS[i].map((c, k) => Math.round(c + f * (VIRIDIS[i + 1][k] - c)));
}
const rgb = (c) => `rgb(${c[0]},${c[1]},${c[2]})`;

function linear(d0, d1, r0, r1) {
  const k = (r1 - r0) / (d1 - d0 || 1);
  const s = (v) => r0 + (v - d0) * k;
  s.invert = (p) => d0 + (p - r0) / k;
  s.domain = [d0, d1];
  return s;
}

function logScale(d0, d1, r0, r1) {
  const l0 = Math.log10(d0), l1 = Math.log10(d1), k = (r1 - r0) / (l1 - l0 || 1);
  const s = (v) => r0 + (Math.log10(Math.min(Math.max(v, d0), d1)) - l0) * k;     // clamped
  s.domain = [d0, d1];
  s.log = true;
  return s;
}

export function niceTicks(lo, hi, count) {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / Math.max(count, 1), mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => span / s <= count) || 10 * mag;
  const ticks = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return ticks;
}

export function logTicks(lo, hi) {
  const ticks = [];
  for (let p = Math.floor(Math.log10(lo)); p <= Math.ceil(Math.log10(hi)); p++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** p;
      if (v >= lo && v <= hi) ticks.push(v);
    }
  }
  const powers = ticks.filter((v) => Math.abs(Math.log10(v) % 1) < 1e-9);
  return powers.length >= 3 ? powers : ticks;
}

function tickText(v, log) {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (log && (a < 1e-3 || a >= 1e5)) return `1e${Math.round(Math.log10(a))}`.replace("-", "−");
  if (a >= 1e5 || a < 1e-4) return v.toExponential(0).replace("-", "−");
  return v.toLocaleString("en-US", { maximumSignificantDigits: 4 }).replace("-", "−");
}

// A canvas that fills its box's width at the screen's pixel density; draw(ctx, w, h) in CSS pixels.
class Surface {
  constructor(parent, height, label) {
    this.canvas = document.createElement("canvas");
    this.canvas.setAttribute("role", "img");
    this.canvas.setAttribute("aria-label", label);
    this.canvas.style.height = `${height}px`;
    this.height = height;
    parent.appendChild(this.canvas);
    this.width = 0;
  }

  begin() {
    const w = Math.max(Math.floor(this.canvas.clientWidth), 50), h = this.height, dpr = window.devicePixelRatio || 1;
    if (w !== this.width || this.canvas.height !== Math.round(h * dpr)) {
      this.canvas.width = Math.round(w * dpr);
      this.canvas.height = Math.round(h * dpr);
      this.width = w;
      this.resized = true;
    }
    const ctx = this.canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    return ctx;
  }
}

function font(look, size, bold) {
  return `${bold ? "600 " : ""}${size || look.font}px ${look.family}`;
}

// Axes with ticks, grid and titles inside (w × h); returns the plot box.
function axes(ctx, look, box, x, y, titles, grid = true) {
  const { left, top, right, bottom } = box;
  ctx.save();
  ctx.font = font(look);
  ctx.fillStyle = COLOURS.text;
  ctx.strokeStyle = COLOURS.grid;
  ctx.lineWidth = 1;
  const xt = x.log ? logTicks(...x.domain) : niceTicks(...x.domain, Math.max(2, Math.floor((right - left) / (look.font * 6))));
  const yt = y.log ? logTicks(...y.domain) : niceTicks(...y.domain, Math.max(2, Math.floor((bottom - top) / (look.font * 3))));
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const v of xt) {
    const px = x(v);
    if (grid) { ctx.beginPath(); ctx.moveTo(px, top); ctx.lineTo(px, bottom); ctx.stroke(); }
    ctx.fillText(tickText(v, x.log), px, bottom + 4);
  }
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const v of yt) {
    const py = y(v);
    if (grid) { ctx.beginPath(); ctx.moveTo(left, py); ctx.lineTo(right, py); ctx.stroke(); }
    ctx.fillText(tickText(v, y.log), left - 5, py);
  }
  ctx.strokeStyle = COLOURS.grey;
  ctx.beginPath(); ctx.moveTo(left, top); ctx.lineTo(left, bottom); ctx.lineTo(right, bottom); ctx.stroke();
  ctx.font = font(look, look.font + 1, true);
  ctx.textAlign = "center";
  ctx.textBaseline = "bottom";
  ctx.fillText(fit(ctx, titles[0], right - left), (left + right) / 2, bottom + 8 + 2 * look.font + 4);
  ctx.translate(left - yTickWidth(ctx, look, yt, y.log) - 10, (top + bottom) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = "bottom";
  const [long, short] = Array.isArray(titles[1]) ? titles[1] : [titles[1], titles[1]];
  ctx.fillText(fit(ctx, ctx.measureText(long).width <= bottom - top ? long : short, bottom - top), 0, 0);
  ctx.restore();
}

function yTickWidth(ctx, look, ticks, log) {
  ctx.save();
  ctx.font = font(look);
  const w = Math.max(0, ...ticks.map((v) => ctx.measureText(tickText(v, log)).width));
  ctx.restore();
  return w;
}

function fit(ctx, text, width) {
  if (ctx.measureText(text).width <= width) return text;
  let t = text;
  while (t.length > 1 && ctx.measureText(`${t}…`).width > width) t = t.slice(0, -1);
  return `${t}…`;
}

function plotBox(ctx, look, w, h, y, legend) {
  const yt = y.log ? logTicks(...y.domain) : niceTicks(...y.domain, Math.max(2, Math.floor(h / (look.font * 3))));
  const left = yTickWidth(ctx, look, yt, y.log) + look.font + 22;
  const top = legend ? look.font * 2 + 10 : look.font;
  return { left, top, right: w - look.font * 1.6, bottom: h - (2 * look.font + 16) };
}

function marker(ctx, shape, x, y, r) {
  ctx.beginPath();
  if (shape === "triangle") {
    ctx.moveTo(x, y - r * 1.2); ctx.lineTo(x + r * 1.1, y + r * 0.8); ctx.lineTo(x - r * 1.1, y + r * 0.8); ctx.closePath();
  } else {
    ctx.arc(x, y, r, 0, 2 * Math.PI);
  }
  ctx.fill();
  ctx.stroke();
}

function legend(ctx, look, x0, items, width) {
  ctx.save();
  ctx.font = font(look);
  ctx.textBaseline = "middle";
  const r0 = look.font * 0.4;
  const room = (it, label) => (it.dash !== undefined ? 32 : 0) + (it.shape ? 2 * r0 + 8 : 0) + (it.swatch ? 2 * r0 + 8 : 0) + ctx.measureText(label).width + 20;
  const long = items.reduce((w, it) => w + room(it, it.label), 0);
  if (width && x0 + long > width) items = items.map((it) => ({ ...it, label: it.short || it.label }));
  let x = x0;
  const y = look.font * 0.9;
  for (const it of items) {
    ctx.strokeStyle = it.colour;
    ctx.fillStyle = it.colour;
    ctx.lineWidth = look.line;
    if (it.dash !== undefined) {
      ctx.setLineDash(it.dash);
      ctx.beginPath(); ctx.moveTo(x, y); ctx.lineTo(x + 26, y); ctx.stroke();
      ctx.setLineDash([]);
      x += 32;
    }
    if (it.swatch) {
      const r = look.font * 0.45;
      ctx.fillRect(x, y - r, 2 * r, 2 * r);
      ctx.strokeStyle = COLOURS.black;
      ctx.lineWidth = 1;
      ctx.strokeRect(x, y - r, 2 * r, 2 * r);
      x += 2 * r + 6;
    }
    if (it.shape) {
      const r = look.font * 0.4;
      ctx.strokeStyle = COLOURS.black;
      ctx.lineWidth = 1;
      marker(ctx, it.shape, x + r + 1, y, r);
      x += 2 * r + 8;
    }
    ctx.fillStyle = COLOURS.text;
    ctx.fillText(it.label, x, y);
    x += ctx.measureText(it.label).width + 20;
  }
  ctx.restore();
}

function cursor(ctx, look, x, box, epoch, last) {
  const px = x(epoch);
  ctx.save();
  ctx.strokeStyle = COLOURS.black;
  ctx.lineWidth = Math.max(1.5, look.line / 2);
  ctx.setLineDash([2, 3]);
  ctx.beginPath(); ctx.moveTo(px, box.top); ctx.lineTo(px, box.bottom); ctx.stroke();
  ctx.setLineDash([]);
  ctx.font = font(look, look.font, true);
  ctx.fillStyle = COLOURS.black;
  ctx.textBaseline = "top";
  const late = epoch > 0.75 * Math.max(last, 1);
  ctx.textAlign = late ? "right" : "left";
  ctx.fillText(epoch.toLocaleString("en-US"), px + (late ? -4 : 4), box.top + 2);
  ctx.restore();
}

function polyline(ctx, xs, ys, x, y, upto) {
  ctx.beginPath();
  let pen = false;
  for (let i = 0; i < xs.length; i++) {
    if (upto !== undefined && xs[i] > upto) break;
    const v = ys[i];
    if (!Number.isFinite(v)) { pen = false; continue; }
    const px = x(xs[i]), py = y(v);
    if (pen) ctx.lineTo(px, py); else ctx.moveTo(px, py);
    pen = true;
  }
  ctx.stroke();
}

// ------------------------------------------------------------------------------------ the views

const CHARTS = {
  loss: {
    title: ["Loss", " on training and test rows"],
    height: (look) => (look.projector ? 390 : look.height),
    draw(ctx, w, h, run, frame, look) {
      const c = run.curve;
      const x = linear(0, Math.max(run.last, 1), 0, 1), y = logScale(c.domain[0], c.domain[1], 0, 1);
      const box = plotBox(ctx, look, w, h, y, true);
      const X = linear(0, Math.max(run.last, 1), box.left, box.right), Y = logScale(c.domain[0], c.domain[1], box.bottom, box.top);
      axes(ctx, look, box, X, Y, ["epoch", run.classifies ? ["cross-entropy per row, −mean log ŷ (log)", "cross-entropy per row (log)"]
                                                        : ["loss per row, ½·mean(y − ŷ)² (log)", "loss per row (log)"]]);
      legend(ctx, look, box.left, [{ colour: COLOURS.train, dash: [], shape: "circle", label: "training rows (solid)", short: "training" },
                                   { colour: COLOURS.test, dash: [8, 4], shape: "triangle", label: "test rows (dashed)", short: "test" }], w);
      ctx.save();
      ctx.beginPath(); ctx.rect(box.left, box.top - 2, box.right - box.left, box.bottom - box.top + 4); ctx.clip();
      for (const [series, colour, dash] of [[c.train, COLOURS.train, []], [c.test, COLOURS.test, [8, 4]]]) {
        ctx.strokeStyle = colour;
        ctx.setLineDash(dash);
        ctx.lineWidth = look.line;
        ctx.globalAlpha = COLOURS.faint;
        polyline(ctx, c.epoch, series, X, Y);
        ctx.globalAlpha = 1;
        polyline(ctx, c.epoch, series, X, Y, frame.epoch);
      }
      ctx.setLineDash([]);
      ctx.restore();
      cursor(ctx, look, X, box, frame.epoch, run.last);
      ctx.lineWidth = 1;
      ctx.strokeStyle = COLOURS.black;
      const r = Math.sqrt(look.point * 1.5) / 2;
      [[frame.loss[0] / 1, COLOURS.train, "circle"], [frame.loss[1], COLOURS.test, "triangle"]].forEach(([v, colour, shape]) => {
        if (v === null || !(v > 0) || !Number.isFinite(v)) return;
        ctx.fillStyle = colour;
        marker(ctx, shape, X(frame.epoch), Y(v), r);
      });
    },
  },

  trajectories: {
    title: ["Predictions over the epochs", " — dashed: each row's target"],
    height: (look) => look.height,
    draw(ctx, w, h, run, frame, look, d) {
      const P = run.paths, m = P.rows.length, K = P.epoch.length;
      const [t0, t1] = P.targetRange;
      const colour = (t) => rgb(viridis((t - t0) / (t1 - t0 || 1)));
      const yl = linear(run.domain[0], run.domain[1], 0, 1);
      const box = plotBox(ctx, look, w, h, yl, false);
      const X = linear(0, Math.max(run.last, 1), box.left, box.right), Y = linear(run.domain[0], run.domain[1], box.bottom, box.top);
      axes(ctx, look, box, X, Y, ["epoch", `predicted ${run.labels.target}`]);
      ctx.save();
      ctx.beginPath(); ctx.rect(box.left, box.top, box.right - box.left, box.bottom - box.top); ctx.clip();
      const thin = Math.max(1, look.line * 0.6);
      ctx.lineWidth = thin;
      for (let r = 0; r < m; r++) {
        ctx.strokeStyle = colour(P.targets[r]);
        ctx.setLineDash([6, 4]);
        ctx.beginPath(); ctx.moveTo(box.left, Y(P.targets[r])); ctx.lineTo(box.right, Y(P.targets[r])); ctx.stroke();
        ctx.setLineDash([]);
        const ys = new Float64Array(K);
        for (let k = 0; k < K; k++) ys[k] = P.predicted[k * m + r];
        polyline(ctx, P.epoch, ys, X, Y);
      }
      ctx.restore();
      cursor(ctx, look, X, box, frame.epoch, run.last);
      ctx.strokeStyle = COLOURS.black;
      ctx.lineWidth = 1;
      const rad = Math.sqrt(look.point) / 2;
      for (let r = 0; r < m; r++) {
        const v = Math.min(Math.max(d.paths[r], run.domain[0]), run.domain[1]);
        if (!Number.isFinite(d.paths[r])) continue;
        ctx.fillStyle = colour(P.targets[r]);
        marker(ctx, "circle", X(frame.epoch), Y(v), rad);
      }
    },
  },

  fit: {
    title: ["Predicted vs true", " — on the dashed line y = x a prediction is exact"],
    height: (look) => look.height,
    draw(ctx, w, h, run, frame, look, d) {
      const [lo, hi] = run.domain;
      const yl = linear(lo, hi, 0, 1);
      const box = plotBox(ctx, look, w, h, yl, true);
      const X = linear(lo, hi, box.left, box.right), Y = linear(lo, hi, box.bottom, box.top);
      axes(ctx, look, box, X, Y, [`true ${run.labels.target}`, `predicted ${run.labels.target}`]);
      legend(ctx, look, box.left, [{ colour: COLOURS.train, shape: "circle", label: "training" },
                                   { colour: COLOURS.test, shape: "triangle", label: "test" }]);
      ctx.save();
      ctx.strokeStyle = COLOURS.grey;
      ctx.setLineDash([6, 4]);
      ctx.lineWidth = Math.max(1, look.line * 0.75);
      ctx.beginPath(); ctx.moveTo(X(lo), Y(lo)); ctx.lineTo(X(hi), Y(hi)); ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = COLOURS.grey;
      ctx.font = font(look);
      ctx.textAlign = "right";
      ctx.textBaseline = "bottom";
      ctx.fillText("y = x", X(hi) - 4, Y(hi) + look.font * 1.6);
      ctx.restore();
      const pts = run.points, n = pts.truth.length, rad = Math.sqrt(look.point * 1.3) / 2;
      ctx.strokeStyle = COLOURS.black;
      ctx.lineWidth = 0.6;
      ctx.globalAlpha = 0.85;
      for (let i = 0; i < n; i++) {
        const train = i < pts.nTrain;
        const v = d.points[i];
        ctx.fillStyle = train ? COLOURS.train : COLOURS.test;
        const py = Number.isFinite(v) ? Y(Math.min(Math.max(v, lo), hi)) : (v > 0 ? Y(hi) : Y(lo));
        marker(ctx, train ? "circle" : "triangle", X(pts.truth[i]), py, rad);
      }
      ctx.globalAlpha = 1;
    },
  },

  boundary: {
    title: ["Decision boundary", " — what the network predicts over the input plane"],
    height: (look) => (look.projector ? 380 : look.height + 80),
    draw(ctx, w, h, run, frame, look) {
      drawBoundary(ctx, w, h, run, frame, look);
    },
  },

  learned: {
    title: ["What the network has learned", ""],
    height: (look) => look.height + 60,
    draw(ctx, w, h, run, frame, look, d) {
      return run.learned.kind === "surface" ? drawSurface(ctx, w, h, run, look, d) : drawCurves(ctx, w, h, run, look, d);
    },
  },
};

// Classes: Okabe–Ito, as the Data page's chart (ui/views/style.py CLASS_COLOURS).
const CLASS_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
                       "#999999", "#882255"].map((h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)));

// The colour of one cell: the most probable class's colour, mixed with white by how sure the network
// is there (white where two classes tie), or flat and pale for hard regions.
export function cellColour(probs, hard) {
  const K = probs.length;
  let best = 0;
  for (let k = 1; k < K; k++) if (probs[k] > probs[best]) best = k;
  const sure = hard ? 0.45 : 0.8 * Math.max(0, (probs[best] - 1 / K) / (1 - 1 / K));
  return CLASS_COLOURS[best % CLASS_COLOURS.length].map((c) => Math.round(255 + sure * (c - 255)));
}

function drawBoundary(ctx, w, h, run, frame, look) {
  const B = run.boundary, n1 = B.x1.length, n2 = B.x2.length, O = B.outputs;
  const step1 = (B.x1[n1 - 1] - B.x1[0]) / (n1 - 1), step2 = (B.x2[n2 - 1] - B.x2[0]) / (n2 - 1);
  const x0 = B.x1[0] - step1 / 2, x1 = B.x1[n1 - 1] + step1 / 2, y0 = B.x2[0] - step2 / 2, y1 = B.x2[n2 - 1] + step2 / 2;
  const yl = linear(y0, y1, 0, 1);
  const box = plotBox(ctx, look, w, h, yl, true);
  const X = linear(x0, x1, box.left, box.right), Y = linear(y0, y1, box.bottom, box.top);
  const img = new ImageData(n1, n2), g = frame.grid;
  const probs = new Float64Array(O === 1 ? 2 : O);
  for (let j = 0; j < n2; j++) for (let i = 0; i < n1; i++) {
    const at = (j * n1 + i) * O;
    if (O === 1) { probs[1] = g[at]; probs[0] = 1 - g[at]; } else for (let k = 0; k < O; k++) probs[k] = g[at + k];
    const c = cellColour(probs, !!look.hard), o = 4 * ((n2 - 1 - j) * n1 + i);
    img.data[o] = c[0]; img.data[o + 1] = c[1]; img.data[o + 2] = c[2]; img.data[o + 3] = 255;
  }
  const tile = (Surface.tile ||= document.createElement("canvas"));
  tile.width = n1; tile.height = n2;
  tile.getContext("2d").putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = !look.hard;        // probabilities blend from cell to cell; hard regions keep edges
  ctx.drawImage(tile, box.left, box.top, box.right - box.left, box.bottom - box.top);
  axes(ctx, look, box, X, Y, [run.labels.features[0], run.labels.features[1]], false);
  const items = B.classes.map((c, k) => ({ colour: rgb(CLASS_COLOURS[k % CLASS_COLOURS.length]), label: c, swatch: true }));
  legend(ctx, look, box.left, [...items, { colour: "#ffffff", shape: "circle", label: "training" },
                               { colour: "#ffffff", shape: "triangle", label: "test" }], w);
  const pts = B.points, n = pts.cls.length, rad = Math.sqrt(look.point * 1.6) / 2;
  ctx.save();
  ctx.beginPath(); ctx.rect(box.left, box.top, box.right - box.left, box.bottom - box.top); ctx.clip();
  ctx.strokeStyle = COLOURS.black;
  ctx.lineWidth = 1;
  for (let i = 0; i < n; i++) {
    ctx.fillStyle = rgb(CLASS_COLOURS[pts.cls[i] % CLASS_COLOURS.length]);
    marker(ctx, i < pts.nTrain ? "circle" : "triangle", X(pts.x[2 * i]), Y(pts.x[2 * i + 1]), rad);
  }
  ctx.restore();
}

function drawSurface(ctx, w, h, run, look, d) {
  const L = run.learned, n1 = L.x1.length, n2 = L.x2.length;
  const step1 = (L.x1[n1 - 1] - L.x1[0]) / (n1 - 1), step2 = (L.x2[n2 - 1] - L.x2[0]) / (n2 - 1);
  const x0 = L.x1[0] - step1 / 2, x1 = L.x1[n1 - 1] + step1 / 2, y0 = L.x2[0] - step2 / 2, y1 = L.x2[n2 - 1] + step2 / 2;
  const [c0, c1] = L.colour;
  const gradientWidth = look.font * 5 + 24;
  const yl = linear(y0, y1, 0, 1);
  const box = plotBox(ctx, look, w - gradientWidth, h, yl, true);
  const X = linear(x0, x1, box.left, box.right), Y = linear(y0, y1, box.bottom, box.top);
  // the grid of predictions as an image, one pixel per cell, scaled up without smoothing
  const img = new ImageData(n1, n2);
  for (let j = 0; j < n2; j++) for (let i = 0; i < n1; i++) {
    const c = viridis((d.surface[j * n1 + i] - c0) / (c1 - c0 || 1)), o = 4 * ((n2 - 1 - j) * n1 + i);
    img.data[o] = c[0]; img.data[o + 1] = c[1]; img.data[o + 2] = c[2]; img.data[o + 3] = 255;
  }
  const tile = (Surface.tile ||= document.createElement("canvas"));
  tile.width = n1; tile.height = n2;
  tile.getContext("2d").putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tile, box.left, box.top, box.right - box.left, box.bottom - box.top);
  axes(ctx, look, box, X, Y, [run.labels.features[0], run.labels.features[1]], false);
  legend(ctx, look, box.left, [{ colour: "#ffffff", shape: "circle", label: "training" },
                               { colour: "#ffffff", shape: "triangle", label: "test" }]);
  // the range of the training rows, dashed: outside it the network extrapolates
  const [b0, b1, b2, b3] = L.box;
  ctx.save();
  ctx.strokeStyle = COLOURS.black;
  ctx.setLineDash([6, 4]);
  ctx.lineWidth = Math.max(1.5, look.line * 0.6);
  ctx.strokeRect(X(b0), Y(b3), X(b1) - X(b0), Y(b2) - Y(b3));
  ctx.setLineDash([]);
  ctx.font = font(look);
  ctx.fillStyle = COLOURS.black;
  ctx.textBaseline = "bottom";
  ctx.fillText("range of the training rows", X(b0) + 2, Y(b3) - 3);
  ctx.restore();
  const pts = run.points, n = pts.truth.length, rad = Math.sqrt(look.point * 1.6) / 2;
  ctx.strokeStyle = "#ffffff";
  ctx.lineWidth = 1.5;
  for (let i = 0; i < n; i++) {
    ctx.fillStyle = rgb(viridis((pts.truth[i] - c0) / (c1 - c0 || 1)));
    marker(ctx, i < pts.nTrain ? "circle" : "triangle", X(pts.x[2 * i]), Y(pts.x[2 * i + 1]), rad);
  }
  // the colour scale, right of the plot
  const gx = w - gradientWidth + 12, gh = box.bottom - box.top;
  for (let k = 0; k < gh; k++) {
    ctx.fillStyle = rgb(viridis(1 - k / gh));
    ctx.fillRect(gx, box.top + k, 14, 1.5);
  }
  ctx.font = font(look);
  ctx.fillStyle = COLOURS.text;
  ctx.textBaseline = "middle";
  ctx.textAlign = "left";
  for (const v of niceTicks(c0, c1, 5)) ctx.fillText(tickText(v), gx + 18, box.top + (1 - (v - c0) / (c1 - c0 || 1)) * gh);
  ctx.textBaseline = "bottom";
  ctx.fillText(fit(ctx, run.labels.target, gradientWidth), gx - 12, box.top - 4);
}

function drawCurves(ctx, w, h, run, look, d) {
  const L = run.learned, lines = L.lines, n = lines.length;
  const each = h / n, pts = run.points, nIn = pts.nInputs;
  lines.forEach((line, j) => {
    ctx.save();
    ctx.translate(0, j * each);
    const [lo, hi] = line.domain;
    const yl = linear(lo, hi, 0, 1);
    const box = plotBox(ctx, look, w, each, yl, j === 0);
    const X = linear(line.x[0], line.x[line.x.length - 1], box.left, box.right), Y = linear(lo, hi, box.bottom, box.top);
    axes(ctx, look, box, X, Y, [run.labels.features[j], run.labels.target]);
    if (j === 0) legend(ctx, look, box.left, [{ colour: COLOURS.train, shape: "circle", label: "training" },
                                            { colour: COLOURS.test, shape: "triangle", label: "test" }]);
    ctx.beginPath(); ctx.rect(box.left, box.top, box.right - box.left, box.bottom - box.top); ctx.clip();
    ctx.strokeStyle = COLOURS.black;
    ctx.lineWidth = 0.6;
    const rad = Math.sqrt(look.point * 1.3) / 2;
    for (let i = 0; i < pts.truth.length; i++) {
      ctx.fillStyle = i < pts.nTrain ? COLOURS.train : COLOURS.test;
      marker(ctx, i < pts.nTrain ? "circle" : "triangle", X(pts.x[i * nIn + j]), Y(pts.truth[i]), rad);
    }
    ctx.strokeStyle = COLOURS.black;
    ctx.lineWidth = look.line;
    polyline(ctx, line.x, d.lines[j], X, Y);
    ctx.restore();
  });
}

// ------------------------------------------------------------------------------------ parts

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

const SVG = "http://www.w3.org/2000/svg";

function icon(path) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  const p = document.createElementNS(SVG, "path");
  p.setAttribute("d", path);
  svg.appendChild(p);
  return svg;
}

function publish(host, player, frame) {
  if (!host || !host.setAttribute) return;
  host.setAttribute("data-epoch", String(frame.epoch));
  host.setAttribute("data-frames", String(player.drawn));
  host.setAttribute("data-playing", player.playing ? "true" : "false");
}

class View {
  constructor(root) {
    this.root = root;
    this.host = root.host || root;
    this.box = el("div", "bpx");
    root.appendChild(this.box);
    this.charts = [];
    this.resize = new ResizeObserver(() => this.player && this.redraw());
    this.resize.observe(this.box);
  }

  update(data) {
    this.data = data;
    this.look = { ...data.look, family: getComputedStyle(this.box).fontFamily || "sans-serif" };
    this.attach();
  }

  attach() {
    const player = playerFor(this.data.run);
    if (!player) {
      if (!waiting.includes(this)) waiting.push(this);
      this.box.replaceChildren(el("p", "bpx-wait", "Loading the run…"));
      this.built = null;
      return;
    }
    if (this.player && this.player !== player) this.player.views.delete(this);
    this.player = player;
    player.views.add(this);
    const key = JSON.stringify([this.data.run, this.data.parts, this.data.look, this.data.captions]);
    if (this.built !== key) this.build();
    this.built = key;
    this.redraw();
  }

  build() {
    const { parts, captions = {} } = this.data;
    this.box.replaceChildren();
    this.charts = [];
    this.scores = null;
    this.box.classList.toggle("projector", !!this.look.projector);
    for (const row of parts) {
      const line = el("div", "bpx-row");
      line.style.gridTemplateColumns = `repeat(${row.length}, minmax(0, 1fr))`;
      for (const name of row) {
        const cell = el("div", `bpx-part bpx-${name}`);
        cell.setAttribute("data-part", name);
        if (name === "scores") this.scores = this.buildScores(cell, captions.scores);
        else {
          const chart = CHARTS[name];
          const title = el("p", "bpx-title");
          title.append(el("strong", "", chart.title[0]), chart.title[1]);
          if (name === "learned" && this.player.run.learned.kind === "surface")
            title.append(" — background: its prediction; markers: the actual values");
          cell.appendChild(title);
          this.charts.push({ name, chart, surface: new Surface(cell, chart.height(this.look), chart.title.join("")) });
          if (captions[name]) cell.appendChild(el("p", "bpx-caption", captions[name]));
        }
        line.appendChild(cell);
      }
      this.box.appendChild(line);
    }
  }

  buildScores(cell, caption) {
    const head = el("h4", "bpx-head");
    const grid = el("div", "bpx-metrics");
    const names = this.player.run.scoreNames ||
      ["Training", "Test"].flatMap((s) => ["loss", "loss per row", "RMSE", "R²"].map((m) => `${s} ${m}`));
    if (this.player.run.scoreNames) grid.classList.add("bpx-metrics-pairs");
    const values = names.map((name) => {
      const m = el("div", "bpx-metric");
      m.setAttribute("data-label", name);
      const v = el("div", "bpx-value");
      m.append(el("div", "bpx-label", name), v);
      grid.appendChild(m);
      return v;
    });
    const note = el("p", "bpx-note");
    cell.append(head, grid, note);
    if (caption) cell.appendChild(el("p", "bpx-caption", caption));
    return { head, values, note };
  }

  redraw() {
    if (this.player) this.draw(this.player.current(), this.player);
  }

  draw(frame, player) {
    if (!this.built && this.built !== null) return;
    const run = player.run;
    if (this.scores) {
      this.scores.head.textContent = frame.head;
      frame.text.forEach((t, i) => { if (this.scores.values[i].textContent !== t) this.scores.values[i].textContent = t; });
      const note = player.playing ? "" : frame.note || "";     // an explanation of a paused epoch
      if (this.scores.note.textContent !== note) this.scores.note.textContent = note;
      this.scores.note.hidden = !note;
    }
    if (this.charts.length) {
      const d = run.derived(frame);
      for (const c of this.charts) {
        const ctx = c.surface.begin();
        c.chart.draw(ctx, c.surface.width, c.surface.height, run, frame, this.look, d);
      }
    }
    publish(this.host, player, frame);
  }

  dispose() {
    this.resize.disconnect();
    this.player?.views.delete(this);
  }
}

class Controls {
  constructor(root, send) {
    this.root = root;
    this.host = root.host || root;
    this.send = send;
    this.box = el("div", "bpx bpx-controls");
    this.button = el("button", "bpx-play");
    this.button.type = "button";
    this.button.addEventListener("click", () => {
      const p = this.player;
      if (!p) return;
      if (p.playing) p.pause(); else p.play();
    });
    this.speedBox = el("div", "bpx-speeds");
    this.speedBox.setAttribute("role", "radiogroup");
    this.speedBox.setAttribute("aria-label", "Speed");
    this.bar = el("div", "bpx-progress");
    this.barText = el("div", "bpx-progress-text");
    this.barFill = el("div", "bpx-progress-fill");
    const track = el("div", "bpx-progress-track");
    track.appendChild(this.barFill);
    this.bar.append(this.barText, track);
    const line = el("div", "bpx-control-row");
    const speed = el("div", "bpx-speed");
    speed.append(el("div", "bpx-label", "Speed"), this.speedBox);
    line.append(this.button, speed);
    this.box.append(line, this.bar);
    root.appendChild(this.box);
  }

  update(data, send) {
    this.send = send;
    this.data = data;
    this.box.classList.toggle("projector", !!data.look?.projector);
    const player = playerFor(data.run);
    if (!player) {
      if (!waiting.includes(this)) waiting.push(this);
      return;
    }
    this.attach();
  }

  attach() {
    const player = playerFor(this.data.run);
    if (!player) return;
    if (this.player && this.player !== player) {      // another run: the old player is out of the page
      this.player.dispose();
      this.player.controls = null;
    }
    this.player = player;
    const fresh = player.controls !== this;
    player.controls = this;
    if (!this.speedsBuilt) this.buildSpeeds(this.data.speeds || player.speeds);
    player.fromServer(this.data);
    this.draw(player.current(), player);
    if (led) player.follow(led);
    if (fresh) window.dispatchEvent(new Event("backprop-player-ready"));   // a class may lead this run's Play
  }

  buildSpeeds(speeds) {
    this.speedsBuilt = true;
    this.speedBox.replaceChildren();
    this.speedButtons = Object.entries(speeds).map(([name, seconds]) => {
      const b = el("button", "bpx-speed-option", name);
      b.type = "button";
      b.setAttribute("role", "radio");
      b.title = `A whole run takes about ${seconds} s`;
      b.addEventListener("click", () => this.player?.setSpeed(name));
      this.speedBox.appendChild(b);
      return b;
    });
  }

  draw(frame, player) {
    const on = !!player.playing;
    if (this.button.dataset.state !== String(on)) {
      this.button.dataset.state = String(on);
      this.button.replaceChildren(icon(on ? "M6 5h4v14H6zM14 5h4v14h-4z" : "M8 5v14l11-7z"), on ? "Pause" : "Play");
    }
    this.button.disabled = player.run.last < 1;
    this.button.title = "Animate training from epoch 0 (or from the chosen epoch) to the end.";
    for (const b of this.speedButtons || []) b.setAttribute("aria-checked", String(b.textContent === player.speed));
    this.bar.hidden = !on;
    if (on) {
      this.barText.textContent = `Epoch ${frame.epoch.toLocaleString("en-US")} of ${player.run.last.toLocaleString("en-US")} — playing`;
      this.barFill.style.width = `${(100 * frame.epoch) / Math.max(player.run.last, 1)}%`;
    }
    publish(this.host, player, frame);
  }
}

// ------------------------------------------------------------------------------------ mounting

export default function mount(component) {
  const { data, parentElement, setTriggerValue } = component;
  if (!data) return undefined;
  if (data.role === "run") {
    storeRun(data.run);
    return undefined;
  }
  const send = (name, value) => setTriggerValue(name, value);
  let part = mounted.get(parentElement);
  if (!part) {
    part = data.role === "controls" ? new Controls(parentElement, send) : new View(parentElement);
    mounted.set(parentElement, part);
  }
  part.update(data, send);
  return () => {
    if (part instanceof View) part.dispose();
    else if (part.player && part.player.controls === part) {
      part.player.dispose();
      part.player.controls = null;
      tell(null);                       // no player on the page any more
    }
    mounted.delete(parentElement);
  };
}

// The controls and the views are mounted by ui/browser/player_part.js, which finds this module here.
window.backpropPlayer = { mount };
window.dispatchEvent(new Event("backprop-player-loaded"));
