// web/app.mjs: the demo page. Builds one card per example (web/examples.mjs),
// runs it through the runtime (web/runtime.mjs), shows its output lines,
// measured vs expected duration, a timeline of task lifetimes and a live
// task table sampled from rt.tasks(), plus the stress card with its
// animation, frame gaps and long-task count.
//
// Invariants:
//   - at most one example runs at a time: C stdout is one stream, and each
//     line goes to the card that is running;
//   - every run ends in exactly one of done / mismatch / canceled / error,
//     recorded in the card's data-state and in window.cfDemo.results;
//   - sampling never copies the task list while the stress card runs (1e5
//     entries per frame would itself cause the jank the card measures).
import { EXAMPLES, STRESS, checkLines, withinTolerance } from './examples.mjs';
import { loadDemoRuntime } from './runtime.mjs';

const params = new URLSearchParams(location.search);
const $ = (sel, root = document) => root.querySelector(sel);
const fmtMs = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);

const scaleSel = $('#scale');
if (params.has('scale')) {
  const s = params.get('scale');
  if (![...scaleSel.options].some((o) => o.value === s)) scaleSel.add(new Option(`${s}×`, s));
  scaleSel.value = s;
}
const scale = () => Number(scaleSel.value);

// ---- state shared with tests (read-only for them) --------------------------
const api = {
  ready: null,
  results: {},
  longTasks: [],
  consoleErrors: [],
  run: (name) => runExample(cards.get(name)),
  runAll: () => runAll(),
  stress: (n) => runStress(n),
  busy: () => busy,
  liveTasks: () => (rt ? rt.taskCount() + (fiberRt ? fiberRt.taskCount() : 0) : NaN),
  runtimeKind: () => rt?.kind ?? null,
};
window.cfDemo = api;

let rt = null;
let fiberRt = null; // the fiber module's runtime (dist/demo_fiber.mjs), loaded on first use
let busy = false;
let active = null; // the card receiving output lines

// ---- long tasks (for the stress card and the tests) ------------------------
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      api.longTasks.push({ start: e.startTime, duration: e.duration, name: e.name,
        attribution: (e.attribution ?? []).map((a) => `${a.name}/${a.containerType}/${a.containerSrc ?? ''}`) });
    }
  }).observe({ type: 'longtask', buffered: true });
} catch { /* not supported: the stress card shows "n/a" */ }

// ---- cards -----------------------------------------------------------------
const cards = new Map();
const tpl = $('#card-tpl');
for (const ex of EXAMPLES) {
  const el = tpl.content.firstElementChild.cloneNode(true);
  el.dataset.example = ex.name;
  el.id = `card-${ex.name}`;
  $('.title', el).textContent = ex.title;
  $('.seed', el).textContent = ex.seed;
  $('.name', el).textContent = ex.name;
  $('.blurb', el).textContent = ex.blurb;
  const card = { ex, el, lines: [], ac: null, rec: null };
  $('.run', el).addEventListener('click', () => runExample(card));
  $('.cancel', el).addEventListener('click', () => card.ac?.abort());
  $('details.source', el).addEventListener('toggle', (e) => loadSource(card, e.target), { once: true });
  $('#cards').append(el);
  cards.set(ex.name, card);
  resetExpected(card);
}
scaleSel.addEventListener('change', () => { for (const c of cards.values()) resetExpected(c); });

function resetExpected(card) {
  const exp = card.ex.expectedMs?.(scale());
  $('.expected', card.el).textContent = exp == null ? 'CPU-bound: no fixed expectation' : `expected ≈ ${fmtMs(exp)}`;
}

async function loadSource(card, details) {
  const code = $('code', details);
  try {
    const r = await fetch(`/demo-src/${card.ex.name}.c`);
    code.textContent = r.ok ? await r.text() : `(source not available: ${r.status})`;
  } catch (e) {
    code.textContent = `(source not available: ${e.message})`;
  }
}

function setBusy(b) {
  busy = b;
  for (const c of cards.values()) $('.run', c.el).disabled = b || !rt;
  $('#run-all').disabled = b || !rt;
  $('#stress-run').disabled = b || !rt;
}

function setState(card, state, badge = state) {
  card.el.dataset.state = state;
  $('.state-badge', card.el).textContent = badge;
}

function appendLine(out, text, cls, t) {
  const ph = $('.placeholder', out);
  if (ph) ph.remove();
  const line = document.createElement('span');
  line.className = `line${cls ? ` ${cls}` : ''}`;
  if (t != null) {
    const ts = document.createElement('span');
    ts.className = 't';
    ts.textContent = fmtMs(t);
    line.append(ts);
  }
  line.append(document.createTextNode(text));
  out.append(line);
  out.scrollTop = out.scrollHeight;
}

