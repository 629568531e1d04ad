// Turns one posture snapshot into the rows of the posture gauges, once, when the snapshot arrives: label values are
// normalised to their vocabularies and every per-object metric is cut to a top-N, so a scrape only copies rows.
import type {
  AdminsPosture,
  ParametersPosture,
  PostureData,
  SharesPosture,
  TrustCenterPosture,
  UsersPosture,
} from '../../collect/posture.ts';
import { userTypeLabel, type Vocabularies } from './labels.ts';

/** The posture gauges, by the metric name after the namespace, with their labels besides `account`. */
export const POSTURE_GAUGES = {
  users: {
    kind: 'users',
    labelNames: ['user_type', 'has_password', 'has_mfa', 'has_rsa_public_key'],
    help: 'Enabled users by user type and credential state (has_mfa "unknown" on an account without USERS.HAS_MFA).',
  },
  users_without_mfa: {
    kind: 'users',
    labelNames: ['user_type'],
    help: 'Enabled users with a password and no MFA, by user type (detection mfa.password_user_without_mfa counts person and unset); absent where whether users have MFA is unknown (no USERS.HAS_MFA).',
  },
  users_mfa_bypass_active: {
    kind: 'users',
    labelNames: [],
    help: 'Enabled users with an MFA bypass window still open.',
  },
  stale_enabled_users: {
    kind: 'users',
    labelNames: [],
    help: 'Enabled users whose last successful login is older than the stale threshold, or who never logged in.',
  },
  stale_user_threshold_seconds: {
    kind: 'users',
    labelNames: [],
    help: 'Age of the last login beyond which an enabled user counts as stale.',
  },
  admin_users: {
    kind: 'admins',
    labelNames: ['role'],
    help: 'Users holding the admin role directly or through the role hierarchy.',
  },
  admin_users_without_mfa: {
    kind: 'admins',
    labelNames: ['role'],
    help: 'Users without MFA holding the admin role directly or through the role hierarchy; absent where whether users have MFA is unknown (no USERS.HAS_MFA).',
  },
  outbound_shares_known: {
    kind: 'shares',
    labelNames: [],
    help:
      'Whether the account\'s outbound shares are all known (1: ACCOUNT_USAGE.SHARES was read) or not (0: only SHOW ' +
      'SHARES answered, which lists only the shares the role has privileges on; the two totals below are then absent).',
  },
  outbound_shares: {
    kind: 'shares',
    labelNames: [],
    help: 'Outbound shares of the account (absent while snowflake_risk_outbound_shares_known is 0).',
  },
  outbound_share_consumer_accounts: {
    kind: 'shares',
    labelNames: [],
    help: 'Distinct consumer accounts across all outbound shares (absent while snowflake_risk_outbound_shares_known is 0).',
  },
  share_consumer_accounts: {
    kind: 'shares',
    labelNames: ['share'],
    help: 'Consumer accounts of each outbound share (top shares by consumer count; see snowflake_risk_posture_series_capped).',
  },
  guardrail_parameter_safe: {
    kind: 'parameters',
    labelNames: ['parameter'],
    help: 'Whether the exfiltration guardrail parameter is in its safe state (1) or not (0).',
  },
  trust_center_findings: {
    kind: 'trust_center',
    labelNames: ['package', 'scanner', 'severity'],
    help: 'Trust Center findings open now (latest state OPEN in ACCOUNT_USAGE.TRUST_CENTER_FINDINGS), by package, scanner and severity.',
  },
} as const satisfies Record<string, { kind: PostureData['kind']; labelNames: readonly string[]; help: string }>;

export type PostureGaugeName = keyof typeof POSTURE_GAUGES;

export interface PostureRow {
  /** Labels besides `account`. */
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface PostureSeries {
  readonly rows: ReadonlyMap<PostureGaugeName, readonly PostureRow[]>;
  /** Whether a per-object metric had more objects than the limit and was cut to its top-N. */
  readonly capped: boolean;
}

const sum = (a: number, b: number): number => a + b;

/** Accumulates rows, summing values whose labels collide after normalisation (e.g. two unknown severities). */
class RowSet {
  readonly #rows = new Map<string, { labels: Record<string, string>; value: number }>();

  add(labels: Record<string, string>, value: number, combine: (a: number, b: number) => number = sum): void {
    if (!Number.isFinite(value)) return;
    const key = JSON.stringify(labels);
    const existing = this.#rows.get(key);
    if (existing) existing.value = combine(existing.value, value);
    else this.#rows.set(key, { labels, value });
  }

