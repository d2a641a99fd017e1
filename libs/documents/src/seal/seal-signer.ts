import { createHash, KeyObject, sign as cryptoSign } from 'node:crypto';
import { Signer } from '@signpdf/utils';
import { children, ctx, integer, nullValue, octets, OID, oid, raw, readNode, seq, setOf, time } from './der';

/** Key and certificates of the platform seal, decoded once and reused for every document. */
export interface SealMaterial {
  privateKey: KeyObject;
  /** DER of the signing certificate. */
  certificate: Buffer;
  /** DER of any further certificates to embed (intermediates), signer excluded. */
  chain: Buffer[];
}

/** SHA-256 (lower-case hex) of a certificate's DER encoding. */
export function sealCertificateFingerprint(certificateDer: Buffer): string {
  return createHash('sha256').update(certificateDer).digest('hex');
}

/** Issuer Name and serialNumber INTEGER of a certificate, as raw DER (copied, not re-encoded). */
export function issuerAndSerial(certificateDer: Buffer): { issuer: Buffer; serial: Buffer } {
  const cert = readNode(certificateDer);
  const tbs = children(cert)[0];
  const fields = children(tbs);
  const offset = fields[0].tag === 0xa0 ? 1 : 0; // explicit [0] version
  return { serial: raw(fields[offset]), issuer: raw(fields[offset + 2]) };
}

export interface CmsInput {
  /** The PDF bytes covered by the ByteRange (everything except the /Contents hex string). */
  content: Buffer;
  material: SealMaterial;
  signingTime: Date;
}

/**
 * Detached CMS SignedData (RFC 5652), SHA-256, with the signed attributes a
 * PAdES baseline B-B signature needs: content-type, message-digest and ESS
 * signing-certificate-v2 (RFC 5035), plus signing-time.
 * The signature over the DER SET of signed attributes is computed by node:crypto.
 */
export function buildCmsSignedData({ content, material, signingTime }: CmsInput): Buffer {
  const { certificate, chain, privateKey } = material;
  const { issuer, serial } = issuerAndSerial(certificate);
  const sha256Alg = seq(oid(OID.sha256));
  const digest = createHash('sha256').update(content).digest();
  const certHash = createHash('sha256').update(certificate).digest();

  const attribute = (type: string, value: Buffer) => seq(oid(type), setOf(value));
  const essCertIdV2 = seq(
    // hashAlgorithm omitted: DEFAULT id-sha256
    octets(certHash),
    seq(seq(ctx(4, issuer)), serial), // IssuerSerial { GeneralNames { directoryName [4] Name }, serial }
  );
  const attributes = [
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.signingTime, time(signingTime)),
    attribute(OID.messageDigest, octets(digest)),
    attribute(OID.signingCertificateV2, seq(seq(essCertIdV2))),
  ];
  const signedAttrsSet = setOf(...attributes); // what is signed: tagged as SET (0x31)
  const signedAttrsImplicit = Buffer.concat([Buffer.from([0xa0]), signedAttrsSet.subarray(1)]); // [0] IMPLICIT

  const keyType = privateKey.asymmetricKeyType;
  let signatureAlg: Buffer;
  if (keyType === 'rsa') signatureAlg = seq(oid(OID.rsaEncryption), nullValue());
  else if (keyType === 'ec') signatureAlg = seq(oid(OID.ecdsaWithSHA256));
  else throw new Error(`Unsupported seal key type ${keyType}`);
  const signature = cryptoSign('sha256', signedAttrsSet, privateKey);

  const signerInfo = seq(
    integer(1),
    seq(issuer, serial),
    sha256Alg,
    signedAttrsImplicit,
    signatureAlg,
    octets(signature),
  );
  const signedData = seq(
    integer(1),
    setOf(sha256Alg),
    seq(oid(OID.data)), // detached: no eContent
    ctx(0, certificate, ...chain),
    setOf(signerInfo),
  );
  return seq(oid(OID.signedData), ctx(0, signedData));
}

/**
 * `@signpdf` signer that reuses an already decoded key (the stock P12Signer
 * re-parses the PKCS#12 with node-forge on every call and can only sign once).
 */
export class SealSigner extends Signer {
  constructor(
    private readonly material: SealMaterial,
    private readonly clock: () => Date = () => new Date(),
  ) {
    super();
  }

  override async sign(pdfBuffer: Buffer, signingTime?: Date): Promise<Buffer> {
    return buildCmsSignedData({ content: pdfBuffer, material: this.material, signingTime: signingTime ?? this.clock() });
  }
}
