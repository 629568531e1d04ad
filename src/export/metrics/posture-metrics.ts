// Posture gauges: the latest successful snapshot of each kind per account, exposed as gauges that are rebuilt from
// those snapshots at every scrape (collect callbacks). A series whose object left the latest snapshot is therefore
// gone from the next scrape instead of freezing. Snapshots are replaced whole, and prom-client reads every metric's
// collect() in one synchronous pass, so a scrape sees each kind either entirely before or entirely after an update.
import { Gauge, type Registry } from 'prom-client';
import type { PostureSnapshot } from '../../collect/posture.ts';
import type { Vocabularies } from './labels.ts';
import { NAMESPACE } from './namespace.ts';
import { POSTURE_GAUGES, postureSeries, type PostureGaugeName, type PostureSeries } from './posture-series.ts';

interface Latest {
  readonly account: string;
  readonly kind: string;
  readonly takenAtSeconds: number;
  readonly series: PostureSeries;
}

export class PostureMetrics {
  readonly #vocab: Vocabularies;
  readonly #limit: number;
  /** Key: account label + kind. Bounded by configured accounts (plus 'other') times posture kinds. */
  readonly #latest = new Map<string, Latest>();

  constructor(registry: Registry, vocab: Vocabularies, seriesLimit: number) {
    this.#vocab = vocab;
    this.#limit = seriesLimit;
    const registers = [registry];
    const gauges = Object.entries(POSTURE_GAUGES) as [PostureGaugeName, (typeof POSTURE_GAUGES)[PostureGaugeName]][];
    for (const [name, spec] of gauges) {
      const gauge: Gauge = new Gauge({
        name: NAMESPACE + name,
        help: `${spec.help} From the latest successful posture snapshot (taken in the background, not at scrape).`,
        labelNames: ['account', ...spec.labelNames],
        registers,
        collect: () => {
          gauge.reset();
          for (const latest of this.#latest.values()) {
            for (const row of latest.series.rows.get(name) ?? []) {
              gauge.set({ account: latest.account, ...row.labels }, row.value);
            }
          }
        },
      });
    }
    const lastSuccess: Gauge = new Gauge({
      name: `${NAMESPACE}posture_last_success_timestamp_seconds`,
      help: 'Unix time at which the latest successful posture snapshot of the kind was taken.',
      labelNames: ['account', 'kind'],
      registers,
      collect: () => {
        lastSuccess.reset();
        for (const latest of this.#latest.values()) {
          lastSuccess.set({ account: latest.account, kind: latest.kind }, latest.takenAtSeconds);
        }
      },
    });
    const capped: Gauge = new Gauge({
      name: `${NAMESPACE}posture_series_capped`,
      help: `Whether a posture metric of the kind had more objects than the limit (${seriesLimit}) and shows only its top ones (1) or not (0).`,
      labelNames: ['account', 'kind'],
      registers,
      collect: () => {
        capped.reset();
        for (const latest of this.#latest.values()) {
          capped.set({ account: latest.account, kind: latest.kind }, latest.series.capped ? 1 : 0);
        }
      },
    });
  }

  /** Replaces the account's snapshot of this kind; the rows are computed here, once, not at every scrape. */
  publish(snapshot: PostureSnapshot): void {
    const account = this.#vocab.account.label(snapshot.account);
    const kind = this.#vocab.postureKind.label(snapshot.data.kind);
    const takenAt = snapshot.takenAt.getTime();
    const series = postureSeries(snapshot.data, this.#vocab, this.#limit);
    this.#latest.set(`${account}\u0000${kind}`, {
      account,
      kind,
      takenAtSeconds: Number.isFinite(takenAt) ? takenAt / 1000 : 0,
      series,
    });
  }
}
