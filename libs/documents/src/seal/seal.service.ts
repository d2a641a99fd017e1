import { createPrivateKey, X509Certificate } from 'node:crypto';
import { SignPdf } from '@signpdf/signpdf';
import * as forge from 'node-forge';
import { SealMaterial, SealSigner, sealCertificateFingerprint } from './seal-signer';

export class SealError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealError';
  }
}

/** Decodes a PKCS#12 (.p12/.pfx) once: private key → node:crypto KeyObject, certificates → DER. */
export function loadSealMaterialFromPkcs12(p12: Buffer, passphrase: string): SealMaterial {
  let parsed: forge.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(p12.toString('binary')));
    parsed = forge.pkcs12.pkcs12FromAsn1(asn1, false, passphrase);
  } catch (err) {
    throw new SealError(`Cannot read the seal PKCS#12: ${(err as Error).message}`);
  }
  const keyBags = [
    ...(parsed.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] ?? []),
    ...(parsed.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag] ?? []),
  ];
  const keyBag = keyBags[0];
  if (!keyBag) throw new SealError('The seal PKCS#12 holds no private key');
  const privateKey = keyBag.key
    ? createPrivateKey(forge.pki.privateKeyToPem(keyBag.key))
    : createPrivateKey({
        key: Buffer.from(forge.asn1.toDer(keyBag.asn1 as forge.asn1.Asn1).getBytes(), 'binary'),
        format: 'der',
        type: 'pkcs8',
      });

  const certBags = parsed.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [];
  const certs = certBags
    .map((b) => (b.cert ? forge.pki.certificateToAsn1(b.cert) : (b.asn1 as forge.asn1.Asn1 | undefined)))
    .filter((a): a is forge.asn1.Asn1 => !!a)
    .map((a) => Buffer.from(forge.asn1.toDer(a).getBytes(), 'binary'));
  // The signing certificate is the one whose public key matches the private key.
  const signerIndex = certs.findIndex((der) => new X509Certificate(der).checkPrivateKey(privateKey));
  if (signerIndex < 0) throw new SealError('No certificate in the seal PKCS#12 matches its private key');
  return {
    privateKey,
    certificate: certs[signerIndex],
    chain: certs.filter((_, i) => i !== signerIndex),
  };
}

export interface SealPdfOptions {
  /** Time written into the CMS signing-time attribute (defaults to now). */
  signingTime?: Date;
}

/** Formats an X.509 subject in certificate order, as openssl and pdfsig print it: `C=GB, O=…, CN=…`. */
export function formatSubject(subject: string): string {
  return subject.split('\n').filter(Boolean).join(', ');
}

/**
 * Platform seal. Construct once per process (the PKCS#12 is decoded once);
 * `sealPdf` is then cheap (~1–2 ms) and safe to call for any number of documents.
 */
export class SealService {
  /** SHA-256 (hex) of the seal certificate DER; store it alongside each sealed document. */
  readonly certificateFingerprint: string;
  /** e.g. `C=GB, O=…, CN=PCN Agreements Platform Seal (development)` */
  readonly certificateSubject: string;
  readonly certificateNotAfter: string;
  private readonly signer: SealSigner;

  constructor(
    readonly material: SealMaterial,
    clock: () => Date = () => new Date(),
  ) {
    const x509 = new X509Certificate(material.certificate);
    this.certificateFingerprint = sealCertificateFingerprint(material.certificate);
    this.certificateSubject = formatSubject(x509.subject);
    this.certificateNotAfter = new Date(x509.validTo).toISOString();
    this.signer = new SealSigner(material, clock);
  }

  static fromPkcs12(p12: Buffer, passphrase: string, clock?: () => Date): SealService {
    return new SealService(loadSealMaterialFromPkcs12(p12, passphrase), clock);
  }

  /** Human-readable reference printed on the certificate of completion. */
  get certificateRef(): string {
    return `${this.certificateSubject}; SHA-256 ${this.certificateFingerprint}`;
  }

  /** Signs a PDF that already carries a placeholder (see `addSealPlaceholder`). */
  async sealPdf(unsignedPdfWithPlaceholder: Buffer, options: SealPdfOptions = {}): Promise<Buffer> {
    try {
      return await new SignPdf().sign(unsignedPdfWithPlaceholder, this.signer, options.signingTime);
    } catch (err) {
      throw new SealError(`Sealing failed: ${(err as Error).message}`);
    }
  }
}
