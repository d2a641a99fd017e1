import { DomainException } from '@pcn/common';

export enum DocumentsErrorCode {
  DocumentNotFound = 'DOCUMENT_NOT_FOUND',
  NotAPdf = 'NOT_A_PDF',
  TruncatedPdf = 'TRUNCATED_PDF',
  NoFile = 'NO_FILE',
  RangeNotSatisfiable = 'RANGE_NOT_SATISFIABLE',
  TooManyDocuments = 'TOO_MANY_DOCUMENTS',
  SealNotConfigured = 'SEAL_NOT_CONFIGURED',
  TooManyVerifications = 'TOO_MANY_VERIFICATIONS',
}

const STATUS: Record<DocumentsErrorCode, number> = {
  [DocumentsErrorCode.DocumentNotFound]: 404,
  [DocumentsErrorCode.NotAPdf]: 422,
  [DocumentsErrorCode.TruncatedPdf]: 422,
  [DocumentsErrorCode.NoFile]: 400,
  [DocumentsErrorCode.RangeNotSatisfiable]: 416,
  [DocumentsErrorCode.TooManyDocuments]: 422,
  [DocumentsErrorCode.SealNotConfigured]: 500,
  [DocumentsErrorCode.TooManyVerifications]: 429,
};

export class DocumentsException extends DomainException {
  constructor(code: DocumentsErrorCode, message: string) {
    super(code, STATUS[code], message);
  }
}
