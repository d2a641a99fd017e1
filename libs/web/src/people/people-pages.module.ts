import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { OidcModule } from '@pcn/auth';
import { AgreementsModule } from '@pcn/agreements';
import { WorkflowModule } from '@pcn/workflow';
import { DirectoryModule, PeopleAdminModule } from '@pcn/directory';
import { webConfig } from '../web.config';
import { PeoplePagesController } from './people-pages.controller';
import { InvitationPageController } from './invitation-page.controller';
import { SessionIndexMiddleware } from './session-index.middleware';
import { InvitationCis2CallbackMiddleware } from './invitation-cis2-callback.middleware';
import { OpenRoundNotices } from './open-round-notices';

/** People and accounts: who works where (roles with dates), invitations, disabling accounts, accepting an invitation (password or CIS2). */
@Module({
  imports: [ConfigModule.forFeature(webConfig), DirectoryModule, PeopleAdminModule, OidcModule, AgreementsModule, WorkflowModule],
  controllers: [PeoplePagesController, InvitationPageController],
  providers: [SessionIndexMiddleware, InvitationCis2CallbackMiddleware, OpenRoundNotices],
})
export class PeoplePagesModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(SessionIndexMiddleware).forRoutes('{*splat}');
    // The CIS2 callback of a round trip started from an invitation (see the middleware).
    consumer.apply(InvitationCis2CallbackMiddleware).forRoutes({ path: 'sign-in/cis2/callback', method: RequestMethod.GET });
  }
}
