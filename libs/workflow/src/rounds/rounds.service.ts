import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { AgreementRevisionEntity, AgreementsService, AgreementStatus, NetworkAgreementEntity } from '@pcn/agreements';
import { AuditEventType, AuditService, SYSTEM_ACTOR } from '@pcn/audit';
import { hasPermission, Permission, Principal } from '@pcn/auth';
import { ActorContext, CommonException } from '@pcn/common';
import { OutboxService } from '@pcn/database';
import { DirectoryService, PersonRoleType } from '@pcn/directory';
import { workflowConfig, WorkflowConfig } from '../workflow.config';
import { WorkflowErrorCode, WorkflowException } from '../workflow.exception';
import { LifecycleEvent, nextStatus, RoundPhase } from '../lifecycle/agreement-lifecycle';
import { job, JobName } from '../queue/queue.contract';
import { NotificationType } from '@pcn/notifications';
import { samePart } from '../notifications/email-digest';
import { withoutPersonalData } from './signer-personal-data';
import { AgreementExecutionEntity } from '../executions/agreement-execution.entity';
import { ApprovalRoundEntity, RoundStatus } from './approval-round.entity';
import { RequestKind, RequestScope, RequestStatus, SignatureRequestEntity, SignerCapacity } from './signature-request.entity';
import { CAPACITY_LABELS, PLATFORM_ACTOR_NAME, REQUEST_STATUS_LABELS, ROUND_STATUS_LABELS } from './round-labels';
import { hasCountersignature, StepLabel, stepLabel } from './step-label';
import { SignerResolutionService } from './signer-resolution.service';
import { ApproveRequestDto, SubmitForApprovalDto } from '../dto/workflow.dto';

const OPEN = [RoundStatus.Active, RoundStatus.Expired];

/** Who may take over a request, by the capacity it was made in. */
export const DELEGATE_ROLES: Partial<Record<SignerCapacity, PersonRoleType[]>> = {
  [SignerCapacity.Partner]: [PersonRoleType.Partner],
  [SignerCapacity.Director]: [PersonRoleType.Director],
  [SignerCapacity.SoleTrader]: [PersonRoleType.SolePractitioner],
  [SignerCapacity.AuthorisedSignatory]: [PersonRoleType.AuthorisedSignatory, PersonRoleType.Director],
  [SignerCapacity.Dpo]: [PersonRoleType.Dpo],
  [SignerCapacity.CaldicottGuardian]: [PersonRoleType.CaldicottGuardian],
};

const normaliseName = (name: string) => name.toLowerCase().replace(/^(dr|mr|mrs|ms|miss|prof|professor)\.?\s+/, '').replace(/\s+/g, ' ').trim();

export interface BatchApprovalItem {
  requestId: string;
  /** The hash shown with the part the person read: must equal the request's own boundHash. */
  hash: string;
  capacity: SignerCapacity;
}

export interface ApproveManyInput {
  approvals: BatchApprovalItem[];
  typedName: string;
  confirmAuthority: boolean;
}

export interface ApproveManyOptions {
  /** Refuse (409 NOT_VIEWED) any request whose document was never opened. Pages: true; the API: false. */
  requireViewed: boolean;
}

export interface BatchApprovalOutcome {
  round: ApprovalRoundEntity;
  agreementStatus: AgreementStatus;
  /** In the order asked; `alreadyRecorded` for an identical approval posted before. */
  approved: { request: SignatureRequestEntity; alreadyRecorded: boolean }[];
}

export interface RemindNowOutcome {
  roundId: string;
  step: number;
  /** Pending requests of the current step reminded (0: nobody is waiting). */
  requests: number;
  people: number;
}

export interface SignerPlanPreviewSigner {
  personId: string;
  personName: string;
  organisationId: string;
  organisationName: string;
  odsCode: string | null;
  capacity: SignerCapacity;
  capacityLabel: string;
  kind: 'agreement' | 'annex';
  annexId: string | null;
  partTitle: string;
}

export interface SignerPlanPreviewStep {
  step: number;
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

export interface RoundProgressSigner {
  requestId: string;
  personId: string;
  personName: string;
  organisationId: string;
  organisationName: string;
  odsCode: string | null;
  capacity: SignerCapacity;
  capacityLabel: string;
  kind: 'agreement' | 'annex';
  partTitle: string;
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

export interface ApprovalOutcome {
  request: SignatureRequestEntity;
  round: ApprovalRoundEntity;
  /** True when this exact approval had already been recorded (a repeated POST). */
  alreadyRecorded: boolean;
  agreementStatus: AgreementStatus;
}

/**
 * Runs approval rounds. Every change locks the round row first, so concurrent approvals
 * of one round are applied one at a time and the round executes exactly once; every
 * change writes its audit event and outbox jobs in the same transaction.
 */
@Injectable()
export class RoundsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly agreements: AgreementsService,
    private readonly directory: DirectoryService,
    private readonly planner: SignerResolutionService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    @Inject(workflowConfig.KEY) private readonly config: WorkflowConfig,
  ) {}

  private days(n: number): number {
    return n * this.config.WORKFLOW_DAY_MS;
  }

  // ---- opening rounds ----------------------------------------------------------

  submit(principal: Principal, agreementId: string, dto: SubmitForApprovalDto, actor: ActorContext) {
    return this.dataSource.transaction(async (em) => {
      const agreement = await this.agreements.requireAgreement(principal, agreementId, 'draft', em, true);
      if (dto.revisionNumber !== agreement.currentRevisionNumber) {
        throw new WorkflowException(WorkflowErrorCode.StaleRevision, `Revision ${dto.revisionNumber} is not the newest; revision ${agreement.currentRevisionNumber} is. Send the newest revision.`);
      }
      const revision = await this.agreements.revision(agreement.id, agreement.currentRevisionNumber, em);
      return this.openRound(em, agreement, revision, dto, LifecycleEvent.Submit, actor, principal.displayName);
    });
  }

