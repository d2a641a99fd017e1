import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AuthModule } from '@pcn/auth';
import { HealthController } from './health.controller';
import { RedisHealthIndicator } from './redis.health';
import { QueueHealthIndicator } from './queue.health';
import { QueueHealthModule } from './queue-health.module';

@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' }), QueueHealthModule, AuthModule],
  controllers: [HealthController],
  providers: [RedisHealthIndicator, QueueHealthIndicator],
})
export class HealthModule {}
