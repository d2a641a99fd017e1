import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DataSource } from 'typeorm';
import { retryAfterOf, toErrorResponse } from '@pcn/common';
import { createTestDatabase, TestDatabase } from '../../../../../test/support/test-database';
import { startS3TestServer, S3TestServer } from '../../../../../test/support/s3-test-server';
import { dataSourceOptions } from '../../../../database/src/data-source-options';
import { SealedDocumentVersionEntity } from '../../seal/sealed-document-version.entity';
import { ByteaDocumentStore } from '../document-store';
import { DocumentStoreErrorCode, DocumentStoreUnavailableException, StoredFileDamagedException } from '../document-store-errors';
import { S3DocumentStore } from '../s3-document-store';
import { DocumentKind, SealedDocumentEntity } from '../sealed-document.entity';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A sealed part as the generator hands it to the store: a PDF-shaped file of ~200 KB, its hash and metadata. */
function part(executionId: string, index: number, bytes = Buffer.concat([Buffer.from(`%PDF-1.7\n% part ${index}\n`), randomBytes(200_000), Buffer.from('\n%%EOF\n')])): SealedDocumentEntity {
  const reference = `NA-TEST-${executionId.slice(0, 8)}-r1${index === 0 ? '' : `-A${index}`}`;
  return Object.assign(new SealedDocumentEntity(), {
    reference,
    verificationCode: randomBytes(8).toString('hex').toUpperCase(),
    signedRevisionSha256: null,
    agreementId: randomUUID(),
    executionId,
    revisionId: randomUUID(),
    kind: index === 0 ? DocumentKind.Agreement : DocumentKind.Annex,
    part: index === 0 ? 'agreement' : `annex-${index}`,
    annexId: null,
    title: `Test part ${index}`,
    partyOrganisationIds: [],
    fileName: `${reference}.pdf`,
    sha256: sha256(bytes),
    sizeBytes: bytes.length,
    contentHash: 'c'.repeat(64),
    sealCertificateFingerprint: 'f'.repeat(64),
    sealCertificateSubject: 'CN=Test seal',
    sealedAt: new Date('2026-04-01T09:00:00Z'),
    signatories: [],
    bytes,
  });
}

/**
 * S3DocumentStore against a real S3 server (s3rver, which checks every request's signature)
 * and the real PostgreSQL schema: rows, CHECK and immutability triggers as migrated.
 */
