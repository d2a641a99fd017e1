import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import type { NextFunction, Request, Response } from 'express';
import passport from 'passport';
import * as client from 'openid-client';
// TypeScript's "node" module resolution does not read package exports, so the types come
// from the file the exports map points at (build/passport), and the value from the export.
// @ts-expect-error -- resolved at run time through openid-client's exports map
import { Strategy as ExportedStrategy } from 'openid-client/passport';
import type { AuthenticateOptions, Strategy as StrategyClass, StrategyOptions, VerifyFunction } from 'openid-client/build/passport';

const Strategy = ExportedStrategy as typeof StrategyClass;
import { appConfig, AppConfig, ConfigurationError } from '@pcn/common';
import { UserEntity } from '../users/user.entity';
import type { Principal } from '../principal';
import { isOidcEnabled, isPasswordSignInEnabled, oidcConfig, OidcConfig } from './oidc.config';
import { loadRoleMapping, mapNrbacRoles, type NrbacRole, type OrganisationByOdsCode, type RoleMapping, type UserOrg } from './role-mapping';
import { assuranceLevel, cis2AuthMethod } from './assurance';
import { AuthEventsService, clientInfoOf } from '../security/auth-events.service';
import { AuthEventType } from '../security/auth-event.entity';

declare module 'express-session' {
  interface SessionData {
    /** Where to go after CIS2 sign-in (a local path), kept across the round trip to the provider. */
    cis2ReturnTo?: string;
    /** The invitation link being accepted with CIS2: set by startForInvitation, cleared by a plain sign-in start. */
    cis2InvitationToken?: string;
  }
}

export const CIS2_CALLBACK_PATH = '/sign-in/cis2/callback';
const STRATEGY = 'nhs-cis2';
/** Where the strategy keeps state, nonce and PKCE verifier in the session between the redirect and the callback. */
const SESSION_KEY = 'cis2Request';

export type Cis2Refusal =
  /** The round trip itself failed: state, code, ID token (issuer, expiry, signature, nonce) or the provider said no. */
  | { outcome: 'failed'; reason: string }
  | { outcome: 'assurance'; level: number; minimum: number }
  | { outcome: 'no-mapping'; roles: { roleName: string; orgCode: string; orgName: string | null }[] }
  | { outcome: 'no-account'; email: string | null }
  | { outcome: 'unavailable' };

export type Cis2Result = { outcome: 'signed-in'; principal: Principal } | Cis2Refusal;

/** Who CIS2 says the person is, for accepting an invitation (no account or role mapping needed yet). */
export interface Cis2Identity {
  outcome: 'identified';
  issuer: string;
  subject: string;
  email: string | null;
  /** e.g. "NHS CIS2 (AAL3)". */
  authMethod: string;
}

/** A verified round trip's result, with who it was about for the authentication trail. */
interface Verified<T> {
  result: T;
  userId: string | null;
  email: string | null;
}

/** The authentication trail's event type and reason for each refusal. */
const REFUSAL_EVENT: Record<Cis2Refusal['outcome'], { type: AuthEventType; reason: string }> = {
  failed: { type: AuthEventType.SignInFailed, reason: 'round trip failed (state, code or ID token)' },
  assurance: { type: AuthEventType.SignInRefused, reason: 'assurance level too low' },
  'no-mapping': { type: AuthEventType.SignInRefused, reason: 'no role mapping applies' },
  'no-account': { type: AuthEventType.SignInRefused, reason: 'no linked account' },
  unavailable: { type: AuthEventType.SignInFailed, reason: 'provider unavailable' },
};

/** openid-client's error in one line for the log and the support details: message, OAuth error, claim or parameter. */
function describeError(error: unknown): string {
  const e = error as { message?: string; error?: string; code?: string; cause?: unknown };
  const parts = [e.message ?? String(error)];
  if (typeof e.error === 'string') parts.push(`error=${e.error}`);
  const cause = e.cause as { claim?: string; cause?: { claim?: string } } | undefined;
  const claim = cause?.claim ?? cause?.cause?.claim;
  if (claim) parts.push(`claim=${claim}`);
  const inner = e.cause instanceof Error ? e.cause.message : undefined;
  if (inner && inner !== e.message) parts.push(inner);
  return parts.join('; ');
}

const isLoopback = (url: URL) => ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);

