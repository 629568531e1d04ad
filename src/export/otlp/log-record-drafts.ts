// What each Snowflake event and finding becomes as an OpenTelemetry log record: its event name, times, severity,
// body and attributes. Pure mapping, no SDK: record-factory.ts turns a draft into an SDK record.
//
// Attributes follow the OpenTelemetry semantic conventions where one exists (db.*, user.name, client.address,
// error.type) and use the `snowflake.` prefix otherwise. Query text is taken as the event carries it: the account's
// text policy (full, truncated, literals redacted, or none) was applied when the row was read, and nothing else of
// the statement is exported. Values are bounded: strings are cut, finding facts are capped in number.
import { SeverityNumber, type Attributes } from '@opentelemetry/api';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_RESPONSE_STATUS_CODE,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
  ERROR_TYPE_VALUE_OTHER,
} from '@opentelemetry/semantic-conventions';
import { executionFailed } from '../../collect/execution-status.ts';
import type { Finding, GrantEvent, LoginEvent, QueryEvent, Severity, ShareEvent, SnowflakeEvent } from '../../collect/events.ts';
import { recordId, type RecordKind } from './record-id.ts';

/**
 * `user.name` is still "development" in the semantic conventions, so it lives in their incubating entry point, which
 * may change between minor versions; the conventions advise copying such names rather than importing them.
 */
export const ATTR_USER_NAME = 'user.name';
/** Snowflake is not in the registry's well-known list; the registry allows a custom value. */
export const DB_SYSTEM_NAME_SNOWFLAKE = 'snowflake';
export const ATTR_RECORD_ID = 'snowflake.record.id';

export const EVENT_NAMES: Readonly<Record<RecordKind, string>> = {
  query: 'snowflake.query',
  login: 'snowflake.login',
  share: 'snowflake.share',
  grant: 'snowflake.grant',
  finding: 'snowflake.finding',
};

/** A finding's severity as an OpenTelemetry severity number (the finding's own word is kept as severity text). */
export const FINDING_SEVERITY_NUMBERS: Readonly<Record<Severity, SeverityNumber>> = {
  info: SeverityNumber.INFO,
  low: SeverityNumber.WARN,
  medium: SeverityNumber.WARN3,
  high: SeverityNumber.ERROR,
  critical: SeverityNumber.FATAL,
};

/** Longest string kept in any attribute other than db.query.text (which the text policy bounds). */
export const MAX_ATTRIBUTE_TEXT = 1024;
/** Most extra facts of one finding exported as attributes. */
export const MAX_FINDING_FACTS = 32;

export interface LogRecordDraft {
  readonly kind: RecordKind;
  /** The account label: selects the resource. */
  readonly account: string;
  /** `snowflake.record.id`, also the sink's own dedupe key. */
  readonly recordId: string;
  readonly eventName: string;
  /** When it happened in Snowflake. */
  readonly timestamp: Date;
  /** When the exporter read it. */
  readonly observedTimestamp: Date;
  readonly severityNumber: SeverityNumber;
  readonly severityText?: string;
  readonly body?: string;
  readonly attributes: Attributes;
}

export function draftForEvent(event: SnowflakeEvent): LogRecordDraft {
  switch (event.kind) {
    case 'query':
      return base(event, queryAttributes(event), executionFailed(event.executionStatus));
    case 'login':
      return base(event, loginAttributes(event), !event.success);
    case 'share':
      return base(event, shareAttributes(event), !event.succeeded);
    case 'grant':
      return base(event, grantAttributes(event), false);
  }
}

