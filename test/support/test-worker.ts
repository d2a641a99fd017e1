import { NestFactory } from '@nestjs/core';
import { INestApplicationContext } from '@nestjs/common';

/**
 * The real worker (BullMQ workers, outbox relay, sweeper) in this process, reading the same
 * environment as the test app: call after createTestApp has set it. `env` is set first (and
 * stays set for this test file), e.g. `{ WORKER_QUEUES: 'documents' }`.
 */
export async function startTestWorker(env: Record<string, string> = {}): Promise<INestApplicationContext> {
  Object.assign(process.env, env);
  const { WorkerModule } = await import('../../apps/worker/src/worker.module');
  const worker = await NestFactory.createApplicationContext(WorkerModule, { logger: false, abortOnError: false });
  await worker.init();
  return worker;
}

/** Polls until `check` returns a truthy value, or fails with `what` after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Fast clocks for the workflow so reminders, expiry and re-drives happen within a test. */
export const FAST_WORKFLOW_ENV = {
  WORKFLOW_DAY_MS: '400',
  OUTBOX_POLL_MS: '50',
  SWEEPER_INTERVAL_MS: '300',
  STALE_DISPATCH_MS: '1500',
};
