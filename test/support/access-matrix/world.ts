import type { INestApplicationContext } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { AgreementContent, AgreementsService } from '@pcn/agreements';
import { AuthService, UserRole } from '@pcn/auth';
import { DirectoryService, PersonRoleType } from '@pcn/directory';
import { RoundSchedulerService } from '@pcn/workflow';
import { loadSecondPcn, SecondPcnData } from '../../../apps/cli/src/seed/demo-second-pcn';
import type { DemoData } from '../../../apps/cli/src/seed/seed-demo';
import { ADMIN_PRINCIPAL, nextPcnCode, nextPracticeOdsCode, SEED_ACTOR } from '../factories';
import { csrfTokenIn, signInToPages } from '../page-session';
import type { SmtpTestServer } from '../smtp-test-server';
import type { TestApp } from '../test-app';
import { eventually } from '../test-worker';
import { approveEverything, DEMO_PASSWORD, EMAIL, FULL_NAME, loadBytes, ROUND_PEOPLE, Task, tokenFor } from '../workflow-scenario';
import { Column, COLUMNS } from './matrix';

/*
 * The world every cell of the access matrix is tried in: the BYTES demo PCN (ICB QHM) with
 * its executed agreement (sealed documents), a second agreement in an open round and a
 * draft; Dartford Central PCN (ICB QKS) from the demo's second-PCN seed; one caller per
 * matrix column, each with a bearer token for the API and a signed-in page session.
 */

/** Who plays each column (login emails; anonymous has none). */
export const CALLER_EMAIL: Record<Exclude<Column, 'anonymous'>, string> = {
  clinicalDirector: EMAIL.cd,
  pcnManager: EMAIL.manager,
  practiceManager: 'helen.marsh@yarm.demo.nhs.uk',
  gpPartner: EMAIL.whitfield,
  igOfficer: EMAIL.trustDpo,
  partnerSignatory: EMAIL.trustSignatory,
  otherPcn: 'leah.bennett@dartford.demo.nhs.uk',
  auditorInScope: EMAIL.auditor,
  auditorOutOfScope: 'auditor@icb-qks.test.nhs.uk',
  platformAdmin: EMAIL.admin,
};

export interface Caller {
  column: Column;
  /** `Authorization` header value, or null for anonymous. */
  bearer: string | null;
  /** A cookie-keeping client of the pages (signed in unless anonymous). */
  pages: TestAgent;
  /** The session's CSRF token for form posts. */
  csrf: string;
  userId: string | null;
}

export interface World {
  t: TestApp;
  demo: DemoData;
  second: SecondPcnData;
  callers: Record<Column, Caller>;
  /** The demo agreement, executed, with sealed documents. */
  executed: { agreementId: string; roundId: string; documentIds: string[]; verificationCode: string };
  /** A second BYTES agreement in an active round, at the information-governance step. */
  open: OpenRound;
  /** A BYTES draft with the demo's annex. */
  draft: { agreementId: string };
  /** The demo agreement's content (annex ids removed), to start new agreements from. */
  content: AgreementContent;
  /** A BYTES agreement with an expired round (restart). */
  expiredAgreementId: string;
  /** A BYTES draft with two revisions (diffs). */
  diffAgreementId: string;
  /** A Yarm person with an account and a role, and one whose account is disabled. */
  throwaway: Throwaway;
  disabledThrowaway: Throwaway;
  /** The executed agreement's whole sealed PDF (verification uploads). */
  sealedPdf: Buffer;
  emails: typeof CALLER_EMAIL;
  smtp: SmtpTestServer;
  /** An ICB and a PCN onboarded into it by the platform admin (onboarding routes). */
  onboarding: { icbId: string; pcnId: string };
  /** Unused invitation links to Yarm, taken one per cell that opens or accepts one. */
  invitationTokens: string[];
  worker: INestApplicationContext;
}

export const INVITEE_PASSWORD = 'Correct horse battery staple at Yarm';
/** Cells that open or accept an invitation link: four rows × every column. */
const INVITATION_LINKS = 4 * COLUMNS.length;

export interface Throwaway {
  userId: string;
  personId: string;
  personRoleId: string;
}

export interface OpenRound {
  agreementId: string;
  roundId: string;
  /** The GP partner's (Dr Whitfield's) current request: Caldicott Guardian review for Yarm. */
  gpPartnerTask: Task;
}

