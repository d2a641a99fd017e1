import type Redis from 'ioredis';

/**
 * Redis keys shared by whoever signs people in and whoever ends their sessions.
 * - `<prefix>:session:<sid>`: the page session (connect-redis, see libs/web install-pages).
 * - `<prefix>:user-sessions:<userId>`: the ids of that user's page sessions, so disabling
 *   an account can delete every one of them at once.
 * - `<prefix>:revoked:user:<userId>`: epoch ms of the last revocation; access tokens and
 *   page sessions issued before it are refused (the format SessionRevocation in
 *   libs/auth/src/security reads in AccessGuard).
 */
export const pageSessionKey = (prefix: string, sessionId: string) => `${prefix}:session:${sessionId}`;
export const userSessionsKey = (prefix: string, userId: string) => `${prefix}:user-sessions:${userId}`;
export const revokedUserKey = (prefix: string, userId: string) => `${prefix}:revoked:user:${userId}`;
/** Longer than the longest page session (72 h cap) or access token. */
export const REVOCATION_MARK_TTL_SECONDS = 73 * 3600;

/** Call after a page sign-in (password or CIS2) has saved the new session. */
export async function rememberPageSession(redis: Redis, prefix: string, userId: string, sessionId: string, ttlSeconds: number): Promise<void> {
  const key = userSessionsKey(prefix, userId);
  await redis.multi().sadd(key, sessionId).expire(key, Math.max(60, Math.ceil(ttlSeconds))).exec();
}

/** Deletes every page session of the user; returns how many existed. */
export async function endPageSessions(redis: Redis, prefix: string, userId: string): Promise<number> {
  const key = userSessionsKey(prefix, userId);
  const ids = await redis.smembers(key);
  const keys = ids.map((id) => pageSessionKey(prefix, id));
  const deleted = keys.length ? await redis.del(...keys) : 0;
  await redis.del(key);
  return deleted;
}
