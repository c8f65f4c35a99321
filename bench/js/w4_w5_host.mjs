// w4_w5_host.mjs: JS baselines for W4 (awaiting host Promises) and W5
// (timers).
//   w4seq n           an async function awaiting `val()` n times, where
//                     val returns an already-resolved Promise (the same
//                     host function the C side calls): ns per await.
//   w4par tasks each  `tasks` async functions x `each` awaits, Promise.all.
//   w5 n offset       n setTimeout timers of offset + 0..50 ms armed in one
//                     synchronous loop (ns per arm); lateness of each
//                     callback vs its requested time (p50/p99 ms), and the
//                     fraction of callbacks that ran before it; V8 heap
//                     bytes per pending timer; host timers armed = n.
import { emit, now, gc, heapUsed, main } from './lib.mjs';

const resolved = Promise.resolve(1);
const val = () => resolved;

async function awaiter(each) {
  let s = 0;
  for (let i = 0; i < each; i++) s += await val();
  return s;
}

function xorshift(s) { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; return s >>> 0; }

await main({
  async w4seq({ n }, print) {
    const t0 = now();
    const s = await awaiter(n);
    if (s !== n) throw new Error('w4seq');
    if (print) emit('w4seq', n, 'ns_per_await', (now() - t0) / n);
  },
  async w4par({ n: tasks, extra: each }, print) {
    const t0 = now();
    const ps = new Array(tasks);
    for (let i = 0; i < tasks; i++) ps[i] = awaiter(each);
    await Promise.all(ps);
    if (print) emit('w4par', tasks, 'ns_per_await', (now() - t0) / (tasks * each));
  },
  async w5({ n, extra: offset }, print) {
    const late = new Float64Array(n);
    let left = n, done;
    const finished = new Promise((r) => { done = r; });
    let seed = 777;
    const delays = new Int32Array(n);
    for (let i = 0; i < n; i++) { seed = xorshift(seed); delays[i] = offset + (seed % 51); }
    gc();
    const m0 = heapUsed();
    const t0 = now();
    for (let i = 0; i < n; i++) {
      const want = performance.now() + delays[i];
      setTimeout(() => { late[i] = performance.now() - want; if (--left === 0) done(); }, delays[i]);
    }
    const arm = (now() - t0) / n;
    const bytes = (heapUsed() - m0) / n;
    await finished;
    late.sort();
    if (print) {
      emit('w5', n, 'ns_per_arm', arm);
      emit('w5', n, 'p50_ms', late[n >> 1]);
      emit('w5', n, 'p99_ms', late[Math.floor(n * 0.99)]);
      let early = 0; // sorted: the early ones come first
      while (early < n && late[early] < 0) early++;
      emit('w5', n, 'early_frac', early / n);
      emit('w5', n, 'bytes_per_timer', bytes);
      emit('w5', n, 'max_host_timers', n);
    }
  }
});
