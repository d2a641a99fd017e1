import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { ConfigurationError } from '@pcn/common';
import type { SealConfig } from '../documents.config';
import { loadSealMaterialFromPkcs12 } from './signer';

/** What the verifier trusts: the platform's seal certificates (current and retired) and the TSA's anchors. */
export interface SealTrust {
  sealCertificates: Buffer[];
  tsaCertificates: Buffer[];
}

const PEM = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/**
 * Reads a configured list of certificates or CRLs: comma-separated file paths (PEM with one or
 * more blocks, or DER) or base64 DER. `what` names the variable in the one-line error.
 */
export function readDerList(value: string, what: string, pemLabel: 'CERTIFICATE' | 'X509 CRL' = 'CERTIFICATE'): Buffer[] {
  const out: Buffer[] = [];
  for (const item of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    let data: Buffer;
    if (item.includes('-----BEGIN')) data = Buffer.from(item, 'latin1');
    else if (/^[A-Za-z0-9+/=\s]+$/.test(item) && item.length > 200) data = Buffer.from(item, 'base64');
    else {
      try {
        data = readFileSync(item);
      } catch (error) {
        throw new ConfigurationError(`Invalid configuration: ${what}: cannot read ${item} (${(error as NodeJS.ErrnoException).code})`);
      }
    }
    const text = data.toString('latin1');
    if (text.includes('-----BEGIN')) {
      const blocks = [...text.matchAll(PEM)].filter((m) => m[1] === pemLabel);
      if (blocks.length === 0) throw new ConfigurationError(`Invalid configuration: ${what}: ${item} holds no ${pemLabel} block`);
      out.push(...blocks.map((m) => Buffer.from(m[2].replace(/\s+/g, ''), 'base64')));
    } else out.push(data);
  }
  if (pemLabel === 'CERTIFICATE') {
    for (const der of out) {
      try {
        new X509Certificate(der);
      } catch {
        throw new ConfigurationError(`Invalid configuration: ${what}: not an X.509 certificate`);
      }
    }
  }
  return out;
}

/** The current seal certificate: SEAL_CERTIFICATE, else the certificate in the seal PKCS#12. */
export function currentSealCertificate(config: SealConfig): Buffer | null {
  if (config.SEAL_CERTIFICATE) return readDerList(config.SEAL_CERTIFICATE, 'SEAL_CERTIFICATE')[0] ?? null;
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
