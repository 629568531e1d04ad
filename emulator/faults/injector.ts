// Decides, request by request, whether a fault fires. Deterministic for a given seed and request order, so a test
// that sets `probability: 0.5` sees the same sequence on every run.
import type { FaultAction, FaultConfig, FaultEndpoint, FaultRule } from './rules.ts';

/** mulberry32: a tiny, well-known seeded PRNG; quality is ample for fault sampling. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface FaultContext {
  statement?: string;
  partition?: number;
}

export interface FiredFault {
  ruleIndex: number;
  id: string | undefined;
  endpoint: FaultEndpoint;
  action: FaultAction;
}

interface RuleState {
  rule: FaultRule;
  pattern: RegExp | undefined;
  fired: number;
}

export class FaultInjector {
  #rules: RuleState[] = [];
  #random: () => number = seededRandom(1);
  #requests = new Map<FaultEndpoint, number>();
  /** Faults fired per rule id (or index) and kind, for the admin report. */
  readonly fired = new Map<string, number>();

  constructor(config: FaultConfig = { rules: [] }) {
    this.replace(config);
  }

  /** Installs a new rule set; request counters and the RNG restart so schedules are relative to now. */
  replace(config: FaultConfig): void {
    this.#rules = config.rules.map((rule) => ({
      rule,
      pattern: rule.statementPattern === undefined ? undefined : new RegExp(rule.statementPattern, 'i'),
      fired: 0,
    }));
    this.#random = seededRandom(config.seed ?? 1);
    this.#requests.clear();
  }

  get rules(): FaultRule[] {
    return this.#rules.map((state) => state.rule);
  }

  /** Counts the request and returns the fault to apply, if any (the first rule that matches wins). */
  decide(endpoint: Exclude<FaultEndpoint, 'any'>, context: FaultContext = {}): FiredFault | undefined {
    const number = (this.#requests.get(endpoint) ?? 0) + 1;
    this.#requests.set(endpoint, number);
    for (const [index, state] of this.#rules.entries()) {
      const { rule } = state;
      if (rule.endpoint !== 'any' && rule.endpoint !== endpoint) continue;
      if (rule.count !== undefined && state.fired >= rule.count) continue;
      if (rule.fromRequest !== undefined && number < rule.fromRequest) continue;
      if (rule.toRequest !== undefined && number > rule.toRequest) continue;
      if (state.pattern !== undefined && (context.statement === undefined || !state.pattern.test(context.statement))) continue;
      if (rule.minPartition !== undefined && (context.partition ?? 0) < rule.minPartition) continue;
      if (rule.probability !== undefined && this.#random() >= rule.probability) continue;
      state.fired += 1;
      const key = `${rule.id ?? `#${index}`}:${rule.action.kind}`;
      this.fired.set(key, (this.fired.get(key) ?? 0) + 1);
      return { ruleIndex: index, id: rule.id, endpoint, action: rule.action };
    }
    return undefined;
  }
}
