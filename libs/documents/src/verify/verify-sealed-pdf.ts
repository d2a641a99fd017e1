import { createHash } from 'node:crypto';
import { chainsToAnchor, checkSigner, checkTimestampToken, findSignerCertificate, parseSignedData, SignerCms, subjectOf, TimestampCheck } from './cms';
import {
  endsRevision,
  isPdfHeader,
  nameValue,
  parseDictionary,
  PdfObject,
  PdfRevision,
  PdfSignature,
  findObject,
  readObjects,
  readPdfStructure,
  readUpdate,
  refNumber,
  refNumbers,
} from './pdf-structure';
import type { PadesLevel } from '../seal/seal.service';
import type { SealTrust } from '../seal/seal-trust';

export type { SealTrust };

export type SealVerdictCode = 'AUTHENTIC' | 'ALTERED' | 'MODIFIED_AFTER_SEAL' | 'UNTRUSTED_KEY' | 'NOT_SEALED' | 'NOT_A_PDF';

export interface SealVerdict {
  verdict: SealVerdictCode;
  /** The verdict in words, for a person. */
  detail: string;
  /** SHA-256 (hex) of the bytes as received. */
  documentSha256: string;
  /**
   * SHA-256 (hex) of the revision the seal covers (the file up to the seal's end), or null when
   * there is no readable seal. Equals `documentSha256` when nothing was added after the seal;
   * after B-LT/B-LTA updates it is the hash of the document as first sealed.
   */
  sealedRevisionSha256: string | null;
  /** /PcnReference of the sealed revision's document information. */
  embeddedReference: string | null;
  /** SHA-256 (hex) of the certificate that made the seal. */
  sealCertificateFingerprint: string | null;
  signatureTimestamp: { time: string; tsaSubject: string; trusted: boolean } | null;
  /** Document timestamps after the seal that check out. */
  documentTimestamps: number;
  level: PadesLevel | null;
}

const WORDS = {
  notAPdf: 'This file is not a PDF, so it cannot be a document sealed by the platform. Upload the PDF you downloaded from the platform.',
  notSealed: 'This PDF carries no seal. Documents sealed by the platform always carry one, so this is not a sealed copy.',
  altered: 'The file has been changed since it was sealed: the sealed content no longer matches its seal.',
};

/**
 * Verifies a PDF sealed by the platform: the seal's byte range, message digest, CMS signature,
 * the seal certificate against `trust`, its signature timestamp, and every incremental update
 * after the seal (only a DSS and document timestamps covering the whole file are accepted).
 * Never throws: any input gives a verdict.
 */
export async function verifySealedPdf(bytes: Buffer, trust: SealTrust): Promise<SealVerdict> {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from((bytes as Uint8Array | undefined) ?? []);
  const base: SealVerdict = {
    verdict: 'NOT_A_PDF',
    detail: WORDS.notAPdf,
    documentSha256: createHash('sha256').update(buf).digest('hex'),
    sealedRevisionSha256: null,
    embeddedReference: null,
    sealCertificateFingerprint: null,
    signatureTimestamp: null,
    documentTimestamps: 0,
    level: null,
  };
  try {
    return judge(buf, trust ?? { sealCertificates: [], tsaCertificates: [] }, base);
  } catch (err) {
    return { ...base, verdict: isPdfHeader(buf) ? 'ALTERED' : 'NOT_A_PDF', detail: `The file could not be checked: ${(err as Error).message}.` };
  }
}

