// Conformance: every copied recording's request is replayed against the emulator and the answer compared with the
// real one: status, Content-Type, Vary, Link layout, Content-Encoding, and the body field by field (keys and their
// order, codes, sqlState, messages, rowType entries, value encodings, partitionInfo), plus the byte layout of the
// body with ids, times and sizes masked. Values that depend on the moment or on random data are compared by shape.
//
// The real DuckDB engine (emulator/engine) answers everything except INSERT/MERGE (091, 094): the emulated account
// is read-only by design, so those two replay against a stand-in engine returning the recorded DML result, which
// still checks the protocol layer's part (envelope, stats member). Every remaining difference is listed with its
// reason: protocol-layer deviations in `accepted` (required to occur, so the list stays true) and engine gaps in
// `engineGaps` (allowed; the engine is built separately and may close them).
//
// 079 (a schema the role cannot read) replays against a third emulator whose role holds only its warehouse, as
// dbimp's role held no SNOWFLAKE grant.
//
// Status when written: all 29 replayed recordings match apart from the listed deviations. Protocol layer: the
// uncompressedSize of 018/077 (the wrapper bytes, see emulator/server/README.md), the growth of 055's later
// partitions, and 058's Content-Encoding (the recorder's client had removed it).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { startEmulator, type RunningEmulator } from '../../../emulator/index.ts';
import { CannedEngine, makeKeyPair, signJwt, type KeyPair } from '../server/helpers.ts';
import { compareJson, linkSummary, loadRecording, skeleton, type CompareOptions, type Recording } from './compare.ts';

const ACCOUNT = 'DBIMP-ACCOUNT';
const USER = 'DBIMP';
// The recordings name the role `<role>` (redacted by the recorder); the emulator grants a role of that very name,
// which as an identifier has to be quoted (the emulator's users are configured as in SQL).
const ROLE = '"<role>"';

// The engine cannot hold dbimp's table, so 023/026 select the same values as literals. GEOGRAPHY/GEOMETRY are not
// emulated: those two columns are removed from the recorded answer before comparing. NUMBER, FLOAT, VARCHAR, BINARY,
// BOOLEAN, DATE, TIME, TIMESTAMP_*, VARIANT, OBJECT and ARRAY remain.
const EVERY_TYPE =
  "SELECT 12345678901234567890123456789012345678::NUMBER(38,0) AS i, 12345678.91::NUMBER(10,2) AS n, 1.5::FLOAT AS f, 'héllo'::VARCHAR AS s, " +
  "'DEADBEEF'::BINARY AS b, TRUE AS bo, '2026-10-09'::DATE AS d, '12:34:56.123456789'::TIME AS tm, '2026-10-09 12:34:56.123456789'::TIMESTAMP_NTZ AS tn, " +
  "'2026-10-09 12:34:56.123456789 +0700'::TIMESTAMP_LTZ AS tl, '2026-10-09 12:34:56.123456789 +0700'::TIMESTAMP_TZ AS tz, PARSE_JSON('{\"a\":1}') AS v, " +
  "OBJECT_CONSTRUCT('k','v') AS o, ARRAY_CONSTRUCT(1,'x',NULL) AS a";
const EVERY_TYPE_NULLS =
  'SELECT NULL::NUMBER(38,0), NULL::NUMBER(10,2), NULL::FLOAT, NULL::VARCHAR, NULL::BINARY, NULL::BOOLEAN, NULL::DATE, NULL::TIME, NULL::TIMESTAMP_NTZ, ' +
  'NULL::TIMESTAMP_LTZ, NULL::TIMESTAMP_TZ, NULL::VARIANT, NULL::OBJECT, NULL::ARRAY';

