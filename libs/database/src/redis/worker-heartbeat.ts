import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type Redis from 'ioredis';

/**
 * Worker presence: each worker process keeps a key naming itself and the queues it
 * consumes, with a TTL of three beats; /health reads them. (Queue names are plain strings
 * here: the queue contract belongs to the workflow lib.)
 */

/** What a worker process says about itself every WORKER_HEARTBEAT_MS. */
export interface WorkerHeartbeat {
  worker: string;
  queues: string[];
  startedAt: string;
  at: string;
}

export function heartbeatKey(prefix: string, worker: string): string {
  return `${prefix}:worker-heartbeat:${worker}`;
}

/** host:pid:random: names the process, and stays unique if one process runs two workers (tests do). */
export function workerName(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/** Writes the key with a TTL of three beats: a process that stops beating disappears on its own. */
export async function writeHeartbeat(redis: Redis, prefix: string, beat: WorkerHeartbeat, everyMs: number): Promise<void> {
  await redis.set(heartbeatKey(prefix, beat.worker), JSON.stringify(beat), 'PX', everyMs * 3);
}

export async function removeHeartbeat(redis: Redis, prefix: string, worker: string): Promise<void> {
  await redis.del(heartbeatKey(prefix, worker));
}

/** Every live worker's heartbeat (SCAN, never KEYS), and which of `queues` no live worker consumes. */
export async function readHeartbeats(redis: Redis, prefix: string, queues: readonly string[]): Promise<{ workers: WorkerHeartbeat[]; queuesWithoutWorker: string[] }> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', heartbeatKey(prefix, '*'), 'COUNT', 200);
    keys.push(...found);
    cursor = next;
  } while (cursor !== '0');
  const values = keys.length > 0 ? await redis.mget(keys) : [];
  const workers = values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as WorkerHeartbeat);
  const covered = new Set(workers.flatMap((w) => w.queues));
  return { workers, queuesWithoutWorker: queues.filter((q) => !covered.has(q)) };
}
