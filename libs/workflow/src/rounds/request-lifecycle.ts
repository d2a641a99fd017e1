import { EntityManager, FindOptionsWhere, In } from 'typeorm';
import { queryPrepared } from '@pcn/database';
import { WorkflowErrorCode, WorkflowException } from '../workflow.exception';
import { RequestStatus, SignatureRequestEntity } from './signature-request.entity';

/** Everything that can happen to one person's request. */
export enum RequestEvent {
  Approve = 'APPROVE',
  Decline = 'DECLINE',
  /** The person handed it to someone else of their organisation. */
  Delegate = 'DELEGATE',
  /** Another person of the same group approved, so this one is no longer needed. */
  GroupApproved = 'GROUP_APPROVED',
  /** The round ended (declined, withdrawn, restarted) before this person acted. */
  RoundEnded = 'ROUND_ENDED',
}

export type RequestOutcome = { to: RequestStatus } | { refused: string };

const Q = RequestStatus;
const E = RequestEvent;

/** The request lifecycle, in one table: only a PENDING request moves; every other status is final. */
export const REQUEST_TRANSITIONS: Readonly<Record<RequestStatus, Partial<Record<RequestEvent, RequestStatus>>>> = {
  [Q.Pending]: { [E.Approve]: Q.Approved, [E.Decline]: Q.Declined, [E.Delegate]: Q.Delegated, [E.GroupApproved]: Q.NotNeeded, [E.RoundEnded]: Q.Void },
  [Q.Approved]: {},
  [Q.Declined]: {},
  [Q.Delegated]: {},
  [Q.NotNeeded]: {},
  [Q.Void]: {},
};

const VERB: Record<RequestEvent, string> = {
  [E.Approve]: 'approved',
  [E.Decline]: 'declined',
  [E.Delegate]: 'delegated',
  [E.GroupApproved]: 'set aside for another approval',
  [E.RoundEnded]: 'cancelled',
};

const STATE: Record<RequestStatus, string> = {
  [Q.Pending]: 'waiting',
  [Q.Approved]: 'approved',
  [Q.Declined]: 'declined',
  [Q.Delegated]: 'delegated to someone else',
  [Q.NotNeeded]: 'not needed (someone else approved for the organisation)',
  [Q.Void]: 'cancelled (its round ended)',
};

/** The table's answer for one pair. */
export function requestTransition(from: RequestStatus, event: RequestEvent): RequestOutcome {
  const to = REQUEST_TRANSITIONS[from]?.[event];
  if (to !== undefined) return { to };
  return { refused: `This request is already ${STATE[from]}, so it cannot be ${VERB[event]}.` };
}

/** The next status, or a 409 ALREADY_ACTED_ON with the table's sentence. */
export function nextRequestStatus(from: RequestStatus, event: RequestEvent): RequestStatus {
  const outcome = requestTransition(from, event);
  if ('refused' in outcome) throw new WorkflowException(WorkflowErrorCode.AlreadyActedOn, outcome.refused);
  return outcome.to;
}

/** The statuses from which `event` moves a request (for updates of many requests at once). */
export function statusesAccepting(event: RequestEvent): RequestStatus[] {
  return (Object.keys(REQUEST_TRANSITIONS) as RequestStatus[]).filter((from) => REQUEST_TRANSITIONS[from][event] !== undefined);
}

/**
 * `signature_request.status` is written only in this file: here for named requests, by
 * `transitionMatchingRequests` for a filter, and by `approveInStep` on the approval path.
 * For named requests: each is checked against
 * the table and updated only while still in the status read (the caller holds the round lock).
 * Updates the objects in place with the status and `fields`.
 */
export async function transitionRequests(em: EntityManager, requests: SignatureRequestEntity[], event: RequestEvent, fields: Partial<SignatureRequestEntity> = {}): Promise<void> {
  const byFrom = new Map<RequestStatus, SignatureRequestEntity[]>();
  for (const request of requests) {
    nextRequestStatus(request.status, event);
    byFrom.set(request.status, [...(byFrom.get(request.status) ?? []), request]);
  }
  for (const [from, group] of byFrom) {
    const status = nextRequestStatus(from, event);
    const result = await em.update(SignatureRequestEntity, { id: In(group.map((r) => r.id)), status: from }, { ...fields, status });
    if (result.affected !== group.length) throw new WorkflowException(WorkflowErrorCode.AlreadyActedOn, 'This request changed while you acted on it. Reload it and try again.');
    for (const request of group) Object.assign(request, fields, { status });
  }
}

