// The drill's directory and agreement content. Needs scripts/ts-register.js loaded first.
//
// The shape is planned here with a seeded random generator (so a size always gives the same
// country), then created through the real DirectoryService in-process, PCN by PCN with
// bounded concurrency. Accounts are inserted in SQL with ONE argon2 hash made with the
// cheapest parameters argon2 allows (argon2.verify reads the cost from the hash), so every
// person still signs in through POST /api/v1/auth/login and the server verifies a real
// argon2 hash — at ~1 ms, not the ~1 s the production cost takes on this machine.
'use strict';
const argon2 = require('argon2');

const JOINED_ON = '2019-07-01';

/** Deterministic PRNG (mulberry32), so `--pcns N` always plans the same directory. */
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)), chance: (p) => next() < p };
}

/**
 * The country as plain data: ICBs (each with a shared DPO service, a community trust and a
 * VCSE), PCNs of 3–8 practices (partnerships of 2–10 partners, some authorising one partner
 * to sign; companies with 1–2 directors; sole traders), 0–3 annexes per agreement (a VCSE joins as joint controller, its lead being signatory,
 * DPO and Caldicott Guardian).
 */
function planCountry({ pcns, icbs, seed = 11 }) {
  const r = rng(seed);
  const icbList = Array.from({ length: Math.min(icbs, pcns) }, (_, i) => ({ i, code: `Q${String(i).padStart(2, '0')}` }));
  let practiceNo = 0;
  const plan = [];
  for (let n = 0; n < pcns; n++) {
    const icb = icbList[n % icbList.length];
    const practices = Array.from({ length: r.int(3, 8) }, () => {
      const k = practiceNo++;
      const roll = r.next();
      const legalForm = roll < 0.7 ? 'PARTNERSHIP' : roll < 0.85 ? 'COMPANY' : 'SOLE_TRADER';
      const people = legalForm === 'PARTNERSHIP' ? r.int(2, 10) : legalForm === 'COMPANY' ? r.int(1, 2) : 1;
      return { k, legalForm, people, authorisedSigner: legalForm === 'PARTNERSHIP' && r.chance(0.3), listSize: r.int(3500, 9000) };
    });
    const annexes = Array.from({ length: r.int(0, 3) }, () => ({ trust: r.chance(0.4), vcse: r.chance(0.25) }));
    plan.push({ n, icb, practices, annexes });
  }
  return { icbs: icbList, pcns: plan };
}

