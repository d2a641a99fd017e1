/**
 * One thing waiting for the recipient, already in words: which document, in which capacity,
 * for which organisations. A recipient only ever sees the parts they are party to.
 */
export interface NotificationTask {
  /** "The network agreement", or "Annex A: Direct care data sharing" (an annex the recipient is party to). */
  document: string;
  /** e.g. "Partner", "Data Protection Officer". */
  capacity: string;
  /** Each organisation by name and ODS code, e.g. "Yarm Medical Practice (A81001)". */
  organisations: string[];
}

/**
 * What a template needs to know, already loaded by the caller. Plain values only, so
 * templates stay pure functions and can be tested without a database. No hashes: the review
 * page shows exactly what is being approved.
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
  stepNumber: number;
  /** "Information governance review", "Member practice and partner signatures" or "Clinical director countersignature". */
  stepLabel: string;
  /** ISO 8601 instant, or null when the step has no deadline. */
  dueAt: string | null;
  /** Absolute http(s) link: the review page, or the agreement page. */
  reviewUrl: string;
  /** SIGNATURE_REQUESTED, IG_REVIEW_REQUESTED, REMINDER, DELEGATED_TO_YOU: what waits for the recipient in this step. */
  tasks?: NotificationTask[];
  /** Free text from the person who started or withdrew the round. */
  senderMessage?: string | null;
  /** ROUND_DECLINED: the reason the signer gave (only ever sent to people party to the declined part). */
  declineReason?: string | null;
  /** ROUND_DECLINED: who declined, e.g. "Dr Asha Patel, Riverside Surgery". */
  declinedBy?: string | null;
  /** ROUND_DECLINED: the part that was declined, e.g. "the network agreement" or "Annex A: Direct care data sharing". */
  declinedPart?: string | null;
  /** AGREEMENT_EXECUTED: ISO 8601 instant the last signature completed the agreement. */
  executedAt?: string | null;
  /** DELEGATED_TO_YOU: who handed the step to the recipient. */
  delegatedBy?: string | null;
  /** AGREEMENT_TERMINATED: the reason recorded when the clinical director terminated the agreement. */
  terminationReason?: string | null;
  /** REMINDER: 1 for the first reminder, 2 for the second… */
  reminderNumber?: number | null;
}

export interface RenderedNotification {
  subject: string;
  text: string;
  html: string;
}
