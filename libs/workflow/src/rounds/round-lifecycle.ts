import { EntityManager } from 'typeorm';
import { WorkflowErrorCode, WorkflowException } from '../workflow.exception';
import { ApprovalRoundEntity, RoundStatus } from './approval-round.entity';

/** Everything that can happen to an approval round after it opens (rounds are created ACTIVE). */
export enum RoundEvent {
  /** The last step's approvals are in: the agreement executes. */
  Complete = 'COMPLETE',
  Decline = 'DECLINE',
  Withdraw = 'WITHDRAW',
  /** The due date passed with approvals outstanding. */
  Expire = 'EXPIRE',
  /** A new due date: an active round keeps going, an expired one reopens. */
  Extend = 'EXTEND',
  /** An expired round is replaced by a fresh round on the same revision. */
  Restart = 'RESTART',
}

export type RoundOutcome = { to: RoundStatus } | { refused: string };

const R = RoundStatus;
const E = RoundEvent;

/** The round lifecycle, in one table: anything not listed is refused. COMPLETED, DECLINED, WITHDRAWN and RESTARTED are final. */
export const ROUND_TRANSITIONS: Readonly<Record<RoundStatus, Partial<Record<RoundEvent, RoundStatus>>>> = {
  [R.Active]: { [E.Complete]: R.Completed, [E.Decline]: R.Declined, [E.Withdraw]: R.Withdrawn, [E.Expire]: R.Expired, [E.Extend]: R.Active },
  [R.Expired]: { [E.Withdraw]: R.Withdrawn, [E.Extend]: R.Active, [E.Restart]: R.Restarted },
  [R.Completed]: {},
  [R.Declined]: {},
  [R.Withdrawn]: {},
  [R.Restarted]: {},
};

const VERB: Record<RoundEvent, string> = {
  [E.Complete]: 'completed',
  [E.Decline]: 'declined',
  [E.Withdraw]: 'withdrawn',
  [E.Expire]: 'expired',
  [E.Extend]: 'extended',
  [E.Restart]: 'restarted',
};

const HINT: Partial<Record<RoundStatus, string>> = {
  [R.Active]: 'Extend or withdraw it instead.',
  [R.Expired]: 'Extend it or restart it first.',
};

/** The table's answer for one pair. */
export function roundTransition(from: RoundStatus, event: RoundEvent): RoundOutcome {
  const to = ROUND_TRANSITIONS[from]?.[event];
  if (to !== undefined) return { to };
  return { refused: [`This approval round is ${from.toLowerCase()}, so it cannot be ${VERB[event]}.`, HINT[from]].filter(Boolean).join(' ') };
}

/** The next status, or a 409 ROUND_NOT_OPEN with the table's sentence. */
export function nextRoundStatus(from: RoundStatus, event: RoundEvent): RoundStatus {
  const outcome = roundTransition(from, event);
  if ('refused' in outcome) throw new WorkflowException(WorkflowErrorCode.RoundNotOpen, outcome.refused);
  return outcome.to;
}

/** What goes with a round event besides the status. */
export interface RoundTransitionFields {
  endedAt?: Date | null;
  endReason?: string | null;
  dueAt?: Date;
  reminderSeq?: number;
}

/**
 * The only writer of `approval_round.status`. The caller holds the round's row lock; the
 * update is also conditional on the status read, so a stale object can never overwrite a
 * newer status. Updates `round` in place.
 */
export async function transitionRound(em: EntityManager, round: ApprovalRoundEntity, event: RoundEvent, fields: RoundTransitionFields = {}): Promise<ApprovalRoundEntity> {
  const status = nextRoundStatus(round.status, event);
  const result = await em.update(ApprovalRoundEntity, { id: round.id, status: round.status }, { status, ...fields });
  if (result.affected === 0) throw new WorkflowException(WorkflowErrorCode.RoundNotOpen, 'This approval round changed while you acted on it. Reload it and try again.');
  return Object.assign(round, { status, ...fields });
}
