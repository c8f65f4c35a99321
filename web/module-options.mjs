// web/module-options.mjs: the loadRuntime() options that select the demo
// module (dist/demo.mjs + dist/demo.wasm: demo/*.c linked with the runtime)
// instead of the package's default module, in the browser. Kept apart from
// runtime.mjs because it is the one place that knows the bindings' option
// names for choosing a module.

export async function createDemoModuleOptions({ base = '', print, printErr }) {
  const root = new URL(`${base}/dist/`, location.href);
  return {
    module: new URL('demo.mjs', root).href,
    wasm: new URL('demo.wasm', root).href,
    print,
    printErr,
    ...(new URLSearchParams(location.search).has('budgetPolls') ? { budgetPolls: Number(new URLSearchParams(location.search).get('budgetPolls')) } : {}),
  };
}
