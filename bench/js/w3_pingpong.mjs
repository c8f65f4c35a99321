// w3_pingpong.mjs: JS baseline for W3, promise ping-pong.
//   pp  n round trips between two async functions through two bounded(1)
//       channels (a minimal promise channel below): ns per round trip.
//   rr  request/reply: each request carries the resolver of a fresh promise
//       (the JS oneshot) over a bounded(1) channel: ns per round trip.
// The channel is the smallest correct bounded(1) promise channel: a send
// waits while the slot is full, a receive waits while it is empty.
import { emit, now, main } from './lib.mjs';

class Chan1 {
  constructor() { this.full = false; this.item = undefined; this.recvWaiter = null; this.sendWaiters = []; this.closed = false; }
  async send(v) {
    while (this.full) await new Promise((r) => this.sendWaiters.push(r));
    this.full = true; this.item = v;
    const w = this.recvWaiter; if (w) { this.recvWaiter = null; w(); }
  }
  async recv() {
    while (!this.full) {
      if (this.closed) return undefined;
      await new Promise((r) => { this.recvWaiter = r; });
    }
    const v = this.item; this.full = false; this.item = undefined;
    const w = this.sendWaiters.shift(); if (w) w();
    return v;
  }
  close() { this.closed = true; const w = this.recvWaiter; if (w) { this.recvWaiter = null; w(); } }
}

await main({
  async pp({ n }, print) {
    const toB = new Chan1(), toA = new Chan1();
    const t0 = now();
    const pong = (async () => {
      for (;;) { const v = await toB.recv(); if (v === undefined) return; await toA.send(v + 1); }
    })();
    let v = 0;
    for (let i = 0; i < n; i++) { await toB.send(v); v = await toA.recv(); }
    toB.close(); await pong;
    if (v !== n) throw new Error('pp');
    if (print) emit('w3pp', n, 'ns_per_roundtrip', (now() - t0) / n);
  },
  async rr({ n }, print) {
    const ch = new Chan1();
    const t0 = now();
    const server = (async () => {
      for (;;) { const req = await ch.recv(); if (req === undefined) return; req.reply(req.v + 1); }
    })();
    let v = 0;
    for (let i = 0; i < n; i++) {
      let reply; const p = new Promise((r) => { reply = r; });
      await ch.send({ v, reply });
      v = await p;
    }
    ch.close(); await server;
    if (v !== n) throw new Error('rr');
    if (print) emit('w3rr', n, 'ns_per_roundtrip', (now() - t0) / n);
  }
});