// ---- timeline --------------------------------------------------------------
// A recording: task id -> { id, name, first, last, segs: [{state, awaits, from, to}] }.
function newRecording() { return { t0: performance.now(), tasks: new Map(), lastT: 0 }; }

function sample(rec, snapshot) {
  const t = performance.now() - rec.t0;
  const seen = new Set();
  for (const task of snapshot) {
    seen.add(task.id);
    let r = rec.tasks.get(task.id);
    if (!r) {
      r = { id: task.id, name: task.name, first: rec.lastT, last: t, segs: [], ended: false };
      rec.tasks.set(task.id, r);
    }
    const seg = r.segs.at(-1);
    if (seg && seg.state === task.state && seg.awaits === task.awaits) seg.to = t;
    else r.segs.push({ state: task.state, awaits: task.awaits, from: seg ? seg.to : r.first, to: t });
    r.last = t;
    r.polls = task.polls;
  }
  for (const r of rec.tasks.values()) {
    if (!seen.has(r.id) && !r.ended) { r.ended = true; r.last = t; }
  }
  rec.lastT = t;
}

const SVGNS = 'http://www.w3.org/2000/svg';
function svgEl(name, attrs, text) {
  const e = document.createElementNS(SVGNS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text != null) e.textContent = text;
  return e;
}

function drawTimeline(card, endT) {
  const svg = $('.timeline', card.el);
  const rec = card.rec;
  const W = 640, LBL = 150, ROW = 18, TOP = 4, AX = 18;
  const rows = rec ? [...rec.tasks.values()].slice(0, 10) : [];
  const H = TOP + Math.max(1, rows.length) * ROW + AX;
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.replaceChildren();
  if (!rows.length) {
    const msg = !rec ? 'run to record a timeline'
      : card.el.dataset.state === 'running' ? 'waiting for the first sample…'
        : `finished in ${fmtMs(endT)}, before the first sample (every 20 ms)`;
    svg.append(svgEl('text', { x: W / 2, y: TOP + 13, 'text-anchor': 'middle', class: 'empty' }, msg));
    return;
  }
  const exp = card.ex?.expectedMs?.(scale());
  const span = Math.max(endT, exp ?? 0, 50) * 1.04;
  const x = (t) => LBL + (t / span) * (W - LBL - 6);
  rows.forEach((r, i) => {
    const y = TOP + i * ROW;
    const name = `#${r.id} ${r.name ?? '(unnamed)'}`;
    svg.append(svgEl('text', { x: 4, y: y + 12, class: 'lbl' }, name.length > 22 ? `${name.slice(0, 21)}…` : name));
    for (const s of r.segs) {
      const w = Math.max(1.5, x(s.to) - x(s.from));
      const rect = svgEl('rect', { x: x(s.from), y: y + 3, width: w, height: ROW - 7, rx: 2, class: `seg-${s.state}` });
      rect.append(svgEl('title', {}, `#${r.id} ${r.name ?? ''}: ${s.state}${s.awaits ? ` awaiting ${s.awaits}` : ''} ${fmtMs(s.from)} – ${fmtMs(s.to)}`));
      svg.append(rect);
      // Name what the task awaits when the bar has room for it.
      if (s.awaits && w > 7 * s.awaits.length + 8) {
        svg.append(svgEl('text', { x: x(s.from) + 4, y: y + 12, class: 'seg-lbl' }, s.awaits));
      }
    }
    if (r.ended) svg.append(svgEl('rect', { x: x(r.last) - 1, y: y + 2, width: 3, height: ROW - 5, class: 'seg-finished' }));
  });
  const axY = TOP + rows.length * ROW + 2;
  svg.append(svgEl('line', { x1: LBL, x2: W - 4, y1: axY, y2: axY, class: 'axis' }));
  const step = niceStep(span / 5);
  for (let t = 0; t <= span; t += step) {
    svg.append(svgEl('line', { x1: x(t), x2: x(t), y1: axY, y2: axY + 4, class: 'axis' }));
    svg.append(svgEl('text', { x: x(t), y: axY + 14, 'text-anchor': 'middle', class: 'tick' }, fmtMs(t)));
  }
  if (exp) svg.append(svgEl('line', { x1: x(exp), x2: x(exp), y1: TOP, y2: axY, class: 'exp' }));
}

