import type { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { NetworkAgreementEntity, revisionAnnexIdsSql } from '@pcn/agreements';
import { OrganisationEntity, PersonEntity } from '@pcn/directory';
import { NotificationType } from '@pcn/notifications';
import { createTestApp, TestApp } from '@pcn/testing/test-app';
import { eventually, FAST_WORKFLOW_ENV, startTestWorker } from '@pcn/testing/test-worker';
import { startSmtpTestServer, SmtpTestServer } from '@pcn/testing/smtp-test-server';
import { EMAIL, loadBytes, tokenFor } from '@pcn/testing/workflow-scenario';
import type { DemoData } from '../../../../../apps/cli/src/seed/seed-demo';
import { BadJobError } from '../../queue/queue-runner.service';
import { ApprovalRoundEntity } from '../../rounds/approval-round.entity';
import { SignatureRequestEntity } from '../../rounds/signature-request.entity';
import { loadEmailContext } from '../email-context';
import { SendEmailHandler } from '../send-email.handler';

const REQUEST_FIELDS = ['id', 'step', 'status', 'delegatedFromId', 'scope', 'annexId', 'annexTitle', 'capacity', 'organisationId', 'organisationName', 'odsCode', 'personName'] as const;
const pick = <T extends object, K extends keyof T>(o: T, keys: readonly K[]): Pick<T, K> => Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;
const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);

/**
 * The email job's one read (loadEmailContext) against a real BYTES round: it returns what the
 * seven reads it replaced returned (TypeORM entities, the annex ids query), and the handler
 * built on it sends the same email, once.
 */
