import type { AgreementContent } from '@pcn/agreements';
import { AuditEventEntity, AuditEventType } from '@pcn/audit';
import type { CertificateDelivery, CertificateEvent, CertificateRound, CertificateSigner, OrganisationDisplay } from '@pcn/documents';
import { annexSectionId, formatUtc } from '@pcn/documents';
import { ApprovalRoundEntity, RoundStatus } from '../rounds/approval-round.entity';
import { CAPACITY_LABELS, PLATFORM_ACTOR_NAME } from '../rounds/round-labels';
import { RequestKind, RequestScope, RequestStatus, SignatureRequestEntity, SignerCapacity } from '../rounds/signature-request.entity';
import { stepLabel } from '../rounds/step-label';

/** The agreement's own approvals (as opposed to an annex's) in certificate `part` fields. */
export const AGREEMENT_PART = 'agreement';

const AUTH_LABEL: Record<string, string> = {
  password: 'Password sign-in',
  'password+refresh': 'Password sign-in (renewed session)',
  system: 'The platform itself',
};

const EMAIL_KIND_LABEL: Record<string, [string, string]> = {
  SIGNATURE_REQUESTED: ['signature request', 'signature requests'],
  IG_REVIEW_REQUESTED: ['information-governance review request', 'information-governance review requests'],
  REMINDER: ['reminder', 'reminders'],
  DELEGATED_TO_YOU: ['delegated request', 'delegated requests'],
  AGREEMENT_EXECUTED: ['notice of execution', 'notices of execution'],
  ROUND_DECLINED: ['notice of a decline', 'notices of a decline'],
  ROUND_STOPPED: ['notice that signing stopped', 'notices that signing stopped'],
  ROUND_WITHDRAWN: ['notice of withdrawal', 'notices of withdrawal'],
  ROUND_EXPIRED: ['notice of expiry', 'notices of expiry'],
};

export interface EvidenceInput {
  content: AgreementContent;
  /** Every round of the revision, oldest first; the last one is the completing round. */
  rounds: ApprovalRoundEntity[];
  /** Every request of those rounds. */
  requests: SignatureRequestEntity[];
  /** The agreement's audit events that concern this revision (any order). */
  events: AuditEventEntity[];
  /** User id → display name, for events recorded without a name and for round senders. */
  userNames: ReadonlyMap<string, string>;
  /** Lower-case email → name, for recipients who are not signers (e.g. a sender who does not countersign). */
  namesByEmail: ReadonlyMap<string, string>;
  organisations: Readonly<Record<string, OrganisationDisplay>>;
}

export interface CertificateEvidence {
  events: CertificateEvent[];
  rounds: CertificateRound[];
  signers: CertificateSigner[];
  deliveries: CertificateDelivery[];
  sender: string;
  createdAt: string;
  sentAt: string;
}

