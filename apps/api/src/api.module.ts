import { Module } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { ConfigModule } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import { appConfig, AppConfig, assignCorrelationId } from '@pcn/common';
import { DatabaseModule, RedisModule } from '@pcn/database';
import { AuthModule } from '@pcn/auth';
import { DirectoryModule, PeopleAdminModule } from '@pcn/directory';
import { AgreementsModule } from '@pcn/agreements';
import { AuditModule } from '@pcn/audit';
import { WorkflowModule } from '@pcn/workflow';
import { DocumentsModule } from '@pcn/documents';
import { WebModule } from '@pcn/web';
import { HealthModule } from './health/health.module';
import { QueueDashboardModule } from './queue-dashboard/queue-dashboard.module';

/** Modules whose controllers make up the JSON API. */
const API_MODULES = [AuthModule, DirectoryModule, PeopleAdminModule, AgreementsModule, AuditModule, WorkflowModule, DocumentsModule];

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, load: [appConfig], ignoreEnvFile: process.env.NODE_ENV === 'test', cache: true }),
    LoggerModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: config.LOG_LEVEL,
          name: 'api',
          genReqId: assignCorrelationId,
          redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
          customProps: () => ({ service: config.SERVICE_NAME }),
          // Request lines are info-level: at warn and above, skip building them at all.
          autoLogging: ['info', 'debug', 'trace'].includes(config.LOG_LEVEL) ? { ignore: (req) => req.url === '/health' } : false,
        },
      }),
    }),
    DatabaseModule,
    RedisModule,
    AuthModule,
    DirectoryModule,
    PeopleAdminModule,
    AgreementsModule,
    AuditModule,
    WorkflowModule,
    DocumentsModule,
    QueueDashboardModule,
    HealthModule,
    WebModule,
    // The JSON API lives under /api/v1; pages (WebModule) and /health at the root.
    RouterModule.register(API_MODULES.map((module) => ({ path: 'api/v1', module }))),
  ],
})
export class ApiModule {}
