// Audit-chain verifications as they were before, kept only so verify-chain.bench.js can
// measure "before" and "after" in the same session; not used by the application:
//   - the keyset walk before streaming (TypeORM keyset pages of 1000 entities, the generic
//     canonical JSON writer);
//   - the first streamed walk (COPY pages turned into row strings, payload parsed).
import type { EntityManager } from 'typeorm';
import { AuditEventEntity, GENESIS_HASH, hashAuditEvent } from '@pcn/audit';
import { hashStoredAuditRow, StoredAuditRow, streamAuditRows } from '@pcn/audit/audit-chain-stream';

export interface KeysetVerification {
  ok: boolean;
  chains: number;
  eventsChecked: number;
  firstBroken?: { chainKey: string; seq: number; reason: string };
  /** True when it stopped at `maxEvents` rather than at the end. */
  capped: boolean;
}

export async function verifyWithKeysetPages(em: EntityManager, chainKey?: string, maxEvents = Infinity, pageSize = 1000): Promise<KeysetVerification> {
  let chains = 0;
  let eventsChecked = 0;
  let prev: { chainKey: string; seq: number; hash: string } | null = null;
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
    for (const event of page) {
      const before: { chainKey: string; seq: number; hash: string } | null = prev && prev.chainKey === event.chainKey ? prev : null;
      if (!before) chains++;
      const expectedSeq: number = before ? before.seq + 1 : 1;
      const expectedPrev: string = before ? before.hash : GENESIS_HASH;
      const broken = (reason: string): KeysetVerification => ({ ok: false, chains, eventsChecked, firstBroken: { chainKey: event.chainKey, seq: event.seq, reason }, capped: false });
      if (event.seq !== expectedSeq) return broken('sequence gap');
      if (event.prevHash !== expectedPrev) return broken('previous hash mismatch');
      if (hashAuditEvent(event) !== event.hash) return broken('hash mismatch');
      eventsChecked++;
      prev = { chainKey: event.chainKey, seq: event.seq, hash: event.hash };
      if (eventsChecked >= maxEvents) return { ok: true, chains, eventsChecked, capped: true };
    }
    if (page.length < pageSize) return { ok: true, chains, eventsChecked, capped: false };
    const last = page[page.length - 1];
    after = { chainKey: last.chainKey, seq: last.seq };
  }
}

/**
 * The streamed verification as it was before it checked COPY bytes: every row turned into
 * strings (`streamAuditRows`), the payload parsed and its canonical JSON written as a string
 * (`hashStoredAuditRow`). Kept, like the keyset walk above, only for the bench's "before".
 */
export async function verifyWithRowStrings(em: EntityManager, chainKey?: string): Promise<KeysetVerification> {
  let chains = 0;
  let eventsChecked = 0;
  let prevChain: string | null = null;
  let prevSeq = 0;
  let prevHash = GENESIS_HASH;
  let firstBroken: KeysetVerification['firstBroken'];
  const visit = (event: StoredAuditRow): boolean => {
    const sameChain = event.chainKey === prevChain;
    if (!sameChain) chains++;
    const seq = Number(event.seq);
    const broken = (reason: string): boolean => ((firstBroken = { chainKey: event.chainKey, seq, reason }), false);
    if (seq !== (sameChain ? prevSeq + 1 : 1)) return broken('sequence gap');
    if (event.prevHash !== (sameChain ? prevHash : GENESIS_HASH)) return broken('previous hash mismatch');
    const recomputed = hashStoredAuditRow(event);
    if (recomputed === null || recomputed !== event.hash) return broken('hash mismatch');
    eventsChecked++;
    prevChain = event.chainKey;
    prevSeq = seq;
    prevHash = event.hash;
    return true;
  };
  await streamAuditRows(em, visit, chainKey);
  return { ok: firstBroken === undefined, chains, eventsChecked, firstBroken, capped: false };
}
