// Shared pieces of the emulator protocol tests. CannedEngine stands in for the DuckDB engine (emulator/engine/) so
// that these tests isolate the protocol layer: wire format, partitions, async, cancel, retries, faults and auth.
// The conformance test runs the real engine where it exists.
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { request } from 'undici';
import type { ExecuteRequest, RowTypeField, SqlEngine, StatementResult } from '../../../emulator/engine/types.ts';
import { SnowflakeStatementError } from '../../../emulator/engine/types.ts';
import { publicKeyFingerprint } from '../../../emulator/auth/users.ts';
import { startEmulator, type RunningEmulator, type StartEmulatorOptions } from '../../../emulator/index.ts';

export function column(name: string, type: RowTypeField['type'], extra: Partial<RowTypeField> = {}): RowTypeField {
  return {
    name,
    database: '',
    schema: '',
    table: '',
    collation: null,
    byteLength: null,
    nullable: false,
    scale: null,
    precision: null,
    length: null,
    type,
    ...extra,
  };
}

export class ArrayResult implements StatementResult {
  readonly rowType: RowTypeField[];
  readonly rowCount: number;
  readonly stats: Record<string, number> | undefined;
  released = false;
  readonly #rows: (string | null)[][];
  constructor(rowType: RowTypeField[], rows: (string | null)[][], stats?: Record<string, number>) {
    this.rowType = rowType;
    this.#rows = rows;
    this.rowCount = rows.length;
    this.stats = stats;
  }
  readRows(offset: number, limit: number): Promise<(string | null)[][]> {
    return Promise.resolve(this.#rows.slice(offset, offset + limit));
  }
  release(): Promise<void> {
    this.released = true;
    return Promise.resolve();
  }
}

function waitFor(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    }, { once: true });
  });
}

/** Canned answers for the statements the tests send; anything else is a syntax error like `SELEC 1` (062). */
export class CannedEngine implements SqlEngine {
  readonly executions: ExecuteRequest[] = [];
  readonly results: ArrayResult[] = [];
  /** Real milliseconds per SYSTEM$WAIT second, so timeouts and polling run fast. */
  waitScaleMs = 50;
  closed = false;

  async execute(request: ExecuteRequest): Promise<StatementResult> {
    this.executions.push(request);
    const text = request.statement.trim();
    const wait = /^SELECT SYSTEM\$WAIT\((\d+)\)$/i.exec(text);
    if (wait !== null) {
      const seconds = Number(wait[1]);
      await waitFor(seconds * this.waitScaleMs, request.signal);
      return this.#keep(new ArrayResult([column(`SYSTEM$WAIT(${seconds})`, 'text', { byteLength: 134217728, length: 134217728 })], [[`waited ${seconds} seconds`]]));
    }
    if (/^SELECT 1 AS a, 'x' AS b$/i.test(text)) {
      return this.#keep(new ArrayResult([column('A', 'fixed', { precision: 1, scale: 0 }), column('B', 'text', { length: 1, byteLength: 4 })], [['1', 'x']]));
    }
    const single = /^SELECT (\d+)$/i.exec(text);
    if (single !== null) return this.#keep(new ArrayResult([column(single[1] ?? '', 'fixed', { precision: 1, scale: 0 })], [[single[1] ?? '']]));
    const generator = /^SELECT seq4\(\) AS n, uuid_string\(\) AS u FROM TABLE\(GENERATOR\(ROWCOUNT => (\d+)\)\)$/i.exec(text);
    if (generator !== null) {
      const rows = Array.from({ length: Number(generator[1]) }, (_, i) => [String(i), randomUUID()]);
      return this.#keep(new ArrayResult([column('N', 'fixed', { precision: 10, scale: 0 }), column('U', 'text', { length: 36, byteLength: 144 })], rows));
    }
    if (/^INSERT INTO/i.test(text)) {
      return this.#keep(
        new ArrayResult([column('number of rows inserted', 'fixed', { precision: 19, scale: 0 })], [['2']], {
          numRowsInserted: 2,
          numRowsDeleted: 0,
          numRowsUpdated: 0,
          numDmlDuplicates: 0,
        }),
      );
    }
    if (/^SELECT \* FROM empty_table$/i.test(text)) return this.#keep(new ArrayResult([column('I', 'fixed', { precision: 38, scale: 0, nullable: true })], []));
    if (/^THROW$/i.test(text)) throw new TypeError('engine bug');
    if (/nosuch/i.test(text)) {
      throw new SnowflakeStatementError({ code: '002003', sqlState: '42S02', message: "SQL compilation error:\nObject 'NOSUCH' does not exist or not authorized." });
    }
    const firstWord = text.split(/\s+/)[0] ?? '';
    throw new SnowflakeStatementError({
      code: '001003',
      sqlState: '42000',
      message: `SQL compilation error:\nsyntax error line 1 at position 0 unexpected '${firstWord}'.`,
    });
  }

  #keep(result: ArrayResult): ArrayResult {
    this.results.push(result);
    return result;
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

