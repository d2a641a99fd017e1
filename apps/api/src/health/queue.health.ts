import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { QueueProducers } from '@pcn/workflow';

/** Queue depth and failures per queue. Failed jobs are reported, not treated as down: they wait for an operator. */
@Injectable()
export class QueueHealthIndicator {
  constructor(
    private readonly producers: QueueProducers,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async check(key: string) {
    const indicator = this.indicators.check(key);
    try {
      const counts: Record<string, Record<string, number>> = {};
      for (const [name, queue] of this.producers.queues) {
        counts[name] = await Promise.race([
          queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed'),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out after 1000 ms')), 1000)),
        ]);
      }
      return indicator.up(counts);
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
