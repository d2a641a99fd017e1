import { jsonDepth } from '../http/json-depth';

describe('jsonDepth', () => {
  it('measures nesting of objects and arrays', () => {
    expect(jsonDepth('x')).toBe(0);
    expect(jsonDepth({})).toBe(1);
    expect(jsonDepth({ a: [{ b: 1 }] })).toBe(3);
  });

  it('handles a hostile 100,000-level body without overflowing the stack', () => {
    let body: unknown = 1;
    for (let i = 0; i < 100_000; i++) body = [body];
    expect(jsonDepth(body, 32)).toBe(33);
    expect(jsonDepth(body)).toBe(100_000);
  });
});
