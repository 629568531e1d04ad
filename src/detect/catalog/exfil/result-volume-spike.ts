// SF-08: a user reads far more data than they usually do. Per user and day, the sum of BYTES_WRITTEN_TO_RESULT is
// compared with the same user's daily sums over the previous 30 days: z = (today - mean) / stddev > 3 and more than
// 1 MB. A user whose volume is large every day (a BI service reading 4 GB a day) has a large mean and stddev too, so
// only a departure from their own habit fires. Days without queries are not in the baseline (people do not work
// every day); a user with fewer than 5 baseline days is not judged. Runs in Snowflake; days follow the session's
// TIMEZONE. Evidence: the day's queries that each wrote more than the user's whole usual day (at least the largest).
import { EXPORTER_QUERY_TAG } from '../../../snowflake/account-client.ts';
import type { SqlDetection } from '../../types.ts';
import { numberParameter } from '../mfa/parameters.ts';

const DAY_MS = 86_400_000;
export const DEFAULT_BASELINE_DAYS = 30;
export const DEFAULT_MIN_BASELINE_DAYS = 5;
export const DEFAULT_Z_SCORE = 3;
export const DEFAULT_MIN_DAILY_BYTES = 1_000_000;
/** Most evidence queries per finding (the runner keeps 50 as well). */
const MAX_EVIDENCE_QUERIES = 50;

export const RESULT_VOLUME_SPIKE_SQL = `WITH DAILY AS (
  SELECT USER_NAME, DATE_TRUNC('DAY', START_TIME) AS DAY, SUM(BYTES_WRITTEN_TO_RESULT) AS BYTES
  FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY
  WHERE START_TIME >= ? AND START_TIME < ?
    AND USER_NAME IS NOT NULL
    AND COALESCE(QUERY_TAG, '') <> ?
  GROUP BY 1, 2
),
SCORED AS (
  SELECT d.USER_NAME, d.DAY, d.BYTES,
         AVG(b.BYTES) AS BASELINE_MEAN,
         STDDEV(b.BYTES) AS BASELINE_STDDEV,
         COUNT(b.BYTES) AS BASELINE_DAYS
  FROM DAILY d
  JOIN DAILY b ON b.USER_NAME = d.USER_NAME AND b.DAY < d.DAY AND DATEDIFF(DAY, b.DAY, d.DAY) <= ?
  WHERE d.DAY >= ?
  GROUP BY d.USER_NAME, d.DAY, d.BYTES
),
SPIKES AS (
  SELECT USER_NAME, DAY, BYTES, BASELINE_MEAN, BASELINE_STDDEV, BASELINE_DAYS,
         (BYTES - BASELINE_MEAN) / NULLIF(BASELINE_STDDEV, 0) AS Z_SCORE
  FROM SCORED
  WHERE BASELINE_DAYS >= ?
    AND BYTES > ?
    AND (BYTES - BASELINE_MEAN) / NULLIF(BASELINE_STDDEV, 0) > ?
),
RANKED AS (
  SELECT s.USER_NAME, s.DAY, q.QUERY_ID, q.END_TIME, q.BYTES_WRITTEN_TO_RESULT AS QUERY_BYTES, s.BASELINE_MEAN,
         ROW_NUMBER() OVER (PARTITION BY s.USER_NAME, s.DAY ORDER BY q.BYTES_WRITTEN_TO_RESULT DESC, q.QUERY_ID) AS RN
  FROM SPIKES s
  JOIN SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY q
    ON q.USER_NAME = s.USER_NAME AND DATE_TRUNC('DAY', q.START_TIME) = s.DAY
  WHERE q.START_TIME >= ? AND q.START_TIME < ?
    AND COALESCE(q.QUERY_TAG, '') <> ?
)
SELECT s.USER_NAME,
       MAX(r.END_TIME) AS EVENT_TIME,
       ARRAY_AGG(r.QUERY_ID) WITHIN GROUP (ORDER BY r.QUERY_ID) AS EVIDENCE_IDS,
       'Wrote ' || TO_VARCHAR(ROUND(s.BYTES / 1000000, 1)) || ' MB to query results in one day against a usual '
         || TO_VARCHAR(ROUND(s.BASELINE_MEAN / 1000000, 1)) || ' MB (z = ' || TO_VARCHAR(ROUND(s.Z_SCORE, 1)) || ')' AS REASON,
       OBJECT_CONSTRUCT(
         'day', TO_VARCHAR(s.DAY::DATE),
         'dailyBytes', s.BYTES,
         'baselineMeanBytes', ROUND(s.BASELINE_MEAN),
         'baselineStddevBytes', ROUND(s.BASELINE_STDDEV),
         'baselineDays', s.BASELINE_DAYS,
         'zScore', ROUND(s.Z_SCORE, 2)
       ) AS ATTRIBUTES
FROM SPIKES s
JOIN RANKED r ON r.USER_NAME = s.USER_NAME AND r.DAY = s.DAY
WHERE r.RN = 1 OR (r.RN <= ${MAX_EVIDENCE_QUERIES} AND r.QUERY_BYTES > r.BASELINE_MEAN)
GROUP BY s.USER_NAME, s.DAY, s.BYTES, s.BASELINE_MEAN, s.BASELINE_STDDEV, s.BASELINE_DAYS, s.Z_SCORE
ORDER BY s.DAY, s.USER_NAME`;

