import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { AgreementEvent, AgreementsService, AgreementStatus, agreementStatusSql, NetworkAgreementEntity } from '@pcn/agreements';
import { AuditEventType, AuditService, SYSTEM_ACTOR } from '@pcn/audit';
import { Principal } from '@pcn/auth';
import { ActorContext, Clock } from '@pcn/common';
import { OutboxService } from '@pcn/database';
import { DirectoryService } from '@pcn/directory';
import { NotificationType } from '@pcn/notifications';
import { WorkflowErrorCode, WorkflowException } from '../workflow.exception';
import { job, JobName } from '../queue/queue.contract';
import { samePart } from '../notifications/email-digest';
import { AgreementExecutionEntity } from '../executions/agreement-execution.entity';
import { ApproveRequestDto } from '../dto/workflow.dto';
import { ApprovalRoundEntity, RoundStatus } from './approval-round.entity';
import { RequestKind, RequestStatus, SignatureRequestEntity, SignerCapacity } from './signature-request.entity';
import { actedBy, DELEGATE_ROLES, lockRoundForApproval, lockRoundOfRequest, notYourRequest, ownRequest, peopleInRound, recordRequestEvent, requestEvent } from './round-access';
import { requestEmails } from './round-emails';
import { RoundEvent, transitionRound } from './round-lifecycle';
import { approveInStep, nextRequestStatus, RequestEvent, transitionMatchingRequests, transitionRequests } from './request-lifecycle';
import { PLATFORM_ACTOR_NAME } from './round-labels';
import { StepPhase } from './step-phase';

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

export interface ApprovalOutcome {
  request: SignatureRequestEntity;
  round: ApprovalRoundEntity;
  /** True when this exact approval had already been recorded (a repeated POST). */
  alreadyRecorded: boolean;
  agreementStatus: AgreementStatus;
}

/** Thrown inside the optimistic approval transaction to start it again with requests read after the lock. */
class RequestsReadBeforeLock extends Error {}

/**
 * What a person does with a request addressed to them: open it, approve it (alone or several
 * at once), decline it, hand it to a colleague. Every change locks the round row first, so
 * concurrent approvals of one round are applied one at a time and the round executes exactly
 * once; every change writes its audit event and outbox jobs in the same transaction.
 */
