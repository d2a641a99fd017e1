import type { ReceivedMail } from '../../support/smtp-test-server';
import type { ApprovalLoad } from './approval-load';
import type { FaultSystem } from './fault-system';

/** A round a drill drove to execution: who was asked, so the emails they should get are known. */
export interface DrillRound {
  agreementId: string;
  roundId: string;
  signers: { email: string; personId: string }[];
}

/** What the drills promise once the system is quiet; every list is empty and `auditChainsOk` true when all hold. */
export interface InvariantReport {
  /** Approvals answered 2xx whose request is not APPROVED, or has not exactly one SIGNED event. */
  approvalsLost: { requestId: string; status: string | null; signedEvents: number }[];
  /** Agreements not EXECUTED with exactly one execution and one EXECUTED audit event. */
  agreementsNotExecutedOnce: { agreementId: string; status: string; executions: number; executedEvents: number }[];
  /** Agreements whose sealed documents are not exactly one AGREEMENT part (these drafts have no annex). */
  documentsNotOnePerPart: { agreementId: string; parts: string[] }[];
  /** The same email (recipient, kind, round, step, reminder) sent by two different jobs. */
  emailsSentTwice: { key: string; jobs: string[] }[];
  /** Expected emails that never arrived. */
  emailsMissing: string[];
  /** Emails nobody should have got. */
  emailsUnexpected: string[];
  auditChainsOk: boolean;
}

export const CLEAN_REPORT: InvariantReport = {
  approvalsLost: [],
  agreementsNotExecutedOnce: [],
  documentsNotOnePerPart: [],
  emailsSentTwice: [],
  emailsMissing: [],
  emailsUnexpected: [],
  auditChainsOk: true,
};

export interface EmailFacts {
  /** Logical email → the message keys (job ids) of every copy the SMTP server received. */
  copies: Map<string, string[]>;
  /** Copies of one job received more than once: the crash window between the SMTP server's 250 and the sent_email record. */
  windowDuplicates: number;
}

const MESSAGE_KEY_HEADER = 'x-pcn-message-key';

/**
 * Groups received mail by what it means: (recipient, kind, round, step, reminder number),
 * read from the job that sent it (the outbox row, or sent_email, named by X-PCN-Message-Key).
 */
export async function emailFacts(system: FaultSystem, messages: ReceivedMail[]): Promise<EmailFacts> {
  const jobs = new Map<string, { kind: string; roundId: string; step: number | null; reminderNumber: number | null }>();
  for (const row of await system.query<{ id: string; payload: Record<string, unknown> }>(`SELECT id::text, payload FROM outbox WHERE job_name = 'email.send'`)) {
    jobs.set(row.id, { kind: String(row.payload.kind), roundId: String(row.payload.roundId), step: (row.payload.step as number) ?? null, reminderNumber: (row.payload.reminderNumber as number) ?? null });
  }
  for (const row of await system.query<{ job_id: string; kind: string; round_id: string }>(`SELECT job_id::text, kind, round_id::text FROM sent_email`)) {
    if (!jobs.has(row.job_id)) jobs.set(row.job_id, { kind: row.kind, roundId: row.round_id, step: null, reminderNumber: null });
  }
  const copies = new Map<string, string[]>();
  for (const mail of messages) {
    const jobId = mail.headers[MESSAGE_KEY_HEADER] ?? '';
    const job = jobs.get(jobId);
    const recipient = (mail.envelope.rcptTo[0] ?? mail.to[0] ?? '').toLowerCase();
    // A message no job explains is keyed by its subject, so it shows up as unexpected.
    const key = job ? emailKey(recipient, job.kind, job.roundId, job.reminderNumber) : `${recipient}|unknown job ${jobId}|${mail.subject}`;
    copies.set(key, [...(copies.get(key) ?? []), jobId]);
  }
  let windowDuplicates = 0;
  for (const jobIds of copies.values()) windowDuplicates += jobIds.length - new Set(jobIds).size;
  return { copies, windowDuplicates };
}

export function emailKey(recipient: string, kind: string, roundId: string, reminderNumber: number | null = null): string {
  return `${recipient.toLowerCase()}|${kind}|${roundId}${reminderNumber === null ? '' : `|reminder ${reminderNumber}`}`;
}

