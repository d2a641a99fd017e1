import type { DataSource } from 'typeorm';
import { revisionAnnexIdsSql, type NetworkAgreementEntity } from '@pcn/agreements';
import { queryPrepared } from '@pcn/database';
import type { OrganisationEntity, PersonEntity } from '@pcn/directory';
import { SentEmailStatus } from '../notifications/sent-email.entity';
import type { ApprovalRoundEntity } from '../rounds/approval-round.entity';
import type { SignatureRequestEntity } from '../rounds/signature-request.entity';

/** What an email reads of its round: the links, the step label (stored phases), the quoted message, the audit event. */
export type EmailRound = Pick<
  ApprovalRoundEntity,
  'id' | 'agreementId' | 'revisionId' | 'revisionNumber' | 'currentStep' | 'stepPhases' | 'submittedByPersonId' | 'contentHash' | 'dueAt' | 'message' | 'endReason'
>;
export type EmailPerson = Pick<PersonEntity, 'id' | 'fullName' | 'email'>;
export type EmailAgreement = Pick<NetworkAgreementEntity, 'id' | 'title' | 'reference' | 'statusReason' | 'executedAt'>;
export type EmailPcn = Pick<OrganisationEntity, 'name' | 'odsCode'>;
/** One of the recipient's requests in the round: what the digest, the decline check and the REQUEST_SENT events read. */
export type EmailRequest = Pick<
  SignatureRequestEntity,
  'id' | 'step' | 'status' | 'delegatedFromId' | 'scope' | 'annexId' | 'annexTitle' | 'capacity' | 'organisationId' | 'organisationName' | 'odsCode' | 'personName'
>;

export type EmailContext =
  | { alreadySent: true }
  | {
      alreadySent: false;
      /** Null when the round or the person no longer exists (a bad job). */
      found: { round: EmailRound; person: EmailPerson; agreement: EmailAgreement; pcn: EmailPcn; requests: EmailRequest[]; annexIds: (string | undefined)[] } | null;
    };

interface EmailContextRow {
  already_sent: boolean;
  round_id: string | null;
  round_agreement_id: string;
  round_revision_id: string;
  round_revision_number: number;
  round_current_step: number;
  round_step_phases: EmailRound['stepPhases'];
  round_submitted_by_person_id: string | null;
  round_content_hash: string;
  round_due_at: Date;
  round_message: string | null;
  round_end_reason: string | null;
  person_id: string | null;
  person_full_name: string;
  person_email: string;
  agreement_id: string | null;
  agreement_title: string;
  agreement_reference: string;
  agreement_status_reason: string | null;
  agreement_executed_at: Date | null;
  pcn_id: string | null;
  pcn_name: string;
  pcn_ods_code: string | null;
  /** json_agg: camelCase keys, no timestamps (none is read), so nothing needs converting. */
  requests: EmailRequest[] | null;
  annex_ids: unknown[] | null;
}

/**
 * Everything one email job reads, in one statement: whether its sent_email row is already
 * SENT, the round, the person, the agreement, its PCN, the person's requests in the round
 * (by organisation name) and the revision's annex ids in document order (only the ids leave the
 * database: the revision's content is the whole agreement, tens of KB of JSON). The national drill
 * sends 60,000 emails on 2 cores; seven separate reads (six of them through TypeORM's query
 * building and entity mapping) were seven round trips per email, each costing CPU in Node and
 * in PostgreSQL. Timestamps come back as plain columns, so node-postgres gives Dates, as the
 * entities did. The round is aliased `rnd`: revisionAnnexIdsSql uses `r` for the revision.
 */
