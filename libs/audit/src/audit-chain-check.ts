import * as crypto from 'node:crypto';
import type { ChainBreak, ChainBreakReason } from './audit-chain';
import { copyField, hashStoredAuditRow, StoredAuditRow } from './audit-chain-stream';

/**
 * Chain verification straight from COPY text bytes.
 *
 * Why bytes: turning every row into 17 strings, parsing the payload into objects and writing
 * a canonical JSON string again cost more than the hash itself. Here the columns are selected
 * in the order the hashed JSON lists its members ({@link CHECK_COLUMNS}), so one pass over a
 * row copies it into a reused buffer as that JSON: text columns are copied between quotes, the
 * payload's jsonb text is rewritten canonically in place (spaces dropped, members sorted), and
 * the buffer is hashed with one `crypto.hash` call. Links are compared as bytes; strings are
 * only made when something is broken.
 *
 * The fast path takes only what it can copy verbatim: text with no `"`, backslash or control
 * character, payload keys that are plain ASCII, payload numbers that are plain integers of at
 * most 15 digits, jsonb text exactly as PostgreSQL prints it. Any other row (rare: the loader's
 * 10 million events have none) is decoded and hashed by `hashStoredAuditRow`, the string
 * path; both give `hashAuditEvent`'s bytes (unit-tested against it).
 */

/** The select list: the 15 hashed columns in canonical member order, then hash and id. */
export const CHECK_COLUMNS = {
  select:
    `actor_name, actor_user_id, agreement_id, auth_method, chain_key, ip, occurred_at AT TIME ZONE 'UTC', ` +
    `organisation_id, payload, prev_hash, revision_hash, round_id, seq, type, user_agent, hash, id`,
  chainKeyField: 4,
  seqField: 12,
  // occurred_at as a plain timestamp's ISO text, `YYYY-MM-DD HH:MI:SS[.f]` (trailing zeros dropped):
  // PostgreSQL writes it for a third of what to_char costs it per row.
  isoDateStyle: true,
};

/** `YYYY-MM-DD HH:MI:SS[.f…]` (a timestamp in DateStyle ISO) → `YYYY-MM-DDTHH:MI:SS.ffffff`, the form `StoredAuditRow` holds. */
export function microsecondTextOf(timestamp: string): string {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?$/.exec(timestamp);
  // Anything else (a year past 9999, BC) is left as it is, which no whole-millisecond check accepts.
  return match ? `${match[1]}T${match[2]}.${(match[3] ?? '').padEnd(6, '0')}` : timestamp;
}

const F_CHAIN = 4;
const F_OCCURRED = 6;
const F_PAYLOAD = 8;
const F_PREV = 9;
const F_SEQ = 12;
const F_HASH = 15;
const F_ID = 16;
const FIELDS = 17;

/** What goes before each hashed field: `{"actorName":`, `,"actorUserId":`, … */
const PREFIXES = [
  'actorName', 'actorUserId', 'agreementId', 'authMethod', 'chainKey', 'ip', 'occurredAt', 'organisationId',
  'payload', 'prevHash', 'revisionHash', 'roundId', 'seq', 'type', 'userAgent',
].map((name, i) => Buffer.from(`${i === 0 ? '{' : ','}"${name}":`, 'latin1'));

const GENESIS_BYTES = Buffer.from('0'.repeat(64), 'latin1');

const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const TAB = 9;

/** A row the fast path does not take: hash it through the string path instead. */
const SLOW = -1;

/** Where a chain walk stands after the rows it has seen: enough to go on, or to start a piece of the walk elsewhere. */
export interface ChainCheckState {
  /** The last verified event's chain key (null before any). */
  chainKey: string | null;
  seq: number;
  hash: string;
}

/**
 * Checks COPY lines of {@link CHECK_COLUMNS} one by one, in (chain_key, seq) order, exactly as
 * `verifyAuditChain` always did: a sequence gap, then a previous-hash mismatch, then a hash
 * mismatch; stops at the first.
 */
export class AuditChainChecker {
  chains = 0;
  eventsChecked = 0;
  firstBroken: ChainBreak | undefined;
  /** Rows the byte path did not take and the string path hashed (escapes, unusual payloads). */
  slowRows = 0;

