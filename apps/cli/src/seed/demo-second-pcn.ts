import { AuthService, UserRole } from '@pcn/auth';
import { ContractType, DirectoryService, LegalForm, OrganisationEntity, PersonRoleType } from '@pcn/directory';
import { DataSource } from 'typeorm';
import { DGS_PCNS } from './demo-directory';

/** A second PCN with its own clinical director, partners and practice manager, so tenancy can be tried by hand. */
export const SECOND_PCN = {
  pcnCode: DGS_PCNS[0].code,
  practice: { name: 'Dartford Health Centre', odsCode: 'G82101' },
  people: [
    { fullName: 'Dr Leah Bennett', email: 'leah.bennett@dartford.demo.nhs.uk', roles: [PersonRoleType.Partner, PersonRoleType.ClinicalDirector], account: 'cd' as const },
    { fullName: 'Dr Marcus Hale', email: 'marcus.hale@dartford.demo.nhs.uk', roles: [PersonRoleType.Partner, PersonRoleType.CaldicottGuardian], account: 'signatory' as const },
    { fullName: 'Sarah Quinn', email: 'sarah.quinn@dartford.demo.nhs.uk', roles: [PersonRoleType.PracticeManager, PersonRoleType.Dpo], account: 'manager' as const },
  ],
};

export interface SecondPcnData {
  pcnId: string;
  practiceId: string;
  /** User id by email. */
  users: Map<string, string>;
}

/**
 * Adds Dartford Health Centre to Dartford Central PCN (created by loadDemoData) with users for
 * its clinical director, a partner and the practice manager; links the BYTES demo's partner
 * organisations to BYTES PCN as partners (so BYTES can invite their people).
 */
export async function loadSecondPcn(deps: { directory: DirectoryService; auth: AuthService; dataSource: DataSource }, password: string, bytesPartnerIds: string[] = []): Promise<SecondPcnData> {
  const { directory, auth, dataSource } = deps;
  const pcn = await dataSource.getRepository(OrganisationEntity).findOneByOrFail({ odsCode: SECOND_PCN.pcnCode });
  const practice = await directory.createPractice({ name: SECOND_PCN.practice.name, odsCode: SECOND_PCN.practice.odsCode, contractType: ContractType.Gms, legalForm: LegalForm.Partnership, listSize: 9800, listSizeDate: '2026-04-01' });
  await directory.addMembership(pcn.id, { practiceId: practice.id, joinedOn: '2019-07-01' });
  const users = new Map<string, string>();
  for (const member of SECOND_PCN.people) {
    const person = await directory.createPerson({ fullName: member.fullName, email: member.email });
    for (const role of member.roles) await directory.addPersonRole(person.id, { organisationId: role === PersonRoleType.ClinicalDirector ? pcn.id : practice.id, role, validFrom: '2019-07-01' });
    const grants =
      member.account === 'cd'
        ? [{ role: UserRole.ClinicalDirector, organisationId: pcn.id, icbCode: null }, { role: UserRole.PracticeSignatory, organisationId: practice.id, icbCode: null }]
        : [{ role: member.account === 'manager' ? UserRole.PracticeManager : UserRole.PracticeSignatory, organisationId: practice.id, icbCode: null }];
    const user = await auth.createUser({ email: member.email, displayName: member.fullName, password, personId: person.id, grants });
    users.set(member.email, user.id);
  }
  const bytes = await dataSource.getRepository(OrganisationEntity).findOneByOrFail({ odsCode: 'U70101' });
  for (const id of bytesPartnerIds) await dataSource.query(`INSERT INTO membership (pcn_id, practice_id, type, joined_on) VALUES ($1, $2, 'PARTNER', '2019-07-01')`, [bytes.id, id]);
  return { pcnId: pcn.id, practiceId: practice.id, users };
}
