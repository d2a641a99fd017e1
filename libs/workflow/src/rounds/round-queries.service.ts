import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { AgreementsService, NetworkAgreementEntity } from '@pcn/agreements';
import { AuditEventType, AuditService } from '@pcn/audit';
import { hasPermission, Permission, Principal } from '@pcn/auth';
import { Clock, CommonException, Page, PAGE_LIMIT_MAX, pageLimit, pageOf, PageRequest } from '@pcn/common';
import { DirectoryService } from '@pcn/directory';
import { ApprovalRoundEntity, RoundStatus } from './approval-round.entity';
import { RequestScope, RequestStatus, SignatureRequestEntity, SignerCapacity } from './signature-request.entity';
import { CAPACITY_LABELS, REQUEST_STATUS_LABELS, ROUND_STATUS_LABELS } from './round-labels';
import { withoutPersonalData } from './signer-personal-data';
import { SignerResolutionService } from './signer-resolution.service';
import { hasCountersignature, stepLabel } from './step-label';
import { STEP_PHASE_LABELS, StepLabel, StepPhase } from './step-phase';

/** Who acts, for which organisation, in what capacity, on which part: shared by the plan preview and progress. */
interface SignerSummary {
  personId: string;
  personName: string;
  organisationId: string;
  organisationName: string;
  odsCode: string | null;
  capacity: SignerCapacity;
  capacityLabel: string;
  kind: 'agreement' | 'annex';
  partTitle: string;
}

export interface SignerPlanPreviewSigner extends SignerSummary {
  annexId: string | null;
}

export interface SignerPlanPreviewStep {
  step: number;
  phase: StepPhase;
  label: StepLabel;
  signers: SignerPlanPreviewSigner[];
}

export interface SignerPlanPreview {
  agreementId: string;
  revisionNumber: number;
  contentHash: string;
  countersigns: boolean;
  steps: SignerPlanPreviewStep[];
  /** One sentence per party nobody can act for; sending would be refused while any remain. */
  problems: string[];
  canSend: boolean;
}

export interface RoundProgressSigner extends SignerSummary {
  requestId: string;
  status: RequestStatus;
  statusLabel: string;
  /** When the request email was sent (REQUEST_SENT); null while its step has not started or the email is queued. */
  sentAt: Date | null;
  viewedAt: Date | null;
  actedAt: Date | null;
  declineReason: string | null;
  delegatedFromName: string | null;
  delegatedToName: string | null;
}

export interface RoundProgressStep {
  step: number;
  phase: StepPhase;
  label: StepLabel;
  current: boolean;
  signers: RoundProgressSigner[];
}

export interface RoundProgress {
  roundId: string;
  revisionNumber: number;
  status: RoundStatus;
  statusLabel: string;
  submittedAt: Date;
  dueAt: Date;
  endedAt: Date | null;
  endReason: string | null;
  currentStep: number;
  lastStep: number;
  countersigns: boolean;
  steps: RoundProgressStep[];
}

/** One row of the task list: a request waiting for this person now (current step of an active round). */
export interface WaitingTask {
  requestId: string;
  kind: string;
  scope: RequestScope;
  annexTitle: string | null;
  step: number;
  phase: StepPhase;
  stepLabel: StepLabel;
  capacity: SignerCapacity;
  organisationName: string;
  hashToConfirm: string;
  dueAt: Date;
  agreementId: string;
  agreementReference: string;
  agreementTitle: string;
  pcnName: string;
  roundId: string;
  remindersSent: number;
  viewedAt: Date | null;
  igLastStep: number;
  lastStep: number;
}

export interface TaskListOptions extends PageRequest {
  /** Only this request (when it is waiting for the person now). */
  requestId?: string;
}

