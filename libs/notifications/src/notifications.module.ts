import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { mailConfig } from './mail.config';
import { MailerService } from './mailer.service';

/** Sends email over SMTP. Templates are plain functions and need no module. */
@Module({
  imports: [ConfigModule.forFeature(mailConfig)],
  providers: [MailerService],
  exports: [MailerService],
})
export class NotificationsModule {}
