import type { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditEventType, AuditService, SYSTEM_ACTOR } from '@pcn/audit';
import { createTestApp, TestApp } from '@pcn/testing/test-app';
import { startTestWorker } from '@pcn/testing/test-worker';
import { SentEmailLedger } from '../sent-email-ledger';
import { SentEmailRecorder } from '../sent-email-recorder';
import { SentEmailStatus } from '../sent-email.entity';

/**
 * SentEmailRecorder against the real database: emails that finish while a group is being written
 * are recorded together (fewer transactions), each row SENT with its own Message-ID, every chain
 * appended in order; and one email that cannot be recorded fails alone.
 */
describe('SentEmailRecorder (real PostgreSQL)', () => {
  let t: TestApp;
  let worker: INestApplicationContext;
  let ds: DataSource;
  let ledger: SentEmailLedger;
  let recorder: SentEmailRecorder;
  let audit: AuditService;

  beforeAll(async () => {
    t = await createTestApp();
    worker = await startTestWorker();
    ds = worker.get(DataSource);
    ledger = worker.get(SentEmailLedger);
    recorder = worker.get(SentEmailRecorder);
    audit = worker.get(AuditService);
  });

  afterAll(async () => {
    await worker?.close();
    await t?.close();
  });

  afterEach(() => jest.restoreAllMocks());

  /** A claimed (SENDING) sent_email row, as the handler has before it talks to the server. */
  async function claimed(): Promise<string> {
    const jobId = randomUUID();
    const claim = await ledger.claim({ jobId, roundId: null, personId: null, kind: 'SIGNATURE_REQUESTED', recipient: 'partner@example.nhs.uk', messageId: `<${jobId}@test>`, leaseMs: 60_000 });
    expect(claim).toEqual({ send: true, attempts: 1, possibleDuplicate: false });
    return jobId;
  }

  const emailSent = (agreementId: string, jobId: string, n: number) => ({ type: AuditEventType.EmailSent, actor: SYSTEM_ACTOR, agreementId, payload: { jobId, n } });

  async function rows(jobIds: string[]): Promise<{ job_id: string; status: string; message_id: string; sent: boolean }[]> {
    return ds.query(`SELECT job_id, status, message_id, sent_at IS NOT NULL AS sent FROM sent_email WHERE job_id = ANY($1::uuid[]) ORDER BY job_id`, [jobIds]);
  }

  it('records twenty emails finishing at once in two transactions, each SENT and each chain in order', async () => {
    const chains = [randomUUID(), randomUUID(), randomUUID()];
    const jobIds = await Promise.all(Array.from({ length: 20 }, () => claimed()));
    const transactions = jest.spyOn(ds, 'transaction');
    // Email i is about agreement i % 3; every fourth one also records a REQUEST_SENT.
    await Promise.all(
      jobIds.map((jobId, i) =>
        recorder.record({
          jobId,
          messageId: `<sent-${i}@test>`,
          events: [emailSent(chains[i % 3], jobId, i), ...(i % 4 === 0 ? [{ type: AuditEventType.RequestSent, actor: SYSTEM_ACTOR, agreementId: chains[i % 3], payload: { n: i } }] : [])],
        }),
      ),
    );
    // The first email is written alone; the nineteen that arrived meanwhile, together.
    expect(transactions).toHaveBeenCalledTimes(2);
    const stored = await rows(jobIds);
    expect(stored).toHaveLength(20);
    for (const [i, jobId] of jobIds.entries()) {
      expect(stored.find((r) => r.job_id === jobId)).toEqual({ job_id: jobId, status: SentEmailStatus.Sent, message_id: `<sent-${i}@test>`, sent: true });
    }
    for (const [c, agreementId] of chains.entries()) {
      const events: { seq: number; type: string; n: number }[] = await ds.query(
        `SELECT seq, type, (payload->>'n')::int AS n FROM audit_event WHERE chain_key = $1 ORDER BY seq`,
        [agreementId],
      );
      const expected = jobIds
        .map((_, i) => i)
        .filter((i) => i % 3 === c)
        .flatMap((i) => [{ type: AuditEventType.EmailSent, n: i }, ...(i % 4 === 0 ? [{ type: AuditEventType.RequestSent, n: i }] : [])]);
      expect(events).toEqual(expected.map((e, k) => ({ seq: k + 1, ...e })));
      expect(await audit.verifyChain(agreementId)).toMatchObject({ ok: true, eventsChecked: expected.length });
    }
  });

  it('fails only the email that cannot be recorded; the others in its group are SENT', async () => {
    const agreementId = randomUUID();
    const jobIds = await Promise.all(Array.from({ length: 5 }, () => claimed()));
    const first = recorder.record({ jobId: jobIds[0], messageId: '<first@test>', events: [emailSent(agreementId, jobIds[0], 0)] });
    const group = jobIds.slice(1).map((jobId, k) =>
      recorder.record({ jobId, messageId: `<group-${k}@test>`, events: [k === 1 ? { ...emailSent(agreementId, jobId, 9), agreementId: 'not-a-uuid' } : emailSent(agreementId, jobId, k + 1)] }),
    );
    await first;
    const outcomes = await Promise.allSettled(group);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? 'recorded' : (o.reason as Error).message))).toEqual([
      'recorded',
      'Audit event not recorded: agreementId must be a UUID',
      'recorded',
      'recorded',
    ]);
    const stored = await rows(jobIds);
    expect(stored.filter((r) => r.status === SentEmailStatus.Sent)).toHaveLength(4);
    // The one that failed keeps its claim: the job's retry finds it SENDING (the ledger's documented window).
    expect(stored.find((r) => r.job_id === jobIds[2])).toMatchObject({ status: SentEmailStatus.Sending, sent: false });
    const seqs: { seq: number; n: number }[] = await ds.query(`SELECT seq, (payload->>'n')::int AS n FROM audit_event WHERE chain_key = $1 ORDER BY seq`, [agreementId]);
    expect(seqs).toEqual([
      { seq: 1, n: 0 },
      { seq: 2, n: 1 },
      { seq: 3, n: 3 },
      { seq: 4, n: 4 },
    ]);
  });
});
