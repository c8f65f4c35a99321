// web/runtime.mjs: loads the cfuture demo module for the page and gives the
// page one small surface, whatever the bindings' exact shape:
//   { kind, call(entry, args, {signal}), tasks(), onLine(fn), info, dispose() }
//
// Invariants: C stdout lines reach every onLine listener in order, one call
// per line; tasks() always returns an array of plain
// {id, name, state, awaits, polls, wakes} objects (state lower-case).

const STATE_NAMES = ['idle', 'queued', 'running', 'finished', 'canceled'];

export function normalizeTask(t) {
  const state = typeof t.state === 'number' ? STATE_NAMES[t.state] ?? String(t.state)
    : String(t.state ?? 'idle').toLowerCase().replace(/^cf_task_/, '');
  return {
    id: Number(t.id),
    name: t.name ?? null,
    state,
    awaits: t.awaits ?? t.awaiting ?? null,
    polls: Number(t.polls ?? 0),
    wakes: Number(t.wakes ?? 0),
  };
}

function lineSplitter(emit) {
  // print hooks may deliver whole lines or fragments; emit whole lines only.
  let buf = '';
  return (text) => {
    buf += String(text);
    if (!buf.includes('\n')) {
      // Emscripten's print hook strips the newline: a call is a line.
      emit(buf);
      buf = '';
      return;
    }
    const parts = buf.split('\n');
    buf = parts.pop();
    for (const p of parts) emit(p);
  };
}

/** module: 'demo' (dist/demo.mjs, stackless) or 'demo_fiber' (dist/demo_fiber.mjs, Asyncify). */
export async function loadDemoRuntime({ base = '', module = 'demo' } = {}) {
  const listeners = new Set();
  const emit = (line) => { for (const fn of listeners) fn(line); };
  const errListeners = new Set();
  const emitErr = (line) => { for (const fn of errListeners) fn(line); };

  const bindings = await import(`${base}/bindings/index.mjs`);
  const { createDemoModuleOptions } = await import('./module-options.mjs');
  const opts = await createDemoModuleOptions({
    base,
    module,
    print: lineSplitter(emit),
    printErr: lineSplitter(emitErr),
  });
  const t0 = performance.now();
  const rt = await bindings.loadRuntime(opts);
  const loadMs = performance.now() - t0;
  return {
    kind: 'wasm',
    info: `wasm module loaded in ${loadMs.toFixed(0)} ms`,
    raw: rt,
    call: (entry, args, { signal } = {}) => rt.call(entry, ...args, { signal }),
    tasks: () => (rt.tasks() ?? []).map(normalizeTask),
    // Cheap (counters only), unlike tasks() which copies every entry.
    taskCount: () => rt.stats().liveTasks,
    onLine: (fn) => listeners.add(fn),
    onErrLine: (fn) => errListeners.add(fn),
    dispose: () => rt.dispose(),
  };
}
