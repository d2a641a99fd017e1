import { Get, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AgreementContent, AgreementsService, LIST_SIZE_MAX, LIST_SIZE_MIN } from '@pcn/agreements';
import { CurrentUser, Permission, Principal, RequirePermission } from '@pcn/auth';
import { Actor, ActorContext, DomainException, isAccessRefusal } from '@pcn/common';
import { DirectoryService } from '@pcn/directory';
import { PageController } from '../shell/page-controller.decorator';
import { DraftingLookups, STATUS_LABELS } from './drafting-lookups.service';

const uuid = new ParseUUIDPipe({ version: '4' });

/** The agreements list, the PCN overview and starting a new agreement. */
@PageController()
export class AgreementsPagesController {
  constructor(
    private readonly agreements: AgreementsService,
    private readonly directory: DirectoryService,
    private readonly lookups: DraftingLookups,
  ) {}

  private async canDraft(user: Principal, pcnId: string): Promise<boolean> {
    try {
      await this.directory.requirePcnAccess(user, pcnId, 'draft');
      return true;
    } catch (error) {
      if (!isAccessRefusal(error)) throw error;
      return false;
    }
  }

  @RequirePermission(Permission.AgreementRead)
  @Get('agreements')
  async list(@CurrentUser() user: Principal, @Res() res: Response) {
    const pcns = await this.directory.listVisiblePcns(user);
    const groups = [];
    for (const pcn of pcns) {
      const agreements = await this.agreements.list(user, pcn.id);
      const canDraft = await this.canDraft(user, pcn.id);
      // Auditors may see many PCNs; list only those with agreements, plus the PCNs the user drafts for.
      if (agreements.length === 0 && !canDraft) continue;
      groups.push({
        pcn: { id: pcn.id, name: pcn.name, code: pcn.odsCode },
        canDraft,
        agreements: agreements.map((a) => ({ id: a.id, title: a.title, reference: a.reference, status: STATUS_LABELS[a.status], isDraft: a.status === 'DRAFT', updatedAt: a.updatedAt ?? a.createdAt })),
      });
    }
    res.render('drafting/agreements', { pageTitle: 'Agreements', breadcrumbs: [], groups });
  }

  @RequirePermission(Permission.AgreementRead)
  @Get('pcns/:pcnId')
  async pcn(@CurrentUser() user: Principal, @Param('pcnId', uuid) pcnId: string, @Res() res: Response) {
    const pcn = await this.directory.requirePcnAccess(user, pcnId, 'read');
    const agreements = await this.agreements.list(user, pcnId);
    const contents: AgreementContent[] = [];
    for (const a of agreements.slice(0, 5)) contents.push((await this.agreements.get(user, a.id)).revision.content);
    const overview = await this.lookups.pcnOverview(pcnId, contents);
    const outside = overview.practices.length > 0 && (overview.totalListSize < LIST_SIZE_MIN || overview.totalListSize > LIST_SIZE_MAX);
    res.render('drafting/pcn', {
      pageTitle: pcn.name,
      breadcrumbs: [{ href: '/agreements', text: 'Agreements' }],
      pcn,
      ...overview,
      outside,
      listSizeMin: LIST_SIZE_MIN,
      listSizeMax: LIST_SIZE_MAX,
      canDraft: await this.canDraft(user, pcnId),
      agreements: agreements.map((a) => ({ id: a.id, title: a.title, reference: a.reference, status: STATUS_LABELS[a.status] })),
    });
  }

  @RequirePermission(Permission.AgreementDraft)
  @Get('pcns/:pcnId/agreements/new')
  async newAgreement(@CurrentUser() user: Principal, @Param('pcnId', uuid) pcnId: string, @Res() res: Response) {
    const pcn = await this.directory.requirePcnAccess(user, pcnId, 'draft');
    const content = await this.agreements.newDraftContent(user, pcnId);
    const template = await this.agreements.template();
    this.renderNew(res, 200, pcn.id, pcn.name, content, template.version);
  }

  private renderNew(res: Response, status: number, pcnId: string, pcnName: string, content: AgreementContent, templateVersion: string, problem?: string) {
    const practices = content.schedules.keyDetails.corePractices ?? [];
    res.status(status).render('drafting/new', {
      pageTitle: `Start a new agreement – ${pcnName}`,
      breadcrumbs: [{ href: '/agreements', text: 'Agreements' }, { href: `/pcns/${pcnId}`, text: pcnName }],
      pcnId,
      pcnName,
      content,
      templateVersion,
      practices,
      clinicalDirector: content.schedules.keyDetails.clinicalDirector?.name,
      problem,
      errors: problem ? [{ text: problem, href: '#start' }] : [],
    });
  }

  @RequirePermission(Permission.AgreementDraft)
  @Post('pcns/:pcnId/agreements/new')
  async create(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('pcnId', uuid) pcnId: string, @Res() res: Response) {
    const pcn = await this.directory.requirePcnAccess(user, pcnId, 'draft');
    const content = await this.agreements.newDraftContent(user, pcnId);
    try {
      const saved = await this.agreements.create(user, pcnId, { content }, actor);
      return res.redirect(303, `/agreements/${saved.agreement.id}/edit?saved=new`);
    } catch (error) {
      if (!(error instanceof DomainException) || error.status !== 422) throw error;
      const template = await this.agreements.template();
      const details = Object.values(error.fieldErrors ?? {}).flat().join(' ');
      return this.renderNew(res, 422, pcn.id, pcn.name, content, template.version, `The draft could not be started: ${details}`);
    }
  }
}
