export * from './mail.config';
export * from './mailer.service';
export * from './notifications.exception';
export * from './notifications.module';
export * from './templates';
