import { Injectable } from '@nestjs/common';
import { Principal } from '@pcn/auth';
import { ActorContext } from '@pcn/common';
import { ApproveRequestDto } from '../dto/workflow.dto';
import { ApproveManyInput, ApproveManyOptions, RequestActionsService } from './request-actions.service';
import { RoundCommandsService } from './round-commands.service';
import { RoundQueriesService } from './round-queries.service';
import { RoundSchedulerService } from './round-scheduler.service';

/**
 * @deprecated The workflow is split by what it does: RoundCommandsService (submit, withdraw,
 * extend, restart, terminate, remind now), RequestActionsService (view, approve, decline,
 * delegate), RoundSchedulerService (reminders, deadlines) and RoundQueriesService (tasks,
 * rounds, progress, signer plan). This forwards the few calls integration specs still make
 * through `app.get(RoundsService)` (review-and-batch, round-pages, the access matrix's world); it
 * holds no logic. Remove it once they use the services.
 */
@Injectable()
export class RoundsService {
  constructor(
    private readonly commands: RoundCommandsService,
    private readonly actions: RequestActionsService,
    private readonly queries: RoundQueriesService,
    private readonly scheduler: RoundSchedulerService,
  ) {}

  approve(principal: Principal, requestId: string, dto: ApproveRequestDto, actor: ActorContext) {
    return this.actions.approve(principal, requestId, dto, actor);
  }

  approveMany(principal: Principal, input: ApproveManyInput, actor: ActorContext, options?: ApproveManyOptions) {
    return this.actions.approveMany(principal, input, actor, options);
  }

  remindNow(principal: Principal, agreementId: string, actor: ActorContext) {
    return this.commands.remindNow(principal, agreementId, actor);
  }

  tasks(principal: Principal) {
    return this.queries.tasks(principal);
  }

  signerPlanPreview(principal: Principal, agreementId: string, options?: { countersign?: boolean }) {
    return this.queries.signerPlanPreview(principal, agreementId, options);
  }

  roundProgress(principal: Principal, agreementId: string) {
    return this.queries.roundProgress(principal, agreementId);
  }

  expireIfDue(roundId: string, dueAtIso: string) {
    return this.scheduler.expireIfDue(roundId, dueAtIso);
  }
}