export const EMAIL_CONTEXT_SQL = `
SELECT EXISTS (SELECT 1 FROM sent_email s WHERE s.job_id = $1 AND s.status = $2) AS already_sent,
       rnd.id AS round_id, rnd.agreement_id AS round_agreement_id, rnd.revision_id AS round_revision_id,
       rnd.revision_number AS round_revision_number, rnd.current_step AS round_current_step, rnd.step_phases AS round_step_phases,
       rnd.submitted_by_person_id AS round_submitted_by_person_id, rnd.content_hash AS round_content_hash,
       rnd.due_at AS round_due_at, rnd.message AS round_message, rnd.end_reason AS round_end_reason,
       p.id AS person_id, p.full_name AS person_full_name, p.email AS person_email,
       a.id AS agreement_id, a.title AS agreement_title, a.reference AS agreement_reference,
       a.status_reason AS agreement_status_reason, a.executed_at AS agreement_executed_at,
       o.id AS pcn_id, o.name AS pcn_name, o.ods_code AS pcn_ods_code,
       (SELECT json_agg(json_build_object(
                 'id', sr.id, 'step', sr.step, 'status', sr.status, 'delegatedFromId', sr.delegated_from_id,
                 'scope', sr.scope, 'annexId', sr.annex_id, 'annexTitle', sr.annex_title, 'capacity', sr.capacity,
                 'organisationId', sr.organisation_id, 'organisationName', sr.organisation_name, 'odsCode', sr.ods_code,
                 'personName', sr.person_name) ORDER BY sr.organisation_name ASC)
          FROM signature_request sr WHERE sr.round_id = rnd.id AND sr.person_id = p.id) AS requests,
       ${revisionAnnexIdsSql('rnd.revision_id')} AS annex_ids
  FROM (VALUES (1)) AS one (x)
  LEFT JOIN approval_round rnd ON rnd.id = $3
  LEFT JOIN person p ON p.id = $4
  LEFT JOIN network_agreement a ON a.id = rnd.agreement_id
  LEFT JOIN organisation o ON o.id = a.pcn_id`;

/** The row of EMAIL_CONTEXT_SQL as typed objects (exported for its test against a real row). */
export function emailContextFromRow(row: EmailContextRow): EmailContext {
  if (row.already_sent) return { alreadySent: true };
  if (row.round_id === null || row.person_id === null) return { alreadySent: false, found: null };
  // Foreign keys keep these; if one were gone it is an error worth retrying, as findOneByOrFail's was.
  if (row.agreement_id === null) throw new Error(`agreement ${row.round_agreement_id} of round ${row.round_id} not found`);
  if (row.pcn_id === null) throw new Error(`PCN of agreement ${row.agreement_id} not found`);
  return {
    alreadySent: false,
    found: {
      round: {
        id: row.round_id,
        agreementId: row.round_agreement_id,
        revisionId: row.round_revision_id,
        revisionNumber: row.round_revision_number,
        currentStep: row.round_current_step,
        stepPhases: row.round_step_phases,
        submittedByPersonId: row.round_submitted_by_person_id,
        contentHash: row.round_content_hash,
        dueAt: row.round_due_at,
        message: row.round_message,
        endReason: row.round_end_reason,
      },
      person: { id: row.person_id, fullName: row.person_full_name, email: row.person_email },
      agreement: {
        id: row.agreement_id,
        title: row.agreement_title,
        reference: row.agreement_reference,
        statusReason: row.agreement_status_reason,
        executedAt: row.agreement_executed_at,
      },
      pcn: { name: row.pcn_name, odsCode: row.pcn_ods_code },
      requests: row.requests ?? [],
      annexIds: (row.annex_ids ?? []).map((id) => (typeof id === 'string' ? id : undefined)),
    },
  };
}

/** Reads one email job's context (EMAIL_CONTEXT_SQL): one round trip, planned once per connection (its planning cost more than running it). */
export async function loadEmailContext(dataSource: DataSource, jobId: string, roundId: string, personId: string): Promise<EmailContext> {
  const [row] = await queryPrepared<EmailContextRow>(dataSource, EMAIL_CONTEXT_SQL, [jobId, SentEmailStatus.Sent, roundId, personId]);
  return emailContextFromRow(row);
}
