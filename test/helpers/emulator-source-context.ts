// A small, real SourceContext for tests: watermarks, delivered ids and posture snapshots kept in memory. It follows
// the contract in src/collect/source.ts (already-delivered ids are dropped, watermarks only move when committed) but
// none of the durability or sink fan-out of the real delivery pipeline, which it is meant to be replaced by.
import type { Finding, SnowflakeEvent } from '../../src/collect/events.ts';
import type { PostureData, PostureSnapshot } from '../../src/collect/posture.ts';
import type { SourceContext } from '../../src/collect/source.ts';
import type { AccountConfig } from '../../src/config/types.ts';
import type { SqlApiClient } from '../../src/snowflake/sqlapi/index.ts';

export interface DeliveryRecord {
  readonly stream: string;
  readonly events: readonly SnowflakeEvent[];
  readonly findings: readonly Finding[];
}

/** State that outlives one cycle (what the state store holds in production). */
export class InMemoryCollectionState {
  readonly watermarks = new Map<string, Date>();
  readonly deliveredIds = new Map<string, Set<string>>();
  /** Every accepted (new) event, in delivery order. */
  readonly events: SnowflakeEvent[] = [];
  readonly findings: Finding[] = [];
  /** Every deliver() call as offered (before dedupe): lets tests check chunking. */
  readonly deliveries: DeliveryRecord[] = [];
  readonly postures = new Map<PostureData['kind'], PostureSnapshot>();

  eventsOf<K extends SnowflakeEvent['kind']>(kind: K): Extract<SnowflakeEvent, { kind: K }>[] {
    return this.events.filter((event): event is Extract<SnowflakeEvent, { kind: K }> => event.kind === kind);
  }

  posture<K extends PostureData['kind']>(kind: K): Extract<PostureData, { kind: K }> | undefined {
    return this.postures.get(kind)?.data as Extract<PostureData, { kind: K }> | undefined;
  }
}

export interface RecordingContextOptions {
  readonly account: AccountConfig;
  readonly client: SqlApiClient;
  readonly snowflakeNow: Date;
  readonly state?: InMemoryCollectionState;
  readonly signal?: AbortSignal;
}

export class RecordingSourceContext implements SourceContext {
  readonly account: AccountConfig;
  readonly client: SqlApiClient;
  readonly snowflakeNow: Date;
  readonly signal: AbortSignal;
  readonly state: InMemoryCollectionState;

  constructor(options: RecordingContextOptions) {
    this.account = options.account;
    this.client = options.client;
    this.snowflakeNow = options.snowflakeNow;
    this.signal = options.signal ?? new AbortController().signal;
    this.state = options.state ?? new InMemoryCollectionState();
  }

  position(stream: string): Date | undefined {
    return this.state.watermarks.get(stream);
  }

  deliver(stream: string, events: readonly SnowflakeEvent[], findings: readonly Finding[]): Promise<number> {
    this.state.deliveries.push({ stream, events, findings });
    let seen = this.state.deliveredIds.get(stream);
    if (seen === undefined) {
      seen = new Set();
      this.state.deliveredIds.set(stream, seen);
    }
    let delivered = 0;
    for (const event of events) {
      if (seen.has(event.id)) continue;
      seen.add(event.id);
      this.state.events.push(event);
      delivered++;
    }
    for (const finding of findings) {
      if (seen.has(finding.id)) continue;
      seen.add(finding.id);
      this.state.findings.push(finding);
      delivered++;
    }
    return Promise.resolve(delivered);
  }

  commitWatermark(stream: string, watermark: Date): void {
    const current = this.state.watermarks.get(stream);
    if (current !== undefined && watermark.getTime() < current.getTime()) throw new Error(`watermark of ${stream} would move backwards`);
    this.state.watermarks.set(stream, watermark);
  }

  publishPosture(snapshot: PostureSnapshot): void {
    this.state.postures.set(snapshot.data.kind, snapshot);
  }
}