  private prevChain = Buffer.alloc(256);
  /** -1: no event verified yet. */
  private prevChainLength = -1;
  private prevSeq = 0;
  private prevHash = Buffer.alloc(256);
  private prevHashLength = 64;
  private out = Buffer.allocUnsafe(16 * 1024);
  private o = 0;
  private readonly bounds = new Int32Array(FIELDS + 1);
  /** Members of the payload objects being written: [out start, out end, key length] per member. */
  private members: number[] = [];
  private scratch = Buffer.allocUnsafe(16 * 1024);

  constructor(start?: ChainCheckState) {
    GENESIS_BYTES.copy(this.prevHash);
    if (start && start.chainKey !== null) {
      // Starting after a stored event: the first event here is checked against it, as a single walk would.
      this.setPrevChain(Buffer.from(start.chainKey, 'utf8'));
      this.prevSeq = start.seq;
      const hash = Buffer.from(start.hash, 'utf8');
      this.ensure('prevHash', hash.length);
      hash.copy(this.prevHash);
      this.prevHashLength = hash.length;
    }
  }

  /** The last verified event. */
  get state(): ChainCheckState {
    if (this.prevChainLength < 0) return { chainKey: null, seq: 0, hash: GENESIS_BYTES.toString('latin1') };
    return {
      chainKey: copyField(this.prevChain.toString('utf8', 0, this.prevChainLength)) as string,
      seq: this.prevSeq,
      hash: copyField(this.prevHash.toString('utf8', 0, this.prevHashLength)) as string,
    };
  }

  /** Checks one line, `buf[start, end)`; false once a link is broken (stop reading). */
  readonly line = (buf: Buffer, start: number, end: number): boolean => {
    const b = this.bounds;
    // One pass writes the hashed JSON and finds the fields; a row it does not take is split again
    // here and hashed by the string path below.
    const fast = this.writeJson(buf, start, end) !== SLOW;
    if (!fast) {
      this.slowRows++;
      this.split(buf, start, end);
    }

    const chainStart = b[F_CHAIN];
    const chainLength = b[F_CHAIN + 1] - 1 - chainStart;
    const sameChain = chainLength === this.prevChainLength && this.equals(buf, chainStart, this.prevChain, chainLength);
    if (!sameChain) this.chains++;
    const expectedSeq = sameChain ? this.prevSeq + 1 : 1;
    const seq = this.integer(buf, b[F_SEQ], b[F_SEQ + 1] - 1);
    if (seq !== expectedSeq) return this.broken(buf, 'sequence gap', `expected seq ${expectedSeq}, found ${seq}`, seq);
    const prevStart = b[F_PREV];
    const prevLength = b[F_PREV + 1] - 1 - prevStart;
    const linked = sameChain
      ? prevLength === this.prevHashLength && this.equals(buf, prevStart, this.prevHash, prevLength)
      : prevLength === 64 && this.equals(buf, prevStart, GENESIS_BYTES, 64);
    if (!linked) {
      const expected = sameChain ? (copyField(this.prevHash.toString('utf8', 0, this.prevHashLength)) as string) : GENESIS_BYTES.toString('latin1');
      return this.broken(buf, 'previous hash mismatch', `prevHash ${this.text(buf, F_PREV)} does not match ${expected}`, seq);
    }

    const hashStart = b[F_HASH];
    const hashLength = b[F_HASH + 1] - 1 - hashStart;
    let recomputed: string | null;
    let matches: boolean;
    if (fast) {
      recomputed = crypto.hash('sha256', this.out.subarray(0, this.o), 'hex');
      matches = hashLength === 64 && this.equalsText(buf, hashStart, recomputed);
    } else {
      recomputed = hashStoredAuditRow(this.storedRow(buf));
      matches = recomputed !== null && recomputed === this.text(buf, F_HASH);
    }
    if (recomputed === null) {
      return this.broken(buf, 'hash mismatch', `occurred_at ${microsecondTextOf(this.text(buf, F_OCCURRED))} is finer than a millisecond, so it is not the instant that was hashed`, seq);
    }
    if (!matches) return this.broken(buf, 'hash mismatch', `stored hash ${this.text(buf, F_HASH)}, recomputed ${recomputed}`, seq);

    this.eventsChecked++;
    if (!sameChain) this.setPrevChain(buf.subarray(chainStart, chainStart + chainLength));
    this.prevSeq = seq;
    this.ensure('prevHash', hashLength);
    for (let i = 0; i < hashLength; i++) this.prevHash[i] = buf[hashStart + i];
    this.prevHashLength = hashLength;
    return true;
  };

