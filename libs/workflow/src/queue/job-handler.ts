import { SetMetadata } from '@nestjs/common';
import { JobName, JobPayloads } from './queue.contract';

export const JOB_HANDLER = 'pcn:job-handler';

export interface JobContext {
  /** The outbox row id, also the BullMQ job id: the idempotency key. */
  jobId: string;
  /** This delivery's attempt, from 1. */
  attempt: number;
  /** Attempts BullMQ makes in all: the handler's last chance is attempt === maxAttempts. */
  maxAttempts: number;
}

export interface JobHandler<N extends JobName> {
  handle(payload: JobPayloads[N], context: JobContext): Promise<void>;
}

/** Marks a provider as the handler of one job. */
export const HandlesJob = (name: JobName) => SetMetadata(JOB_HANDLER, name);
