// The per-detection half of alerts/runbooks.md, generated: one section per detection at the anchor its definition
// names (`runbook`), with what it means from the catalog and the investigation SQL and response taken from
// docs/detections.md, which stays the one place where they are written. A finding alert links here by its
// `detection` label, so an on-call engineer lands on the SQL to run without reading the whole reference.
import { readFileSync } from 'node:fs';
import type { Detection } from '../../src/detect/types.ts';
import { detectionAnchor } from '../../src/detect/docs/catalog-table.ts';
import { CRITICAL_DETECTIONS } from './findings.ts';
import { allRules } from './render.ts';

export const DETECTION_DOCS_PATH = 'docs/detections.md';

export function readDetectionDocs(): string {
  return readFileSync(new URL(`../../${DETECTION_DOCS_PATH}`, import.meta.url), 'utf8');
}

export interface DetectionProcedure {
  /** The investigation text: prose and fenced SQL, as docs/detections.md writes it. */
  readonly investigate: string;
  readonly respond: string;
}

/** The `### <id>` section of docs/detections.md, up to the next heading of level 2 or 3. */
function sectionOf(docs: string, id: string): string | undefined {
  const lines = docs.split('\n');
  const start = lines.findIndex((line) => line.trim() === `### ${id}`);
  if (start < 0) return undefined;
  const end = lines.findIndex((line, index) => index > start && /^#{2,3} /.test(line));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/**
 * Two layouts exist in docs/detections.md: paragraphs (`Investigate: ...` then `Respond: ...`) and list items
 * (`- **Investigate**: ...` then `- **Respond**: ...`, continuation lines indented by two spaces).
 */
const MARKERS = {
  investigate: /^(?:- \*\*Investigate\*\*:|Investigate:)[ \t]*/m,
  respond: /^(?:- \*\*Respond\*\*:|Respond:)[ \t]*/m,
} as const;

function dedentListItem(text: string): string {
  return text
    .split('\n')
    .map((line) => (line.startsWith('  ') ? line.slice(2) : line))
    .join('\n')
    .trim();
}

/** Cuts text at the first line that starts a new list item (the next `- **Field**:` after Respond, if any). */
function untilNextItem(text: string): string {
  const next = /^- \*\*/m.exec(text);
  return next === null ? text : text.slice(0, next.index);
}

export function procedureOf(docs: string, id: string): DetectionProcedure | undefined {
  const section = sectionOf(docs, id);
  if (section === undefined) return undefined;
  const investigate = MARKERS.investigate.exec(section);
  const respond = MARKERS.respond.exec(section);
  if (investigate === null || respond === null || respond.index < investigate.index) return undefined;
  return {
    investigate: dedentListItem(section.slice(investigate.index + investigate[0].length, respond.index)),
    respond: dedentListItem(untilNextItem(section.slice(respond.index + respond[0].length))),
  };
}

/** docs/detections.md continues a sentence after "Investigate:"; standing alone, the text starts a sentence. */
function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Which alerts a finding of this detection fires: its own when it is one of the critical four, else by severity. */
function alertsText(detectionId: string): string {
  const link = (alert: string): string => `[${alert}](#${alert.toLowerCase()})`;
  const named = CRITICAL_DETECTIONS.find((entry) => entry.detection === detectionId);
  if (named !== undefined) return `Alert: ${link(named.alert)}.`;
  const bySeverity = allRules().filter((rule) => rule.labels?.finding_severity !== undefined);
  const listed = bySeverity.map((rule) => `${rule.labels?.finding_severity ?? ''} ${link(rule.alert)}`).join(', ');
  return `Alerts, by the finding's severity: ${listed}.`;
}

/** One section per detection id, in catalog order; a rule split over several kinds (SF-10) is one section. */
export function renderDetectionRunbooks(detections: readonly Detection[], docs: string): string {
  const seen = new Set<string>();
  const sections: string[] = [];
  for (const detection of detections) {
    if (seen.has(detection.id)) continue;
    seen.add(detection.id);
    const procedure = procedureOf(docs, detection.id);
    if (procedure === undefined) {
      throw new Error(`${DETECTION_DOCS_PATH} has no Investigate/Respond for ${detection.id}: write them there first`);
    }
    sections.push(
      [
        `<a id="${detection.runbook}"></a>`,
        '',
        `### ${detection.id}`,
        '',
        `**${detection.catalog} · ${detection.title} · severity ${detection.severity}.** ${detection.description}`,
        '',
        `${alertsText(detection.id)} Full condition, parameters and blind spots: [${DETECTION_DOCS_PATH}](../${DETECTION_DOCS_PATH}#${detectionAnchor(detection.id)}).`,
        '',
        '**Investigate in Snowflake.**',
        '',
        capitalised(procedure.investigate),
        '',
        '**Respond.**',
        '',
        capitalised(procedure.respond),
      ].join('\n'),
    );
  }
  return sections.join('\n\n');
}
