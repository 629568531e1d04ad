// Snowflake data types as the translator tracks them for every expression: resolved from the declared column types of
// emulator/schema.ts through the statement's scopes, and from what each function returns. Undefined means the type is
// not known (a bind marker, an expression the translator does not type); anything that depends on a type then fails
// loudly rather than guess.

import type { ViewColumnType } from '../../schema.ts';

export type SqlType =
  | ViewColumnType
  | 'TIMESTAMP_TZ'
  | 'TIME'
  | 'BINARY';

/** VARIANT, OBJECT and ARRAY: the semi-structured types a `:` path, `[]` subscript, GET or GET_PATH applies to. */
export function isSemiStructured(type: SqlType | undefined): type is 'VARIANT' | 'OBJECT' | 'ARRAY' {
  return type === 'VARIANT' || type === 'OBJECT' || type === 'ARRAY';
}

export function isTimestamp(type: SqlType | undefined): type is 'TIMESTAMP_LTZ' | 'TIMESTAMP_NTZ' | 'TIMESTAMP_TZ' {
  return type === 'TIMESTAMP_LTZ' || type === 'TIMESTAMP_NTZ' || type === 'TIMESTAMP_TZ';
}

/** The declared type of a view column (schema.ts spells text TEXT). */
export function viewColumnType(type: ViewColumnType): SqlType {
  return type;
}

/**
 * How Snowflake spells an argument type in "Invalid argument types for function ..." messages: VARCHAR with its
 * length (a literal's own length, 16777216 for a column or expression), NUMBER with precision and scale.
 */
export function typeSignature(type: SqlType | undefined, literal?: { readonly kind: 'string' | 'number'; readonly text: string }): string {
  if (literal?.kind === 'string') return `VARCHAR(${Math.max(1, literal.text.length)})`;
  if (literal?.kind === 'number') {
    const [whole = '', fraction = ''] = literal.text.replace(/^[+-]/, '').split('.');
    const digits = whole.replace(/^0+(?=\d)/, '').length + fraction.length;
    return `NUMBER(${Math.max(1, digits)},${fraction.length})`;
  }
  switch (type) {
    case 'TEXT':
      return 'VARCHAR(16777216)';
    case 'NUMBER':
      return 'NUMBER(38,0)';
    case 'TIMESTAMP_LTZ':
    case 'TIMESTAMP_NTZ':
    case 'TIMESTAMP_TZ':
    case 'TIME':
      return `${type}(9)`;
    case 'BINARY':
      return 'BINARY(8388608)';
    case undefined:
      return 'UNKNOWN';
    default:
      return type;
  }
}
