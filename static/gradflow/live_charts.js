// Live charts that stay on the page: every view keeps its Vega view across frames and receives only the
// rows it does not have yet (Vega changesets). One store per page holds the run's chunks (core/stream);
// the feed component fills it, the chart components draw from it. Live and replay are one path: the same
// views hold every recorded step, and the step bar's input (#gfe-step) selects the one the at-step views show.
// Only what a person sees is drawn: a view off-screen waits until it scrolls into view, and renders coalesce
// to one per animation frame.

const STATIC = new URL('app/static/', document.baseURI);
const LIBRARIES = ['vega', 'vega-lite', 'vega-embed'];
let loading = null;

function loadLibraries() {
  // The app serves these itself (static/vendor/, pinned from npm): a classroom may have no Internet.
  if (window.vegaEmbed && window.vega && window.vegaLite) return Promise.resolve();
  if (loading) return loading;
  loading = LIBRARIES.reduce((previous, name) => previous.then(() => new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = new URL(`vendor/${name}.min.js`, STATIC).href;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`could not load ${script.src}`));
    document.head.appendChild(script);
  })), Promise.resolve());
  return loading;
}

// --- the store: one run's chunks, as the server encoded them -------------------------------------------

const store = { run: null, header: null, chunks: [], samples: [], selected: null, display: -1, requests: 0, asked: null };
const views = new Set();
window.gfeLive = { store, views, renders: 0 };  // read by the tests and the benchmark

function bytes(text) {
  const raw = atob(text), out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out.buffer;
}

function decode(text) {
  const chunk = JSON.parse(text);
  const histograms = {};
  for (const [kind, packed] of Object.entries(chunk.histograms || {})) histograms[kind] = new Float32Array(bytes(packed));
  const [loss, accuracy] = new Float32Array(bytes(chunk.loss));
  return { step: chunk.step, loss, accuracy, metrics: new Float32Array(bytes(chunk.metrics)), histograms,
           zeros: chunk.zeros ? new Float32Array(bytes(chunk.zeros)) : null,
           samples: (chunk.boundary || []).map(s => ({ after: s.after, classes: new Uint8Array(bytes(s.classes)) })) };
}

const retired = new Set();  // runs this page has moved on from: a late frame of one is ignored

function reset(run) {
  if (store.run !== null) retired.add(store.run);
  store.run = run; store.header = null; store.chunks = []; store.samples = []; store.selected = null; store.asked = null;
  store.display = -1;
}

// The feed on the page (its element and how it asks the server), for the check below.
const feeder = { element: null, ask: null };
const order = { cursor: null, frame: 0 };  // the last frame applied
window.gfeLive.order = order;

// Called by the feed component with each frame: {run, from, count, header, chunks}.
export function feed(element, data, ask) {
  window.gfeLive.feeds = (window.gfeLive.feeds || 0) + 1;
  if (!data || typeof data.run !== 'string' || !Array.isArray(data.chunks) || !Number.isInteger(data.from)) return;
  // Frames are numbered by the server's cursor for this page: one older than a frame applied came late (a
  // run's replaced stream, say) and is dropped. A new cursor (a new session) starts its own count.
  if (Number.isInteger(data.frame)) {
    if (data.cursor === order.cursor && data.frame <= order.frame) return;
    order.cursor = data.cursor; order.frame = data.frame;
  }
  feeder.element = element; feeder.ask = ask;
  if (retired.has(data.run)) return;
  if (data.run !== store.run) {
    if (data.from !== 0) return request(data.run, 0, ask);  // a run this page has never seen: all of it
    reset(data.run);
  }
  if (data.from > store.chunks.length) return request(data.run, store.chunks.length, ask);  // a frame was missed
  if (data.header && !store.header) store.header = JSON.parse(data.header);
  const known = store.chunks.length - data.from;
  for (const text of data.chunks.slice(known)) {
    const chunk = decode(text);
    store.chunks.push(chunk);
    store.samples.push(...chunk.samples);
  }
  store.asked = null;
  if (following()) schedule();  // the views move on at the next tick
  else invalidate();
}

