// QUERY_HISTORY and LOGIN_HISTORY streams against the emulator with its documented latencies on (QUERY_HISTORY 45
// min, LOGIN_HISTORY 2 h): backfill, incremental windows, late rows inside the overlap, exporter's own statements.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Agent } from 'undici';
import type { Finding, QueryEvent, SnowflakeEvent } from '../../../src/collect/events.ts';
import { extendRiskyQueryRules, LoginHistorySource, QueryHistorySource, QUERY_HISTORY_SQL, RISKY_QUERY_HISTORY_SQL, LOGIN_HISTORY_SQL } from '../../../src/collect/sources/index.ts';
import { EXPORTER_QUERY_TAG } from '../../../src/snowflake/account-client.ts';
import { keyPairEmulatorFor, type KeyPairEmulator } from '../../helpers/emulator-account.ts';
import { InMemoryCollectionState, RecordingSourceContext } from '../../helpers/emulator-source-context.ts';
import { loginRow as harnessLoginRow } from '../../helpers/exporter-harness.ts';

const START = new Date('2026-11-20T12:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;

function at(offsetMs: number): string {
  return new Date(START.getTime() + offsetMs).toISOString();
}

function queryRow(id: string, endOffsetMs: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    QUERY_ID: id,
    QUERY_TEXT: `SELECT * FROM SALES.PUBLIC.CUSTOMERS WHERE EMAIL = 'alice@example.com' AND ID = 42`,
    QUERY_TYPE: 'SELECT',
    USER_NAME: 'ALICE',
    ROLE_NAME: 'ANALYST',
    WAREHOUSE_NAME: 'BI_WH',
    DATABASE_NAME: 'SALES',
    SCHEMA_NAME: 'PUBLIC',
    EXECUTION_STATUS: 'SUCCESS',
    QUERY_TAG: '',
    SESSION_ID: 77,
    AUTHN_EVENT_ID: 9001,
    START_TIME: at(endOffsetMs - 2000),
    END_TIME: at(endOffsetMs),
    BYTES_SCANNED: 1000,
    BYTES_WRITTEN_TO_RESULT: 2048,
    ROWS_PRODUCED: 3,
    ROWS_UNLOADED: 0,
    OUTBOUND_DATA_TRANSFER_BYTES: 0,
    ...extra,
  };
}

function contextFor(e: KeyPairEmulator, state: InMemoryCollectionState): RecordingSourceContext {
  return new RecordingSourceContext({ account: e.account, client: e.client, snowflakeNow: e.now(), state });
}

function ids(events: readonly { id: string }[]): string[] {
  return events.map((event) => event.id).sort();
}