function judge(buf: Buffer, trust: SealTrust, base: SealVerdict): SealVerdict {
  if (!isPdfHeader(buf)) return base;
  const text = buf.toString('latin1');
  const structure = readPdfStructure(buf, text);
  const lastRevision = structure.revisions[structure.revisions.length - 1];
  const seal = structure.signatures.find((s) => !s.isDocumentTimestamp);

  if (!seal) {
    const reference = readReference(text) ?? null;
    const cut = structure.revisions.length === 0 ? ' The file is also incomplete: it stops before its end-of-file marker.' : '';
    const onlyTimestamps = structure.signatures.length > 0 ? ' It carries document timestamps only.' : '';
    return { ...base, verdict: 'NOT_SEALED', detail: `${WORDS.notSealed}${onlyTimestamps}${cut}`, embeddedReference: reference };
  }

  const [a0, l0, a1, l1] = seal.byteRange;
  const v: SealVerdict = { ...base, embeddedReference: readReference(text.slice(0, Math.min(seal.coveredEnd, buf.length))) ?? null };
  const altered = (why: string): SealVerdict => ({ ...v, verdict: 'ALTERED', detail: `${WORDS.altered} ${why}` });

  if (seal.coveredEnd > buf.length) {
    return altered(`The file is incomplete: it stops at byte ${buf.length}, but the sealed content runs to byte ${seal.coveredEnd}. It was probably cut off in transfer; upload the whole file.`);
  }
  if (a0 !== 0 || seal.contents.length === 0) {
    return altered('The seal does not cover the document from its first byte, or its signature is missing.');
  }
  const sealRevisionIndex = structure.revisions.findIndex((r) => endsRevision(r, seal.coveredEnd));
  if (sealRevisionIndex < 0) {
    return altered('The seal does not cover the whole document up to the end of the version it sealed.');
  }
  if (seal.offset >= a0 + l0 && seal.offset < a1) {
    return altered('The seal’s byte range lies outside the sealed content.');
  }
  v.sealedRevisionSha256 = createHash('sha256').update(buf.subarray(0, seal.coveredEnd)).digest('hex');

  let cms: SignerCms;
  try {
    cms = parseSignedData(seal.contents);
  } catch (err) {
    return altered(`The seal itself is damaged: ${(err as Error).message}.`);
  }
  const signerCert = findSignerCertificate(cms, trust.sealCertificates);
  if (!signerCert) {
    return { ...v, verdict: 'UNTRUSTED_KEY', detail: 'The file was sealed with an unknown key: the seal does not carry its certificate and none of the platform’s seal certificates made it.' };
  }
  v.sealCertificateFingerprint = createHash('sha256').update(signerCert).digest('hex');
  const signed = [buf.subarray(a0, a0 + l0), buf.subarray(a1, a1 + l1)];
  const { digestMatches, signatureValid } = checkSigner(cms, signed, signerCert);
  if (!digestMatches) return { ...v, verdict: 'ALTERED', detail: WORDS.altered };
  if (!signatureValid) return altered('The seal’s signature does not verify with the certificate it names.');
  if (cms.essCertHash && !cms.essCertHash.equals(createHash('sha256').update(signerCert).digest())) {
    return altered('The seal names a different certificate from the one that signed it.');
  }
  const sealSubject = subjectOf(signerCert);
  if (!chainsToAnchor(signerCert, cms.certificates, trust.sealCertificates)) {
    return {
      ...v,
      verdict: 'UNTRUSTED_KEY',
      detail: `The file is intact, but it was sealed with a key the platform does not trust (${sealSubject}, certificate SHA-256 ${v.sealCertificateFingerprint}). It was not sealed by this platform, or by a seal it no longer recognises.`,
    };
  }

  // Signature timestamp (B-T): an unsigned attribute, so check it belongs to this seal.
  let sigTs: TimestampCheck | null = null;
  if (cms.timestampToken) {
    try {
      sigTs = checkTimestampToken(cms.timestampToken, cms.signature, trust.tsaCertificates);
    } catch (err) {
      return altered(`The seal’s timestamp cannot be read: ${(err as Error).message}.`);
    }
    if (!sigTs.imprintMatches) return altered('The seal’s timestamp was not made for this seal.');
    if (!sigTs.signatureValid) return altered('The seal’s timestamp is damaged: its signature does not verify.');
    v.signatureTimestamp = { time: sigTs.time, tsaSubject: sigTs.tsaSubject, trusted: sigTs.trusted };
  }

  // Everything after the sealed revision.
  const later = judgeLaterUpdates(buf, text, structure.revisions, sealRevisionIndex, structure.signatures, seal, trust);
  v.documentTimestamps = later.documentTimestamps.filter((t) => t.ok).length;
  v.level = !sigTs ? 'B-B' : later.dssRevision === null ? 'B-T' : later.ltaTimestamp ? 'B-LTA' : 'B-LT';
  const modified = (why: string): SealVerdict => ({
    ...v,
    verdict: 'MODIFIED_AFTER_SEAL',
    detail: `The sealed content is intact, but the file was changed after it was sealed: ${why}. Ask for the copy the platform holds.`,
  });
  if (later.problem) return modified(later.problem);
  if (structure.trailingGarbage || !lastRevision || !endsRevision(lastRevision, buf.length)) return modified('bytes were added after the end of the sealed file');
  const badTs = later.documentTimestamps.find((t) => !t.ok);
  if (badTs) return modified(badTs.problem ?? 'a document timestamp does not match the file');

  const parts = [`This is the document the platform sealed, unchanged: the seal checks out and was made with a trusted seal certificate (${sealSubject}).`];
  if (v.signatureTimestamp) {
    parts.push(
      v.signatureTimestamp.trusted
        ? `It was timestamped at ${v.signatureTimestamp.time} by a trusted time-stamping authority (${v.signatureTimestamp.tsaSubject}).`
        : `It carries a timestamp of ${v.signatureTimestamp.time} from ${v.signatureTimestamp.tsaSubject}, a time-stamping authority that is not trusted here, so that time is only claimed.`,
    );
  } else {
    parts.push('It carries no trusted timestamp, so its sealing time is only claimed.');
  }
  if (v.documentTimestamps > 0) {
    const untrusted = later.documentTimestamps.filter((t) => !t.trusted).length;
    parts.push(
      `${v.documentTimestamps === 1 ? 'A document timestamp' : `${v.documentTimestamps} document timestamps`} added later cover${v.documentTimestamps === 1 ? 's' : ''} the whole file and check${v.documentTimestamps === 1 ? 's' : ''} out${untrusted ? ` (${untrusted} from a time-stamping authority not trusted here)` : ''}.`,
    );
  }
  parts.push(`Signature level: PAdES ${v.level}.`);
  return { ...v, verdict: 'AUTHENTIC', detail: parts.join(' ') };
}

