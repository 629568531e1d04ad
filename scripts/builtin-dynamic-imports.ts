// An esbuild plugin for scripts/build.ts: `import('http')` and the like, for any of Node's built-in modules, resolve
// to a module of the bundle that takes the built-in from `process.getBuiltinModule()`.
//
// Why: an ES import of a built-in builds its module namespace, which reads every export, lazy ones included. For
// node:http those are WebSocket, CloseEvent and MessageEvent, and reading them loads Node's own copy of undici (its
// source, its compiled code and an llhttp WebAssembly instance): 11 MB more RSS in a bare process, held for good.
// The OpenTelemetry OTLP/HTTP exporter imports node:http and node:https that way when it first sends. Static imports
// in the exporter's own code go through src/http/node-http.ts for the same reason; CommonJS require() of a built-in
// returns its exports object and reads nothing, so it needs no change.
import { isBuiltin } from 'node:module';
import type { Plugin } from 'esbuild';

const NAMESPACE = 'node-builtin-module';

export const builtinDynamicImports: Plugin = {
  name: 'builtin-dynamic-imports',
  setup(build) {
    build.onResolve({ filter: /^[a-z_:/]+$/ }, (args) => {
      if (args.kind !== 'dynamic-import' || !isBuiltin(args.path)) return undefined;
      return { path: args.path.startsWith('node:') ? args.path : `node:${args.path}`, namespace: NAMESPACE };
    });
    // An ES module (with code splitting, esbuild gives a dynamically imported CommonJS module only a default export):
    // the built-in as its default, and each of its plain data properties by name. Accessor properties (the lazy
    // ones above, and settable ones such as http.globalAgent) stay reachable through the default export only, read
    // when used.
    build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => {
      const exported = process.getBuiltinModule(args.path) as Record<string, unknown>;
      const names = Object.entries(Object.getOwnPropertyDescriptors(exported))
        .filter(([name, descriptor]) => !('get' in descriptor) && name !== 'default' && /^[A-Za-z_$][\w$]*$/.test(name))
        .map(([name]) => name);
      return {
        contents: [
          `const builtin = process.getBuiltinModule(${JSON.stringify(args.path)});`,
          'export default builtin;',
          ...names.map((name) => `export const ${name} = builtin.${name};`),
        ].join('\n'),
        loader: 'js',
      };
    });
  },
};
