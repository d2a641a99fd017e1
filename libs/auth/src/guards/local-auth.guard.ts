import { ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { createValidationPipe } from '@pcn/common';
import { AuthErrorCode, AuthException } from '../auth.exception';
import { LoginDto } from '../dto/auth.dto';

@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  private readonly validation = createValidationPipe();

  /**
   * Guards run before pipes, so the body is checked here first: a missing or malformed field
   * is a 422 naming it, like on every other endpoint, not a failed sign-in (nothing was checked
   * against an account, and nothing counts towards the lockout).
   */
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    await this.validation.transform(request.body, { type: 'body', metatype: LoginDto });
    return (await super.canActivate(context)) as boolean;
  }

  override handleRequest<TUser>(err: unknown, user: TUser | false): TUser {
    if (err instanceof AuthException) throw err;
    // Anything else (the database is down) is not a wrong password: the filter answers it (503).
    if (err) throw err;
    if (!user) throw new AuthException(AuthErrorCode.InvalidCredentials, 'Enter your email address and password.');
    return user;
  }
}
