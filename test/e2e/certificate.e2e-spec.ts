import type { INestApplicationContext } from '@nestjs/common';
import { formatLondon, formatUtc } from '@pcn/documents';
import { createTestApp, TestApp } from '../support/test-app';
import { eventually, FAST_WORKFLOW_ENV, startTestWorker } from '../support/test-worker';
import { startSmtpTestServer, SmtpTestServer } from '../support/smtp-test-server';
import { approveAllTasks, EMAIL, FULL_NAME, loadBytes, ROUND_PEOPLE, Task, tokenFor } from '../support/workflow-scenario';
import { pdfTextFlat, tempDir, writeTemp } from '../../libs/documents/src/testing/pdf-tools';
import type { DemoData } from '../../apps/cli/src/seed/seed-demo';

interface AnnexContent {
  title: string;
  parties: { organisationId: string; dpo?: { name: string; email: string } }[];
  flows: { fromOrganisationId: string; toOrganisationId: string }[];
}

const DECLINE_REASON = 'The retention period is not set out clearly enough.';
const TITLE_B = 'Federated extended access bookings';

/**
 * The certificate of completion of a revision whose first round was declined and whose second
 * round completed, read with pdftotext (an independent reader): every signer with their sent,
 * viewed and signed times, the decline and its reason, the sender by name, no "Platform user".
 * Each annex PDF is about that annex only. A revision naming an officer who is not on record
 * is refused when it is sent.
 */
