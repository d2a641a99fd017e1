import { canonicalJson, sha256Hex } from '@pcn/common';

export { canonicalJson };

/** Hex SHA-256 of `canonicalJson(content)`: the hash every signature on a revision binds to. */
export function contentHash(content: unknown): string {
  return sha256Hex(canonicalJson(content));
}
