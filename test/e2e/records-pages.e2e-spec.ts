import type { INestApplicationContext } from '@nestjs/common';
import request from 'supertest';
import { UserRole } from '@pcn/auth';
import { createTestApp, TestApp } from '../support/test-app';
import { eventually, FAST_WORKFLOW_ENV, startTestWorker } from '../support/test-worker';
import { startSmtpTestServer, SmtpTestServer } from '../support/smtp-test-server';
import { approveEverything, DEMO_PASSWORD, EMAIL, loadBytes, tokenFor } from '../support/workflow-scenario';
import { createPcn, createUserWithRole, TestUser } from '../support/factories';
import { signInToPages } from '../support/page-session';
import { runTool, tempDir, writeTemp } from '../../libs/documents/src/testing/pdf-tools';
import type { DemoData } from '../../apps/cli/src/seed/seed-demo';

/** binaryParser for supertest: keep PDF and ZIP bodies as Buffers. */
function binary(res: NodeJS.ReadableStream & { setEncoding(e: string): void }, done: (err: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}

/** What a person reads: the page without tags, scripts and attribute values. */
function visibleText(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&[a-z#0-9]+;/gi, ' ')
    .replace(/\s+/g, ' ');
}

const UUID_IN_TEXT = /[0-9a-f]{8}-[0-9a-f]{4}-/;

/**
 * The records pages on an executed BYTES agreement (a full round with the worker): auditor
 * search, the audit trail in words (whole for auditors, annex-only for an annex party's DPO),
 * sealed downloads by session cookie, and the public verification pages.
 */
describe('records pages: search, audit trail, downloads, annexes, practice, verify', () => {
  let t: TestApp;
  let worker: INestApplicationContext;
  let smtp: SmtpTestServer;
  let demo: DemoData;
  let docs: { id: string; kind: 'AGREEMENT' | 'ANNEX'; reference: string; sha256: string }[];
  let sealedPdf: Buffer;
  let outsider: TestUser;
  const dir = tempDir('pcn-e2e-records-');

  beforeAll(async () => {
    smtp = await startSmtpTestServer();
    t = await createTestApp({ ...FAST_WORKFLOW_ENV, ...smtp.env(), VERIFY_MAX_UPLOAD_BYTES: '400000' });
    worker = await startTestWorker();
    demo = await loadBytes(t);
    const cdToken = await tokenFor(t.http, EMAIL.cd);
    const submitted = await t.http
      .post(`/api/v1/agreements/${demo.agreementId}/submit`)
      .set('Authorization', `Bearer ${cdToken}`)
      .send({ revisionNumber: 1, dueAt: new Date(Date.now() + 3_600_000).toISOString(), maxReminders: 0 });
    expect(submitted.status).toBe(201);
    await approveEverything(t.http);
    await eventually('documents generated', async () => {
      const [row] = await t.dataSource.query(`SELECT document_status FROM agreement_execution WHERE agreement_id = $1`, [demo.agreementId]);
      return row?.document_status === 'GENERATED';
    }, 30_000);
    docs = (await t.http.get(`/api/v1/agreements/${demo.agreementId}/documents`).set('Authorization', `Bearer ${cdToken}`)).body;
    const otherPcn = await createPcn(t);
    outsider = await createUserWithRole(t, UserRole.ClinicalDirector, otherPcn.id, { displayName: 'Dr Other Network' });
  });

  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await smtp?.close();
  });

  it('the auditor finds the executed BYTES agreement by a practice ODS code, and not by another code', async () => {
    const { agent } = await signInToPages(t, EMAIL.auditor, DEMO_PASSWORD);
    const found = await agent.get('/audit/search').query({ searched: '1', practice: 'a87003', 'from[day]': '1', 'from[month]': '1', 'from[year]': '2026' });
    expect(found.status).toBe(200);
    expect(found.text).toContain('<title>Find executed agreements – PCN Agreements</title>');
    expect(found.text).toContain('1 agreement found');
    expect(found.text).toContain(`href="/agreements/${demo.agreementId}"`);
    expect(found.text).toContain(`href="/agreements/${demo.agreementId}/audit"`);
    const text = visibleText(found.text);
    expect(text).toContain('BYTES PCN (U70101)');
    expect(text).toContain('Executed');
    expect(text).not.toMatch(UUID_IN_TEXT);
    // The number of sealed parts: the agreement and its one annex.
    expect(found.text).toMatch(/<td class="nhsuk-table__cell">2<\/td>/);

    const none = await agent.get('/audit/search').query({ searched: '1', practice: 'A99999' });
    expect(none.status).toBe(200);
    expect(none.text).toContain('0 agreements found');
    expect(none.text).toContain('No executed agreement matches your search');
    expect(none.text).not.toContain(`href="/agreements/${demo.agreementId}"`);
  });

  it('search inputs that are not valid are shown in the error summary, never a 500', async () => {
    const { agent } = await signInToPages(t, EMAIL.auditor, DEMO_PASSWORD);
    const bad = await agent.get('/audit/search').query({ searched: '1', practice: 'Z1', 'from[day]': '13', 'from[month]': '13', 'from[year]': '2026', status: 'DRAFT' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('<title>Error: Find executed agreements – PCN Agreements</title>');
    expect(bad.text).toContain('There is a problem');
    expect(bad.text).toContain('href="#practice"');
    expect(bad.text).toContain('Enter a GP practice ODS code: a letter and five digits, like A87001');
    expect(bad.text).toContain('href="#from-month"');
    expect(bad.text).toContain('Executed from must be a real date, like 1 4 2026');
    expect(bad.text).toContain('Choose executed, superseded or terminated');
    expect(bad.text).toContain('value="Z1"');
    expect(bad.text).not.toContain('agreements found');
  });

  it('the audit trail names people and organisations in words, in time order, and says the chain is intact', async () => {
    const { agent } = await signInToPages(t, EMAIL.auditor, DEMO_PASSWORD);
    const page = await agent.get(`/agreements/${demo.agreementId}/audit`);
    expect(page.status).toBe(200);
    const text = visibleText(page.text);
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_event WHERE agreement_id = $1`, [demo.agreementId]);
    expect(text).toContain(`The audit trail is intact: ${n} events, each linked to the one before`);
    expect(text).toContain(`${n} events`);
    expect(text).toContain('Sent for approval: revision 1');
    expect(text).toContain('Signed the agreement for Yarm Medical Practice as Partner');
    expect(text).toContain('Dr Thomas Whitfield');
    expect(text).toContain('Approved the annex ‘');
    expect(text).toContain('as Data Protection Officer');
    expect(text).toContain('The platform');
    expect(text).toMatch(/Executed: revision 1, approved by \d+ people/);
    expect(text).not.toMatch(UUID_IN_TEXT);
    expect(text).not.toMatch(/\b(SIGNED|APPROVED|SUBMITTED|EMAIL_SENT|PARTNER|DPO)\b/);
    // Sent before executed: the rows are in the order they happened.
    expect(text.indexOf('Sent for approval')).toBeLessThan(text.indexOf('Executed: revision 1'));
    expect(page.text).toContain(`href="/agreements/${demo.agreementId}/audit.csv"`);

    const csv = await agent.get(`/agreements/${demo.agreementId}/audit.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.text.trim().split('\n').length).toBeGreaterThanOrEqual(n + 1);
  });

  it('a trust DPO sees only the events of the annex their trust is party to, read-only', async () => {
    const { agent } = await signInToPages(t, EMAIL.trustDpo, DEMO_PASSWORD);
    const page = await agent.get(`/agreements/${demo.agreementId}/audit`);
    expect(page.status).toBe(200);
    const text = visibleText(page.text);
    expect(text).toContain('You are seeing the events about the annex your organisation is party to');
    expect(text).toContain('Sent for approval: revision 1');
    expect(text).toContain('Approved the annex ‘');
    expect(text).toContain('for Tees Valley Community Health NHS Trust as Data Protection Officer');
    expect(text).toMatch(/Executed: revision 1/);
    // Never the practices' signatures of the agreement itself, nor emails or downloads.
    expect(text).not.toContain('Signed the agreement for Yarm Medical Practice as Partner');
    expect(text).not.toContain('Signed the agreement');
    expect(text).not.toContain('Emailed');
    expect(text).not.toMatch(UUID_IN_TEXT);
    expect(page.text).not.toContain('audit.csv');
    expect(page.text).not.toContain('<form action="/agreements');
    expect((await agent.get(`/agreements/${demo.agreementId}/audit.csv`)).status).toBe(404);

    const annexes = await agent.get('/annexes');
    expect(annexes.status).toBe(200);
    const annexText = visibleText(annexes.text);
    expect(annexText).toContain('BYTES PCN (U70101)');
    expect(annexText).toContain('Executed');
    expect(annexText).toContain('Tees Valley Community Health NHS Trust (you are its Data Protection Officer)');
    const annexDoc = docs.find((d) => d.kind === 'ANNEX')!;
    expect(annexes.text).toContain(`href="/documents/${annexDoc.id}/download"`);
    expect(annexes.text).not.toContain(`href="/documents/${docs.find((d) => d.kind === 'AGREEMENT')!.id}/download"`);
    expect(annexes.text).toContain(`href="/agreements/${demo.agreementId}/audit"`);
    expect(annexText).not.toMatch(UUID_IN_TEXT);
  });

  it('a user of another PCN gets the 404 page for the audit trail, the CSV, the documents and the practice page', async () => {
    const { agent } = await signInToPages(t, outsider.email, outsider.password);
    for (const path of [`/agreements/${demo.agreementId}/audit`, `/agreements/${demo.agreementId}/audit.csv`, `/agreements/${demo.agreementId}/documents.zip`, `/documents/${docs[0].id}/download`, `/practices/${demo.practiceIds.yarm}`]) {
      const res = await agent.get(path);
      expect([path, res.status]).toEqual([path, 404]);
      expect(res.text).toContain('Page not found');
    }
    const annexes = await agent.get('/annexes');
    expect(annexes.status).toBe(200);
    expect(annexes.text).toContain('id="no-annexes"');
  });

  it('the sealed PDF downloads by session cookie with the seal intact; the ZIP holds every part and a manifest', async () => {
    const { agent } = await signInToPages(t, EMAIL.auditor, DEMO_PASSWORD);
    const agreementDoc = docs.find((d) => d.kind === 'AGREEMENT')!;
    const res = await agent.get(`/documents/${agreementDoc.id}/download`).buffer(true).parse(binary as never);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers.etag).toBe(`"${agreementDoc.sha256}"`);
    sealedPdf = res.body as Buffer;
    const file = writeTemp(dir, 'sealed.pdf', sealedPdf);
    expect(runTool('pdfsig', [file]).stdout).toContain('Signature is Valid.');

    const zip = await agent.get(`/agreements/${demo.agreementId}/documents.zip`).buffer(true).parse(binary as never);
    expect(zip.status).toBe(200);
    expect(zip.headers['content-type']).toBe('application/zip');
    expect(zip.headers['content-disposition']).toBe('attachment; filename="NA-U70101-2026-0001-sealed-documents.zip"');
    const zipFile = writeTemp(dir, 'docs.zip', zip.body as Buffer);
    const listing = runTool('unzip', ['-l', zipFile]).stdout;
    expect(listing).toContain('manifest.csv');
    for (const d of docs) expect(listing).toContain(`${d.reference}.pdf`);
  });

  it('the practice page shows where each partner’s signature stands and the practice’s people', async () => {
    const { agent } = await signInToPages(t, EMAIL.dpo, DEMO_PASSWORD);
    const page = await agent.get(`/practices/${demo.practiceIds.eaglescliffe}`);
    expect(page.status).toBe(200);
    const text = visibleText(page.text);
    expect(text).toContain('Eaglescliffe Medical Practice (A87002)');
    expect(text).toContain('Core member of BYTES PCN');
    expect(text).toMatch(/Dr Priya Raman The agreement Partner Approved on \d{1,2} [A-Z][a-z]+ \d{4}/);
    expect(text).toContain('Dr Owen Pritchard');
    expect(text).toContain('Fiona Gallagher');
    expect(text).toContain('Data Protection Officer');
    expect(text).not.toMatch(UUID_IN_TEXT);
  });

  describe('public verification', () => {
    async function upload(bytes: Buffer, name: string) {
      const agent = request.agent(t.app.getHttpServer());
      const form = await agent.get('/verify');
      expect(form.status).toBe(200);
      // A multipart form: the CSRF token travels in the action URL.
      const action = /<form action="(\/verify\?_csrf=[^"]+)" method="post" enctype="multipart\/form-data"/.exec(form.text);
      expect(action).not.toBeNull();
      return agent.post(action![1]).attach('file', bytes, name);
    }

    it('the sealed PDF is authentic: a green confirmation naming the document, part, PCN and date', async () => {
      const res = await upload(sealedPdf, 'agreement.pdf');
      expect(res.status).toBe(200);
      const text = visibleText(res.text);
      expect(res.text).toContain('nhsuk-panel');
      expect(text).toContain('This document is authentic');
      expect(text).toContain('The whole agreement, with every schedule and annex');
      expect(text).toContain('BYTES PCN (U70101)');
      expect(text).toContain('NA-U70101-2026-0001-r1');
      expect(text).toContain('Dr Margaret Lindqvist');
      expect(text).not.toMatch(UUID_IN_TEXT);
    });

    it('one byte flipped inside the seal’s range: "This file has been changed since it was sealed"', async () => {
      const byteRange = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(sealedPdf.toString('latin1'))!;
      const secondStart = Number(byteRange[3]);
      const tampered = Buffer.from(sealedPdf);
      const at = secondStart + Math.floor((sealedPdf.length - secondStart) / 3);
      tampered[at] = tampered[at] === 0x41 ? 0x42 : 0x41;
      const res = await upload(tampered, 'tampered.pdf');
      expect(res.status).toBe(200);
      expect(res.text).toContain('app-verdict-bad');
      expect(visibleText(res.text)).toContain('This file has been changed since it was sealed');
      expect(res.text).not.toContain('This document is authentic');
    });

    it('a text file is "not a PDF", a missing file and a file over the limit get their own messages', async () => {
      const text = await upload(Buffer.from('just some words, not a PDF'), 'notes.txt');
      expect(text.status).toBe(422);
      expect(text.text).toContain('There is a problem');
      expect(text.text).toContain('The file is not a PDF');
      expect(text.text).toContain('href="#file"');

      const big = await upload(Buffer.alloc(500_000, 0x25), 'big.pdf');
      expect(big.status).toBe(413);
      expect(big.text).toContain('The file is larger than 391 KB');

      const missing = await upload(Buffer.alloc(0), 'empty.pdf');
      expect(missing.status).toBe(422);
      expect(missing.text).toContain('Choose the PDF file you want to check');
    });

    it('a verify post without the CSRF token is refused with 403 and checks nothing', async () => {
      const [{ n: before }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_event WHERE type = 'DOCUMENT_VERIFIED'`);
      const res = await t.http.post('/verify').attach('file', sealedPdf, 'agreement.pdf');
      expect(res.status).toBe(403);
      expect(res.text).toContain('This form has expired');
      const [{ n: after }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_event WHERE type = 'DOCUMENT_VERIFIED'`);
      expect(after).toBe(before);
    });

    it('the code page says a part exists (type, PCN, date) and asks for the file; signed in with access it adds the record; unknown codes and references are 404 pages', async () => {
      const agreementDoc = docs.find((d) => d.kind === 'AGREEMENT')!;
      const [{ code }] = await t.dataSource.query(`SELECT verification_code AS code FROM sealed_document WHERE id = $1`, [agreementDoc.id]);
      const page = await t.http.get(`/verify/${code}`);
      expect(page.status).toBe(200);
      const text = visibleText(page.text);
      expect(text).toContain('A document with this code was sealed here');
      expect(text).toContain('A Network Agreement (the whole agreement)');
      expect(text).toContain('BYTES PCN (U70101)');
      expect(page.text).toContain('id="verify-form"');
      expect(text).not.toMatch(/authentic/i);
      expect(text).not.toContain('Dr Margaret Lindqvist');
      expect(text).not.toContain(agreementDoc.sha256);
      expect(text).not.toContain('NA-U70101-2026-0001-r1');

      const { agent } = await signInToPages(t, EMAIL.auditor, DEMO_PASSWORD);
      const signedIn = await agent.get(`/verify/${code}`);
      expect(signedIn.status).toBe(200);
      const signedInText = visibleText(signedIn.text);
      expect(signedInText).toContain('The sealed record');
      expect(signedInText).toContain('Dr Margaret Lindqvist');
      expect(signedInText).toContain(agreementDoc.sha256);
      expect(signedInText).not.toMatch(/authentic/i);

      for (const path of ['/verify/NA-U70101-2026-0001-r1', '/verify/aaaaaaaaaaaaaaaa']) {
        const missing = await t.http.get(path);
        expect(missing.status).toBe(404);
        expect(missing.text).toContain('No such document');
        expect(missing.text).toContain('id="verify-form"');
      }
    });
  });
});
