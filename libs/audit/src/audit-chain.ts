import type { EntityManager } from 'typeorm';
import { canonicalJson, sha256Hex } from '@pcn/common';
import { AuditEventEntity } from './audit-event.entity';
import { AuditChainChecker, CHECK_COLUMNS } from './audit-chain-check';
import { streamAuditLines } from './audit-chain-stream';

/** Rows read per query when walking the table; nothing ever loads a whole chain at once. */
export const AUDIT_PAGE_SIZE = 1000;

/** Exactly the fields an event's hash covers (everything but the database id and the hash itself). */
export type HashedAuditFields = Pick<
  AuditEventEntity,
  | 'chainKey'
  | 'seq'
  | 'type'
  | 'occurredAt'
  | 'agreementId'
  | 'roundId'
  | 'revisionHash'
  | 'actorUserId'
  | 'actorName'
  | 'organisationId'
  | 'ip'
  | 'userAgent'
  | 'authMethod'
  | 'payload'
  | 'prevHash'
>;

/** sha256 of the canonical JSON of the hashed fields; `occurredAt` as an ISO string (ms precision). */
export function hashAuditEvent(e: HashedAuditFields): string {
  return sha256Hex(
    canonicalJson({
      chainKey: e.chainKey,
      seq: e.seq,
      type: e.type,
      occurredAt: e.occurredAt.toISOString(),
      agreementId: e.agreementId,
      roundId: e.roundId,
      revisionHash: e.revisionHash,
      actorUserId: e.actorUserId,
      actorName: e.actorName,
      organisationId: e.organisationId,
      ip: e.ip,
      userAgent: e.userAgent,
      authMethod: e.authMethod,
      payload: e.payload,
      prevHash: e.prevHash,
    }),
  );
}

export type ChainBreakReason = 'hash mismatch' | 'previous hash mismatch' | 'sequence gap';

export interface ChainBreak {
  chainKey: string;
  seq: number;
  id: string;
  reason: ChainBreakReason;
  /** Human-readable specifics, e.g. "expected seq 3, found 4". */
  detail: string;
}

export interface ChainVerification {
  ok: boolean;
  /** Chains walked (up to and including the broken one, if any). */
  chains: number;
  /** Events whose hash and links were checked before stopping. */
  eventsChecked: number;
  /** The first broken link, in (chainKey, seq) order. */
  firstBroken?: ChainBreak;
  /**
   * When one chain was verified: its last event. Anchoring this hash somewhere outside
   * the database (e.g. on a sealed PDF) lets a later check detect removal of the tail,
   * which the chain alone cannot.
   */
  head?: { seq: number; hash: string };
}

/**
 * Pages through audit events in (chainKey, seq) order with keyset pagination on the
 * unique index; one chain when `chainKey` is given, every chain otherwise.
 */
export async function* iterateAuditEvents(em: EntityManager, chainKey?: string, pageSize = AUDIT_PAGE_SIZE): AsyncGenerator<AuditEventEntity[]> {
  let after: { chainKey: string; seq: number } | null = null;
  for (;;) {
    const qb = em.getRepository(AuditEventEntity).createQueryBuilder('e');
    if (chainKey !== undefined) {
      qb.where('e.chainKey = :chainKey', { chainKey });
      if (after) qb.andWhere('e.seq > :afterSeq', { afterSeq: after.seq });
    } else if (after) {
      qb.where('(e.chainKey, e.seq) > (:afterChain, :afterSeq)', { afterChain: after.chainKey, afterSeq: after.seq });
    }
    const page = await qb.orderBy('e.chainKey', 'ASC').addOrderBy('e.seq', 'ASC').limit(pageSize).getMany();
    if (page.length === 0) return;
    yield page;
    if (page.length < pageSize) return;
    const last = page[page.length - 1];
    after = { chainKey: last.chainKey, seq: last.seq };
  }
}

/**
 * Recomputes every hash in (chainKey, seq) order and checks each event's link to the one
 * before it. Stops at the first broken link. Works on any EntityManager (Nest or a plain
 * DataSource). Rows are streamed with COPY in keyset pages (audit-chain-stream.ts) and checked
 * from their text bytes (audit-chain-check.ts): nothing holds a chain in memory, and no
 * entity, row object or payload object is built.
 */
export async function verifyAuditChain(em: EntityManager, chainKey?: string, options: { pageSize?: number } = {}): Promise<ChainVerification> {
  const checker = new AuditChainChecker();
  await streamAuditLines(em, CHECK_COLUMNS, checker.line, chainKey, options.pageSize);
  const { chains, eventsChecked, firstBroken } = checker;
  if (firstBroken) return { ok: false, chains, eventsChecked, firstBroken };
  const result: ChainVerification = { ok: true, chains, eventsChecked };
  const last = checker.state;
  if (chainKey !== undefined && last.chainKey !== null) result.head = { seq: last.seq, hash: last.hash };
  return result;
}
