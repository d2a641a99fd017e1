export * from './render/document-model';
export {
  renderAgreementPdf,
  renderAnnexPdf,
  RenderOptions,
  DocumentRenderError,
  INFO_REFERENCE_KEY,
  INFO_ANNEX_KEY,
} from './render/render-agreement';
export { formatUtc, formatLondon, formatDate } from './render/format';
export { addSealPlaceholder, SealPlaceholderOptions, DEFAULT_SEAL_SIGNATURE_LENGTH } from './seal/seal-placeholder';
export { SealSigner, sealCertificateFingerprint, issuerAndSerial } from './seal/seal-signer';
export { buildCmsSignedData, CmsInput } from './seal/cms';
export { SealKeySigner, SealMaterial, Pkcs12Signer, SHA256_DIGEST_INFO_PREFIX } from './seal/signer';
export {
  SealService,
  SealError,
  SealPdfOptions,
  SealServiceOptions,
  SealTimeSource,
  PadesLevel,
  describeSealTime,
  loadSealMaterialFromPkcs12,
  formatSubject,
} from './seal/seal.service';
export { SealTrust, sealTrustFromConfig, readDerList, currentSealCertificate } from './seal/seal-trust';
export { HttpTimestampAuthority, TimestampAuthority, TsaClientOptions, readTimestampToken, TimestampInfo } from './seal/tsa-client';
export { appendDss, appendDocumentTimestamp, readTrailer, ValidationData } from './seal/pdf-incremental';
export { SealedDocumentVersionEntity } from './seal/sealed-document-version.entity';
export { renderAndSeal, SealedDocument } from './seal/render-and-seal';
export { generateDevSealCertificate, DevSealCertificate, DevSealCertificateOptions } from './seal/dev-seal-cert';
export { inspectSealedPdf, SealedPdfInspection } from './verify/verify-pdf';
export { verifySealedPdf, SealVerdict, SealVerdictCode } from './verify/verify-sealed-pdf';
export * from './model';
export * from './documents.config';
export * from './documents.exception';
export * from './documents.module';
export * from './documents-worker.module';
export * from './seal.module';
export * from './access/documents.service';
export * from './generation/documents-generator.service';
export * from './storage/sealed-document.entity';
export { ByteaDocumentStore, DOCUMENT_STORE, DOCUMENT_STORE_KINDS, DocumentStore, DocumentStoreKind, StoredByteRange, createDocumentStore } from './storage/document-store';
export { DocumentStoreErrorCode, DocumentStoreUnavailableException, StoredFileDamagedException } from './storage/document-store-errors';
export { sendStoredDocument, planDownload, DownloadPlan } from './http/send-pdf';
export { VerifyRateLimitGuard, VerifyRateLimiter, verifyRateLimit, verifyLimitsConfig, VerifyLimitsConfig, VerifyLimitsEnv } from './http/verify-rate-limit';
export * from './access/part-reference';
export * from './storage/document-verification.entity';
export { sendDocumentsZip, documentsManifest, MANIFEST_COLUMNS } from './http/send-zip';
