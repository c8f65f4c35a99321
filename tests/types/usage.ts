// usage.ts: compiled with `tsc --noEmit` to check bindings/index.d.ts.
import loadRuntime, { CFutureError, Runtime, TaskInfo, loadRuntime as named } from 'cfuture';

async function main(): Promise<void> {
  const rt: Runtime = await loadRuntime({
    print: (line: string) => console.log(line),
    host: { twice: async (x: number, _o: { signal: AbortSignal }) => x * 2 }
  });
  const other = await named({ module: new URL('file:///tmp/my.mjs'), wasmBinary: new Uint8Array(8) });
  other.dispose();
  const ac = new AbortController();
  const n = await rt.call<number>('add', 1, 2, { signal: ac.signal });
  const s: string = await rt.call<string>('echo', 'x');
  const tasks: TaskInfo[] = rt.tasks();
  const names: (string | null)[] = tasks.map((t) => t.name);
  rt.clock.pause();
  await rt.clock.advance(1000);
  rt.clock.resume();
  const h: number = rt.handle(Promise.resolve(1));
  rt.releaseHandle(h);
  try {
    await rt.call('fail', -110);
  } catch (e) {
    if (e instanceof CFutureError) console.log(e.code, e.errno, n, s, names);
  }
  // @ts-expect-error: the clock advances by a number of milliseconds
  await rt.clock.advance('1s');
  rt.dispose();
}
void main;