function letter(index: number): string {
  let n = index;
  let out = '';
  do {
    out = String.fromCharCode(65 + (n % 26)) + out;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return out;
}

const quote = (t: string) => `“${t.trim()}”`;

/**
 * Builds the certificate of completion's evidence from the rounds, requests and audit events
 * of one revision: names (never ids), events in time order, emails summarised per person, and
 * each item tagged with the part it concerns so an annex's certificate shows only its own.
 */
export function buildCertificateEvidence(input: EvidenceInput): CertificateEvidence {
  const annexIndex = new Map((input.content.annexes ?? []).map((a, i) => [a.id ?? '', i]));
  const partOf = (r: Pick<SignatureRequestEntity, 'scope' | 'annexId'>): string =>
    r.scope === RequestScope.Annex && r.annexId ? annexSectionId(r.annexId) : AGREEMENT_PART;
  const partTitle = (r: Pick<SignatureRequestEntity, 'scope' | 'annexId' | 'annexTitle'>): string => {
    if (r.scope !== RequestScope.Annex || !r.annexId) return 'the agreement';
    const i = annexIndex.get(r.annexId);
    return i === undefined ? `the annex ${r.annexTitle ?? ''}`.trim() : `Annex ${letter(i)}: ${r.annexTitle ?? input.content.annexes[i].title}`;
  };
  const orgName = (id: string | null) => {
    if (!id) return '';
    const o = input.organisations[id];
    return o ? (o.odsCode ? `${o.name} (${o.odsCode})` : o.name) : '';
  };
  const requestsById = new Map(input.requests.map((r) => [r.id, r]));
  const roundNumber = new Map(input.rounds.map((r, i) => [r.id, i + 1]));
  const sentAtOf = new Map<string, Date>();
  const events = [...input.events].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || a.seq - b.seq);
  for (const e of events) {
    const id = e.type === AuditEventType.RequestSent ? (e.payload.requestId as string | undefined) : undefined;
    if (id && !sentAtOf.has(id)) sentAtOf.set(id, e.occurredAt);
  }
  const userName = (id: string | null) => (id ? input.userNames.get(id) : undefined);
  const who = (e: AuditEventEntity) => e.actorName ?? userName(e.actorUserId) ?? (e.actorUserId ? 'A signed-in user (name not recorded)' : PLATFORM_ACTOR_NAME);
  const roundLabel = (roundId: string | null) => (roundId && roundNumber.has(roundId) ? ` (round ${roundNumber.get(roundId)})` : '');

  const certificateEvents: CertificateEvent[] = [];
  for (const e of events) {
    if (e.type === AuditEventType.EmailSent || e.type === AuditEventType.RequestSent) continue;
    const request = requestsById.get((e.payload.requestId ?? e.payload.fromRequestId) as string);
    const p = e.payload;
    let action: string;
    switch (e.type) {
      case AuditEventType.AgreementCreated:
        action = `Created the agreement ${String(p.reference ?? '')}`.trim();
        break;
      case AuditEventType.RevisionSaved:
        action = `Saved revision ${String(p.revisionNumber ?? '')}`.trim();
        break;
      case AuditEventType.Submitted:
        action = `Sent revision ${String(p.revisionNumber ?? '')} for approval${roundLabel(e.roundId)}${p.restarted ? ', restarting it after expiry' : ''}`;
        break;
      case AuditEventType.Viewed:
        action = `Opened ${request ? partTitle(request) : 'the document'} to review${roundLabel(e.roundId)}`;
        break;
      case AuditEventType.Approved:
        action = `Gave information-governance approval for ${request ? partTitle(request) : 'a part'}${request ? ` as ${CAPACITY_LABELS[request.capacity] ?? request.capacity}` : ''}${roundLabel(e.roundId)}`;
        break;
      case AuditEventType.Signed:
        action = `Signed ${request ? partTitle(request) : 'a part'}${request ? ` as ${CAPACITY_LABELS[request.capacity] ?? request.capacity}` : ''}${roundLabel(e.roundId)}`;
        break;
      case AuditEventType.Declined:
        action = `Declined ${request ? partTitle(request) : 'a part'}${roundLabel(e.roundId)}: ${quote(String(p.reason ?? ''))}`;
        break;
      case AuditEventType.Delegated:
        action = `Delegated ${request ? partTitle(request) : 'a request'} to ${String(p.toName ?? 'another person')}${roundLabel(e.roundId)}`;
        break;
      case AuditEventType.Reminded:
        action = `${p.manual ? 'Sent reminders now' : 'Sent automatic reminders'} to those yet to act in step ${String(p.step ?? '')}${roundLabel(e.roundId)}`;
        break;
      case AuditEventType.Withdrawn:
        action = `Withdrew the round${roundLabel(e.roundId)}: ${quote(String(p.reason ?? ''))}`;
        break;
      case AuditEventType.Expired:
        action = `The round${roundLabel(e.roundId)} expired with ${String(p.outstanding ?? 'some')} approvals outstanding`;
        break;
      case AuditEventType.Extended:
        action = `Extended the due date${roundLabel(e.roundId)} to ${String(p.dueAt ?? '')}`;
        break;
      case AuditEventType.Executed:
        action = `Executed the agreement: every required approval was given${roundLabel(e.roundId)}`;
        break;
      case AuditEventType.EmailFailed:
        action = `An email to ${String(p.to ?? 'a recipient')} could not be delivered (attempt ${String(p.attempt ?? 1)})`;
        break;
      default:
        action = e.type.toLowerCase().replace(/_/g, ' ');
    }
    certificateEvents.push({
      at: e.occurredAt.toISOString(),
      actor: who(e),
      organisation: orgName(e.organisationId),
      action,
      ip: e.ip ?? '',
      userAgent: e.userAgent ?? '',
      part: request ? partOf(request) : null,
    });
  }

  const certificateRounds: CertificateRound[] = input.rounds.map((round, i) => {
    const declined = input.requests.find((r) => r.roundId === round.id && r.status === RequestStatus.Declined);
    let outcome: string;
    let reason: string | null = round.endReason;
    let part: string | null = null;
    switch (round.status) {
      case RoundStatus.Completed:
        outcome = 'Completed';
        reason = null;
        break;
      case RoundStatus.Declined:
        outcome = 'Declined';
        if (declined) {
          reason = `${declined.personName}, ${orgName(declined.organisationId) || declined.organisationName}, declined ${partTitle(declined)} on ${formatUtc(declined.actedAt?.toISOString())}: ${quote(declined.declineReason ?? round.endReason ?? '')}`;
          part = partOf(declined);
        }
        break;
      case RoundStatus.Withdrawn:
        outcome = 'Withdrawn';
        reason = round.endReason ? `Withdrawn by the sender: ${quote(round.endReason)}` : 'Withdrawn by the sender';
        break;
      case RoundStatus.Expired:
        outcome = 'Expired';
        break;
      case RoundStatus.Restarted:
        outcome = 'Expired, then restarted';
        break;
      default:
        outcome = 'Open';
    }
    return {
      number: i + 1,
      sentAt: round.submittedAt.toISOString(),
      sentBy: userName(round.submittedBy) ?? PLATFORM_ACTOR_NAME,
      endedAt: round.endedAt?.toISOString() ?? null,
      outcome,
      reason,
      part,
    };
  });

  const completing = input.rounds[input.rounds.length - 1];
  const signers: CertificateSigner[] = input.requests
    .filter((r) => r.roundId === completing.id && r.status === RequestStatus.Approved)
    .sort((a, b) => a.step - b.step || (a.actedAt?.getTime() ?? 0) - (b.actedAt?.getTime() ?? 0))
    .map((r) => {
      const capacity = CAPACITY_LABELS[r.capacity] ?? r.capacity;
      const org = input.organisations[r.organisationId];
      const ig = r.kind === RequestKind.IgApproval;
      return {
        name: r.personName,
        email: r.personEmail,
        organisation: org?.name ?? r.organisationName,
        odsCode: org?.odsCode ?? r.odsCode ?? '',
        capacity,
        step: `${r.step}: ${stepLabel(completing, r.step)}`,
        part: r.scope === RequestScope.Annex && r.annexId ? annexSectionId(r.annexId) : null,
        partTitle: partTitle(r).replace(/^the a/, 'The a'),
        outcome: ig ? 'Approved (information governance)' : r.capacity === SignerCapacity.ClinicalDirector ? 'Countersigned' : 'Signed',
        sentAt: sentAtOf.get(r.id)?.toISOString() ?? null,
        viewedAt: r.viewedAt?.toISOString() ?? null,
        actedAt: r.actedAt?.toISOString() ?? null,
        ip: r.ip ?? '',
        userAgent: r.userAgent ?? '',
        authMethod: AUTH_LABEL[r.authMethod ?? ''] ?? r.authMethod ?? 'Not recorded',
        typedName: r.typedName ?? '',
        authority: r.authorityConfirmed
          ? `Confirmed they have authority to ${ig ? 'approve' : 'sign'} ${partTitle(r)} for ${org?.name ?? r.organisationName} as ${capacity}`
          : 'Not confirmed',
      };
    });

  // Emails: one line per person, never one per message.
  const byEmail = new Map<string, { count: number; kinds: Map<string, number>; first: Date; last: Date }>();
  for (const e of events) {
    if (e.type !== AuditEventType.EmailSent) continue;
    const to = String(e.payload.to ?? '').toLowerCase();
    if (!to) continue;
    const entry = byEmail.get(to) ?? { count: 0, kinds: new Map(), first: e.occurredAt, last: e.occurredAt };
    entry.count++;
    const kind = String(e.payload.kind ?? '');
    entry.kinds.set(kind, (entry.kinds.get(kind) ?? 0) + 1);
    if (e.occurredAt < entry.first) entry.first = e.occurredAt;
    if (e.occurredAt > entry.last) entry.last = e.occurredAt;
    byEmail.set(to, entry);
  }
  const deliveries: CertificateDelivery[] = [...byEmail.entries()].map(([email, d]) => {
    const theirs = input.requests.filter((r) => r.personEmail.toLowerCase() === email);
    const kinds = [...d.kinds.entries()].map(([k, n]) => {
      const [one, many] = EMAIL_KIND_LABEL[k] ?? [k.toLowerCase().replace(/_/g, ' '), `${k.toLowerCase().replace(/_/g, ' ')} emails`];
      return `${n} ${n === 1 ? one : many}`;
    });
    return {
      name: theirs[0]?.personName ?? input.namesByEmail.get(email) ?? email,
      email,
      count: d.count,
      kinds: kinds.join(', '),
      firstAt: d.first.toISOString(),
      lastAt: d.last.toISOString(),
      parts: [...new Set(theirs.map((r) => (r.scope === RequestScope.Annex && r.annexId ? annexSectionId(r.annexId) : AGREEMENT_PART)))],
    };
  });
  deliveries.sort((a, b) => a.firstAt.localeCompare(b.firstAt) || a.name.localeCompare(b.name));

  const created = events.find((e) => e.type === AuditEventType.AgreementCreated);
  return {
    events: certificateEvents,
    rounds: certificateRounds,
    signers,
    deliveries,
    sender: userName(completing.submittedBy) ?? PLATFORM_ACTOR_NAME,
    createdAt: (created?.occurredAt ?? input.rounds[0].submittedAt).toISOString(),
    sentAt: completing.submittedAt.toISOString(),
  };
}