// GENERATOR/SEQ4 are refused by the engine (no faithful DuckDB equivalent), so 055's 20,000 rows are loaded into
// QUERY_HISTORY (QUERY_ID = a UUID, ROWS_PRODUCED = 0..19999) and selected with the recording's column names.
const TWENTY_THOUSAND = 'SELECT rows_produced AS n, query_id AS u FROM snowflake.account_usage.query_history ORDER BY rows_produced';

const drop = (body: Record<string, unknown>, columns: number): Record<string, unknown> => {
  const meta = body.resultSetMetaData as { rowType: unknown[] };
  meta.rowType = meta.rowType.slice(0, -columns);
  body.data = (body.data as unknown[][]).map((row) => row.slice(0, -columns));
  return body;
};

// Engine typing of computed columns: DuckDB does not carry Snowflake's literal precision/length, nullability of
// constants, or the table a column came from.
const COMPUTED = (prefix: string, names: string[]): string[] =>
  names.flatMap((n) => [`${prefix}${n}.database`, `${prefix}${n}.schema`, `${prefix}${n}.table`]);

interface Case {
  id: string;
  name: string;
  /** 'restricted': the real engine where the role holds its warehouse and no SNOWFLAKE grant (as dbimp's role). */
  engine: 'real' | 'stand-in' | 'restricted';
  /** Replacement statement (why: see the constants above). */
  statement?: string;
  transformRecorded?: (body: Record<string, unknown>) => Record<string, unknown>;
  /** Poll the handle until it is no longer 202 before replaying (077: "6 s later"). */
  waitForHandleOf?: string;
  compare?: CompareOptions;
  /** Compare the masked byte layout too (rowType block excepted: real answers use two key orders). */
  bytes?: boolean;
  /**
   * Accepted protocol-layer differences (prefixes of the lines compareJson and the header checks produce), each
   * explained. These must occur: one that stops occurring fails the test, so the list stays true.
   */
  accepted?: string[];
  /**
   * Known engine gaps (emulator/engine, worked on separately): allowed, reported in the summary when they occur,
   * and not required, so that engine improvements do not fail this test.
   */
  engineGaps?: string[];
}