/** Adds state, nonce and acr_values to the authorisation request (PKCE comes from the strategy). */
class Cis2Strategy extends Strategy {
  constructor(options: StrategyOptions, verify: VerifyFunction, private readonly acrValues: string) {
    super(options, verify);
  }

  override authorizationRequestParams<T extends AuthenticateOptions>(req: Request, options: T): URLSearchParams {
    const params = new URLSearchParams(super.authorizationRequestParams(req, options) as URLSearchParams);
    params.set('state', client.randomState());
    params.set('nonce', client.randomNonce());
    if (this.acrValues) params.set('acr_values', this.acrValues);
    return params;
  }
}

/**
 * NHS Care Identity Service 2 sign-in (OpenID Connect authorisation code flow with PKCE,
 * state and nonce) through passport and openid-client. The pages' sign-in controller
 * calls start() and callback(); this service checks the ID token, the assurance level,
 * maps national RBAC roles to platform grants and links the account.
 */
@Injectable()
export class Cis2SignInService {
  private readonly logger = new Logger('Cis2SignIn');
  private readonly mapping: RoleMapping;
  private readonly redirectUrl: string;
  private discovered: Promise<client.Configuration> | null = null;

  constructor(
    @Inject(oidcConfig.KEY) private readonly config: OidcConfig,
    @Inject(appConfig.KEY) app: AppConfig,
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly authEvents: AuthEventsService,
  ) {
    // Start-up checks: a bad mapping table or an unsafe issuer stops the app, with the variable named.
    this.mapping = loadRoleMapping(config);
    this.redirectUrl = config.OIDC_REDIRECT_URL || new URL(CIS2_CALLBACK_PATH, app.PUBLIC_BASE_URL).href;
    if (!isOidcEnabled(config)) {
      if (!isPasswordSignInEnabled(config)) throw new ConfigurationError('Invalid configuration: PASSWORD_SIGN_IN is off and OIDC_ISSUER_URL is not set, so nobody could sign in');
      return;
    }
    const issuer = new URL(config.OIDC_ISSUER_URL);
    if (issuer.protocol !== 'https:' && !isLoopback(issuer)) throw new ConfigurationError('Invalid configuration: OIDC_ISSUER_URL must use https (plain http only on the loopback address, for tests)');
    if (app.NODE_ENV === 'production' && issuer.protocol !== 'https:') throw new ConfigurationError('Invalid configuration: OIDC_ISSUER_URL must use https in production');
    if (!config.OIDC_SCOPES.split(/\s+/).includes('openid')) throw new ConfigurationError('Invalid configuration: OIDC_SCOPES must include openid');
  }

  get enabled(): boolean {
    return isOidcEnabled(this.config);
  }

  get passwordSignInEnabled(): boolean {
    return isPasswordSignInEnabled(this.config);
  }

  get minimumAssuranceLevel(): number {
    return this.config.OIDC_MINIMUM_ASSURANCE_LEVEL;
  }

  /** Discovery on first use (and again after a failure), so the app starts while the provider is away. */
  private configuration(): Promise<client.Configuration> {
    if (!this.discovered) {
      const issuer = new URL(this.config.OIDC_ISSUER_URL);
      this.discovered = client
        .discovery(issuer, this.config.OIDC_CLIENT_ID, { redirect_uris: [this.redirectUrl], response_types: ['code'] }, client.ClientSecretPost(this.config.OIDC_CLIENT_SECRET), isLoopback(issuer) && issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : undefined)
        .catch((error: unknown) => {
          this.discovered = null;
          throw error;
        });
    }
    return this.discovered;
  }

  private async strategy<T>(verify: (configuration: client.Configuration, tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers) => Promise<Verified<T>>): Promise<Cis2Strategy> {
    const configuration = await this.configuration();
    return new Cis2Strategy(
      { config: configuration, scope: this.config.OIDC_SCOPES, callbackURL: this.redirectUrl, name: STRATEGY, sessionKey: SESSION_KEY },
      (tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers, verified: passport.AuthenticateCallback) => {
        verify(configuration, tokens).then((result) => verified(null, result), (error: unknown) => verified(error));
      },
      this.config.OIDC_ACR_VALUES,
    );
  }

  /** Redirects the browser to the provider; `returnTo` (a local path) is where the callback goes after sign-in. */
  async start(req: Request, res: Response, next: NextFunction, returnTo: string): Promise<boolean> {
    // A plain sign-in: an invitation round trip abandoned earlier in this session must not take over its callback.
    delete req.session.cis2InvitationToken;
    return this.redirect(req, res, next, returnTo);
  }

