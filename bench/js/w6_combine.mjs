// w6_combine.mjs: JS baselines for W6.
//   join    Promise.all over n promises resolved one at a time, one
//           microtask turn apart (extra: rounds): ns per child completion.
//   select  Promise.race over k promises, k-1 never settling and one
//           resolved (extra: repetitions): ns per race.
import { emit, now, main } from './lib.mjs';

const never = () => new Promise(() => {});

await main({
  async join({ n, extra }, print) {
    const rounds = extra || 1;
    const t0 = now();
    for (let r = 0; r < rounds; r++) {
      const res = new Array(n);
      const ps = new Array(n);
      for (let i = 0; i < n; i++) ps[i] = new Promise((ok) => { res[i] = ok; });
      const all = Promise.all(ps);
      for (let i = 0; i < n; i++) { res[i](i); await null; }
      await all;
    }
    if (print) emit('w6join', n, 'ns_per_child', (now() - t0) / (n * rounds));
  },
  async select({ n: k, extra }, print) {
    const reps = extra || 1;
    let check = 0;
    const t0 = now();
    for (let r = 0; r < reps; r++) {
      const win = r % k;
      const ps = new Array(k);
      for (let i = 0; i < k; i++) ps[i] = i === win ? Promise.resolve(i) : never();
      check += await Promise.race(ps);
    }
    if (print) emit('w6sel', k, 'ns_per_select', (now() - t0) / reps);
    if (check < 0) throw new Error('select');
  }
});