const CASES: Case[] = [
  {
    id: '018',
    name: 'a statement',
    engine: 'real',
    bytes: true,
    compare: { exactSizes: true },
    accepted: [
      // uncompressedSize: 8 of 10 recordings count the `{"data":[...]}` wrapper (11 bytes); 018 and 077 do not.
      '$.resultSetMetaData.partitionInfo[0].uncompressedSize',
    ],
    engineGaps: [
      // DuckDB types literals with their default precision/length and as nullable.
      '$.resultSetMetaData.rowType[0].nullable',
      '$.resultSetMetaData.rowType[0].precision',
      '$.resultSetMetaData.rowType[1].byteLength',
      '$.resultSetMetaData.rowType[1].nullable',
      '$.resultSetMetaData.rowType[1].length',
    ],
  },
  {
    id: '023',
    name: 'columns of a result with no rows',
    engine: 'real',
    statement: `${EVERY_TYPE} WHERE 1 = 0`,
    transformRecorded: (body) => drop(body, 2),
    engineGaps: [
      // Literals instead of dbimp's table: no database/schema/table on the columns.
      ...COMPUTED('$.resultSetMetaData.rowType', Array.from({ length: 14 }, (_, i) => `[${i}]`)),
      // VARCHAR/BINARY casts keep the maximum length; TIMESTAMP_TZ is reported as timestamp_ltz (DuckDB keeps no
      // per-value offset); OBJECT/ARRAY may be typed variant.
      '$.resultSetMetaData.rowType[3].byteLength',
      '$.resultSetMetaData.rowType[10].type',
      '$.resultSetMetaData.rowType[12].type',
      '$.resultSetMetaData.rowType[13].type',
    ],
  },
  {
    id: '026',
    name: 'every type, a row of values and a row of NULLs',
    engine: 'real',
    statement: `${EVERY_TYPE} UNION ALL ${EVERY_TYPE_NULLS} ORDER BY i NULLS LAST`,
    transformRecorded: (body) => drop(body, 2),
    engineGaps: [
      ...COMPUTED('$.resultSetMetaData.rowType', Array.from({ length: 14 }, (_, i) => `[${i}]`)),
      '$.resultSetMetaData.rowType[3].byteLength',
      '$.resultSetMetaData.rowType[10].type',
      '$.resultSetMetaData.rowType[12].type',
      '$.resultSetMetaData.rowType[13].type',
      // DuckDB keeps microseconds, so TIME/TIMESTAMP text ends in 000 instead of 789; TIMESTAMP_TZ loses its
      // offset (no " 1860" suffix).
      '$.data[0][7]',
      '$.data[0][8]',
      '$.data[0][9]',
      '$.data[0][10]',
    ],
  },
  {
    id: '030',
    name: 'float special values',
    engine: 'real',
    bytes: true,
    compare: { exactSizes: true },
    engineGaps: ['$.resultSetMetaData.rowType[0].nullable', '$.resultSetMetaData.rowType[1].nullable', '$.resultSetMetaData.rowType[2].nullable'],
  },
  { id: '034', name: 'VARIANT of each kind', engine: 'real', bytes: true, compare: { exactSizes: true } },
  {
    id: '055',
    name: 'a result of 20000 rows',
    engine: 'real',
    statement: TWENTY_THOUSAND,
    compare: { shapeOnly: ['data'] },
    accepted: [
      // Partitioning: the first partition matches (2063 rows, ~100 KB); later ones double, where the real service
      // grew by 2.27x and 2.01x.
      '$.resultSetMetaData.partitionInfo[1].rowCount',
      '$.resultSetMetaData.partitionInfo[2].rowCount',
      '$.resultSetMetaData.partitionInfo[3].rowCount',
    ],
    engineGaps: [
      // QUERY_HISTORY columns are NUMBER(38,0) and VARCHAR, where SEQ4() is NUMBER(10,0) and UUID_STRING()
      // VARCHAR(36); view columns are nullable.
      '$.resultSetMetaData.rowType[0].nullable',
      '$.resultSetMetaData.rowType[0].precision',
      '$.resultSetMetaData.rowType[1].byteLength',
      '$.resultSetMetaData.rowType[1].nullable',
      '$.resultSetMetaData.rowType[1].length',
    ],
  },
  {
    id: '058',
    name: 'the last partition of 055 (gzip)',
    engine: 'real',
    compare: { shapeOnly: ['data'] },
    accepted: [
      // The recording was made by a Go client that decompresses transparently and drops Content-Encoding; the
      // emulator sends the gzip the docs describe, and the test decodes it before comparing.
      'header content-encoding',
    ],
  },
  { id: '059', name: 'partition out of range', engine: 'real', bytes: true },
  { id: '062', name: 'syntax error', engine: 'real', bytes: true },
  {
    id: '063',
    name: 'missing table',
    engine: 'real',
    engineGaps: [
      // The real message goes on "Your primary role <role> or one of your secondary roles must have at least
      // one privilege granted on TABLE DBIMP_IT_NOSUCH."; the engine stops after "not authorized.".
      '$.message',
    ],
  },
  { id: '067', name: 'statement timeout', engine: 'real', bytes: true },
  { id: '068', name: 'no statement', engine: 'real', bytes: true },
  { id: '069', name: 'unknown handle', engine: 'real', bytes: true },
  { id: '071', name: 'async submit', engine: 'real', bytes: true },
  { id: '072', name: 'GET while running', engine: 'real', bytes: true },
  { id: '073', name: 'cancel', engine: 'real', bytes: true },
  { id: '074', name: 'GET after cancel', engine: 'real', bytes: true },
  { id: '076', name: 'async submit of a 3 s wait', engine: 'real', bytes: true },
  {
    id: '077',
    name: 'GET after it finished',
    engine: 'real',
    waitForHandleOf: '076',
    bytes: true,
    compare: { exactSizes: true },
    accepted: ['$.resultSetMetaData.partitionInfo[0].uncompressedSize'],
    engineGaps: ['$.resultSetMetaData.rowType[0].nullable', '$.resultSetMetaData.rowType[0].byteLength', '$.resultSetMetaData.rowType[0].length'],
  },
  { id: '078', name: 'wrong JWT', engine: 'real', bytes: true },
  { id: '079', name: 'a schema the role cannot read', engine: 'restricted', bytes: true },
  { id: '081', name: 'role not granted', engine: 'real', bytes: true },
  // A database that does not exist leaves the session without one; SELECT 1 needs none and succeeds.
  {
    id: '083',
    name: 'a database that does not exist',
    engine: 'real',
    bytes: true,
    compare: { exactSizes: true },
    // As 018: this recording's uncompressedSize leaves the wrapper out; DuckDB types the literal as nullable.
    accepted: ['$.resultSetMetaData.partitionInfo[0].uncompressedSize'],
    engineGaps: ['$.resultSetMetaData.rowType[0].nullable'],
  },
  { id: '086', name: 'two statements without MULTI_STATEMENT_COUNT', engine: 'real', bytes: true },
  { id: '087', name: 'two statements with MULTI_STATEMENT_COUNT 2', engine: 'real', bytes: true, compare: { exactSizes: true } },
  { id: '088', name: 'GET of the multi-statement parent', engine: 'real', bytes: true, compare: { exactSizes: true } },
  { id: '091', name: 'INSERT (stand-in engine)', engine: 'stand-in', bytes: true, compare: { exactSizes: true } },
  {
    id: '094',
    name: 'MERGE (stand-in engine)',
    engine: 'stand-in',
    bytes: true,
    compare: { exactSizes: true },
  },
  { id: '099', name: 'BEGIN alone', engine: 'real', bytes: true },
  { id: '111', name: 'wrong Content-Type', engine: 'real', bytes: true },
];

