import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@pcn/database';
import { ActorContext } from '@pcn/common';
import { createTestDatabase, TestDatabase } from '@pcn/testing/test-database';
import { AUDIT_ENTITIES, AuditEventEntity, AuditEventType, AuditService, hashAuditEvent, verifyAuditChain } from '@pcn/audit';

const actor: ActorContext = { userId: randomUUID(), ip: '203.0.113.9', userAgent: 'jest "stream" \\ tab\there', authMethod: 'password' };

/**
 * The streamed verifier reads COPY pages of `pageSize` rows; a small page size makes a short
 * chain span many pages, so page boundaries, the keyset between pages and an early stop in
 * the middle of a page are all exercised.
 */
describe('verifyAuditChain, streamed in COPY pages (real PostgreSQL)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let audit: AuditService;
  const a = randomUUID();
  const b = randomUUID();
  let chainA: AuditEventEntity[];

  async function superuser(sql: string, params: unknown[]): Promise<void> {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      await c.query('BEGIN');
      await c.query('ALTER TABLE audit_event DISABLE TRIGGER USER');
      expect((await c.query(sql, params)).rowCount).toBe(1);
      await c.query('ALTER TABLE audit_event ENABLE TRIGGER USER');
      await c.query('COMMIT');
    } finally {
      await c.end();
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await new DataSource({ ...dataSourceOptions(db.url, AUDIT_ENTITIES, 3), logging: false }).initialize();
    audit = new AuditService(ds);
    await ds.transaction(async (em) => {
      for (let i = 0; i < 57; i++) {
        await audit.record(em, {
          type: i % 3 === 0 ? AuditEventType.Viewed : AuditEventType.Signed,
          actor,
          actorName: i % 2 ? 'Dr Zoë O\'Neill "Z"' : null,
          agreementId: a,
          // Text that COPY has to escape (tabs, newlines, backslashes) and unicode, so unescaping is checked too.
          payload: { i, note: `line one\nline\ttwo \\ ${'👩‍⚕️'.repeat(i % 4)}`, nested: { z: [i, null, { y: true }], a: -i / 7 } },
        });
      }
      for (let i = 0; i < 4; i++) await audit.record(em, { type: AuditEventType.Viewed, actor, agreementId: b, payload: { i } });
    });
    chainA = await ds.getRepository(AuditEventEntity).find({ where: { chainKey: a }, order: { seq: 'ASC' } });
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('verifies valid chains across many small pages, with the head of the one chain asked for', async () => {
    expect(await verifyAuditChain(ds.manager, a, { pageSize: 5 })).toEqual({ ok: true, chains: 1, eventsChecked: 57, head: { seq: 57, hash: chainA[56].hash } });
    expect(await verifyAuditChain(ds.manager, undefined, { pageSize: 7 })).toEqual({ ok: true, chains: 2, eventsChecked: 61 });
    // A page size that divides the chain exactly ends on an empty page, not a missed row.
    expect(await verifyAuditChain(ds.manager, a, { pageSize: 19 })).toMatchObject({ ok: true, eventsChecked: 57 });
    for (const row of chainA) expect(hashAuditEvent(row)).toBe(row.hash);
  });

  it('reads occurred_at right in a session whose DateStyle is not ISO, and leaves that DateStyle as it was', async () => {
    await ds.transaction(async (em) => {
      await em.query(`SET DateStyle = 'SQL, DMY'`);
      expect(await verifyAuditChain(em, a, { pageSize: 5 })).toEqual({ ok: true, chains: 1, eventsChecked: 57, head: { seq: 57, hash: chainA[56].hash } });
      expect((await em.query('SHOW DateStyle')) as { DateStyle: string }[]).toEqual([{ DateStyle: 'SQL, DMY' }]);
    });
  });

  it('reports a tampered event in the middle of a multi-page chain with its exact seq, id and reason, and the pool stays usable', async () => {
    const victim = chainA[30]; // seq 31: page 7 of 5-row pages, in the middle of that page
    await superuser(`UPDATE audit_event SET payload = jsonb_set(payload, '{i}', '999') WHERE id = $1`, [victim.id]);
    for (const chainKey of [a, undefined]) {
      const result = await verifyAuditChain(ds.manager, chainKey, { pageSize: 5 });
      expect(result.ok).toBe(false);
      // Every chain: chain b's 4 events come first when its key sorts first.
      expect(result.eventsChecked).toBe(chainKey === undefined && b < a ? 34 : 30);
      expect(result.head).toBeUndefined();
      expect(result.firstBroken).toMatchObject({ chainKey: a, seq: 31, id: String(victim.id), reason: 'hash mismatch' });
      expect(result.firstBroken?.detail).toMatch(new RegExp(`^stored hash ${victim.hash}, recomputed [0-9a-f]{64}$`));
    }
    // The stop drained the page: the pool's connections still answer (3 of them, used more times than that).
    for (let i = 0; i < 6; i++) expect(await verifyAuditChain(ds.manager, b, { pageSize: 2 })).toMatchObject({ ok: true, eventsChecked: 4 });
    expect(await audit.verifyChain(a)).toMatchObject({ ok: false, firstBroken: { seq: 31, reason: 'hash mismatch' } });
  });

  it('reports a sub-millisecond occurred_at as a hash mismatch at that event', async () => {
    // Put the payload tampered above back, so the next break in chain a is the one made here.
    await superuser(`UPDATE audit_event SET payload = $2 WHERE id = $1`, [chainA[30].id, JSON.stringify(chainA[30].payload)]);
    expect(await verifyAuditChain(ds.manager, a, { pageSize: 5 })).toMatchObject({ ok: true, eventsChecked: 57 });

    const victim = chainA[44];
    const c = new Client({ connectionString: db.url });
    await c.connect();
    await c.query('ALTER TABLE audit_event DROP CONSTRAINT audit_event_occurred_at_ms_check');
    await c.end();
    // One microsecond later: a Date (what was hashed) cannot hold it, so it is not the recorded instant.
    await superuser(`UPDATE audit_event SET occurred_at = occurred_at + interval '1 microsecond' WHERE id = $1`, [victim.id]);
    const result = await verifyAuditChain(ds.manager, a, { pageSize: 5 });
    expect(result).toMatchObject({ ok: false, eventsChecked: 44, firstBroken: { chainKey: a, seq: 45, id: String(victim.id), reason: 'hash mismatch' } });
    expect(result.firstBroken?.detail).toMatch(/^occurred_at \S+\.\d{3}001 is finer than a millisecond/);
  });
});