/** Runs fn over items with at most `limit` in flight. */
async function eachLimit(items, limit, fn) {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/**
 * Creates the planned directory through DirectoryService and the accounts in SQL.
 * Returns per PCN: ids, the clinical director's email, and the content inputs.
 */
async function loadCountry(country, { password, concurrency = 6 }) {
  const { NestFactory } = require('@nestjs/core');
  const { DataSource } = require('typeorm');
  const { SeedModule } = require('../../apps/cli/src/seed/seed.module.ts');
  const { DirectoryService, PersonRoleType, LegalForm, ContractType, OrganisationKind, DsptStatus } = require('@pcn/directory');
  const { UserRole } = require('@pcn/auth');

  const app = await NestFactory.createApplicationContext(SeedModule, { logger: ['error'], abortOnError: false });
  const accounts = []; // { email, fullName, personId, grants: [{ role, organisationId }] }
  const contact = (p) => ({ name: p.fullName, email: p.email });
  try {
    const dir = app.get(DirectoryService);
    const ds = app.get(DataSource);
    const person = async (fullName, email, roles, grant) => {
      const p = await dir.createPerson({ fullName, email });
      for (const [organisationId, role, extra] of roles) await dir.addPersonRole(p.id, { organisationId, role, validFrom: JOINED_ON, ...extra });
      if (grant) accounts.push({ email, fullName, personId: p.id, grants: grant });
      return p;
    };
    const partner = async (kind, name, odsCode, dspt) => dir.createPartnerOrganisation({ kind, name, odsCode, icoRegistrationNumber: `Z${odsCode.slice(1).padStart(7, '0')}`, dsptStatus: dspt, dsptYear: '2025-26' });

    // Per ICB: a shared DPO service for its practices, one community trust, one VCSE.
    const icbs = new Map();
    await eachLimit(country.icbs, concurrency, async (icb) => {
      const trust = await partner(OrganisationKind.NhsTrust, `Drill Community Health NHS Trust ${icb.code}`, `R${icb.code.slice(1)}T`, DsptStatus.Exceeded);
      const vcse = await partner(OrganisationKind.Vcse, `Drill Wellbeing CIC ${icb.code}`, `NV${icb.code.slice(1)}`, DsptStatus.Met);
      const sig = await person(`Trust Signatory ${icb.code}`, `signatory.trust.${icb.code}@drill.invalid`.toLowerCase(), [[trust.id, PersonRoleType.AuthorisedSignatory]], [{ role: UserRole.PartnerSignatory, organisationId: trust.id }]);
      const tDpo = await person(`Trust DPO ${icb.code}`, `dpo.trust.${icb.code}@drill.invalid`.toLowerCase(), [[trust.id, PersonRoleType.Dpo]], [{ role: UserRole.PartnerSignatory, organisationId: trust.id }]);
      const tCg = await person(`Trust Caldicott ${icb.code}`, `cg.trust.${icb.code}@drill.invalid`.toLowerCase(), [[trust.id, PersonRoleType.CaldicottGuardian]], [{ role: UserRole.PartnerSignatory, organisationId: trust.id }]);
      const vSig = await person(`VCSE Lead ${icb.code}`, `lead.vcse.${icb.code}@drill.invalid`.toLowerCase(), [[vcse.id, PersonRoleType.AuthorisedSignatory], [vcse.id, PersonRoleType.Dpo], [vcse.id, PersonRoleType.CaldicottGuardian]], [{ role: UserRole.PartnerSignatory, organisationId: vcse.id }]);
      const dpo = await person(`Shared DPO ${icb.code}`, `dpo.${icb.code}@drill.invalid`.toLowerCase(), [], null);
      icbs.set(icb.code, { trust: trust.id, vcse: vcse.id, dpo, contacts: { [trust.id]: { dpo: contact(tDpo), caldicottGuardian: contact(tCg) }, [vcse.id]: { dpo: contact(vSig), caldicottGuardian: contact(vSig) } }, trustSignatory: sig });
    });

    const out = [];
    const dpoPractices = new Map(); // dpo person id -> practice ids
    await eachLimit(country.pcns, concurrency, async (pc) => {
      const icb = icbs.get(pc.icb.code);
      const code = String(pc.n).padStart(5, '0');
      const pcn = await dir.createPcn({ name: `Drill PCN ${code}`, code: `U${code}`, icbCode: pc.icb.code, networkArea: `Drill area ${code}` });
      const practices = [];
      const igContacts = { ...icb.contacts };
      let cd = null;
      for (const pr of pc.practices) {
        const ods = `${String.fromCharCode(65 + Math.floor(pr.k / 100000))}${String(pr.k % 100000).padStart(5, '0')}`;
        const legalForm = { PARTNERSHIP: LegalForm.Partnership, COMPANY: LegalForm.Company, SOLE_TRADER: LegalForm.SoleTrader }[pr.legalForm];
        const contractType = pr.legalForm === 'COMPANY' ? ContractType.Apms : pr.legalForm === 'SOLE_TRADER' ? ContractType.Pms : ContractType.Gms;
        const org = await dir.createPractice({ name: `Drill Surgery ${ods}`, odsCode: ods, contractType, legalForm, listSize: pr.listSize, listSizeDate: '2026-04-01', subIcbCode: '16W', dsptStatus: DsptStatus.Met, dsptYear: '2025-26' });
        await dir.addMembership(pcn.id, { practiceId: org.id, joinedOn: JOINED_ON });
        await dir.addPersonRole(icb.dpo.id, { organisationId: org.id, role: PersonRoleType.Dpo, validFrom: JOINED_ON });
        if (!dpoPractices.has(icb.dpo.id)) dpoPractices.set(icb.dpo.id, { dpo: icb.dpo, orgs: [] });
        dpoPractices.get(icb.dpo.id).orgs.push(org.id);
        const signRole = { PARTNERSHIP: PersonRoleType.Partner, COMPANY: PersonRoleType.Director, SOLE_TRADER: PersonRoleType.SolePractitioner }[pr.legalForm];
        let caldicott = null;
        for (let i = 1; i <= pr.people; i++) {
          const roles = [[org.id, signRole, { signsForOrganisation: pr.authorisedSigner && i === 1 }]];
          if (i === 1) roles.push([org.id, PersonRoleType.CaldicottGuardian]);
          const isCd = !cd && i === 1;
          if (isCd) roles.push([pcn.id, PersonRoleType.ClinicalDirector]);
          const grants = [{ role: UserRole.PracticeSignatory, organisationId: org.id }, ...(isCd ? [{ role: UserRole.ClinicalDirector, organisationId: pcn.id }] : [])];
          const p = await person(`Dr Drill ${ods} ${i}`, `p${i}.${ods.toLowerCase()}@drill.invalid`.toLowerCase(), roles, grants);
          if (i === 1) caldicott = p;
          if (isCd) cd = p;
        }
        igContacts[org.id] = { dpo: contact(icb.dpo), caldicottGuardian: contact(caldicott) };
        practices.push(org.id);
      }
      out.push({ n: pc.n, pcnId: pcn.id, code, cd: { personId: cd.id, email: cd.email, fullName: cd.fullName }, practices, trust: icb.trust, vcse: icb.vcse, igContacts, annexes: pc.annexes });
    });
    for (const { dpo, orgs } of dpoPractices.values()) accounts.push({ email: dpo.email, fullName: dpo.fullName, personId: dpo.id, grants: [{ role: UserRole.PartnerSignatory, organisationId: orgs[0] }] });

    // Accounts in bulk: one cheap argon2id hash for all (see the header comment).
    const hash = await argon2.hash(password, { type: argon2.argon2id, memoryCost: 1024, timeCost: 1, parallelism: 1 });
    for (let i = 0; i < accounts.length; i += 1000) {
      const batch = accounts.slice(i, i + 1000);
      const rows = await ds.query(
        `INSERT INTO user_account (email, display_name, password_hash, person_id) SELECT e, d, $3, p FROM unnest($1::text[], $2::text[], $4::uuid[]) AS t(e, d, p) RETURNING id, person_id`,
        [batch.map((a) => a.email), batch.map((a) => a.fullName), hash, batch.map((a) => a.personId)],
      );
      const idByPerson = new Map(rows.map((x) => [x.person_id, x.id]));
      const grants = batch.flatMap((a) => a.grants.map((g) => [idByPerson.get(a.personId), g.role, g.organisationId]));
      await ds.query(`INSERT INTO role_grant (user_id, role, organisation_id, icb_code) SELECT u, r, o, NULL FROM unnest($1::uuid[], $2::text[], $3::uuid[]) AS t(u, r, o)`, [grants.map((g) => g[0]), grants.map((g) => g[1]), grants.map((g) => g[2])]);
    }
    return { pcns: out.sort((a, b) => a.n - b.n), accounts };
  } finally {
    await app.close();
  }
}

/** Integer percentages summing to 100. */
function shares(ids) {
  const base = Math.floor(100 / ids.length);
  return ids.map((organisationId, i) => ({ organisationId, percentage: base + (i < 100 - base * ids.length ? 1 : 0) }));
}

/** A complete agreement for one drill PCN, from the demo content re-pointed at its organisations. */
function drillContent(pcn) {
  const { demoAgreementContent } = require('../../apps/cli/src/seed/demo-agreement.ts');
  const { DataRole } = require('@pcn/agreements');
  const p = pcn.practices;
  const content = demoAgreementContent(
    { practices: { yarm: p[0], eaglescliffe: p[1], tbmg: p[2], parklane: p[3 % p.length] }, trust: pcn.trust, vcse: pcn.vcse, clinicalDirectorPersonId: pcn.cd.personId, igContacts: pcn.igContacts },
    '2026-04-01',
  );
  const s = content.schedules;
  content.title = `Drill PCN ${pcn.code} Network Agreement 2026/27`;
  s.keyDetails.networkArea = `The registered lists of the ${p.length} core practices of Drill PCN ${pcn.code}.`;
  s.keyDetails.clinicalDirector.name = pcn.cd.fullName;
  s.keyDetails.governance.quorum = { minimumPractices: Math.ceil(p.length / 2), description: 'More than half of the practices, each represented by a partner or director.' };
  s.activities[0].deliveredBy = [...p];
  s.finances.shares = shares(p);
  const usesTrust = pcn.annexes.some((a) => a.trust);
  const usesVcse = pcn.annexes.some((a) => a.vcse);
  s.activities[1].deliveredBy = usesTrust ? [p[2], pcn.trust] : [p[2]];
  s.nonGpArrangements = s.nonGpArrangements.filter((a) => (a.organisationId === pcn.trust ? usesTrust : usesVcse));
  const template = content.annexes[0];
  content.annexes = pcn.annexes.map((a, i) => {
    const contacts = (id) => pcn.igContacts[id];
    const parties = p.map((organisationId) => ({ organisationId, dataRole: DataRole.JOINT_CONTROLLER, ...contacts(organisationId), dsptStatus: 'MET', dsptYear: '2025-26' }));
    if (a.trust) parties.push({ ...template.parties[template.parties.length - 1] });
    if (a.vcse) parties.push({ organisationId: pcn.vcse, dataRole: DataRole.JOINT_CONTROLLER, ...contacts(pcn.vcse), dsptStatus: 'MET', dsptYear: '2025-26' });
    const to = a.trust ? pcn.trust : p[1];
    return {
      ...template,
      title: `${template.title} (${i + 1})`,
      parties,
      flows: [
        { ...template.flows[0], fromOrganisationId: p[0], toOrganisationId: to },
        { ...template.flows[1], fromOrganisationId: to, toOrganisationId: p[2] },
      ],
      dpia: { ...template.dpia, reference: `DPIA-${pcn.code}-2026-${i + 1}` },
    };
  });
  return content;
}

module.exports = { planCountry, loadCountry, drillContent, eachLimit };
