import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { OutboxService, OutboxStatus } from '@pcn/database';
import { workflowConfig, WorkflowConfig } from '../workflow.config';
import { job, JobName, QueueName } from './queue.contract';
import { QueueProducers } from './outbox-relay.service';

/**
 * Second line of defence behind the outbox: re-drives dispatched jobs Redis lost (for
 * example after a restart without persistence), executions still waiting for their
 * document, and open rounds past their due date. Every handler is idempotent, so a
 * re-driven job that was in fact done has no second effect.
 */
@Injectable()
export class OutboxSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OutboxSweeper');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly producers: QueueProducers,
    private readonly outbox: OutboxService,
    @Inject(workflowConfig.KEY) private readonly config: WorkflowConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.sweep()
        .catch((error) => this.logger.warn(`sweep failed: ${(error as Error).message}`))
        .finally(() => (this.running = null));
    }, this.config.SWEEPER_INTERVAL_MS);
  }

  async sweep(): Promise<{ redriven: number; documents: number; deadlines: number }> {
    return { redriven: await this.redriveLostJobs(), documents: await this.requeueMissingDocuments(), deadlines: await this.requeueOverdueRounds() };
  }

  private async redriveLostJobs(): Promise<number> {
    const rows: { id: string; queue: QueueName }[] = await this.dataSource.query(
      `SELECT id, queue FROM outbox WHERE status = $1 AND dispatched_at < now() - make_interval(secs => $2::float / 1000) ORDER BY dispatched_at LIMIT 500`,
      [OutboxStatus.Dispatched, this.config.STALE_DISPATCH_MS],
    );
    let redriven = 0;
    for (const row of rows) {
      const found = await this.producers.get(row.queue).getJob(row.id);
      if (found) continue;
      const result = await this.dataSource.query(`UPDATE outbox SET status = $2 WHERE id = $1 AND status = $3`, [row.id, OutboxStatus.Pending, OutboxStatus.Dispatched]);
      redriven += result[1] ?? 0;
    }
    if (redriven > 0) this.logger.log(`re-driving ${redriven} job(s) Redis no longer had`);
    return redriven;
  }

  private async requeueMissingDocuments(): Promise<number> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT e.id FROM agreement_execution e
        WHERE e.document_status = 'PENDING' AND e.created_at < now() - interval '30 seconds'
          AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.job_name = $1 AND o.payload->>'executionId' = e.id::text AND o.status IN ('PENDING', 'DISPATCHED'))
        LIMIT 100`,
      [JobName.GenerateDocuments],
    );
    if (rows.length === 0) return 0;
    await this.dataSource.transaction((em) => this.outbox.enqueue(em, rows.map((r) => job(JobName.GenerateDocuments, { executionId: r.id }))));
    this.logger.log(`re-queued document generation for ${rows.length} execution(s)`);
    return rows.length;
  }

  private async requeueOverdueRounds(): Promise<number> {
    const rows: { id: string; due_at: Date }[] = await this.dataSource.query(
      `SELECT r.id, r.due_at FROM approval_round r
        WHERE r.status = 'ACTIVE' AND r.due_at < now() - interval '60 seconds'
          AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.job_name = $1 AND o.payload->>'roundId' = r.id::text AND o.status IN ('PENDING', 'DISPATCHED'))
        LIMIT 100`,
      [JobName.RoundDeadline],
    );
    if (rows.length === 0) return 0;
    await this.dataSource.transaction((em) => this.outbox.enqueue(em, rows.map((r) => job(JobName.RoundDeadline, { roundId: r.id, dueAt: new Date(r.due_at).toISOString() }))));
    return rows.length;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
