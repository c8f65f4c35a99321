// web/sim-runtime.mjs: a JS stand-in for the demo module, used only with
// ?sim=1 (the page labels it "simulated"). It lets the page be worked on
// and compared without a wasm build: each example is the seed program
// written with plain JS promises against the same demo server, printing the
// same lines, with a hand-kept task list shaped like rt.tasks().
//
// Invariant: a task entry is removed when its promise settles; abort
// rejects the call with an AbortError and aborts the fetches in flight.

export function createSimRuntime(print) {
  let nextId = 1;
  const live = new Map();

  function task(name, fn, signal) {
    const t = { id: nextId++, name, state: 'queued', awaits: null, polls: 0, wakes: 0 };
    live.set(t.id, t);
    const p = (async () => {
      await null;
      t.state = 'running';
      t.polls++;
      try {
        return await fn(t);
      } finally {
        live.delete(t.id);
      }
    })();
    if (signal) signal.addEventListener('abort', () => live.delete(t.id), { once: true });
    return p;
  }

  async function wait(t, what, p) {
    t.state = 'idle';
    t.awaits = what;
    try {
      return await p;
    } finally {
      t.state = 'running';
      t.awaits = null;
      t.polls++;
      t.wakes++;
    }
  }

  const sleep = (ms, signal) => new Promise((resolve, reject) => {
    const id = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(id); reject(signal.reason); }, { once: true });
  });
  const get = async (url, signal) => {
    const r = await fetch(url, { signal });
    await r.text();
    return `${r.status} ${r.statusText}`;
  };

  const programs = {
    async demo_http(t, [base, s], signal) {
      const a = get(`${base}/200?sleep=${Math.round(1000 * s)}`, signal);
      const b = get(`${base}/status/201?sleep=${Math.round(500 * s)}`, signal);
      const pending = [a, b].map((p, i) => p.then((v) => [i, v]));
      const done = new Set();
      while (done.size < 2) {
        const [i, v] = await wait(t, 'select', Promise.race(pending.filter((_, j) => !done.has(j))));
        done.add(i);
        print(v);
      }
    },
    async demo_timeout(t, [base, s], signal) {
      for (const d of [1000, 4000]) {
        const ac = new AbortController();
        signal.addEventListener('abort', () => ac.abort(), { once: true });
        const r = await wait(t, 'select', Promise.race([
          get(`${base}/200?sleep=${Math.round(d * s)}`, ac.signal),
          sleep(Math.round(2000 * s), signal).then(() => null),
        ]));
        ac.abort();
        print(r ?? 'Request timed out!');
      }
    },
    async demo_concurrent(t, [base, s], signal) {
      const one = async (d) => {
        const ac = new AbortController();
        signal.addEventListener('abort', () => ac.abort(), { once: true });
        const r = await Promise.race([get(`${base}/200?sleep=${Math.round(d * s)}`, ac.signal),
          sleep(Math.round(2000 * s), signal).then(() => null)]);
        ac.abort();
        return r;
      };
      const [a, b] = await wait(t, 'join', Promise.all([one(1000), one(4000)]));
      print(a ? `Result: ${a}` : 'Request timed out!');
      print(b ? `Result: ${b}` : 'Request timed out!');
    },
    async demo_closure(t, [base, s], signal) {
      const work = (url) => () => get(url, signal);
      print(`Status: ${await wait(t, 'fetch', work(`${base}/200?sleep=${Math.round(200 * s)}`)())}`);
    },
    async demo_block(t, [base, s], signal) {
      const url = `${base}/200?sleep=${Math.round(200 * s)}`;
      print(`Status: ${await wait(t, 'fetch', (async () => get(url, signal))())}`);
    },
    async demo_join(t, [, s], signal) {
      print('Fetching data concurrently...');
      const u = sleep(Math.round(3000 * s), signal).then(() => { print(`User data fetched after ${Math.round(3000 * s)} ms.`); return 'User'; });
      const p = sleep(Math.round(1000 * s), signal).then(() => { print(`Product data fetched after ${Math.round(1000 * s)} ms.`); return 'Product'; });
      const [a, b] = await wait(t, 'join', Promise.all([u, p]));
      print('Total execution time is ~3s, not 4s.');
      print(`Result 1: ${a}`);
      print(`Result 2: ${b}`);
    },
    async demo_lazy(t) {
      const op = async () => print('world');
      print('hello');
      await wait(t, 'say_world', op());
      print('Starting program.');
      print('Finished program.');
      print('my_task was dropped unawaited: polled 0 times, never printed.');
    },
    async demo_spawn(t, [, s], signal) {
      const d = { a: 300, b: 200, c: 100 };
      print(`spawned workers a (${Math.round(300 * s)} ms), b (${Math.round(200 * s)} ms), c (${Math.round(100 * s)} ms)`);
      const hs = Object.entries(d).map(([k, v]) => task(`worker ${k}`, async (w) => {
        await wait(w, 'sleep', sleep(Math.round(v * s), signal));
        print(`worker ${k} done`);
        return v;
      }, signal));
      const r = await wait(t, 'join_handle', Promise.all(hs));
      print(`joined: a=${r[0]} b=${r[1]} c=${r[2]}`);
      print('aborted long task: CF_ECANCELED');
      let ticks = 0;
      const iv = setInterval(() => ticks++, 10);
      const n = 3000000;
      const sieve = new Uint8Array(n);
      let count = 0;
      let slices = 0;
      for (let lo = 2; lo < n; lo += 20000) {
        slices++;
        for (let i = lo; i < Math.min(n, lo + 20000); i++) {
          if (sieve[i]) continue;
          count++;
          for (let j = i * i; j < n; j += i) sieve[j] = 1;
        }
        await wait(t, 'yield_now', new Promise((r) => setTimeout(r, 0)));
      }
      clearInterval(iv);
      print(`primes below ${n}: ${count} (${slices} slices)`);
      print(`ticker ran ${ticks} times during the computation`);
    },
    async demo_stress(t, [n], signal) {
      let done = 0;
      const all = [];
      for (let i = 0; i < n; i++) {
        all.push((async () => { await null; await sleep(0, signal); done++; })());
        if (i % 5000 === 0) await wait(t, 'yield_now', new Promise((r) => setTimeout(r, 0)));
      }
      await wait(t, 'join_set', Promise.all(all));
      print(`spawned ${n} tasks, joined ${done}`);
    },
  };

  return {
    call(entry, args, { signal } = {}) {
      const prog = programs[entry];
      if (!prog) return Promise.reject(new Error(`no such function: ${entry}`));
      const ac = new AbortController();
      signal?.addEventListener('abort', () => ac.abort(new DOMException('aborted', 'AbortError')), { once: true });
      return task(entry.replace(/^demo_/, 'main:'), (t) => prog(t, args, ac.signal), ac.signal);
    },
    tasks: () => [...live.values()].map((t) => ({ ...t })),
  };
}
