import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { DirectoryModule, PeopleAdminModule } from '@pcn/directory';
import { webConfig } from '../web.config';
import { PeoplePagesController } from './people-pages.controller';
import { InvitationPageController } from './invitation-page.controller';
import { SessionIndexMiddleware } from './session-index.middleware';

/** People and accounts: who works where (roles with dates), invitations, disabling accounts, accepting an invitation. */
@Module({
  imports: [ConfigModule.forFeature(webConfig), DirectoryModule, PeopleAdminModule],
  controllers: [PeoplePagesController, InvitationPageController],
  providers: [SessionIndexMiddleware],
})
export class PeoplePagesModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(SessionIndexMiddleware).forRoutes('{*splat}');
  }
}
