import { EntityManager, FindOptionsWhere, In } from 'typeorm';
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
 * The only writer of `signature_request.status`, for named requests: each is checked against
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
