import { Body, Get, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CurrentUser, Permission, Principal, RequirePermission } from '@pcn/auth';
import { Actor, ActorContext, DomainException } from '@pcn/common';
import { ContractType, LegalForm, OnboardedPcn, OnboardingService } from '@pcn/directory';
import { PageController } from '../shell/page-controller.decorator';
import { dateFrom, dateItemsOf, dateValues } from '../people/date-fields';

type Form = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
const todayIso = () => new Date().toISOString().slice(0, 10);
/** Practice ODS codes as typed: one per line, or separated by commas or spaces. */
const codesIn = (v: unknown) => [...new Set(str(v).toUpperCase().split(/[\s,;]+/).filter(Boolean))];

const CONTRACT_WORDS: Record<ContractType, string> = {
  [ContractType.Gms]: 'General Medical Services (GMS)',
  [ContractType.Pms]: 'Personal Medical Services (PMS)',
  [ContractType.Apms]: 'Alternative Provider Medical Services (APMS)',
};
const LEGAL_FORM_WORDS: Record<LegalForm, string> = {
  [LegalForm.Partnership]: 'A partnership',
  [LegalForm.SoleTrader]: 'A sole practitioner',
  [LegalForm.Company]: 'A company',
};
const ACCOUNT_WORDS: Record<NonNullable<OnboardedPcn['clinicalDirector']>['account'], { text: string; classes: string }> = {
  ACTIVE: { text: 'Has an account', classes: 'nhsuk-tag--green' },
  DISABLED: { text: 'Account disabled', classes: 'nhsuk-tag--grey' },
  INVITED: { text: 'Invited', classes: 'nhsuk-tag--blue' },
  NONE: { text: 'Not invited', classes: 'nhsuk-tag--white' },
};

const DONE: Record<string, string> = {
  icb: 'The ICB has been added. Add its PCNs next.',
  pcn: 'The PCN and its member practices have been added. Invite its clinical director next.',
  invited: 'The clinical director has been recorded and invited. The link in the email works once and expires.',
  granted: 'The clinical director has been recorded. They already had an account, which now has the clinical director’s role: they use it from their next sign-in.',
};

/** Field ids on the pages for the service's field keys (practices.A87009.name → new-A87009-name). */
const fieldId = (key: string) => {
  const practice = /^practices\.([A-Z0-9]+)\.(name|contractType|legalForm)$/.exec(key);
  if (practice) return `new-${practice[1]}-${practice[2]}`;
  return key === 'joinedOn' ? 'joinedOn-day' : key;
};

function errorsOf(error: DomainException) {
  const fieldErrors: Record<string, string> = {};
  for (const [field, messages] of Object.entries(error.fieldErrors ?? {})) fieldErrors[fieldId(field)] = messages.join('. ');
  const errors = Object.entries(fieldErrors).map(([id, text]) => ({ text, href: `#${id}` }));
  if (errors.length === 0) errors.push({ text: error.message, href: '#main-content' });
  return { errors, fieldErrors };
}

const pcnRow = (p: OnboardedPcn) => ({
  id: p.pcn.id,
  name: p.pcn.name,
  odsCode: p.pcn.odsCode,
  practices: p.practices.length,
  clinicalDirector: p.clinicalDirector ? { fullName: p.clinicalDirector.fullName, tag: ACCOUNT_WORDS[p.clinicalDirector.account] } : null,
});

/**
 * Onboarding for platform admins: ICBs, their PCNs with member practices (practices the
 * directory does not know are asked for on the same form), and each PCN's clinical director,
 * who is recorded and invited by email. Anyone else gets "not found".
 */
@PageController('onboarding')
export class OnboardingPagesController {
  constructor(private readonly onboarding: OnboardingService) {}

  @RequirePermission(Permission.DirectoryWrite)
  @Get()
  async index(@CurrentUser() user: Principal, @Res() res: Response) {
    const icbs = await this.onboarding.icbSummaries(user);
    res.render('onboarding/index', {
      pageTitle: 'ICBs and PCNs',
      breadcrumbs: [],
      icbs: icbs.map(({ icb, pcns, withoutDirector }) => ({ id: icb.id, name: icb.name, odsCode: icb.odsCode, pcns, withoutDirector })),
    });
  }

