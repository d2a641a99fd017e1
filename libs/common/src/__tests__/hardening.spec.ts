import { ArgumentMetadata } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { validateSync } from 'class-validator';
import { plainToInstance } from 'class-transformer';
import { CommonException } from '../errors/domain.exception';
import { containsNulByte, ParseBoundedIntPipe, PG_INT_MAX } from '../http/input-limits';
import { hasAtMostDecimalPlaces, IsDecimalNumber } from '../http/decimal-number';
import { isDatabaseUnavailable } from '../http/service-unavailable';
import { toErrorResponse } from '../http/http-error.filter';
import { secretWeakness, StrongSecret } from '../security/secret-strength';
import { loadTypedConfig } from '../config/typed-config';
import { IsIn, IsString } from 'class-validator';

describe('bounded integers in paths', () => {
  const pipe = new ParseBoundedIntPipe();
  const meta: ArgumentMetadata = { type: 'param', data: 'number' };
  it.each(['1', '42', String(PG_INT_MAX)])('takes %s', (v) => expect(pipe.transform(v, meta)).toBe(Number(v)));
  it.each(['0', '2147483648', '-4.3e+16', '1e3', '1.5', ' 1', '-1', '', '99999999999', '0x10', '１'])('refuses %j with 400', (v) => {
    expect(() => pipe.transform(v, meta)).toThrow(CommonException);
    try {
      pipe.transform(v, meta);
    } catch (e) {
      expect((e as CommonException).status).toBe(400);
    }
  });
});

describe('NUL bytes', () => {
  it('finds one in a value or a key at any depth', () => {
    expect(containsNulByte({ a: [{ b: 'ok' }, 'x\u0000y'] })).toBe(true);
    expect(containsNulByte({ ['k\u0000']: 1 })).toBe(true);
    expect(containsNulByte({ a: ['fine', { b: 2 }], c: null })).toBe(false);
  });
});

describe('decimal numbers', () => {
  class Dto {
    @IsDecimalNumber(2) n: unknown;
  }
  it.each([1e-7, 5e300, -1e-12, Number.NaN, Infinity, '1', 12.345])('refuses %p without throwing', (n) => {
    expect(hasAtMostDecimalPlaces(n, 2)).toBe(false);
    expect(validateSync(plainToInstance(Dto, { n }))).toHaveLength(1);
  });
  it.each([0, 1, 12.5, 9.99, -3.25])('takes %p', (n) => expect(validateSync(plainToInstance(Dto, { n }))).toHaveLength(0));
});

describe('database outage', () => {
  it('is recognised whatever wraps it, and answered 503 SERVICE_UNAVAILABLE', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5'), { code: 'ECONNREFUSED' });
    expect(isDatabaseUnavailable(refused)).toBe(true);
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('x'), { driverError: { code: '57P01' } }))).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([refused]))).toBe(true);
    expect(isDatabaseUnavailable(new Error('boom'))).toBe(false);
    expect(toErrorResponse(refused, 'c')).toEqual(expect.objectContaining({ status: 503, code: 'SERVICE_UNAVAILABLE' }));
    expect(toErrorResponse(new Error('boom'), 'c').status).toBe(500);
  });
});

describe('production secrets', () => {
  it.each([
    ['short', 'shorter than 32 bytes'],
    ['change-me-to-32-or-more-random-characters', 'example value'],
    ['a'.repeat(64), 'low entropy'],
    ['abababababababababababababababab', 'low entropy'],
    ['0123456789012345678901234567890123', 'low entropy'],
  ])('refuses %j (%s)', (value, reason) => expect(secretWeakness(value)).toContain(reason));

  it('accepts random secrets', () => {
    expect(secretWeakness('Jq3v0Zb9xN2kR7tL1wP8mC4sE6yH5aUd')).toBeNull();
    expect(secretWeakness(randomBytes(32).toString('hex'))).toBeNull();
  });

  class Env {
    @IsIn(['development', 'test', 'production']) NODE_ENV: string = 'development';
    @IsString() @StrongSecret(['development']) SECRET: string = '';
  }
  it('start-up refuses a weak secret outside development and names it, without printing it', () => {
    expect(() => loadTypedConfig(Env, { NODE_ENV: 'production', SECRET: 'change-me-to-32-or-more-random-characters' })).toThrow(/SECRET is the example value/);
    expect(() => loadTypedConfig(Env, { NODE_ENV: 'test', SECRET: 'x'.repeat(40) })).toThrow(/SECRET is too predictable/);
    expect(() => loadTypedConfig(Env, { NODE_ENV: 'development', SECRET: 'change-me-to-32-or-more-random-characters' })).not.toThrow();
    try {
      loadTypedConfig(Env, { NODE_ENV: 'production', SECRET: 'change-me-to-32-or-more-random-characters' });
    } catch (e) {
      expect((e as Error).message).not.toContain('change-me-to-32');
    }
  });
});
