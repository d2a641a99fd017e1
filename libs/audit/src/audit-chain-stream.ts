import * as crypto from 'node:crypto';
import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { EntityManager } from 'typeorm';
import { canonicalJson } from '@pcn/common';

/**
 * Streamed reading of audit events for chain verification.
 *
 * Why COPY ... TO STDOUT rather than a cursor (DECLARE/FETCH, pg-cursor): both stream without
 * holding a chain in memory, but COPY hands over one text buffer per network chunk that is
 * split on tabs and newlines, while a cursor's rows go through node-postgres's per-field
 * decoding; on this machine COPY read events about 1.6 times as fast, before any hashing.
 * COPY cannot be abandoned half way without breaking the connection, so the stream is read
 * in keyset pages (`LIMIT`, which also makes PostgreSQL walk the (chain_key, seq) index
 * instead of sorting the table): stopping early at a broken link reads at most the rest of
 * one page.
 *
 * Why no TypeORM entities on this path: mapping 17 columns into an entity, parsing a Date
 * and walking the payload with the generic canonical JSON writer cost more than the hash.
 * Here each row stays text; only the payload is parsed, and its canonical JSON is written by
 * a writer specialised for what `JSON.parse` can return. `hashStoredAuditRow` is byte-for-byte
 * what `hashAuditEvent` hashes for the same row (unit-tested on varied payloads).
 */

/** Rows per COPY page: big enough that a page's query costs nothing next to its rows, small enough to drain quickly. */
export const AUDIT_STREAM_PAGE_SIZE = 50_000;

/** One audit_event row as PostgreSQL writes it as text (COPY / text protocol). */
export interface StoredAuditRow {
  id: string;
  chainKey: string;
  /** The integer as decimal text. */
  seq: string;
  type: string;
  /** UTC, `YYYY-MM-DDTHH:MI:SS.ffffff` (microseconds, no zone), as selected by {@link AUDIT_ROW_COLUMNS}. */
  occurredAt: string;
  agreementId: string | null;
  roundId: string | null;
  revisionHash: string | null;
  actorUserId: string | null;
  actorName: string | null;
  organisationId: string | null;
  ip: string | null;
  userAgent: string | null;
  authMethod: string | null;
  /** The jsonb as text. */
  payload: string;
  prevHash: string;
  hash: string;
}

/** The select list, in {@link StoredAuditRow} order; occurred_at written in UTC with microseconds. */
export const AUDIT_ROW_COLUMNS =
  `id, chain_key, seq, type, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), agreement_id, round_id, revision_hash, ` +
  `actor_user_id, actor_name, organisation_id, ip, user_agent, auth_method, payload, prev_hash, hash`;

/** Characters JSON.stringify escapes (or may: lone surrogates); most column values have none, and quoting them directly is cheaper. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
const str = (v: string | null): string => (v === null ? 'null' : NEEDS_ESCAPE.test(v) ? JSON.stringify(v) : `"${v}"`);
/** A uuid column's text is only hex digits and hyphens (PostgreSQL's uuid output), which JSON never escapes. */
const uuid = (v: string | null): string => (v === null ? 'null' : `"${v}"`);

/**
 * Canonical JSON (as `canonicalJson` writes it) of a value that came out of `JSON.parse`:
 * only null, booleans, finite numbers, strings, arrays and plain objects can occur, so there
 * is no undefined to drop, no Date, no cycle to track. Anything else (a non-finite number
 * from an out-of-range jsonb numeric) goes to `canonicalJson`, which throws as it always did.
 */
export function canonicalJsonOfParsed(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return str(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : canonicalJson(value);
    case 'object':
      break;
    default:
      return canonicalJson(value);
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJsonOfParsed(value[i]);
    return out + ']';
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length > 1) keys.sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) out += (i === 0 ? '' : ',') + str(keys[i]) + ':' + canonicalJsonOfParsed(record[keys[i]]);
  return out + '}';
}

const sha256HexOf: (text: string) => string =
  // crypto.hash (Node 20.12+) hashes a short string in one call, without a Hash object per event.
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');


/** `YYYY-MM-DDTHH:MI:SS.ffffff` with whole milliseconds → the `toISOString()` form; null when finer than a millisecond or unusual. */
export function isoMillisecondsOf(occurredAt: string): string | null {
  if (occurredAt.length !== 26 || occurredAt.charCodeAt(4) !== 45 /* - */ || !occurredAt.endsWith('000')) return null;
  return `${occurredAt.slice(0, 23)}Z`;
}

