import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { CommonErrorCode, CommonException } from '../errors/domain.exception';
import { correlationIdOf } from './correlation-id';

/** PostgreSQL `integer` range: ids, revision numbers and counts are stored as int4. */
export const PG_INT_MAX = 2_147_483_647;

/**
 * A path or query parameter that must be a whole number the database can store: digits only
 * (no sign, exponent, decimal point or spaces) and within [min, PG_INT_MAX]. `ParseIntPipe`
 * accepts `-4.3e+16` and `2147483648`, which PostgreSQL then refuses with a 500.
 */
@Injectable()
export class ParseBoundedIntPipe implements PipeTransform<string, number> {
  constructor(
    private readonly min = 1,
    private readonly max = PG_INT_MAX,
  ) {}

  transform(value: string, metadata: ArgumentMetadata): number {
    const name = metadata.data ?? 'value';
    // The global ValidationPipe (transform) may already have turned the text into a number
    // (Number('-4.3e+16')); either way only a safe whole number within range passes.
    const raw: unknown = value;
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(n) || n < this.min || n > this.max) {
      throw new CommonException(CommonErrorCode.BadRequest, 400, `${name} must be a whole number from ${this.min} to ${this.max}.`);
    }
    return n;
  }
}

/** True when `value` (any JSON/qs shape) holds a NUL character in a string or a key. */
export function containsNulByte(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node === 'string') {
      if (node.includes('\u0000')) return true;
    } else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node as object)) {
        if (key.includes('\u0000')) return true;
        stack.push(child);
      }
    }
  }
  return false;
}

/**
 * Refuses with 400 any request whose path, query or parsed body holds a NUL byte: PostgreSQL
 * text cannot store one (it answers "invalid byte sequence"), and no person types one.
 * Installed after the body parsers, before routing, so guards never query with it.
 */
export function rejectNulBytes(req: Request, res: Response, next: NextFunction): void {
  const url = req.originalUrl ?? req.url;
  const inUrl = url.includes('\u0000') || /%00/i.test(url);
  if (inUrl || containsNulByte(req.query) || containsNulByte(req.body)) {
    res.status(400).json({ status: 400, code: CommonErrorCode.BadRequest, message: 'The request contains a NUL character (\\u0000), which is never valid here.', correlationId: correlationIdOf(req) });
    return;
  }
  next();
}
