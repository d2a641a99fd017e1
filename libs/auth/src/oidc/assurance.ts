/**
 * CIS2's authentication assurance: the ID token's `authentication_assurance_level`
 * ("3") when present, else read from `acr` (AAL3_ANY → 3, AAL2_ANY and
 * AAL2_OR_AAL3_ANY → 2, AAL1_USERPASS → 1). Anything unreadable counts as 0, so it is
 * refused by any minimum.
 */
export function assuranceLevel(claims: { acr?: unknown; authentication_assurance_level?: unknown }): number {
  const stated = claims.authentication_assurance_level;
  if ((typeof stated === 'string' || typeof stated === 'number') && /^[123]$/.test(String(stated))) return Number(stated);
  const acr = typeof claims.acr === 'string' ? claims.acr : '';
  const match = /^AAL([123])_/.exec(acr);
  return match ? Number(match[1]) : 0;
}

/** What the audit trail records as the way someone signed in, e.g. "NHS CIS2 (AAL3)". */
export const cis2AuthMethod = (level: number) => `NHS CIS2 (AAL${level})`;