const ASK_AGAIN = 500;  // ms: a request whose answer was lost (the page kept only a later frame) is made again

function request(run, have, ask) {
  const key = `${run}:${have}`, time = performance.now();
  if (store.asked && store.asked.key === key && time - store.asked.at < ASK_AGAIN) return;  // on its way
  if (run !== store.run) reset(run);
  store.asked = { key, at: time };
  window.gfeLive.asks = (window.gfeLive.asks || 0) + 1;
  ask({ run, have, request: ++store.requests });
}

// Streamlit's page may apply only the last of a few quick updates, and the last frame of a run may carry
// nothing new: a finished run whose step bar counts more steps than the store holds asks for the rest.
const repairs = new Map(), REPAIRS = 6;  // asks per run and count: never a loop of reruns
function checkComplete() {
  const input = bar();
  if (!input || input.disabled || !feeder.ask || !feeder.element || !feeder.element.isConnected) return;
  const want = Number(input.max) + 1;
  if (store.run === null || !Number.isInteger(want) || store.chunks.length >= want) return;
  const key = `${store.run}:${store.chunks.length}`;
  repairs.set(key, (repairs.get(key) || 0) + 1);
  if (repairs.get(key) <= REPAIRS) request(store.run, store.chunks.length, feeder.ask);
}
setInterval(checkComplete, ASK_AGAIN);

// The step bar (ui/lab/step_bar.py) moves its range input; while a run trains the views follow the latest step.
document.addEventListener('input', (event) => {
  if (event.target && event.target.id === 'gfe-step') {
    store.selected = Number(event.target.value);
    invalidate();
  }
}, true);

function bar() {
  return document.getElementById('gfe-step');
}

// While the run trains the step bar is disabled and the views follow the run; afterwards they show the
// step the bar selects.
function following() {
  const input = bar();
  return !input || input.disabled;
}

function shownIndex() {
  const last = store.chunks.length - 1;
  if (following()) return Math.min(store.display, last);
  const input = bar();
  const index = store.selected === null ? Number(input.value) : store.selected;
  return Math.max(0, Math.min(last, Number.isFinite(index) ? index : last));
}

// --- rendering: at most one per animation frame, only views on screen ---------------------------------

// A frame from the server may bring several recorded steps at once (Streamlit's page applies only the last
// of a few quick updates). The views show them one after another, TICK apart, so the picture moves
// steadily instead of jumping: at most one frame's time behind the run.
const TICK = 1000 / 12;
const CATCH_UP = 30;  // steps behind past which the views jump to the latest (a reconnect, a long pause)
let looping = false, lastTick = -Infinity, now = 0;

function invalidate() {
  for (const view of views) view.dirty = true;
  schedule();
}

function schedule() {
  if (looping) return;
  looping = true;
  requestAnimationFrame(loop);
}

function advance() {
  const last = store.chunks.length - 1;
  if (!following() || store.display >= last) return false;
  const behind = last - store.display;
  store.display = behind > CATCH_UP ? last : store.display + Math.max(1, Math.ceil(behind / 2));
  for (const view of views) view.dirty = true;
  return true;
}

function loop(time) {
  looping = false;
  now = time;
  if (following() && time - lastTick >= TICK - 4 && store.display < store.chunks.length - 1) {
    lastTick = time;
    advance();
  }
  for (const view of views) if (view.dirty && view.visible && view.vega) view.render();
  const waiting = following() && store.display < store.chunks.length - 1;
  if (waiting) schedule();
}

const watcher = new IntersectionObserver((entries) => {
  for (const entry of entries) {
    const view = entry.target.gfeView;
    if (!view) continue;
    view.visible = entry.isIntersecting;
    if (view.visible && view.dirty) schedule();
  }
});

