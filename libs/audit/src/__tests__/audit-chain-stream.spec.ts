import { canonicalJson } from '@pcn/common';
import { AuditEventEntity, AuditEventType, hashAuditEvent } from '@pcn/audit';
import { canonicalJsonOfParsed, HASHED_FIELD_ORDER, hashStoredAuditRow, isoMillisecondsOf, StoredAuditRow } from '../audit-chain-stream';

/** jsonb-like text: keys in another order than canonical, with spaces, as PostgreSQL prints it. */
function jsonbText(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(jsonbText).join(', ')}]`;
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .reverse()
    .map((k) => `${JSON.stringify(k)}: ${jsonbText(record[k])}`)
    .join(', ')}}`;
}

/** The row as the streamed verifier reads it back: text columns, occurred_at in UTC with microseconds. */
function storedRow(e: AuditEventEntity): StoredAuditRow {
  return {
    id: e.id,
    chainKey: e.chainKey,
    seq: String(e.seq),
    type: e.type,
    occurredAt: `${e.occurredAt.toISOString().slice(0, 23)}000`,
    agreementId: e.agreementId,
    roundId: e.roundId,
    revisionHash: e.revisionHash,
    actorUserId: e.actorUserId,
    actorName: e.actorName,
    organisationId: e.organisationId,
    ip: e.ip,
    userAgent: e.userAgent,
    authMethod: e.authMethod,
    payload: jsonbText(e.payload),
    prevHash: e.prevHash,
    hash: e.hash,
  };
}

function event(overrides: Partial<AuditEventEntity>): AuditEventEntity {
  return Object.assign(new AuditEventEntity(), {
    id: '42',
    chainKey: '6f1c2d3e-1111-4222-8333-444455556666',
    seq: 7,
    type: AuditEventType.Signed,
    occurredAt: new Date('2026-03-01T10:00:00.123Z'),
    agreementId: '6f1c2d3e-1111-4222-8333-444455556666',
    roundId: '0a1b2c3d-1111-4222-8333-444455556666',
    revisionHash: 'ab'.repeat(32),
    actorUserId: '9f8e7d6c-1111-4222-8333-444455556666',
    actorName: 'Dr Ann Example',
    organisationId: '1a2b3c4d-1111-4222-8333-444455556666',
    ip: '203.0.113.7',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) "quoted" \\ back',
    authMethod: 'password',
    payload: {},
    prevHash: 'cd'.repeat(32),
    hash: 'ef'.repeat(32),
    ...overrides,
  });
}

const PAYLOADS: Record<string, unknown>[] = [
  {},
  { requestId: '0a1b2c3d-1111-4222-8333-444455556666', step: 2, typedName: 'Dr Ann Example', authorityConfirmed: true },
  { zoë: 'Zoë Brontë', 日本: '日本語のテキスト', emoji: '👩‍⚕️ signed ✍️', rtl: 'مرحبا', combining: 'e\u0301', separators: '\u2028\u2029', lone: '\ud800 x \udfff' },
  { quote: 'He said "no"', backslash: 'C:\\path\\file', control: '\u0001\u001f\b\f\n\r\t', nul: 'tab\there', slash: '</script>' },
  { n: [0, -0, 1, -1, 1.5, -2.25e-7, 1e21, 1e-7, 123456789012345680000, 0.1 + 0.2, Number.MAX_SAFE_INTEGER, -Number.MAX_VALUE, 5e-324] },
  { a: null, b: [null, null], c: { d: null }, e: false, f: true },
  { deep: { b: { z: [1, { y: 'x', a: [[], {}, [[{ k: 'v' }]]] }], a: 'first' }, A: 'upper', _: 'underscore', '': 'empty key', 'a b': 1, aa: 2, 'é': 3, Z: 4, '10': 5, '9': 6 } },
  { documents: [{ id: '1', reference: 'NA-U12345-2026-0001-A' }, { id: '2', reference: 'NA-U12345-2026-0001-DSA1' }], executionId: 'x' },
  JSON.parse('{"__proto__": {"polluted": true}, "constructor": "c", "toString": 1}') as Record<string, unknown>,
];

