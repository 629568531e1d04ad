// Renders the README's detection table from the catalog itself, so the table cannot drift from the code: ids,
// severities, views, grants, parameters and metrics all come from the definitions. `npm run generate` writes it into
// README.md and test/unit/generated-files.test.ts fails when the committed README differs.
import type { Detection, DetectionParameter } from '../types.ts';
import { grantsFor } from '../privileges.ts';

/** GitHub's heading anchor for a detection id used as a heading in docs/detections.md (dots are dropped). */
export function detectionAnchor(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9_ -]/g, '').replace(/ /g, '-');
}

function formatDefault(value: DetectionParameter['default']): string {
  if (Array.isArray(value)) {
    // Short lists are shown; long ones (IOC lists, role lists) by their length, docs/detections.md has the values.
    const shown = `[${value.join(', ')}]`;
    return shown.length <= 48 ? shown : `[${value.length} values]`;
  }
  return String(value);
}

function code(text: string): string {
  return `\`${text}\``;
}

interface Row {
  readonly id: string;
  readonly catalog: string;
  readonly title: string;
  readonly severity: string;
  readonly kinds: Set<string>;
  readonly views: Set<string>;
  readonly grants: Set<string>;
  readonly parameters: Map<string, DetectionParameter>;
  readonly metrics: Set<string>;
  readonly requires: Set<string>;
}

/** One row per detection id; a rule split into several kinds under one id (SF-10's change and state) is merged. */
function rowsOf(detections: readonly Detection[]): Row[] {
  const rows = new Map<string, Row>();
  for (const detection of detections) {
    let row = rows.get(detection.id);
    if (row === undefined) {
      row = {
        id: detection.id,
        catalog: detection.catalog,
        title: detection.title,
        severity: detection.severity,
        kinds: new Set(),
        views: new Set(),
        grants: new Set(),
        parameters: new Map(),
        metrics: new Set(),
        requires: new Set(),
      };
      rows.set(detection.id, row);
    }
    row.kinds.add(detection.kind);
    for (const view of detection.views) row.views.add(view);
    for (const grant of grantsFor(detection)) row.grants.add(grant);
    for (const [name, parameter] of Object.entries(detection.parameters)) row.parameters.set(name, parameter);
    for (const metric of detection.metrics) row.metrics.add(metric);
    if (detection.requires !== undefined) row.requires.add(detection.requires);
  }
  return [...rows.values()];
}

/** Cells may not contain a pipe or a newline in a Markdown table. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

export function renderDetectionTable(detections: readonly Detection[], docsPath = 'docs/detections.md'): string {
  const lines = [
    '| id | catalog | severity | what it catches | kind | views | grants | parameters (default) | metrics |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of rowsOf(detections)) {
    const parameters = [...row.parameters.entries()].map(([name, parameter]) => `${code(name)} (${formatDefault(parameter.default)})`);
    const views = [...row.views].map(code).join(', ') + (row.requires.size > 0 ? `; requires ${[...row.requires].join('; ')}` : '');
    const metrics = [...row.metrics].filter((metric) => metric !== 'snowflake_risk_findings_total');
    lines.push(
      '| ' +
        [
          `[${code(row.id)}](${docsPath}#${detectionAnchor(row.id)})`,
          row.catalog,
          row.severity,
          row.title,
          [...row.kinds].join(' + '),
          views,
          [...row.grants].sort().map(code).join(', ') || 'none',
          parameters.join(', ') || 'none',
          ['`snowflake_risk_findings_total`', ...metrics.map(code)].join(', '),
        ]
          .map(cell)
          .join(' | ') +
        ' |',
    );
  }
  return lines.join('\n');
}