// --- rows of each kind of view, from the chunks ---------------------------------------------------------

// TensorBoard's smoothing, as core/charts/smoothing.py: the debiased moving average, non-finite values are gaps.
class Smoother {
  constructor(weight) { this.weight = weight; this.sum = 0; this.norm = 0; }
  next(value) {
    if (this.weight === 0) return value;
    if (!Number.isFinite(value)) return NaN;
    this.sum = this.weight * this.sum + value;
    this.norm = this.weight * this.norm + 1;
    return this.sum / this.norm;
  }
}
const finite = (value) => (Number.isFinite(value) ? value : null);

// The chain rule's numbers, as core/chain_rule.py reads them from a recorded step: rms = √(mean square).
const TOO_SMALL = 1.1e-19;  // √(float32's smallest normal number): a smaller rms squares to 0 in the record
function chainNumbers(chunk, layer) {
  const { header } = store, layers = header.layers, metrics = header.metrics;
  const at = (name, l) => chunk.metrics[metrics.indexOf(name) * layers + l];
  const below = layer - 1, above = layer;  // 0-based: layer l and the layer above it
  const delta = (l) => Math.sqrt(at('delta_ms', l)), gradA = (l) => Math.sqrt(at('grad_a_ms', l));
  return { deltaAbove: delta(above), weights: gradA(below) / delta(above), activation: delta(below) / gradA(below),
           delta: delta(below), slope: Math.sqrt(at('slope_ms', below)), slopeZeros: at('slope_zeros', below),
           gradA: gradA(below), skip: gradA(above),
           zerosAbove: chunk.zeros ? chunk.zeros[above] : 1, zeros: chunk.zeros ? chunk.zeros[below] : 1 };
}
// Python's '%.3g', and the page's words for what float32 could not hold
function number(value) {
  if (Number.isNaN(value)) return '0/0';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return 'exactly 0';
  const exponent = Math.floor(Math.log10(Math.abs(value)));
  if (exponent < -4 || exponent >= 3) return value.toExponential(2).replace(/\.?0+e/, 'e');
  return String(Number(value.toPrecision(3)));
}
const rms = (value, zeros) => (value === 0 && zeros < 1 ? `< ${TOO_SMALL.toExponential(1)}` : number(value));

