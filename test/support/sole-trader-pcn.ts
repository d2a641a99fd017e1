import { AgreementContent, AgreementsService } from '@pcn/agreements';
import { UserRole } from '@pcn/auth';
import { DirectoryService, LegalForm, PersonRoleType } from '@pcn/directory';
import { buildValidContent } from '../../libs/agreements/src/content/testing/content.factory';
import { ADMIN_PRINCIPAL, createPcnWithPractices, createPerson, createUserWithGrants, SEED_ACTOR, TestUser } from './factories';
import type { TestApp } from './test-app';

export interface SoleTraderSigner {
  personId: string;
  practiceId: string;
  fullName: string;
  user: TestUser;
}

export interface SoleTraderPcn {
  pcnId: string;
  agreementId: string;
  signers: SoleTraderSigner[];
  clinicalDirector: TestUser;
}

/**
 * A PCN of `n` sole-trader practices and a draft with no annex: one signer per practice,
 * so with no countersignature the last step is `n` signers acting in parallel.
 */
export async function createSoleTraderPcn(t: TestApp, n: number): Promise<SoleTraderPcn> {
  const directory = t.app.get(DirectoryService);
  const { pcn, practices } = await createPcnWithPractices(t, { practices: n, legalForms: [LegalForm.SoleTrader], listSizes: [2000] });
  const signers: SoleTraderSigner[] = [];
  for (const practice of practices) {
    const person = await createPerson(t, `Dr Sole ${practice.odsCode}`);
    await directory.addPersonRole(person.id, { organisationId: practice.id, role: PersonRoleType.SolePractitioner, validFrom: '2020-04-01' });
    const user = await createUserWithGrants(t, [{ role: UserRole.PracticeSignatory, organisationId: practice.id, icbCode: null }], { personId: person.id });
    signers.push({ personId: person.id, practiceId: practice.id, fullName: person.fullName, user });
  }
  const clinicalDirector = await createUserWithGrants(t, [{ role: UserRole.ClinicalDirector, organisationId: pcn.id, icbCode: null }]);
  const base = buildValidContent();
  const content: AgreementContent = {
    ...base,
    schedules: {
      ...base.schedules,
      keyDetails: {
        ...base.schedules.keyDetails,
        clinicalDirector: { ...base.schedules.keyDetails.clinicalDirector, personId: undefined },
        payee: { arrangement: base.schedules.keyDetails.payee.arrangement, organisationId: practices[0].id },
      },
      activities: [],
      finances: { ...base.schedules.finances, payeeOrganisationId: practices[0].id, distributionBasis: 'EQUAL_SHARES' as never, shares: undefined },
      workforce: { arrsPosts: [] },
      nonGpArrangements: [],
    },
    annexes: [],
  };
  const saved = await t.app.get(AgreementsService).create(ADMIN_PRINCIPAL, pcn.id, { content }, SEED_ACTOR);
  return { pcnId: pcn.id, agreementId: saved.agreement.id, signers, clinicalDirector };
}
