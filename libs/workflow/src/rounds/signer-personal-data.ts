import { seesSignersPersonalData } from '@pcn/audit';
import { Principal } from '@pcn/auth';

interface SignerPersonalData {
  personId: string;
  personEmail: string | null;
  ip: string | null;
  userAgent: string | null;
}

/**
 * Signers' email addresses, IP addresses and user agents are shown only to the PCN's clinical
 * director, the person themselves and auditors (the rule lives in @pcn/audit, which applies it
 * to the audit trail too). Everyone else sees names, organisations, capacities and times only.
 */
export const seesAllSignerDetails = seesSignersPersonalData;

export function withoutPersonalData<T extends SignerPersonalData>(principal: Principal, pcnId: string, requests: T[]): T[] {
  if (seesAllSignerDetails(principal, pcnId)) return requests;
  return requests.map((r) => (r.personId === principal.personId ? r : { ...r, personEmail: null, ip: null, userAgent: null }));
}
