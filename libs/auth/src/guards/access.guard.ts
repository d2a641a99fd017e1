import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { ACCESS_RULE, AccessRule } from './access.decorators';
import { AuthErrorCode, AuthException } from '../auth.exception';
import { hasPermission, Principal } from '../principal';
import { SESSION_PAGES } from '../session/page-session';
import { SessionRevocation } from '../security/session-revocation.service';

function ruleOf(reflector: Reflector, context: ExecutionContext): AccessRule | undefined {
  return reflector.getAllAndOverride<AccessRule>(ACCESS_RULE, [context.getHandler(), context.getClass()]);
}

/**
 * Global guard, deny by default: a route must declare @Public, @Authenticated or
 * @RequirePermission, otherwise it is refused for everyone.
 */
@Injectable()
export class AccessGuard extends AuthGuard('jwt') implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly revocation: SessionRevocation,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = ruleOf(this.reflector, context);
    if (!rule) throw new AuthException(AuthErrorCode.NoAccessRule, 'This route has no access rule, so it is closed.');
    const request = context.switchToHttp().getRequest();
    if (this.reflector.getAllAndOverride<boolean>(SESSION_PAGES, [context.getHandler(), context.getClass()])) {
      // Pages: the principal comes from the server-side session (never from a header).
      const principal = request.session?.principal as Principal | undefined;
      if (principal) request.user = principal;
      if (rule.kind === 'public') return true;
      if (!principal) throw new AuthException(AuthErrorCode.NotAuthenticated, 'Sign in to continue.');
    } else {
      if (rule.kind === 'public') return true;
      await (super.canActivate(context) as Promise<boolean>);
      // Revoked at once: a disabled account, sign out (everywhere), a reused refresh token.
      const session = request.accessTokenSession as { familyId: string | null; issuedAtMs: number } | undefined;
      const user = request.user as Principal;
      if (session && (await this.revocation.isRevoked(user.id, session.issuedAtMs, session.familyId))) {
        throw new AuthException(AuthErrorCode.SessionRevoked, 'This session has been signed out. Sign in again.');
      }
    }
    if (rule.kind === 'authenticated') return true;
    const user = request.user as Principal;
    if (!rule.permissions.some((p) => hasPermission(user, p))) {
      throw new AuthException(AuthErrorCode.PermissionDenied, 'Your role does not allow this action.');
    }
    return true;
  }

  override handleRequest<TUser = Principal>(err: unknown, user: TUser | false): TUser {
    if (err || !user) {
      throw new AuthException(AuthErrorCode.NotAuthenticated, 'Sign in first: send a valid access token as "Authorization: Bearer <token>".');
    }
    return user;
  }
}