  private broken(buf: Buffer, reason: ChainBreakReason, detail: string, seq: number): false {
    this.firstBroken = { chainKey: this.text(buf, F_CHAIN), seq, id: this.text(buf, F_ID), reason, detail };
    return false;
  }

  /** Field i as a string, COPY escapes undone (for reports and the string path). */
  private text(buf: Buffer, i: number): string {
    return copyField(buf.toString('utf8', this.bounds[i], this.bounds[i + 1] - 1)) as string;
  }

  private nullable(buf: Buffer, i: number): string | null {
    return copyField(buf.toString('utf8', this.bounds[i], this.bounds[i + 1] - 1));
  }

  private storedRow(buf: Buffer): StoredAuditRow {
    return {
      actorName: this.nullable(buf, 0),
      actorUserId: this.nullable(buf, 1),
      agreementId: this.nullable(buf, 2),
      authMethod: this.nullable(buf, 3),
      chainKey: this.text(buf, 4),
      ip: this.nullable(buf, 5),
      occurredAt: microsecondTextOf(this.text(buf, 6)),
      organisationId: this.nullable(buf, 7),
      payload: this.text(buf, 8),
      prevHash: this.text(buf, 9),
      revisionHash: this.nullable(buf, 10),
      roundId: this.nullable(buf, 11),
      seq: this.text(buf, 12),
      type: this.text(buf, 13),
      userAgent: this.nullable(buf, 14),
      hash: this.text(buf, 15),
      id: this.text(buf, 16),
    };
  }

  private setPrevChain(key: Buffer): void {
    this.ensure('prevChain', key.length);
    key.copy(this.prevChain);
    this.prevChainLength = key.length;
  }

  private ensure(which: 'prevChain' | 'prevHash', length: number): void {
    if (this[which].length < length) {
      const bigger = Buffer.alloc(length * 2);
      this[which].copy(bigger);
      this[which] = bigger;
    }
  }

  private equals(buf: Buffer, at: number, other: Buffer, length: number): boolean {
    for (let i = 0; i < length; i++) if (buf[at + i] !== other[i]) return false;
    return true;
  }

  private equalsText(buf: Buffer, at: number, text: string): boolean {
    for (let i = 0; i < text.length; i++) if (buf[at + i] !== text.charCodeAt(i)) return false;
    return true;
  }

  /** A seq column's digits (an integer column: PostgreSQL writes it plainly). */
  private integer(buf: Buffer, from: number, to: number): number {
    let value = 0;
    for (let i = from; i < to; i++) {
      const d = buf[i] - 48;
      if (d < 0 || d > 9 || to - from > 10) return Number(buf.toString('latin1', from, to));
      value = value * 10 + d;
    }
    return value;
  }

  /** Field i is buf[bounds[i], bounds[i + 1] - 1): finds every tab of the line. */
  private split(buf: Buffer, start: number, end: number): void {
    const b = this.bounds;
    let n = 0;
    b[0] = start;
    for (let i = start; i < end; i++) {
      if (buf[i] === TAB) {
        if (++n === FIELDS) break;
        b[n] = i + 1;
      }
    }
    if (n !== FIELDS - 1) throw new Error(`audit_event COPY row has ${n + 1} fields, expected ${FIELDS}`);
    b[FIELDS] = end + 1;
  }

