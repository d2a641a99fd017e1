import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AccountsService } from '@pcn/auth';
import { webConfig, WebConfig } from '../web.config';

declare module 'express-session' {
  interface SessionData {
    /** The session id already recorded in the user's session index (however the person signed in). */
    indexedAs?: string;
  }
}

/**
 * Records each signed-in page session under its user (once per session id), so disabling an
 * account can delete every session of that person at once, whichever way they signed in.
 */
@Injectable()
export class SessionIndexMiddleware implements NestMiddleware {
  constructor(
    private readonly accounts: AccountsService,
    @Inject(webConfig.KEY) private readonly web: WebConfig,
  ) {}

  async use(req: Request, _res: Response, next: NextFunction): Promise<void> {
    try {
      const s = req.session;
      if (s?.principal && s.indexedAs !== req.sessionID) {
        await this.accounts.rememberPageSession(s.principal.id, req.sessionID, this.web.SESSION_ABSOLUTE_HOURS * 3600);
        s.indexedAs = req.sessionID;
      }
      next();
    } catch (error) {
      next(error);
    }
  }
}
