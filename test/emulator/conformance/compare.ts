// Field-by-field comparison of an emulator answer with a real recorded answer. Values that depend on the moment or
// on random data (handles, request ids, createdOn, sizes of random rows) are compared by shape; everything else
// (status, codes, sqlState, messages, key order, rowType entries, value encodings, partition layout) exactly.
import { readdirSync, readFileSync } from 'node:fs';

export interface Recording {
  request: { method: string; path: string; query?: string; header: Record<string, string[]>; body?: string };
  response: { status: number; header: Record<string, string[]>; body: string };
}

const FIXTURES = new URL('../../fixtures/snowflake-recordings/', import.meta.url);
const FILES = readdirSync(FIXTURES);

export function loadRecording(number: string): Recording {
  const name = FILES.find((file) => file.startsWith(`snowflake-${number}-`));
  if (name === undefined) throw new Error(`no recording ${number}`);
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as Recording;
}

export const HANDLE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-0000-[0-9a-f]{12}$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface CompareOptions {
  /** Compare these members by type only (their values depend on random data), e.g. `data` of a UUID result. */
  shapeOnly?: string[];
  /** Compare uncompressedSize / compressedSize exactly (same data on both sides). */
  exactSizes?: boolean;
}

const DYNAMIC_STRINGS: Record<string, RegExp> = {
  statementHandle: HANDLE,
  requestId: UUID,
  statementStatusUrl: /^\/api(\/v2)?\/statements\/[0-9a-f-]{36}(\?requestId=[0-9a-f-]{36})?$/,
};

/** Differences between a recorded JSON value and the emulator's, as readable lines (empty when they agree). */
export function compareJson(recorded: unknown, actual: unknown, options: CompareOptions = {}, path = '$'): string[] {
  const key = path.split('.').at(-1) ?? '';
  if (options.shapeOnly?.includes(key)) return typeOf(recorded) === typeOf(actual) ? [] : [`${path}: type ${typeOf(actual)}, recorded ${typeOf(recorded)}`];
  if (key in DYNAMIC_STRINGS && typeof recorded === 'string') {
    if (recorded.match(HANDLE) && recorded.startsWith('00000000')) return recorded === actual ? [] : [`${path}: ${String(actual)}, recorded ${recorded}`];
    return typeof actual === 'string' && DYNAMIC_STRINGS[key]?.test(actual) === true ? [] : [`${path}: ${JSON.stringify(actual)} is not shaped like ${recorded}`];
  }
  if (key === 'createdOn') return typeof actual === 'number' && Number.isInteger(actual) ? [] : [`${path}: not an integer`];
  if ((key === 'uncompressedSize' || key === 'compressedSize') && options.exactSizes !== true) {
    return typeof actual === 'number' && typeof recorded === 'number' && (recorded === 0) === (actual === 0) ? [] : [`${path}: ${String(actual)}, recorded ${String(recorded)}`];
  }
  if (key === 'statementHandles' && Array.isArray(recorded)) {
    return Array.isArray(actual) && actual.length === recorded.length && actual.every((h) => typeof h === 'string' && HANDLE.test(h))
      ? []
      : [`${path}: ${JSON.stringify(actual)} is not ${recorded.length} handles`];
  }
  if (Array.isArray(recorded)) {
    if (!Array.isArray(actual)) return [`${path}: not an array`];
    if (actual.length !== recorded.length) return [`${path}: length ${actual.length}, recorded ${recorded.length}`];
    return recorded.flatMap((item, index) => compareJson(item, actual[index], options, `${path}[${index}]`));
  }
  if (recorded !== null && typeof recorded === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return [`${path}: not an object`];
    const recordedKeys = Object.keys(recorded);
    const actualKeys = Object.keys(actual);
    const out: string[] = [];
    // rowType entries come in two key orders in real answers (018 vs 026): compare their key sets only.
    const orderMatters = !/rowType\[\d+\]$/.test(path);
    if (orderMatters ? recordedKeys.join() !== actualKeys.join() : [...recordedKeys].sort().join() !== [...actualKeys].sort().join()) {
      out.push(`${path}: keys ${actualKeys.join(',')}, recorded ${recordedKeys.join(',')}`);
    }
    for (const name of recordedKeys) {
      if (name in actual) out.push(...compareJson((recorded as Record<string, unknown>)[name], (actual as Record<string, unknown>)[name], options, `${path}.${name}`));
    }
    return out;
  }
  return Object.is(recorded, actual) ? [] : [`${path}: ${JSON.stringify(actual)}, recorded ${JSON.stringify(recorded)}`];
}

function typeOf(value: unknown): string {
  return Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
}

/** The body text with time- and data-dependent values replaced, to compare the byte layout itself. */
export function skeleton(text: string): string {
  return text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (match) => (match.startsWith('00000000-') ? match : '<id>'))
    .replace(/"createdOn" : \d+/g, '"createdOn" : <ms>')
    .replace(/"(uncompressedSize|compressedSize)" : \d+/g, '"$1" : <n>');
}

/** `Link` entries as `rel=partition`, after checking each URL's shape. */
export function linkSummary(link: string | undefined, handle: string): string[] {
  if (link === undefined) return [];
  return link.split(',').map((entry) => {
    const match = /^<\/api\/v2\/statements\/([0-9a-f-]{36})\?requestId=([0-9a-f-]{36})&partition=(\d+)>; rel="(\w+)"$/.exec(entry);
    if (match === null) return `malformed:${entry}`;
    if (handle !== '' && match[1] !== handle) return `other-handle:${entry}`;
    return `${match[4]}=${match[3]}`;
  });
}
