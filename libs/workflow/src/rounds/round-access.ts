import { EntityManager, In } from 'typeorm';
import { AuditEventType, AuditService } from '@pcn/audit';
import { Principal } from '@pcn/auth';
import { ActorContext } from '@pcn/common';
import { PersonRoleType } from '@pcn/directory';
import { WorkflowErrorCode, WorkflowException } from '../workflow.exception';
import { ApprovalRoundEntity, RoundStatus } from './approval-round.entity';
import { RequestStatus, SignatureRequestEntity, SignerCapacity } from './signature-request.entity';

/** Rounds that still hold the agreement: the one-open-round index covers exactly these. */
export const OPEN_ROUND_STATUSES = [RoundStatus.Active, RoundStatus.Expired];

/** Who may take over a request, by the capacity it was made in. */
export const DELEGATE_ROLES: Partial<Record<SignerCapacity, PersonRoleType[]>> = {
  [SignerCapacity.Partner]: [PersonRoleType.Partner],
  [SignerCapacity.Director]: [PersonRoleType.Director],
  [SignerCapacity.SoleTrader]: [PersonRoleType.SolePractitioner],
  [SignerCapacity.AuthorisedSignatory]: [PersonRoleType.AuthorisedSignatory, PersonRoleType.Director],
  [SignerCapacity.Dpo]: [PersonRoleType.Dpo],
  [SignerCapacity.CaldicottGuardian]: [PersonRoleType.CaldicottGuardian],
};

export const notYourRequest = () => new WorkflowException(WorkflowErrorCode.NotYourRequest, 'That request was not found, or it is not addressed to you.');

/** The request, if it is addressed to this user; otherwise "not found". */
export async function ownRequest(em: EntityManager, principal: Principal, requestId: string): Promise<SignatureRequestEntity> {
  const request = await em.findOneBy(SignatureRequestEntity, { id: requestId });
  if (!request || !principal.personId || request.personId !== principal.personId) throw notYourRequest();
  return request;
}

/** Locks the round a request belongs to; "not found" when there is no such request. */
export async function lockRoundOfRequest(em: EntityManager, requestId: string): Promise<ApprovalRoundEntity> {
  const round = await em
    .getRepository(ApprovalRoundEntity)
    .createQueryBuilder('round')
    .where('round.id = (SELECT r.round_id FROM signature_request r WHERE r.id = :requestId)', { requestId })
    .setLock('pessimistic_write')
    .getOne();
  if (!round) throw notYourRequest();
  return round;
}

/** The agreement's open (active or expired) round, locked when asked; 409 when there is none. */
export async function openRoundOf(em: EntityManager, agreementId: string, lock = false): Promise<ApprovalRoundEntity> {
  const round = await em.findOne(ApprovalRoundEntity, { where: { agreementId, status: In(OPEN_ROUND_STATUSES) }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  if (!round) throw new WorkflowException(WorkflowErrorCode.RoundNotOpen, 'This agreement has no open approval round.');
  return round;
}

/** Everyone with a request in the round (in these statuses), once each. */
export async function peopleInRound(em: EntityManager, roundId: string, statuses?: RequestStatus[]): Promise<string[]> {
  const rows = await em.find(SignatureRequestEntity, { where: { roundId, ...(statuses ? { status: In(statuses) } : {}) }, select: { personId: true } });
  return [...new Set(rows.map((r) => r.personId))];
}

/** Who acted, when, from where: stored on the request as evidence. */
export function actedBy(principal: Principal, actor: ActorContext, at: Date) {
  return { actedAt: at, actedByUserId: principal.id, ip: actor.ip, userAgent: actor.userAgent, authMethod: actor.authMethod };
}

/** An audit event about one person's request, on the agreement's chain. */
export function recordRequestEvent(audit: AuditService, em: EntityManager, type: AuditEventType, actor: ActorContext, round: ApprovalRoundEntity, request: SignatureRequestEntity, payload: Record<string, unknown>) {
  return audit.record(em, { type, actor, actorName: request.personName, organisationId: request.organisationId, agreementId: round.agreementId, roundId: round.id, revisionHash: round.contentHash, payload });
}
