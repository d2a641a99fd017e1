import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, IsNull, Not } from 'typeorm';
import { AgreementsService, AgreementStatus, NetworkAgreementEntity } from '@pcn/agreements';
import { Principal } from '@pcn/auth';
import { ActorContext, Clock } from '@pcn/common';
import { DirectoryService } from '@pcn/directory';
import { WorkflowErrorCode, WorkflowException } from '../workflow.exception';
import { ApprovalRoundEntity, RoundStatus } from '../rounds/approval-round.entity';
import { RequestScope, RequestStatus, SignatureRequestEntity } from '../rounds/signature-request.entity';
import { DELEGATE_ROLES } from '../rounds/round-access';
import { RequestActionsService } from '../rounds/request-actions.service';
import { ROLE_LABELS } from '../rounds/round-labels';
import { hasCountersignature, StepLabel, stepLabel } from '../rounds/step-label';
import { AnnexOnlyContent, contentForParty, groupParts, partRequest, ReviewPart, ReviewPartRequest } from './review-model';
import type { AgreementContent } from '@pcn/agreements';

export interface ReviewActedRequest extends ReviewPartRequest {
  kind: 'agreement' | 'annex';
  annexId: string | null;
  title: string;
  step: number;
  actedAt: Date | null;
  declineReason: string | null;
}

export interface ReviewStep {
  agreement: { id: string; reference: string; title: string; status: AgreementStatus };
  pcn: { name: string; code: string | null };
  round: {
    id: string;
    status: RoundStatus;
    currentStep: number;
    lastStep: number;
    igLastStep: number;
    dueAt: Date;
    message: string | null;
    revisionNumber: number;
    contentHash: string;
    countersigns: boolean;
  };
  /** The current step in words. */
  stepLabel: StepLabel;
  /** What this person is asked to approve now (pending requests of the current step), one part per document. */
  parts: ReviewPart[];
  /** True when the round is active and something is waiting for this person. */
  canAct: boolean;
  /** This person's requests in this round already approved, declined or delegated. */
  actedRequests: ReviewActedRequest[];
  /** This person's pending requests in later steps (they will be emailed when their step starts). */
  laterRequestCount: number;
  /** The revision this person last viewed in an earlier round, else the previous round's revision, else null. */
  previousRevisionNumber: number | null;
  /** The text to render: the whole agreement for its parties, only their annexes for annex-only parties. */
  revision: { id: string; number: number; contentHash: string; createdAt: Date } & ({ scope: 'agreement'; content: AgreementContent } | { scope: 'annexes'; content: AnnexOnlyContent });
}

export interface DelegateCandidate {
  personId: string;
  fullName: string;
  roleLabel: string;
}

const ACTED = [RequestStatus.Approved, RequestStatus.Declined, RequestStatus.Delegated];

const notAddressed = () => new WorkflowException(WorkflowErrorCode.NotYourRequest, 'That request was not found, or it is not addressed to you.');

/**
 * The model of the "review and sign" page: one page per person per round step, listing
 * every part the person is asked to approve, with only the content they may read.
 */
