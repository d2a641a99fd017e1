import { IsInt, Max, Min } from 'class-validator';
import { ConfigType } from '@nestjs/config';
import { defineConfig } from '@pcn/common';

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

  @IsInt() @Min(1) @Max(365) DEFAULT_DUE_DAYS: number = 14;
  @IsInt() @Min(1) @Max(60) DEFAULT_FIRST_REMINDER_DAYS: number = 3;
  @IsInt() @Min(1) @Max(60) DEFAULT_REMINDER_EVERY_DAYS: number = 2;
  @IsInt() @Min(0) @Max(30) DEFAULT_MAX_REMINDERS: number = 5;
}

export const workflowConfig = defineConfig('workflow', WorkflowEnv);
export type WorkflowConfig = ConfigType<typeof workflowConfig>;
