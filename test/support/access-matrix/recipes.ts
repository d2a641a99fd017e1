import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { DirectoryService, PersonRoleType } from '@pcn/directory';
import { createPartnerOrganisation, createPractice, nextPcnCode, nextPracticeOdsCode } from '../factories';
import { csrfTokenIn } from '../page-session';
import { DEMO_PASSWORD } from '../workflow-scenario';
import type { Column } from './matrix';
import { annexForm, financesForm } from './forms';
import { Caller, expiredRound, freshDraft, freshExecuted, INVITEE_PASSWORD, onboardedPcn, openRound, throwawayYarmAccount, World } from './world';

/*
 * How each route is called in the matrix: the record it is tried on and a valid body, so
 * that an allowed caller gets the success status rather than a validation error. A recipe
 * with `consumes` changes what later cells of its row would see when it succeeds (submits,
 * approves, disables…): a cell expected to succeed then gets a fresh record of its own.
 */

export interface CellRequest {
  path: string;
  query?: Record<string, string>;
  /** JSON for the API, form fields for pages (the session's CSRF token is added). */
  body?: Record<string, unknown>;
  /** A multipart upload instead of a body. */
  file?: { field: string; content: Buffer; name: string };
  /** Pages: another client than the caller's own session, with its CSRF token. */
  pages?: { agent: TestAgent; csrf: string };
}

export interface Recipe {
  build(w: World, caller: Caller, fresh: boolean): Promise<CellRequest> | CellRequest;
  consumes?: boolean;
  /** A success replaces the caller's page session (and its CSRF token). */
  renewsSession?: boolean;
  /**
   * Rows that run after the others, in this order: 1 changes the BYTES membership that fresh
   * executed agreements are built from; 2 ends the caller's page session; 3 ends every session.
   */
  last?: 1 | 2 | 3;
}

const unique = () => randomBytes(4).toString('hex');
const FUTURE = new Date(Date.now() + 30 * 86_400_000);
const futureIso = () => FUTURE.toISOString();
const futureFields = { day: String(FUTURE.getUTCDate()), month: String(FUTURE.getUTCMonth() + 1), year: String(FUTURE.getUTCFullYear()) };
const TODAY = new Date().toISOString().slice(0, 10);
const [ty, tm, td] = TODAY.split('-');
const todayFields = (prefix: string) => ({ [`${prefix}-day`]: String(Number(td)), [`${prefix}-month`]: String(Number(tm)), [`${prefix}-year`]: ty });

async function currentRevision(w: World, agreementId: string): Promise<number> {
  const [row] = await w.t.dataSource.query(`SELECT current_revision_number AS n FROM network_agreement WHERE id = $1`, [agreementId]);
  return row.n;
}

const yarm = (w: World) => w.demo.practiceIds.yarm;
const personOf = (w: World, email: string) => w.demo.people.get(email)!;


let icbCounter = 0;
/** A new ICB code (Q and two characters) that no seeded ICB uses. */
const nextIcbCode = () => `QZ${(icbCounter++).toString(36).toUpperCase()}`;

/** An unused invitation link to Yarm (made with the world, from the invitation emails). */
function invitationToken(w: World): string {
  const token = w.invitationTokens.pop();
  if (!token) throw new Error('the world ran out of invitation links: make more in buildWorld');
  return token;
}

