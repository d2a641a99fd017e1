import { Controller, Get, Req, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { AuthService, isPlatformAdmin, Public } from '@pcn/auth';
import { SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS } from '@pcn/common';
import { RedisHealthIndicator } from './redis.health';
import { QueueHealthIndicator } from './queue.health';
import { WorkerHealthIndicator } from './worker.health';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly postgres: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly queues: QueueHealthIndicator,
    private readonly background: WorkerHealthIndicator,
    private readonly auth: AuthService,
  ) {}

  /**
   * 200 `{"status":"up"}` when PostgreSQL and Redis answer; 503 `{"status":"down","code":"SERVICE_UNAVAILABLE"}`
   * with Retry-After when either does not. Only that, for anyone: the details (each dependency,
   * queue depths and failed jobs, worker processes and queues without one, the outbox backlog,
   * its oldest due row's age and FAILED rows) are for platform admins (Bearer token).
   */
  @Public()
  @Get()
  async check(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const principal = bearer ? await this.auth.principalFromAccessToken(bearer) : null;
    let details: unknown;
    let up = true;
    try {
      details = await this.health.check([() => this.postgres.pingCheck('postgres', { timeout: 1500 }), () => this.redis.pingCheck('redis'), () => this.queues.check('queues')]);
    } catch (error) {
      up = false;
      details = error instanceof ServiceUnavailableException ? error.getResponse() : { status: 'error' };
    }
    if (!up) {
      res.status(503);
      res.setHeader('Retry-After', String(SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS));
    }
    if (principal && isPlatformAdmin(principal)) {
      const [workers, outbox] = await Promise.all([this.background.workers(), this.background.outboxStats()]);
      return { ...(details as object), workers, outbox };
    }
    return up ? { status: 'up' } : { status: 'down', code: 'SERVICE_UNAVAILABLE' };
  }
}
