import { createHash, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import { children, content, DerNode, OID, raw, readNode, readOid, readTime, TAG } from '../seal/der';
import { issuerAndSerial, sealCertificateFingerprint } from '../seal/seal-signer';

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

const BYTE_RANGE = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g;

/**
 * Checks the (last) signature of a PDF sealed by the platform. Never throws:
 * garbage, truncated files and unsigned PDFs give a negative result with a reason.
 * Certificate trust is *not* judged here; compare `signerCertFingerprint` with the
 * fingerprints of the platform's seal certificates.
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
    const head = buf.subarray(0, 1024).toString('latin1');
    if (!head.includes('%PDF-')) return { ...result, reason: 'not a PDF (no %PDF- header)' };
    const text = buf.toString('latin1');
    if (!/%%EOF\s*$/.test(text.slice(-1024))) {
      return { ...result, isPdf: true, truncated: true, reference: readReference(text), reason: 'truncated PDF (no %%EOF at the end)' };
    }
    result.isPdf = true;
    result.reference = readReference(text);

    const ranges = [...text.matchAll(BYTE_RANGE)];
    result.signatureCount = ranges.length;
    if (ranges.length === 0) return { ...result, reason: 'the PDF carries no signature' };
    result.signed = true;
    const match = ranges[ranges.length - 1];
    const [a0, l0, a1, l1] = match.slice(1, 5).map(Number);
    const sigDictStart = text.lastIndexOf('<<', match.index);
    const subFilter = /\/SubFilter\s*\/([A-Za-z0-9.#_-]+)/.exec(text.slice(sigDictStart, match.index + 40000));
    result.subFilter = subFilter?.[1];

    if (a0 !== 0 || a0 + l0 > a1 || a1 + l1 > buf.length) {
      return { ...result, reason: 'ByteRange points outside the file' };
    }
    const gap = text.slice(a0 + l0, a1);
    if (!/^<[0-9A-Fa-f]*>$/.test(gap)) return { ...result, reason: 'ByteRange gap is not the /Contents hex string' };
    result.byteRangeCoversWholeFile = a1 + l1 === buf.length;

    const cms = Buffer.from(gap.slice(1, -1), 'hex');
    const parsed = parseCms(cms);
    result.signerCertFingerprint = sealCertificateFingerprint(parsed.certificate);
    result.signerSubject = new X509Certificate(parsed.certificate).subject.split('\n').filter(Boolean).join(', ');
    result.signingTime = parsed.signingTime?.toISOString();

    const digest = createHash('sha256')
      .update(buf.subarray(a0, a0 + l0))
      .update(buf.subarray(a1, a1 + l1))
      .digest();
    result.digestMatches = !!parsed.messageDigest && digest.equals(parsed.messageDigest);
    result.signingCertificateV2Matches =
      !!parsed.essCertHash && parsed.essCertHash.equals(createHash('sha256').update(parsed.certificate).digest());
    const publicKey = new X509Certificate(parsed.certificate).publicKey;
    result.signatureValid = cryptoVerify('sha256', parsed.signedAttributesSet, publicKey, parsed.signature);

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

interface ParsedCms {
  certificate: Buffer;
  signedAttributesSet: Buffer;
  signature: Buffer;
  messageDigest?: Buffer;
  signingTime?: Date;
  essCertHash?: Buffer;
}

function parseCms(der: Buffer): ParsedCms {
  const contentInfo = readNode(der);
  const [type, wrapped] = children(contentInfo);
  if (readOid(type) !== OID.signedData) throw new Error('CMS is not SignedData');
  const signedData = children(wrapped)[0];
  const fields = children(signedData);
  const certsNode = fields.find((f) => f.tag === 0xa0);
  const signerInfos = fields[fields.length - 1];
  if (!certsNode || signerInfos.tag !== TAG.SET) throw new Error('CMS has no certificates or signer infos');
  const certificates = children(certsNode).map((c) => Buffer.from(raw(c)));
  const signerInfo = children(signerInfos)[0];
  const si = children(signerInfo);
  // SignerInfo: version, sid, digestAlgorithm, [0] signedAttrs, signatureAlgorithm, signature
  const sid = si[1];
  const digestAlg = readOid(children(si[2])[0]);
  if (digestAlg !== OID.sha256) throw new Error(`unsupported digest algorithm ${digestAlg}`);
  const attrsNode = si[3];
  if (attrsNode.tag !== 0xa0) throw new Error('CMS signer info has no signed attributes');
  const signature = Buffer.from(content(si[5]));
  const signedAttributesSet = Buffer.from(raw(attrsNode));
  signedAttributesSet[0] = TAG.SET;

  const certificate = pickSignerCertificate(certificates, sid);
  const out: ParsedCms = { certificate, signedAttributesSet, signature };
  for (const attr of children(attrsNode)) {
    const [attrType, values] = children(attr);
    const value: DerNode = children(values)[0];
    switch (readOid(attrType)) {
      case OID.messageDigest:
        out.messageDigest = Buffer.from(content(value));
        break;
      case OID.signingTime:
        out.signingTime = readTime(value);
        break;
      case OID.signingCertificateV2: {
        const certs = children(children(value)[0]);
        const essCertId = children(certs[0]);
        const hashNode = essCertId.find((n) => n.tag === TAG.OCTET_STRING);
        const hashAlg = essCertId[0].tag === TAG.SEQUENCE ? readOid(children(essCertId[0])[0]) : OID.sha256;
        if (hashNode && hashAlg === OID.sha256) out.essCertHash = Buffer.from(content(hashNode));
        break;
      }
    }
  }
  return out;
}

function pickSignerCertificate(certificates: Buffer[], sid: DerNode): Buffer {
  if (sid.tag === TAG.SEQUENCE) {
    const [issuer, serial] = children(sid).map((n) => Buffer.from(raw(n)));
    const found = certificates.find((c) => {
      const ids = issuerAndSerial(c);
      return ids.issuer.equals(issuer) && ids.serial.equals(serial);
    });
    if (found) return found;
  }
  if (!certificates[0]) throw new Error('CMS carries no certificate');
  return certificates[0];
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
