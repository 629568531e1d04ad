// JSON Lines import: the fixture replay into the real engine, the scenario round trip, and every error path.
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createEmulatorEngine, type EmulatorEngine } from '../../../emulator/engine/index.ts';
import { createReplayEngine, exportScenarioToJsonl, importJsonlDirectory, ImportError, type ImportSink } from '../../../emulator/import/index.ts';
import { readRecords } from '../../../emulator/import/records.ts';
import { generateScenario, SCENARIO_VIEWS } from '../../../emulator/scenario/index.ts';

const FIXTURE = new URL('../../fixtures/import/replay/', import.meta.url).pathname;
const temp = await mkdtemp(join(tmpdir(), 'emulator-import-'));
after(async () => {
  await rm(temp, { recursive: true, force: true });
});

async function sql(engine: EmulatorEngine, statement: string): Promise<(string | null)[][]> {
  const result = await engine.execute({ statement, user: 'DEMO', role: 'RISK_EXPORTER', warehouse: 'COMPUTE_WH', parameters: { TIMEZONE: 'UTC' }, signal: new AbortController().signal });
  try {
    return await result.readRows(0, 10_000);
  } finally {
    await result.release();
  }
}

/** A sink that records what would be inserted: used where the test is about the importer's decisions, not SQL. */
function recordingSink(): ImportSink & { inserted: Map<string, Record<string, unknown>[]>; params: Map<string, string> } {
  const inserted = new Map<string, Record<string, unknown>[]>();
  const params = new Map<string, string>();
  return {
    inserted,
    params,
    async insertRows(view, rows) {
      const list: Record<string, unknown>[] = [];
      for await (const row of rows) list.push(row);
      inserted.set(view, list);
      return list.length;
    },
    setParameter(name, value) {
      params.set(name, value);
    },
  };
}

let dirCounter = 0;
async function dirWith(files: Record<string, string>): Promise<string> {
  const dir = join(temp, `case-${++dirCounter}`);
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content, 'utf8');
  return dir;
}

async function rejects(dir: string, code: string, where: RegExp): Promise<ReturnType<typeof recordingSink>> {
  const sink = recordingSink();
  await assert.rejects(importJsonlDirectory(sink, dir), (error: unknown) => {
    assert.ok(error instanceof ImportError, String(error));
    assert.equal(error.code, code, error.message);
    assert.match(error.message, where);
    return true;
  });
  return sink;
}

const GOOD_QUERY = '{"QUERY_ID":"q1","QUERY_TEXT":"SELECT 1","START_TIME":"2026-11-20T07:20:00Z","END_TIME":"2026-11-20T07:20:01Z"}';

test('the fixture directory replays into the real engine with the clock set and latency overridden', async () => {
  const now = new Date('2026-11-20T16:00:00Z');
  const engine = await createReplayEngine({ now, latency: { QUERY_HISTORY: 0 } });
  try {
    const report = await importJsonlDirectory(engine, FIXTURE, { now });
    assert.deepEqual(report.files.map((f) => [f.fileName, f.view, f.rows]), [
      ['LOGIN_HISTORY.jsonl', 'LOGIN_HISTORY', 2],
      ['QUERY_HISTORY.jsonl', 'QUERY_HISTORY', 3],
      ['TRUST_CENTER_FINDINGS.jsonl', 'TRUST_CENTER_FINDINGS', 2],
    ]);
    assert.deepEqual(report.parameters, { PREVENT_UNLOAD_TO_INLINE_URL: 'false', NETWORK_POLICY: 'CORP_ALLOWLIST' });
    assert.equal(engine.clock.now().toISOString(), now.toISOString());
    // QUERY_HISTORY latency 0: the 10:00-05:00 query (15:00Z) is visible; LOGIN_HISTORY keeps its 2 h: the 09:00Z
    // failure is visible at 16:00Z, and so is the 08:15+01:00 (07:15Z) success.
    assert.deepEqual(await sql(engine, 'SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY'), [['3']]);
    assert.deepEqual(await sql(engine, "SELECT ROWS_UNLOADED FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY WHERE QUERY_TYPE = 'UNLOAD'"), [['1250000']]);
    assert.deepEqual(await sql(engine, "SELECT TO_VARCHAR(EVENT_TIMESTAMP) FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY WHERE IS_SUCCESS = 'YES'").then((r) => r.length), 1);
    assert.deepEqual(await sql(engine, 'SELECT SCANNER_ID, STATE, COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.TRUST_CENTER_FINDINGS GROUP BY 1, 2'), [['CIS_1_4', 'OPEN', '2']]);
    const params = await sql(engine, "SHOW PARAMETERS LIKE 'PREVENT_UNLOAD_TO_INLINE_URL' IN ACCOUNT");
    assert.equal(params[0]?.[1], 'false');
  } finally {
    await engine.close();
  }
});

