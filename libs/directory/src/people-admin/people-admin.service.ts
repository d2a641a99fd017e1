import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { AccountsService, AccountSummary, InvitationEntity, InvitationService, isPlatformAdmin, organisationsWithRole, Principal, UserRole } from '@pcn/auth';
import { AuditEventType, AuditService } from '@pcn/audit';
import { ActorContext, CommonException } from '@pcn/common';
import { pgErrorCode } from '@pcn/database';
import { OrganisationEntity } from '../organisations/organisation.entity';
import { MembershipEntity } from '../memberships/membership.entity';
import { PersonEntity } from '../people/person.entity';
import { PersonRoleEntity } from '../people/person-role.entity';
import { MembershipType, OrganisationKind, PersonRoleType } from '../directory.enums';
import { PeopleErrorCode, PeopleException } from './people-admin.exception';
import { personRolesFor, platformRolesFor } from './people-admin.words';
import { EMAIL, isDate, todayIso } from './input-checks';


/** Someone chosen from the directory, or a new person to add. */
export interface PersonChoice {
  personId?: string;
  fullName?: string;
  email?: string;
}

export interface AddRoleInput extends PersonChoice {
  role: PersonRoleType;
  validFrom: string;
  validTo?: string;
  signsForOrganisation?: boolean;
}

export interface InviteInput extends PersonChoice {
  role: UserRole;
}

export interface OrganisationPeople {
  organisation: OrganisationEntity;
  /** Every role recorded for the organisation, current and past, with the person. */
  roles: (PersonRoleEntity & { person: PersonEntity; current: boolean })[];
  accounts: AccountSummary[];
  invitations: InvitationEntity[];
  personRoles: PersonRoleType[];
  platformRoles: UserRole[];
}

/**
 * People and accounts as the product manages them: who may change which organisation's people,
 * directory roles over time, invitations and disabling accounts. Every change writes an audit
 * event (platform chain) in the same transaction.
 *
 * Who may manage an organisation: a platform admin, any; a PCN's clinical director or manager,
 * the PCN, its current core practices and its partner organisations; a practice manager, their
 * practice. Anything else is "not found".
 */
