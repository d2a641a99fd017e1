import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { auditorScope, isPlatformAdmin, organisationsWithRole, Principal, UserRole } from '@pcn/auth';
import { CommonException, Page, pageLimit, pageOf, PageRequest } from '@pcn/common';
import { pgConstraintName, pgErrorCode } from '@pcn/database';
import { OrganisationEntity } from './organisations/organisation.entity';
import { MembershipEntity } from './memberships/membership.entity';
import { PersonEntity } from './people/person.entity';
import { PersonRoleEntity } from './people/person-role.entity';
import { DirectoryErrorCode, DirectoryException } from './directory.exception';
import { LegalForm, MembershipType, OrganisationKind, PersonRoleType } from './directory.enums';
import { AddMembershipDto, AddPersonRoleDto, CreatePartnerOrganisationDto, CreatePcnDto, CreatePersonDto, CreatePracticeDto, EndMembershipDto, OrganisationSearchQuery } from './dto/directory.dto';

export type PcnAccessMode = 'read' | 'draft';

export interface MemberPractice {
  membershipId: string;
  organisationId: string;
  odsCode: string;
  name: string;
  listSize: number;
  listSizeDate: string | null;
  legalForm: LegalForm;
  joinedOn: string;
}

const todayIso = () => new Date().toISOString().slice(0, 10);

/** Organisations or PCNs per page of a directory list when the caller names no limit (up to PAGE_LIMIT_MAX with `limit`). */
export const DIRECTORY_PAGE_DEFAULT = 50;

@Injectable()
export class DirectoryService {
  constructor(
    @InjectRepository(OrganisationEntity) private readonly organisations: Repository<OrganisationEntity>,
    @InjectRepository(MembershipEntity) private readonly memberships: Repository<MembershipEntity>,
    @InjectRepository(PersonEntity) private readonly people: Repository<PersonEntity>,
    @InjectRepository(PersonRoleEntity) private readonly personRoles: Repository<PersonRoleEntity>,
  ) {}

  // ---- organisations -------------------------------------------------------

  createPractice(dto: CreatePracticeDto): Promise<OrganisationEntity> {
    return this.insertOrganisation({ ...dto, kind: OrganisationKind.GpPractice });
  }

  createPcn(dto: CreatePcnDto): Promise<OrganisationEntity> {
    const { code, ...rest } = dto;
    return this.insertOrganisation({ ...rest, odsCode: code ?? null, kind: OrganisationKind.Pcn });
  }

  createPartnerOrganisation(dto: CreatePartnerOrganisationDto): Promise<OrganisationEntity> {
    return this.insertOrganisation({ ...dto, kind: dto.kind as OrganisationKind });
  }

  private async insertOrganisation(values: Partial<OrganisationEntity>): Promise<OrganisationEntity> {
    try {
      return await this.organisations.save(this.organisations.create(values));
    } catch (error) {
      if (pgErrorCode(error) === '23505') {
        throw new DirectoryException(DirectoryErrorCode.DuplicateCode, `An organisation with ODS code ${values.odsCode} already exists.`, {
          odsCode: ['This ODS code is already registered.'],
        });
      }
      throw error;
    }
  }

  async getOrganisation(id: string): Promise<OrganisationEntity> {
    const org = await this.organisations.findOneBy({ id });
    if (!org) throw new DirectoryException(DirectoryErrorCode.OrganisationNotFound, 'That organisation was not found.');
    return org;
  }

