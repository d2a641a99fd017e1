import { Logger } from '@nestjs/common';
import { IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * Watches the worker's event loop. A CPU-bound job (rendering, sealing) that keeps the loop
 * busy also stops BullMQ renewing the locks of every job in the process, so each blocked
 * interval longer than the threshold is logged with the jobs that were running in it.
 */
export class EventLoopMonitor {
  private readonly histogram: IntervalHistogram;
  private readonly running = new Map<string, number>();
  /** Jobs that ran at some point since the last check (a job that blocked and finished still counts). */
  private seen = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  /** Blocked intervals seen since start: for tests and the log. */
  blocks = 0;

  constructor(
    private readonly thresholdMs: number,
    private readonly logger: Pick<Logger, 'warn'> = new Logger('EventLoop'),
    private readonly checkEveryMs = Math.max(100, Math.min(thresholdMs, 1000)),
  ) {
    this.histogram = monitorEventLoopDelay({ resolution: 10 });
  }

  start(): void {
    this.histogram.enable();
    this.timer = setInterval(() => this.check(), this.checkEveryMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.histogram.disable();
  }

  jobStarted(label: string): void {
    this.running.set(label, (this.running.get(label) ?? 0) + 1);
    this.seen.add(label);
  }

  jobFinished(label: string): void {
    const left = (this.running.get(label) ?? 1) - 1;
    if (left > 0) this.running.set(label, left);
    else this.running.delete(label);
  }

  /** Logs (and counts) a block longer than the threshold since the last check; returns its length in ms. */
  check(): number {
    const maxMs = Math.round(this.histogram.max / 1e6);
    this.histogram.reset();
    const suspects = [...this.seen];
    this.seen = new Set(this.running.keys());
    if (maxMs <= this.thresholdMs) return 0;
    this.blocks += 1;
    this.logger.warn(
      `event loop blocked for ${maxMs} ms (threshold ${this.thresholdMs} ms) while running ${suspects.length > 0 ? suspects.join(', ') : 'no job'}; BullMQ lock renewals were delayed as long`,
    );
    return maxMs;
  }
}