  // ---- ICB -----------------------------------------------------------------------

  @RequirePermission(Permission.DirectoryWrite)
  @Get('icbs/new')
  async newIcb(@CurrentUser() user: Principal, @Res() res: Response) {
    await this.onboarding.icbSummaries(user);
    this.renderNewIcb(res, {}, [], {}, 200);
  }

  @RequirePermission(Permission.DirectoryWrite)
  @Post('icbs/new')
  async createIcb(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Body() form: Form, @Res() res: Response) {
    try {
      const icb = await this.onboarding.createIcb(user, { name: str(form.name), odsCode: str(form.odsCode) }, actor);
      return res.redirect(303, `/onboarding/icbs/${icb.id}?done=icb`);
    } catch (error) {
      if (!(error instanceof DomainException) || ![409, 422].includes(error.status)) throw error;
      const { errors, fieldErrors } = errorsOf(error);
      this.renderNewIcb(res, form, errors, fieldErrors, error.status);
    }
  }

  private renderNewIcb(res: Response, form: Form, errors: unknown[], fieldErrors: Record<string, string>, status: number) {
    res.status(status).render('onboarding/new-icb', { pageTitle: 'Add an ICB', breadcrumbs: [{ href: '/onboarding', text: 'ICBs and PCNs' }], form, errors, fieldErrors });
  }

  @RequirePermission(Permission.DirectoryWrite)
  @Get('icbs/:icbId')
  async icb(@CurrentUser() user: Principal, @Param('icbId') icbId: string, @Res() res: Response) {
    const { icb, pcns } = await this.onboarding.icb(user, icbId);
    res.render('onboarding/icb', {
      pageTitle: icb.name,
      breadcrumbs: [{ href: '/onboarding', text: 'ICBs and PCNs' }],
      done: DONE[str((res.req.query as Form).done)],
      icb,
      pcns: pcns.map(pcnRow),
    });
  }

  // ---- PCN -----------------------------------------------------------------------

  @RequirePermission(Permission.DirectoryWrite)
  @Get('icbs/:icbId/pcns/new')
  async newPcn(@CurrentUser() user: Principal, @Param('icbId') icbId: string, @Res() res: Response) {
    await this.renderNewPcn(res, user, icbId, {}, [], [], {}, 200);
  }

  @RequirePermission(Permission.DirectoryWrite)
  @Post('icbs/:icbId/pcns/new')
  async createPcn(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('icbId') icbId: string, @Body() form: Form, @Res() res: Response) {
    const codes = codesIn(form.practices);
    const unknown = await this.onboarding.unknownPracticeCodes(codes);
    // Practices the directory does not know yet: ask for their details on the same page before anything is saved.
    const asked = new Set(str(form.askedFor).split(',').filter(Boolean));
    if (unknown.some((c) => !asked.has(c))) {
      await this.onboarding.icb(user, icbId);
      return this.renderNewPcn(res, user, icbId, form, unknown, [], {}, 200);
    }
    try {
      const joinedOn = dateFrom(form, 'joinedOn');
      const created = await this.onboarding.createPcn(user, icbId, {
        name: str(form.name),
        odsCode: str(form.odsCode),
        networkArea: str(form.networkArea),
        joinedOn,
        practices: codes.map((odsCode) => ({
          odsCode,
          name: str(form[`new-${odsCode}-name`]) || undefined,
          contractType: (str(form[`new-${odsCode}-contractType`]) || undefined) as ContractType | undefined,
          legalForm: (str(form[`new-${odsCode}-legalForm`]) || undefined) as LegalForm | undefined,
        })),
      }, actor);
      return res.redirect(303, `/onboarding/pcns/${created.pcn.id}?done=pcn`);
    } catch (error) {
      if (!(error instanceof DomainException) || ![409, 422].includes(error.status)) throw error;
      const { errors, fieldErrors } = errorsOf(error);
      await this.renderNewPcn(res, user, icbId, form, unknown, errors, fieldErrors, error.status);
    }
  }

