import { IsInt, IsNumber, Matches, Max, Min } from 'class-validator';
import { ConfigType } from '@nestjs/config';
import { defineConfig } from '@pcn/common';
import { QueueName } from './queue/queue.contract';

const QUEUE_LIST = new RegExp(`^(all|(${Object.values(QueueName).join('|')})(,(${Object.values(QueueName).join('|')}))*)$`);

export class WorkflowEnv {
  /**
   * Length of a "day" for due dates and reminder cadence. Production keeps 86400000; tests
   * shrink it so reminders and expiry fire in seconds through the same code path.
   */
  @IsInt({ message: 'WORKFLOW_DAY_MS must be a whole number of milliseconds' })
  @Min(10)
  WORKFLOW_DAY_MS: number = 86_400_000;

  @IsInt({ message: 'OUTBOX_POLL_MS must be a whole number of milliseconds' })
  @Min(20)
  @Max(60_000)
  OUTBOX_POLL_MS: number = 1000;

  @IsInt({ message: 'SWEEPER_INTERVAL_MS must be a whole number of milliseconds' })
  @Min(100)
  SWEEPER_INTERVAL_MS: number = 15_000;

  /** A dispatched job Redis no longer knows about, older than this, is re-driven. */
  @IsInt({ message: 'STALE_DISPATCH_MS must be a whole number of milliseconds' })
  @Min(100)
  STALE_DISPATCH_MS: number = 60_000;

  /** Rows examined per page by the sweeper (keyset-paged; Redis is asked about a whole page in one pipeline). */
  @IsInt({ message: 'SWEEPER_PAGE_SIZE must be a whole number' })
  @Min(10)
  @Max(5000)
  SWEEPER_PAGE_SIZE: number = 500;

  /**
   * Pages of due DISPATCHED rows one sweep checks against Redis. A longer backlog is checked over
   * several sweeps, each going on where the last stopped (the cursor is kept in Redis), so a
   * sweep's cost stays bounded however many jobs wait in Redis.
   */
  @IsInt({ message: 'SWEEPER_PAGES_PER_SWEEP must be a whole number' })
  @Min(1)
  @Max(1000)
  SWEEPER_PAGES_PER_SWEEP: number = 4;

  /** DONE outbox rows older than this are deleted by the sweeper (the audit trail keeps what happened). */
  @IsInt({ message: 'OUTBOX_RETENTION_DAYS must be a whole number of days' })
  @Min(1, { message: 'OUTBOX_RETENTION_DAYS must be at least 1' })
  @Max(3650)
  OUTBOX_RETENTION_DAYS: number = 14;

  /**
   * The queues this worker process consumes, comma-separated, or `all`: e.g. `documents` for
   * a process that only renders and seals, `notifications,schedules` for the rest.
   */
  @Matches(QUEUE_LIST, { message: `WORKER_QUEUES must be "all" or a comma-separated list of ${Object.values(QueueName).join(', ')}` })
  WORKER_QUEUES: string = 'all';

  /** Multiplies every queue's retry backoff; tests shrink it so eight attempts take seconds. */
  @IsNumber({}, { message: 'JOB_BACKOFF_SCALE must be a number' })
  @Min(0.001)
  @Max(100)
  JOB_BACKOFF_SCALE: number = 1;

  /** The worker warns (naming the running jobs) when its event loop was blocked longer than this. */
  @IsInt({ message: 'EVENT_LOOP_BLOCK_WARN_MS must be a whole number of milliseconds' })
  @Min(20)
  @Max(60_000)
  EVENT_LOOP_BLOCK_WARN_MS: number = 1000;

  /** How often each worker process renews its heartbeat key (which lives three times as long). */
  @IsInt({ message: 'WORKER_HEARTBEAT_MS must be a whole number of milliseconds' })
  @Min(100)
  @Max(60_000)
  WORKER_HEARTBEAT_MS: number = 5000;

  @IsInt() @Min(1) @Max(365) DEFAULT_DUE_DAYS: number = 14;
  @IsInt() @Min(1) @Max(60) DEFAULT_FIRST_REMINDER_DAYS: number = 3;
  @IsInt() @Min(1) @Max(60) DEFAULT_REMINDER_EVERY_DAYS: number = 2;
  @IsInt() @Min(0) @Max(30) DEFAULT_MAX_REMINDERS: number = 5;
}

export const workflowConfig = defineConfig('workflow', WorkflowEnv);
export type WorkflowConfig = ConfigType<typeof workflowConfig>;

/** The queues named by WORKER_QUEUES, in contract order. */
export function workerQueues(config: Pick<WorkflowConfig, 'WORKER_QUEUES'>): QueueName[] {
  if (config.WORKER_QUEUES === 'all') return Object.values(QueueName);
  const named = new Set(config.WORKER_QUEUES.split(','));
  return Object.values(QueueName).filter((q) => named.has(q));
}