interface DocumentTimestampResult {
  ok: boolean;
  trusted: boolean;
  revision: number;
  problem?: string;
}

interface LaterUpdates {
  problem: string | null;
  documentTimestamps: DocumentTimestampResult[];
  dssRevision: number | null;
  /** A document timestamp in or after the revision that added the DSS. */
  ltaTimestamp: boolean;
}

const CATALOG_MAY_CHANGE = new Set(['DSS', 'AcroForm', 'Extensions', 'Version']);
const ACROFORM_MAY_CHANGE = new Set(['Fields', 'SigFlags', 'DR', 'DA']);
const DSS_KEYS = new Set(['Type', 'Certs', 'CRLs', 'OCSPs', 'VRI', 'TU', 'TS', 'Cert', 'CRL', 'OCSP']);

function judgeLaterUpdates(
  buf: Buffer,
  text: string,
  revisions: PdfRevision[],
  sealRevisionIndex: number,
  signatures: PdfSignature[],
  seal: PdfSignature,
  trust: SealTrust,
): LaterUpdates {
  const out: LaterUpdates = { problem: null, documentTimestamps: [], dssRevision: null, ltaTimestamp: false };
  if (sealRevisionIndex === revisions.length - 1) return out;

  const laterSignatures = signatures.filter((s) => s !== seal && s.coveredEnd > seal.coveredEnd);
  if (laterSignatures.some((s) => !s.isDocumentTimestamp)) {
    out.problem = 'another signature was added after the seal';
    return out;
  }
  // What the sealed revision defines (looked up as needed), then each update on top of it.
  const defined = new Map<number, PdfObject>();
  const packed = text.lastIndexOf('/ObjStm', seal.coveredEnd) >= 0;
  if (packed) for (const o of readObjects(buf, text, 0, seal.coveredEnd)) defined.set(o.num, o);
  const lookup = (num: number | null): PdfObject | undefined => {
    if (num === null) return undefined;
    if (!defined.has(num) && !packed) {
      const found = findObject(buf, text, num, seal.coveredEnd);
      if (found) defined.set(num, found);
    }
    return defined.get(num);
  };
  let trailer = readUpdate(buf, text, revisions[sealRevisionIndex], { trailerOnly: true }).trailer;
  let root = refNumber(trailer?.get('Root'));

  for (let i = sealRevisionIndex + 1; i < revisions.length; i++) {
    const revision = revisions[i];
    const update = readUpdate(buf, text, revision);
    const timestamps = laterSignatures.filter((s) => s.offset >= revision.start && s.offset < revision.end);
    const stamped = timestamps.filter((s) => endsRevision(revision, s.coveredEnd) && s.byteRange[0] === 0);
    const newObjects = new Map(update.objects.map((o) => [o.num, o]));
    let addsDss = false;

    if (timestamps.length !== stamped.length) return { ...out, problem: 'a document timestamp does not cover the whole file up to it' };
    if (update.freed.length) return { ...out, problem: `a later update deletes object ${update.freed[0]}` };
    if (update.trailer) {
      if (refNumber(update.trailer.get('Root')) !== root && root !== null) return { ...out, problem: 'a later update replaces the document catalogue' };
      if (trailer?.get('Info') !== undefined && update.trailer.get('Info') !== trailer.get('Info')) return { ...out, problem: 'a later update replaces the document information' };
      if (update.trailer.has('Encrypt')) return { ...out, problem: 'a later update encrypts the file' };
      trailer = update.trailer;
      root = refNumber(trailer.get('Root')) ?? root;
    }
    for (const obj of update.objects) {
      const type = nameValue(obj.dict?.get('Type'));
      if (type === 'XRef' || type === 'ObjStm') continue;
      if (type === 'DSS') addsDss = true;
      const before = lookup(obj.num);
      if (!before) continue; // a new object matters only through a changed object, judged below
      lookup(refNumber(lookup(root)?.dict?.get('AcroForm')));
      const annots = obj.dict?.get('Annots');
      lookup(refNumber(annots));
      lookup(refNumber(before.dict?.get('Annots')));
      const why = changeProblem(before, obj, obj.num === root, defined, newObjects, root);
      if (why) return { ...out, problem: why };
      if (obj.num === root && obj.dict?.get('DSS') !== before.dict?.get('DSS')) addsDss = true;
    }
    for (const obj of update.objects) defined.set(obj.num, obj);

    if (update.objects.length === 0 && !update.trailer) return { ...out, problem: 'bytes were added after the end of the sealed file' };
    if (!addsDss && stamped.length === 0) {
      return { ...out, problem: 'a later update adds something other than validation data or a document timestamp' };
    }
    if (addsDss && out.dssRevision === null) out.dssRevision = i;
    for (const ts of stamped) {
      const result = checkDocumentTimestamp(buf, ts, trust, i);
      out.documentTimestamps.push(result);
      if (result.ok && out.dssRevision !== null) out.ltaTimestamp = true;
    }
  }
  return out;
}

