/**
 * What a template needs to know, already loaded by the caller. Plain values only, so
 * templates stay pure functions and can be tested without a database.
 */
export interface NotificationModel {
  recipientName: string;
  pcnName: string;
  /** ODS code of the PCN, e.g. U12345. */
  pcnCode: string;
  agreementTitle: string;
  /** Human reference of the agreement, e.g. PCN-U12345-2026-001. */
  agreementReference: string;
  revisionNumber: number;
  /** Hex SHA-256 of the revision's canonical document; its first 12 characters are shown. */
  revisionHash: string;
  stepNumber: number;
  /** e.g. "Information governance review", "Member practice signatures", "Clinical director countersignature". */
  stepLabel: string;
  /** ISO 8601 instant, or null when the step has no deadline. */
  dueAt: string | null;
  /** Absolute http(s) link to the review page. */
  reviewUrl: string;
  /** Free text from the person who started or withdrew the round. */
  senderMessage?: string | null;
  /** ROUND_DECLINED: the reason the signer gave. */
  declineReason?: string | null;
  /** ROUND_DECLINED: who declined, e.g. "Dr Asha Patel, Riverside Surgery". */
  declinedBy?: string | null;
  /** AGREEMENT_EXECUTED: ISO 8601 instant the last signature completed the agreement. */
  executedAt?: string | null;
  /** DELEGATED_TO_YOU: who handed the step to the recipient. */
  delegatedBy?: string | null;
  /** REMINDER: 1 for the first reminder, 2 for the second… */
  reminderNumber?: number | null;
}

export interface RenderedNotification {
  subject: string;
  text: string;
  html: string;
}
