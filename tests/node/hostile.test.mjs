// hostile.test.mjs: the JS<->C boundary tried as a hostile or careless host
// would. Table-driven: every case runs against the same runtime and must
// settle (never hang) with the expected outcome; after each case nothing is
// left behind (tasks, host ops, holds) and the runtime still serves calls.
// Cases that tear a runtime down run on a second runtime of the same module.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadTestRuntime, startServer, withTimeout } from './helpers.mjs';
import { createRuntime, CFutureError, loadRuntime } from '../../bindings/index.mjs';

const T = { number: 1, string: 2, bytes: 3, json: 4 };
let rt, srv, builtin; // builtin: the prebuilt module (fetch_text, sleep)

// Values that fight back when touched.
const throwingProxy = () => new Proxy({}, {
  get() { throw new Error('proxy get trap'); },
  getPrototypeOf() { throw new Error('proxy prototype trap'); },
  ownKeys() { throw new Error('proxy ownKeys trap'); },
  has() { throw new Error('proxy has trap'); }
});
const badMessage = () => {
  const e = new Error('x');
  Object.defineProperty(e, 'message', { get() { throw new Error('message getter'); } });
  return e;
};
const cyclic = () => { const o = {}; o.self = o; return o; };
const withThen = (then) => { const p = Promise.resolve(1); p.then = then; return p; };
let lateAgain = null; // ownThenLate's second callback, called during a later await

const host = {
  ok: () => Promise.resolve(1),
  throwsError: () => { throw new Error('sync boom'); },
  throwsString: () => { throw 'a string'; },
  throwsUndefined: () => { throw undefined; },
  throwsNullProto: () => { throw Object.create(null); },
  throwsProxy: () => { throw throwingProxy(); },
  throwsBadMessage: () => { throw badMessage(); },
  badConstructor: () => {
    const p = Promise.resolve(1);
    Object.defineProperty(p, 'constructor', { get() { throw new TypeError('constructor getter'); } });
    return p;
  },
  thenGetterThrows: () => ({ get then() { throw new TypeError('then getter'); } }),
  thenThrows: () => ({ then() { throw new TypeError('then method'); } }),
  thenTwice: () => ({ then(res, rej) { res(5); res(6); rej(new Error('late')); } }),
  // A native Promise with its own `then`: that `then` must never get the
  // callbacks a later await reuses, nor complete the op inside the C call.
  ownThenSync: () => withThen((res) => { res(7); }),
  ownThenTwice: () => withThen((res, rej) => { res(8); rej(new Error('late')); res(9); throw new Error('after'); }),
  ownThenLate: () => withThen((res) => { setTimeout(() => res(10), 0); lateAgain = () => res(11); }),
  slowOne: () => new Promise((res) => setTimeout(() => res(1), 20)),
  rejectsProxy: () => Promise.reject(throwingProxy()),
  rejectsBadMessage: () => Promise.reject(badMessage()),
  rejectsSymbol: () => Promise.reject(Symbol('sym')),
  rejectsWithCause: () => Promise.reject(new Error('outer', { cause: new Error('inner') })),
  rejectsHuge: () => Promise.reject(new Error('m'.repeat(1 << 20))),
  nullProto: () => Promise.resolve(Object.create(null)),
  cyclic: () => Promise.resolve(cyclic()),
  bigint: () => Promise.resolve({ n: 1n }),
  badToJSON: () => Promise.resolve({ toJSON() { throw new Error('toJSON'); } }),
  proxyValue: () => Promise.resolve(throwingProxy()),
  text: () => Promise.resolve('not a number'),
  nothing: () => Promise.resolve(undefined),
  // Runs when the C future is dropped: the abort listener sees the signal.
  hangs: (ctx) => new Promise(() => { void ctx.signal; })
};

before(async () => {
  rt = await loadTestRuntime({ host });
  builtin = await loadRuntime();
  srv = await startServer();
});
after(async () => {
  rt?.dispose();
  builtin?.dispose();
  await srv?.close();
});

