export * from './database.config';
export * from './database.module';
export * from './data-source-options';
export * from './snake-naming.strategy';
export * from './redis/redis.config';
export * from './redis/redis.module';
export * from './pg-errors';
