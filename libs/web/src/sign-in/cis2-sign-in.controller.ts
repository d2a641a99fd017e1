import { Get, HttpStatus, Injectable, NestMiddleware, Query, Req, Res } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { NextFunction, Request, Response } from 'express';
import { DataSource } from 'typeorm';
import { Cis2Refusal, Cis2SignInService, type OrganisationByOdsCode, Public } from '@pcn/auth';
import { OrganisationEntity } from '@pcn/directory';
import { PageController } from '../shell/page-controller.decorator';
import { safeReturnTo } from '../shell/page-error.filter';

const STATUS: Record<Cis2Refusal['outcome'], number> = {
  failed: HttpStatus.UNAUTHORIZED,
  assurance: HttpStatus.FORBIDDEN,
  'no-mapping': HttpStatus.FORBIDDEN,
  'no-account': HttpStatus.FORBIDDEN,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
};

/**
 * "Sign in with NHS Care Identity Service 2": /sign-in/cis2 sends the browser to CIS2,
 * /sign-in/cis2/callback comes back with the code. A sign-in that is refused gets a page
 * saying why in words and what to do; it never creates a signed-in session.
 */
@PageController('sign-in/cis2')
export class Cis2SignInController {
  constructor(
    private readonly cis2: Cis2SignInService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Public()
  @Get()
  async start(@Req() req: Request, @Res() res: Response, @Query('returnTo') returnTo?: string) {
    // CIS2 not configured here: the sign-in page (which then offers no CIS2 button).
    if (!this.cis2.enabled) return res.redirect(303, '/sign-in');
    const started = await this.cis2.start(req, res, (error?: unknown) => this.refuse(res, { outcome: error ? 'unavailable' : 'failed', reason: String(error) } as Cis2Refusal), safeReturnTo(returnTo));
    if (!started) this.refuse(res, { outcome: 'unavailable' });
  }

  @Public()
  @Get('callback')
  async callback(@Req() req: Request, @Res() res: Response) {
    if (!this.cis2.enabled) return res.redirect(303, '/sign-in');
    const returnTo = safeReturnTo(req.session.cis2ReturnTo);
    delete req.session.cis2ReturnTo;
    const organisations = this.dataSource.getRepository(OrganisationEntity);
    const byOds: OrganisationByOdsCode = async (odsCode) => {
      const organisation = await organisations.findOneBy({ odsCode });
      return organisation ? { id: organisation.id, kind: organisation.kind, name: organisation.name } : null;
    };
    const result = await this.cis2.callback(req, res, byOds);
    if (result.outcome !== 'signed-in') return this.refuse(res, result);
    // The same page session as password sign-in: a new session id, the principal, the time.
    await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
    req.session.principal = result.principal;
    req.session.signedInAt = Date.now();
    await new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
    res.redirect(303, returnTo === '/' ? '/tasks' : returnTo);
  }

  private refuse(res: Response, refusal: Cis2Refusal) {
    if (res.headersSent) return;
    res.status(STATUS[refusal.outcome]).render('sign-in-refused', { refusal, minimum: this.cis2.minimumAssuranceLevel, passwordSignIn: this.cis2.passwordSignInEnabled, breadcrumbs: [] });
  }
}

/**
 * What the sign-in page shows (the CIS2 button, the password form) and the switch
 * PASSWORD_SIGN_IN=off for the password form's POST.
 */
@Injectable()
export class SignInMethodsMiddleware implements NestMiddleware {
  constructor(private readonly cis2: Cis2SignInService) {}

  use(req: Request, res: Response, next: NextFunction) {
    res.locals.cis2SignIn = this.cis2.enabled;
    res.locals.passwordSignIn = this.cis2.passwordSignInEnabled;
    if (req.method === 'POST' && !this.cis2.passwordSignInEnabled) {
      res.status(HttpStatus.FORBIDDEN);
      return res.render('sign-in', {
        returnTo: safeReturnTo((req.body as Record<string, unknown> | undefined)?.returnTo),
        errors: [{ text: 'Sign-in with a password is switched off. Sign in with NHS Care Identity Service 2.', href: '#cis2-sign-in' }],
        fieldErrors: {},
        breadcrumbs: [],
      });
    }
    next();
  }
}