// Nothing of a settled case may be left, and the runtime must still work.
async function clean(r = rt) {
  for (let i = 0; i < 50; i++) {
    const s = r.stats();
    if (s.liveTasks === 0 && s.hostHolds === 0 && s.hostOps === 0) break;
    await new Promise((res) => setTimeout(res, 2));
  }
  const s = r.stats();
  assert.equal(s.liveTasks, 0, 'no task left');
  assert.equal(s.hostHolds, 0, 'no host hold left');
  assert.equal(s.hostOps, 0, 'no host op or value handle left');
  if (r === rt) {
    const v = await withTimeout(r.call('call_host', 'ok', null, T.number), 2000, 'call after the case');
    assert.equal(v.number, 1, 'the runtime still serves calls');
  } else {
    assert.ok(await withTimeout(r.call('sleep', 1), 2000, 'call after the case') >= 1, 'the runtime still serves calls');
  }
}

const hostCall = (fn, as = T.number) => rt.call('call_host', fn, null, as);

// [name, run, check(result)] where run returns the call's promise; a
// string check is the expected CF code of call_host's report, a RegExp the
// expected error text too.
const awaitCases = [
  ['host function throws an Error', 'throwsError', 'CF_EJS', /sync boom/],
  ['host function throws a string', 'throwsString', 'CF_EJS', /a string/],
  ['host function throws undefined', 'throwsUndefined', 'CF_EJS', /undefined/],
  ['host function throws an object without prototype', 'throwsNullProto', 'CF_EJS', /cannot be described/],
  ['host function throws a Proxy whose traps throw', 'throwsProxy', 'CF_EJS', /cannot be described/],
  ['host function throws an Error whose message getter throws', 'throwsBadMessage', 'CF_EJS', /cannot be described/],
  ['returned Promise has a throwing constructor getter', 'badConstructor', 'CF_EJS', /constructor getter/],
  ['returned thenable has a throwing then getter', 'thenGetterThrows', 'CF_EJS', /then getter/],
  ['returned thenable whose then throws', 'thenThrows', 'CF_EJS', /then method/],
  ['thenable settling three times settles once', 'thenTwice', 'CF_OK', null, (r) => assert.equal(r.number, 5)],
  ['a Promise whose own then calls back synchronously', 'ownThenSync', 'CF_OK', null, (r) => assert.equal(r.number, 7)],
  ['a Promise whose own then calls back three times and throws', 'ownThenTwice', 'CF_OK', null, (r) => assert.equal(r.number, 8)],
  ['rejects with a Proxy', 'rejectsProxy', 'CF_EJS', /cannot be described/],
  ['rejects with an Error whose message getter throws', 'rejectsBadMessage', 'CF_EJS', /cannot be described/],
  ['rejects with a Symbol', 'rejectsSymbol', 'CF_EJS', /Symbol\(sym\)/],
  ['rejection message carries its cause', 'rejectsWithCause', 'CF_EJS', /outer: inner/],
  ['a 1 MiB rejection message is bounded', 'rejectsHuge', 'CF_EJS', null, (r) => assert.ok(r.error.length <= 4200, `message of ${r.error.length}`)],
  ['object without prototype where C wants a string', 'nullProto', 'CF_EINVAL', /expected a string/, null, T.string],
  ['cyclic object where C wants JSON', 'cyclic', 'CF_EJS', /circular|cyclic/i, null, T.json],
  ['BigInt inside JSON', 'bigint', 'CF_EJS', /BigInt/, null, T.json],
  ['toJSON that throws', 'badToJSON', 'CF_EJS', /toJSON/, null, T.json],
  ['a Proxy whose traps throw, as JSON', 'proxyValue', 'CF_EJS', /proxy get trap/, null, T.json],
  ['a string where C wants a number', 'text', 'CF_EINVAL', /expected a number/],
  ['undefined where C wants bytes', 'nothing', 'CF_EINVAL', /expected bytes/, null, T.bytes],
  ['unknown host function', 'noSuchFunction', 'CF_EINVAL', /no host function/]
];

