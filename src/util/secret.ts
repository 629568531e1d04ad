// A value that must never be printed. Wrapping credentials in Secret means that logging a config object, a thrown
// error's cause, JSON.stringify or util.inspect all show a placeholder, and only code that calls reveal() on purpose
// ever sees the text.
import { inspect } from 'node:util';

const REDACTED = '[REDACTED]';

export class Secret {
  readonly #value: string;
  /** Where the value came from (`env:NAME`, `file:/path`), safe to show in messages. */
  readonly source: string;

  constructor(value: string, source = 'inline') {
    this.#value = value;
    this.source = source;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return `Secret(${this.source})`;
  }
}

/**
 * Removes every occurrence of the given secret texts from a message. Used at the edges (error messages built from
 * server answers, log lines) as a second line of defence behind Secret.
 */
export function redactText(text: string, secrets: Iterable<string>): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 4) result = result.split(secret).join(REDACTED);
  }
  return result;
}
