import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UserEntity } from '../users/user.entity';
import { oidcConfig } from './oidc.config';
import { Cis2SignInService } from './cis2-sign-in.service';
import { AuthEventsModule } from '../security/auth-events.module';

/**
 * NHS CIS2 sign-in and the sign-in method switches (PASSWORD_SIGN_IN). Global, so the
 * API's password login (LocalStrategy) reads the same switch; imported once by the pages.
 */
@Global()
@Module({
  imports: [ConfigModule.forFeature(oidcConfig), TypeOrmModule.forFeature([UserEntity]), AuthEventsModule],
  providers: [Cis2SignInService],
  exports: [Cis2SignInService, ConfigModule],
})
export class OidcModule {}
