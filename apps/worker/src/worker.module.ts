import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import { appConfig, AppConfig } from '@pcn/common';
import { DatabaseModule, RedisModule } from '@pcn/database';
import { WorkflowWorkerModule } from '@pcn/workflow';
import { WorkerReadiness } from './worker-readiness';

/** No HTTP: the worker runs queue processors only, and imports just the libs whose jobs it runs. */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, load: [appConfig], ignoreEnvFile: process.env.NODE_ENV === 'test', cache: true }),
    LoggerModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (config: AppConfig) => ({ pinoHttp: { level: config.LOG_LEVEL, name: 'worker' } }),
    }),
    DatabaseModule,
    RedisModule,
    WorkflowWorkerModule,
  ],
  providers: [WorkerReadiness],
})
export class WorkerModule {}
