import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, IsNull, Repository } from 'typeorm';
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import * as argon2 from 'argon2';
import { pgErrorCode } from '@pcn/database';
import { authConfig, AuthConfig } from './auth.config';
import { AuthErrorCode, AuthException } from './auth.exception';
import { UserEntity } from './users/user.entity';
import { RoleGrantEntity } from './users/role-grant.entity';
import { RefreshTokenEntity } from './tokens/refresh-token.entity';
import { Principal, RoleGrantClaim } from './principal';
import { AccessTokenPayload } from './guards/jwt.strategy';
import { TokenPairResponse } from './dto/auth.dto';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export interface NewUser {
  email: string;
  displayName: string;
  password: string;
  personId?: string | null;
  grants: RoleGrantClaim[];
}

@Injectable()
export class AuthService {
  /** Verified against when the email is unknown, so both paths cost one argon2 verify. */
  private readonly decoyHash = argon2.hash(randomUUID());

  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly jwt: JwtService,
    @Inject(authConfig.KEY) private readonly config: AuthConfig,
  ) {}

  async createUser(input: NewUser): Promise<UserEntity> {
    const passwordHash = await argon2.hash(input.password);
    try {
      return await this.dataSource.transaction(async (em) => {
        const user = await em.save(UserEntity, {
          email: input.email.toLowerCase(),
          displayName: input.displayName,
          passwordHash,
          personId: input.personId ?? null,
        });
        await em.save(RoleGrantEntity, input.grants.map((g) => ({ ...g, userId: user.id })));
        return user;
      });
    } catch (error) {
      if (pgErrorCode(error) === '23505') throw new AuthException(AuthErrorCode.EmailTaken, `A user with email ${input.email} already exists.`);
      throw error;
    }
  }

  async verifyPassword(email: string, password: string): Promise<Principal> {
    const user = await this.users.findOne({ where: { email: email.toLowerCase() }, relations: { grants: true } });
    const ok = user && !user.disabled ? await argon2.verify(user.passwordHash, password) : (await argon2.verify(await this.decoyHash, password), false);
    if (!user || !ok) throw new AuthException(AuthErrorCode.InvalidCredentials, 'The email address or password is not right.');
    return this.toPrincipal(user, 'password');
  }

  async issueTokens(principal: Principal, familyId: string = randomUUID()): Promise<TokenPairResponse> {
    const payload: AccessTokenPayload = {
      sub: principal.id,
      email: principal.email,
      name: principal.displayName,
      pid: principal.personId,
      grants: principal.grants,
      amr: principal.authMethod,
    };
    const accessToken = await this.jwt.signAsync(payload, { expiresIn: this.config.JWT_ACCESS_TTL_SECONDS });
    const secret = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.config.REFRESH_TOKEN_TTL_DAYS * 86_400_000);
    const row = await this.dataSource.getRepository(RefreshTokenEntity).save({ userId: principal.id, familyId, tokenHash: sha256(secret), expiresAt });
    return {
      accessToken,
      accessTokenExpiresIn: this.config.JWT_ACCESS_TTL_SECONDS,
      refreshToken: `${row.id}.${secret}`,
      refreshTokenExpiresAt: expiresAt.toISOString(),
      tokenType: 'Bearer',
    };
  }

  /** Rotates a refresh token. A second use of the same token revokes its whole family. */
  async refresh(refreshToken: string): Promise<TokenPairResponse> {
    const [id, secret] = refreshToken.split('.');
    const outcome = await this.dataSource.transaction(async (em) => {
      const row = await em.findOne(RefreshTokenEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      const matches = row && timingSafeEqual(Buffer.from(row.tokenHash), Buffer.from(sha256(secret)));
      if (!row || !matches) return { error: AuthErrorCode.InvalidRefreshToken } as const;
      if (row.usedAt || row.revokedAt) {
        await em.update(RefreshTokenEntity, { familyId: row.familyId, revokedAt: IsNull() }, { revokedAt: new Date() });
        return { error: AuthErrorCode.RefreshTokenReused } as const;
      }
      if (row.expiresAt.getTime() <= Date.now()) return { error: AuthErrorCode.InvalidRefreshToken } as const;
      await em.update(RefreshTokenEntity, { id: row.id }, { usedAt: new Date() });
      return { row } as const;
    });
    if ('error' in outcome) {
      throw outcome.error === AuthErrorCode.RefreshTokenReused
        ? new AuthException(AuthErrorCode.RefreshTokenReused, 'This refresh token was already used, so every session that came from it has been signed out. Sign in again.')
        : new AuthException(AuthErrorCode.InvalidRefreshToken, 'The refresh token is not valid or has expired. Sign in again.');
    }
    const user = await this.users.findOne({ where: { id: outcome.row.userId }, relations: { grants: true } });
    if (!user || user.disabled) throw new AuthException(AuthErrorCode.InvalidRefreshToken, 'This account can no longer sign in.');
    return this.issueTokens(this.toPrincipal(user, 'password+refresh'), outcome.row.familyId);
  }

  /** For non-Nest middleware (the queue dashboard): the principal of a valid access token, or null. */
  async principalFromAccessToken(token: string): Promise<Principal | null> {
    try {
      const p = await this.jwt.verifyAsync<AccessTokenPayload>(token, { algorithms: ['HS256'] });
      return { id: p.sub, email: p.email, displayName: p.name, personId: p.pid, grants: p.grants ?? [], authMethod: p.amr };
    } catch {
      return null;
    }
  }

  async logout(refreshToken: string): Promise<void> {
    const [id] = refreshToken.split('.');
    const row = await this.dataSource.getRepository(RefreshTokenEntity).findOneBy({ id });
    if (row) await this.dataSource.getRepository(RefreshTokenEntity).update({ familyId: row.familyId }, { revokedAt: new Date() });
  }

  private toPrincipal(user: UserEntity, authMethod: string): Principal {
    return {
      id: user.id,
      email: user.email,
      displayName: user.displayName,
      personId: user.personId,
      grants: (user.grants ?? []).map((g) => ({ role: g.role, organisationId: g.organisationId, icbCode: g.icbCode })),
      authMethod,
    };
  }
}