for (const [name, fn, code, text, extra, as] of awaitCases) {
  test(`hostile await: ${name}`, async () => {
    const r = await withTimeout(hostCall(fn, as ?? T.number), 3000, name);
    assert.equal(r.code, code, JSON.stringify(r).slice(0, 300));
    if (text) assert.match(r.error, text);
    if (extra) extra(r);
    await clean();
  });
}

test('hostile await: a Promise whose own then calls back again during a later await does not reach it', async () => {
  const r = await withTimeout(hostCall('ownThenLate'), 3000, 'ownThenLate');
  assert.equal(r.number, 10);
  const later = hostCall('slowOne'); // would reuse the first await's record
  await new Promise((res) => setTimeout(res, 5));
  lateAgain();
  const r2 = await withTimeout(later, 3000, 'slowOne');
  assert.equal(r2.code, 'CF_OK');
  assert.equal(r2.number, 1, 'the later await completes with its own value');
  await clean();
});

// Call arguments and options are checked before anything starts.
const rejectCases = [
  ['a signal-like object is not an AbortSignal', () => rt.call('sleep', 10, { signal: { aborted: false } }), TypeError],
  ['an EventTarget-like fake signal', () => rt.call('sleep', 10, { signal: { aborted: false, addEventListener() {}, removeEventListener() {} } }), TypeError],
  ['signal: null', () => rt.call('sleep', 10, { signal: null }), TypeError],
  ['an unknown option key beside signal', () => rt.call('sleep', 10, { signal: new AbortController().signal, note: 1 }), TypeError],
  ['a function argument', () => rt.call('sleep', () => 1), TypeError],
  ['a Symbol argument', () => rt.call('sleep', Symbol('s')), TypeError],
  ['a cyclic object argument', () => rt.call('echo', cyclic()), TypeError],
  ['a Map argument', () => rt.call('echo', new Map([[1, 2]])), TypeError],
  ['a Proxy argument whose traps throw', () => rt.call('echo', throwingProxy()), TypeError],
  ['an export name with NUL', () => rt.call('sleep\0x', 1), TypeError],
  ['an export name that is not a string', () => rt.call(42), TypeError],
  ['an unknown export', () => rt.call('no_such_export'), CFutureError, 'CF_ENOENT'],
  ['clock.advance(NaN)', () => rt.clock.advance(NaN), RangeError],
  ['clock.advance(Infinity)', () => rt.clock.advance(Infinity), RangeError],
  ['clock.advance(1e300)', () => rt.clock.advance(1e300), RangeError],
  ['clock.advance(-1)', () => rt.clock.advance(-1), RangeError],
  ['clock.advance()', () => rt.clock.advance(), TypeError],
  ['clock.advance("5")', () => rt.clock.advance('5'), TypeError]
];

for (const [name, run, cls, code] of rejectCases) {
  test(`hostile input: ${name}`, async () => {
    const paused = rt.clock.paused;
    if (/advance/.test(name)) rt.clock.pause();
    try {
      await withTimeout(assert.rejects(run(), (e) => {
        assert.ok(e instanceof cls, `${e && e.name}: ${e && e.message}`);
        if (code) assert.equal(e.code, code);
        return true;
      }), 3000, name);
    } finally {
      if (!paused) rt.clock.resume();
    }
    await clean();
  });
}

test('hostile options: runtime options are checked by name, type and range', () => {
  assert.throws(() => createRuntime(rt.module, { budgetPolls: -1 }), RangeError);
  assert.throws(() => createRuntime(rt.module, { budgetMs: 1.5 }), RangeError);
  assert.throws(() => createRuntime(rt.module, { coopBudget: '3' }), TypeError);
  assert.throws(() => createRuntime(rt.module, { hots: {} }), /unknown option "hots"/);
  assert.throws(() => createRuntime(rt.module, { host: { f: 42 } }), TypeError);
  assert.throws(() => rt.host('bad\0name', () => 1), TypeError);
  assert.throws(() => rt.host('f', 'not a function'), TypeError);
  assert.throws(() => new rt.constructor(), TypeError, 'Runtime is made by loadRuntime');
});

