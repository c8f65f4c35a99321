// misuse.ts: what the public types must reject. Each line below an
// expect-error directive must fail to compile (tsc reports an unused
// directive otherwise), so these are real checks.
import { JsHandle, createRuntime, loadRuntime, Runtime } from 'cfuture';

async function main(): Promise<void> {
  const rt = await loadRuntime();
  const ac = new AbortController();
  // @ts-expect-error: Runtime is made by loadRuntime(), its constructor is private
  new Runtime();
  // @ts-expect-error: options object in the middle (options come last)
  await rt.call('f', { signal: ac.signal }, 1);
  // @ts-expect-error: "signal" is the only call option
  await rt.call('f', 1, { signal: ac.signal, timeout: 5 });
  // @ts-expect-error: a signal must be an AbortSignal
  await rt.call('f', 1, { signal: 'abort' });
  // @ts-expect-error: JSON data with a "signal" key must be followed by options
  await rt.call('f', { signal: 'data' });
  // @ts-expect-error: functions are not call arguments
  await rt.call('f', () => 1);
  // @ts-expect-error: nor are symbols
  await rt.call('f', Symbol('x'));
  // @ts-expect-error: a bare AbortSignal is not an argument (wrap it: { signal })
  await rt.call('f', ac.signal);
  // @ts-expect-error: the name is a string
  await rt.call(42);
  // @ts-expect-error: the clock advances by a number of milliseconds
  await rt.clock.advance('1s');
  // @ts-expect-error: unknown load option
  await loadRuntime({ modul: './x.mjs' });
  // @ts-expect-error: module is a string or URL
  await loadRuntime({ module: 42 });
  // @ts-expect-error: JsHandle is made by rt.handle()
  new JsHandle();
  // @ts-expect-error: createRuntime takes runtime options only
  createRuntime(rt.module, { module: './x.mjs' });
  // @ts-expect-error: budgetPolls is a number
  await loadRuntime({ budgetPolls: '10' });
}
void main;
