// web/module-options.mjs: the loadRuntime() options that select a demo
// module (dist/demo.mjs + dist/demo.wasm: demo/*.c linked with the runtime;
// or dist/demo_fiber.*: demo/fiber/*.c linked with Asyncify) instead of the
// package's default module, in the browser. Kept apart from
// runtime.mjs because it is the one place that knows the bindings' option
// names for choosing a module.

export async function createDemoModuleOptions({ base = '', module = 'demo', print, printErr }) {
  const root = new URL(`${base}/dist/`, location.href);
  return {
    module: new URL(`${module}.mjs`, root).href,
    wasm: new URL(`${module}.wasm`, root).href,
    print,
    printErr,
    ...(new URLSearchParams(location.search).has('budgetPolls') ? { budgetPolls: Number(new URLSearchParams(location.search).get('budgetPolls')) } : {}),
  };
}
