import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { appConfig, AppConfig, ConfigurationError } from '@pcn/common';
import { ApiModule } from './api.module';
import { addNotFoundFallback, configureApp } from './setup-app';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule, { bodyParser: false, bufferLogs: true, abortOnError: false });
  configureApp(app);
  await app.init();
  addNotFoundFallback(app);
  const config = app.get<AppConfig>(appConfig.KEY);
  await app.listen(config.PORT);
  console.log(JSON.stringify({ level: 'info', msg: `API listening on ${config.PUBLIC_BASE_URL} (docs at /api/docs)` }));
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigurationError) {
    console.error(error.message);
  } else {
    console.error(error);
  }
  process.exit(1);
});
