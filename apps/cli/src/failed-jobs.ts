import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { loadTypedConfig } from '@pcn/common';
import { RedisEnv } from '@pcn/database';
import { QueueName } from '@pcn/workflow';
import { FailedJobs } from '@pcn/workflow/queue/failed-jobs';
import { cliDataSource } from './migrations';

/** Runs `use` with FailedJobs over DATABASE_URL and the queues in REDIS_URL/REDIS_PREFIX, then closes both. */
async function withFailedJobs<T>(url: string, use: (jobs: FailedJobs) => Promise<T>): Promise<T> {
  const redisEnv = loadTypedConfig(RedisEnv);
  const connection = new Redis(redisEnv.REDIS_URL, { maxRetriesPerRequest: 1, connectionName: `${redisEnv.REDIS_PREFIX}-cli` });
  const queues = new Map(Object.values(QueueName).map((q) => [q as string, new Queue(q, { connection, prefix: redisEnv.REDIS_PREFIX })]));
  const ds = await cliDataSource(url).initialize();
  try {
    return await use(new FailedJobs(ds, queues));
  } finally {
    await ds.destroy();
    await Promise.all([...queues.values()].map((q) => q.close()));
    connection.disconnect();
  }
}

/** `jobs:failed`: one line per failed job, oldest first. */
export async function listFailedJobsCommand(url: string, log: (line: string) => void = console.log): Promise<number> {
  return withFailedJobs(url, async (jobs) => {
    const failed = await jobs.list();
    for (const job of failed) {
      const attempts = job.attemptsMade === null ? 'no longer in Redis' : `${job.attemptsMade} attempt(s)`;
      log(`${job.id}  ${job.queue}/${job.jobName}  dispatched ${job.dispatchCount}x, ${attempts}  ${(job.lastError ?? '').replace(/\s+/g, ' ').slice(0, 200)}`);
    }
    log(`${failed.length} failed job(s)`);
    return failed.length;
  });
}

/** `jobs:retry --all | <jobId>`: puts failed jobs back in the outbox for the relay. */
export async function retryFailedJobsCommand(url: string, arg: string | undefined, log: (line: string) => void = console.log): Promise<string[]> {
  if (!arg) throw new Error('jobs:retry takes a job id (see jobs:failed) or --all');
  return withFailedJobs(url, async (jobs) => {
    const retried = await jobs.retry(arg === '--all' ? 'all' : arg);
    log(`re-driving ${retried.length} job(s)${retried.length > 0 ? `: ${retried.join(', ')}` : ''}`);
    return retried;
  });
}
