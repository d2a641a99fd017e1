/**
 * What a step of a round is for. Stored on the round (one entry per step, `stepPhases`) and
 * on each request (`phase`) when the round opens, so labels, emails and the agreement's
 * status read the meaning instead of inferring it from step numbers.
 */
export enum StepPhase {
  IgReview = 'IG_REVIEW',
  Parties = 'PARTIES',
  Countersign = 'COUNTERSIGN',
}

export type StepLabel = 'Information governance review' | 'Member practice and partner signatures' | 'Clinical director countersignature';

export const STEP_PHASE_LABELS: Record<StepPhase, StepLabel> = {
  [StepPhase.IgReview]: 'Information governance review',
  [StepPhase.Parties]: 'Member practice and partner signatures',
  [StepPhase.Countersign]: 'Clinical director countersignature',
};

/** A round as far as its steps go: the stored phases (index 0 is step 1). */
export interface PhasedSteps {
  stepPhases: StepPhase[];
}

/** The phase of one step of a round, from what the round stored when it opened. */
export function phaseOfStep(round: PhasedSteps, step: number): StepPhase {
  const phase = round.stepPhases[step - 1];
  if (!phase) throw new RangeError(`This round has no step ${step} (it has ${round.stepPhases.length}).`);
  return phase;
}
