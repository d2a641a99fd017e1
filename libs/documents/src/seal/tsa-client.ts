import { createHash, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID, toBuffer } from './cms';
import { SealError } from './signer';

/** Where trusted time comes from: an RFC 3161 timestamp authority reached over HTTP(S). */
export interface TimestampAuthority {
  readonly url: string;
  /** DER of a TimeStampToken (a CMS ContentInfo) over the SHA-256 digest given. */
  timestamp(sha256Digest: Buffer): Promise<Buffer>;
}

export interface TsaClientOptions {
  url: string;
  username?: string;
  password?: string;
  /** Milliseconds before the request is abandoned (default 15 s). */
  timeoutMs?: number;
}

const toArrayBuffer = (b: Buffer): ArrayBuffer => new Uint8Array(b).buffer;

/** DER TimeStampReq (RFC 3161 §2.4.1): SHA-256 imprint, a random nonce, and the TSA certificate asked for. */
export function timestampRequest(sha256Digest: Buffer, nonce: Buffer = randomBytes(8)): Buffer {
  const request = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 }),
      hashedMessage: new asn1js.OctetString({ valueHex: toArrayBuffer(sha256Digest) }),
    }),
    nonce: new asn1js.Integer({ valueHex: toArrayBuffer(Buffer.concat([Buffer.from([0x01]), nonce])) }),
    certReq: true,
  });
  return toBuffer(request.toSchema().toBER());
}

export interface TimestampInfo {
  /** genTime of the token (ISO 8601). */
  time: string;
  /** Hex of the hashed message in the token. */
  imprint: string;
  nonce: string | null;
  /** DER certificates carried in the token (the TSA's, when certReq was set). */
  certificates: Buffer[];
}

const isContextTag = (block: asn1js.AsnType | undefined, tag: number): block is asn1js.Constructed =>
  block instanceof asn1js.Constructed && block.idBlock.tagClass === 3 && block.idBlock.tagNumber === tag;
const objectIdentifier = (block: asn1js.AsnType | undefined) => (block instanceof asn1js.ObjectIdentifier ? block.getValue() : null);

/**
 * Reads a TimeStampToken without building pkijs objects for its certificates (their schema
 * check is most of the cost, and a seal reads each token twice: when it arrives and for the
 * DSS): the asn1js tree gives the TSTInfo (parsed with pkijs) and the certificates' own bytes.
 */
function parseTimestampToken(token: Buffer): TimestampInfo {
  const parsed = asn1js.fromBER(toArrayBuffer(token));
  const contentInfo = parsed.offset === -1 || !(parsed.result instanceof asn1js.Sequence) ? [] : parsed.result.valueBlock.value;
  const content = contentInfo[1];
  const signedData = isContextTag(content, 0) ? content.valueBlock.value[0] : undefined;
  if (objectIdentifier(contentInfo[0]) !== OID.signedData || !(signedData instanceof asn1js.Sequence)) {
    throw new SealError('The timestamp token is not CMS SignedData');
  }
  const fields = signedData.valueBlock.value;
  const encapsulated = fields[2] instanceof asn1js.Sequence ? fields[2].valueBlock.value : [];
  const wrapper = encapsulated[1];
  const eContent = isContextTag(wrapper, 0) ? wrapper.valueBlock.value[0] : undefined;
  if (objectIdentifier(encapsulated[0]) !== OID.tstInfo || !(eContent instanceof asn1js.OctetString)) {
    throw new SealError('The timestamp token carries no TSTInfo');
  }
  const tstInfo = pkijs.TSTInfo.fromBER(eContent.getValue());
  // certificates [0] IMPLICIT CertificateSet, after encapContentInfo; X.509 ones are SEQUENCEs.
  const certificateSet = fields.slice(3).find((f) => isContextTag(f, 0)) as asn1js.Constructed | undefined;
  return {
    time: tstInfo.genTime.toISOString(),
    imprint: toBuffer(tstInfo.messageImprint.hashedMessage.valueBlock.valueHexView).toString('hex'),
    nonce: tstInfo.nonce ? toBuffer(tstInfo.nonce.valueBlock.valueHexView).toString('hex') : null,
    certificates: (certificateSet?.valueBlock.value ?? []).filter((c) => c instanceof asn1js.Sequence).map((c) => toBuffer(c.valueBeforeDecodeView)),
  };
}

