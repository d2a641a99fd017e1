import { Inject, Injectable, Optional } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-local';
import type { Request } from 'express';
import { AuthService } from '../auth.service';
import { Principal } from '../principal';
import { AuthErrorCode, AuthException } from '../auth.exception';
import { isPasswordSignInEnabled, oidcConfig, type OidcConfig } from '../oidc/oidc.config';
import { clientInfoOf } from '../security/auth-events.service';

@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(
    private readonly auth: AuthService,
    @Optional() @Inject(oidcConfig.KEY) private readonly signIn?: OidcConfig,
  ) {
    super({ usernameField: 'email', passwordField: 'password', passReqToCallback: true });
  }

  validate(req: Request, email: string, password: string): Promise<Principal> {
    // PASSWORD_SIGN_IN=off: only NHS CIS2 sign-in (the pages) remains.
    if (this.signIn && !isPasswordSignInEnabled(this.signIn)) throw new AuthException(AuthErrorCode.PermissionDenied, 'Sign-in with a password is switched off for this service. Sign in with NHS Care Identity Service 2 on the sign-in page.');
    return this.auth.verifyPassword(email, password, { channel: 'api', ...clientInfoOf(req) });
  }
}