@Injectable()
export class PeopleAdminService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: AccountsService,
    private readonly invitations: InvitationService,
    private readonly audit: AuditService,
  ) {}

  // ---- scope -------------------------------------------------------------------

  /** Organisation ids the user may manage people for (null: every organisation). */
  async manageableOrganisationIds(principal: Principal, em: EntityManager = this.dataSource.manager): Promise<string[] | null> {
    if (isPlatformAdmin(principal)) return null;
    const pcns = organisationsWithRole(principal, UserRole.ClinicalDirector, UserRole.PcnManager);
    const practices = organisationsWithRole(principal, UserRole.PracticeManager);
    const ids = new Set([...pcns, ...practices]);
    if (pcns.length) {
      const today = todayIso();
      const rows = await em
        .getRepository(MembershipEntity)
        .createQueryBuilder('m')
        .where('m.pcn_id IN (:...pcns)', { pcns })
        .andWhere('m.joined_on <= :today AND (m.left_on IS NULL OR m.left_on >= :today)', { today })
        .getMany();
      for (const m of rows) ids.add(m.practiceId);
    }
    return [...ids];
  }

  async manageableOrganisations(principal: Principal): Promise<OrganisationEntity[]> {
    const ids = await this.manageableOrganisationIds(principal);
    const repo = this.dataSource.getRepository(OrganisationEntity);
    if (ids === null) return repo.find({ order: { kind: 'ASC', name: 'ASC' } });
    return ids.length ? repo.find({ where: { id: In(ids) }, order: { name: 'ASC' } }) : [];
  }

  /** The organisation, if the user may manage its people; otherwise "not found". */
  async requireManageable(principal: Principal, organisationId: string, em: EntityManager = this.dataSource.manager): Promise<OrganisationEntity> {
    const org = /^[0-9a-f-]{36}$/i.test(organisationId) ? await em.findOneBy(OrganisationEntity, { id: organisationId }) : null;
    const ids = org ? await this.manageableOrganisationIds(principal, em) : [];
    if (!org || (ids !== null && !ids.includes(org.id))) throw CommonException.notFound('Organisation');
    return org;
  }

  // ---- reading -----------------------------------------------------------------

  async peopleOf(principal: Principal, organisationId: string): Promise<OrganisationPeople> {
    const organisation = await this.requireManageable(principal, organisationId);
    const today = todayIso();
    const roles = (await this.dataSource.getRepository(PersonRoleEntity).find({
      where: { organisationId: organisation.id },
      relations: { person: true },
      order: { validFrom: 'ASC' },
    })) as (PersonRoleEntity & { person: PersonEntity })[];
    const withCurrent = roles
      .map((r) => ({ ...r, current: r.validFrom <= today && (r.validTo === null || r.validTo >= today) }))
      .sort((a, b) => Number(b.current) - Number(a.current) || a.person.fullName.localeCompare(b.person.fullName));
    const accounts = await this.accounts.accountsFor([organisation.id], [...new Set(roles.map((r) => r.personId))]);
    const invitations = await this.invitations.openForOrganisations([organisation.id]);
    return {
      organisation,
      roles: withCurrent,
      accounts,
      invitations,
      personRoles: personRolesFor(organisation.kind),
      platformRoles: platformRolesFor(organisation.kind, isPlatformAdmin(principal)),
    };
  }

  /** The PCNs the organisation works in today (core or partner member), or itself when it is a PCN: where its people may be asked to sign. */
  async pcnsOf(organisationId: string): Promise<string[]> {
    const org = await this.dataSource.getRepository(OrganisationEntity).findOneBy({ id: organisationId });
    if (!org) return [];
    if (org.kind === OrganisationKind.Pcn) return [org.id];
    const today = todayIso();
    const rows = await this.dataSource
      .getRepository(MembershipEntity)
      .createQueryBuilder('m')
      .where('m.practice_id = :id', { id: organisationId })
      .andWhere('m.joined_on <= :today AND (m.left_on IS NULL OR m.left_on >= :today)', { today })
      .getMany();
    return [...new Set(rows.map((m) => m.pcnId))];
  }

  /** People in the directory to choose from: those already holding a role in an organisation the user manages. */
  async choosablePeople(principal: Principal): Promise<PersonEntity[]> {
    const ids = await this.manageableOrganisationIds(principal);
    const qb = this.dataSource.getRepository(PersonEntity).createQueryBuilder('p').orderBy('p.full_name').limit(500);
    if (ids !== null) {
      if (ids.length === 0) return [];
      qb.where('p.id IN (SELECT r.person_id FROM person_role r WHERE r.organisation_id IN (:...ids))', { ids });
    }
    return qb.getMany();
  }

  // ---- changes -----------------------------------------------------------------

  /** Records that a person holds a role in the organisation from a date (a partner joins, a DPO is appointed). */
  async addRole(principal: Principal, organisationId: string, input: AddRoleInput, actor: ActorContext): Promise<PersonRoleEntity> {
    return this.dataSource.transaction(async (em) => {
      const org = await this.requireManageable(principal, organisationId, em);
      const errors: Record<string, string[]> = {};
      if (!personRolesFor(org.kind).includes(input.role)) errors.role = ['Choose a role'];
      if (!isDate(input.validFrom)) errors.validFrom = ['Enter the date they started, for example 1 4 2026'];
      if (input.validTo !== undefined && input.validTo !== '' && !isDate(input.validTo)) errors.validTo = ['Enter a real date, or leave it blank'];
      if (isDate(input.validFrom) && isDate(input.validTo) && input.validTo < input.validFrom) errors.validTo = ['The end date must be on or after the start date'];
      const person = await this.resolvePerson(em, principal, input, errors, actor, org.id);
      if (Object.keys(errors).length || !person) throw new PeopleException(PeopleErrorCode.Invalid, 'Check the details and try again.', errors);
      const role = await em.save(PersonRoleEntity, em.create(PersonRoleEntity, {
        personId: person.id,
        organisationId: org.id,
        role: input.role,
        validFrom: input.validFrom,
        validTo: input.validTo || null,
        signsForOrganisation: input.signsForOrganisation ?? false,
      }));
      await this.record(em, principal, actor, AuditEventType.PersonRoleAdded, org.id, { personRoleId: role.id, personId: person.id, role: role.role, validFrom: role.validFrom, validTo: role.validTo });
      return role;
    });
  }

  /** Records the last day a person holds a role (a partner leaves or retires, an officer steps down). */
  async endRole(principal: Principal, personRoleId: string, validTo: string, actor: ActorContext): Promise<PersonRoleEntity & { person: PersonEntity }> {
    return this.dataSource.transaction(async (em) => {
      const role = /^[0-9a-f-]{36}$/i.test(personRoleId) ? await em.findOne(PersonRoleEntity, { where: { id: personRoleId }, relations: { person: true }, lock: { mode: 'pessimistic_write', tables: ['person_role'] } }) : null;
      if (!role) throw CommonException.notFound('Role');
      await this.requireManageable(principal, role.organisationId, em);
      if (!isDate(validTo)) throw new PeopleException(PeopleErrorCode.Invalid, 'Enter the last day in the role.', { validTo: ['Enter the last day in the role, for example 31 3 2026'] });
      if (validTo < role.validFrom) throw new PeopleException(PeopleErrorCode.Invalid, 'The last day must be on or after the day they started.', { validTo: ['The last day must be on or after the day they started'] });
      const previous = role.validTo;
      await em.update(PersonRoleEntity, { id: role.id }, { validTo });
      await this.record(em, principal, actor, AuditEventType.PersonRoleEnded, role.organisationId, { personRoleId: role.id, personId: role.personId, role: role.role, validTo, previousValidTo: previous });
      return { ...role, validTo } as PersonRoleEntity & { person: PersonEntity };
    });
  }

  /** Invites someone to an account for the organisation with one platform role; the email goes through the outbox. */
  async invite(principal: Principal, organisationId: string, input: InviteInput, actor: ActorContext): Promise<InvitationEntity> {
    return this.dataSource.transaction(async (em) => {
      const org = await this.requireManageable(principal, organisationId, em);
      const errors: Record<string, string[]> = {};
      if (!platformRolesFor(org.kind, isPlatformAdmin(principal)).includes(input.role)) errors.role = ['Choose what they will do on the platform'];
      const person = await this.resolvePerson(em, principal, input, errors, actor, org.id);
      if (Object.keys(errors).length || !person) throw new PeopleException(PeopleErrorCode.Invalid, 'Check the details and try again.', errors);
      const invitation = await this.invitations.create(em, {
        email: person.email,
        displayName: person.fullName,
        personId: person.id,
        organisationId: org.id,
        grants: [{ role: input.role, organisationId: org.id, icbCode: null }],
        invitedBy: { id: principal.id, displayName: principal.displayName },
      });
      await this.record(em, principal, actor, AuditEventType.UserInvited, org.id, { invitationId: invitation.id, personId: person.id, role: input.role });
      return invitation;
    });
  }

  /**
   * Disables an account the user may manage (every organisation it has a role for is theirs)
   * and ends its sessions at once. Not your own account.
   */
  async disableAccount(principal: Principal, organisationId: string, userId: string, actor: ActorContext): Promise<AccountSummary> {
    const account = await this.dataSource.transaction(async (em) => {
      const org = await this.requireManageable(principal, organisationId, em);
      const account = await this.manageableAccount(em, principal, org.id, userId);
      if (account.id === principal.id) throw new PeopleException(PeopleErrorCode.Invalid, 'You cannot disable your own account.', { account: ['You cannot disable your own account'] });
      if (await this.accounts.disable(em, account.id, principal.id)) {
        await this.record(em, principal, actor, AuditEventType.AccountDisabled, org.id, { userId: account.id });
      }
      return account;
    });
    await this.accounts.endSessions(account.id);
    return { ...account, disabled: true };
  }

  async enableAccount(principal: Principal, organisationId: string, userId: string, actor: ActorContext): Promise<AccountSummary> {
    const account = await this.dataSource.transaction(async (em) => {
      const org = await this.requireManageable(principal, organisationId, em);
      const account = await this.manageableAccount(em, principal, org.id, userId);
      if (await this.accounts.enable(em, account.id, principal.id)) await this.record(em, principal, actor, AuditEventType.AccountEnabled, org.id, { userId: account.id });
      return account;
    });
    return { ...account, disabled: false };
  }

  /** Accepting an invitation (password or CIS2), with its audit event in the same transaction. */
  acceptInvitation(token: string, credential: Parameters<InvitationService['accept']>[1], actor: ActorContext) {
    return this.invitations.accept(token, credential, async (em, accepted) => {
      await this.audit.record(em, {
        type: AuditEventType.InvitationAccepted,
        actor: { ...actor, userId: accepted.user.id },
        actorName: accepted.user.displayName,
        organisationId: accepted.invitation.organisationId,
        payload: { invitationId: accepted.invitation.id, userId: accepted.user.id, roles: accepted.invitation.grants.map((g) => g.role), method: 'password' in credential ? 'password' : credential.authMethod },
      });
    }, { ip: actor.ip, userAgent: actor.userAgent });
  }

  // ---- onboarding (platform admin) ---------------------------------------------------

  /** Records an organisation (a PCN, a practice or a partner organisation) created by the admin routes. */
  async recordOnboarded(principal: Principal, organisation: OrganisationEntity, actor: ActorContext): Promise<void> {
    await this.audit.record(this.dataSource.manager, { type: AuditEventType.OrganisationOnboarded, actor, actorName: principal.displayName, organisationId: organisation.id, payload: { kind: organisation.kind, odsCode: organisation.odsCode } });
  }

  /** Links a practice (core) or a partner organisation (partner) to a PCN from a date. */
  async addToPcn(principal: Principal, pcnId: string, organisationId: string, joinedOn: string, actor: ActorContext): Promise<MembershipEntity> {
    if (!isPlatformAdmin(principal)) throw CommonException.notFound('PCN');
    return this.dataSource.transaction(async (em) => {
      const pcn = await em.findOneBy(OrganisationEntity, { id: pcnId, kind: OrganisationKind.Pcn });
      const org = await em.findOneBy(OrganisationEntity, { id: organisationId });
      if (!pcn || !org || org.kind === OrganisationKind.Pcn) throw CommonException.notFound('Organisation');
      if (!isDate(joinedOn)) throw new PeopleException(PeopleErrorCode.Invalid, 'Enter the date it joined.', { joinedOn: ['Enter the date it joined, for example 1 4 2026'] });
      const type = org.kind === OrganisationKind.GpPractice ? MembershipType.Core : MembershipType.Partner;
      let membership: MembershipEntity;
      try {
        membership = await em.save(MembershipEntity, em.create(MembershipEntity, { pcnId, practiceId: org.id, joinedOn, type }));
      } catch (error) {
        if (pgErrorCode(error) === '23P01') throw new PeopleException(PeopleErrorCode.Invalid, `${org.name} is already a core member of a PCN on that date.`, { organisationId: ['Already a core member of a PCN on that date'] });
        throw error;
      }
      await this.record(em, principal, actor, AuditEventType.MembershipAdded, pcnId, { membershipId: membership.id, organisationId: org.id, type, joinedOn });
      return membership;
    });
  }

  // ---- helpers -------------------------------------------------------------------

  private async manageableAccount(em: EntityManager, principal: Principal, organisationId: string, userId: string): Promise<AccountSummary> {
    if (!/^[0-9a-f-]{36}$/i.test(userId)) throw CommonException.notFound('Account');
    const account = await this.accounts.account(userId, em).catch(() => null);
    if (!account) throw CommonException.notFound('Account');
    const scope = await this.manageableOrganisationIds(principal, em);
    const orgs = account.grants.map((g) => g.organisationId);
    const holdsRoleHere = account.personId ? await em.existsBy(PersonRoleEntity, { personId: account.personId, organisationId }) : false;
    const relatesHere = orgs.includes(organisationId) || holdsRoleHere;
    // Platform admins and auditors (grants without an organisation) are managed by platform admins only.
    const allMine = scope === null || (orgs.length > 0 && orgs.every((o) => o !== null && scope.includes(o)));
    if (!relatesHere || !allMine) throw CommonException.notFound('Account');
    return account;
  }

  private async resolvePerson(em: EntityManager, principal: Principal, input: PersonChoice, errors: Record<string, string[]>, actor: ActorContext, organisationId: string): Promise<PersonEntity | null> {
    if (input.personId) {
      const choosable = await this.choosablePeopleIds(em, principal);
      const person = /^[0-9a-f-]{36}$/i.test(input.personId) ? await em.findOneBy(PersonEntity, { id: input.personId }) : null;
      if (!person || (choosable !== null && !choosable.includes(person.id))) errors.personId = ['Choose a person from the list'];
      return person && !errors.personId ? person : null;
    }
    const fullName = (input.fullName ?? '').trim();
    const email = (input.email ?? '').trim().toLowerCase();
    if (fullName.length < 2 || fullName.length > 200) errors.fullName = ['Enter their full name'];
    if (!EMAIL.test(email) || email.length > 254) errors.email = ['Enter their email address, like name@example.nhs.uk'];
    if (errors.fullName || errors.email) return null;
    const existing = await em.findOneBy(PersonEntity, { email });
    if (existing) {
      errors.email = ['This email address belongs to someone already in the directory: choose them from the list'];
      return null;
    }
    const person = await em.save(PersonEntity, em.create(PersonEntity, { fullName, email, gmcNumber: null }));
    await this.record(em, principal, actor, AuditEventType.PersonAdded, organisationId, { personId: person.id });
    return person;
  }

  private async choosablePeopleIds(em: EntityManager, principal: Principal): Promise<string[] | null> {
    const ids = await this.manageableOrganisationIds(principal, em);
    if (ids === null) return null;
    if (ids.length === 0) return [];
    const rows: { person_id: string }[] = await em.query(`SELECT DISTINCT person_id FROM person_role WHERE organisation_id = ANY($1)`, [ids]);
    return rows.map((r) => r.person_id);
  }

  private record(em: EntityManager, principal: Principal, actor: ActorContext, type: AuditEventType, organisationId: string, payload: Record<string, unknown>) {
    return this.audit.record(em, { type, actor, actorName: principal.displayName, organisationId, payload });
  }
}
