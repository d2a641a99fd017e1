import { inflateSync } from 'node:zlib';

/**
 * Just enough PDF syntax to judge a sealed file: where each revision ends, where each
 * signature's /ByteRange and /Contents are, and which objects each incremental update
 * (re)defines. Object parsing is lenient and never throws past `readPdfStructure`.
 */

export interface PdfRevision {
  /** First byte of the revision (0 for the original file). */
  start: number;
  /** One past its `%%EOF` marker and the end-of-line after it. */
  end: number;
  /** One past its `%%EOF` marker (a signature may cover up to here or up to `end`). */
  eofEnd: number;
}

/** Whether `offset` is the end of `revision` (with or without the end-of-line after `%%EOF`). */
export function endsRevision(revision: PdfRevision, offset: number): boolean {
  return offset === revision.end || offset === revision.eofEnd;
}

export interface PdfSignature {
  byteRange: [number, number, number, number];
  /** The DER bytes of /Contents (hex decoded, zero padding kept). */
  contents: Buffer;
  /** /Type /DocTimeStamp or /SubFilter /ETSI.RFC3161. */
  isDocumentTimestamp: boolean;
  subFilter: string | null;
  /** The claimed signing time /M, as written. */
  claimedTime: string | null;
  /** a1 + l1: the end of what the signature covers. */
  coveredEnd: number;
  /** Offset of the /ByteRange keyword. */
  offset: number;
}

export interface PdfObject {
  num: number;
  gen: number;
  /** The object's text up to `stream` or `endobj` (latin1). */
  body: string;
  /** Top-level keys of the object's dictionary, when it is one. */
  dict: Map<string, string> | null;
}

export interface PdfUpdate {
  revision: PdfRevision;
  objects: PdfObject[];
  /** Trailer (or cross-reference stream) dictionary of this revision. */
  trailer: Map<string, string> | null;
  /** Object numbers this revision's cross-reference section marks free (0 excluded). */
  freed: number[];
}

export interface PdfStructure {
  revisions: PdfRevision[];
  signatures: PdfSignature[];
  /** Bytes after the last `%%EOF` that are not whitespace. */
  trailingGarbage: boolean;
}

const EOF_MARK = /%%EOF(\r\n|\r|\n)?/g;
const BYTE_RANGE = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g;

export function isPdfHeader(buf: Buffer): boolean {
  return buf.subarray(0, 1024).toString('latin1').includes('%PDF-');
}

export function readPdfStructure(buf: Buffer, text = buf.toString('latin1')): PdfStructure {
  const revisions: PdfRevision[] = [];
  let start = 0;
  for (const m of text.matchAll(EOF_MARK)) {
    const end = m.index + m[0].length;
    revisions.push({ start, end, eofEnd: m.index + 5 });
    start = end;
  }
  const last = revisions.length ? revisions[revisions.length - 1].end : 0;
  const trailingGarbage = /\S/.test(text.slice(last));

  const signatures: PdfSignature[] = [];
  for (const m of text.matchAll(BYTE_RANGE)) {
    const [a0, l0, a1, l1] = m.slice(1, 5).map(Number);
    const gapStart = a0 + l0;
    // Only real signature dictionaries: the gap is exactly the /Contents hex string.
    if (a0 !== 0 || gapStart >= a1 || a1 + l1 > buf.length || buf[gapStart] !== 0x3c || buf[a1 - 1] !== 0x3e) {
      signatures.push({
        byteRange: [a0, l0, a1, l1],
        contents: Buffer.alloc(0),
        isDocumentTimestamp: false,
        subFilter: null,
        claimedTime: null,
        coveredEnd: a1 + l1,
        offset: m.index,
      });
      continue;
    }
    const hex = text.slice(gapStart + 1, a1 - 1);
    const contents = /^[0-9A-Fa-f\s]*$/.test(hex) ? Buffer.from(hex.replace(/\s+/g, ''), 'hex') : Buffer.alloc(0);
    const dictText = signatureDictionaryText(text, m.index, gapStart, a1);
    const subFilter = /\/SubFilter\s*\/([^\s/<>[\]()]+)/.exec(dictText)?.[1] ?? null;
    const type = /\/Type\s*\/([^\s/<>[\]()]+)/.exec(dictText)?.[1] ?? null;
    const claimedTime = /\/M\s*\(([^)]*)\)/.exec(dictText)?.[1] ?? null;
    signatures.push({
      byteRange: [a0, l0, a1, l1],
      contents,
      isDocumentTimestamp: type === 'DocTimeStamp' || subFilter === 'ETSI.RFC3161',
      subFilter,
      claimedTime,
      coveredEnd: a1 + l1,
      offset: m.index,
    });
  }
  signatures.sort((x, y) => x.coveredEnd - y.coveredEnd || x.offset - y.offset);
  return { revisions, signatures, trailingGarbage };
}