@Injectable()
export class RequestActionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly agreements: AgreementsService,
    private readonly directory: DirectoryService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** The request's document with the hash to confirm; the first view is recorded. A party to an annex sees only that annex. */
  async viewRequest(principal: Principal, requestId: string, actor: ActorContext) {
    const request = await ownRequest(this.dataSource.manager, principal, requestId);
    const round = await this.dataSource.getRepository(ApprovalRoundEntity).findOneByOrFail({ id: request.roundId });
    const agreement = await this.dataSource.getRepository(NetworkAgreementEntity).findOneByOrFail({ id: request.agreementId });
    const revision = await this.agreements.revision(agreement.id, round.revisionNumber);
    const pcn = await this.directory.getPcn(agreement.pcnId);
    if (!request.viewedAt) {
      await this.dataSource.transaction(async (em) => {
        // The chain lock before the row (see AuditService.lockChain): an approval holds it while it updates requests.
        await this.audit.lockChain(em, round.agreementId);
        const at = this.clock.now();
        const updated = await em.update(SignatureRequestEntity, { id: request.id, viewedAt: IsNull() }, { viewedAt: at });
        if (updated.affected) await recordRequestEvent(this.audit, em, AuditEventType.Viewed, actor, round, request, { requestId: request.id });
      });
    }
    const document =
      request.annexId !== null ? { kind: 'annex' as const, annex: revision.content.annexes.find((a) => a.id === request.annexId) } : { kind: 'agreement' as const, content: revision.content };
    return {
      request,
      round: { id: round.id, status: round.status, currentStep: round.currentStep, lastStep: round.lastStep, dueAt: round.dueAt, message: round.message, revisionNumber: round.revisionNumber, contentHash: round.contentHash },
      agreement: { id: agreement.id, reference: agreement.reference, title: agreement.title, status: agreement.status },
      pcn: { name: pcn.name, code: pcn.odsCode },
      hashToConfirm: request.boundHash,
      document,
    };
  }

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
      if (unseen.length === 0) return viewed;
      // The chain lock before the rows (see AuditService.lockChain): an approval holds it while it updates requests.
      await this.audit.lockChain(em, round.agreementId);
      const at = this.clock.now();
      for (const request of unseen) {
        // Guarded by viewedAt IS NULL, so two pages opened together record one view.
        const updated = await em.update(SignatureRequestEntity, { id: request.id, viewedAt: IsNull() }, { viewedAt: at });
        if (!updated.affected) continue;
        await recordRequestEvent(this.audit, em, AuditEventType.Viewed, actor, round, request, { requestId: request.id });
        viewed.set(request.id, at);
      }
      return viewed;
    });
  }

  /** Checks, under the round lock, that this request may be acted on now (`event` names the action, for the refusal). */
  private assertActionable(round: ApprovalRoundEntity, request: SignatureRequestEntity, event: RequestEvent): void {
    nextRequestStatus(request.status, event);
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

  private async approveInTransaction(principal: Principal, input: ApproveManyInput, actor: ActorContext, options: ApproveManyOptions, single: boolean): Promise<BatchApprovalOutcome> {
    const ids = input.approvals.map((a) => a.requestId);
    if (ids.length === 0) throw new WorkflowException(WorkflowErrorCode.InvalidBatch, 'Choose at least one request to approve.', { approvals: ['Choose at least one request.'] });
    if (new Set(ids).size !== ids.length) throw new WorkflowException(WorkflowErrorCode.InvalidBatch, 'Each request can appear only once in one approval.', { approvals: ['A request is listed twice.'] });
    try {
      return await this.dataSource.transaction((em) => this.approveUnderLock(em, principal, input, actor, options, single, false));
    } catch (error) {
      // The requests were read before the round lock (see lockRoundForApproval). If one moved
      // meanwhile, or the answer is a refusal (which may rest on such a read: a request seen
      // pending in a round since withdrawn), decide again on requests read after the lock.
      // Refusals are rare, so giving them the exact answer costs nothing that matters.
      if (!(error instanceof RequestsReadBeforeLock) && !(error instanceof WorkflowException)) throw error;
      return this.dataSource.transaction((em) => this.approveUnderLock(em, principal, input, actor, options, single, true));
    }
  }

  /**
   * One approval transaction in five round trips when the step stays open: BEGIN; lock the
   * round and the audit chain and read the requests; approve, stand down, count the open
   * groups and read the chain head; insert the audit events; COMMIT. Completing a step or
   * executing adds its own statements.
   */
  private async approveUnderLock(em: EntityManager, principal: Principal, input: ApproveManyInput, actor: ActorContext, options: ApproveManyOptions, single: boolean, fresh: boolean): Promise<BatchApprovalOutcome> {
    const ids = input.approvals.map((a) => a.requestId);
    const { round, requests: found } = await lockRoundForApproval(em, ids, fresh);
    const requests = ids.map((id) => {
      const request = found.get(id);
      if (!request || !principal.personId || request.personId !== principal.personId) throw notYourRequest();
      return request;
    });
    if (requests.some((r) => r.roundId !== round.id)) {
      throw new WorkflowException(WorkflowErrorCode.InvalidBatch, 'These requests belong to different approval rounds. Approve the requests of one round at a time.', { approvals: ['All requests must belong to one approval round.'] });
    }

    const approved: BatchApprovalOutcome['approved'] = [];
    const toApprove: { request: SignatureRequestEntity; index: number }[] = [];
    input.approvals.forEach((item, index) => {
      const request = requests[index];
      // A final status read before the lock is still true after it: only PENDING ever moves.
      if (request.status === RequestStatus.Approved && request.actedByUserId === principal.id && request.boundHash === item.hash) {
        approved.push({ request, alreadyRecorded: true });
        return;
      }
      this.assertActionable(round, request, RequestEvent.Approve);
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

    const evidence = { typedName: input.typedName.trim(), authorityConfirmed: true, ...actedBy(principal, actor, this.clock.now()) };
    // One statement approves, stands down the rest of each approved group (one approval per
    // organisation is enough), counts the groups still open, and reads the agreement's
    // status and its audit chain head (locked by the statement before).
    const step = await approveInStep(em, { roundId: round.id, step: round.currentStep, requests: toApprove.map(({ request }) => request), fields: evidence }, (param) => {
      const agreementId = `${param(round.agreementId)}::uuid`;
      return `${agreementStatusSql(agreementId)} AS agreement_status, ${AuditService.chainHeadSql(agreementId)}`;
    });
    if (step.approved !== toApprove.length) {
      if (!fresh) throw new RequestsReadBeforeLock();
      throw new WorkflowException(WorkflowErrorCode.AlreadyActedOn, 'This request changed while you acted on it. Reload it and try again.');
    }
    const head = step.row.head_seq === null ? null : { seq: Number(step.row.head_seq), hash: String(step.row.head_hash) };
    await this.audit.appendAfterHead(
      em,
      toApprove.map(({ request }) =>
        requestEvent(request.kind === RequestKind.IgApproval ? AuditEventType.Approved : AuditEventType.Signed, actor, round, request, {
          requestId: request.id,
          step: request.step,
          capacity: request.capacity,
          scope: request.scope,
          annexId: request.annexId,
          boundHash: request.boundHash,
          typedName: request.typedName,
        }),
      ),
      head,
    );
    const agreementStatus = step.openGroups > 0 ? (step.row.agreement_status as AgreementStatus) : await this.completeStep(em, round, actor);
    return { round, agreementStatus, approved };
  }

  /** Every group of the current step has an approval: move to the next step, or execute. */
  private async completeStep(em: EntityManager, round: ApprovalRoundEntity, actor: ActorContext): Promise<AgreementStatus> {
    if (round.currentStep >= round.lastStep) return this.execute(em, round, actor);

    const leaving = round.stepPhases[round.currentStep - 1];
    round.currentStep += 1;
    await em.update(ApprovalRoundEntity, { id: round.id }, { currentStep: round.currentStep });
    // The agreement leaves IG review when the round moves from an IG step to a signing step.
    const agreement =
      leaving === StepPhase.IgReview && round.stepPhases[round.currentStep - 1] !== StepPhase.IgReview
        ? await this.agreements.transition(em, round.agreementId, AgreementEvent.IgReviewComplete)
        : await em.findOneByOrFail(NetworkAgreementEntity, { id: round.agreementId });
    const next = await em.findBy(SignatureRequestEntity, { roundId: round.id, step: round.currentStep, status: RequestStatus.Pending });
    await this.outbox.enqueue(em, requestEmails(round, next));
    return agreement.status;
  }

  private async execute(em: EntityManager, round: ApprovalRoundEntity, actor: ActorContext): Promise<AgreementStatus> {
    const executedAt = this.clock.now();
    await transitionRound(em, round, RoundEvent.Complete, { endedAt: executedAt });
    const agreement = await this.agreements.transition(em, round.agreementId, AgreementEvent.Execute, { at: executedAt, executedRevisionNumber: round.revisionNumber });
    const execution = await em.save(AgreementExecutionEntity, { agreementId: agreement.id, revisionId: round.revisionId, roundId: round.id, contentHash: round.contentHash, executedAt });
    const people = await peopleInRound(em, round.id, [RequestStatus.Approved]);
    // The signatories hear of the execution once the sealed copy their email links to is stored
    // (ExecutionDocumentsService enqueues those emails with the documents).
    await this.outbox.enqueue(em, [job(JobName.GenerateDocuments, { executionId: execution.id })]);
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
      const original = await em.findOneBy(NetworkAgreementEntity, { id: agreement.variationOfId });
      if (original && original.status === AgreementStatus.Executed) {
        await this.agreements.transition(em, original.id, AgreementEvent.Supersede, { at: executedAt, reason: `Superseded by variation ${agreement.reference}` });
        await this.audit.record(em, { type: AuditEventType.Superseded, actor, agreementId: original.id, payload: { supersededBy: agreement.id, reference: agreement.reference } });
      }
    }
    return agreement.status;
  }

  async decline(principal: Principal, requestId: string, reason: string, actor: ActorContext) {
    return this.dataSource.transaction(async (em) => {
      const round = await lockRoundOfRequest(em, requestId);
      const request = await ownRequest(em, principal, requestId);
      this.assertActionable(round, request, RequestEvent.Decline);
      const now = this.clock.now();
      await transitionRequests(em, [request], RequestEvent.Decline, { declineReason: reason, ...actedBy(principal, actor, now) });
      await transitionMatchingRequests(em, { roundId: round.id }, RequestEvent.RoundEnded);
      await transitionRound(em, round, RoundEvent.Decline, { endedAt: now, endReason: reason });
      const statusReason = `Declined by ${request.personName} for ${request.organisationName}: ${reason}`;
      const { status } = await this.agreements.transition(em, round.agreementId, AgreementEvent.Decline, { reason: statusReason, at: now });
      // The reason and the declined part go only to the sender and that part's parties; everyone else hears that signing stopped.
      const submitter = round.submittedByPersonId;
      const everyone = await em.find(SignatureRequestEntity, { where: { roundId: round.id }, select: { personId: true, scope: true, annexId: true } });
      const informed = new Set([...(submitter ? [submitter] : []), ...everyone.filter((r) => samePart(r, request)).map((r) => r.personId)]);
      const people = [...new Set([...everyone.map((r) => r.personId), ...(submitter ? [submitter] : [])])].filter((p) => p !== request.personId);
      await this.outbox.enqueue(em, people.map((personId) => job(JobName.SendEmail, { kind: informed.has(personId) ? NotificationType.RoundDeclined : NotificationType.RoundStopped, roundId: round.id, personId, step: request.step })));
      await recordRequestEvent(this.audit, em, AuditEventType.Declined, actor, round, request, { requestId: request.id, step: request.step, reason });
      return { request, agreementStatus: status, statusReason };
    });
  }

  async delegate(principal: Principal, requestId: string, toPersonId: string, note: string | undefined, actor: ActorContext) {
    return this.dataSource.transaction(async (em) => {
      const round = await lockRoundOfRequest(em, requestId);
      const request = await ownRequest(em, principal, requestId);
      this.assertActionable(round, request, RequestEvent.Delegate);
      const roles = DELEGATE_ROLES[request.capacity];
      const now = this.clock.now();
      // Read in this transaction's snapshot, under the round lock.
      const eligible = roles ? await this.directory.peopleWithRoles([request.organisationId], roles, now.toISOString().slice(0, 10), em) : [];
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
        status: RequestStatus.Pending,
        personId: delegate.personId,
        personName: delegate.person.fullName,
        personEmail: delegate.person.email,
        delegatedFromId: request.id,
        viewedAt: null,
        remindersSent: 0,
      });
      await transitionRequests(em, [request], RequestEvent.Delegate, actedBy(principal, actor, now));
      await this.outbox.enqueue(em, job(JobName.SendEmail, { kind: NotificationType.DelegatedToYou, roundId: round.id, personId: delegate.personId, step: created.step }));
      await recordRequestEvent(this.audit, em, AuditEventType.Delegated, actor, round, request, { fromRequestId: request.id, toRequestId: created.id, toPersonId: delegate.personId, toName: delegate.person.fullName, note: note ?? null });
      return created;
    });
  }
}
