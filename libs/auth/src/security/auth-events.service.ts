import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { Request } from 'express';
import { AuthEventEntity, AuthEventType } from './auth-event.entity';

export interface AuthEventInput {
  type: AuthEventType;
  userId?: string | null;
  email?: string | null;
  actorUserId?: string | null;
  channel: 'api' | 'page' | 'oidc' | 'system';
  ip?: string | null;
  userAgent?: string | null;
  detail?: Record<string, unknown>;
}

/** Who is asking, as recorded in the trail (from an Express request). */
export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

export function clientInfoOf(req: Pick<Request, 'ip' | 'headers' | 'socket'> | undefined): ClientInfo {
  if (!req) return { ip: null, userAgent: null };
  const ua = req.headers?.['user-agent'];
  return { ip: (req.ip ?? req.socket?.remoteAddress ?? null)?.slice(0, 64) ?? null, userAgent: typeof ua === 'string' ? ua.slice(0, 400) : null };
}

/** Strips what PostgreSQL cannot store (NUL) and bounds the length; the trail must never fail on odd input. */
const clean = (s: string | null | undefined, max: number) => (typeof s === 'string' ? s.replace(/\u0000/g, '').slice(0, max) : null);

/**
 * Records authentication events (auth_event table). Call `record` for events of their own,
 * or `recordIn(em, ...)` inside the transaction of the change (invitations, role changes,
 * disabling) so the event commits with it.
 */
@Injectable()
export class AuthEventsService {
  private readonly logger = new Logger('AuthEvents');

  constructor(@InjectRepository(AuthEventEntity) private readonly events: Repository<AuthEventEntity>) {}

  async recordIn(em: EntityManager, input: AuthEventInput): Promise<void> {
    await em.insert(AuthEventEntity, this.row(input));
  }

  /**
   * Outside a transaction. A failure to write (the database is down) is logged, not thrown:
   * the sign-in outcome itself is what the person must hear about.
   */
  async record(input: AuthEventInput): Promise<void> {
    try {
      await this.events.insert(this.row(input));
    } catch (error) {
      this.logger.warn({ err: error, type: input.type }, 'Could not record an authentication event');
    }
  }

  private row(input: AuthEventInput): QueryDeepPartialEntity<AuthEventEntity> {
    return {
      type: input.type,
      userId: input.userId ?? null,
      email: clean(input.email?.toLowerCase(), 254),
      actorUserId: input.actorUserId ?? null,
      channel: input.channel,
      ip: clean(input.ip, 64),
      userAgent: clean(input.userAgent, 400),
      detail: (input.detail ?? {}) as QueryDeepPartialEntity<Record<string, unknown>>,
    };
  }
}