/** The signature dictionary's text without the /Contents hex (which can be 30 KB). */
function signatureDictionaryText(text: string, at: number, gapStart: number, gapEnd: number): string {
  const from = Math.min(at, gapStart);
  const objStart = Math.max(findObjStart(text, from), from - 4096);
  const to = Math.max(at, gapEnd);
  let objEnd = text.indexOf('endobj', to);
  if (objEnd < 0 || objEnd - to > 4096) objEnd = Math.min(text.length, to + 4096);
  const before = text.slice(objStart, Math.min(gapStart, objEnd));
  const after = gapEnd < objEnd ? text.slice(Math.max(gapEnd, objStart), objEnd) : '';
  return `${before} ${after}`;
}

function findObjStart(text: string, from: number): number {
  let i = from;
  while (i > 0) {
    i = text.lastIndexOf('obj', i - 1);
    if (i <= 0) return 0;
    if (text[i - 1] !== 'd') return i + 3;
  }
  return 0;
}

const OBJ_HEADER = /(\d+)\s+(\d+)\s+obj\b/g;

/** The last definition of object `num` in text[0, end) outside object streams, or null. */
export function findObject(buf: Buffer, text: string, num: number, end: number): PdfObject | null {
  const needle = new RegExp(`[^0-9]${num}\\s+\\d+\\s+obj\\b`, 'g');
  let at = -1;
  for (let from = end; from > 0 && at < 0; ) {
    const window = Math.max(0, from - 65_536);
    needle.lastIndex = 0;
    const slice = text.slice(window, from + 16);
    let m: RegExpExecArray | null;
    let last = -1;
    while ((m = needle.exec(slice))) if (window + m.index < end) last = window + m.index + 1;
    if (last >= 0) at = last;
    from = window;
  }
  if (at < 0) return null;
  const [obj] = readObjects(buf, text, at, end);
  return obj && obj.num === num ? obj : null;
}

/** Every object defined in text[start, end), including those packed in object streams. */
export function readObjects(buf: Buffer, text: string, start: number, end: number): PdfObject[] {
  const out: PdfObject[] = [];
  OBJ_HEADER.lastIndex = start;
  let m: RegExpExecArray | null;
  while ((m = OBJ_HEADER.exec(text)) && m.index < end) {
    if (m.index > 0 && /[0-9]/.test(text[m.index - 1])) continue;
    const bodyStart = m.index + m[0].length;
    // Where the object's value ends (parsed, so binary stream data is never searched).
    const p = { s: text, i: bodyStart };
    skipWs(p);
    readValue(p);
    const valueEnd = Math.min(p.i, end);
    const q = { s: text, i: valueEnd };
    skipWs(q);
    const hasStream = text.startsWith('stream', q.i);
    const streamAt = q.i;
    const endobj = hasStream ? -1 : text.indexOf('endobj', valueEnd);
    const bodyEnd = hasStream ? streamAt : valueEnd;
    const body = text.slice(bodyStart, bodyEnd).trim();
    const dict = body.startsWith('<<') ? parseDictionary(body) : null;
    out.push({ num: Number(m[1]), gen: Number(m[2]), body, dict });
    if (hasStream) {
      const dataStart = streamAt + 6 + (text[streamAt + 6] === '\r' ? 2 : 1);
      const endstream = text.indexOf('endstream', dataStart);
      if (endstream < 0) break;
      if (dict && nameValue(dict.get('Type')) === 'ObjStm') {
        out.push(...objectStreamObjects(buf.subarray(dataStart, endstream), dict));
      }
      const after = text.indexOf('endobj', endstream);
      OBJ_HEADER.lastIndex = after < 0 ? endstream + 9 : after + 6;
    } else {
      OBJ_HEADER.lastIndex = endobj >= 0 && endobj - valueEnd < 64 ? endobj + 6 : valueEnd;
    }
  }
  return out;
}

function inflate(data: Buffer, dict: Map<string, string>): Buffer | null {
  const filter = dict.get('Filter')?.replace(/[[\]\s]/g, '');
  if (!filter) return data;
  if (filter !== '/FlateDecode' || dict.has('DecodeParms')) return null;
  try {
    return inflateSync(data);
  } catch {
    try {
      return inflateSync(data.subarray(0, data.length - 1)); // a stray EOL before endstream
    } catch {
      return null;
    }
  }
}

function objectStreamObjects(data: Buffer, dict: Map<string, string>): PdfObject[] {
  const raw = inflate(data, dict);
  const n = Number(dict.get('N'));
  const first = Number(dict.get('First'));
  if (!raw || !Number.isInteger(n) || !Number.isInteger(first)) return [];
  const s = raw.toString('latin1');
  const header = s.slice(0, first).trim().split(/\s+/).map(Number);
  const out: PdfObject[] = [];
  for (let i = 0; i < n; i++) {
    const num = header[i * 2];
    const off = first + header[i * 2 + 1];
    const next = i + 1 < n ? first + header[i * 2 + 3] : s.length;
    const body = s.slice(off, next).trim();
    out.push({ num, gen: 0, body, dict: body.startsWith('<<') ? parseDictionary(body) : null });
  }
  return out;
}