@Injectable()
export class ReviewService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly actions: RequestActionsService,
    private readonly agreements: AgreementsService,
    private readonly directory: DirectoryService,
    private readonly clock: Clock,
  ) {}

  /** Builds the page and records the view of every pending current-step request (once). 404 unless the round asks this person something. */
  async reviewStep(principal: Principal, roundId: string, actor: ActorContext): Promise<ReviewStep> {
    if (!principal.personId) throw notAddressed();
    const round = await this.dataSource.getRepository(ApprovalRoundEntity).findOneBy({ id: roundId });
    if (!round) throw notAddressed();
    const mine = await this.dataSource.getRepository(SignatureRequestEntity).find({ where: { roundId: round.id, personId: principal.personId }, order: { step: 'ASC', organisationName: 'ASC' } });
    if (mine.length === 0) throw notAddressed();

    const viewed = await this.actions.recordStepViewed(principal, round.id, actor);
    for (const r of mine) if (viewed.has(r.id)) r.viewedAt = viewed.get(r.id)!;

    const agreement = await this.dataSource.getRepository(NetworkAgreementEntity).findOneByOrFail({ id: round.agreementId });
    const [revision, pcn, previousRevisionNumber] = await Promise.all([
      this.agreements.revision(agreement.id, round.revisionNumber),
      this.directory.getPcn(agreement.pcnId),
      this.previousRevisionNumber(round, principal.personId),
    ]);
    const current = mine.filter((r) => r.step === round.currentStep && r.status === RequestStatus.Pending);
    const parts = groupParts(current, agreement.title);
    const visible = contentForParty(revision.content, mine);
    return {
      agreement: { id: agreement.id, reference: agreement.reference, title: agreement.title, status: agreement.status },
      pcn: { name: pcn.name, code: pcn.odsCode },
      round: {
        id: round.id,
        status: round.status,
        currentStep: round.currentStep,
        lastStep: round.lastStep,
        igLastStep: round.igLastStep,
        dueAt: round.dueAt,
        message: round.message,
        revisionNumber: round.revisionNumber,
        contentHash: round.contentHash,
        countersigns: hasCountersignature(round),
      },
      stepLabel: stepLabel(round, round.currentStep),
      parts,
      canAct: round.status === RoundStatus.Active && parts.length > 0,
      actedRequests: mine
        .filter((r) => ACTED.includes(r.status))
        .map((r) => ({
          ...partRequest(r),
          kind: r.scope === RequestScope.Annex ? 'annex' : 'agreement',
          annexId: r.annexId,
          title: r.scope === RequestScope.Annex ? (r.annexTitle ?? 'Data-sharing annex') : agreement.title,
          step: r.step,
          actedAt: r.actedAt,
          declineReason: r.declineReason,
        })),
      laterRequestCount: mine.filter((r) => r.step > round.currentStep && r.status === RequestStatus.Pending).length,
      previousRevisionNumber,
      revision: { id: revision.id, number: revision.number, contentHash: revision.contentHash, createdAt: revision.createdAt, ...visible },
    };
  }

  /** Colleagues of the request's organisation who may take it over, by name (not the requester, not anyone already asked). */
  async delegateCandidates(principal: Principal, requestId: string): Promise<DelegateCandidate[]> {
    const request = await this.dataSource.getRepository(SignatureRequestEntity).findOneBy({ id: requestId });
    if (!request || !principal.personId || request.personId !== principal.personId) throw notAddressed();
    const roles = DELEGATE_ROLES[request.capacity];
    if (!roles) return [];
    const [rows, asked] = await Promise.all([
      this.directory.peopleWithRoles([request.organisationId], roles, this.clock.now().toISOString().slice(0, 10)),
      this.dataSource.getRepository(SignatureRequestEntity).find({ where: { roundId: request.roundId, groupKey: request.groupKey }, select: { personId: true } }),
    ]);
    const excluded = new Set([request.personId, ...asked.map((a) => a.personId)]);
    const candidates = new Map<string, DelegateCandidate>();
    for (const row of rows) {
      if (excluded.has(row.personId)) continue;
      const label = ROLE_LABELS[row.role] ?? row.role;
      const existing = candidates.get(row.personId);
      if (!existing) candidates.set(row.personId, { personId: row.personId, fullName: row.person.fullName, roleLabel: label });
      else if (!existing.roleLabel.split(', ').includes(label)) existing.roleLabel = `${existing.roleLabel}, ${label}`;
    }
    return [...candidates.values()].sort((a, b) => a.fullName.localeCompare(b.fullName));
  }

  private async previousRevisionNumber(round: ApprovalRoundEntity, personId: string): Promise<number | null> {
    const earlier = await this.dataSource.getRepository(ApprovalRoundEntity).find({ where: { agreementId: round.agreementId }, order: { submittedAt: 'DESC' } });
    const before = earlier.filter((r) => r.id !== round.id && r.submittedAt < round.submittedAt);
    if (before.length === 0) return null;
    const [lastViewed] = await this.dataSource.getRepository(SignatureRequestEntity).find({
      where: { roundId: In(before.map((r) => r.id)), personId, viewedAt: Not(IsNull()) },
      order: { viewedAt: 'DESC' },
      take: 1,
    });
    const viewedRound = lastViewed ? before.find((r) => r.id === lastViewed.roundId) : undefined;
    return (viewedRound ?? before[0]).revisionNumber;
  }
}
