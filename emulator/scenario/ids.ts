// Row identifiers shaped like Snowflake's, built from the coordinates of the row (user, day, session, query) so that
// any slice of the data can be regenerated alone and ids never collide, with no global counter to replay.

const HEX = (value: number, width: number): string => value.toString(16).padStart(width, '0');

/** Normal activity owns groups 0x0000..0xEFFF (the persona index); scripted rows own 0xF000 and up. */
export const SCRIPTED_GROUP = 0xf000;
const MAX_NORMAL_GROUP = SCRIPTED_GROUP - 1;

/**
 * QUERY_ID `01xxxxxx-0000-gggg-0000-ssssssssssss`: the first block drifts with the hour like real ids do; the group
 * and 48-bit serial make it unique.
 */
export function queryId(time: Date, group: number, serial: number): string {
  const hours = Math.floor(time.getTime() / 3_600_000) & 0xffffff;
  return `01${HEX(hours, 6)}-0000-${HEX(group, 4)}-0000-${HEX(serial, 12)}`;
}

/** Serial of a normal query: day < 4096, session < 65536, query < 1,048,576 (checked by the caller's limits). */
export function normalQuerySerial(day: number, session: number, query: number): number {
  return day * 2 ** 36 + session * 2 ** 20 + query;
}

export function checkNormalGroup(personaIndex: number): number {
  if (personaIndex > MAX_NORMAL_GROUP) throw new RangeError(`too many users for the id plan (max ${MAX_NORMAL_GROUP})`);
  return personaIndex;
}

const NORMAL_LOGIN_BASE = 1_000_000_000_000;
const NORMAL_SESSION_BASE = 2_000_000_000_000;
const SCRIPTED_LOGIN_BASE = 9_000_000_000_000;
const SCRIPTED_SESSION_BASE = 8_000_000_000_000;

/** LOGIN_HISTORY.EVENT_ID of the k-th login of a persona on a day (k < 10,000, day < 1,000). */
export function normalLoginEventId(personaIndex: number, day: number, k: number): number {
  return NORMAL_LOGIN_BASE + personaIndex * 10_000_000 + day * 10_000 + k;
}

export function normalSessionId(personaIndex: number, day: number, k: number): number {
  return NORMAL_SESSION_BASE + personaIndex * 10_000_000 + day * 10_000 + k;
}

export function scriptedLoginEventId(serial: number): number {
  return SCRIPTED_LOGIN_BASE + serial;
}

export function scriptedSessionId(serial: number): number {
  return SCRIPTED_SESSION_BASE + serial;
}
