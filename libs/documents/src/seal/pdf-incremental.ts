import { SealError } from './signer';

/**
 * Incremental updates (ISO 32000-1 §7.5.6) for the platform's own sealed PDFs: new and
 * replaced objects, a classic cross-reference section and a trailer with /Prev are appended
 * after the last %%EOF, so every byte a signature covers stays as it was. Written for the
 * files pdfkit and these functions produce (classic xref tables, no object streams).
 */

export interface PdfTrailer {
  size: number;
  root: number;
  info: string | null;
  id: string | null;
  /** Offset of the last cross-reference section. */
  startxref: number;
}

const latin1 = (pdf: Buffer) => pdf.toString('latin1');

/*
 * Each update reads the file as latin1 text once and hands that text to every lookup
 * (`text`, optional for other callers): a sealed agreement can be a few megabytes, and a
 * conversion per lookup made a B-LTA seal copy the whole file into a string about ten times.
 */

export function readTrailer(pdf: Buffer, text: string = latin1(pdf)): PdfTrailer {
  const sx = text.lastIndexOf('startxref');
  if (sx < 0) throw new SealError('Not a PDF this platform wrote: no startxref');
  const startxref = Number(/startxref\s+(\d+)/.exec(text.slice(sx))?.[1]);
  if (!Number.isInteger(startxref) || text.slice(startxref, startxref + 4) !== 'xref') {
    throw new SealError('Not a PDF this platform wrote: the last cross-reference section is not a classic xref table');
  }
  const t = text.indexOf('trailer', startxref);
  if (t < 0 || t > sx) throw new SealError('Not a PDF this platform wrote: no trailer');
  const dict = text.slice(t, sx);
  const size = Number(/\/Size\s+(\d+)/.exec(dict)?.[1]);
  const root = Number(/\/Root\s+(\d+)\s+0\s+R/.exec(dict)?.[1]);
  if (!Number.isInteger(size) || !Number.isInteger(root)) throw new SealError('Not a PDF this platform wrote: trailer without /Size or /Root');
  return {
    size,
    root,
    info: /\/Info\s+(\d+\s+0\s+R)/.exec(dict)?.[1] ?? null,
    id: /\/ID\s*(\[[^\]]*\])/.exec(dict)?.[1] ?? null,
    startxref,
  };
}

/** The dictionary text (`<< … >>`) of the latest version of an object (generation 0). */
export function readObjectDictionary(pdf: Buffer, objectNumber: number, text: string = latin1(pdf)): string {
  const re = new RegExp(`(?:^|[\\r\\n ])${objectNumber} 0 obj\\s*`, 'g');
  let last: RegExpExecArray | null = null;
  for (let m = re.exec(text); m; m = re.exec(text)) last = m;
  if (!last) throw new SealError(`Object ${objectNumber} is missing`);
  const start = last.index + last[0].length;
  const end = text.indexOf('endobj', start);
  const body = text.slice(start, end).trim();
  if (!body.startsWith('<<') || !body.endsWith('>>')) throw new SealError(`Object ${objectNumber} is not a dictionary`);
  return body;
}

/** Sets (or replaces) a key of a dictionary whose values are names, numbers, references or flat arrays. */
export function setDictionaryEntry(dictionary: string, key: string, value: string): string {
  const without = dictionary.replace(new RegExp(`\\/${key}\\s*(\\d+\\s+\\d+\\s+R|\\[[^\\]]*\\]|\\/[^\\s/<>\\[\\]()]+|\\d+)`), '');
  return `${without.slice(0, without.lastIndexOf('>>')).trimEnd()}\n/${key} ${value}\n>>`;
}

export const ref = (n: number) => `${n} 0 R`;
export const refsIn = (array: string | undefined): string[] => [...(array ?? '').matchAll(/(\d+)\s+0\s+R/g)].map((m) => ref(Number(m[1])));

export interface NewObject {
  num: number;
  /** Everything between `N 0 obj` and `endobj`. */
  body: Buffer;
}