  restart(principal: Principal, agreementId: string, dto: { dueAt?: string }, actor: ActorContext) {
    return this.dataSource.transaction(async (em) => {
      await this.agreements.requireAgreement(principal, agreementId, 'draft', em);
      const old = await this.openRoundOf(em, agreementId, true);
      const agreement = await em.findOneOrFail(NetworkAgreementEntity, { where: { id: agreementId }, lock: { mode: 'pessimistic_write' } });
      if (old.status !== RoundStatus.Expired) throw new WorkflowException(WorkflowErrorCode.RoundNotOpen, 'Only an expired round can be restarted; extend or withdraw an active one.');
      await em.update(ApprovalRoundEntity, { id: old.id }, { status: RoundStatus.Restarted, endedAt: new Date(), endReason: 'Restarted after expiry' });
      await em.update(SignatureRequestEntity, { roundId: old.id, status: RequestStatus.Pending }, { status: RequestStatus.Void });
      const revision = await this.agreements.revision(agreement.id, old.revisionNumber, em);
      return this.openRound(em, agreement, revision, { ...dto, clinicalDirectorCountersigns: old.lastStep > old.igLastStep + 1, firstReminderAfterDays: old.firstReminderAfterDays, reminderEveryDays: old.reminderEveryDays, maxReminders: old.maxReminders, message: old.message ?? undefined }, LifecycleEvent.Restart, actor, principal.displayName);
    });
  }

  private async openRound(
    em: EntityManager,
    agreement: NetworkAgreementEntity,
    revision: AgreementRevisionEntity,
    options: Omit<SubmitForApprovalDto, 'revisionNumber'>,
    event: LifecycleEvent.Submit | LifecycleEvent.Restart,
    actor: ActorContext,
    actorName: string,
  ) {
    // The sealed annexes must name the officers the directory records (the people the IG step asks).
    await this.agreements.assertOfficersOnRecord(revision.content, em);
    const plan = await this.planner.plan(agreement, revision.content, revision.contentHash, { countersign: options.clinicalDirectorCountersigns ?? true });
    const phase: RoundPhase = plan.igLastStep >= 1 ? 'IG_REVIEW' : 'SIGNATURES';
    const status = nextStatus(agreement.status, event, phase);
    const now = Date.now();
    const dueAt = options.dueAt ? new Date(options.dueAt) : new Date(now + this.days(this.config.DEFAULT_DUE_DAYS));
    if (dueAt.getTime() <= now) throw new WorkflowException(WorkflowErrorCode.InvalidDueDate, 'The due date must be in the future.', { dueAt: ['Choose a date and time in the future.'] });
    const round = await em.getRepository(ApprovalRoundEntity).save({
      agreementId: agreement.id,
      revisionId: revision.id,
      revisionNumber: revision.number,
      contentHash: revision.contentHash,
      status: RoundStatus.Active,
      currentStep: 1,
      lastStep: plan.lastStep,
      igLastStep: plan.igLastStep,
      dueAt,
      firstReminderAfterDays: options.firstReminderAfterDays ?? this.config.DEFAULT_FIRST_REMINDER_DAYS,
      reminderEveryDays: options.reminderEveryDays ?? this.config.DEFAULT_REMINDER_EVERY_DAYS,
      maxReminders: options.maxReminders ?? this.config.DEFAULT_MAX_REMINDERS,
      message: options.message ?? null,
      submittedBy: actor.userId,
    });
    const requests = await em.getRepository(SignatureRequestEntity).save(
      plan.signers.map((s) => ({
        roundId: round.id,
        agreementId: agreement.id,
        step: s.step,
        kind: s.kind,
        scope: s.scope,
        annexId: s.annexId,
        annexTitle: s.annexTitle,
        boundHash: s.boundHash,
        groupKey: s.groupKey,
        organisationId: s.organisation.id,
        organisationName: s.organisation.name,
        odsCode: s.organisation.odsCode,
        personId: s.person.id,
        personName: s.person.fullName,
        personEmail: s.person.email,
        capacity: s.capacity,
      })),
    );
    await em.update(NetworkAgreementEntity, { id: agreement.id }, { status, statusReason: null });
    await this.outbox.enqueue(em, [
      ...this.requestEmails(round, requests.filter((r) => r.step === 1)),
      ...(round.maxReminders > 0 ? [job(JobName.RoundReminder, { roundId: round.id, reminderSeq: round.reminderSeq }, new Date(now + this.days(round.firstReminderAfterDays)))] : []),
      job(JobName.RoundDeadline, { roundId: round.id, dueAt: dueAt.toISOString() }, dueAt),
    ]);
    await this.audit.record(em, {
      type: AuditEventType.Submitted,
      actor,
      actorName,
      agreementId: agreement.id,
      roundId: round.id,
      revisionHash: revision.contentHash,
      payload: { revisionNumber: revision.number, dueAt: dueAt.toISOString(), steps: plan.lastStep, requests: requests.length, restarted: event === LifecycleEvent.Restart },
    });
    return { round, requests, agreementStatus: status };
  }

  /** One digest email per (round, person, step) for the step just opened, however many requests the person has in it. */
  private requestEmails(round: ApprovalRoundEntity, requests: SignatureRequestEntity[]) {
    const byPersonStep = new Map<string, SignatureRequestEntity>();
    for (const r of requests) if (!byPersonStep.has(`${r.personId}|${r.step}`)) byPersonStep.set(`${r.personId}|${r.step}`, r);
    return [...byPersonStep.values()].map((r) =>
      job(JobName.SendEmail, { kind: r.kind === RequestKind.IgApproval ? NotificationType.IgReviewRequested : NotificationType.SignatureRequested, roundId: round.id, personId: r.personId, step: r.step }),
    );
  }

  // ---- acting on a request -----------------------------------------------------

