import { Body, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AuthErrorCode, AuthException, AuthService, clientInfoOf, Public } from '@pcn/auth';
import { PageController } from '../shell/page-controller.decorator';
import { safeReturnTo } from '../shell/page-error.filter';
import { SESSION_COOKIE } from '../shell/install-pages';

interface SignInForm {
  email?: string;
  password?: string;
  returnTo?: string;
}

/** Email and password sign-in for people (the API's token sign-in stays at /api/v1/auth). */
@PageController()
export class SignInController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Get()
  home(@Req() req: Request, @Res() res: Response) {
    res.redirect(303, req.session?.principal ? '/tasks' : '/sign-in');
  }

  @Public()
  @Get('sign-in')
  page(@Req() req: Request, @Res() res: Response, @Query('returnTo') returnTo?: string, @Query('expired') expired?: string, @Query('signedOut') signedOut?: string) {
    if (req.session?.principal) return res.redirect(303, safeReturnTo(returnTo) === '/' ? '/tasks' : safeReturnTo(returnTo));
    res.render('sign-in', { returnTo: safeReturnTo(returnTo), expired: expired === '1', signedOut: signedOut === '1', fieldErrors: {}, breadcrumbs: [] });
  }

  @Public()
  @Post('sign-in')
  @HttpCode(200)
  async signIn(@Req() req: Request, @Res() res: Response, @Body() form: SignInForm) {
    const email = typeof form.email === 'string' ? form.email.trim() : '';
    const password = typeof form.password === 'string' ? form.password : '';
    const returnTo = safeReturnTo(form.returnTo);
    const fieldErrors: Record<string, string> = {};
    if (!email) fieldErrors.email = 'Enter your email address';
    if (!password) fieldErrors.password = 'Enter your password';
    if (!fieldErrors.email && !fieldErrors.password) {
      try {
        const principal = await this.auth.verifyPassword(email, password, { channel: 'page', ...clientInfoOf(req) });
        // A new session id at sign-in, so a session id planted before sign-in is useless.
        await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
        req.session.principal = { ...principal, authMethod: 'password (web sign-in)' };
        req.session.signedInAt = Date.now();
        await new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
        return res.redirect(303, returnTo === '/' ? '/tasks' : returnTo);
      } catch (error) {
        // Anything but a refused sign-in (the database is down) goes to the error page: 503 "unavailable", never "wrong password".
        if (!(error instanceof AuthException)) throw error;
        if (error.code === AuthErrorCode.TooManyAttempts) {
          res.setHeader('Retry-After', String(error.retryAfterSeconds ?? 60));
          res.status(429);
          return res.render('sign-in', { email, returnTo, errors: [{ text: error.message, href: '#email' }], fieldErrors: { email: error.message }, breadcrumbs: [] });
        }
        fieldErrors.email = 'The email address or password is not right';
      }
    }
    const errors = Object.entries(fieldErrors).map(([field, text]) => ({ text, href: `#${field}` }));
    res.status(fieldErrors.password && !fieldErrors.email ? 422 : fieldErrors.email === 'The email address or password is not right' ? 401 : 422);
    res.render('sign-in', { email, returnTo, errors, fieldErrors, breadcrumbs: [] });
  }

  @Public()
  @Post('sign-out')
  async signOut(@Req() req: Request, @Res() res: Response) {
    await this.auth.recordPageSignOut(req.session?.principal, clientInfoOf(req));
    const done = () => {
      res.clearCookie(SESSION_COOKIE, { path: '/' });
      res.redirect(303, '/sign-in?signedOut=1');
    };
    if (!req.session) return done();
    req.session.destroy(() => done());
  }
}
