import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { randomBytes } from 'node:crypto';
import { AuthService, PasswordHasher, Principal, RoleGrantClaim, UserEntity, UserRole } from '@pcn/auth';
import { DirectoryService, OrganisationEntity, OrganisationKind, PersonEntity, PersonRoleType } from '@pcn/directory';
import { AgreementsService } from '@pcn/agreements';
import { SeedModule } from './seed.module';
import { BYTES, BYTES_PRACTICES, DEMO_ICBS, DGS_ICB, DGS_PCNS, PARTNER_ORGANISATIONS, SHARED_DPO } from './demo-directory';
import { demoAgreementContent, DemoIds } from './demo-agreement';
import { demoLoginRows, demoLoginTable } from './demo-logins';
import { loadSecondPcn } from './demo-second-pcn';

const JOINED_ON = '2019-07-01';
const SEED_ACTOR = { userId: null, ip: null, userAgent: 'pcn-cli seed', authMethod: 'seed' };

interface DemoLogin { role: string; email: string; who: string }

/**
 * Loads the demo data once. Run again, it leaves data alone and gives every demo user a
 * fresh random password, printed here and nowhere else.
 */
export async function seedDemo(): Promise<void> {
  const app = await NestFactory.createApplicationContext(SeedModule, { logger: ['error'], abortOnError: false });
  try {
    const dataSource = app.get(DataSource);
    const password = `demo-${randomBytes(6).toString('base64url')}`;
    const existing = await dataSource.getRepository(OrganisationEntity).findOneBy({ odsCode: BYTES.code });
    if (existing) {
      const hash = await app.get(PasswordHasher).hash(password);
      await dataSource.getRepository(UserEntity).createQueryBuilder().update().set({ passwordHash: hash }).where(`email LIKE '%.demo.%'`).execute();
      console.log('Demo data already present; demo passwords were reset.');
      printLogins(await demoLogins(dataSource), password);
      return;
    }
    const demo = await loadDemoData({ directory: app.get(DirectoryService), auth: app.get(AuthService), agreements: app.get(AgreementsService) }, password);
    await loadSecondPcn({ directory: app.get(DirectoryService), auth: app.get(AuthService), dataSource }, password, Object.values(demo.partnerIds));
    // The two ICBs the demo PCNs belong to, so the platform admin's onboarding pages start from them.
    for (const icb of DEMO_ICBS) await dataSource.getRepository(OrganisationEntity).save({ kind: OrganisationKind.Icb, name: icb.name, odsCode: icb.code });
    console.log(`Seeded ${DGS_PCNS.length + 1} PCNs, ${BYTES_PRACTICES.length} BYTES practices, ${PARTNER_ORGANISATIONS.length} partner organisations and draft ${demo.agreementReference} (revision hash ${demo.revisionHash}).`);
    printLogins(demo.logins, password);
  } finally {
    await app.close();
  }
}

export interface DemoData {
  pcnId: string;
  practiceIds: Record<string, string>;
  partnerIds: Record<string, string>;
  /** Directory person id by email. */
  people: Map<string, string>;
  logins: DemoLogin[];
  agreementId: string;
  agreementReference: string;
  revisionHash: string;
}

export interface DemoDependencies {
  directory: DirectoryService;
  auth: AuthService;
  agreements: AgreementsService;
}

