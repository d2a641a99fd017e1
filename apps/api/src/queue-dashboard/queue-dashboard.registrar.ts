import { Injectable, OnModuleInit } from '@nestjs/common';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { InjectBullBoard } from '@bull-board/nestjs';
import type { BullBoardInstance } from '@bull-board/nestjs/dist/bull-board.types';
import type { NextFunction, Request, Response } from 'express';
import { AuthService, isPlatformAdmin } from '@pcn/auth';
import { correlationIdOf } from '@pcn/common';
import { QueueProducers } from '@pcn/workflow';

/** Adds our queues (with our Redis prefix) to the board. */
@Injectable()
export class QueueDashboardRegistrar implements OnModuleInit {
  constructor(
    @InjectBullBoard() private readonly board: BullBoardInstance,
    private readonly producers: QueueProducers,
  ) {}

  onModuleInit(): void {
    for (const queue of this.producers.queues.values()) this.board.addQueue(new BullMQAdapter(queue));
  }
}

/** A browser asking for a page (not Bull Board's own JSON calls, not an API client). */
const wantsPage = (req: Request) => req.method === 'GET' && (req.get('accept') ?? '').includes('text/html');

/**
 * Express middleware: a platform admin, signed in either with a Bearer access token (API
 * clients: 401/403 in the usual error shape) or with the pages' session cookie (browsers:
 * no session → the sign-in page, coming back here after; not an admin → the 403 page).
 */
export function adminOnly(auth: AuthService) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    const correlationId = correlationIdOf(req);
    if (typeof header === 'string') {
      const principal = header.startsWith('Bearer ') ? await auth.principalFromAccessToken(header.slice(7)) : null;
      if (!principal) {
        res.status(401).json({ status: 401, code: 'NOT_AUTHENTICATED', message: 'Sign in as a platform administrator to see the queues.', correlationId });
        return;
      }
      if (!isPlatformAdmin(principal)) {
        res.status(403).json({ status: 403, code: 'PERMISSION_DENIED', message: 'Only platform administrators can see the queues.', correlationId });
        return;
      }
      return next();
    }
    const principal = req.session?.principal;
    if (principal && isPlatformAdmin(principal)) return next();
    if (wantsPage(req)) {
      res.locals.correlationId = correlationId;
      if (principal) {
        res.status(403).render('errors/403', { message: 'Only platform administrators can see the queues.' });
        return;
      }
      const query = new URLSearchParams({ returnTo: req.originalUrl.startsWith('/admin/queues') ? req.originalUrl : '/admin/queues' });
      if (req.sessionExpired) query.set('expired', '1');
      res.redirect(303, `/sign-in?${query}`);
      return;
    }
    if (principal) {
      res.status(403).json({ status: 403, code: 'PERMISSION_DENIED', message: 'Only platform administrators can see the queues.', correlationId });
      return;
    }
    res.status(401).json({ status: 401, code: 'NOT_AUTHENTICATED', message: 'Sign in as a platform administrator to see the queues.', correlationId });
  };
}
