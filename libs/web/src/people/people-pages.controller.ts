import { Body, Get, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Cis2SignInService, CurrentUser, Permission, Principal, RequirePermission, UserRole } from '@pcn/auth';
import { Actor, ActorContext, CommonException, DomainException } from '@pcn/common';
import { OrganisationKind, PeopleAdminService, PERSON_ROLE_WORDS, PersonRoleType, PLATFORM_ROLE_WORDS } from '@pcn/directory';
import { PageController } from '../shell/page-controller.decorator';
import { dateFrom, dateValues } from './date-fields';
import { OpenRoundNotices } from './open-round-notices';

type Form = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
const KIND_WORDS: Record<string, string> = {
  [OrganisationKind.GpPractice]: 'GP practice',
  [OrganisationKind.Pcn]: 'Primary Care Network',
  [OrganisationKind.Icb]: 'Integrated Care Board',
  [OrganisationKind.NhsTrust]: 'NHS trust',
  [OrganisationKind.CommunityPharmacy]: 'Community pharmacy',
  [OrganisationKind.Federation]: 'GP federation',
  [OrganisationKind.PcnCompany]: 'PCN company',
  [OrganisationKind.Vcse]: 'Voluntary, community or social enterprise',
  [OrganisationKind.LocalAuthority]: 'Local authority',
  [OrganisationKind.Other]: 'Other organisation',
};

const DONE: Record<string, string> = {
  added: 'The role has been recorded.',
  ended: 'The end of the role has been recorded. Who must sign new rounds follows from it.',
  invited: 'The invitation has been sent. The link in the email works once and expires.',
  disabled: 'The account has been disabled and every session it had has ended.',
};

/** Fields of a domain refusal as the error summary and inline messages want them. */
function errorsOf(error: DomainException, fieldIds: Record<string, string>) {
  const fieldErrors: Record<string, string> = {};
  for (const [field, messages] of Object.entries(error.fieldErrors ?? {})) fieldErrors[fieldIds[field] ?? field] = messages[0];
  const errors = Object.entries(fieldErrors).map(([id, text]) => ({ text, href: `#${id}` }));
  if (errors.length === 0) errors.push({ text: error.message, href: '#main-content' });
  return { errors, fieldErrors };
}

/**
 * People and accounts of the organisations a person may manage: a PCN's clinical director or
 * manager (the PCN, its practices and partner organisations), a practice manager (their
 * practice), a platform admin (all). Another organisation's pages are "not found".
 */
@PageController('people')
export class PeoplePagesController {
  constructor(
    private readonly people: PeopleAdminService,
    private readonly openRounds: OpenRoundNotices,
    private readonly signInMethods: Cis2SignInService,
  ) {}

  @RequirePermission(Permission.PeopleManage)
  @Get()
  async index(@CurrentUser() user: Principal, @Res() res: Response) {
    const organisations = await this.people.manageableOrganisations(user);
    if (organisations.length === 1) return res.redirect(303, `/people/${organisations[0].id}`);
    res.render('people/index', {
      pageTitle: 'People and accounts',
      breadcrumbs: [],
      organisations: organisations.map((o) => ({ id: o.id, name: o.name, odsCode: o.odsCode, kind: KIND_WORDS[o.kind] ?? 'Organisation' })),
    });
  }

  @RequirePermission(Permission.PeopleManage)
  @Get(':organisationId')
  async organisation(@CurrentUser() user: Principal, @Param('organisationId') organisationId: string, @Res() res: Response) {
    const data = await this.people.peopleOf(user, organisationId);
    const { organisation } = data;
    const done = str((res.req.query as Form).done);
    const accountByPerson = new Map(data.accounts.filter((a) => a.personId).map((a) => [a.personId!, a]));
    res.render('people/organisation', {
      pageTitle: `People at ${organisation.name}`,
      breadcrumbs: [{ href: '/people', text: 'People and accounts' }],
      done: DONE[done],
      // Rounds already sent that still ask someone who no longer holds a role here (e.g. a partner who left mid-round).
      openRoundNotices: await this.openRounds.forOrganisation(user, this.people, data),
      organisation: { ...organisation, kindWords: KIND_WORDS[organisation.kind] },
      current: data.roles.filter((r) => r.current).map((r) => ({ ...r, roleWords: PERSON_ROLE_WORDS[r.role], account: accountByPerson.get(r.personId) ?? null })),
      past: data.roles.filter((r) => !r.current).map((r) => ({ ...r, roleWords: PERSON_ROLE_WORDS[r.role] })),
      accounts: data.accounts.map((a) => ({
        ...a,
        roleWords: a.grants.filter((g) => g.organisationId === organisation.id).map((g) => PLATFORM_ROLE_WORDS[g.role]).join(', ') || 'A role at another organisation',
        self: a.id === user.id,
      })),
      invitations: data.invitations.map((i) => ({ ...i, roleWords: i.grants.map((g) => PLATFORM_ROLE_WORDS[g.role]).join(', ') })),
    });
  }

