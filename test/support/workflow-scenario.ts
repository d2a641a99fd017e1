import type TestAgent from 'supertest/lib/agent';
import Redis from 'ioredis';
import { AuthService } from '@pcn/auth';
import { AgreementsService } from '@pcn/agreements';
import { DirectoryService } from '@pcn/directory';
import { loadDemoData, DemoData } from '../../apps/cli/src/seed/seed-demo';
import { TestApp } from './test-app';

export const DEMO_PASSWORD = 'e2e-demo-password';

/** The BYTES demo PCN (4 practices, one a two-partner partnership, a community trust in the annex). */
export async function loadBytes(t: TestApp): Promise<DemoData> {
  return loadDemoData({ directory: t.app.get(DirectoryService), auth: t.app.get(AuthService), agreements: t.app.get(AgreementsService) }, DEMO_PASSWORD);
}

const tokens = new Map<string, string>();

/** A signed-in user's access token (cached per test file). */
export async function tokenFor(http: TestAgent, email: string, password = DEMO_PASSWORD): Promise<string> {
  const cached = tokens.get(email);
  if (cached) return cached;
  const res = await http.post('/api/v1/auth/login').send({ email, password });
  if (res.status !== 200) throw new Error(`login ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  tokens.set(email, res.body.accessToken);
  return res.body.accessToken;
}

export const EMAIL = {
  cd: 'amira.okafor@yarm.demo.nhs.uk',
  whitfield: 'thomas.whitfield@yarm.demo.nhs.uk',
  raman: 'priya.raman@eaglescliffe.demo.nhs.uk',
  pritchard: 'owen.pritchard@eaglescliffe.demo.nhs.uk',
  adeyemi: 'samuel.adeyemi@tbmg.demo.nhs.uk',
  lindqvist: 'margaret.lindqvist@parklane.demo.nhs.uk',
  dpo: 'fiona.gallagher@dpo.demo.nhs.uk',
  trustSignatory: 'grace.holloway@tvch.demo.nhs.uk',
  trustDpo: 'daniel.osei@tvch.demo.nhs.uk',
  trustCaldicott: 'ruth.castellano@tvch.demo.nhs.uk',
  manager: 'pcn.manager@bytes.demo.nhs.uk',
  admin: 'admin@platform.demo.nhs.uk',
  auditor: 'auditor@icb-qhm.demo.nhs.uk',
};

/** Every person who takes part in a BYTES round (login emails). */
export const ROUND_PEOPLE = [EMAIL.cd, EMAIL.whitfield, EMAIL.raman, EMAIL.adeyemi, EMAIL.lindqvist, EMAIL.dpo, EMAIL.trustSignatory, EMAIL.trustDpo, EMAIL.trustCaldicott];

export interface Task {
  requestId: string;
  hashToConfirm: string;
  capacity: string;
  step: number;
  kind: string;
}

/** Approves every task currently waiting for this user, as that user would on the review page. */
export async function approveAllTasks(http: TestAgent, email: string, fullName: string): Promise<number> {
  const token = await tokenFor(http, email);
  const tasks = await http.get('/api/v1/me/tasks').set('Authorization', `Bearer ${token}`);
  if (tasks.status !== 200) throw new Error(`tasks for ${email}: ${tasks.status}`);
  for (const task of tasks.body as Task[]) {
    const res = await http
      .post(`/api/v1/requests/${task.requestId}/approve`)
      .set('Authorization', `Bearer ${token}`)
      .send({ typedName: fullName, capacity: task.capacity, confirmAuthority: true, hash: task.hashToConfirm });
    if (res.status !== 200) throw new Error(`approve ${task.requestId} by ${email}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return (tasks.body as Task[]).length;
}

export const FULL_NAME: Record<string, string> = {
  [EMAIL.cd]: 'Dr Amira Okafor',
  [EMAIL.whitfield]: 'Dr Thomas Whitfield',
  [EMAIL.raman]: 'Dr Priya Raman',
  [EMAIL.pritchard]: 'Dr Owen Pritchard',
  [EMAIL.adeyemi]: 'Dr Samuel Adeyemi',
  [EMAIL.lindqvist]: 'Dr Margaret Lindqvist',
  [EMAIL.dpo]: 'Fiona Gallagher',
  [EMAIL.trustSignatory]: 'Grace Holloway',
  [EMAIL.trustDpo]: 'Daniel Osei',
  [EMAIL.trustCaldicott]: 'Dr Ruth Castellano',
};

/** Approves, in rounds of passes, everything anyone in the round can approve now, until nothing is left. */
export async function approveEverything(http: TestAgent, people = ROUND_PEOPLE): Promise<number> {
  let total = 0;
  for (let pass = 0; pass < 5; pass++) {
    let approved = 0;
    for (const email of people) approved += await approveAllTasks(http, email, FULL_NAME[email]);
    total += approved;
    if (approved === 0) break;
  }
  return total;
}

export interface QuietOptions {
  /** How long everything must stay quiet (and `probe` unchanged) before the system counts as quiescent. */
  settleMs?: number;
  timeoutMs?: number;
  /** Something else that must stop changing, e.g. `() => smtp.messages.length`. */
  probe?: () => unknown;
}

/** What is still busy: outbox rows due and not finished, BullMQ jobs waiting, active or due. Empty when quiet. */
export async function busyWork(t: TestApp, redis: Redis, prefix: string): Promise<string[]> {
  const busy: string[] = [];
  const rows: { status: string; job_name: string; n: number }[] = await t.dataSource.query(
    `SELECT status, job_name, count(*)::int AS n FROM outbox WHERE status IN ('PENDING', 'DISPATCHED') AND run_at <= now() GROUP BY status, job_name`,
  );
  for (const row of rows) busy.push(`outbox ${row.status} ${row.job_name} × ${row.n}`);
  const metaKeys: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*:meta`, 'COUNT', 1000);
    cursor = next;
    metaKeys.push(...keys);
  } while (cursor !== '0');
  // BullMQ scores a delayed job as timestamp × 0x1000 + counter.
  const dueScore = (Date.now() + 1) * 0x1000;
  for (const queue of metaKeys.map((k) => k.slice(prefix.length + 1, -':meta'.length))) {
    const key = (part: string) => `${prefix}:${queue}:${part}`;
    const [[, wait], [, active], [, paused], [, prioritized], [, due]] = (await redis
      .multi()
      .llen(key('wait'))
      .llen(key('active'))
      .llen(key('paused'))
      .zcard(key('prioritized'))
      .zcount(key('delayed'), '-inf', dueScore)
      .exec()) as [Error | null, number][];
    for (const [what, n] of Object.entries({ wait, active, paused, prioritized, due })) if (n > 0) busy.push(`${queue} ${what} × ${n}`);
  }
  return busy;
}

/**
 * Waits until the workflow is quiescent: no outbox row due and unfinished, no BullMQ job
 * waiting, active or due in any queue, and `probe` unchanged, continuously for `settleMs`.
 * Only then are exact counts meaningful (a late duplicate would still be arriving otherwise).
 * Jobs delayed into the future (deadlines, later reminders) do not count as busy.
 */
export async function waitForQuiet(t: TestApp, options: QuietOptions = {}): Promise<void> {
  const settleMs = options.settleMs ?? 1000;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const prefix = process.env.REDIS_PREFIX!;
  const redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 1, lazyConnect: true });
  await redis.connect();
  try {
    let quietSince: number | null = null;
    let probed: unknown = undefined;
    for (;;) {
      const busy = await busyWork(t, redis, prefix);
      const probe = options.probe?.();
      if (busy.length > 0 || (quietSince !== null && probe !== probed)) quietSince = null;
      else if (quietSince === null) {
        quietSince = Date.now();
        probed = probe;
      } else if (Date.now() - quietSince >= settleMs) return;
      if (Date.now() > deadline) throw new Error(`The workflow did not go quiet: ${busy.join(', ') || 'the probe kept changing'}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    redis.disconnect();
  }
}

/** A request as submit and restart answer it. */
export interface SubmittedRequest {
  id: string;
  personId: string;
  boundHash: string;
  step: number;
  capacity: string;
  organisationId: string;
}

/** Approves one request over HTTP as its signer would (typed name, capacity, authority, the hash shown). */
export function approveRequest(http: TestAgent, signer: { fullName: string; user: { bearer: string } }, request: Pick<SubmittedRequest, 'id' | 'boundHash'>, capacity: string) {
  return http
    .post(`/api/v1/requests/${request.id}/approve`)
    .set('Authorization', signer.user.bearer)
    .send({ typedName: signer.fullName, capacity, confirmAuthority: true, hash: request.boundHash });
}
