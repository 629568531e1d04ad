// Posture snapshot: the exfiltration guardrail parameters from SHOW PARAMETERS IN ACCOUNT -> ParametersPosture. Each
// is safe when set to true (every one of them is a "prevent" or "require" switch that defaults to false). A
// metadata command: no warehouse. A parameter the account does not show is left out (its gauge disappears).
import type { ParametersPosture } from '../posture.ts';
import type { Source, SourceContext, SourceRunResult } from '../source.ts';
import { readRows } from './snapshot.ts';
import { textOf } from './values.ts';

export const GUARDRAIL_PARAMETERS: readonly string[] = [
  'PREVENT_UNLOAD_TO_INLINE_URL',
  'REQUIRE_STORAGE_INTEGRATION_FOR_STAGE_CREATION',
  'REQUIRE_STORAGE_INTEGRATION_FOR_STAGE_OPERATION',
  'PREVENT_UNLOAD_TO_INTERNAL_STAGES',
];

export const SHOW_ACCOUNT_PARAMETERS_SQL = 'SHOW PARAMETERS IN ACCOUNT';

export class ParametersPostureSource implements Source {
  readonly id = 'parameters';
  readonly view = SHOW_ACCOUNT_PARAMETERS_SQL;
  readonly needsWarehouse = false;
  readonly critical = false;

  async run(context: SourceContext): Promise<SourceRunResult> {
    const rows = await readRows(context, this.id, this.view, SHOW_ACCOUNT_PARAMETERS_SQL);
    const values = new Map<string, string>();
    for (const row of rows) {
      const key = textOf(row, 'key');
      if (key !== null) values.set(key.toUpperCase(), textOf(row, 'value') ?? '');
    }
    const parameters = GUARDRAIL_PARAMETERS.flatMap((name) => {
      const value = values.get(name);
      return value === undefined ? [] : [{ name, value, safe: value.trim().toLowerCase() === 'true' }];
    });
    const data: ParametersPosture = { kind: 'parameters', parameters };
    context.publishPosture({ account: context.account.name, takenAt: context.snowflakeNow, data });
    return { rows: rows.length, delivered: 0 };
  }
}
