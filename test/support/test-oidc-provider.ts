import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider, { type Configuration } from 'oidc-provider';

/** One entry of CIS2's nhsid_nrbac_roles claim. */
export interface TestNrbacRole {
  org_code: string;
  person_roleid: string;
  role_code: string;
  role_name: string;
}

/** A smartcard user the test provider can sign in. */
export interface TestCis2Account {
  /** The stable CIS2 subject (UUID): what the platform links the account by. */
  sub: string;
  name: string;
  email: string;
  emailVerified?: boolean;
  /** The ID token's acr, e.g. AAL3_ANY (smartcard) or AAL1_USERPASS. */
  acr: string;
  roles: TestNrbacRole[];
  orgs: { org_code: string; org_name: string }[];
}

/**
 * Which provider answers:
 * - 'cis2': the normal one (issuer = this server's URL);
 * - 'other-issuer': a second, real provider on the same address and keys whose ID tokens
 *   name another issuer (the client must refuse them);
 * - 'expired': a third configuration whose clock runs 10 minutes behind while it handles
 *   a request, with a 60-second ID token lifetime: its ID tokens have expired on arrival.
 */
export type ProviderMode = 'cis2' | 'other-issuer' | 'expired';

export interface TestOidcProvider {
  /** The issuer URL (http://127.0.0.1:<port>). */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The environment a test app needs to use this provider. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** The app's callback URL, registered for the client (call before the first sign-in). */
  setRedirectUri(uri: string): void;
  addAccount(account: TestCis2Account): void;
  use(mode: ProviderMode): void;
  close(): Promise<void>;
}

export const OTHER_ISSUER = 'https://other-issuer.invalid';
const CLOCK_BEHIND_MS = 10 * 60_000;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * A real OpenID Provider (oidc-provider) on 127.0.0.1 shaped like NHS CIS2: scopes
 * nationalrbacaccess and associatedorgs, claims nhsid_nrbac_roles and nhsid_user_orgs
 * from UserInfo, acr in the ID token, PKCE required, client_secret_post. Its login page
 * (GET /interaction/:uid) asks for the smartcard user's subject; the form posts to
 * /interaction/:uid/login.
 */
export async function startTestOidcProvider(): Promise<TestOidcProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'pcn-agreements-test';
  const clientSecret = randomBytes(24).toString('hex');
  const accounts = new Map<string, TestCis2Account>();
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-cis2', use: 'sig', alg: 'RS256' };
  let redirectUri: string | null = null;
  let mode: ProviderMode = 'cis2';
  const providers = new Map<ProviderMode, Provider>();

  const configuration = (idTokenTtl: number): Configuration => ({
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri as string], response_types: ['code'], grant_types: ['authorization_code'], token_endpoint_auth_method: 'client_secret_post' }],
    jwks: { keys: [signingKey as never] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    scopes: ['openid', 'profile', 'email', 'nationalrbacaccess', 'associatedorgs'],
    claims: { openid: ['sub'], profile: ['name'], email: ['email', 'email_verified'], nationalrbacaccess: ['nhsid_nrbac_roles'], associatedorgs: ['nhsid_user_orgs'] },
    acrValues: ['AAL3_ANY', 'AAL2_OR_AAL3_ANY', 'AAL2_ANY', 'AAL1_USERPASS'],
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    ttl: { IdToken: idTokenTtl, AccessToken: 600, AuthorizationCode: 60, Interaction: 3600, Session: 3600, Grant: 3600 },
    findAccount: (_ctx, sub) => {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: () => ({ sub, name: account.name, email: account.email, email_verified: account.emailVerified ?? true, nhsid_nrbac_roles: account.roles, nhsid_user_orgs: account.orgs }),
      };
    },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = `<!doctype html><title>Test CIS2 error</title><h1>Test CIS2 error</h1><pre>${escapeHtml(JSON.stringify(out))}</pre>`;
    },
  });

  const provider = (which: ProviderMode): Provider => {
    let p = providers.get(which);
    if (p) return p;
    if (!redirectUri) throw new Error('setRedirectUri() first');
    p = new Provider(which === 'other-issuer' ? OTHER_ISSUER : issuer, configuration(which === 'expired' ? 60 : 600));
    if (which === 'expired') {
      // A fake clock for this provider only: ten minutes behind while it handles a request
      // (koa writes the response after this middleware returns, so the app reads it with the real clock).
      p.use(async (_ctx, next) => {
        const realNow = Date.now;
        Date.now = () => realNow() - CLOCK_BEHIND_MS;
        try {
          await next();
        } finally {
          Date.now = realNow;
        }
      });
    }
    // Discovery without authorization_response_iss_parameter_supported, so a response
    // without `iss` reaches the ID token check (the "another issuer" test removes it).
    p.use(async (ctx, next) => {
      await next();
      if (ctx.path === '/.well-known/openid-configuration' && ctx.body && typeof ctx.body === 'object') delete (ctx.body as Record<string, unknown>).authorization_response_iss_parameter_supported;
    });
    providers.set(which, p);
    return p;
  };

  const loginPage = (uid: string, error?: string) =>
    `<!doctype html><html lang="en"><head><title>Test CIS2 sign-in</title></head><body><main><h1>Test NHS CIS2 sign-in</h1>${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login"><label for="login">Smartcard user ID</label> <input id="login" name="login" autocomplete="off"> <button type="submit" id="submit-login">Sign in</button></form></main></body></html>`;

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const p = (() => {
      try {
        return provider(mode);
      } catch (error) {
        res.statusCode = 500;
        res.end(String(error));
        return null;
      }
    })();
    if (!p) return;
    const url = new URL(req.url ?? '/', issuer);
    const interaction = /^\/interaction\/([^/]+)(\/login)?$/.exec(url.pathname);
    if (!interaction) return void p.callback()(req, res);
    (async () => {
      const details = await p.interactionDetails(req, res);
      if (req.method === 'GET') {
        res.setHeader('Content-Type', 'text/html; charset=utf-8');
        return res.end(loginPage(details.uid));
      }
      const form = await readForm(req);
      const account = accounts.get(form.get('login') ?? '');
      if (!account) {
        res.statusCode = 422;
        res.setHeader('Content-Type', 'text/html; charset=utf-8');
        return res.end(loginPage(details.uid, 'No such smartcard user'));
      }
      const grant = new p.Grant({ accountId: account.sub, clientId: details.params.client_id as string });
      grant.addOIDCScope(String(details.params.scope));
      const grantId = await grant.save();
      await p.interactionFinished(req, res, { login: { accountId: account.sub, acr: account.acr, amr: ['sc'] }, consent: { grantId } }, { mergeWithLastSubmission: false });
    })().catch((error: unknown) => {
      res.statusCode = 400;
      res.end(`interaction failed: ${String(error)}`);
    });
  });

  return {
    issuer,
    clientId,
    clientSecret,
    env: (extra = {}) => ({ OIDC_ISSUER_URL: issuer, OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: clientSecret, ...extra }),
    setRedirectUri(uri) {
      redirectUri = uri;
    },
    addAccount(account) {
      accounts.set(account.sub, account);
    },
    use(next) {
      mode = next;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
