// The parts of undici the exporter uses (Pool, the dispatcher's request API and the global dispatcher), loaded from
// undici's own modules instead of its index. The index also loads fetch, WebSocket, EventSource, the cache stores and
// the mocks, and one of those reads `globalThis.Headers`, which makes Node.js load its own bundled copy of undici as
// well. None of that is used here; at rest it held about 5 MB of source, bytecode and objects in every exporter.
//
// undici publishes no "exports" map, so these paths resolve like any file in the package. They are undici's internal
// layout: test/unit/snowflake/undici-core.test.ts checks they are the same classes the index exports, so an upgrade
// that moves them fails the tests instead of the exporter.
import { createRequire } from 'node:module';
import type * as Undici from 'undici';

const require = createRequire(import.meta.url);

// What undici's index does to give every dispatcher request(), stream(), pipeline(), connect() and upgrade().
const dispatcherPrototype = (require('undici/lib/dispatcher/dispatcher.js') as typeof Undici.Dispatcher).prototype;
Object.assign(dispatcherPrototype, require('undici/lib/api/index.js') as object);

export const Pool = require('undici/lib/dispatcher/pool.js') as typeof Undici.Pool;

export const getGlobalDispatcher = (require('undici/lib/global.js') as { getGlobalDispatcher: typeof Undici.getGlobalDispatcher })
  .getGlobalDispatcher;
