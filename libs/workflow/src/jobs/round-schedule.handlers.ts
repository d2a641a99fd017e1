import { Injectable } from '@nestjs/common';
import { HandlesJob, JobHandler } from '../queue/job-handler';
import { JobName, JobPayloads } from '../queue/queue.contract';
import { RoundSchedulerService } from '../rounds/round-scheduler.service';

/** Sends the reminder the job names, once: a duplicate delivery finds it claimed and does nothing. */
@Injectable()
@HandlesJob(JobName.RoundReminder)
export class RoundReminderHandler implements JobHandler<JobName.RoundReminder> {
  constructor(private readonly scheduler: RoundSchedulerService) {}

  async handle(payload: JobPayloads[JobName.RoundReminder]): Promise<void> {
    await this.scheduler.remind(payload.roundId, payload.reminderSeq, payload.reminderNumber);
  }
}

/** Expires the round at its due date; a job for a round that finished or moved its date does nothing. */
@Injectable()
@HandlesJob(JobName.RoundDeadline)
export class RoundDeadlineHandler implements JobHandler<JobName.RoundDeadline> {
  constructor(private readonly scheduler: RoundSchedulerService) {}

  async handle(payload: JobPayloads[JobName.RoundDeadline]): Promise<void> {
    await this.scheduler.expireIfDue(payload.roundId, payload.dueAt);
  }
}