/** What each token read says, by token (tokens are not changed after they arrive). */
const readTokens = new WeakMap<Buffer, TimestampInfo>();

/** Reads a TimeStampToken: its time, imprint, nonce and certificates. Throws on garbage. */
export function readTimestampToken(token: Buffer): TimestampInfo {
  let info = readTokens.get(token);
  if (!info) {
    info = parseTimestampToken(token);
    readTokens.set(token, info);
  }
  return info;
}

/** Checks a TimeStampResp (RFC 3161 §2.4.2) against the request and returns its token. */
export function timestampTokenFromResponse(response: Buffer, sha256Digest: Buffer, nonce: Buffer | null): Buffer {
  // TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken ContentInfo OPTIONAL }: the
  // status through pkijs; the token kept as the bytes received (read once, by readTimestampToken).
  let status: pkijs.PKIStatusInfo;
  let tokenBlock: asn1js.AsnType | undefined;
  try {
    const parsed = asn1js.fromBER(toArrayBuffer(response));
    if (parsed.offset === -1 || !(parsed.result instanceof asn1js.Sequence)) throw new Error('not DER');
    [, tokenBlock] = parsed.result.valueBlock.value;
    status = new pkijs.PKIStatusInfo({ schema: parsed.result.valueBlock.value[0] });
  } catch (error) {
    throw new SealError(`The timestamp authority's answer is not a timestamp response (${(error as Error).message})`);
  }
  if (status.status !== 0 && status.status !== 1) {
    const text = status.statusStrings?.map((s) => s.valueBlock.value).join('; ');
    throw new SealError(`The timestamp authority refused the request (status ${status.status}${text ? `: ${text}` : ''})`);
  }
  if (!tokenBlock) throw new SealError('The timestamp authority granted the request but sent no token');
  const token = toBuffer(tokenBlock.valueBeforeDecodeView);
  const info = readTimestampToken(token);
  if (info.imprint !== sha256Digest.toString('hex')) throw new SealError('The timestamp token is for other data than we sent');
  if (nonce && info.nonce !== Buffer.concat([Buffer.from([0x01]), nonce]).toString('hex')) {
    throw new SealError('The timestamp token does not carry our nonce');
  }
  return token;
}

/** RFC 3161 over HTTP (RFC 3161 §3.4): POST application/timestamp-query, optional basic auth. */
export class HttpTimestampAuthority implements TimestampAuthority {
  readonly url: string;
  constructor(private readonly options: TsaClientOptions) {
    this.url = options.url;
  }

  async timestamp(sha256Digest: Buffer): Promise<Buffer> {
    const nonce = randomBytes(8);
    const headers: Record<string, string> = { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' };
    if (this.options.username) {
      headers.authorization = `Basic ${Buffer.from(`${this.options.username}:${this.options.password ?? ''}`).toString('base64')}`;
    }
    const body = timestampRequest(sha256Digest, nonce);
    const deadline = AbortSignal.timeout(this.options.timeoutMs ?? 15_000);
    let response: Response | undefined;
    // A pooled keep-alive connection the TSA closed at the same moment fails with "fetch
    // failed" before anything was processed; the request is idempotent, so one retry on a
    // fresh connection is safe. A timeout is not retried.
    for (let attempt = 1; !response; attempt++) {
      try {
        response = await fetch(this.url, { method: 'POST', headers, body: new Uint8Array(body), signal: deadline });
      } catch (error) {
        const timedOut = deadline.aborted || (error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError';
        if (attempt >= 2 || timedOut) throw new SealError(`The timestamp authority ${this.url} did not answer (${(error as Error).message})`);
      }
    }
    if (!response.ok) throw new SealError(`The timestamp authority ${this.url} answered HTTP ${response.status}`);
    return timestampTokenFromResponse(Buffer.from(await response.arrayBuffer()), sha256Digest, nonce);
  }
}

/** SHA-256 of some bytes (the imprint a timestamp is asked for). */
export const sha256 = (data: Buffer) => createHash('sha256').update(data).digest();
