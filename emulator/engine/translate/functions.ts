// Which function names reach DuckDB unchanged. The translator rewrites the Snowflake functions whose DuckDB namesake
// differs (translate.ts); every other name passes through only if it is on this allow-list: a Snowflake function
// (https://docs.snowflake.com/en/sql-reference/functions-all) that DuckDB implements under the same name with the
// same meaning for the arguments the exporter gives it. A name on neither list fails the way Snowflake fails for a
// function it does not know (002140 "Unknown function X"), so a DuckDB-only function (list_value, regexp_matches,
// strftime, json_extract ...) can never make a statement pass here that a real account would refuse.

import type { SqlType } from './types.ts';

/** Result type of a passed-through call: a fixed type, the first argument's, or the first typed argument's. */
export type ResultRule = SqlType | 'FIRST_ARGUMENT' | 'FIRST_TYPED_ARGUMENT' | 'AVERAGE';

const rules = (type: ResultRule, names: readonly string[]): [string, ResultRule][] => names.map((name) => [name, type]);

export const PASS_THROUGH_FUNCTIONS: ReadonlyMap<string, ResultRule> = new Map([
  // Aggregate and window functions: https://docs.snowflake.com/en/sql-reference/functions-aggregation,
  // https://docs.snowflake.com/en/sql-reference/functions-window (STDDEV is the sample deviation in both).
  ...rules('NUMBER', ['COUNT', 'ROW_NUMBER', 'RANK', 'DENSE_RANK', 'NTILE']),
  ...rules('FLOAT', ['STDDEV', 'STDDEV_SAMP', 'STDDEV_POP', 'VARIANCE', 'VAR_SAMP', 'VAR_POP', 'PERCENT_RANK', 'CUME_DIST']),
  ...rules('FIRST_ARGUMENT', ['MIN', 'MAX', 'SUM', 'ANY_VALUE', 'LAG', 'LEAD', 'FIRST_VALUE', 'LAST_VALUE', 'NTH_VALUE']),
  ...rules('AVERAGE', ['AVG']),
  // Conditional expressions: https://docs.snowflake.com/en/sql-reference/functions/coalesce, .../nullif
  ...rules('FIRST_TYPED_ARGUMENT', ['COALESCE']),
  ...rules('FIRST_ARGUMENT', ['NULLIF']),
  // String functions: https://docs.snowflake.com/en/sql-reference/functions-string
  ...rules('TEXT', ['UPPER', 'LOWER', 'TRIM', 'LTRIM', 'RTRIM', 'LEFT', 'RIGHT', 'REVERSE', 'REPEAT', 'MD5', 'CHR']),
  // Positions count from 1, negative ones from the end, in both (https://docs.snowflake.com/en/sql-reference/functions/substr,
  // https://docs.snowflake.com/en/sql-reference/functions/split_part).
  ...rules('TEXT', ['SUBSTR', 'SUBSTRING', 'SPLIT_PART']),
  ...rules('NUMBER', ['LENGTH', 'LEN', 'ASCII']),
  ...rules('BOOLEAN', ['CONTAINS']),
  // Numeric functions: https://docs.snowflake.com/en/sql-reference/functions-numeric
  ...rules('FIRST_ARGUMENT', ['ABS', 'CEIL', 'FLOOR', 'ROUND', 'MOD']),
  ...rules('NUMBER', ['SIGN']),
  ...rules('FLOAT', ['SQRT', 'EXP', 'POWER', 'POW']),
  // Date parts in the session time zone: https://docs.snowflake.com/en/sql-reference/functions/year
  ...rules('NUMBER', ['YEAR', 'QUARTER', 'MONTH', 'DAY', 'DAYOFMONTH', 'DAYOFYEAR', 'HOUR', 'MINUTE', 'SECOND']),
]);

/**
 * Snowflake functions whose results DuckDB cannot reproduce: refused by name as an emulator limitation (001003)
 * rather than answered differently or reported as unknown.
 */
export const UNSUPPORTED_FUNCTIONS: ReadonlySet<string> = new Set([
  'HASH', 'HASH_AGG', 'SEQ1', 'SEQ2', 'SEQ4', 'SEQ8', 'GENERATOR', 'UNIFORM', 'RANDSTR', 'NORMAL', 'ZIPF',
  'REGEXP_INSTR', 'MATCH_RECOGNIZE', 'AT', 'BEFORE', 'CHANGES', 'SAMPLE', 'TABLESAMPLE', 'RESULT_SCAN',
  'ARRAY_CONSTRUCT_COMPACT', 'OBJECT_CONSTRUCT_KEEP_NULL', 'TIME_SLICE',
]);
