import { AuditEventEntity, AuditEventType, GENESIS_HASH, hashAuditEvent } from '@pcn/audit';
import { AuditChainChecker, microsecondTextOf } from '../audit-chain-check';

/** Text as COPY ... TO STDOUT writes it: backslash and the control characters it names are escaped, `\N` is NULL. */
function copyText(value: string | null): string {
  if (value === null) return '\\N';
  const named: Record<string, string> = { '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };
  return value.replace(/[\\\b\f\n\r\t\v]/g, (c) => named[c]);
}

/** jsonb's text output: keys by length then bytes, `", "` and `": "` separators, JSON string escapes. */
function jsonbText(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(jsonbText).join(', ')}]`;
  const record = value as Record<string, unknown>;
  const bytes = (k: string) => Buffer.from(k, 'utf8');
  const keys = Object.keys(record).sort((a, b) => bytes(a).length - bytes(b).length || Buffer.compare(bytes(a), bytes(b)));
  return `{${keys.map((k) => `${JSON.stringify(k)}: ${jsonbText(record[k])}`).join(', ')}}`;
}

/** occurred_at AT TIME ZONE 'UTC' in DateStyle ISO: trailing zeros of the fraction dropped. */
function timestampText(d: Date): string {
  const [date, time] = d.toISOString().slice(0, 23).split('T');
  return `${date} ${time.replace(/\.?0+$/, '')}`;
}

/** The COPY line of an event in the checker's column order. */
function copyLine(e: AuditEventEntity, occurredAt = timestampText(e.occurredAt)): string {
  return [
    e.actorName, e.actorUserId, e.agreementId, e.authMethod, e.chainKey, e.ip, occurredAt, e.organisationId, jsonbText(e.payload),
    e.prevHash, e.revisionHash, e.roundId, String(e.seq), e.type, e.userAgent, e.hash, e.id,
  ]
    .map((v, i) => (i === 6 || i === 12 ? v : copyText(v)))
    .join('\t');
}

function check(lines: string[], checker = new AuditChainChecker()): AuditChainChecker {
  // Several lines in one buffer, as they come in a network chunk.
  const buf = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
  let start = 0;
  for (let nl = buf.indexOf(10); nl !== -1; nl = buf.indexOf(10, start)) {
    if (!checker.line(buf, start, nl)) break;
    start = nl + 1;
  }
  return checker;
}

let nextId = 1;
function event(overrides: Partial<AuditEventEntity>): AuditEventEntity {
  return Object.assign(new AuditEventEntity(), {
    id: String(nextId++),
    chainKey: '6f1c2d3e-1111-4222-8333-444455556666',
    seq: 1,
    type: AuditEventType.Signed,
    occurredAt: new Date('2026-03-01T10:00:00.120Z'),
    agreementId: '6f1c2d3e-1111-4222-8333-444455556666',
    roundId: null,
    revisionHash: 'ab'.repeat(32),
    actorUserId: '9f8e7d6c-1111-4222-8333-444455556666',
    actorName: 'Dr Zoë Evans',
    organisationId: null,
    ip: '203.0.113.7',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
    authMethod: 'password',
    payload: {},
    prevHash: GENESIS_HASH,
    hash: '',
    ...overrides,
  });
}

/** Events chained as AuditService.record chains them: seq from 1, each prevHash the hash before. */
function chain(chainKey: string, parts: Partial<AuditEventEntity>[]): AuditEventEntity[] {
  const events: AuditEventEntity[] = [];
  for (const part of parts) {
    const prev = events[events.length - 1];
    const e = event({ ...part, chainKey, seq: events.length + 1, prevHash: prev ? prev.hash : GENESIS_HASH });
    e.hash = hashAuditEvent(e);
    events.push(e);
  }
  return events;
}

const PAYLOADS: Record<string, unknown>[] = [
  {},
  { to: 'person3060@large.invalid', step: 2, requestId: 'b6d75339-1f46-4c2a-b90d-27afa36b2cca' },
  { documents: [{ id: '5950ccdd', reference: 'NA-U10043-2019-0001-A' }, { id: 'af121e9e', reference: 'NA-U10043-2019-0001-DSA1' }], executionId: 'x', nested: { b: [], a: {} } },
  { step: 3, capacity: 'CLINICAL_DIRECTOR', typedName: 'Dr Siobhán Nowak 👩‍⚕️', authorityConfirmed: true, declined: false, note: null },
  { n: [0, -1, 7, 999999999999999, -999999999999999, 1000000000000000, 1.5, -2.25e-7, 1e21, 0.1 + 0.2, 5e-324] },
  { quote: 'He said "no"', backslash: 'C:\\path', control: '\u0001\b\f\n\r\t', slash: '</script>', separators: '\u2028\u2029' },
  { zoë: 'non-ASCII key', 日本: 'x', '😀': 'astral key', Z: 1, _: 2, aa: 3, a: 4, '': 5, '10': 6, '9': 7 },
  { deep: { z: [1, { y: 'x', a: [[], {}, [[{ k: 'v', b: true }]]] }], a: 'first' } },
];

describe('AuditChainChecker (COPY bytes → hashed JSON)', () => {
  it('recomputes exactly the hash hashAuditEvent gives for every row, on the byte path and the string path alike', () => {
    const variants: Partial<AuditEventEntity>[] = [];
    for (const payload of PAYLOADS) {
      variants.push({ payload });
      variants.push({
        payload,
        agreementId: null,
        revisionHash: null,
        actorUserId: null,
        actorName: null,
        ip: null,
        userAgent: null,
        authMethod: null,
        roundId: '0a1b2c3d-1111-4222-8333-444455556666',
        organisationId: '1a2b3c4d-1111-4222-8333-444455556666',
        occurredAt: new Date('1999-12-31T23:59:59.000Z'),
      });
    }
    variants.push({ actorName: 'Dr "Shiv" O\'Neill', userAgent: 'UA\twith tab \\ and backslash', occurredAt: new Date('2026-03-01T10:00:00.001Z') });
    variants.push({ type: AuditEventType.Declined, actorName: 'control \u0007 char', occurredAt: new Date('2026-03-01T10:00:00.100Z') });
    const events = chain('agreement-1', variants);
    for (const e of events) {
      // A wrong stored hash makes the checker report the hash it recomputed.
      const checker = check([copyLine({ ...e, hash: 'f'.repeat(64) } as AuditEventEntity)], new AuditChainChecker({ chainKey: e.chainKey, seq: e.seq - 1, hash: e.prevHash }));
      expect(checker.firstBroken).toEqual({ chainKey: e.chainKey, seq: e.seq, id: e.id, reason: 'hash mismatch', detail: `stored hash ${'f'.repeat(64)}, recomputed ${hashAuditEvent(e)}` });
    }
    const whole = check(events.map((e) => copyLine(e)));
    expect(whole.firstBroken).toBeUndefined();
    expect(whole.eventsChecked).toBe(events.length);
    expect(whole.chains).toBe(1);
    expect(whole.state).toEqual({ chainKey: 'agreement-1', seq: events.length, hash: events[events.length - 1].hash });
  });

  it('takes ordinary rows on the byte path and leaves only what needs escaping or number formatting to the string path', () => {
    const plain = chain('c', PAYLOADS.slice(0, 4).map((payload) => ({ payload })));
    expect(check(plain.map((e) => copyLine(e))).slowRows).toBe(0);
    const escapes = chain('c', [{ payload: { n: 1.5 } }, { actorName: 'a "quoted" name' }, { payload: { 'é': 1 } }, { userAgent: 'tab\there' }, { payload: { s: 'new\nline' } }, {}]);
    const checker = check(escapes.map((e) => copyLine(e)));
    expect(checker.firstBroken).toBeUndefined();
    expect(checker.slowRows).toBe(5);
  });

  it('matches hashAuditEvent on generated payloads', () => {
    let state = 777;
    const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4294967296;
    const alphabet = ['a', 'B', 'z', 'Z', '_', 'é', 'ß', '日', '😀', '"', '\\', '\n', '\u2028', ' ', '0', '9', '\t'];
    const text = () => Array.from({ length: Math.floor(next() * 6) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
    const key = () => (next() < 0.7 ? Array.from({ length: 1 + Math.floor(next() * 5) }, () => 'abcXYZ_09'[Math.floor(next() * 9)]).join('') : text());
    const value = (depth: number): unknown => {
      const r = next();
      if (depth > 3 || r < 0.3) return [null, true, false, text(), Math.floor((next() - 0.5) * 10 ** Math.floor(next() * 18)), (next() - 0.5) * 1000][Math.floor(next() * 6)];
      if (r < 0.6) return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(next() * 6) }, () => [key(), value(depth + 1)]));
    };
    const parts = Array.from({ length: 400 }, () => ({ payload: JSON.parse(JSON.stringify(Object.fromEntries(Array.from({ length: 1 + Math.floor(next() * 6) }, () => [key(), value(1)])))) as Record<string, unknown> }));
    const events = chain('generated', parts);
    const checker = check(events.map((e) => copyLine(e)));
    expect(checker.firstBroken).toBeUndefined();
    expect(checker.eventsChecked).toBe(400);
    // Both paths were exercised.
    expect(checker.slowRows).toBeGreaterThan(0);
    expect(checker.slowRows).toBeLessThan(400);
  });

  it('reports the first break in order: a gap, a wrong previous hash, a wrong hash, a time finer than a millisecond', () => {
    const a = chain('a', [{}, {}, {}]);
    const b = chain('b', [{}, {}]);
    const lines = [...a, ...b].map((e) => copyLine(e));
    const all = check(lines);
    expect(all).toMatchObject({ chains: 2, eventsChecked: 5, firstBroken: undefined });

    expect(check([lines[0], lines[2], ...lines.slice(3)]).firstBroken).toEqual({ chainKey: 'a', seq: 3, id: a[2].id, reason: 'sequence gap', detail: 'expected seq 2, found 3' });
    // A chain that does not start at 1.
    expect(check([...lines.slice(0, 3), lines[4]]).firstBroken).toMatchObject({ chainKey: 'b', seq: 2, reason: 'sequence gap', detail: 'expected seq 1, found 2' });

    const relinked = copyLine({ ...a[1], prevHash: 'e'.repeat(64) } as AuditEventEntity);
    const prevBroken = check([lines[0], relinked, ...lines.slice(2)]);
    expect(prevBroken.firstBroken).toEqual({ chainKey: 'a', seq: 2, id: a[1].id, reason: 'previous hash mismatch', detail: `prevHash ${'e'.repeat(64)} does not match ${a[0].hash}` });
    expect(prevBroken).toMatchObject({ chains: 1, eventsChecked: 1 });
    // The first event of a chain must link to the genesis hash.
    expect(check([...lines.slice(0, 3), copyLine({ ...b[0], prevHash: a[2].hash } as AuditEventEntity)]).firstBroken).toMatchObject({ chainKey: 'b', seq: 1, reason: 'previous hash mismatch' });

    const tampered = copyLine({ ...a[2], payload: { changed: 1 } } as AuditEventEntity);
    expect(check([lines[0], lines[1], tampered, ...lines.slice(3)]).firstBroken).toMatchObject({ chainKey: 'a', seq: 3, reason: 'hash mismatch' });

    const fine = check([lines[0], copyLine(a[1], `${timestampText(a[1].occurredAt).padEnd(23, '0')}001`)]);
    expect(fine.firstBroken).toMatchObject({ chainKey: 'a', seq: 2, reason: 'hash mismatch', detail: expect.stringMatching(/^occurred_at 2026-03-01T10:00:00\.120001 is finer than a millisecond/) });
  });

  it('refuses a line with the wrong number of fields', () => {
    expect(() => check(['a\tb\tc'])).toThrow(/3 fields, expected 17/);
  });

  it('turns a DateStyle ISO timestamp into the microsecond form', () => {
    expect(microsecondTextOf('2026-03-01 10:00:00')).toBe('2026-03-01T10:00:00.000000');
    expect(microsecondTextOf('2026-03-01 10:00:00.12')).toBe('2026-03-01T10:00:00.120000');
    expect(microsecondTextOf('2026-03-01 10:00:00.123456')).toBe('2026-03-01T10:00:00.123456');
    expect(microsecondTextOf('0044-03-15 12:00:00 BC')).toBe('0044-03-15 12:00:00 BC');
  });
});

describe('AuditChainChecker on a line that ends its buffer', () => {
  it('reads no further than the end it is given', () => {
    const [e] = chain('c', [{}]);
    const line = Buffer.from(copyLine(e), 'utf8');
    // No newline after the line: the checker must stop at `end` on its own.
    expect(new AuditChainChecker().line(line, 0, line.length)).toBe(true);
    expect(() => new AuditChainChecker().line(line, 0, line.indexOf('\tpassword'))).toThrow(/fields, expected 17/);
  });
});
