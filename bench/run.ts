// Runs every bench/*.bench.ts (or those whose name contains the first argument: `npm run bench -- decode`) and prints
// each figure with its same-run baseline and the ratio between them.
import { readdirSync } from 'node:fs';
import type { Benchmark, BenchFigure } from './harness.ts';

const filter = process.argv[2]?.toLowerCase();
const directory = new URL('./', import.meta.url);
const files = readdirSync(directory)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => filter === undefined || name.toLowerCase().includes(filter))
  .sort();

if (files.length === 0) {
  console.error(`no benchmark matches ${JSON.stringify(filter)}`);
  process.exit(1);
}

function format(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(3);
}

for (const file of files) {
  const module = (await import(new URL(file, directory).href)) as { default: Benchmark };
  const benchmark = module.default;
  console.log(`\n## ${benchmark.name}: ${benchmark.description}\n`);
  const figures: readonly BenchFigure[] = await benchmark.run();
  const rows = figures.map((f) => [f.name, `${format(f.value)} ${f.unit}`, `${format(f.baseline)} ${f.unit} (${f.baselineName})`, `${(f.value / f.baseline).toFixed(3)}`]);
  const header = ['figure', 'value (median)', 'baseline (same run)', 'ratio'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}
