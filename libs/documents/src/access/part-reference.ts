import { createHash, randomBytes } from 'node:crypto';

/** RFC 4648 base32 alphabet, lower-case: no 0/1/8/9, so nothing to confuse with O, I, L or B. */
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** Length of a public verification code: 16 base32 characters carry 80 random bits. */
export const VERIFICATION_CODE_LENGTH = 16;

const CODE = new RegExp(`^[a-z2-7]{${VERIFICATION_CODE_LENGTH}}$`);

/** A fresh public verification code: 80 bits from the operating system's CSPRNG, base32. */
export function newVerificationCode(): string {
  const bytes = randomBytes((VERIFICATION_CODE_LENGTH * 5) / 8);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

/**
 * The code as typed or copied by a person (any case, spaces or dashes between groups), or null
 * when it cannot be a code — so a sequential reference never reaches the database lookup.
 */
export function normaliseVerificationCode(input: string): string | null {
  if (typeof input !== 'string' || input.length > 40) return null;
  const code = input.toLowerCase().replace(/[\s-]/g, '');
  return CODE.test(code) ? code : null;
}

/** The URL printed on a part: the public page for exactly that part. */
export function verificationUrl(publicBaseUrl: string, code: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/verify/${code}`;
}

const BYTE_RANGE = /^\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]$/;

/**
 * The first `/ByteRange [a b c d]` in file order, found in the bytes (the seal's dictionary is
 * near the end of a file of up to a few megabytes: no copy of it as text, no regex over all of
 * it). A match ends at the first `]` after its `/ByteRange`, so each occurrence is tested on
 * that much; one that is not four numbers (a placeholder) is passed over, as before.
 */
function firstByteRange(pdf: Buffer): number[] | null {
  for (let at = pdf.indexOf('/ByteRange'); at >= 0; at = pdf.indexOf('/ByteRange', at + 1)) {
    const close = pdf.indexOf(']', at);
    if (close < 0) return null;
    const match = BYTE_RANGE.exec(pdf.toString('latin1', at, close + 1));
    if (match) return match.slice(1).map(Number);
  }
  return null;
}

/**
 * SHA-256 of the revision the seal signed: the file from its start to the end of the seal's
 * ByteRange. The seal is the first signature in file order (a DSS or a document timestamp is
 * appended after it), so every later version of a part (B-LT, B-LTA, renewed timestamps) keeps
 * this hash. Null when the file has no usable ByteRange. Used on our own output at generation,
 * and on an upload only after the verifier has checked the ByteRange (see DocumentsService).
 */
export function signedRevisionSha256(pdf: Buffer): string | null {
  const range = firstByteRange(pdf);
  if (!range) return null;
  const [start, , second, secondLength] = range;
  const end = second + secondLength;
  if (start !== 0 || end > pdf.length || end <= 0) return null;
  return createHash('sha256').update(pdf.subarray(0, end)).digest('hex');
}
