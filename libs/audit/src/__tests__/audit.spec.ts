import { canonicalJson, sha256Hex } from '@pcn/common';
import { AUDIT_CSV_COLUMNS, AuditEventEntity, AuditEventType, csvField, GENESIS_HASH, hashAuditEvent, toCsv } from '@pcn/audit';

function event(overrides: Partial<AuditEventEntity> = {}): AuditEventEntity {
  return Object.assign(new AuditEventEntity(), {
    id: '1',
    chainKey: 'platform',
    seq: 1,
    type: AuditEventType.EmailSent,
    occurredAt: new Date('2026-01-02T03:04:05.678Z'),
    agreementId: null,
    roundId: null,
    revisionHash: null,
    actorUserId: null,
    actorName: null,
    organisationId: null,
    ip: null,
    userAgent: null,
    authMethod: null,
    payload: {},
    prevHash: GENESIS_HASH,
    hash: 'a'.repeat(64),
    ...overrides,
  });
}

/** A minimal RFC 4180 parser, to check the export reads back to the same values. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else {
      field += c;
    }
  }
  if (field !== '' || row.length > 0) throw new Error('CSV does not end with CRLF');
  return rows;
}

describe('canonicalJson', () => {
  it('gives the same text, and so the same hash, whatever the key order', () => {
    const a = { b: 1, a: { y: [3, { q: 1, p: 2 }], x: 'x' }, c: null };
    const b = { c: null, a: { x: 'x', y: [3, { p: 2, q: 1 }] }, b: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"a":{"x":"x","y":[3,{"p":2,"q":1}]},"b":1,"c":null}');
    expect(sha256Hex(canonicalJson(a))).toBe(sha256Hex(canonicalJson(b)));
  });

  it('keeps array order and drops undefined properties', () => {
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
  });

  it('refuses values JSON cannot represent', () => {
    expect(() => canonicalJson({ n: NaN })).toThrow(/NaN/);
    expect(() => canonicalJson({ n: 1n })).toThrow(/bigint/);
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => canonicalJson(loop)).toThrow(/circular/);
  });

  it('sha256Hex hashes strings as UTF-8 and buffers as bytes', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex(Buffer.from('abc'))).toBe(sha256Hex('abc'));
  });
});

describe('hashAuditEvent', () => {
  it('does not depend on payload key order but changes with any hashed field', () => {
    const base = event({ payload: { a: 1, b: 2 } });
    expect(hashAuditEvent(base)).toBe(hashAuditEvent(event({ payload: { b: 2, a: 1 } })));
    expect(hashAuditEvent(base)).not.toBe(hashAuditEvent(event({ payload: { a: 1, b: 3 } })));
    expect(hashAuditEvent(base)).not.toBe(hashAuditEvent(event({ payload: { a: 1, b: 2 }, seq: 2 })));
    expect(hashAuditEvent(base)).not.toBe(hashAuditEvent(event({ payload: { a: 1, b: 2 }, prevHash: 'f'.repeat(64) })));
    expect(hashAuditEvent(base)).not.toBe(hashAuditEvent(event({ payload: { a: 1, b: 2 }, occurredAt: new Date('2026-01-02T03:04:05.679Z') })));
  });
});

describe('toCsv', () => {
  it('quotes commas, quotes and newlines per RFC 4180', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line1\nline2')).toBe('"line1\nline2"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField(null)).toBe('');
  });

  it('neutralises cells a spreadsheet would run as a formula: =, +, -, @, tab, CR (and escapes a leading quote)', () => {
    expect(csvField('=cmd|" /C calc"!A0')).toBe(`"'=cmd|"" /C calc""!A0"`);
    expect(csvField('+1+1')).toBe(`"'+1+1"`);
    expect(csvField('-2+3')).toBe(`"'-2+3"`);
    expect(csvField('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
    expect(csvField('\t=1')).toBe(`"'\t=1"`);
    expect(csvField('\r=1')).toBe(`"'\r=1"`);
    expect(csvField("'quoted")).toBe(`"''quoted"`);
    expect(csvField('a=b')).toBe('a=b');
    expect(csvField('Mozilla/5.0 -x')).toBe('Mozilla/5.0 -x');
    const row = parseCsv(toCsv([event({ userAgent: '=HYPERLINK("http://x")', actorName: '@me' })]))[1];
    expect(row[AUDIT_CSV_COLUMNS.indexOf('user_agent')]).toBe(`'=HYPERLINK("http://x")`);
    expect(row[AUDIT_CSV_COLUMNS.indexOf('actor_name')]).toBe(`'@me`);
    for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('writes a header and one row per event that read back to the original values', () => {
    const tricky = event({ id: '2', seq: 2, actorName: 'Dr "Jo", Smith\nGP', userAgent: 'Mozilla/5.0 (X11, Linux)', payload: { note: 'a,"b"\r\nc', n: 1 } });
    const csv = toCsv([event(), tricky]);
    expect(csv.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(csv);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual([...AUDIT_CSV_COLUMNS]);
    for (const row of rows) expect(row).toHaveLength(AUDIT_CSV_COLUMNS.length);
    const col = (name: (typeof AUDIT_CSV_COLUMNS)[number]) => AUDIT_CSV_COLUMNS.indexOf(name);
    expect(rows[2][col('actor_name')]).toBe('Dr "Jo", Smith\nGP');
    expect(rows[2][col('user_agent')]).toBe('Mozilla/5.0 (X11, Linux)');
    expect(JSON.parse(rows[2][col('payload')])).toEqual({ note: 'a,"b"\r\nc', n: 1 });
    expect(rows[2][col('payload')]).not.toMatch(/\n {2}/); // compact JSON
    expect(rows[1][col('occurred_at')]).toBe('2026-01-02T03:04:05.678Z');
    expect(rows[1][col('agreement_id')]).toBe('');
  });
});
