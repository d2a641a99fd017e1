import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { AgreementEvent, AgreementRevisionEntity, AgreementsService, NetworkAgreementEntity } from '@pcn/agreements';
import { AuditEventType, AuditService } from '@pcn/audit';
import { hasPermission, organisationsWithRole, Permission, Principal, UserRole } from '@pcn/auth';
import { ActorContext, Clock, CommonException } from '@pcn/common';
import { OutboxService } from '@pcn/database';
import { NotificationType } from '@pcn/notifications';
import { workflowConfig, WorkflowConfig } from '../workflow.config';
import { WorkflowErrorCode, WorkflowException } from '../workflow.exception';
import { job, JobName } from '../queue/queue.contract';
import { SubmitForApprovalDto } from '../dto/workflow.dto';
import { ApprovalRoundEntity, RoundStatus } from './approval-round.entity';
import { RequestStatus, SignatureRequestEntity } from './signature-request.entity';
import { openRoundOf, peopleInRound } from './round-access';
import { reminderEmails, requestEmails } from './round-emails';
import { RoundEvent, transitionRound } from './round-lifecycle';
import { RequestEvent, transitionMatchingRequests } from './request-lifecycle';
import { reminderJob } from './round-scheduler.service';
import { SignerResolutionService } from './signer-resolution.service';
import { StepPhase } from './step-phase';

export interface RemindNowOutcome {
  roundId: string;
  step: number;
  /** Pending requests of the current step reminded (0: nobody is waiting). */
  requests: number;
  people: number;
}

/** Where a round whose current step is `step` stands, for the agreement's status. */
const phaseForAgreement = (round: Pick<ApprovalRoundEntity, 'stepPhases'>, step: number) => (round.stepPhases[step - 1] === StepPhase.IgReview ? 'IG_REVIEW' : 'SIGNATURES');

/**
 * What the clinical director (or anyone who may submit) does to a round: send it, withdraw,
 * extend, restart after expiry, remind now, and terminate an executed agreement. Lock order
 * everywhere: round, then agreement (as approvals do), so the two never deadlock.
 */
