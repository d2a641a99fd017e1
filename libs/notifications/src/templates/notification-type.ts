/** Every email the agreement workflow sends. The workflow's jobs name one of these. */
export enum NotificationType {
  SignatureRequested = 'SIGNATURE_REQUESTED',
  IgReviewRequested = 'IG_REVIEW_REQUESTED',
  Reminder = 'REMINDER',
  RoundDeclined = 'ROUND_DECLINED',
  RoundWithdrawn = 'ROUND_WITHDRAWN',
  AgreementExecuted = 'AGREEMENT_EXECUTED',
  RoundExpired = 'ROUND_EXPIRED',
  DelegatedToYou = 'DELEGATED_TO_YOU',
}

export const NOTIFICATION_TYPES: readonly NotificationType[] = Object.values(NotificationType);