test('hostile abort: an already aborted signal rejects with its reason and releases handles', async () => {
  const reason = new Error('my reason');
  const h = rt.handle(Promise.resolve(1));
  assert.equal(rt.stats().hostOps, 1);
  await assert.rejects(rt.call('await_handle', h, T.number, { signal: AbortSignal.abort(reason) }), (e) => e === reason);
  await clean();
});

test('hostile abort: a handle passed to a call that never starts is released', async () => {
  const h = rt.handle(Promise.resolve(1));
  await assert.rejects(rt.call('no_such_export', h), { code: 'CF_ENOENT' });
  await clean();
});

test('hostile abort: AbortSignal.timeout rejects with its TimeoutError, a custom reason with itself', async () => {
  await assert.rejects(rt.call('sleep', 10000, { signal: AbortSignal.timeout(20) }), { name: 'TimeoutError' });
  const c = new AbortController();
  const p = rt.call('call_host', 'hangs', null, T.number, { signal: c.signal });
  setTimeout(() => c.abort('custom'), 10);
  await assert.rejects(p, (e) => e === 'custom');
  await clean();
});

test('hostile fetch: a path-only URL in Node is CF_EINVAL before any request', async () => {
  const before = srv.state.requests;
  const r = await withTimeout(rt.call('fetch_info', '/status/200', undefined, undefined, undefined, 0, 0, 0), 3000, 'fetch');
  assert.equal(r.code, 'CF_EINVAL');
  assert.match(r.error, /relative URL/);
  assert.equal(srv.state.requests, before);
  await clean();
});

test('hostile fetch: a patched global fetch that throws or returns junk completes with CF_EJS', async () => {
  const real = globalThis.fetch;
  try {
    globalThis.fetch = () => { throw new TypeError('patched fetch threw'); };
    let r = await withTimeout(rt.call('fetch_info', srv.base + '/status/200', undefined, undefined, undefined, 0, 0, 0), 3000, 'fetch');
    assert.notEqual(r.code, 'CF_OK');
    assert.match(r.error, /patched fetch threw/);
    globalThis.fetch = async () => ({ status: 200, headers: throwingProxy(), body: null });
    r = await withTimeout(rt.call('fetch_info', srv.base + '/status/200', undefined, undefined, undefined, 0, 0, 0), 3000, 'fetch');
    assert.equal(r.code, 'CF_EJS');
  } finally {
    globalThis.fetch = real;
  }
  await clean();
});

test('hostile teardown: dispose() inside a host function is deferred, the call rejects with CF_ECANCELED', async () => {
  const rt2 = createRuntime(rt.module);
  rt2.host('killer', () => { rt2.dispose(); return 1; });
  await assert.rejects(withTimeout(rt2.call('call_host', 'killer', null, T.number), 3000, 'call'), { code: 'CF_ECANCELED' });
  assert.equal(rt2.disposed, true);
  await clean();
});

test('hostile teardown: dispose() from an abort listener C triggers while dropping a future', async () => {
  const rt2 = createRuntime(rt.module);
  rt2.host('hang', (ctx) => new Promise(() => {
    ctx.signal.addEventListener('abort', () => rt2.dispose());
  }));
  const c = new AbortController();
  const p = rt2.call('call_host', 'hang', null, T.number, { signal: c.signal });
  await new Promise((r) => setTimeout(r, 10));
  c.abort();
  await assert.rejects(p, { name: 'AbortError' });
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(rt2.disposed, true);
  await clean();
});

test('hostile teardown: dispose() twice and calls after dispose', async () => {
  const rt2 = createRuntime(rt.module);
  const p = rt2.call('sleep', 10000);
  rt2.dispose();
  rt2.dispose();
  await assert.rejects(p, { code: 'CF_ECANCELED' });
  await assert.rejects(rt2.call('sleep', 1), /disposed/);
  assert.throws(() => rt2.stats(), /disposed/);
  await clean();
});

