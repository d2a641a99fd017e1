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

/** Express middleware: a valid access token of a platform admin, or the usual error shape. */
export function adminOnly(auth: AuthService) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : null;
    const principal = token ? await auth.principalFromAccessToken(token) : null;
    const correlationId = correlationIdOf(req);
    if (!principal) {
      res.status(401).json({ status: 401, code: 'NOT_AUTHENTICATED', message: 'Sign in as a platform administrator to see the queues.', correlationId });
      return;
    }
    if (!isPlatformAdmin(principal)) {
      res.status(403).json({ status: 403, code: 'PERMISSION_DENIED', message: 'Only platform administrators can see the queues.', correlationId });
      return;
    }
    next();
  };
}