  // ---- add a person or role ------------------------------------------------------

  @RequirePermission(Permission.PeopleManage)
  @Get(':organisationId/add-role')
  async addRolePage(@CurrentUser() user: Principal, @Param('organisationId') organisationId: string, @Res() res: Response) {
    await this.renderAddRole(res, user, organisationId, {}, [], {}, 200);
  }

  @RequirePermission(Permission.PeopleManage)
  @Post(':organisationId/add-role')
  async addRole(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('organisationId') organisationId: string, @Body() form: Form, @Res() res: Response) {
    const validFrom = dateFrom(form, 'validFrom');
    const validTo = dateFrom(form, 'validTo');
    const personId = str(form.personId);
    try {
      await this.people.addRole(user, organisationId, {
        personId: personId && personId !== 'new' ? personId : undefined,
        fullName: str(form.fullName),
        email: str(form.email),
        role: str(form.role) as PersonRoleType,
        validFrom,
        validTo: validTo || undefined,
        signsForOrganisation: form.signsForOrganisation === 'yes',
      }, actor);
      return res.redirect(303, `/people/${organisationId}?done=added`);
    } catch (error) {
      if (!(error instanceof DomainException) || error.status !== 422) throw error;
      const { errors, fieldErrors } = errorsOf(error, { validFrom: 'validFrom-day', validTo: 'validTo-day' });
      await this.renderAddRole(res, user, organisationId, form, errors, fieldErrors, 422);
    }
  }

  private async renderAddRole(res: Response, user: Principal, organisationId: string, form: Form, errors: unknown[], fieldErrors: Record<string, string>, status: number) {
    const data = await this.people.peopleOf(user, organisationId);
    const choosable = await this.people.choosablePeople(user);
    res.status(status).render('people/add-role', {
      pageTitle: `Record a role at ${data.organisation.name}`,
      breadcrumbs: [{ href: '/people', text: 'People and accounts' }, { href: `/people/${organisationId}`, text: data.organisation.name }],
      organisation: data.organisation,
      form,
      errors,
      fieldErrors,
      people: [{ value: 'new', text: 'Someone new (enter their details below)' }, ...choosable.map((p) => ({ value: p.id, text: `${p.fullName} (${p.email})`, selected: form.personId === p.id }))],
      roles: data.personRoles.map((r) => ({ value: r, text: PERSON_ROLE_WORDS[r], checked: form.role === r })),
      validFrom: dateValues(form, 'validFrom'),
      validTo: dateValues(form, 'validTo'),
      isPractice: data.organisation.kind === OrganisationKind.GpPractice,
    });
  }

  // ---- end a role ------------------------------------------------------------------

  @RequirePermission(Permission.PeopleManage)
  @Get(':organisationId/roles/:roleId/end')
  async endRolePage(@CurrentUser() user: Principal, @Param('organisationId') organisationId: string, @Param('roleId') roleId: string, @Res() res: Response) {
    await this.renderEndRole(res, user, organisationId, roleId, {}, [], {}, 200);
  }

  @RequirePermission(Permission.PeopleManage)
  @Post(':organisationId/roles/:roleId/end')
  async endRole(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('organisationId') organisationId: string, @Param('roleId') roleId: string, @Body() form: Form, @Res() res: Response) {
    await this.roleOf(user, organisationId, roleId);
    try {
      await this.people.endRole(user, roleId, dateFrom(form, 'validTo'), actor);
      return res.redirect(303, `/people/${organisationId}?done=ended`);
    } catch (error) {
      if (!(error instanceof DomainException) || error.status !== 422) throw error;
      const { errors, fieldErrors } = errorsOf(error, { validTo: 'validTo-day' });
      await this.renderEndRole(res, user, organisationId, roleId, form, errors, fieldErrors, 422);
    }
  }

