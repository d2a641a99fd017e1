import { Injectable } from '@nestjs/common';
import { HandlesJob, JobHandler } from '../queue/job-handler';
import { JobName, JobPayloads } from '../queue/queue.contract';
import { ExecutionDocumentsService } from '../executions/execution-documents.service';

/** After execution: render, seal and store the agreement and each annex (once per executed revision). */
@Injectable()
@HandlesJob(JobName.GenerateDocuments)
export class GenerateDocumentsHandler implements JobHandler<JobName.GenerateDocuments> {
  constructor(private readonly documents: ExecutionDocumentsService) {}

  async handle(payload: JobPayloads[JobName.GenerateDocuments]): Promise<void> {
    await this.documents.generate(payload.executionId);
  }
}
