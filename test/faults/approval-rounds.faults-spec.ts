import { ApprovalLoad, ApprovalTask } from './support/approval-load';
import { submitRounds } from './support/drill-rounds';
import { createFaultPcns, FaultPcn } from './support/fault-pcns';
import { CONNECT_TIMEOUT_MS, FaultSystem } from './support/fault-system';
import { HttpAttempt, httpCall } from './support/http-client';
import { checkInvariants, CLEAN_REPORT, DrillRound, emailFacts, expectedEmails } from './support/invariants';
import { SeededRandom } from './support/seeded-random';

const PCNS = Number(process.env.FAULT_PCNS ?? 50);
const WORKER_KILLS = 5;
const REDIS_OUTAGE_MS = 20_000;
const POSTGRES_OUTAGE_MS = 6_000;
/** A request while PostgreSQL is down waits at most the connect timeout; the rest is a busy machine's scheduling. */
const OUTAGE_ANSWER_LIMIT_MS = CONNECT_TIMEOUT_MS + 1500;
/** Emails of one job may arrive twice only if the worker died between the SMTP server's 250 and the record: at most one per job in progress per kill. */
const NOTIFICATION_CONCURRENCY = 10;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * ~50 PCNs go through their approval rounds while the drills break the system: the worker
 * is killed with SIGKILL five times, Redis is stopped for 20 s, PostgreSQL is restarted,
 * and the API and the worker get SIGTERM under load. Once the system is quiet, the
 * invariants must hold exactly: every approval answered 2xx is recorded, each agreement is
 * executed once with one sealed document, no email went out twice (beyond the documented
 * crash window) and every audit chain verifies.
 */
