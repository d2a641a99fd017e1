import { AgreementStatus } from '@pcn/agreements';
import { AuditEventEntity, AuditEventType } from '@pcn/audit';
import { ukDate } from '../shell/page-filters';

/** What the trail needs to know about a signature request to describe it in words. */
export interface RequestFact {
  id: string;
  scope: 'AGREEMENT' | 'ANNEX';
  annexId: string | null;
  annexTitle: string | null;
  organisationName: string;
  capacity: string;
  personName: string;
  personId: string;
}

export interface DocumentFact {
  id: string;
  reference: string;
  kind: 'AGREEMENT' | 'ANNEX';
  annexId: string | null;
}

/** Ids turned into names, loaded once per page. */
export interface NarrationLookups {
  requests: Map<string, RequestFact>;
  users: Map<string, string>;
  organisations: Map<string, string>;
  /** Person names by (lower-case) email, for email events. */
  peopleByEmail: Map<string, string>;
  documents: Map<string, DocumentFact>;
}

export interface TrailRow {
  seq: number;
  at: Date;
  who: string;
  organisation: string | null;
  what: string;
}

export const AGREEMENT_STATUS_LABELS: Record<AgreementStatus, string> = {
  [AgreementStatus.Draft]: 'Draft',
  [AgreementStatus.InIgReview]: 'In information governance review',
  [AgreementStatus.AwaitingSignatures]: 'Waiting for signatures',
  [AgreementStatus.Executed]: 'Executed',
  [AgreementStatus.Expired]: 'Expired',
  [AgreementStatus.Superseded]: 'Superseded by a variation',
  [AgreementStatus.Terminated]: 'Terminated',
};

export const CAPACITY_WORDS: Record<string, string> = {
  PARTNER: 'Partner',
  DIRECTOR: 'Director',
  SOLE_TRADER: 'Sole practitioner',
  AUTHORISED_SIGNATORY: 'Authorised signatory',
  CLINICAL_DIRECTOR: 'Clinical director',
  DPO: 'Data Protection Officer',
  CALDICOTT_GUARDIAN: 'Caldicott Guardian',
};

const EMAIL_WORDS: Record<string, string> = {
  SIGNATURE_REQUESTED: 'a request to sign',
  IG_REVIEW_REQUESTED: 'a request for information governance review',
  REMINDER: 'a reminder',
  ROUND_DECLINED: 'news that a part was declined',
  ROUND_STOPPED: 'news that signing stopped',
  ROUND_WITHDRAWN: 'news that the round was withdrawn',
  AGREEMENT_EXECUTED: 'news that the agreement was executed',
  ROUND_EXPIRED: 'news that the round expired',
  DELEGATED_TO_YOU: 'a request passed on to them',
};

const VERDICT_WORDS: Record<string, string> = {
  AUTHENTIC: 'authentic',
  TAMPERED: 'changed since it was sealed',
  NOT_SEALED_BY_THIS_PLATFORM: 'not sealed by this platform',
  NO_SEAL: 'not sealed',
};

/** Agreement-level events every annex party may see: sending, the outcome, the round's end. */
export const AGREEMENT_LEVEL_EVENTS: ReadonlySet<AuditEventType> = new Set([
  AuditEventType.Submitted,
  AuditEventType.Executed,
  AuditEventType.Superseded,
  AuditEventType.Terminated,
  AuditEventType.Withdrawn,
  AuditEventType.Expired,
  AuditEventType.Extended,
]);

const REQUEST_EVENTS: ReadonlySet<AuditEventType> = new Set([AuditEventType.RequestSent, AuditEventType.Viewed, AuditEventType.Approved, AuditEventType.Signed, AuditEventType.Declined, AuditEventType.Delegated]);

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function requestOf(e: AuditEventEntity, lookups: NarrationLookups): RequestFact | undefined {
  const id = str(e.payload.requestId) ?? str(e.payload.fromRequestId);
  return id ? lookups.requests.get(id) : undefined;
}

