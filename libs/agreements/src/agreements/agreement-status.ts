/** Lifecycle states. Only drafts can be edited; the workflow lib moves agreements between the rest. */
export enum AgreementStatus {
  Draft = 'DRAFT',
  InIgReview = 'IN_IG_REVIEW',
  AwaitingSignatures = 'AWAITING_SIGNATURES',
  Executed = 'EXECUTED',
  Expired = 'EXPIRED',
  Superseded = 'SUPERSEDED',
  Terminated = 'TERMINATED',
}
