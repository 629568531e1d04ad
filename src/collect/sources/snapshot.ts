// Shared by the posture snapshot sources: run one statement and collect its (small, aggregated) rows, turning "this
// view is not available here" into SourceUnavailableError. Posture queries aggregate in Snowflake, so what comes
// back is bounded by the number of groups, never by the number of users or objects.
import type { SourceContext } from '../source.ts';
import type { Binding } from '../../snowflake/sqlapi/index.ts';
import { unavailableOr } from './errors.ts';
import type { Row } from './values.ts';

export async function readRows(
  context: SourceContext,
  sourceId: string,
  view: string,
  sql: string,
  bindings?: Readonly<Record<string, Binding>>,
): Promise<Row[]> {
  try {
    const result = await context.client.execute(sql, { bindings, signal: context.signal });
    const rows: Row[] = [];
    for await (const row of result.rowsAsObjects()) rows.push(row);
    return rows;
  } catch (error) {
    throw unavailableOr(error, sourceId, view);
  }
}
