// Snowflake date/time part names (with their documented abbreviations) mapped to DuckDB's part names.

const ALIASES: Record<string, readonly string[]> = {
  year: ['YEAR', 'YEARS', 'Y', 'YY', 'YYY', 'YYYY', 'YR', 'YRS'],
  quarter: ['QUARTER', 'QUARTERS', 'Q', 'QTR', 'QTRS'],
  month: ['MONTH', 'MONTHS', 'MM', 'MON', 'MONS'],
  week: ['WEEK', 'WEEKS', 'W', 'WK', 'WEEKOFYEAR', 'WOY', 'WY'],
  day: ['DAY', 'DAYS', 'D', 'DD', 'DAYOFMONTH'],
  hour: ['HOUR', 'HOURS', 'H', 'HH', 'HR', 'HRS'],
  minute: ['MINUTE', 'MINUTES', 'M', 'MI', 'MIN', 'MINS'],
  second: ['SECOND', 'SECONDS', 'S', 'SEC', 'SECS'],
  millisecond: ['MILLISECOND', 'MILLISECONDS', 'MS', 'MSEC'],
  microsecond: ['MICROSECOND', 'MICROSECONDS', 'US', 'USEC'],
  nanosecond: ['NANOSECOND', 'NANOSECONDS', 'NS', 'NSEC', 'NANOSEC', 'NSECOND', 'NANOSECS'],
};

const BY_ALIAS = new Map<string, string>();
for (const [unit, aliases] of Object.entries(ALIASES)) for (const alias of aliases) BY_ALIAS.set(alias, unit);

export function canonicalUnit(name: string): string | undefined {
  return BY_ALIAS.get(name.toUpperCase());
}

/** DuckDB interval constructors per unit, for DATEADD; quarter is three months. */
export function intervalFor(unit: string, amount: string): string | undefined {
  const n = `CAST(${amount} AS BIGINT)`;
  switch (unit) {
    case 'year':
      return `to_years(${n})`;
    case 'quarter':
      return `to_months(${n} * 3)`;
    case 'month':
      return `to_months(${n})`;
    case 'week':
      return `to_weeks(${n})`;
    case 'day':
      return `to_days(${n})`;
    case 'hour':
      return `to_hours(${n})`;
    case 'minute':
      return `to_minutes(${n})`;
    case 'second':
      return `to_seconds(${n})`;
    case 'millisecond':
      return `to_milliseconds(${n})`;
    case 'microsecond':
      return `to_microseconds(${n})`;
    default:
      return undefined;
  }
}
