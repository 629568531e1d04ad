// Why a delivery or a watermark commit did not happen. Messages name the account, stream, sinks and counts only:
// never event contents, ids or a sink's own error text (which could echo a payload). The scheduler maps `kind` to
// a self-metric error kind, exposed as `errorKind` for the scheduler's classifier (KindedError): sink/backlog ->
// 'sink', state -> 'state', aborted -> 'timeout', uncommitted -> 'internal'.
import type { SourceErrorKind } from './observer.ts';

export type DeliveryErrorKind =
  | 'sink' // at least one sink rejected a batch; it stays uncommitted and is offered again on the next read
  | 'state' // the state store failed (see `cause`, a StateStoreError); nothing was committed
  | 'aborted' // the signal fired before every batch was handed over
  | 'backlog' // too many records are waiting for a failing sink; new ones were not sent (bounded memory)
  | 'uncommitted'; // a watermark was refused because records read in this window are not committed yet

export type DeliveryErrorCode = `DELIVERY_${Uppercase<DeliveryErrorKind>}`;

export interface DeliveryErrorDetails {
  readonly account: string;
  readonly stream: string;
  /** Sinks that rejected (kind 'sink' or 'aborted'). */
  readonly failedSinks?: readonly string[];
  /** How many records the failed operation concerned. */
  readonly records?: number;
  /** Only StateStoreErrors are attached: they carry no event data. Sink errors are not (see the header). */
  readonly cause?: unknown;
}

const SOURCE_ERROR_KIND: Readonly<Record<DeliveryErrorKind, SourceErrorKind>> = {
  sink: 'sink',
  backlog: 'sink',
  state: 'state',
  aborted: 'timeout',
  uncommitted: 'internal',
};

export class DeliveryError extends Error {
  readonly kind: DeliveryErrorKind;
  /** The self-metric kind (see src/collect/error-kind.ts). */
  readonly errorKind: SourceErrorKind;
  readonly code: DeliveryErrorCode;
  readonly account: string;
  readonly stream: string;
  readonly failedSinks: readonly string[];
  readonly records: number;

  constructor(kind: DeliveryErrorKind, message: string, details: DeliveryErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'DeliveryError';
    this.kind = kind;
    this.errorKind = SOURCE_ERROR_KIND[kind];
    this.code = `DELIVERY_${kind.toUpperCase() as Uppercase<DeliveryErrorKind>}`;
    this.account = details.account;
    this.stream = details.stream;
    this.failedSinks = details.failedSinks ?? [];
    this.records = details.records ?? 0;
  }
}
