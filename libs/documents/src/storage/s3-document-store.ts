import { createHash } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DataSource, EntityManager } from 'typeorm';
import type { DocumentsConfig } from '../documents.config';
import { SealedDocumentVersionEntity } from '../seal/sealed-document-version.entity';
import type { DocumentStore, StoredByteRange } from './document-store';
import { DocumentStoreErrorCode, DocumentStoreUnavailableException, StoredFileDamagedException } from './document-store-errors';
import { SealedDocumentEntity } from './sealed-document.entity';

export interface S3StoreSettings {
  /** Unset for AWS itself (the region decides the endpoint). */
  endpoint?: string;
  region: string;
  bucket: string;
  /** Unset: the AWS SDK's default chain (AWS_* variables, an instance or task role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  forcePathStyle: boolean;
  /** Before every key: '' or folder names ending in '/'. */
  prefix: string;
  /** How long to wait for a connection (ms): short, so an unreachable store is a 503 in seconds. */
  connectionTimeoutMs?: number;
  /** Attempts per request, the first included (the SDK backs off between them). */
  maxAttempts?: number;
}

/** The validated S3_* settings (DocumentsEnv) as the store takes them. */
export function s3SettingsFromConfig(config: DocumentsConfig): S3StoreSettings {
  return {
    endpoint: config.S3_ENDPOINT || undefined,
    region: config.S3_REGION,
    bucket: config.S3_BUCKET,
    credentials: config.S3_ACCESS_KEY_ID ? { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY } : undefined,
    forcePathStyle: config.S3_FORCE_PATH_STYLE === 'true',
    prefix: config.S3_PREFIX,
  };
}

/** Requests in flight at once for several parts (a ZIP, an execution's parts): hides latency without flooding the store or memory. */
const CONCURRENT_REQUESTS = 4;

/** The tables whose rows hold a sealed file: by bytes, or by the key of an object in the bucket. */
type FileTable = 'sealed_document' | 'sealed_document_version';
interface FileRow {
  id: string;
  sha256: string;
  bytes: Buffer | null;
  object_key: string | null;
}

/** `fn` over every item, at most `limit` at a time; results in the items' order. */
async function mapBounded<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

const errorName = (error: unknown) => (error as { name?: string } | null)?.name ?? '';
/**
 * S3 says there is no such object: GET answers NoSuchKey (an XML body), HEAD a bodiless 404
 * (NotFound). A bodiless 404 to a GET is not S3 speaking (a wrong endpoint, a proxy): unavailable,
 * as is NoSuchBucket (configuration).
 */
const isMissingObject = (error: unknown, request: 'GET' | 'HEAD') => errorName(error) === 'NoSuchKey' || (request === 'HEAD' && errorName(error) === 'NotFound');

/**
 * Bytes of sealed parts in an S3-compatible bucket; their rows (metadata, SHA-256, signers)
 * stay in PostgreSQL with `bytes` NULL and `object_key` naming the object.
 *
 * Objects are content-addressed, `<prefix>sealed/<sha256>.pdf`, the row's SHA-256 of the
 * sealed file: the same file always has the same key, so uploading it twice stores one object,
 * and the key itself says what the object must hash to. `put` uploads every object BEFORE the
 * rows are inserted in the caller's transaction, so a committed row always has its object. A
 * transaction that rolls back after the upload leaves an object no row names: harmless (the
 * same file uploaded again lands on the same key), and never served (reads start from a row).
 *
 * Rows written by the bytea store keep their bytes and are read from PostgreSQL, so an
 * installation can switch to s3 without moving old files (docs/deployment.md).
 */
export class S3DocumentStore implements DocumentStore {
  readonly kind = 's3' as const;
  private readonly client: S3Client;

  constructor(
    private readonly settings: S3StoreSettings,
    private readonly dataSource: DataSource,
  ) {
    this.client = new S3Client({
      endpoint: settings.endpoint,
      region: settings.region,
      forcePathStyle: settings.forcePathStyle,
      credentials: settings.credentials,
      maxAttempts: settings.maxAttempts ?? 3,
      requestHandler: { connectionTimeout: settings.connectionTimeoutMs ?? 3000, requestTimeout: 60_000 },
    });
  }

  /** Where the sealed file with this SHA-256 (hex) is kept. */
  objectKey(sha256: string): string {
    return `${this.settings.prefix}sealed/${sha256}.pdf`;
  }

  async put(em: EntityManager, documents: SealedDocumentEntity[]): Promise<void> {
    if (documents.length === 0) return;
    // Parts already stored (the job ran before) keep their row and object: nothing to upload.
    const stored: { execution_id: string; kind: string; part: string }[] = await em.query(
      `SELECT execution_id, kind, part FROM sealed_document WHERE execution_id = ANY($1::uuid[])`,
      [[...new Set(documents.map((d) => d.executionId))]],
    );
    const storedParts = new Set(stored.map((r) => `${r.execution_id}/${r.kind}/${r.part}`));
    const fresh = documents.filter((d) => !storedParts.has(`${d.executionId}/${d.kind}/${d.part}`));
    const rows = await mapBounded(fresh, CONCURRENT_REQUESTS, async (doc) =>
      Object.assign(new SealedDocumentEntity(), doc, { bytes: null, objectKey: await this.upload(doc.bytes, doc.sha256) }),
    );
    // A concurrent run may have inserted the same parts since: ignored, as the bytea store does.
    if (rows.length > 0) await em.createQueryBuilder().insert().into(SealedDocumentEntity).values(rows).orIgnore().execute();
  }

