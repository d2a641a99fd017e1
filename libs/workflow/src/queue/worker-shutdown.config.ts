import { IsInt, Max, Min } from 'class-validator';
import { ConfigType } from '@nestjs/config';
import { defineConfig } from '@pcn/common';

export class WorkerShutdownEnv {
  /**
   * On SIGTERM the worker stops taking jobs and waits this long for the running ones before
   * it closes SMTP, Redis and the database. Keep it below the orchestrator's kill timeout
   * (Kubernetes: terminationGracePeriodSeconds, 30 s by default). A job still running when it
   * ends keeps its BullMQ lock until the lock expires, and is then run again by another worker.
   */
  @IsInt({ message: 'WORKER_SHUTDOWN_GRACE_MS must be a whole number of milliseconds' })
  @Min(0)
  @Max(600_000)
  WORKER_SHUTDOWN_GRACE_MS: number = 25_000;
}

export const workerShutdownConfig = defineConfig('workerShutdown', WorkerShutdownEnv);
export type WorkerShutdownConfig = ConfigType<typeof workerShutdownConfig>;
