import type { ApprovalRoundEntity } from './approval-round.entity';

export type StepLabel = 'Information governance review' | 'Member practice and partner signatures' | 'Clinical director countersignature';

/** True when the round ends with the clinical director's countersignature (a step after the parties' step). */
export function hasCountersignature(round: Pick<ApprovalRoundEntity, 'igLastStep' | 'lastStep'>): boolean {
  return round.lastStep > round.igLastStep + 1;
}

/**
 * What a step of a round is called, in every email and page. Steps up to `igLastStep` are
 * information-governance review; the step after them is the parties' signatures; a round has
 * a countersignature step only when there is a step after that one.
 */
export function stepLabel(round: Pick<ApprovalRoundEntity, 'igLastStep' | 'lastStep'>, step: number): StepLabel {
  if (step <= round.igLastStep) return 'Information governance review';
  if (hasCountersignature(round) && step === round.lastStep) return 'Clinical director countersignature';
  return 'Member practice and partner signatures';
}
