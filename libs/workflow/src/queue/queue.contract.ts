import { NotificationType } from '@pcn/notifications';

/**
 * The one queue contract: every queue, every job, the payload each carries (ids only —
 * handlers reload state) and how each queue retries. The worker refuses to start unless
 * every JobName has exactly one handler.
 */
export enum QueueName {
  Notifications = 'notifications',
  Schedules = 'schedules',
  Documents = 'documents',
}

export enum JobName {
  /** One email to one person about one step of one round (a digest of everything waiting for them). */
  SendEmail = 'email.send',
  /** Delayed: remind the current step's signers who have not acted. */
  RoundReminder = 'round.reminder',
  /** Delayed: expire the round if it is still open at its due date. */
  RoundDeadline = 'round.deadline',
  /** After execution: produce the agreement's document(s). */
  GenerateDocuments = 'documents.generate',
  /** An invitation to an account: issues the single-use link and emails it (INVITATION_EMAIL_JOB in @pcn/auth). */
  SendInvitation = 'invitation.send',
}


export interface JobPayloads {
  /**
   * One email per (round, person, step). The handler reloads that person's requests of that
   * step and lists them; `step` is the step the email is about (for decline, withdrawal,
   * expiry and execution: the round's step when it happened). `reminderNumber` only for REMINDER.
   */
  [JobName.SendEmail]: { kind: NotificationType; roundId: string; personId: string; step: number; reminderNumber?: number };
  [JobName.RoundReminder]: { roundId: string; reminderSeq: number };
  [JobName.RoundDeadline]: { roundId: string; dueAt: string };
  [JobName.GenerateDocuments]: { executionId: string };
  [JobName.SendInvitation]: { invitationId: string };
}

export const JOB_QUEUE: Record<JobName, QueueName> = {
  [JobName.SendEmail]: QueueName.Notifications,
  [JobName.RoundReminder]: QueueName.Schedules,
  [JobName.RoundDeadline]: QueueName.Schedules,
  [JobName.GenerateDocuments]: QueueName.Documents,
  [JobName.SendInvitation]: QueueName.Notifications,
};

export interface QueueConfig {
  attempts: number;
  backoffMs: number;
  concurrency: number;
  /** Same on every worker of a queue: the stalled check is throttled per queue. */
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
}

export const QUEUE_CONFIG: Record<QueueName, QueueConfig> = {
  [QueueName.Notifications]: { attempts: 8, backoffMs: 2000, concurrency: 10, lockDurationMs: 30_000, stalledIntervalMs: 15_000, maxStalledCount: 2 },
  [QueueName.Schedules]: { attempts: 5, backoffMs: 1000, concurrency: 5, lockDurationMs: 30_000, stalledIntervalMs: 15_000, maxStalledCount: 2 },
  [QueueName.Documents]: { attempts: 5, backoffMs: 2000, concurrency: 2, lockDurationMs: 60_000, stalledIntervalMs: 30_000, maxStalledCount: 2 },
};

export interface OutboxJobOf<N extends JobName> {
  queue: QueueName;
  jobName: N;
  payload: JobPayloads[N];
  runAt?: Date;
}

/** A typed outbox row: the queue is derived from the job, so the two cannot disagree. */
export function job<N extends JobName>(name: N, payload: JobPayloads[N], runAt?: Date): OutboxJobOf<N> & { payload: Record<string, unknown> } {
  return { queue: JOB_QUEUE[name], jobName: name, payload: payload as JobPayloads[N] & Record<string, unknown>, runAt };
}
