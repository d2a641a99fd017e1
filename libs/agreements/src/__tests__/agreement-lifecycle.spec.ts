import { AgreementEvent, agreementTransition, AGREEMENT_TRANSITIONS, RoundPhase } from '../agreements/agreement-lifecycle';
import { AgreementStatus } from '../agreements/agreement-status';

const S = AgreementStatus;
const E = AgreementEvent;

/**
 * Every status × event pair with its exact outcome, written out by hand (not derived from the
 * table under test). A phase-dependent cell lists both phases.
 */
const CELLS: Record<AgreementStatus, Record<AgreementEvent, AgreementStatus | string | Record<RoundPhase, AgreementStatus>>> = {
  [S.Draft]: {
    [E.Submit]: { IG_REVIEW: S.InIgReview, SIGNATURES: S.AwaitingSignatures },
    [E.IgReviewComplete]: 'An agreement that is draft cannot be moved on from information-governance review.',
    [E.Decline]: 'An agreement that is draft cannot be declined.',
    [E.Withdraw]: 'An agreement that is draft cannot be withdrawn.',
    [E.Expire]: 'An agreement that is draft cannot be expired.',
    [E.Extend]: 'An agreement that is draft cannot be extended.',
    [E.Restart]: 'An agreement that is draft cannot be restarted. Only an agreement whose round expired can be restarted.',
    [E.Execute]: 'An agreement that is draft cannot be executed.',
    [E.Supersede]: 'An agreement that is draft cannot be superseded. Only an executed agreement can be superseded by a variation.',
    [E.Terminate]: 'An agreement that is draft cannot be terminated. Only an executed agreement can be terminated.',
  },
  [S.InIgReview]: {
    [E.Submit]: 'An agreement that is in ig review cannot be submitted for approval. Only a draft can be sent for approval.',
    [E.IgReviewComplete]: S.AwaitingSignatures,
    [E.Decline]: S.Draft,
    [E.Withdraw]: S.Draft,
    [E.Expire]: S.Expired,
    [E.Extend]: 'An agreement that is in ig review cannot be extended.',
    [E.Restart]: 'An agreement that is in ig review cannot be restarted. Only an agreement whose round expired can be restarted.',
    [E.Execute]: 'An agreement that is in ig review cannot be executed.',
    [E.Supersede]: 'An agreement that is in ig review cannot be superseded. Only an executed agreement can be superseded by a variation.',
    [E.Terminate]: 'An agreement that is in ig review cannot be terminated. Only an executed agreement can be terminated.',
  },
  [S.AwaitingSignatures]: {
    [E.Submit]: 'An agreement that is awaiting signatures cannot be submitted for approval. Only a draft can be sent for approval.',
    [E.IgReviewComplete]: 'An agreement that is awaiting signatures cannot be moved on from information-governance review.',
    [E.Decline]: S.Draft,
    [E.Withdraw]: S.Draft,
    [E.Expire]: S.Expired,
    [E.Extend]: 'An agreement that is awaiting signatures cannot be extended.',
    [E.Restart]: 'An agreement that is awaiting signatures cannot be restarted. Only an agreement whose round expired can be restarted.',
    [E.Execute]: S.Executed,
    [E.Supersede]: 'An agreement that is awaiting signatures cannot be superseded. Only an executed agreement can be superseded by a variation.',
    [E.Terminate]: 'An agreement that is awaiting signatures cannot be terminated. Only an executed agreement can be terminated.',
  },
  [S.Expired]: {
    [E.Submit]: 'An agreement that is expired cannot be submitted for approval. Only a draft can be sent for approval.',
    [E.IgReviewComplete]: 'An agreement that is expired cannot be moved on from information-governance review.',
    [E.Decline]: 'An agreement that is expired cannot be declined.',
    [E.Withdraw]: S.Draft,
    [E.Expire]: 'An agreement that is expired cannot be expired.',
    [E.Extend]: { IG_REVIEW: S.InIgReview, SIGNATURES: S.AwaitingSignatures },
    [E.Restart]: { IG_REVIEW: S.InIgReview, SIGNATURES: S.AwaitingSignatures },
    [E.Execute]: 'An agreement that is expired cannot be executed.',
    [E.Supersede]: 'An agreement that is expired cannot be superseded. Only an executed agreement can be superseded by a variation.',
    [E.Terminate]: 'An agreement that is expired cannot be terminated. Only an executed agreement can be terminated.',
  },
  [S.Executed]: {
    [E.Submit]: 'An agreement that is executed cannot be submitted for approval. Only a draft can be sent for approval.',
    [E.IgReviewComplete]: 'An agreement that is executed cannot be moved on from information-governance review.',
    [E.Decline]: 'An agreement that is executed cannot be declined.',
    [E.Withdraw]: 'An agreement that is executed cannot be withdrawn.',
    [E.Expire]: 'An agreement that is executed cannot be expired.',
    [E.Extend]: 'An agreement that is executed cannot be extended.',
    [E.Restart]: 'An agreement that is executed cannot be restarted. Only an agreement whose round expired can be restarted.',
    [E.Execute]: 'An agreement that is executed cannot be executed.',
    [E.Supersede]: S.Superseded,
    [E.Terminate]: S.Terminated,
  },
  [S.Superseded]: {
    [E.Submit]: 'An agreement that is superseded cannot be submitted for approval. Only a draft can be sent for approval.',
    [E.IgReviewComplete]: 'An agreement that is superseded cannot be moved on from information-governance review.',
    [E.Decline]: 'An agreement that is superseded cannot be declined.',
    [E.Withdraw]: 'An agreement that is superseded cannot be withdrawn.',
    [E.Expire]: 'An agreement that is superseded cannot be expired.',
    [E.Extend]: 'An agreement that is superseded cannot be extended.',
    [E.Restart]: 'An agreement that is superseded cannot be restarted. Only an agreement whose round expired can be restarted.',
    [E.Execute]: 'An agreement that is superseded cannot be executed.',
    [E.Supersede]: 'An agreement that is superseded cannot be superseded. Only an executed agreement can be superseded by a variation.',
    [E.Terminate]: 'An agreement that is superseded cannot be terminated. Only an executed agreement can be terminated.',
  },
  [S.Terminated]: {
    [E.Submit]: 'An agreement that is terminated cannot be submitted for approval. Only a draft can be sent for approval.',
    [E.IgReviewComplete]: 'An agreement that is terminated cannot be moved on from information-governance review.',
    [E.Decline]: 'An agreement that is terminated cannot be declined.',
    [E.Withdraw]: 'An agreement that is terminated cannot be withdrawn.',
    [E.Expire]: 'An agreement that is terminated cannot be expired.',
    [E.Extend]: 'An agreement that is terminated cannot be extended.',
    [E.Restart]: 'An agreement that is terminated cannot be restarted. Only an agreement whose round expired can be restarted.',
    [E.Execute]: 'An agreement that is terminated cannot be executed.',
    [E.Supersede]: 'An agreement that is terminated cannot be superseded. Only an executed agreement can be superseded by a variation.',
    [E.Terminate]: 'An agreement that is terminated cannot be terminated. Only an executed agreement can be terminated.',
  },
};

