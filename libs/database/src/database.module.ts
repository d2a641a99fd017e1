import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { databaseConfig, DatabaseConfig } from './database.config';
import { dataSourceOptions } from './data-source-options';
import { DatabaseErrorLogger } from './database-error.logger';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      imports: [ConfigModule.forFeature(databaseConfig)],
      inject: [databaseConfig.KEY],
      useFactory: (config: DatabaseConfig) => ({
        ...dataSourceOptions(config.DATABASE_URL, [], config.DATABASE_POOL_SIZE, config.DATABASE_CONNECT_TIMEOUT_MS, {
          statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
          idleInTransactionTimeoutMs: config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
          poolWaitTimeoutMs: config.DATABASE_POOL_WAIT_TIMEOUT_MS,
        }),
        logger: new DatabaseErrorLogger(),
        // Entities come from each lib's TypeOrmModule.forFeature, so apps load only what they import.
        autoLoadEntities: true,
      }),
    }),
  ],
})
export class DatabaseModule {}