describe('email context: one statement per email job', () => {
  let t: TestApp;
  let worker: INestApplicationContext;
  let smtp: SmtpTestServer;
  let demo: DemoData;
  let roundId: string;
  let requests: { id: string; step: number; personId: string; personName: string; organisationName: string; odsCode: string | null }[];

  beforeAll(async () => {
    smtp = await startSmtpTestServer();
    t = await createTestApp({ ...FAST_WORKFLOW_ENV, ...smtp.env() });
    worker = await startTestWorker();
    demo = await loadBytes(t);
    const res = await t.http
      .post(`/api/v1/agreements/${demo.agreementId}/submit`)
      .set('Authorization', `Bearer ${await tokenFor(t.http, EMAIL.cd)}`)
      .send({ revisionNumber: 1, dueAt: new Date(Date.now() + 3_600_000).toISOString(), maxReminders: 0, message: 'Please review before the members meeting.' });
    expect(res.status).toBe(201);
    roundId = res.body.round.id;
    requests = res.body.requests;
    // The round's own email jobs finish first, so this file's direct calls are the only traffic.
    await eventually('email jobs done', async () => {
      const [{ open }] = await t.dataSource.query(`SELECT count(*)::int AS open FROM outbox WHERE job_name = 'email.send' AND status NOT IN ('DONE', 'FAILED')`);
      return open === 0;
    }, 60_000);
  });

  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await smtp?.close();
  });

  const personNamed = (name: string) => requests.find((r) => r.personName === name)!.personId;

  it.each(['Fiona Gallagher', 'Dr Thomas Whitfield', 'Grace Holloway'])('reads for %s what the round, person, agreement, PCN, request and annex reads returned', async (name) => {
    const personId = personNamed(name);
    const loaded = await loadEmailContext(t.dataSource, randomUUID(), roundId, personId);
    if (loaded.alreadySent || !loaded.found) throw new Error('expected a found, unsent context');
    const { round, person, agreement, pcn, requests: mine, annexIds } = loaded.found;

    const ds = t.dataSource;
    const roundEntity = await ds.getRepository(ApprovalRoundEntity).findOneByOrFail({ id: roundId });
    const personEntity = await ds.getRepository(PersonEntity).findOneByOrFail({ id: personId });
    const agreementEntity = await ds.getRepository(NetworkAgreementEntity).findOneByOrFail({ id: roundEntity.agreementId });
    const pcnEntity = await ds.getRepository(OrganisationEntity).findOneByOrFail({ id: agreementEntity.pcnId });
    const mineEntities = await ds.getRepository(SignatureRequestEntity).find({ where: { roundId, personId }, order: { organisationName: 'ASC' } });
    const [{ ids }] = await ds.query(`SELECT ${revisionAnnexIdsSql('$1::uuid')} AS ids`, [roundEntity.revisionId]);

    expect(round).toEqual(
      pick(roundEntity, ['id', 'agreementId', 'revisionId', 'revisionNumber', 'currentStep', 'stepPhases', 'submittedByPersonId', 'contentHash', 'dueAt', 'message', 'endReason']),
    );
    expect(round.dueAt).toBeInstanceOf(Date);
    expect(round.stepPhases).toEqual(['IG_REVIEW', 'PARTIES', 'COUNTERSIGN']);
    expect(round.message).toBe('Please review before the members meeting.');
    expect(person).toEqual(pick(personEntity, ['id', 'fullName', 'email']));
    expect(agreement).toEqual(pick(agreementEntity, ['id', 'title', 'reference', 'statusReason', 'executedAt']));
    expect(pcn).toEqual({ name: pcnEntity.name, odsCode: pcnEntity.odsCode });
    expect(pcn).toEqual({ name: 'BYTES PCN', odsCode: 'U70101' });

    // The same requests with the same fields, in organisation-name order (ties between one organisation's requests have no order in either read).
    expect(mine.length).toBeGreaterThan(0);
    expect([...mine].sort(byId)).toEqual(mineEntities.map((r) => pick(r, REQUEST_FIELDS)).sort(byId));
    expect(mine.map((r) => r.organisationName)).toEqual(mineEntities.map((r) => r.organisationName));
    expect(Object.keys(mine[0]).sort()).toEqual([...REQUEST_FIELDS].sort());

    expect(annexIds).toEqual(ids.map((id: unknown) => (typeof id === 'string' ? id : undefined)));
    expect(annexIds).toHaveLength(1);
    expect(typeof annexIds[0]).toBe('string');
  });

  it('sends the IG review digest to the shared DPO once, with every organisation listed and audited', async () => {
    const handler = worker.get(SendEmailHandler);
    const personId = personNamed('Fiona Gallagher');
    const jobId = randomUUID();
    const payload = { kind: NotificationType.IgReviewRequested, roundId, personId, step: 1 };
    const [{ auditBefore }] = await t.dataSource.query(`SELECT max(id) AS "auditBefore" FROM audit_event`);
    await handler.handle(payload, { jobId, attempt: 1, maxAttempts: 8 });

    const mail = await smtp.waitFor((m) => m.headers['x-pcn-message-key'] === jobId);
    expect(mail.to).toEqual([EMAIL.dpo]);
    expect(mail.subject).toBe('Information governance review needed: BYTES PCN Network Agreement 2026/27 (NA-U70101-2026-0001) – BYTES PCN, step 1: Information governance review');
    expect(mail.text).toContain(`http://localhost:3000/review/${roundId}`);
    expect(mail.text).toContain('Please review before the members meeting.');
    expect(mail.text).toContain('- Annex A: Direct care data sharing: anticipatory care and care homes, for 4 organisations as Data Protection Officer:\n');
    const listed = requests.filter((r) => r.personId === personId && r.step === 1);
    const organisations = [...new Set(listed.map((r) => `${r.organisationName} (${r.odsCode})`))].sort((x, y) => x.localeCompare(y, 'en-GB'));
    expect(organisations).toHaveLength(4);
    expect(mail.text).toContain(organisations.map((o) => `    - ${o}\n`).join(''));

    const events: { type: string; organisation_id: string | null; payload: { requestId?: string; requestIds?: string[]; to: string; kind?: string; step: number } }[] =
      await t.dataSource.query(`SELECT type, organisation_id, payload FROM audit_event WHERE round_id = $1 AND id > $2 ORDER BY id`, [roundId, auditBefore]);
    const sent = events.filter((e) => e.type === 'EMAIL_SENT');
    expect(sent).toHaveLength(1);
    expect(sent[0].payload).toMatchObject({ kind: NotificationType.IgReviewRequested, to: EMAIL.dpo, step: 1 });
    expect([...sent[0].payload.requestIds!].sort()).toEqual(listed.map((r) => r.id).sort());
    const requestSent = events.filter((e) => e.type === 'REQUEST_SENT');
    expect(requestSent.map((e) => e.payload.requestId).sort()).toEqual(listed.map((r) => r.id).sort());
    expect(requestSent.every((e) => e.payload.to === EMAIL.dpo && e.payload.step === 1 && e.organisation_id !== null)).toBe(true);
    expect(events).toHaveLength(1 + listed.length);

    // Delivered again: the one read sees SENT and nothing more happens.
    expect(await loadEmailContext(t.dataSource, jobId, roundId, personId)).toEqual({ alreadySent: true });
    await handler.handle(payload, { jobId, attempt: 2, maxAttempts: 8 });
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.messages.filter((m) => m.headers['x-pcn-message-key'] === jobId)).toHaveLength(1);
    expect(await t.dataSource.query(`SELECT status, attempts FROM sent_email WHERE job_id = $1`, [jobId])).toEqual([{ status: 'SENT', attempts: 1 }]);
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_event WHERE type = 'EMAIL_SENT' AND payload->>'jobId' = $1`, [jobId]);
    expect(n).toBe(1);
  });

  it('is a bad job when the round or the person no longer exists, and says so without a claim', async () => {
    const handler = worker.get(SendEmailHandler);
    const personId = personNamed('Fiona Gallagher');
    for (const payload of [
      { kind: NotificationType.IgReviewRequested, roundId: randomUUID(), personId, step: 1 },
      { kind: NotificationType.IgReviewRequested, roundId, personId: randomUUID(), step: 1 },
    ]) {
      const jobId = randomUUID();
      expect(await loadEmailContext(t.dataSource, jobId, payload.roundId, payload.personId)).toEqual({ alreadySent: false, found: null });
      await expect(handler.handle(payload, { jobId, attempt: 1, maxAttempts: 8 })).rejects.toBeInstanceOf(BadJobError);
      expect(await t.dataSource.query(`SELECT 1 FROM sent_email WHERE job_id = $1`, [jobId])).toEqual([]);
    }
  });
});
