import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import { Signer } from '@signpdf/utils';
import { buildCmsSignedData, toBuffer } from './cms';
import { SealError, SealKeySigner, sealCertificateFingerprint } from './signer';

export { sealCertificateFingerprint };

/** Issuer Name and serialNumber INTEGER of a certificate, as the DER bytes found in it (not re-encoded). */
export function issuerAndSerial(certificateDer: Buffer): { issuer: Buffer; serial: Buffer } {
  const parsed = asn1js.fromBER(new Uint8Array(certificateDer));
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.Sequence)) throw new SealError('Not an X.509 certificate');
  const tbs = parsed.result.valueBlock.value[0] as asn1js.Sequence;
  const fields = tbs.valueBlock.value;
  const offset = fields[0].idBlock.tagClass === 3 ? 1 : 0; // explicit [0] version
  return {
    serial: toBuffer(fields[offset].valueBeforeDecodeView),
    issuer: toBuffer(fields[offset + 2].valueBeforeDecodeView),
  };
}

/**
 * `@signpdf` signer: hands the CMS builder the digest of the ByteRange bytes and the key
 * behind the signer interface; adds the RFC 3161 signature timestamp when one is given.
 */
export class SealSigner extends Signer {
  constructor(
    private readonly key: SealKeySigner,
    private readonly timestamp?: (signatureValue: Buffer) => Promise<Buffer>,
  ) {
    super();
  }

  override async sign(pdfBuffer: Buffer): Promise<Buffer> {
    const contentDigest = createHash('sha256').update(pdfBuffer).digest();
    return buildCmsSignedData({ contentDigest, signer: this.key, timestamp: this.timestamp });
  }
}
