import { phaseOfStep, StepPhase } from '../step-phase';
import { hasCountersignature, stepLabel } from '../step-label';

describe('stored step phases', () => {
  it('names each step by its stored phase', () => {
    const round = { stepPhases: [StepPhase.IgReview, StepPhase.Parties, StepPhase.Countersign], igLastStep: 1, lastStep: 3 };
    expect([1, 2, 3].map((step) => phaseOfStep(round, step))).toEqual(['IG_REVIEW', 'PARTIES', 'COUNTERSIGN']);
    expect([1, 2, 3].map((step) => stepLabel(round, step))).toEqual(['Information governance review', 'Member practice and partner signatures', 'Clinical director countersignature']);
  });

  it('follows the stored phases, not the step numbers', () => {
    // Two steps after IG review would read as a countersignature by numbers; the stored phases say otherwise.
    const round = { stepPhases: [StepPhase.IgReview, StepPhase.Parties, StepPhase.Parties], igLastStep: 1, lastStep: 3 };
    expect(hasCountersignature(round)).toBe(false);
    expect(stepLabel(round, 3)).toBe('Member practice and partner signatures');
  });

  it('without a countersignature no step is called one', () => {
    for (const stepPhases of [[StepPhase.IgReview, StepPhase.Parties], [StepPhase.Parties]]) {
      const round = { stepPhases };
      expect(hasCountersignature(round)).toBe(false);
      for (let step = 1; step <= stepPhases.length; step++) expect(stepLabel(round, step)).not.toMatch(/countersign/i);
    }
  });

  it('refuses a step the round does not have, in words', () => {
    expect(() => phaseOfStep({ stepPhases: [StepPhase.Parties] }, 2)).toThrow('This round has no step 2 (it has 1).');
  });
});