/** The revision's trailer dictionary and the objects its cross-reference section frees. */
export function readUpdate(buf: Buffer, text: string, revision: PdfRevision, options: { trailerOnly?: boolean } = {}): PdfUpdate {
  const objects = options.trailerOnly && text.lastIndexOf('trailer', revision.end) >= revision.start ? [] : readObjects(buf, text, revision.start, revision.end);
  const segment = text.slice(revision.start, revision.end);
  let trailer: Map<string, string> | null = null;
  const freed: number[] = [];
  const trailerAt = segment.lastIndexOf('trailer');
  if (trailerAt >= 0) {
    const dictAt = segment.indexOf('<<', trailerAt);
    if (dictAt >= 0) trailer = parseDictionary(segment.slice(dictAt));
    const xrefAt = segment.lastIndexOf('xref', trailerAt);
    if (xrefAt >= 0) {
      const table = segment.slice(xrefAt + 4, trailerAt);
      let current = 0;
      for (const line of table.split(/\r\n|\r|\n/)) {
        const sub = /^\s*(\d+)\s+(\d+)\s*$/.exec(line);
        const entry = /^\s*(\d{10})\s+(\d{5})\s+([nf])/.exec(line);
        if (entry) {
          if (entry[3] === 'f' && current !== 0) freed.push(current);
          current++;
        } else if (sub) current = Number(sub[1]);
      }
    }
  } else {
    const xrefStream = objects.find((o) => o.dict && nameValue(o.dict.get('Type')) === 'XRef');
    if (xrefStream) trailer = xrefStream.dict;
  }
  return { revision, objects, trailer, freed };
}

/** Top-level entries of a dictionary: key (without '/') → value text, whitespace collapsed. */
export function parseDictionary(s: string): Map<string, string> | null {
  const p = { s, i: 0 };
  skipWs(p);
  if (!s.startsWith('<<', p.i)) return null;
  p.i += 2;
  const out = new Map<string, string>();
  for (let guard = 0; guard < 10_000; guard++) {
    skipWs(p);
    if (p.i >= s.length) return out;
    if (s.startsWith('>>', p.i)) return out;
    if (s[p.i] !== '/') return out;
    const key = readName(p).slice(1);
    skipWs(p);
    const vStart = p.i;
    readValue(p);
    out.set(key, s.slice(vStart, p.i).replace(/\s+/g, ' ').trim());
  }
  return out;
}

export function nameValue(v: string | undefined): string | null {
  return v && v.startsWith('/') ? v.slice(1) : null;
}

/** `12 0 R` → 12. */
export function refNumber(v: string | undefined): number | null {
  const m = v ? /^(\d+)\s+\d+\s+R$/.exec(v) : null;
  return m ? Number(m[1]) : null;
}

/** Object numbers referenced in an array value `[1 0 R 2 0 R]`. */
export function refNumbers(v: string | undefined): number[] {
  return v ? [...v.matchAll(/(\d+)\s+\d+\s+R/g)].map((m) => Number(m[1])) : [];
}

interface Cursor {
  s: string;
  i: number;
}

function skipWs(p: Cursor): void {
  while (p.i < p.s.length) {
    const c = p.s[p.i];
    if (c === '%') {
      while (p.i < p.s.length && p.s[p.i] !== '\n' && p.s[p.i] !== '\r') p.i++;
    } else if (/[\s\0]/.test(c)) p.i++;
    else return;
  }
}

function readName(p: Cursor): string {
  const start = p.i;
  p.i++;
  while (p.i < p.s.length && !/[\s\0/<>[\]()%{}]/.test(p.s[p.i])) p.i++;
  return p.s.slice(start, p.i);
}

function readValue(p: Cursor): void {
  const { s } = p;
  const c = s[p.i];
  if (c === undefined) return;
  if (s.startsWith('<<', p.i)) {
    p.i += 2;
    for (let guard = 0; guard < 10_000 && p.i < s.length; guard++) {
      skipWs(p);
      if (s.startsWith('>>', p.i)) {
        p.i += 2;
        return;
      }
      readValue(p);
    }
    return;
  }
  if (c === '[') {
    p.i++;
    for (let guard = 0; guard < 100_000 && p.i < s.length; guard++) {
      skipWs(p);
      if (s[p.i] === ']') {
        p.i++;
        return;
      }
      readValue(p);
    }
    return;
  }
  if (c === '(') {
    let depth = 0;
    for (; p.i < s.length; p.i++) {
      const ch = s[p.i];
      if (ch === '\\') p.i++;
      else if (ch === '(') depth++;
      else if (ch === ')' && --depth === 0) {
        p.i++;
        return;
      }
    }
    return;
  }
  if (c === '<') {
    const close = s.indexOf('>', p.i);
    p.i = close < 0 ? s.length : close + 1;
    return;
  }
  if (c === '/') {
    readName(p);
    return;
  }
  // number, boolean, null, or an indirect reference `n g R`
  const ref = /^(\d+)\s+(\d+)\s+R(?![A-Za-z])/.exec(s.slice(p.i, p.i + 32));
  if (ref) {
    p.i += ref[0].length;
    return;
  }
  const start = p.i;
  while (p.i < s.length && !/[\s\0/<>[\]()%]/.test(s[p.i])) p.i++;
  if (p.i === start) p.i++; // an unexpected delimiter: step over it
}