export const dictObject = (num: number, dictionary: string): NewObject => ({ num, body: Buffer.from(dictionary, 'latin1') });
export const streamObject = (num: number, data: Buffer, extra = ''): NewObject => ({
  num,
  body: Buffer.concat([Buffer.from(`<< /Length ${data.length}${extra} >>\nstream\n`, 'latin1'), data, Buffer.from('\nendstream', 'latin1')]),
});

/** Appends one incremental update holding the given objects; returns the new file and the offset of each object. */
export function appendIncrementalUpdate(pdf: Buffer, objects: NewObject[], trailer: PdfTrailer = readTrailer(pdf)): { pdf: Buffer; offsets: Map<number, number> } {
  const parts: Buffer[] = [pdf];
  let length = pdf.length;
  const push = (b: Buffer) => {
    parts.push(b);
    length += b.length;
  };
  if (pdf[pdf.length - 1] !== 0x0a) push(Buffer.from('\n'));
  const offsets = new Map<number, number>();
  for (const o of objects) {
    offsets.set(o.num, length);
    push(Buffer.from(`${o.num} 0 obj\n`, 'latin1'));
    push(o.body);
    push(Buffer.from('\nendobj\n', 'latin1'));
  }
  const xrefOffset = length;
  const nums = [...offsets.keys()].sort((a, b) => a - b);
  let xref = 'xref\n';
  for (const n of nums) xref += `${n} 1\n${String(offsets.get(n)).padStart(10, '0')} 00000 n \n`;
  const size = Math.max(trailer.size, nums[nums.length - 1] + 1);
  xref += `trailer\n<<\n/Size ${size}\n/Root ${ref(trailer.root)}\n${trailer.info ? `/Info ${trailer.info}\n` : ''}${trailer.id ? `/ID ${trailer.id}\n` : ''}/Prev ${trailer.startxref}\n>>\nstartxref\n${xrefOffset}\n%%EOF\n`;
  push(Buffer.from(xref, 'latin1'));
  return { pdf: Buffer.concat(parts, length), offsets };
}

/** Certificates and revocation data to keep in the document security store. */
export interface ValidationData {
  certificates: Buffer[];
  crls: Buffer[];
}

/**
 * PAdES B-LT: a document security store (/DSS, ISO 32000-2 §12.8.4.3) with the certificates
 * and CRLs a validator needs later, merged with any DSS already in the file.
 */
export function appendDss(pdf: Buffer, data: ValidationData): Buffer {
  const text = latin1(pdf);
  const trailer = readTrailer(pdf, text);
  const catalog = readObjectDictionary(pdf, trailer.root, text);
  let existingCerts: string[] = [];
  let existingCrls: string[] = [];
  const dssRef = /\/DSS\s+(\d+)\s+0\s+R/.exec(catalog);
  if (dssRef) {
    const dss = readObjectDictionary(pdf, Number(dssRef[1]), text);
    existingCerts = refsIn(/\/Certs\s*\[([^\]]*)\]/.exec(dss)?.[1]);
    existingCrls = refsIn(/\/CRLs\s*\[([^\]]*)\]/.exec(dss)?.[1]);
  }
  let next = trailer.size;
  const objects: NewObject[] = [];
  const unique = (list: Buffer[]) => list.filter((b, i) => list.findIndex((o) => o.equals(b)) === i);
  const certRefs = unique(data.certificates).map((der) => {
    objects.push(streamObject(next, der));
    return ref(next++);
  });
  const crlRefs = unique(data.crls).map((der) => {
    objects.push(streamObject(next, der));
    return ref(next++);
  });
  const dssNum = next++;
  const certs = [...existingCerts, ...certRefs];
  const crls = [...existingCrls, ...crlRefs];
  objects.push(dictObject(dssNum, `<<\n/Type /DSS\n/Certs [${certs.join(' ')}]${crls.length ? `\n/CRLs [${crls.join(' ')}]` : ''}\n>>`));
  objects.push(dictObject(trailer.root, setDictionaryEntry(catalog, 'DSS', ref(dssNum))));
  return appendIncrementalUpdate(pdf, objects, trailer).pdf;
}