function checkDocumentTimestamp(buf: Buffer, ts: PdfSignature, trust: SealTrust, revision: number): DocumentTimestampResult {
  const [a0, l0, a1, l1] = ts.byteRange;
  try {
    const check = checkTimestampToken(ts.contents, [buf.subarray(a0, a0 + l0), buf.subarray(a1, a1 + l1)], trust.tsaCertificates);
    if (!check.imprintMatches) return { ok: false, trusted: check.trusted, revision, problem: `the document timestamp of ${check.time} no longer matches the file, so it was changed after that timestamp` };
    if (!check.signatureValid) return { ok: false, trusted: check.trusted, revision, problem: `the document timestamp of ${check.time} is damaged: its signature does not verify` };
    return { ok: true, trusted: check.trusted, revision };
  } catch (err) {
    return { ok: false, trusted: false, revision, problem: `a document timestamp cannot be read (${(err as Error).message})` };
  }
}

/** Why replacing `before` by `after` is not a change the platform makes, or null if it is one. */
function changeProblem(
  before: PdfObject,
  after: PdfObject,
  isRoot: boolean,
  defined: Map<number, PdfObject>,
  added: Map<number, PdfObject>,
  root: number | null,
): string | null {
  const b = before.dict;
  const a = after.dict;
  if (!b || !a) {
    return norm(before.body) === norm(after.body) ? null : `a later update changes object ${after.num}`;
  }
  const changed = [...new Set([...b.keys(), ...a.keys()])].filter((k) => b.get(k) !== a.get(k));
  if (changed.length === 0) return null;
  const type = nameValue(b.get('Type'));
  const only = (allowed: Set<string>) => changed.every((k) => allowed.has(k));

  if (isRoot || type === 'Catalog') {
    return only(CATALOG_MAY_CHANGE) ? null : `a later update changes the document catalogue (${changed.join(', ')})`;
  }
  if (type === 'DSS' || (type === null && [...b.keys()].every((k) => DSS_KEYS.has(k)) && [...a.keys()].every((k) => DSS_KEYS.has(k)))) return null;
  const rootDict = root !== null ? defined.get(root)?.dict : null;
  if (refNumber(rootDict?.get('AcroForm')) === after.num) {
    if (!only(ACROFORM_MAY_CHANGE)) return `a later update changes the form (${changed.join(', ')})`;
    const kept = refNumbers(b.get('Fields')).every((n) => refNumbers(a.get('Fields')).includes(n));
    return kept ? null : 'a later update removes a form field';
  }
  if (type === 'Page') {
    if (!changed.every((k) => k === 'Annots')) return `a later update changes a page (${changed.join(', ')})`;
    const old = annotationRefs(b.get('Annots'), defined);
    const now = annotationRefs(a.get('Annots'), defined);
    if (!old.every((n) => now.includes(n))) return 'a later update removes an annotation from a page';
    for (const n of now.filter((x) => !old.includes(x))) {
      if (!isInvisibleTimestampWidget(added.get(n))) return 'a later update adds an annotation to a page';
    }
    return null;
  }
  return `a later update changes object ${after.num}${type ? ` (/${type})` : ''}`;
}

