import { RequestStatus } from '../signature-request.entity';
import { nextRequestStatus, REQUEST_TRANSITIONS, RequestEvent, requestTransition, statusesAccepting } from '../request-lifecycle';
import { WorkflowException } from '../../workflow.exception';

const Q = RequestStatus;
const E = RequestEvent;

/** Every status × event pair with its exact outcome, written out by hand. */
const CELLS: Record<RequestStatus, Record<RequestEvent, RequestStatus | string>> = {
  [Q.Pending]: { [E.Approve]: Q.Approved, [E.Decline]: Q.Declined, [E.Delegate]: Q.Delegated, [E.GroupApproved]: Q.NotNeeded, [E.RoundEnded]: Q.Void },
  [Q.Approved]: {
    [E.Approve]: 'This request is already approved, so it cannot be approved.',
    [E.Decline]: 'This request is already approved, so it cannot be declined.',
    [E.Delegate]: 'This request is already approved, so it cannot be delegated.',
    [E.GroupApproved]: 'This request is already approved, so it cannot be set aside for another approval.',
    [E.RoundEnded]: 'This request is already approved, so it cannot be cancelled.',
  },
  [Q.Declined]: {
    [E.Approve]: 'This request is already declined, so it cannot be approved.',
    [E.Decline]: 'This request is already declined, so it cannot be declined.',
    [E.Delegate]: 'This request is already declined, so it cannot be delegated.',
    [E.GroupApproved]: 'This request is already declined, so it cannot be set aside for another approval.',
    [E.RoundEnded]: 'This request is already declined, so it cannot be cancelled.',
  },
  [Q.Delegated]: {
    [E.Approve]: 'This request is already delegated to someone else, so it cannot be approved.',
    [E.Decline]: 'This request is already delegated to someone else, so it cannot be declined.',
    [E.Delegate]: 'This request is already delegated to someone else, so it cannot be delegated.',
    [E.GroupApproved]: 'This request is already delegated to someone else, so it cannot be set aside for another approval.',
    [E.RoundEnded]: 'This request is already delegated to someone else, so it cannot be cancelled.',
  },
  [Q.NotNeeded]: {
    [E.Approve]: 'This request is already not needed (someone else approved for the organisation), so it cannot be approved.',
    [E.Decline]: 'This request is already not needed (someone else approved for the organisation), so it cannot be declined.',
    [E.Delegate]: 'This request is already not needed (someone else approved for the organisation), so it cannot be delegated.',
    [E.GroupApproved]: 'This request is already not needed (someone else approved for the organisation), so it cannot be set aside for another approval.',
    [E.RoundEnded]: 'This request is already not needed (someone else approved for the organisation), so it cannot be cancelled.',
  },
  [Q.Void]: {
    [E.Approve]: 'This request is already cancelled (its round ended), so it cannot be approved.',
    [E.Decline]: 'This request is already cancelled (its round ended), so it cannot be declined.',
    [E.Delegate]: 'This request is already cancelled (its round ended), so it cannot be delegated.',
    [E.GroupApproved]: 'This request is already cancelled (its round ended), so it cannot be set aside for another approval.',
    [E.RoundEnded]: 'This request is already cancelled (its round ended), so it cannot be cancelled.',
  },
};

const STATUSES = Object.values(Q);
const PAIRS = STATUSES.flatMap((from) => Object.values(E).map((event) => [from, event] as const));

describe('signature request lifecycle table', () => {
  it('has a row for every status and an expectation for every pair', () => {
    expect(Object.keys(REQUEST_TRANSITIONS).sort()).toEqual([...STATUSES].sort());
    expect(PAIRS).toHaveLength(30);
    for (const [from, event] of PAIRS) expect(CELLS[from][event]).toBeDefined();
  });

  it.each(PAIRS)('%s × %s', (from, event) => {
    const expected = CELLS[from][event];
    if ((STATUSES as string[]).includes(expected)) {
      expect(requestTransition(from, event)).toEqual({ to: expected });
      expect(nextRequestStatus(from, event)).toBe(expected);
    } else {
      expect(requestTransition(from, event)).toEqual({ refused: expected });
      let thrown: unknown;
      try {
        nextRequestStatus(from, event);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(WorkflowException);
      expect(thrown).toMatchObject({ status: 409, code: 'ALREADY_ACTED_ON', message: expected });
    }
  });

  it('moves many requests only from PENDING', () => {
    for (const event of Object.values(E)) expect(statusesAccepting(event)).toEqual([Q.Pending]);
  });
});