  /**
   * Starts the round trip that accepts an invitation with CIS2: the same redirect URL as
   * sign-in (one registration with NHS England); the session remembers the invitation, and
   * the callback goes to identify() instead of a sign-in.
   */
  async startForInvitation(req: Request, res: Response, next: NextFunction, invitationToken: string): Promise<boolean> {
    req.session.cis2InvitationToken = invitationToken;
    return this.redirect(req, res, next, '/');
  }

  private async redirect(req: Request, res: Response, next: NextFunction, returnTo: string): Promise<boolean> {
    let strategy: Cis2Strategy;
    try {
      strategy = await this.strategy(async () => ({ result: null, userId: null, email: null }));
    } catch (error) {
      this.logger.warn(`CIS2 discovery failed: ${(error as Error).message}`);
      return false;
    }
    req.session.cis2ReturnTo = returnTo;
    const instance = new passport.Passport();
    instance.use(STRATEGY, strategy);
    instance.authenticate(STRATEGY, { session: false })(req, res, next);
    return true;
  }

  /**
   * Completes the sign-in on the callback request; never throws for a refusal. Every outcome
   * is recorded in the authentication trail (channel oidc), as password sign-ins are.
   */
  async callback(req: Request, res: Response, organisationByOds: OrganisationByOdsCode): Promise<Cis2Result> {
    const { result, userId, email } = await this.complete<Cis2Result>(req, res, (configuration, tokens) => this.verify(configuration, tokens, organisationByOds));
    if (result.outcome === 'signed-in') {
      await this.authEvents.record({ type: AuthEventType.SignIn, userId: result.principal.id, email: result.principal.email, channel: 'oidc', ...clientInfoOf(req), detail: { method: result.principal.authMethod } });
    } else {
      await this.recordRefusal(req, result, userId, email, 'sign-in');
    }
    return result;
  }

  /** Completes an invitation's round trip: who CIS2 says the person is, at a high enough assurance level; refusals are recorded. */
  async identify(req: Request, res: Response): Promise<Cis2Identity | Cis2Refusal> {
    const { result, userId, email } = await this.complete<Cis2Identity | Cis2Refusal>(req, res, async (_configuration, tokens) => {
      const idToken = tokens.claims() as (client.IDToken & { authentication_assurance_level?: unknown; email?: unknown }) | undefined;
      if (!idToken) return { result: { outcome: 'failed', reason: 'no ID token' }, userId: null, email: null };
      const claimedEmail = typeof idToken.email === 'string' ? idToken.email.toLowerCase() : null;
      const level = assuranceLevel(idToken);
      if (level < this.config.OIDC_MINIMUM_ASSURANCE_LEVEL) return { result: { outcome: 'assurance', level, minimum: this.config.OIDC_MINIMUM_ASSURANCE_LEVEL }, userId: null, email: claimedEmail };
      return { result: { outcome: 'identified', issuer: idToken.iss, subject: idToken.sub, email: claimedEmail, authMethod: cis2AuthMethod(level) }, userId: null, email: claimedEmail };
    });
    if (result.outcome !== 'identified') await this.recordRefusal(req, result, userId, email, 'invitation');
    return result;
  }

  private async recordRefusal(req: Request, refusal: Cis2Refusal, userId: string | null, email: string | null, purpose: 'sign-in' | 'invitation') {
    const { type, reason } = REFUSAL_EVENT[refusal.outcome];
    const detail: Record<string, unknown> = { reason, purpose };
    if (refusal.outcome === 'failed') detail.error = refusal.reason.slice(0, 300);
    if (refusal.outcome === 'assurance') Object.assign(detail, { level: refusal.level, minimum: refusal.minimum });
    if (refusal.outcome === 'no-mapping') detail.roles = refusal.roles.map((r) => ({ roleName: r.roleName, orgCode: r.orgCode }));
    await this.authEvents.record({ type, userId, email: email ?? (refusal.outcome === 'no-account' ? refusal.email : null), channel: 'oidc', ...clientInfoOf(req), detail });
  }

