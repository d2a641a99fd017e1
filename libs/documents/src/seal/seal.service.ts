import { createHash, X509Certificate } from 'node:crypto';
import { SignPdf } from '@signpdf/signpdf';
import { appendDocumentTimestamp, appendDss, ValidationData } from './pdf-incremental';
import { SealSigner } from './seal-signer';
import { Pkcs12Signer, SealError, SealKeySigner, sealCertificateFingerprint } from './signer';
import { readTimestampToken, TimestampAuthority } from './tsa-client';

export { SealError, loadSealMaterialFromPkcs12 } from './signer';

/** PAdES baseline levels (ETSI EN 319 142-1). */
export type PadesLevel = 'B-B' | 'B-T' | 'B-LT' | 'B-LTA';

/**
 * Where a sealed document's time comes from, for the certificate of completion and the
 * document metadata: `trustedTime` is false when no timestamp authority is configured.
 */
export interface SealTimeSource {
  level: PadesLevel;
  trustedTime: boolean;
  tsaUrl: string | null;
  /** One sentence for people, e.g. on the certificate of completion. */
  statement: string;
}

export function describeSealTime(level: PadesLevel, tsaUrl: string | null): SealTimeSource {
  const trustedTime = level !== 'B-B' && !!tsaUrl;
  return {
    level: trustedTime ? level : 'B-B',
    trustedTime,
    tsaUrl: trustedTime ? tsaUrl : null,
    statement: trustedTime
      ? `Sealed at PAdES ${level} with an RFC 3161 timestamp from ${tsaUrl}${level === 'B-LTA' ? ', validation data and a document timestamp' : ''}.`
      : 'No timestamp authority was configured: the seal carries the platform clock\'s time only (PAdES B-B), not a trusted time.',
  };
}

export interface SealPdfOptions {
  /** Unused: the claimed time is the placeholder's /M (kept for callers that pass it). */
  signingTime?: Date;
}

export interface SealServiceOptions {
  /** RFC 3161 timestamp authority; without one documents are sealed B-B. */
  tsa?: TimestampAuthority | null;
  /** Highest level to produce when a TSA is configured (default B-LTA). */
  level?: PadesLevel;
  /** Further certificates (seal CA, TSA chain) and CRLs kept in the DSS for B-LT. */
  validationData?: ValidationData;
}

/** Formats an X.509 subject in certificate order, as openssl and pdfsig print it: `C=GB, O=…, CN=…`. */
export function formatSubject(subject: string): string {
  return subject.split('\n').filter(Boolean).join(', ');
}

const digestOf = (ranges: Buffer[]) => {
  const hash = createHash('sha256');
  for (const r of ranges) hash.update(r);
  return hash.digest();
};

/**
 * Platform seal. Construct once per process (the key is decoded once); `sealPdf` then signs any
 * number of documents: B-B always; with a TSA, B-T (signature timestamp), B-LT (DSS with the
 * chains and CRLs) and B-LTA (a document timestamp over the whole file), as configured.
 */
export class SealService {
  /** SHA-256 (hex) of the seal certificate DER; store it alongside each sealed document. */
  readonly certificateFingerprint: string;
  /** e.g. `C=GB, O=…, CN=PCN Agreements Platform Seal (development)` */
  readonly certificateSubject: string;
  readonly certificateNotAfter: string;
  readonly timeSource: SealTimeSource;
  private readonly tsa: TimestampAuthority | null;
  private readonly validationData: ValidationData;

  constructor(
    readonly signer: SealKeySigner,
    options: SealServiceOptions = {},
  ) {
    const x509 = new X509Certificate(signer.certificate);
    this.certificateFingerprint = sealCertificateFingerprint(signer.certificate);
    this.certificateSubject = formatSubject(x509.subject);
    this.certificateNotAfter = new Date(x509.validTo).toISOString();
    this.tsa = options.tsa ?? null;
    this.timeSource = describeSealTime(this.tsa ? (options.level ?? 'B-LTA') : 'B-B', this.tsa?.url ?? null);
    this.validationData = {
      certificates: [signer.certificate, ...signer.chain, ...(options.validationData?.certificates ?? [])],
      crls: options.validationData?.crls ?? [],
    };
  }

  static fromPkcs12(p12: Buffer, passphrase: string, options?: SealServiceOptions): SealService {
    return new SealService(Pkcs12Signer.fromPkcs12(p12, passphrase), options);
  }

  /** The PAdES level documents are sealed at. */
  get level(): PadesLevel {
    return this.timeSource.level;
  }

  /** Human-readable reference printed on the certificate of completion. */
  get certificateRef(): string {
    return `${this.certificateSubject}; SHA-256 ${this.certificateFingerprint}`;
  }

  /** Signs a PDF that already carries a placeholder (see `addSealPlaceholder`), then adds B-LT/B-LTA updates as configured. */
  async sealPdf(unsignedPdfWithPlaceholder: Buffer, _options: SealPdfOptions = {}): Promise<Buffer> {
    const level = this.level;
    const tsa = this.tsa;
    const tokens: Buffer[] = [];
    const stamp = tsa && level !== 'B-B'
      ? async (signatureValue: Buffer) => {
          const token = await tsa.timestamp(createHash('sha256').update(signatureValue).digest());
          tokens.push(token);
          return token;
        }
      : undefined;
    let pdf: Buffer;
    try {
      pdf = await new SignPdf().sign(unsignedPdfWithPlaceholder, new SealSigner(this.signer, stamp));
    } catch (err) {
      throw err instanceof SealError ? err : new SealError(`Sealing failed: ${(err as Error).message}`);
    }
    if (level === 'B-LT' || level === 'B-LTA') pdf = this.addValidationData(pdf, tokens);
    if (level === 'B-LTA') pdf = await this.addDocumentTimestamp(pdf);
    return pdf;
  }

  /** B-LT: a DSS with the seal and TSA chains and the configured CRLs (TSA certificates taken from the tokens). */
  addValidationData(pdf: Buffer, tokens: Buffer[] = []): Buffer {
    const tsaCertificates = tokens.flatMap((t) => readTimestampToken(t).certificates);
    return appendDss(pdf, {
      certificates: [...this.validationData.certificates, ...tsaCertificates],
      crls: this.validationData.crls,
    });
  }

  /**
   * Renewal (`documents:renew-timestamps`): current validation data, then a fresh document
   * timestamp over everything, as incremental updates; returns the new file and the TSA's time.
   */
  async renewDocumentTimestamp(pdf: Buffer): Promise<{ pdf: Buffer; timestampedAt: Date }> {
    const tsa = this.tsa;
    if (!tsa) throw new SealError('No timestamp authority is configured (TSA_URL): timestamps cannot be renewed');
    let token: Buffer | null = null;
    const renewed = await appendDocumentTimestamp(this.addValidationData(pdf), async (digest) => (token = await tsa.timestamp(digest)), digestOf);
    return { pdf: renewed, timestampedAt: new Date(readTimestampToken(token!).time) };
  }

  /** B-LTA (and its renewal): a document timestamp over the whole file, as an incremental update. */
  async addDocumentTimestamp(pdf: Buffer): Promise<Buffer> {
    const tsa = this.tsa;
    if (!tsa) throw new SealError('No timestamp authority is configured (TSA_URL): a document timestamp cannot be added');
    try {
      return await appendDocumentTimestamp(pdf, (digest) => tsa.timestamp(digest), digestOf);
    } catch (err) {
      throw err instanceof SealError ? err : new SealError(`The document timestamp failed: ${(err as Error).message}`);
    }
  }
}
