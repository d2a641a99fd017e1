// Fixture for bench/workflow/approvals.bench.js. Needs scripts/ts-register.js loaded first.
//
// The directory (PCNs, practices, people, roles) and the template agreements are created
// through the real services (as apps/cli/src/seed/seed-demo.ts does); users are inserted
// with one precomputed argon2 hash (argon2 is deliberately slow); the rounds to approve are
// opened over HTTP by the benchmark, then copied in SQL (see cloneRounds).
'use strict';
const argon2 = require('argon2');

const JOINED_ON = '2019-07-01';
const SEED_ACTOR = { userId: null, ip: null, userAgent: 'approvals bench', authMethod: 'seed' };

/** Agreement content with one core practice and no annexes (so no IG step). */
function singlePracticeContent(demoAgreementContent, practiceId, cdPersonId, title) {
  const content = demoAgreementContent(
    {
      practices: { yarm: practiceId, eaglescliffe: practiceId, tbmg: practiceId, parklane: practiceId },
      trust: practiceId,
      vcse: practiceId,
      clinicalDirectorPersonId: cdPersonId,
      // The demo's annexes name a DPO and Caldicott Guardian per party; the bench drops the annexes below.
      igContacts: { [practiceId]: { dpo: { name: 'Bench DPO', email: 'dpo@bench.invalid' }, caldicottGuardian: { name: 'Bench Guardian', email: 'cg@bench.invalid' } } },
    },
    '2026-04-01',
  );
  const s = content.schedules;
  content.title = title;
  content.annexes = [];
  s.nonGpArrangements = [];
  s.keyDetails.clinicalDirector.name = 'Dr Bench Director';
  s.keyDetails.governance.quorum = { minimumPractices: 1, description: 'The single member practice, represented by a partner.' };
  s.activities = s.activities.map((a) => ({ ...a, deliveredBy: [practiceId] }));
  s.finances.shares = [{ organisationId: practiceId, percentage: 100 }];
  s.workforce.arrsPosts = s.workforce.arrsPosts.map((p) => ({ ...p, employerOrganisationId: practiceId, hostPracticeIds: [practiceId] }));
  return content;
}

/**
 * Creates, through the services: a "large" PCN whose one partnership practice has
 * `largePartners` partners (none signs for the partnership, so each is their own group:
 * a round has that many parallel signers), a "small" PCN whose practice has 2 partners,
 * one clinical director for both, and a draft agreement for each PCN.
 */
async function seedDirectory({ largePartners, password }) {
  const { NestFactory } = require('@nestjs/core');
  const { DataSource } = require('typeorm');
  const { SeedModule } = require('../../apps/cli/src/seed/seed.module.ts');
  const { DirectoryService, PersonRoleType, LegalForm, ContractType } = require('@pcn/directory');
  const { AgreementsService } = require('@pcn/agreements');
  const { UserRole } = require('@pcn/auth');
  const { demoAgreementContent } = require('../../apps/cli/src/seed/demo-agreement.ts');

  const app = await NestFactory.createApplicationContext(SeedModule, { logger: ['error'], abortOnError: false });
  try {
    const directory = app.get(DirectoryService);
    const agreements = app.get(AgreementsService);
    const ds = app.get(DataSource);

    const cd = await directory.createPerson({ fullName: 'Dr Bench Director', email: 'director@bench.invalid' });
    const pcn = async (n, name, code, odsCode, listSize, partners) => {
      const p = await directory.createPcn({ name, code, icbCode: 'QHM', networkArea: `${name} area` });
      const practice = await directory.createPractice({
        name: `${name} Surgery`, odsCode, contractType: ContractType.Gms, legalForm: LegalForm.Partnership, listSize, listSizeDate: '2026-04-01', subIcbCode: '16W',
      });
      await directory.addMembership(p.id, { practiceId: practice.id, joinedOn: JOINED_ON });
      await directory.addPersonRole(cd.id, { organisationId: p.id, role: PersonRoleType.ClinicalDirector, validFrom: JOINED_ON });
      const people = [];
      for (let i = 1; i <= partners; i++) {
        const person = await directory.createPerson({ fullName: `Dr Partner ${String(i).padStart(3, '0')} ${n}`, email: `partner${i}.${n}@bench.invalid` });
        await directory.addPersonRole(person.id, { organisationId: practice.id, role: PersonRoleType.Partner, validFrom: JOINED_ON, signsForOrganisation: false });
        people.push(person);
      }
      const admin = { id: 'bench', email: 'bench', displayName: 'bench', personId: null, grants: [{ role: UserRole.PlatformAdmin, organisationId: null, icbCode: null }], authMethod: 'seed' };
      const saved = await agreements.create(admin, p.id, { content: singlePracticeContent(demoAgreementContent, practice.id, cd.id, `${name} Network Agreement 2026/27`) }, SEED_ACTOR);
      return { pcnId: p.id, practiceId: practice.id, people, agreementId: saved.agreement.id, revisionNumber: saved.revision.number };
    };
    const large = await pcn('large', 'Bench Large PCN', 'U90001', 'B90001', 42000, largePartners);
    const small = await pcn('small', 'Bench Small PCN', 'U90002', 'B90002', 31000, 2);

    // Users: one argon2 hash for everyone, inserted directly.
    const hash = await argon2.hash(password);
    const users = [];
    const insertUser = async (person, grants) => {
      const [{ id }] = await ds.query(`INSERT INTO user_account (email, display_name, password_hash, person_id) VALUES ($1, $2, $3, $4) RETURNING id`, [person.email, person.fullName, hash, person.id]);
      for (const g of grants) await ds.query(`INSERT INTO role_grant (user_id, role, organisation_id, icb_code) VALUES ($1, $2, $3, NULL)`, [id, g.role, g.organisationId]);
      users.push({ userId: id, personId: person.id, email: person.email, fullName: person.fullName });
    };
    await insertUser(cd, [large, small].map((x) => ({ role: UserRole.ClinicalDirector, organisationId: x.pcnId })));
    // The last large partner gets no account: they are the hold-out who never approves.
    for (const person of large.people.slice(0, -1)) await insertUser(person, [{ role: UserRole.PracticeSignatory, organisationId: large.practiceId }]);
    for (const person of small.people) await insertUser(person, [{ role: UserRole.PracticeSignatory, organisationId: small.practiceId }]);
    return { cd: { email: cd.email, personId: cd.id }, large, small, users };
  } finally {
    await app.close();
  }
}

