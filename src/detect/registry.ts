// Every detection the process knows (built-in catalog + custom ones from configuration), and per account the set
// that runs there with its parameter values. Configuration already validated ids and parameter names; the registry
// still refuses duplicates because two definitions under one id would make metric labels and dedupe keys ambiguous.
import type { SnowflakeEvent } from '../collect/events.ts';
import type { PostureData } from '../collect/posture.ts';
import type { AccountConfig, CustomDetectionConfig } from '../config/types.ts';
import { BUILT_IN_DETECTIONS } from './catalog/index.ts';
import { customDetection } from './custom.ts';
import type { Detection, EventDetection, ParameterValues, PostureDetection, SqlDetection } from './types.ts';

export class DetectionRegistryError extends Error {
  readonly code = 'ERR_DETECTION_REGISTRY';
  constructor(message: string) {
    super(message);
    this.name = 'DetectionRegistryError';
  }
}

/** Defaults of the declared parameters, overridden by the configured values (unknown names ignored). */
export function resolveParameters(declared: Detection['parameters'], overrides: ParameterValues | undefined): ParameterValues {
  const values: Record<string, ParameterValues[string]> = {};
  for (const [name, parameter] of Object.entries(declared)) {
    const override = overrides?.[name];
    values[name] = override === undefined ? parameter.default : override;
  }
  return Object.freeze(values);
}

/** What runs for one account: the enabled detections by kind, each with its resolved parameters. */
export class AccountDetections {
  readonly account: string;
  readonly enabled: readonly Detection[];
  readonly sql: readonly SqlDetection[];
  readonly event: readonly EventDetection[];
  readonly posture: readonly PostureDetection[];
  /** Enabled ids without a definition (a catalog entry not written yet): reported, not fatal. */
  readonly missing: readonly string[];
  readonly #parameters: ReadonlyMap<string, ParameterValues>;

  constructor(
    account: string,
    enabled: readonly Detection[],
    parameters: ReadonlyMap<string, ParameterValues>,
    missing: readonly string[] = [],
  ) {
    this.account = account;
    this.missing = missing;
    this.enabled = enabled;
    this.sql = enabled.filter((d): d is SqlDetection => d.kind === 'sql');
    this.event = enabled.filter((d): d is EventDetection => d.kind === 'event');
    this.posture = enabled.filter((d): d is PostureDetection => d.kind === 'posture');
    this.#parameters = parameters;
  }

  parameters(detectionId: string): ParameterValues {
    const values = this.#parameters.get(detectionId);
    if (values === undefined) throw new DetectionRegistryError(`detection ${detectionId} is not enabled for account ${this.account}`);
    return values;
  }

  /** Event detections that apply to events of this kind. */
  eventDetectionsFor(kind: SnowflakeEvent['kind']): readonly EventDetection[] {
    return this.event.filter((detection) => detection.eventKind === kind);
  }

  postureDetectionsFor(kind: PostureData['kind']): readonly PostureDetection[] {
    return this.posture.filter((detection) => detection.postureKind === kind);
  }
}

export interface DetectionRegistryOptions {
  /** Default: the built-in catalog. Tests pass their own definitions. */
  readonly builtIns?: readonly Detection[] | undefined;
  readonly custom?: readonly CustomDetectionConfig[] | undefined;
  /** Further definitions (tests, embedders); same rules as built-ins. */
  readonly extra?: readonly Detection[] | undefined;
}

/** What must differ between two definitions sharing one id: their kind and what they read. */
function shapeOf(detection: Detection): string {
  switch (detection.kind) {
    case 'sql':
      return 'sql';
    case 'event':
      return `event:${detection.eventKind}`;
    case 'posture':
      return `posture:${detection.postureKind}`;
  }
}

export class DetectionRegistry {
  /**
   * Definitions by id. One id may have several definitions of different shapes (e.g. a change seen as an event AND
   * the resulting state seen in a posture snapshot): they are one detection to configuration, metrics and runbooks.
   */
  readonly #byId = new Map<string, Detection[]>();

  constructor(options: DetectionRegistryOptions = {}) {
    const all = [
      ...(options.builtIns ?? BUILT_IN_DETECTIONS),
      ...(options.extra ?? []),
      ...(options.custom ?? []).map((config) => customDetection(config)),
    ];
    for (const detection of all) {
      const definitions = this.#byId.get(detection.id) ?? [];
      if (definitions.some((other) => shapeOf(other) === shapeOf(detection))) {
        throw new DetectionRegistryError(`detection id ${detection.id} is defined twice as ${shapeOf(detection)}`);
      }
      definitions.push(detection);
      this.#byId.set(detection.id, definitions);
    }
  }

  /** Every definition of the id (usually one). */
  get(id: string): readonly Detection[] {
    return this.#byId.get(id) ?? [];
  }

  all(): readonly Detection[] {
    return [...this.#byId.values()].flat();
  }

  /**
   * The account's enabled set (`account.detections`, the resolved id list) with parameters resolved from the
   * account's `detectionParameters`. Enabled ids without a definition (a catalog entry not written yet) are skipped
   * and listed in `missing`, so they can be reported instead of failing the start.
   */
  forAccount(account: Pick<AccountConfig, 'name' | 'detections' | 'detectionParameters'>): AccountDetections {
    const enabled: Detection[] = [];
    const missing: string[] = [];
    const parameters = new Map<string, ParameterValues>();
    for (const id of account.detections) {
      const definitions = this.#byId.get(id);
      if (definitions === undefined) {
        missing.push(id);
        continue;
      }
      enabled.push(...definitions);
      parameters.set(id, resolveParameters(mergedDeclarations(definitions), account.detectionParameters?.[id]));
    }
    return new AccountDetections(account.name, enabled, parameters, missing);
  }
}

/** The parameters declared by any definition of one id (definitions of one id share their parameters). */
export function mergedDeclarations(definitions: readonly Detection[]): Detection['parameters'] {
  return Object.assign({}, ...definitions.map((definition) => definition.parameters)) as Detection['parameters'];
}