/** Reads of rounds and requests for lists and pages: tasks, rounds, progress, and who would be asked. */
@Injectable()
export class RoundQueriesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly agreements: AgreementsService,
    private readonly directory: DirectoryService,
    private readonly planner: SignerResolutionService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * Requests waiting for this person now, soonest due first, a page at a time (keyset on the
   * round's due date and the request id; `limit` up to PAGE_LIMIT_MAX, the default). `requestId`
   * asks for that one request only. PCN names come from the directory.
   */
  async tasks(principal: Principal, options: TaskListOptions = {}): Promise<Page<WaitingTask>> {
    if (!principal.personId) return { items: [], next: null };
    const limit = pageLimit(options, PAGE_LIMIT_MAX);
    type Row = Omit<WaitingTask, 'pcnName' | 'stepLabel'> & { pcnId: string };
    const qb = this.dataSource
      .getRepository(SignatureRequestEntity)
      .createQueryBuilder('r')
      .innerJoin(ApprovalRoundEntity, 'round', 'round.id = r.round_id')
      .innerJoin(NetworkAgreementEntity, 'a', 'a.id = r.agreement_id')
      .select([
        'r.id AS "requestId"', 'r.kind AS kind', 'r.scope AS scope', 'r.annex_title AS "annexTitle"', 'r.step AS step', 'r.phase AS phase', 'r.capacity AS capacity',
        'r.organisation_name AS "organisationName"', 'r.bound_hash AS "hashToConfirm"', 'round.due_at AS "dueAt"', 'a.id AS "agreementId"',
        'a.reference AS "agreementReference"', 'a.title AS "agreementTitle"', 'a.pcn_id AS "pcnId"',
        'r.round_id AS "roundId"', 'r.reminders_sent AS "remindersSent"', 'r.viewed_at AS "viewedAt"', 'round.ig_last_step AS "igLastStep"', 'round.last_step AS "lastStep"',
      ])
      .where('r.person_id = :personId AND r.status = :pending', { personId: principal.personId, pending: RequestStatus.Pending })
      .andWhere('round.status = :active AND round.current_step = r.step', { active: RoundStatus.Active })
      .orderBy('round.due_at', 'ASC')
      .addOrderBy('r.id', 'ASC')
      .limit(limit + 1);
    if (options.requestId) qb.andWhere('r.id = :requestId', { requestId: options.requestId });
    if (options.after) {
      qb.andWhere('(round.due_at, r.id) > (SELECT cr.due_at, c.id FROM signature_request c INNER JOIN approval_round cr ON cr.id = c.round_id WHERE c.id = :after AND c.person_id = :personId)', { after: options.after });
    }
    const { items: rows, next } = pageOf(await qb.getRawMany<Row>(), limit, (r) => r.requestId);
    const pcns = new Map((await this.directory.organisationsByIds(rows.map((r) => r.pcnId))).map((o) => [o.id, o.name]));
    return { items: rows.map(({ pcnId, ...row }) => ({ ...row, pcnName: pcns.get(pcnId) ?? '', stepLabel: STEP_PHASE_LABELS[row.phase] })), next };
  }

  /** Every round of the agreement with its requests; signers' personal data only for those allowed to see it. */
  async rounds(principal: Principal, agreementId: string) {
    const agreement = await this.agreements.requireAgreement(principal, agreementId, 'read');
    const rounds = await this.dataSource.getRepository(ApprovalRoundEntity).find({ where: { agreementId: agreement.id }, order: { submittedAt: 'DESC' } });
    const requests = rounds.length ? await this.dataSource.getRepository(SignatureRequestEntity).find({ where: { roundId: In(rounds.map((r) => r.id)) }, order: { step: 'ASC', organisationName: 'ASC' } }) : [];
    // Signers' email, IP address and user agent only for the clinical director, the person themselves and auditors.
    const shown = withoutPersonalData(principal, agreement.pcnId, requests);
    return rounds.map((round) => ({ ...round, requests: shown.filter((r) => r.roundId === round.id) }));
  }

  /**
   * Who is still asked to act for this organisation in the open round (ACTIVE or EXPIRED; at
   * most one per agreement) of each of these agreements: one query through the partial index
   * approval_round_one_open_per_agreement. Pass only agreements the user may read; nothing for
   * a user without agreement.read, as roundProgress answers.
   */
  async pendingInOpenRounds(principal: Principal, agreementIds: string[], organisationId: string): Promise<{ agreementId: string; personId: string; personName: string }[]> {
    if (agreementIds.length === 0 || !hasPermission(principal, Permission.AgreementRead)) return [];
    return this.dataSource
      .getRepository(SignatureRequestEntity)
      .createQueryBuilder('r')
      .innerJoin(ApprovalRoundEntity, 'round', 'round.id = r.round_id')
      .select(['r.agreement_id AS "agreementId"', 'r.person_id AS "personId"', 'r.person_name AS "personName"'])
      .where('round.agreement_id IN (:...agreementIds) AND round.status IN (:...open)', { agreementIds, open: [RoundStatus.Active, RoundStatus.Expired] })
      .andWhere('r.organisation_id = :organisationId AND r.status = :pending', { organisationId, pending: RequestStatus.Pending })
      .orderBy('r.step', 'ASC')
      .addOrderBy('r.person_name', 'ASC')
      .getRawMany();
  }

  /** This person's requests in one round (for the document download of the review page). */
  requestsOfPersonInRound(roundId: string, personId: string): Promise<SignatureRequestEntity[]> {
    return this.dataSource.getRepository(SignatureRequestEntity).find({ where: { roundId, personId }, order: { step: 'ASC', organisationName: 'ASC' } });
  }

  /**
   * Who would be asked, step by step, if the newest revision were sent now, and a sentence
   * for every party nobody can act for. Never throws for missing signers. Only for users who
   * may submit the agreement.
   */
  async signerPlanPreview(principal: Principal, agreementId: string, options: { countersign?: boolean } = {}): Promise<SignerPlanPreview> {
    if (!hasPermission(principal, Permission.AgreementSubmit)) throw CommonException.notFound('Agreement');
    const agreement = await this.agreements.requireAgreement(principal, agreementId, 'draft');
    const revision = await this.agreements.revision(agreement.id, agreement.currentRevisionNumber);
    const countersign = options.countersign ?? true;
    const plan = await this.planner.resolve(agreement, revision.content, revision.contentHash, { countersign, onDate: this.clock.now().toISOString().slice(0, 10) });
    const steps = new Map<number, SignerPlanPreviewStep>();
    for (const s of plan.signers) {
      let step = steps.get(s.step);
      if (!step) steps.set(s.step, (step = { step: s.step, phase: s.phase, label: STEP_PHASE_LABELS[s.phase], signers: [] }));
      step.signers.push({
        personId: s.person.id,
        personName: s.person.fullName,
        organisationId: s.organisation.id,
        organisationName: s.organisation.name,
        odsCode: s.organisation.odsCode ?? null,
        capacity: s.capacity,
        capacityLabel: CAPACITY_LABELS[s.capacity] ?? s.capacity,
        kind: s.scope === RequestScope.Annex ? 'annex' : 'agreement',
        annexId: s.annexId,
        partTitle: s.scope === RequestScope.Annex ? (s.annexTitle ?? 'Data-sharing annex') : agreement.title,
      });
    }
    const problems = [...new Set(Object.values(plan.problems).flat())];
    return {
      agreementId: agreement.id,
      revisionNumber: revision.number,
      contentHash: revision.contentHash,
      countersigns: plan.stepPhases.includes(StepPhase.Countersign),
      steps: [...steps.values()].sort((a, b) => a.step - b.step),
      problems,
      canSend: problems.length === 0,
    };
  }

  /** Every round of the agreement, newest first, step by step: who, for whom, and how far they got. */
  async roundProgress(principal: Principal, agreementId: string): Promise<RoundProgress[]> {
    if (!hasPermission(principal, Permission.AgreementRead)) throw CommonException.notFound('Agreement');
    const agreement = await this.agreements.requireAgreement(principal, agreementId, 'read');
    const rounds = await this.dataSource.getRepository(ApprovalRoundEntity).find({ where: { agreementId: agreement.id }, order: { submittedAt: 'DESC' } });
    if (rounds.length === 0) return [];
    const requests = await this.dataSource.getRepository(SignatureRequestEntity).find({ where: { roundId: In(rounds.map((r) => r.id)) }, order: { step: 'ASC', organisationName: 'ASC', personName: 'ASC' } });
    // When each request's email went out (the REQUEST_SENT event written by the email job).
    const sentAt = await this.audit.firstOccurrences(agreement.id, AuditEventType.RequestSent, 'requestId');
    const byId = new Map(requests.map((r) => [r.id, r]));
    const delegatedTo = new Map(requests.filter((r) => r.delegatedFromId).map((r) => [r.delegatedFromId!, r.personName]));
    return rounds.map((round) => {
      const steps = new Map<number, RoundProgressStep>();
      for (let step = 1; step <= round.lastStep; step++) {
        steps.set(step, { step, phase: round.stepPhases[step - 1], label: stepLabel(round, step), current: round.status === RoundStatus.Active && step === round.currentStep, signers: [] });
      }
      for (const r of requests.filter((x) => x.roundId === round.id)) {
        steps.get(r.step)?.signers.push({
          requestId: r.id,
          personId: r.personId,
          personName: r.personName,
          organisationId: r.organisationId,
          organisationName: r.organisationName,
          odsCode: r.odsCode,
          capacity: r.capacity,
          capacityLabel: CAPACITY_LABELS[r.capacity] ?? r.capacity,
          kind: r.scope === RequestScope.Annex ? 'annex' : 'agreement',
          partTitle: r.scope === RequestScope.Annex ? (r.annexTitle ?? 'Data-sharing annex') : agreement.title,
          status: r.status,
          statusLabel: REQUEST_STATUS_LABELS[r.status] ?? r.status,
          sentAt: sentAt.get(r.id) ?? null,
          viewedAt: r.viewedAt,
          actedAt: r.actedAt,
          declineReason: r.declineReason,
          delegatedFromName: r.delegatedFromId ? (byId.get(r.delegatedFromId)?.personName ?? null) : null,
          delegatedToName: delegatedTo.get(r.id) ?? null,
        });
      }
      return {
        roundId: round.id,
        revisionNumber: round.revisionNumber,
        status: round.status,
        statusLabel: ROUND_STATUS_LABELS[round.status] ?? round.status,
        submittedAt: round.submittedAt,
        dueAt: round.dueAt,
        endedAt: round.endedAt,
        endReason: round.endReason,
        currentStep: round.currentStep,
        lastStep: round.lastStep,
        countersigns: hasCountersignature(round),
        steps: [...steps.values()],
      };
    });
  }
}
