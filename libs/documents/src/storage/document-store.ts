import { DataSource, EntityManager } from 'typeorm';
import { documentsConfig, DocumentsConfig } from '../documents.config';
import { SealedDocumentVersionEntity } from '../seal/sealed-document-version.entity';
import { SealedDocumentEntity } from './sealed-document.entity';
import { DocumentStoreErrorCode, StoredFileDamagedException } from './document-store-errors';

/** Nest token of the configured store (`DOCUMENT_STORE`). */
export const DOCUMENT_STORE = Symbol('DocumentStore');

/** The stores there are: PostgreSQL (`bytea`) and an S3-compatible bucket (`s3`). */
export const DOCUMENT_STORE_KINDS = ['bytea', 's3'] as const;
export type DocumentStoreKind = (typeof DOCUMENT_STORE_KINDS)[number];

/** Inclusive byte offsets, as HTTP ranges give them. */
export interface StoredByteRange {
  start: number;
  end: number;
}

/**
 * Where the bytes of sealed parts live. Their metadata, hash and signers always stay in the
 * `sealed_document` row; a store keeps the bytes by document id. Parts are written once and
 * never changed (the database refuses to update or delete a row).
 */
export interface DocumentStore {
  readonly kind: DocumentStoreKind;
  /**
   * Stores new parts (row and bytes) in the caller's transaction. A part already stored for the
   * same execution and part is left as it is, so a job that runs twice stores one set.
   */
  put(em: EntityManager, documents: SealedDocumentEntity[]): Promise<void>;
  /** A part's bytes, or just the range asked for; null when there is no such document. */
  get(documentId: string, range?: StoredByteRange): Promise<Buffer | null>;
  /** Several parts' bytes by id (ids with no document are absent from the map). */
  getMany(documentIds: string[]): Promise<Map<string, Buffer>>;
  /** Stores a later version of a part (a renewed timestamp, `documents:renew-timestamps`), row and bytes, in the caller's transaction. */
  putVersion(em: EntityManager, version: SealedDocumentVersionEntity): Promise<void>;
  /** A stored version's bytes; null when there is no such version. */
  getVersion(versionId: string): Promise<Buffer | null>;
  /** Releases what the store holds of its own (the bucket client's sockets); the data source is the caller's. */
  close(): void;
}

interface RowFile {
  bytes: Buffer | null;
  object_key?: string | null;
}

/** The row's own bytes; a row whose file is in the bucket cannot be served without the s3 store (after switching back to bytea). */
function bytesInRow(row: RowFile): Buffer {
  if (row.bytes) return row.bytes;
  throw new StoredFileDamagedException(DocumentStoreErrorCode.FileInBucket, row.object_key ?? '');
}

/**
 * Bytes in PostgreSQL, in `sealed_document.bytes` next to their row: a database backup is a
 * backup of the legal record. A range is sliced by PostgreSQL; `stream` hands out the value
 * read in one piece (the pg protocol returns a bytea whole, at most a few MB per part).
 */
export class ByteaDocumentStore implements DocumentStore {
  readonly kind = 'bytea' as const;

  constructor(private readonly dataSource: DataSource) {}

  async put(em: EntityManager, documents: SealedDocumentEntity[]): Promise<void> {
    if (documents.length === 0) return;
    await em.createQueryBuilder().insert().into(SealedDocumentEntity).values(documents).orIgnore().execute();
  }

  async get(documentId: string, range?: StoredByteRange): Promise<Buffer | null> {
    const [row] = range
      ? await this.dataSource.query(`SELECT substring(bytes FROM $2::int FOR $3::int) AS bytes, object_key FROM sealed_document WHERE id = $1`, [documentId, range.start + 1, range.end - range.start + 1])
      : await this.dataSource.query(`SELECT bytes, object_key FROM sealed_document WHERE id = $1`, [documentId]);
    return row ? bytesInRow(row) : null;
  }

  async getMany(documentIds: string[]): Promise<Map<string, Buffer>> {
    if (documentIds.length === 0) return new Map();
    const rows: ({ id: string } & RowFile)[] = await this.dataSource.query(`SELECT id, bytes, object_key FROM sealed_document WHERE id = ANY($1::uuid[])`, [documentIds]);
    return new Map(rows.map((r) => [r.id, bytesInRow(r)]));
  }

  async putVersion(em: EntityManager, version: SealedDocumentVersionEntity): Promise<void> {
    await em.getRepository(SealedDocumentVersionEntity).insert(version);
  }

  async getVersion(versionId: string): Promise<Buffer | null> {
    const [row] = await this.dataSource.query(`SELECT bytes, object_key FROM sealed_document_version WHERE id = $1`, [versionId]);
    return row ? bytesInRow(row) : null;
  }

  close(): void {}
}

/**
 * The store `DOCUMENT_STORE` names (validated at start-up, see DocumentsEnv). The S3 client is
 * loaded only for `s3`: requiring the AWS SDK costs every process about 0.2 s at start.
 */
export async function createDocumentStore(config: DocumentsConfig, dataSource: DataSource): Promise<DocumentStore> {
  switch (config.DOCUMENT_STORE as DocumentStoreKind) {
    case 'bytea':
      return new ByteaDocumentStore(dataSource);
    case 's3': {
      const { S3DocumentStore, s3SettingsFromConfig } = await import('./s3-document-store');
      return new S3DocumentStore(s3SettingsFromConfig(config), dataSource);
    }
  }
  throw new Error(`Unknown DOCUMENT_STORE ${config.DOCUMENT_STORE}`);
}

/** Provides DOCUMENT_STORE from the documents configuration, for the API and the worker. */
export const documentStoreProvider = {
  provide: DOCUMENT_STORE,
  inject: [documentsConfig.KEY, DataSource],
  useFactory: (config: DocumentsConfig, dataSource: DataSource): Promise<DocumentStore> => createDocumentStore(config, dataSource),
};
