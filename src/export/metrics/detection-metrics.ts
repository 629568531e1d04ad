// Per detection: whether it can run on the account (a SQL detection whose view is missing or not granted reports 1),
// when it last ran, and how often it failed. Fed by the same collection reports as the self-metrics (a SQL
// detection is a source whose id is a detection id) and by the runner for in-process detections.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Vocabularies } from './labels.ts';
import { NAMESPACE } from './namespace.ts';

export class DetectionMetrics {
  readonly #vocab: Vocabularies;
  readonly #unavailable: Gauge<'account' | 'detection'>;
  readonly #lastRun: Gauge<'account' | 'detection'>;
  readonly #errors: Counter<'account' | 'detection'>;

  constructor(registry: Registry, vocab: Vocabularies, enabled: ReadonlyMap<string, readonly string[]>) {
    this.#vocab = vocab;
    const registers = [registry];
    this.#unavailable = new Gauge({
      name: `${NAMESPACE}detection_unavailable`,
      help: 'Whether the detection cannot run on the account because a view is missing or not granted (1), else 0.',
      labelNames: ['account', 'detection'],
      registers,
    });
    this.#lastRun = new Gauge({
      name: `${NAMESPACE}detection_last_run_timestamp_seconds`,
      help: 'Unix time of the detection\'s last successful run (SQL) or evaluation (event and posture rules).',
      labelNames: ['account', 'detection'],
      registers,
    });
    this.#errors = new Counter({
      name: `${NAMESPACE}detection_errors_total`,
      help: 'Failed detection runs (SQL errors other than an unavailable view, or an in-process rule that threw).',
      labelNames: ['account', 'detection'],
      registers,
    });
    for (const [account, detections] of enabled) {
      for (const detection of detections) {
        const labels = this.#labels(account, detection);
        if (labels === undefined) continue;
        this.#unavailable.set(labels, 0);
        this.#errors.inc(labels, 0);
      }
    }
  }

  /** Labels when `detection` is a known detection id, else undefined (the source is not a detection). */
  #labels(account: string, detection: string): { account: string; detection: string } | undefined {
    const label = this.#vocab.detection.label(detection);
    if (label !== detection) return undefined;
    return { account: this.#vocab.account.label(account), detection };
  }

  ran(account: string, detection: string, at: Date): void {
    const labels = this.#labels(account, detection);
    if (labels === undefined) return;
    this.#unavailable.set(labels, 0);
    const seconds = at.getTime() / 1000;
    if (Number.isFinite(seconds)) this.#lastRun.set(labels, seconds);
  }

  unavailable(account: string, detection: string): void {
    const labels = this.#labels(account, detection);
    if (labels !== undefined) this.#unavailable.set(labels, 1);
  }

  failed(account: string, detection: string): void {
    const labels = this.#labels(account, detection);
    if (labels !== undefined) this.#errors.inc(labels);
  }
}
