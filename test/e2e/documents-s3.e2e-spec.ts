import type { INestApplicationContext } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { renewTimestampsCommand } from '../../apps/cli/src/renew-timestamps';
import { createTestApp, TestApp } from '../support/test-app';
import { FAST_WORKFLOW_ENV, startTestWorker } from '../support/test-worker';
import { executeDemoAgreement } from '../support/executed-agreement';
import { startSmtpTestServer, SmtpTestServer } from '../support/smtp-test-server';
import { startS3TestServer, S3TestServer } from '../support/s3-test-server';
import { startTestTsa, TestTsa } from '../support/test-tsa';
import { EMAIL, loadBytes, tokenFor } from '../support/workflow-scenario';
import { runTool, tempDir, writeTemp } from '../../libs/documents/src/testing/pdf-tools';
import type { DemoData } from '../../apps/cli/src/seed/seed-demo';

interface Doc {
  id: string;
  reference: string;
  kind: 'AGREEMENT' | 'ANNEX';
  sha256: string;
}

/** binaryParser for supertest: keep PDF and ZIP bodies as Buffers. */
function binary(res: NodeJS.ReadableStream & { setEncoding(e: string): void }, done: (err: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * DOCUMENT_STORE=s3 through the real worker and HTTP API, against a real local S3 server
 * (s3rver): an executed agreement is sealed into the bucket, downloaded whole, ranged and zipped
 * over HTTP (pdfsig: valid), its timestamps renewed into the bucket, and a bucket that stops
 * answering is a 503 that says so.
 */
describe('sealed documents in an S3 bucket (worker, API, renewal, outage)', () => {
  let t: TestApp;
  let worker: INestApplicationContext;
  let smtp: SmtpTestServer;
  let s3: S3TestServer;
  let tsa: TestTsa;
  let client: S3Client;
  let demo: DemoData;
  let docs: Doc[];
  const PREFIX = 'e2e/';
  const dir = tempDir('pcn-e2e-s3-');
  const auth = async (email: string) => ({ Authorization: `Bearer ${await tokenFor(t.http, email)}` });
  const download = async (doc: Doc, headers: Record<string, string> = {}) =>
    t.http.get(`/api/v1/documents/${doc.id}/download`).set(await auth(EMAIL.cd)).set(headers).buffer(true).parse(binary as never);
  const objectBytes = async (key: string) => Buffer.from(await (await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }))).Body!.transformToByteArray());

  beforeAll(async () => {
    smtp = await startSmtpTestServer();
    s3 = await startS3TestServer();
    tsa = await startTestTsa();
    client = new S3Client({ ...s3.settings() });
    t = await createTestApp({ ...FAST_WORKFLOW_ENV, ...smtp.env(), ...s3.env(PREFIX), ...tsa.env });
    worker = await startTestWorker();
    demo = await loadBytes(t);
    expect(await executeDemoAgreement(t, demo.agreementId)).toBe(201);
    docs = (await t.http.get(`/api/v1/agreements/${demo.agreementId}/documents`).set(await auth(EMAIL.cd))).body;
  });

  afterAll(async () => {
    await worker?.close();
    await t?.close();
    client?.destroy();
    await s3?.close();
    await tsa?.close();
    await smtp?.close();
  });

  it('the worker stores each sealed part in the bucket under its SHA-256, and no bytes in PostgreSQL', async () => {
    expect(docs.map((d) => d.kind)).toEqual(['AGREEMENT', 'ANNEX']);
    expect(docs[0]).not.toHaveProperty('objectKey');
    const rows: { sha256: string; has_bytes: boolean; object_key: string }[] = await t.dataSource.query(
      `SELECT sha256, bytes IS NOT NULL AS has_bytes, object_key FROM sealed_document WHERE agreement_id = $1 ORDER BY reference`,
      [demo.agreementId],
    );
    expect(rows.map((r) => [r.has_bytes, r.object_key])).toEqual(docs.map((d) => [false, `${PREFIX}sealed/${d.sha256}.pdf`]));
    const listed = (await client.send(new ListObjectsV2Command({ Bucket: s3.bucket }))).Contents!.map((o) => o.Key).sort();
    expect(listed).toEqual(rows.map((r) => r.object_key).sort());
    for (const row of rows) expect(sha256(await objectBytes(row.object_key))).toBe(row.sha256);
  });

  it('serves the sealed PDF over HTTP from the bucket: pdfsig finds the seal valid; ranges and a ZIP work', async () => {
    const agreement = docs.find((d) => d.kind === 'AGREEMENT')!;
    const whole = await download(agreement);
    expect(whole.status).toBe(200);
    expect(whole.headers.etag).toBe(`"${sha256(whole.body as Buffer)}"`);
    expect(whole.headers.etag).toBe(`"${agreement.sha256}"`);
    const file = writeTemp(dir, 'agreement-from-s3.pdf', whole.body as Buffer);
    const sig = runTool('pdfsig', [file]).stdout;
    expect(sig).toContain('Signature is Valid.');
    expect(sig).toContain('Total document signed');

    const part = await download(agreement, { Range: 'bytes=0-99' });
    expect(part.status).toBe(206);
    expect((part.body as Buffer).equals((whole.body as Buffer).subarray(0, 100))).toBe(true);
    const tail = await download(agreement, { Range: 'bytes=-200' });
    expect(tail.status).toBe(206);
    expect((tail.body as Buffer).equals((whole.body as Buffer).subarray(-200))).toBe(true);

    const zip = await t.http.post('/api/v1/documents/zip').set(await auth(EMAIL.cd)).send({ documentIds: docs.map((d) => d.id) }).buffer(true).parse(binary as never);
    expect(zip.status).toBe(200);
    expect(zip.headers['content-type']).toBe('application/zip');
    const out = tempDir('pcn-e2e-s3-unzip-');
    runTool('unzip', ['-q', writeTemp(dir, 'parts.zip', zip.body as Buffer), '-d', out]);
    const manifest = readFileSync(`${out}/manifest.csv`, 'utf8');
    for (const doc of docs) {
      expect(manifest).toContain(doc.sha256);
      expect(sha256(readFileSync(`${out}/${doc.reference}.pdf`))).toBe(doc.sha256);
    }
  });

  it('documents:renew-timestamps reads each part from the bucket and stores the renewed version there', async () => {
    const realNow = Date.now.bind(Date);
    // Two days on: every part's timestamp is then older than DOCUMENT_TIMESTAMP_RENEW_AFTER_DAYS=1.
    const later = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 2 * 86_400_000);
    process.env.DOCUMENT_TIMESTAMP_RENEW_AFTER_DAYS = '1';
    const lines: string[] = [];
    try {
      expect(await renewTimestampsCommand(t.db.url, (line) => lines.push(line))).toBe(2);
    } finally {
      later.mockRestore();
      delete process.env.DOCUMENT_TIMESTAMP_RENEW_AFTER_DAYS;
    }
    const versions: { sha256: string; has_bytes: boolean; object_key: string }[] = await t.dataSource.query(
      `SELECT v.sha256, v.bytes IS NOT NULL AS has_bytes, v.object_key FROM sealed_document_version v JOIN sealed_document d ON d.id = v.document_id WHERE d.agreement_id = $1 ORDER BY d.reference`,
      [demo.agreementId],
    );
    expect(versions.map((v) => [v.has_bytes, v.object_key])).toEqual(versions.map((v) => [false, `${PREFIX}sealed/${v.sha256}.pdf`]));
    const renewed = await objectBytes(versions[0].object_key);
    expect(sha256(renewed)).toBe(versions[0].sha256);
    const original = (await download(docs[0])).body as Buffer;
    // The renewal appends to the sealed file: the original is its unchanged beginning.
    expect(renewed.subarray(0, original.length).equals(original)).toBe(true);
    expect(runTool('pdfsig', [writeTemp(dir, 'renewed.pdf', renewed)]).stdout).toContain('Signature is Valid.');
  });

  it('answers 503 with Retry-After and a sentence naming the document store while the bucket does not answer, then serves again', async () => {
    const agreement = docs.find((d) => d.kind === 'AGREEMENT')!;
    await s3.stop();
    try {
      const down = await download(agreement);
      expect(down.status).toBe(503);
      expect(down.headers['retry-after']).toBe('30');
      expect(JSON.parse((down.body as Buffer).toString())).toEqual(
        expect.objectContaining({
          code: 'DOCUMENT_STORE_UNAVAILABLE',
          message: 'Sealed documents cannot be fetched at the moment: the document store is not answering. Nothing was changed. Try again in a few minutes.',
        }),
      );
      // Metadata stays available: the list comes from PostgreSQL alone.
      expect((await t.http.get(`/api/v1/agreements/${demo.agreementId}/documents`).set(await auth(EMAIL.cd))).status).toBe(200);
    } finally {
      await s3.start();
    }
    const again = await download(agreement);
    expect(again.status).toBe(200);
    expect(sha256(again.body as Buffer)).toBe(agreement.sha256);
  });
});
