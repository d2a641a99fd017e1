import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { AccountsService, InvitationEntity, InvitationService, isPlatformAdmin, Principal, UserEntity, UserRole } from '@pcn/auth';
import { AuditEventType, AuditService } from '@pcn/audit';
import { ActorContext, CommonException } from '@pcn/common';
import { pgConstraintName, pgErrorCode } from '@pcn/database';
import { OrganisationEntity } from './organisation.entity';
import { MembershipEntity } from '../memberships/membership.entity';
import { PersonEntity } from '../people/person.entity';
import { PersonRoleEntity } from '../people/person-role.entity';
import { ContractType, ICB_CODE, LegalForm, MembershipType, ODS_PRACTICE, OrganisationKind, PCN_CODE, PersonRoleType } from '../directory.enums';
import { DirectoryErrorCode, DirectoryException } from '../directory.exception';
import { PeopleErrorCode, PeopleException } from '../people-admin/people-admin.exception';
import { EMAIL, isDate, todayIso, UUID } from '../people-admin/input-checks';

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
const code = (v: unknown) => text(v).toUpperCase();
/** 2027-03-31 → 31 March 2027. */
const inWords = (iso: string) => new Date(`${iso}T00:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

export interface NewIcbInput {
  name: string;
  odsCode: string;
}

/** A member practice by ODS code; name, contract type and legal form only for a practice the directory does not know yet. */
export interface MemberPracticeInput {
  odsCode: string;
  name?: string;
  contractType?: ContractType;
  legalForm?: LegalForm;
}

export interface NewPcnInput {
  name: string;
  odsCode: string;
  networkArea: string;
  /** The day the member practices join (core membership). */
  joinedOn: string;
  practices: MemberPracticeInput[];
}

export interface ClinicalDirectorInput {
  fullName: string;
  email: string;
}

export interface OnboardedPcn {
  pcn: OrganisationEntity;
  icb: OrganisationEntity | null;
  practices: { id: string; name: string; odsCode: string; joinedOn: string }[];
  clinicalDirector: { personId: string; fullName: string; email: string; since: string; account: 'ACTIVE' | 'DISABLED' | 'INVITED' | 'NONE' } | null;
}

export interface IcbOverview {
  icb: OrganisationEntity;
  pcns: OnboardedPcn[];
}

export interface IcbSummary {
  icb: OrganisationEntity;
  /** PCNs in the ICB. */
  pcns: number;
  /** Of those, PCNs with no clinical director today. */
  withoutDirector: number;
}

/** The field key of a member practice's detail, in 422 field maps (e.g. practices.A87009.name). */
export const practiceField = (odsCode: string, field: 'odsCode' | 'name' | 'contractType' | 'legalForm') => `practices.${odsCode}.${field}`;

/**
 * Onboarding by a platform admin: an ICB, its PCNs with their member practices (creating the
 * practices the directory does not know yet), and the invitation of each PCN's clinical
 * director (person, CLINICAL_DIRECTOR role, account invitation by email). Each change is one
 * transaction with its audit events (platform chain). Anyone else gets "not found".
 */
@Injectable()
export class OnboardingService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly invitations: InvitationService,
    private readonly accounts: AccountsService,
    private readonly audit: AuditService,
  ) {}

  // ---- reading -------------------------------------------------------------------

  /**
   * Every ICB with how many PCNs it has and how many of them have no clinical director today:
   * one aggregate query, for the onboarding page and `GET /api/v1/icbs`.
   */
  async icbSummaries(principal: Principal): Promise<IcbSummary[]> {
    this.requireAdmin(principal, 'ICB');
    const icbs = await this.dataSource.getRepository(OrganisationEntity).find({ where: { kind: OrganisationKind.Icb }, order: { name: 'ASC' } });
    if (icbs.length === 0) return [];
    const counts: { icbCode: string; pcns: number; withoutDirector: number }[] = await this.dataSource.query(
      `SELECT p.icb_code AS "icbCode", count(*)::int AS pcns,
              count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM person_role r WHERE r.organisation_id = p.id AND r.role = $2
                                                   AND r.valid_from <= $3 AND (r.valid_to IS NULL OR r.valid_to >= $3)))::int AS "withoutDirector"
         FROM organisation p WHERE p.kind = $1 AND p.icb_code = ANY($4) GROUP BY p.icb_code`,
      [OrganisationKind.Pcn, PersonRoleType.ClinicalDirector, todayIso(), icbs.map((i) => i.odsCode)],
    );
    const byCode = new Map(counts.map((c) => [c.icbCode, c]));
    return icbs.map((icb) => ({ icb, pcns: byCode.get(icb.odsCode!)?.pcns ?? 0, withoutDirector: byCode.get(icb.odsCode!)?.withoutDirector ?? 0 }));
  }

  async icb(principal: Principal, icbId: string, em: EntityManager = this.dataSource.manager): Promise<IcbOverview> {
    this.requireAdmin(principal, 'ICB');
    const icb = UUID.test(icbId) ? await em.findOneBy(OrganisationEntity, { id: icbId, kind: OrganisationKind.Icb }) : null;
    if (!icb) throw CommonException.notFound('ICB');
    return { icb, pcns: await this.pcnsIn([icb.odsCode!]) };
  }

  async pcn(principal: Principal, pcnId: string): Promise<OnboardedPcn> {
    this.requireAdmin(principal, 'PCN');
    const pcn = UUID.test(pcnId) ? await this.dataSource.getRepository(OrganisationEntity).findOneBy({ id: pcnId, kind: OrganisationKind.Pcn }) : null;
    if (!pcn) throw CommonException.notFound('PCN');
    return (await this.describePcns([pcn]))[0];
  }

  /** Which of these practice ODS codes the directory does not know yet (the page asks for their details). */
  async unknownPracticeCodes(codes: string[]): Promise<string[]> {
    const wanted = [...new Set(codes.map(code).filter((c) => ODS_PRACTICE.test(c)))];
    if (wanted.length === 0) return [];
    const known = await this.dataSource.getRepository(OrganisationEntity).findBy({ odsCode: In(wanted) });
    const found = new Set(known.map((o) => o.odsCode));
    return wanted.filter((c) => !found.has(c));
  }

  // ---- changes -------------------------------------------------------------------

  async createIcb(principal: Principal, input: NewIcbInput, actor: ActorContext): Promise<OrganisationEntity> {
    this.requireAdmin(principal, 'ICB');
    const name = text(input.name);
    const odsCode = code(input.odsCode);
    const errors: Record<string, string[]> = {};
    if (name.length < 2 || name.length > 200) errors.name = ["Enter the ICB's name, like NHS North East and North Cumbria ICB"];
    if (!ICB_CODE.test(odsCode)) errors.odsCode = ["Enter the ICB's ODS code: Q and two letters or digits, like QHM"];
    if (Object.keys(errors).length) throw new PeopleException(PeopleErrorCode.Invalid, 'Check the ICB details and try again.', errors);
    return this.dataSource.transaction(async (em) => {
      await this.refuseTakenCode(em, odsCode);
      const icb = await this.insert(em, { kind: OrganisationKind.Icb, name, odsCode });
      await this.record(em, principal, actor, AuditEventType.OrganisationOnboarded, icb.id, { kind: icb.kind, odsCode: icb.odsCode, name: icb.name });
      return icb;
    });
  }

  /**
   * Creates a PCN in the ICB with its core member practices, all or nothing. Practices the
   * directory does not know are created from the name, contract type and legal form given.
   */
  async createPcn(principal: Principal, icbId: string, input: NewPcnInput, actor: ActorContext): Promise<OnboardedPcn> {
    this.requireAdmin(principal, 'ICB');
    return this.dataSource.transaction(async (em) => {
      const { icb } = await this.icb(principal, icbId, em);
      const name = text(input.name);
      const odsCode = code(input.odsCode);
      const networkArea = text(input.networkArea);
      const errors: Record<string, string[]> = {};
      if (name.length < 2 || name.length > 200) errors.name = ["Enter the PCN's name, like Stockton Central PCN"];
      if (!PCN_CODE.test(odsCode)) errors.odsCode = ["Enter the PCN's ODS code: U and five digits, like U70101"];
      if (networkArea.length < 3 || networkArea.length > 2000) errors.networkArea = ['Describe the area the PCN covers, like the towns or wards it serves'];
      if (!isDate(input.joinedOn)) errors.joinedOn = ['Enter the date the practices join the PCN, for example 1 4 2026'];
      const practices = this.memberPractices(input.practices, errors);
      const codes = practices.map((p) => p.odsCode);
      const known = codes.length ? await em.findBy(OrganisationEntity, { odsCode: In(codes) }) : [];
      const byCode = new Map(known.map((o) => [o.odsCode!, o]));
      for (const p of practices) {
        const existing = byCode.get(p.odsCode);
        if (existing && existing.kind !== OrganisationKind.GpPractice) (errors.practices ??= []).push(`${p.odsCode} is ${existing.name}, which is not a GP practice`);
        if (existing) continue;
        const practiceName = text(p.name);
        if (practiceName.length < 2 || practiceName.length > 200) errors[practiceField(p.odsCode, 'name')] = [`Enter the name of the practice with ODS code ${p.odsCode}`];
        if (!Object.values(ContractType).includes(p.contractType as ContractType)) errors[practiceField(p.odsCode, 'contractType')] = [`Select the contract of the practice with ODS code ${p.odsCode}: GMS, PMS or APMS`];
        if (!Object.values(LegalForm).includes(p.legalForm as LegalForm)) errors[practiceField(p.odsCode, 'legalForm')] = [`Select how the practice with ODS code ${p.odsCode} is run: a partnership, a sole practitioner or a company`];
      }
      if (Object.keys(errors).length) throw new PeopleException(PeopleErrorCode.Invalid, 'Check the PCN details and try again.', errors);

      await this.refuseTakenCode(em, odsCode);
      await this.refuseCoreMembersElsewhere(em, [...byCode.values()], input.joinedOn);
      const pcn = await this.insert(em, { kind: OrganisationKind.Pcn, name, odsCode, icbCode: icb.odsCode, networkArea });
      await this.record(em, principal, actor, AuditEventType.OrganisationOnboarded, pcn.id, { kind: pcn.kind, odsCode: pcn.odsCode, name: pcn.name, icbCode: pcn.icbCode });
      for (const p of practices) {
        let practice = byCode.get(p.odsCode);
        if (!practice) {
          practice = await this.insert(em, { kind: OrganisationKind.GpPractice, name: text(p.name), odsCode: p.odsCode, contractType: p.contractType!, legalForm: p.legalForm!, subIcbCode: null });
          await this.record(em, principal, actor, AuditEventType.OrganisationOnboarded, practice.id, { kind: practice.kind, odsCode: practice.odsCode, name: practice.name });
        }
        const membership = await em.save(MembershipEntity, em.create(MembershipEntity, { pcnId: pcn.id, practiceId: practice.id, joinedOn: input.joinedOn, type: MembershipType.Core })).catch((error: unknown) => {
          if (pgErrorCode(error) === '23P01' || pgConstraintName(error) === 'membership_one_core_pcn_at_a_time') throw this.alreadyMember(practice!, null);
          throw error;
        });
        await this.record(em, principal, actor, AuditEventType.MembershipAdded, pcn.id, { membershipId: membership.id, organisationId: practice.id, type: MembershipType.Core, joinedOn: membership.joinedOn });
      }
      return (await this.describePcns([pcn], em))[0];
    });
  }

  /**
   * Invites the PCN's clinical director: the person (found by email, or added), their
   * CLINICAL_DIRECTOR role from today, and an invitation to an account with the clinical
   * director's platform role, emailed through the outbox. Someone who already has an account
   * (a partner at a member practice, say) is given the role on it instead of an invitation.
   * Refused (409) while someone holds the role, or when that account is disabled.
   */
  async inviteClinicalDirector(principal: Principal, pcnId: string, input: ClinicalDirectorInput, actor: ActorContext): Promise<{ pcn: OrganisationEntity; person: PersonEntity; invitation: InvitationEntity | null; grantedToUserId: string | null }> {
    this.requireAdmin(principal, 'PCN');
    const fullName = text(input.fullName);
    const email = text(input.email).toLowerCase();
    const errors: Record<string, string[]> = {};
    if (fullName.length < 2 || fullName.length > 200) errors.fullName = ['Enter the clinical director’s full name'];
    if (!EMAIL.test(email) || email.length > 254) errors.email = ['Enter their email address, like name@example.nhs.uk'];
    if (Object.keys(errors).length) throw new PeopleException(PeopleErrorCode.Invalid, 'Check the details and try again.', errors);
    return this.dataSource.transaction(async (em) => {
      const pcn = UUID.test(pcnId) ? await em.findOne(OrganisationEntity, { where: { id: pcnId, kind: OrganisationKind.Pcn }, lock: { mode: 'pessimistic_write' } }) : null;
      if (!pcn) throw CommonException.notFound('PCN');
      const today = todayIso();
      const current = await em
        .getRepository(PersonRoleEntity)
        .createQueryBuilder('r')
        .innerJoinAndSelect('r.person', 'person')
        .where('r.organisation_id = :pcn AND r.role = :cd', { pcn: pcn.id, cd: PersonRoleType.ClinicalDirector })
        .andWhere('r.valid_from <= :today AND (r.valid_to IS NULL OR r.valid_to >= :today)', { today })
        .getOne();
      if (current) {
        throw new DirectoryException(DirectoryErrorCode.ClinicalDirectorInPost, `${current.person!.fullName} is already recorded as the clinical director of ${pcn.name}. Record the end of their role on the PCN's people page first.`, { email: ['This PCN already has a clinical director'] });
      }
      const account = await em.findOneBy(UserEntity, { email });
      if (account?.disabled) {
        throw new DirectoryException(DirectoryErrorCode.DuplicateEmail, `${email} has an account that is disabled. Enable it on the people page of an organisation it belongs to first.`, { email: ['This person’s account is disabled'] });
      }
      let person = account?.personId ? await em.findOneBy(PersonEntity, { id: account.personId }) : await em.findOneBy(PersonEntity, { email });
      if (!person) {
        person = await em.save(PersonEntity, em.create(PersonEntity, { fullName, email, gmcNumber: null }));
        await this.record(em, principal, actor, AuditEventType.PersonAdded, pcn.id, { personId: person.id });
      }
      const role = await em.save(PersonRoleEntity, em.create(PersonRoleEntity, { personId: person.id, organisationId: pcn.id, role: PersonRoleType.ClinicalDirector, validFrom: today, validTo: null, signsForOrganisation: false }));
      await this.record(em, principal, actor, AuditEventType.PersonRoleAdded, pcn.id, { personRoleId: role.id, personId: person.id, role: role.role, validFrom: role.validFrom, validTo: null });
      const grant = { role: UserRole.ClinicalDirector, organisationId: pcn.id, icbCode: null };
      if (account) {
        if (await this.accounts.grant(em, account.id, grant, principal.id)) await this.record(em, principal, actor, AuditEventType.RoleGranted, pcn.id, { userId: account.id, role: grant.role });
        return { pcn, person, invitation: null, grantedToUserId: account.id };
      }
      const invitation = await this.invitations.create(em, {
        email: person.email,
        displayName: person.fullName,
        personId: person.id,
        organisationId: pcn.id,
        grants: [grant],
        invitedBy: { id: principal.id, displayName: principal.displayName },
      });
      await this.record(em, principal, actor, AuditEventType.UserInvited, pcn.id, { invitationId: invitation.id, personId: person.id, role: UserRole.ClinicalDirector });
      return { pcn, person, invitation, grantedToUserId: null };
    });
  }

  // ---- helpers -------------------------------------------------------------------

  private requireAdmin(principal: Principal, what: string): void {
    if (!isPlatformAdmin(principal)) throw CommonException.notFound(what);
  }

  /** Member practices by ODS code, each once (upper-cased); a malformed or missing list goes in `errors.practices`. */
  private memberPractices(list: MemberPracticeInput[] | undefined, errors: Record<string, string[]>): MemberPracticeInput[] {
    const out = new Map<string, MemberPracticeInput>();
    for (const p of Array.isArray(list) ? list : []) {
      const odsCode = code(p?.odsCode);
      if (!ODS_PRACTICE.test(odsCode)) (errors.practices ??= []).push(`${odsCode || 'A blank code'} is not a GP practice ODS code: one letter and five digits, like A87001`);
      else if (!out.has(odsCode)) out.set(odsCode, { ...p, odsCode });
    }
    if (out.size === 0 && !errors.practices) errors.practices = ['Enter the ODS code of at least one member practice'];
    return [...out.values()];
  }

  private async refuseTakenCode(em: EntityManager, odsCode: string): Promise<void> {
    const taken = await em.findOneBy(OrganisationEntity, { odsCode });
    if (taken) throw this.duplicate(odsCode, taken.name);
  }

  private duplicate(odsCode: string, name: string | null) {
    return new DirectoryException(DirectoryErrorCode.DuplicateCode, `The ODS code ${odsCode} is already registered${name ? ` to ${name}` : ''}. Check the code, or find that organisation instead of adding it again.`, { odsCode: [`${odsCode} is already registered${name ? ` to ${name}` : ''}`] });
  }

  /** A practice can be a core member of one PCN at a time: refuse, in words, those already members on or after the date. */
  private async refuseCoreMembersElsewhere(em: EntityManager, practices: OrganisationEntity[], joinedOn: string): Promise<void> {
    if (practices.length === 0) return;
    const clashes = await em
      .getRepository(MembershipEntity)
      .createQueryBuilder('m')
      .innerJoinAndSelect('m.pcn', 'pcn')
      .where('m.practice_id IN (:...ids) AND m.type = :core', { ids: practices.map((p) => p.id), core: MembershipType.Core })
      .andWhere('(m.left_on IS NULL OR m.left_on >= :joinedOn)', { joinedOn })
      .getMany();
    if (clashes.length === 0) return;
    const byId = new Map(practices.map((p) => [p.id, p]));
    const lines = clashes.map((c) => {
      const practice = byId.get(c.practiceId)!;
      return `${practice.name} (${practice.odsCode}) is a core member of ${c.pcn?.name ?? 'another PCN'}${c.leftOn ? ` until ${inWords(c.leftOn)}` : ''}`;
    });
    throw this.alreadyMember(byId.get(clashes[0].practiceId)!, clashes[0].pcn?.name ?? null, lines);
  }

  private alreadyMember(practice: OrganisationEntity, pcnName: string | null, lines?: string[]) {
    return new DirectoryException(
      DirectoryErrorCode.AlreadyCoreMember,
      `${practice.name} (${practice.odsCode}) is already a core member of ${pcnName ?? 'a PCN'} on that date. A practice belongs to one PCN at a time: end that membership first.`,
      { practices: lines ?? [`${practice.name} (${practice.odsCode}) is already a core member of a PCN on that date`] },
    );
  }

  private async insert(em: EntityManager, values: Partial<OrganisationEntity>): Promise<OrganisationEntity> {
    try {
      return await em.save(OrganisationEntity, em.create(OrganisationEntity, values));
    } catch (error) {
      // Two admins adding the same code at once: the unique index decides.
      if (pgErrorCode(error) === '23505') throw this.duplicate(values.odsCode ?? '', null);
      throw error;
    }
  }

  private async pcnsIn(icbCodes: string[]): Promise<OnboardedPcn[]> {
    if (icbCodes.length === 0) return [];
    const pcns = await this.dataSource.getRepository(OrganisationEntity).find({ where: { kind: OrganisationKind.Pcn, icbCode: In(icbCodes) }, order: { name: 'ASC' } });
    return this.describePcns(pcns);
  }

  /** Each PCN with its ICB, current core practices and clinical director (and whether they have an account or an invitation). */
  private async describePcns(pcns: OrganisationEntity[], em: EntityManager = this.dataSource.manager): Promise<OnboardedPcn[]> {
    if (pcns.length === 0) return [];
    const today = todayIso();
    const ids = pcns.map((p) => p.id);
    const icbs = await em.findBy(OrganisationEntity, { kind: OrganisationKind.Icb, odsCode: In([...new Set(pcns.map((p) => p.icbCode).filter((c): c is string => !!c))]) });
    const members = await em
      .getRepository(MembershipEntity)
      .createQueryBuilder('m')
      .innerJoinAndSelect('m.practice', 'practice')
      .where('m.pcn_id IN (:...ids) AND m.type = :core', { ids, core: MembershipType.Core })
      .andWhere('(m.left_on IS NULL OR m.left_on >= :today)', { today })
      .orderBy('practice.name')
      .getMany();
    const directors = await em
      .getRepository(PersonRoleEntity)
      .createQueryBuilder('r')
      .innerJoinAndSelect('r.person', 'person')
      .where('r.organisation_id IN (:...ids) AND r.role = :cd', { ids, cd: PersonRoleType.ClinicalDirector })
      .andWhere('r.valid_from <= :today AND (r.valid_to IS NULL OR r.valid_to >= :today)', { today })
      .getMany();
    const emails = directors.map((d) => d.person!.email);
    const accounts = emails.length ? await em.findBy(UserEntity, { email: In(emails) }) : [];
    const invited = await this.invitations.openForOrganisations(ids);
    // Looked up by key, not searched per PCN: the national list describes every PCN in England at once.
    const firstBy = <T>(rows: T[], key: (row: T) => string | null | undefined) => {
      const map = new Map<string, T>();
      for (const row of rows) {
        const k = key(row);
        if (k != null && !map.has(k)) map.set(k, row);
      }
      return map;
    };
    const directorOf = firstBy(directors, (d) => d.organisationId);
    const accountOf = firstBy(accounts, (a) => a.email);
    const invitationOf = firstBy(invited, (i) => i.email);
    const icbOf = firstBy(icbs, (i) => i.odsCode);
    const membersOf = new Map<string, MembershipEntity[]>();
    for (const m of members) {
      const list = membersOf.get(m.pcnId);
      if (list) list.push(m);
      else membersOf.set(m.pcnId, [m]);
    }
    return pcns.map((pcn) => {
      const cd = directorOf.get(pcn.id);
      const account = cd ? accountOf.get(cd.person!.email) : undefined;
      const invitation = cd ? invitationOf.get(cd.person!.email) : undefined;
      return {
        pcn,
        icb: (pcn.icbCode ? icbOf.get(pcn.icbCode) : undefined) ?? null,
        practices: (membersOf.get(pcn.id) ?? []).map((m) => ({ id: m.practiceId, name: m.practice!.name, odsCode: m.practice!.odsCode!, joinedOn: m.joinedOn })),
        clinicalDirector: cd
          ? { personId: cd.personId, fullName: cd.person!.fullName, email: cd.person!.email, since: cd.validFrom, account: account ? (account.disabled ? 'DISABLED' : 'ACTIVE') : invitation ? 'INVITED' : 'NONE' }
          : null,
      };
    });
  }

  private record(em: EntityManager, principal: Principal, actor: ActorContext, type: AuditEventType, organisationId: string, payload: Record<string, unknown>) {
    return this.audit.record(em, { type, actor, actorName: principal.displayName, organisationId, payload });
  }
}

