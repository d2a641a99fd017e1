import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { OidcModule } from '@pcn/auth';
import { Cis2SignInController, SignInMethodsMiddleware } from './cis2-sign-in.controller';

/** NHS CIS2 sign-in pages, and the sign-in methods the sign-in page offers. */
@Module({
  imports: [OidcModule],
  controllers: [Cis2SignInController],
  providers: [SignInMethodsMiddleware],
})
export class Cis2PagesModule implements NestModule {
  configure(consumer: MiddlewareConsumer) {
    consumer.apply(SignInMethodsMiddleware).forRoutes({ path: 'sign-in', method: RequestMethod.ALL });
  }
}
