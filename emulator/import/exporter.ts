// Writes a generated scenario as a replayable directory: one JSON Lines file per view (streamed, with backpressure,
// so a million-row view never sits in memory), the account parameters, and the ground truth beside them.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Scenario } from '../scenario/generate.ts';
import { writeGroundTruth } from '../scenario/ground-truth.ts';
import { SCENARIO_VIEWS, type Row } from '../scenario/types.ts';
import { PARAMETERS_FILE } from './files.ts';

export interface ExportReport {
  dir: string;
  files: { fileName: string; view: string; rows: number }[];
  groundTruthFile: string;
}

export async function writeJsonLines(path: string, rows: Iterable<Row>): Promise<number> {
  const out = createWriteStream(path, { encoding: 'utf8' });
  let count = 0;
  let buffer = '';
  try {
    for (const row of rows) {
      buffer += `${JSON.stringify(row)}\n`;
      count++;
      if (buffer.length >= 64 * 1024) {
        if (!out.write(buffer)) await once(out, 'drain');
        buffer = '';
      }
    }
    if (buffer.length > 0) out.write(buffer);
  } finally {
    out.end();
    await once(out, 'close');
  }
  return count;
}

export async function exportScenarioToJsonl(scenario: Scenario, dir: string): Promise<ExportReport> {
  await mkdir(dir, { recursive: true });
  const files: ExportReport['files'] = [];
  for (const view of SCENARIO_VIEWS) {
    const fileName = `${view}.jsonl`;
    const rows = await writeJsonLines(join(dir, fileName), scenario.rows(view));
    files.push({ fileName, view, rows });
  }
  await writeFile(join(dir, PARAMETERS_FILE), `${JSON.stringify(scenario.accountParameters, null, 2)}\n`, 'utf8');
  const groundTruthFile = await writeGroundTruth(scenario.groundTruth, dir);
  return { dir, files, groundTruthFile };
}
