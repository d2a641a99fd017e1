import { Injectable } from '@nestjs/common';
import { HandlesJob, JobHandler } from '../queue/job-handler';
import { JobName, JobPayloads } from '../queue/queue.contract';
import { RoundsService } from '../rounds/rounds.service';

@Injectable()
@HandlesJob(JobName.RoundReminder)
export class RoundReminderHandler implements JobHandler<JobName.RoundReminder> {
  constructor(private readonly rounds: RoundsService) {}

  async handle(payload: JobPayloads[JobName.RoundReminder]): Promise<void> {
    await this.rounds.remind(payload.roundId, payload.reminderSeq);
  }
}

@Injectable()
@HandlesJob(JobName.RoundDeadline)
export class RoundDeadlineHandler implements JobHandler<JobName.RoundDeadline> {
  constructor(private readonly rounds: RoundsService) {}

  async handle(payload: JobPayloads[JobName.RoundDeadline]): Promise<void> {
    await this.rounds.expireIfDue(payload.roundId, payload.dueAt);
  }
}
