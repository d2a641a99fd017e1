import { AgreementsService } from '@pcn/agreements';
import { DirectoryService, PersonRoleType } from '@pcn/directory';
import { ADMIN_PRINCIPAL } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { loadBytes } from '../support/workflow-scenario';

describe('demo data (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('the demo annex names, for every party, the DPO and Caldicott Guardian the directory records (the people the IG step asks)', async () => {
    const demo = await loadBytes(t);
    const { revision } = await t.app.get(AgreementsService).get(ADMIN_PRINCIPAL, demo.agreementId);
    const directory = t.app.get(DirectoryService);
    const parties = revision.content.annexes.flatMap((annex) => annex.parties);
    expect(parties).toHaveLength(5);
    for (const party of parties) {
      const holders = await directory.peopleWithRoles([party.organisationId], [PersonRoleType.Dpo, PersonRoleType.CaldicottGuardian]);
      const contact = (role: PersonRoleType) => holders.filter((h) => h.role === role).map((h) => ({ name: h.person.fullName, email: h.person.email }));
      expect(contact(PersonRoleType.Dpo)).toContainEqual(party.dpo);
      expect(contact(PersonRoleType.CaldicottGuardian)).toContainEqual(party.caldicottGuardian);
    }
    expect(parties.map((p) => p.caldicottGuardian?.name)).toEqual(['Dr Thomas Whitfield', 'Dr Priya Raman', 'Dr Samuel Adeyemi', 'Dr Margaret Lindqvist', 'Dr Ruth Castellano']);
    expect(JSON.stringify(revision.content)).not.toMatch(/Caldicott Guardian, |caldicott@/);
  });
});
