import { readFileSync } from 'node:fs';
import { loadTypedConfig } from '@pcn/common';
import { SealEnv, sealTrustFromConfig, SealVerdict, verifySealedPdf } from '@pcn/documents';

/** The verdict as a person reads it: one headline, the explanation, then the facts. */
export function describeVerdict(file: string, v: SealVerdict): string {
  const headline: Record<SealVerdict['verdict'], string> = {
    AUTHENTIC: 'Authentic: sealed by the platform and unchanged',
    ALTERED: 'Altered: changed since it was sealed',
    MODIFIED_AFTER_SEAL: 'Modified after sealing: content was added after the seal',
    UNTRUSTED_KEY: 'Sealed with an untrusted or unknown key',
    NOT_SEALED: 'Not sealed',
    NOT_A_PDF: 'Not a PDF',
  };
  const lines = [`${file}: ${headline[v.verdict]}`, v.detail, `SHA-256 of the file: ${v.documentSha256}`];
  if (v.sealedRevisionSha256 && v.sealedRevisionSha256 !== v.documentSha256) lines.push(`SHA-256 of the sealed version: ${v.sealedRevisionSha256}`);
  if (v.embeddedReference) lines.push(`Reference printed in the file: ${v.embeddedReference}`);
  if (v.sealCertificateFingerprint) lines.push(`Seal certificate SHA-256: ${v.sealCertificateFingerprint}`);
  if (v.signatureTimestamp) {
    lines.push(`Timestamp: ${v.signatureTimestamp.time} from ${v.signatureTimestamp.tsaSubject} (${v.signatureTimestamp.trusted ? 'trusted' : 'not trusted here'})`);
  }
  if (v.documentTimestamps) lines.push(`Document timestamps: ${v.documentTimestamps}`);
  if (v.level) lines.push(`PAdES level: ${v.level}`);
  return lines.join('\n');
}

/**
 * `documents:verify FILE`: verifies a sealed PDF against the configured trusted seal and TSA
 * certificates (SEAL_CERTIFICATE or the seal PKCS#12, SEAL_RETIRED_CERTIFICATES, TSA_TRUSTED_CERTIFICATES).
 * Returns the exit code: 0 when authentic, 1 otherwise.
 */
export async function verifyDocumentCommand(file: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (!file) throw new Error('Give the PDF to check, e.g. documents:verify ./NA-U70101-2026-0001-r4.pdf');
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new Error(`Cannot read ${file} (${(error as NodeJS.ErrnoException).code})`);
  }
  const trust = sealTrustFromConfig(loadTypedConfig(SealEnv, env));
  if (trust.sealCertificates.length === 0) {
    throw new Error('No trusted seal certificate is configured: set SEAL_CERTIFICATE (or SEAL_P12_PATH / SEAL_P12_BASE64 with SEAL_P12_PASSPHRASE)');
  }
  const verdict = await verifySealedPdf(bytes, trust);
  console.log(describeVerdict(file, verdict));
  return verdict.verdict === 'AUTHENTIC' ? 0 : 1;
}
