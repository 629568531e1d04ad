// `npm run build` (and the Dockerfile's build stage): the runtime as JavaScript in dist/, which the container image
// runs. esbuild bundles src/main.ts with the libraries it imports into dist/lib/ (the embedded demo's emulator split
// into a chunk of its own, loaded only when the demo runs; DuckDB's native package stays in node_modules), beside
// dist/bin/ (the command-line shim), dist/examples/ and dist/package.json. Development (npm start, tests, benches)
// keeps running the TypeScript sources directly.
//
// Why a bundle and not the sources as they are: memory at rest. Node's type stripping keeps a WebAssembly compiler
// resident (129 MB RSS after importing the exporter from the sources, 98 MB compiled file by file), and a long-running
// process holds every module's source text and bookkeeping in its heap for good: whitespace-free and in a few chunks,
// the V8 heap at rest shrinks from about 23.5 to 18 MB and RSS by about 6 MB (`npm run bench -- memory`).
// Names are kept (error and class names appear in logs), and a source map is written beside each chunk: run with
// `node --enable-source-maps` to see stack traces in the sources' terms.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { builtinDynamicImports } from './builtin-dynamic-imports.ts';

const ROOT = join(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist');
const ENTRY = 'bin/snowflake-risk-exporter.js';

rmSync(DIST, { recursive: true, force: true });
await build({
  entryPoints: [join(ROOT, 'src', 'main.ts')],
  outdir: join(DIST, 'lib'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  // A native N-API package: loaded from node_modules at run time (and only by the demo).
  external: ['@duckdb/node-api'],
  // CommonJS libraries inside an ES module bundle call require() for Node's built-in modules.
  banner: { js: "import { createRequire as __bundleCreateRequire } from 'node:module'; const require = __bundleCreateRequire(import.meta.url);" },
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  sourcemap: 'linked',
  logLevel: 'warning',
  plugins: [builtinDynamicImports],
});

// What the bundle reads beside itself (src/package-root.ts): package.json (name, version, "type": "module") and the
// example configuration the command line points to.
cpSync(join(ROOT, 'package.json'), join(DIST, 'package.json'));
cpSync(join(ROOT, 'examples'), join(DIST, 'examples'), { recursive: true });
// The command-line shim, pointed at the bundle's entry.
const shim = readFileSync(join(ROOT, ENTRY), 'utf8');
if (!shim.includes("'../src/main.ts'")) throw new Error(`${ENTRY} no longer imports '../src/main.ts'; update scripts/build.ts`);
mkdirSync(join(DIST, 'bin'), { recursive: true });
writeFileSync(join(DIST, ENTRY), shim.replace("'../src/main.ts'", "'../lib/main.js'"), { mode: 0o755 });
console.log(`built ${DIST}`);
