import { createHash } from 'node:crypto';
import { canonicalJson, contentHash } from '../canonical-json';
import { buildValidContent } from './content.factory';

function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]));
  }
  return value;
}

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: [3, { d: null, c: 'x' }, 2] })).toBe('{"a":[3,{"c":"x","d":null},2],"b":1}');
  });

  it('drops undefined properties but keeps array positions as null, like JSON', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, 1] })).toBe('{"b":[null,1]}');
  });

  it('escapes strings exactly as JSON does', () => {
    expect(canonicalJson({ text: 'Quote " and “curly” and \n newline' })).toBe(JSON.stringify({ text: 'Quote " and “curly” and \n newline' }));
  });

  it.each([[Number.NaN], [Number.POSITIVE_INFINITY], [BigInt(1)], [() => 1]])('refuses values JSON cannot represent (%p)', (bad) => {
    expect(() => canonicalJson({ nested: [bad] })).toThrow(TypeError);
  });

  it('refuses circular structures instead of recursing forever', () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => canonicalJson(loop)).toThrow(/circular/);
  });

  it('allows the same object to appear twice when it is not circular', () => {
    const shared = { a: 1 };
    expect(canonicalJson({ x: shared, y: shared })).toBe('{"x":{"a":1},"y":{"a":1}}');
  });
});

describe('contentHash', () => {
  it('is the hex SHA-256 of the canonical JSON', () => {
    expect(contentHash({})).toBe(createHash('sha256').update('{}').digest('hex'));
    expect(contentHash({ b: 2, a: 1 })).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is the same for equal content regardless of key order', () => {
    const content = buildValidContent();
    expect(contentHash(reverseKeys(content))).toBe(contentHash(content));
    expect(JSON.stringify(reverseKeys(content))).not.toBe(JSON.stringify(content));
  });

  it('changes when any single leaf changes', () => {
    const original = contentHash(buildValidContent());
    const edits: ((c: ReturnType<typeof buildValidContent>) => void)[] = [
      (c) => (c.title += '.'),
      (c) => (c.schedules.workforce.arrsPosts[1].wte = 0.79),
      (c) => (c.annexes[0].dataItems[1].specialCategory = false),
      (c) => (c.annexes[0].securityMeasures.reverse()),
      (c) => (c.schedules.keyDetails.listSizeException = { reference: 'X', approvedOn: '2026-01-01', reason: 'Y' }),
    ];
    const hashes = edits.map((edit) => {
      const content = buildValidContent();
      edit(content);
      return contentHash(content);
    });
    hashes.forEach((hash) => expect(hash).not.toBe(original));
    expect(new Set(hashes).size).toBe(edits.length);
  });
});
