import { HttpStatus, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AccountsErrorCode, AccountsException, Cis2SignInService } from '@pcn/auth';
import { actorFromRequest } from '@pcn/common';
import { PeopleAdminService } from '@pcn/directory';

/**
 * Finishes accepting an invitation with CIS2. The provider sends everyone back to the one
 * registered callback URL (/sign-in/cis2/callback); when this session started its round trip
 * from an invitation (Cis2SignInService.startForInvitation), this middleware answers instead of
 * the sign-in: it links the CIS2 subject to the new account and uses up the invitation. Any
 * other callback goes on to the sign-in controller untouched.
 */
@Injectable()
export class InvitationCis2CallbackMiddleware implements NestMiddleware {
  constructor(
    private readonly cis2: Cis2SignInService,
    private readonly people: PeopleAdminService,
  ) {}

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    const token = req.session?.cis2InvitationToken;
    if (!token || !this.cis2.enabled) return next();
    delete req.session.cis2InvitationToken;
    delete req.session.cis2ReturnTo;
    res.setHeader('Referrer-Policy', 'no-referrer');
    const identity = await this.cis2.identify(req, res);
    if (res.headersSent) return;
    if (identity.outcome !== 'identified') {
      const status = identity.outcome === 'assurance' ? HttpStatus.FORBIDDEN : identity.outcome === 'unavailable' ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.UNAUTHORIZED;
      const title = identity.outcome === 'assurance' ? 'Your sign-in is not strong enough for this service' : identity.outcome === 'unavailable' ? 'NHS Care Identity Service 2 cannot be reached' : 'Linking NHS Care Identity Service 2 did not complete';
      return res.status(status).render('people/invitation-cis2-refused', { pageTitle: title, breadcrumbs: [], outcome: identity.outcome, refusal: identity, minimum: this.cis2.minimumAssuranceLevel, token });
    }
    try {
      const { user } = await this.people.acceptInvitation(token, { oidcIdentity: { issuer: identity.issuer, subject: identity.subject }, authMethod: identity.authMethod }, { ...actorFromRequest(req), authMethod: identity.authMethod });
      res.status(HttpStatus.OK).render('people/invitation-linked', { pageTitle: 'Your account is ready', breadcrumbs: [], account: user });
    } catch (error) {
      if (!(error instanceof AccountsException)) throw error;
      if (error.code === AccountsErrorCode.IdentityLinked) {
        return res.status(HttpStatus.CONFLICT).render('people/invitation-cis2-refused', { pageTitle: 'Your NHS Care Identity Service 2 identity is already linked', breadcrumbs: [], outcome: 'linked', message: error.message, token });
      }
      res.status(error.status).render('people/invitation-invalid', { pageTitle: 'This invitation link cannot be used', breadcrumbs: [], message: error.message });
    }
  }
}
