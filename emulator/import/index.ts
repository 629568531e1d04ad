// Public surface of the JSON import/export.
export { importJsonlDirectory, type ImportOptions, type ImportReport, type ImportSink } from './importer.ts';
export { exportScenarioToJsonl, exportScenarioAsUnload, renderUnloadRow, writeJsonLines, type ExportReport, type UnloadOptions } from './exporter.ts';
export { createReplayEngine, latencyOverrides, type ReplayEngineOptions } from './replay.ts';
export { ImportError, PROBLEMS_SHOWN_PER_FILE, type ImportErrorCode, type ImportProblem, type ImportWarning, type ImportWarningCode } from './errors.ts';
export { PARAMETERS_FILE, fileNameForView, viewForFileName } from './files.ts';
export { readRecords, type SourceRecord } from './records.ts';
