// Puts the in-process detections on the path of collection without the sources knowing about them:
//  - deliver(stream, events, findings) also evaluates the account's event detections on `events` and adds their
//    findings to the SAME offer, so one commit covers an event and the findings it raised (a crash can never leave
//    one without the other);
//  - publishPosture(snapshot) publishes the snapshot, then evaluates the posture detections of its kind and delivers
//    their findings under the stream `posture:<kind>`. publishPosture is synchronous in the Source contract, so the
//    delivery is tracked and DetectingSource awaits it before the source run counts as done: a sink refusing those
//    findings fails that run (the snapshot is taken and offered again next time), never drops them silently.
import type { Source, SourceContext, SourceRunResult } from '../../collect/source.ts';
import type { AccountDetections } from '../registry.ts';
import { evaluateEventDetections, evaluatePostureDetections, type EvaluationReporter } from './evaluate.ts';

/** The stream posture findings of one snapshot kind are delivered (and deduplicated) under. */
export function postureStream(kind: string): string {
  return `posture:${kind}`;
}

export interface DetectingContext {
  readonly context: SourceContext;
  /** Resolves once every posture-finding delivery started through `context` ended; rejects with the first failure. */
  settle(): Promise<number>;
}

export function withDetections(context: SourceContext, detections: AccountDetections, reporter: EvaluationReporter = {}): DetectingContext {
  const pending: Promise<number>[] = [];
  const wrapped: SourceContext = {
    account: context.account,
    client: context.client,
    snowflakeNow: context.snowflakeNow,
    signal: context.signal,
    position: (stream) => context.position(stream),
    commitWatermark: (stream, watermark) => context.commitWatermark(stream, watermark),
    deliver: (stream, events, findings) => {
      const raised = events.length === 0 ? [] : evaluateEventDetections(detections, events, context.snowflakeNow, reporter);
      return context.deliver(stream, events, raised.length === 0 ? findings : [...findings, ...raised]);
    },
    publishPosture: (snapshot) => {
      context.publishPosture(snapshot);
      const findings = evaluatePostureDetections(detections, snapshot, reporter);
      if (findings.length === 0) return;
      const delivery = context.deliver(postureStream(snapshot.data.kind), [], findings);
      delivery.catch(() => undefined); // observed by settle(); never an unhandled rejection meanwhile
      pending.push(delivery);
    },
  };
  return {
    context: wrapped,
    settle: async () => {
      const results = await Promise.all(pending);
      return results.reduce((sum, count) => sum + count, 0);
    },
  };
}

/** A source whose events and posture snapshots pass through the account's in-process detections. */
export class DetectingSource implements Source {
  readonly inner: Source;
  readonly #detections: AccountDetections;
  readonly #reporter: EvaluationReporter;

  constructor(inner: Source, detections: AccountDetections, reporter: EvaluationReporter = {}) {
    this.inner = inner;
    this.#detections = detections;
    this.#reporter = reporter;
  }

  get id(): string {
    return this.inner.id;
  }
  get view(): string {
    return this.inner.view;
  }
  get needsWarehouse(): boolean {
    return this.inner.needsWarehouse;
  }
  get critical(): boolean {
    return this.inner.critical;
  }

  async run(context: SourceContext): Promise<SourceRunResult> {
    const detecting = withDetections(context, this.#detections, this.#reporter);
    let result: SourceRunResult;
    try {
      result = await this.inner.run(detecting.context);
    } finally {
      // Even when the source failed, wait for what it started, so nothing is still delivering after the run ends.
      await detecting.settle().catch(() => 0);
    }
    const postureFindings = await detecting.settle();
    return { ...result, delivered: result.delivered + postureFindings };
  }
}