  /** The request, if it is addressed to this user; otherwise "not found". */
  private async ownRequest(em: EntityManager, principal: Principal, requestId: string): Promise<SignatureRequestEntity> {
    const request = await em.findOneBy(SignatureRequestEntity, { id: requestId });
    if (!request || !principal.personId || request.personId !== principal.personId) {
      throw new WorkflowException(WorkflowErrorCode.NotYourRequest, 'That request was not found, or it is not addressed to you.');
    }
    return request;
  }

  /** Locks the round a request belongs to; "not found" when there is no such request. */
  private async lockRoundOfRequest(em: EntityManager, requestId: string): Promise<ApprovalRoundEntity> {
    const round = await em
      .getRepository(ApprovalRoundEntity)
      .createQueryBuilder('round')
      .where('round.id = (SELECT r.round_id FROM signature_request r WHERE r.id = :requestId)', { requestId })
      .setLock('pessimistic_write')
      .getOne();
    if (!round) throw new WorkflowException(WorkflowErrorCode.NotYourRequest, 'That request was not found, or it is not addressed to you.');
    return round;
  }

  /** Who acted, when, from where: stored on the request as evidence. */
  private actedBy(principal: Principal, actor: ActorContext, at = new Date()) {
    return { actedAt: at, actedByUserId: principal.id, ip: actor.ip, userAgent: actor.userAgent, authMethod: actor.authMethod };
  }

  /** An audit event about one person's request, on the agreement's chain. */
  private recordRequestEvent(em: EntityManager, type: AuditEventType, actor: ActorContext, round: ApprovalRoundEntity, request: SignatureRequestEntity, payload: Record<string, unknown>) {
    return this.audit.record(em, {
      type,
      actor,
      actorName: request.personName,
      organisationId: request.organisationId,
      agreementId: round.agreementId,
      roundId: round.id,
      revisionHash: round.contentHash,
      payload,
    });
  }

  /** Checks, under the round lock, that this request may be acted on now. */
  private assertActionable(round: ApprovalRoundEntity, request: SignatureRequestEntity): void {
    if (request.status !== RequestStatus.Pending) {
      throw new WorkflowException(WorkflowErrorCode.AlreadyActedOn, `This request is already ${request.status.toLowerCase().replace(/_/g, ' ')}.`);
    }
    if (round.status !== RoundStatus.Active) {
      throw new WorkflowException(WorkflowErrorCode.RoundNotOpen, `This approval round is ${round.status.toLowerCase()}, so it cannot be acted on.`);
    }
    if (request.step !== round.currentStep) {
      throw new WorkflowException(
        WorkflowErrorCode.NotCurrentStep,
        request.step > round.currentStep
          ? `Your request is step ${request.step}; step ${round.currentStep} must finish first. You will get an email when it is your turn.`
          : `Step ${request.step} is already complete.`,
      );
    }
  }

  async approve(principal: Principal, requestId: string, dto: ApproveRequestDto, actor: ActorContext): Promise<ApprovalOutcome> {
    const input = { approvals: [{ requestId, hash: dto.hash, capacity: dto.capacity }], typedName: dto.typedName, confirmAuthority: dto.confirmAuthority };
    const { round, agreementStatus, approved } = await this.approveInTransaction(principal, input, actor, { requireViewed: false }, true);
    return { request: approved[0].request, round, alreadyRecorded: approved[0].alreadyRecorded, agreementStatus };
  }

  /**
   * Approves several of this person's requests of one round at once (a shared DPO's requests
   * for each practice, or every part of a step): one transaction, one round lock, every
   * request checked as a single approval is, one approval and audit event per request with
   * its own hash, then one step check. Nothing is written unless every item passes.
   * Pages pass `requireViewed: true`, so a request nobody opened cannot be approved.
   */
  approveMany(principal: Principal, input: ApproveManyInput, actor: ActorContext, options: ApproveManyOptions = { requireViewed: false }): Promise<BatchApprovalOutcome> {
    return this.approveInTransaction(principal, input, actor, options, false);
  }

