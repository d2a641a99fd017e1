import { Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { AuthErrorCode, AuthException } from '../auth.exception';

@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  override handleRequest<TUser>(err: unknown, user: TUser | false): TUser {
    if (err instanceof AuthException) throw err;
    // Anything else (the database is down) is not a wrong password: the filter answers it (503).
    if (err) throw err;
    if (err || !user) throw new AuthException(AuthErrorCode.InvalidCredentials, 'Enter your email address and password.');
    return user;
  }
}