describe('query_history stream', () => {
  it('backfills 24 h on the first run, then reads from watermark - overlap and delivers late rows exactly once', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START });
    await e.engine.insertRows('QUERY_HISTORY', [
      queryRow('q-too-old', -25 * HOUR),
      queryRow('q-in-window', -2 * HOUR),
      queryRow('q-not-visible-yet', -30 * MIN), // visible at -30 + 45 = +15 min
    ]);
    const state = new InMemoryCollectionState();
    const source = new QueryHistorySource({ textPolicy: { mode: 'full' } });

    const first = await source.run(contextFor(e, state));
    assert.deepEqual(ids(state.events), ['q-in-window']);
    assert.equal(first.rows, 1);
    assert.equal(first.delivered, 1);
    assert.deepEqual(first.newestEventTime, new Date(at(-2 * HOUR)));
    assert.deepEqual(state.watermarks.get('query_history'), START);

    // 30 min later: the row that was still in ingestion is visible, and it lies inside watermark - (45 + 15) min.
    e.advance(30 * 60);
    // A row that happened before the last watermark but arrives only now (late partition).
    await e.engine.insertRows('QUERY_HISTORY', [queryRow('q-late', -10 * MIN)]); // visible at +35 min
    const second = await source.run(contextFor(e, state));
    assert.deepEqual(ids(state.events), ['q-in-window', 'q-not-visible-yet']);
    assert.equal(second.delivered, 1);

    e.advance(10 * 60); // +40 min: q-late now visible
    const third = await source.run(contextFor(e, state));
    assert.deepEqual(ids(state.events), ['q-in-window', 'q-late', 'q-not-visible-yet']);
    assert.equal(third.delivered, 1);
    // q-not-visible-yet was read again (overlap) but not delivered twice.
    assert.ok(third.rows >= 2, `rows read ${third.rows}`);

    // Nothing new: nothing delivered, the watermark still advances.
    e.advance(60 * 60);
    const fourth = await source.run(contextFor(e, state));
    assert.equal(fourth.delivered, 0);
    assert.deepEqual(state.watermarks.get('query_history'), e.now());
    assert.equal(state.events.length, 3);
  });

  it('maps every column and applies the text policy', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START });
    await e.engine.insertRows('QUERY_HISTORY', [queryRow('q1', -HOUR, { OUTBOUND_DATA_TRANSFER_BYTES: 5_000_000_000, OUTBOUND_DATA_TRANSFER_CLOUD: 'AWS', OUTBOUND_DATA_TRANSFER_REGION: 'us-east-1' })]);
    const state = new InMemoryCollectionState();
    await new QueryHistorySource().run(contextFor(e, state));
    const [event] = state.eventsOf('query');
    assert.ok(event);
    const expected: QueryEvent = {
      kind: 'query',
      account: 'emulated',
      id: 'q1',
      time: new Date(at(-HOUR - 2000)),
      observedAt: START,
      queryId: 'q1',
      user: 'ALICE',
      role: 'ANALYST',
      warehouse: 'BI_WH',
      database: 'SALES',
      schema: 'PUBLIC',
      queryType: 'SELECT',
      executionStatus: 'SUCCESS',
      errorCode: null,
      // The default policy redacts literals.
      queryText: 'SELECT * FROM SALES.PUBLIC.CUSTOMERS WHERE EMAIL = ? AND ID = ?',
      queryTag: '',
      sessionId: '77',
      authnEventId: '9001',
      startTime: new Date(at(-HOUR - 2000)),
      endTime: new Date(at(-HOUR)),
      bytesScanned: 1000,
      bytesWrittenToResult: 2048,
      rowsProduced: 3,
      rowsUnloaded: 0,
      outboundDataTransferBytes: 5_000_000_000,
      outboundDataTransferCloud: 'AWS',
      outboundDataTransferRegion: 'us-east-1',
    };
    assert.deepEqual(event, expected);

    const none = new InMemoryCollectionState();
    await new QueryHistorySource({ textPolicy: { mode: 'none' } }).run(contextFor(e, none));
    assert.equal(none.eventsOf('query')[0]?.queryText, null);
  });

  it('writes the NUMBER error code as Snowflake writes codes: six digits, zero-padded', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START });
    await e.engine.insertRows('QUERY_HISTORY', [queryRow('q-failed', -HOUR, { EXECUTION_STATUS: 'FAIL', ERROR_CODE: 2003 })]);
    const state = new InMemoryCollectionState();
    await new QueryHistorySource().run(contextFor(e, state));
    assert.equal(state.eventsOf('query')[0]?.errorCode, '002003');
  });

  it("never delivers the exporter's own tagged statements", async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START });
    // Statements sent through the client are tagged: the emulator's statement log shows it.
    await (await e.client.execute('SELECT CURRENT_TIMESTAMP() AS NOW')).rowsAsObjects()[Symbol.asyncIterator]().next();
    assert.ok(e.engine.warehouseReport().log.every((entry) => entry.queryTag === EXPORTER_QUERY_TAG));
    // The emulated QUERY_HISTORY holds only inserted rows: insert what Snowflake would record for them.
    await e.engine.insertRows('QUERY_HISTORY', [
      queryRow('own-1', -2 * HOUR, { QUERY_TAG: EXPORTER_QUERY_TAG, USER_NAME: 'RISK_EXPORTER_SVC', QUERY_TEXT: 'SELECT 1 FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY' }),
      queryRow('own-2', -90 * MIN, { QUERY_TAG: EXPORTER_QUERY_TAG, QUERY_TYPE: 'GRANT' }),
      queryRow('other-null-tag', -2 * HOUR, { QUERY_TAG: null }),
      queryRow('other-tagged', -2 * HOUR, { QUERY_TAG: 'dbt' }),
    ]);
    const state = new InMemoryCollectionState();
    await new QueryHistorySource().run(contextFor(e, state));
    assert.deepEqual(ids(state.events), ['other-null-tag', 'other-tagged']);
  });

  it("scope 'risky' delivers only risky query types, pushed down into the SQL", async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START });
    await e.engine.insertRows('QUERY_HISTORY', [
      queryRow('select', -2 * HOUR),
      queryRow('unload', -2 * HOUR, { QUERY_TYPE: 'UNLOAD', QUERY_TEXT: "COPY INTO @tmp/x FROM t" }),
      queryRow('get', -2 * HOUR, { QUERY_TYPE: 'GET_FILES' }),
      queryRow('grant', -2 * HOUR, { QUERY_TYPE: 'GRANT' }),
      queryRow('create-user', -2 * HOUR, { QUERY_TYPE: 'CREATE_USER' }),
    ]);
    const state = new InMemoryCollectionState();
    const result = await new QueryHistorySource({ scope: 'risky' }).run(contextFor(e, state));
    assert.deepEqual(ids(state.events), ['create-user', 'get', 'grant', 'unload']);
    assert.equal(result.rows, 4, 'the SELECT never left Snowflake');
    assert.ok(e.engine.warehouseReport().log.some((entry) => entry.text.startsWith(RISKY_QUERY_HISTORY_SQL.slice(0, 100))));
  });

  it("scope 'risky' with extra predicates reads every row and keeps the listed types or the predicate's picks", async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START });
    await e.engine.insertRows('QUERY_HISTORY', [
      queryRow('select-big', -2 * HOUR, { BYTES_WRITTEN_TO_RESULT: 50_000_000 }),
      queryRow('select-small', -2 * HOUR),
      queryRow('unload', -2 * HOUR, { QUERY_TYPE: 'UNLOAD' }),
    ]);
    const rules = extendRiskyQueryRules({ queryTypes: ['describe'], predicates: [(event) => event.bytesWrittenToResult > 1_000_000] });
    assert.ok(rules.queryTypes.includes('DESCRIBE') && rules.queryTypes.includes('UNLOAD'));
    const state = new InMemoryCollectionState();
    const result = await new QueryHistorySource({ scope: 'risky', riskyRules: rules }).run(contextFor(e, state));
    assert.equal(result.rows, 3);
    assert.deepEqual(ids(state.events), ['select-big', 'unload']);
  });

  it('hands events over in bounded chunks', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START, emulatorOptions: { partitionRows: 2 } });
    await e.engine.insertRows('QUERY_HISTORY', Array.from({ length: 5 }, (_, i) => queryRow(`q${i}`, -2 * HOUR + i * 1000)));
    const state = new InMemoryCollectionState();
    await new QueryHistorySource({ chunkSize: 2 }).run(contextFor(e, state));
    assert.deepEqual(state.deliveries.map((d) => d.events.length), [2, 2, 1]);
    // ORDER BY END_TIME: chronological.
    assert.deepEqual(state.events.map((event) => event.id), ['q0', 'q1', 'q2', 'q3', 'q4']);
  });

  it('does not move the watermark when a chunk is refused, and the next run offers the window again', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START });
    await e.engine.insertRows('QUERY_HISTORY', Array.from({ length: 5 }, (_, i) => queryRow(`q${i}`, -2 * HOUR + i * 1000)));
    const state = new InMemoryCollectionState();
    class RefusingContext extends RecordingSourceContext {
      override deliver(stream: string, events: readonly SnowflakeEvent[], findings: readonly Finding[]): Promise<number> {
        if (state.deliveries.length === 1) return Promise.reject(new Error('sink refused the batch'));
        return super.deliver(stream, events, findings);
      }
    }
    const source = new QueryHistorySource({ chunkSize: 2 });
    const refusing = new RefusingContext({ account: e.account, client: e.client, snowflakeNow: e.now(), state });
    await assert.rejects(source.run(refusing), /sink refused/);
    assert.equal(state.watermarks.size, 0);
    assert.deepEqual(ids(state.events), ['q0', 'q1']);

    const retry = await source.run(contextFor(e, state));
    assert.equal(retry.delivered, 3);
    assert.deepEqual(ids(state.events), ['q0', 'q1', 'q2', 'q3', 'q4']);
    assert.deepEqual(state.watermarks.get('query_history'), START);
  });

  it('binds the window start as a typed TIMESTAMP_LTZ instead of writing it into the SQL', async (t) => {
    // Records the JSON bodies the real client sends (a pass-through interceptor on a real undici Agent).
    const bodies: { statement: string; bindings?: Record<string, { type: string; value: string }> }[] = [];
    const agent = new Agent();
    t.after(() => agent.close());
    const recording = agent.compose((dispatch) => (options, handler) => {
      if (options.method === 'POST' && typeof options.body === 'string' && options.path.startsWith('/api/v2/statements')) {
        bodies.push(JSON.parse(options.body) as (typeof bodies)[number]);
      }
      return dispatch(options, handler);
    });
    const e = await keyPairEmulatorFor(t, { start: START, dispatcher: recording });
    const state = new InMemoryCollectionState();
    await new QueryHistorySource().run(contextFor(e, state));
    await new LoginHistorySource().run(contextFor(e, state));
    e.advance(3600);
    await new QueryHistorySource().run(contextFor(e, state));
    assert.deepEqual(bodies.map((b) => b.statement), [QUERY_HISTORY_SQL, LOGIN_HISTORY_SQL, QUERY_HISTORY_SQL]);
    const nanos = (d: Date): string => (BigInt(d.getTime()) * 1_000_000n).toString();
    // First run: 24 h backfill. Next run of the same stream: watermark (START) - (45 min latency + 15 min margin).
    assert.deepEqual(bodies[0]?.bindings?.window_start, { type: 'TIMESTAMP_LTZ', value: nanos(new Date(START.getTime() - 24 * HOUR)) });
    assert.deepEqual(bodies[1]?.bindings?.window_start, { type: 'TIMESTAMP_LTZ', value: nanos(new Date(START.getTime() - 24 * HOUR)) });
    assert.deepEqual(bodies[2]?.bindings?.window_start, { type: 'TIMESTAMP_LTZ', value: nanos(new Date(START.getTime() - HOUR)) });
    assert.deepEqual(bodies[0]?.bindings?.exporter_tag, { type: 'TEXT', value: EXPORTER_QUERY_TAG });
    for (const body of bodies) {
      assert.doesNotMatch(body.statement, /\d{4}-\d{2}-\d{2}|SELECT \*/);
      assert.match(body.statement, /:window_start/);
    }
    // The emulator ran exactly those texts (its log keeps the first 200 characters of each).
    const logged = e.engine.warehouseReport().log.map((entry) => entry.text.replace(/\.\.\.$/, ''));
    assert.equal(logged.length, 3);
    logged.forEach((text, i) => assert.ok(bodies[i]!.statement.startsWith(text)));
  });
});