/** "the annex 'Data sharing for …'" or "the agreement". */
function partOf(r: RequestFact): string {
  return r.scope === 'ANNEX' ? `the annex ‘${r.annexTitle ?? 'Data-sharing annex'}’` : 'the agreement';
}

function capacityOf(value: unknown, r?: RequestFact): string {
  const c = str(value) ?? r?.capacity ?? '';
  return CAPACITY_WORDS[c] ?? c.toLowerCase().replace(/_/g, ' ');
}

/**
 * Whether an annex party (who sees only `annexIds`) may see this event: agreement-level
 * events, and events about requests and sealed documents of their annexes.
 */
export function visibleToAnnexParty(e: AuditEventEntity, annexIds: ReadonlySet<string>, lookups: NarrationLookups): boolean {
  if (AGREEMENT_LEVEL_EVENTS.has(e.type)) return true;
  if (REQUEST_EVENTS.has(e.type)) {
    const r = requestOf(e, lookups);
    return !!r && r.annexId !== null && annexIds.has(r.annexId);
  }
  if (e.type === AuditEventType.DocumentGenerated) return annexDocuments(e, annexIds, lookups).length > 0;
  return false;
}

function annexDocuments(e: AuditEventEntity, annexIds: ReadonlySet<string> | null, lookups: NarrationLookups): string[] {
  const docs = Array.isArray(e.payload.documents) ? (e.payload.documents as { id?: string; reference?: string }[]) : [];
  return docs
    .filter((d) => {
      if (!annexIds) return true;
      const fact = d.id ? lookups.documents.get(d.id) : undefined;
      return !!fact?.annexId && annexIds.has(fact.annexId);
    })
    .map((d) => d.reference ?? 'a document');
}

/** Who acted: the person's name (never an id), or "The platform" for what it did itself. */
function whoOf(e: AuditEventEntity, lookups: NarrationLookups): string {
  if (e.type === AuditEventType.RequestSent || e.type === AuditEventType.EmailSent || e.type === AuditEventType.EmailFailed) return 'The platform';
  if (e.actorUserId) return e.actorName ?? lookups.users.get(e.actorUserId) ?? 'A person who has since left the platform';
  if (e.actorName) return e.actorName;
  if (e.authMethod === 'system' || !e.actorUserId) return e.type === AuditEventType.DocumentVerified ? 'A visitor to the verification page' : 'The platform';
  return 'The platform';
}

