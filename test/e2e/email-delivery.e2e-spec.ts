import type { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { MailerService, NotificationType } from '@pcn/notifications';
import { createTestApp, TestApp } from '../support/test-app';
import { eventually, FAST_WORKFLOW_ENV, startTestWorker } from '../support/test-worker';
import { startSmtpTestServer, SmtpTestServer } from '../support/smtp-test-server';
import { createSoleTraderPcn, SoleTraderPcn } from '../support/sole-trader-pcn';
import { SendEmailHandler } from '../../libs/workflow/src/jobs/send-email.handler';
import { EmailInFlightError } from '../../libs/workflow/src/notifications/sent-email-ledger';

const SIGNERS = 3;
const ATTEMPTS = 8; // QUEUE_CONFIG notifications

interface EmailRow {
  id: string;
  status: string;
  payload: { kind: NotificationType; roundId: string; personId: string; step: number };
}

/**
 * Every email job sends at most once in effect, against the real SMTP test server: claimed
 * (sent_email SENDING) before the conversation, SENT after the server's 250; refusals are
 * retried by BullMQ with backoff (scaled down here) and end FAILED with one EMAIL_FAILED.
 */
describe('email delivery: once, retried, failed for good', () => {
  let t: TestApp;
  let worker: INestApplicationContext;
  let smtp: SmtpTestServer;

  beforeAll(async () => {
    smtp = await startSmtpTestServer();
    t = await createTestApp({ ...FAST_WORKFLOW_ENV, ...smtp.env(), JOB_BACKOFF_SCALE: '0.005' });
    worker = await startTestWorker();
  });

  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await smtp?.close();
  });

  beforeEach(() => smtp.clear());

  /** Submits a round (no countersignature, no reminder): one email job per signer. */
  async function submitRound(beforeSubmit?: (pcn: SoleTraderPcn) => Promise<void>): Promise<{ pcn: SoleTraderPcn; roundId: string }> {
    const pcn = await createSoleTraderPcn(t, SIGNERS);
    await beforeSubmit?.(pcn);
    const res = await t.http
      .post(`/api/v1/agreements/${pcn.agreementId}/submit`)
      .set('Authorization', pcn.clinicalDirector.bearer)
      .send({ revisionNumber: 1, clinicalDirectorCountersigns: false, dueAt: new Date(Date.now() + 3_600_000).toISOString(), maxReminders: 0 });
    expect(res.status).toBe(201);
    return { pcn, roundId: res.body.round.id };
  }

  const emailJobs = (roundId: string): Promise<EmailRow[]> =>
    t.dataSource.query(`SELECT id::text, status, payload FROM outbox WHERE job_name = 'email.send' AND payload->>'roundId' = $1 ORDER BY id`, [roundId]);

  /** Waits until every email job of the round has finished (DONE or FAILED): the system is quiet for it. */
  const quiet = (roundId: string) =>
    eventually('every email job finished', async () => {
      const rows = await emailJobs(roundId);
      return rows.length === SIGNERS && rows.every((r) => r.status === 'DONE' || r.status === 'FAILED') ? rows : null;
    }, 60_000);

  const received = (jobIds: string[]) => smtp.messages.filter((m) => jobIds.includes(m.headers['x-pcn-message-key']));

  const ledger = (jobIds: string[]): Promise<{ job_id: string; status: string; attempts: number; possible_duplicate: boolean; message_id: string }[]> =>
    t.dataSource.query(`SELECT job_id::text, status, attempts, possible_duplicate, message_id FROM sent_email WHERE job_id = ANY($1) ORDER BY job_id`, [jobIds]);

  const emailFailedEvents = (jobIds: string[]): Promise<{ payload: { jobId: string; attempts: number } }[]> =>
    t.dataSource.query(`SELECT payload FROM audit_event WHERE type = 'EMAIL_FAILED' AND payload->>'jobId' = ANY($1)`, [jobIds]);

  it('retries refused sends with backoff and then sends each email exactly once', async () => {
    smtp.failNext(2, { code: 451 });
    const { roundId } = await submitRound();
    const jobs = await quiet(roundId);
    const ids = jobs.map((j) => j.id);
    expect(jobs.map((j) => j.status)).toEqual(Array(SIGNERS).fill('DONE'));
    // Give a stray late duplicate the time to arrive before counting.
    await new Promise((r) => setTimeout(r, 500));
    const mails = received(ids);
    expect(mails).toHaveLength(SIGNERS);
    expect(new Set(mails.map((m) => m.headers['x-pcn-message-key'])).size).toBe(SIGNERS);
    const rows = await ledger(ids);
    expect(rows.map((r) => r.status)).toEqual(Array(SIGNERS).fill('SENT'));
    expect(rows.reduce((sum, r) => sum + r.attempts, 0)).toBe(SIGNERS + 2);
    expect(rows.filter((r) => r.possible_duplicate)).toHaveLength(0);
    // The Message-ID chosen at the claim is the one the recipient saw.
    for (const row of rows) expect(mails.find((m) => m.headers['x-pcn-message-key'] === row.job_id)!.messageId).toBe(row.message_id);
    expect(await emailFailedEvents(ids)).toHaveLength(0);
  });

  it('marks an email FAILED after exactly the configured attempts when the server keeps refusing it', async () => {
    const { pcn, roundId } = await submitRound(async (p) => {
      const [refusedPerson] = await t.dataSource.query(`SELECT email FROM person WHERE id = $1`, [p.signers[0].personId]);
      smtp.rejectRecipients(refusedPerson.email, { code: 451, message: 'Mailbox busy (test)' });
    });
    const jobs = await quiet(roundId);
    const refusedJob = jobs.find((j) => j.payload.personId === pcn.signers[0].personId)!;
    const others = jobs.filter((j) => j !== refusedJob);
    expect(refusedJob.status).toBe('FAILED');
    expect(others.map((j) => j.status)).toEqual(Array(SIGNERS - 1).fill('DONE'));
    const [row] = await ledger([refusedJob.id]);
    expect(row).toMatchObject({ status: 'FAILED', attempts: ATTEMPTS });
    const failed = await emailFailedEvents(jobs.map((j) => j.id));
    expect(failed).toHaveLength(1);
    expect(failed[0].payload).toMatchObject({ jobId: refusedJob.id, attempts: ATTEMPTS });
    expect(received([refusedJob.id])).toHaveLength(0);
    expect(received(others.map((j) => j.id))).toHaveLength(SIGNERS - 1);
  });

  it('does not retry a permanent refusal (5xx): FAILED after one attempt', async () => {
    const { pcn, roundId } = await submitRound(async (p) => {
      const [refusedPerson] = await t.dataSource.query(`SELECT email FROM person WHERE id = $1`, [p.signers[1].personId]);
      smtp.rejectRecipients(refusedPerson.email, { code: 550, message: 'No such mailbox (test)' });
    });
    const jobs = await quiet(roundId);
    const refusedJob = jobs.find((j) => j.payload.personId === pcn.signers[1].personId)!;
    expect(refusedJob.status).toBe('FAILED');
    expect(await ledger([refusedJob.id])).toMatchObject([{ status: 'FAILED', attempts: 1 }]);
    expect(await emailFailedEvents([refusedJob.id])).toHaveLength(1);
  });

  it('sends nothing when a finished email job is delivered again', async () => {
    const { roundId } = await submitRound();
    const jobs = await quiet(roundId);
    const again = jobs[0];
    // Redelivery as the sweeper would do it: the BullMQ job gone, the outbox row PENDING again.
    const { QueueProducers } = await import('../../libs/workflow/src/queue/outbox-relay.service');
    await (await worker.get(QueueProducers).get('notifications' as never).getJob(again.id))?.remove();
    await t.dataSource.query(`UPDATE outbox SET status = 'PENDING' WHERE id = $1`, [again.id]);
    await eventually('the job ran a second time', async () => {
      const [row] = await t.dataSource.query(`SELECT status, dispatch_count FROM outbox WHERE id = $1`, [again.id]);
      return row.status === 'DONE' && row.dispatch_count === 2;
    });
    expect(received(jobs.map((j) => j.id))).toHaveLength(SIGNERS);
    expect(received([again.id])).toHaveLength(1);
  });

  it('sends once when two deliveries of one job run at the same time', async () => {
    const { roundId } = await submitRound();
    const [template] = await quiet(roundId);
    const jobId = randomUUID();
    const handler = worker.get(SendEmailHandler);
    const results = await Promise.allSettled([1, 2].map(() => handler.handle(template.payload, { jobId, attempt: 1, maxAttempts: ATTEMPTS })));
    await new Promise((r) => setTimeout(r, 300));
    expect(received([jobId])).toHaveLength(1);
    // Either the second found it in flight (and BullMQ would retry it later) or it found it SENT.
    for (const result of results) if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(EmailInFlightError);
    expect(await ledger([jobId])).toMatchObject([{ status: 'SENT', attempts: 1, possible_duplicate: false }]);
  });

  it('re-sends with the same Message-ID, flagged a possible duplicate, after a delivery died mid-send', async () => {
    const { roundId } = await submitRound();
    const [template] = await quiet(roundId);
    const handler = worker.get(SendEmailHandler);
    const messageId = worker.get(MailerService).messageIdFor;
    const insertSending = (jobId: string, leaseSql: string) =>
      t.dataSource.query(
        `INSERT INTO sent_email (job_id, round_id, person_id, kind, recipient, message_id, status, attempts, claimed_until)
         VALUES ($1, $2, $3, $4, 'x@example.nhs.uk', 'unknown', 'SENDING', 1, ${leaseSql})`,
        [jobId, template.payload.roundId, template.payload.personId, template.payload.kind],
      );

    // Lease still held: another delivery is (as far as anyone knows) mid-conversation.
    const held = randomUUID();
    await insertSending(held, `now() + interval '1 minute'`);
    await expect(handler.handle(template.payload, { jobId: held, attempt: 2, maxAttempts: ATTEMPTS })).rejects.toBeInstanceOf(EmailInFlightError);

    // Lease over: the delivery that claimed it died (after the server's 250, perhaps).
    const died = randomUUID();
    await insertSending(died, `now() - interval '1 second'`);
    await handler.handle(template.payload, { jobId: died, attempt: 2, maxAttempts: ATTEMPTS });
    const mails = received([died]);
    expect(mails).toHaveLength(1);
    expect(mails[0].messageId).toBe(messageId.call(worker.get(MailerService), died));
    expect(await ledger([died])).toMatchObject([{ status: 'SENT', attempts: 2, possible_duplicate: true }]);
    const [sentEvent] = await t.dataSource.query(`SELECT payload FROM audit_event WHERE type = 'EMAIL_SENT' AND payload->>'jobId' = $1`, [died]);
    expect(sentEvent.payload.possibleDuplicate).toBe(true);
    expect(received([held])).toHaveLength(0);
  });
});