  private approveInTransaction(principal: Principal, input: ApproveManyInput, actor: ActorContext, options: ApproveManyOptions, single: boolean): Promise<BatchApprovalOutcome> {
    const ids = input.approvals.map((a) => a.requestId);
    if (ids.length === 0) throw new WorkflowException(WorkflowErrorCode.InvalidBatch, 'Choose at least one request to approve.', { approvals: ['Choose at least one request.'] });
    if (new Set(ids).size !== ids.length) throw new WorkflowException(WorkflowErrorCode.InvalidBatch, 'Each request can appear only once in one approval.', { approvals: ['A request is listed twice.'] });
    return this.dataSource.transaction(async (em) => {
      // Lock the round first (found through the first request), then read the requests once, fresh.
      const round = await this.lockRoundOfRequest(em, ids[0]);
      const found = new Map((await em.findBy(SignatureRequestEntity, { id: In(ids) })).map((r) => [r.id, r]));
      const requests = ids.map((id) => {
        const request = found.get(id);
        if (!request || !principal.personId || request.personId !== principal.personId) {
          throw new WorkflowException(WorkflowErrorCode.NotYourRequest, 'That request was not found, or it is not addressed to you.');
        }
        return request;
      });
      if (requests.some((r) => r.roundId !== round.id)) {
        throw new WorkflowException(WorkflowErrorCode.InvalidBatch, 'These requests belong to different approval rounds. Approve the requests of one round at a time.', { approvals: ['All requests must belong to one approval round.'] });
      }

      const approved: BatchApprovalOutcome['approved'] = [];
      const toApprove: { request: SignatureRequestEntity; index: number }[] = [];
      input.approvals.forEach((item, index) => {
        const request = requests[index];
        if (request.status === RequestStatus.Approved && request.actedByUserId === principal.id && request.boundHash === item.hash) {
          approved.push({ request, alreadyRecorded: true });
          return;
        }
        this.assertActionable(round, request);
        if (item.hash !== request.boundHash) {
          throw new WorkflowException(WorkflowErrorCode.HashMismatch, 'The document has changed since you opened it: the hash you confirmed is not the hash of this request. Reload it and read it again.');
        }
        if (options.requireViewed && !request.viewedAt) throw new WorkflowException(WorkflowErrorCode.NotViewed, 'Open the document and read it before approving.');
        approved.push({ request, alreadyRecorded: false });
        toApprove.push({ request, index });
      });
      if (toApprove.length === 0) {
        const { status } = await em.findOneByOrFail(NetworkAgreementEntity, { id: round.agreementId });
        return { round, agreementStatus: status, approved };
      }

      const problems: Record<string, string[]> = {};
      const misnamed = toApprove.find(({ request }) => normaliseName(input.typedName) !== normaliseName(request.personName));
      if (misnamed) problems.typedName = [`Type your full name as recorded: ${misnamed.request.personName}.`];
      for (const { request, index } of toApprove) {
        if (input.approvals[index].capacity !== request.capacity) {
          problems[single ? 'capacity' : `approvals[${index}].capacity`] = [`This request is for you as ${request.capacity.toLowerCase().replace(/_/g, ' ')}.`];
        }
      }
      if (input.confirmAuthority !== true) problems.confirmAuthority = ['Confirm that you have authority to approve for this organisation.'];
      if (Object.keys(problems).length > 0) throw new WorkflowException(WorkflowErrorCode.SignerDetailsInvalid, 'Your approval was not recorded. See fieldErrors.', problems);

      const evidence = { status: RequestStatus.Approved, typedName: input.typedName.trim(), authorityConfirmed: true, ...this.actedBy(principal, actor) };
      await em.update(SignatureRequestEntity, { id: In(toApprove.map(({ request }) => request.id)) }, evidence);
      await em.update(SignatureRequestEntity, { roundId: round.id, groupKey: In([...new Set(toApprove.map(({ request }) => request.groupKey))]), status: RequestStatus.Pending }, { status: RequestStatus.NotNeeded });
      for (const { request } of toApprove) {
        Object.assign(request, evidence);
        await this.recordRequestEvent(em, request.kind === RequestKind.IgApproval ? AuditEventType.Approved : AuditEventType.Signed, actor, round, request, {
          requestId: request.id,
          step: request.step,
          capacity: request.capacity,
          scope: request.scope,
          annexId: request.annexId,
          boundHash: request.boundHash,
          typedName: request.typedName,
        });
      }
      const agreementStatus = await this.advanceIfStepComplete(em, round, actor);
      return { round, agreementStatus, approved };
    });
  }

  /** Moves to the next step, or executes, when every group of the current step has an approval. */
  private async advanceIfStepComplete(em: EntityManager, round: ApprovalRoundEntity, actor: ActorContext): Promise<AgreementStatus> {
    const [{ open }] = await em.query(
      `SELECT count(*)::int AS open FROM (
         SELECT group_key FROM signature_request WHERE round_id = $1 AND step = $2
         GROUP BY group_key HAVING NOT bool_or(status = 'APPROVED')) g`,
      [round.id, round.currentStep],
    );
    // An active round's agreement status follows from its step; read the row only to change it.
    if (open > 0) return round.currentStep <= round.igLastStep ? AgreementStatus.InIgReview : AgreementStatus.AwaitingSignatures;
    const agreement = await em.findOneByOrFail(NetworkAgreementEntity, { id: round.agreementId });
    if (round.currentStep >= round.lastStep) return this.execute(em, round, agreement, actor);

    const leavingIg = round.currentStep === round.igLastStep;
    round.currentStep += 1;
    await em.update(ApprovalRoundEntity, { id: round.id }, { currentStep: round.currentStep });
    let status = agreement.status;
    if (leavingIg) {
      status = nextStatus(agreement.status, LifecycleEvent.IgReviewComplete);
      await em.update(NetworkAgreementEntity, { id: agreement.id }, { status });
    }
    const next = await em.findBy(SignatureRequestEntity, { roundId: round.id, step: round.currentStep, status: RequestStatus.Pending });
    await this.outbox.enqueue(em, this.requestEmails(round, next));
    return status;
  }

  private async execute(em: EntityManager, round: ApprovalRoundEntity, agreement: NetworkAgreementEntity, actor: ActorContext): Promise<AgreementStatus> {
    const status = nextStatus(agreement.status, LifecycleEvent.Execute);
    const executedAt = new Date();
    await em.update(NetworkAgreementEntity, { id: agreement.id }, { status, executedAt, executedRevisionNumber: round.revisionNumber });
    await em.update(ApprovalRoundEntity, { id: round.id }, { status: RoundStatus.Completed, endedAt: executedAt });
    round.status = RoundStatus.Completed;
    const execution = await em.save(AgreementExecutionEntity, { agreementId: agreement.id, revisionId: round.revisionId, roundId: round.id, contentHash: round.contentHash, executedAt });
    const people = await this.peopleInRound(em, round.id, [RequestStatus.Approved]);
    await this.outbox.enqueue(em, [
      job(JobName.GenerateDocuments, { executionId: execution.id }),
      ...people.map((personId) => job(JobName.SendEmail, { kind: NotificationType.AgreementExecuted, roundId: round.id, personId, step: round.currentStep })),
    ]);
    await this.audit.record(em, {
      type: AuditEventType.Executed,
      // The platform executes the agreement once the last required approval is in.
      actor: SYSTEM_ACTOR,
      actorName: PLATFORM_ACTOR_NAME,
      agreementId: agreement.id,
      roundId: round.id,
      revisionHash: round.contentHash,
      payload: { executionId: execution.id, revisionNumber: round.revisionNumber, signatories: people.length },
    });
    if (agreement.variationOfId) {
      const original = await em.findOne(NetworkAgreementEntity, { where: { id: agreement.variationOfId }, lock: { mode: 'pessimistic_write' } });
      if (original && original.status === AgreementStatus.Executed) {
        await em.update(NetworkAgreementEntity, { id: original.id }, { status: nextStatus(original.status, LifecycleEvent.Supersede), endedAt: executedAt, statusReason: `Superseded by variation ${agreement.reference}` });
        await this.audit.record(em, { type: AuditEventType.Superseded, actor, agreementId: original.id, payload: { supersededBy: agreement.id, reference: agreement.reference } });
      }
    }
    return status;
  }

