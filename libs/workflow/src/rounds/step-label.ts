import { PhasedSteps, phaseOfStep, STEP_PHASE_LABELS, StepLabel, StepPhase } from './step-phase';

export type { StepLabel } from './step-phase';

/** True when the round ends with the clinical director's countersignature (from its stored phases). */
export function hasCountersignature(round: PhasedSteps): boolean {
  return round.stepPhases.includes(StepPhase.Countersign);
}

/** What a step of a round is called, in every email and page: the label of its stored phase. */
export function stepLabel(round: PhasedSteps, step: number): StepLabel {
  return STEP_PHASE_LABELS[phaseOfStep(round, step)];
}