const KINDS = {
  // One line per layer of a per-layer metric over the recorded steps: appended.
  lines: {
    append(view, chunk) {
      const { header } = store, layers = header.layers, m = header.metrics.indexOf(view.spec.metric);
      const rows = [];
      for (let l = 0; l < layers; l++) {
        const smoother = view.state[l] || (view.state[l] = new Smoother(view.spec.smoothing));
        const value = smoother.next(chunk.metrics[m * layers + l] * view.spec.scale);
        if (view.spec.positive ? value > 0 : Number.isFinite(value)) rows.push({ step: chunk.step, layer_index: l + 1, value });
      }
      return { rows };
    },
  },
  // Loss or accuracy over the recorded steps, raw and smoothed: appended.
  curve: {
    append(view, chunk) {
      const smoother = view.state.smoother || (view.state.smoother = new Smoother(view.spec.smoothing));
      const raw = view.spec.quantity === 'loss' ? chunk.loss : chunk.accuracy;
      return { rows: [{ step: chunk.step, raw: finite(raw), smoothed: finite(smoother.next(raw)) }] };
    },
  },
  // log10 grad_norm per layer and recorded step; each column lasts until the next measurement: appended.
  heatmap: {
    append(view, chunk) {
      const { header } = store, layers = header.layers, m = header.metrics.indexOf('grad_norm');
      const end = Math.min(chunk.step + header.record_every, header.total), rows = [];
      for (let l = 0; l < layers; l++) {
        rows.push({ step: chunk.step, step_end: end, layer_index: l + 1,
                    log10_grad_norm: finite(Math.log10(chunk.metrics[m * layers + l])) });
      }
      return { rows };
    },
  },
  // grad_norm against depth at the shown step: replaced.
  profile: {
    at(view, chunk) {
      const { header } = store, layers = header.layers, metrics = header.metrics;
      const g = metrics.indexOf('grad_norm'), d = metrics.indexOf('delta_ms'), rows = [];
      for (let l = 0; l < layers; l++) {
        rows.push({ layer_index: l + 1, grad_norm: finite(chunk.metrics[g * layers + l]),
                    delta_ms: finite(chunk.metrics[d * layers + l]) });
      }
      return { rows };
    },
  },
  // One layer's chain rule with the shown step's numbers, as figures: replaced.
  chain: {
    at(view, chunk) {
      const c = chainNumbers(chunk, view.spec.layer), titles = view.spec.titles;
      const values = [rms(c.deltaAbove, c.zerosAbove), number(c.weights), number(c.activation), rms(c.delta, c.zeros),
                      number(c.slope), `${(100 * c.slopeZeros).toFixed(1)}%`,
                      // ∂loss/∂h and W^T δ are exactly 0 only when δ above is: else their squares underflowed
                      rms(view.spec.residual ? c.skip : c.gradA, c.zerosAbove), String(chunk.step)];
      return { rows: values.map((value, i) => ({ col: i % 4, row: Math.floor(i / 4), title: titles[i], value })) };
    },
  },
  // Every layer's factor along depth at the shown step, split into the weights' and the activation's: replaced.
  factors: {
    at(view, chunk) {
      const rows = [];
      for (let layer = 1; layer < store.header.layers; layer++) {
        const c = chainNumbers(chunk, layer);
        for (const [factor, value] of [['weights', c.weights], ['activation', c.activation], ['both', c.weights * c.activation]]) {
          if (Number.isFinite(value) && value > 0) rows.push({ layer_index: layer, factor, value });
        }
      }
      return { rows };
    },
  },
  // The shown layers' histograms at the shown step: replaced.
  histograms: {
    at(view, chunk) {
      const kind = view.spec.histogram, table = store.header.histograms[kind], fractions = chunk.histograms[kind];
      if (!table || !fractions) return { rows: [] };
      const rows = [];
      for (let r = 0; r < table.mark.length; r++) {
        const fraction = fractions[r];
        if (kind === 'delta' && table.mark[r] === 'bar' && !(fraction > 0)) continue;  // a log axis: bins that hold values
        rows.push({ layer_index: table.layer_index[r], mark: table.mark[r], low: table.low[r], high: table.high[r], fraction });
      }
      return { rows };
    },
  },
  // The 2-D data over the class the model predicts on a grid, sampled at or before the shown step: replaced.
  boundary: {
    at(view, chunk) {
      const grid = store.header.boundary;
      let sample = -1;
      for (let k = 0; k < store.samples.length; k++) if (store.samples[k].after <= chunk.step) sample = k;
      if (!grid || !store.samples.length) return {};
      sample = Math.max(sample, 0);
      const { classes, after } = store.samples[sample], dx = grid.x[1] - grid.x[0], dy = grid.y[1] - grid.y[0];
      const rows = [];
      for (let j = 0; j < grid.y.length; j++) {
        for (let i = 0; i < grid.x.length; i++) {
          const x = grid.x[i], y = grid.y[j];
          rows.push({ x, y, x2: x + dx, y2: y + dy, predicted: String(classes[j * grid.x.length + i]) });
        }
      }
      return { grid: rows, samples: [{ k: sample, caption: `decision boundary after ${after} ${after === 1 ? "update" : "updates"}` }] };
    },
  },
};

// --- one chart ----------------------------------------------------------------------------------------

