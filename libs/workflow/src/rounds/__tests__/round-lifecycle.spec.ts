import { RoundStatus } from '../approval-round.entity';
import { nextRoundStatus, ROUND_TRANSITIONS, RoundEvent, roundTransition } from '../round-lifecycle';
import { WorkflowException } from '../../workflow.exception';

const R = RoundStatus;
const E = RoundEvent;

/** Every status × event pair with its exact outcome, written out by hand. */
const CELLS: Record<RoundStatus, Record<RoundEvent, RoundStatus | string>> = {
  [R.Active]: {
    [E.Complete]: R.Completed,
    [E.Decline]: R.Declined,
    [E.Withdraw]: R.Withdrawn,
    [E.Expire]: R.Expired,
    [E.Extend]: R.Active,
    [E.Restart]: 'This approval round is active, so it cannot be restarted. Extend or withdraw it instead.',
  },
  [R.Expired]: {
    [E.Complete]: 'This approval round is expired, so it cannot be completed. Extend it or restart it first.',
    [E.Decline]: 'This approval round is expired, so it cannot be declined. Extend it or restart it first.',
    [E.Withdraw]: R.Withdrawn,
    [E.Expire]: 'This approval round is expired, so it cannot be expired. Extend it or restart it first.',
    [E.Extend]: R.Active,
    [E.Restart]: R.Restarted,
  },
  [R.Completed]: {
    [E.Complete]: 'This approval round is completed, so it cannot be completed.',
    [E.Decline]: 'This approval round is completed, so it cannot be declined.',
    [E.Withdraw]: 'This approval round is completed, so it cannot be withdrawn.',
    [E.Expire]: 'This approval round is completed, so it cannot be expired.',
    [E.Extend]: 'This approval round is completed, so it cannot be extended.',
    [E.Restart]: 'This approval round is completed, so it cannot be restarted.',
  },
  [R.Declined]: {
    [E.Complete]: 'This approval round is declined, so it cannot be completed.',
    [E.Decline]: 'This approval round is declined, so it cannot be declined.',
    [E.Withdraw]: 'This approval round is declined, so it cannot be withdrawn.',
    [E.Expire]: 'This approval round is declined, so it cannot be expired.',
    [E.Extend]: 'This approval round is declined, so it cannot be extended.',
    [E.Restart]: 'This approval round is declined, so it cannot be restarted.',
  },
  [R.Withdrawn]: {
    [E.Complete]: 'This approval round is withdrawn, so it cannot be completed.',
    [E.Decline]: 'This approval round is withdrawn, so it cannot be declined.',
    [E.Withdraw]: 'This approval round is withdrawn, so it cannot be withdrawn.',
    [E.Expire]: 'This approval round is withdrawn, so it cannot be expired.',
    [E.Extend]: 'This approval round is withdrawn, so it cannot be extended.',
    [E.Restart]: 'This approval round is withdrawn, so it cannot be restarted.',
  },
  [R.Restarted]: {
    [E.Complete]: 'This approval round is restarted, so it cannot be completed.',
    [E.Decline]: 'This approval round is restarted, so it cannot be declined.',
    [E.Withdraw]: 'This approval round is restarted, so it cannot be withdrawn.',
    [E.Expire]: 'This approval round is restarted, so it cannot be expired.',
    [E.Extend]: 'This approval round is restarted, so it cannot be extended.',
    [E.Restart]: 'This approval round is restarted, so it cannot be restarted.',
  },
};

const STATUSES = Object.values(R);
const PAIRS = STATUSES.flatMap((from) => Object.values(E).map((event) => [from, event] as const));

describe('approval round lifecycle table', () => {
  it('has a row for every status and an expectation for every pair', () => {
    expect(Object.keys(ROUND_TRANSITIONS).sort()).toEqual([...STATUSES].sort());
    expect(PAIRS).toHaveLength(36);
    for (const [from, event] of PAIRS) expect(CELLS[from][event]).toBeDefined();
  });

  it.each(PAIRS)('%s × %s', (from, event) => {
    const expected = CELLS[from][event];
    if ((STATUSES as string[]).includes(expected)) {
      expect(roundTransition(from, event)).toEqual({ to: expected });
      expect(nextRoundStatus(from, event)).toBe(expected);
    } else {
      expect(roundTransition(from, event)).toEqual({ refused: expected });
      let thrown: unknown;
      try {
        nextRoundStatus(from, event);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(WorkflowException);
      expect(thrown).toMatchObject({ status: 409, code: 'ROUND_NOT_OPEN', message: expected });
    }
  });
});
