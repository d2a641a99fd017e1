import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Post, Put, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiConflictResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { CurrentUser, Permission, Principal, RequirePermission } from '@pcn/auth';
import { Actor, ActorContext, ErrorResponse, PageQuery, ParseBoundedIntPipe, setNextPageLink } from '@pcn/common';
import { AgreementsService, SavedRevision } from './agreements.service';
import { AddAnnexDto, CreateAgreementDto, RemoveAnnexQuery, SaveDraftDto, SaveSectionDto } from './dto/agreement.dto';
import { AgreementContent } from './content';

function savedResponse(saved: SavedRevision) {
  return {
    agreement: saved.agreement,
    revision: { number: saved.revision.number, contentHash: saved.revision.contentHash, createdAt: saved.revision.createdAt },
    warnings: saved.warnings,
  };
}

const uuid = new ParseUUIDPipe({ version: '4' });

@ApiTags('agreements')
@Controller()
export class AgreementsController {
  constructor(private readonly agreements: AgreementsService) {}

  @RequirePermission(Permission.AgreementRead)
  @Get('agreement-templates')
  templates() {
    return this.agreements.listTemplates();
  }

  /** The PCN's agreements, newest first; `limit` (default 50) and `after` page through them, and a `Link: rel="next"` header names the next page. */
  @RequirePermission(Permission.AgreementRead)
  @Get('pcns/:pcnId/agreements')
  async list(@CurrentUser() user: Principal, @Param('pcnId', uuid) pcnId: string, @Query() page: PageQuery, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const { items, next } = await this.agreements.list(user, pcnId, page);
    setNextPageLink(req, res, next);
    return items;
  }

  /** Pre-filled content for a new draft: template defaults and the PCN's current core practices. */
  @RequirePermission(Permission.AgreementDraft)
  @Get('pcns/:pcnId/agreements/new')
  newDraft(@CurrentUser() user: Principal, @Param('pcnId', uuid) pcnId: string) {
    return this.agreements.newDraftContent(user, pcnId);
  }

  /** Creates a draft and its first revision. Core practices are filled from memberships. */
  @RequirePermission(Permission.AgreementDraft)
  @Post('pcns/:pcnId/agreements')
  @ApiUnprocessableEntityResponse({ type: ErrorResponse })
  async create(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('pcnId', uuid) pcnId: string, @Body() dto: CreateAgreementDto) {
    return savedResponse(await this.agreements.create(user, pcnId, { templateVersion: dto.templateVersion, content: dto.content as AgreementContent }, actor));
  }

  @RequirePermission(Permission.AgreementRead)
  @Get('agreements/:agreementId')
  get(@CurrentUser() user: Principal, @Param('agreementId', uuid) agreementId: string) {
    return this.agreements.get(user, agreementId);
  }

  /** Saves the whole draft as a new revision. Name the revision you edited in baseRevision. */
  @RequirePermission(Permission.AgreementDraft)
  @Put('agreements/:agreementId/draft')
  @ApiConflictResponse({ type: ErrorResponse, description: 'Someone saved a newer revision, or the agreement is no longer a draft.' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse })
  async save(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('agreementId', uuid) agreementId: string, @Body() dto: SaveDraftDto) {
    return savedResponse(await this.agreements.saveDraft(user, agreementId, { baseRevision: dto.baseRevision, content: dto.content as AgreementContent }, actor));
  }

  /** Adds a data-sharing annex as a new revision. */
  @RequirePermission(Permission.AgreementDraft)
  @Post('agreements/:agreementId/annexes')
  @ApiConflictResponse({ type: ErrorResponse })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse })
  async addAnnex(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('agreementId', uuid) agreementId: string, @Body() dto: AddAnnexDto) {
    const saved = await this.agreements.addAnnex(user, agreementId, { baseRevision: dto.baseRevision, annex: dto.annex as never }, actor);
    return { ...savedResponse(saved), annexId: saved.annexId };
  }

  /**
   * Saves one section as a new revision: `general`, `schedule1` … `schedule7`, or
   * `annex:<annexId>:<part>` (parts: details, parties, purposes, dataItems, flows,
   * retentionSecurity, dpia). Field errors are keyed by the path inside the content.
   */
  @RequirePermission(Permission.AgreementDraft)
  @Put('agreements/:agreementId/sections/:section')
  @ApiConflictResponse({ type: ErrorResponse, description: 'Someone saved a newer revision, or the agreement is no longer a draft.' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse })
  async saveSection(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('agreementId', uuid) agreementId: string, @Param('section') section: string, @Body() dto: SaveSectionDto) {
    return savedResponse(await this.agreements.saveSection(user, agreementId, { baseRevisionNumber: dto.baseRevisionNumber, section, value: dto.value }, actor));
  }

  /** Removes a data-sharing annex as a new revision. Name the revision you edited in `?baseRevisionNumber=`. */
  @RequirePermission(Permission.AgreementDraft)
  @Delete('agreements/:agreementId/annexes/:annexId')
  @ApiConflictResponse({ type: ErrorResponse })
  async removeAnnex(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('agreementId', uuid) agreementId: string, @Param('annexId', new ParseUUIDPipe()) annexId: string, @Query() query: RemoveAnnexQuery) {
    return savedResponse(await this.agreements.removeAnnex(user, agreementId, { baseRevisionNumber: query.baseRevisionNumber, annexId }, actor));
  }

  /** Starts a variation (practice joins or leaves, new CD, new annex) of an executed agreement. */
  @RequirePermission(Permission.AgreementDraft)
  @Post('agreements/:agreementId/variations')
  @ApiConflictResponse({ type: ErrorResponse })
  async vary(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('agreementId', uuid) agreementId: string) {
    return savedResponse(await this.agreements.createVariation(user, agreementId, actor));
  }

  /** Revisions, oldest first; `limit` (default 200) and `after` page through them, with a `Link: rel="next"` header. */
  @RequirePermission(Permission.AgreementRead)
  @Get('agreements/:agreementId/revisions')
  async revisions(@CurrentUser() user: Principal, @Param('agreementId', uuid) agreementId: string, @Query() page: PageQuery, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const { items, next } = await this.agreements.listRevisions(user, agreementId, page);
    setNextPageLink(req, res, next);
    return items;
  }

  @RequirePermission(Permission.AgreementRead)
  @Get('agreements/:agreementId/revisions/:number')
  revision(@CurrentUser() user: Principal, @Param('agreementId', uuid) agreementId: string, @Param('number', new ParseBoundedIntPipe()) number: number) {
    return this.agreements.getRevision(user, agreementId, number);
  }

  /** Fields that changed between two revisions: `changes` by content path, `readable` in words. */
  @RequirePermission(Permission.AgreementRead)
  @Get('agreements/:agreementId/revisions/:from/diff/:to')
  diff(@CurrentUser() user: Principal, @Param('agreementId', uuid) agreementId: string, @Param('from', new ParseBoundedIntPipe()) from: number, @Param('to', new ParseBoundedIntPipe()) to: number) {
    return this.agreements.diff(user, agreementId, from, to);
  }
}
