// The settings the configuration schema accepts, listed from the schema itself, so the README's reference can be
// checked against it (a key added to the schema without documentation fails test/unit/config/reference.test.ts).
// Walks zod's definitions: objects recurse, wrappers (optional, nullable, default, pipe) unwrap, and everything else
// is a leaf described by a short type read from the schema (enum values and numeric ranges included).
import type { z } from 'zod';

export interface SchemaPath {
  /** Dotted path, e.g. `defaults.queryEvents.scope`. */
  readonly path: string;
  /** Short type: `debug | info | warn | error`, `integer 1 to 32`, `duration`, `secret reference`, `list`... */
  readonly type: string;
}

interface Definition {
  readonly type: string;
  readonly [key: string]: unknown;
}

type Node = z.ZodType & { readonly _zod: { readonly def: Definition } };

function definitionOf(node: Node): Definition {
  return node._zod.def;
}

function describeLeaf(node: Node): string {
  const def = definitionOf(node);
  switch (def.type) {
    case 'enum':
      return Object.values(def.entries as Record<string, string>).map((value) => `\`${value}\``).join(' \\| ');
    case 'number': {
      const number = node as unknown as { minValue: number | null; maxValue: number | null; isInt: boolean };
      const kind = number.isInt ? 'integer' : 'number';
      const min = number.minValue !== null && Number.isFinite(number.minValue) && Math.abs(number.minValue) < 2 ** 53 ? number.minValue : undefined;
      const max = number.maxValue !== null && Number.isFinite(number.maxValue) && Math.abs(number.maxValue) < 2 ** 53 ? number.maxValue : undefined;
      if (min !== undefined && max !== undefined) return `${kind} ${min} to ${max}`;
      if (min !== undefined) return `${kind} ≥ ${min}`;
      return kind;
    }
    case 'boolean':
      return 'boolean';
    case 'string':
      return 'text';
    case 'array':
      return 'list';
    case 'record':
      return 'map';
    case 'union': {
      const options = (def.options as Node[]).map((option) => definitionOf(option).type);
      // Durations are `z.union([string, number])` piped into a parser (schema.ts `duration()`).
      if (options.length === 2 && options.includes('string') && options.includes('number')) return 'duration';
      if (options.includes('literal') && options.includes('array')) return '`all` or list';
      return options.join(' or ');
    }
    default:
      return def.type;
  }
}

/** Whether a pipe is the shape of a secret reference or a parsed value; the input side decides the type. */
function unwrap(node: Node): Node {
  let current = node;
  for (;;) {
    const def = definitionOf(current);
    if (['optional', 'nullable', 'default', 'readonly', 'nonoptional', 'catch'].includes(def.type)) current = def.innerType as Node;
    else if (def.type === 'pipe') current = def.in as Node;
    else return current;
  }
}

/** Every leaf setting under `node`; objects inside lists (accounts) are not entered: their keys are listed apart. */
export function schemaPaths(node: z.ZodType, prefix = ''): SchemaPath[] {
  const inner = unwrap(node as Node);
  const def = definitionOf(inner);
  if (def.type === 'object') {
    return Object.entries(def.shape as Record<string, z.ZodType>).flatMap(([key, child]) => schemaPaths(child, prefix === '' ? key : `${prefix}.${key}`));
  }
  const nullable = definitionOf(node as Node).type === 'nullable' || (definitionOf(node as Node).type === 'optional' && definitionOf((definitionOf(node as Node).innerType as Node)).type === 'nullable');
  return [{ path: prefix, type: describeLeaf(inner) + (nullable ? ' or `null`' : '') }];
}

/** The element schema of a list setting (e.g. `accounts`), to document its keys. */
export function elementSchema(node: z.ZodType): z.ZodType {
  const inner = unwrap(node as Node);
  const def = definitionOf(inner);
  if (def.type !== 'array') throw new TypeError(`not a list schema: ${def.type}`);
  return def.element as z.ZodType;
}