describe('S3DocumentStore (s3rver + PostgreSQL)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let s3: S3TestServer;
  let store: S3DocumentStore;
  let client: S3Client;
  const PREFIX = 'pcn-test/';
  const execution = randomUUID();
  const parts = [0, 1, 2].map((i) => part(execution, i));

  const rowsOf = (executionId: string): Promise<{ id: string; part: string; sha256: string; has_bytes: boolean; object_key: string | null }[]> =>
    ds.query(`SELECT id, part, sha256, bytes IS NOT NULL AS has_bytes, object_key FROM sealed_document WHERE execution_id = $1 ORDER BY reference`, [executionId]);
  const objectKeys = async () => ((await client.send(new ListObjectsV2Command({ Bucket: s3.bucket }))).Contents ?? []).map((o) => o.Key!).sort();
  const objectBytes = async (key: string) => Buffer.from(await (await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }))).Body!.transformToByteArray());

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await new DataSource(dataSourceOptions(db.url, [SealedDocumentEntity, SealedDocumentVersionEntity], 4)).initialize();
    s3 = await startS3TestServer();
    store = new S3DocumentStore(s3.settings(PREFIX), ds);
    client = new S3Client({ ...s3.settings(), forcePathStyle: true });
  });

  afterAll(async () => {
    store?.close();
    client?.destroy();
    await s3?.close();
    await ds?.destroy();
    await db?.drop();
  });

  it('uploads each part to <prefix>sealed/<sha256>.pdf before inserting its row, which keeps no bytes', async () => {
    await ds.transaction((em) => store.put(em, parts));
    const rows = await rowsOf(execution);
    expect(rows.map((r) => [r.part, r.has_bytes, r.object_key])).toEqual(parts.map((p) => [p.part, false, `${PREFIX}sealed/${p.sha256}.pdf`]));
    expect(await objectKeys()).toEqual(parts.map((p) => `${PREFIX}sealed/${p.sha256}.pdf`).sort());
    // The object is exactly the sealed file: its SHA-256 is the row's.
    for (const row of rows) expect(sha256(await objectBytes(row.object_key!))).toBe(row.sha256);
  });

  it('reads a part whole, a range (inclusive offsets, by the S3 Range header), or several at once', async () => {
    const rows = await rowsOf(execution);
    const [first, second] = [rows[0], rows[1]];
    expect((await store.get(first.id))!.equals(parts[0].bytes!)).toBe(true);
    expect((await store.get(first.id, { start: 0, end: 8 }))!.toString()).toBe('%PDF-1.7\n');
    expect((await store.get(second.id, { start: 1000, end: 100_999 }))!.equals(parts[1].bytes!.subarray(1000, 101_000))).toBe(true);
    const many = await store.getMany([...rows.map((r) => r.id), randomUUID()]);
    expect([...many.keys()].sort()).toEqual(rows.map((r) => r.id).sort());
    for (const [i, row] of rows.entries()) expect(many.get(row.id)!.equals(parts[i].bytes!)).toBe(true);
    expect(await store.get(randomUUID())).toBeNull();
    expect((await store.getMany([])).size).toBe(0);
  });

  it('stores the same parts once: one row and one object each, however often and however concurrently put', async () => {
    await ds.transaction((em) => store.put(em, parts));
    const again = [0, 1].map((i) => part(randomUUID(), i));
    const sameExecution = again.map((p) => Object.assign(new SealedDocumentEntity(), p, { executionId: again[0].executionId }));
    await Promise.all([ds.transaction((em) => store.put(em, sameExecution)), ds.transaction((em) => store.put(em, sameExecution))]);
    expect(await rowsOf(execution)).toHaveLength(3);
    expect(await rowsOf(sameExecution[0].executionId)).toHaveLength(2);
    expect(await objectKeys()).toHaveLength(5);
  });

  it('leaves no row when the transaction rolls back after the upload (the object stays, named by no row, harmless)', async () => {
    const lost = part(randomUUID(), 0);
    const error = await ds
      .transaction(async (em) => {
        await store.put(em, [lost]);
        throw new Error('the job failed after storing');
      })
      .catch((e: Error) => e);
    expect(error.message).toBe('the job failed after storing');
    expect(await rowsOf(lost.executionId)).toEqual([]);
    expect(await objectKeys()).toContain(`${PREFIX}sealed/${lost.sha256}.pdf`);
    // Stored again (the job's retry): the same key, now with its row.
    await ds.transaction((em) => store.put(em, [lost]));
    expect((await rowsOf(lost.executionId)).map((r) => r.object_key)).toEqual([`${PREFIX}sealed/${lost.sha256}.pdf`]);
  });

  it('still reads parts written by the bytea store (an installation that switched), whole, ranged, many, streamed', async () => {
    const old = part(randomUUID(), 0);
    await ds.transaction((em) => new ByteaDocumentStore(ds).put(em, [old]));
    const [row] = await rowsOf(old.executionId);
    expect([row.has_bytes, row.object_key]).toEqual([true, null]);
    expect((await store.get(row.id))!.equals(old.bytes!)).toBe(true);
    expect((await store.get(row.id, { start: 0, end: 8 }))!.toString()).toBe('%PDF-1.7\n');
    expect((await store.getMany([row.id])).get(row.id)!.equals(old.bytes!)).toBe(true);
  });

  it('switched back to bytea, a part in the bucket is a clear 500 naming the cause, never "not found" or an empty file', async () => {
    const bytea = new ByteaDocumentStore(ds);
    const [row] = await rowsOf(execution);
    for (const read of [() => bytea.get(row.id), () => bytea.get(row.id, { start: 0, end: 9 }), () => bytea.getMany([row.id])]) {
      await expect(read()).rejects.toMatchObject({ code: DocumentStoreErrorCode.FileInBucket, status: 500, objectKey: row.object_key });
    }
  });

  it('keeps every row to exactly one of bytes and object key, and every row immutable', async () => {
    const [row] = await rowsOf(execution);
    const insert = (bytes: Buffer | null, key: string | null) =>
      ds.query(
        `INSERT INTO sealed_document (reference, verification_code, agreement_id, execution_id, revision_id, kind, part, title, file_name, sha256, size_bytes, content_hash, seal_certificate_fingerprint, seal_certificate_subject, sealed_at, signatories, bytes, object_key)
         VALUES ($1, $2, gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 'AGREEMENT', 'agreement', 't', 'f.pdf', $3, 1, $3, $3, 'CN=x', now(), '[]', $4, $5)`,
        [`NA-CHECK-${randomBytes(3).toString('hex')}`, randomBytes(8).toString('hex'), 'a'.repeat(64), bytes, key],
      );
    await expect(insert(null, null)).rejects.toThrow(/sealed_document_bytes_or_object_key/);
    await expect(insert(Buffer.from('x'), 'k')).rejects.toThrow(/sealed_document_bytes_or_object_key/);
    await expect(ds.query(`UPDATE sealed_document SET object_key = 'elsewhere' WHERE id = $1`, [row.id])).rejects.toThrow(/immutable/);
    await expect(ds.query(`DELETE FROM sealed_document WHERE id = $1`, [row.id])).rejects.toThrow(/immutable/);
  });

  it('stores and reads later versions (renewed timestamps) the same way, and reads bytea versions', async () => {
    const [row] = await rowsOf(execution);
    const renewed = Buffer.concat([parts[0].bytes!, Buffer.from('\n% renewed timestamp\n%%EOF\n')]);
    const version = Object.assign(new SealedDocumentVersionEntity(), { documentId: row.id, version: 2, sha256: sha256(renewed), sizeBytes: renewed.length, timestampedAt: new Date(), bytes: renewed });
    await ds.transaction((em) => store.putVersion(em, version));
    const [stored] = await ds.query(`SELECT id, bytes IS NOT NULL AS has_bytes, object_key FROM sealed_document_version WHERE document_id = $1`, [row.id]);
    expect([stored.has_bytes, stored.object_key]).toEqual([false, `${PREFIX}sealed/${sha256(renewed)}.pdf`]);
    expect((await store.getVersion(stored.id))!.equals(renewed)).toBe(true);
    expect(await store.getVersion(randomUUID())).toBeNull();

    const older = Buffer.concat([renewed, Buffer.from('% v3\n')]);
    await ds.transaction((em) => new ByteaDocumentStore(ds).putVersion(em, Object.assign(new SealedDocumentVersionEntity(), version, { version: 3, sha256: sha256(older), sizeBytes: older.length, bytes: older })));
    const [bytea] = await ds.query(`SELECT id FROM sealed_document_version WHERE document_id = $1 AND version = 3`, [row.id]);
    expect((await store.getVersion(bytea.id))!.equals(older)).toBe(true);
  });

  it('refuses to store a part whose recorded SHA-256 is not that of its bytes', async () => {
    const wrong = Object.assign(part(randomUUID(), 0), { sha256: 'e'.repeat(64) });
    await expect(ds.transaction((em) => store.put(em, [wrong]))).rejects.toThrow(/recorded SHA-256 \(e{64}\) is not that of its bytes/);
    expect(await rowsOf(wrong.executionId)).toEqual([]);
  });

  it('never serves an object that was changed or removed in the bucket (500, the record is damaged)', async () => {
    const victim = part(randomUUID(), 0);
    await ds.transaction((em) => store.put(em, [victim]));
    const [row] = await rowsOf(victim.executionId);
    const altered = Buffer.from(victim.bytes!);
    altered[5000] ^= 0xff;
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: row.object_key!, Body: altered }));
    const changed = await store.get(row.id).catch((e: unknown) => e);
    expect(changed).toBeInstanceOf(StoredFileDamagedException);
    expect(changed).toMatchObject({ code: DocumentStoreErrorCode.FileAltered, status: 500 });
    await client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: row.object_key! }));
    const gone = await store.get(row.id).catch((e: unknown) => e);
    expect(gone).toMatchObject({ code: DocumentStoreErrorCode.FileMissing, status: 500, objectKey: row.object_key });
    expect(toErrorResponse(gone, 'c')).toMatchObject({ status: 500, code: 'DOCUMENT_FILE_MISSING', message: expect.stringMatching(/^The file of this sealed document is missing from the document store\./) });
  });

  it('a wrong endpoint that answers 404 to everything (not S3 speaking) is "unavailable", not "file missing"', async () => {
    const notS3 = createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((resolve) => notS3.listen(0, '127.0.0.1', resolve));
    const wrong = new S3DocumentStore({ ...s3.settings(PREFIX), endpoint: `http://127.0.0.1:${(notS3.address() as AddressInfo).port}` }, ds);
    try {
      const [row] = await rowsOf(execution);
      await expect(wrong.get(row.id)).rejects.toMatchObject({ code: DocumentStoreErrorCode.Unavailable, status: 503 });
      const unstored = part(randomUUID(), 0);
      await expect(ds.transaction((em) => wrong.put(em, [unstored]))).rejects.toMatchObject({ code: DocumentStoreErrorCode.Unavailable, status: 503 });
      expect(await rowsOf(unstored.executionId)).toEqual([]);
    } finally {
      wrong.close();
      await new Promise((resolve) => notS3.close(resolve));
    }
  });

  it('when S3 does not answer: a 503 that says so, within seconds; bytea rows still read; nothing stored', async () => {
    const [row] = await rowsOf(execution);
    const old = part(randomUUID(), 0);
    await ds.transaction((em) => new ByteaDocumentStore(ds).put(em, [old]));
    await s3.stop();
    try {
      const started = Date.now();
      const refused = await store.get(row.id).catch((e: unknown) => e);
      const readMs = Date.now() - started;
      expect(refused).toBeInstanceOf(DocumentStoreUnavailableException);
      expect((refused as DocumentStoreUnavailableException).storeError).toMatch(/ECONNREFUSED/);
      // What the API answers (HttpErrorFilter): 503 with Retry-After, naming the document store, not the database.
      expect(toErrorResponse(refused, 'c')).toEqual({
        status: 503,
        code: 'DOCUMENT_STORE_UNAVAILABLE',
        message: 'Sealed documents cannot be fetched at the moment: the document store is not answering. Nothing was changed. Try again in a few minutes.',
        correlationId: 'c',
      });
      expect(retryAfterOf(refused)).toBe(30);
      expect(readMs).toBeLessThan(10_000);
      await expect(store.getMany([row.id])).rejects.toBeInstanceOf(DocumentStoreUnavailableException);

      const [oldRow] = await rowsOf(old.executionId);
      expect((await store.get(oldRow.id))!.equals(old.bytes!)).toBe(true);

      const unstored = part(randomUUID(), 0);
      const writeError = await ds.transaction((em) => store.put(em, [unstored])).catch((e: unknown) => e);
      expect(writeError).toMatchObject({ code: 'DOCUMENT_STORE_UNAVAILABLE', status: 503 });
      expect((writeError as Error).message).toMatch(/^Sealed documents cannot be stored at the moment/);
      expect(await rowsOf(unstored.executionId)).toEqual([]);
      console.log(`S3 refused: a read failed after ${readMs} ms`);
    } finally {
      await s3.start();
    }
    // Back: the same object is served again.
    expect((await store.get(row.id))!.equals(parts[0].bytes!)).toBe(true);
  });
});