function annotationRefs(v: string | undefined, defined: Map<number, PdfObject>): number[] {
  const single = refNumber(v);
  if (single !== null && !v?.startsWith('[')) {
    const arr = defined.get(single)?.body;
    return arr?.startsWith('[') ? refNumbers(arr) : [single];
  }
  return refNumbers(v);
}

/** A signature widget with no area on the page (how document timestamps are attached). */
function isInvisibleTimestampWidget(obj: PdfObject | undefined): boolean {
  const d = obj?.dict;
  if (!d || nameValue(d.get('Subtype')) !== 'Widget') return false;
  if (nameValue(d.get('FT')) !== 'Sig' && !d.has('Parent')) return false;
  const rect = (d.get('Rect') ?? '').replace(/[[\]]/g, ' ').trim().split(/\s+/).map(Number);
  return rect.length === 4 && (rect[0] === rect[2] || rect[1] === rect[3]);
}

function norm(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

const REFERENCE_KEY = 'PcnReference';

/** The platform reference from the last document information dictionary in `text`. */
function readReference(text: string): string | undefined {
  const all = [...text.matchAll(new RegExp(`/${REFERENCE_KEY}\\s*(\\(|\\d+\\s+\\d+\\s+R)`, 'g'))];
  const m = all[all.length - 1];
  if (!m) return undefined;
  if (m[1] === '(') {
    const dict = parseDictionary(`<</K ${text.slice(m.index + REFERENCE_KEY.length + 1).trimStart().slice(0, 4096)} >>`);
    return unescapePdfString(dict?.get('K'));
  }
  const num = Number(/^(\d+)/.exec(m[1])?.[1]);
  const objs = [...text.matchAll(new RegExp(`(?:^|[\\r\\n\\s])${num}\\s+0\\s+obj\\s*`, 'g'))];
  const last = objs[objs.length - 1];
  if (!last) return undefined;
  const dict = parseDictionary(`<</K ${text.slice(last.index + last[0].length, last.index + last[0].length + 4096)} >>`);
  return unescapePdfString(dict?.get('K'));
}

function unescapePdfString(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  if (raw.startsWith('<')) {
    const bytes = Buffer.from(raw.slice(1, -1).replace(/\s+/g, ''), 'hex');
    return decodeTextString(bytes);
  }
  if (!raw.startsWith('(')) return undefined;
  const inner = raw.slice(1, -1);
  const out: number[] = [];
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c !== '\\') {
      out.push(inner.charCodeAt(i) & 0xff);
      continue;
    }
    const n = inner[++i];
    const map: Record<string, number> = { n: 10, r: 13, t: 9, b: 8, f: 12, '(': 40, ')': 41, '\\': 92 };
    if (n in map) out.push(map[n]);
    else if (/[0-7]/.test(n)) {
      const oct = /^[0-7]{1,3}/.exec(inner.slice(i))![0];
      out.push(parseInt(oct, 8) & 0xff);
      i += oct.length - 1;
    } else if (n === '\r' && inner[i + 1] === '\n') i++;
    else if (n !== '\n' && n !== '\r' && n !== undefined) out.push(n.charCodeAt(0) & 0xff);
  }
  return decodeTextString(Buffer.from(out));
}

/** PDF text string: UTF-16BE with a BOM, UTF-8 with a BOM, else PDFDocEncoding (≈ latin1). */
function decodeTextString(bytes: Buffer): string {
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2, 2 + ((bytes.length - 2) & ~1))).swap16().toString('utf16le');
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  return bytes.toString('latin1');
}
