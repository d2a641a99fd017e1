import { constants, createHash, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/** CMS SignedData read with pkijs; signatures checked with node:crypto. */

const OID = {
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  subjectKeyIdentifier: '2.5.29.14',
  rsaPss: '1.2.840.113549.1.1.10',
} as const;

const DIGESTS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** Signature algorithm → the hash it fixes (null: the SignerInfo's digest algorithm). */
const SIGNATURE_ALGORITHMS: Record<string, { kind: 'rsa' | 'ec' | 'pss' | 'eddsa'; hash: string | null }> = {
  '1.2.840.113549.1.1.1': { kind: 'rsa', hash: null },
  '1.2.840.113549.1.1.5': { kind: 'rsa', hash: 'sha1' },
  '1.2.840.113549.1.1.11': { kind: 'rsa', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { kind: 'rsa', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { kind: 'rsa', hash: 'sha512' },
  [OID.rsaPss]: { kind: 'pss', hash: null },
  '1.2.840.10045.2.1': { kind: 'ec', hash: null },
  '1.2.840.10045.4.3.2': { kind: 'ec', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { kind: 'ec', hash: 'sha384' },
  '1.2.840.10045.4.3.4': { kind: 'ec', hash: 'sha512' },
  '1.3.101.112': { kind: 'eddsa', hash: null },
};

export class CmsError extends Error {}

export interface SignerCms {
  /** DER of every certificate the CMS carries. */
  certificates: Buffer[];
  /** node:crypto name of the SignerInfo digest algorithm (e.g. 'sha256'). */
  digestAlgorithm: string;
  messageDigest: Buffer | null;
  /** ESS signing-certificate-v2 hash (SHA-256 only) of the signer certificate, when present. */
  essCertHash: Buffer | null;
  /** The signed attributes as the SET OF that was signed. */
  signedAttributes: Buffer | null;
  signature: Buffer;
  signatureAlgorithm: pkijs.AlgorithmIdentifier;
  /** The unsigned signature-time-stamp-token attribute (a DER ContentInfo), when present. */
  timestampToken: Buffer | null;
  /** Encapsulated content (a TSTInfo for timestamp tokens), when present. */
  eContent: Buffer | null;
  eContentType: string;
  sid: pkijs.SignerInfo['sid'];
}

function view(b: ArrayBuffer | Uint8Array): Buffer {
  return b instanceof Uint8Array ? Buffer.from(b.buffer, b.byteOffset, b.byteLength) : Buffer.from(b);
}

function octets(v: asn1js.OctetString): Buffer {
  if (v.idBlock.isConstructed) {
    return Buffer.concat((v.valueBlock.value as asn1js.OctetString[]).map(octets));
  }
  return view(v.valueBlock.valueHexView);
}

/** The DER element at the start of `b` without the zero padding a PDF placeholder leaves after it. */
function firstElement(b: Buffer): Buffer {
  if (b.length < 2) return b;
  const first = b[1];
  if (first < 0x80) return b.subarray(0, 2 + first);
  const n = first & 0x7f;
  if (n === 0 || n > 4 || b.length < 2 + n) return b; // indefinite length (BER): let asn1js find the end
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + b[2 + i];
  return b.subarray(0, Math.min(b.length, 2 + n + len));
}

/**
 * `SignedData.certificates` ([0] IMPLICIT CertificateSet) taken out of the asn1js tree before
 * pkijs reads the rest: pkijs would check each certificate against its schema and build a
 * Certificate object, which we only re-encoded again, and that was most of a verification's
 * cost (a B-LTA file has three SignedData: the seal and two timestamp tokens). The X.509
 * certificates (the SEQUENCEs of the set) are kept as the bytes received.
 */
function takeCertificates(signedData: asn1js.AsnType): Buffer[] {
  if (!(signedData instanceof asn1js.Sequence)) return [];
  const fields = signedData.valueBlock.value;
  const at = fields.findIndex((f, i) => i >= 3 && f.idBlock.tagClass === 3 && f.idBlock.tagNumber === 0);
  if (at < 0 || !(fields[at] instanceof asn1js.Constructed)) return [];
  const [set] = fields.splice(at, 1) as asn1js.Constructed[];
  return set.valueBlock.value.filter((c) => c instanceof asn1js.Sequence).map((c) => view(c.valueBeforeDecodeView));
}

export function parseSignedData(input: Buffer): SignerCms {
  const der = firstElement(input);
  const asn = asn1js.fromBER(der);
  if (asn.offset === -1) throw new CmsError('the signature is not valid DER');
  let signedData: pkijs.SignedData;
  let certificates: Buffer[];
  try {
    const info = new pkijs.ContentInfo({ schema: asn.result });
    if (info.contentType !== OID.signedData) throw new CmsError('the signature is not CMS SignedData');
    certificates = takeCertificates(info.content);
    signedData = new pkijs.SignedData({ schema: info.content });
  } catch (err) {
    throw err instanceof CmsError ? err : new CmsError(`the signature cannot be read: ${(err as Error).message}`);
  }
  const signer = signedData.signerInfos[0];
  if (!signer) throw new CmsError('the signature has no signer');
  const digestAlgorithm = DIGESTS[signer.digestAlgorithm.algorithmId];
  if (!digestAlgorithm) throw new CmsError(`unsupported digest algorithm ${signer.digestAlgorithm.algorithmId}`);

  let messageDigest: Buffer | null = null;
  let essCertHash: Buffer | null = null;
  for (const attr of signer.signedAttrs?.attributes ?? []) {
    if (attr.type === OID.messageDigest) messageDigest = octets(attr.values[0] as asn1js.OctetString);
    if (attr.type === OID.signingCertificateV2) essCertHash = essV2Hash(attr.values[0]);
  }
  let timestampToken: Buffer | null = null;
  for (const attr of signer.unsignedAttrs?.attributes ?? []) {
    if (attr.type === OID.signatureTimeStampToken) timestampToken = view(attr.values[0].toBER());
  }
  let signedAttributes: Buffer | null = null;
  if (signer.signedAttrs) {
    signedAttributes = Buffer.from(view(signer.signedAttrs.encodedValue));
    signedAttributes[0] = 0x31; // [0] IMPLICIT → SET OF, as signed
  }
  const eContent = signedData.encapContentInfo.eContent ? octets(signedData.encapContentInfo.eContent) : null;
  return {
    certificates,
    digestAlgorithm,
    messageDigest,
    essCertHash,
    signedAttributes,
    signature: octets(signer.signature),
    signatureAlgorithm: signer.signatureAlgorithm,
    timestampToken,
    eContent,
    eContentType: signedData.encapContentInfo.eContentType,
    sid: signer.sid,
  };
}

function essV2Hash(value: asn1js.AsnType): Buffer | null {
  // SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, ... }
  // ESSCertIDv2 ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier DEFAULT sha256, certHash OCTET STRING, ... }
  const certs = (value as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence | undefined;
  const first = certs?.valueBlock.value[0] as asn1js.Sequence | undefined;
  if (!first) return null;
  const fields = first.valueBlock.value;
  if (fields[0] instanceof asn1js.Sequence) {
    const alg = new pkijs.AlgorithmIdentifier({ schema: fields[0] });
    if (DIGESTS[alg.algorithmId] !== 'sha256') return null;
    return fields[1] instanceof asn1js.OctetString ? octets(fields[1]) : null;
  }
  return fields[0] instanceof asn1js.OctetString ? octets(fields[0]) : null;
}

/** Issuer Name and serialNumber of a certificate as the DER bytes in it (null when it is not one). */
function issuerAndSerialOf(der: Buffer): { issuer: Buffer; serial: Buffer } | null {
  const parsed = asn1js.fromBER(der);
  const tbs = parsed.offset === -1 || !(parsed.result instanceof asn1js.Sequence) ? undefined : parsed.result.valueBlock.value[0];
  if (!(tbs instanceof asn1js.Sequence)) return null;
  const fields = tbs.valueBlock.value;
  const offset = fields[0]?.idBlock.tagClass === 3 ? 1 : 0; // explicit [0] version
  const serial = fields[offset];
  const issuer = fields[offset + 2];
  return serial && issuer ? { serial: view(serial.valueBeforeDecodeView), issuer: view(issuer.valueBeforeDecodeView) } : null;
}

/** The certificate the SignerInfo names (issuer and serial, or subject key identifier). */
export function findSignerCertificate(cms: SignerCms, extra: Buffer[] = []): Buffer | null {
  const candidates = [...cms.certificates, ...extra];
  const sid = cms.sid as unknown;
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    // The usual case, and ours: the SignerInfo repeats the certificate's own bytes. Compared as
    // bytes first, without building a pkijs Certificate per candidate (milliseconds each).
    const issuer = view(sid.issuer.valueBeforeDecode.byteLength ? sid.issuer.valueBeforeDecode : sid.issuer.toSchema().toBER());
    const serial = view(sid.serialNumber.valueBeforeDecodeView.byteLength ? sid.serialNumber.valueBeforeDecodeView : sid.serialNumber.toBER());
    for (const der of candidates) {
      const named = issuerAndSerialOf(der);
      if (named && named.issuer.equals(issuer) && named.serial.equals(serial)) return der;
    }
  }
  for (const der of candidates) {
    let cert: pkijs.Certificate;
    try {
      cert = pkijs.Certificate.fromBER(new Uint8Array(der));
    } catch {
      continue;
    }
    if (sid instanceof pkijs.IssuerAndSerialNumber) {
      if (cert.issuer.isEqual(sid.issuer) && cert.serialNumber.isEqual(sid.serialNumber)) return der;
    } else if (sid && typeof sid === 'object' && 'valueBlock' in sid) {
      const ski = cert.extensions?.find((e) => e.extnID === OID.subjectKeyIdentifier)?.parsedValue as asn1js.OctetString | undefined;
      const sidBytes = view((sid as asn1js.Constructed).valueBlock.value[0]?.toBER() ?? new ArrayBuffer(0));
      if (ski && sidBytes.length && view(ski.valueBlock.valueHexView).equals(octetsOf(sidBytes))) return der;
    }
  }
  return null;
}

function octetsOf(der: Buffer): Buffer {
  const asn = asn1js.fromBER(der);
  return asn.result instanceof asn1js.OctetString ? octets(asn.result) : der;
}

/** Checks a SignerInfo: message digest of `content` and signature over the signed attributes. */
export function checkSigner(cms: SignerCms, content: Buffer[] | Buffer, signerCert: Buffer): { digestMatches: boolean; signatureValid: boolean } {
  const h = createHash(cms.digestAlgorithm);
  for (const part of Array.isArray(content) ? content : [content]) h.update(part);
  const digest = h.digest();
  const digestMatches = !!cms.messageDigest && digest.equals(cms.messageDigest);
  const signedBytes = cms.signedAttributes;
  const signatureValid = !!signedBytes && verifySignature(cms.signatureAlgorithm, cms.digestAlgorithm, signedBytes, cms.signature, signerCert);
  return { digestMatches, signatureValid };
}

export function verifySignature(alg: pkijs.AlgorithmIdentifier, digestAlgorithm: string, data: Buffer, signature: Buffer, certDer: Buffer): boolean {
  const spec = SIGNATURE_ALGORITHMS[alg.algorithmId];
  if (!spec) return false;
  try {
    const key = x509(certDer).publicKey;
    const hash = spec.hash ?? digestAlgorithm;
    switch (spec.kind) {
      case 'rsa':
        return cryptoVerify(hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
      case 'pss': {
        const params = new pkijs.RSASSAPSSParams({ schema: alg.algorithmParams });
        const pssHash = DIGESTS[params.hashAlgorithm.algorithmId] ?? 'sha1';
        return cryptoVerify(pssHash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: params.saltLength }, signature);
      }
      case 'ec':
        return cryptoVerify(hash, data, key, signature);
      case 'eddsa':
        return cryptoVerify(null, data, key, signature);
    }
  } catch {
    return false;
  }
}

export interface TimestampCheck {
  time: string;
  tsaSubject: string;
  /** The imprint equals the hash of the stamped data. */
  imprintMatches: boolean;
  /** The token's own digest and signature verify. */
  signatureValid: boolean;
  /** The TSA certificate is, or chains to, a trusted TSA certificate. */
  trusted: boolean;
  tsaCertificate: Buffer | null;
}

/** Checks an RFC 3161 token (a DER ContentInfo) stamping `stamped` (the data, not its hash). */
export function checkTimestampToken(token: Buffer, stamped: Buffer[] | Buffer, anchors: Buffer[]): TimestampCheck {
  const cms = parseSignedData(token);
  if (cms.eContentType !== OID.tstInfo || !cms.eContent) throw new CmsError('the timestamp token carries no TSTInfo');
  const tst = pkijs.TSTInfo.fromBER(new Uint8Array(cms.eContent));
  const imprintAlg = DIGESTS[tst.messageImprint.hashAlgorithm.algorithmId];
  let imprintMatches = false;
  if (imprintAlg) {
    const h = createHash(imprintAlg);
    for (const part of Array.isArray(stamped) ? stamped : [stamped]) h.update(part);
    imprintMatches = h.digest().equals(view(tst.messageImprint.hashedMessage.valueBlock.valueHexView));
  }
  const tsaCertificate = findSignerCertificate(cms, anchors);
  const { digestMatches, signatureValid } = tsaCertificate ? checkSigner(cms, cms.eContent, tsaCertificate) : { digestMatches: false, signatureValid: false };
  const essOk = !cms.essCertHash || !tsaCertificate || cms.essCertHash.equals(createHash('sha256').update(tsaCertificate).digest());
  return {
    time: tst.genTime.toISOString(),
    tsaSubject: tsaCertificate ? subjectOf(tsaCertificate) : 'unknown time-stamping authority',
    imprintMatches,
    signatureValid: digestMatches && signatureValid && essOk,
    trusted: !!tsaCertificate && chainsToAnchor(tsaCertificate, cms.certificates, anchors),
    tsaCertificate,
  };
}

const parsedCertificates = new Map<string, X509Certificate>();

/** node:crypto's view of a certificate, parsed once per process (trust anchors and TSA chains repeat). */
function x509(der: Buffer): X509Certificate {
  const key = der.toString('base64');
  let cert = parsedCertificates.get(key);
  if (!cert) {
    cert = new X509Certificate(der);
    if (parsedCertificates.size >= 256) parsedCertificates.delete(parsedCertificates.keys().next().value as string);
    parsedCertificates.set(key, cert);
  }
  return cert;
}

/** `C=GB, O=…, CN=…`, as openssl and pdfsig print it. */
export function subjectOf(certDer: Buffer): string {
  return x509(certDer).subject.split('\n').filter(Boolean).join(', ');
}

/**
 * True when `certDer` is one of the anchors, or is issued (signature checked) by an anchor,
 * possibly through intermediates from `pool`.
 */
export function chainsToAnchor(certDer: Buffer, pool: Buffer[], anchors: Buffer[]): boolean {
  let anchorCerts: X509Certificate[];
  let poolCerts: X509Certificate[];
  let cert: X509Certificate;
  try {
    cert = x509(certDer);
    anchorCerts = anchors.map(x509);
    poolCerts = pool.map(x509);
  } catch {
    return false;
  }
  const isAnchor = (c: X509Certificate) => anchorCerts.some((a) => a.raw.equals(c.raw));
  const issuedBy = (child: X509Certificate, parent: X509Certificate) => {
    try {
      return child.checkIssued(parent) && child.verify(parent.publicKey);
    } catch {
      return false;
    }
  };
  const walk = (c: X509Certificate, depth: number): boolean => {
    if (isAnchor(c)) return true;
    if (depth > 6) return false;
    for (const parent of [...anchorCerts, ...poolCerts]) {
      if (parent.raw.equals(c.raw) || !issuedBy(c, parent)) continue;
      if (isAnchor(parent) || walk(parent, depth + 1)) return true;
    }
    return false;
  };
  return walk(cert, 0);
}
