import { Body, Get, HttpCode, HttpStatus, Next, Param, Post, Res } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import { AccountsException, Cis2SignInService, InvitationEntity, InvitationService, Public } from '@pcn/auth';
import { Actor, ActorContext } from '@pcn/common';
import { PeopleAdminService } from '@pcn/directory';
import { PageController } from '../shell/page-controller.decorator';

const INVALID_TITLE = 'This invitation link cannot be used';

/**
 * The invitation link: set a password once, or link an NHS Care Identity Service 2 (CIS2)
 * identity (when CIS2 is configured; the only way when PASSWORD_SIGN_IN=off). A used, expired
 * or unknown link says so. The CIS2 round trip comes back through the sign-in callback URL,
 * where InvitationCis2CallbackMiddleware finishes it.
 */
@PageController('invitation')
export class InvitationPageController {
  constructor(
    private readonly invitations: InvitationService,
    private readonly people: PeopleAdminService,
    private readonly cis2: Cis2SignInService,
  ) {}

  @Public()
  @Get(':token')
  async page(@Param('token') token: string, @Res() res: Response) {
    res.setHeader('Referrer-Policy', 'no-referrer');
    const invitation = await this.usable(token, res);
    if (invitation) this.renderChoice(res, 200, invitation, token, [], {});
  }

  /** "Use your NHS smartcard or authenticator (CIS2)": off to the provider, back through the sign-in callback. */
  @Public()
  @Get(':token/cis2')
  async startCis2(@Param('token') token: string, @Res() res: Response, @Next() next: NextFunction) {
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (!this.cis2.enabled) return res.redirect(303, `/invitation/${encodeURIComponent(token)}`);
    if (!(await this.usable(token, res))) return;
    const started = await this.cis2.startForInvitation(res.req, res, next, token);
    if (!started) res.status(HttpStatus.SERVICE_UNAVAILABLE).render('people/invitation-cis2-refused', { pageTitle: 'NHS Care Identity Service 2 cannot be reached', breadcrumbs: [], outcome: 'unavailable', token });
  }

  @Public()
  @Post(':token')
  @HttpCode(200)
  async accept(@Param('token') token: string, @Body() form: Record<string, unknown>, @Actor() actor: ActorContext, @Res() res: Response) {
    res.setHeader('Referrer-Policy', 'no-referrer');
    const invitation = await this.usable(token, res);
    if (!invitation) return;
    if (!this.cis2.passwordSignInEnabled) {
      return this.renderChoice(res, 403, invitation, token, [{ text: 'Passwords are switched off here. Use your NHS smartcard or authenticator (CIS2).', href: '#cis2-accept' }], {});
    }
    const password = typeof form.password === 'string' ? form.password : '';
    const confirm = typeof form.confirmPassword === 'string' ? form.confirmPassword : '';
    const fieldErrors: Record<string, string> = {};
    if (password !== confirm) fieldErrors.confirmPassword = 'The two passwords are not the same';
    if (!fieldErrors.confirmPassword) {
      try {
        await this.people.acceptInvitation(token, { password }, actor);
        return res.redirect(303, `/sign-in?invited=1`);
      } catch (error) {
        if (!(error instanceof AccountsException)) throw error;
        if (error.status === 410 || error.status === 404) return res.status(410).render('people/invitation-invalid', { pageTitle: INVALID_TITLE, breadcrumbs: [], message: error.message });
        fieldErrors.password = error.fieldErrors?.password?.[0] ?? error.message;
      }
    }
    const errors = Object.entries(fieldErrors).map(([id, text]) => ({ text, href: `#${id}` }));
    this.renderChoice(res, 422, invitation, token, errors, fieldErrors);
  }

  /** The invitation if its link still works; otherwise the "cannot be used" page has been sent (404 unknown, 410 used or expired). */
  private async usable(token: string, res: Response): Promise<InvitationEntity | null> {
    try {
      return await this.invitations.describe(token);
    } catch (error) {
      if (!(error instanceof AccountsException)) throw error;
      res.status(error.status).render('people/invitation-invalid', { pageTitle: INVALID_TITLE, breadcrumbs: [], message: error.message });
      return null;
    }
  }

  private renderChoice(res: Response, status: number, invitation: InvitationEntity, token: string, errors: { text: string; href: string }[], fieldErrors: Record<string, string>) {
    const cis2 = this.cis2.enabled;
    const password = this.cis2.passwordSignInEnabled;
    res.status(status).render('people/set-password', {
      pageTitle: cis2 ? 'Set up your account' : 'Set your password',
      breadcrumbs: [],
      invitation,
      token,
      offerCis2: cis2,
      offerPassword: password || !cis2,
      errors,
      fieldErrors,
    });
  }
}
