// Looking up what the schema allows at a path: used to resolve environment override names and to suggest the key
// an operator probably meant. Reads zod 4's public `_zod.def` descriptors and looks through wrappers.
import type { z } from 'zod';

export type PathSegment = string | number;

type Def = Record<string, unknown> & { type: string };

function defOf(schema: z.ZodType): Def {
  return schema._zod.def as unknown as Def;
}

/** The concrete schemas a value at this position may match (a union gives several). */
export function alternatives(schema: z.ZodType): z.ZodType[] {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return alternatives(def.innerType as z.ZodType);
    case 'pipe':
      return alternatives(def.in as z.ZodType);
    case 'union':
      return (def.options as z.ZodType[]).flatMap(alternatives);
    default:
      return [schema];
  }
}

/** The schema of `segment` below `schema`; `match` decides which object key a segment names. */
export function childSchema(
  schema: z.ZodType,
  segment: PathSegment,
  match: (key: string, segment: string) => boolean = (key, s) => key === s,
): { key: PathSegment; schema: z.ZodType } | undefined {
  for (const candidate of alternatives(schema)) {
    const def = defOf(candidate);
    if (def.type === 'object') {
      const shape = def.shape as Record<string, z.ZodType>;
      const key = Object.keys(shape).find((k) => match(k, String(segment)));
      const child = key === undefined ? undefined : shape[key];
      if (key !== undefined && child !== undefined) return { key, schema: child };
    } else if (def.type === 'array' && (typeof segment === 'number' || /^\d+$/.test(segment))) {
      return { key: Number(segment), schema: def.element as z.ZodType };
    }
  }
  return undefined;
}

/** Object keys allowed directly below `schema` (the union of all alternatives). */
export function objectKeys(schema: z.ZodType): string[] {
  const keys = new Set<string>();
  for (const candidate of alternatives(schema)) {
    const def = defOf(candidate);
    if (def.type === 'object') for (const key of Object.keys(def.shape as object)) keys.add(key);
  }
  return [...keys];
}

/**
 * Object keys allowed at `path` from the root schema, or [] when the path leaves the schema. With `value` (the
 * document's value at that path), a union narrows to the alternatives whose literal fields match it, so the keys of
 * `auth` are those of its `method`.
 */
export function objectKeysAt(root: z.ZodType, path: readonly PathSegment[], value?: unknown): string[] {
  let current: z.ZodType = root;
  for (const segment of path) {
    const child = childSchema(current, segment);
    if (child === undefined) return [];
    current = child.schema;
  }
  const objects = alternatives(current).filter((candidate) => defOf(candidate).type === 'object');
  const matching = objects.filter((candidate) => literalsMatch(candidate, value));
  const keys = new Set<string>();
  for (const candidate of matching.length > 0 ? matching : objects) {
    for (const key of Object.keys(defOf(candidate).shape as object)) keys.add(key);
  }
  return [...keys];
}

function literalsMatch(objectSchema: z.ZodType, value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const shape = defOf(objectSchema).shape as Record<string, z.ZodType>;
  return Object.entries(shape).every(([key, field]) => {
    const def = defOf(field);
    return def.type !== 'literal' || (def.values as unknown[]).includes((value as Record<string, unknown>)[key]);
  });
}
