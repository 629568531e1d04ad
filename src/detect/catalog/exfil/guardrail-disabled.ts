// SF-10: an exfiltration guardrail switched off. PREVENT_UNLOAD_TO_INLINE_URL and REQUIRE_STORAGE_INTEGRATION_FOR_
// STAGE_CREATION / _OPERATION stop data being written to places the account does not control; turning one off is the
// step before an external unload. Two rules share the id (the registry allows one definition per kind):
//  - the change, an event rule on the ALTER ACCOUNT statement (who did it, when: QUERY_ID as evidence). UNSET counts
//    too: it restores the default, which is FALSE for every one of these;
//  - the state, a posture rule on SHOW PARAMETERS IN ACCOUNT (one finding per parameter not in its safe state, the
//    parameter name as evidence), which also catches a guardrail that was never on.
import type { PostureData } from '../../../collect/posture.ts';
import type { QueryEvent } from '../../../collect/events.ts';
import type { EventDetection, FindingDraft, ParameterValues, PostureDetection } from '../../types.ts';
import { stringListParameter } from '../mfa/parameters.ts';
import { stripSqlComments, succeeded } from './sql-text.ts';

/**
 * The guardrails watched by default: the three the Trust Center sensitive-parameter scanner and CIS section 4 name.
 * PREVENT_UNLOAD_TO_INTERNAL_STAGES (also in the parameters snapshot and its gauge) is opt-in hardening that most
 * accounts leave off because their pipelines unload to internal stages; add it to `guardrails` to watch it too.
 */
export const DEFAULT_WATCHED_GUARDRAILS: readonly string[] = [
  'PREVENT_UNLOAD_TO_INLINE_URL',
  'REQUIRE_STORAGE_INTEGRATION_FOR_STAGE_CREATION',
  'REQUIRE_STORAGE_INTEGRATION_FOR_STAGE_OPERATION',
];

const FALSE_VALUE = String.raw`(?:FALSE|'FALSE'|"FALSE"|0|'0'|OFF|'OFF'|NO|'NO')`;

/** The guardrail parameters an ALTER ACCOUNT statement turns off (set to false, or unset back to the false default). */
export function guardrailsTurnedOff(queryText: string | null, parameters: readonly string[] = DEFAULT_WATCHED_GUARDRAILS): string[] {
  if (queryText === null) return [];
  const text = stripSqlComments(queryText);
  const statement = /^\s*ALTER\s+ACCOUNT\b([\s\S]*)$/i.exec(text);
  if (statement === null) return [];
  const body = statement[1] ?? '';
  const unset = /\bUNSET\b([\s\S]*)$/i.exec(body);
  const off: string[] = [];
  for (const name of parameters) {
    const setFalse = new RegExp(String.raw`\b${name}\s*=\s*${FALSE_VALUE}(?![A-Za-z0-9_])`, 'i');
    const unsetIt = unset !== null && new RegExp(String.raw`\b${name}\b`, 'i').test(unset[1] ?? '');
    if (setFalse.test(body) || unsetIt) off.push(name.toUpperCase());
  }
  return off;
}

const SHARED = {
  id: 'exfil.guardrail_disabled',
  catalog: 'SF-10',
  title: 'Exfiltration guardrail parameter disabled',
  severity: 'high',
  family: 'exfil',
  parameters: {
    guardrails: { description: 'Account parameters that must stay TRUE.', default: DEFAULT_WATCHED_GUARDRAILS },
  },
  metrics: ['snowflake_risk_findings_total', 'snowflake_risk_guardrail_parameter_safe'],
  runbook: 'exfil-guardrail_disabled',
} as const;

function guardrails(parameters: ParameterValues): string[] {
  return stringListParameter(parameters, 'guardrails', DEFAULT_WATCHED_GUARDRAILS).map((name) => name.toUpperCase()).filter((name) => /^[A-Z0-9_]+$/.test(name));
}

export const guardrailDisabledChange: EventDetection<QueryEvent> = {
  ...SHARED,
  kind: 'event',
  eventKind: 'query',
  views: ['QUERY_HISTORY'],
  description:
    'A successful ALTER ACCOUNT that sets PREVENT_UNLOAD_TO_INLINE_URL, REQUIRE_STORAGE_INTEGRATION_FOR_STAGE_CREATION, ' +
    'or REQUIRE_STORAGE_INTEGRATION_FOR_STAGE_OPERATION (the `guardrails` parameter) to FALSE or UNSETs it ' +
    '(the default is FALSE), in any letter case, over several lines, comments ignored. Setting one to TRUE is not ' +
    'reported. Evidence = the QUERY_ID; the posture rule of the same id reports the resulting state.',
  match(event: QueryEvent, parameters: ParameterValues): FindingDraft | null {
    // The text must start with ALTER ACCOUNT (after comments), which is stricter than any QUERY_TYPE value.
    if (!succeeded(event.executionStatus)) return null;
    const off = guardrailsTurnedOff(event.queryText, guardrails(parameters));
    if (off.length === 0) return null;
    return {
      user: event.user,
      time: event.endTime ?? event.startTime,
      evidenceIds: [event.queryId],
      reason: `ALTER ACCOUNT turned off ${off.join(', ')}`,
      attributes: { parameter: off.join(','), ...(event.role === null ? {} : { role: event.role }) },
    };
  },
};

export const guardrailDisabledState: PostureDetection = {
  ...SHARED,
  kind: 'posture',
  postureKind: 'parameters',
  views: ['SHOW PARAMETERS IN ACCOUNT'],
  description:
    'Each monitored guardrail parameter that SHOW PARAMETERS IN ACCOUNT reports in its unsafe state (anything but ' +
    'TRUE). One finding per parameter, evidence = the parameter name, no user (the change rule names who did it).',
  evaluate(posture: PostureData, parameters: ParameterValues): readonly FindingDraft[] {
    if (posture.kind !== 'parameters') return [];
    const watched = new Set(guardrails(parameters));
    return posture.parameters
      .filter((parameter) => !parameter.safe && watched.has(parameter.name.toUpperCase()))
      .map((parameter) => ({
        user: null,
        // A posture rule sees the state, not the moment it changed (the change rule has that): report when it was seen.
        time: new Date(),
        evidenceIds: [parameter.name.toUpperCase()],
        reason: `Account parameter ${parameter.name.toUpperCase()} is ${parameter.value === '' ? 'unset' : parameter.value} (should be TRUE)`,
        attributes: { parameter: parameter.name.toUpperCase(), value: parameter.value },
      }));
  },
};
