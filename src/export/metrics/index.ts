// Public surface of the Prometheus metrics.
export { combineObservers, type CollectionReporter, type PostureListener } from './combine-observers.ts';
export { createExporterMetrics, type ExporterMetrics, type ExporterMetricsOptions } from './exporter-metrics.ts';
export { OTHER, LabelVocabulary, buildVocabularies, type Vocabularies } from './labels.ts';
export { MetricsSink, MetricsSinkClosedError } from './metrics-sink.ts';
export { NAMESPACE } from './namespace.ts';
export { POSTURE_GAUGES, postureSeries, type PostureGaugeName } from './posture-series.ts';
