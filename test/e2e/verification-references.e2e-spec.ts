import type { INestApplicationContext } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import type Redis from 'ioredis';
import { REDIS_CLIENT } from '@pcn/database';
import { createTestApp, TestApp } from '../support/test-app';
import { eventually, FAST_WORKFLOW_ENV, startTestWorker } from '../support/test-worker';
import { startSmtpTestServer, SmtpTestServer } from '../support/smtp-test-server';
import { approveEverything, EMAIL, loadBytes, tokenFor } from '../support/workflow-scenario';
import { normaliseText, pdfPages, runTool, tempDir, writeTemp } from '../../libs/documents/src/testing/pdf-tools';
import type { DemoData } from '../../apps/cli/src/seed/seed-demo';

interface Doc {
  id: string;
  reference: string;
  kind: 'AGREEMENT' | 'ANNEX';
  sha256: string;
  fileName: string;
  verificationCode: string;
}

const UPLOAD_LIMIT = 25;
const SIGNERS = ['Dr Margaret Lindqvist', 'Grace Holloway', 'Dr Amira Okafor'];

function binary(res: NodeJS.ReadableStream & { setEncoding(e: string): void }, done: (err: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}

/** A 180-byte "PDF" that names a sealed part in /PcnReference but carries no seal. */
function fakePdf(reference: string): Buffer {
  const head = `%PDF-1.7\n1 0 obj\n<< /PcnReference (${reference}) >>\nendobj\ntrailer\n<< /Info 1 0 R >>\n`;
  const tail = '%%EOF\n';
  const fake = Buffer.from(head + '%'.padEnd(180 - head.length - tail.length - 1, ' ') + '\n' + tail, 'latin1');
  expect(fake.length).toBe(180);
  return fake;
}

/**
 * Issue 8, references and public verification: one reference per sealed part everywhere, a
 * random verification code behind the printed URL, what a verdict reveals, nothing written to
 * any chain by anonymous checks, Redis-backed limits, neutralised CSV, honest download records.
 */
describe('sealed part references, verification codes and public verification', () => {
  let t: TestApp;
  let worker: INestApplicationContext;
  let smtp: SmtpTestServer;
  let demo: DemoData;
  let docs: Doc[];
  const pdfs = new Map<string, Buffer>();
  const dir = tempDir('pcn-e2e-refs-');
  const auth = async (email: string) => ({ Authorization: `Bearer ${await tokenFor(t.http, email)}` });
  const auditRows = async () => (await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_event`))[0].n as number;

  beforeAll(async () => {
    smtp = await startSmtpTestServer();
    t = await createTestApp({ ...FAST_WORKFLOW_ENV, ...smtp.env(), VERIFY_UPLOAD_LIMIT: String(UPLOAD_LIMIT), VERIFY_LOOKUP_LIMIT: '1000' });
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
    for (const doc of docs) {
      const res = await t.http.get(`/api/v1/documents/${doc.id}/download`).set(await auth(EMAIL.auditor)).buffer(true).parse(binary as never);
      expect(res.status).toBe(200);
      pdfs.set(doc.id, res.body as Buffer);
    }
  });

  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await smtp?.close();
  });

  it('prints, stores, searches and lists in the ZIP manifest one reference per part, the agreement and every annex', async () => {
    expect(docs.map((d) => [d.kind, d.reference])).toEqual([
      ['AGREEMENT', 'NA-U70101-2026-0001-r1'],
      ['ANNEX', 'NA-U70101-2026-0001-r1-A1'],
    ]);
    const stored: { id: string; reference: string }[] = await t.dataSource.query(`SELECT id, reference FROM sealed_document WHERE agreement_id = $1`, [demo.agreementId]);
    const found = await t.http.get('/api/v1/documents/search').query({ pcnCode: 'U70101' }).set(await auth(EMAIL.auditor));
    expect(found.status).toBe(200);
    const zip = await t.http.post('/api/v1/documents/zip').set(await auth(EMAIL.auditor)).send({ documentIds: docs.map((d) => d.id) }).buffer(true).parse(binary as never);
    expect(zip.status).toBe(200);
    const out = tempDir('pcn-e2e-refs-unzip-');
    runTool('unzip', ['-q', writeTemp(dir, 'docs.zip', zip.body as Buffer), '-d', out]);
    const manifest = readFileSync(`${out}/manifest.csv`, 'utf8').trim().split('\r\n').map((line) => line.split(','));
    expect(manifest[0][0]).toBe('reference');

    for (const doc of docs) {
      const reference = stored.find((s) => s.id === doc.id)!.reference;
      expect(doc.reference).toBe(reference);
      expect(found.body[0].documents.find((d: Doc) => d.id === doc.id).reference).toBe(reference);
      expect(manifest.find((row) => row[2] === doc.sha256)![0]).toBe(reference);

      const file = writeTemp(dir, `${reference}.pdf`, pdfs.get(doc.id)!);
      expect(runTool('pdfinfo', ['-custom', file]).stdout).toMatch(new RegExp(`PcnReference:\\s+${reference}\\n`));
      const pages = pdfPages(file);
      expect(pages.length).toBeGreaterThan(2);
      for (const [i, page] of pages.entries()) {
        const lines = page.split('\n');
        // Footer on every page: the whole reference and the version on one line, never cut.
        expect(lines.some((l) => l.includes(`${reference} · Version`))).toBe(true);
        // Header on every page after the cover: the whole reference on one line.
        if (i > 0) expect(lines.slice(0, 3).some((l) => new RegExp(`\\b${reference}$`).test(l.trim()))).toBe(true);
        expect(page).not.toMatch(/annex-[0-9a-f]{8}/);
      }
      expect(normaliseText(pages[0])).toContain(`Document reference ${reference}`);
    }
  });

  it('prints each part’s own verification URL, whose code opens a page that names the part’s type, PCN and date only', async () => {
    for (const doc of docs) {
      const file = writeTemp(dir, `url-${doc.id}.pdf`, pdfs.get(doc.id)!);
      const text = runTool('pdftotext', ['-raw', '-enc', 'UTF-8', file, '-']).stdout.replace(/\s+/g, '');
      const urls = [...text.matchAll(/localhost:3000\/verify\/([a-z2-7]{16})/g)].map((m) => m[1]);
      expect([...new Set(urls)]).toEqual([doc.verificationCode]);
      const [{ code }] = await t.dataSource.query(`SELECT verification_code AS code FROM sealed_document WHERE id = $1`, [doc.id]);
      expect(code).toBe(doc.verificationCode);

      const page = await t.http.get(`/verify/${code}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('A document with this code was sealed here');
      expect(page.text).toContain(doc.kind === 'ANNEX' ? 'A data-sharing annex of a Network Agreement' : 'A Network Agreement (the whole agreement)');
      expect(page.text).toContain('BYTES PCN (U70101)');
      expect(page.text).not.toMatch(/authentic/i);
      for (const signer of SIGNERS) expect(page.text).not.toContain(signer);
      expect(page.text).not.toContain(doc.sha256);

      const api = await t.http.get(`/api/v1/verify/code/${code.toUpperCase()}`);
      expect(api.status).toBe(200);
      expect(Object.keys(api.body).sort()).toEqual(['code', 'explanation', 'fileRequired', 'part']);
      expect(Object.keys(api.body.part).sort()).toEqual(['executedAt', 'kind', 'pcnCode', 'pcnName']);
      expect(api.body.part).toEqual(expect.objectContaining({ kind: doc.kind, pcnName: 'BYTES PCN', pcnCode: 'U70101' }));
      expect(JSON.stringify(api.body)).not.toMatch(/AUTHENTIC|authentic/);
    }
    expect((await t.http.get('/api/v1/verify/code/NA-U70101-2026-0001-r1')).status).toBe(404);
    expect((await t.http.get('/api/v1/verify/reference/NA-U70101-2026-0001-r1')).status).toBe(404);
  });

  it('an upload of a part’s exact bytes shows the part and its signers and writes one event to that agreement’s chain', async () => {
    for (const doc of docs) {
      const before = await auditRows();
      const res = await t.http.post('/api/v1/verify').attach('file', pdfs.get(doc.id)!, 'copy.pdf');
      expect(res.status).toBe(200);
      expect(res.body).toEqual(expect.objectContaining({ verdict: 'AUTHENTIC', match: 'EXACT' }));
      expect(res.body.document).toEqual(expect.objectContaining({ reference: doc.reference, verificationCode: doc.verificationCode }));
      expect(res.body.approvals.length).toBeGreaterThan(0);
      expect(await auditRows()).toBe(before + 1);
      const [event] = await t.dataSource.query(`SELECT agreement_id, type FROM audit_event ORDER BY occurred_at DESC, seq DESC LIMIT 1`);
      expect(event).toEqual({ agreement_id: demo.agreementId, type: 'DOCUMENT_VERIFIED' });
    }
    const whole = await t.http.post('/api/v1/verify').attach('file', pdfs.get(docs[0].id)!, 'copy.pdf');
    expect(whole.body.approvals.map((a: { person: string }) => a.person)).toEqual(expect.arrayContaining(SIGNERS));
  });

  it('a forged 180-byte PDF carrying a /PcnReference, and an altered annex, write nothing to any chain and reveal no signers', async () => {
    const before = await auditRows();
    const [{ n: countedBefore }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM document_verification`);
    const forged = await t.http.post('/api/v1/verify').set('User-Agent', 'forger/1.0').attach('file', fakePdf('NA-U70101-2026-0001-r1'), 'fake.pdf');
    expect(forged.status).toBe(200);
    expect(forged.body).toEqual(expect.objectContaining({ verdict: 'NOT_SEALED', match: null }));
    expect(forged.body.document).toBeUndefined();
    expect(forged.body.part).toBeUndefined();

    const annex = docs.find((d) => d.kind === 'ANNEX')!;
    const tampered = Buffer.from(pdfs.get(annex.id)!);
    const byteRange = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(tampered.toString('latin1'))!;
    const at = Number(byteRange[3]) + Math.floor((Number(byteRange[3]) + Number(byteRange[4]) - Number(byteRange[3])) / 3);
    tampered[at] = tampered[at] === 0x41 ? 0x42 : 0x41;
    expect(runTool('pdfsig', [writeTemp(dir, 'tampered-annex.pdf', tampered)]).stdout).toContain('Digest Mismatch.');
    const altered = await t.http.post('/api/v1/verify').attach('file', tampered, 'annex.pdf');
    expect(altered.status).toBe(200);
    expect(altered.body).toEqual(expect.objectContaining({ verdict: 'ALTERED', match: 'CLAIMED' }));
    expect(altered.body.part.reference).toBe(annex.reference);
    expect(altered.body.approvals).toBeUndefined();
    expect(JSON.stringify(altered.body)).not.toMatch(new RegExp(SIGNERS.join('|')));

    expect(await auditRows()).toBe(before);
    const [{ n: countedAfter }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM document_verification`);
    expect(countedAfter).toBe(countedBefore + 2);
  });

  it('a formula in a user agent comes out neutralised in audit.csv', async () => {
    const formula = `=cmd|" /C calc"!A0`;
    const res = await t.http.post('/api/v1/verify').set('User-Agent', formula).attach('file', pdfs.get(docs[0].id)!, 'copy.pdf');
    expect(res.body.verdict).toBe('AUTHENTIC');
    const csv = await t.http.get(`/api/v1/agreements/${demo.agreementId}/audit.csv`).set(await auth(EMAIL.auditor));
    expect(csv.status).toBe(200);
    expect(csv.text).toContain(`,"'=cmd|"" /C calc""!A0",`);
    expect(csv.text).not.toMatch(/(^|,)=cmd/m);
  });

  it('a 304, a 206 and a 416 download write exactly 0, 1 and 0 audit events', async () => {
    const doc = docs[0];
    const get = async (headers: Record<string, string>) => t.http.get(`/api/v1/documents/${doc.id}/download`).set(await auth(EMAIL.cd)).set(headers).buffer(true).parse(binary as never);
    for (const [headers, status, written] of [
      [{ 'If-None-Match': `"${doc.sha256}"` }, 304, 0],
      [{ Range: 'bytes=100-199' }, 206, 1],
      [{ Range: 'bytes=99999999-' }, 416, 0],
      [{}, 200, 1],
    ] as const) {
      const before = await auditRows();
      const res = await get(headers);
      expect(res.status).toBe(status);
      expect(await auditRows()).toBe(before + written);
      if (status === 206) expect((res.body as Buffer).equals(pdfs.get(doc.id)!.subarray(100, 200))).toBe(true);
    }
  });

  it('200 anonymous uploads from one address: exactly the configured limit are checked, the rest get 429 (JSON for the API, a page for the page)', async () => {
    const redis = t.app.get<Redis>(REDIS_CLIENT);
    const keys = await redis.keys(`${process.env.REDIS_PREFIX}:verify-limit:upload:*`);
    if (keys.length) await redis.del(...keys);
    const before = await auditRows();
    const fake = fakePdf('NA-U70101-2026-0001-r1');
    const statuses: number[] = [];
    for (let batch = 0; batch < 200; batch += 20) {
      const results = await Promise.all(Array.from({ length: 20 }, () => t.http.post('/api/v1/verify').attach('file', fake, 'fake.pdf')));
      for (const r of results) {
        statuses.push(r.status);
        if (r.status === 429) {
          expect(r.body.code).toBe('TOO_MANY_VERIFICATIONS');
          expect(r.body.message).toMatch(/^Too many documents checked from your network in a short time\. Try again in \d+ minutes\.$/);
          expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
        }
      }
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(UPLOAD_LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(200 - UPLOAD_LIMIT);
    expect(await auditRows()).toBe(before);

    // The page shares the same Redis counter: refused with the "Too many attempts" page.
    const agent = (await import('supertest')).default.agent(t.app.getHttpServer());
    const form = await agent.get('/verify');
    const action = /<form action="(\/verify\?_csrf=[^"]+)"/.exec(form.text)![1];
    const page = await agent.post(action).attach('file', fake, 'fake.pdf');
    expect(page.status).toBe(429);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.text).toContain('Too many attempts');
    expect(page.text).toContain('Too many documents checked from your network');
  });
});
