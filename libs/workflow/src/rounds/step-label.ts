import { PhasedSteps, phaseOfStep, STEP_PHASE_LABELS, StepLabel, StepPhase } from './step-phase';

export type { StepLabel } from './step-phase';

/**
 * Step numbers only, for rows read without the stored phases (the task list's raw rows):
 * steps up to `igLastStep` are IG review, the step after them the parties', and a step after
 * that the countersignature. Rounds store their phases; prefer those (`stepPhases`).
 */
interface NumberedSteps {
  igLastStep: number;
  lastStep: number;
  stepPhases?: StepPhase[];
}

function phases(round: PhasedSteps | NumberedSteps): StepPhase[] {
  if (round.stepPhases && round.stepPhases.length > 0) return round.stepPhases;
  const { igLastStep, lastStep } = round as NumberedSteps;
  return Array.from({ length: lastStep }, (_, i) => (i + 1 <= igLastStep ? StepPhase.IgReview : i + 1 === igLastStep + 1 ? StepPhase.Parties : StepPhase.Countersign));
}

/** True when the round ends with the clinical director's countersignature. */
export function hasCountersignature(round: PhasedSteps | NumberedSteps): boolean {
  return phases(round).includes(StepPhase.Countersign);
}

/** What a step of a round is called, in every email and page: the label of its stored phase. */
export function stepLabel(round: PhasedSteps | NumberedSteps, step: number): StepLabel {
  return STEP_PHASE_LABELS[phaseOfStep({ stepPhases: phases(round) }, step)];
}
