import { hasCountersignature, stepLabel } from '../rounds/step-label';
import { StepPhase } from '../rounds/step-phase';

const { IgReview, Parties, Countersign } = StepPhase;

describe('stepLabel', () => {
  it.each([
    ['IG review, parties, countersignature', [IgReview, Parties, Countersign], ['Information governance review', 'Member practice and partner signatures', 'Clinical director countersignature']],
    ['IG review, parties (no countersignature)', [IgReview, Parties], ['Information governance review', 'Member practice and partner signatures']],
    ['parties, countersignature (no annex)', [Parties, Countersign], ['Member practice and partner signatures', 'Clinical director countersignature']],
    ['parties only', [Parties], ['Member practice and partner signatures']],
  ])('%s', (_name, stepPhases, labels) => {
    expect(labels.map((_, i) => stepLabel({ stepPhases }, i + 1))).toEqual(labels);
  });

  it('never calls a step a countersignature in a round without one', () => {
    for (const stepPhases of [[IgReview, Parties], [Parties]]) {
      expect(hasCountersignature({ stepPhases })).toBe(false);
      stepPhases.forEach((_, i) => expect(stepLabel({ stepPhases }, i + 1)).not.toMatch(/countersign/i));
    }
    expect(hasCountersignature({ stepPhases: [IgReview, Parties, Countersign] })).toBe(true);
  });

  it('refuses a step the round does not have, rather than guessing its meaning', () => {
    expect(() => stepLabel({ stepPhases: [Parties] }, 2)).toThrow(RangeError);
  });
});