export interface KeyPair {
  privateKey: KeyObject;
  publicKeyPem: string;
  fingerprint: string;
}

export function makeKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), fingerprint: publicKeyFingerprint(publicKey) };
}

export const ACCOUNT = 'MYORG-MYACCOUNT';
export const USER = 'ALICE';

export async function signJwt(
  keys: KeyPair,
  options: { account?: string; user?: string; fingerprint?: string; iat?: number; exp?: number; signWith?: KeyObject } = {},
): Promise<string> {
  const account = options.account ?? ACCOUNT;
  const user = options.user ?? USER;
  const now = Math.floor(Date.now() / 1000);
  const iat = options.iat ?? now;
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setIssuer(`${account}.${user}.${options.fingerprint ?? keys.fingerprint}`)
    .setSubject(`${account}.${user}`)
    .setIssuedAt(iat)
    .setExpirationTime(options.exp ?? iat + 3300)
    .sign(options.signWith ?? keys.privateKey);
}

export interface Harness {
  emulator: RunningEmulator<CannedEngine>;
  engine: CannedEngine;
  keys: KeyPair;
  jwt: string;
  base: string;
}

export async function startHarness(options: Omit<StartEmulatorOptions<CannedEngine>, 'engine'> = {}): Promise<Harness> {
  const engine = new CannedEngine();
  const keys = makeKeyPair();
  const emulator = await startEmulator<CannedEngine>({
    engine,
    account: ACCOUNT,
    users: [
      { name: USER, password: 'alice-pw', roles: ['ANALYST'], defaultRole: 'ANALYST', defaultWarehouse: 'WH', rsaPublicKeys: [keys.publicKeyPem] },
    ],
    syncWaitMs: 2000,
    ...options,
  });
  const jwt = await signJwt(keys);
  return { emulator, engine, keys, jwt, base: emulator.url.toString().replace(/\/$/, '') };
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  json(): unknown;
}

export async function call(
  h: Harness,
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string | Buffer; headers?: Record<string, string>; token?: string | null } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.token !== null) headers.Authorization = `Bearer ${options.token ?? h.jwt}`;
  if (options.token === undefined) headers['X-Snowflake-Authorization-Token-Type'] = 'KEYPAIR_JWT';
  let body: string | Buffer | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['Content-Type'] = 'application/json';
  }
  Object.assign(headers, options.headers);
  const response = await request(`${h.base}${path}`, { method: method as 'GET', headers, body });
  const buffer = Buffer.from(await response.body.arrayBuffer());
  const text = buffer.toString('utf8');
  return { status: response.statusCode, headers: response.headers, body: buffer, text, json: () => JSON.parse(text) as unknown };
}

export function submitBody(statement: string | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { warehouse: 'WH', database: 'DB', schema: 'PUBLIC', timeout: 60, ...(statement === undefined ? {} : { statement }), ...extra };
}

export async function pollUntilDone(h: Harness, handle: string, limitMs = 5000): Promise<Reply> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const reply = await call(h, 'GET', `/api/v2/statements/${handle}`);
    if (reply.status !== 202 || Date.now() > deadline) return reply;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