/** The event in words, e.g. "Approved the annex ‘…’ for Yarm Medical Practice as Data Protection Officer". */
export function describeEvent(e: AuditEventEntity, lookups: NarrationLookups, annexIds: ReadonlySet<string> | null = null): string {
  const p = e.payload;
  const r = requestOf(e, lookups);
  switch (e.type) {
    case AuditEventType.AgreementCreated:
      return str(p.variationOfReference) ? `Started variation ${str(p.reference)} of ${str(p.variationOfReference)}` : `Created the agreement (reference ${str(p.reference) ?? 'not recorded'})`;
    case AuditEventType.RevisionSaved:
      return `Saved revision ${num(p.revisionNumber) ?? ''}`.trim();
    case AuditEventType.Submitted:
      return `${p.restarted ? 'Restarted the approval round' : 'Sent for approval'}: revision ${num(p.revisionNumber) ?? ''}${str(p.dueAt) ? `, due by ${ukDate(p.dueAt)}` : ''}`;
    case AuditEventType.RequestSent:
      return r ? `Asked ${r.personName} to ${r.scope === 'ANNEX' && r.capacity.match(/DPO|CALDICOTT/) ? 'review' : 'sign'} ${partOf(r)} for ${r.organisationName} as ${capacityOf(undefined, r)}` : 'Sent a request to approve';
    case AuditEventType.Viewed:
      return r ? `Opened ${partOf(r)} for ${r.organisationName}` : 'Opened the document to review it';
    case AuditEventType.Approved:
      return r ? `Approved ${partOf(r)} for ${r.organisationName} as ${capacityOf(p.capacity, r)}` : 'Approved';
    case AuditEventType.Signed:
      return r ? `Signed ${partOf(r)} for ${r.organisationName} as ${capacityOf(p.capacity, r)}` : 'Signed';
    case AuditEventType.Declined:
      return r ? `Declined ${partOf(r)} for ${r.organisationName}${str(p.reason) ? `: “${str(p.reason)}”` : ''}` : 'Declined';
    case AuditEventType.Delegated:
      return `Passed ${r ? `the request for ${partOf(r)} for ${r.organisationName}` : 'a request'} to ${str(p.toName) ?? 'another person'}`;
    case AuditEventType.Reminded: {
      const ids = Array.isArray(p.requestIds) ? (p.requestIds as string[]) : [];
      const people = num(p.people) ?? new Set(ids.map((id) => lookups.requests.get(id)?.personId ?? id)).size;
      return `Reminder sent to ${plural(people, 'person', 'people')}`;
    }
    case AuditEventType.Withdrawn:
      return `Withdrew the approval round${str(p.reason) ? `: “${str(p.reason)}”` : ''}`;
    case AuditEventType.Expired:
      return `The approval round expired with ${plural(num(p.outstanding) ?? 0, 'approval')} outstanding`;
    case AuditEventType.Extended:
      return `Extended the due date to ${ukDate(p.dueAt)}`;
    case AuditEventType.Executed:
      return `Executed: revision ${num(p.revisionNumber) ?? ''}, approved by ${plural(num(p.signatories) ?? 0, 'person', 'people')}`;
    case AuditEventType.Superseded:
      return `Superseded by variation ${str(p.reference) ?? ''}`.trim();
    case AuditEventType.Terminated:
      return `Terminated${str(p.reason) ? `: “${str(p.reason)}”` : ''}`;
    case AuditEventType.EmailSent: {
      const to = str(p.to);
      const name = to ? (lookups.peopleByEmail.get(to.toLowerCase()) ?? to) : 'a participant';
      return `Emailed ${name} ${EMAIL_WORDS[str(p.kind) ?? ''] ?? 'about the agreement'}`;
    }
    case AuditEventType.EmailFailed: {
      const to = str(p.to);
      return `Could not email ${to ? (lookups.peopleByEmail.get(to.toLowerCase()) ?? to) : 'a participant'} (attempt ${num(p.attempt) ?? 1}); it will try again`;
    }
    case AuditEventType.DocumentGenerated: {
      const refs = annexDocuments(e, annexIds, lookups);
      return `Sealed ${refs.length === 1 ? 'the document' : `${refs.length} documents:`} ${refs.join(', ')}`;
    }
    case AuditEventType.DocumentDownloaded:
      return `Downloaded the sealed document ${str(p.reference) ?? ''}`.trim();
    case AuditEventType.DocumentVerified:
      return `Checked a file on the verification page: ${VERDICT_WORDS[str(p.verdict) ?? ''] ?? 'checked'}`;
    case AuditEventType.AuditTrailExported:
      return 'Downloaded the audit trail';
    case AuditEventType.RoleGranted:
      return 'Granted a role';
    case AuditEventType.RoleRevoked:
      return 'Removed a role';
    default:
      return String(e.type).toLowerCase().replace(/_/g, ' ');
  }
}

/** The trail as rows a person reads, in time order. */
export function narrate(events: AuditEventEntity[], lookups: NarrationLookups, annexIds: ReadonlySet<string> | null = null): TrailRow[] {
  return events.map((e) => {
    const who = whoOf(e, lookups);
    const organisation = who === 'The platform' ? null : e.organisationId ? (lookups.organisations.get(e.organisationId) ?? null) : null;
    return { seq: e.seq, at: e.occurredAt, who, organisation, what: describeEvent(e, lookups, annexIds) };
  });
}