  private async peopleInRound(em: EntityManager, roundId: string, statuses?: RequestStatus[]): Promise<string[]> {
    const rows = await em.find(SignatureRequestEntity, { where: { roundId, ...(statuses ? { status: In(statuses) } : {}) }, select: { personId: true } });
    return [...new Set(rows.map((r) => r.personId))];
  }

  async decline(principal: Principal, requestId: string, reason: string, actor: ActorContext) {
    return this.dataSource.transaction(async (em) => {
      const round = await this.lockRoundOfRequest(em, requestId);
      const request = await this.ownRequest(em, principal, requestId);
      this.assertActionable(round, request);
      const agreement = await em.findOneByOrFail(NetworkAgreementEntity, { id: round.agreementId });
      const status = nextStatus(agreement.status, LifecycleEvent.Decline);
      const now = new Date();
      const evidence = { status: RequestStatus.Declined, declineReason: reason, ...this.actedBy(principal, actor, now) };
      await em.update(SignatureRequestEntity, { id: request.id }, evidence);
      Object.assign(request, evidence);
      await em.update(SignatureRequestEntity, { roundId: round.id, status: RequestStatus.Pending }, { status: RequestStatus.Void });
      await em.update(ApprovalRoundEntity, { id: round.id }, { status: RoundStatus.Declined, endedAt: now, endReason: reason });
      const statusReason = `Declined by ${request.personName} for ${request.organisationName}: ${reason}`;
      await em.update(NetworkAgreementEntity, { id: agreement.id }, { status, statusReason });
      // The reason and the declined part go only to the sender and that part's parties; everyone else hears that signing stopped.
      const submitter = await this.submitterPersonId(em, round);
      const everyone = await em.find(SignatureRequestEntity, { where: { roundId: round.id }, select: { personId: true, scope: true, annexId: true } });
      const informed = new Set([...(submitter ? [submitter] : []), ...everyone.filter((r) => samePart(r, request)).map((r) => r.personId)]);
      const people = [...new Set([...everyone.map((r) => r.personId), ...(submitter ? [submitter] : [])])].filter((p) => p !== request.personId);
      await this.outbox.enqueue(em, people.map((personId) => job(JobName.SendEmail, { kind: informed.has(personId) ? NotificationType.RoundDeclined : NotificationType.RoundStopped, roundId: round.id, personId, step: request.step })));
      await this.recordRequestEvent(em, AuditEventType.Declined, actor, round, request, { requestId: request.id, step: request.step, reason });
      return { request, agreementStatus: status, statusReason };
    });
  }

  async delegate(principal: Principal, requestId: string, toPersonId: string, note: string | undefined, actor: ActorContext) {
    return this.dataSource.transaction(async (em) => {
      const round = await this.lockRoundOfRequest(em, requestId);
      const request = await this.ownRequest(em, principal, requestId);
      this.assertActionable(round, request);
      const roles = DELEGATE_ROLES[request.capacity];
      const eligible = roles ? await this.directory.peopleWithRoles([request.organisationId], roles) : [];
      const delegate = eligible.find((r) => r.personId === toPersonId && r.personId !== request.personId);
      if (!delegate) {
        throw new WorkflowException(WorkflowErrorCode.DelegateNotEligible, `You can delegate only to another person of ${request.organisationName} who holds a role that can act as ${request.capacity.toLowerCase().replace(/_/g, ' ')}.`, {
          toPersonId: ['This person cannot take over this request.'],
        });
      }
      const existing = await em.findOneBy(SignatureRequestEntity, { roundId: round.id, groupKey: request.groupKey, personId: toPersonId });
      if (existing) throw new WorkflowException(WorkflowErrorCode.DelegateNotEligible, `${delegate.person.fullName} already has this request.`, { toPersonId: ['Already asked.'] });
      const { id: _id, ...copy } = request;
      const created = await em.save(SignatureRequestEntity, {
        ...copy,
        personId: delegate.personId,
        personName: delegate.person.fullName,
        personEmail: delegate.person.email,
        delegatedFromId: request.id,
        viewedAt: null,
        remindersSent: 0,
      });
      await em.update(SignatureRequestEntity, { id: request.id }, { status: RequestStatus.Delegated, ...this.actedBy(principal, actor) });
      await this.outbox.enqueue(em, job(JobName.SendEmail, { kind: NotificationType.DelegatedToYou, roundId: round.id, personId: delegate.personId, step: created.step }));
      await this.recordRequestEvent(em, AuditEventType.Delegated, actor, round, request, { fromRequestId: request.id, toRequestId: created.id, toPersonId: delegate.personId, toName: delegate.person.fullName, note: note ?? null });
      return created;
    });
  }

  // ---- managing a round (clinical director) -------------------------------------

