import { AgreementStatus } from '@pcn/agreements';
import { WorkflowErrorCode, WorkflowException } from '../workflow.exception';

/** Everything that can happen to an agreement once it leaves the editor. */
export enum LifecycleEvent {
  Submit = 'SUBMIT',
  IgReviewComplete = 'IG_REVIEW_COMPLETE',
  Decline = 'DECLINE',
  Withdraw = 'WITHDRAW',
  Expire = 'EXPIRE',
  Extend = 'EXTEND',
  Restart = 'RESTART',
  Execute = 'EXECUTE',
  Supersede = 'SUPERSEDE',
  Terminate = 'TERMINATE',
}

/** Where a round is: the information-governance gate, or signatures. */
export type RoundPhase = 'IG_REVIEW' | 'SIGNATURES';

const S = AgreementStatus;
const phaseStatus = (phase?: RoundPhase) => (phase === 'IG_REVIEW' ? S.InIgReview : S.AwaitingSignatures);

type Target = AgreementStatus | ((phase?: RoundPhase) => AgreementStatus);

/**
 * The lifecycle, in one table. Anything not listed is refused. Withdrawing and declining
 * both return the agreement to DRAFT (the round keeps its WITHDRAWN/DECLINED status), so
 * the clinical director can edit and resubmit.
 */
export const TRANSITIONS: Readonly<Record<AgreementStatus, Partial<Record<LifecycleEvent, Target>>>> = {
  [S.Draft]: { [LifecycleEvent.Submit]: phaseStatus },
  [S.InIgReview]: {
    [LifecycleEvent.IgReviewComplete]: S.AwaitingSignatures,
    [LifecycleEvent.Decline]: S.Draft,
    [LifecycleEvent.Withdraw]: S.Draft,
    [LifecycleEvent.Expire]: S.Expired,
  },
  [S.AwaitingSignatures]: {
    [LifecycleEvent.Decline]: S.Draft,
    [LifecycleEvent.Withdraw]: S.Draft,
    [LifecycleEvent.Expire]: S.Expired,
    [LifecycleEvent.Execute]: S.Executed,
  },
  [S.Expired]: {
    [LifecycleEvent.Extend]: phaseStatus,
    [LifecycleEvent.Restart]: phaseStatus,
    [LifecycleEvent.Withdraw]: S.Draft,
  },
  [S.Executed]: { [LifecycleEvent.Supersede]: S.Superseded, [LifecycleEvent.Terminate]: S.Terminated },
  [S.Superseded]: {},
  [S.Terminated]: {},
};

export function canTransition(from: AgreementStatus, event: LifecycleEvent): boolean {
  return TRANSITIONS[from]?.[event] !== undefined;
}

const describe = (s: AgreementStatus) => s.toLowerCase().replace(/_/g, ' ');

const VERB: Record<LifecycleEvent, string> = {
  [LifecycleEvent.Submit]: 'submitted for approval',
  [LifecycleEvent.IgReviewComplete]: 'moved on from information-governance review',
  [LifecycleEvent.Decline]: 'declined',
  [LifecycleEvent.Withdraw]: 'withdrawn',
  [LifecycleEvent.Expire]: 'expired',
  [LifecycleEvent.Extend]: 'extended',
  [LifecycleEvent.Restart]: 'restarted',
  [LifecycleEvent.Execute]: 'executed',
  [LifecycleEvent.Supersede]: 'superseded',
  [LifecycleEvent.Terminate]: 'terminated',
};

/** The status after `event`, or a 409 saying plainly why it cannot happen now. */
export function nextStatus(from: AgreementStatus, event: LifecycleEvent, phase?: RoundPhase): AgreementStatus {
  const target = TRANSITIONS[from]?.[event];
  if (target === undefined) {
    throw new WorkflowException(WorkflowErrorCode.InvalidTransition, `An agreement that is ${describe(from)} cannot be ${VERB[event]}.`);
  }
  return typeof target === 'function' ? target(phase) : target;
}