  /**
   * The hashed JSON of the line into `out[0, o)` while recording the field bounds, or SLOW as
   * soon as something needs the string path (the bounds are then incomplete).
   */
  private writeJson(buf: Buffer, start: number, end: number): number {
    const b = this.bounds;
    // The JSON is never longer than the line plus the member names, quotes and nulls.
    if (end - start + 512 > this.out.length) this.out = Buffer.allocUnsafe((end - start + 512) * 2);
    const out = this.out;
    let o = 0;
    let p = start;
    for (let f = 0; f < 15; f++) {
      b[f] = p;
      const prefix = PREFIXES[f];
      for (let i = 0; i < prefix.length; i++) out[o++] = prefix[i];
      if (buf[p] === BACKSLASH && buf[p + 1] === 78 /* N */ && buf[p + 2] === TAB) {
        out[o++] = 110; // n
        out[o++] = 117; // u
        out[o++] = 108; // l
        out[o++] = 108; // l
        p += 3;
        continue;
      }
      if (f === F_PAYLOAD) {
        this.src = buf;
        this.pos = p;
        this.end = end;
        this.o = o;
        if (!this.jsonValue() || buf[this.pos] !== TAB) return SLOW;
        o = this.o;
        p = this.pos + 1;
        continue;
      }
      if (f === F_SEQ) {
        // Digits only, no leading zero: what JSON.stringify writes for the same integer.
        if (buf[p] === 48) return SLOW;
        const from = p;
        for (let c = buf[p]; c !== TAB; c = buf[++p]) {
          if (c < 48 || c > 57 || p - from > 9) return SLOW;
          out[o++] = c;
        }
        if (p === from) return SLOW;
        p++;
        continue;
      }
      if (f === F_OCCURRED) {
        // `YYYY-MM-DD HH:MI:SS[.f{1,3}]` → `"YYYY-MM-DDTHH:MI:SS.fffZ"` (toISOString); more digits are not a whole millisecond.
        if (buf[p + 4] !== 45 || buf[p + 10] !== 0x20) return SLOW;
        out[o++] = QUOTE;
        for (let i = p; i < p + 19; i++) {
          const c = buf[i];
          if (c <= QUOTE || c === BACKSLASH) {
            if (i !== p + 10) return SLOW;
            out[o++] = 84; // T
          } else {
            out[o++] = c;
          }
        }
        p += 19;
        let digits = 0;
        if (buf[p] === 0x2e /* . */) {
          out[o++] = 0x2e;
          for (let c = buf[++p]; c >= 48 && c <= 57; c = buf[++p]) {
            if (++digits > 3) return SLOW;
            out[o++] = c;
          }
          if (digits === 0) return SLOW;
        } else {
          out[o++] = 0x2e;
        }
        for (; digits < 3; digits++) out[o++] = 48;
        if (buf[p] !== TAB) return SLOW;
        out[o++] = 90; // Z
        out[o++] = QUOTE;
        p++;
        continue;
      }
      // A text column: copied between quotes when JSON.stringify would not escape any of it.
      out[o++] = QUOTE;
      for (; p < end; p++) {
        const c = buf[p];
        if (c <= QUOTE) {
          if (c === TAB) break;
          if (c < 0x20 || c === QUOTE) return SLOW;
        } else if (c === BACKSLASH) {
          return SLOW;
        }
        out[o++] = c;
      }
      if (p >= end) return SLOW;
      out[o++] = QUOTE;
      p++;
    }
    out[o++] = 0x7d; // }
    // hash, then id up to the end of the line.
    b[F_HASH] = p;
    p = buf[p + 64] === TAB ? p + 64 : buf.indexOf(TAB, p);
    if (p === -1 || p >= end) return SLOW;
    b[F_ID] = p + 1;
    for (let i = p + 1; i < end; i++) if (buf[i] === TAB) return SLOW;
    b[FIELDS] = end + 1;
    this.o = o;
    return o;
  }

  // The payload being rewritten: jsonb text in src[pos, end).
  private src: Buffer = GENESIS_BYTES;
  private pos = 0;
  private end = 0;

  /**
   * One jsonb value as canonical JSON into out; false when this payload needs the string path.
   * jsonb prints `{"k": v, "k2": v2}` and `[a, b]`, keys ordered by length then bytes; canonical
   * JSON has no spaces and keys in UTF-16 order, which is byte order for ASCII keys.
   */
  private jsonValue(): boolean {
    const src = this.src;
    const c = src[this.pos];
    if (c === QUOTE) return this.jsonString(false);
    if (c === 0x7b /* { */) return this.jsonObject();
    if (c === 0x5b /* [ */) return this.jsonArray();
    if (c === 0x74 /* t */) return this.literal(4);
    if (c === 0x66 /* f */) return this.literal(5);
    if (c === 0x6e /* n */) return this.literal(4);
    return this.jsonInteger();
  }

  private literal(length: number): boolean {
    const src = this.src;
    const word = src.toString('latin1', this.pos, Math.min(this.pos + length, this.end));
    if (word !== 'true' && word !== 'false' && word !== 'null') return false;
    for (let i = 0; i < length; i++) this.out[this.o++] = src[this.pos++];
    return true;
  }

  /** `-?[1-9][0-9]{0,14}` or `0`: written the same by JSON.stringify(Number(text)); anything else takes the string path. */
  private jsonInteger(): boolean {
    const src = this.src;
    let p = this.pos;
    if (src[p] === 45 /* - */) p++;
    const first = p;
    while (p < this.end && src[p] >= 48 && src[p] <= 57) p++;
    const digits = p - first;
    if (digits === 0 || digits > 15 || (src[first] === 48 && (digits > 1 || first !== this.pos))) return false;
    const next = src[p];
    if (p < this.end && next !== 0x2c && next !== 0x7d && next !== 0x5d) return false; // a fraction or exponent
    for (let i = this.pos; i < p; i++) this.out[this.o++] = src[i];
    this.pos = p;
    return true;
  }