/** The stand-in answers for the two DML recordings, exactly as recorded (the protocol layer is what is checked). */
class DmlStandIn extends CannedEngine {
  override async execute(request: Parameters<CannedEngine['execute']>[0]) {
    const merge = /^MERGE/i.test(request.statement);
    if (!merge) return super.execute(request);
    this.executions.push(request);
    const { ArrayResult, column } = await import('../server/helpers.ts');
    return new ArrayResult([column('number of rows updated', 'fixed', { precision: 19, scale: 0 })], [['1']], {
      numRowsInserted: 0,
      numRowsDeleted: 0,
      numRowsUpdated: 1,
      numDmlDuplicates: 0,
    });
  }
}

const ROW_TYPE_BLOCK = /"rowType" : \[[\s\S]*?\} \]/;

describe('conformance with the recorded Snowflake answers', () => {
  let real: RunningEmulator;
  let standIn: RunningEmulator<DmlStandIn>;
  let restricted: RunningEmulator;
  let keys: KeyPair;
  const handles = new Map<string, string>();
  const summary: string[] = [];

  before(async () => {
    keys = makeKeyPair();
    const users = [{ name: USER, roles: [ROLE], defaultRole: ROLE, rsaPublicKeys: [keys.publicKeyPem] }];
    real = await startEmulator({
      account: ACCOUNT,
      users,
      engineOptions: { warehouses: { DBMETA_WH: { size: 'X-Small', autoSuspendSeconds: 60 } } },
    });
    // 055's rows: visible once the virtual clock is past QUERY_HISTORY's 45 min latency.
    const end = new Date(real.engine.clock.now().getTime() - 86_400_000);
    await real.engine.insertRows(
      'QUERY_HISTORY',
      Array.from({ length: 20_000 }, (_, i) => ({ QUERY_ID: randomUUID(), ROWS_PRODUCED: i, START_TIME: end, END_TIME: end, QUERY_TEXT: 'x' })),
    );
    standIn = await startEmulator<DmlStandIn>({ engine: new DmlStandIn(), account: ACCOUNT, users });
    restricted = await startEmulator({
      account: ACCOUNT,
      users,
      engineOptions: { warehouses: { DBMETA_WH: { size: 'X-Small', autoSuspendSeconds: 60 } }, grants: { [ROLE]: ['USAGE ON WAREHOUSE DBMETA_WH'] } },
    });
  });

  after(async () => {
    await real.close();
    await standIn.close();
    await restricted.close();
    console.log(`conformance summary:\n${summary.join('\n')}`);
  });

  for (const testCase of CASES) {
    test(`REC#${testCase.id} ${testCase.name}`, async () => {
      const recording = loadRecording(testCase.id);
      const emulator: { url: URL } = testCase.engine === 'real' ? real : testCase.engine === 'restricted' ? restricted : standIn;
      if (testCase.waitForHandleOf !== undefined) {
        const previous = loadRecording(testCase.waitForHandleOf);
        const recordedHandle = (JSON.parse(previous.response.body) as { statementHandle: string }).statementHandle;
        await waitUntilDone(emulator, handles.get(recordedHandle) ?? '', await signJwt(keys, { account: ACCOUNT, user: USER }));
      }
      const reply = await replay(emulator, recording, testCase);
      const differences = compareReply(recording, reply, testCase);
      const accepted = testCase.accepted ?? [];
      const gaps = testCase.engineGaps ?? [];
      const unexpected = differences.filter((line) => ![...accepted, ...gaps].some((prefix) => line.startsWith(prefix)));
      const unused = accepted.filter((prefix) => !differences.some((line) => line.startsWith(prefix)));
      const engineDiffs = differences.filter((line) => gaps.some((prefix) => line.startsWith(prefix)));
      summary.push(
        `REC#${testCase.id}: ${unexpected.length === 0 ? 'matches' : 'DIFFERS'}` +
          `${accepted.length > 0 ? `, ${accepted.length} accepted protocol deviation(s)` : ''}` +
          `${engineDiffs.length > 0 ? `, ${engineDiffs.length} engine gap(s)` : ''}`,
      );
      assert.deepEqual(unexpected, [], 'unexpected differences');
      assert.deepEqual(unused, [], 'accepted deviations that no longer occur: remove them from the list');
    });
  }

  async function replay(emulator: { url: URL }, recording: Recording, testCase: Case): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
    let path = recording.request.path;
    for (const [recorded, ours] of handles) path = path.replace(recorded, ours);
    const query = recording.request.query === undefined ? '' : `?${recording.request.query}`;
    const headers: Record<string, string | string[]> = {};
    for (const [name, values] of Object.entries(recording.request.header)) {
      if (name === 'Authorization') continue;
      headers[name] = values.length === 1 ? (values[0] ?? '') : values;
    }
    const wrongKey = testCase.id === '078' ? makeKeyPair().privateKey : undefined;
    headers.Authorization = `Bearer ${await signJwt(keys, { account: ACCOUNT, user: USER, ...(wrongKey === undefined ? {} : { signWith: wrongKey }) })}`;
    let body = recording.request.body;
    if (body !== undefined && testCase.statement !== undefined) body = JSON.stringify({ ...(JSON.parse(body) as object), statement: testCase.statement });
    const base = emulator.url.toString().replace(/\/$/, '');
    const response = await request(`${base}${path}${query}`, { method: recording.request.method as 'GET', headers, body });
    let buffer = Buffer.from(await response.body.arrayBuffer());
    if (response.headers['content-encoding'] === 'gzip') buffer = gunzipSync(buffer);
    const text = buffer.toString('utf8');
    try {
      const recordedHandle = JSON.parse(recording.response.body) as { statementHandle?: string; statementHandles?: string[] };
      const ours = JSON.parse(text) as { statementHandle?: string; statementHandles?: string[] };
      if (typeof recordedHandle.statementHandle === 'string' && typeof ours.statementHandle === 'string') handles.set(recordedHandle.statementHandle, ours.statementHandle);
      recordedHandle.statementHandles?.forEach((h, i) => {
        const mine = ours.statementHandles?.[i];
        if (mine !== undefined) handles.set(h, mine);
      });
    } catch {
      // not JSON on one side: compared below
    }
    return { status: response.statusCode, headers: response.headers, text };
  }
});

