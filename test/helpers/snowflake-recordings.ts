// Loads the real SQL API exchanges in test/fixtures/snowflake-recordings (copied verbatim from xo/dbimp, see the
// README there) and turns their responses into replies for the recording server, body bytes unchanged.
import { readdirSync, readFileSync } from 'node:fs';
import type { Reply } from './recording-server.ts';

export interface Recording {
  readonly file: string;
  readonly request: {
    readonly method: string;
    readonly path: string;
    readonly query?: string;
    readonly header: Record<string, string[]>;
    readonly body?: string;
  };
  readonly response: {
    readonly status: number;
    readonly header: Record<string, string[]>;
    /** The raw HTTP body, a JSON text. */
    readonly body: string;
  };
}

const directory = new URL('../fixtures/snowflake-recordings/', import.meta.url);

/** The recording numbered `number` (e.g. 26 or '026'). */
export function loadRecording(number: number | string): Recording {
  const prefix = `snowflake-${String(number).padStart(3, '0')}-`;
  const file = readdirSync(directory).find((name) => name.startsWith(prefix) && name.endsWith('.json'));
  if (file === undefined) throw new Error(`no recording ${prefix}*.json in ${directory.pathname}`);
  const parsed = JSON.parse(readFileSync(new URL(file, directory), 'utf8')) as Omit<Recording, 'file'>;
  return { file, ...parsed };
}

/** Headers of a recorded response that matter to a client (transport headers are left to the test server). */
const KEPT_HEADERS = ['Content-Type', 'Link', 'Retry-After', 'Vary'];

/** The recorded response as a reply: same status, same body text, same Content-Type/Link headers. */
export function replyFrom(recording: Recording, options: { gzip?: boolean } = {}): Reply {
  const headers: Record<string, string[]> = {};
  for (const name of KEPT_HEADERS) {
    const value = recording.response.header[name];
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  return { status: recording.response.status, headers, body: recording.response.body, gzip: options.gzip ?? false };
}

/** The recorded response body, parsed. */
export function responseJson(recording: Recording): unknown {
  return JSON.parse(recording.response.body);
}