  /** A string without escapes (jsonb escapes `"`, backslash and controls, which COPY then escapes again). */
  private jsonString(isKey: boolean): boolean {
    const src = this.src;
    const out = this.out;
    let o = this.o;
    out[o++] = QUOTE;
    for (let p = this.pos + 1; p < this.end; p++) {
      const c = src[p];
      if (c === QUOTE) {
        out[o++] = QUOTE;
        this.o = o;
        this.pos = p + 1;
        return true;
      }
      if (c === BACKSLASH || c < 0x20 || (isKey && c >= 0x80)) return false;
      out[o++] = c;
    }
    return false;
  }

  private separator(): boolean {
    // ", " between members and elements, as jsonb prints it.
    if (this.src[this.pos] !== 0x2c || this.src[this.pos + 1] !== 0x20) return false;
    this.pos += 2;
    return true;
  }

  private jsonArray(): boolean {
    const src = this.src;
    this.out[this.o++] = 0x5b;
    this.pos++;
    if (src[this.pos] !== 0x5d) {
      for (;;) {
        if (!this.jsonValue()) return false;
        if (src[this.pos] === 0x5d) break;
        if (!this.separator()) return false;
        this.out[this.o++] = 0x2c;
      }
    }
    this.out[this.o++] = 0x5d;
    this.pos++;
    return true;
  }

  private jsonObject(): boolean {
    const src = this.src;
    this.pos++;
    const openAt = this.o;
    this.out[this.o++] = 0x7b;
    if (src[this.pos] === 0x7d) {
      this.out[this.o++] = 0x7d;
      this.pos++;
      return true;
    }
    const members = this.members;
    const base = members.length;
    let sorted = true;
    for (;;) {
      if (src[this.pos] !== QUOTE) return false;
      const memberStart = this.o;
      if (!this.jsonString(true)) return false;
      const keyLength = this.o - memberStart - 2;
      if (src[this.pos] !== 0x3a || src[this.pos + 1] !== 0x20) return false; // ": "
      this.pos += 2;
      this.out[this.o++] = 0x3a;
      if (!this.jsonValue()) return false;
      if (members.length > base && this.compareKeys(members[members.length - 3], members[members.length - 1], memberStart, keyLength) > 0) sorted = false;
      members.push(memberStart, this.o, keyLength);
      if (src[this.pos] === 0x7d) break;
      if (!this.separator()) return false;
      this.out[this.o++] = 0x2c;
    }
    this.pos++;
    if (!sorted) this.reorder(openAt + 1, base);
    members.length = base;
    this.out[this.o++] = 0x7d;
    return true;
  }

  /** Key bytes of two members written in out (both ASCII, so byte order is canonicalJson's UTF-16 order). */
  private compareKeys(aStart: number, aLength: number, bStart: number, bLength: number): number {
    const out = this.out;
    const n = Math.min(aLength, bLength);
    for (let i = 1; i <= n; i++) {
      const d = out[aStart + i] - out[bStart + i];
      if (d !== 0) return d;
    }
    return aLength - bLength;
  }

  /** Rewrites the members in out[from, o) (written in jsonb order, comma-separated) in key order. */
  private reorder(from: number, base: number): void {
    const members = this.members;
    const count = (members.length - base) / 3;
    const order: number[] = [];
    for (let i = 0; i < count; i++) {
      const at = base + i * 3;
      let j = order.length;
      while (j > 0 && this.compareKeys(members[base + order[j - 1] * 3], members[base + order[j - 1] * 3 + 2], members[at], members[at + 2]) > 0) j--;
      order.splice(j, 0, i);
    }
    const length = this.o - from;
    if (this.scratch.length < length) this.scratch = Buffer.allocUnsafe(length * 2);
    this.out.copy(this.scratch, 0, from, this.o);
    let o = from;
    for (let k = 0; k < count; k++) {
      if (k > 0) this.out[o++] = 0x2c;
      const at = base + order[k] * 3;
      o += this.scratch.copy(this.out, o, members[at] - from, members[at + 1] - from);
    }
    this.o = o;
  }
}
