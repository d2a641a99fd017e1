import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OutboxModule, redisConfig } from '@pcn/database';
import { UserEntity } from '../users/user.entity';
import { RoleGrantEntity } from '../users/role-grant.entity';
import { RefreshTokenEntity } from '../tokens/refresh-token.entity';
import { InvitationEntity } from './invitation.entity';
import { accountsConfig } from './accounts.config';
import { InvitationService } from './invitation.service';
import { AccountsService } from './accounts.service';
import { AuthEventsModule } from '../security/auth-events.module';
import { PasswordHashingModule } from '../security/password-hasher';

/** Invitations only (no JWT settings needed): what the worker's invitation email job uses. */
@Module({
  imports: [ConfigModule.forFeature(accountsConfig), TypeOrmModule.forFeature([UserEntity, RoleGrantEntity, InvitationEntity]), OutboxModule, AuthEventsModule, PasswordHashingModule],
  providers: [InvitationService],
  exports: [InvitationService],
})
export class InvitationsModule {}

/** Invitations and account administration (disable ends sessions at once), for the API and the pages. */
@Module({
  imports: [InvitationsModule, AuthEventsModule, ConfigModule.forFeature(redisConfig), TypeOrmModule.forFeature([UserEntity, RoleGrantEntity, RefreshTokenEntity])],
  providers: [AccountsService],
  exports: [InvitationsModule, AccountsService],
})
export class AccountsModule {}
