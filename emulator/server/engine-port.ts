// What the protocol layer uses of the emulator's engine beyond the fixed SqlEngine contract: the virtual clock (for
// createdOn and the admin clock endpoint) and the warehouse report. Both optional, so a bare SqlEngine also works.
import type { SqlEngine } from '../engine/types.ts';

export interface VirtualClockPort {
  now(): Date | number;
  set(value: Date): void;
  advance(ms: number): void;
}

export interface EngineWithExtras extends SqlEngine {
  clock?: VirtualClockPort;
  warehouseReport?(): unknown;
}

export function clockMillis(value: Date | number): number {
  return typeof value === 'number' ? value : value.getTime();
}
