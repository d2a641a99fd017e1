import { Inject, Injectable, Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, IsNull, Repository } from 'typeorm';
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { pgErrorCode } from '@pcn/database';
import { authConfig, AuthConfig } from './auth.config';
import { AuthErrorCode, AuthException, waitInWords } from './auth.exception';
import { UserEntity } from './users/user.entity';
import { RoleGrantEntity } from './users/role-grant.entity';
import { RefreshTokenEntity } from './tokens/refresh-token.entity';
import { Principal, RoleGrantClaim } from './principal';
import { AccessTokenPayload } from './guards/jwt.strategy';
import { TokenPairResponse } from './dto/auth.dto';
import { LoginThrottle } from './security/login-throttle.service';
import { SessionRevocation } from './security/session-revocation.service';
import { AuthEventsService } from './security/auth-events.service';
import { AuthEventType } from './security/auth-event.entity';
import { PasswordHasher } from './security/password-hasher';

/** Where a sign-in attempt came from, for throttling and the authentication trail. */
export interface SignInAttempt {
  channel: 'api' | 'page';
  ip: string | null;
  userAgent: string | null;
}

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
  private readonly logger = new Logger('AuthService');

  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly jwt: JwtService,
    @Inject(authConfig.KEY) private readonly config: AuthConfig,
    private readonly throttle: LoginThrottle,
    private readonly revocation: SessionRevocation,
    private readonly events: AuthEventsService,
    private readonly passwords: PasswordHasher,
  ) {}

  async createUser(input: NewUser): Promise<UserEntity> {
    const passwordHash = await this.passwords.hash(input.password);
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

  /**
   * Checks an email and password. Locked accounts and addresses over their allowance are
   * refused (429) before the password is checked; wrong passwords count towards a lockout;
   * every outcome goes to the authentication trail. A database outage is thrown as it is
   * (503), never reported as a wrong password.
   */
  async verifyPassword(email: string, password: string, attempt: SignInAttempt = { channel: 'api', ip: null, userAgent: null }): Promise<Principal> {
    const client = attempt.ip ?? 'unknown';
    const who = { email, channel: attempt.channel, ip: attempt.ip, userAgent: attempt.userAgent };
    try {
      await this.throttle.assertMayTry(email, client);
    } catch (error) {
      await this.events.record({ ...who, type: AuthEventType.SignInRefused, detail: { reason: 'locked or rate-limited' } });
      throw error;
    }
    const user = await this.users.findOne({ where: { email: email.toLowerCase() }, relations: { grants: true } });
    // Unknown and disabled accounts cost one verify too, so timing does not tell them apart.
    const ok = user && !user.disabled ? await this.passwords.verify(user.passwordHash, password) : await this.passwords.verifyDecoy(password);
    if (!user || !ok) {
      const outcome = await this.throttle.recordFailure(email, client);
      if (outcome.lockedForSeconds) {
        await this.events.record({ ...who, userId: user?.id ?? null, type: AuthEventType.LockedOut, detail: { seconds: outcome.lockedForSeconds, lockouts: outcome.lockouts } });
        throw new AuthException(
          AuthErrorCode.TooManyAttempts,
          `Too many wrong passwords: this account is locked. Try again in ${waitInWords(outcome.lockedForSeconds)}, or ask your administrator.`,
          outcome.lockedForSeconds,
        );
      }
      await this.events.record({ ...who, userId: user?.id ?? null, type: AuthEventType.SignInFailed, detail: { reason: !user ? 'unknown email' : user.disabled ? 'account disabled' : 'wrong password' } });
      throw new AuthException(AuthErrorCode.InvalidCredentials, 'The email address or password is not right.');
    }
    await this.throttle.recordSuccess(email);
    if (this.passwords.shouldRehash(user.passwordHash)) await this.upgradePasswordHash(user, password);
    await this.events.record({ ...who, userId: user.id, type: AuthEventType.SignIn, detail: { method: 'password' } });
    return this.toPrincipal(user, 'password');
  }

  /**
   * Replaces a hash weaker than the configured cost with one at that cost, now that the password
   * is known to be right. Only if the stored hash is still the one checked, so a password changed
   * meanwhile is never overwritten. A failure here does not stop the sign-in: the next one tries again.
   */
  private async upgradePasswordHash(user: UserEntity, password: string): Promise<void> {
    try {
      const stronger = await this.passwords.hash(password);
      await this.users.update({ id: user.id, passwordHash: user.passwordHash }, { passwordHash: stronger });
    } catch (error) {
      this.logger.warn(`The password hash of user ${user.id} could not be upgraded: ${(error as Error).message}`);
    }
  }

  async issueTokens(principal: Principal, familyId: string = randomUUID()): Promise<TokenPairResponse> {
    const payload: AccessTokenPayload = {
      sub: principal.id,
      email: principal.email,
      name: principal.displayName,
      pid: principal.personId,
      grants: principal.grants,
      amr: principal.authMethod,
      fam: familyId,
      iatMs: Date.now(),
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
        return { error: AuthErrorCode.RefreshTokenReused, row } as const;
      }
      if (row.expiresAt.getTime() <= Date.now()) return { error: AuthErrorCode.InvalidRefreshToken } as const;
      await em.update(RefreshTokenEntity, { id: row.id }, { usedAt: new Date() });
      return { row } as const;
    });
    if ('error' in outcome) {
      if (outcome.error === AuthErrorCode.RefreshTokenReused && 'row' in outcome) {
        await this.revocation.revokeFamily(outcome.row.familyId);
        await this.events.record({ type: AuthEventType.RefreshReused, userId: outcome.row.userId, channel: 'api', detail: { familyId: outcome.row.familyId } });
      }
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
      if (await this.revocation.isRevoked(p.sub, p.iatMs ?? (p.iat ?? 0) * 1000, p.fam)) return null;
      return { id: p.sub, email: p.email, displayName: p.name, personId: p.pid, grants: p.grants ?? [], authMethod: p.amr };
    } catch {
      return null;
    }
  }

  /**
   * Signs out the session family of a refresh token: its refresh tokens are revoked and its
   * access tokens refused at once. The token's secret must match (knowing a token's id alone
   * revokes nothing): otherwise 401 INVALID_REFRESH_TOKEN.
   */
  async logout(refreshToken: string, client: { ip: string | null; userAgent: string | null } = { ip: null, userAgent: null }): Promise<void> {
    const [id, secret] = refreshToken.split('.');
    const repo = this.dataSource.getRepository(RefreshTokenEntity);
    const row = await repo.findOneBy({ id });
    const matches = row !== null && typeof secret === 'string' && timingSafeEqual(Buffer.from(row.tokenHash), Buffer.from(sha256(secret)));
    if (!row || !matches) throw new AuthException(AuthErrorCode.InvalidRefreshToken, 'The refresh token is not valid. Nothing was signed out.');
    await repo.update({ familyId: row.familyId, revokedAt: IsNull() }, { revokedAt: new Date() });
    await this.revocation.revokeFamily(row.familyId);
    await this.events.record({ type: AuthEventType.SignOut, userId: row.userId, channel: 'api', ...client, detail: { familyId: row.familyId } });
  }

  /** Signs a person out of every session they have: API tokens (all families) and pages. */
  async logoutEverywhere(principal: Principal, channel: 'api' | 'page', client: { ip: string | null; userAgent: string | null }): Promise<void> {
    await this.revocation.revokeUserSessions(principal.id);
    await this.events.record({ type: AuthEventType.SignOutEverywhere, userId: principal.id, email: principal.email, channel, ...client });
  }

  /** Records a page sign-out in the authentication trail. */
  async recordPageSignOut(principal: Principal | undefined, client: { ip: string | null; userAgent: string | null }): Promise<void> {
    if (principal) await this.events.record({ type: AuthEventType.SignOut, userId: principal.id, email: principal.email, channel: 'page', ...client });
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
