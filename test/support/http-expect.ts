import type { Response } from 'supertest';

/** `GET /path` of the request behind a supertest response, for failure messages. */
function requestLine(res: Response): string {
  const req = (res as unknown as { req?: { method?: string; path?: string } }).req;
  return `${req?.method ?? ''} ${req?.path ?? ''}`;
}

/**
 * Asserts the one error shape every failed request answers with, and returns the body
 * for further checks.
 */
export function expectError(res: Response, status: number, code?: string): Record<string, any> {
  const context = `${requestLine(res)} → ${res.status} ${JSON.stringify(res.body)}`;
  if (res.status !== status) throw new Error(`expected ${status}${code ? ` ${code}` : ''}, got ${context}`);
  expect(res.headers['content-type']).toMatch(/application\/json/);
  expect(res.body).toEqual(
    expect.objectContaining({
      status,
      code: code ?? expect.any(String),
      message: expect.any(String),
      correlationId: expect.any(String),
    }),
  );
  expect(res.body.message.length).toBeGreaterThan(0);
  expect(res.body.correlationId).not.toBe('unknown');
  // The correlation id in the body is the one the response header carries.
  expect(res.headers['x-request-id']).toBe(res.body.correlationId);
  return res.body;
}

/** Asserts a 2xx status and says what came back if not. */
export function expectStatus(res: Response, status: number): Record<string, any> {
  if (res.status !== status) {
    throw new Error(`expected ${status}, got ${requestLine(res)} → ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body;
}