const STATUSES = Object.values(S);
const EVENTS = Object.values(E);
const PAIRS = STATUSES.flatMap((from) => EVENTS.map((event) => [from, event] as const));

describe('agreement lifecycle table', () => {
  it('has a row for every status and a written expectation for every status × event pair', () => {
    expect(Object.keys(AGREEMENT_TRANSITIONS).sort()).toEqual([...STATUSES].sort());
    expect(PAIRS).toHaveLength(STATUSES.length * EVENTS.length);
    for (const [from, event] of PAIRS) expect(CELLS[from][event]).toBeDefined();
  });

  it.each(PAIRS)('%s × %s', (from, event) => {
    const expected = CELLS[from][event];
    if (typeof expected === 'string' && (STATUSES as string[]).includes(expected)) {
      for (const phase of [undefined, 'IG_REVIEW', 'SIGNATURES'] as const) expect(agreementTransition(from, event, phase)).toEqual({ to: expected });
    } else if (typeof expected === 'string') {
      for (const phase of [undefined, 'IG_REVIEW', 'SIGNATURES'] as const) expect(agreementTransition(from, event, phase)).toEqual({ refused: expected });
    } else {
      expect(agreementTransition(from, event, 'IG_REVIEW')).toEqual({ to: expected.IG_REVIEW });
      expect(agreementTransition(from, event, 'SIGNATURES')).toEqual({ to: expected.SIGNATURES });
    }
  });
});
