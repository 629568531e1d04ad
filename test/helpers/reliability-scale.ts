// How big the reliability suite runs. `npm test` (CI) runs every test/reliability file at the CI subset's sizes, a few
// minutes in all; `npm run test:reliability` sets RELIABILITY=full and runs the whole suite on demand (the 50-account
// simulated day alone takes about half an hour on two cores). Single knobs can still be set by their own variables.

export const FULL = process.env.RELIABILITY === 'full';

/** `ci` in the CI subset, `full` in the whole suite; a set environment variable `name` wins over both. */
export function scaled(name: string, ci: number, full: number): number {
  const raw = process.env[name];
  if (raw !== undefined && raw !== '') {
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number (got ${raw})`);
    return value;
  }
  return FULL ? full : ci;
}