  private async roleOf(user: Principal, organisationId: string, roleId: string) {
    const data = await this.people.peopleOf(user, organisationId);
    const role = data.roles.find((r) => r.id === roleId);
    if (!role) throw CommonException.notFound('Role');
    return { data, role };
  }

  private async renderEndRole(res: Response, user: Principal, organisationId: string, roleId: string, form: Form, errors: unknown[], fieldErrors: Record<string, string>, status: number) {
    const { data, role } = await this.roleOf(user, organisationId, roleId);
    res.status(status).render('people/end-role', {
      pageTitle: `Record when ${role.person.fullName} leaves the role`,
      breadcrumbs: [{ href: '/people', text: 'People and accounts' }, { href: `/people/${organisationId}`, text: data.organisation.name }],
      organisation: data.organisation,
      role: { ...role, roleWords: PERSON_ROLE_WORDS[role.role] },
      errors,
      fieldErrors,
      validTo: dateValues(form, 'validTo'),
    });
  }

  // ---- invite --------------------------------------------------------------------------

  @RequirePermission(Permission.PeopleManage)
  @Get(':organisationId/invite')
  async invitePage(@CurrentUser() user: Principal, @Param('organisationId') organisationId: string, @Res() res: Response) {
    await this.renderInvite(res, user, organisationId, {}, [], {}, 200);
  }

  @RequirePermission(Permission.PeopleManage)
  @Post(':organisationId/invite')
  async invite(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('organisationId') organisationId: string, @Body() form: Form, @Res() res: Response) {
    const personId = str(form.personId);
    try {
      await this.people.invite(user, organisationId, { personId: personId && personId !== 'new' ? personId : undefined, fullName: str(form.fullName), email: str(form.email), role: str(form.role) as UserRole }, actor);
      return res.redirect(303, `/people/${organisationId}?done=invited`);
    } catch (error) {
      if (!(error instanceof DomainException) || ![409, 422].includes(error.status)) throw error;
      const { errors, fieldErrors } = errorsOf(error, {});
      await this.renderInvite(res, user, organisationId, form, errors, fieldErrors, 422);
    }
  }

  private async renderInvite(res: Response, user: Principal, organisationId: string, form: Form, errors: unknown[], fieldErrors: Record<string, string>, status: number) {
    const data = await this.people.peopleOf(user, organisationId);
    const withAccount = new Set(data.accounts.map((a) => a.personId));
    const here = [...new Map(data.roles.filter((r) => r.current && !withAccount.has(r.personId)).map((r) => [r.personId, r.person])).values()];
    res.status(status).render('people/invite', {
      pageTitle: `Invite someone to ${data.organisation.name}`,
      breadcrumbs: [{ href: '/people', text: 'People and accounts' }, { href: `/people/${organisationId}`, text: data.organisation.name }],
      organisation: data.organisation,
      form,
      errors,
      fieldErrors,
      people: [{ value: 'new', text: 'Someone new (enter their details below)' }, ...here.map((p) => ({ value: p.id, text: `${p.fullName} (${p.email})`, selected: form.personId === p.id }))],
      roles: data.platformRoles.map((r) => ({ value: r, text: PLATFORM_ROLE_WORDS[r], checked: form.role === r })),
      cis2SignIn: this.signInMethods.enabled,
    });
  }

  // ---- disable ----------------------------------------------------------------------------

  @RequirePermission(Permission.PeopleManage)
  @Get(':organisationId/accounts/:userId/disable')
  async disablePage(@CurrentUser() user: Principal, @Param('organisationId') organisationId: string, @Param('userId') userId: string, @Res() res: Response) {
    const data = await this.people.peopleOf(user, organisationId);
    const account = data.accounts.find((a) => a.id === userId);
    if (!account || account.id === user.id || account.disabled) throw CommonException.notFound('Account');
    res.render('people/disable', {
      pageTitle: `Disable ${account.displayName}'s account`,
      breadcrumbs: [{ href: '/people', text: 'People and accounts' }, { href: `/people/${organisationId}`, text: data.organisation.name }],
      organisation: data.organisation,
      account,
    });
  }

  @RequirePermission(Permission.PeopleManage)
  @Post(':organisationId/accounts/:userId/disable')
  async disable(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('organisationId') organisationId: string, @Param('userId') userId: string, @Res() res: Response) {
    await this.people.disableAccount(user, organisationId, userId, actor);
    res.redirect(303, `/people/${organisationId}?done=disabled`);
  }
}
