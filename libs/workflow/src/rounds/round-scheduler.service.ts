import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { AgreementEvent, AgreementsService } from '@pcn/agreements';
import { AuditEventType, AuditService, SYSTEM_ACTOR } from '@pcn/audit';
import { Clock } from '@pcn/common';
import { OutboxService } from '@pcn/database';
import { NotificationType } from '@pcn/notifications';
import { workflowConfig, WorkflowConfig } from '../workflow.config';
import { job, JobName } from '../queue/queue.contract';
import { ApprovalRoundEntity, RoundStatus } from './approval-round.entity';
import { RequestStatus, SignatureRequestEntity } from './signature-request.entity';
import { peopleInRound } from './round-access';
import { reminderEmails } from './round-emails';
import { RoundEvent, transitionRound } from './round-lifecycle';

/** Reminder `reminderNumber` of the round's current schedule, due at `runAt` (payload: JobPayloads[RoundReminder]). */
export function reminderJob(round: Pick<ApprovalRoundEntity, 'id' | 'reminderSeq'>, reminderNumber: number, runAt: Date) {
  return job(JobName.RoundReminder, { roundId: round.id, reminderSeq: round.reminderSeq, reminderNumber }, runAt);
}

/** What a reminder delivery did. */
export type ReminderOutcome = { sent: number; reminderNumber: number } | { sent: 0; skipped: 'round-not-active' | 'old-schedule' | 'already-sent' | 'all-sent' | 'nobody-pending' };

/**
 * Scheduled work on rounds, run by the RoundReminder and RoundDeadline jobs. Both reload the
 * round under its row lock and do nothing when the round has finished (executed, declined,
 * withdrawn, expired, restarted) or the job belongs to an older schedule, so a pending job
 * of a finished round is a no-op when it fires. Time comes from the injected Clock.
 */
@Injectable()
export class RoundSchedulerService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly agreements: AgreementsService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(workflowConfig.KEY) private readonly config: WorkflowConfig,
  ) {}

  /**
   * Sends reminder `reminderNumber` of schedule `reminderSeq` to the current step's signers who
   * have not acted, then schedules the next one. The number is claimed first with
   * `UPDATE … SET reminders_sent = n WHERE reminders_sent = n - 1`: a second delivery of the
   * same job finds it taken and sends nothing, and starts no second chain.
   */
  async remind(roundId: string, reminderSeq: number, reminderNumber?: number): Promise<ReminderOutcome> {
    return this.dataSource.transaction(async (em) => {
      const round = await em.findOne(ApprovalRoundEntity, { where: { id: roundId }, lock: { mode: 'pessimistic_write' } });
      if (!round || round.status !== RoundStatus.Active) return { sent: 0, skipped: 'round-not-active' };
      if (round.reminderSeq !== reminderSeq) return { sent: 0, skipped: 'old-schedule' };
      // Jobs already in Redis from before reminders carried their number send the next one.
      const n = reminderNumber ?? round.remindersSent + 1;
      if (n > round.maxReminders) return { sent: 0, skipped: 'all-sent' };
      const claimed = await em.update(ApprovalRoundEntity, { id: round.id, reminderSeq, remindersSent: n - 1 }, { remindersSent: n });
      if (!claimed.affected) return { sent: 0, skipped: 'already-sent' };
      round.remindersSent = n;
      const next = n < round.maxReminders ? [reminderJob(round, n + 1, new Date(this.clock.now().getTime() + round.reminderEveryDays * this.config.WORKFLOW_DAY_MS))] : [];
      const pending = await em.findBy(SignatureRequestEntity, { roundId, step: round.currentStep, status: RequestStatus.Pending });
      if (pending.length === 0) {
        await this.outbox.enqueue(em, next);
        return { sent: 0, skipped: 'nobody-pending' };
      }
      await em.increment(SignatureRequestEntity, { id: In(pending.map((p) => p.id)) }, 'remindersSent', 1);
      await this.outbox.enqueue(em, [...reminderEmails(round, pending, n), ...next]);
      await this.audit.record(em, { type: AuditEventType.Reminded, actor: SYSTEM_ACTOR, agreementId: round.agreementId, roundId, revisionHash: round.contentHash, payload: { reminderNumber: n, step: round.currentStep, requestIds: pending.map((p) => p.id) } });
      return { sent: pending.length, reminderNumber: n };
    });
  }

  /** Expires the round if it is still open at exactly the due date this job was scheduled for, and that date has passed. */
  async expireIfDue(roundId: string, dueAtIso: string): Promise<boolean> {
    return this.dataSource.transaction(async (em) => {
      const round = await em.findOne(ApprovalRoundEntity, { where: { id: roundId }, lock: { mode: 'pessimistic_write' } });
      const now = this.clock.now();
      if (!round || round.status !== RoundStatus.Active || round.dueAt.toISOString() !== dueAtIso || round.dueAt.getTime() > now.getTime()) return false;
      await transitionRound(em, round, RoundEvent.Expire, { endedAt: now, endReason: 'Due date passed with approvals outstanding' });
      await this.agreements.transition(em, round.agreementId, AgreementEvent.Expire, { reason: `Expired on ${round.dueAt.toISOString()} with approvals outstanding`, at: now });
      const outstanding = await peopleInRound(em, round.id, [RequestStatus.Pending]);
      const notify = [...new Set([...outstanding, ...(round.submittedByPersonId ? [round.submittedByPersonId] : [])])];
      await this.outbox.enqueue(em, notify.map((personId) => job(JobName.SendEmail, { kind: NotificationType.RoundExpired, roundId: round.id, personId, step: round.currentStep })));
      await this.audit.record(em, { type: AuditEventType.Expired, actor: SYSTEM_ACTOR, agreementId: round.agreementId, roundId: round.id, revisionHash: round.contentHash, payload: { dueAt: dueAtIso, outstanding: outstanding.length } });
      return true;
    });
  }
}
