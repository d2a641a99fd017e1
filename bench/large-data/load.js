#!/usr/bin/env node
// Large-data bulk loader: fills a database with a national-scale history through COPY
// (never through the API, which would take days at this size) so list endpoints, pages and
// audit-chain verification can be measured against it.
//
//   node bench/large-data/load.js --database-url postgres://postgres@127.0.0.1:5432/pcn_large \
//     [--agreements 100000] [--requests-per-agreement 10] [--events-per-agreement 100] \
//     [--large-chain-events 100000] [--pcns 1250] [--seed 1] [--replace]
//
// - Creates the database if it is missing and runs the real migrations (and reference data)
//   through apps/cli, exactly as `npm run db:migrate` does. Refuses (after applying any pending
//   migration, so a run against an already loaded database brings its schema up to date) a
//   database that already holds agreements, unless --replace is given (drop and recreate).
// - Loads, all rows consistent with each other and with the schema's constraints:
//   42 ICBs (each with one community trust and one VCSE), --pcns PCNs (U codes) of 4 to 7 GP
//   practices (core memberships), people with their roles (partners, clinical directors,
//   DPOs, Caldicott Guardians), one user account per person plus a platform admin and an
//   auditor (password for all: "large-data-password"), --agreements network agreements in
//   realistic statuses (about 78% executed, 5% superseded by a variation, 1% terminated,
//   1% expired, 6% awaiting signatures, 2% in IG review, 7% drafts), 1 to 3 immutable revisions
//   each (the demo agreement content, with hashes as the service computes them), approval
//   rounds (some with an earlier declined or withdrawn round), agreements x
//   --requests-per-agreement signature requests spread over the rounds (IG review, parties,
//   clinical director countersignature; statuses matching their round), one execution per
//   executed revision, and about agreements x --events-per-agreement audit events: one hash
//   chain per agreement (seq 1..n, prev_hash linking, hash = hashAuditEvent of exactly the
//   stored fields, occurred_at in milliseconds) telling that agreement's story, so
//   verification really recomputes valid chains. The first executed agreement's chain is
//   padded to --large-chain-events events (read receipts after execution), as one long-lived
//   agreement's would be. The 'platform' chain records the onboarding.
// - Sealed documents (PDF bytes) are not loaded; executions are marked GENERATED.
// - Secondary indexes of the big tables are dropped during COPY and rebuilt from their own
//   definitions afterwards (faster than maintaining them row by row), then VACUUM ANALYZE.
// - Prints rows/s per table and each table's and index's size (pg_total_relation_size).
// Deterministic for a given --seed (ids, names, statuses; timestamps are fixed in the past).
'use strict';
require('../../scripts/ts-register');
const { once } = require('node:events');
const { finished } = require('node:stream/promises');
const { Client } = require('pg');
const { from: copyFrom } = require('pg-copy-streams');

const PASSWORD = 'large-data-password';
const HISTORY_START = Date.parse('2019-07-01T08:00:00.000Z');
const HISTORY_END = Date.parse('2026-11-25T18:00:00.000Z');
const DAY = 86_400_000;

// ---- arguments ------------------------------------------------------------------------