async function waitUntilDone(emulator: { url: URL }, handle: string, jwt: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const reply = await request(`${emulator.url.toString()}api/v2/statements/${handle}`, { headers: { Authorization: `Bearer ${jwt}` } });
    await reply.body.dump();
    if (reply.statusCode !== 202) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function header(headers: Record<string, string[]>, name: string): string | undefined {
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
  return entry?.[1][0];
}

function compareReply(recording: Recording, reply: { status: number; headers: Record<string, string | string[] | undefined>; text: string }, testCase: Case): string[] {
  const out: string[] = [];
  if (reply.status !== recording.response.status) out.push(`status ${reply.status}, recorded ${recording.response.status}`);
  const recorded = recording.response.header;
  for (const name of ['content-type', 'vary']) {
    const want = header(recorded, name);
    const got = reply.headers[name];
    if (want !== got) out.push(`header ${name}: ${String(got)}, recorded ${String(want)}`);
  }
  if ((header(recorded, 'content-encoding') ?? null) !== (reply.headers['content-encoding'] ?? null)) {
    out.push(`header content-encoding: ${String(reply.headers['content-encoding'])}, recorded ${String(header(recorded, 'content-encoding'))}`);
  }
  let ours: unknown;
  let theirs: unknown;
  try {
    theirs = JSON.parse(recording.response.body);
    ours = JSON.parse(reply.text);
  } catch {
    if (reply.text !== recording.response.body) out.push('body text differs');
    return out;
  }
  const handle = (ours as { statementHandle?: string }).statementHandle ?? '';
  const recordedLink = linkSummary(header(recorded, 'link'), '');
  const ourLink = linkSummary(typeof reply.headers.link === 'string' ? reply.headers.link : undefined, testCase.id === '058' ? '' : handle);
  if (recordedLink.join() !== ourLink.join()) out.push(`header link: ${ourLink.join()}, recorded ${recordedLink.join()}`);
  if (testCase.transformRecorded !== undefined) theirs = testCase.transformRecorded(theirs as Record<string, unknown>);
  out.push(...compareJson(theirs, ours, testCase.compare));
  if (testCase.id === '058' || testCase.id === '055') out.push(...checkUuidRows(ours as { data: unknown }, testCase.id === '058' ? 19_999 : undefined));
  if (testCase.bytes === true && testCase.transformRecorded === undefined) {
    const mask = (text: string): string => skeleton(text).replace(ROW_TYPE_BLOCK, '"rowType" : <rowType>');
    if (mask(reply.text) !== mask(recording.response.body)) out.push('bytes: masked body layout differs');
  }
  return out;
}

/** 055/058 data: rows `["<n>","<uuid>"]` numbered without a gap (the last partition ends at row 19999). */
function checkUuidRows(body: { data: unknown }, lastRow: number | undefined): string[] {
  const rows = body.data as [string, string][];
  const first = Number(rows[0]?.[0]);
  const ok = rows.every((row, index) => row.length === 2 && row[0] === String(first + index) && /^[0-9a-f-]{36}$/.test(row[1]));
  const out = ok ? [] : ['rows: not numbered UUID rows'];
  if (lastRow !== undefined && rows.at(-1)?.[0] !== String(lastRow)) out.push(`rows: last row ${String(rows.at(-1)?.[0])}, expected ${lastRow}`);
  return out;
}
