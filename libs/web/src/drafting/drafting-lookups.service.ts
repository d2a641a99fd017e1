import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { AgreementContent, AgreementStatus, referencedOrganisationIds } from '@pcn/agreements';
import { UserEntity } from '@pcn/auth';
import { DirectoryService, NON_GP_KINDS, OrganisationEntity, OrganisationKind, PersonRoleType } from '@pcn/directory';
import type { OrganisationOption } from './form-model';

export const STATUS_LABELS: Record<AgreementStatus, { text: string; colour: string }> = {
  [AgreementStatus.Draft]: { text: 'Draft', colour: 'nhsuk-tag--grey' },
  [AgreementStatus.InIgReview]: { text: 'Information governance review', colour: 'nhsuk-tag--blue' },
  [AgreementStatus.AwaitingSignatures]: { text: 'Waiting for signatures', colour: 'nhsuk-tag--blue' },
  [AgreementStatus.Executed]: { text: 'Signed and sealed', colour: 'nhsuk-tag--green' },
  [AgreementStatus.Expired]: { text: 'Expired before everyone signed', colour: 'nhsuk-tag--red' },
  [AgreementStatus.Superseded]: { text: 'Replaced by a variation', colour: 'nhsuk-tag--white' },
  [AgreementStatus.Terminated]: { text: 'Ended', colour: 'nhsuk-tag--white' },
};

const KIND_WORDS: Partial<Record<OrganisationKind, string>> = {
  [OrganisationKind.NhsTrust]: 'NHS trust',
  [OrganisationKind.CommunityPharmacy]: 'Community pharmacy',
  [OrganisationKind.Federation]: 'GP federation',
  [OrganisationKind.PcnCompany]: 'PCN company',
  [OrganisationKind.Vcse]: 'Voluntary, community or social enterprise',
  [OrganisationKind.LocalAuthority]: 'Local authority',
  [OrganisationKind.Other]: 'Other organisation',
};

export const organisationText = (o: { name: string; odsCode?: string | null }) => (o.odsCode ? `${o.name} (${o.odsCode})` : o.name);

/** Read-only look-ups the drafting pages need to show names instead of ids. */
@Injectable()
export class DraftingLookups {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly directory: DirectoryService,
  ) {}

  /** Organisations a drafter may choose: the PCN's member practices, then non-GP organisations, then any other the content names. */
  async organisationOptions(pcnId: string, content?: AgreementContent): Promise<OrganisationOption[]> {
    const members = await this.directory.currentMembers(pcnId);
    const nonGp = await this.dataSource.getRepository(OrganisationEntity).find({ where: { kind: In([...NON_GP_KINDS]) }, order: { name: 'ASC' }, take: 500 });
    const options: OrganisationOption[] = [
      ...members.map((m) => ({ id: m.organisationId, text: organisationText(m), group: 'member' as const })),
      ...nonGp.map((o) => ({ id: o.id, text: organisationText(o), group: 'nonGp' as const })),
    ];
    const known = new Set(options.map((o) => o.id));
    const missing = content ? referencedOrganisationIds(content).filter((id) => !known.has(id)) : [];
    for (const o of await this.directory.organisationsByIds(missing)) options.push({ id: o.id, text: organisationText(o), group: 'other' });
    return options;
  }

  /** User id → display name, for "saved by". */
  async userNames(ids: (string | null)[]): Promise<Map<string, string>> {
    const wanted = [...new Set(ids.filter((id): id is string => !!id))];
    if (wanted.length === 0) return new Map();
    const users = await this.dataSource.getRepository(UserEntity).find({ where: { id: In(wanted) }, select: { id: true, displayName: true } });
    return new Map(users.map((u) => [u.id, u.displayName]));
  }

  /** The PCN overview: members with partners and signatories, and non-GP organisations named in its agreements. */
  async pcnOverview(pcnId: string, contents: AgreementContent[]) {
    const members = await this.directory.currentMembers(pcnId);
    const roles = await this.directory.peopleWithRoles(
      members.map((m) => m.organisationId),
      [PersonRoleType.Partner, PersonRoleType.Director, PersonRoleType.SolePractitioner, PersonRoleType.PracticeManager, PersonRoleType.Dpo, PersonRoleType.CaldicottGuardian],
    );
    const ROLE_WORDS: Partial<Record<PersonRoleType, string>> = {
      [PersonRoleType.Partner]: 'Partner',
      [PersonRoleType.Director]: 'Director',
      [PersonRoleType.SolePractitioner]: 'Sole practitioner',
      [PersonRoleType.PracticeManager]: 'Practice manager',
      [PersonRoleType.Dpo]: 'Data Protection Officer',
      [PersonRoleType.CaldicottGuardian]: 'Caldicott Guardian',
    };
    const signing = new Set<string>([PersonRoleType.Partner, PersonRoleType.Director, PersonRoleType.SolePractitioner]);
    const practices = members.map((m) => {
      const people = new Map<string, { name: string; roles: string[]; signs: boolean; signsForOrganisation: boolean }>();
      for (const r of roles.filter((x) => x.organisationId === m.organisationId)) {
        const p = people.get(r.personId) ?? { name: r.person.fullName, roles: [], signs: false, signsForOrganisation: false };
        p.roles.push(ROLE_WORDS[r.role] ?? r.role);
        if (signing.has(r.role)) p.signs = true;
        if (r.signsForOrganisation) p.signsForOrganisation = true;
        people.set(r.personId, p);
      }
      const list = [...people.values()];
      const authorised = list.filter((p) => p.signsForOrganisation && p.signs);
      const signatories = authorised.length > 0 ? authorised : list.filter((p) => p.signs);
      return {
        name: m.name,
        odsCode: m.odsCode,
        listSize: m.listSize,
        listSizeDate: m.listSizeDate,
        legalForm: m.legalForm === 'PARTNERSHIP' ? 'Partnership' : m.legalForm === 'SOLE_TRADER' ? 'Sole trader' : m.legalForm === 'COMPANY' ? 'Company' : 'Not recorded',
        joinedOn: m.joinedOn,
        people: list,
        signatories: signatories.map((p) => p.name),
        signingRule:
          m.legalForm === 'COMPANY'
            ? 'Any one director signs for the company.'
            : m.legalForm === 'SOLE_TRADER'
              ? 'The sole practitioner signs.'
              : authorised.length > 0
                ? 'The partner recorded with authority signs for the partnership.'
                : 'Every partner signs.',
      };
    });
    const memberIds = new Set(members.map((m) => m.organisationId));
    const ids = [...new Set(contents.flatMap((c) => referencedOrganisationIds(c)))].filter((id) => !memberIds.has(id));
    const partners = (await this.directory.organisationsByIds(ids))
      .filter((o) => (NON_GP_KINDS as readonly string[]).includes(o.kind))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((o) => ({ name: organisationText(o), kind: KIND_WORDS[o.kind] ?? 'Organisation' }));
    return { practices, totalListSize: members.reduce((sum, m) => sum + m.listSize, 0), partners };
  }
}
