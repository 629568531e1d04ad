// Counters derived from the raw events every sink receives: share changes, logins by factor, and the exfiltration
// signals of the UNC5537 path (stage unloads, GETs, unloads to external locations, bytes written to results).
// Labels come from fixed sets only; an unexpected Snowflake value becomes 'other'.
import { Counter, type Registry } from 'prom-client';
import { executionSucceeded } from '../../collect/execution-status.ts';
import type { LoginEvent, QueryEvent, ShareAction, ShareEvent, SnowflakeEvent } from '../../collect/events.ts';
import { LabelVocabulary, type Vocabularies } from './labels.ts';
import { NAMESPACE } from './namespace.ts';

export const SHARE_ACTIONS = [
  'created',
  'dropped',
  'accounts_added',
  'accounts_removed',
  'object_granted',
  'object_revoked',
  'reader_account_created',
  'listing_changed',
] as const satisfies readonly ShareAction[];
export const OUTCOMES = ['success', 'failure'] as const;
/** LOGIN_HISTORY.FIRST_AUTHENTICATION_FACTOR values, lower-cased. */
export const FIRST_FACTORS = [
  'password',
  'rsa_keypair',
  'oauth_access_token',
  'saml2_assertion',
  'programmatic_access_token',
  'workload_identity',
] as const;
/** LOGIN_HISTORY.SECOND_AUTHENTICATION_FACTOR values, lower-cased; NULL (no second factor) is 'none'. */
export const SECOND_FACTORS = ['none', 'duo_push', 'duo_passcode', 'duo_call', 'mfa_token', 'totp', 'passkey'] as const;

/** `COPY INTO @stage` (optionally quoted): the destination is a stage; any other COPY INTO target is a location. */
const UNLOAD_TO_STAGE = /copy\s+into\s+(?:\$\$|'|")?@/i;
const UNLOAD_TARGET = /copy\s+into\s+\S/i;

export type UnloadDestination = 'stage' | 'external' | 'unknown';

/** Where an UNLOAD wrote to, from its (possibly redacted) text; 'unknown' when the text is not available. */
export function unloadDestination(event: Pick<QueryEvent, 'queryText'>): UnloadDestination {
  const text = event.queryText;
  if (text === null || !UNLOAD_TARGET.test(text)) return 'unknown';
  return UNLOAD_TO_STAGE.test(text) ? 'stage' : 'external';
}

function factorLabel(vocabulary: LabelVocabulary, value: string | null, nullValue: string): string {
  if (value === null || value.trim() === '') return nullValue;
  return vocabulary.label(value.trim().toLowerCase());
}

const FIRST_FACTOR_VOCABULARY = new LabelVocabulary(FIRST_FACTORS);
const SECOND_FACTOR_VOCABULARY = new LabelVocabulary(SECOND_FACTORS);

/** The bounded label values of a login: shared by the account counter and the per-user gauge, so they always agree. */
export function loginLabels(event: Pick<LoginEvent, 'success' | 'firstAuthenticationFactor' | 'secondAuthenticationFactor'>): {
  outcome: (typeof OUTCOMES)[number];
  first_factor: string;
  second_factor: string;
} {
  return {
    outcome: event.success ? 'success' : 'failure',
    first_factor: factorLabel(FIRST_FACTOR_VOCABULARY, event.firstAuthenticationFactor, 'other'),
    second_factor: factorLabel(SECOND_FACTOR_VOCABULARY, event.secondAuthenticationFactor, 'none'),
  };
}

/** Whether a query event is a successful unload whose destination (stage or external location) is known. */
export function isKnownUnload(event: Pick<QueryEvent, 'executionStatus' | 'queryType' | 'queryText'>): boolean {
  return executionSucceeded(event.executionStatus) && event.queryType?.toUpperCase() === 'UNLOAD' && unloadDestination(event) !== 'unknown';
}

export class SignalMetrics {
  readonly #vocab: Vocabularies;
  readonly #shareAction = new LabelVocabulary(SHARE_ACTIONS);
  readonly #shareEvents: Counter<'account' | 'action' | 'outcome'>;
  readonly #logins: Counter<'account' | 'outcome' | 'first_factor' | 'second_factor'>;
  readonly #stageUnloads: Counter<'account'>;
  readonly #stageGets: Counter<'account'>;
  readonly #externalUnloads: Counter<'account'>;
  readonly #resultBytes: Counter<'account'>;

  constructor(registry: Registry, vocab: Vocabularies) {
    this.#vocab = vocab;
    const registers = [registry];
    this.#shareEvents = new Counter({
      name: `${NAMESPACE}share_events_total`,
      help: 'Outbound share changes seen, by action and outcome (a failed CREATE SHARE is a failure).',
      labelNames: ['account', 'action', 'outcome'],
      registers,
    });
    this.#logins = new Counter({
      name: `${NAMESPACE}logins_total`,
      help: 'Login attempts by outcome and authentication factors (second_factor="none": no second factor).',
      labelNames: ['account', 'outcome', 'first_factor', 'second_factor'],
      registers,
    });
    this.#stageUnloads = new Counter({
      name: `${NAMESPACE}stage_unloads_total`,
      help: 'Successful COPY INTO @stage unloads (UNC5537 staging step) seen in query events.',
      labelNames: ['account'],
      registers,
    });
    this.#stageGets = new Counter({
      name: `${NAMESPACE}stage_gets_total`,
      help: 'Successful GET commands (files downloaded from a stage) seen in query events.',
      labelNames: ['account'],
      registers,
    });
    this.#externalUnloads = new Counter({
      name: `${NAMESPACE}external_unloads_total`,
      help: 'Successful unloads to an external location or inline URL (COPY INTO not targeting @stage).',
      labelNames: ['account'],
      registers,
    });
    this.#resultBytes = new Counter({
      name: `${NAMESPACE}query_result_bytes_total`,
      help: "Bytes written to query results (QUERY_HISTORY.BYTES_WRITTEN_TO_RESULT) by the account's users' queries delivered as events.",
      labelNames: ['account'],
      registers,
    });
    for (const account of vocab.account.values) {
      for (const counter of [this.#stageUnloads, this.#stageGets, this.#externalUnloads, this.#resultBytes]) counter.inc({ account }, 0);
    }
  }

  /** Counts one event delivered for the first time. */
  count(event: SnowflakeEvent): void {
    const account = this.#vocab.account.label(event.account);
    switch (event.kind) {
      case 'query':
        this.#countQuery(account, event);
        break;
      case 'login':
        this.#countLogin(account, event);
        break;
      case 'share':
        this.#countShare(account, event);
        break;
      case 'grant':
        break;
    }
  }

  #countQuery(account: string, event: QueryEvent): void {
    const bytes = event.bytesWrittenToResult;
    if (Number.isFinite(bytes) && bytes > 0) this.#resultBytes.inc({ account }, bytes);
    if (!executionSucceeded(event.executionStatus)) return;
    const type = event.queryType?.toUpperCase();
    if (type === 'GET_FILES') this.#stageGets.inc({ account });
    if (type === 'UNLOAD') {
      const destination = unloadDestination(event);
      if (destination === 'stage') this.#stageUnloads.inc({ account });
      else if (destination === 'external') this.#externalUnloads.inc({ account });
    }
  }

  #countLogin(account: string, event: LoginEvent): void {
    this.#logins.inc({ account, ...loginLabels(event) });
  }

  #countShare(account: string, event: ShareEvent): void {
    this.#shareEvents.inc({ account, action: this.#shareAction.label(event.action), outcome: event.succeeded ? 'success' : 'failure' });
  }
}
