import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { ConfigurationError } from '@pcn/common';
import { QueueRunner } from '@pcn/workflow';
import { WorkerModule } from './worker.module';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.createApplicationContext(WorkerModule, { bufferLogs: true, abortOnError: false });
  const logger = app.get(Logger);
  app.useLogger(logger);
  await app.init();

  // Not enableShutdownHooks: the running jobs are drained first, explicitly, while SMTP, Redis
  // and the database are all still open; only then does app.close() release them.
  let stopping: Promise<void> | null = null;
  const stop = (signal: NodeJS.Signals): void => {
    stopping ??= (async () => {
      logger.log(`${signal}: no new jobs; waiting for the running ones`, 'Worker');
      try {
        await app.get(QueueRunner).drain();
        await app.close();
        process.exit(0);
      } catch (error) {
        logger.error(`shutdown failed: ${(error as Error).message}`, (error as Error).stack, 'Worker');
        process.exit(1);
      }
    })();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof ConfigurationError ? error.message : error);
  process.exit(1);
});
