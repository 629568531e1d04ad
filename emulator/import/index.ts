// Public surface of the JSON Lines importer/exporter.
export { importJsonlDirectory, type ImportOptions, type ImportReport, type ImportSink } from './importer.ts';
export { exportScenarioToJsonl, writeJsonLines, type ExportReport } from './exporter.ts';
export { createReplayEngine, latencyOverrides, type ReplayEngineOptions } from './replay.ts';
export { ImportError, type ImportErrorCode } from './errors.ts';
export { PARAMETERS_FILE, fileNameForView, viewForFileName } from './files.ts';
