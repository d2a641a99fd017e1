import { DomainException, SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS } from '@pcn/common';

export enum DocumentStoreErrorCode {
  /** The bucket did not answer, or refused us (network, credentials, no such bucket): an outage, 503. */
  Unavailable = 'DOCUMENT_STORE_UNAVAILABLE',
  /** A row names an object the bucket does not have: the record is damaged, 500. */
  FileMissing = 'DOCUMENT_FILE_MISSING',
  /** The object's bytes are not the ones whose SHA-256 the row recorded: the record is damaged, 500. */
  FileAltered = 'DOCUMENT_FILE_ALTERED',
  /** The row's file is in the bucket but this process runs DOCUMENT_STORE=bytea (switched back): a configuration fault, 500. */
  FileInBucket = 'DOCUMENT_FILE_IN_BUCKET',
}

/** What the S3 client said, on one line for the log: name, HTTP status, network code, message. */
export function describeStoreError(error: unknown): string {
  const e = (error ?? {}) as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number }; errors?: unknown[] };
  const inner = Array.isArray(e.errors) && e.errors.length > 0 ? ` (${e.errors.map(describeStoreError).join('; ')})` : '';
  return [e.name, e.$metadata?.httpStatusCode, e.code, e.message].filter((part) => part !== undefined && part !== '').join(' ') + inner;
}

/**
 * The S3-compatible store cannot be reached or refuses us. The API answers 503 with Retry-After
 * (the same as a database outage, but saying which service is missing); the worker's job fails
 * and is retried. What the store said is kept in `storeError` for the log — deliberately not in
 * `cause`, where the error filter would take a refused connection for the database's.
 */
export class DocumentStoreUnavailableException extends DomainException {
  override retryAfterSeconds = SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS;
  readonly storeError: string;

  constructor(during: 'read' | 'write', error: unknown) {
    super(
      DocumentStoreErrorCode.Unavailable,
      503,
      during === 'read'
        ? 'Sealed documents cannot be fetched at the moment: the document store is not answering. Nothing was changed. Try again in a few minutes.'
        : 'Sealed documents cannot be stored at the moment: the document store is not answering. Nothing was saved; the documents will be stored when it answers again.',
    );
    this.storeError = describeStoreError(error);
  }
}

const DAMAGED_MESSAGES: Record<Exclude<DocumentStoreErrorCode, DocumentStoreErrorCode.Unavailable>, string> = {
  [DocumentStoreErrorCode.FileMissing]: 'The file of this sealed document is missing from the document store. Nothing was changed. Quote the correlation id if you contact support.',
  [DocumentStoreErrorCode.FileAltered]: 'The file of this sealed document in the document store is not the one that was sealed, so it was not sent. Quote the correlation id if you contact support.',
  [DocumentStoreErrorCode.FileInBucket]: 'The file of this sealed document is kept in a document store this service is not set up to read. Nothing was changed. Quote the correlation id if you contact support.',
};

/** A sealed file cannot be served as recorded (missing, altered, or in a store not configured): never sent, always logged (500). */
export class StoredFileDamagedException extends DomainException {
  constructor(
    code: Exclude<DocumentStoreErrorCode, DocumentStoreErrorCode.Unavailable>,
    readonly objectKey: string,
  ) {
    super(code, 500, DAMAGED_MESSAGES[code]);
  }
}