test('with the default latency the replay hides rows younger than each view\'s lag', async () => {
  const now = new Date('2026-11-20T10:30:00Z');
  const engine = await createReplayEngine({ now });
  try {
    await importJsonlDirectory(engine, FIXTURE, { now });
    // LOGIN_HISTORY lags 2 h: only the 07:15Z login is older than 08:30Z.
    assert.deepEqual(await sql(engine, 'SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY'), [['1']]);
  } finally {
    await engine.close();
  }
});

test('a generated scenario round-trips through JSON Lines unchanged', async () => {
  const scenario = generateScenario({ seed: 'rt', users: 40, days: 3, queriesPerDay: 300, end: new Date('2026-11-18T12:00:00Z'), accountName: 'RT_ACCOUNT' });
  const dir = join(temp, 'roundtrip');
  const exported = await exportScenarioToJsonl(scenario, dir);
  assert.equal(exported.files.length, SCENARIO_VIEWS.length);
  assert.deepEqual(JSON.parse(await readFile(exported.groundTruthFile, 'utf8')), JSON.parse(JSON.stringify(scenario.groundTruth)), 'ground truth beside the data');
  // File level: every line reads back as the generated row.
  for (const view of SCENARIO_VIEWS) {
    const back: unknown[] = [];
    for await (const record of readRecords(join(dir, `${view}.jsonl`), { gzip: false })) back.push('value' in record ? record.value : record.error);
    assert.deepEqual(back, JSON.parse(JSON.stringify([...scenario.rows(view)])), view);
  }
  // Engine level: the import loads the same number of rows per view, and the parameters.
  const sink = recordingSink();
  const report = await importJsonlDirectory(sink, dir);
  for (const file of exported.files) assert.equal(report.files.find((f) => f.view === file.view)?.rows ?? 0, file.rows, file.view);
  assert.equal(sink.params.get('PREVENT_UNLOAD_TO_INLINE_URL'), 'false');
  const engine = await createEmulatorEngine();
  try {
    const loaded = await importJsonlDirectory(engine, dir, { now: scenario.end });
    assert.equal(loaded.totalRows, exported.files.reduce((n, f) => n + f.rows, 0));
    const unloads = await sql(engine, "SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY WHERE QUERY_TYPE = 'UNLOAD'");
    assert.deepEqual(unloads, [['5']], 'chain unload, near-miss unload and three external unloads');
  } finally {
    await engine.close();
  }
});

test('bad JSON fails with file:line, and nothing is loaded from any file', async () => {
  const dir = await dirWith({ 'LOGIN_HISTORY.jsonl': '{"EVENT_ID": 1}\n', 'QUERY_HISTORY.jsonl': `${GOOD_QUERY}\n\n{"QUERY_ID": "q2",\n` });
  const sink = await rejects(dir, 'IMPORT_BAD_JSON', /^QUERY_HISTORY\.jsonl:3: invalid JSON/);
  assert.equal(sink.inserted.size, 0, 'validation happens before any insert');
});