/** Creates the demo directory, users and draft through the services; also used by end-to-end tests. */
export async function loadDemoData({ directory, auth, agreements }: DemoDependencies, password: string): Promise<DemoData> {
  for (const pcn of DGS_PCNS) await directory.createPcn({ name: pcn.name, code: pcn.code, icbCode: DGS_ICB, networkArea: pcn.area });
  const bytes = await directory.createPcn({ name: BYTES.name, code: BYTES.code, icbCode: BYTES.icbCode, networkArea: BYTES.area, subIcbCode: BYTES.subIcbCode });

  const logins: DemoLogin[] = [];
  const people = new Map<string, PersonEntity>();
  const person = async (fullName: string, email: string) => {
    if (!people.has(email)) people.set(email, await directory.createPerson({ fullName, email }));
    return people.get(email)!;
  };
  const user = async (p: PersonEntity | null, email: string, displayName: string, grants: RoleGrantClaim[], label: string) => {
    await auth.createUser({ email, displayName, password, personId: p?.id ?? null, grants });
    logins.push({ role: label, email, who: displayName });
  };

  const practiceIds: Record<string, string> = {};
  const dpo = await person(SHARED_DPO.fullName, SHARED_DPO.email);
  for (const practice of BYTES_PRACTICES) {
    const org = await directory.createPractice({
      name: practice.name, odsCode: practice.odsCode, contractType: practice.contractType, legalForm: practice.legalForm,
      listSize: practice.listSize, listSizeDate: '2026-04-01', subIcbCode: BYTES.subIcbCode, dsptStatus: 'MET' as never, dsptYear: '2025-26',
    });
    practiceIds[practice.key] = org.id;
    await directory.addMembership(bytes.id, { practiceId: org.id, joinedOn: JOINED_ON });
    await directory.addPersonRole(dpo.id, { organisationId: org.id, role: PersonRoleType.Dpo, validFrom: JOINED_ON });
    for (const member of practice.people) {
      const p = await person(member.fullName, member.email);
      for (const role of member.roles) {
        await directory.addPersonRole(p.id, { organisationId: role === PersonRoleType.ClinicalDirector ? bytes.id : org.id, role, validFrom: JOINED_ON, signsForOrganisation: member.signsForOrganisation });
      }
    }
  }
  const partnerIds: Record<string, string> = {};
  for (const partner of PARTNER_ORGANISATIONS) {
    const org = await directory.createPartnerOrganisation({ kind: partner.kind as never, name: partner.name, odsCode: partner.odsCode, icoRegistrationNumber: partner.icoRegistrationNumber, dsptStatus: partner.dsptStatus, dsptYear: partner.dsptYear });
    partnerIds[partner.key] = org.id;
    for (const member of partner.people) {
      const p = await person(member.fullName, member.email);
      for (const role of member.roles) await directory.addPersonRole(p.id, { organisationId: org.id, role, validFrom: JOINED_ON });
    }
  }

  await user(null, 'admin@platform.demo.nhs.uk', 'Platform Administrator', [{ role: UserRole.PlatformAdmin, organisationId: null, icbCode: null }], 'platform admin');
  const cd = people.get('amira.okafor@yarm.demo.nhs.uk')!;
  await user(cd, cd.email, cd.fullName, [
    { role: UserRole.ClinicalDirector, organisationId: bytes.id, icbCode: null },
    { role: UserRole.PracticeSignatory, organisationId: practiceIds.yarm, icbCode: null },
  ], 'clinical director (BYTES PCN) and Yarm partner');
  await user(null, 'pcn.manager@bytes.demo.nhs.uk', 'Joanne Barker', [{ role: UserRole.PcnManager, organisationId: bytes.id, icbCode: null }], 'PCN manager (BYTES PCN)');
  for (const practice of BYTES_PRACTICES) {
    for (const member of practice.people) {
      const p = people.get(member.email)!;
      if (p.id === cd.id) continue;
      const signs = member.roles.some((r) => [PersonRoleType.Partner, PersonRoleType.Director, PersonRoleType.SolePractitioner].includes(r));
      const role = signs ? UserRole.PracticeSignatory : UserRole.PracticeManager;
      await user(p, p.email, p.fullName, [{ role, organisationId: practiceIds[practice.key], icbCode: null }], `${signs ? 'practice signatory' : 'practice manager'} (${practice.name})`);
    }
  }
  await user(dpo, dpo.email, dpo.fullName, BYTES_PRACTICES.map((pr) => ({ role: UserRole.PracticeManager, organisationId: practiceIds[pr.key], icbCode: null })), 'DPO for the BYTES practices');
  const trustSignatory = people.get('grace.holloway@tvch.demo.nhs.uk')!;
  await user(trustSignatory, trustSignatory.email, trustSignatory.fullName, [{ role: UserRole.PartnerSignatory, organisationId: partnerIds.trust, icbCode: null }], 'partner-organisation signatory (community trust)');
  for (const email of ['daniel.osei@tvch.demo.nhs.uk', 'ruth.castellano@tvch.demo.nhs.uk']) {
    const p = people.get(email)!;
    await user(p, p.email, p.fullName, [{ role: UserRole.PartnerSignatory, organisationId: partnerIds.trust, icbCode: null }], email.startsWith('daniel') ? 'DPO (community trust)' : 'Caldicott Guardian (community trust)');
  }
  const vcseSignatory = people.get('imran.siddiqui@swp.demo.org.uk')!;
  await user(vcseSignatory, vcseSignatory.email, vcseSignatory.fullName, [{ role: UserRole.PartnerSignatory, organisationId: partnerIds.vcse, icbCode: null }], 'partner-organisation signatory (VCSE)');
  await user(null, 'auditor@icb-qhm.demo.nhs.uk', 'ICB Auditor (North East and North Cumbria)', [{ role: UserRole.Auditor, organisationId: null, icbCode: BYTES.icbCode }], 'auditor (ICB QHM)');
  await user(null, 'auditor@national.demo.nhs.uk', 'National Internal Audit', [{ role: UserRole.Auditor, organisationId: null, icbCode: null }], 'auditor (all ICBs)');

  const admin: Principal = { id: 'seed', email: 'seed', displayName: 'seed', personId: null, grants: [{ role: UserRole.PlatformAdmin, organisationId: null, icbCode: null }], authMethod: 'seed' };
  // Annex contacts come from the directory, so the annex names the people the IG step will ask.
  const igContacts: DemoIds['igContacts'] = {};
  for (const organisationId of [...Object.values(practiceIds), partnerIds.trust]) {
    const holders = await directory.peopleWithRoles([organisationId], [PersonRoleType.Dpo, PersonRoleType.CaldicottGuardian]);
    const holder = (role: PersonRoleType) => {
      const found = holders.find((h) => h.role === role);
      if (!found) throw new Error(`The demo directory has no ${role} for organisation ${organisationId}.`);
      return { name: found.person.fullName, email: found.person.email };
    };
    igContacts[organisationId] = { dpo: holder(PersonRoleType.Dpo), caldicottGuardian: holder(PersonRoleType.CaldicottGuardian) };
  }
  const content = demoAgreementContent({ practices: practiceIds, trust: partnerIds.trust, vcse: partnerIds.vcse, clinicalDirectorPersonId: cd.id, igContacts }, '2026-04-01');
  const saved = await agreements.create(admin, bytes.id, { content }, SEED_ACTOR);
  return {
    pcnId: bytes.id,
    practiceIds,
    partnerIds,
    people: new Map([...people].map(([email, p]) => [email, p.id])),
    logins,
    agreementId: saved.agreement.id,
    agreementReference: saved.agreement.reference,
    revisionHash: saved.revision.contentHash,
  };
}

async function demoLogins(dataSource: DataSource): Promise<Pick<DemoLogin, 'email'>[]> {
  const users = await dataSource.getRepository(UserEntity).find({ order: { email: 'ASC' } });
  return users.filter((u) => u.email.includes('.demo.')).map((u) => ({ email: u.email }));
}

/** The logins that exist, as a table (name, role in words, email) under the one password; scripts/demo.sh shows it once the apps run. */
function printLogins(logins: Pick<DemoLogin, 'email'>[], password: string): void {
  const emails = new Set(logins.map((l) => l.email));
  console.log(`\n${demoLoginTable(password, demoLoginRows().filter((row) => emails.has(row.email)))}`);
}
