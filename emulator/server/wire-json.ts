// JSON text exactly as Snowflake's front end writes it. Envelopes come from Jackson's default pretty printer: objects
// break lines and indent two spaces per level, keys are followed by " : ", arrays stay on one line as "[ a, b ]" (an
// array of objects reads "[ {\n...\n}, {\n...\n} ]"), and an empty array is "[ ]". Result rows are written raw: each
// row compact, rows joined by ",\n" (recordings 018, 055, 058). Clients that diff bytes against real answers, and our
// conformance test, depend on this.

/** Already-rendered JSON text embedded as is (used for the `data` rows). */
export class RawJson {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

export type WireValue = string | number | boolean | null | RawJson | WireValue[] | { [key: string]: WireValue | undefined };

/** Jackson-style pretty JSON; object keys whose value is `undefined` are left out, like absent fields. */
export function prettyJson(value: WireValue): string {
  return render(value, 0);
}

function render(value: WireValue, depth: number): string {
  if (value instanceof RawJson) return value.text;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[ ]';
    // Arrays add no indentation level in Jackson's printer: their objects indent from the enclosing object.
    return `[ ${value.map((item) => render(item, depth)).join(', ')} ]`;
  }
  const entries = Object.entries(value).filter((entry): entry is [string, WireValue] => entry[1] !== undefined);
  if (entries.length === 0) return '{ }';
  const inner = '  '.repeat(depth + 1);
  const lines = entries.map(([key, item]) => `${inner}${JSON.stringify(key)} : ${render(item, depth + 1)}`);
  return `{\n${lines.join(',\n')}\n${'  '.repeat(depth)}}`;
}

/** One result row as Snowflake writes it inside `data`: compact, every value a string or null. */
export function encodeRow(row: readonly (string | null)[]): string {
  return JSON.stringify(row);
}

/** The `data` member of an envelope: `[ row,\nrow ]`, or `[ ]` when empty (recordings 023, 026). */
export function envelopeRows(rows: readonly string[]): RawJson {
  return new RawJson(rows.length === 0 ? '[ ]' : `[ ${rows.join(',\n')} ]`);
}

/** A later partition's whole body: `{"data":[row,\nrow]}` with no metadata (recording 058). */
export function partitionBody(rows: readonly string[]): string {
  return `{"data":[${rows.join(',\n')}]}`;
}