function parseArgs(argv) {
  const opts = { agreements: 100_000, requestsPerAgreement: 10, eventsPerAgreement: 100, largeChainEvents: 100_000, pcns: 1250, seed: 1, replace: false, databaseUrl: null };
  const names = { '--agreements': 'agreements', '--requests-per-agreement': 'requestsPerAgreement', '--events-per-agreement': 'eventsPerAgreement', '--large-chain-events': 'largeChainEvents', '--pcns': 'pcns', '--seed': 'seed' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--database-url') opts.databaseUrl = argv[++i];
    else if (a === '--replace') opts.replace = true;
    else if (names[a]) {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${a} takes a whole number`);
      opts[names[a]] = n;
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!opts.databaseUrl || !/^postgres(ql)?:\/\//.test(opts.databaseUrl)) throw new Error('--database-url postgres://user@host:port/database is required');
  if (opts.agreements < 1 || opts.pcns < 1) throw new Error('--agreements and --pcns must be at least 1');
  opts.pcns = Math.min(opts.pcns, opts.agreements, 89_999);
  return opts;
}

// ---- deterministic randomness ---------------------------------------------------------

function rng(seed) {
  let a = seed >>> 0 || 1;
  const next = () => {
    // mulberry32: fast, good enough for synthetic data, and reproducible.
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const hex8 = () => next().toString(16).padStart(8, '0');
  return {
    float: () => next() / 4294967296,
    int: (lo, hi) => lo + Math.floor((next() / 4294967296) * (hi - lo + 1)),
    pick: (list) => list[Math.floor((next() / 4294967296) * list.length)],
    uuid() {
      const a1 = hex8();
      const b = hex8();
      const c = hex8();
      const d = hex8();
      return `${a1}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${((parseInt(c[0], 16) & 3) | 8).toString(16)}${c.slice(1, 4)}-${c.slice(4)}${d}`;
    },
  };
}

// ---- COPY ---------------------------------------------------------------------------------

const COPY_ESCAPES = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
/** One field in COPY text format. */
function field(v) {
  if (v === null || v === undefined) return '\\N';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'boolean') return v ? 't' : 'f';
  const s = String(v);
  return /[\\\t\n\r]/.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]) : s;
}

/** A COPY ... FROM STDIN on its own connection, written in ~1 MB chunks with backpressure. */
class CopyWriter {
  constructor(url, table, columns) {
    this.url = url;
    this.table = table;
    this.columns = columns;
    this.rows = 0;
    this.buffer = [];
    this.bufferedChars = 0;
  }

  async open() {
    this.client = new Client({ connectionString: this.url });
    await this.client.connect();
    await this.client.query('SET synchronous_commit = off');
    this.stream = this.client.query(copyFrom(`COPY ${this.table} (${this.columns.join(', ')}) FROM STDIN`));
    this.failed = null;
    this.stream.on('error', (error) => (this.failed = error));
    this.started = Date.now();
    return this;
  }

  /** Queues one row; returns a promise only when the stream wants the caller to wait. */
  row(values) {
    let line = field(values[0]);
    for (let i = 1; i < values.length; i++) line += '\t' + field(values[i]);
    line += '\n';
    this.buffer.push(line);
    this.bufferedChars += line.length;
    this.rows++;
    if (this.bufferedChars >= 1 << 20) return this.flush();
    return null;
  }

  flush() {
    if (this.failed) throw this.failed;
    if (this.buffer.length === 0) return null;
    const ok = this.stream.write(this.buffer.join(''));
    this.buffer = [];
    this.bufferedChars = 0;
    return ok ? null : once(this.stream, 'drain');
  }

  async close() {
    const wait = this.flush();
    if (wait) await wait;
    this.stream.end();
    await finished(this.stream);
    if (this.failed) throw this.failed;
    this.seconds = (Date.now() - this.started) / 1000;
    await this.client.end();
    return this;
  }
}

// ---- the plan -----------------------------------------------------------------------

const FIRST_NAMES = ['Amira', 'James', 'Priya', 'Oliver', 'Siobhan', 'Mohammed', 'Grace', 'Tomasz', 'Aisha', 'David', 'Chloé', 'Kwame', 'Fiona', 'Rhys', 'Mei', 'Hannah', 'Ravi', 'Niamh', 'Samuel', 'Zoë'];
const LAST_NAMES = ['Okafor', 'Patel', 'Smith', 'Jones', 'Williams', 'Brown', 'Nowak', "O'Neill", 'Khan', 'Taylor', 'Evans', 'Wright', 'Chen', 'Thomas', 'Roberts', 'Ahmed', 'Walker', 'Hughes', 'Green', 'Lewis'];
const TOWNS = ['Yarm', 'Eaglescliffe', 'Thornaby', 'Barwick', 'Stockton', 'Norton', 'Billingham', 'Ingleby', 'Hartburn', 'Fairfield', 'Roseworth', 'Elm Tree', 'Hardwick', 'Bishopsgarth'];
const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0',
];

/** Agreement statuses and their share of the agreements (drawn per agreement). */
const STATUS_MIX = [
  ['EXECUTED', 0.78],
  ['SUPERSEDED', 0.05],
  ['TERMINATED', 0.01],
  ['EXPIRED', 0.01],
  ['AWAITING_SIGNATURES', 0.06],
  ['IN_IG_REVIEW', 0.02],
  ['DRAFT', 0.07],
];

function drawStatus(r) {
  let x = r.float();
  for (const [status, share] of STATUS_MIX) if ((x -= share) < 0) return status;
  return 'EXECUTED';
}

const odsFromIndex = (prefix, i, digits) => `${prefix}${String(i).padStart(digits, '0')}`;
const ms = (t) => new Date(Math.floor(t));

function buildDirectory(r, opts) {
  const icbs = [];
  for (let i = 0; i < 42; i++) {
    const code = `Q${(i + 36 * 10).toString(36).toUpperCase().slice(-2)}`;
    const icb = { id: r.uuid(), code, name: `NHS Large Data ${i + 1} Integrated Care Board` };
    icb.trust = { id: r.uuid(), kind: 'NHS_TRUST', name: `${TOWNS[i % TOWNS.length]} Community Healthcare NHS Trust ${i + 1}`, odsCode: `R${(1000 + i).toString(36).toUpperCase()}` };
    icb.vcse = { id: r.uuid(), kind: 'VCSE', name: `${TOWNS[(i + 3) % TOWNS.length]} Voluntary Action ${i + 1}`, odsCode: null };
    icbs.push(icb);
  }
  const people = [];
  const person = (role) => {
    const first = r.pick(FIRST_NAMES);
    const last = r.pick(LAST_NAMES);
    const n = people.length + 1;
    const p = { id: r.uuid(), userId: r.uuid(), fullName: `${role === 'CLINICAL_DIRECTOR' || role === 'PARTNER' ? 'Dr ' : ''}${first} ${last}`, email: `person${n}@large.invalid`, roles: [] };
    people.push(p);
    return p;
  };
  for (const icb of icbs) {
    icb.trust.dpo = person('DPO');
    icb.trust.dpo.roles.push({ organisationId: icb.trust.id, role: 'DPO' });
    icb.trust.caldicott = person('CALDICOTT_GUARDIAN');
    icb.trust.caldicott.roles.push({ organisationId: icb.trust.id, role: 'CALDICOTT_GUARDIAN' });
  }
  const pcns = [];
  let practiceNo = 0;
  for (let i = 0; i < opts.pcns; i++) {
    const icb = icbs[i % icbs.length];
    const town = TOWNS[i % TOWNS.length];
    const pcn = { id: r.uuid(), code: odsFromIndex('U', 10000 + i, 5), name: `${town} ${i + 1} PCN`, icb, practices: [], partners: [] };
    pcn.cd = person('CLINICAL_DIRECTOR');
    pcn.cd.roles.push({ organisationId: pcn.id, role: 'CLINICAL_DIRECTOR' });
    pcn.dpo = person('DPO'); // one DPO shared by the PCN's practices, as is common
    const practices = r.int(4, 7);
    for (let j = 0; j < practices; j++) {
      practiceNo++;
      const letter = String.fromCharCode(65 + Math.floor(practiceNo / 100000));
      const practice = {
        id: r.uuid(),
        odsCode: odsFromIndex(letter, practiceNo % 100000, 5),
        name: `${TOWNS[(i + j) % TOWNS.length]} ${['Medical Practice', 'Surgery', 'Health Centre', 'Family Practice'][j % 4]} ${practiceNo}`,
        legalForm: 'PARTNERSHIP',
        listSize: r.int(3000, 22000),
        partners: [],
      };
      pcn.dpo.roles.push({ organisationId: practice.id, role: 'DPO' });
      pcn.practices.push(practice);
    }
    pcns.push(pcn);
  }
  return { icbs, pcns, people, person };
}

/** Rounds and request counts for every agreement, decided before any row is written. */
function buildPlan(r, opts, directory) {
  const agreements = [];
  const perPcn = new Map();
  const span = HISTORY_END - HISTORY_START;
  for (let i = 0; i < opts.agreements; i++) {
    const pcn = directory.pcns[i % directory.pcns.length];
    const list = perPcn.get(pcn) ?? [];
    perPcn.set(pcn, list);
    const createdAt = HISTORY_START + Math.floor(((Math.floor(i / directory.pcns.length) + r.float()) / Math.ceil(opts.agreements / directory.pcns.length)) * span * 0.97);
    const status = drawStatus(r);
    // Drafts and open rounds are recent; everything else happened over the years before.
    const open = status === 'DRAFT' || status === 'AWAITING_SIGNATURES' || status === 'IN_IG_REVIEW';
    const a = { i, id: r.uuid(), pcn, status, createdAt: open ? HISTORY_END - r.int(10, 25) * DAY - r.int(0, DAY) : createdAt, rounds: [], versionNumber: 1, variationOfId: null };
    list.push(a);
    agreements.push(a);
  }
  // A superseded agreement is one whose next agreement in the PCN is its executed variation.
  for (const list of perPcn.values()) {
    list.forEach((a, k) => {
      if (a.status !== 'SUPERSEDED') return;
      const next = list[k + 1];
      if (next && next.status === 'EXECUTED' && !next.variationOfId) {
        next.variationOfId = a.id;
        next.versionNumber = a.versionNumber + 1;
        a.supersededBy = next;
      } else a.status = 'EXECUTED';
    });
    const years = new Map();
    for (const a of list) {
      const year = new Date(a.createdAt).getUTCFullYear();
      const n = (years.get(year) ?? 0) + 1;
      years.set(year, n);
      a.financialYear = `${year}/${String((year + 1) % 100).padStart(2, '0')}`;
      a.reference = `NA-${a.pcn.code}-${year}-${String(n).padStart(4, '0')}`;
    }
  }
  const rounds = [];
  for (const a of agreements) {
    a.revisionCount = r.int(1, 3);
    let at = a.createdAt;
    a.revisions = Array.from({ length: a.revisionCount }, (_, k) => ({ id: r.uuid(), number: k + 1, createdAt: (at += k === 0 ? 0 : r.int(3600_000, 2 * DAY)) }));
    if (a.status === 'DRAFT') continue;
    const last = a.revisions[a.revisions.length - 1];
    // Some agreements had an earlier round on the previous revision that was declined or withdrawn;
    // the last revision was saved after it ended.
    if (a.revisionCount > 1 && r.float() < 0.15) {
      const earlier = addRound(r, a, a.revisions[a.revisions.length - 2], r.float() < 0.6 ? 'DECLINED' : 'WITHDRAWN');
      rounds.push(earlier);
      last.createdAt = Math.max(last.createdAt, earlier.endedAt + 3600_000);
    }
    const status = { EXECUTED: 'COMPLETED', SUPERSEDED: 'COMPLETED', TERMINATED: 'COMPLETED', EXPIRED: 'EXPIRED', AWAITING_SIGNATURES: 'ACTIVE', IN_IG_REVIEW: 'ACTIVE' }[a.status];
    rounds.push(addRound(r, a, last, status));
  }
  // Spread exactly agreements x requests-per-agreement requests over the rounds (at least 4 each:
  // two IG approvals, one party signature and the countersignature).
  const total = opts.agreements * opts.requestsPerAgreement;
  rounds.forEach((round, k) => {
    round.requestCount = Math.floor(total / rounds.length) + (k < total % rounds.length ? 1 : 0);
    if (round.requestCount < 4) round.requestCount = 4;
  });
  // Enough partners in every practice for the largest parties step.
  const maxParties = Math.max(1, ...rounds.map((x) => x.requestCount - 3));
  for (const pcn of directory.pcns) {
    const perPractice = Math.max(2, Math.ceil(maxParties / pcn.practices.length));
    for (const practice of pcn.practices) {
      for (let k = 0; k < perPractice; k++) {
        const p = directory.person('PARTNER');
        p.roles.push({ organisationId: practice.id, role: 'PARTNER' });
        practice.partners.push(p);
        pcn.partners.push({ person: p, practice });
      }
    }
  }
  return { agreements, rounds };
}

function addRound(r, a, revision, status) {
  const submittedAt = revision.createdAt + r.int(1, 4) * DAY;
  const round = { id: r.uuid(), agreement: a, revision, status, submittedAt, dueAt: submittedAt + 28 * DAY };
  if (a.status === 'IN_IG_REVIEW' && status === 'ACTIVE') round.currentStep = 1;
  else if (status === 'ACTIVE' || status === 'EXPIRED') round.currentStep = 2;
  else round.currentStep = 3;
  if (status === 'COMPLETED') round.endedAt = submittedAt + r.int(2, 20) * DAY;
  else if (status === 'DECLINED' || status === 'WITHDRAWN') round.endedAt = submittedAt + r.int(1, 10) * DAY;
  else round.endedAt = null;
  a.rounds.push(round);
  return round;
}

// ---- content --------------------------------------------------------------------------

function contentFor(demoAgreementContent, a, revision, annexId) {
  const p = a.pcn.practices;
  const icb = a.pcn.icb;
  const contact = (x) => ({ name: x.fullName, email: x.email });
  const igContacts = {};
  for (const practice of p) igContacts[practice.id] = { dpo: contact(a.pcn.dpo), caldicottGuardian: contact(practice.partners[0] ?? a.pcn.cd) };
  igContacts[icb.trust.id] = { dpo: contact(icb.trust.dpo), caldicottGuardian: contact(icb.trust.caldicott) };
  const effectiveFrom = `${a.financialYear.slice(0, 4)}-04-01`;
  const content = demoAgreementContent(
    { practices: { yarm: p[0].id, eaglescliffe: p[1].id, tbmg: p[2].id, parklane: p[3].id }, trust: icb.trust.id, vcse: icb.vcse.id, clinicalDirectorPersonId: a.pcn.cd.id, igContacts },
    effectiveFrom,
  );
  content.title = `${a.pcn.name} Network Agreement ${a.financialYear}`;
  content.financialYear = a.financialYear;
  content.schedules.keyDetails.clinicalDirector.name = a.pcn.cd.fullName;
  content.schedules.keyDetails.networkArea = `${a.pcn.name} area: the registered lists of its ${p.length} core practices.`;
  content.schedules.additionalTerms.push({ heading: 'Revision note', text: `Revision ${revision.number} of ${a.reference}.` });
  content.annexes[0].id = annexId;
  return content;
}

// ---- audit events -------------------------------------------------------------------

function makeChain(chainKey, hashAuditEvent, canonicalJson, writer, GENESIS_HASH) {
  let seq = 0;
  let prevHash = GENESIS_HASH;
  let lastAt = 0;
  return {
    get seq() {
      return seq;
    },
    /** Appends one event; `at` is clamped so occurred_at never goes backwards within the chain. */
    add(e) {
      const at = Math.max(Math.floor(e.at), lastAt + 1);
      lastAt = at;
      seq++;
      const event = {
        chainKey,
        seq,
        type: e.type,
        occurredAt: new Date(at),
        agreementId: e.agreementId ?? null,
        roundId: e.roundId ?? null,
        revisionHash: e.revisionHash ?? null,
        actorUserId: e.actorUserId ?? null,
        actorName: e.actorName ?? null,
        organisationId: e.organisationId ?? null,
        ip: e.ip ?? null,
        userAgent: e.userAgent ?? null,
        authMethod: e.authMethod ?? null,
        payload: e.payload ?? {},
        prevHash,
      };
      event.hash = hashAuditEvent(event);
      prevHash = event.hash;
      return writer.row([
        event.chainKey, event.seq, event.type, event.occurredAt, event.agreementId, event.roundId, event.revisionHash, event.actorUserId, event.actorName,
        event.organisationId, event.ip, event.userAgent, event.authMethod, canonicalJson(event.payload), event.prevHash, event.hash,
      ]);
    },
  };
}

const AUDIT_COLUMNS = ['chain_key', 'seq', 'type', 'occurred_at', 'agreement_id', 'round_id', 'revision_hash', 'actor_user_id', 'actor_name', 'organisation_id', 'ip', 'user_agent', 'auth_method', 'payload', 'prev_hash', 'hash'];

// ---- database -----------------------------------------------------------------------

async function adminQuery(url, sql) {
  const u = new URL(url);
  u.pathname = '/postgres';
  const c = new Client({ connectionString: u.toString() });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

async function prepareDatabase(opts, log) {
  const name = decodeURIComponent(new URL(opts.databaseUrl).pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`database name "${name}": letters, digits and _ only`);
  const exists = (await adminQuery(opts.databaseUrl, `SELECT 1 FROM pg_database WHERE datname = '${name}'`)).rowCount > 0;
  if (exists && opts.replace) {
    await adminQuery(opts.databaseUrl, `DROP DATABASE "${name}" WITH (FORCE)`);
    log(`dropped ${name}`);
  }
  if (!exists || opts.replace) {
    await adminQuery(opts.databaseUrl, `CREATE DATABASE "${name}"`);
    log(`created ${name}`);
  }
  const { runMigrations } = require('../../apps/cli/src/migrations.ts');
  const { syncTemplates } = require('../../apps/cli/src/reference-data.ts');
  const applied = await runMigrations(opts.databaseUrl, () => undefined);
  await syncTemplates(opts.databaseUrl, () => undefined);
  log(`migrations: ${applied.length} applied`);
  const c = new Client({ connectionString: opts.databaseUrl });
  await c.connect();
  try {
    const [{ n }] = (await c.query('SELECT count(*)::int AS n FROM network_agreement')).rows;
    if (n > 0) throw new Error(`${name} already holds ${n} agreements; pass --replace to drop and reload it`);
    const [template] = (await c.query('SELECT id, version FROM agreement_template ORDER BY version DESC LIMIT 1')).rows;
    return { name, template };
  } finally {
    await c.end();
  }
}

const BIG_TABLES = ['network_agreement', 'agreement_revision', 'approval_round', 'signature_request', 'agreement_execution', 'audit_event'];

/** Drops the secondary indexes (not those behind constraints) of the big tables; returns their definitions. */
async function dropSecondaryIndexes(client) {
  const { rows } = await client.query(
    `SELECT i.indexname, i.indexdef FROM pg_indexes i
      WHERE i.schemaname = 'public' AND i.tablename = ANY($1)
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
    [BIG_TABLES],
  );
  for (const row of rows) await client.query(`DROP INDEX "${row.indexname}"`);
  return rows;
}

// ---- main -----------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const log = (line) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}`);
  const { hashAuditEvent } = require('@pcn/audit/audit-chain');
  const { GENESIS_HASH, PLATFORM_CHAIN } = require('@pcn/audit/audit-event.entity');
  const { canonicalJson, sha256Hex } = require('@pcn/common/canonical-json');
  const { demoAgreementContent } = require('../../apps/cli/src/seed/demo-agreement.ts');
  const argon2 = require('argon2');

  const { name, template } = await prepareDatabase(opts, log);
  const url = opts.databaseUrl;
  const r = rng(opts.seed);
  const directory = buildDirectory(r, opts);
  const plan = buildPlan(r, opts, directory);
  log(`plan: ${directory.pcns.length} PCNs, ${directory.people.length} people, ${plan.agreements.length} agreements, ${plan.rounds.length} rounds`);

  const admin = new Client({ connectionString: url });
  await admin.connect();
  const dropped = await dropSecondaryIndexes(admin);
  log(`dropped ${dropped.length} secondary indexes for the load`);
  const stats = [];
  const record = (w) => stats.push({ table: w.table, rows: w.rows, seconds: w.seconds });
  const passwordHash = await argon2.hash(PASSWORD);
  const platformUa = 'large-data loader';

  // ---- phase 1: directory, users and the platform chain ---------------------------------
  const orgs = await new CopyWriter(url, 'organisation', ['id', 'kind', 'name', 'ods_code', 'icb_code', 'network_area', 'contract_type', 'legal_form', 'list_size', 'list_size_date', 'sub_icb_code', 'created_at', 'updated_at']).open();
  const at0 = new Date(HISTORY_START - 30 * DAY);
  const onboarded = [];
  for (const icb of directory.icbs) {
    orgs.row([icb.id, 'ICB', icb.name, icb.code, null, null, null, null, null, null, null, at0, at0]);
    orgs.row([icb.trust.id, 'NHS_TRUST', icb.trust.name, icb.trust.odsCode, icb.code, null, null, null, null, null, null, at0, at0]);
    orgs.row([icb.vcse.id, 'VCSE', icb.vcse.name, null, icb.code, null, null, null, null, null, null, at0, at0]);
    onboarded.push(icb, icb.trust, icb.vcse);
  }
  for (const pcn of directory.pcns) {
    orgs.row([pcn.id, 'PCN', pcn.name, pcn.code, pcn.icb.code, `${pcn.name} area`, null, null, null, null, null, at0, at0]);
    onboarded.push(pcn);
    for (const practice of pcn.practices) {
      orgs.row([practice.id, 'GP_PRACTICE', practice.name, practice.odsCode, pcn.icb.code, null, 'GMS', practice.legalForm, practice.listSize, '2026-01-01', null, at0, at0]);
      onboarded.push(practice);
    }
  }
  record(await orgs.close());

  const persons = await new CopyWriter(url, 'person', ['id', 'full_name', 'email', 'created_at']).open();
  for (const p of directory.people) persons.row([p.id, p.fullName, p.email, at0]);
  record(await persons.close());
  const roles = await new CopyWriter(url, 'person_role', ['id', 'person_id', 'organisation_id', 'role', 'signs_for_organisation', 'valid_from']).open();
  for (const p of directory.people) for (const role of p.roles) roles.row([r.uuid(), p.id, role.organisationId, role.role, false, '2019-07-01']);
  record(await roles.close());
  const memberships = await new CopyWriter(url, 'membership', ['id', 'pcn_id', 'practice_id', 'type', 'joined_on', 'created_at']).open();
  for (const pcn of directory.pcns) for (const practice of pcn.practices) memberships.row([r.uuid(), pcn.id, practice.id, 'CORE', '2019-07-01', at0]);
  record(await memberships.close());

  const users = await new CopyWriter(url, 'user_account', ['id', 'email', 'display_name', 'password_hash', 'person_id', 'created_at']).open();
  const adminUser = { id: r.uuid(), email: 'admin@large.invalid', name: 'Platform Administrator' };
  const auditorUser = { id: r.uuid(), email: 'auditor@large.invalid', name: 'National Auditor' };
  users.row([adminUser.id, adminUser.email, adminUser.name, passwordHash, null, at0]);
  users.row([auditorUser.id, auditorUser.email, auditorUser.name, passwordHash, null, at0]);
  for (const p of directory.people) users.row([p.userId, p.email, p.fullName, passwordHash, p.id, at0]);
  record(await users.close());
  const grants = await new CopyWriter(url, 'role_grant', ['id', 'user_id', 'role', 'organisation_id', 'icb_code']).open();
  grants.row([r.uuid(), adminUser.id, 'PLATFORM_ADMIN', null, null]);
  grants.row([r.uuid(), auditorUser.id, 'AUDITOR', null, null]);
  for (const pcn of directory.pcns) {
    grants.row([r.uuid(), pcn.cd.userId, 'PCN_CLINICAL_DIRECTOR', pcn.id, null]);
    for (const { person, practice } of pcn.partners) grants.row([r.uuid(), person.userId, 'PRACTICE_SIGNATORY', practice.id, null]);
  }
  record(await grants.close());

  const platformAudit = await new CopyWriter(url, 'audit_event', AUDIT_COLUMNS).open();
  const platform = makeChain(PLATFORM_CHAIN, hashAuditEvent, canonicalJson, platformAudit, GENESIS_HASH);
  const adminActor = { actorUserId: adminUser.id, actorName: adminUser.name, ip: '198.51.100.10', userAgent: platformUa, authMethod: 'password' };
  let t = HISTORY_START - 30 * DAY;
  for (const o of onboarded) {
    const wait = platform.add({ ...adminActor, type: 'ORGANISATION_ONBOARDED', at: (t += 1000), organisationId: o.id, payload: { kind: o.kind ?? (o.code?.startsWith('Q') ? 'ICB' : o.practices ? 'PCN' : 'GP_PRACTICE'), odsCode: o.odsCode ?? o.code ?? null } });
    if (wait) await wait;
  }
  for (const p of directory.people) {
    const wait = platform.add({ ...adminActor, type: 'PERSON_ADDED', at: (t += 1000), payload: { personId: p.id } });
    if (wait) await wait;
  }
  record(await platformAudit.close());
  log(`directory: ${onboarded.length} organisations, ${directory.people.length} people and accounts; platform chain ${platform.seq} events`);

  // ---- phase 2: agreements, then their revisions (the revisions' foreign key needs the agreements committed)
  const agreementsW = await new CopyWriter(url, 'network_agreement', [
    'id', 'reference', 'pcn_id', 'template_id', 'status', 'title', 'current_revision_number', 'created_by', 'created_at', 'updated_at', 'version_number', 'variation_of_id',
    'executed_revision_number', 'executed_at', 'ended_at', 'status_reason',
  ]).open();
  for (const a of plan.agreements) {
    const final = a.rounds[a.rounds.length - 1];
    const executed = final && final.status === 'COMPLETED';
    a.executedAt = executed ? final.endedAt : null;
    if (a.status === 'SUPERSEDED') a.endedAt = Math.max(a.executedAt + DAY, a.supersededBy.createdAt + 30 * DAY);
    else if (a.status === 'TERMINATED') a.endedAt = a.executedAt + r.int(30, 300) * DAY;
    else if (a.status === 'EXPIRED') a.endedAt = final.dueAt;
    else a.endedAt = null;
    const reason = a.status === 'TERMINATED' ? 'The PCN dissolved at the end of the financial year.' : a.status === 'EXPIRED' ? 'The approval round passed its due date before everyone signed.' : null;
    const updatedAt = Math.max(a.createdAt, a.revisions[a.revisions.length - 1].createdAt, final?.endedAt ?? 0, a.endedAt ?? 0);
    const wait = agreementsW.row([
      a.id, a.reference, a.pcn.id, template.id, a.status, `${a.pcn.name} Network Agreement ${a.financialYear}`, a.revisionCount, a.pcn.cd.userId, ms(a.createdAt), ms(updatedAt),
      a.versionNumber, a.variationOfId, executed ? final.revision.number : null, a.executedAt ? ms(a.executedAt) : null, a.endedAt ? ms(a.endedAt) : null, reason,
    ]);
    if (wait) await wait;
  }
  record(await agreementsW.close());
  log(`agreements: ${agreementsW.rows} (${(agreementsW.rows / agreementsW.seconds).toFixed(0)} rows/s)`);

  const revisionsW = await new CopyWriter(url, 'agreement_revision', ['id', 'agreement_id', 'number', 'content', 'content_hash', 'warnings', 'created_by', 'created_at']).open();
  for (const a of plan.agreements) {
    a.annexId = r.uuid();
    for (const revision of a.revisions) {
      const content = contentFor(demoAgreementContent, a, revision, a.annexId);
      const json = canonicalJson(content);
      revision.hash = sha256Hex(json);
      revision.annexHash = sha256Hex(canonicalJson({ agreementId: a.id, annex: content.annexes[0] }));
      const wait = revisionsW.row([revision.id, a.id, revision.number, json, revision.hash, '{}', a.pcn.cd.userId, ms(revision.createdAt)]);
      if (wait) await wait;
    }
  }
  record(await revisionsW.close());
  log(`revisions: ${revisionsW.rows} (${(revisionsW.rows / revisionsW.seconds).toFixed(0)} rows/s)`);

  // ---- phase 3: rounds, requests, executions and the agreements' audit chains, in one pass over
  // the plan through four concurrent COPY streams (none of these tables has a foreign key).
  const roundsW = await new CopyWriter(url, 'approval_round', [
    'id', 'agreement_id', 'revision_id', 'revision_number', 'content_hash', 'status', 'current_step', 'last_step', 'ig_last_step', 'step_phases', 'due_at',
    'first_reminder_after_days', 'reminder_every_days', 'max_reminders', 'reminders_sent', 'reminder_seq', 'message', 'submitted_by', 'submitted_by_person_id', 'submitted_at', 'ended_at', 'end_reason',
  ]).open();
  const requestsW = await new CopyWriter(url, 'signature_request', [
    'id', 'round_id', 'agreement_id', 'step', 'phase', 'kind', 'scope', 'annex_id', 'annex_title', 'bound_hash', 'group_key', 'organisation_id', 'organisation_name', 'ods_code',
    'person_id', 'person_name', 'person_email', 'capacity', 'status', 'viewed_at', 'acted_at', 'acted_by_user_id', 'typed_name', 'authority_confirmed', 'ip', 'user_agent', 'auth_method',
    'decline_reason', 'reminders_sent',
  ]).open();
  const executionsW = await new CopyWriter(url, 'agreement_execution', ['id', 'agreement_id', 'revision_id', 'round_id', 'content_hash', 'executed_at', 'document_status', 'document_generated_at', 'created_at']).open();
  const auditW = await new CopyWriter(url, 'audit_event', AUDIT_COLUMNS).open();
  const annexTitle = 'Direct care data sharing: anticipatory care and care homes';
  const largeChainAgreement = plan.agreements.find((a) => a.status === 'EXECUTED');
  let auditEvents = 0;
  const pending = [];
  const push = (w) => {
    if (w) pending.push(w);
  };
  const drain = async () => {
    while (pending.length) await pending.pop();
  };

  for (const a of plan.agreements) {
    const chain = makeChain(a.id, hashAuditEvent, canonicalJson, auditW, GENESIS_HASH);
    const cd = a.pcn.cd;
    const cdActor = { actorUserId: cd.userId, actorName: cd.fullName, ip: `10.${a.pcn.icb.code.charCodeAt(1)}.${a.i % 250}.${(a.i >> 8) % 250}`, userAgent: USER_AGENTS[a.i % USER_AGENTS.length], authMethod: 'password' };
    const system = { authMethod: 'system' };
    const base = { agreementId: a.id };
    push(chain.add({ ...base, ...cdActor, type: 'AGREEMENT_CREATED', at: a.createdAt, revisionHash: a.revisions[0].hash, payload: a.variationOfId ? { reference: a.reference, templateVersion: template.version, variationOf: a.variationOfId } : { reference: a.reference, templateVersion: template.version } }));
    let revisionsLogged = 0;
    const logRevisionsUntil = (until) => {
      while (revisionsLogged < a.revisions.length && a.revisions[revisionsLogged].createdAt <= until) {
        const rev = a.revisions[revisionsLogged++];
        push(chain.add({ ...base, ...cdActor, type: 'REVISION_SAVED', at: rev.createdAt, revisionHash: rev.hash, payload: { revisionNumber: rev.number, warnings: 0 } }));
      }
    };
    for (const round of a.rounds) {
      logRevisionsUntil(round.submittedAt);
      const rev = round.revision;
      const igLast = 1;
      const phases = ['IG_REVIEW', 'PARTIES', 'COUNTERSIGN'];
      push(roundsW.row([
        round.id, a.id, rev.id, rev.number, rev.hash, round.status, round.currentStep, 3, igLast, `{${phases.join(',')}}`, ms(round.dueAt), 7, 7, 3,
        round.status === 'COMPLETED' ? 0 : 1, 1, null, cd.userId, cd.id, ms(round.submittedAt), round.endedAt ? ms(round.endedAt) : null,
        round.status === 'DECLINED' ? 'declined' : round.status === 'WITHDRAWN' ? 'withdrawn' : round.status === 'COMPLETED' ? 'executed' : null,
      ]));
      push(chain.add({ ...base, ...cdActor, type: 'SUBMITTED', at: round.submittedAt, roundId: round.id, revisionHash: rev.hash, payload: { revisionNumber: rev.number, dueAt: ms(round.dueAt).toISOString(), steps: 3 } }));
      // The signers: trust DPO and Caldicott Guardian (IG review of the annex), partners (parties), the clinical director.
      const trust = a.pcn.icb.trust;
      const signers = [
        { step: 1, phase: 'IG_REVIEW', kind: 'IG_APPROVAL', scope: 'ANNEX', person: trust.dpo, org: trust, capacity: 'DPO', group: `ig:${a.annexId}:${trust.id}:DPO`, bound: rev.annexHash },
        { step: 1, phase: 'IG_REVIEW', kind: 'IG_APPROVAL', scope: 'ANNEX', person: trust.caldicott, org: trust, capacity: 'CALDICOTT_GUARDIAN', group: `ig:${a.annexId}:${trust.id}:CALDICOTT_GUARDIAN`, bound: rev.annexHash },
      ];
      const parties = round.requestCount - 3;
      const offset = r.int(0, a.pcn.partners.length - 1);
      for (let k = 0; k < parties; k++) {
        const { person, practice } = a.pcn.partners[(offset + k) % a.pcn.partners.length];
        signers.push({ step: 2, phase: 'PARTIES', kind: 'SIGNATURE', scope: 'AGREEMENT', person, org: { id: practice.id, name: practice.name, odsCode: practice.odsCode }, capacity: 'PARTNER', group: `sig:agreement:${practice.id}:${person.id}`, bound: rev.hash });
      }
      signers.push({ step: 3, phase: 'COUNTERSIGN', kind: 'SIGNATURE', scope: 'AGREEMENT', person: cd, org: { id: a.pcn.id, name: a.pcn.name, odsCode: a.pcn.code }, capacity: 'CLINICAL_DIRECTOR', group: `cd:${a.id}`, bound: rev.hash });
      const stepStart = [0, round.submittedAt + 60_000, 0, 0];
      const declineAt = round.status === 'DECLINED' ? r.int(0, parties - 1) : -1;
      let when = round.submittedAt;
      let signed = 0;
      for (let step = 1; step <= 3; step++) {
        const inStep = signers.filter((s) => s.step === step);
        const opened = step <= round.currentStep;
        const done = step < round.currentStep || round.status === 'COMPLETED';
        const span = Math.max(1, ((round.endedAt ?? Math.min(round.dueAt, HISTORY_END)) - round.submittedAt) / 3);
        when = stepStart[step] || when;
        for (const [k, s] of inStep.entries()) {
          s.id = r.uuid();
          const who = { actorUserId: s.person.userId, actorName: s.person.fullName, organisationId: s.org.id, ip: `192.0.2.${(k * 7 + step) % 250}`, userAgent: USER_AGENTS[(k + a.i) % USER_AGENTS.length], authMethod: 'password' };
          let status = 'PENDING';
          let viewedAt = null;
          let actedAt = null;
          if (opened) {
            const sentAt = when + k * 1000;
            push(chain.add({ ...base, ...system, actorName: s.person.fullName, organisationId: s.org.id, type: 'REQUEST_SENT', at: sentAt, roundId: round.id, revisionHash: rev.hash, payload: { requestId: s.id, step, to: s.person.email } }));
            push(chain.add({ ...base, ...system, type: 'EMAIL_SENT', at: sentAt + 2000, roundId: round.id, payload: { jobId: r.uuid(), kind: 'SIGNATURE_REQUEST', to: s.person.email, messageId: `<${r.uuid()}@large.invalid>` } }));
            const declines = step === 2 && k === declineAt;
            if (done || declines || r.float() < 0.5) {
              viewedAt = sentAt + r.int(1, Math.max(2, Math.floor(span / 2)));
              push(chain.add({ ...base, ...who, type: 'VIEWED', at: viewedAt, roundId: round.id, revisionHash: rev.hash, payload: { requestId: s.id } }));
            }
            if (declines) {
              actedAt = viewedAt + r.int(60_000, 3600_000);
              status = 'DECLINED';
              push(chain.add({ ...base, ...who, type: 'DECLINED', at: actedAt, roundId: round.id, revisionHash: rev.hash, payload: { requestId: s.id, reason: 'Clause 4 needs the revised funding shares agreed at the last board meeting.' } }));
            } else if (done || (viewedAt && round.status === 'ACTIVE' && step < round.currentStep)) {
              actedAt = viewedAt + r.int(60_000, Math.max(60_001, Math.floor(span / 2)));
              status = 'APPROVED';
              signed++;
              push(chain.add({ ...base, ...who, type: step === 1 ? 'APPROVED' : 'SIGNED', at: actedAt, roundId: round.id, revisionHash: rev.hash, payload: { requestId: s.id, step, capacity: s.capacity, typedName: s.person.fullName, authorityConfirmed: true } }));
            } else if (round.status !== 'ACTIVE' && round.status !== 'EXPIRED') status = 'VOID';
          }
          push(requestsW.row([
            s.id, round.id, a.id, s.step, s.phase, s.kind, s.scope, s.scope === 'ANNEX' ? a.annexId : null, s.scope === 'ANNEX' ? annexTitle : null, s.bound, s.group, s.org.id,
            s.org.name, s.org.odsCode ?? null, s.person.id, s.person.fullName, s.person.email, s.capacity, status, viewedAt ? ms(viewedAt) : null, actedAt ? ms(actedAt) : null,
            actedAt ? s.person.userId : null, status === 'APPROVED' ? s.person.fullName : null, status === 'APPROVED' ? true : null, actedAt ? who.ip : null, actedAt ? who.userAgent : null,
            actedAt ? 'password' : null, status === 'DECLINED' ? 'Clause 4 needs the revised funding shares agreed at the last board meeting.' : null, 0,
          ]));
        }
        when = Math.max(when + span, when + 3600_000);
        stepStart[step + 1] = when;
      }
      if (round.status === 'ACTIVE' || round.status === 'EXPIRED') {
        push(chain.add({ ...base, ...system, type: 'REMINDED', at: round.submittedAt + 7 * DAY, roundId: round.id, revisionHash: rev.hash, payload: { reminderNumber: 1, step: round.currentStep, people: signers.filter((s) => s.step === round.currentStep).length } }));
      }
      if (round.status === 'EXPIRED') {
        push(chain.add({ ...base, ...system, type: 'EXPIRED', at: round.dueAt, roundId: round.id, revisionHash: rev.hash, payload: { dueAt: ms(round.dueAt).toISOString(), outstanding: signers.length - signed } }));
      } else if (round.status === 'WITHDRAWN') {
        push(chain.add({ ...base, ...cdActor, type: 'WITHDRAWN', at: round.endedAt, roundId: round.id, revisionHash: rev.hash, payload: { reason: 'A practice merger changes the list of core practices.' } }));
      } else if (round.status === 'COMPLETED') {
        const executionId = r.uuid();
        const executedAt = round.endedAt;
        const generatedAt = executedAt + r.int(5_000, 60_000);
        push(executionsW.row([executionId, a.id, rev.id, round.id, rev.hash, ms(executedAt), 'GENERATED', ms(generatedAt), ms(executedAt)]));
        push(chain.add({ ...base, ...cdActor, type: 'EXECUTED', at: executedAt, roundId: round.id, revisionHash: rev.hash, payload: { executionId, revisionNumber: rev.number, signatories: signed } }));
        push(chain.add({ ...base, ...system, type: 'DOCUMENT_GENERATED', at: generatedAt, roundId: round.id, revisionHash: rev.hash, payload: { executionId, documents: [{ id: r.uuid(), reference: `${a.reference}-A` }, { id: r.uuid(), reference: `${a.reference}-DSA1` }] } }));
      }
    }
    logRevisionsUntil(Infinity);
    if (a.status === 'SUPERSEDED') push(chain.add({ ...base, ...cdActor, type: 'SUPERSEDED', at: a.endedAt, payload: { supersededBy: a.supersededBy.id, reference: a.supersededBy.reference } }));
    if (a.status === 'TERMINATED') push(chain.add({ ...base, ...cdActor, type: 'TERMINATED', at: a.endedAt, payload: { reason: 'The PCN dissolved at the end of the financial year.', notified: a.pcn.partners.length } }));
    // Afterwards: people reading the agreement and downloading its documents, up to the chain's length
    // (varied around --events-per-agreement; the large chain gets --large-chain-events).
    const target = a === largeChainAgreement ? Math.max(opts.largeChainEvents, opts.eventsPerAgreement) : Math.round(opts.eventsPerAgreement * (a.i % 2 === 0 ? 0.6 + (a.i % 9) / 10 : 1.4 - ((a.i - 1) % 9) / 10));
    let at = Math.max(a.endedAt ?? 0, a.executedAt ?? 0, a.revisions[a.revisions.length - 1].createdAt) + DAY;
    const readers = a.pcn.partners;
    const gap = Math.max(1000, Math.floor((HISTORY_END + 300 * DAY - at) / Math.max(1, target - chain.seq)));
    while (chain.seq < target) {
      const { person, practice } = readers[(chain.seq * 7 + a.i) % readers.length];
      const reader = { actorUserId: person.userId, actorName: person.fullName, organisationId: practice.id, ip: `192.0.2.${chain.seq % 250}`, userAgent: USER_AGENTS[chain.seq % USER_AGENTS.length], authMethod: 'password' };
      at += r.int(Math.floor(gap / 2), gap);
      const kind = a.executedAt && chain.seq % 5 === 0 ? 'DOCUMENT_DOWNLOADED' : chain.seq % 17 === 0 ? 'AUDIT_TRAIL_EXPORTED' : 'VIEWED';
      const payload = kind === 'DOCUMENT_DOWNLOADED' ? { reference: `${a.reference}-A`, bytes: 182_644 } : kind === 'AUDIT_TRAIL_EXPORTED' ? { format: 'csv' } : { page: a.executedAt ? 'agreement' : 'draft' };
      push(chain.add({ ...base, ...reader, type: kind, at, payload }));
      if (pending.length > 0) await drain();
    }
    auditEvents += chain.seq;
    await drain();
    if ((a.i + 1) % 10000 === 0) log(`  ${a.i + 1} agreements, ${auditEvents} audit events, ${requestsW.rows} requests`);
  }
  for (const w of [roundsW, requestsW, executionsW, auditW]) record(await w.close());
  log(`rounds ${roundsW.rows}, requests ${requestsW.rows}, executions ${executionsW.rows}, audit events ${auditW.rows} (agreement chains; ${(auditW.rows / auditW.seconds).toFixed(0)} events/s)`);

  // ---- phase 4: indexes back, statistics, sizes -------------------------------------------
  await admin.query(`SET maintenance_work_mem = '1GB'`);
  const indexStarted = Date.now();
  for (const { indexname, indexdef } of dropped) {
    const s = Date.now();
    await admin.query(indexdef);
    log(`  index ${indexname} rebuilt in ${((Date.now() - s) / 1000).toFixed(1)} s`);
  }
  const indexSeconds = (Date.now() - indexStarted) / 1000;
  const vacuumStarted = Date.now();
  await admin.query('VACUUM (ANALYZE)');
  const vacuumSeconds = (Date.now() - vacuumStarted) / 1000;
  log(`indexes rebuilt in ${indexSeconds.toFixed(1)} s; VACUUM (ANALYZE) in ${vacuumSeconds.toFixed(1)} s`);

  const sizes = (
    await admin.query(
      `SELECT c.relname AS table, c.reltuples::bigint AS rows, pg_relation_size(c.oid) AS heap, pg_total_relation_size(c.oid) - pg_relation_size(c.oid) - pg_indexes_size(c.oid) AS toast,
              pg_indexes_size(c.oid) AS indexes, pg_total_relation_size(c.oid) AS total
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY pg_total_relation_size(c.oid) DESC`,
    )
  ).rows;
  const indexSizes = (
    await admin.query(
      `SELECT t.relname AS table, i.relname AS index, pg_relation_size(i.oid) AS size FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'public' AND t.relname = ANY($1) ORDER BY pg_relation_size(i.oid) DESC`,
      [BIG_TABLES],
    )
  ).rows;
  const [{ db }] = (await admin.query('SELECT pg_database_size(current_database()) AS db')).rows;
  await admin.end();

  const mb = (b) => (Number(b) / 1048576).toFixed(1);
  const report = {
    database: name,
    options: { agreements: opts.agreements, requestsPerAgreement: opts.requestsPerAgreement, eventsPerAgreement: opts.eventsPerAgreement, largeChainEvents: opts.largeChainEvents, pcns: opts.pcns, seed: opts.seed },
    largeChain: largeChainAgreement ? largeChainAgreement.id : null,
    totalSeconds: (Date.now() - t0) / 1000,
    indexSeconds,
    vacuumSeconds,
    copies: stats.map((s) => ({ ...s, rowsPerSecond: Math.round(s.rows / Math.max(s.seconds, 0.001)) })),
    sizes: sizes.map((s) => ({ table: s.table, rows: Number(s.rows), heapMB: mb(s.heap), toastMB: mb(s.toast), indexesMB: mb(s.indexes), totalMB: mb(s.total) })),
    indexSizes: indexSizes.map((s) => ({ table: s.table, index: s.index, sizeMB: mb(s.size) })),
    databaseMB: mb(db),
    bytesPerAgreement: Math.round(Number(db) / opts.agreements),
  };
  console.log('\nCOPY (phase 3 streams ran concurrently; their rows/s share one pass)');
  console.table(report.copies);
  console.log('Table sizes (pg_total_relation_size = heap + TOAST + indexes)');
  console.table(report.sizes.filter((s) => s.rows > 0 || Number(s.totalMB) > 0.1));
  console.log('Index sizes (big tables)');
  console.table(report.indexSizes);
  console.log(`database ${report.databaseMB} MB, ${report.bytesPerAgreement} bytes per agreement; total ${report.totalSeconds.toFixed(1)} s; large chain: ${report.largeChain}`);
  console.log(`REPORT ${JSON.stringify(report)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
