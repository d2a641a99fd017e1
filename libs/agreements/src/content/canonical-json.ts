import { createHash } from 'node:crypto';

/**
 * Deterministic JSON for hashing and signing: object keys sorted by UTF-16 code
 * unit order at every depth, array order preserved, undefined-valued properties
 * dropped. Values JSON cannot represent faithfully throw instead of being
 * silently coerced, because a coerced value would let two different contents
 * share a hash.
 */
export function canonicalJson(value: unknown): string {
  return serialise(value, '$', new Set());
}

/** Hex SHA-256 of `canonicalJson(content)`. */
export function contentHash(content: unknown): string {
  return createHash('sha256').update(canonicalJson(content), 'utf8').digest('hex');
}

function serialise(value: unknown, path: string, ancestors: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${path} is ${value}, which JSON cannot represent`);
      // JSON.stringify(-0) is "0"; keep that so 0 and -0 hash the same, as they compare equal.
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new TypeError(`canonicalJson: ${path} is a ${typeof value}, which JSON cannot represent`);
  }

  const obj = value as object;
  if (ancestors.has(obj)) throw new TypeError(`canonicalJson: ${path} is a circular reference`);
  if (obj instanceof Date) {
    if (Number.isNaN(obj.getTime())) throw new TypeError(`canonicalJson: ${path} is an invalid Date`);
    return JSON.stringify(obj.toISOString());
  }
  ancestors.add(obj);
  try {
    if (Array.isArray(obj)) {
      return `[${obj.map((item, i) => (item === undefined ? 'null' : serialise(item, `${path}[${i}]`, ancestors))).join(',')}]`;
    }
    const entries = Object.keys(obj)
      .filter((key) => (obj as Record<string, unknown>)[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${serialise((obj as Record<string, unknown>)[key], `${path}.${key}`, ancestors)}`);
    return `{${entries.join(',')}}`;
  } finally {
    ancestors.delete(obj);
  }
}