/** Columns of a table in order. */
async function columns(client, table) {
  const { rows } = await client.query(
    `SELECT column_name, is_identity = 'YES' OR is_generated <> 'NEVER' AS generated FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
    [table],
  );
  return rows;
}

async function copyRows(client, table, from, overrides) {
  const cols = (await columns(client, table)).filter((c) => !c.generated || overrides[c.column_name]);
  const names = cols.map((c) => `"${c.column_name}"`).join(', ');
  const exprs = cols.map((c) => overrides[c.column_name] ?? `src."${c.column_name}"`).join(', ');
  const res = await client.query(`INSERT INTO ${table} (${names}) SELECT ${exprs} ${from}`);
  return res.rowCount;
}

/**
 * Copies an open round (its agreement, revision, requests and the agreement's first audit
 * event, so each chain has a head) `count` times, in SQL. Each copy is a separate agreement
 * with its own round, audit chain and request ids, exactly as the service would have
 * written them; only the submit-time emails are not repeated. Returns the copies' ids.
 */
async function cloneRounds(client, templateRoundId, count, tag) {
  await client.query(`CREATE TABLE IF NOT EXISTS bench_clone (tag text NOT NULL, i int NOT NULL, agreement_id uuid NOT NULL, revision_id uuid NOT NULL, round_id uuid PRIMARY KEY)`);
  const { rows: [tpl] } = await client.query(`SELECT id, agreement_id, revision_id FROM approval_round WHERE id = $1`, [templateRoundId]);
  await client.query('BEGIN');
  try {
    await client.query(
      `INSERT INTO bench_clone (tag, i, agreement_id, revision_id, round_id) SELECT $1, i, gen_random_uuid(), gen_random_uuid(), gen_random_uuid() FROM generate_series(0, $2 - 1) i`,
      [tag, count],
    );
    const m = `bench_clone m WHERE m.tag = '${tag}'`;
    await copyRows(client, 'network_agreement', `FROM network_agreement src, ${m} AND src.id = '${tpl.agreement_id}'`, { id: 'm.agreement_id', reference: `src.reference || '-${tag}' || m.i` });
    await copyRows(client, 'agreement_revision', `FROM agreement_revision src, ${m} AND src.id = '${tpl.revision_id}'`, { id: 'm.revision_id', agreement_id: 'm.agreement_id' });
    await copyRows(client, 'approval_round', `FROM approval_round src, ${m} AND src.id = '${tpl.id}'`, { id: 'm.round_id', agreement_id: 'm.agreement_id', revision_id: 'm.revision_id' });
    await copyRows(client, 'signature_request', `FROM signature_request src, ${m} AND src.round_id = '${tpl.id}'`, { id: 'gen_random_uuid()', round_id: 'm.round_id', agreement_id: 'm.agreement_id' });
    await copyRows(client, 'audit_event', `FROM audit_event src, ${m} AND src.chain_key = '${tpl.agreement_id}' AND src.seq = 1`, { chain_key: 'm.agreement_id::text', agreement_id: 'm.agreement_id' });
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
  const { rows } = await client.query(`SELECT i, agreement_id, round_id FROM bench_clone WHERE tag = $1 ORDER BY i`, [tag]);
  return rows;
}

module.exports = { seedDirectory, cloneRounds };
