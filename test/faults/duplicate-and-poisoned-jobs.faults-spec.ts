import { Queue } from 'bullmq';
import { ApprovalLoad, ApprovalTask } from './support/approval-load';
import { submitRounds } from './support/drill-rounds';
import { createFaultPcns, FaultPcn } from './support/fault-pcns';
import { FaultSystem } from './support/fault-system';
import { checkInvariants, CLEAN_REPORT, emailFacts, emailKey, expectedEmails } from './support/invariants';
import { eventually } from '../support/test-worker';

/**
 * Jobs that arrive wrong rather than processes that die: a reminder job delivered twice
 * (as a stalled job or a sweeper re-drive would deliver it), and outbox rows naming a job
 * or a queue nobody handles. Each is done once or set aside; nothing else waits for it.
 */
describe('duplicate and poisoned jobs', () => {
  let system: FaultSystem;
  let pcns: FaultPcn[];

  beforeAll(async () => {
    system = await FaultSystem.start();
    const seeding = await system.seedingApp();
    try {
      pcns = await createFaultPcns(seeding, { pcns: 2, practicesPerPcn: 3, pcnsPerAccount: 2 });
    } finally {
      await seeding.close();
    }
    await Promise.all([system.api.start(), system.worker.start()]);
  });

  afterAll(async () => {
    await system?.close();
  });

  it('a reminder job delivered twice more sends each reminder once and keeps one reminder chain', async () => {
    // A "day" is 3 s: the first reminder comes after 3 s, the second would come after 60 days (3 minutes), past this test.
    const { rounds } = await submitRounds(system.apiPort, [pcns[0]], { firstReminderAfterDays: 1, reminderEveryDays: 60, maxReminders: 2 });
    const [round] = rounds;
    const reminderKeys = async () => [...(await emailFacts(system, system.smtp.messages)).copies].filter(([key]) => key.includes(`|REMINDER|${round.roundId}`));
    await eventually('the first reminders', async () => (await reminderKeys()).length >= round.signers.length, 60_000, 250);
    const [delivered] = await system.query<{ id: string; queue: string; job_name: string; payload: Record<string, unknown> }>(
      `SELECT id::text, queue, job_name, payload FROM outbox WHERE job_name = 'round.reminder' AND payload->>'roundId' = $1 AND status = 'DONE' ORDER BY created_at LIMIT 1`,
      [round.roundId],
    );
    expect(delivered).toBeDefined();

    // The same job twice more, under ids of its own (BullMQ would drop a second job with the same id).
    const queue = new Queue(delivered.queue, { connection: { host: '127.0.0.1', port: system.redis.port }, prefix: system.env.REDIS_PREFIX });
    try {
      const again = await Promise.all([1, 2].map((n) => queue.add(delivered.job_name, delivered.payload, { jobId: `${delivered.id}-again-${n}` })));
      await eventually('both deliveries handled', async () => (await Promise.all(again.map((job) => queue.getJobState(job.id!)))).every((state) => state === 'completed' || state === 'failed'), 60_000, 250);
    } finally {
      await queue.close();
    }
    const quiet = await system.waitUntilQuiet(60_000);
    expect(quiet.quiet).toBe(true);

    const reminderCopies = (await reminderKeys()).map(([key, jobs]) => `${key} × ${jobs.length}`);
    expect(reminderCopies.sort()).toEqual(round.signers.map((s) => `${emailKey(s.email, 'REMINDER', round.roundId, 1)} × 1`).sort());
    // One chain: the second reminder, 60 days away, and nothing else.
    const [{ chains }] = await system.query<{ chains: number }>(`SELECT count(*)::int AS chains FROM outbox WHERE job_name = 'round.reminder' AND payload->>'roundId' = $1 AND status NOT IN ('DONE', 'FAILED')`, [round.roundId]);
    expect(chains).toBe(1);
    expect((await system.verifyAuditChains()).ok).toBe(true);
  });

  it('outbox rows naming an unknown job or queue are marked FAILED with their error, and every other job still runs', async () => {
    const poisoned = await system.query<{ id: string }>(
      `INSERT INTO outbox (queue, job_name, payload, run_at) VALUES ('notifications', 'no.such.job', '{}', now()), ('no-such-queue', 'email.send', '{}', now()) RETURNING id::text`,
    );
    const { rounds, tasks } = await submitRounds(system.apiPort, [pcns[1]]);
    const load = new ApprovalLoad(system.apiPort);
    await load.run(tasks.get(pcns[1].agreementId) as ApprovalTask[], 3);

    const quiet = await system.waitUntilQuiet(60_000);
    const rows = await system.query<{ id: string; status: string; has_error: boolean }>(`SELECT id::text, status, last_error IS NOT NULL AS has_error FROM outbox WHERE id = ANY($1::uuid[]) ORDER BY job_name`, [poisoned.map((p) => p.id)]);
    const report = await checkInvariants(system, load, rounds, expectedEmails(rounds), await emailFacts(system, system.smtp.messages));
    if (!quiet.quiet) console.log(system.logs());
    expect({ quiet: quiet.quiet, poisoned: rows.map((r) => ({ status: r.status, hasError: r.has_error })), approved: load.approved.size, invariants: report }).toEqual({
      quiet: true,
      poisoned: [
        { status: 'FAILED', hasError: true },
        { status: 'FAILED', hasError: true },
      ],
      approved: 3,
      invariants: CLEAN_REPORT,
    });
  });
});
