/** Every email the agreement workflow sends. The workflow's jobs name one of these. */
export enum NotificationType {
  SignatureRequested = 'SIGNATURE_REQUESTED',
  IgReviewRequested = 'IG_REVIEW_REQUESTED',
  Reminder = 'REMINDER',
  /** To the sender and the parties of the declined part: who declined what, and why. */
  RoundDeclined = 'ROUND_DECLINED',
  /** To everyone else in a declined round: signing stopped; no reason, no part named. */
  RoundStopped = 'ROUND_STOPPED',
  RoundWithdrawn = 'ROUND_WITHDRAWN',
  AgreementExecuted = 'AGREEMENT_EXECUTED',
  RoundExpired = 'ROUND_EXPIRED',
  DelegatedToYou = 'DELEGATED_TO_YOU',
  /** To every party of an executed agreement: the clinical director terminated it. */
  AgreementTerminated = 'AGREEMENT_TERMINATED',
}

export const NOTIFICATION_TYPES: readonly NotificationType[] = Object.values(NotificationType);