  organisationsByIds(ids: string[], em?: EntityManager): Promise<OrganisationEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return (em?.getRepository(OrganisationEntity) ?? this.organisations).findBy({ id: In([...new Set(ids)]) });
  }

  /** Organisations by kind and name or ODS code, by name, a page at a time: keyset on (name, id). */
  async searchOrganisations(query: OrganisationSearchQuery): Promise<Page<OrganisationEntity>> {
    const limit = pageLimit(query, DIRECTORY_PAGE_DEFAULT);
    const qb = this.organisations.createQueryBuilder('o').orderBy('o.name').addOrderBy('o.id').limit(limit + 1);
    if (query.kind) qb.andWhere('o.kind = :kind', { kind: query.kind });
    if (query.q) qb.andWhere('(o.name ILIKE :q OR o.ods_code ILIKE :q)', { q: `%${query.q.replace(/[%_\\]/g, '\\$&')}%` });
    if (query.after) qb.andWhere('(o.name, o.id) > (SELECT c.name, c.id FROM organisation c WHERE c.id = :after)', { after: query.after });
    return pageOf(await qb.getMany(), limit, (o) => o.id);
  }

  // ---- PCNs and memberships ------------------------------------------------

  async getPcn(pcnId: string, em?: EntityManager): Promise<OrganisationEntity> {
    const org = await (em?.getRepository(OrganisationEntity) ?? this.organisations).findOneBy({ id: pcnId });
    if (!org || org.kind !== OrganisationKind.Pcn) throw CommonException.notFound('PCN');
    return org;
  }

  /** PCNs the user may see, for lists. Resource checks use requirePcnAccess. */
  async listVisiblePcns(principal: Principal): Promise<OrganisationEntity[]> {
    const qb = await this.visiblePcnsQuery(principal);
    return qb ? qb.getMany() : [];
  }

  /** The same PCNs a page at a time, by name: keyset on (name, id). */
  async visiblePcnsPage(principal: Principal, page: PageRequest = {}, fallbackLimit = DIRECTORY_PAGE_DEFAULT): Promise<Page<OrganisationEntity>> {
    const qb = await this.visiblePcnsQuery(principal);
    if (!qb) return { items: [], next: null };
    const limit = pageLimit(page, fallbackLimit);
    qb.addOrderBy('o.id').limit(limit + 1);
    if (page.after) qb.andWhere('(o.name, o.id) > (SELECT c.name, c.id FROM organisation c WHERE c.id = :after)', { after: page.after });
    return pageOf(await qb.getMany(), limit, (o) => o.id);
  }

  /** PCNs by name, narrowed to what the user may see; null when they may see none. */
  private async visiblePcnsQuery(principal: Principal) {
    const qb = this.organisations.createQueryBuilder('o').where('o.kind = :kind', { kind: OrganisationKind.Pcn }).orderBy('o.name');
    if (isPlatformAdmin(principal)) return qb;
    const ids = await this.readablePcnIds(principal);
    const scope = auditorScope(principal);
    if (scope === 'all') return qb;
    if (ids.length === 0 && scope.length === 0) return null;
    return qb.andWhere('(o.id IN (:...ids) OR o.icb_code IN (:...icbs))', { ids: ids.length ? ids : [null], icbs: scope.length ? scope : [null] });
  }

  /**
   * Throws "not found" unless the user may read (or draft for) this PCN, so a user
   * cannot learn that another PCN's records exist.
   */
  async requirePcnAccess(principal: Principal, pcnId: string, mode: PcnAccessMode, em?: EntityManager): Promise<OrganisationEntity> {
    const pcn = await this.getPcn(pcnId, em);
    if (this.draftsFor(principal, pcnId)) return pcn;
    if (mode === 'read') {
      const scope = auditorScope(principal);
      if (scope === 'all' || (pcn.icbCode && scope.includes(pcn.icbCode))) return pcn;
      if ((await this.readablePcnIds(principal)).includes(pcnId)) return pcn;
    }
    throw CommonException.notFound('PCN');
  }

  /** Whether the user may draft for this (existing) PCN: what requirePcnAccess(…, 'draft') allows, without reading it. */
  draftsFor(principal: Principal, pcnId: string): boolean {
    return isPlatformAdmin(principal) || organisationsWithRole(principal, UserRole.ClinicalDirector, UserRole.PcnManager).includes(pcnId);
  }

  private async readablePcnIds(principal: Principal): Promise<string[]> {
    const pcnRoles = organisationsWithRole(principal, UserRole.ClinicalDirector, UserRole.PcnManager);
    const practices = organisationsWithRole(principal, UserRole.PracticeSignatory, UserRole.PracticeManager);
    if (practices.length === 0) return pcnRoles;
    const today = todayIso();
    const rows = await this.memberships
      .createQueryBuilder('m')
      .select('DISTINCT m.pcn_id', 'pcnId')
      .where('m.practice_id IN (:...practices) AND m.type = :core', { practices, core: MembershipType.Core })
      .andWhere('m.joined_on <= :today AND (m.left_on IS NULL OR m.left_on >= :today)', { today })
      .getRawMany<{ pcnId: string }>();
    return [...new Set([...pcnRoles, ...rows.map((r) => r.pcnId)])];
  }

  async addMembership(pcnId: string, dto: AddMembershipDto): Promise<MembershipEntity> {
    await this.getPcn(pcnId);
    const practice = await this.getOrganisation(dto.practiceId);
    if (practice.kind !== OrganisationKind.GpPractice) {
      throw new DirectoryException(DirectoryErrorCode.NotAPractice, `${practice.name} is not a GP practice, so it cannot be a core member.`, { practiceId: ['Choose a GP practice.'] });
    }
    try {
      return await this.memberships.save(this.memberships.create({ pcnId, practiceId: practice.id, joinedOn: dto.joinedOn }));
    } catch (error) {
      if (pgErrorCode(error) === '23P01' || pgConstraintName(error) === 'membership_one_core_pcn_at_a_time') {
        throw new DirectoryException(
          DirectoryErrorCode.AlreadyCoreMember,
          `${practice.name} (${practice.odsCode}) is already a core member of a PCN on ${dto.joinedOn}. End that membership first.`,
          { practiceId: ['This practice is already a core member of a PCN for an overlapping period.'] },
        );
      }
      throw error;
    }
  }

  async endMembership(pcnId: string, membershipId: string, dto: EndMembershipDto): Promise<MembershipEntity> {
    const membership = await this.memberships.findOneBy({ id: membershipId, pcnId });
    if (!membership) throw new DirectoryException(DirectoryErrorCode.MembershipNotFound, 'That membership was not found in this PCN.');
    if (dto.leftOn < membership.joinedOn) {
      throw new DirectoryException(DirectoryErrorCode.InvalidDates, 'A practice cannot leave before it joined.', { leftOn: [`leftOn must be on or after ${membership.joinedOn}.`] });
    }
    membership.leftOn = dto.leftOn;
    membership.exitReason = dto.exitReason;
    return this.memberships.save(membership);
  }

  /** Core practices of the PCN on `onDate` (default today), with their list sizes. */
  async currentMembers(pcnId: string, onDate = todayIso(), em?: EntityManager): Promise<MemberPractice[]> {
    const rows = await (em?.getRepository(MembershipEntity) ?? this.memberships)
      .createQueryBuilder('m')
      .innerJoinAndSelect('m.practice', 'p')
      .where('m.pcn_id = :pcnId AND m.type = :core', { pcnId, core: MembershipType.Core })
      .andWhere('m.joined_on <= :onDate AND (m.left_on IS NULL OR m.left_on >= :onDate)', { onDate })
      .orderBy('p.name')
      .getMany();
    return rows.map((m) => ({
      membershipId: m.id,
      organisationId: m.practiceId,
      odsCode: m.practice!.odsCode!,
      name: m.practice!.name,
      listSize: m.practice!.listSize ?? 0,
      listSizeDate: m.practice!.listSizeDate,
      legalForm: m.practice!.legalForm!,
      joinedOn: m.joinedOn,
    }));
  }

  membershipHistory(pcnId: string): Promise<MembershipEntity[]> {
    return this.memberships.find({ where: { pcnId, type: MembershipType.Core }, relations: { practice: true }, order: { joinedOn: 'ASC' } });
  }

  // ---- people --------------------------------------------------------------

  async createPerson(dto: CreatePersonDto): Promise<PersonEntity> {
    try {
      return await this.people.save(this.people.create({ ...dto, email: dto.email.toLowerCase(), gmcNumber: dto.gmcNumber ?? null }));
    } catch (error) {
      if (pgErrorCode(error) === '23505') {
        throw new DirectoryException(DirectoryErrorCode.DuplicateEmail, `A person with email ${dto.email} already exists.`, { email: ['This email is already registered.'] });
      }
      throw error;
    }
  }

  async addPersonRole(personId: string, dto: AddPersonRoleDto): Promise<PersonRoleEntity> {
    const person = await this.people.findOneBy({ id: personId });
    if (!person) throw CommonException.notFound('Person');
    await this.getOrganisation(dto.organisationId);
    if (dto.validTo && dto.validTo < dto.validFrom) {
      throw new DirectoryException(DirectoryErrorCode.InvalidDates, 'A role cannot end before it starts.', { validTo: [`validTo must be on or after ${dto.validFrom}.`] });
    }
    return this.personRoles.save(this.personRoles.create({ ...dto, personId, validTo: dto.validTo ?? null, signsForOrganisation: dto.signsForOrganisation ?? false }));
  }

  /** People holding any of `roles` in these organisations on `onDate`. */
  async peopleWithRoles(organisationIds: string[], roles: PersonRoleType[], onDate = todayIso(), em?: EntityManager): Promise<(PersonRoleEntity & { person: PersonEntity })[]> {
    if (organisationIds.length === 0) return [];
    // Given a transaction's manager, read in its snapshot (not on another pool connection).
    const rows = await (em?.getRepository(PersonRoleEntity) ?? this.personRoles)
      .createQueryBuilder('r')
      .innerJoinAndSelect('r.person', 'person')
      .where('r.organisation_id IN (:...organisationIds) AND r.role IN (:...roles)', { organisationIds, roles })
      .andWhere('r.valid_from <= :onDate AND (r.valid_to IS NULL OR r.valid_to >= :onDate)', { onDate })
      .orderBy('person.full_name')
      .getMany();
    return rows as (PersonRoleEntity & { person: PersonEntity })[];
  }

  async getPersonWithRoles(personId: string): Promise<{ person: PersonEntity; roles: PersonRoleEntity[] }> {
    const person = await this.people.findOneBy({ id: personId });
    if (!person) throw CommonException.notFound('Person');
    const roles = await this.personRoles.find({ where: { personId }, relations: { organisation: true }, order: { validFrom: 'ASC' } });
    return { person, roles };
  }
}
