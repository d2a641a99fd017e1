import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/**
 * Who did something, from where. Passed explicitly from controllers to services so the
 * audit trail never depends on ambient request state.
 */
export interface ActorContext {
  userId: string | null;
  ip: string | null;
  userAgent: string | null;
  authMethod: string | null;
}

export function actorFromRequest(req: Request): ActorContext {
  const user = req.user as { id?: string; authMethod?: string } | undefined;
  const ua = req.headers['user-agent'];
  return {
    userId: user?.id ?? null,
    ip: req.ip ?? req.socket?.remoteAddress ?? null,
    userAgent: typeof ua === 'string' ? ua.slice(0, 500) : null,
    authMethod: user?.authMethod ?? null,
  };
}

export const Actor = createParamDecorator((_: unknown, ctx: ExecutionContext) => actorFromRequest(ctx.switchToHttp().getRequest<Request>()));
