import { EntityManager, In } from 'typeorm';
import { AuditEventType, AuditService, NewAuditEvent } from '@pcn/audit';
import { Principal } from '@pcn/auth';
import { ActorContext } from '@pcn/common';
import { queryPrepared } from '@pcn/database';
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

/** `alias.column AS "prefixProperty"` for every column of an entity, built once per entity and alias. */
const selectLists = new Map<string, string>();
function selectList(em: EntityManager, entity: typeof ApprovalRoundEntity | typeof SignatureRequestEntity, alias: string, prefix: string): string {
  const key = `${entity.name}:${alias}:${prefix}`;
  let list = selectLists.get(key);
  if (!list) {
    list = em.connection
      .getMetadata(entity)
      .columns.map((c) => `${alias}.${c.databaseName} AS "${prefix}${c.propertyName}"`)
      .join(', ');
    selectLists.set(key, list);
  }
  return list;
}

/** The columns of one row that start with `prefix`, without it, as an entity; null for an unmatched outer join. */
function pick<T extends object>(row: Record<string, unknown>, prefix: string, entity: new () => T): T | null {
  const out = new entity() as Record<string, unknown>;
  let any = false;
  for (const [key, value] of Object.entries(row)) {
    if (!key.startsWith(prefix)) continue;
    out[key.slice(prefix.length)] = value;
    if (value !== null) any = true;
  }
  return any ? (out as T) : null;
}

export interface LockedForApproval {
  round: ApprovalRoundEntity;
  /** The asked requests that exist, by id. Read in the lock's own statement: see `lockRoundForApproval`. */
  requests: Map<string, SignatureRequestEntity>;
}

/**
 * The approval path's first statement: locks the round of `requestIds[0]`, then the
 * agreement's audit chain (in that order, as every approval does), and reads the asked
 * requests, all in one round trip. The round row is the latest version (a row lock re-reads
 * it), but the requests come from the statement's snapshot, taken before any wait for the
 * lock: if another approval of this round committed meanwhile, a request read here as
 * pending may no longer be. `approveInStep` notices (it approves fewer than asked) and the
 * caller starts again with `fresh`, which reads the requests in a second statement after
 * the lock. Throws "not found" when there is no such request.
 */
export async function lockRoundForApproval(em: EntityManager, requestIds: string[], fresh: boolean): Promise<LockedForApproval> {
  const rows = await queryPrepared(
    em,
    `WITH round AS MATERIALIZED (
       SELECT * FROM approval_round WHERE id = (SELECT r.round_id FROM signature_request r WHERE r.id = $1) FOR UPDATE
     )
     SELECT ${selectList(em, ApprovalRoundEntity, 'round', 'round.')}, ${AuditService.chainLockSql('round.agreement_id')} AS chain_locked
       ${fresh ? '' : `, ${selectList(em, SignatureRequestEntity, 'request', 'request.')}`}
       FROM round ${fresh ? '' : 'LEFT JOIN signature_request request ON request.id = ANY($2::uuid[])'}`,
    fresh ? [requestIds[0]] : [requestIds[0], requestIds],
  );
  const round = rows.length > 0 ? pick(rows[0], 'round.', ApprovalRoundEntity) : null;
  if (!round) throw notYourRequest();
  const requests = new Map<string, SignatureRequestEntity>();
  if (fresh) {
    const found = await queryPrepared(em, `SELECT ${selectList(em, SignatureRequestEntity, 'request', 'request.')} FROM signature_request request WHERE request.id = ANY($1::uuid[])`, [requestIds]);
    for (const row of found) requests.set(String(row['request.id']), pick(row, 'request.', SignatureRequestEntity)!);
  } else {
    for (const row of rows) {
      const request = pick(row, 'request.', SignatureRequestEntity);
      if (request) requests.set(request.id, request);
    }
  }
  return { round, requests };
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
export function requestEvent(type: AuditEventType, actor: ActorContext, round: ApprovalRoundEntity, request: SignatureRequestEntity, payload: Record<string, unknown>): NewAuditEvent {
  return { type, actor, actorName: request.personName, organisationId: request.organisationId, agreementId: round.agreementId, roundId: round.id, revisionHash: round.contentHash, payload };
}

/** Records `requestEvent` on its own (it takes the chain lock itself). */
export function recordRequestEvent(audit: AuditService, em: EntityManager, type: AuditEventType, actor: ActorContext, round: ApprovalRoundEntity, request: SignatureRequestEntity, payload: Record<string, unknown>) {
  return audit.record(em, requestEvent(type, actor, round, request, payload));
}
