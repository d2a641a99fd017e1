import { AgreementStatus } from '@pcn/agreements';
import { canTransition, LifecycleEvent, nextStatus, TRANSITIONS } from '../lifecycle/agreement-lifecycle';
import { WorkflowException } from '../workflow.exception';

const S = AgreementStatus;
const E = LifecycleEvent;

/** The allowed transitions, written out independently of the table under test. */
const EXPECTED: [AgreementStatus, LifecycleEvent, 'IG_REVIEW' | 'SIGNATURES' | undefined, AgreementStatus][] = [
  [S.Draft, E.Submit, 'IG_REVIEW', S.InIgReview],
  [S.Draft, E.Submit, 'SIGNATURES', S.AwaitingSignatures],
  [S.InIgReview, E.IgReviewComplete, undefined, S.AwaitingSignatures],
  [S.InIgReview, E.Decline, undefined, S.Draft],
  [S.InIgReview, E.Withdraw, undefined, S.Draft],
  [S.InIgReview, E.Expire, undefined, S.Expired],
  [S.AwaitingSignatures, E.Decline, undefined, S.Draft],
  [S.AwaitingSignatures, E.Withdraw, undefined, S.Draft],
  [S.AwaitingSignatures, E.Expire, undefined, S.Expired],
  [S.AwaitingSignatures, E.Execute, undefined, S.Executed],
  [S.Expired, E.Extend, 'IG_REVIEW', S.InIgReview],
  [S.Expired, E.Extend, 'SIGNATURES', S.AwaitingSignatures],
  [S.Expired, E.Restart, 'IG_REVIEW', S.InIgReview],
  [S.Expired, E.Restart, 'SIGNATURES', S.AwaitingSignatures],
  [S.Expired, E.Withdraw, undefined, S.Draft],
  [S.Executed, E.Supersede, undefined, S.Superseded],
  [S.Executed, E.Terminate, undefined, S.Terminated],
];

describe('agreement lifecycle', () => {
  it.each(EXPECTED)('%s --%s(%s)--> %s', (from, event, phase, to) => {
    expect(canTransition(from, event)).toBe(true);
    expect(nextStatus(from, event, phase)).toBe(to);
  });

  const allowed = new Set(EXPECTED.map(([from, event]) => `${from}/${event}`));
  const refused = Object.values(S).flatMap((from) => Object.values(E).map((event) => [from, event] as const)).filter(([from, event]) => !allowed.has(`${from}/${event}`));

  it('covers every status and event pair either way', () => {
    expect(allowed.size + refused.length).toBe(Object.values(S).length * Object.values(E).length);
    expect(Object.keys(TRANSITIONS).sort()).toEqual(Object.values(S).sort());
  });

  it.each(refused)('%s refuses %s with a 409 that names the state', (from, event) => {
    expect(canTransition(from, event)).toBe(false);
    let thrown: unknown;
    try {
      nextStatus(from, event);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(WorkflowException);
    expect((thrown as WorkflowException).status).toBe(409);
    expect((thrown as WorkflowException).code).toBe('INVALID_TRANSITION');
    expect((thrown as WorkflowException).message).toContain(from.toLowerCase().replace(/_/g, ' '));
  });

  it('never lets superseded or terminated agreements move again', () => {
    for (const event of Object.values(E)) {
      expect(canTransition(S.Superseded, event)).toBe(false);
      expect(canTransition(S.Terminated, event)).toBe(false);
    }
  });
});
