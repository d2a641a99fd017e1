import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { SealError, SealKeySigner } from './signer';

/** Object identifiers used by the seal (RFC 5652, RFC 5035, RFC 3161). */
export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
} as const;

export const toBuffer = (b: ArrayBuffer | ArrayBufferView): Buffer =>
  ArrayBuffer.isView(b) ? Buffer.from(b.buffer, b.byteOffset, b.byteLength) : Buffer.from(b);
const toArrayBuffer = (b: Buffer): ArrayBuffer => new Uint8Array(b).buffer;

export function parseCertificate(der: Buffer): pkijs.Certificate {
  try {
    return pkijs.Certificate.fromBER(toArrayBuffer(der));
  } catch (error) {
    throw new SealError(`Not an X.509 certificate: ${(error as Error).message}`);
  }
}

/**
 * The signer's certificates are the same buffers for every seal of a process: parsed once
 * (pkijs's schema check costs milliseconds per certificate), read-only afterwards.
 */
const signerCertificates = new WeakMap<Buffer, pkijs.Certificate>();
function signerCertificate(der: Buffer): pkijs.Certificate {
  let certificate = signerCertificates.get(der);
  if (!certificate) {
    certificate = parseCertificate(der);
    signerCertificates.set(der, certificate);
  }
  return certificate;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest();
const sha256Algorithm = () => new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 });

/** ESS signing-certificate-v2 (RFC 5035): SHA-256 of the signer certificate plus its issuer and serial. */
function signingCertificateV2(certificateDer: Buffer, certificate: pkijs.Certificate): asn1js.Sequence {
  const essCertIdV2 = new asn1js.Sequence({
    value: [
      // hashAlgorithm omitted: DEFAULT id-sha256
      new asn1js.OctetString({ valueHex: toArrayBuffer(sha256(certificateDer)) }),
      new asn1js.Sequence({
        value: [
          new pkijs.GeneralNames({ names: [new pkijs.GeneralName({ type: 4, value: certificate.issuer })] }).toSchema(),
          certificate.serialNumber,
        ],
      }),
    ],
  });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] });
}

/**
 * A certificate for a SignedData's certificate set, re-encoded by asn1js from its own parse of
 * the bytes we hold (DER in, the same DER out) rather than by pkijs, which re-parses a
 * certificate against its schema first (milliseconds each). CertificateSet calls toSchema().
 */
const asIs = (der: Buffer) => ({ toSchema: () => asn1js.fromBER(toArrayBuffer(der)).result }) as unknown as pkijs.Certificate;

export interface CmsInput {
  /** SHA-256 of the PDF bytes covered by the ByteRange (detached), or of `encapsulated.content`. */
  contentDigest: Buffer;
  signer: SealKeySigner;
  /** Adds an RFC 3161 signature timestamp over the signature value (PAdES B-T). */
  timestamp?: (signatureValue: Buffer) => Promise<Buffer>;
  /**
   * Content carried inside the SignedData instead of detached, with its type — e.g. a TSTInfo
   * (RFC 3161 §2.4.2), which is how a timestamp token is made.
   */
  encapsulated?: { contentType: string; content: Buffer };
  /** Certificates carried in the SignedData (default: the signer's and its chain; none when empty). */
  certificates?: Buffer[];
}

/**
 * CMS SignedData (RFC 5652) for a PAdES baseline signature: detached, SHA-256, signed attributes
 * content-type, message-digest and ESS signing-certificate-v2 — no signing-time (the claimed
 * time is the signature dictionary's /M) — and, when a timestamp source is given, the
 * signature-time-stamp-token unsigned attribute. With `encapsulated`, the same structure
 * carrying its content (a timestamp token's shape).
 */
export async function buildCmsSignedData({ contentDigest, signer, timestamp, encapsulated, certificates }: CmsInput): Promise<Buffer> {
  const certificate = signerCertificate(signer.certificate);
  const contentType = encapsulated?.contentType ?? OID.data;
  const attributes = [
    new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: contentType })] }),
    new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: toArrayBuffer(contentDigest) })] }),
    new pkijs.Attribute({ type: OID.signingCertificateV2, values: [signingCertificateV2(signer.certificate, certificate)] }),
  ];
  // DER orders a SET OF by the encodings of its elements (X.690 §11.6); verifiers that re-encode
  // the attributes (OpenSSL does) would otherwise hash other bytes than we signed.
  attributes.sort((a, b) => Buffer.compare(toBuffer(a.toSchema().toBER()), toBuffer(b.toSchema().toBER())));
  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes });
  const signedAttrsDer = toBuffer(signedAttrs.toSchema().toBER());
  signedAttrsDer[0] = 0x31; // what is signed is the SET OF, not the [0] IMPLICIT form
  const signature = await signer.sign(sha256(signedAttrsDer));

  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: certificate.issuer, serialNumber: certificate.serialNumber }),
    digestAlgorithm: sha256Algorithm(),
    signedAttrs,
    signatureAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.rsaEncryption, algorithmParams: new asn1js.Null() }),
    signature: new asn1js.OctetString({ valueHex: toArrayBuffer(signature) }),
  });
  if (timestamp) {
    const token = await timestamp(signature);
    const tokenAsn1 = asn1js.fromBER(toArrayBuffer(token));
    if (tokenAsn1.offset === -1 || tokenAsn1.offset !== token.length) throw new SealError('The timestamp authority answered with a token that is not DER');
    signerInfo.unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({
      type: 1,
      attributes: [new pkijs.Attribute({ type: OID.signatureTimeStampToken, values: [tokenAsn1.result] })],
    });
  }

  const carried = certificates ?? [signer.certificate, ...signer.chain];
  const signedData = new pkijs.SignedData({
    // RFC 5652 §5.1: version 3 when the encapsulated content is not id-data.
    version: contentType === OID.data ? 1 : 3,
    digestAlgorithms: [sha256Algorithm()],
    // A detached signature has no eContent at all (pkijs would write an empty one for `undefined`).
    encapContentInfo: new pkijs.EncapsulatedContentInfo({
      eContentType: contentType,
      ...(encapsulated ? { eContent: new asn1js.OctetString({ valueHex: toArrayBuffer(encapsulated.content) }) } : {}),
    }),
    certificates: carried.length > 0 ? carried.map(asIs) : undefined,
    signerInfos: [signerInfo],
  });
  const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  return toBuffer(contentInfo.toSchema().toBER());
}
