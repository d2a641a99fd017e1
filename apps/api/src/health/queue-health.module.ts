import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { redisConfig } from '@pcn/database';
import { QueueProducers } from '@pcn/workflow';

/** The API's handle on the queues: for the dashboard and for queue depth in /health. */
@Module({
  imports: [ConfigModule.forFeature(redisConfig)],
  providers: [QueueProducers],
  exports: [QueueProducers],
})
export class QueueHealthModule {}
