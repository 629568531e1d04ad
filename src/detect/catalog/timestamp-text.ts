// Timestamps that become text in a statement (part of an evidence id, a reason, an attribute) are written with an
// explicit format. TO_VARCHAR without one follows
// the session's TIMESTAMP_LTZ_OUTPUT_FORMAT, which an account or user may set
// (https://docs.snowflake.com/en/sql-reference/parameters#timestamp-ltz-output-format), so the same row would get
// another id on another account, or after someone changed the setting, and be delivered again.
//
// The exporter's sessions always run in UTC (the SQL API request sets TIMEZONE), so the offset is written as a literal:
// the text equals what Snowflake's default format ('YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM') gives in that session, which
// keeps the ids of accounts on the defaults unchanged.
const KEY_TIMESTAMP_FORMAT = 'YYYY-MM-DD HH24:MI:SS.FF3 "+0000"';

/** `expression` (a TIMESTAMP_LTZ) as the fixed text used inside evidence ids. */
export function timestampKeyText(expression: string): string {
  return `TO_VARCHAR(${expression}, '${KEY_TIMESTAMP_FORMAT}')`;
}

/** ISO 8601 in UTC with milliseconds, as JavaScript's Date#toISOString() writes it (the session time zone is UTC). */
const ISO_UTC_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.FF3"Z"';

/** `expression` (a TIMESTAMP_LTZ) as ISO 8601 UTC text, for reasons and attributes a person or a program reads. */
export function isoUtcText(expression: string): string {
  return `TO_VARCHAR(${expression}, '${ISO_UTC_FORMAT}')`;
}
