import { request } from 'node:http';

export interface HttpAttempt {
  method: string;
  path: string;
  /** Milliseconds since the epoch. */
  sentAt: number;
  endedAt: number;
  /** The HTTP status, or null when the connection failed. */
  status: number | null;
  /** The connection error's code (ECONNREFUSED, ECONNRESET, …) when there was no answer. */
  error: string | null;
  retryAfter: string | null;
  body: unknown;
}

/**
 * One request on a connection of its own (no keep-alive pool), so a connection error
 * belongs to exactly this request: refused (nothing listening), reset or hung up (dropped
 * while in flight).
 */
export function httpCall(port: number, method: string, path: string, options: { bearer?: string; body?: unknown; timeoutMs?: number } = {}): Promise<HttpAttempt> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const sentAt = Date.now();
  return new Promise((resolve) => {
    const done = (partial: Pick<HttpAttempt, 'status' | 'error' | 'retryAfter' | 'body'>) => resolve({ method, path, sentAt, endedAt: Date.now(), ...partial });
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: false,
        headers: {
          Accept: 'application/json',
          ...(options.bearer ? { Authorization: options.bearer } : {}),
          ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}),
        },
        timeout: options.timeoutMs ?? 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error: NodeJS.ErrnoException) => done({ status: null, error: error.code ?? error.message, retryAfter: null, body: null }));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON (a page); keep the text
          }
          done({ status: res.statusCode ?? null, error: null, retryAfter: (res.headers['retry-after'] as string | undefined) ?? null, body });
        });
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('no answer in time'), { code: 'TIMEOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) => done({ status: null, error: error.code ?? error.message, retryAfter: null, body: null }));
    req.end(payload);
  });
}
