import { generateKeyPairSync, randomBytes } from 'node:crypto';
import * as forge from 'node-forge';
import { sealCertificateFingerprint } from './seal-signer';

export interface DevSealCertificateOptions {
  passphrase: string;
  commonName?: string;
  organisation?: string;
  /** Validity in days (default 825). */
  days?: number;
  /** Use 3DES/SHA-1 PKCS#12 encryption (for old tooling); default AES-256. */
  legacy?: boolean;
}

export interface DevSealCertificate {
  p12: Buffer;
  passphrase: string;
  certificatePem: string;
  fingerprint: string;
}

/**
 * Self-signed RSA-2048 seal certificate for development and tests. Never use in
 * production: Adobe and pdfsig will report the issuer as untrusted.
 */
export function generateDevSealCertificate(options: DevSealCertificateOptions): DevSealCertificate {
  // node:crypto generates the key in a few ms; node-forge would take seconds.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()) as forge.pki.rsa.PrivateKey;
  const publicKey = forge.pki.setRsaPublicKey(key.n, key.e);

  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  const now = new Date();
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + (options.days ?? 825) * 86_400_000);
  const subject = [
    { name: 'countryName', value: 'GB' },
    { name: 'organizationName', value: options.organisation ?? 'PCN Agreements Platform (development)' },
    { name: 'commonName', value: options.commonName ?? 'PCN Agreements Platform Seal (development)' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(key, forge.md.sha256.create());

  const p12Asn1 = forge.pkcs12.toPkcs12Asn1(key, [cert], options.passphrase, {
    algorithm: options.legacy ? '3des' : 'aes256',
    friendlyName: 'pcn-agreements-seal',
  });
  const p12 = Buffer.from(forge.asn1.toDer(p12Asn1).getBytes(), 'binary');
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  return {
    p12,
    passphrase: options.passphrase,
    certificatePem: forge.pki.certificateToPem(cert),
    fingerprint: sealCertificateFingerprint(der),
  };
}