  /** The rows, cut to the `limit` largest values (ties by labels) when there are more. */
  top(limit: number): { rows: PostureRow[]; capped: boolean } {
    const rows = [...this.#rows.entries()];
    if (rows.length <= limit) return { rows: rows.map(([, row]) => row), capped: false };
    rows.sort(([keyA, a], [keyB, b]) => b.value - a.value || (keyA < keyB ? -1 : keyA > keyB ? 1 : 0));
    return { rows: rows.slice(0, limit).map(([, row]) => row), capped: true };
  }

  all(): PostureRow[] {
    return [...this.#rows.values()];
  }
}

const bool = (value: boolean): string => (value ? 'true' : 'false');
const nonNegative = (value: number): number => (Number.isFinite(value) && value > 0 ? value : 0);

function usersRows(data: UsersPosture, vocab: Vocabularies): Map<PostureGaugeName, PostureRow[]> {
  const users = new RowSet();
  const withoutMfa = new RowSet();
  // Where whether users have MFA is unknown, the without-MFA gauge has no rows at all: unknown is never published as 0.
  const mfaKnown = data.counts.every((count) => count.hasMfa !== null);
  // Every user type gets a without-MFA row (0 when none), so an alert on it has a series to evaluate.
  if (mfaKnown) for (const userType of vocab.userType.values) withoutMfa.add({ user_type: userType }, 0);
  for (const count of data.counts) {
    const userType = userTypeLabel(vocab.userType, count.userType);
    const value = nonNegative(count.users);
    users.add(
      {
        user_type: userType,
        has_password: bool(count.hasPassword),
        has_mfa: count.hasMfa === null ? 'unknown' : bool(count.hasMfa),
        has_rsa_public_key: bool(count.hasRsaPublicKey),
      },
      value,
    );
    if (mfaKnown && count.hasPassword && count.hasMfa === false) withoutMfa.add({ user_type: userType }, value);
  }
  return new Map<PostureGaugeName, PostureRow[]>([
    ['users', users.all()],
    ['users_without_mfa', withoutMfa.all()],
    ['users_mfa_bypass_active', [{ labels: {}, value: nonNegative(data.mfaBypassActive) }]],
    ['stale_enabled_users', [{ labels: {}, value: nonNegative(data.staleEnabledUsers) }]],
    ['stale_user_threshold_seconds', [{ labels: {}, value: nonNegative(data.staleAfterDays) * 86_400 }]],
  ]);
}

interface Built {
  readonly rows: Map<PostureGaugeName, PostureRow[]>;
  readonly capped: boolean;
}

function adminsRows(data: AdminsPosture, limit: number): Built {
  const users = new RowSet();
  for (const role of data.roles) users.add({ role: role.role }, nonNegative(role.users));
  // The role set is chosen by admin_users (the largest roles) and reused so both metrics cover the same roles.
  const { rows, capped } = users.top(limit);
  const kept = new Set(rows.map((row) => row.labels.role));
  const withoutMfa = new RowSet();
  for (const role of data.roles) {
    // Unknown (no USERS.HAS_MFA) is left out, never published as 0.
    if (kept.has(role.role) && role.usersWithoutMfa !== null) withoutMfa.add({ role: role.role }, nonNegative(role.usersWithoutMfa));
  }
  return {
    rows: new Map<PostureGaugeName, PostureRow[]>([
      ['admin_users', rows],
      ['admin_users_without_mfa', withoutMfa.all()],
    ]),
    capped,
  };
}

function sharesRows(data: SharesPosture, limit: number): Built {
  const perShare = new RowSet();
  const consumers = new Set<string>();
  for (const share of data.outbound) {
    perShare.add({ share: share.name }, share.consumerAccounts.length);
    for (const consumer of share.consumerAccounts) consumers.add(consumer.toUpperCase());
  }
  const { rows, capped } = perShare.top(limit);
  // A partial list (SHOW SHARES only) still says true things about the shares it lists, but its totals would read
  // as "0 outbound shares" on an account the role simply cannot see: they are left out, and the known gauge says so.
  const totals: [PostureGaugeName, PostureRow[]][] = data.complete
    ? [
        ['outbound_shares', [{ labels: {}, value: data.outbound.length }]],
        ['outbound_share_consumer_accounts', [{ labels: {}, value: consumers.size }]],
      ]
    : [];
  return {
    rows: new Map<PostureGaugeName, PostureRow[]>([
      ['outbound_shares_known', [{ labels: {}, value: data.complete ? 1 : 0 }]],
      ...totals,
      ['share_consumer_accounts', rows],
    ]),
    capped,
  };
}

function parametersRows(data: ParametersPosture, limit: number): Built {
  const safe = new RowSet();
  // A parameter listed twice is safe only if every report says so.
  for (const parameter of data.parameters) safe.add({ parameter: parameter.name }, parameter.safe ? 1 : 0, Math.min);
  const { rows, capped } = safe.top(limit);
  return { rows: new Map<PostureGaugeName, PostureRow[]>([['guardrail_parameter_safe', rows]]), capped };
}

function trustCenterRows(data: TrustCenterPosture, vocab: Vocabularies, limit: number): Built {
  const findings = new RowSet();
  for (const finding of data.findings) {
    findings.add(
      {
        package: finding.scannerPackage,
        scanner: finding.scanner,
        severity: vocab.trustCenterSeverity.label(finding.severity.trim().toLowerCase()),
      },
      nonNegative(finding.openFindings),
    );
  }
  const { rows, capped } = findings.top(limit);
  return { rows: new Map<PostureGaugeName, PostureRow[]>([['trust_center_findings', rows]]), capped };
}

/**
 * The gauge rows one snapshot contributes. `limit` caps every metric whose labels name objects of the account
 * (roles, shares, parameters, Trust Center scanners) to its top-N rows by value.
 */
export function postureSeries(data: PostureData, vocab: Vocabularies, limit: number): PostureSeries {
  switch (data.kind) {
    case 'users':
      return { rows: usersRows(data, vocab), capped: false };
    case 'admins':
      return adminsRows(data, limit);
    case 'shares':
      return sharesRows(data, limit);
    case 'parameters':
      return parametersRows(data, limit);
    case 'trust_center':
      return trustCenterRows(data, vocab, limit);
    default:
      // A kind this build does not know contributes nothing rather than a malformed series.
      return { rows: new Map(), capped: false };
  }
}