/**
 * The hash `hashAuditEvent` computes for this stored row, or null when `occurredAt` is not a
 * whole millisecond (such a row was not written by `AuditService.record`, and no Date, which
 * is what was hashed, can represent it).
 *
 * The members are written in the order `canonicalJson` sorts the hashed field names
 * (UTF-16 code units); `hashedFieldOrder` in the unit test pins that order.
 */
export function hashStoredAuditRow(row: StoredAuditRow): string | null {
  const occurredAt = isoMillisecondsOf(row.occurredAt);
  if (occurredAt === null) return null;
  return sha256HexOf(
    `{"actorName":${str(row.actorName)},"actorUserId":${uuid(row.actorUserId)},"agreementId":${uuid(row.agreementId)},"authMethod":${str(row.authMethod)},` +
      `"chainKey":${str(row.chainKey)},"ip":${str(row.ip)},"occurredAt":"${occurredAt}","organisationId":${uuid(row.organisationId)},` +
      `"payload":${canonicalJsonOfParsed(JSON.parse(row.payload))},"prevHash":${str(row.prevHash)},"revisionHash":${str(row.revisionHash)},` +
      `"roundId":${uuid(row.roundId)},"seq":${JSON.stringify(Number(row.seq))},"type":${str(row.type)},"userAgent":${str(row.userAgent)}}`,
  );
}

/** The hashed field names in the order {@link hashStoredAuditRow} writes them. */
export const HASHED_FIELD_ORDER = [
  'actorName', 'actorUserId', 'agreementId', 'authMethod', 'chainKey', 'ip', 'occurredAt', 'organisationId',
  'payload', 'prevHash', 'revisionHash', 'roundId', 'seq', 'type', 'userAgent',
] as const;

const COPY_UNESCAPE: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** One COPY text-format field: `\N` is NULL; backslash escapes only where a backslash occurs. */
export function copyField(text: string): string | null {
  if (text === '\\N') return null;
  if (text.indexOf('\\') === -1) return text;
  return text.replace(/\\(.)/g, (_, c: string) => COPY_UNESCAPE[c] ?? c);
}

function rowOf(line: string): StoredAuditRow {
  const f = line.split('\t');
  if (f.length !== 17) throw new Error(`audit_event COPY row has ${f.length} fields, expected 17`);
  return {
    id: f[0],
    chainKey: copyField(f[1]) as string,
    seq: f[2],
    type: copyField(f[3]) as string,
    occurredAt: f[4],
    agreementId: copyField(f[5]),
    roundId: copyField(f[6]),
    revisionHash: copyField(f[7]),
    actorUserId: copyField(f[8]),
    actorName: copyField(f[9]),
    organisationId: copyField(f[10]),
    ip: copyField(f[11]),
    userAgent: copyField(f[12]),
    authMethod: copyField(f[13]),
    payload: copyField(f[14]) as string,
    prevHash: copyField(f[15]) as string,
    hash: copyField(f[16]) as string,
  };
}

/** What the consumer says after each row: go on, or stop reading (the rest of the page is drained). */
export type RowVisitor = (row: StoredAuditRow) => boolean;

/**
 * Receives one COPY text line, `buf[start, end)` without its newline; returns false to stop.
 * The buffer is only valid during the call.
 */
export type LineVisitor = (buf: Buffer, start: number, end: number) => boolean;

/** Which columns of a select list hold chain_key and seq (for the keyset between pages). */
export interface AuditCopyColumns {
  select: string;
  chainKeyField: number;
  seqField: number;
  /** The select list writes dates and times that need DateStyle ISO. */
  isoDateStyle?: boolean;
}

const ROW_COLUMNS: AuditCopyColumns = { select: AUDIT_ROW_COLUMNS, chainKeyField: 1, seqField: 2 };

/** Field `index` of a COPY text line, as text (still COPY-escaped). */
function lineField(line: string, index: number): string {
  const fields = line.split('\t');
  if (fields.length <= index) throw new Error(`audit_event COPY row has ${fields.length} fields, expected more than ${index}`);
  return fields[index];
}