  async get(documentId: string, range?: StoredByteRange): Promise<Buffer | null> {
    const row = await this.fileRow('sealed_document', documentId, range);
    return row ? this.bytesOf(row, range) : null;
  }

  async getMany(documentIds: string[]): Promise<Map<string, Buffer>> {
    if (documentIds.length === 0) return new Map();
    const rows: FileRow[] = await this.dataSource.query(`SELECT id, sha256, bytes, object_key FROM sealed_document WHERE id = ANY($1::uuid[])`, [documentIds]);
    const bytes = await mapBounded(rows, CONCURRENT_REQUESTS, (row) => this.bytesOf(row));
    return new Map(rows.map((row, i) => [row.id, bytes[i]]));
  }

  async putVersion(em: EntityManager, version: SealedDocumentVersionEntity): Promise<void> {
    const objectKey = await this.upload(version.bytes, version.sha256);
    await em.getRepository(SealedDocumentVersionEntity).insert(Object.assign(new SealedDocumentVersionEntity(), version, { bytes: null, objectKey }));
  }

  async getVersion(versionId: string): Promise<Buffer | null> {
    const row = await this.fileRow('sealed_document_version', versionId);
    return row ? this.bytesOf(row) : null;
  }

  close(): void {
    this.client.destroy();
  }

  /** Nest calls this when the API or worker shuts down. */
  onModuleDestroy(): void {
    this.close();
  }

  /** The row's bytes when it has them (bytea, sliced by PostgreSQL for a range), else its object key. */
  private async fileRow(table: FileTable, id: string, range?: StoredByteRange): Promise<FileRow | null> {
    const [row] = range
      ? await this.dataSource.query(`SELECT id, sha256, substring(bytes FROM $2::int FOR $3::int) AS bytes, object_key FROM ${table} WHERE id = $1`, [id, range.start + 1, range.end - range.start + 1])
      : await this.dataSource.query(`SELECT id, sha256, bytes, object_key FROM ${table} WHERE id = $1`, [id]);
    return (row as FileRow | undefined) ?? null;
  }

  /**
   * The row's file (or range): from the row when it holds it, else from its object. A whole
   * file is checked against the row's SHA-256 before anyone gets it; a range cannot be.
   */
  private async bytesOf(row: FileRow, range?: StoredByteRange): Promise<Buffer> {
    if (row.bytes) return row.bytes;
    const key = row.object_key!;
    const bytes = await this.call('read', async () => Buffer.from(await (await this.getObject(key, range)).Body!.transformToByteArray()));
    if (!range && createHash('sha256').update(bytes).digest('hex') !== row.sha256) throw new StoredFileDamagedException(DocumentStoreErrorCode.FileAltered, key);
    return bytes;
  }

  private async getObject(key: string, range?: StoredByteRange) {
    try {
      return await this.client.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end}` : undefined }));
    } catch (error) {
      if (isMissingObject(error, 'GET')) throw new StoredFileDamagedException(DocumentStoreErrorCode.FileMissing, key);
      throw new DocumentStoreUnavailableException('read', error);
    }
  }

  /**
   * Uploads a sealed file unless its object is there already; returns the key. The bucket is
   * sent the SHA-256 too: AWS refuses an upload whose bytes arrive different.
   */
  private async upload(bytes: Buffer | null, sha256: string): Promise<string> {
    if (!bytes) throw new Error('A sealed file to store has no bytes');
    const digest = createHash('sha256').update(bytes).digest();
    if (digest.toString('hex') !== sha256) throw new Error(`A sealed file's recorded SHA-256 (${sha256}) is not that of its bytes (${digest.toString('hex')})`);
    const key = this.objectKey(sha256);
    await this.call('write', async () => {
      if (await this.exists(key)) return;
      await this.client.send(
        new PutObjectCommand({ Bucket: this.settings.bucket, Key: key, Body: bytes, ContentLength: bytes.length, ContentType: 'application/pdf', ChecksumSHA256: digest.toString('base64') }),
      );
    });
    return key;
  }

  private async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key: key }));
      return true;
    } catch (error) {
      if (isMissingObject(error, 'HEAD')) return false;
      throw error;
    }
  }

  /** Runs a request; anything the store does wrong but "not found" (handled inside) means the store is unavailable. */
  private async call<T>(during: 'read' | 'write', request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (error instanceof StoredFileDamagedException || error instanceof DocumentStoreUnavailableException) throw error;
      throw new DocumentStoreUnavailableException(during, error);
    }
  }
}
