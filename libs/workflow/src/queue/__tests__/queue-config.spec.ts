import { ConfigurationError, loadTypedConfig } from '@pcn/common';
import { workerQueues, WorkflowEnv } from '../../workflow.config';
import { JOB_QUEUE, JobName, outboxRowProblem, QUEUE_CONFIG, QueueName } from '../queue.contract';
import { reminderEmails, requestEmails } from '../../rounds/round-emails';
import { reminderJob } from '../../rounds/round-scheduler.service';
import type { ApprovalRoundEntity } from '../../rounds/approval-round.entity';
import { RequestKind, type SignatureRequestEntity } from '../../rounds/signature-request.entity';

const load = (env: Record<string, string>) => loadTypedConfig(WorkflowEnv, env);

describe('worker configuration', () => {
  it('runs every queue by default, and only the named ones when WORKER_QUEUES lists them', () => {
    expect(workerQueues(load({}))).toEqual([QueueName.Notifications, QueueName.Schedules, QueueName.Documents]);
    expect(workerQueues(load({ WORKER_QUEUES: 'documents' }))).toEqual([QueueName.Documents]);
    expect(workerQueues(load({ WORKER_QUEUES: 'schedules,notifications' }))).toEqual([QueueName.Notifications, QueueName.Schedules]);
  });

  it.each(['email', 'documents,', 'all,documents', 'Documents', ' documents'])('refuses WORKER_QUEUES=%j at start-up, naming the queues', (value) => {
    expect(() => load({ WORKER_QUEUES: value })).toThrow(new ConfigurationError('Invalid configuration: WORKER_QUEUES: WORKER_QUEUES must be "all" or a comma-separated list of notifications, schedules, documents (check its value)'));
  });

  it('validates the outbox retention at start-up', () => {
    expect(load({}).OUTBOX_RETENTION_DAYS).toBe(14);
    expect(load({ OUTBOX_RETENTION_DAYS: '30' }).OUTBOX_RETENTION_DAYS).toBe(30);
    expect(() => load({ OUTBOX_RETENTION_DAYS: '0' })).toThrow(/OUTBOX_RETENTION_DAYS must be at least 1/);
    expect(() => load({ OUTBOX_RETENTION_DAYS: 'soon' })).toThrow(/OUTBOX_RETENTION_DAYS must be a whole number of days/);
  });
});

describe('queue contract', () => {
  it('keeps finished jobs by age and count on every queue', () => {
    for (const queue of Object.values(QueueName)) {
      const { removeOnComplete, removeOnFail } = QUEUE_CONFIG[queue];
      expect(removeOnComplete.age).toBeGreaterThan(0);
      expect(removeOnComplete.count).toBeGreaterThan(0);
      expect(removeOnFail.age).toBeGreaterThanOrEqual(removeOnComplete.age);
      expect(removeOnFail.count).toBeGreaterThan(0);
    }
  });

  it('retries a document render whose worker died within 10 s', () => {
    const { lockDurationMs, stalledIntervalMs } = QUEUE_CONFIG[QueueName.Documents];
    expect(lockDurationMs + stalledIntervalMs).toBeLessThanOrEqual(10_000);
  });

  it('accepts a well-formed outbox row and names what is wrong with a malformed one', () => {
    expect(outboxRowProblem({ queue: 'documents', job_name: 'documents.generate', payload: { executionId: 'e1' } })).toBeNull();
    expect(outboxRowProblem({ queue: 'nope', job_name: 'documents.generate', payload: { executionId: 'e1' } })).toBe('unknown queue "nope"');
    expect(outboxRowProblem({ queue: 'documents', job_name: 'documents.sing', payload: {} })).toBe('unknown job "documents.sing"');
    expect(outboxRowProblem({ queue: 'notifications', job_name: 'documents.generate', payload: { executionId: 'e1' } })).toBe('job "documents.generate" belongs on queue "documents", not "notifications"');
    expect(outboxRowProblem({ queue: 'documents', job_name: 'documents.generate', payload: [] })).toBe('payload of "documents.generate" is not an object');
    expect(outboxRowProblem({ queue: 'schedules', job_name: 'round.deadline', payload: { roundId: 'r1' } })).toBe('payload of "round.deadline" lacks dueAt');
  });

  it('accepts what the workflow enqueues: reminders carry their number, emails their step (and a reminder email its number)', () => {
    const round = { id: 'r1', reminderSeq: 2, currentStep: 1 } as ApprovalRoundEntity;
    const pending = [{ personId: 'p1', step: 1, remindersSent: 1, kind: RequestKind.Signature } as SignatureRequestEntity];
    const enqueued = [reminderJob(round, 3, new Date()), ...reminderEmails(round, pending, 3), ...reminderEmails(round, pending), ...requestEmails(round, pending)];
    expect(enqueued.map((j) => j.payload)).toEqual([
      { roundId: 'r1', reminderSeq: 2, reminderNumber: 3 },
      { kind: 'REMINDER', roundId: 'r1', personId: 'p1', step: 1, reminderNumber: 3 },
      { kind: 'REMINDER', roundId: 'r1', personId: 'p1', step: 1, reminderNumber: 2 },
      { kind: 'SIGNATURE_REQUESTED', roundId: 'r1', personId: 'p1', step: 1 },
    ]);
    for (const j of enqueued) expect(outboxRowProblem({ queue: j.queue, job_name: j.jobName, payload: j.payload })).toBeNull();
  });

  it('refuses payloads whose fields are missing or of the wrong kind', () => {
    const reminder = (payload: object) => outboxRowProblem({ queue: 'schedules', job_name: 'round.reminder', payload });
    expect(reminder({ roundId: 'r1', reminderSeq: 0 })).toBe('payload of "round.reminder" lacks reminderNumber');
    expect(reminder({ roundId: 'r1', reminderSeq: 0, reminderNumber: 0 })).toBe('payload of "round.reminder": reminderNumber must be a whole number from 1');
    expect(reminder({ roundId: 'r1', reminderSeq: '1', reminderNumber: 1 })).toBe('payload of "round.reminder": reminderSeq must be a whole number from 0');
    const email = (payload: object) => outboxRowProblem({ queue: 'notifications', job_name: 'email.send', payload });
    expect(email({ kind: 'REMINDER', roundId: 'r1', personId: 'p1' })).toBe('payload of "email.send" lacks step');
    expect(email({ kind: 'REMINDER', roundId: 'r1', personId: 'p1', step: 1, reminderNumber: 1.5 })).toBe('payload of "email.send": reminderNumber must be a whole number from 1');
    expect(email({ kind: 'POSTCARD', roundId: 'r1', personId: 'p1', step: 1 })).toBe('payload of "email.send": unknown email kind "POSTCARD"');
  });

  it('has a queue for every job', () => {
    for (const name of Object.values(JobName)) expect(Object.values(QueueName)).toContain(JOB_QUEUE[name]);
  });
});
