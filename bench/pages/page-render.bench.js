#!/usr/bin/env node
// Page render benchmark: server time of the review-and-sign page and of a schedule form for
// a 20-practice PCN with five data-sharing annexes, as a ratio to the JSON
// `GET /api/v1/requests/:id` of the same request, all measured in the same run.
//
//   node bench/pages/page-render.bench.js [--runs 200] [--no-write]
//
// Needs PostgreSQL and Redis (DATABASE_ADMIN_URL, REDIS_URL as for the tests). Runs the real
// API app in this process (test/support/test-app.ts) on its own cloned database; requests
// go through supertest (no network), one at a time, interleaved (page, form, JSON) so the
// machine's load affects all three alike. Writes the "## Page rendering" section of
// docs/benchmarks.md.
'use strict';
require('../../scripts/ts-register');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');
const args = process.argv.slice(2);
const RUNS = (() => {
  const i = args.indexOf('--runs');
  return i >= 0 ? Number(args[i + 1]) : 200;
})();
const WARMUP = 20;
const WRITE = !args.includes('--no-write');
const EXTRA_PRACTICES = 16; // BYTES has 4: 20 in all
const ANNEXES = 5;

const log = (...a) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...a);
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const stats = (ms) => {
  const s = [...ms].sort((a, b) => a - b);
  return { median: quantile(s, 0.5), p95: quantile(s, 0.95) };
};