test('hostile scoping: two runtimes on one module keep their own host functions', async () => {
  const a = createRuntime(rt.module, { host: { who: () => 1 } });
  const b = createRuntime(rt.module, { host: { who: () => 2 } });
  try {
    const [ra, rb] = await Promise.all([a.call('call_host', 'who', null, T.number), b.call('call_host', 'who', null, T.number)]);
    assert.equal(ra.number, 1);
    assert.equal(rb.number, 2);
    const r = await a.call('call_host', 'ok', null, T.number);
    assert.equal(r.code, 'CF_EINVAL', 'functions of another runtime are not visible');
  } finally {
    a.dispose();
    b.dispose();
  }
  await clean();
});

// Validation in C before any JavaScript fetch starts: each must reject or
// report CF_EINVAL and the server must see nothing.
const fetchInputCases = [
  ['a URL with NUL is refused, not truncated', () => builtin.call('fetch_text', srv.base + '/status/200\0/../x'), /NUL/],
  ['a method with NUL is refused, not truncated', () => builtin.call('fetch_text', srv.base + '/status/200', 'GET\0X'), /NUL/],
  ['a body on GET', () => builtin.call('fetch_text', srv.base + '/echo', 'GET', 'body'), /GET or HEAD/],
  ['a body on HEAD', () => builtin.call('fetch_text', srv.base + '/echo', 'HEAD', 'body'), /GET or HEAD/],
  ['a method longer than the limit', () => builtin.call('fetch_text', srv.base + '/echo', 'X'.repeat(33)), /method/],
  ['a URL longer than the limit', () => builtin.call('fetch_text', srv.base + '/' + 'a'.repeat(70000)), /URL/],
  ['a method that is not a token', () => builtin.call('fetch_text', srv.base + '/echo', 'GET X'), /method/]
];
for (const [name, run, text] of fetchInputCases) {
  test(`hostile fetch input: ${name}`, async () => {
    const before = srv.state.requests;
    await withTimeout(assert.rejects(run(), (e) => {
      assert.equal(e.code, 'CF_EINVAL', e.message);
      assert.match(e.message, text);
      return true;
    }), 3000, name);
    assert.equal(srv.state.requests, before, 'no request reached the server');
    await clean(builtin);
  });
}

test('hostile fetch input: a header value with a control byte is CF_EINVAL before any request', async () => {
  const before = srv.state.requests;
  const r = await withTimeout(rt.call('fetch_info', srv.base + '/echo', 'PUT', 'x-test\u0001bad\u0007value', 'x', 0, 0, 0), 3000, 'fetch');
  assert.equal(r.code, 'CF_EINVAL');
  assert.match(r.error, /control/);
  assert.equal(srv.state.requests, before);
  await clean();
});

test('hostile fetch input: a buffered body beyond the 8 MiB default (or maxBytes) is CF_EMSGSIZE and aborted', async () => {
  for (const args of [[], ['GET', undefined, 1000]]) {
    await withTimeout(assert.rejects(builtin.call('fetch_text', srv.base + '/big', ...args), (e) => {
      assert.equal(e.code, 'CF_EMSGSIZE', e.message);
      assert.match(e.message, /exceeds|limit/);
      return true;
    }), 10000, 'big');
  }
  await clean(builtin);
});

test('hostile message: a rejected host Promise reaches rt.call with its message', async () => {
  rt.host('failing', () => Promise.reject(new Error('kaboom ✓')));
  await withTimeout(assert.rejects(rt.call('host_or_fail', 'failing'), (e) => {
    assert.equal(e.code, 'CF_EJS');
    assert.equal(e.message, 'kaboom ✓');
    return true;
  }), 3000, 'host_or_fail');
  await clean();
});

test('hostile input: more arguments than C accepts is a RangeError', async () => {
  await assert.rejects(rt.call('echo', ...new Array(65537).fill(0)), RangeError);
  await clean();
});
