// web/examples.mjs: the demo examples as data, shared by the page, the CLI
// (scripts/demo.mjs) and the browser tests, so all three agree on names,
// C entry points, expected output lines and expected durations.
//
// Each example's C entry point is an exported async function in demo/*.c
// (or demo/fiber/*.c when `module: 'fiber'`: the fiber module), called as
// rt.call(entry, baseUrl, scale), or with `args(baseUrl, scale)` when the
// example has them; `host` lists host functions (rt.host) it awaits.
// `expect(scale)` gives the lines it must print (strings match exactly,
// RegExps match a line) in order, and
// `expectedMs(scale)` the wall time it should take (null when CPU-bound).
// Every duration in the C demos is round(ms * scale).

const ms = (x, scale) => Math.round(x * scale);

// The URL checker of issue 10, in both styles (demo/urlcheck.c and
// demo/fiber/urlcheck.c): the same paths (served by demo/server.mjs) and
// the same expected lines. Index 3 never answers in time: 3 timeouts.
export const URLCHECK_PATHS = ['/status/200', '/status/404', '/status/503', '/status/200?sleep=5000',
  '/status/201', '/status/500', '/status/204', '/status/418'];
const URLCHECK_LINES = ['/status/200 200', '/status/404 404', '/status/503 503', '/status/200?sleep=5000 timeout',
  '/status/201 201', '/status/500 500', '/status/204 204', '/status/418 418'];
// Lines of C code (not blank, not comments), checked by tests/node/urlcheck.test.mjs.
export const URLCHECK_CODE_LINES = { stackless: 189, fiber: 125 };
const urlcheck = (style) => ({
  entry: 'urlcheck',
  // rt.call('urlcheck', base, timeoutMs, retries); the paths come from a JS Promise
  args: (base, s) => [base, ms(1000, s), 2],
  host: { urlcheck_paths: () => new Promise((resolve) => setTimeout(() => resolve(URLCHECK_PATHS), 10)) },
  expectedMs: (s) => ms(3000, s),
  expect: () => URLCHECK_LINES,
  codeLines: URLCHECK_CODE_LINES[style],
});