export function draftForFinding(finding: Finding): LogRecordDraft {
  const attributes: Attributes = {
    [ATTR_RECORD_ID]: recordId(finding.account, 'finding', finding.id),
    [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_SNOWFLAKE,
    'snowflake.finding.id': finding.id,
    'snowflake.detection.id': finding.detectionId,
    'snowflake.finding.severity': finding.severity,
    'snowflake.evidence.ids': finding.evidenceIds.map(bounded),
  };
  put(attributes, ATTR_USER_NAME, finding.user);
  let facts = 0;
  for (const [key, value] of Object.entries(finding.attributes)) {
    if (facts >= MAX_FINDING_FACTS) break;
    const name = factName(key);
    if (name === undefined) continue;
    attributes[`snowflake.finding.attributes.${name}`] = typeof value === 'string' ? bounded(value) : value;
    facts++;
  }
  return {
    kind: 'finding',
    account: finding.account,
    recordId: String(attributes[ATTR_RECORD_ID]),
    eventName: EVENT_NAMES.finding,
    timestamp: finding.time,
    observedTimestamp: finding.observedAt,
    severityNumber: FINDING_SEVERITY_NUMBERS[finding.severity],
    severityText: finding.severity,
    body: bounded(finding.reason),
    attributes,
  };
}

/** Events are facts, not problems: INFO, or WARN for a failed login or statement (an outcome worth a look). */
function base(event: SnowflakeEvent, attributes: Attributes, failed: boolean): LogRecordDraft {
  const id = recordId(event.account, event.kind, event.id);
  return {
    kind: event.kind,
    account: event.account,
    recordId: id,
    eventName: EVENT_NAMES[event.kind],
    timestamp: event.time,
    observedTimestamp: event.observedAt,
    severityNumber: failed ? SeverityNumber.WARN : SeverityNumber.INFO,
    attributes: { [ATTR_RECORD_ID]: id, [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_SNOWFLAKE, ...attributes },
  };
}

function queryAttributes(event: QueryEvent): Attributes {
  const attributes: Attributes = { 'snowflake.query.id': event.queryId };
  // The text is exactly what the policy left (null when it dropped it): never anything else of the statement.
  if (event.queryText !== null) attributes[ATTR_DB_QUERY_TEXT] = event.queryText;
  put(attributes, ATTR_DB_OPERATION_NAME, event.queryType);
  if (event.database !== null) {
    // {database}|{schema}, most general first, as the conventions' PostgreSQL pattern.
    attributes[ATTR_DB_NAMESPACE] = bounded(event.schema === null ? event.database : `${event.database}|${event.schema}`);
  }
  put(attributes, ATTR_USER_NAME, event.user);
  if (executionFailed(event.executionStatus)) {
    attributes[ATTR_ERROR_TYPE] = bounded(event.errorCode ?? ERROR_TYPE_VALUE_OTHER);
  }
  put(attributes, ATTR_DB_RESPONSE_STATUS_CODE, event.errorCode);
  put(attributes, 'snowflake.role.name', event.role);
  put(attributes, 'snowflake.warehouse.name', event.warehouse);
  put(attributes, 'snowflake.query.execution_status', event.executionStatus);
  if (event.queryTag !== null && event.queryTag !== '') put(attributes, 'snowflake.query.tag', event.queryTag);
  put(attributes, 'snowflake.session.id', event.sessionId);
  put(attributes, 'snowflake.session.login_event_id', event.authnEventId);
  attributes['snowflake.query.start_time'] = event.startTime.toISOString();
  if (event.endTime !== null) {
    attributes['snowflake.query.end_time'] = event.endTime.toISOString();
    attributes['snowflake.query.duration_ms'] = Math.max(0, event.endTime.getTime() - event.startTime.getTime());
  }
  attributes['snowflake.query.bytes_scanned'] = event.bytesScanned;
  attributes['snowflake.query.bytes_written_to_result'] = event.bytesWrittenToResult;
  attributes['snowflake.query.rows_produced'] = event.rowsProduced;
  attributes['snowflake.query.rows_unloaded'] = event.rowsUnloaded;
  attributes['snowflake.query.outbound_transfer.bytes'] = event.outboundDataTransferBytes;
  put(attributes, 'snowflake.query.outbound_transfer.cloud', event.outboundDataTransferCloud);
  put(attributes, 'snowflake.query.outbound_transfer.region', event.outboundDataTransferRegion);
  return attributes;
}

function loginAttributes(event: LoginEvent): Attributes {
  const attributes: Attributes = { 'snowflake.login.event_id': event.eventId, 'snowflake.login.success': event.success };
  put(attributes, ATTR_USER_NAME, event.user);
  put(attributes, ATTR_CLIENT_ADDRESS, event.clientIp);
  if (!event.success) attributes[ATTR_ERROR_TYPE] = bounded(event.errorCode ?? ERROR_TYPE_VALUE_OTHER);
  put(attributes, 'snowflake.client.type', event.reportedClientType);
  put(attributes, 'snowflake.client.version', event.reportedClientVersion);
  put(attributes, 'snowflake.login.first_authentication_factor', event.firstAuthenticationFactor);
  put(attributes, 'snowflake.login.second_authentication_factor', event.secondAuthenticationFactor);
  put(attributes, 'snowflake.login.error_code', event.errorCode);
  put(attributes, 'snowflake.login.error_message', event.errorMessage);
  return attributes;
}

function shareAttributes(event: ShareEvent): Attributes {
  const attributes: Attributes = {
    'snowflake.share.action': event.action,
    'snowflake.share.consumer_accounts': event.consumerAccounts.map(bounded),
    'snowflake.change.origin': event.origin,
    'snowflake.change.succeeded': event.succeeded,
  };
  put(attributes, 'snowflake.share.name', event.shareName);
  put(attributes, ATTR_USER_NAME, event.user);
  if (!event.succeeded) attributes[ATTR_ERROR_TYPE] = ERROR_TYPE_VALUE_OTHER;
  put(attributes, 'snowflake.privilege', event.privilege);
  put(attributes, 'snowflake.granted_on', event.grantedOn);
  put(attributes, 'snowflake.object.name', event.objectName);
  put(attributes, 'snowflake.query.id', event.queryId);
  return attributes;
}

function grantAttributes(event: GrantEvent): Attributes {
  const attributes: Attributes = {
    'snowflake.grant.action': event.action,
    'snowflake.grantee.type': event.granteeType,
    'snowflake.grantee.name': bounded(event.granteeName),
    'snowflake.change.origin': event.origin,
  };
  // The user the change is about, when the grantee is one.
  if (event.granteeType.toUpperCase() === 'USER') put(attributes, ATTR_USER_NAME, event.granteeName);
  put(attributes, 'snowflake.role.name', event.role);
  put(attributes, 'snowflake.privilege', event.privilege);
  put(attributes, 'snowflake.granted_on', event.grantedOn);
  put(attributes, 'snowflake.object.name', event.objectName);
  put(attributes, 'snowflake.grant.granted_by', event.grantedBy);
  return attributes;
}

function put(attributes: Attributes, key: string, value: string | null | undefined): void {
  if (value !== null && value !== undefined && value !== '') attributes[key] = bounded(value);
}

function bounded(value: string): string {
  return value.length <= MAX_ATTRIBUTE_TEXT ? value : `${value.slice(0, MAX_ATTRIBUTE_TEXT)}…`;
}

/** `clientIp` -> `client_ip`; anything outside [a-z0-9_] dropped; undefined when nothing is left. */
function factName(key: string): string | undefined {
  const name = key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64);
  return name === '' ? undefined : name;
}
