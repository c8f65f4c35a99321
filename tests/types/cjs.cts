// cjs.cts: CommonJS TypeScript (module node16): require('cfuture') is typed
// (Node >= 20.19 can require() the package), and so is await import().
import cfuture = require('cfuture');

async function main(): Promise<void> {
  const rt = await cfuture.loadRuntime();
  const n: number = await rt.call<number>('sleep', 5);
  // @ts-expect-error: the constructor is private here too
  new cfuture.Runtime();
  const esm = await import('cfuture');
  const rt2 = await esm.loadRuntime();
  rt.dispose();
  rt2.dispose();
  console.log(n);
}
void main;