function niceStep(raw) {
  const p = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

function drawTable(card, snapshot) {
  const tbody = $('table.tasks tbody', card.el);
  tbody.replaceChildren();
  if (!snapshot.length) {
    const seen = card.rec ? card.rec.tasks.size : 0;
    const tr = document.createElement('tr');
    tr.className = 'empty';
    tr.innerHTML = `<td colspan="6">no live tasks${seen ? ` · ${seen} seen during the run, all freed` : ''}</td>`;
    tbody.append(tr);
    return;
  }
  for (const t of snapshot.slice(0, 8)) {
    const tr = document.createElement('tr');
    for (const [v, cls] of [[t.id], [t.name ?? '—'], [t.state, `st ${t.state}`], [t.awaits ?? '—'], [t.polls], [t.wakes]]) {
      const td = document.createElement('td');
      td.textContent = String(v);
      td.title = String(v);
      if (cls) td.className = cls;
      tr.append(td);
    }
    tbody.append(tr);
  }
  if (snapshot.length > 8) {
    const tr = document.createElement('tr');
    tr.className = 'empty';
    tr.innerHTML = `<td colspan="6">… and ${snapshot.length - 8} more</td>`;
    tbody.append(tr);
  }
}

function updateDurbar(card, measured) {
  const exp = card.ex.expectedMs?.(scale());
  const span = Math.max(measured, exp ?? 0, 1) * 1.1;
  $('.measured-fill', card.el).style.width = `${(measured / span) * 100}%`;
  const mark = $('.expected-mark', card.el);
  if (exp != null) {
    mark.style.display = 'block';
    mark.style.left = `${(exp / span) * 100}%`;
  } else mark.style.display = 'none';
  $('.measured', card.el).textContent = fmtMs(measured);
}

// ---- running an example ----------------------------------------------------
async function runExample(card) {
  if (!rt || busy || !card) return null;
  setBusy(true);
  const { ex } = card;
  let r; // the runtime of this example's module (fiber examples: the fiber module)
  try {
    r = await runtimeFor(ex);
  } catch (err) {
    setBusy(false);
    setState(card, 'error', 'error');
    appendLine($('.output', card.el), `error: the fiber module failed to load: ${err.message}`, 'err');
    return (api.results[ex.name] = { name: ex.name, state: 'error', error: String(err.message) });
  }
  const s = scale();
  const out = $('.output', card.el);
  out.replaceChildren();
  card.lines = [];
  card.ac = new AbortController();
  card.rec = newRecording();
  active = card;
  setState(card, 'running');
  $('.cancel', card.el).disabled = false;
  $('.verdict', card.el).textContent = '';
  $('.verdict', card.el).className = 'verdict';
  const t0 = performance.now();
  card.t0 = t0;
  card.rec.t0 = t0;

  // Sample on a timer as well as per frame: a browser may skip frames while
  // the executor's macrotasks run, but timers still fire, so the recording
  // stays complete; drawing happens on frames.
  let raf = 0;
  let lastTable = 0;
  let snap = [];
  const take = () => { snap = r.tasks(); sample(card.rec, snap); };
  const sampler = setInterval(take, 20);
  const tick = () => {
    const now = performance.now();
    take();
    if (now - lastTable > 80) { drawTable(card, snap); lastTable = now; }
    drawTimeline(card, now - t0);
    updateDurbar(card, now - t0);
    raf = requestAnimationFrame(tick);
  };
  raf = requestAnimationFrame(tick);

  let result;
  try {
    const rc = await r.call(ex.entry, ex.args ? ex.args(location.origin, s) : [location.origin, s], { signal: card.ac.signal });
    const ms = performance.now() - t0;
    const mismatch = checkLines(ex, card.lines, s);
    const exp = ex.expectedMs?.(s);
    const inTol = withinTolerance(ms, exp);
    result = { name: ex.name, state: mismatch ? 'mismatch' : 'done', ms, expectedMs: exp ?? null, withinTolerance: inTol, lines: card.lines.slice(), rc, mismatch };
    setState(card, result.state, mismatch ? 'unexpected output' : `done`);
    const v = $('.verdict', card.el);
    if (mismatch) { v.textContent = '✗ output differs'; v.classList.add('bad'); v.title = mismatch; }
    else if (exp == null) { v.textContent = '✓ output as expected'; v.classList.add('ok'); }
    else if (inTol) { v.textContent = `✓ within tolerance (${ms >= exp ? '+' : '−'}${fmtMs(Math.abs(ms - exp))})`; v.classList.add('ok'); }
    else { v.textContent = `✗ off by ${fmtMs(Math.abs(ms - exp))}`; v.classList.add('bad'); }
  } catch (err) {
    const ms = performance.now() - t0;
    const canceled = err?.name === 'AbortError';
    result = { name: ex.name, state: canceled ? 'canceled' : 'error', ms, lines: card.lines.slice(), error: String(err?.message ?? err) };
    appendLine(out, canceled ? `canceled after ${fmtMs(ms)}: the task was aborted and its futures dropped` : `error: ${result.error}`, canceled ? 'note' : 'err');
    setState(card, result.state, canceled ? 'canceled' : 'error');
  } finally {
    cancelAnimationFrame(raf);
    clearInterval(sampler);
    const end = performance.now() - t0;
    sample(card.rec, r.tasks());
    for (const r of card.rec.tasks.values()) if (!r.ended) { r.ended = true; r.last = end; }
    drawTimeline(card, end);
    drawTable(card, r.tasks());
    updateDurbar(card, end);
    $('.cancel', card.el).disabled = true;
    card.ac = null;
    active = null;
    setBusy(false);
  }
  api.results[ex.name] = result;
  card.el.dispatchEvent(new CustomEvent('cf-result', { detail: result, bubbles: true }));
  return result;
}

async function runAll() {
  const results = [];
  for (const c of cards.values()) {
    c.el.scrollIntoView({ behavior: 'smooth', block: 'center' });
    results.push(await runExample(c));
  }
  return results;
}
$('#run-all').addEventListener('click', () => runAll());

// ---- stress card -----------------------------------------------------------
const stressCard = { el: $('#stress'), ac: null, running: false, maxGap: 0, t0: 0 };
const GAPS = new Float32Array(240);
let gapIdx = 0;
let lastFrame = performance.now();
const anim = $('#anim').getContext('2d');
const gapsCtx = $('#gaps').getContext('2d');

function frame(now) {
  const gap = now - lastFrame;
  lastFrame = now;
  GAPS[gapIdx++ % GAPS.length] = gap;
  if (stressCard.running) stressCard.maxGap = Math.max(stressCard.maxGap, gap);
  drawAnim(now);
  drawGaps();
  if (stressCard.running) {
    $('#st-elapsed').textContent = fmtMs(now - stressCard.t0);
    $('#st-gap').textContent = fmtMs(stressCard.maxGap);
  }
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);

function drawAnim(now) {
  const c = anim.canvas;
  anim.clearRect(0, 0, c.width, c.height);
  const n = 28;
  for (let i = 0; i < n; i++) {
    const ph = now / 600 + i * 0.35;
    const x = 20 + (i / (n - 1)) * (c.width - 40);
    const y = c.height / 2 + Math.sin(ph) * 46;
    const r = 5 + 2.5 * (1 + Math.sin(ph * 0.5 + i));
    const hue = 20 + (i / n) * 200;
    anim.fillStyle = `hsl(${hue} 90% 62%)`;
    anim.beginPath();
    anim.arc(x, y, r, 0, Math.PI * 2);
    anim.fill();
  }
  anim.fillStyle = 'rgba(230,233,239,.55)';
  anim.font = '12px ui-monospace, monospace';
  anim.fillText(stressCard.running ? 'C tasks running…' : 'requestAnimationFrame', 12, 18);
}

function drawGaps() {
  const c = gapsCtx.canvas;
  const H = c.height, W = c.width, maxMs = 80;
  gapsCtx.clearRect(0, 0, W, H);
  const y50 = H - (50 / maxMs) * H;
  gapsCtx.strokeStyle = 'rgba(255,93,108,.6)';
  gapsCtx.setLineDash([4, 4]);
  gapsCtx.beginPath(); gapsCtx.moveTo(0, y50); gapsCtx.lineTo(W, y50); gapsCtx.stroke();
  gapsCtx.setLineDash([]);
  const bw = W / GAPS.length;
  for (let i = 0; i < GAPS.length; i++) {
    const g = GAPS[(gapIdx + i) % GAPS.length];
    const h = Math.min(H, (g / maxMs) * H);
    gapsCtx.fillStyle = g > 50 ? '#ff5d6c' : g > 25 ? '#f2cc60' : '#3fc17a';
    gapsCtx.fillRect(i * bw, H - h, Math.max(1, bw - 1), h);
  }
}

async function runStress(n = 100000) {
  if (!rt || busy) return null;
  setBusy(true);
  const el = stressCard.el;
  const out = $('#stress-out');
  out.replaceChildren();
  stressCard.ac = new AbortController();
  stressCard.running = true;
  stressCard.maxGap = 0;
  stressCard.t0 = performance.now();
  stressCard.lines = [];
  active = stressCard;
  el.dataset.state = 'running';
  $('#stress-cancel').disabled = false;
  const longBefore = api.longTasks.length;
  $('#st-long').textContent = '0';
  let peak = 0;
  // A task count is cheap to read only through the snapshot's length, so
  // sample it sparsely; the progress lines carry the rest.
  const counter = setInterval(() => {
    const live = rt.taskCount ? rt.taskCount() : NaN;
    if (Number.isFinite(live)) {
      peak = Math.max(peak, live);
      $('#st-live').textContent = live.toLocaleString('en');
      $('#st-peak').textContent = peak.toLocaleString('en');
    }
    $('#st-long').textContent = String(api.longTasks.length - longBefore);
  }, 100);
  let result;
  try {
    const rc = await rt.call(STRESS.entry, [n], { signal: stressCard.ac.signal });
    const ms = performance.now() - stressCard.t0;
    result = { name: 'stress', state: 'done', ms, rc, n, lines: stressCard.lines.slice() };
    $('#st-rate').textContent = Math.round(n / (ms / 1000)).toLocaleString('en');
  } catch (err) {
    const ms = performance.now() - stressCard.t0;
    const canceled = err?.name === 'AbortError';
    result = { name: 'stress', state: canceled ? 'canceled' : 'error', ms, n, error: String(err?.message ?? err) };
    appendLine(out, canceled ? 'canceled: every task aborted' : `error: ${result.error}`, canceled ? 'note' : 'err');
  } finally {
    clearInterval(counter);
    // A frame that has not come yet by the end is a gap too.
    stressCard.maxGap = Math.max(stressCard.maxGap, performance.now() - lastFrame);
    stressCard.running = false;
    // Long tasks are reported after they end; give the observer a frame.
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    const longs = api.longTasks.slice(longBefore);
    result.longTasks = longs.map((l) => ({ ...l, sinceStart: l.start - stressCard.t0 }));
    result.maxFrameGap = stressCard.maxGap;
    $('#st-long').textContent = String(longs.length);
    $('#st-gap').textContent = fmtMs(stressCard.maxGap);
    $('#st-elapsed').textContent = fmtMs(result.ms);
    if (rt.taskCount) $('#st-live').textContent = rt.taskCount().toLocaleString('en');
    $('#st-peak').textContent = peak.toLocaleString('en');
    el.dataset.state = result.state;
    $('#stress-cancel').disabled = true;
    active = null;
    setBusy(false);
  }
  api.results.stress = result;
  return result;
}
$('#stress-run').addEventListener('click', () => runStress());
$('#stress-cancel').addEventListener('click', () => stressCard.ac?.abort());

// The runtime an example runs on: the stackless demo module, or for
// `module: 'fiber'` examples the fiber module (loaded once, on first use),
// with the example's host functions registered.
let fiberLoading = null;
async function runtimeFor(ex) {
  let r = rt;
  if (ex.module === 'fiber') {
    fiberLoading ??= loadDemoRuntime({ module: 'demo_fiber' }).then((f) => {
      f.onLine(onLine);
      f.onErrLine(onErrLine);
      fiberRt = f;
      return f;
    });
    r = await fiberLoading.catch((e) => { fiberLoading = null; throw e; });
  }
  for (const [name, fn] of Object.entries(ex.host ?? {})) r.raw.host(name, fn);
  return r;
}

// ---- boot ------------------------------------------------------------------
function onLine(text) {
  const card = active;
  if (!card) { console.info('[cfuture]', text); return; }
  card.lines.push(text);
  const out = card === stressCard ? $('#stress-out') : $('.output', card.el);
  appendLine(out, text, '', performance.now() - card.t0);
}

function onErrLine(text) {
  const card = active;
  if (card && card !== stressCard) appendLine($('.output', card.el), text, 'err');
  else console.warn('[cfuture stderr]', text);
}

api.ready = (async () => {
  const pill = $('#rt-status');
  try {
    rt = await loadDemoRuntime();
    rt.onLine(onLine);
    rt.onErrLine(onErrLine);
    pill.dataset.state = 'ready';
    $('.text', pill).textContent = rt.info;
    setBusy(false);
    for (const c of cards.values()) drawTimeline(c, 0);
    return true;
  } catch (err) {
    pill.dataset.state = 'error';
    $('.text', pill).textContent = `runtime failed to load: ${err.message} — run \`npm run demo\` to build it`;
    console.error('cfuture: runtime failed to load', err);
    throw err;
  }
})();
api.ready.catch(() => {});
