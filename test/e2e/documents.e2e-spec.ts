import type { INestApplicationContext } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ExecutionDocumentsService } from '@pcn/workflow';
import { createTestApp, TestApp } from '../support/test-app';
import { eventually, FAST_WORKFLOW_ENV, startTestWorker } from '../support/test-worker';
import { startSmtpTestServer, SmtpTestServer } from '../support/smtp-test-server';
import { approveEverything, EMAIL, loadBytes, tokenFor } from '../support/workflow-scenario';
import { pdfPages, pdfTextFlat, runTool, tempDir, writeTemp } from '../../libs/documents/src/testing/pdf-tools';
import type { DemoData } from '../../apps/cli/src/seed/seed-demo';

interface Doc {
  id: string;
  reference: string;
  kind: 'AGREEMENT' | 'ANNEX';
  sha256: string;
  fileName: string;
}

/** binaryParser for supertest: keep PDF and ZIP bodies as Buffers. */
function binary(res: NodeJS.ReadableStream & { setEncoding(e: string): void }, done: (err: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}

/**
 * Executed agreements become sealed PDFs that real readers (poppler, qpdf) accept, that
 * the right people can download, and that anyone can verify.
 */
describe('sealed documents (render, seal, store, download, verify)', () => {
  let t: TestApp;
  let worker: INestApplicationContext;
  let smtp: SmtpTestServer;
  let demo: DemoData;
  let docs: Doc[];
  const dir = tempDir('pcn-e2e-docs-');
  const auth = async (email: string) => ({ Authorization: `Bearer ${await tokenFor(t.http, email)}` });

  beforeAll(async () => {
    smtp = await startSmtpTestServer();
    t = await createTestApp({ ...FAST_WORKFLOW_ENV, ...smtp.env(), VERIFY_MAX_UPLOAD_BYTES: '400000' });
    worker = await startTestWorker();
    demo = await loadBytes(t);
    const submitted = await t.http
      .post(`/api/v1/agreements/${demo.agreementId}/submit`)
      .set(await auth(EMAIL.cd))
      .send({ revisionNumber: 1, dueAt: new Date(Date.now() + 3_600_000).toISOString(), maxReminders: 0 });
    expect(submitted.status).toBe(201);
    await approveEverything(t.http);
    await eventually('documents generated', async () => {
      const [row] = await t.dataSource.query(`SELECT document_status FROM agreement_execution WHERE agreement_id = $1`, [demo.agreementId]);
      return row?.document_status === 'GENERATED';
    }, 30_000);
    docs = (await t.http.get(`/api/v1/agreements/${demo.agreementId}/documents`).set(await auth(EMAIL.cd))).body;
  });

  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await smtp?.close();
  });

  async function download(email: string, doc: Doc, headers: Record<string, string> = {}) {
    return t.http.get(`/api/v1/documents/${doc.id}/download`).set(await auth(email)).set(headers).buffer(true).parse(binary as never);
  }

  it('stores the whole agreement and each annex once', async () => {
    expect(docs.map((d) => [d.kind, d.reference])).toEqual([
      ['AGREEMENT', 'NA-U70101-2026-0001-r1'],
      ['ANNEX', 'NA-U70101-2026-0001-r1-A1'],
    ]);
    const executionId = (await t.dataSource.query(`SELECT id FROM agreement_execution WHERE agreement_id = $1`, [demo.agreementId]))[0].id;
    // "Signed by everyone" links to the sealed copy: each signatory's email was enqueued in the
    // transaction that stored the documents (same now()), not when the agreement was executed.
    const executedEmails: { stored_with_documents: boolean }[] = await t.dataSource.query(
      `SELECT o.created_at = (SELECT min(d.created_at) FROM sealed_document d WHERE d.execution_id = e.id) AS stored_with_documents
         FROM outbox o JOIN agreement_execution e ON o.payload->>'roundId' = e.round_id::text
        WHERE e.id = $1 AND o.job_name = 'email.send' AND o.payload->>'kind' = 'AGREEMENT_EXECUTED'`,
      [executionId],
    );
    const [{ signatories }] = await t.dataSource.query(`SELECT count(DISTINCT person_id)::int AS signatories FROM signature_request r JOIN agreement_execution e ON e.round_id = r.round_id WHERE e.id = $1 AND r.status = 'APPROVED'`, [executionId]);
    expect(executedEmails).toEqual(Array(signatories).fill({ stored_with_documents: true }));
    // The job running again (or twice at once) stores nothing more.
    const generator = worker.get(ExecutionDocumentsService);
    expect(await generator.generate(executionId)).toBe(false);
    await t.dataSource.query(`UPDATE agreement_execution SET document_status = 'PENDING' WHERE id = $1`, [executionId]);
    const again = await Promise.all([generator.generate(executionId), generator.generate(executionId)]);
    expect(again.filter(Boolean)).toHaveLength(1);
    expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM sealed_document WHERE agreement_id = $1`, [demo.agreementId])).toEqual([{ n: 2 }]);
    await expect(t.dataSource.query(`UPDATE sealed_document SET title = 'x' WHERE agreement_id = $1`, [demo.agreementId])).rejects.toThrow(/immutable/);
  });

  it('serves a sealed PDF that poppler and qpdf accept, with every party, signer, purpose and the revision hash', async () => {
    const agreementDoc = docs.find((d) => d.kind === 'AGREEMENT')!;
    const res = await download(EMAIL.auditor, agreementDoc);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe('attachment; filename="NA-U70101-2026-0001-r1.pdf"');
    const pdf = res.body as Buffer;
    expect(res.headers.etag).toBe(`"${createHash('sha256').update(pdf).digest('hex')}"`);
    expect(res.headers.etag).toBe(`"${agreementDoc.sha256}"`);
    const file = writeTemp(dir, 'agreement.pdf', pdf);

    const sig = runTool('pdfsig', [file]).stdout;
    expect(sig).toContain('Signature is Valid.');
    expect(sig).toContain('Total document signed');
    expect(runTool('qpdf', ['--check', file]).stdout).toContain('No syntax or stream encoding errors found');
    const fonts = runTool('pdffonts', [file]).stdout.trim().split('\n').slice(2);
    expect(fonts.length).toBeGreaterThan(0);
    for (const line of fonts) expect(line).toMatch(/\byes\s+yes\s+(yes|no)\s+\d+\s+\d+$/); // embedded + subset

    const text = pdfTextFlat(file);
    for (const name of ['Yarm Medical Practice', 'Eaglescliffe Medical Practice', 'Thornaby and Barwick Medical Group', 'Park Lane Surgery', 'Tees Valley Community Health NHS Trust']) expect(text).toContain(name);
    for (const ods of ['A87001', 'A87002', 'A87003', 'A87004']) expect(text).toContain(ods);
    for (const signer of ['Dr Amira Okafor', 'Dr Thomas Whitfield', 'Dr Priya Raman', 'Dr Samuel Adeyemi', 'Dr Margaret Lindqvist', 'Grace Holloway', 'Fiona Gallagher', 'Daniel Osei']) expect(text).toContain(signer);
    expect(text).toContain('Planning and delivering anticipatory care');
    expect(text.replace(/\s/g, '')).toContain(demo.revisionHash);
    expect(text).not.toContain('DRAFT');
  });

  it('supports conditional and ranged downloads, and records exactly one event per body sent (none for a 304 or 416)', async () => {
    const agreementDoc = docs.find((d) => d.kind === 'AGREEMENT')!;
    // Read once each request has completed (the event is written before the body is sent), never before.
    const events = async () =>
      (await t.dataSource.query(`SELECT payload FROM audit_event WHERE agreement_id = $1 AND type = 'DOCUMENT_DOWNLOADED' ORDER BY seq`, [demo.agreementId])).map(
        (row: { payload: Record<string, unknown> }) => row.payload,
      ) as Record<string, unknown>[];
    const before = (await events()).length;
    const newEvents = async () => (await events()).slice(before);

    const whole = await download(EMAIL.cd, agreementDoc);
    expect(whole.status).toBe(200);
    expect(await newEvents()).toEqual([{ documentId: agreementDoc.id, reference: agreementDoc.reference, sha256: agreementDoc.sha256 }]);

    const notModified = await download(EMAIL.cd, agreementDoc, { 'If-None-Match': `"${agreementDoc.sha256}"` });
    expect(notModified.status).toBe(304);
    const weakNotModified = await download(EMAIL.cd, agreementDoc, { 'If-None-Match': `"other", W/"${agreementDoc.sha256}"` });
    expect(weakNotModified.status).toBe(304);
    expect(await newEvents()).toHaveLength(1);

    const part = await download(EMAIL.cd, agreementDoc, { Range: 'bytes=0-99' });
    expect(part.status).toBe(206);
    expect((part.body as Buffer).length).toBe(100);
    expect((part.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
    expect(part.headers['content-range']).toMatch(/^bytes 0-99\/\d+$/);
    const size = Number(/\/(\d+)$/.exec(part.headers['content-range'])![1]);
    expect((await newEvents())[1]).toEqual({ documentId: agreementDoc.id, reference: agreementDoc.reference, sha256: agreementDoc.sha256, range: `bytes 0-99/${size}` });

    const unsatisfiable = await download(EMAIL.cd, agreementDoc, { Range: `bytes=${size}-` });
    expect(unsatisfiable.status).toBe(416);
    expect(unsatisfiable.headers['content-range']).toBe(`bytes */${size}`);
    expect(await newEvents()).toHaveLength(2);

    // A range whose If-Range names another version gets the whole current file: one 200, one event.
    const stale = await download(EMAIL.cd, agreementDoc, { Range: 'bytes=0-99', 'If-Range': '"0000"' });
    expect(stale.status).toBe(200);
    expect((stale.body as Buffer).length).toBe(size);
    const all = await newEvents();
    expect(all).toHaveLength(3);
    expect(all[2]).not.toHaveProperty('range');
  });

  it('gives a non-GP party only its annex, without the PCN’s financial or workforce schedules', async () => {
    const listed = await t.http.get(`/api/v1/agreements/${demo.agreementId}/documents`).set(await auth(EMAIL.trustSignatory));
    expect(listed.status).toBe(200);
    expect(listed.body.map((d: Doc) => d.kind)).toEqual(['ANNEX']);
    expect((await download(EMAIL.trustSignatory, docs.find((d) => d.kind === 'AGREEMENT')!)).status).toBe(404);
    const annex = await download(EMAIL.trustSignatory, docs.find((d) => d.kind === 'ANNEX')!);
    expect(annex.status).toBe(200);
    const file = writeTemp(dir, 'annex.pdf', annex.body as Buffer);
    expect(runTool('pdfsig', [file]).stdout).toContain('Signature is Valid.');
    const text = pdfTextFlat(file);
    expect(text).toContain('Tees Valley Community Health NHS Trust');
    expect(text).toContain('Planning and delivering anticipatory care');
    expect(text).not.toMatch(/Financial arrangements|Workforce|designated network account|CLINICAL_PHARMACIST|Clinical pharmacist/);
  });

  it('verifies an upload: authentic, tampered (pdfsig agrees), not a PDF, too large, missing', async () => {
    const agreementDoc = docs.find((d) => d.kind === 'AGREEMENT')!;
    const pdf = (await download(EMAIL.cd, agreementDoc)).body as Buffer;

    const ok = await t.http.post('/api/v1/verify').attach('file', pdf, 'agreement.pdf');
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual(expect.objectContaining({ verdict: 'AUTHENTIC', match: 'EXACT' }));
    expect(ok.body.agreement).toEqual(expect.objectContaining({ reference: 'NA-U70101-2026-0001', status: 'EXECUTED', pcnName: 'BYTES PCN', contentHash: demo.revisionHash }));
    expect(ok.body.approvals.map((a: { person: string }) => a.person)).toEqual(expect.arrayContaining(['Dr Amira Okafor', 'Grace Holloway']));

    // Flip one byte inside the signed range (the first range ends where the signature starts).
    const byteRange = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(pdf.toString('latin1'))!;
    const secondStart = Number(byteRange[3]);
    const tampered = Buffer.from(pdf);
    const at = secondStart + Math.floor((pdf.length - secondStart) / 3);
    tampered[at] = tampered[at] === 0x41 ? 0x42 : 0x41;
    const tamperedFile = writeTemp(dir, 'tampered.pdf', tampered);
    expect(runTool('pdfsig', [tamperedFile]).stdout).toContain('Digest Mismatch.');
    const bad = await t.http.post('/api/v1/verify').attach('file', tampered, 'tampered.pdf');
    expect(bad.status).toBe(200);
    expect(bad.body).toEqual(expect.objectContaining({ verdict: 'ALTERED', match: 'CLAIMED' }));
    expect(bad.body.part.reference).toBe('NA-U70101-2026-0001-r1');
    expect(bad.body.approvals).toBeUndefined();

    const garbage = await t.http.post('/api/v1/verify').attach('file', Buffer.from('this is not a pdf at all'), 'x.pdf');
    expect(garbage.status).toBe(422);
    expect(garbage.body.code).toBe('NOT_A_PDF');
    const truncated = await t.http.post('/api/v1/verify').attach('file', pdf.subarray(0, 2000), 'cut.pdf');
    expect(truncated.status).toBe(422);
    expect(truncated.body.code).toBe('TRUNCATED_PDF');
    const tooBig = await t.http.post('/api/v1/verify').attach('file', Buffer.alloc(500_000, 0x25), 'big.pdf');
    expect(tooBig.status).toBe(413);
    const missing = await t.http.post('/api/v1/verify').field('note', 'no file');
    expect(missing.status).toBe(400);
    // Only the upload whose bytes are exactly the sealed part went into the agreement's chain.
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_event WHERE type = 'DOCUMENT_VERIFIED'`);
    expect(n).toBe(1);
  });

  it('shows the public verification page by code, without content, signers or a verdict; never by reference', async () => {
    const [{ code }] = await t.dataSource.query(`SELECT verification_code AS code FROM sealed_document WHERE id = $1`, [docs[0].id]);
    const page = await t.http.get(`/verify/${code}`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.text).toContain('A document with this code was sealed here');
    expect(page.text).not.toContain('Dr Margaret Lindqvist');
    expect(page.text).not.toContain(docs[0].sha256);
    expect(page.text).not.toMatch(/authentic/i);
    expect(page.text).not.toContain('designated network account');
    expect((await t.http.get('/verify/NA-U70101-2026-0001-r1')).status).toBe(404);
    const missing = await t.http.get('/verify/NA-U99999-2026-0001-r1');
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('No such document');
  });

  it('lets auditors search executed agreements and download a ZIP with a hash manifest', async () => {
    const found = await t.http.get('/api/v1/documents/search').query({ practiceOdsCode: 'A87003', icbCode: 'QHM' }).set(await auth(EMAIL.auditor));
    expect(found.status).toBe(200);
    expect(found.body.map((a: { reference: string }) => a.reference)).toEqual(['NA-U70101-2026-0001']);
    expect(found.body[0].documents).toHaveLength(2);
    const none = await t.http.get('/api/v1/documents/search').query({ practiceOdsCode: 'A99999' }).set(await auth(EMAIL.auditor));
    expect(none.body).toEqual([]);
    const invalid = await t.http.get('/api/v1/documents/search').query({ pcnCode: 'nope' }).set(await auth(EMAIL.auditor));
    expect(invalid.status).toBe(422);

    const zip = await t.http.post('/api/v1/documents/zip').set(await auth(EMAIL.auditor)).send({ documentIds: docs.map((d) => d.id) }).buffer(true).parse(binary as never);
    expect(zip.status).toBe(200);
    expect(zip.headers['content-type']).toBe('application/zip');
    const zipFile = writeTemp(dir, 'docs.zip', zip.body as Buffer);
    const out = tempDir('pcn-e2e-unzip-');
    runTool('unzip', ['-q', zipFile, '-d', out]);
    const manifest = readFileSync(`${out}/manifest.csv`, 'utf8');
    for (const doc of docs) {
      expect(manifest).toContain(doc.sha256);
      expect(createHash('sha256').update(readFileSync(`${out}/${doc.fileName}`)).digest('hex')).toBe(doc.sha256);
    }
  });

  it('previews any revision as a DRAFT on every page, never sealed, identical each time', async () => {
    const first = await t.http.get(`/api/v1/agreements/${demo.agreementId}/preview`).query({ revision: 1 }).set(await auth(EMAIL.cd)).buffer(true).parse(binary as never);
    expect(first.status).toBe(200);
    const second = await t.http.get(`/api/v1/agreements/${demo.agreementId}/preview`).query({ revision: 1 }).set(await auth(EMAIL.cd)).buffer(true).parse(binary as never);
    expect(Buffer.compare(first.body, second.body)).toBe(0);
    const file = writeTemp(dir, 'preview.pdf', first.body as Buffer);
    const pages = pdfPages(file);
    expect(pages.length).toBeGreaterThan(5);
    for (const page of pages) expect(page).toContain('DRAFT');
    expect(runTool('pdfsig', [file], { allowFailure: true }).stdout + runTool('pdfsig', [file], { allowFailure: true }).stderr).toMatch(/does not contain any signatures/);
    expect((await t.http.get(`/api/v1/agreements/${demo.agreementId}/preview`).set(await auth(EMAIL.trustSignatory))).status).toBe(404);
  });
});