  private async openRoundOf(em: EntityManager, agreementId: string, lock = false): Promise<ApprovalRoundEntity> {
    const round = await em.findOne(ApprovalRoundEntity, { where: { agreementId, status: In(OPEN) }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!round) throw new WorkflowException(WorkflowErrorCode.RoundNotOpen, 'This agreement has no open approval round.');
    return round;
  }

  async withdraw(principal: Principal, agreementId: string, reason: string, actor: ActorContext) {
    return this.dataSource.transaction(async (em) => {
      // Lock order everywhere: round, then agreement (as approvals do), so the two never deadlock.
      await this.agreements.requireAgreement(principal, agreementId, 'draft', em);
      const round = await this.openRoundOf(em, agreementId, true);
      const agreement = await em.findOneOrFail(NetworkAgreementEntity, { where: { id: agreementId }, lock: { mode: 'pessimistic_write' } });
      const status = nextStatus(agreement.status, LifecycleEvent.Withdraw);
      const now = new Date();
      const notify = await this.peopleInRound(em, round.id, [RequestStatus.Pending, RequestStatus.Approved]);
      await em.update(SignatureRequestEntity, { roundId: round.id, status: RequestStatus.Pending }, { status: RequestStatus.Void });
      await em.update(ApprovalRoundEntity, { id: round.id }, { status: RoundStatus.Withdrawn, endedAt: now, endReason: reason });
      await em.update(NetworkAgreementEntity, { id: agreement.id }, { status, statusReason: `Withdrawn: ${reason}` });
      await this.outbox.enqueue(em, notify.map((personId) => job(JobName.SendEmail, { kind: NotificationType.RoundWithdrawn, roundId: round.id, personId, step: round.currentStep })));
      await this.audit.record(em, { type: AuditEventType.Withdrawn, actor, actorName: principal.displayName, agreementId: agreement.id, roundId: round.id, revisionHash: round.contentHash, payload: { reason } });
      return { agreementStatus: status };
    });
  }

  async extend(principal: Principal, agreementId: string, dueAtIso: string, actor: ActorContext) {
    return this.dataSource.transaction(async (em) => {
      // Lock order everywhere: round, then agreement (as approvals do), so the two never deadlock.
      await this.agreements.requireAgreement(principal, agreementId, 'draft', em);
      const round = await this.openRoundOf(em, agreementId, true);
      const agreement = await em.findOneOrFail(NetworkAgreementEntity, { where: { id: agreementId }, lock: { mode: 'pessimistic_write' } });
      const dueAt = new Date(dueAtIso);
      if (dueAt.getTime() <= Date.now()) throw new WorkflowException(WorkflowErrorCode.InvalidDueDate, 'The new due date must be in the future.', { dueAt: ['Choose a date and time in the future.'] });
      let status = agreement.status;
      if (round.status === RoundStatus.Expired) {
        status = nextStatus(agreement.status, LifecycleEvent.Extend, round.currentStep <= round.igLastStep ? 'IG_REVIEW' : 'SIGNATURES');
        await em.update(NetworkAgreementEntity, { id: agreement.id }, { status, statusReason: null });
      }
      const reminderSeq = round.reminderSeq + 1;
      await em.update(ApprovalRoundEntity, { id: round.id }, { status: RoundStatus.Active, dueAt, reminderSeq, endedAt: null, endReason: null });
      await this.outbox.enqueue(em, [
        job(JobName.RoundDeadline, { roundId: round.id, dueAt: dueAt.toISOString() }, dueAt),
        ...(round.remindersSent < round.maxReminders ? [job(JobName.RoundReminder, { roundId: round.id, reminderSeq }, new Date(Date.now() + this.days(round.reminderEveryDays)))] : []),
      ]);
      await this.audit.record(em, { type: AuditEventType.Extended, actor, actorName: principal.displayName, agreementId: agreement.id, roundId: round.id, revisionHash: round.contentHash, payload: { previousDueAt: round.dueAt.toISOString(), dueAt: dueAt.toISOString() } });
      return { agreementStatus: status, dueAt };
    });
  }

  async terminate(principal: Principal, agreementId: string, reason: string, actor: ActorContext) {
    return this.dataSource.transaction(async (em) => {
      const agreement = await this.agreements.requireAgreement(principal, agreementId, 'draft', em, true);
      const status = nextStatus(agreement.status, LifecycleEvent.Terminate);
      await em.update(NetworkAgreementEntity, { id: agreement.id }, { status, endedAt: new Date(), statusReason: `Terminated: ${reason}` });
      await this.audit.record(em, { type: AuditEventType.Terminated, actor, actorName: principal.displayName, agreementId: agreement.id, payload: { reason } });
      return { agreementStatus: status };
    });
  }

  // ---- scheduled work (called by job handlers) ----------------------------------

  /** Expires the round if it is still open at exactly the due date this job was scheduled for. */
  async expireIfDue(roundId: string, dueAtIso: string): Promise<boolean> {
    return this.dataSource.transaction(async (em) => {
      const round = await em.findOne(ApprovalRoundEntity, { where: { id: roundId }, lock: { mode: 'pessimistic_write' } });
      if (!round || round.status !== RoundStatus.Active || round.dueAt.toISOString() !== dueAtIso || round.dueAt.getTime() > Date.now()) return false;
      const agreement = await em.findOne(NetworkAgreementEntity, { where: { id: round.agreementId }, lock: { mode: 'pessimistic_write' } });
      if (!agreement) return false;
      const status = nextStatus(agreement.status, LifecycleEvent.Expire);
      await em.update(ApprovalRoundEntity, { id: round.id }, { status: RoundStatus.Expired, endedAt: new Date(), endReason: 'Due date passed with approvals outstanding' });
      await em.update(NetworkAgreementEntity, { id: agreement.id }, { status, statusReason: `Expired on ${round.dueAt.toISOString()} with approvals outstanding` });
      const outstanding = await this.peopleInRound(em, round.id, [RequestStatus.Pending]);
      const submitter = await this.submitterPersonId(em, round);
      const notify = [...new Set([...outstanding, ...(submitter ? [submitter] : [])])];
      await this.outbox.enqueue(em, notify.map((personId) => job(JobName.SendEmail, { kind: NotificationType.RoundExpired, roundId: round.id, personId, step: round.currentStep })));
      await this.audit.record(em, { type: AuditEventType.Expired, actor: SYSTEM_ACTOR, agreementId: agreement.id, roundId: round.id, revisionHash: round.contentHash, payload: { dueAt: dueAtIso, outstanding: outstanding.length } });
      return true;
    });
  }

  /** Reminds the current step's signers who have not acted, then schedules the next reminder. */
  async remind(roundId: string, reminderSeq: number): Promise<number> {
    return this.dataSource.transaction(async (em) => {
      const round = await em.findOne(ApprovalRoundEntity, { where: { id: roundId }, lock: { mode: 'pessimistic_write' } });
      if (!round || round.status !== RoundStatus.Active || round.reminderSeq !== reminderSeq || round.remindersSent >= round.maxReminders) return 0;
      const pending = await em.findBy(SignatureRequestEntity, { roundId, step: round.currentStep, status: RequestStatus.Pending });
      if (pending.length === 0) return 0;
      const reminderNumber = round.remindersSent + 1;
      await em.update(ApprovalRoundEntity, { id: round.id }, { remindersSent: reminderNumber });
      await em.increment(SignatureRequestEntity, { id: In(pending.map((p) => p.id)) }, 'remindersSent', 1);
      await this.outbox.enqueue(em, [
        ...[...new Set(pending.map((r) => r.personId))].map((personId) => job(JobName.SendEmail, { kind: NotificationType.Reminder, roundId, personId, step: round.currentStep, reminderNumber })),
        ...(reminderNumber < round.maxReminders ? [job(JobName.RoundReminder, { roundId, reminderSeq }, new Date(Date.now() + this.days(round.reminderEveryDays)))] : []),
      ]);
      await this.audit.record(em, { type: AuditEventType.Reminded, actor: SYSTEM_ACTOR, agreementId: round.agreementId, roundId, revisionHash: round.contentHash, payload: { reminderNumber, step: round.currentStep, requestIds: pending.map((p) => p.id) } });
      return pending.length;
    });
  }

  private async submitterPersonId(em: EntityManager, round: ApprovalRoundEntity): Promise<string | null> {
    if (!round.submittedBy) return null;
    const [row] = await em.query(`SELECT person_id FROM user_account WHERE id = $1`, [round.submittedBy]);
    return row?.person_id ?? null;
  }

  // ---- reading -------------------------------------------------------------------

  async viewRequest(principal: Principal, requestId: string, actor: ActorContext) {
    const request = await this.ownRequest(this.dataSource.manager, principal, requestId);
    const round = await this.dataSource.getRepository(ApprovalRoundEntity).findOneByOrFail({ id: request.roundId });
    const agreement = await this.dataSource.getRepository(NetworkAgreementEntity).findOneByOrFail({ id: request.agreementId });
    const revision = await this.agreements.revision(agreement.id, round.revisionNumber);
    const pcn = await this.directory.getPcn(agreement.pcnId);
    if (!request.viewedAt) {
      await this.dataSource.transaction(async (em) => {
        const updated = await em.update(SignatureRequestEntity, { id: request.id, viewedAt: IsNull() }, { viewedAt: new Date() });
        if (updated.affected) {
          await this.recordRequestEvent(em, AuditEventType.Viewed, actor, round, request, { requestId: request.id });
        }
      });
    }
    // A party to an annex only sees that annex: never the PCN's schedules or other annexes.
    const document =
      request.annexId !== null
        ? { kind: 'annex' as const, annex: revision.content.annexes.find((a) => a.id === request.annexId) }
        : { kind: 'agreement' as const, content: revision.content };
    return {
      request,
      round: { id: round.id, status: round.status, currentStep: round.currentStep, lastStep: round.lastStep, dueAt: round.dueAt, message: round.message, revisionNumber: round.revisionNumber, contentHash: round.contentHash },
      agreement: { id: agreement.id, reference: agreement.reference, title: agreement.title, status: agreement.status },
      pcn: { name: pcn.name, code: pcn.odsCode },
      hashToConfirm: request.boundHash,
      document,
    };
  }

  async tasks(principal: Principal) {
    if (!principal.personId) return [];
    return this.dataSource
      .getRepository(SignatureRequestEntity)
      .createQueryBuilder('r')
      .innerJoin(ApprovalRoundEntity, 'round', 'round.id = r.round_id')
      .innerJoin(NetworkAgreementEntity, 'a', 'a.id = r.agreement_id')
      .innerJoin('organisation', 'pcn', 'pcn.id = a.pcn_id')
      .select([
        'r.id AS "requestId"', 'r.kind AS kind', 'r.scope AS scope', 'r.annex_title AS "annexTitle"', 'r.step AS step', 'r.capacity AS capacity',
        'r.organisation_name AS "organisationName"', 'r.bound_hash AS "hashToConfirm"', 'round.due_at AS "dueAt"', 'a.id AS "agreementId"',
        'a.reference AS "agreementReference"', 'a.title AS "agreementTitle"', 'pcn.name AS "pcnName"',
        'r.round_id AS "roundId"', 'r.reminders_sent AS "remindersSent"', 'r.viewed_at AS "viewedAt"', 'round.ig_last_step AS "igLastStep"', 'round.last_step AS "lastStep"',
      ])
      .where('r.person_id = :personId AND r.status = :pending', { personId: principal.personId, pending: RequestStatus.Pending })
      .andWhere('round.status = :active AND round.current_step = r.step', { active: RoundStatus.Active })
      .orderBy('round.due_at', 'ASC')
      .getRawMany();
  }

  async rounds(principal: Principal, agreementId: string) {
    const agreement = await this.agreements.requireAgreement(principal, agreementId, 'read');
    const rounds = await this.dataSource.getRepository(ApprovalRoundEntity).find({ where: { agreementId: agreement.id }, order: { submittedAt: 'DESC' } });
    const requests = rounds.length ? await this.dataSource.getRepository(SignatureRequestEntity).find({ where: { roundId: In(rounds.map((r) => r.id)) }, order: { step: 'ASC', organisationName: 'ASC' } }) : [];
    // Signers' email, IP address and user agent only for the clinical director, the person themselves and auditors.
    const shown = withoutPersonalData(principal, agreement.pcnId, requests);
    return rounds.map((round) => ({ ...round, requests: shown.filter((r) => r.roundId === round.id) }));
  }

  async auditTrail(principal: Principal, agreementId: string) {
    const agreement = await this.agreements.requireAgreement(principal, agreementId, 'read');
    return this.audit.list(agreement.id);
  }

  async auditCsv(principal: Principal, agreementId: string) {
    const agreement = await this.agreements.requireAgreement(principal, agreementId, 'read');
    return { agreement, lines: this.audit.streamCsv(agreement.id) };
  }

  /** Used by the document job and by tests: the round's requests with their evidence. */
  requestsOfRound(roundId: string) {
    return this.dataSource.getRepository(SignatureRequestEntity).find({ where: { roundId }, order: { step: 'ASC', organisationName: 'ASC', personName: 'ASC' } });
  }

  roundById(roundId: string) {
    return this.dataSource.getRepository(ApprovalRoundEntity).findOneBy({ id: roundId });
  }

  // ---- for the review and progress pages -------------------------------------------

  /**
   * Records that this person opened the round's current step: every pending request of
   * theirs in it gets `viewedAt` (once) and a VIEWED event, in one transaction. Returns
   * the requests newly marked, with the time.
   */
  async recordStepViewed(principal: Principal, roundId: string, actor: ActorContext): Promise<Map<string, Date>> {
    const viewed = new Map<string, Date>();
    if (!principal.personId) return viewed;
    const personId = principal.personId;
    return this.dataSource.transaction(async (em) => {
      const round = await em.findOneBy(ApprovalRoundEntity, { id: roundId });
      if (!round) return viewed;
      const unseen = await em.findBy(SignatureRequestEntity, { roundId, personId, step: round.currentStep, status: RequestStatus.Pending, viewedAt: IsNull() });
      const at = new Date();
      for (const request of unseen) {
        // Guarded by viewedAt IS NULL, so two pages opened together record one view.
        const updated = await em.update(SignatureRequestEntity, { id: request.id, viewedAt: IsNull() }, { viewedAt: at });
        if (!updated.affected) continue;
        await this.recordRequestEvent(em, AuditEventType.Viewed, actor, round, request, { requestId: request.id });
        viewed.set(request.id, at);
      }
      return viewed;
    });
  }

  /** The clinical director (or anyone who may submit) reminds the current step's pending signers now. */
  async remindNow(principal: Principal, agreementId: string, actor: ActorContext): Promise<RemindNowOutcome> {
    if (!hasPermission(principal, Permission.AgreementSubmit)) throw CommonException.notFound('Agreement');
    return this.dataSource.transaction(async (em) => {
      // Lock order everywhere: round, then agreement (as approvals do).
      await this.agreements.requireAgreement(principal, agreementId, 'draft', em);
      const round = await this.openRoundOf(em, agreementId, true);
      if (round.status !== RoundStatus.Active) throw new WorkflowException(WorkflowErrorCode.RoundNotOpen, 'This approval round has expired. Extend it or restart it before sending reminders.');
      const pending = await em.findBy(SignatureRequestEntity, { roundId: round.id, step: round.currentStep, status: RequestStatus.Pending });
      const people = [...new Set(pending.map((p) => p.personId))];
      if (pending.length === 0) return { roundId: round.id, step: round.currentStep, requests: 0, people: 0 };
      // Manual reminders count per request, not against the round's automatic schedule.
      await em.increment(SignatureRequestEntity, { id: In(pending.map((p) => p.id)) }, 'remindersSent', 1);
      await this.outbox.enqueue(em, this.reminderEmails(round, pending));
      await this.audit.record(em, {
        type: AuditEventType.Reminded,
        actor,
        actorName: principal.displayName,
        agreementId: round.agreementId,
        roundId: round.id,
        revisionHash: round.contentHash,
        payload: { manual: true, step: round.currentStep, requestIds: pending.map((p) => p.id), people: people.length },
      });
      return { roundId: round.id, step: round.currentStep, requests: pending.length, people: people.length };
    });
  }

  /**
   * One reminder email per person waiting in the current step (the email lists all of their
   * requests of the step). `requestId` names their first request for handlers that want one.
   */
  private reminderEmails(round: ApprovalRoundEntity, pending: SignatureRequestEntity[]) {
    const byPerson = new Map<string, SignatureRequestEntity[]>();
    for (const r of pending) byPerson.set(r.personId, [...(byPerson.get(r.personId) ?? []), r]);
    return [...byPerson.entries()].map(([personId, requests]) => {
      const payload = { kind: NotificationType.Reminder, roundId: round.id, personId, step: round.currentStep, requestId: requests[0].id, reminderNumber: Math.max(...requests.map((r) => r.remindersSent)) + 1 };
      return job(JobName.SendEmail, payload);
    });
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
    const plan = await this.planner.resolve(agreement, revision.content, revision.contentHash, { countersign });
    const steps = new Map<number, SignerPlanPreviewStep>();
    for (const s of plan.signers) {
      let step = steps.get(s.step);
      if (!step) steps.set(s.step, (step = { step: s.step, label: stepLabel(plan, s.step), signers: [] }));
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
      countersigns: countersign && hasCountersignature(plan),
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
    const sentRows: { requestId: string; sentAt: Date }[] = await this.dataSource.query(
      `SELECT payload->>'requestId' AS "requestId", min(occurred_at) AS "sentAt" FROM audit_event WHERE agreement_id = $1 AND type = $2 GROUP BY 1`,
      [agreement.id, AuditEventType.RequestSent],
    );
    const sentAt = new Map(sentRows.map((r) => [r.requestId, new Date(r.sentAt)]));
    const byId = new Map(requests.map((r) => [r.id, r]));
    const delegatedTo = new Map(requests.filter((r) => r.delegatedFromId).map((r) => [r.delegatedFromId!, r.personName]));
    return rounds.map((round) => {
      const steps = new Map<number, RoundProgressStep>();
      for (let step = 1; step <= round.lastStep; step++) steps.set(step, { step, label: stepLabel(round, step), current: round.status === RoundStatus.Active && step === round.currentStep, signers: [] });
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

