import { Body, Controller, Get, Header, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiConflictResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiQuery, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { auditorScope, Authenticated, CurrentUser, isPlatformAdmin, Permission, Principal, RequirePermission } from '@pcn/auth';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { Actor, ActorContext, CommonErrorCode, CommonException, ErrorResponse, PageQuery, PG_INT_MAX, setNextPageLink } from '@pcn/common';
import { AgreementsService } from '@pcn/agreements';
import { AUDIT_PAGE_SIZE, AuditService, ChainVerificationDto } from '@pcn/audit';
import { RoundCommandsService } from './rounds/round-commands.service';
import { RequestActionsService } from './rounds/request-actions.service';
import { RoundQueriesService } from './rounds/round-queries.service';
import { ApproveManyRequestsDto, ApproveRequestDto, DeclineRequestDto, DelegateRequestDto, ExtendRoundDto, RestartRoundDto, SubmitForApprovalDto, TerminateAgreementDto, WithdrawRoundDto } from './dto/workflow.dto';

const uuid = new ParseUUIDPipe({ version: '4' });

/** `?after=&limit=` of an audit trail: events after that sequence number, up to AUDIT_PAGE_SIZE of them. */
class AuditTrailQuery {
  @IsOptional() @Type(() => Number) @IsInt({ message: 'after must be the sequence number of the last event seen' }) @Min(0) @Max(PG_INT_MAX) after?: number;
  @IsOptional() @Type(() => Number) @IsInt({ message: 'limit must be a whole number' }) @Min(1) @Max(AUDIT_PAGE_SIZE) limit?: number;
}

@ApiTags('approval workflow')
@Controller()
export class WorkflowController {
  constructor(
    private readonly commands: RoundCommandsService,
    private readonly actions: RequestActionsService,
    private readonly queries: RoundQueriesService,
    private readonly agreements: AgreementsService,
    private readonly audit: AuditService,
  ) {}

  /** Sends the newest draft revision for approval: IG review first, then signatures, then the clinical director. */
  @RequirePermission(Permission.AgreementSubmit)
  @Post('agreements/:agreementId/submit')
  @ApiConflictResponse({ type: ErrorResponse })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse })
  async submit(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('agreementId', uuid) agreementId: string, @Body() dto: SubmitForApprovalDto) {
    const { round, requests, agreementStatus } = await this.commands.submit(user, agreementId, dto, actor);
    return { agreementStatus, round, requests };
  }

  @RequirePermission(Permission.AgreementSubmit)
  @Post('agreements/:agreementId/withdraw')
  @HttpCode(200)
  withdraw(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('agreementId', uuid) agreementId: string, @Body() dto: WithdrawRoundDto) {
    return this.commands.withdraw(user, agreementId, dto.reason, actor);
  }

  /** Moves the due date of the open round; reopens an expired one. */
  @RequirePermission(Permission.AgreementSubmit)
  @Post('agreements/:agreementId/extend')
  @HttpCode(200)
  extend(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('agreementId', uuid) agreementId: string, @Body() dto: ExtendRoundDto) {
    return this.commands.extend(user, agreementId, dto.dueAt, actor);
  }

  /** Starts a fresh round on the same revision after expiry; earlier approvals do not carry over. */
  @RequirePermission(Permission.AgreementSubmit)
  @Post('agreements/:agreementId/restart')
  async restart(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('agreementId', uuid) agreementId: string, @Body() dto: RestartRoundDto) {
    const { round, requests, agreementStatus } = await this.commands.restart(user, agreementId, dto, actor);
    return { agreementStatus, round, requests };
  }

  /** Ends an executed agreement: the PCN's clinical director only (403 for anyone else), with a reason; every party is emailed. */
  @RequirePermission(Permission.AgreementSubmit)
  @Post('agreements/:agreementId/terminate')
  @ApiForbiddenResponse({ type: ErrorResponse, description: 'Only the clinical director of the PCN can terminate its agreement.' })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Only an executed agreement can be terminated.' })
  @HttpCode(200)
  terminate(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('agreementId', uuid) agreementId: string, @Body() dto: TerminateAgreementDto) {
    return this.commands.terminate(user, agreementId, dto.reason, actor);
  }

  @RequirePermission(Permission.AgreementRead)
  @Get('agreements/:agreementId/rounds')
  listRounds(@CurrentUser() user: Principal, @Param('agreementId', uuid) agreementId: string) {
    return this.queries.rounds(user, agreementId);
  }

  /** Requests waiting for you now (current step, not yet acted on), soonest due first; `limit` (default 200) and `after` page through them, with a `Link: rel="next"` header. */
  @Authenticated()
  @Get('me/tasks')
  async tasks(@CurrentUser() user: Principal, @Query() page: PageQuery, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const { items, next } = await this.queries.tasks(user, page);
    setNextPageLink(req, res, next);
    return items;
  }

  /** The exact document you are asked to approve, with the hash to confirm. Non-GP parties see only their annex. */
  @Authenticated()
  @Get('requests/:requestId')
  @ApiNotFoundResponse({ type: ErrorResponse })
  view(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('requestId', uuid) requestId: string) {
    return this.actions.viewRequest(user, requestId, actor);
  }

  /** Approves several of your requests of one round in one go (e.g. one annex for every practice you are DPO for). All or nothing. */
  @Authenticated()
  @Post('requests/approve')
  @HttpCode(200)
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Out of step, already acted on, or a hash no longer matches; nothing was recorded.' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse, description: 'Requests of different rounds, or signer details wrong; nothing was recorded.' })
  async approveMany(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Body() dto: ApproveManyRequestsDto) {
    const outcome = await this.actions.approveMany(user, dto, actor, { requireViewed: false });
    return { agreementStatus: outcome.agreementStatus, approved: outcome.approved.map((a) => ({ requestId: a.request.id, alreadyRecorded: a.alreadyRecorded })) };
  }

  @Authenticated()
  @Post('requests/:requestId/approve')
  @HttpCode(200)
  @ApiConflictResponse({ type: ErrorResponse, description: 'Out of step, already acted on, or the hash no longer matches.' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse })
  async approve(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('requestId', uuid) requestId: string, @Body() dto: ApproveRequestDto) {
    const outcome = await this.actions.approve(user, requestId, dto, actor);
    return { request: outcome.request, agreementStatus: outcome.agreementStatus, alreadyRecorded: outcome.alreadyRecorded };
  }

  /** Declining stops the round and returns the agreement to draft with your reason. */
  @Authenticated()
  @Post('requests/:requestId/decline')
  @HttpCode(200)
  decline(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('requestId', uuid) requestId: string, @Body() dto: DeclineRequestDto) {
    return this.actions.decline(user, requestId, dto.reason, actor);
  }

  @Authenticated()
  @Post('requests/:requestId/delegate')
  delegate(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('requestId', uuid) requestId: string, @Body() dto: DelegateRequestDto) {
    return this.actions.delegate(user, requestId, dto.toPersonId, dto.note, actor);
  }

  /**
   * Recomputes an agreement's hash chain (for anyone who may read the agreement: 404
   * otherwise, so no one learns that another PCN's agreement exists), or every chain at once
   * (platform administrators and national auditors only). Served here rather than by the audit
   * lib because only this side can check access to the agreement.
   */
  @RequirePermission(Permission.AuditRead)
  @Get('audit/verify')
  @ApiQuery({ name: 'agreementId', required: false, description: 'Verify only this agreement’s chain.' })
  @ApiOkResponse({ type: ChainVerificationDto })
  async verifyAuditChains(@CurrentUser() user: Principal, @Query('agreementId', new ParseUUIDPipe({ optional: true })) agreementId?: string): Promise<ChainVerificationDto> {
    if (agreementId) {
      await this.agreements.requireAgreement(user, agreementId, 'read');
      return this.audit.verifyChain(agreementId);
    }
    if (!isPlatformAdmin(user) && auditorScope(user) !== 'all') {
      throw new CommonException(CommonErrorCode.Forbidden, 403, 'Only platform administrators and national auditors can verify every audit trail at once. Give the agreement to verify (agreementId).');
    }
    return this.audit.verifyChain();
  }

  /**
   * The agreement's audit events in chain order, up to 1,000 a page (`limit`); `after` is the
   * sequence number of the last event seen (keyset on the chain's (chain_key, seq) index). A
   * full page carries `Link: rel="next"` (the next page may then be empty).
   */
  @RequirePermission(Permission.AuditRead)
  @Get('agreements/:agreementId/audit')
  async auditTrail(@CurrentUser() user: Principal, @Param('agreementId', uuid) agreementId: string, @Query() page: AuditTrailQuery, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const agreement = await this.agreements.requireAgreement(user, agreementId, 'read');
    const limit = page.limit ?? AUDIT_PAGE_SIZE;
    const events = await this.audit.trailForReader(user, agreement, { afterSeq: page.after, limit });
    setNextPageLink(req, res, events.length === limit ? String(events[events.length - 1].seq) : null);
    return events;
  }

  @RequirePermission(Permission.AuditRead)
  @Get('agreements/:agreementId/audit.csv')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  async auditCsv(@CurrentUser() user: Principal, @Param('agreementId', uuid) agreementId: string, @Res() res: Response) {
    const agreement = await this.agreements.requireAgreement(user, agreementId, 'read');
    const lines = this.audit.csvForReader(user, agreement);
    res.setHeader('Content-Disposition', `attachment; filename="${agreement.reference}-audit.csv"`);
    for await (const line of lines) res.write(line);
    res.end();
  }
}
