// Typed errors of the scenario generator, with stable codes for callers and tests.

export type ScenarioErrorCode = 'SCENARIO_OPTIONS' | 'SCENARIO_PRESET';

export class ScenarioError extends Error {
  readonly code: ScenarioErrorCode;

  constructor(code: ScenarioErrorCode, message: string) {
    super(message);
    this.name = 'ScenarioError';
    this.code = code;
  }
}
