// usage.ts: what the public types must accept (tsc --noEmit, strict, with
// moduleResolution node16 and bundler; the package test runs it against the
// installed tarball, tests/node/types.test.mjs against this checkout).
import loadRuntime, { CFutureError, JsHandle, Runtime, TaskInfo, createRuntime, loadRuntime as named } from 'cfuture';
import type { CallOptions, LoadOptions } from 'cfuture';

async function main(): Promise<void> {
  const rt: Runtime = await loadRuntime({
    print: (line: string) => console.log(line),
    host: { twice: async (x: number, _o: { signal: AbortSignal }) => x * 2 }
  });
  const opts: LoadOptions = { module: new URL('./my.mjs', import.meta.url), wasmBinary: new Uint8Array(8) };
  const other = await named(opts);
  other.dispose();
  const ac = new AbortController();
  const n = await rt.call<number>('add', 1, 2, { signal: ac.signal });
  const s: string = await rt.call<string>('echo', 'x');
  await rt.call('bytes', new Uint8Array(4), new ArrayBuffer(2), new DataView(new ArrayBuffer(1)), 1n, true, null, undefined);
  await rt.call('json', { a: 1, b: [1, 'two', { c: null }] }, [1, 2, 3]);
  // a JSON argument with a "signal" key needs explicit options after it
  await rt.call('json', { signal: 'not options' }, { signal: undefined });
  await rt.call('json', { signal: 'data' }, { signal: ac.signal });
  const o: CallOptions = { signal: AbortSignal.timeout(100) };
  await rt.call('sleep', 5, o);
  await rt.call('nothing');
  const tasks: TaskInfo[] = rt.tasks();
  const names: (string | null)[] = tasks.map((t) => t.name);
  rt.clock.pause();
  await rt.clock.advance(1000);
  rt.clock.resume();
  const h: JsHandle = rt.handle(Promise.resolve(1));
  await rt.call('await_value', h);
  rt.releaseHandle(rt.handle(2));
  const second = createRuntime(rt.module, { budgetPolls: 64 });
  second.dispose();
  if (rt instanceof Runtime) rt.host('late', () => 1);
  try {
    await rt.call('fail', -110);
  } catch (e) {
    if (e instanceof CFutureError) console.log(e.code, e.errno, n, s, names);
  }
  rt.dispose();
}
void main;
