// A small reader of the Prometheus text format (0.0.4) for assertions: series as `name{a="x",b="y"}` keys with
// labels sorted, plus the HELP and TYPE of every family.
export interface Exposition {
  readonly samples: Map<string, number>;
  readonly help: Map<string, string>;
  readonly type: Map<string, string>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function seriesKey(name: string, labels: Record<string, string> = {}): string {
  const parts = Object.keys(labels)
    .sort()
    .map((key) => `${key}=${JSON.stringify(labels[key])}`);
  return parts.length === 0 ? name : `${name}{${parts.join(',')}}`;
}

export function parseExposition(text: string): Exposition {
  const samples = new Map<string, number>();
  const help = new Map<string, string>();
  const type = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      (meta[1] === 'HELP' ? help : type).set(meta[2] ?? '', meta[3] ?? '');
      continue;
    }
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`unparsable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(LABEL)) {
      labels[label[1] ?? ''] = (label[2] ?? '').replace(/\\(.)/g, (_all, c: string) => (c === 'n' ? '\n' : c));
    }
    const key = seriesKey(match[1] ?? '', labels);
    if (samples.has(key)) throw new Error(`duplicate series ${key}`);
    samples.set(key, Number(match[3]));
  }
  return { samples, help, type };
}

/** The samples of one metric family (name exactly, or name plus _bucket/_sum/_count). */
export function family(exposition: Exposition, name: string): Map<string, number> {
  return new Map([...exposition.samples].filter(([key]) => key === name || key.startsWith(`${name}{`)));
}
