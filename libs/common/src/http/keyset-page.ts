import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import type { Request, Response } from 'express';

/** The most rows one request of a growing list answers; later rows are fetched with `after`. */
export const PAGE_LIMIT_MAX = 200;

/**
 * `?limit=&after=` of a keyset-paged list. `after` is the id of the last row of the previous
 * page: the query reads that row's sort key and continues strictly after it, so a page costs
 * the same however deep it is (no OFFSET), and rows added meanwhile never shift a page.
 */
export class PageQuery {
  @IsOptional() @Type(() => Number) @IsInt({ message: 'limit must be a whole number' }) @Min(1) @Max(PAGE_LIMIT_MAX) limit?: number;
  @IsOptional() @IsUUID('4', { message: 'after must be the id of the last row of the previous page' }) after?: string;
}

export interface PageRequest {
  limit?: number;
  after?: string;
}

/** One page of a keyset-paged list; `next` is the `after` for the following page, null on the last. */
export interface Page<T> {
  items: T[];
  next: string | null;
}

/** The limit to apply: the caller's, else `fallback`, never above PAGE_LIMIT_MAX. */
export function pageLimit(page: PageRequest | undefined, fallback: number): number {
  return Math.min(page?.limit ?? fallback, PAGE_LIMIT_MAX);
}

/** Turns `limit + 1` fetched rows into a page: the extra row only says that another page exists. */
export function pageOf<T>(rows: T[], limit: number, idOf: (row: T) => string): Page<T> {
  if (rows.length <= limit) return { items: rows, next: null };
  const items = rows.slice(0, limit);
  return { items, next: idOf(items[items.length - 1]) };
}

/**
 * Names the next page in an RFC 8288 `Link` header (`rel="next"`), so list bodies stay the
 * plain arrays clients already read. The link is the request's own path and query with
 * `after` moved on.
 */
export function setNextPageLink(req: Request, res: Response, next: string | null): void {
  if (!next) return;
  const url = new URL(req.originalUrl, 'http://link.invalid');
  url.searchParams.set('after', next);
  res.setHeader('Link', `<${url.pathname}${url.search}>; rel="next"`);
}
