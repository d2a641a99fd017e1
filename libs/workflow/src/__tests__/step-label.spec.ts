import { hasCountersignature, stepLabel } from '../rounds/step-label';

describe('stepLabel', () => {
  it.each([
    ['IG review, parties, countersignature', { igLastStep: 1, lastStep: 3 }, ['Information governance review', 'Member practice and partner signatures', 'Clinical director countersignature']],
    ['IG review, parties (no countersignature)', { igLastStep: 1, lastStep: 2 }, ['Information governance review', 'Member practice and partner signatures']],
    ['parties, countersignature (no annex)', { igLastStep: 0, lastStep: 2 }, ['Member practice and partner signatures', 'Clinical director countersignature']],
    ['parties only', { igLastStep: 0, lastStep: 1 }, ['Member practice and partner signatures']],
  ])('%s', (_name, round, labels) => {
    expect(labels.map((_, i) => stepLabel(round, i + 1))).toEqual(labels);
  });

  it('never calls a step a countersignature in a round without one', () => {
    for (const round of [{ igLastStep: 1, lastStep: 2 }, { igLastStep: 0, lastStep: 1 }]) {
      expect(hasCountersignature(round)).toBe(false);
      for (let step = 1; step <= round.lastStep; step++) expect(stepLabel(round, step)).not.toMatch(/countersign/i);
    }
    expect(hasCountersignature({ igLastStep: 1, lastStep: 3 })).toBe(true);
  });
});
