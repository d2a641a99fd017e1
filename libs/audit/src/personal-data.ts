import { auditorScope, organisationsWithRole, Principal, UserRole } from '@pcn/auth';
import type { AuditEventEntity } from './audit-event.entity';

/**
 * Signers' email addresses, IP addresses and user agents are shown only to the PCN's clinical
 * director, the person themselves and auditors (who reached the agreement within their scope).
 * Everyone else sees names, organisations, capacities and times only.
 */
export function seesSignersPersonalData(principal: Principal, pcnId: string): boolean {
  const scope = auditorScope(principal);
  return organisationsWithRole(principal, UserRole.ClinicalDirector).includes(pcnId) || scope === 'all' || scope.length > 0;
}

/** Payload fields of events that hold an email address (EMAIL_SENT, EMAIL_FAILED, REQUEST_SENT: `to`). */
const EMAIL_FIELDS = ['to', 'recipient', 'email'];

/** The event as this reader may see it: without IP, user agent and email addresses unless they may see them or it is their own act. */
export function auditEventForReader<T extends Pick<AuditEventEntity, 'actorUserId' | 'ip' | 'userAgent' | 'payload'>>(principal: Principal, pcnId: string, event: T): T {
  if (seesSignersPersonalData(principal, pcnId) || (event.actorUserId !== null && event.actorUserId === principal.id)) return event;
  const payload = { ...event.payload };
  for (const field of EMAIL_FIELDS) if (field in payload && payload[field] !== principal.email) payload[field] = null;
  return { ...event, ip: null, userAgent: null, payload };
}
