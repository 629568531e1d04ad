// Streams the records of a JSON Lines file, one line at a time (bounded memory whatever the file size). Blank lines
// are skipped; a line that is not JSON fails with the file and line number.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { ImportError } from './errors.ts';

export interface JsonlRecord {
  line: number;
  value: unknown;
}

export async function* readJsonLines(path: string, displayName: string): AsyncGenerator<JsonlRecord> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line += 1;
      if (text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw new ImportError('IMPORT_BAD_JSON', `invalid JSON: ${(error as Error).message}`, { file: displayName, line });
      }
      yield { line, value };
    }
  } finally {
    lines.close();
  }
}
