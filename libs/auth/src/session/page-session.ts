import { SetMetadata } from '@nestjs/common';
import type { Principal } from '../principal';

/**
 * Pages (server-rendered HTML) authenticate with a server-side session cookie; the JSON
 * API authenticates with Bearer tokens only, so a browser's cookie can never drive the API
 * from another site. A controller marked with @SessionPages() is read by the global
 * AccessGuard through the session instead of the Authorization header.
 */
export const SESSION_PAGES = 'pcn:session-pages';
export const SessionPages = () => SetMetadata(SESSION_PAGES, true);

/** What a signed-in browser session holds (stored server-side, never in the cookie). */
export interface PageSession {
  principal?: Principal;
  /** Epoch ms of sign-in: the absolute timeout counts from here, however active the person is. */
  signedInAt?: number;
  /** Set for one request when a session ran out, so the sign-in page can say so. */
  expired?: boolean;
}

declare module 'express-session' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface SessionData extends PageSession {}
}
