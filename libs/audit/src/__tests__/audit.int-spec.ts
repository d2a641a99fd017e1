import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@pcn/database';
import { ActorContext } from '@pcn/common';
import { createTestDatabase, TestDatabase } from '@pcn/testing/test-database';
import {
  AUDIT_ENTITIES,
  AuditEventEntity,
  AuditEventType,
  AuditService,
  GENESIS_HASH,
  hashAuditEvent,
  NewAuditEvent,
  PLATFORM_CHAIN,
  verifyAuditChain,
} from '@pcn/audit';

const actor: ActorContext = { userId: randomUUID(), ip: '203.0.113.7', userAgent: 'jest', authMethod: 'password' };

describe('AuditService (real PostgreSQL)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let audit: AuditService;

  /** A superuser connection that bypasses the append-only triggers, as an attacker with DB access would. */
  async function tamper(...statements: [sql: string, params?: unknown[]][]): Promise<void> {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      await c.query('BEGIN');
      await c.query('ALTER TABLE audit_event DISABLE TRIGGER USER');
      for (const [sql, params] of statements) {
        const { rowCount } = await c.query(sql, params ?? []);
        expect(rowCount).toBe(1); // the tampering really happened
      }
      await c.query('ALTER TABLE audit_event ENABLE TRIGGER USER');
      await c.query('COMMIT');
    } finally {
      await c.end();
    }
  }

  async function chainOf(agreementId: string): Promise<AuditEventEntity[]> {
    return ds.getRepository(AuditEventEntity).find({ where: { chainKey: agreementId }, order: { seq: 'ASC' } });
  }

  async function recordEach(agreementId: string, n: number): Promise<AuditEventEntity[]> {
    const out: AuditEventEntity[] = [];
    for (let i = 0; i < n; i++) {
      out.push(await ds.transaction((em) => audit.record(em, { type: AuditEventType.RevisionSaved, actor, agreementId, payload: { revision: i + 1 } })));
    }
    return out;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await new DataSource({ ...dataSourceOptions(db.url, AUDIT_ENTITIES, 25), logging: false }).initialize();
    audit = new AuditService(ds);
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('chains events: seq 1..n, each prevHash the previous hash, hashes recomputable from the stored row', async () => {
    const agreementId = randomUUID();
    const roundId = randomUUID();
    const event: NewAuditEvent = {
      type: AuditEventType.Approved,
      actor,
      actorName: 'Dr Ann Example',
      organisationId: randomUUID(),
      agreementId: agreementId.toUpperCase(), // stored lower-case, and hashed as stored
      roundId,
      revisionHash: 'AB'.repeat(32),
      payload: { z: [1, 2, { b: true, a: null }], a: 'x', when: new Date('2026-03-01T10:00:00.000Z') },
    };
    await ds.transaction((em) => audit.record(em, { ...event, type: AuditEventType.AgreementCreated }));
    await ds.transaction((em) => audit.record(em, event));
    await ds.transaction((em) => audit.record(em, { ...event, type: AuditEventType.Executed }));

    const rows = await chainOf(agreementId);
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(rows.map((r) => r.type)).toEqual([AuditEventType.AgreementCreated, AuditEventType.Approved, AuditEventType.Executed]);
    expect(rows[0].prevHash).toBe(GENESIS_HASH);
    expect(rows[1].prevHash).toBe(rows[0].hash);
    expect(rows[2].prevHash).toBe(rows[1].hash);
    for (const r of rows) expect(hashAuditEvent(r)).toBe(r.hash);
    expect(new Set(rows.map((r) => r.hash)).size).toBe(3);
    expect(rows[1]).toMatchObject({
      agreementId,
      chainKey: agreementId,
      roundId,
      revisionHash: 'ab'.repeat(32),
      actorUserId: actor.userId,
      actorName: 'Dr Ann Example',
      ip: '203.0.113.7',
      userAgent: 'jest',
      authMethod: 'password',
      payload: { z: [1, 2, { b: true, a: null }], a: 'x', when: '2026-03-01T10:00:00.000Z' },
    });

    const result = await audit.verifyChain(agreementId);
    expect(result).toEqual({ ok: true, chains: 1, eventsChecked: 3, head: { seq: 3, hash: rows[2].hash } });
  });

  it('returns the stored event, and puts events without an agreement on the platform chain', async () => {
    const saved = await ds.transaction((em) => audit.record(em, { type: AuditEventType.RoleGranted, actor, payload: { role: 'AUDITOR' } }));
    expect(saved.chainKey).toBe(PLATFORM_CHAIN);
    expect(saved.agreementId).toBeNull();
    const stored = await ds.getRepository(AuditEventEntity).findOneByOrFail({ id: saved.id });
    expect(stored.hash).toBe(saved.hash);
    expect(stored.occurredAt.getTime()).toBe(saved.occurredAt.getTime());
  });

  it('leaves no trace and no gap when the business transaction rolls back', async () => {
    const agreementId = randomUUID();
    await recordEach(agreementId, 1);
    await expect(
      ds.transaction(async (em) => {
        await audit.record(em, { type: AuditEventType.Submitted, actor, agreementId, payload: { doomed: true } });
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    expect((await chainOf(agreementId)).map((r) => r.seq)).toEqual([1]);

    await recordEach(agreementId, 1);
    const rows = await chainOf(agreementId);
    expect(rows.map((r) => r.seq)).toEqual([1, 2]);
    expect(rows.some((r) => (r.payload as { doomed?: boolean }).doomed)).toBe(false);
    expect(rows[1].prevHash).toBe(rows[0].hash);
    expect((await audit.verifyChain(agreementId)).ok).toBe(true);
  });

  it('serialises 20 concurrent writers of one chain into seq 1..20 with a valid chain', async () => {
    const agreementId = randomUUID();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        ds.transaction(async (em) => {
          // Some work before and after recording, so the transactions really overlap.
          await em.query('SELECT pg_sleep(0.01)');
          await audit.record(em, { type: AuditEventType.Viewed, actor, agreementId, payload: { writer: i } });
          await em.query('SELECT pg_sleep(0.01)');
        }),
      ),
    );
    const rows = await chainOf(agreementId);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(rows.map((r) => (r.payload as { writer: number }).writer)).size).toBe(20);
    expect(await audit.verifyChain(agreementId)).toMatchObject({ ok: true, chains: 1, eventsChecked: 20 });
  });

  it('opens its own transaction when given a manager outside one', async () => {
    const agreementId = randomUUID();
    await Promise.all(Array.from({ length: 5 }, () => audit.record(ds.manager, { type: AuditEventType.Reminded, actor, agreementId })));
    expect((await chainOf(agreementId)).map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('recordMany appends several events after the head in one go, in order and linked as record would', async () => {
    const agreementId = randomUUID();
    await recordEach(agreementId, 2);
    const appended = await ds.transaction((em) =>
      audit.recordMany(em, [1, 2, 3].map((n) => ({ type: AuditEventType.RequestSent, actor, agreementId, payload: { n } }))),
    );
    expect(appended.map((e) => e.seq)).toEqual([3, 4, 5]);
    const rows = await chainOf(agreementId);
    expect(rows.map((r) => [r.seq, r.type, r.payload])).toEqual([
      [1, AuditEventType.RevisionSaved, { revision: 1 }],
      [2, AuditEventType.RevisionSaved, { revision: 2 }],
      [3, AuditEventType.RequestSent, { n: 1 }],
      [4, AuditEventType.RequestSent, { n: 2 }],
      [5, AuditEventType.RequestSent, { n: 3 }],
    ]);
    rows.slice(1).forEach((row, i) => expect(row.prevHash).toBe(rows[i].hash));
    expect(await audit.verifyChain(agreementId)).toMatchObject({ ok: true, eventsChecked: 5 });
  });

  it('recordMany appends to several chains at once, each after its own head, in the order given', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await recordEach(a, 2);
    const appended = await ds.transaction((em) =>
      audit.recordMany(em, [
        { type: AuditEventType.EmailSent, actor, agreementId: b, payload: { n: 1 } },
        { type: AuditEventType.EmailSent, actor, agreementId: a, payload: { n: 2 } },
        { type: AuditEventType.RequestSent, actor, agreementId: b, payload: { n: 3 } },
        { type: AuditEventType.EmailSent, actor, payload: { n: 4 } },
      ]),
    );
    expect(appended.map((e) => [e.chainKey, e.seq])).toEqual([
      [b, 1],
      [a, 3],
      [b, 2],
      ['platform', expect.any(Number)],
    ]);
    expect((await chainOf(a)).map((r) => [r.seq, r.payload])).toEqual([
      [1, { revision: 1 }],
      [2, { revision: 2 }],
      [3, { n: 2 }],
    ]);
    expect((await chainOf(b)).map((r) => [r.seq, r.type, r.payload])).toEqual([
      [1, AuditEventType.EmailSent, { n: 1 }],
      [2, AuditEventType.RequestSent, { n: 3 }],
    ]);
    expect(await audit.verifyChain(a)).toMatchObject({ ok: true, eventsChecked: 3 });
    expect(await audit.verifyChain(b)).toMatchObject({ ok: true, eventsChecked: 2 });
  });

  it('writers of several chains each, in every order, and writers of one chain neither deadlock nor leave gaps', async () => {
    const chains = Array.from({ length: 6 }, () => randomUUID());
    // Each multi-chain writer names four chains in its own order; the single-chain writers interleave.
    const multi = Array.from({ length: 12 }, (_, w) => {
      const mine = [0, 1, 2, 3].map((k) => chains[(w + k * (w % 2 === 0 ? 1 : 5)) % 6]);
      return ds.transaction((em) => audit.recordMany(em, mine.map((agreementId) => ({ type: AuditEventType.EmailSent, actor, agreementId, payload: { w } }))));
    });
    const single = chains.flatMap((agreementId) => Array.from({ length: 3 }, () => audit.record(ds.manager, { type: AuditEventType.Reminded, actor, agreementId })));
    const outcomes = await Promise.allSettled([...multi, ...single]);
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    let events = 0;
    for (const agreementId of chains) {
      const seqs = (await chainOf(agreementId)).map((r) => r.seq);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
      events += seqs.length;
      expect(await audit.verifyChain(agreementId)).toMatchObject({ ok: true });
    }
    expect(events).toBe(12 * 4 + 6 * 3);
  });

  it('refuses malformed events before touching the database', async () => {
    await expect(ds.transaction((em) => audit.record(em, { type: AuditEventType.Viewed, actor, agreementId: 'not-a-uuid' }))).rejects.toThrow(/agreementId must be a UUID/);
    await expect(ds.transaction((em) => audit.record(em, { type: 'NOPE' as AuditEventType, actor }))).rejects.toThrow(/not an AuditEventType/);
    await expect(ds.transaction((em) => audit.record(em, { type: AuditEventType.Viewed, actor, payload: { n: NaN } }))).rejects.toThrow(/payload/);
  });

  it('the database refuses UPDATE, DELETE and TRUNCATE on audit_event', async () => {
    const agreementId = randomUUID();
    const [first] = await recordEach(agreementId, 2);
    await expect(ds.query(`UPDATE audit_event SET payload = '{"forged":true}' WHERE id = $1`, [first.id])).rejects.toThrow(/audit_event is append-only: UPDATE refused/);
    await expect(ds.query(`DELETE FROM audit_event WHERE id = $1`, [first.id])).rejects.toThrow(/audit_event is append-only: DELETE refused/);
    await expect(ds.query(`TRUNCATE audit_event`)).rejects.toThrow(/audit_event is append-only: TRUNCATE refused/);
    await expect(ds.getRepository(AuditEventEntity).delete({ chainKey: agreementId })).rejects.toThrow(/append-only/);
    const rows = await chainOf(agreementId);
    expect(rows).toHaveLength(2);
    expect(rows[0].payload).toEqual({ revision: 1 });
  });

  it('detects an altered payload and names exactly that event', async () => {
    const agreementId = randomUUID();
    const rows = await recordEach(agreementId, 5);
    expect(await audit.verifyChain(agreementId)).toMatchObject({ ok: true, eventsChecked: 5 });

    const victim = rows[2];
    await tamper([`UPDATE audit_event SET payload = '{"revision": 99}' WHERE id = $1`, [victim.id]]);

    const result = await audit.verifyChain(agreementId);
    expect(result.ok).toBe(false);
    expect(result.eventsChecked).toBe(2);
    expect(result.firstBroken).toMatchObject({ chainKey: agreementId, seq: 3, id: victim.id, reason: 'hash mismatch' });
    // The same break, found by the standalone function the CLI uses.
    expect((await verifyAuditChain(ds.manager, agreementId)).firstBroken).toMatchObject({ seq: 3, id: victim.id, reason: 'hash mismatch' });
  });

  it('detects an altered row whose hash was recomputed, at the next link', async () => {
    const agreementId = randomUUID();
    const rows = await recordEach(agreementId, 4);
    const forged = { ...rows[1], payload: { revision: 42 } };
    await tamper([`UPDATE audit_event SET payload = $2, hash = $3 WHERE id = $1`, [rows[1].id, JSON.stringify(forged.payload), hashAuditEvent(forged)]]);
    expect((await audit.verifyChain(agreementId)).firstBroken).toMatchObject({ seq: 3, id: rows[2].id, reason: 'previous hash mismatch' });
  });

  it('reports a deleted middle event as a sequence gap at the event after it', async () => {
    const agreementId = randomUUID();
    const rows = await recordEach(agreementId, 5);
    await tamper([`DELETE FROM audit_event WHERE id = $1`, [rows[2].id]]);
    const result = await audit.verifyChain(agreementId);
    expect(result.ok).toBe(false);
    expect(result.eventsChecked).toBe(2);
    expect(result.firstBroken).toMatchObject({ chainKey: agreementId, seq: 4, id: rows[3].id, reason: 'sequence gap', detail: 'expected seq 3, found 4' });
  });

  it('reports a renumbered chain (middle row deleted, later rows shifted down) as a previous hash mismatch', async () => {
    const agreementId = randomUUID();
    const rows = await recordEach(agreementId, 4);
    await tamper(
      [`DELETE FROM audit_event WHERE id = $1`, [rows[1].id]],
      [`UPDATE audit_event SET seq = 2 WHERE id = $1`, [rows[2].id]],
      [`UPDATE audit_event SET seq = 3 WHERE id = $1`, [rows[3].id]],
    );
    expect((await audit.verifyChain(agreementId)).firstBroken).toMatchObject({ seq: 2, id: rows[2].id, reason: 'previous hash mismatch' });
  });

  it('verifies every chain when no chain is named, paging past 1000 events', async () => {
    // A fresh database so earlier tampering does not mask this check.
    const own = await createTestDatabase();
    const ds2 = await new DataSource({ ...dataSourceOptions(own.url, AUDIT_ENTITIES, 5), logging: false }).initialize();
    try {
      const audit2 = new AuditService(ds2);
      const a = randomUUID();
      const b = randomUUID();
      await ds2.transaction(async (em) => {
        for (let i = 0; i < 1001; i++) await audit2.record(em, { type: AuditEventType.Viewed, actor, agreementId: a });
        for (let i = 0; i < 3; i++) await audit2.record(em, { type: AuditEventType.Viewed, actor, agreementId: b });
        await audit2.record(em, { type: AuditEventType.RoleGranted, actor });
      });
      expect(await audit2.verifyChain()).toEqual({ ok: true, chains: 3, eventsChecked: 1005 });
      expect(await audit2.verifyChain(a)).toMatchObject({ ok: true, chains: 1, eventsChecked: 1001, head: { seq: 1001 } });

      const [late] = await ds2.query(`SELECT id FROM audit_event WHERE chain_key = $1 AND seq = 1001`, [a]);
      const c = new Client({ connectionString: own.url });
      await c.connect();
      await c.query('ALTER TABLE audit_event DISABLE TRIGGER USER');
      await c.query(`UPDATE audit_event SET actor_name = 'someone else' WHERE id = $1`, [late.id]);
      await c.query('ALTER TABLE audit_event ENABLE TRIGGER USER');
      await c.end();
      const result = await audit2.verifyChain();
      expect(result.ok).toBe(false);
      expect(result.firstBroken).toMatchObject({ chainKey: a, seq: 1001, id: String(late.id), reason: 'hash mismatch' });
      // The other chains are still fine on their own.
      expect((await audit2.verifyChain(b)).ok).toBe(true);
      expect((await audit2.verifyChain(PLATFORM_CHAIN)).ok).toBe(true);
    } finally {
      await ds2.destroy();
      await own.drop();
    }
  });

  it('lists and exports a chain as CSV with a header and one row per event', async () => {
    const agreementId = randomUUID();
    await recordEach(agreementId, 3);
    await ds.transaction((em) =>
      audit.record(em, { type: AuditEventType.Declined, actor, actorName: 'Smith, "Jo"', agreementId, payload: { reason: 'Clause 4,\nneeds work' } }),
    );
    const events = await audit.list(agreementId);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect((await audit.list(agreementId, { afterSeq: 2 })).map((e) => e.seq)).toEqual([3, 4]);

    const csv = audit.toCsv(events);
    expect(csv.startsWith('id,chain_key,seq,type,occurred_at,')).toBe(true);
    // 1 header + 4 records, CRLF-terminated.
    const records = csv.split('\r\n').filter((line) => line.length > 0);
    expect(records).toHaveLength(5);
    expect(records[4]).toContain('"Smith, ""Jo"""');
    // Compact JSON: the newline is escaped as \n inside the JSON; the comma and quotes still force RFC 4180 quoting.
    expect(records[4]).toContain(`"{""reason"":""Clause 4,\\nneeds work""}"`);

    let streamed = '';
    for await (const chunk of audit.streamCsv(agreementId)) streamed += chunk;
    expect(streamed).toBe(csv);
  });
});