const BYTE_RANGE_PLACEHOLDER = '/ByteRange [0 0000000000 0000000000 0000000000]';

/**
 * PAdES B-LTA: a document timestamp (/Type /DocTimeStamp, /SubFilter /ETSI.RFC3161) over the
 * whole file as it stands, in a new invisible signature field, as a further incremental update.
 * `timestamp` gets the SHA-256 of the signed ranges and returns the TimeStampToken DER.
 */
export async function appendDocumentTimestamp(
  pdf: Buffer,
  timestamp: (sha256Digest: Buffer) => Promise<Buffer>,
  digest: (ranges: Buffer[]) => Buffer,
  reservedBytes = 12288,
): Promise<Buffer> {
  const text = latin1(pdf);
  const trailer = readTrailer(pdf, text);
  const catalog = readObjectDictionary(pdf, trailer.root, text);
  const acroFormRef = /\/AcroForm\s+(\d+)\s+0\s+R/.exec(catalog);
  if (!acroFormRef) throw new SealError('The PDF has no signature form to add a document timestamp to');
  const acroFormNum = Number(acroFormRef[1]);
  const acroForm = readObjectDictionary(pdf, acroFormNum, text);
  const fields = refsIn(/\/Fields\s*\[([^\]]*)\]/.exec(acroForm)?.[1]);
  const firstField = fields[0] ? readObjectDictionary(pdf, Number(fields[0].split(' ')[0]), text) : '';
  const page = /\/P\s+(\d+\s+0\s+R)/.exec(firstField)?.[1];
  const count = (text.match(/\/Type\s*\/DocTimeStamp/g) ?? []).length;

  const sigNum = trailer.size;
  const fieldNum = trailer.size + 1;
  const contentsPlaceholder = `<${'0'.repeat(reservedBytes * 2)}>`;
  const sigDict = `<<\n/Type /DocTimeStamp\n/Filter /Adobe.PPKLite\n/SubFilter /ETSI.RFC3161\n${BYTE_RANGE_PLACEHOLDER}\n/Contents ${contentsPlaceholder}\n>>`;
  const fieldDict = `<<\n/Type /Annot\n/Subtype /Widget\n/FT /Sig\n/F 132\n/Rect [0 0 0 0]\n/V ${ref(sigNum)}\n/T (DocumentTimestamp${count + 1})${page ? `\n/P ${page}` : ''}\n>>`;
  const { pdf: prepared, offsets } = appendIncrementalUpdate(pdf, [
    dictObject(sigNum, sigDict),
    dictObject(fieldNum, fieldDict),
    dictObject(acroFormNum, setDictionaryEntry(setDictionaryEntry(acroForm, 'Fields', `[${[...fields, ref(fieldNum)].join(' ')}]`), 'SigFlags', '3')),
  ], trailer);
  const sigOffset = offsets.get(sigNum)!;
  // Searched in the bytes from the new signature dictionary on (no second copy of the file as text).
  const contentsStart = prepared.indexOf('/Contents <', sigOffset, 'latin1') + '/Contents '.length;
  const contentsEnd = contentsStart + contentsPlaceholder.length;
  const byteRange = [0, contentsStart, contentsEnd, prepared.length - contentsEnd];
  const byteRangeText = `/ByteRange [${byteRange.join(' ')}]`.padEnd(BYTE_RANGE_PLACEHOLDER.length, ' ');
  const brStart = prepared.indexOf(BYTE_RANGE_PLACEHOLDER, sigOffset, 'latin1');
  prepared.write(byteRangeText, brStart, 'latin1');
  const token = await timestamp(digest([prepared.subarray(0, contentsStart), prepared.subarray(contentsEnd)]));
  if (token.length > reservedBytes) throw new SealError(`The document timestamp (${token.length} bytes) does not fit the ${reservedBytes} bytes reserved`);
  prepared.write(token.toString('hex').padEnd(reservedBytes * 2, '0'), contentsStart + 1, 'latin1');
  return prepared;
}