  /** Runs the callback through passport (state, PKCE, code exchange, ID token checks) and then `verify`. */
  private async complete<T>(req: Request, res: Response, verify: (configuration: client.Configuration, tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers) => Promise<Verified<T>>): Promise<Verified<T | Cis2Refusal>> {
    const refused = (refusal: Cis2Refusal): Verified<Cis2Refusal> => ({ result: refusal, userId: null, email: null });
    let strategy: Cis2Strategy;
    try {
      strategy = await this.strategy(verify);
    } catch (error) {
      this.logger.warn(`CIS2 discovery failed: ${(error as Error).message}`);
      return refused({ outcome: 'unavailable' });
    }
    const instance = new passport.Passport();
    instance.use(STRATEGY, strategy);
    return new Promise<Verified<T | Cis2Refusal>>((resolve) => {
      instance.authenticate(STRATEGY, { session: false }, (error: unknown, verified: Verified<T> | false, info: { message?: string } | undefined) => {
        if (error) {
          const reason = describeError(error);
          this.logger.warn(`CIS2 sign-in refused: ${reason}`);
          return resolve(refused({ outcome: 'failed', reason }));
        }
        if (!verified) return resolve(refused({ outcome: 'failed', reason: info?.message ?? 'no result' }));
        resolve(verified);
      })(req, res, (error?: unknown) => resolve(refused({ outcome: 'failed', reason: String(error) })));
    });
  }

  private async verify(configuration: client.Configuration, tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers, organisationByOds: OrganisationByOdsCode): Promise<Verified<Cis2Result>> {
    const idToken = tokens.claims() as (client.IDToken & { authentication_assurance_level?: unknown }) | undefined;
    if (!idToken) return { result: { outcome: 'failed', reason: 'no ID token' }, userId: null, email: null };
    const level = assuranceLevel(idToken);
    const tokenEmail = typeof idToken.email === 'string' ? idToken.email.toLowerCase() : null;
    if (level < this.config.OIDC_MINIMUM_ASSURANCE_LEVEL) return { result: { outcome: 'assurance', level, minimum: this.config.OIDC_MINIMUM_ASSURANCE_LEVEL }, userId: null, email: tokenEmail };
    // CIS2 returns roles and organisations from UserInfo; its subject must be the ID token's.
    const userInfo = await client.fetchUserInfo(configuration, tokens.access_token, idToken.sub);
    const claims = { ...userInfo, ...idToken } as Record<string, unknown>;
    const email = typeof claims.email === 'string' ? claims.email.toLowerCase() : null;
    const roles = Array.isArray(claims.nhsid_nrbac_roles) ? (claims.nhsid_nrbac_roles as NrbacRole[]) : [];
    const orgs = Array.isArray(claims.nhsid_user_orgs) ? (claims.nhsid_user_orgs as UserOrg[]) : [];
    const mapped = await mapNrbacRoles(this.mapping, roles, orgs, organisationByOds);
    if (mapped.grants.length === 0) {
      const known = await this.users.findOneBy({ oidcIssuer: idToken.iss, oidcSubject: idToken.sub });
      return { result: { outcome: 'no-mapping', roles: mapped.unmatched }, userId: known?.id ?? null, email };
    }
    const user = await this.linkedAccount(idToken.iss, idToken.sub, email, claims.email_verified === true);
    if (!user) return { result: { outcome: 'no-account', email }, userId: null, email };
    return {
      result: { outcome: 'signed-in', principal: { id: user.id, email: user.email, displayName: user.displayName, personId: user.personId, grants: mapped.grants, authMethod: cis2AuthMethod(level) } },
      userId: user.id,
      email: user.email,
    };
  }

  /**
   * The account linked to this CIS2 subject; at the first CIS2 sign-in, the not-yet-linked
   * account with the same verified email is linked (once: afterwards only the subject counts).
   */
  async linkedAccount(issuer: string, subject: string, email: string | null, emailVerified: boolean): Promise<UserEntity | null> {
    const linked = await this.users.findOneBy({ oidcIssuer: issuer, oidcSubject: subject });
    if (linked) return linked.disabled ? null : linked;
    if (!email || !emailVerified) return null;
    const candidate = await this.users.findOneBy({ email, oidcSubject: IsNull() });
    if (!candidate || candidate.disabled) return null;
    const result = await this.users.update({ id: candidate.id, oidcSubject: IsNull() }, { oidcIssuer: issuer, oidcSubject: subject, oidcLinkedAt: new Date() });
    return result.affected === 1 ? { ...candidate, oidcIssuer: issuer, oidcSubject: subject } : null;
  }
}