describe('streamed audit hashing', () => {
  it('writes the hashed fields in the order canonicalJson sorts them', () => {
    expect([...HASHED_FIELD_ORDER].sort()).toEqual([...HASHED_FIELD_ORDER]);
    expect(new Set(HASHED_FIELD_ORDER)).toEqual(
      new Set(['chainKey', 'seq', 'type', 'occurredAt', 'agreementId', 'roundId', 'revisionHash', 'actorUserId', 'actorName', 'organisationId', 'ip', 'userAgent', 'authMethod', 'payload', 'prevHash']),
    );
  });

  it.each(PAYLOADS.map((payload, i) => [i, payload]))('hashes stored row %i exactly as hashAuditEvent hashes the entity', (_i, payload) => {
    const full = event({ payload: payload as Record<string, unknown> });
    expect(hashStoredAuditRow(storedRow(full))).toBe(hashAuditEvent(full));
    const sparse = event({
      payload: payload as Record<string, unknown>,
      chainKey: 'platform',
      seq: 123456,
      agreementId: null,
      roundId: null,
      revisionHash: null,
      actorUserId: null,
      actorName: null,
      organisationId: null,
      ip: null,
      userAgent: null,
      authMethod: null,
      occurredAt: new Date('1999-12-31T23:59:59.000Z'),
    });
    expect(hashStoredAuditRow(storedRow(sparse))).toBe(hashAuditEvent(sparse));
  });

  it('hashes unicode and escapes in every text column as hashAuditEvent does', () => {
    const e = event({ actorName: 'Dr Siobhán O\'Neill "Shiv" 👩‍⚕️', userAgent: 'UA\twith\ttabs\nand \\ backslashes', type: AuditEventType.Declined, payload: { reason: 'Clause 4,\nneeds work' } });
    expect(hashStoredAuditRow(storedRow(e))).toBe(hashAuditEvent(e));
    // and a changed byte anywhere changes the hash
    expect(hashStoredAuditRow({ ...storedRow(e), actorName: 'Dr Siobhan O\'Neill "Shiv" 👩‍⚕️' })).not.toBe(hashAuditEvent(e));
    expect(hashStoredAuditRow({ ...storedRow(e), seq: '8' })).not.toBe(hashAuditEvent(e));
  });

  it('writes the canonical JSON of anything JSON.parse returns byte for byte as canonicalJson does', () => {
    // A deterministic generator of nested JSON values with awkward keys, strings and numbers.
    let state = 12345;
    const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4294967296;
    const alphabet = ['a', 'B', 'z', 'Z', '_', 'é', 'ß', '日', '😀', '"', '\\', '\n', '\u0000', '\u2028', ' ', '0', '9'];
    const text = () => Array.from({ length: Math.floor(next() * 6) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
    const value = (depth: number): unknown => {
      const r = next();
      if (depth > 3 || r < 0.3) {
        const leaf = Math.floor(next() * 6);
        return [null, true, false, text(), (next() - 0.5) * 10 ** Math.floor(next() * 40 - 20), Math.floor(next() * 1e6)][leaf];
      }
      if (r < 0.6) return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(next() * 5) }, () => [text(), value(depth + 1)]));
    };
    for (let i = 0; i < 2000; i++) {
      const parsed = JSON.parse(JSON.stringify(value(0))) as unknown;
      expect(canonicalJsonOfParsed(parsed)).toBe(canonicalJson(parsed));
    }
  });

  it('refuses what canonicalJson refuses (a jsonb number too large for a double)', () => {
    const parsed = JSON.parse('{"n": 1e400}') as unknown;
    expect(() => canonicalJson(parsed)).toThrow(/Infinity/);
    expect(() => canonicalJsonOfParsed(parsed)).toThrow(/Infinity/);
  });

  it('takes occurred_at only at whole milliseconds', () => {
    expect(isoMillisecondsOf('2026-03-01T10:00:00.123000')).toBe('2026-03-01T10:00:00.123Z');
    expect(isoMillisecondsOf('2026-03-01T10:00:00.123456')).toBeNull();
    expect(hashStoredAuditRow({ ...storedRow(event({})), occurredAt: '2026-03-01T10:00:00.123001' })).toBeNull();
  });
});
