import { Get, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AgreementContent, AgreementsService, LIST_SIZE_MAX, LIST_SIZE_MIN } from '@pcn/agreements';
import { CurrentUser, Permission, Principal, RequirePermission } from '@pcn/auth';
import { Actor, ActorContext, DomainException, isAccessRefusal } from '@pcn/common';
import { DirectoryService } from '@pcn/directory';
import { PageController } from '../shell/page-controller.decorator';
import { isUuid } from '../rounds/round-words';
import { DraftingLookups, STATUS_LABELS } from './drafting-lookups.service';

const uuid = new ParseUUIDPipe({ version: '4' });

/** PCNs per page of the agreements list, and the newest agreements shown for each (the PCN's page has them all). */
const PCNS_PER_PAGE = 25;
const AGREEMENTS_PER_PCN = 10;

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

  /**
   * The agreements of the PCNs the user may see, a page of PCNs at a time (keyset by name) with
   * each PCN's newest agreements; the PCN's own page lists the rest. A national auditor sees
   * every PCN in England, so nothing here may grow with the number of PCNs or agreements.
   */
  @RequirePermission(Permission.AgreementRead)
  @Get('agreements')
  async list(@CurrentUser() user: Principal, @Query('after') after: unknown, @Res() res: Response) {
    const { items: pcns, next } = await this.directory.visiblePcnsPage(user, { after: typeof after === 'string' && isUuid(after) ? after : undefined }, PCNS_PER_PAGE);
    const latest = await this.agreements.latestOfVisiblePcns(
      pcns.map((p) => p.id),
      AGREEMENTS_PER_PCN + 1,
    );
    const groups = [];
    for (const pcn of pcns) {
      const agreements = latest.get(pcn.id) ?? [];
      const canDraft = this.directory.draftsFor(user, pcn.id);
      // Auditors may see many PCNs; list only those with agreements, plus the PCNs the user drafts for.
      if (agreements.length === 0 && !canDraft) continue;
      groups.push({
        pcn: { id: pcn.id, name: pcn.name, code: pcn.odsCode },
        canDraft,
        more: agreements.length > AGREEMENTS_PER_PCN,
        agreements: agreements.slice(0, AGREEMENTS_PER_PCN).map((a) => ({ id: a.id, title: a.title, reference: a.reference, status: STATUS_LABELS[a.status], isDraft: a.status === 'DRAFT', updatedAt: a.updatedAt ?? a.createdAt })),
      });
    }
    res.render('drafting/agreements', { pageTitle: 'Agreements', breadcrumbs: [], groups, nextHref: next ? `/agreements?after=${next}` : null, continued: !!after });
  }

  @RequirePermission(Permission.AgreementRead)
  @Get('pcns/:pcnId')
  async pcn(@CurrentUser() user: Principal, @Param('pcnId', uuid) pcnId: string, @Query('after') after: unknown, @Res() res: Response) {
    const pcn = await this.directory.requirePcnAccess(user, pcnId, 'read');
    const page = await this.agreements.list(user, pcnId, { after: typeof after === 'string' && isUuid(after) ? after : undefined });
    // The newest five agreements' partner organisations; the list above has already checked access to the PCN.
    const contents: AgreementContent[] = (await Promise.all(page.items.slice(0, 5).map((a) => this.agreements.revision(a.id, a.currentRevisionNumber)))).map((r) => r.content);
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
      canDraft: this.directory.draftsFor(user, pcnId),
      agreements: page.items.map((a) => ({ id: a.id, title: a.title, reference: a.reference, status: STATUS_LABELS[a.status] })),
      olderHref: page.next ? `/pcns/${pcnId}?after=${page.next}` : null,
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
