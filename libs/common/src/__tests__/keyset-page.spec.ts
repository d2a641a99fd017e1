import type { Request, Response } from 'express';
import { PAGE_LIMIT_MAX, pageLimit, pageOf, setNextPageLink } from '../http/keyset-page';

describe('keyset pages', () => {
  const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `id-${i + 1}` }));

  it('uses the extra row only to say that another page exists, naming the last row shown', () => {
    expect(pageOf(rows(3), 2, (r) => r.id)).toEqual({ items: [{ id: 'id-1' }, { id: 'id-2' }], next: 'id-2' });
    expect(pageOf(rows(2), 2, (r) => r.id)).toEqual({ items: [{ id: 'id-1' }, { id: 'id-2' }], next: null });
    expect(pageOf(rows(0), 2, (r) => r.id)).toEqual({ items: [], next: null });
  });

  it("takes the caller's limit, else the list's default, never more than the maximum", () => {
    expect(pageLimit({ limit: 7 }, 50)).toBe(7);
    expect(pageLimit({}, 50)).toBe(50);
    expect(pageLimit(undefined, 50)).toBe(50);
    expect(pageLimit({}, 1000)).toBe(PAGE_LIMIT_MAX);
  });

  describe('Link header', () => {
    const headers = new Map<string, string>();
    const res = { setHeader: (name: string, value: string) => headers.set(name, value) } as unknown as Response;
    beforeEach(() => headers.clear());

    it("names the request's own path and query with `after` moved on", () => {
      setNextPageLink({ originalUrl: '/api/v1/documents/search?icbCode=QHM&after=old&limit=10' } as Request, res, 'new-id');
      expect(headers.get('Link')).toBe('</api/v1/documents/search?icbCode=QHM&after=new-id&limit=10>; rel="next"');
    });

    it('adds `after` when the first page had none', () => {
      setNextPageLink({ originalUrl: '/api/v1/pcns' } as Request, res, 'abc');
      expect(headers.get('Link')).toBe('</api/v1/pcns?after=abc>; rel="next"');
    });

    it('sets nothing on the last page', () => {
      setNextPageLink({ originalUrl: '/api/v1/pcns' } as Request, res, null);
      expect(headers.has('Link')).toBe(false);
    });
  });
});