/** Streams one COPY page through `visit`; returns the rows read, the last line and whether the visitor stopped. */
async function copyPage(client: PoolClient, sql: string, visit: LineVisitor): Promise<{ rows: number; last: string | null; stopped: boolean }> {
  const stream = client.query(copyTo(sql));
  let rows = 0;
  let stopped = false;
  let rest: Buffer | null = null;
  let lastBuf: Buffer | null = null;
  let lastStart = 0;
  let lastEnd = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    // Once stopped, the page is read to its end (and dropped) so the connection leaves COPY mode.
    if (stopped) continue;
    const buf: Buffer = rest ? Buffer.concat([rest, chunk]) : chunk;
    // Lines are cut at newline bytes, which never occur inside a multi-byte UTF-8 character
    // (COPY writes a newline in a value as \n): the visitor gets bytes, not a decoded string.
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      rows++;
      lastBuf = buf;
      lastStart = start;
      lastEnd = nl;
      start = nl + 1;
      if (!visit(buf, lastStart, nl)) {
        stopped = true;
        break;
      }
    }
    rest = start < buf.length && !stopped ? buf.subarray(start) : null;
    // Keep only the last line, not the chunk it came in, once the chunk is done.
    if (lastBuf === buf) {
      lastBuf = Buffer.from(buf.subarray(lastStart, lastEnd));
      lastStart = 0;
      lastEnd = lastBuf.length;
    }
  }
  if (rest && !stopped) throw new Error('audit_event COPY ended in the middle of a row');
  return { rows, last: lastBuf ? lastBuf.toString('utf8', lastStart, lastEnd) : null, stopped };
}

/**
 * Streams the events of one chain (or of every chain) in (chain_key, seq) order as COPY text
 * lines of `columns`, page by page, on one pooled connection (the caller's, if `em` is in a
 * transaction). Nothing but the current network chunk is held in memory.
 */
export async function streamAuditLines(
  em: EntityManager,
  columns: AuditCopyColumns,
  visit: LineVisitor,
  chainKey?: string,
  pageSize = AUDIT_STREAM_PAGE_SIZE,
): Promise<void> {
  const callers = em.queryRunner && !em.queryRunner.isReleased ? em.queryRunner : null;
  const own = callers === null;
  const runner = callers ?? em.connection.createQueryRunner();
  const client = (await runner.connect()) as PoolClient;
  let failed = false;
  let dateStyle: string | null = null;
  try {
    if (columns.isoDateStyle) {
      // Text output of a timestamp follows the session's DateStyle; ISO is PostgreSQL's default.
      const style = (await client.query<{ DateStyle: string }>('SHOW DateStyle')).rows[0].DateStyle;
      if (!style.startsWith('ISO')) {
        await client.query(`SET DateStyle = 'ISO'`);
        dateStyle = style;
      }
    }
    const limit = Math.max(1, Math.floor(pageSize));
    let after: { chainKey: string; seq: number } | null = null;
    for (;;) {
      let where: string;
      if (chainKey !== undefined) {
        where = `chain_key = ${client.escapeLiteral(chainKey)}` + (after ? ` AND seq > ${Number(after.seq)}` : '');
      } else {
        where = after ? `(chain_key, seq) > (${client.escapeLiteral(after.chainKey)}, ${Number(after.seq)})` : 'true';
      }
      const page = await copyPage(client, `COPY (SELECT ${columns.select} FROM audit_event WHERE ${where} ORDER BY chain_key, seq LIMIT ${limit}) TO STDOUT`, visit);
      if (page.stopped || page.rows < limit || page.last === null) return;
      after = { chainKey: copyField(lineField(page.last, columns.chainKeyField)) as string, seq: Number(lineField(page.last, columns.seqField)) };
    }
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    if (dateStyle !== null && !failed) await client.query(`SELECT set_config('DateStyle', $1, false)`, [dateStyle]);
    if (own) {
      // A connection that failed half way through a COPY may still be in COPY mode: ending it
      // makes the pool drop it instead of handing it out again.
      if (failed) await client.end().catch(() => undefined);
      await runner.release();
    }
  }
}

/** {@link streamAuditLines} with each line as a {@link StoredAuditRow} (strings, COPY escapes undone). */
export function streamAuditRows(em: EntityManager, visit: RowVisitor, chainKey?: string, pageSize = AUDIT_STREAM_PAGE_SIZE): Promise<void> {
  return streamAuditLines(em, ROW_COLUMNS, (buf, start, end) => visit(rowOf(buf.toString('utf8', start, end))), chainKey, pageSize);
}
