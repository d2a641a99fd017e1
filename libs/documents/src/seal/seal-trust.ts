import { readFileSync } from 'node:fs';
import type { SealConfig } from '../documents.config';
import { readDerList } from './der-list';
import { loadPkcs11Signer } from './seal-key-loader';
import { loadSealMaterialFromPkcs12 } from './signer';

export { readDerList };

/** What the verifier trusts: the platform's seal certificates (current and retired) and the TSA's anchors. */
export interface SealTrust {
  sealCertificates: Buffer[];
  tsaCertificates: Buffer[];
}

/**
 * The current seal certificate: SEAL_CERTIFICATE, else the certificate in the seal PKCS#12, else
 * (SEAL_SIGNER=pkcs11) the certificate on the token, read once through a session that is closed
 * again — set SEAL_CERTIFICATE to keep a verifying process away from the token.
 */
export function currentSealCertificate(config: SealConfig): Buffer | null {
  if (config.SEAL_CERTIFICATE) return readDerList(config.SEAL_CERTIFICATE, 'SEAL_CERTIFICATE')[0] ?? null;
  if (config.SEAL_SIGNER === 'pkcs11') {
    const signer = loadPkcs11Signer(config);
    signer.close();
    return signer.certificate;
  }
  const p12 = config.SEAL_P12_BASE64
    ? Buffer.from(config.SEAL_P12_BASE64, 'base64')
    : config.SEAL_P12_PATH
      ? readFileSync(config.SEAL_P12_PATH)
      : null;
  if (!p12) return null;
  try {
    return loadSealMaterialFromPkcs12(p12, config.SEAL_P12_PASSPHRASE).certificate;
  } catch {
    return null;
  }
}

/**
 * Seal rotation: the current seal certificate and every earlier one in SEAL_RETIRED_CERTIFICATES
 * stay trusted, so documents sealed before a rotation still verify; TSA anchors come from
 * TSA_TRUSTED_CERTIFICATES. Pass the result to `verifySealedPdf`.
 */
export function sealTrustFromConfig(config: SealConfig): SealTrust {
  const current = currentSealCertificate(config);
  const retired = readDerList(config.SEAL_RETIRED_CERTIFICATES, 'SEAL_RETIRED_CERTIFICATES');
  const sealCertificates = [...(current ? [current] : []), ...retired].filter((c, i, all) => all.findIndex((o) => o.equals(c)) === i);
  return { sealCertificates, tsaCertificates: readDerList(config.TSA_TRUSTED_CERTIFICATES, 'TSA_TRUSTED_CERTIFICATES') };
}
