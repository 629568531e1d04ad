// Public surface of the scenario generator.
export { generateScenario, resolveScenarioOptions, type Scenario } from './generate.ts';
export { loadScenario, type LoadOptions, type LoadReport, type ScenarioSink } from './load.ts';
export { PRESET_NAMES, demoEnd, presetOptions, type PresetName, type PresetOverrides } from './presets.ts';
export { ScenarioError, type ScenarioErrorCode } from './errors.ts';
export {
  EVIDENCE_ID_COLUMN,
  GROUND_TRUTH_DETECTION_IDS,
  evidenceIdOf,
  trustCenterFindingId,
  writeGroundTruth,
  writeGroundTruthFile,
  type DetectionId,
  type EvidenceView,
  type GroundTruth,
  type GroundTruthIncident,
  type GroundTruthNearMiss,
} from './ground-truth.ts';
export { INCIDENT_KINDS, SCENARIO_VIEWS, type IncidentKind, type Row, type ScenarioOptions, type ScenarioView } from './types.ts';
export { APPROVED_CONSUMER_ACCOUNTS, IOC_IPS } from './catalog.ts';
