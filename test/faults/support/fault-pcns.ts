import { AgreementContent, AgreementsService } from '@pcn/agreements';
import { UserRole } from '@pcn/auth';
import { DirectoryService, LegalForm, OrganisationEntity, PersonRoleType } from '@pcn/directory';
import { buildValidContent } from '../../../libs/agreements/src/content/testing/content.factory';
import { ADMIN_PRINCIPAL, createPcnWithPractices, createPerson, createUserWithGrants, SEED_ACTOR, TestUser } from '../../support/factories';
import type { TestApp } from '../../support/test-app';

export interface FaultSigner {
  personId: string;
  fullName: string;
  email: string;
  user: TestUser;
}

export interface FaultPcn {
  index: number;
  pcnId: string;
  agreementId: string;
  /** One per practice, in practice order. */
  signers: FaultSigner[];
  clinicalDirector: TestUser;
}

export interface FaultPcnOptions {
  pcns: number;
  practicesPerPcn: number;
  /** PCNs sharing one set of accounts: each sign-in costs an argon2 hash and verify (~1 s on a busy machine). */
  pcnsPerAccount: number;
}

/**
 * `pcns` PCNs of sole-trader practices with a draft each (no annex): one signer per
 * practice, so a round without countersignature is one step of parallel signatures. The
 * sole practitioner of practice k is the same person in every PCN of a group, so a group
 * costs `practicesPerPcn + 1` accounts rather than one per practice.
 */
export async function createFaultPcns(t: TestApp, options: FaultPcnOptions): Promise<FaultPcn[]> {
  const directory = t.app.get(DirectoryService);
  const result: FaultPcn[] = [];
  for (let first = 0; first < options.pcns; first += options.pcnsPerAccount) {
    const group = Array.from({ length: Math.min(options.pcnsPerAccount, options.pcns - first) }, (_, i) => first + i);
    const made: { index: number; pcn: OrganisationEntity; practices: OrganisationEntity[] }[] = [];
    for (const index of group) made.push({ index, ...(await createPcnWithPractices(t, { practices: options.practicesPerPcn, legalForms: [LegalForm.SoleTrader], listSizes: [2000] })) });
    const signers: FaultSigner[] = [];
    for (let k = 0; k < options.practicesPerPcn; k++) {
      const person = await createPerson(t, `Dr Sole ${first}-${k}`);
      for (const { practices } of made) await directory.addPersonRole(person.id, { organisationId: practices[k].id, role: PersonRoleType.SolePractitioner, validFrom: '2020-04-01' });
      const user = await createUserWithGrants(t, made.map(({ practices }) => ({ role: UserRole.PracticeSignatory, organisationId: practices[k].id, icbCode: null })), { personId: person.id });
      signers.push({ personId: person.id, fullName: person.fullName, email: person.email, user });
    }
    const clinicalDirector = await createUserWithGrants(t, made.map(({ pcn }) => ({ role: UserRole.ClinicalDirector, organisationId: pcn.id, icbCode: null })));
    for (const { index, pcn, practices } of made) {
      const saved = await t.app.get(AgreementsService).create(ADMIN_PRINCIPAL, pcn.id, { content: soleTraderContent(practices) }, SEED_ACTOR);
      result.push({ index, pcnId: pcn.id, agreementId: saved.agreement.id, signers, clinicalDirector });
    }
  }
  return result;
}

/** A valid agreement with no annex, no activities and equal shares, paid to the first practice. */
function soleTraderContent(practices: OrganisationEntity[]): AgreementContent {
  const base = buildValidContent();
  const keyDetails = base.schedules.keyDetails;
  return {
    ...base,
    schedules: {
      ...base.schedules,
      keyDetails: { ...keyDetails, clinicalDirector: { ...keyDetails.clinicalDirector, personId: undefined }, payee: { arrangement: keyDetails.payee.arrangement, organisationId: practices[0].id } },
      activities: [],
      finances: { ...base.schedules.finances, payeeOrganisationId: practices[0].id, distributionBasis: 'EQUAL_SHARES' as never, shares: undefined },
      workforce: { arrsPosts: [] },
      nonGpArrangements: [],
    },
    annexes: [],
  };
}