describe('fault drills during approval rounds', () => {
  const rng = SeededRandom.fromEnvironment('approval-round fault drills');
  let system: FaultSystem;
  let pcns: FaultPcn[];
  let rounds: DrillRound[];
  let tasks: Map<string, ApprovalTask[]>;
  const timings: Record<string, number> = {};
  const windows: Record<string, [number, number]> = {};
  const timed = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    try {
      return await fn();
    } finally {
      timings[label] = Date.now() - started;
      windows[label] = [started, Date.now()];
    }
  };
  /** How the approval attempts sent during each drill were answered, e.g. {"200": 40, "503": 12, "ECONNREFUSED": 3}. */
  const answersByDrill = (attempts: HttpAttempt[]) =>
    Object.fromEntries(
      Object.entries(windows)
        .filter(([label]) => label.startsWith('drill:'))
        .map(([label, [from, to]]) => {
          const counts: Record<string, number> = {};
          for (const a of attempts.filter((x) => x.sentAt >= from && x.sentAt <= to)) counts[String(a.status ?? a.error)] = (counts[String(a.status ?? a.error)] ?? 0) + 1;
          return [label, counts];
        }),
    );

  beforeAll(async () => {
    system = await timed('private PostgreSQL, Redis, SMTP and migrations', () => FaultSystem.start());
    await timed(`seed ${PCNS} PCNs`, async () => {
      const seeding = await system.seedingApp();
      try {
        pcns = await createFaultPcns(seeding, { pcns: PCNS, practicesPerPcn: 3, pcnsPerAccount: 50 });
      } finally {
        await seeding.close();
      }
    });
    await timed('start API and worker', () => Promise.all([system.api.start(), system.worker.start()]));
    ({ rounds, tasks } = await timed(`submit ${PCNS} rounds`, () => submitRounds(system.apiPort, pcns)));
  });

  afterAll(async () => {
    console.log(`timings (ms): ${JSON.stringify(timings)}`);
    await system?.close();
  });

  it('loses no approval, executes and seals each agreement once, sends no email twice and keeps every audit chain intact', async () => {
    const load = new ApprovalLoad(system.apiPort);
    const phase = (from: number, to: number) => rng.shuffle(pcns.slice(from, to).flatMap((p) => tasks.get(p.agreementId)!));
    const fifth = Math.ceil(PCNS / 5);
    const phases = { kill: phase(0, 2 * fifth), redis: phase(2 * fifth, 3 * fifth), postgres: phase(3 * fifth, 4 * fifth), sigterm: phase(4 * fifth, PCNS) };

    // 1. The worker killed with SIGKILL at random moments while approvals execute agreements.
    let kills = 0;
    const activeAtKills: number[] = [];
    const activeJobCount = async () => {
      const queues = await system.queues();
      const counts = await Promise.all(queues.map((q) => q.getActiveCount()));
      await Promise.all(queues.map((q) => q.close()));
      return counts.reduce((a, b) => a + b, 0);
    };
    await timed('drill: worker kill -9', async () => {
      const approving = load.run(phases.kill, 3, 300);
      for (; kills < WORKER_KILLS; kills++) {
        await sleep(rng.int(500, 3000));
        activeAtKills.push(await activeJobCount());
        await system.worker.kill9();
        await sleep(rng.int(0, 1500));
        await system.worker.start();
      }
      await approving;
    });

    // 2. Redis stopped (losing everything it held) for 20 s in the middle of approvals.
    await timed('drill: Redis stopped 20 s', async () => {
      const approving = load.run(phases.redis, 2, 800);
      await sleep(rng.int(500, 2000));
      await system.redis.shutdownNoSave();
      await sleep(REDIS_OUTAGE_MS);
      await system.redis.up();
      await approving;
    });

    // 3. PostgreSQL stopped and started again mid-round: 503 with Retry-After in time, never a hang or a 500.
    const probes: HttpAttempt[] = [];
    let postgresDown = 0;
    let postgresUpCalled = 0;
    let recoveredAfterMs = -1;
    await timed('drill: PostgreSQL restarted', async () => {
      const approving = load.run(phases.postgres, 2, 500);
      await sleep(rng.int(500, 1500));
      await system.pg.down();
      // pg_ctl runs synchronously and holds this event loop: the outage window is judged
      // only between its two calls, where answers are timed as they arrive.
      postgresDown = Date.now();
      const bearer = pcns[0].signers[0].user.bearer;
      while (Date.now() - postgresDown < POSTGRES_OUTAGE_MS) {
        probes.push(await httpCall(system.apiPort, 'GET', '/api/v1/me/tasks', { bearer, timeoutMs: 30_000 }));
        await sleep(200);
      }
      postgresUpCalled = Date.now();
      await system.pg.up();
      const postgresUp = Date.now();
      for (;;) {
        if ((await httpCall(system.apiPort, 'GET', '/api/v1/me/tasks', { bearer })).status === 200) {
          recoveredAfterMs = Date.now() - postgresUp;
          break;
        }
        if (Date.now() - postgresUp > 30_000) break;
        await sleep(200);
      }
      await approving;
    });
    const whileDown = [...probes, ...load.attempts.filter((a) => a.sentAt >= postgresDown && a.endedAt <= postgresUpCalled)];

    // 4. SIGTERM to the worker and the API together, once the worker is busy: what is in progress finishes.
    let apiInFlight: HttpAttempt[] = [];
    let apiExit = { code: null as number | null, signal: null as string | null, ms: 0 };
    let workerExit = { code: null as number | null, signal: null as string | null, ms: 0 };
    const jobsActiveAtSigterm: { queue: string; id: string }[] = [];
    const jobsNotFinishedBySigterm: string[] = [];
    await timed('drill: SIGTERM to worker and API', async () => {
      // The test holds the round of one agreement locked, so approvals of it are certainly in
      // flight at the API (waiting on the round's row lock) when the signal comes, however fast
      // the machine; the lock is released just after the signal and the draining API must still
      // answer them. The other agreements' approvals keep the worker busy.
      const held = await system.db.connect();
      await held.query('BEGIN');
      await held.query(`SELECT id FROM approval_round WHERE agreement_id = $1 AND status = 'ACTIVE' FOR UPDATE`, [phases.sigterm[0].agreementId]);
      const approving = load.run(phases.sigterm, 6, 100);
      const queues = await system.queues();
      for (let waited = 0; jobsActiveAtSigterm.length === 0 && waited < 30_000; waited += 100) {
        for (const queue of queues) for (const job of await queue.getActive()) jobsActiveAtSigterm.push({ queue: queue.name, id: job.id! });
        if (jobsActiveAtSigterm.length === 0) await sleep(100);
      }
      for (let waited = 0; load.waitingLongerThan(100) === 0 && waited < 30_000; waited += 50) await sleep(50);
      const signalledAt = Date.now();
      const releaseHeldRound = sleep(300).then(async () => {
        await held.query('COMMIT');
        held.release();
      });
      [workerExit, apiExit] = await Promise.all([system.worker.terminate(60_000), system.api.terminate(30_000)]);
      await releaseHeldRound;
      // Sent at least 50 ms before the signal: on the server's socket, so the server owed them an answer.
      apiInFlight = load.inFlightAt(signalledAt, 50);
      for (const { queue, id } of jobsActiveAtSigterm) {
        const state = await queues.find((q) => q.name === queue)!.getJobState(id);
        if (state !== 'completed') jobsNotFinishedBySigterm.push(`${queue}/${id}: ${state}`);
      }
      await Promise.all(queues.map((q) => q.close()));
      await Promise.all([system.worker.start(), system.api.start()]);
      await approving;
    });

    const quiet = await timed('wait until quiet', () => system.waitUntilQuiet(150_000));
    const facts = await emailFacts(system, system.smtp.messages);
    const report = await checkInvariants(system, load, rounds, expectedEmails(rounds), facts);
    console.log(
      `drills: ${kills} worker kills (jobs active in Redis at each, counting those still locked by an earlier killed worker: ${activeAtKills.join(', ')}); ${load.attempts.length} approval attempts (${load.approved.size} approved); ` +
        `${whileDown.length} answers while PostgreSQL was down (slowest ${Math.max(0, ...whileDown.map((a) => a.endedAt - a.sentAt))} ms), recovered ${recoveredAfterMs} ms after it came back; ` +
        `API SIGTERM with ${apiInFlight.length} request(s) in flight, exit ${JSON.stringify(apiExit)}; ` +
        `worker SIGTERM with ${jobsActiveAtSigterm.length} job(s) active, exit ${JSON.stringify(workerExit)}; ` +
        `${system.smtp.messages.length} emails (${facts.windowDuplicates} crash-window copies); quiet after ${quiet.waitedMs} ms`,
    );
    console.log(`approval answers by drill: ${JSON.stringify(answersByDrill(load.attempts))}`);
    if (!quiet.quiet) console.log(system.logs());

    const serverErrors = [...load.attempts, ...probes].filter((a) => a.status !== null && a.status >= 500 && a.status !== 503);
    expect({
      workerKills: kills,
      quiet: { quiet: quiet.quiet, outboxDue: quiet.outboxDue, executionsWithoutDocuments: quiet.executionsWithoutDocuments, queuedJobs: quiet.queuedJobs },
      approvalsRefused: load.refused.map((a) => `${a.requestId}: ${a.status} ${JSON.stringify(a.body)}`),
      approvalsUnanswered: load.unanswered.map((t) => t.requestId),
      serverErrors: serverErrors.map((a) => `${a.method} ${a.path}: ${a.status} ${JSON.stringify(a.body)}`),
      postgresOutage: {
        answeredWhileDown: whileDown.length > 0,
        notUnavailableWithRetryAfter: whileDown.filter((a) => a.status !== 503 || !a.retryAfter).map((a) => `${a.path}: ${a.status ?? a.error} retry-after ${a.retryAfter}`),
        slowerThanConnectTimeout: whileDown.filter((a) => a.endedAt - a.sentAt > OUTAGE_ANSWER_LIMIT_MS).map((a) => `${a.path}: ${a.endedAt - a.sentAt} ms`),
        recoveredBySelf: recoveredAfterMs >= 0,
      },
      apiSigterm: {
        requestsInFlight: apiInFlight.length > 0,
        inFlightDropped: apiInFlight.filter((a) => a.status === null).map((a) => `${a.path}: ${a.error}`),
        exitedCleanly: apiExit.code === 0,
      },
      workerSigterm: {
        jobsActive: jobsActiveAtSigterm.length > 0,
        jobsNotFinished: jobsNotFinishedBySigterm,
        exitedBySelf: workerExit.signal !== 'SIGKILL' && (workerExit.code === 0 || workerExit.signal === 'SIGTERM'),
      },
      windowDuplicatesWithinBound: facts.windowDuplicates <= (kills + 1) * NOTIFICATION_CONCURRENCY,
      invariants: report,
    }).toEqual({
      workerKills: WORKER_KILLS,
      quiet: { quiet: true, outboxDue: 0, executionsWithoutDocuments: 0, queuedJobs: 0 },
      approvalsRefused: [],
      approvalsUnanswered: [],
      serverErrors: [],
      postgresOutage: { answeredWhileDown: true, notUnavailableWithRetryAfter: [], slowerThanConnectTimeout: [], recoveredBySelf: true },
      apiSigterm: { requestsInFlight: true, inFlightDropped: [], exitedCleanly: true },
      workerSigterm: { jobsActive: true, jobsNotFinished: [], exitedBySelf: true },
      windowDuplicatesWithinBound: true,
      invariants: CLEAN_REPORT,
    });
  });
});