async function freshLogin(w: World, caller: Caller): Promise<string> {
  const email = caller.column === 'anonymous' ? 'pcn.manager@bytes.demo.nhs.uk' : emailOf(w, caller.column);
  const res = await w.t.http.post('/api/v1/auth/login').send({ email, password: DEMO_PASSWORD });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status}`);
  return res.body.refreshToken;
}

function emailOf(w: World, column: Exclude<Column, 'anonymous'>): string {
  return w.emails[column];
}

const approveBody = (task: World['open']['gpPartnerTask']) => ({ typedName: 'Dr Thomas Whitfield', capacity: task.capacity, confirmAuthority: true, hash: task.hashToConfirm });

/**
 * A new Caldicott Guardian of Yarm, appointed after the round was sent (so not asked in it):
 * someone the GP partner may delegate their Caldicott Guardian review to.
 */
async function deputyGuardian(w: World): Promise<string> {
  const directory = w.t.app.get(DirectoryService);
  const person = await directory.createPerson({ fullName: `Dr Deputy Guardian ${unique()}`, email: `deputy-${unique()}@yarm.test.nhs.uk` });
  await directory.addPersonRole(person.id, { organisationId: yarm(w), role: PersonRoleType.CaldicottGuardian, validFrom: '2024-04-01' });
  return person.id;
}

/** The open round to act on: the shared one, or a new one for a cell that will change it. */
const roundFor = async (w: World, fresh: boolean) => (fresh ? openRound(w) : w.open);

export const RECIPES: Record<string, Recipe> = {
  // ---- health and auth -------------------------------------------------------------------
  'GET /health': { build: () => ({ path: '/health' }) },
  'POST /api/v1/auth/login': {
    build: (w, caller) => ({ path: '/api/v1/auth/login', body: { email: caller.column === 'anonymous' ? 'pcn.manager@bytes.demo.nhs.uk' : emailOf(w, caller.column), password: DEMO_PASSWORD } }),
  },
  'POST /api/v1/auth/refresh': { build: async (w, caller) => ({ path: '/api/v1/auth/refresh', body: { refreshToken: await freshLogin(w, caller) } }) },
  'POST /api/v1/auth/logout': { build: async (w, caller) => ({ path: '/api/v1/auth/logout', body: { refreshToken: await freshLogin(w, caller) } }) },
  'POST /api/v1/auth/logout-everywhere': { last: 3, build: () => ({ path: '/api/v1/auth/logout-everywhere' }) },
  'GET /api/v1/auth/me': { build: () => ({ path: '/api/v1/auth/me' }) },
  'POST /api/v1/invitations/accept': { consumes: true, build: async (w) => ({ path: '/api/v1/invitations/accept', body: { token: invitationToken(w), password: INVITEE_PASSWORD } }) },

  // ---- directory ---------------------------------------------------------------------------
  'GET /api/v1/pcns': { build: () => ({ path: '/api/v1/pcns' }) },
  'POST /api/v1/pcns': { build: () => ({ path: '/api/v1/pcns', body: { name: `Test Network ${unique()} PCN`, code: nextPcnCode(), icbCode: 'QHM', networkArea: 'Somewhere in the North East' } }) },
  'GET /api/v1/pcns/:pcnId': { build: (w) => ({ path: `/api/v1/pcns/${w.demo.pcnId}` }) },
  'GET /api/v1/pcns/:pcnId/memberships': { build: (w) => ({ path: `/api/v1/pcns/${w.demo.pcnId}/memberships` }) },
  'POST /api/v1/pcns/:pcnId/memberships': {
    last: 1,
    build: async (w) => ({ path: `/api/v1/pcns/${w.demo.pcnId}/memberships`, body: { practiceId: (await createPractice(w.t, { odsCode: nextPracticeOdsCode() })).id, joinedOn: TODAY } }),
  },
  'PATCH /api/v1/pcns/:pcnId/memberships/:membershipId': {
    last: 1,
    consumes: true,
    build: async (w) => {
      const practice = await createPractice(w.t, { odsCode: nextPracticeOdsCode() });
      const membership = await w.t.app.get(DirectoryService).addMembership(w.demo.pcnId, { practiceId: practice.id, joinedOn: '2024-04-01' });
      return { path: `/api/v1/pcns/${w.demo.pcnId}/memberships/${(membership as { id: string }).id}`, body: { leftOn: TODAY, exitReason: 'MERGER' } };
    },
  },
  'POST /api/v1/pcns/:pcnId/organisations': {
    last: 1,
    build: async (w) => ({ path: `/api/v1/pcns/${w.demo.pcnId}/organisations`, body: { organisationId: (await createPartnerOrganisation(w.t)).id, joinedOn: TODAY } }),
  },
  'GET /api/v1/organisations': { build: () => ({ path: '/api/v1/organisations', query: { q: 'Yarm' } }) },
  'POST /api/v1/practices': {
    build: () => ({ path: '/api/v1/practices', body: { name: `Test Surgery ${unique()}`, odsCode: nextPracticeOdsCode(), contractType: 'GMS', legalForm: 'PARTNERSHIP', listSize: 8000, listSizeDate: '2026-04-01' } }),
  },
  'POST /api/v1/partner-organisations': { build: () => ({ path: '/api/v1/partner-organisations', body: { kind: 'NHS_TRUST', name: `Test Trust ${unique()}`, odsCode: nextPracticeOdsCode().replace(/^P/, 'V') } }) },
  'POST /api/v1/people': { build: () => ({ path: '/api/v1/people', body: { fullName: `Person ${unique()}`, email: `person-${unique()}@test.nhs.uk` } }) },
  'GET /api/v1/people/:personId': { build: (w) => ({ path: `/api/v1/people/${personOf(w, 'thomas.whitfield@yarm.demo.nhs.uk')}` }) },
  'POST /api/v1/people/:personId/roles': {
    build: async (w) => {
      const person = await w.t.app.get(DirectoryService).createPerson({ fullName: `Person ${unique()}`, email: `person-${unique()}@test.nhs.uk` });
      return { path: `/api/v1/people/${person.id}/roles`, body: { organisationId: yarm(w), role: 'IG_LEAD', validFrom: TODAY } };
    },
  },

  // ---- people and accounts -------------------------------------------------------------------
  'GET /api/v1/organisations/:organisationId/people': { build: (w) => ({ path: `/api/v1/organisations/${yarm(w)}/people` }) },
  'POST /api/v1/organisations/:organisationId/people': {
    build: (w) => ({ path: `/api/v1/organisations/${yarm(w)}/people`, body: { fullName: `New Lead ${unique()}`, email: `lead-${unique()}@yarm.test.nhs.uk`, role: 'IG_LEAD', validFrom: TODAY } }),
  },
  'PATCH /api/v1/person-roles/:personRoleId': {
    consumes: true,
    build: async (w, _c, fresh) => ({ path: `/api/v1/person-roles/${fresh ? (await throwawayYarmAccount(w)).personRoleId : w.throwaway.personRoleId}`, body: { validTo: TODAY } }),
  },
  'POST /api/v1/organisations/:organisationId/invitations': {
    build: (w) => ({ path: `/api/v1/organisations/${yarm(w)}/invitations`, body: { fullName: `Dr New ${unique()}`, email: `new-${unique()}@yarm.test.nhs.uk`, role: 'PRACTICE_SIGNATORY' } }),
  },
  'POST /api/v1/organisations/:organisationId/accounts/:userId/disable': {
    consumes: true,
    build: async (w, _c, fresh) => ({ path: `/api/v1/organisations/${yarm(w)}/accounts/${fresh ? (await throwawayYarmAccount(w)).userId : w.throwaway.userId}/disable` }),
  },
  'POST /api/v1/organisations/:organisationId/accounts/:userId/enable': {
    consumes: true,
    build: async (w, _c, fresh) => ({ path: `/api/v1/organisations/${yarm(w)}/accounts/${fresh ? (await throwawayYarmAccount(w, true)).userId : w.disabledThrowaway.userId}/enable` }),
  },

  // ---- agreements ---------------------------------------------------------------------------
  'GET /api/v1/agreement-templates': { build: () => ({ path: '/api/v1/agreement-templates' }) },
  'GET /api/v1/pcns/:pcnId/agreements': { build: (w) => ({ path: `/api/v1/pcns/${w.demo.pcnId}/agreements` }) },
  'GET /api/v1/pcns/:pcnId/agreements/new': { build: (w) => ({ path: `/api/v1/pcns/${w.demo.pcnId}/agreements/new` }) },
  'POST /api/v1/pcns/:pcnId/agreements': { build: (w) => ({ path: `/api/v1/pcns/${w.demo.pcnId}/agreements`, body: { content: w.content } }) },
  'GET /api/v1/agreements/:agreementId': { build: (w) => ({ path: `/api/v1/agreements/${w.executed.agreementId}` }) },
  'PUT /api/v1/agreements/:agreementId/draft': {
    consumes: true,
    build: async (w, _c, fresh) => {
      const id = fresh ? await freshDraft(w) : w.draft.agreementId;
      return { path: `/api/v1/agreements/${id}/draft`, body: { baseRevision: await currentRevision(w, id), content: w.content } };
    },
  },
  'PUT /api/v1/agreements/:agreementId/sections/:section': {
    consumes: true,
    build: async (w, _c, fresh) => {
      const id = fresh ? await freshDraft(w) : w.draft.agreementId;
      return { path: `/api/v1/agreements/${id}/sections/schedule4`, body: { baseRevisionNumber: await currentRevision(w, id), value: w.content.schedules.finances } };
    },
  },
  'POST /api/v1/agreements/:agreementId/annexes': {
    consumes: true,
    build: async (w, _c, fresh) => {
      const id = fresh ? await freshDraft(w) : w.draft.agreementId;
      return { path: `/api/v1/agreements/${id}/annexes`, body: { baseRevision: await currentRevision(w, id), annex: w.content.annexes[0] } };
    },
  },
  'DELETE /api/v1/agreements/:agreementId/annexes/:annexId': {
    consumes: true,
    build: async (w, _c, fresh) => {
      const id = fresh ? await freshDraft(w) : w.draft.agreementId;
      const [row] = await w.t.dataSource.query(`SELECT content->'annexes'->0->>'id' AS annex FROM agreement_revision WHERE agreement_id = $1 ORDER BY number DESC LIMIT 1`, [id]);
      return { path: `/api/v1/agreements/${id}/annexes/${row.annex}`, query: { baseRevisionNumber: String(await currentRevision(w, id)) } };
    },
  },
  'GET /api/v1/agreements/:agreementId/revisions': { build: (w) => ({ path: `/api/v1/agreements/${w.executed.agreementId}/revisions` }) },
  'GET /api/v1/agreements/:agreementId/revisions/:number': { build: (w) => ({ path: `/api/v1/agreements/${w.executed.agreementId}/revisions/1` }) },
  'GET /api/v1/agreements/:agreementId/revisions/:from/diff/:to': { build: (w) => ({ path: `/api/v1/agreements/${w.diffAgreementId}/revisions/1/diff/2` }) },
  'GET /api/v1/agreements/:agreementId/preview': { build: (w) => ({ path: `/api/v1/agreements/${w.draft.agreementId}/preview` }) },
  'POST /api/v1/agreements/:agreementId/variations': {
    consumes: true,
    build: async (w, _c, fresh) => ({ path: `/api/v1/agreements/${fresh ? await freshExecuted(w) : w.executed.agreementId}/variations` }),
  },

  // ---- workflow -------------------------------------------------------------------------------
  'POST /api/v1/agreements/:agreementId/submit': {
    consumes: true,
    build: async (w, _c, fresh) => ({ path: `/api/v1/agreements/${fresh ? await freshDraft(w) : w.draft.agreementId}/submit`, body: { revisionNumber: fresh ? 1 : await currentRevision(w, w.draft.agreementId), dueAt: futureIso(), maxReminders: 0 } }),
  },
  'POST /api/v1/agreements/:agreementId/withdraw': {
    consumes: true,
    build: async (w, _c, fresh) => ({ path: `/api/v1/agreements/${(await roundFor(w, fresh)).agreementId}/withdraw`, body: { reason: 'Members asked for changes first' } }),
  },
  'POST /api/v1/agreements/:agreementId/extend': { build: (w) => ({ path: `/api/v1/agreements/${w.open.agreementId}/extend`, body: { dueAt: futureIso() } }) },
  'POST /api/v1/agreements/:agreementId/restart': {
    consumes: true,
    build: async (w, _c, fresh) => ({ path: `/api/v1/agreements/${fresh ? await expiredRound(w) : w.expiredAgreementId}/restart`, body: { dueAt: futureIso() } }),
  },
  'POST /api/v1/agreements/:agreementId/terminate': {
    consumes: true,
    build: async (w, _c, fresh) => ({ path: `/api/v1/agreements/${fresh ? await freshExecuted(w) : w.executed.agreementId}/terminate`, body: { reason: 'The members agreed to end the agreement' } }),
  },
  'GET /api/v1/agreements/:agreementId/rounds': { build: (w) => ({ path: `/api/v1/agreements/${w.executed.agreementId}/rounds` }) },
  'GET /api/v1/me/tasks': { build: () => ({ path: '/api/v1/me/tasks' }) },
  'GET /api/v1/requests/:requestId': { build: (w) => ({ path: `/api/v1/requests/${w.open.gpPartnerTask.requestId}` }) },
  'POST /api/v1/requests/:requestId/approve': {
    consumes: true,
    build: async (w, _c, fresh) => {
      const { gpPartnerTask } = await roundFor(w, fresh);
      return { path: `/api/v1/requests/${gpPartnerTask.requestId}/approve`, body: approveBody(gpPartnerTask) };
    },
  },
  'POST /api/v1/requests/approve': {
    consumes: true,
    build: async (w, _c, fresh) => {
      const { gpPartnerTask: task } = await roundFor(w, fresh);
      return { path: '/api/v1/requests/approve', body: { approvals: [{ requestId: task.requestId, hash: task.hashToConfirm, capacity: task.capacity }], typedName: 'Dr Thomas Whitfield', confirmAuthority: true } };
    },
  },
  'POST /api/v1/requests/:requestId/decline': {
    consumes: true,
    build: async (w, _c, fresh) => ({ path: `/api/v1/requests/${(await roundFor(w, fresh)).gpPartnerTask.requestId}/decline`, body: { reason: 'The annex names the wrong controller' } }),
  },
  'POST /api/v1/requests/:requestId/delegate': {
    consumes: true,
    build: async (w, _c, fresh) => {
      const round = await roundFor(w, fresh);
      return { path: `/api/v1/requests/${round.gpPartnerTask.requestId}/delegate`, body: { toPersonId: fresh ? await deputyGuardian(w) : w.throwaway.personId, note: 'Please review this for me' } };
    },
  },

  // ---- audit and documents ----------------------------------------------------------------------
  'GET /api/v1/agreements/:agreementId/audit': { build: (w) => ({ path: `/api/v1/agreements/${w.executed.agreementId}/audit` }) },
  'GET /api/v1/agreements/:agreementId/audit.csv': { build: (w) => ({ path: `/api/v1/agreements/${w.executed.agreementId}/audit.csv` }) },
  'GET /api/v1/audit/verify': { build: (w) => ({ path: '/api/v1/audit/verify', query: { agreementId: w.executed.agreementId } }) },
  'GET /api/v1/agreements/:agreementId/documents': { build: (w) => ({ path: `/api/v1/agreements/${w.executed.agreementId}/documents` }) },
  'GET /api/v1/documents/:documentId/download': { build: (w) => ({ path: `/api/v1/documents/${w.executed.documentIds[0]}/download` }) },
  'GET /api/v1/documents/search': { build: () => ({ path: '/api/v1/documents/search', query: { pcnCode: 'U70101' } }) },
  'POST /api/v1/documents/zip': { build: (w) => ({ path: '/api/v1/documents/zip', body: { documentIds: [w.executed.documentIds[0]] } }) },
  'POST /api/v1/verify': { build: (w) => ({ path: '/api/v1/verify', file: { field: 'file', content: w.sealedPdf, name: 'agreement.pdf' } }) },
  'GET /api/v1/verify/code/:code': { build: (w) => ({ path: `/api/v1/verify/code/${w.executed.verificationCode}` }) },

  // ---- pages: shell, sign-in, tasks ------------------------------------------------------------------
  'GET /': { build: () => ({ path: '/' }) },
  'GET /sign-in': { build: () => ({ path: '/sign-in' }) },
  'POST /sign-in': {
    renewsSession: true,
    build: async (w, caller) => {
      if (caller.column !== 'anonymous') return { path: '/sign-in', body: { email: emailOf(w, caller.column), password: DEMO_PASSWORD, returnTo: '/tasks' } };
      // Anonymous signs in on a client of its own, so the anonymous column stays anonymous for later rows.
      const agent = request.agent(w.t.app.getHttpServer());
      const form = await agent.get('/sign-in');
      return { path: '/sign-in', body: { email: 'pcn.manager@bytes.demo.nhs.uk', password: DEMO_PASSWORD, returnTo: '/tasks' }, pages: { agent, csrf: csrfTokenIn(form.text) } };
    },
  },
  'GET /sign-in/cis2': { build: () => ({ path: '/sign-in/cis2' }) },
  'GET /sign-in/cis2/callback': { build: () => ({ path: '/sign-in/cis2/callback', query: { code: 'not-a-real-code', state: 'not-a-real-state' } }) },
  'POST /sign-out': { last: 2, build: () => ({ path: '/sign-out' }) },
  'GET /tasks': { build: () => ({ path: '/tasks' }) },
  'GET /requests/:requestId': { build: (w) => ({ path: `/requests/${w.open.gpPartnerTask.requestId}` }) },
  'GET /invitation/:token': { build: async (w) => ({ path: `/invitation/${invitationToken(w)}` }) },
  'POST /invitation/:token': { build: async (w) => ({ path: `/invitation/${invitationToken(w)}`, body: { password: INVITEE_PASSWORD, confirmPassword: INVITEE_PASSWORD } }) },

  // ---- pages: agreements, drafting, rounds ---------------------------------------------------------
  'GET /agreements': { build: () => ({ path: '/agreements' }) },
  'GET /agreements/:agreementId': { build: (w) => ({ path: `/agreements/${w.executed.agreementId}` }) },
  'GET /pcns/:pcnId': { build: (w) => ({ path: `/pcns/${w.demo.pcnId}` }) },
  'GET /pcns/:pcnId/agreements/new': { build: (w) => ({ path: `/pcns/${w.demo.pcnId}/agreements/new` }) },
  'POST /pcns/:pcnId/agreements/new': { build: (w) => ({ path: `/pcns/${w.demo.pcnId}/agreements/new`, body: {} }) },
  'GET /agreements/:agreementId/edit': { build: (w) => ({ path: `/agreements/${w.draft.agreementId}/edit` }) },
  'GET /agreements/:agreementId/edit/:section': { build: (w) => ({ path: `/agreements/${w.draft.agreementId}/edit/schedule4` }) },
  'POST /agreements/:agreementId/edit/:section': {
    consumes: true,
    build: async (w, _c, fresh) => {
      const id = fresh ? await freshDraft(w) : w.draft.agreementId;
      return { path: `/agreements/${id}/edit/schedule4`, body: { baseRevisionNumber: String(await currentRevision(w, id)), action: 'save', v: financesForm(w) } };
    },
  },
  'GET /agreements/:agreementId/annexes/new': { build: (w) => ({ path: `/agreements/${w.draft.agreementId}/annexes/new` }) },
  'POST /agreements/:agreementId/annexes/new': {
    consumes: true,
    build: async (w, _c, fresh) => {
      const id = fresh ? await freshDraft(w) : w.draft.agreementId;
      return { path: `/agreements/${id}/annexes/new`, body: { baseRevisionNumber: String(await currentRevision(w, id)), action: 'save', v: annexForm(w) } };
    },
  },
  'GET /agreements/:agreementId/revisions': { build: (w) => ({ path: `/agreements/${w.executed.agreementId}/revisions` }) },
  'GET /agreements/:agreementId/revisions/:a/diff/:b': { build: (w) => ({ path: `/agreements/${w.diffAgreementId}/revisions/1/diff/2` }) },
  'GET /agreements/:agreementId/send': { build: (w) => ({ path: `/agreements/${w.draft.agreementId}/send` }) },
  'POST /agreements/:agreementId/send': {
    consumes: true,
    build: async (w, _c, fresh) => {
      const id = fresh ? await freshDraft(w) : w.draft.agreementId;
      return { path: `/agreements/${id}/send`, body: { revisionNumber: String(await currentRevision(w, id)), dueDate: futureFields, firstReminderAfterDays: '7', reminderEveryDays: '7', maxReminders: '0', countersign: 'yes', message: '' } };
    },
  },
  'GET /agreements/:agreementId/progress': { build: (w) => ({ path: `/agreements/${w.open.agreementId}/progress` }) },
  'POST /agreements/:agreementId/remind': { build: (w) => ({ path: `/agreements/${w.open.agreementId}/remind` }) },
  'POST /agreements/:agreementId/withdraw': {
    consumes: true,
    build: async (w, _c, fresh) => ({ path: `/agreements/${(await roundFor(w, fresh)).agreementId}/withdraw`, body: { reason: 'Members asked for changes first' } }),
  },
  'POST /agreements/:agreementId/extend': { build: (w) => ({ path: `/agreements/${w.open.agreementId}/extend`, body: { dueAt: futureFields } }) },
  'POST /agreements/:agreementId/restart': {
    consumes: true,
    build: async (w, _c, fresh) => ({ path: `/agreements/${fresh ? await expiredRound(w) : w.expiredAgreementId}/restart` }),
  },
  'POST /agreements/:agreementId/variation': {
    consumes: true,
    build: async (w, _c, fresh) => ({ path: `/agreements/${fresh ? await freshExecuted(w) : w.executed.agreementId}/variation` }),
  },

  // ---- pages: review -------------------------------------------------------------------------------
  'GET /review/:roundId': { build: (w) => ({ path: `/review/${w.open.roundId}` }) },
  'GET /review/:roundId/document/:file': { build: (w) => ({ path: `/review/${w.open.roundId}/document/agreement.pdf` }) },
  'POST /review/:roundId/approve': {
    consumes: true,
    build: async (w, caller, fresh) => {
      const round = await roundFor(w, fresh);
      await caller.pages.get(`/review/${round.roundId}`); // approving needs the page read first
      const id = round.gpPartnerTask.requestId;
      return { path: `/review/${round.roundId}/approve`, body: { typedName: 'Dr Thomas Whitfield', approve: [id], hash: { [id]: round.gpPartnerTask.hashToConfirm }, capacity: { [id]: round.gpPartnerTask.capacity }, confirmAuthority: 'yes' } };
    },
  },
  'POST /review/:roundId/decline': {
    consumes: true,
    build: async (w, _c, fresh) => {
      const round = await roundFor(w, fresh);
      return { path: `/review/${round.roundId}/decline`, body: { part: round.gpPartnerTask.requestId, reason: 'The annex names the wrong controller' } };
    },
  },
  'POST /review/:roundId/delegate': {
    consumes: true,
    build: async (w, _c, fresh) => {
      const round = await roundFor(w, fresh);
      return { path: `/review/${round.roundId}/delegate`, body: { delegateTo: `${round.gpPartnerTask.requestId}.${fresh ? await deputyGuardian(w) : w.throwaway.personId}`, note: '' } };
    },
  },

  // ---- pages: records -----------------------------------------------------------------------------------
  'GET /annexes': { build: () => ({ path: '/annexes' }) },
  'GET /practices/:organisationId': { build: (w) => ({ path: `/practices/${yarm(w)}` }) },
  'GET /audit/search': { build: () => ({ path: '/audit/search', query: { pcnCode: 'U70101' } }) },
  'GET /agreements/:agreementId/audit': { build: (w) => ({ path: `/agreements/${w.executed.agreementId}/audit` }) },
  'GET /agreements/:agreementId/audit.csv': { build: (w) => ({ path: `/agreements/${w.executed.agreementId}/audit.csv` }) },
  'GET /agreements/:agreementId/documents.zip': { build: (w) => ({ path: `/agreements/${w.executed.agreementId}/documents.zip` }) },
  'GET /documents/:documentId/download': { build: (w) => ({ path: `/documents/${w.executed.documentIds[0]}/download` }) },

  // ---- pages: people -------------------------------------------------------------------------------------
  'GET /people': { build: () => ({ path: '/people' }) },
  'GET /people/:organisationId': { build: (w) => ({ path: `/people/${yarm(w)}` }) },
  'GET /people/:organisationId/add-role': { build: (w) => ({ path: `/people/${yarm(w)}/add-role` }) },
  'POST /people/:organisationId/add-role': {
    build: (w) => ({ path: `/people/${yarm(w)}/add-role`, body: { personId: 'new', fullName: `New Lead ${unique()}`, email: `lead-${unique()}@yarm.test.nhs.uk`, role: 'IG_LEAD', ...todayFields('validFrom') } }),
  },
  'GET /people/:organisationId/invite': { build: (w) => ({ path: `/people/${yarm(w)}/invite` }) },
  'POST /people/:organisationId/invite': {
    build: (w) => ({ path: `/people/${yarm(w)}/invite`, body: { personId: 'new', fullName: `Dr New ${unique()}`, email: `new-${unique()}@yarm.test.nhs.uk`, role: 'PRACTICE_SIGNATORY' } }),
  },
  'GET /people/:organisationId/roles/:roleId/end': { build: (w) => ({ path: `/people/${yarm(w)}/roles/${w.throwaway.personRoleId}/end` }) },
  'POST /people/:organisationId/roles/:roleId/end': {
    consumes: true,
    build: async (w, _c, fresh) => ({ path: `/people/${yarm(w)}/roles/${fresh ? (await throwawayYarmAccount(w)).personRoleId : w.throwaway.personRoleId}/end`, body: todayFields('validTo') }),
  },
  'GET /people/:organisationId/accounts/:userId/disable': { build: (w) => ({ path: `/people/${yarm(w)}/accounts/${w.throwaway.userId}/disable` }) },
  'POST /people/:organisationId/accounts/:userId/disable': {
    consumes: true,
    build: async (w, _c, fresh) => ({ path: `/people/${yarm(w)}/accounts/${fresh ? (await throwawayYarmAccount(w)).userId : w.throwaway.userId}/disable` }),
  },

  // ---- pages: verification -----------------------------------------------------------------------------------
  'GET /verify': { build: () => ({ path: '/verify' }) },
  // The page's form sends its CSRF token in the query string (the multipart body is read after the check).
  'POST /verify': { build: (w, caller) => ({ path: '/verify', query: { _csrf: caller.csrf }, file: { field: 'file', content: w.sealedPdf, name: 'agreement.pdf' } }) },
  'GET /verify/:code': { build: (w) => ({ path: `/verify/${w.executed.verificationCode}` }) },

  // ---- onboarding: ICBs, PCNs and their clinical directors (platform admins) ---------------------------------
  'GET /api/v1/icbs': { build: () => ({ path: '/api/v1/icbs' }) },
  'POST /api/v1/icbs': { build: () => ({ path: '/api/v1/icbs', body: { name: `Test ICB ${unique()}`, odsCode: nextIcbCode() } }) },
  'GET /api/v1/icbs/:icbId': { build: (w) => ({ path: `/api/v1/icbs/${w.onboarding.icbId}` }) },
  'POST /api/v1/icbs/:icbId/pcns': {
    build: (w) => ({ path: `/api/v1/icbs/${w.onboarding.icbId}/pcns`, body: { name: `Test Network ${unique()} PCN`, odsCode: nextPcnCode(), networkArea: 'A town in the test ICB', joinedOn: TODAY, practices: [{ odsCode: nextPracticeOdsCode(), name: `Test Surgery ${unique()}`, contractType: 'GMS', legalForm: 'PARTNERSHIP' }] } }),
  },
  'POST /api/v1/pcns/:pcnId/clinical-director': { consumes: true, build: async (w, _c, fresh) => ({ path: `/api/v1/pcns/${fresh ? await onboardedPcn(w) : w.onboarding.pcnId}/clinical-director`, body: { fullName: `Dr Director ${unique()}`, email: `director-${unique()}@test.nhs.uk` } }) },
  'GET /onboarding': { build: () => ({ path: '/onboarding' }) },
  'GET /onboarding/icbs/new': { build: () => ({ path: '/onboarding/icbs/new' }) },
  'POST /onboarding/icbs/new': { build: () => ({ path: '/onboarding/icbs/new', body: { name: `Test ICB ${unique()}`, odsCode: nextIcbCode() } }) },
  'GET /onboarding/icbs/:icbId': { build: (w) => ({ path: `/onboarding/icbs/${w.onboarding.icbId}` }) },
  'GET /onboarding/icbs/:icbId/pcns/new': { build: (w) => ({ path: `/onboarding/icbs/${w.onboarding.icbId}/pcns/new` }) },
  'POST /onboarding/icbs/:icbId/pcns/new': {
    build: (w) => {
      const practice = nextPracticeOdsCode();
      return {
        path: `/onboarding/icbs/${w.onboarding.icbId}/pcns/new`,
        body: { name: `Test Network ${unique()} PCN`, odsCode: nextPcnCode(), networkArea: 'A town in the test ICB', ...todayFields('joinedOn'), practices: practice, askedFor: practice, [`new-${practice}-name`]: `Test Surgery ${unique()}`, [`new-${practice}-contractType`]: 'GMS', [`new-${practice}-legalForm`]: 'PARTNERSHIP' },
      };
    },
  },
  'GET /onboarding/pcns/:pcnId': { build: (w) => ({ path: `/onboarding/pcns/${w.onboarding.pcnId}` }) },
  'GET /onboarding/pcns/:pcnId/clinical-director': { build: (w) => ({ path: `/onboarding/pcns/${w.onboarding.pcnId}/clinical-director` }) },
  'POST /onboarding/pcns/:pcnId/clinical-director': { consumes: true, build: async (w, _c, fresh) => ({ path: `/onboarding/pcns/${fresh ? await onboardedPcn(w) : w.onboarding.pcnId}/clinical-director`, body: { fullName: `Dr Director ${unique()}`, email: `director-${unique()}@test.nhs.uk` } }) },
  'GET /invitation/:token/cis2': { build: (w) => ({ path: `/invitation/${invitationToken(w)}/cis2` }) },

  // ---- API documentation (off in production unless API_DOCS_ENABLED) and static assets -------------------
  ...Object.fromEntries(
    ['/api/docs', '/api/docs-json', '/api/docs-yaml', '/api/docs/index.html', '/api/docs/swagger-ui-init.js', '/api/docs/docs/swagger-ui-init.js', '/api/docs/LICENSE', '/assets/app.css', '/assets/app.js', '/assets/nhsuk-frontend.css', '/assets/nhsuk-frontend.min.js'].map(
      (path): [string, Recipe] => [`GET ${path}`, { build: () => ({ path }) }],
    ),
  ),
};

