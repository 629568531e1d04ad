// Every generated file (or generated block inside a hand-written file) of the repository, with the code that renders
// it. `npm run generate` writes them; test/unit/generated-files.test.ts fails when a committed copy is stale, so a
// change to the source of truth cannot land without its regenerated output.
import { readFile } from 'node:fs/promises';
import { BUILT_IN_DETECTIONS } from '../src/detect/catalog/index.ts';
import { renderDetectionTable } from '../src/detect/docs/catalog-table.ts';
import { renderAccountTable, renderOtlpSettingsTable, renderSettingsTable } from '../src/config/docs/reference-table.ts';
import { PROMETHEUS_RULE_PATH, RULE_FILES, renderPrometheusRule, renderRuleFile } from '../alerts/src/render.ts';
import { readDetectionDocs, renderDetectionRunbooks } from '../alerts/src/runbooks.ts';
import { DASHBOARDS, renderDashboard } from '../dashboards/src/index.ts';

export interface GeneratedBlock {
  /** Path relative to the repository root. */
  readonly path: string;
  /** Name of the block between `<!-- BEGIN GENERATED: name ... -->` and `<!-- END GENERATED: name -->`. */
  readonly block: string;
  render(): string;
}

export const GENERATED_BLOCKS: readonly GeneratedBlock[] = [
  { path: 'README.md', block: 'detections', render: () => renderDetectionTable(BUILT_IN_DETECTIONS) },
  { path: 'README.md', block: 'settings', render: renderSettingsTable },
  { path: 'README.md', block: 'account-settings', render: renderAccountTable },
  { path: 'README.md', block: 'otlp-settings', render: renderOtlpSettingsTable },
  { path: 'alerts/runbooks.md', block: 'detection-runbooks', render: () => renderDetectionRunbooks(BUILT_IN_DETECTIONS, readDetectionDocs()) },
];

/** A file written whole by `npm run generate` (dashboards JSON, alert rule files). */
export interface GeneratedFile {
  /** Path relative to the repository root. */
  readonly path: string;
  render(): string;
}

export const GENERATED_FILES: readonly GeneratedFile[] = [
  ...RULE_FILES.map((file) => ({ path: file.path, render: () => renderRuleFile(file) })),
  { path: PROMETHEUS_RULE_PATH, render: renderPrometheusRule },
  // The kustomize base holds its own copy (kustomize loads no file outside its root): kept identical here.
  { path: 'deploy/kubernetes/base/prometheusrule.yaml', render: renderPrometheusRule },
  ...DASHBOARDS.map((dashboard) => ({ path: dashboard.path, render: () => renderDashboard(dashboard) })),
];

export const REPOSITORY_ROOT = new URL('../', import.meta.url);

function markers(block: string): { begin: RegExp; end: string } {
  return { begin: new RegExp(`<!-- BEGIN GENERATED: ${block}\\b[^>]*-->\\n`), end: `<!-- END GENERATED: ${block} -->` };
}

/** The file's text with the block's content replaced by `content`; throws when the markers are missing. */
export function replaceBlock(text: string, block: string, content: string): string {
  const { begin, end } = markers(block);
  const start = begin.exec(text);
  const stop = text.indexOf(end);
  if (start === null || stop < start.index) throw new Error(`markers of generated block '${block}' not found`);
  const contentStart = start.index + start[0].length;
  return text.slice(0, contentStart) + content + '\n' + text.slice(stop);
}

/** The file as `npm run generate` would write it. */
export async function expectedText(generated: GeneratedBlock): Promise<{ current: string; expected: string }> {
  const current = await readFile(new URL(generated.path, REPOSITORY_ROOT), 'utf8');
  return { current, expected: replaceBlock(current, generated.block, generated.render()) };
}

/** The whole file as `npm run generate` would write it, and the committed copy (undefined when missing). */
export async function expectedFile(generated: GeneratedFile): Promise<{ current: string | undefined; expected: string }> {
  const expected = generated.render();
  try {
    return { current: await readFile(new URL(generated.path, REPOSITORY_ROOT), 'utf8'), expected };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { current: undefined, expected };
    throw error;
  }
}
