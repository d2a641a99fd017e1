import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { redisConfig, RedisModule } from '@pcn/database';
import { authConfig, AuthConfig } from './auth.config';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { AccessGuard } from './guards/access.guard';
import { JwtStrategy } from './guards/jwt.strategy';
import { LocalStrategy } from './guards/local.strategy';
import { RefreshTokenEntity } from './tokens/refresh-token.entity';
import { RoleGrantEntity } from './users/role-grant.entity';
import { UserEntity } from './users/user.entity';
import { InvitationEntity } from './invitations/invitation.entity';
import { AuthEventEntity } from './security/auth-event.entity';
import { AuthEventsService } from './security/auth-events.service';
import { LinkRateLimiter, LoginThrottle } from './security/login-throttle.service';
import { SessionRevocation } from './security/session-revocation.service';
import { signInLimitsConfig } from './security/security.config';
import { PasswordHashingModule } from './security/password-hasher';

export const AUTH_ENTITIES = [UserEntity, RoleGrantEntity, RefreshTokenEntity, InvitationEntity, AuthEventEntity];

/** Users, sign-in and the global deny-by-default guard. Import once, in an HTTP app. */
@Module({
  imports: [
    ConfigModule.forFeature(authConfig),
    ConfigModule.forFeature(signInLimitsConfig),
    ConfigModule.forFeature(redisConfig),
    PasswordHashingModule,
    // Lockout counters and revocation marks live in Redis (the same client when the app imports it too).
    RedisModule,
    PassportModule,
    TypeOrmModule.forFeature(AUTH_ENTITIES),
    JwtModule.registerAsync({
      imports: [ConfigModule.forFeature(authConfig)],
      inject: [authConfig.KEY],
      useFactory: (config: AuthConfig) => ({ secret: config.JWT_ACCESS_SECRET, signOptions: { algorithm: 'HS256' } }),
    }),
  ],
  controllers: [AuthController],
  providers: [AuthService, JwtStrategy, LocalStrategy, LoginThrottle, LinkRateLimiter, SessionRevocation, AuthEventsService, { provide: APP_GUARD, useClass: AccessGuard }],
  exports: [AuthService, LinkRateLimiter, SessionRevocation, AuthEventsService],
})
export class AuthModule {}