describe('certificate of completion and self-contained annex parts', () => {
  let t: TestApp;
  let worker: INestApplicationContext;
  let smtp: SmtpTestServer;
  let demo: DemoData;
  let agreementId: string;
  let titleA: string;
  const dir = tempDir('pcn-e2e-cert-');
  const auth = async (email: string) => ({ Authorization: `Bearer ${await tokenFor(t.http, email)}` });
  const texts = new Map<string, string>();

  async function submit(id: string) {
    return t.http
      .post(`/api/v1/agreements/${id}/submit`)
      .set(await auth(EMAIL.cd))
      .send({ revisionNumber: 1, dueAt: new Date(Date.now() + 3_600_000).toISOString(), maxReminders: 0 });
  }

  async function demoContent() {
    const source = await t.http.get(`/api/v1/agreements/${demo.agreementId}/revisions/1`).set(await auth(EMAIL.cd));
    const content = source.body.content as { annexes: (AnnexContent & { id?: string })[] } & Record<string, unknown>;
    return { ...content, annexes: content.annexes.map(({ id: _id, ...annex }) => annex as AnnexContent) };
  }

  beforeAll(async () => {
    smtp = await startSmtpTestServer();
    t = await createTestApp({ ...FAST_WORKFLOW_ENV, ...smtp.env() });
    worker = await startTestWorker();
    demo = await loadBytes(t);

    // Two annexes: A (the practices and the community trust), B (the four practices only).
    const content = await demoContent();
    const [annexA] = content.annexes;
    titleA = annexA.title;
    const practices = annexA.parties.filter((p) => p.organisationId !== annexA.flows[0].toOrganisationId);
    expect(practices).toHaveLength(4);
    const annexB = { ...annexA, title: TITLE_B, parties: practices, flows: [{ ...annexA.flows[0], fromOrganisationId: practices[0].organisationId, toOrganisationId: practices[2].organisationId }] };
    const created = await t.http.post(`/api/v1/pcns/${demo.pcnId}/agreements`).set(await auth(EMAIL.cd)).send({ content: { ...content, annexes: [annexA, annexB] } });
    expect(created.status).toBe(201);
    agreementId = created.body.agreement.id;

    // Round 1: the trust's DPO declines.
    expect((await submit(agreementId)).status).toBe(201);
    const tasks = (await t.http.get('/api/v1/me/tasks').set(await auth(EMAIL.trustDpo))).body as (Task & { agreementId: string })[];
    const task = tasks.find((x) => x.agreementId === agreementId)!;
    expect((await t.http.post(`/api/v1/requests/${task.requestId}/decline`).set(await auth(EMAIL.trustDpo)).send({ reason: DECLINE_REASON })).status).toBe(200);

    // Round 2 of the same revision: everyone approves.
    expect((await submit(agreementId)).status).toBe(201);
    // Everyone opens what they are asked to approve (recording the view), then approves it.
    for (let pass = 0; pass < 5; pass++) {
      let approved = 0;
      for (const email of ROUND_PEOPLE) {
        const mine = (await t.http.get('/api/v1/me/tasks').set(await auth(email))).body as Task[];
        for (const task of mine) expect((await t.http.get(`/api/v1/requests/${task.requestId}`).set(await auth(email))).status).toBe(200);
        approved += await approveAllTasks(t.http, email, FULL_NAME[email]);
      }
      if (approved === 0) break;
    }
    await eventually('documents generated', async () => {
      const [row] = await t.dataSource.query(`SELECT document_status FROM agreement_execution WHERE agreement_id = $1`, [agreementId]);
      return row?.document_status === 'GENERATED';
    }, 60_000);
    const docs: { reference: string; kind: string; bytes: Buffer }[] = await t.dataSource.query(`SELECT reference, kind, bytes FROM sealed_document WHERE agreement_id = $1 ORDER BY reference`, [agreementId]);
    expect(docs.map((d) => d.kind)).toEqual(['AGREEMENT', 'ANNEX', 'ANNEX']);
    for (const [i, d] of docs.entries()) texts.set(['agreement', 'A', 'B'][i], pdfTextFlat(writeTemp(dir, `${d.reference}.pdf`, d.bytes)));
  }, 120_000);

  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await smtp?.close();
  });

  /** The certificate of completion: from its heading (after the contents page) to the end. */
  const certificateOf = (part: string) => {
    const text = texts.get(part)!;
    return text.slice(text.lastIndexOf('Certificate of completion'));
  };

  it('names every signer of the completing round with sent, viewed and signed times (UTC and UK), email, typed name and authority', async () => {
    const cert = certificateOf('agreement');
    const [round2] = await t.dataSource.query(`SELECT id FROM approval_round WHERE agreement_id = $1 AND status = 'COMPLETED'`, [agreementId]);
    const approved: { id: string; person_name: string; person_email: string; typed_name: string; viewed_at: Date; acted_at: Date; ip: string }[] = await t.dataSource.query(
      `SELECT id, person_name, person_email, typed_name, viewed_at, acted_at, ip FROM signature_request WHERE round_id = $1 AND status = 'APPROVED'`,
      [round2.id],
    );
    expect(approved.length).toBeGreaterThan(8);
    const sent: { request_id: string; occurred_at: Date }[] = await t.dataSource.query(
      `SELECT payload->>'requestId' AS request_id, min(occurred_at) AS occurred_at FROM audit_event WHERE round_id = $1 AND type = 'REQUEST_SENT' GROUP BY 1`,
      [round2.id],
    );
    const sentAt = new Map(sent.map((s) => [s.request_id, s.occurred_at]));
    for (const r of approved) {
      expect(cert).toContain(r.person_name);
      expect(cert).toContain(r.person_email);
      expect(cert).toContain(`“${r.typed_name}” (the name the signer typed as their signature)`);
      expect(sentAt.get(r.id)).toBeDefined();
      for (const at of [sentAt.get(r.id)!, r.viewed_at, r.acted_at].map((d) => new Date(d).toISOString())) {
        expect(cert).toContain(`${formatUtc(at)} (${formatLondon(at)})`);
      }
    }
    expect(cert).toContain('Confirmed they have authority to sign the agreement for Yarm Medical Practice as Partner');
    expect(cert).toContain('Sign-in method: Password sign-in');
    expect(cert).toContain(`Signers ${approved.length} approvals by`);
  });

  it('shows the declined first round with who declined and why, and the sender by name', () => {
    const cert = certificateOf('agreement');
    expect(cert).toContain('Sent by Dr Amira Okafor');
    expect(cert).toMatch(/1 .* by Dr Amira Okafor .* Declined Daniel Osei, Tees Valley Community Health NHS Trust/);
    expect(cert).toContain(`“${DECLINE_REASON}”`);
    expect(cert).toMatch(/2 .* by Dr Amira Okafor .* Completed/);
    expect(cert).toContain('No trusted timestamp (no timestamp authority configured)');
    expect(cert).toContain('Parts and what each was approved against');
    expect(cert).toContain(TITLE_B);
  });

  it('never says "Platform user": people by name, the platform as "The platform"', async () => {
    for (const text of texts.values()) expect(text).not.toContain('Platform user');
    const cert = certificateOf('agreement');
    expect(cert).toMatch(/Dr Amira Okafor Sent revision 1 for approval \(round 1\)/);
    expect(cert).toMatch(/The platform Executed the agreement/);
    const unnamed = await t.dataSource.query(
      `SELECT type FROM audit_event WHERE agreement_id = $1 AND actor_user_id IS NOT NULL AND actor_name IS NULL`,
      [agreementId],
    );
    expect(unnamed).toEqual([]);
  });

  it('summarises email deliveries per person rather than listing each email', () => {
    const cert = certificateOf('agreement');
    expect(cert).toContain('Emails delivered');
    expect(cert).not.toMatch(/email sent/i);
    expect(cert).not.toMatch(/request sent/i);
    expect(cert.split(EMAIL.trustDpo).length - 1).toBeGreaterThanOrEqual(1);
  });

  it('an annex PDF names no other annex and no signature of a party that is not party to it', () => {
    const a = texts.get('A')!;
    const b = texts.get('B')!;
    expect(a).toContain(titleA);
    expect(a).not.toContain(TITLE_B);
    expect(b).toContain(TITLE_B);
    expect(b).not.toContain(titleA);
    // Annex B's parties are the four practices: nobody of the trust signs or approves it.
    for (const name of ['Grace Holloway', 'Daniel Osei', 'Dr Ruth Castellano', 'Tees Valley Community Health NHS Trust']) expect(b).not.toContain(name);
    // Neither annex shows the agreement's own signatures (the clinical director's countersignature).
    for (const text of [a, b]) {
      expect(text).not.toContain('Clinical director (countersignature)');
      expect(text).not.toContain('Clinical director countersignature');
    }
    // The trust's decline concerned Annex A: Annex B's certificate does not repeat its reason.
    expect(b).not.toContain(DECLINE_REASON);
    expect(certificateOf('A')).toContain(DECLINE_REASON);
  });

  it('refuses to send a revision whose annex names a DPO who is not on record (422, naming the organisation and role)', async () => {
    const content = await demoContent();
    const [annex] = content.annexes;
    const parties = annex.parties.map((p, i) => (i === 0 ? { ...p, dpo: { name: 'Pat Placeholder', email: 'pat.placeholder@example.org' } } : p));
    const created = await t.http.post(`/api/v1/pcns/${demo.pcnId}/agreements`).set(await auth(EMAIL.cd)).send({ content: { ...content, annexes: [{ ...annex, parties }] } });
    expect(created.status).toBe(201);
    const res = await submit(created.body.agreement.id);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('CONTENT_INVALID');
    expect(res.body.message).toContain('This revision cannot be sent for approval: “Yarm Medical Practice”’s Data Protection Officer named in annex');
    expect(res.body.message).toContain('(Pat Placeholder, pat.placeholder@example.org) is not on record in the directory. The directory records Fiona Gallagher (fiona.gallagher@dpo.demo.nhs.uk)');
    expect(Object.keys(res.body.fieldErrors)).toEqual(['annexes[0].parties[0].dpo']);
  });
});