const bearerOf = async (t: TestApp, email: string) => `Bearer ${await tokenFor(t.http, email)}`;

export async function buildWorld(t: TestApp, worker: INestApplicationContext, smtp: SmtpTestServer): Promise<World> {
  const demo = await loadBytes(t);
  const second = await loadSecondPcn({ directory: t.app.get(DirectoryService), auth: t.app.get(AuthService), dataSource: t.dataSource }, DEMO_PASSWORD, Object.values(demo.partnerIds));
  await t.app.get(AuthService).createUser({ email: CALLER_EMAIL.auditorOutOfScope, displayName: 'ICB Auditor (Kent and Medway)', password: DEMO_PASSWORD, personId: null, grants: [{ role: UserRole.Auditor, organisationId: null, icbCode: 'QKS' }] });

  const callers = {} as Record<Column, Caller>;
  await Promise.all(
    COLUMNS.map(async (column) => {
      if (column === 'anonymous') {
        const pages = request.agent(t.app.getHttpServer());
        const signIn = await pages.get('/sign-in');
        callers.anonymous = { column, bearer: null, pages, csrf: csrfTokenIn(signIn.text), userId: null };
        return;
      }
      const email = CALLER_EMAIL[column];
      const { agent } = await signInToPages(t, email, DEMO_PASSWORD);
      const tasksPage = await agent.get('/tasks');
      const [{ id }] = await t.dataSource.query(`SELECT id FROM user_account WHERE email = $1`, [email]);
      callers[column] = { column, bearer: await bearerOf(t, email), pages: agent, csrf: csrfTokenIn(tasksPage.text), userId: id };
    }),
  );
  const cd = callers.clinicalDirector.bearer!;
  const source = await t.http.get(`/api/v1/agreements/${demo.agreementId}/revisions/1`).set('Authorization', cd);
  const content = stripAnnexIds(source.body.content) as AgreementContent;

  // The executed agreement: every approval; its documents are sealed by the worker while the rest is built.
  const submitted = await submit(t, cd, demo.agreementId);
  await approveEverything(t.http);

  const partial = { t, callers, demo, content, emails: CALLER_EMAIL, smtp } as World;
  const invitationTokens = await invitationLinks(partial, INVITATION_LINKS);
  const onboarding = await onboard(partial);
  const open = await openRound(partial);
  const draft = await freshDraft(partial);
  const diffAgreementId = await freshDraft(partial);
  const saved = await t.http.put(`/api/v1/agreements/${diffAgreementId}/draft`).set('Authorization', cd).send({ baseRevision: 1, content: { ...content, annexes: [] } });
  if (saved.status !== 200) throw new Error(`second revision: ${saved.status} ${JSON.stringify(saved.body)}`);
  const expiredAgreementId = await expiredRound(partial);
  const throwaway = await throwawayYarmAccount(partial);
  const disabledThrowaway = await throwawayYarmAccount(partial, true);

  await eventually('documents sealed', async () => {
    const [row] = await t.dataSource.query(`SELECT document_status FROM agreement_execution WHERE agreement_id = $1`, [demo.agreementId]);
    return row?.document_status === 'GENERATED';
  }, 120_000);
  const documents = (await t.http.get(`/api/v1/agreements/${demo.agreementId}/documents`).set('Authorization', cd)).body as { id: string }[];
  const [{ verification_code: verificationCode }] = await t.dataSource.query(`SELECT verification_code FROM sealed_document WHERE id = $1`, [documents[0].id]);
  const executed = { agreementId: demo.agreementId, roundId: submitted.round.id as string, documentIds: documents.map((d) => d.id), verificationCode };
  const sealed = await t.http.get(`/api/v1/documents/${documents[0].id}/download`).set('Authorization', cd).buffer(true).parse(binary as never);
  return {
    ...partial, second, executed, open, draft: { agreementId: draft }, expiredAgreementId, diffAgreementId, throwaway, disabledThrowaway, sealedPdf: sealed.body as Buffer, invitationTokens, onboarding, worker,
  };
}

function stripAnnexIds(content: { annexes: { id?: string }[] }) {
  return { ...content, annexes: content.annexes.map(({ id: _id, ...annex }) => annex) };
}

