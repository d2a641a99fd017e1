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
  /**
   * Reminder `reminderNumber` of the round's schedule `reminderSeq` (a new schedule starts
   * when the round is extended or restarted). The number makes a duplicate delivery harmless:
   * the scheduler claims it with `… SET reminders_sent = n WHERE reminders_sent = n - 1`.
   */
  [JobName.RoundReminder]: { roundId: string; reminderSeq: number; reminderNumber: number };
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

/** How long BullMQ keeps a finished job: whichever of the two limits is reached first. */
export interface KeepJobs {
  /** Seconds. */
  age: number;
  count: number;
}

export interface QueueConfig {
  attempts: number;
  /** First retry after this; each further retry waits twice as long (scaled by JOB_BACKOFF_SCALE). */
  backoffMs: number;
  concurrency: number;
  /**
   * Same on every worker of a queue: the stalled check is throttled per queue. A job whose
   * worker died is retried at most lockDurationMs + stalledIntervalMs after its last lock
   * renewal (renewals happen every lockDurationMs / 2).
   */
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
  /** Completed jobs: the outbox row (DONE) is the durable record, so a day is plenty. */
  removeOnComplete: KeepJobs;
  /** Failed jobs wait for an operator (`jobs:failed`, `jobs:retry`); the outbox row stays FAILED after Redis lets go. */
  removeOnFail: KeepJobs;
}

const DAY_S = 24 * 3600;
const KEEP_COMPLETED: KeepJobs = { age: DAY_S, count: 10_000 };
const KEEP_FAILED: KeepJobs = { age: 30 * DAY_S, count: 50_000 };

export const QUEUE_CONFIG: Record<QueueName, QueueConfig> = {
  [QueueName.Notifications]: { attempts: 8, backoffMs: 2000, concurrency: 10, lockDurationMs: 30_000, stalledIntervalMs: 15_000, maxStalledCount: 2, removeOnComplete: KEEP_COMPLETED, removeOnFail: KEEP_FAILED },
  [QueueName.Schedules]: { attempts: 5, backoffMs: 1000, concurrency: 5, lockDurationMs: 30_000, stalledIntervalMs: 15_000, maxStalledCount: 2, removeOnComplete: KEEP_COMPLETED, removeOnFail: KEEP_FAILED },
  // Renders are CPU-bound and run in their own process (WORKER_QUEUES=documents), so a short
  // lock is safe there; a render whose worker crashed is picked up again within 6 + 2 = 8 s
  // (the target is 10 s; the margin absorbs Redis and scheduling delays on a busy machine).
  // The lock is renewed every 3 s: a render blocking the event loop longer than that loses it
  // (the event-loop monitor names the job), and the idempotent handler is run again.
  [QueueName.Documents]: { attempts: 5, backoffMs: 2000, concurrency: 2, lockDurationMs: 6_000, stalledIntervalMs: 2_000, maxStalledCount: 3, removeOnComplete: KEEP_COMPLETED, removeOnFail: KEEP_FAILED },
};

/** What a payload field must hold: a non-empty string, a whole number >= 1 (`count`) or >= 0 (`index`). */
type FieldRule = 'id' | 'count' | 'index';

interface PayloadRules {
  required: Record<string, FieldRule>;
  optional?: Record<string, FieldRule>;
}

/**
 * Fields a payload must (and may) carry, per job: the relay refuses (marks FAILED) an outbox
 * row that breaks them. Typed so that every required field of JobPayloads has a rule.
 */
export const JOB_PAYLOAD_RULES: { [N in JobName]: PayloadRules & { required: Record<RequiredKeys<JobPayloads[N]>, FieldRule> } } = {
  [JobName.SendEmail]: { required: { kind: 'id', roundId: 'id', personId: 'id', step: 'count' }, optional: { reminderNumber: 'count' } },
  [JobName.RoundReminder]: { required: { roundId: 'id', reminderSeq: 'index', reminderNumber: 'count' } },
  [JobName.RoundDeadline]: { required: { roundId: 'id', dueAt: 'id' } },
  [JobName.GenerateDocuments]: { required: { executionId: 'id' } },
  [JobName.SendInvitation]: { required: { invitationId: 'id' } },
};

type RequiredKeys<T> = { [K in keyof T]-?: undefined extends T[K] ? never : K }[keyof T];

const RULE_CHECKS: Record<FieldRule, { test: (value: unknown) => boolean; words: string }> = {
  id: { test: (v) => typeof v === 'string' && v !== '', words: 'a non-empty string' },
  count: { test: (v) => Number.isInteger(v) && (v as number) >= 1, words: 'a whole number from 1' },
  index: { test: (v) => Number.isInteger(v) && (v as number) >= 0, words: 'a whole number from 0' },
};

/**
 * Why an outbox row cannot become a job (unknown queue or job, a job on the wrong queue, a
 * payload without its fields or with one of the wrong kind, an unknown email kind), or null
 * when it can.
 */
export function outboxRowProblem(row: { queue: string; job_name: string; payload: unknown }): string | null {
  if (!(Object.values(QueueName) as string[]).includes(row.queue)) return `unknown queue "${row.queue}"`;
  if (!(Object.values(JobName) as string[]).includes(row.job_name)) return `unknown job "${row.job_name}"`;
  const name = row.job_name as JobName;
  if (JOB_QUEUE[name] !== row.queue) return `job "${name}" belongs on queue "${JOB_QUEUE[name]}", not "${row.queue}"`;
  if (typeof row.payload !== 'object' || row.payload === null || Array.isArray(row.payload)) return `payload of "${name}" is not an object`;
  const payload = row.payload as Record<string, unknown>;
  const rules: PayloadRules = JOB_PAYLOAD_RULES[name];
  const missing = Object.keys(rules.required).filter((field) => payload[field] === undefined || payload[field] === null || payload[field] === '');
  if (missing.length > 0) return `payload of "${name}" lacks ${missing.join(', ')}`;
  const fields: [string, FieldRule][] = [...Object.entries(rules.required), ...Object.entries(rules.optional ?? {}).filter(([field]) => payload[field] !== undefined)];
  const wrong = fields.filter(([field, rule]) => !RULE_CHECKS[rule].test(payload[field]));
  if (wrong.length > 0) return `payload of "${name}": ${wrong.map(([field, rule]) => `${field} must be ${RULE_CHECKS[rule].words}`).join('; ')}`;
  if (name === JobName.SendEmail && !(Object.values(NotificationType) as unknown[]).includes(payload.kind)) return `payload of "${name}": unknown email kind "${String(payload.kind)}"`;
  return null;
}

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
