// The import reads values and files the way Snowflake exports them: every documented column of every view in the
// unload form, the timestamp, number and JSON forms of the export and of the Snowflake CLI's JSON output, gzip part
// files and per-view directories, and every problem of an import reported at once.
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { EmulatorEngine } from '../../../emulator/engine/index.ts';
import { toColumnValue } from '../../../emulator/engine/insert.ts';
import { createReplayEngine, exportScenarioAsUnload, importJsonlDirectory, ImportError, PROBLEMS_SHOWN_PER_FILE, readRecords, renderUnloadRow, type ImportSink } from '../../../emulator/import/index.ts';
import { convertValue } from '../../../emulator/import/values.ts';
import { generateScenario, SCENARIO_VIEWS } from '../../../emulator/scenario/index.ts';
import { findView, VIEWS, type ViewColumn, type ViewColumnType, type ViewDefinition } from '../../../emulator/schema.ts';

const temp = await mkdtemp(join(tmpdir(), 'emulator-unload-'));
after(async () => {
  await rm(temp, { recursive: true, force: true });
});

let dirCounter = 0;
async function dirWith(files: Record<string, string | Buffer>): Promise<string> {
  const dir = join(temp, `case-${++dirCounter}`);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

function recordingSink(): ImportSink & { inserted: Map<string, Record<string, unknown>[]> } {
  const inserted = new Map<string, Record<string, unknown>[]>();
  return {
    inserted,
    async insertRows(view, rows) {
      const list: Record<string, unknown>[] = [];
      for await (const row of rows) list.push(row);
      inserted.set(view, list);
      return list.length;
    },
    setParameter() {},
  };
}

async function sql(engine: EmulatorEngine, statement: string): Promise<(string | null)[][]> {
  const result = await engine.execute({ statement, user: 'DEMO', role: 'RISK_EXPORTER', warehouse: 'COMPUTE_WH', parameters: { TIMEZONE: 'UTC' }, signal: new AbortController().signal });
  try {
    return await result.readRows(0, 10_000);
  } finally {
    await result.release();
  }
}

const keyOfView = (view: ViewDefinition): string => (view.schema === 'ACCOUNT_USAGE' ? view.name : `${view.schema}.${view.name}`);

/** The first documented column of `type`, and its view. */
function columnOfType(type: ViewColumnType): [ViewDefinition, ViewColumn] {
  for (const view of VIEWS) {
    const column = view.columns.find((c) => c.type === type);
    if (column !== undefined) return [view, column];
  }
  throw new Error(`no view documents a ${type} column`);
}

/** A value of every documented type, as a generator would hold it, and what the engine must return for it. */
function sample(type: ViewColumnType, index: number): { generated: unknown; wire: string } {
  switch (type) {
    case 'NUMBER': {
      const n = 9_007_199_254_740_993n + BigInt(index); // beyond 2^53: a double would round it
      return { generated: n, wire: n.toString() };
    }
    case 'FLOAT':
      return { generated: 1.5 + index, wire: String(1.5 + index) };
    case 'TEXT':
      return { generated: `text ${index}`, wire: `text ${index}` };
    case 'BOOLEAN':
      return { generated: index % 2 === 0, wire: String(index % 2 === 0) };
    case 'TIMESTAMP_LTZ':
      // Rendered in the export's session zone (Pacific, -0800 in November), read back as the same instant.
      return { generated: `2026-11-20T16:15:${String(index % 60).padStart(2, '0')}.123Z`, wire: `${Date.UTC(2026, 10, 20, 16, 15, index % 60) / 1000}.123000000` };
    case 'TIMESTAMP_NTZ':
      return { generated: `2026-11-20T08:15:${String(index % 60).padStart(2, '0')}.123`, wire: `${Date.UTC(2026, 10, 20, 8, 15, index % 60) / 1000}.123000000` };
    case 'DATE':
      return { generated: '2026-11-20', wire: String(Date.UTC(2026, 10, 20) / 86_400_000) };
    case 'VARIANT':
      return { generated: { k: [index, 'x'] }, wire: JSON.stringify({ k: [index, 'x'] }, null, 2) };
    case 'OBJECT':
      return { generated: { k: `v${index}` }, wire: JSON.stringify({ k: `v${index}` }, null, 2) };
    case 'ARRAY':
      return { generated: [{ k: index }], wire: JSON.stringify([{ k: index }], null, 2) };
  }
}

test('every documented column of every view, in the unload form, imports without a warning and reads back exactly', async () => {
  const files: Record<string, string> = {};
  const expected = new Map<string, (string | null)[]>();
  for (const view of VIEWS) {
    const row: Record<string, unknown> = {};
    const wire: (string | null)[] = [];
    view.columns.forEach((column, index) => {
      const value = sample(column.type, index);
      row[column.name] = value.generated;
      wire.push(value.wire);
    });
    files[`${keyOfView(view)}.ndjson`] = `${renderUnloadRow(view, row)}\n`;
    expected.set(keyOfView(view), wire);
  }
  const dir = await dirWith(files);
  const now = new Date('2027-01-01T00:00:00Z');
  const engine = await createReplayEngine({ now, noLatency: true });
  try {
    const report = await importJsonlDirectory(engine, dir, { now, strict: true });
    assert.deepEqual(report.warnings, []);
    assert.equal(report.files.length, VIEWS.length);
    for (const view of VIEWS) {
      const columns = view.columns.map((c) => c.name).join(', ');
      const rows = await sql(engine, `SELECT ${columns} FROM SNOWFLAKE.${view.schema}.${view.name}`);
      assert.deepEqual(rows, [expected.get(keyOfView(view))], `${view.schema}.${view.name}`);
    }
  } finally {
    await engine.close();
  }
});

test('the unload form of a row: NULL keys omitted, timestamps in the default output format, NUMBER digits, FLOAT exponent, VARCHAR JSON as text', () => {
  const view = findView('ACCOUNT_USAGE', 'SESSIONS');
  assert.ok(view);
  assert.equal(view.columns.find((c) => c.name === 'CLIENT_ENVIRONMENT')?.type, 'TEXT', 'SESSIONS.CLIENT_ENVIRONMENT is documented as VARCHAR');
  const line = renderUnloadRow(view, {
    SESSION_ID: 12_345_678_901_234_567_891n,
    CREATED_ON: '2026-07-01T16:15:00.5Z',
    USER_NAME: 'ALICE',
    CLIENT_ENVIRONMENT: { APPLICATION: 'SnowSQL', OS: 'Linux' },
    CLOSED_REASON: null,
  });
  assert.equal(line, '{"CLIENT_ENVIRONMENT":"{\\"APPLICATION\\":\\"SnowSQL\\",\\"OS\\":\\"Linux\\"}","CREATED_ON":"2026-07-01 09:15:00.500 -0700","SESSION_ID":12345678901234567891,"USER_NAME":"ALICE"}');
  // The column of each type is taken from the table, whichever view documents one.
  const [floatView, float] = columnOfType('FLOAT');
  assert.equal(renderUnloadRow(floatView, { [float.name]: 0.000012 }), `{"${float.name}":1.200000000000000e-05}`);
  const [ltzView, ltz] = columnOfType('TIMESTAMP_LTZ');
  assert.equal(renderUnloadRow(ltzView, { [ltz.name]: '2026-11-20T16:15:00Z' }, { timeZone: 'UTC' }), `{"${ltz.name}":"2026-11-20 16:15:00.000 +0000"}`);
});

test('a NUMBER is written as a JSON number with its decimal digits, whatever form the row holds it in', () => {
  const [view, number] = columnOfType('NUMBER');
  for (const [held, written] of [
    [12_345_678_901_234_567_891n, '12345678901234567891'],
    [904, '904'],
    ['000904', '904'], // an error code held as text: the NUMBER column stores 904, and JSON allows no leading zero
    ['-0012.50', '-12.50'],
    [0.000012, '0.000012'],
    [1.2e-7, '0.00000012'], // no exponent: a NUMBER is not a FLOAT
    [1e21, '1000000000000000000000'],
  ] as const) {
    const line = renderUnloadRow(view, { [number.name]: held });
    assert.equal(line, `{"${number.name}":${written}}`, String(held));
    const value = (JSON.parse(line) as Record<string, unknown>)[number.name];
    assert.equal(convertValue('NUMBER', value).ok, true, `${String(held)} reads back`);
  }
});

test('a generated scenario in the unload form loads, with strict checks, exactly what the scenario loads directly', async () => {
  const scenario = generateScenario({ seed: 'unload', users: 40, days: 3, queriesPerDay: 300, end: new Date('2026-11-18T12:00:00Z'), accountName: 'UNLOAD_ACCOUNT' });
  const dir = join(temp, 'scenario-unload');
  const exported = await exportScenarioAsUnload(scenario, dir, { rowsPerPart: 500 });
  const sink = recordingSink();
  const report = await importJsonlDirectory(sink, dir, { strict: true });
  assert.deepEqual(report.warnings, []);
  for (const key of SCENARIO_VIEWS) {
    const view = VIEWS.find((v) => keyOfView(v) === key);
    assert.ok(view, key);
    // Compared as the engine stores them (storage values of the documented type), in any order (part files are read
    // in name order): the export may write a value in another form (a timestamp in the session's zone, an error code
    // '000904' as 904), never as another value.
    const stored = (row: Record<string, unknown>): string =>
      JSON.stringify(view.columns.map((column) => [column.name, toColumnValue(column.name, column.type, row[column.name])]), (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
    const generated = [...scenario.rows(key)].map(stored).sort();
    const loaded = (sink.inserted.get(key) ?? []).map(stored).sort();
    assert.ok(generated.length > 0, `the scenario has ${key} rows`);
    assert.deepEqual(loaded, generated, `${key}: every row of ${exported.files.filter((f) => f.view === key).length} part files, every column`);
  }
});

test('timestamps are read in the export\'s forms, and one without an offset is refused for TIMESTAMP_LTZ', () => {
  const instant = '2026-11-20T16:15:00.000000000Z';
  for (const text of [
    '2026-11-20 08:15:00.000 -0800', // Snowflake's default output format
    '2026-11-20T08:15:00-08:00',
    '2026-11-20T16:15:00Z',
    '2026-11-20t16:15:00z',
    '2026-11-20T08:15:00.000000-08:00', // Python isoformat(), as the Snowflake CLI writes
    '2026-11-20 17:15:00 +01',
    '2026-11-20T17:15+0100',
    '2026-11-20 08:15:00.000000000 -0800',
  ]) {
    assert.deepEqual(convertValue('TIMESTAMP_LTZ', text), { ok: true, value: instant }, text);
  }
  assert.deepEqual(convertValue('TIMESTAMP_LTZ', '2026-11-20 08:15:00.123456789 -0800'), { ok: true, value: '2026-11-20T16:15:00.123456789Z' });
  assert.deepEqual(convertValue('TIMESTAMP_LTZ', '2026-11-20T00:15:00-08:00'), { ok: true, value: '2026-11-20T08:15:00.000000000Z' });
  assert.deepEqual(convertValue('TIMESTAMP_LTZ', '2026-01-01T00:15:00+01:00'), { ok: true, value: '2025-12-31T23:15:00.000000000Z' }, 'crosses the year');
  const noOffset = convertValue('TIMESTAMP_LTZ', '2026-11-20 08:15:00.000');
  assert.equal(noOffset.ok, false);
  assert.match(noOffset.ok ? '' : noOffset.message, /no UTC offset.*TIMESTAMP_LTZ_OUTPUT_FORMAT/);
  for (const bad of ['2026-11-31 08:15:00 -0800', '2026-11-20 24:00:00 Z', '2026-11-20 08:15:00 +2400', '2026-11-20', 1795191300, '20261120T081500Z']) {
    assert.equal(convertValue('TIMESTAMP_LTZ', bad).ok, false, String(bad));
  }
  // TIMESTAMP_NTZ: the wall clock; an offset after it is dropped, as TO_TIMESTAMP_NTZ does.
  assert.deepEqual(convertValue('TIMESTAMP_NTZ', '2026-11-20 08:15:00.000'), { ok: true, value: '2026-11-20T08:15:00.000000000' });
  assert.deepEqual(convertValue('TIMESTAMP_NTZ', '2026-11-20 08:15:00.000 +0100'), { ok: true, value: '2026-11-20T08:15:00.000000000' });
  assert.deepEqual(convertValue('DATE', '2026-11-20'), { ok: true, value: '2026-11-20' });
  assert.equal(convertValue('DATE', '2026-11-20 00:00:00').ok, false);
});

test('NUMBER, BOOLEAN, VARCHAR and semi-structured values in the export\'s and the connectors\' forms', () => {
  assert.deepEqual(convertValue('NUMBER', 12_345_678_901_234_567_891n), { ok: true, value: 12_345_678_901_234_567_891n });
  assert.deepEqual(convertValue('NUMBER', '12345678901234567891'), { ok: true, value: '12345678901234567891' });
  assert.deepEqual(convertValue('NUMBER', 42), { ok: true, value: 42 });
  assert.equal(convertValue('NUMBER', '4.2e1').ok, false);
  assert.deepEqual(convertValue('FLOAT', 'NaN').ok, true);
  assert.deepEqual(convertValue('FLOAT', '-inf'), { ok: true, value: -Infinity });
  assert.equal(convertValue('BOOLEAN', 'true').ok, false, 'Snowflake writes true/false, never a string');
  // VARCHAR holding JSON text stays text; a JSON object given for it is stored as its JSON text, with a note.
  assert.deepEqual(convertValue('TEXT', '{"APPLICATION":"SnowSQL"}'), { ok: true, value: '{"APPLICATION":"SnowSQL"}' });
  assert.deepEqual(convertValue('TEXT', { APPLICATION: 'SnowSQL', big: 12_345_678_901_234_567_891n }), { ok: true, value: '{"APPLICATION":"SnowSQL","big":12345678901234567891}', note: 'json-value-for-varchar' });
  assert.equal(convertValue('TEXT', 42).ok, false);
  // Semi-structured: nested JSON as is; JSON text (connectors' form) parsed with a note.
  assert.deepEqual(convertValue('VARIANT', { a: 1 }), { ok: true, value: { a: 1 } });
  assert.deepEqual(convertValue('VARIANT', '{\n  "a": 1\n}'), { ok: true, value: { a: 1 }, note: 'json-text-for-semi-structured' });
  assert.deepEqual(convertValue('VARIANT', 'plain text'), { ok: true, value: 'plain text' });
  assert.deepEqual(convertValue('ARRAY', '[1, 2]'), { ok: true, value: [1, 2], note: 'json-text-for-semi-structured' });
  assert.equal(convertValue('ARRAY', '{"a": 1}').ok, false);
  assert.equal(convertValue('OBJECT', 'not json').ok, false);
});

test('a NUMBER beyond 2^53 written as a JSON number loads with every digit', async () => {
  const dir = await dirWith({ 'LOGIN_HISTORY.json': '{"EVENT_ID":12345678901234567891,"EVENT_TIMESTAMP":"2026-11-20 08:15:00.000 -0800","RELATED_EVENT_ID":9007199254740993}\n' });
  const now = new Date('2027-01-01T00:00:00Z');
  const engine = await createReplayEngine({ now, noLatency: true });
  try {
    await importJsonlDirectory(engine, dir, { now });
    assert.deepEqual(await sql(engine, 'SELECT EVENT_ID, RELATED_EVENT_ID FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY'), [['12345678901234567891', '9007199254740993']]);
  } finally {
    await engine.close();
  }
});

test('files: gzip part files, a directory per view, a JSON array as the Snowflake CLI prints it, a byte-order mark', async () => {
  const login = (id: number): string => `{"EVENT_ID":${id},"EVENT_TIMESTAMP":"2026-11-20 08:15:00.000 -0800","USER_NAME":"ALICE"}`;
  const cliOutput = JSON.stringify([
    { SESSION_ID: 1, CREATED_ON: '2026-11-20T08:15:00.123000-08:00', USER_NAME: 'ALICE', CLIENT_ENVIRONMENT: '{"APPLICATION":"SnowSQL"}', CLOSED_REASON: null },
    { SESSION_ID: 2, CREATED_ON: '2026-11-20T08:16:00-08:00', USER_NAME: 'BOB', CLIENT_ENVIRONMENT: null, CLOSED_REASON: null },
  ], null, 4);
  const dir = await dirWith({
    'LOGIN_HISTORY_0_0_0.json.gz': gzipSync(`${login(1)}\n${login(2)}\n`),
    'LOGIN_HISTORY_0_1_0.json.gz': gzipSync(`${login(3)}\n`),
    'QUERY_HISTORY/data_0_0_0.json.gz': gzipSync('{"QUERY_ID":"q1","END_TIME":"2026-11-20 08:15:00.000 -0800"}\n'),
    'QUERY_HISTORY/nested/data_0_1_0.json': '{"QUERY_ID":"q2","END_TIME":"2026-11-20 08:15:00.000 -0800"}\n',
    'SESSIONS.json': `\uFEFF${cliOutput}\n`,
    'notes.json': '{"not": "a view"}',
    'account_parameters.json': '{"PREVENT_UNLOAD_TO_INLINE_URL": "true"}',
    'ground-truth.json': '{}',
  });
  const sink = recordingSink();
  const report = await importJsonlDirectory(sink, dir);
  assert.deepEqual(report.files.map((f) => [f.fileName, f.view, f.rows, f.sourceFiles]), [
    ['LOGIN_HISTORY_*', 'LOGIN_HISTORY', 3, ['LOGIN_HISTORY_0_0_0.json.gz', 'LOGIN_HISTORY_0_1_0.json.gz']],
    ['QUERY_HISTORY/', 'QUERY_HISTORY', 2, ['QUERY_HISTORY/data_0_0_0.json.gz', 'QUERY_HISTORY/nested/data_0_1_0.json']],
    ['SESSIONS.json', 'SESSIONS', 2, ['SESSIONS.json']],
  ]);
  assert.deepEqual(sink.inserted.get('SESSIONS')?.[0], { SESSION_ID: 1, CREATED_ON: '2026-11-20T16:15:00.123000000Z', USER_NAME: 'ALICE', CLIENT_ENVIRONMENT: '{"APPLICATION":"SnowSQL"}', CLOSED_REASON: null });
  assert.deepEqual(report.warnings.map((w) => [w.code, w.file]), [['IMPORT_IGNORED_FILE', 'notes.json']]);
  assert.deepEqual(report.parameters, { PREVENT_UNLOAD_TO_INLINE_URL: 'true' }, 'the parameters file is found whatever its case');

  // JSON array elements are reported with the line they start on.
  const records = [];
  for await (const record of readRecords(join(dir, 'SESSIONS.json'), { gzip: false })) records.push(record.line);
  assert.deepEqual(records, [2, 9]);
});

test('a view given two ways, a directory that names no view and broken files are problems', async () => {
  const dir = await dirWith({
    'LOGIN_HISTORY.jsonl': '{"EVENT_ID":1}\n',
    'LOGIN_HISTORY_0_0_0.json.gz': gzipSync('{"EVENT_ID":2}\n'),
    'QUERY_HISTROY/data_0_0_0.json.gz': gzipSync('{"QUERY_ID":"q"}\n'),
    'SESSIONS_0_0_0.json.gz': 'not gzip at all',
    'USERS.json': '[{"NAME": "ALICE"},\n{"NAME": "BOB"}',
  });
  await assert.rejects(importJsonlDirectory(recordingSink(), dir), (error: unknown) => {
    assert.ok(error instanceof ImportError);
    assert.deepEqual(error.problems.map((p) => [p.code, p.file]), [
      ['IMPORT_UNKNOWN_VIEW_FILE', 'QUERY_HISTROY/'],
      ['IMPORT_DUPLICATE_VIEW', 'LOGIN_HISTORY_*'],
      ['IMPORT_BAD_JSON', 'SESSIONS_0_0_0.json.gz'],
      ['IMPORT_BAD_JSON', 'USERS.json'],
    ]);
    assert.match(error.message, /LOGIN_HISTORY\.jsonl and LOGIN_HISTORY_\* both hold view LOGIN_HISTORY/);
    assert.match(error.message, /SESSIONS_0_0_0\.json\.gz: not a readable gzip file/);
    assert.match(error.message, /USERS\.json: invalid JSON array: line 2: the JSON array is not closed/);
    return true;
  });
});

test('every problem of every file is reported at once with its line, the first 20 per file and a count of the rest', async () => {
  const bad = Array.from({ length: 25 }, (_, i) => `{"QUERY_ID":"q${i}","START_TIME":"2026-11-20 08:15:00"}`);
  const dir = await dirWith({
    'QUERY_HISTORY.jsonl': ['{"QUERY_ID":"ok","START_TIME":"2026-11-20 08:15:00.000 -0800"}', ...bad].join('\n'),
    'LOGIN_HISTORY.jsonl': '{"EVENT_ID":"one"}\n{oops\n{"EVENT_ID":3,"IS_SUCCESS":true,"EVENT_TIMESTAMP":"yesterday"}\n',
  });
  const sink = recordingSink();
  await assert.rejects(importJsonlDirectory(sink, dir), (error: unknown) => {
    assert.ok(error instanceof ImportError);
    assert.equal(error.code, 'IMPORT_INVALID_DATA');
    const query = error.problems.filter((p) => p.file === 'QUERY_HISTORY.jsonl');
    assert.equal(query.length, PROBLEMS_SHOWN_PER_FILE);
    assert.deepEqual(query.map((p) => p.line), Array.from({ length: 20 }, (_, i) => i + 2));
    assert.deepEqual(error.problems.filter((p) => p.file === 'LOGIN_HISTORY.jsonl').map((p) => [p.line, p.code]), [
      [1, 'IMPORT_BAD_VALUE'],
      [2, 'IMPORT_BAD_JSON'],
      [3, 'IMPORT_BAD_VALUE'],
      [3, 'IMPORT_BAD_TIMESTAMP'],
    ]);
    assert.match(error.message, /^29 problems in 2 files; nothing was loaded:/);
    assert.match(error.message, /QUERY_HISTORY\.jsonl:2: column START_TIME: "2026-11-20 08:15:00" has no UTC offset/);
    assert.match(error.message, /QUERY_HISTORY\.jsonl: 5 more problems not shown/);
    return true;
  });
  assert.equal(sink.inserted.size, 0, 'nothing is loaded');
});

test('the committed export fixture imports without edits; its undocumented column is one warning per view, an error with strict', async () => {
  const fixture = new URL('../../fixtures/import/unload/', import.meta.url).pathname;
  const now = new Date('2026-11-21T00:00:00Z');
  const engine = await createReplayEngine({ now, noLatency: true });
  try {
    const report = await importJsonlDirectory(engine, fixture, { now });
    const rows = Object.fromEntries(report.files.map((f) => [f.view, f.rows]));
    assert.deepEqual(Object.keys(rows).sort(), VIEWS.map(keyOfView).sort(), 'the fixture holds every view of the table, each read as that view');
    assert.deepEqual(rows, {
      ACCESS_HISTORY: 2, DATA_TRANSFER_HISTORY: 1, GRANTS_TO_ROLES: 2, GRANTS_TO_SHARES: 1, GRANTS_TO_USERS: 2, LOGIN_HISTORY: 3,
      QUERY_HISTORY: 3, ROLES: 3, SESSIONS: 2, SHARES: 1, TRUST_CENTER_FINDINGS: 1, USERS: 3,
    });
    // Every warning, so a file the import skips (e.g. one named after a view the table no longer has) fails here.
    assert.deepEqual(report.warnings.map((w) => [w.code, w.view, w.columns, w.rows]), [
      ['IMPORT_UNKNOWN_PARAMETER', undefined, undefined, 1],
      ['IMPORT_UNDOCUMENTED_COLUMN', 'LOGIN_HISTORY', ['EXPORTED_FROM_ACCOUNT'], 3],
      ['IMPORT_UNDOCUMENTED_COLUMN', 'QUERY_HISTORY', ['EXPORTED_FROM_ACCOUNT'], 3],
    ]);
    assert.equal(report.parameters.PREVENT_UNLOAD_TO_INLINE_URL, 'false');
    assert.deepEqual(await sql(engine, "SELECT USER_ID FROM SNOWFLAKE.ACCOUNT_USAGE.USERS WHERE NAME = 'RISK_EXPORTER_SVC'"), [['9007199254740993']]);
    assert.deepEqual(await sql(engine, 'SELECT TO_VARCHAR(EVENT_TIMESTAMP) FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY ORDER BY EVENT_TIMESTAMP LIMIT 1'), [['2026-11-20 14:15:02.123 +0000']]);
    assert.deepEqual(
      await sql(engine, "SELECT CLIENT_ENVIRONMENT, PARSE_JSON(CLIENT_ENVIRONMENT):APPLICATION::STRING FROM SNOWFLAKE.ACCOUNT_USAGE.SESSIONS WHERE USER_NAME = 'ALICE'"),
      [['{"APPLICATION":"DBeaver_DBeaverCommunity","OS":"Mac OS X","OS_VERSION":"14.5"}', 'DBeaver_DBeaverCommunity']],
      'VARCHAR JSON text stays the text the view holds',
    );
    assert.deepEqual(await sql(engine, 'SELECT QUERY_ID, ERROR_CODE FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY WHERE ERROR_CODE IS NOT NULL'), [['01b8a2c4-0001-6c1e-0000-0a1b00112301', '2003']]);
    assert.deepEqual(await sql(engine, 'SELECT SCANNER_PACKAGE_ID, SCANNER_ID, SEVERITY, STATE FROM SNOWFLAKE.ACCOUNT_USAGE.TRUST_CENTER_FINDINGS'), [['CIS_BENCHMARKS', 'CIS_1_4', 'CRITICAL', 'OPEN']]);
  } finally {
    await engine.close();
  }
  await assert.rejects(importJsonlDirectory(recordingSink(), fixture, { strict: true }), (error: unknown) => {
    assert.ok(error instanceof ImportError);
    assert.deepEqual(error.problems.map((p) => `${p.code} ${p.file ?? ''}:${p.line ?? ''}`), [
      'IMPORT_BAD_PARAMETERS ACCOUNT_PARAMETERS.json:',
      'IMPORT_UNKNOWN_COLUMN LOGIN_HISTORY_0_0_0.json:1',
      'IMPORT_UNKNOWN_COLUMN LOGIN_HISTORY_0_0_0.json:2',
      'IMPORT_UNKNOWN_COLUMN LOGIN_HISTORY_0_0_0.json:3',
      'IMPORT_UNKNOWN_COLUMN QUERY_HISTORY_0_0_0.json:1',
      'IMPORT_UNKNOWN_COLUMN QUERY_HISTORY_0_0_0.json:2',
      'IMPORT_UNKNOWN_COLUMN QUERY_HISTORY_0_0_0.json:3',
    ]);
    return true;
  });
});
