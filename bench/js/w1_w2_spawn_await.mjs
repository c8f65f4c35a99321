// w1_w2_spawn_await.mjs: JS baselines for W1 and W2.
//   w1      n trivial async functions, awaited with Promise.all: ns/task.
//   w1mem   bytes per live task: n async functions suspended at an await
//           (held by a gate promise), V8 heap growth / n, measured after a
//           forced GC before and with all n alive (node --expose-gc).
//   w2      an await loop: `await null` n times: ns per await (one
//           microtask turn, the JS analogue of a wake + poll).
import { emit, now, gc, heapUsed, main } from './lib.mjs';

async function trivial(i) { return i; }
async function gated(gate) { await gate; return 1; }

await main({
  async w1({ n }, print) {
    const t0 = now();
    const ps = new Array(n);
    for (let i = 0; i < n; i++) ps[i] = trivial(i);
    const r = await Promise.all(ps);
    const ns = (now() - t0) / n;
    if (r.length !== n) throw new Error('w1');
    if (print) emit('w1', n, 'ns_per_task', ns);
  },
  async w1mem({ n }, print) {
    let open;
    const gate = new Promise((r) => { open = r; });
    const ps = new Array(n);
    gc();
    const m0 = heapUsed();
    for (let i = 0; i < n; i++) ps[i] = gated(gate);
    gc();
    const bytes = (heapUsed() - m0) / n;
    open();
    await Promise.all(ps);
    if (print) emit('w1', n, 'bytes_per_task', bytes);
  },
  async w2({ n }, print) {
    const t0 = now();
    for (let i = 0; i < n; i++) await null;
    if (print) emit('w2', n, 'ns_per_wake', (now() - t0) / n);
  }
});