/**
 * The same table for every request matching `where` that the event can move (e.g. all the
 * round's pending requests when it ends); requests in other statuses are left as they are.
 * Returns how many moved.
 */
export async function transitionMatchingRequests(em: EntityManager, where: FindOptionsWhere<SignatureRequestEntity>, event: RequestEvent): Promise<number> {
  let moved = 0;
  for (const from of statusesAccepting(event)) {
    const result = await em.update(SignatureRequestEntity, { ...where, status: from }, { status: nextRequestStatus(from, event) });
    moved += result.affected ?? 0;
  }
  return moved;
}

const [GROUP_APPROVED_FROM, ...otherGroupApprovedSources] = statusesAccepting(RequestEvent.GroupApproved);
if (otherGroupApprovedSources.length > 0 || statusesAccepting(RequestEvent.Approve).join() !== GROUP_APPROVED_FROM) {
  // approveInStep moves both in one statement from one status; a table change must revisit it.
  throw new Error('approveInStep assumes APPROVE and GROUP_APPROVED both move requests from one and the same status');
}

export interface StepApprovalResult {
  /** Requests this statement approved (fewer than asked when one had moved since it was read). */
  approved: number;
  /** Groups of the step still without an approval once these approvals count. */
  openGroups: number;
  /** The caller's extra columns (see `also`). */
  row: Record<string, unknown>;
}

/**
 * The approval hot path in one statement: approves `requests` (all of one round and of its
 * current step, already checked against the table by the caller under the round lock), stands
 * down the other pending requests of their groups, and counts the step's groups still
 * without an approval. `also` adds the caller's own columns to the same statement (it
 * registers its values with `param`). Its snapshot is taken when it starts, after the round
 * lock, so the count sees every earlier approval of the round.
 */
export async function approveInStep(
  em: EntityManager,
  approval: { roundId: string; step: number; requests: SignatureRequestEntity[]; fields: Partial<SignatureRequestEntity> },
  also: (param: (value: unknown) => string) => string,
): Promise<StepApprovalResult> {
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  const metadata = em.connection.getMetadata(SignatureRequestEntity);
  const column = (property: string) => {
    const found = metadata.findColumnWithPropertyName(property);
    if (!found) throw new Error(`signature_request has no column for ${property}`);
    return found.databaseName;
  };
  // One parameter per id (`id IN ($1, $2)`), not one array (`id = ANY($1)`): PostgreSQL plans a
  // named statement generically once it is no dearer than a plan for the given values, and for an
  // array it assumes ten elements, which made every call replan (33,335 plans for 33,295 calls in
  // the national drill, 0.44 ms each). A list of the actual length plans as cheaply either way;
  // each length is its own statement, at most one per batch size (a batch holds at most 200).
  const ids = approval.requests.map((r) => param(r.id)).join(', ');
  const pending = param(GROUP_APPROVED_FROM);
  const round = param(approval.roundId);
  const sets = Object.entries({ ...approval.fields, status: nextRequestStatus(GROUP_APPROVED_FROM, RequestEvent.Approve) }).map(([property, value]) => `${column(property)} = ${param(value)}`);
  const [row] = (await queryPrepared(
    em,
    `WITH approved AS (
       UPDATE signature_request SET ${sets.join(', ')}
        WHERE id IN (${ids}) AND round_id = ${round} AND status = ${pending}
       RETURNING group_key
     ), stood_down AS (
       UPDATE signature_request SET status = ${param(nextRequestStatus(GROUP_APPROVED_FROM, RequestEvent.GroupApproved))}
        WHERE round_id = ${round} AND status = ${pending} AND group_key IN (SELECT group_key FROM approved) AND id NOT IN (${ids})
       RETURNING id
     )
     SELECT (SELECT count(*)::int FROM approved) AS approved_count,
            (SELECT count(*)::int FROM stood_down) AS stood_down_count,
            (SELECT count(*)::int FROM (
               SELECT group_key FROM signature_request
                WHERE round_id = ${round} AND step = ${param(approval.step)} AND group_key NOT IN (SELECT group_key FROM approved)
                GROUP BY group_key HAVING NOT bool_or(status = ${param(RequestStatus.Approved)})) open) AS open_groups,
            ${also(param)}`,
    params,
  )) as (Record<string, unknown> & { approved_count: number; open_groups: number })[];
  if (row.approved_count === approval.requests.length) {
    const status = nextRequestStatus(GROUP_APPROVED_FROM, RequestEvent.Approve);
    for (const request of approval.requests) Object.assign(request, approval.fields, { status });
  }
  return { approved: row.approved_count, openGroups: row.open_groups, row };
}
