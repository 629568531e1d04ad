// Public surface of the Prometheus metrics.
export { combineObservers, type CollectionReporter, type PostureListener } from './combine-observers.ts';
export { createExporterMetrics, type ExporterMetrics, type ExporterMetricsOptions } from './exporter-metrics.ts';
export { OTHER, LabelVocabulary, buildVocabularies, type Vocabularies } from './labels.ts';
export { MetricsSink, MetricsSinkClosedError } from './metrics-sink.ts';
export { NAMESPACE } from './namespace.ts';
export { POSTURE_GAUGES, postureSeries, type PostureGaugeName } from './posture-series.ts';
export { DetectionMetrics } from './detection-metrics.ts';
export { RiskMetrics, type AccountRiskSettings } from './risk-metrics.ts';
export { SignalMetrics, isKnownUnload, loginLabels, unloadDestination, FIRST_FACTORS, SECOND_FACTORS, SHARE_ACTIONS, type UnloadDestination } from './signal-metrics.ts';
export { UserActivityMetrics } from './user-activity-metrics.ts';
export { UserActivityTable, type LoginLabels, type UserActivity, type UserActivityTableOptions } from './user-activity.ts';
export type { MetricsSinkListeners } from './metrics-sink.ts';
