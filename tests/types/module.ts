// module.ts: the other export paths have types too.
import createCfutureModule from 'cfuture/cfuture.mjs';
import { cfutureFlags, linkFlags } from 'cfuture/emcc-flags';
import { loadRuntime } from 'cfuture';

async function main(): Promise<void> {
  const rt = await loadRuntime({ moduleFactory: createCfutureModule });
  rt.dispose();
  const flags: string[] = [...cfutureFlags({ cflags: true }), ...linkFlags({ flavour: 'web' })];
  for (const { args, why } of linkFlags({ explain: true })) console.log(args.join(' '), why, flags.length);
}
void main;
