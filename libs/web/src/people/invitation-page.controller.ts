import { Body, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AccountsException, Public } from '@pcn/auth';
import { Actor, ActorContext } from '@pcn/common';
import { PeopleAdminService } from '@pcn/directory';
import { PageController } from '../shell/page-controller.decorator';
import { InvitationService } from '@pcn/auth';

/** The invitation link: set a password once, then sign in. A used, expired or unknown link says so. */
@PageController('invitation')
export class InvitationPageController {
  constructor(
    private readonly invitations: InvitationService,
    private readonly people: PeopleAdminService,
  ) {}

  @Public()
  @Get(':token')
  async page(@Param('token') token: string, @Res() res: Response) {
    res.setHeader('Referrer-Policy', 'no-referrer');
    try {
      const invitation = await this.invitations.describe(token);
      res.render('people/set-password', { pageTitle: 'Set your password', breadcrumbs: [], invitation, token, errors: [], fieldErrors: {} });
    } catch (error) {
      if (!(error instanceof AccountsException)) throw error;
      res.status(error.status).render('people/invitation-invalid', { pageTitle: 'This invitation link cannot be used', breadcrumbs: [], message: error.message });
    }
  }

  @Public()
  @Post(':token')
  @HttpCode(200)
  async accept(@Param('token') token: string, @Req() req: Request, @Body() form: Record<string, unknown>, @Actor() actor: ActorContext, @Res() res: Response) {
    res.setHeader('Referrer-Policy', 'no-referrer');
    const password = typeof form.password === 'string' ? form.password : '';
    const confirm = typeof form.confirmPassword === 'string' ? form.confirmPassword : '';
    let invitation;
    try {
      invitation = await this.invitations.describe(token);
    } catch (error) {
      if (!(error instanceof AccountsException)) throw error;
      return res.status(error.status).render('people/invitation-invalid', { pageTitle: 'This invitation link cannot be used', breadcrumbs: [], message: error.message });
    }
    const fieldErrors: Record<string, string> = {};
    if (password !== confirm) fieldErrors.confirmPassword = 'The two passwords are not the same';
    if (!fieldErrors.confirmPassword) {
      try {
        await this.people.acceptInvitation(token, { password }, actor);
        return res.redirect(303, `/sign-in?invited=1`);
      } catch (error) {
        if (!(error instanceof AccountsException)) throw error;
        if (error.status === 410 || error.status === 404) return res.status(410).render('people/invitation-invalid', { pageTitle: 'This invitation link cannot be used', breadcrumbs: [], message: error.message });
        fieldErrors.password = error.fieldErrors?.password?.[0] ?? error.message;
      }
    }
    void req;
    const errors = Object.entries(fieldErrors).map(([id, text]) => ({ text, href: `#${id}` }));
    res.status(422).render('people/set-password', { pageTitle: 'Set your password', breadcrumbs: [], invitation, token, errors, fieldErrors });
  }
}
