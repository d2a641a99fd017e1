import { createHash, createPrivateKey, KeyObject, privateEncrypt, constants, X509Certificate } from 'node:crypto';
import * as forge from 'node-forge';

/** The prefix of a DER DigestInfo for SHA-256 (RFC 8017 §9.2 note 1): what RSASSA-PKCS1-v1_5 signs. */
export const SHA256_DIGEST_INFO_PREFIX = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/**
 * Where the seal's private key lives. The CMS builder hands over a SHA-256 digest and gets
 * back an RSASSA-PKCS1-v1_5 signature, so the key can stay in a PKCS#12 file, an HSM
 * (PKCS#11) or a cloud KMS: only this interface changes.
 */
export interface SealKeySigner {
  /** DER of the signing certificate. */
  readonly certificate: Buffer;
  /** DER of the certificates above it (intermediates, then the issuing CA), signer excluded. */
  readonly chain: Buffer[];
  /** RSASSA-PKCS1-v1_5 signature over a SHA-256 digest (32 bytes). */
  sign(sha256Digest: Buffer): Promise<Buffer>;
  /** Human-readable description for logs and errors ("PKCS#12 file", "PKCS#11 slot 0"). */
  readonly description: string;
  /** Releases what the key holds open (a PKCS#11 session); signing afterwards fails. */
  close?(): void;
}

export class SealError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealError';
  }
}

/** SHA-256 (lower-case hex) of a certificate's DER encoding. */
export function sealCertificateFingerprint(certificateDer: Buffer): string {
  return createHash('sha256').update(certificateDer).digest('hex');
}

/** Key and certificates of a PKCS#12 file, decoded once. */
export interface SealMaterial {
  privateKey: KeyObject;
  certificate: Buffer;
  chain: Buffer[];
}

/** The seal key in memory, decoded once from a PKCS#12 (.p12/.pfx). */
export class Pkcs12Signer implements SealKeySigner {
  readonly certificate: Buffer;
  readonly chain: Buffer[];
  readonly description = 'PKCS#12 file';

  constructor(readonly material: SealMaterial) {
    if (material.privateKey.asymmetricKeyType !== 'rsa') {
      throw new SealError(`The seal key must be RSA (this one is ${material.privateKey.asymmetricKeyType})`);
    }
    this.certificate = material.certificate;
    this.chain = material.chain;
  }

  static fromPkcs12(p12: Buffer, passphrase: string): Pkcs12Signer {
    return new Pkcs12Signer(loadSealMaterialFromPkcs12(p12, passphrase));
  }

  async sign(sha256Digest: Buffer): Promise<Buffer> {
    if (sha256Digest.length !== 32) throw new SealError('The seal signs SHA-256 digests (32 bytes) only');
    return privateEncrypt(
      { key: this.material.privateKey, padding: constants.RSA_PKCS1_PADDING },
      Buffer.concat([SHA256_DIGEST_INFO_PREFIX, sha256Digest]),
    );
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
  return { privateKey, certificate: certs[signerIndex], chain: certs.filter((_, i) => i !== signerIndex) };
}
