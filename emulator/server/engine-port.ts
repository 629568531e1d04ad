// What the protocol layer uses of the emulator's engine beyond the fixed SqlEngine contract: the virtual clock (for
// createdOn and the admin clock endpoint) and the warehouse report. Both optional, so a bare SqlEngine also works.
import type { SqlEngine } from '../engine/types.ts';
import { VIEWS } from '../schema.ts';
import type { SessionCatalog } from './session.ts';

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

/**
 * What a request's session can be placed in (session.ts): the engine's warehouses, as its warehouse report lists them
 * (none for an engine without one), and the SNOWFLAKE database with the schemas of its views.
 */
export function sessionCatalogOf(engine: EngineWithExtras): SessionCatalog {
  const report = engine.warehouseReport?.();
  const byWarehouse = typeof report === 'object' && report !== null && 'byWarehouse' in report ? report.byWarehouse : undefined;
  const warehouses = new Set(typeof byWarehouse === 'object' && byWarehouse !== null ? Object.keys(byWarehouse) : []);
  return { warehouses, databases: new Map([['SNOWFLAKE', new Set(VIEWS.map((view) => view.schema))]]) };
}