class LiveView {
  constructor(parent, data, signature) {
    this.signature = signature;
    this.spec = data.view;
    this.kind = KINDS[data.view.kind];
    this.dirty = true;
    this.visible = false;
    this.root = document.createElement('div');
    this.root.className = 'gfe-chart';
    this.root.dataset.view = data.view.name;
    this.root.style.minHeight = `${data.view.height || 0}px`;
    this.root.style.display = 'block';  // vega-embed's own class makes it inline-block, which a width of "container" cannot fill
    this.root.style.width = '100%';
    this.root.gfeView = this;
    parent.replaceChildren(this.root);
    this.start(data);
  }

  async start(data) {
    await loadLibraries();
    if (this.destroyed) return;
    const result = await window.vegaEmbed(this.root, data.spec, {
      actions: false, renderer: data.view.renderer || 'canvas', ast: false, tooltip: true,
      logLevel: window.vega.Error });  // an empty view's "infinite extent" is no news while the first step comes
    this.root.style.display = 'block';
    if (this.destroyed) return result.view.finalize();
    this.vega = result.view;
    this.restart();
    watcher.observe(this.root);
  }

  restart() {
    this.run = store.run; this.applied = 0; this.shown = -1; this.samples = 0; this.state = {};
    this.datasets = this.datasets || new Set();  // the datasets this view has filled
  }

  render() {
    const began = performance.now();
    try { this.draw(); } finally { this.busy = (this.busy || 0) + performance.now() - began; }
  }

  draw() {
    this.dirty = false;
    const chunks = store.chunks;
    // One changeset per dataset and render: Vega keeps only the last one given before a run.
    const changes = {};
    const change = (name) => changes[name] || (changes[name] = window.vega.changeset());
    if (this.run !== store.run) {  // a new run: what the view holds goes
      for (const name of this.datasets) change(name).remove(() => true);
      this.restart();
    }
    const index = shownIndex();
    if (!store.header || index < 0) {
      for (const [name, changeset] of Object.entries(changes)) this.vega.change(name, changeset);
      return this.vega.run();
    }
    if (this.kind.append) {
      const rows = {}, until = following() ? index + 1 : chunks.length;
      for (; this.applied < until; this.applied++) {
        for (const [name, values] of Object.entries(this.kind.append(this, chunks[this.applied]))) {
          (rows[name] = rows[name] || []).push(...values);
        }
      }
      for (const [name, values] of Object.entries(rows)) {
        this.datasets.add(name);
        change(name).insert(values);
      }
    } else if (index !== this.shown || this.samples !== store.samples.length) {
      this.shown = index;
      this.samples = store.samples.length;
      for (const [name, values] of Object.entries(this.kind.at(this, chunks[index]))) {
        this.datasets.add(name);
        change(name).remove(() => true).insert(values);
      }
    }
    for (const [name, changeset] of Object.entries(changes)) this.vega.change(name, changeset);
    if (this.spec.rule) this.vega.signal('replay_step', chunks[index].step);
    this.vega.resize();  // new rows may widen the axis labels: lay the view out again, so none is cut off
    this.vega.run();
    window.gfeLive.renders++;
    this.renders = (this.renders || 0) + 1;
  }

  destroy() {
    this.destroyed = true;
    views.delete(this);
    watcher.unobserve(this.root);
    if (this.vega) this.vega.finalize();
  }
}

const mounted = new WeakMap();

// Called by each chart component with {spec, view}: a new spec or view builds a new Vega view; the same
// one (a page rerun) keeps the view on the page as it is.
export function chart(parent, data) {
  if (!data || !data.spec || !data.view || !KINDS[data.view.kind]) return () => {};
  const signature = JSON.stringify([data.spec, data.view]);
  let view = mounted.get(parent);
  if (!view || view.signature !== signature) {
    if (view) view.destroy();
    view = new LiveView(parent, data, signature);
    mounted.set(parent, view);
    views.add(view);
  }
  return () => { view.destroy(); mounted.delete(parent); };
}