async function main() {
  process.env.LOG_LEVEL = 'silent';
  const globalSetup = require('../../test/support/global-setup').default;
  const globalTeardown = require('../../test/support/global-teardown').default;
  await globalSetup();
  const { createTestApp } = require('../../test/support/test-app');
  const { loadBytes, EMAIL, DEMO_PASSWORD, tokenFor } = require('../../test/support/workflow-scenario');
  const { signInToPages } = require('../../test/support/page-session');
  const { DirectoryService, PersonRoleType } = require('../../libs/directory/src');
  const t = await createTestApp();
  try {
    const demo = await loadBytes(t);
    const directory = t.app.get(DirectoryService);
    const bearer = async (email) => ({ Authorization: `Bearer ${await tokenFor(t.http, email)}` });

    // --- 16 more practices, each with a partner who is its Caldicott Guardian; the shared DPO serves them all ---
    log(`adding ${EXTRA_PRACTICES} practices to BYTES PCN`);
    const dpoPersonId = demo.people.get(EMAIL.dpo);
    const added = [];
    for (let i = 0; i < EXTRA_PRACTICES; i++) {
      const n = String(i + 5).padStart(2, '0');
      const org = await directory.createPractice({
        name: `Bench Practice ${n}`, odsCode: `B870${n}`, contractType: 'GMS', legalForm: 'PARTNERSHIP',
        listSize: 5000 + i * 250, listSizeDate: '2026-04-01', subIcbCode: '16W', dsptStatus: 'MET', dsptYear: '2025-26',
      });
      await directory.addMembership(demo.pcnId, { practiceId: org.id, joinedOn: '2019-07-01' });
      await directory.addPersonRole(dpoPersonId, { organisationId: org.id, role: PersonRoleType.Dpo, validFrom: '2019-07-01' });
      const partner = await directory.createPerson({ fullName: `Dr Bench Partner ${n}`, email: `partner${n}@bench.demo.nhs.uk` });
      for (const role of [PersonRoleType.Partner, PersonRoleType.CaldicottGuardian]) await directory.addPersonRole(partner.id, { organisationId: org.id, role, validFrom: '2019-07-01' });
      added.push({ org, partner });
    }

    // --- the demo content with 20 practices' shares and five annexes, each with all 20 practices as parties ---
    const source = (await t.http.get(`/api/v1/agreements/${demo.agreementId}/revisions/1`).set(await bearer(EMAIL.cd))).body.content;
    const content = JSON.parse(JSON.stringify(source));
    const practiceIds = [...Object.values(demo.practiceIds), ...added.map((a) => a.org.id)];
    content.schedules.finances.shares = practiceIds.map((organisationId) => ({ organisationId, percentage: 5 }));
    const template = source.annexes[0];
    const practiceParty = template.parties.find((p) => p.organisationId === demo.practiceIds.yarm);
    content.annexes = Array.from({ length: ANNEXES }, (_, k) => {
      const annex = JSON.parse(JSON.stringify(template));
      delete annex.id;
      annex.title = `${template.title} (${k + 1} of ${ANNEXES})`;
      annex.parties = [
        ...template.parties,
        ...added.map(({ org, partner }) => ({ ...practiceParty, organisationId: org.id, caldicottGuardian: { name: partner.fullName, email: partner.email } })),
      ];
      return annex;
    });
    const draft = async () => {
      const res = await t.http.post(`/api/v1/pcns/${demo.pcnId}/agreements`).set(await bearer(EMAIL.cd)).send({ content });
      if (res.status !== 201) throw new Error(`draft: ${res.status} ${JSON.stringify(res.body).slice(0, 2000)}`);
      return res.body.agreement.id;
    };
    const sentId = await draft();
    const draftId = await draft();
    const submitted = await t.http
      .post(`/api/v1/agreements/${sentId}/submit`)
      .set(await bearer(EMAIL.cd))
      .send({ revisionNumber: 1, dueAt: new Date(Date.now() + 30 * 86_400_000).toISOString(), maxReminders: 0 });
    if (submitted.status !== 201) throw new Error(`submit: ${submitted.status} ${JSON.stringify(submitted.body).slice(0, 2000)}`);
    const roundId = submitted.body.round.id;
    const dpoRequests = submitted.body.requests.filter((r) => r.personEmail === EMAIL.dpo);
    log(`round with ${submitted.body.requests.length} requests; the shared DPO has ${dpoRequests.length} (${ANNEXES} annexes × ${dpoRequests.length / ANNEXES} organisations)`);

    // --- the three requests ---
    const dpoPages = await signInToPages(t, EMAIL.dpo, DEMO_PASSWORD);
    const cdPages = await signInToPages(t, EMAIL.cd, DEMO_PASSWORD);
    const dpoBearer = await bearer(EMAIL.dpo);
    const requestId = dpoRequests[0].id;
    const targets = [
      { key: 'review', what: `Review-and-sign page \`GET /review/:roundId\` (the shared DPO: ${dpoRequests.length} requests)`, run: () => dpoPages.agent.get(`/review/${roundId}`) },
      { key: 'form', what: 'Schedule 4 form `GET /agreements/:id/edit/schedule4` (20 practice share rows)', run: () => cdPages.agent.get(`/agreements/${draftId}/edit/schedule4`) },
      { key: 'json', what: 'JSON `GET /api/v1/requests/:id` (one of the same requests)', run: () => t.http.get(`/api/v1/requests/${requestId}`).set(dpoBearer) },
    ];
    const sizes = {};
    for (const target of targets) {
      const res = await target.run();
      if (res.status !== 200) throw new Error(`${target.key}: ${res.status} ${res.text.slice(0, 500)}`);
      sizes[target.key] = Buffer.byteLength(res.text);
    }
    const times = Object.fromEntries(targets.map((x) => [x.key, []]));
    for (let i = 0; i < WARMUP + RUNS; i++) {
      for (const target of targets) {
        const start = process.hrtime.bigint();
        const res = await target.run();
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        if (res.status !== 200) throw new Error(`${target.key}: ${res.status}`);
        if (i >= WARMUP) times[target.key].push(ms);
      }
    }
    const s = Object.fromEntries(targets.map((x) => [x.key, stats(times[x.key])]));
    const row = (x) => `| ${x.what} | ${s[x.key].median.toFixed(1)} | ${s[x.key].p95.toFixed(1)} | ${(sizes[x.key] / 1024).toFixed(0)} KiB | ${x.key === 'json' ? '1' : (s[x.key].median / s.json.median).toFixed(1)} | ${x.key === 'json' ? '1' : (s[x.key].p95 / s.json.p95).toFixed(1)} |`;
    const load = os.loadavg().map((l) => l.toFixed(2)).join(' / ');
    const section = [
      '## Page rendering',
      '',
      `Command: \`node bench/pages/page-render.bench.js --runs ${RUNS}\` (also run by \`npm run bench\`). Date: ${new Date().toISOString().slice(0, 10)}.`,
      `Machine: nproc ${os.cpus().length}, Node ${process.version}; load average ${load} at the end.`,
      `Data: BYTES PCN grown to 20 practices (each partner its practice's Caldicott Guardian, one shared DPO for all) and an agreement with ${ANNEXES} data-sharing annexes, each with all 20 practices and 2 partner organisations as parties, sent for signature; ${submitted.body.requests.length} requests in the round.`,
      `Server time per request through supertest in the same process (no network), sequential, the three requests interleaved, ${WARMUP} warm-up rounds then ${RUNS} measured.`,
      '',
      '| Request | median ms | p95 ms | body | ratio to JSON (median) | ratio to JSON (p95) |',
      '|---|---|---|---|---|---|',
      ...targets.map(row),
      '',
      'The review page renders everything a reviewer is asked about: the text of each part they review and one approval checkbox per organisation, so for the shared DPO it is five annexes and 100 requests in one page; the JSON is one request of those. The ratios are the comparable figures; absolute times move with the shared machine\'s load.',
      '',
    ].join('\n');
    console.log(`\n${section}`);
    if (WRITE) {
      const file = path.join(ROOT, 'docs/benchmarks.md');
      const doc = fs.readFileSync(file, 'utf8');
      const start = doc.indexOf('## Page rendering');
      let next = start >= 0 ? doc.indexOf('\n## ', start + 1) : -1;
      if (next >= 0) next += 1;
      const updated = start >= 0 ? doc.slice(0, start) + section + (next >= 0 ? `\n${doc.slice(next)}` : '') : `${doc.trimEnd()}\n\n${section}`;
      fs.writeFileSync(file, updated);
      log('wrote the "Page rendering" section of docs/benchmarks.md');
    }
  } finally {
    await t.close();
    await globalTeardown();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