@Injectable()
export class RoundCommandsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly agreements: AgreementsService,
    private readonly planner: SignerResolutionService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(workflowConfig.KEY) private readonly config: WorkflowConfig,
  ) {}

  private days(n: number): number {
    return n * this.config.WORKFLOW_DAY_MS;
  }

  submit(principal: Principal, agreementId: string, dto: SubmitForApprovalDto, actor: ActorContext) {
    return this.dataSource.transaction(async (em) => {
      const agreement = await this.agreements.requireAgreement(principal, agreementId, 'draft', em, true);
      if (dto.revisionNumber !== agreement.currentRevisionNumber) {
        throw new WorkflowException(WorkflowErrorCode.StaleRevision, `Revision ${dto.revisionNumber} is not the newest; revision ${agreement.currentRevisionNumber} is. Send the newest revision.`);
      }
      const revision = await this.agreements.revision(agreement.id, agreement.currentRevisionNumber, em);
      return this.openRound(em, agreement, revision, dto, AgreementEvent.Submit, principal, actor);
    });
  }

  restart(principal: Principal, agreementId: string, dto: { dueAt?: string }, actor: ActorContext) {
    return this.dataSource.transaction(async (em) => {
      await this.agreements.requireAgreement(principal, agreementId, 'draft', em);
      const old = await openRoundOf(em, agreementId, true);
      const agreement = await em.findOneOrFail(NetworkAgreementEntity, { where: { id: agreementId }, lock: { mode: 'pessimistic_write' } });
      await transitionRound(em, old, RoundEvent.Restart, { endedAt: this.clock.now(), endReason: 'Restarted after expiry' });
      await transitionMatchingRequests(em, { roundId: old.id }, RequestEvent.RoundEnded);
      const revision = await this.agreements.revision(agreement.id, old.revisionNumber, em);
      const options = {
        ...dto,
        clinicalDirectorCountersigns: old.stepPhases.includes(StepPhase.Countersign),
        firstReminderAfterDays: old.firstReminderAfterDays,
        reminderEveryDays: old.reminderEveryDays,
        maxReminders: old.maxReminders,
        message: old.message ?? undefined,
      };
      return this.openRound(em, agreement, revision, options, AgreementEvent.Restart, principal, actor);
    });
  }

  private async openRound(
    em: EntityManager,
    agreement: NetworkAgreementEntity,
    revision: AgreementRevisionEntity,
    options: Omit<SubmitForApprovalDto, 'revisionNumber'>,
    event: AgreementEvent.Submit | AgreementEvent.Restart,
    principal: Principal,
    actor: ActorContext,
  ) {
    // The sealed annexes must name the officers the directory records (the people the IG step asks).
    await this.agreements.assertOfficersOnRecord(revision.content, em);
    const now = this.clock.now();
    const plan = await this.planner.plan(agreement, revision.content, revision.contentHash, { countersign: options.clinicalDirectorCountersigns ?? true, em, onDate: now.toISOString().slice(0, 10) });
    const dueAt = options.dueAt ? new Date(options.dueAt) : new Date(now.getTime() + this.days(this.config.DEFAULT_DUE_DAYS));
    if (dueAt.getTime() <= now.getTime()) throw new WorkflowException(WorkflowErrorCode.InvalidDueDate, 'The due date must be in the future.', { dueAt: ['Choose a date and time in the future.'] });
    const { status } = await this.agreements.transition(em, agreement.id, event, { phase: plan.stepPhases[0] === StepPhase.IgReview ? 'IG_REVIEW' : 'SIGNATURES', at: now });
    const round = await em.getRepository(ApprovalRoundEntity).save({
      agreementId: agreement.id,
      revisionId: revision.id,
      revisionNumber: revision.number,
      contentHash: revision.contentHash,
      status: RoundStatus.Active,
      currentStep: 1,
      lastStep: plan.lastStep,
      igLastStep: plan.igLastStep,
      stepPhases: plan.stepPhases,
      dueAt,
      firstReminderAfterDays: options.firstReminderAfterDays ?? this.config.DEFAULT_FIRST_REMINDER_DAYS,
      reminderEveryDays: options.reminderEveryDays ?? this.config.DEFAULT_REMINDER_EVERY_DAYS,
      maxReminders: options.maxReminders ?? this.config.DEFAULT_MAX_REMINDERS,
      message: options.message ?? null,
      submittedBy: actor.userId,
      submittedByPersonId: principal.personId,
    });
    const requests = await em.getRepository(SignatureRequestEntity).save(
      plan.signers.map((s) => ({
        roundId: round.id,
        agreementId: agreement.id,
        step: s.step,
        phase: s.phase,
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
    await this.outbox.enqueue(em, [
      ...requestEmails(round, requests.filter((r) => r.step === 1)),
      ...(round.maxReminders > 0 ? [reminderJob(round, 1, new Date(now.getTime() + this.days(round.firstReminderAfterDays)))] : []),
      job(JobName.RoundDeadline, { roundId: round.id, dueAt: dueAt.toISOString() }, dueAt),
    ]);
    await this.audit.record(em, {
      type: AuditEventType.Submitted,
      actor,
      actorName: principal.displayName,
      agreementId: agreement.id,
      roundId: round.id,
      revisionHash: revision.contentHash,
      payload: { revisionNumber: revision.number, dueAt: dueAt.toISOString(), steps: plan.lastStep, requests: requests.length, restarted: event === AgreementEvent.Restart },
    });
    return { round, requests, agreementStatus: status };
  }

  withdraw(principal: Principal, agreementId: string, reason: string, actor: ActorContext) {
    return this.dataSource.transaction(async (em) => {
      await this.agreements.requireAgreement(principal, agreementId, 'draft', em);
      const round = await openRoundOf(em, agreementId, true);
      const notify = await peopleInRound(em, round.id, [RequestStatus.Pending, RequestStatus.Approved]);
      await transitionRound(em, round, RoundEvent.Withdraw, { endedAt: this.clock.now(), endReason: reason });
      await transitionMatchingRequests(em, { roundId: round.id }, RequestEvent.RoundEnded);
      const { status } = await this.agreements.transition(em, agreementId, AgreementEvent.Withdraw, { reason: `Withdrawn: ${reason}` });
      await this.outbox.enqueue(em, notify.map((personId) => job(JobName.SendEmail, { kind: NotificationType.RoundWithdrawn, roundId: round.id, personId, step: round.currentStep })));
      await this.audit.record(em, { type: AuditEventType.Withdrawn, actor, actorName: principal.displayName, agreementId, roundId: round.id, revisionHash: round.contentHash, payload: { reason } });
      return { agreementStatus: status };
    });
  }

  extend(principal: Principal, agreementId: string, dueAtIso: string, actor: ActorContext) {
    return this.dataSource.transaction(async (em) => {
      await this.agreements.requireAgreement(principal, agreementId, 'draft', em);
      const round = await openRoundOf(em, agreementId, true);
      const dueAt = new Date(dueAtIso);
      const now = this.clock.now();
      if (dueAt.getTime() <= now.getTime()) throw new WorkflowException(WorkflowErrorCode.InvalidDueDate, 'The new due date must be in the future.', { dueAt: ['Choose a date and time in the future.'] });
      const wasExpired = round.status === RoundStatus.Expired;
      const previousDueAt = round.dueAt;
      // A new schedule: reminder jobs of the old one find a different reminderSeq and do nothing.
      const reminderSeq = round.reminderSeq + 1;
      await transitionRound(em, round, RoundEvent.Extend, { dueAt, reminderSeq, endedAt: null, endReason: null });
      const agreement = wasExpired
        ? await this.agreements.transition(em, agreementId, AgreementEvent.Extend, { phase: phaseForAgreement(round, round.currentStep), at: now })
        : await em.findOneOrFail(NetworkAgreementEntity, { where: { id: agreementId }, lock: { mode: 'pessimistic_write' } });
      await this.outbox.enqueue(em, [
        job(JobName.RoundDeadline, { roundId: round.id, dueAt: dueAt.toISOString() }, dueAt),
        ...(round.remindersSent < round.maxReminders ? [reminderJob(round, round.remindersSent + 1, new Date(now.getTime() + this.days(round.reminderEveryDays)))] : []),
      ]);
      await this.audit.record(em, { type: AuditEventType.Extended, actor, actorName: principal.displayName, agreementId, roundId: round.id, revisionHash: round.contentHash, payload: { previousDueAt: previousDueAt.toISOString(), dueAt: dueAt.toISOString() } });
      return { agreementStatus: agreement.status, dueAt };
    });
  }

  /**
   * Ends an executed agreement. Only the PCN's clinical director may (a manager alone is
   * refused with 403), the reason is recorded, and every person who approved or signed for a
   * party of the agreement or its annexes is emailed, as is the clinical director.
   */
  terminate(principal: Principal, agreementId: string, reason: string, actor: ActorContext) {
    return this.dataSource.transaction(async (em) => {
      const agreement = await this.agreements.requireAgreement(principal, agreementId, 'draft', em);
      if (!organisationsWithRole(principal, UserRole.ClinicalDirector).includes(agreement.pcnId)) {
        throw new WorkflowException(WorkflowErrorCode.NotClinicalDirector, 'Only the clinical director of the PCN can terminate its network agreement. Ask them to do it.');
      }
      const trimmed = reason.trim();
      if (trimmed.length < 5) throw CommonException.validation('Say why the agreement is terminated.', { reason: ['Enter the reason for terminating the agreement.'] });
      const { status } = await this.agreements.transition(em, agreement.id, AgreementEvent.Terminate, { reason: `Terminated: ${trimmed}`, at: this.clock.now() });
      const executed = await em.findOne(ApprovalRoundEntity, { where: { agreementId: agreement.id, status: RoundStatus.Completed, revisionNumber: agreement.executedRevisionNumber ?? undefined }, order: { submittedAt: 'DESC' } });
      const people = executed ? await peopleInRound(em, executed.id, [RequestStatus.Approved]) : [];
      if (executed && principal.personId && !people.includes(principal.personId)) people.push(principal.personId);
      if (executed) {
        await this.outbox.enqueue(em, people.map((personId) => job(JobName.SendEmail, { kind: NotificationType.AgreementTerminated, roundId: executed.id, personId, step: executed.lastStep })));
      }
      await this.audit.record(em, { type: AuditEventType.Terminated, actor, actorName: principal.displayName, agreementId: agreement.id, payload: { reason: trimmed, notified: people.length } });
      return { agreementStatus: status, notified: people.length };
    });
  }

  /** The clinical director (or anyone who may submit) reminds the current step's pending signers now. */
  async remindNow(principal: Principal, agreementId: string, actor: ActorContext): Promise<RemindNowOutcome> {
    if (!hasPermission(principal, Permission.AgreementSubmit)) throw CommonException.notFound('Agreement');
    return this.dataSource.transaction(async (em) => {
      await this.agreements.requireAgreement(principal, agreementId, 'draft', em);
      const round = await openRoundOf(em, agreementId, true);
      if (round.status !== RoundStatus.Active) throw new WorkflowException(WorkflowErrorCode.RoundNotOpen, 'This approval round has expired. Extend it or restart it before sending reminders.');
      const pending = await em.findBy(SignatureRequestEntity, { roundId: round.id, step: round.currentStep, status: RequestStatus.Pending });
      const people = [...new Set(pending.map((p) => p.personId))];
      if (pending.length === 0) return { roundId: round.id, step: round.currentStep, requests: 0, people: 0 };
      // Manual reminders count per request, not against the round's automatic schedule.
      await em.increment(SignatureRequestEntity, { id: In(pending.map((p) => p.id)) }, 'remindersSent', 1);
      await this.outbox.enqueue(em, reminderEmails(round, pending));
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
}
