// Streams the records of one exported file, in bounded memory whatever its size. Two shapes are read, told apart by
// the first character of the content:
// - JSON Lines / NDJSON, one value per line: what COPY INTO <location> writes for TYPE = JSON
//   (https://docs.snowflake.com/en/user-guide/data-unload-prepare) and what most tools call "JSON Lines". Blank
//   lines are skipped; a line that is not JSON is reported with its number and reading goes on with the next line.
// - one JSON array of values, as the Snowflake CLI's `--format json` prints a result: elements are cut out of the
//   stream one by one and reported with the line they start on. A syntax error there ends the file (no way to
//   resynchronise inside an array), reported once.
// A `.gz` file (COPY's default COMPRESSION for JSON is gzip) is decompressed on the fly; a UTF-8 byte-order mark is
// ignored. Integers beyond 2^53 are read as BigInt, so a NUMBER keeps every digit.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

export type SourceRecord = { readonly line: number; readonly value: unknown } | { readonly line: number; readonly error: string };

function exactReviver(_key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value === 'number' && !Number.isSafeInteger(value) && context?.source !== undefined && /^-?\d+$/.test(context.source)) {
    return BigInt(context.source);
  }
  return value;
}

/** Whether a parsed record holds, at its top level, an integer a double could not hold exactly. */
function hasInexactInteger(value: unknown): boolean {
  if (typeof value === 'number') return Number.isInteger(value) && !Number.isSafeInteger(value);
  if (typeof value !== 'object' || value === null) return false;
  for (const field of Array.isArray(value) ? value : Object.values(value)) {
    if (typeof field === 'number' && Number.isInteger(field) && !Number.isSafeInteger(field)) return true;
  }
  return false;
}

/**
 * JSON.parse, keeping integers beyond 2^53 exact (as BigInt) in the top-level fields, the columns. Only a record that
 * holds one is parsed a second time with the (slower) reviver that sees the digits as written. Numbers nested in a
 * semi-structured value are not re-read: the emulator stores those as doubles anyway.
 */
export function parseJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  return hasInexactInteger(value) ? JSON.parse(text, exactReviver) : value;
}

function open(path: string, gzip: boolean): Readable {
  const file = createReadStream(path);
  if (!gzip) return file.setEncoding('utf8');
  const gunzip = createGunzip();
  file.on('error', (error) => gunzip.destroy(error));
  return file.pipe(gunzip).setEncoding('utf8');
}

function parseRecord(text: string, line: number): SourceRecord {
  try {
    return { line, value: parseJson(text) };
  } catch (error) {
    return { line, error: `invalid JSON: ${(error as Error).message}` };
  }
}

/** Cuts the elements out of a top-level JSON array as its text streams in. */
class ArraySplitter {
  #depth = 0;
  #inString = false;
  #escaped = false;
  #line = 1;
  #element = '';
  #elementLine = 0;
  #closed = false;
  #started = false;
  failure: string | undefined;

  /** Feeds a chunk; returns the complete elements found in it. */
  feed(chunk: string): SourceRecord[] {
    const out: SourceRecord[] = [];
    for (let i = 0; i < chunk.length && this.failure === undefined; i++) {
      const c = chunk[i] as string;
      if (c === '\n') this.#line++;
      if (this.#inString) {
        this.#element += c;
        if (this.#escaped) this.#escaped = false;
        else if (c === '\\') this.#escaped = true;
        else if (c === '"') this.#inString = false;
        continue;
      }
      if (!this.#started) {
        if (c === '[') this.#started = true;
        else if (!/\s/.test(c)) this.failure = `line ${this.#line}: expected a JSON array`;
        continue;
      }
      if (this.#closed) {
        if (!/\s/.test(c)) this.failure = `line ${this.#line}: unexpected text after the closing ] of the array`;
        continue;
      }
      if (this.#depth === 0) {
        // Between elements of the outer array.
        if (c === ',' || c === ']') {
          if (this.#element.trim() !== '') out.push(parseRecord(this.#element, this.#elementLine));
          this.#element = '';
          if (c === ']') this.#closed = true;
          continue;
        }
        if (/\s/.test(c) && this.#element === '') continue;
        if (this.#element === '') this.#elementLine = this.#line;
      }
      this.#element += c;
      if (c === '"') this.#inString = true;
      else if (c === '{' || c === '[') this.#depth++;
      else if (c === '}' || c === ']') {
        this.#depth--;
        if (this.#depth < 0) this.failure = `line ${this.#line}: unbalanced ${c}`;
      }
    }
    return out;
  }

  finish(): void {
    if (this.failure === undefined && !this.#closed) this.failure = `line ${this.#line}: the JSON array is not closed (truncated file?)`;
  }
}

/** The records of a file, one at a time. */
export async function* readRecords(path: string, options: { gzip: boolean }): AsyncGenerator<SourceRecord> {
  for await (const batch of readRecordBatches(path, options)) yield* batch;
}

/** The records of a file, in the batches each chunk of the file gives (fewer awaits than one per record). */
export async function* readRecordBatches(path: string, options: { gzip: boolean }): AsyncGenerator<SourceRecord[]> {
  const input = open(path, options.gzip);
  let mode: 'unknown' | 'lines' | 'array' = 'unknown';
  let pending = '';
  let line = 0;
  const splitter = new ArraySplitter();
  try {
    for await (const raw of input) {
      let chunk = raw as string;
      if (mode === 'unknown') {
        chunk = (pending + chunk).replace(/^\uFEFF/, '');
        pending = '';
        const first = /\S/.exec(chunk);
        if (first === null) {
          pending = chunk;
          continue;
        }
        mode = first[0] === '[' ? 'array' : 'lines';
      }
      if (mode === 'array') {
        const elements = splitter.feed(chunk);
        if (splitter.failure !== undefined) {
          yield [...elements, { line: 0, error: `invalid JSON array: ${splitter.failure}` }];
          return;
        }
        if (elements.length > 0) yield elements;
        continue;
      }
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      const batch: SourceRecord[] = [];
      for (const text of lines) {
        line++;
        if (text.trim() !== '') batch.push(parseRecord(text, line));
      }
      if (batch.length > 0) yield batch;
    }
    if (mode === 'lines' && pending.trim() !== '') yield [parseRecord(pending, line + 1)];
    if (mode === 'array') {
      splitter.finish();
      if (splitter.failure !== undefined) yield [{ line: 0, error: `invalid JSON array: ${splitter.failure}` }];
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    yield [{ line: 0, error: options.gzip && code?.startsWith('Z_') ? `not a readable gzip file (${code})` : `cannot read: ${code ?? (error as Error).message}` }];
  } finally {
    input.destroy();
  }
}
