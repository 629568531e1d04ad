// The contract between bench/run.ts and each bench/*.bench.ts file, plus timing helpers. A benchmark reports figures
// next to a baseline measured in the same run, so the ratio (not the absolute number) is what carries across machines.
import { performance } from 'node:perf_hooks';

export interface BenchFigure {
  /** What was measured, e.g. "parse + decode". */
  readonly name: string;
  readonly unit: string;
  /** Median over the iterations. */
  readonly value: number;
  readonly baselineName: string;
  readonly baseline: number;
}

export interface Benchmark {
  readonly name: string;
  readonly description: string;
  run(): Promise<readonly BenchFigure[]> | readonly BenchFigure[];
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Runs `work` once to warm up, then `iterations` times; returns the median of `units / seconds` (e.g. rows/s). */
export function medianRate(iterations: number, units: number, work: () => void): number {
  work();
  const rates: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    work();
    rates.push(units / ((performance.now() - start) / 1000));
  }
  return median(rates);
}

/**
 * Measures a figure and its baseline in alternation (baseline, figure, baseline, ...), so that load from other
 * processes drifting during the run weighs on both alike. Returns the median rate of each.
 */
export function pairedMedianRates(
  iterations: number,
  units: number,
  figure: () => void,
  baseline: () => void,
): { figure: number; baseline: number } {
  baseline();
  figure();
  const figureRates: number[] = [];
  const baselineRates: number[] = [];
  for (let i = 0; i < iterations; i++) {
    let start = performance.now();
    baseline();
    baselineRates.push(units / ((performance.now() - start) / 1000));
    start = performance.now();
    figure();
    figureRates.push(units / ((performance.now() - start) / 1000));
  }
  return { figure: median(figureRates), baseline: median(baselineRates) };
}

/** The p-th percentile (0..100) of `values`, nearest-rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? NaN;
}
