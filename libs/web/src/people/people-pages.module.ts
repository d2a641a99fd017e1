import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { OidcModule } from '@pcn/auth';
import { DirectoryModule, PeopleAdminModule } from '@pcn/directory';
import { webConfig } from '../web.config';
import { PeoplePagesController } from './people-pages.controller';
import { InvitationPageController } from './invitation-page.controller';
import { SessionIndexMiddleware } from './session-index.middleware';
import { InvitationCis2CallbackMiddleware } from './invitation-cis2-callback.middleware';

/** People and accounts: who works where (roles with dates), invitations, disabling accounts, accepting an invitation (password or CIS2). */
@Module({
  imports: [ConfigModule.forFeature(webConfig), DirectoryModule, PeopleAdminModule, OidcModule],
  controllers: [PeoplePagesController, InvitationPageController],
  providers: [SessionIndexMiddleware, InvitationCis2CallbackMiddleware],
})
export class PeoplePagesModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(SessionIndexMiddleware).forRoutes('{*splat}');
    // The CIS2 callback of a round trip started from an invitation (see the middleware).
    consumer.apply(InvitationCis2CallbackMiddleware).forRoutes({ path: 'sign-in/cis2/callback', method: RequestMethod.GET });
  }
}
