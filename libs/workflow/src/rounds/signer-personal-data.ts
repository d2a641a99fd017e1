import { auditorScope, organisationsWithRole, Principal, UserRole } from '@pcn/auth';

interface SignerPersonalData {
  personId: string;
  personEmail: string | null;
  ip: string | null;
  userAgent: string | null;
}

/**
 * Signers' email addresses, IP addresses and user agents are shown only to the PCN's clinical
 * director, the person themselves and auditors (who reached the agreement within their scope).
 * Everyone else sees names, organisations, capacities and times only.
 */
export function seesAllSignerDetails(principal: Principal, pcnId: string): boolean {
  const scope = auditorScope(principal);
  return organisationsWithRole(principal, UserRole.ClinicalDirector).includes(pcnId) || scope === 'all' || scope.length > 0;
}

export function withoutPersonalData<T extends SignerPersonalData>(principal: Principal, pcnId: string, requests: T[]): T[] {
  if (seesAllSignerDetails(principal, pcnId)) return requests;
  return requests.map((r) => (r.personId === principal.personId ? r : { ...r, personEmail: null, ip: null, userAgent: null }));
}
