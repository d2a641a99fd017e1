import type { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { createTestApp, TestApp } from '../support/test-app';
import { eventually, FAST_WORKFLOW_ENV, startTestWorker } from '../support/test-worker';
import { startSmtpTestServer, SmtpTestServer } from '../support/smtp-test-server';
import { EMAIL, loadBytes, tokenFor } from '../support/workflow-scenario';
import type { DemoData } from '../../apps/cli/src/seed/seed-demo';
import { SendInvitationHandler } from '../../libs/workflow/src/jobs/send-invitation.handler';
import { EmailInFlightError } from '../../libs/workflow/src/notifications/sent-email-ledger';

const ATTEMPTS = 8; // QUEUE_CONFIG notifications

interface LedgerRow {
  status: string;
  kind: string;
  recipient: string;
  attempts: number;
  round_id: string | null;
  person_id: string | null;
}

/**
 * Invitation emails go through the sent-email ledger, claim before the link's token is issued:
 * a job delivered again sends nothing (and the link that went out keeps working), two
 * deliveries at once send one email whose link works, and an accepted invitation gets none.
 */
describe('invitation emails: claimed before the link is issued', () => {
  let t: TestApp;
  let worker: INestApplicationContext;
  let smtp: SmtpTestServer;
  let demo: DemoData;

  beforeAll(async () => {
    smtp = await startSmtpTestServer();
    t = await createTestApp({ ...FAST_WORKFLOW_ENV, ...smtp.env() });
    worker = await startTestWorker();
    demo = await loadBytes(t);
  });

  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await smtp?.close();
  });

  beforeEach(() => smtp.clear());

  /** Invites a new person over the API and waits until the invitation's email job is DONE (the system is quiet for it). */
  async function invite(): Promise<{ email: string; invitationId: string; jobId: string }> {
    const email = `invitee.${randomUUID().slice(0, 8)}@yarm.demo.nhs.uk`;
    const res = await t.http
      .post(`/api/v1/organisations/${demo.practiceIds.yarm}/invitations`)
      .set('Authorization', `Bearer ${await tokenFor(t.http, EMAIL.cd)}`)
      .send({ fullName: 'Ivy Invitee', email, role: 'PRACTICE_SIGNATORY' });
    expect(res.status).toBe(201);
    const [{ id: invitationId }] = await t.dataSource.query(`SELECT id::text FROM invitation WHERE email = $1`, [email]);
    const job = await eventually('the invitation email job finished', async () => {
      const [row] = await t.dataSource.query(`SELECT id::text, status FROM outbox WHERE job_name = 'invitation.send' AND payload->>'invitationId' = $1`, [invitationId]);
      return row?.status === 'DONE' ? row : null;
    });
    return { email, invitationId, jobId: job.id };
  }

  const mailsTo = (email: string) => smtp.messages.filter((m) => m.to.includes(email));
  const tokenIn = (text: string) => /\/invitation\/([A-Za-z0-9_-]+)/.exec(text)![1];
  const ledger = (jobId: string): Promise<LedgerRow[]> =>
    t.dataSource.query(`SELECT status, kind, recipient, attempts, round_id::text, person_id::text FROM sent_email WHERE job_id = $1`, [jobId]);
  const accept = (token: string) => t.http.post('/api/v1/invitations/accept').send({ token, password: 'kettle orchard lantern 42' });
  /** Time for a stray late duplicate to reach the SMTP test server before counting. */
  const settle = () => new Promise((r) => setTimeout(r, 300));

  it('sends nothing when a finished invitation job is delivered again, and the link that went out still works', async () => {
    const { email, invitationId, jobId } = await invite();
    const first = await smtp.waitFor((m) => m.to.includes(email));
    expect(first.headers['x-pcn-message-key']).toBe(`invitation-${jobId}`);
    // The page behind the link may offer CIS2 only, so the email never promises a password.
    expect(first.text).toContain('Set up your account here (the link works once, until ');
    expect(first.text).not.toMatch(/password/i);
    expect(await ledger(jobId)).toEqual([{ status: 'SENT', kind: 'INVITATION', recipient: email, attempts: 1, round_id: null, person_id: null }]);

    // Redelivery as the sweeper would do it: the BullMQ job gone, the outbox row PENDING again.
    const { QueueProducers } = await import('../../libs/workflow/src/queue/outbox-relay.service');
    await (await worker.get(QueueProducers).get('notifications' as never).getJob(jobId))?.remove();
    await t.dataSource.query(`UPDATE outbox SET status = 'PENDING' WHERE id = $1`, [jobId]);
    await eventually('the job ran a second time', async () => {
      const [row] = await t.dataSource.query(`SELECT status, dispatch_count FROM outbox WHERE id = $1`, [jobId]);
      return row.status === 'DONE' && row.dispatch_count === 2;
    });
    // The handler run once more by hand, as a third delivery.
    await worker.get(SendInvitationHandler).handle({ invitationId }, { jobId, attempt: 1, maxAttempts: ATTEMPTS });
    await settle();

    expect(mailsTo(email)).toHaveLength(1);
    expect(await ledger(jobId)).toMatchObject([{ status: 'SENT', attempts: 1 }]);
    const accepted = await accept(tokenIn(first.text));
    expect(accepted.status).toBe(201);
    expect(accepted.body.email).toBe(email);
  });

  it('sends one email, whose link works, when two deliveries of one job run at the same time', async () => {
    const { email, invitationId } = await invite();
    await smtp.waitFor((m) => m.to.includes(email));
    smtp.clear();
    // As an invitation whose first email has not gone out yet; its job (a new id here) is then delivered twice at once.
    await t.dataSource.query(`UPDATE invitation SET sent_at = NULL, sent_job_id = NULL WHERE id = $1`, [invitationId]);
    const jobId = randomUUID();
    const handler = worker.get(SendInvitationHandler);
    const results = await Promise.allSettled([1, 2].map(() => handler.handle({ invitationId }, { jobId, attempt: 1, maxAttempts: ATTEMPTS })));
    await settle();

    const mails = mailsTo(email);
    expect(mails).toHaveLength(1);
    expect(mails[0].headers['x-pcn-message-key']).toBe(`invitation-${jobId}`);
    // Either the second found the claim held (BullMQ would retry it later) or found it SENT.
    for (const result of results) if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(EmailInFlightError);
    expect(await ledger(jobId)).toMatchObject([{ status: 'SENT', attempts: 1 }]);
    const [{ sent_job_id: sentJobId }] = await t.dataSource.query(`SELECT sent_job_id::text FROM invitation WHERE id = $1`, [invitationId]);
    expect(sentJobId).toBe(jobId);
    const accepted = await accept(tokenIn(mails[0].text));
    expect(accepted.status).toBe(201);
  });

  it('sends nothing for an invitation already accepted, and records the job as SKIPPED', async () => {
    const { email, invitationId } = await invite();
    const mail = await smtp.waitFor((m) => m.to.includes(email));
    expect((await accept(tokenIn(mail.text))).status).toBe(201);
    const [before] = await t.dataSource.query(`SELECT token_hash, sent_job_id::text FROM invitation WHERE id = $1`, [invitationId]);
    smtp.clear();

    const jobId = randomUUID();
    await worker.get(SendInvitationHandler).handle({ invitationId }, { jobId, attempt: 1, maxAttempts: ATTEMPTS });
    await settle();

    expect(mailsTo(email)).toHaveLength(0);
    expect(await ledger(jobId)).toEqual([{ status: 'SKIPPED', kind: 'INVITATION', recipient: email, attempts: 0, round_id: null, person_id: null }]);
    // No new token was issued: the invitation is as acceptance left it.
    expect(await t.dataSource.query(`SELECT token_hash, sent_job_id::text FROM invitation WHERE id = $1`, [invitationId])).toEqual([before]);
  });
});
