import { AgreementStatus } from './agreement-status';

/** Everything that can happen to an agreement once it leaves the editor. */
export enum AgreementEvent {
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

/** Where a round that opens (or reopens) starts: the information-governance gate, or signatures. */
export type RoundPhase = 'IG_REVIEW' | 'SIGNATURES';

/** One cell of the table: the next status, or a refusal in words. */
export type AgreementOutcome = { to: AgreementStatus } | { refused: string };

const S = AgreementStatus;
const E = AgreementEvent;
/** A round opens at IG review when it has an IG step, otherwise straight at signatures. */
const OPENS = (phase?: RoundPhase) => (phase === 'IG_REVIEW' ? S.InIgReview : S.AwaitingSignatures);

type Target = AgreementStatus | typeof OPENS;

/**
 * The agreement lifecycle, in one table: anything not listed is refused. Withdrawing and
 * declining both return the agreement to DRAFT (the round keeps its WITHDRAWN/DECLINED status),
 * so the clinical director can edit and resubmit.
 */
export const AGREEMENT_TRANSITIONS: Readonly<Record<AgreementStatus, Partial<Record<AgreementEvent, Target>>>> = {
  [S.Draft]: { [E.Submit]: OPENS },
  [S.InIgReview]: { [E.IgReviewComplete]: S.AwaitingSignatures, [E.Decline]: S.Draft, [E.Withdraw]: S.Draft, [E.Expire]: S.Expired },
  [S.AwaitingSignatures]: { [E.Decline]: S.Draft, [E.Withdraw]: S.Draft, [E.Expire]: S.Expired, [E.Execute]: S.Executed },
  [S.Expired]: { [E.Extend]: OPENS, [E.Restart]: OPENS, [E.Withdraw]: S.Draft },
  [S.Executed]: { [E.Supersede]: S.Superseded, [E.Terminate]: S.Terminated },
  [S.Superseded]: {},
  [S.Terminated]: {},
};

const words = (s: AgreementStatus) => s.toLowerCase().replace(/_/g, ' ');

const VERB: Record<AgreementEvent, string> = {
  [E.Submit]: 'submitted for approval',
  [E.IgReviewComplete]: 'moved on from information-governance review',
  [E.Decline]: 'declined',
  [E.Withdraw]: 'withdrawn',
  [E.Expire]: 'expired',
  [E.Extend]: 'extended',
  [E.Restart]: 'restarted',
  [E.Execute]: 'executed',
  [E.Supersede]: 'superseded',
  [E.Terminate]: 'terminated',
};

/** What the person can do instead, where there is one thing to say. */
const HINT: Partial<Record<AgreementEvent, string>> = {
  [E.Submit]: 'Only a draft can be sent for approval.',
  [E.Terminate]: 'Only an executed agreement can be terminated.',
  [E.Restart]: 'Only an agreement whose round expired can be restarted.',
  [E.Supersede]: 'Only an executed agreement can be superseded by a variation.',
};

/** The refusal sentence for a pair the table does not allow. */
export function agreementRefusal(from: AgreementStatus, event: AgreementEvent): string {
  return [`An agreement that is ${words(from)} cannot be ${VERB[event]}.`, HINT[event]].filter(Boolean).join(' ');
}

/** The table's answer for one pair; `phase` says where a round that (re)opens starts. */
export function agreementTransition(from: AgreementStatus, event: AgreementEvent, phase?: RoundPhase): AgreementOutcome {
  const target = AGREEMENT_TRANSITIONS[from]?.[event];
  if (target === undefined) return { refused: agreementRefusal(from, event) };
  return { to: typeof target === 'function' ? target(phase) : target };
}
