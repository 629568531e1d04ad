// Query scope 'risky': a query event is kept when the default risky QUERY_TYPEs list it OR any enabled event
// detection on queries matches it. The detections' own predicates are reused through the collection engine's
// extension hook, never copied, so "risky" and "raises a finding" cannot drift apart.
import { extendRiskyQueryRules, type RiskyQueryRules } from '../../collect/sources/risky-queries.ts';
import type { AccountDetections } from '../registry.ts';
import { matchesAnyEventDetection } from './evaluate.ts';

/** Undefined when no query event detection is enabled (the default rules then apply and are pushed down into SQL). */
export function riskyQueryRulesFor(detections: AccountDetections): RiskyQueryRules | undefined {
  if (detections.eventDetectionsFor('query').length === 0) return undefined;
  return extendRiskyQueryRules({ predicates: [(event) => matchesAnyEventDetection(detections, event)] });
}