  private async renderNewPcn(res: Response, user: Principal, icbId: string, form: Form, unknown: string[], errors: unknown[], fieldErrors: Record<string, string>, status: number) {
    const { icb } = await this.onboarding.icb(user, icbId);
    const joinedOn = form.joinedOn === undefined && form['joinedOn-day'] === undefined ? dateItemsOf(todayIso()) : dateValues(form, 'joinedOn');
    res.status(status).render('onboarding/new-pcn', {
      pageTitle: `Add a PCN to ${icb.name}`,
      breadcrumbs: [{ href: '/onboarding', text: 'ICBs and PCNs' }, { href: `/onboarding/icbs/${icb.id}`, text: icb.name }],
      icb,
      form,
      errors,
      fieldErrors,
      joinedOn,
      askedFor: unknown.join(','),
      newPractices: unknown.map((odsCode) => ({
        odsCode,
        name: str(form[`new-${odsCode}-name`]),
        contractTypes: [{ value: '', text: 'Select the contract' }, ...Object.values(ContractType).map((c) => ({ value: c, text: CONTRACT_WORDS[c], selected: form[`new-${odsCode}-contractType`] === c }))],
        legalForms: [{ value: '', text: 'Select how it is run' }, ...Object.values(LegalForm).map((l) => ({ value: l, text: LEGAL_FORM_WORDS[l], selected: form[`new-${odsCode}-legalForm`] === l }))],
      })),
    });
  }

  @RequirePermission(Permission.DirectoryWrite)
  @Get('pcns/:pcnId')
  async pcn(@CurrentUser() user: Principal, @Param('pcnId') pcnId: string, @Res() res: Response) {
    const p = await this.onboarding.pcn(user, pcnId);
    res.render('onboarding/pcn', {
      pageTitle: p.pcn.name,
      breadcrumbs: [{ href: '/onboarding', text: 'ICBs and PCNs' }, ...(p.icb ? [{ href: `/onboarding/icbs/${p.icb.id}`, text: p.icb.name }] : [])],
      done: DONE[str((res.req.query as Form).done)],
      pcn: p.pcn,
      icb: p.icb,
      practices: p.practices,
      clinicalDirector: p.clinicalDirector ? { ...p.clinicalDirector, tag: ACCOUNT_WORDS[p.clinicalDirector.account] } : null,
    });
  }

  // ---- clinical director ---------------------------------------------------------

  @RequirePermission(Permission.DirectoryWrite)
  @Get('pcns/:pcnId/clinical-director')
  async clinicalDirectorPage(@CurrentUser() user: Principal, @Param('pcnId') pcnId: string, @Res() res: Response) {
    await this.renderClinicalDirector(res, user, pcnId, {}, [], {}, 200);
  }

  @RequirePermission(Permission.DirectoryWrite)
  @Post('pcns/:pcnId/clinical-director')
  async inviteClinicalDirector(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('pcnId') pcnId: string, @Body() form: Form, @Res() res: Response) {
    try {
      const { invitation } = await this.onboarding.inviteClinicalDirector(user, pcnId, { fullName: str(form.fullName), email: str(form.email) }, actor);
      return res.redirect(303, `/onboarding/pcns/${pcnId}?done=${invitation ? 'invited' : 'granted'}`);
    } catch (error) {
      if (!(error instanceof DomainException) || ![409, 422].includes(error.status)) throw error;
      const { errors, fieldErrors } = errorsOf(error);
      // A refusal about the PCN or the person (already in post, already has an account) is said in full on the email field.
      if (error.status === 409) {
        fieldErrors.email = error.message;
        errors.splice(0, errors.length, { text: error.message, href: '#email' });
      }
      await this.renderClinicalDirector(res, user, pcnId, form, errors, fieldErrors, error.status);
    }
  }

  private async renderClinicalDirector(res: Response, user: Principal, pcnId: string, form: Form, errors: unknown[], fieldErrors: Record<string, string>, status: number) {
    const p = await this.onboarding.pcn(user, pcnId);
    res.status(status).render('onboarding/clinical-director', {
      pageTitle: `Invite the clinical director of ${p.pcn.name}`,
      breadcrumbs: [{ href: '/onboarding', text: 'ICBs and PCNs' }, ...(p.icb ? [{ href: `/onboarding/icbs/${p.icb.id}`, text: p.icb.name }] : []), { href: `/onboarding/pcns/${p.pcn.id}`, text: p.pcn.name }],
      pcn: p.pcn,
      current: p.clinicalDirector,
      form,
      errors,
      fieldErrors,
    });
  }
}
