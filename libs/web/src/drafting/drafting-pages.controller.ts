import { Body, Get, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import {
  AgreementContent,
  AgreementsErrorCode,
  AgreementsService,
  AgreementStatus,
  ANNEX_PARTS,
  annexLetter,
  DataSharingAnnex,
  enumLabel,
  parseSectionId,
} from '@pcn/agreements';
import { CurrentUser, Permission, Principal, RequirePermission } from '@pcn/auth';
import { Actor, ActorContext, DomainException, ParseBoundedIntPipe } from '@pcn/common';
import { DirectoryService, PersonRoleType } from '@pcn/directory';
import { PageController } from '../shell/page-controller.decorator';
import { buildForm, changeRows, FormContext, parseForm, SectionFormDef } from './form-model';
import { ANNEX_FORMS, NEW_ANNEX_FORM, schedulePages, SectionPage } from './section-forms';
import { placeErrors, sectionOfPath, SummaryError } from './section-errors';
import { DraftingLookups, STATUS_LABELS } from './drafting-lookups.service';

const uuid = new ParseUUIDPipe({ version: '4' });
type FormBody = Record<string, unknown> & { action?: string; baseRevisionNumber?: string };

interface RowAction {
  list: string;
  change: { add: true } | { remove: number };
}

/** `add-row:shares` / `remove-row:shares:2` → what to do with the rows, or undefined for "save". */
function rowAction(action: unknown): RowAction | undefined {
  if (typeof action !== 'string') return undefined;
  const add = /^add-row:([A-Za-z.]+)$/.exec(action);
  if (add) return { list: add[1], change: { add: true } };
  const remove = /^remove-row:([A-Za-z.]+):(\d+)$/.exec(action);
  if (remove) return { list: remove[1], change: { remove: Number(remove[2]) } };
  return undefined;
}

function unique(messages: Record<string, string[]> | null | undefined): string[] {
  return [...new Set(Object.values(messages ?? {}).flat())];
}

/** Drafting: the edit overview, one form per schedule and annex part, new annexes, revisions and diffs. */
@PageController('agreements/:agreementId')
export class DraftingPagesController {
  constructor(
    private readonly agreements: AgreementsService,
    private readonly directory: DirectoryService,
    private readonly lookups: DraftingLookups,
  ) {}

  private breadcrumbs(agreementId: string, title: string, extra: { href: string; text: string }[] = []) {
    return [{ href: '/agreements', text: 'Agreements' }, { href: `/agreements/${agreementId}`, text: title }, ...extra];
  }

  @RequirePermission(Permission.AgreementDraft)
  @Get('edit')
  async overview(@CurrentUser() user: Principal, @Param('agreementId', uuid) agreementId: string, @Query('saved') saved: string | undefined, @Res() res: Response) {
    await this.agreements.requireAgreement(user, agreementId, 'draft');
    const { agreement, revision } = await this.agreements.get(user, agreementId);
    const content = revision.content;
    const warnings = (revision.warnings ?? {}) as Record<string, string[]>;
    const sectionsWithWarnings = new Set(Object.keys(warnings).map((p) => sectionOfPath(p, content)));
    const editable = agreement.status === AgreementStatus.Draft;
    const status = (id: string) =>
      sectionsWithWarnings.has(id) ? { tag: { text: 'Check', classes: 'nhsuk-tag--yellow' } } : { text: 'Saved' };
    const scheduleItems = schedulePages().map((p) => ({ title: { text: p.title }, href: editable ? `/agreements/${agreementId}/edit/${p.sectionId}` : undefined, status: status(p.sectionId) }));
    const annexes = (content.annexes ?? []).map((annex, i) => ({
      heading: `Annex ${annexLetter(i)} — ${annex.title}`,
      kind: enumLabel('DataSharingAnnexKind', annex.kind),
      items: ANNEX_PARTS.map((part) => {
        const id = `annex:${annex.id}:${part.part}`;
        return { title: { text: part.title }, href: editable ? `/agreements/${agreementId}/edit/${id}` : undefined, status: status(id) };
      }),
    }));
    const savedLabel = saved ? (saved === 'annex' ? 'The new annex' : saved === 'new' ? 'The new draft' : this.pageFor(saved, content)?.title) : undefined;
    res.render('drafting/edit', {
      pageTitle: `Edit ${agreement.title}`,
      breadcrumbs: this.breadcrumbs(agreementId, agreement.title),
      agreement,
      status: STATUS_LABELS[agreement.status],
      editable,
      revision,
      scheduleItems,
      annexes,
      warnings: unique(warnings),
      savedLabel,
    });
  }

  /** The form definition and where it lives, for a section id of this draft. */
  private pageFor(sectionId: string, content: AgreementContent): SectionPage | undefined {
    const parsed = parseSectionId(sectionId);
    if (!parsed) return undefined;
    if (parsed.kind !== 'annex') return schedulePages().find((p) => p.sectionId === sectionId);
    const index = (content.annexes ?? []).findIndex((a) => a.id === parsed.annexId);
    if (index < 0) return undefined;
    const annex = content.annexes[index];
    return {
      sectionId,
      title: `Annex ${annexLetter(index)} — ${parsed.part.title}`,
      form: ANNEX_FORMS[parsed.part.part],
      base: `annexes[${index}]`,
      kind: 'annex',
      annexId: annex.id,
      annexIndex: index,
      part: parsed.part.part,
    };
  }

  /** The section's saved value: a schedule's content, the annex part's fields, or the general fields. */
  private sectionValue(page: SectionPage, content: AgreementContent): unknown {
    if (page.kind === 'schedule') return (content.schedules as unknown as Record<string, unknown>)[page.contentKey!];
    if (page.kind === 'general') return { title: content.title, financialYear: content.financialYear, effectiveFrom: content.effectiveFrom, disputeClauseOverrides: content.disputeClauseOverrides };
    const annex = content.annexes[page.annexIndex!] as unknown as Record<string, unknown>;
    const fields = ANNEX_PARTS.find((p) => p.part === page.part)!.fields as readonly string[];
    return Object.fromEntries(fields.filter((f) => annex[f] !== undefined).map((f) => [f, annex[f]]));
  }

  private async renderSection(
    res: Response,
    status: number,
    ctx: { user: Principal; agreementId: string; title: string; content: AgreementContent; pcnId: string; baseRevisionNumber: number; page: SectionPage; value: unknown; fieldErrors?: Record<string, string[]>; stale?: string },
  ) {
    const organisations = await this.lookups.organisationOptions(ctx.pcnId, ctx.content);
    const formCtx: FormContext = { base: ctx.page.base, organisations, fieldErrors: ctx.fieldErrors ?? {} };
    const groups = buildForm(ctx.page.form, ctx.value, formCtx);
    const errors: SummaryError[] = placeErrors(groups, ctx.fieldErrors ?? {}, (path) => `/agreements/${ctx.agreementId}/edit/${sectionOfPath(path, ctx.content)}`);
    const corePractices = ctx.page.sectionId === 'schedule1' ? (ctx.content.schedules.keyDetails.corePractices ?? []) : [];
    res.status(status).render('drafting/section', {
      pageTitle: `${ctx.page.title} – ${ctx.title}`,
      heading: ctx.page.title,
      caption: ctx.title,
      breadcrumbs: this.breadcrumbs(ctx.agreementId, ctx.title, [{ href: `/agreements/${ctx.agreementId}/edit`, text: 'Edit' }]),
      action: `/agreements/${ctx.agreementId}/edit/${ctx.page.sectionId}`,
      backHref: `/agreements/${ctx.agreementId}/edit`,
      groups,
      errors,
      baseRevisionNumber: ctx.baseRevisionNumber,
      stale: ctx.stale,
      corePractices,
      totalListSize: corePractices.reduce((s, p) => s + (p.listSize ?? 0), 0),
      submitText: 'Save and continue',
    });
  }

  @RequirePermission(Permission.AgreementDraft)
  @Get('edit/:section')
  async section(@CurrentUser() user: Principal, @Param('agreementId', uuid) agreementId: string, @Param('section') sectionId: string, @Res() res: Response) {
    await this.agreements.requireAgreement(user, agreementId, 'draft');
    const { agreement, revision } = await this.agreements.get(user, agreementId);
    const page = this.pageFor(sectionId, revision.content);
    if (!page) return res.status(404).render('errors/404');
    if (agreement.status !== AgreementStatus.Draft) return res.redirect(303, `/agreements/${agreementId}/edit`);
    return this.renderSection(res, 200, { user, agreementId, title: agreement.title, content: revision.content, pcnId: agreement.pcnId, baseRevisionNumber: revision.number, page, value: this.sectionValue(page, revision.content) });
  }

  @RequirePermission(Permission.AgreementDraft)
  @Post('edit/:section')
  async saveSection(
    @CurrentUser() user: Principal,
    @Actor() actor: ActorContext,
    @Param('agreementId', uuid) agreementId: string,
    @Param('section') sectionId: string,
    @Body() body: FormBody,
    @Res() res: Response,
  ) {
    await this.agreements.requireAgreement(user, agreementId, 'draft');
    const { agreement, revision } = await this.agreements.get(user, agreementId);
    const page = this.pageFor(sectionId, revision.content);
    if (!page) return res.status(404).render('errors/404');
    const baseRevisionNumber = Number(body.baseRevisionNumber);
    const value = parseForm(page.form, body, this.sectionValue(page, revision.content));
    const common = { user, agreementId, title: agreement.title, content: revision.content, pcnId: agreement.pcnId, baseRevisionNumber, page };
    const rows = rowAction(body.action);
    if (rows) return this.renderSection(res, 200, { ...common, value: changeRows(value, rows.list, rows.change) });
    try {
      await this.agreements.saveSection(user, agreementId, { baseRevisionNumber, section: sectionId, value }, actor);
    } catch (error) {
      const handled = this.formError(error);
      if (!handled) throw error;
      return this.renderSection(res, handled.status, { ...common, value, ...handled });
    }
    return res.redirect(303, `/agreements/${agreementId}/edit?saved=${encodeURIComponent(sectionId)}`);
  }

  /** 422 → field errors on the form; a stale revision → the 409 message with a link to reload. */
  private formError(error: unknown): { status: number; fieldErrors?: Record<string, string[]>; stale?: string } | undefined {
    if (!(error instanceof DomainException)) return undefined;
    if (error.status === 422 && error.fieldErrors) return { status: 422, fieldErrors: error.fieldErrors };
    if (error.code === AgreementsErrorCode.StaleRevision) return { status: 409, stale: error.message };
    return undefined;
  }

  // ---- new annex ----------------------------------------------------------------

  private async newAnnexValue(pcnId: string): Promise<Partial<DataSharingAnnex>> {
    const members = await this.directory.currentMembers(pcnId);
    const organisations = await this.directory.organisationsByIds(members.map((m) => m.organisationId));
    const roles = await this.directory.peopleWithRoles(members.map((m) => m.organisationId), [PersonRoleType.Dpo, PersonRoleType.CaldicottGuardian]);
    const contact = (orgId: string, role: PersonRoleType) => {
      const r = roles.find((x) => x.organisationId === orgId && x.role === role);
      return r ? { name: r.person.fullName, email: r.person.email } : undefined;
    };
    return {
      effectiveFrom: new Date().toISOString().slice(0, 10),
      parties: members.map((m) => {
        const org = organisations.find((o) => o.id === m.organisationId);
        return {
          organisationId: m.organisationId,
          dataRole: undefined as never,
          dpo: contact(m.organisationId, PersonRoleType.Dpo),
          caldicottGuardian: contact(m.organisationId, PersonRoleType.CaldicottGuardian),
          dsptStatus: (org?.dsptStatus ?? undefined) as never,
          dsptYear: org?.dsptYear ?? undefined,
        };
      }),
      purposes: [{} as never],
      dataSubjects: [],
      dataItems: [{} as never],
      flows: [],
      securityMeasures: [],
      breachNotificationHours: 24,
      dpia: {} as never,
    };
  }

  private async renderNewAnnex(res: Response, status: number, ctx: { agreementId: string; title: string; content: AgreementContent; pcnId: string; baseRevisionNumber: number; value: unknown; fieldErrors?: Record<string, string[]>; stale?: string }) {
    const page: SectionPage = { sectionId: 'new-annex', title: 'Add a data-sharing annex', form: NEW_ANNEX_FORM as SectionFormDef, base: `annexes[${(ctx.content.annexes ?? []).length}]`, kind: 'annex' };
    const organisations = await this.lookups.organisationOptions(ctx.pcnId, ctx.content);
    const groups = buildForm(page.form, ctx.value, { base: page.base, organisations, fieldErrors: ctx.fieldErrors ?? {} });
    const errors = placeErrors(groups, ctx.fieldErrors ?? {}, (path) => `/agreements/${ctx.agreementId}/edit/${sectionOfPath(path, ctx.content)}`);
    res.status(status).render('drafting/section', {
      pageTitle: `Add a data-sharing annex – ${ctx.title}`,
      heading: 'Add a data-sharing annex',
      caption: ctx.title,
      intro: 'The member practices are filled in as parties, with their Data Protection Officers and Caldicott Guardians from the directory. Check each party’s role, then describe the purposes, the data and how it flows.',
      breadcrumbs: this.breadcrumbs(ctx.agreementId, ctx.title, [{ href: `/agreements/${ctx.agreementId}/edit`, text: 'Edit' }]),
      action: `/agreements/${ctx.agreementId}/annexes/new`,
      backHref: `/agreements/${ctx.agreementId}/edit`,
      groups,
      errors,
      baseRevisionNumber: ctx.baseRevisionNumber,
      stale: ctx.stale,
      submitText: 'Add annex',
    });
  }

  @RequirePermission(Permission.AgreementDraft)
  @Get('annexes/new')
  async newAnnex(@CurrentUser() user: Principal, @Param('agreementId', uuid) agreementId: string, @Res() res: Response) {
    await this.agreements.requireAgreement(user, agreementId, 'draft');
    const { agreement, revision } = await this.agreements.get(user, agreementId);
    if (agreement.status !== AgreementStatus.Draft) return res.redirect(303, `/agreements/${agreementId}/edit`);
    return this.renderNewAnnex(res, 200, { agreementId, title: agreement.title, content: revision.content, pcnId: agreement.pcnId, baseRevisionNumber: revision.number, value: await this.newAnnexValue(agreement.pcnId) });
  }

  @RequirePermission(Permission.AgreementDraft)
  @Post('annexes/new')
  async addAnnex(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('agreementId', uuid) agreementId: string, @Body() body: FormBody, @Res() res: Response) {
    await this.agreements.requireAgreement(user, agreementId, 'draft');
    const { agreement, revision } = await this.agreements.get(user, agreementId);
    const baseRevisionNumber = Number(body.baseRevisionNumber);
    const value = parseForm(NEW_ANNEX_FORM, body, {});
    const common = { agreementId, title: agreement.title, content: revision.content, pcnId: agreement.pcnId, baseRevisionNumber };
    const rows = rowAction(body.action);
    if (rows) return this.renderNewAnnex(res, 200, { ...common, value: changeRows(value, rows.list, rows.change) });
    try {
      await this.agreements.addAnnex(user, agreementId, { baseRevision: baseRevisionNumber, annex: value as DataSharingAnnex }, actor);
    } catch (error) {
      const handled = this.formError(error);
      if (!handled) throw error;
      // The annex is checked as the last one: its errors come back as annexes[n].…
      return this.renderNewAnnex(res, handled.status, { ...common, value, ...handled });
    }
    return res.redirect(303, `/agreements/${agreementId}/edit?saved=annex`);
  }

  // ---- revisions ----------------------------------------------------------------

  @RequirePermission(Permission.AgreementRead)
  @Get('revisions')
  async revisions(@CurrentUser() user: Principal, @Param('agreementId', uuid) agreementId: string, @Res() res: Response) {
    const { agreement } = await this.agreements.get(user, agreementId);
    const list = (await this.agreements.listRevisions(user, agreementId)).items;
    const names = await this.lookups.userNames(list.map((r) => r.createdBy));
    const rows = [];
    for (const r of list) {
      let summary = 'First version, from the national template and the directory';
      if (r.number > 1) {
        const changes = await this.agreements.readableDiff(user, agreementId, r.number - 1, r.number);
        const bySection = new Map<string, Set<string>>();
        for (const c of changes) (bySection.get(c.section) ?? bySection.set(c.section, new Set()).get(c.section)!).add(c.field);
        summary = changes.length === 0 ? 'No changes to the content' : [...bySection].map(([section, fields]) => `${section}: ${[...fields].slice(0, 4).join(', ')}${fields.size > 4 ? ' and more' : ''}`).join('; ');
      }
      rows.push({ number: r.number, by: (r.createdBy && names.get(r.createdBy)) || 'Set up by the platform', at: r.createdAt, summary, current: r.number === agreement.currentRevisionNumber });
    }
    res.render('drafting/revisions', {
      pageTitle: `Revision history – ${agreement.title}`,
      breadcrumbs: this.breadcrumbs(agreementId, agreement.title),
      agreement,
      revisionRows: rows.reverse(),
    });
  }

  @RequirePermission(Permission.AgreementRead)
  @Get('revisions/:a/diff/:b')
  async diff(@CurrentUser() user: Principal, @Param('agreementId', uuid) agreementId: string, @Param('a', new ParseBoundedIntPipe()) a: number, @Param('b', new ParseBoundedIntPipe()) b: number, @Res() res: Response) {
    const { agreement } = await this.agreements.get(user, agreementId);
    const changes = await this.agreements.readableDiff(user, agreementId, a, b);
    const sections: { heading: string; rows: { where: string; field: string; before: string; after: string }[] }[] = [];
    for (const c of changes) {
      let s = sections.find((x) => x.heading === c.section);
      if (!s) sections.push((s = { heading: c.section, rows: [] }));
      s.rows.push({ where: c.where, field: c.field, before: c.before, after: c.after });
    }
    res.render('drafting/diff', {
      pageTitle: `Changes from revision ${a} to ${b} – ${agreement.title}`,
      breadcrumbs: this.breadcrumbs(agreementId, agreement.title, [{ href: `/agreements/${agreementId}/revisions`, text: 'Revision history' }]),
      agreement,
      a,
      b,
      sections,
      count: changes.length,
    });
  }
}
