import { createHash } from 'node:crypto';
import { signedRevisionSha256 } from '../part-reference';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('signedRevisionSha256', () => {
  it('hashes the file up to the end of the first complete ByteRange, passing over a placeholder before it', () => {
    const pdf = Buffer.from(`%PDF-1.7\n<< /ByteRange [0 /********** /********** /**********] >>\n<< /Type /Sig /ByteRange [ 0 10\n20  130 ] >>\n${'z'.repeat(200)}`, 'latin1');
    expect(signedRevisionSha256(pdf)).toBe(sha256(pdf.subarray(0, 150)));
  });

  it('takes the first ByteRange in file order when there are several (the seal, then a document timestamp)', () => {
    const pdf = Buffer.from(`%PDF-1.7\n/ByteRange [0 10 20 30]\n${'y'.repeat(60)}/ByteRange [0 10 20 ${60 + 40}]\n`, 'latin1');
    expect(signedRevisionSha256(pdf)).toBe(sha256(pdf.subarray(0, 50)));
  });

  it('is null without a usable ByteRange: none, only a placeholder, not from the start, or past the end of the file', () => {
    expect(signedRevisionSha256(Buffer.from('%PDF-1.7\n%%EOF\n'))).toBeNull();
    expect(signedRevisionSha256(Buffer.from('%PDF-1.7 /ByteRange [0 /********** /********** /**********]'))).toBeNull();
    expect(signedRevisionSha256(Buffer.from('%PDF-1.7 /ByteRange [5 10 20 30] and more bytes than that........................'))).toBeNull();
    expect(signedRevisionSha256(Buffer.from('%PDF-1.7 /ByteRange [0 10 20 3000]'))).toBeNull();
    expect(signedRevisionSha256(Buffer.from('%PDF-1.7 /ByteRange [0 10 20 30'))).toBeNull();
  });
});
