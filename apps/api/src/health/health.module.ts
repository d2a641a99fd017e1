import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ConfigModule } from '@nestjs/config';
import { AuthModule } from '@pcn/auth';
import { OutboxModule, redisConfig } from '@pcn/database';
import { HealthController } from './health.controller';
import { RedisHealthIndicator } from './redis.health';
import { QueueHealthIndicator } from './queue.health';
import { QueueHealthModule } from './queue-health.module';
import { WorkerHealthIndicator } from './worker.health';

@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' }), ConfigModule.forFeature(redisConfig), QueueHealthModule, AuthModule, OutboxModule],
  controllers: [HealthController],
  providers: [RedisHealthIndicator, QueueHealthIndicator, WorkerHealthIndicator],
})
export class HealthModule {}
