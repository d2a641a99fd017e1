import { createHash } from 'node:crypto';
import type { SealTrust } from '../seal/seal-trust';
import { SealVerdict, verifySealedPdf } from '../verify/verify-sealed-pdf';

export interface UploadSealCheck extends SealVerdict {
  /** A PDF header but no end-of-file marker: the file was cut off in transfer (refused with 422). */
  truncated: boolean;
  /** The seal was made with one of the platform's trusted seal certificates (current or retired). */
  ourSeal: boolean;
}

/**
 * The verifier's verdict on an upload (`verifySealedPdf`: ByteRange, digest, CMS signature, seal
 * certificate chained to a trusted current or retired seal, signature timestamp, updates after
 * the seal), plus whether the seal is ours, which decides whether a changed file's claimed
 * reference may be named.
 */
export async function checkSealedUpload(bytes: Buffer, trust: SealTrust, trustedFingerprints: ReadonlySet<string>): Promise<UploadSealCheck> {
  const head = bytes.subarray(0, 1024).toString('latin1');
  const truncated = head.includes('%PDF-') && !/%%EOF\s*$/.test(bytes.subarray(Math.max(0, bytes.length - 1024)).toString('latin1'));
  const verdict = await verifySealedPdf(bytes, trust);
  return { ...verdict, truncated, ourSeal: !!verdict.sealCertificateFingerprint && trustedFingerprints.has(verdict.sealCertificateFingerprint) };
}

/** SHA-256 fingerprints of the trusted seal certificates. */
export function fingerprints(trust: SealTrust): Set<string> {
  return new Set(trust.sealCertificates.map((der) => createHash('sha256').update(der).digest('hex')));
}