test('column names match case-insensitively; an undocumented column is one warning per view, an error with strict', async () => {
  const lines = [GOOD_QUERY, '{"query_id": "q2", "Query_Text": "SELECT 2", "EXPORTED_FROM": "prod"}', '{"QUERY_ID": "q3", "EXPORTED_FROM": "prod", "NOTE": "x"}'];
  const dir = await dirWith({ 'QUERY_HISTORY.jsonl': `${lines.join('\n')}\n`, 'LOGIN_HISTORY.jsonl': '{"EVENT_ID": 1, "EXPORTED_FROM": "prod"}\n{"EVENT_ID": 2, "EXPORTED_FROM": "prod"}\n' });
  const sink = recordingSink();
  const report = await importJsonlDirectory(sink, dir);
  assert.deepEqual(sink.inserted.get('QUERY_HISTORY')?.[1], { QUERY_ID: 'q2', QUERY_TEXT: 'SELECT 2' }, 'lower-case names load, the undocumented column is dropped');
  const undocumented = report.warnings.filter((w) => w.code === 'IMPORT_UNDOCUMENTED_COLUMN');
  assert.deepEqual(undocumented.map((w) => [w.view, w.columns, w.rows, w.file, w.line]), [
    ['LOGIN_HISTORY', ['EXPORTED_FROM'], 2, 'LOGIN_HISTORY.jsonl', 1],
    ['QUERY_HISTORY', ['EXPORTED_FROM', 'NOTE'], 2, 'QUERY_HISTORY.jsonl', 2],
  ], 'one warning per view, not per line');
  assert.match(undocumented.find((w) => w.view === 'QUERY_HISTORY')?.message ?? '', /QUERY_HISTORY: columns not documented for this view, ignored .*EXPORTED_FROM \(2 rows\), NOTE \(1 row\).*first at QUERY_HISTORY\.jsonl:2/);

  const strict = recordingSink();
  await assert.rejects(importJsonlDirectory(strict, dir, { strict: true }), (error: unknown) => {
    assert.ok(error instanceof ImportError);
    assert.equal(error.code, 'IMPORT_INVALID_DATA');
    assert.deepEqual(error.problems.map((p) => [p.code, p.file, p.line]), [
      ['IMPORT_UNKNOWN_COLUMN', 'LOGIN_HISTORY.jsonl', 1],
      ['IMPORT_UNKNOWN_COLUMN', 'LOGIN_HISTORY.jsonl', 2],
      ['IMPORT_UNKNOWN_COLUMN', 'QUERY_HISTORY.jsonl', 2],
      ['IMPORT_UNKNOWN_COLUMN', 'QUERY_HISTORY.jsonl', 3],
      ['IMPORT_UNKNOWN_COLUMN', 'QUERY_HISTORY.jsonl', 3],
    ]);
    assert.match(error.message, /QUERY_HISTORY\.jsonl:3: "NOTE" is not a documented column of ACCOUNT_USAGE\.QUERY_HISTORY/);
    return true;
  });
  assert.equal(strict.inserted.size, 0);
});

test('a file not named after a view fails, naming the file', async () => {
  const dir = await dirWith({ 'QUERY_HISTORY.jsonl': `${GOOD_QUERY}\n`, 'QUERY_HISTROY.jsonl': `${GOOD_QUERY}\n` });
  const sink = await rejects(dir, 'IMPORT_UNKNOWN_VIEW_FILE', /^QUERY_HISTROY\.jsonl: no view is named after this file/);
  assert.equal(sink.inserted.size, 0);
});

test('two files for the same view fail', async () => {
  const dir = await dirWith({ 'QUERY_HISTORY.jsonl': `${GOOD_QUERY}\n`, 'ACCOUNT_USAGE.QUERY_HISTORY.jsonl': `${GOOD_QUERY}\n` });
  await rejects(dir, 'IMPORT_DUPLICATE_VIEW', /both hold view QUERY_HISTORY/);
});

test('Trust Center findings go in the documented ACCOUNT_USAGE view; the undocumented TRUST_CENTER.FINDINGS is no view', async () => {
  const finding = '{"SCANNER_ID": "CIS_1_4", "SEVERITY": "HIGH", "STATE": "OPEN", "CREATED_ON": "2026-11-20T00:00:00Z", "UPDATED_ON": "2026-11-20T00:00:00Z"}\n';
  const report = await importJsonlDirectory(recordingSink(), await dirWith({ 'trust_center_findings.jsonl': finding }));
  assert.deepEqual(report.files.map((f) => f.view), ['TRUST_CENTER_FINDINGS']);
  await rejects(await dirWith({ 'TRUST_CENTER.FINDINGS.jsonl': finding }), 'IMPORT_UNKNOWN_VIEW_FILE', /^TRUST_CENTER\.FINDINGS\.jsonl: no view is named after this file/);
});

test('timestamps need ISO 8601 with an offset and a real calendar date', async () => {
  for (const [value, line] of [['2026-11-20 07:20:00', 2], ['2026-11-20T07:20:00', 2], ['1763623200000', 2], ['2026-02-30T07:20:00Z', 2], ['yesterday', 2]] as const) {
    const dir = await dirWith({ 'QUERY_HISTORY.jsonl': `${GOOD_QUERY}\n{"QUERY_ID":"q2","START_TIME":${JSON.stringify(value)}}\n` });
    await rejects(dir, 'IMPORT_BAD_TIMESTAMP', new RegExp(`QUERY_HISTORY\\.jsonl:${line}: column START_TIME`));
  }
  const numeric = await dirWith({ 'QUERY_HISTORY.jsonl': '{"QUERY_ID":"q2","START_TIME":1763623200000}\n' });
  await rejects(numeric, 'IMPORT_BAD_TIMESTAMP', /:1: column START_TIME/);
});