function startOfUtcDay(time: Date): Date {
  return new Date(time.getTime() - (time.getTime() % DAY_MS));
}

export const resultVolumeSpike: SqlDetection = {
  kind: 'sql',
  id: 'exfil.result_volume_spike',
  catalog: 'SF-08',
  title: 'Per-user daily result volume far above the user\'s baseline',
  severity: 'high',
  family: 'exfil',
  views: ['QUERY_HISTORY'],
  requires: 'QUERY_HISTORY.BYTES_WRITTEN_TO_RESULT (bundle 2024_02)',
  parameters: {
    baselineDays: { description: 'Days before the judged day that form the user\'s baseline.', default: DEFAULT_BASELINE_DAYS },
    minBaselineDays: { description: 'Fewest days with queries in the baseline for the user to be judged at all.', default: DEFAULT_MIN_BASELINE_DAYS },
    zScore: { description: 'How many standard deviations above the user\'s mean a day must be.', default: DEFAULT_Z_SCORE },
    minDailyBytes: { description: 'Floor: a day below this many bytes is never reported.', default: DEFAULT_MIN_DAILY_BYTES },
  },
  metrics: ['snowflake_risk_findings_total'],
  runbook: 'exfil-result_volume_spike',
  description:
    'For each user and day touched by the window, SUM(BYTES_WRITTEN_TO_RESULT) is compared with that user\'s daily ' +
    'sums on the days with queries among the previous 30: reported when z = (day - mean) / stddev > 3 and the day ' +
    'exceeds 1 MB, with at least 5 baseline days. High but habitual volumes do not fire. Evidence: the day\'s queries ' +
    'that each wrote more than the user\'s mean day (at least the largest one, at most 50). The current day is judged ' +
    'as it goes: a later large query that day joins the evidence and the grown spike is reported once more.',
  schedule: 'query_history',
  statement: (window, parameters) => {
    const baselineDays = Math.max(2, Math.round(numberParameter(parameters, 'baselineDays', DEFAULT_BASELINE_DAYS)));
    const firstDay = startOfUtcDay(window.from);
    const historyFrom = new Date(firstDay.getTime() - baselineDays * DAY_MS);
    return {
      sql: RESULT_VOLUME_SPIKE_SQL,
      bindings: [
        historyFrom,
        window.to,
        EXPORTER_QUERY_TAG,
        baselineDays,
        firstDay,
        Math.max(2, Math.round(numberParameter(parameters, 'minBaselineDays', DEFAULT_MIN_BASELINE_DAYS))),
        numberParameter(parameters, 'minDailyBytes', DEFAULT_MIN_DAILY_BYTES),
        numberParameter(parameters, 'zScore', DEFAULT_Z_SCORE),
        firstDay,
        window.to,
        EXPORTER_QUERY_TAG,
      ],
    };
  },
};