/** A new BYTES draft with the demo's content, made through the service (as the seed does). */
export async function freshDraft(w: Pick<World, 't' | 'demo' | 'content'>, content: AgreementContent = w.content): Promise<string> {
  const saved = await w.t.app.get(AgreementsService).create(ADMIN_PRINCIPAL, w.demo.pcnId, { content }, SEED_ACTOR);
  return saved.agreement.id;
}

async function submit(t: TestApp, bearer: string, agreementId: string, body: Record<string, unknown> = {}) {
  const res = await t.http
    .post(`/api/v1/agreements/${agreementId}/submit`)
    .set('Authorization', bearer)
    .send({ revisionNumber: 1, dueAt: new Date(Date.now() + 3_600_000).toISOString(), maxReminders: 0, ...body });
  if (res.status !== 201) throw new Error(`submit ${agreementId}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A fresh BYTES agreement in an active round, at the information-governance step. */
export async function openRound(w: Pick<World, 't' | 'callers' | 'demo' | 'content'>): Promise<OpenRound> {
  const agreementId = await freshDraft(w);
  const submitted = await submit(w.t, w.callers.clinicalDirector.bearer!, agreementId);
  const tasks = (await w.t.http.get('/api/v1/me/tasks').set('Authorization', w.callers.gpPartner.bearer!)).body as (Task & { agreementId: string })[];
  const gpPartnerTask = tasks.find((task) => task.agreementId === agreementId);
  if (!gpPartnerTask) throw new Error('the GP partner has no task in the new round');
  return { agreementId, roundId: submitted.round.id, gpPartnerTask };
}

/** A fresh BYTES agreement whose round has expired (due in a second, then expired as the worker's job would). */
export async function expiredRound(w: Pick<World, 't' | 'callers' | 'demo' | 'content'>): Promise<string> {
  const agreementId = await freshDraft(w);
  const dueAt = new Date(Date.now() + 1_000).toISOString();
  const submitted = await submit(w.t, w.callers.clinicalDirector.bearer!, agreementId, { dueAt });
  await new Promise((r) => setTimeout(r, 1_100));
  await eventually('round expired', async () => {
    const [row] = await w.t.dataSource.query(`SELECT status FROM approval_round WHERE id = $1`, [submitted.round.id]);
    return row.status === 'EXPIRED' || (await w.t.app.get(RoundSchedulerService).expireIfDue(submitted.round.id, new Date(submitted.round.dueAt).toISOString()));
  });
  return agreementId;
}

/**
 * A fresh executed BYTES agreement, cheaply: no annex and no countersignature, so five
 * practice signatures execute it (documents are sealed later by the worker; not awaited).
 */
export async function freshExecuted(w: World): Promise<string> {
  const content = { ...w.content, annexes: [] } as AgreementContent;
  const agreementId = await freshDraft(w, content);
  await submit(w.t, w.callers.clinicalDirector.bearer!, agreementId, { clinicalDirectorCountersigns: false });
  await approveAgreement(w.t, agreementId);
  const [row] = await w.t.dataSource.query(`SELECT status FROM network_agreement WHERE id = $1`, [agreementId]);
  if (row.status !== 'EXECUTED') throw new Error(`fresh agreement not executed: ${row.status}`);
  return agreementId;
}

/** A Yarm person with an account (a partner-signatory grant), for account and role routes. */
export async function throwawayYarmAccount(w: Pick<World, 't' | 'demo' | 'callers'>, disabled = false): Promise<Throwaway> {
  const directory = w.t.app.get(DirectoryService);
  const person = await directory.createPerson({ fullName: `Dr Throwaway ${randomBytes(4).toString('hex')}`, email: `throwaway-${randomBytes(4).toString('hex')}@yarm.test.nhs.uk` });
  const role = await directory.addPersonRole(person.id, { organisationId: w.demo.practiceIds.yarm, role: PersonRoleType.IgLead, validFrom: '2024-04-01' });
  const user = await w.t.app.get(AuthService).createUser({ email: person.email, displayName: person.fullName, password: DEMO_PASSWORD, personId: person.id, grants: [{ role: UserRole.PracticeManager, organisationId: w.demo.practiceIds.yarm, icbCode: null }] });
  if (disabled) {
    const res = await w.t.http.post(`/api/v1/organisations/${w.demo.practiceIds.yarm}/accounts/${user.id}/disable`).set('Authorization', w.callers.platformAdmin.bearer!);
    if (res.status !== 200) throw new Error(`disable: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return { userId: user.id, personId: person.id, personRoleId: (role as { id: string }).id };
}

/** Approves, pass after pass, every task of one agreement, so other rounds stay where they are. */
export async function approveAgreement(t: TestApp, agreementId: string): Promise<void> {
  for (let pass = 0; pass < 5; pass++) {
    let approved = 0;
    for (const email of ROUND_PEOPLE) {
      const bearer = await bearerOf(t, email);
      const tasks = ((await t.http.get('/api/v1/me/tasks').set('Authorization', bearer)).body as (Task & { agreementId: string })[]).filter((task) => task.agreementId === agreementId);
      for (const task of tasks) {
        const res = await t.http.post(`/api/v1/requests/${task.requestId}/approve`).set('Authorization', bearer).send({ typedName: FULL_NAME[email], capacity: task.capacity, confirmAuthority: true, hash: task.hashToConfirm });
        if (res.status !== 200) throw new Error(`approve ${task.requestId} by ${email}: ${res.status} ${JSON.stringify(res.body)}`);
        approved++;
      }
    }
    if (approved === 0) return;
  }
}

function binary(res: NodeJS.ReadableStream & { setEncoding(e: string): void }, done: (err: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}

/**
 * Invitations to Yarm made through the API as the clinical director, and their links taken
 * from the emails (the email job issues the token; an earlier one would be replaced).
 */
async function invitationLinks(w: Pick<World, 't' | 'callers' | 'demo' | 'smtp'>, count: number): Promise<string[]> {
  const emails = Array.from({ length: count }, () => `invitee-${randomBytes(4).toString('hex')}@yarm.test.nhs.uk`);
  for (const email of emails) {
    const res = await w.t.http
      .post(`/api/v1/organisations/${w.demo.practiceIds.yarm}/invitations`)
      .set('Authorization', w.callers.clinicalDirector.bearer!)
      .send({ fullName: 'Dr New Partner', email, role: UserRole.PracticeSignatory });
    if (res.status !== 201) throw new Error(`invitation: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return Promise.all(
    emails.map(async (email) => {
      const mail = await w.smtp.waitFor((m) => m.to.includes(email), 120_000);
      const token = /\/invitation\/([A-Za-z0-9_-]{20,100})/.exec(mail.text)?.[1];
      if (!token) throw new Error(`no invitation link in the email to ${email}`);
      return token;
    }),
  );
}

/** An ICB and a PCN with one new practice, onboarded through the API by the platform admin. */
async function onboard(w: Pick<World, 't' | 'callers'>): Promise<World['onboarding']> {
  const icb = await w.t.http.post('/api/v1/icbs').set('Authorization', w.callers.platformAdmin.bearer!).send({ name: 'Test Onboarding ICB', odsCode: 'QY1' });
  if (icb.status !== 201) throw new Error(`ICB: ${icb.status} ${JSON.stringify(icb.body)}`);
  return { icbId: icb.body.id, pcnId: await onboardedPcn({ ...w, onboarding: { icbId: icb.body.id, pcnId: '' } }) };
}

/** A new PCN (with a new practice and no clinical director yet) in the onboarded ICB. */
export async function onboardedPcn(w: Pick<World, 't' | 'callers' | 'onboarding'>): Promise<string> {
  const pcn = await w.t.http
    .post(`/api/v1/icbs/${w.onboarding.icbId}/pcns`)
    .set('Authorization', w.callers.platformAdmin.bearer!)
    .send({ name: `Test Onboarding PCN ${randomBytes(3).toString('hex')}`, odsCode: nextPcnCode(), networkArea: 'A town in the test ICB', joinedOn: new Date().toISOString().slice(0, 10), practices: [{ odsCode: nextPracticeOdsCode(), name: 'Test Onboarding Surgery', contractType: 'GMS', legalForm: 'PARTNERSHIP' }] });
  if (pcn.status !== 201) throw new Error(`PCN: ${pcn.status} ${JSON.stringify(pcn.body)}`);
  return pcn.body.id;
}