export const EXAMPLES = [
  {
    name: 'http',
    title: 'Two requests, a select loop',
    seed: "Rune · async_http.rn",
    entry: 'demo_http',
    blurb: 'Start two requests at once and print each status as soon as it arrives: ' +
      'select over both futures in a loop, disabling the branch that finished.',
    expectedMs: (s) => ms(1000, s),
    expect: () => ['201 Created', '200 OK'],
  },
  {
    name: 'timeout',
    title: 'A request with a timeout',
    seed: 'Rune · async_http_timeout.rn',
    entry: 'demo_timeout',
    blurb: 'select between a request and a 2 s sleep. The 1 s request wins, the 4 s one loses: ' +
      'its future is dropped and the connection closed. One at a time: about 3 s.',
    expectedMs: (s) => ms(3000, s),
    expect: () => ['200 OK', 'Request timed out!'],
  },
  {
    name: 'concurrent',
    title: 'Async functions, joined',
    seed: 'Rune · async_http_concurrent.rn',
    entry: 'demo_concurrent',
    blurb: 'The same two timed requests as async functions, awaited together with join: ' +
      'the total is the longest branch, about 2 s.',
    expectedMs: (s) => ms(2000, s),
    expect: () => ['Result: 200 OK', 'Request timed out!'],
  },
  {
    name: 'closure',
    title: 'An async closure',
    seed: 'Rune · async_closure.rn',
    entry: 'demo_closure',
    blurb: 'A function that returns a future which captured its environment (a URL); ' +
      'calling it runs nothing until the future is awaited.',
    expectedMs: (s) => ms(200, s),
    expect: () => ['Status: 200 OK'],
  },
  {
    name: 'block',
    title: 'An async block',
    seed: 'Rune · async_blocks.rn',
    entry: 'demo_block',
    blurb: 'A future built on the spot from a frame next to the code, capturing a URL, taking no arguments.',
    expectedMs: (s) => ms(200, s),
    expect: () => ['Status: 200 OK'],
  },
  {
    name: 'join',
    title: 'join! of a 3 s and a 1 s task',
    seed: "Tokio · join!",
    entry: 'demo_join',
    blurb: 'Both futures run concurrently inside one task: the 1 s one reports first and the ' +
      'whole takes about 3 s, not 4 s.',
    expectedMs: (s) => ms(3000, s),
    expect: (s) => [
      'Fetching data concurrently...',
      `Product data fetched after ${ms(1000, s)} ms.`,
      `User data fetched after ${ms(3000, s)} ms.`,
      'Total execution time is ~3s, not 4s.',
      'Result 1: User',
      'Result 2: Product',
    ],
  },
  {
    name: 'lazy',
    title: 'Futures are lazy',
    seed: 'Tokio tutorial · hello/world, the "no await" pitfall',
    entry: 'demo_lazy',
    blurb: 'Calling an async function runs nothing: "hello" prints before "world". A future ' +
      'that is dropped without being awaited never runs at all.',
    expectedMs: () => 0,
    expect: () => [
      'hello',
      'world',
      'Starting program.',
      'Finished program.',
      'my_task was dropped unawaited: polled 0 times, never printed.',
    ],
  },
  {
    name: 'spawn',
    title: 'Tasks, join handles, abort, yield_now',
    seed: 'Programming Rust · spawning tasks, yield_now',
    entry: 'demo_spawn',
    blurb: 'Spawn three workers and await their join handles; abort a long task; then run a ' +
      'CPU-bound computation that calls cf_yield_now between slices so timers (and this page) keep running.',
    expectedMs: null,
    expect: (s) => [
      'spawned workers a (300 ms), b (200 ms), c (100 ms)',
      'worker c done',
      'worker b done',
      'worker a done',
      'joined: a=300 b=200 c=100',
      /^aborted long task: CF_ECANCELED$/,
      /^primes below 3000000: 216816 \(\d+ slices\)$/,
      /^ticker ran (\d+) times during the computation$/,
    ].map((l) => (typeof l === 'string' ? l.replace(/(\d+) ms/g, (_, x) => `${ms(Number(x), s)} ms`) : l)),
  },
  {
    name: 'urlcheck',
    title: 'URL checker, stackless',
    seed: `issue 10 · demo/urlcheck.c · ${URLCHECK_CODE_LINES.stackless} lines of C`,
    blurb: 'Await a JS Promise for the path list, then check every URL with 4 requests in flight, ' +
      'a timeout per request and 2 retries on timeouts and 5xx; a collector task gathers the ' +
      'outcomes over a channel. State machines: every awaited value lives in a frame struct.',
    ...urlcheck('stackless'),
  },
  {
    name: 'urlcheck-fiber',
    title: 'URL checker, fibers',
    seed: `issue 10 · demo/fiber/urlcheck.c · ${URLCHECK_CODE_LINES.fiber} lines of C`,
    module: 'fiber',
    blurb: 'The same program as plain C functions on fibers (stackful tasks, Asyncify module): ' +
      'locals, loops and cf_await; same output, same timing, Cancel unwinds every fiber.',
    ...urlcheck('fiber'),
  },
];

export const STRESS = {
  name: 'stress',
  entry: 'demo_stress',
  title: '100,000 tasks, no jank',
  blurb: 'Spawn 1e5 tasks that each yield and sleep once, then join them all, while the ' +
    'animation keeps running. The executor works in budgeted slices, so no frame waits long.',
};

export function byName(name) {
  return EXAMPLES.find((e) => e.name === name) ?? null;
}

/** Check printed lines against an example's expectation. Returns null or a reason. */
export function checkLines(example, lines, scale) {
  const want = example.expect(scale);
  if (lines.length !== want.length) {
    return `expected ${want.length} lines, got ${lines.length}: ${JSON.stringify(lines)}`;
  }
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    const ok = typeof w === 'string' ? lines[i] === w : w.test(lines[i]);
    if (!ok) return `line ${i + 1}: expected ${w}, got ${JSON.stringify(lines[i])}`;
  }
  return null;
}

/** Tolerance for a measured duration: never early (timers never fire
 * early), late by at most max(200 ms, 25%) (connection setup, host timer
 * latency, load). */
export function withinTolerance(measured, expected) {
  if (expected == null) return true;
  const slack = Math.max(200, expected * 0.25);
  return measured >= expected - 30 && measured <= expected + slack;
}
