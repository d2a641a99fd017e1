import { createHash, X509Certificate } from 'node:crypto';
import { checkSigner, findSignerCertificate, parseSignedData } from './cms';
import { isPdfHeader, readPdfStructure } from './pdf-structure';

export interface SealedPdfInspection {
  isPdf: boolean;
  /** A PDF header but no end-of-file marker: the file was cut off. */
  truncated: boolean;
  signed: boolean;
  /** ByteRange starts at 0, ends at EOF and leaves out exactly the /Contents hex string. */
  byteRangeCoversWholeFile: boolean;
  /** SHA-256 of the signed ranges equals the CMS message-digest attribute. */
  digestMatches: boolean;
  /** Signature over the signed attributes verifies with the embedded signer certificate. */
  signatureValid: boolean;
  /** The ESS signing-certificate-v2 attribute is present and names the embedded signer certificate. */
  signingCertificateV2Matches: boolean;
  signerCertFingerprint?: string;
  signerSubject?: string;
  signingTime?: string;
  subFilter?: string;
  /** Number of /ByteRange signatures found; the last one is inspected. */
  signatureCount: number;
  /** SHA-256 (hex) of the whole file as received. */
  sha256: string;
  /** Platform document reference from the document information dictionary. */
  reference?: string;
  /** Why a check failed, when one did. */
  reason?: string;
}

/**
 * Checks the (last) signature of a PDF sealed by the platform. Never throws:
 * garbage, truncated files and unsigned PDFs give a negative result with a reason.
 * Certificate trust is *not* judged here: use `verifySealedPdf` for a verdict anchored to trust.
 */
export function inspectSealedPdf(input: Buffer | Uint8Array): SealedPdfInspection {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input ?? []);
  const result: SealedPdfInspection = {
    isPdf: false,
    truncated: false,
    signed: false,
    byteRangeCoversWholeFile: false,
    digestMatches: false,
    signatureValid: false,
    signingCertificateV2Matches: false,
    signatureCount: 0,
    sha256: createHash('sha256').update(buf).digest('hex'),
  };
  try {
    if (!isPdfHeader(buf)) return { ...result, reason: 'not a PDF (no %PDF- header)' };
    const text = buf.toString('latin1');
    if (!/%%EOF\s*$/.test(text.slice(-1024))) {
      return { ...result, isPdf: true, truncated: true, reference: readReference(text), reason: 'truncated PDF (no %%EOF at the end)' };
    }
    result.isPdf = true;
    result.reference = readReference(text);

    const { signatures } = readPdfStructure(buf, text);
    result.signatureCount = signatures.length;
    if (signatures.length === 0) return { ...result, reason: 'the PDF carries no signature' };
    result.signed = true;
    const sig = signatures[signatures.length - 1];
    const [a0, l0, a1, l1] = sig.byteRange;
    result.subFilter = sig.subFilter ?? undefined;
    if (a0 !== 0 || a0 + l0 > a1 || a1 + l1 > buf.length) return { ...result, reason: 'ByteRange points outside the file' };
    if (sig.contents.length === 0) return { ...result, reason: 'ByteRange gap is not the /Contents hex string' };
    result.byteRangeCoversWholeFile = a1 + l1 === buf.length;

    const cms = parseSignedData(sig.contents);
    const certificate = findSignerCertificate(cms);
    if (!certificate) return { ...result, reason: 'the signature does not carry its certificate' };
    result.signerCertFingerprint = createHash('sha256').update(certificate).digest('hex');
    result.signerSubject = new X509Certificate(certificate).subject.split('\n').filter(Boolean).join(', ');
    const checked = checkSigner(cms, [buf.subarray(a0, a0 + l0), buf.subarray(a1, a1 + l1)], certificate);
    result.digestMatches = checked.digestMatches;
    result.signatureValid = checked.signatureValid;
    result.signingCertificateV2Matches = !!cms.essCertHash && cms.essCertHash.equals(createHash('sha256').update(certificate).digest());

    const reasons: string[] = [];
    if (!result.byteRangeCoversWholeFile) reasons.push('bytes were added after the signature');
    if (!result.digestMatches) reasons.push('digest mismatch: the signed bytes were changed');
    if (!result.signatureValid) reasons.push('the signature does not verify with the embedded certificate');
    if (reasons.length) result.reason = reasons.join('; ');
    return result;
  } catch (err) {
    return { ...result, reason: `unreadable signature: ${(err as Error).message}` };
  }
}

/** Reads the platform reference from the info dictionary (direct or indirect string). */
function readReference(text: string): string | undefined {
  const direct = /\/PcnReference\s*\(((?:\\.|[^\\)])*)\)/.exec(text);
  if (direct) return unescapePdfString(direct[1]);
  const indirect = /\/PcnReference\s+(\d+)\s+(\d+)\s+R/.exec(text);
  if (!indirect) return undefined;
  const obj = new RegExp(`(?:^|[\\r\\n])${indirect[1]}\\s+${indirect[2]}\\s+obj\\s*\\(((?:\\\\.|[^\\\\)])*)\\)`).exec(text);
  return obj ? unescapePdfString(obj[1]) : undefined;
}

function unescapePdfString(s: string): string {
  return s.replace(/\\([nrtbf()\\]|[0-7]{1,3})/g, (_, c: string) => {
    const map: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '(': '(', ')': ')', '\\': '\\' };
    return map[c] ?? String.fromCharCode(parseInt(c, 8));
  });
}