/** Each signer of each round: asked to sign once, told of the execution once. */
export function expectedEmails(rounds: DrillRound[]): string[] {
  return rounds.flatMap((round) => round.signers.flatMap((s) => [emailKey(s.email, 'SIGNATURE_REQUESTED', round.roundId), emailKey(s.email, 'AGREEMENT_EXECUTED', round.roundId)]));
}

/** Checks every invariant over the drills' rounds; call once the system is quiet. */
export async function checkInvariants(system: FaultSystem, load: ApprovalLoad, rounds: DrillRound[], expected: string[], facts: EmailFacts): Promise<InvariantReport> {
  const report: InvariantReport = { ...CLEAN_REPORT, approvalsLost: [], agreementsNotExecutedOnce: [], documentsNotOnePerPart: [], emailsSentTwice: [], emailsMissing: [], emailsUnexpected: [] };
  const approvedIds = [...load.approved.keys()];
  const requests = await system.query<{ id: string; status: string; signed: number }>(
    `SELECT r.id::text, r.status, (SELECT count(*)::int FROM audit_event e WHERE e.type = 'SIGNED' AND e.payload->>'requestId' = r.id::text) AS signed
       FROM signature_request r WHERE r.id = ANY($1::uuid[])`,
    [approvedIds],
  );
  for (const requestId of approvedIds) {
    const row = requests.find((r) => r.id === requestId);
    if (!row || row.status !== 'APPROVED' || row.signed !== 1) report.approvalsLost.push({ requestId, status: row?.status ?? null, signedEvents: row?.signed ?? 0 });
  }

  const agreementIds = rounds.map((r) => r.agreementId);
  const agreements = await system.query<{ id: string; status: string; executions: number; executed_events: number }>(
    `SELECT a.id::text, a.status,
            (SELECT count(*)::int FROM agreement_execution x WHERE x.agreement_id = a.id) AS executions,
            (SELECT count(*)::int FROM audit_event e WHERE e.agreement_id = a.id AND e.type = 'EXECUTED') AS executed_events
       FROM network_agreement a WHERE a.id = ANY($1::uuid[])`,
    [agreementIds],
  );
  for (const a of agreements) {
    if (a.status !== 'EXECUTED' || a.executions !== 1 || a.executed_events !== 1) report.agreementsNotExecutedOnce.push({ agreementId: a.id, status: a.status, executions: a.executions, executedEvents: a.executed_events });
  }

  const documents = await system.query<{ agreement_id: string; parts: string[] }>(
    `SELECT a.id::text AS agreement_id, coalesce(array_agg(d.kind || ':' || d.part ORDER BY d.kind, d.part) FILTER (WHERE d.id IS NOT NULL), '{}') AS parts
       FROM network_agreement a LEFT JOIN sealed_document d ON d.agreement_id = a.id
      WHERE a.id = ANY($1::uuid[]) GROUP BY a.id`,
    [agreementIds],
  );
  for (const d of documents) {
    if (d.parts.length !== 1 || d.parts[0] !== 'AGREEMENT:agreement') report.documentsNotOnePerPart.push({ agreementId: d.agreement_id, parts: d.parts });
  }

  // Emails of other rounds on the same system belong to other drills; mail no job explains belongs to every drill.
  const inScope = [...facts.copies].filter(([key]) => key.includes('|unknown job ') || rounds.some((r) => key.includes(r.roundId)));
  for (const [key, jobIds] of inScope) {
    if (new Set(jobIds).size > 1) report.emailsSentTwice.push({ key, jobs: jobIds });
  }
  const wanted = new Set(expected);
  report.emailsMissing = expected.filter((key) => !facts.copies.has(key));
  report.emailsUnexpected = inScope.map(([key]) => key).filter((key) => !wanted.has(key));

  const chains = await system.verifyAuditChains();
  report.auditChainsOk = chains.ok && chains.chains > 0;
  if (!report.auditChainsOk) console.error(`audit chains: ${JSON.stringify(chains)}`);
  return report;
}
