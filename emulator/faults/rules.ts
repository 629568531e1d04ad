// Fault rules: which endpoint, what goes wrong, and when (probability from a seeded RNG, a window of request
// numbers, the next N matching requests, a pattern on the statement text). Validated with zod because they arrive
// from tests, from `startEmulator()` options and as JSON through the admin endpoint.
import { z } from 'zod';

export const FAULT_ENDPOINTS = ['submit', 'status', 'cancel', 'token', 'authorize', 'any'] as const;
export type FaultEndpoint = (typeof FAULT_ENDPOINTS)[number];

const statusAction = z.object({
  kind: z.literal('status'),
  status: z.union([z.literal(408), z.literal(429), z.literal(500), z.literal(502), z.literal(503), z.literal(504)]),
  /** Retry-After seconds (429 and 503); default 1 for 429. */
  retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
});
const delayAction = z.object({ kind: z.literal('delay'), ms: z.number().int().min(0).max(600_000) });
/** Destroy the connection before any byte of the answer. */
const dropAction = z.object({ kind: z.literal('drop') });
/** Send the headers and half of the body, then destroy the connection (a truncated partition). */
const truncateAction = z.object({ kind: z.literal('truncate') });
/** Answer 401 as if the request's token had expired (token endpoint: invalid_grant). */
const expiredTokenAction = z.object({ kind: z.literal('expired-token') });

export const faultActionSchema = z.discriminatedUnion('kind', [statusAction, delayAction, dropAction, truncateAction, expiredTokenAction]);
export type FaultAction = z.infer<typeof faultActionSchema>;

export const faultRuleSchema = z
  .object({
    id: z.string().max(100).optional(),
    endpoint: z.enum(FAULT_ENDPOINTS),
    action: faultActionSchema,
    /** Chance that a matching request is hit, 0..1 (default 1), drawn from the injector's seeded RNG. */
    probability: z.number().min(0).max(1).optional(),
    /** Fire at most this many times: "the next N requests". */
    count: z.number().int().min(1).optional(),
    /** 1-based window of this endpoint's request numbers, counted since the rules were installed. */
    fromRequest: z.number().int().min(1).optional(),
    toRequest: z.number().int().min(1).optional(),
    /** Case-insensitive regular expression on the statement text (submit, status, cancel). */
    statementPattern: z.string().max(1000).optional(),
    /** Status GETs only: apply to partition numbers >= this (e.g. 1 to hit only gzip partitions). */
    minPartition: z.number().int().min(0).optional(),
  })
  .strict();
export type FaultRule = z.infer<typeof faultRuleSchema>;

export const faultConfigSchema = z.object({ seed: z.number().int().optional(), rules: z.array(faultRuleSchema).max(1000) }).strict();
export type FaultConfig = z.infer<typeof faultConfigSchema>;