describe('login_history stream', () => {
  // The same LOGIN_HISTORY row the collection tests use, placed at an offset from this file's START.
  const loginRow = (id: number, offsetMs: number, extra: Record<string, unknown> = {}): Record<string, unknown> =>
    harnessLoginRow(id, new Date(at(offsetMs)), extra);

  it('reads logins incrementally with the 2 h latency in the overlap', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START });
    await e.engine.insertRows('LOGIN_HISTORY', [
      loginRow(1, -30 * HOUR),
      loginRow(2, -3 * HOUR),
      loginRow(3, -3 * HOUR, { IS_SUCCESS: 'NO', ERROR_CODE: 390100, ERROR_MESSAGE: 'INCORRECT_USERNAME_PASSWORD', USER_NAME: null }),
      loginRow(4, -1 * HOUR), // visible at +1 h
    ]);
    const state = new InMemoryCollectionState();
    const source = new LoginHistorySource();
    await source.run(contextFor(e, state));
    assert.deepEqual(ids(state.events), ['2', '3']);
    const failed = state.eventsOf('login').find((event) => event.eventId === '3');
    assert.deepEqual(failed && { success: failed.success, user: failed.user, errorCode: failed.errorCode, errorMessage: failed.errorMessage }, {
      success: false,
      user: null,
      errorCode: '390100',
      errorMessage: 'INCORRECT_USERNAME_PASSWORD',
    });
    assert.equal(state.eventsOf('login').find((event) => event.eventId === '2')?.success, true);

    e.advance(90 * 60);
    const second = await source.run(contextFor(e, state));
    assert.deepEqual(ids(state.events), ['2', '3', '4']);
    assert.equal(second.delivered, 1);
  });
});