test('values of the wrong type fail with file:line', async () => {
  const cases: [string, RegExp][] = [
    ['{"ROWS_UNLOADED": "many"}', /ROWS_UNLOADED/],
    ['{"QUERY_TEXT": 42}', /QUERY_TEXT/],
    ['{"IS_CLIENT_GENERATED_STATEMENT": "yes"}', /IS_CLIENT_GENERATED_STATEMENT/],
  ];
  for (const [line, column] of cases) {
    const dir = await dirWith({ 'QUERY_HISTORY.jsonl': `${line}\n` });
    await rejects(dir, 'IMPORT_BAD_VALUE', column);
  }
  const arrays = await dirWith({ 'ACCESS_HISTORY.jsonl': '{"QUERY_ID":"q","DIRECT_OBJECTS_ACCESSED":{"not":"an array"}}\n' });
  await rejects(arrays, 'IMPORT_BAD_VALUE', /ACCESS_HISTORY\.jsonl:1: column DIRECT_OBJECTS_ACCESSED/);
  const objects = await dirWith({ 'ACCESS_HISTORY.jsonl': '{"QUERY_ID":"q","OBJECT_MODIFIED_BY_DDL":[1]}\n' });
  await rejects(objects, 'IMPORT_BAD_VALUE', /OBJECT_MODIFIED_BY_DDL/);
});

test('a line that is JSON but not an object fails', async () => {
  const dir = await dirWith({ 'QUERY_HISTORY.jsonl': `${GOOD_QUERY}\n[1, 2]\n` });
  await rejects(dir, 'IMPORT_NOT_AN_OBJECT', /QUERY_HISTORY\.jsonl:2:/);
});

test('a missing directory, an empty one and a bad parameters file fail clearly', async () => {
  await rejects(join(temp, 'does-not-exist'), 'IMPORT_NOT_A_DIRECTORY', /cannot read directory/);
  await rejects(join(FIXTURE, 'README.md'), 'IMPORT_NOT_A_DIRECTORY', /is not a directory/);
  await rejects(await dirWith({ 'notes.txt': 'x' }), 'IMPORT_NO_FILES', /no view files/);
  const unknownParameter = await dirWith({ 'ACCOUNT_PARAMETERS.json': '{"NOT_A_PARAMETER": true, "PREVENT_UNLOAD_TO_INLINE_URL": "true"}' });
  const lenient = await importJsonlDirectory(recordingSink(), unknownParameter);
  assert.deepEqual(lenient.parameters, { PREVENT_UNLOAD_TO_INLINE_URL: 'true' });
  assert.deepEqual(lenient.warnings.map((w) => w.code), ['IMPORT_UNKNOWN_PARAMETER']);
  await assert.rejects(importJsonlDirectory(recordingSink(), unknownParameter, { strict: true }), /unknown account parameter NOT_A_PARAMETER/);
  await rejects(await dirWith({ 'ACCOUNT_PARAMETERS.json': '[1]' }), 'IMPORT_BAD_PARAMETERS', /one JSON object/);
  await rejects(await dirWith({ 'ACCOUNT_PARAMETERS.json': '{' }), 'IMPORT_BAD_PARAMETERS', /invalid JSON/);
});

test('an engine failure during loading is reported with the views already loaded', async () => {
  const dir = await dirWith({ 'LOGIN_HISTORY.jsonl': '{"EVENT_ID": 1}\n', 'QUERY_HISTORY.jsonl': `${GOOD_QUERY}\n` });
  // A sink whose second insert fails stands in for a DuckDB failure (a disk error cannot be provoked here).
  let calls = 0;
  const sink: ImportSink = {
    async insertRows(_view, rows) {
      calls++;
      let n = 0;
      for await (const _row of rows) n++;
      if (calls === 2) throw new Error('disk full');
      return n;
    },
    setParameter() {},
  };
  await assert.rejects(importJsonlDirectory(sink, dir), (error: unknown) => {
    assert.ok(error instanceof ImportError);
    assert.equal(error.code, 'IMPORT_LOAD_FAILED');
    assert.match(error.message, /^QUERY_HISTORY\.jsonl: the engine rejected the rows: disk full \(views loaded before this one: LOGIN_HISTORY\)/);
    return true;
  });
});
