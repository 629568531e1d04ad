// The session a SQL API request runs in: its warehouse, database and schema, as Snowflake settles them.
//
// - The body's `warehouse`, `database` and `schema` are case-sensitive names that must match the case SHOW returns
//   (https://docs.snowflake.com/en/developer-guide/sql-api/submitting-requests); when left out, the user's
//   DEFAULT_WAREHOUSE and DEFAULT_NAMESPACE apply (same page).
// - A name that matches no object does not fail the request: the session simply has no current warehouse (or
//   database, or schema). Recordings of a real account: `SELECT 1` with `"database":"NOSUCH_DB"` answered 200
//   (test/fixtures/snowflake-recordings, 083), and so did a metadata-only `SELECT COUNT(*)` with
//   `"warehouse":"NOSUCH_WH"` (xo/dbimp testdata/snowflake/snowflake-082-...). A statement that needs compute then
//   fails with 000606 / 57P03 "No active warehouse selected in the current session." (the engine's rule: "a
//   warehouse must be specified for a session ... before queries and other DML statements can be executed",
//   https://docs.snowflake.com/en/sql-reference/sql/use-warehouse). A DEFAULT_WAREHOUSE (or namespace) naming
//   nothing is the same.
// So `compute_wh` in the body is not COMPUTE_WH: the session has no warehouse, exactly as on a real account.
import type { RegisteredUser } from '../auth/users.ts';

/** The objects a session can be placed in, by stored name. */
export interface SessionCatalog {
  readonly warehouses: ReadonlySet<string>;
  /** Databases and the schemas each holds. */
  readonly databases: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface SessionObjects {
  warehouse: string | undefined;
  database: string | undefined;
  schema: string | undefined;
}

export interface RequestedObjects {
  warehouse: string | undefined;
  database: string | undefined;
  schema: string | undefined;
}

/** The current warehouse, database and schema of a request's session; undefined where there is none. */
export function sessionObjects(requested: RequestedObjects, user: RegisteredUser | undefined, catalog: SessionCatalog): SessionObjects {
  const warehouseName = requested.warehouse ?? user?.defaultWarehouse;
  const databaseName = requested.database ?? user?.defaultDatabase;
  const schemaName = requested.schema ?? user?.defaultSchema;
  const warehouse = warehouseName !== undefined && catalog.warehouses.has(warehouseName) ? warehouseName : undefined;
  const schemas = databaseName === undefined ? undefined : catalog.databases.get(databaseName);
  const database = schemas === undefined ? undefined : databaseName;
  const schema = schemas !== undefined && schemaName !== undefined && schemas.has(schemaName) ? schemaName : undefined;
  return { warehouse, database, schema };
}
