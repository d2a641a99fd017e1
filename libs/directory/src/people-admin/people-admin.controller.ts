import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Cis2SignInService, CurrentUser, Permission, Principal, Public, RequirePermission } from '@pcn/auth';
import { Actor, ActorContext } from '@pcn/common';
import { PeopleAdminService } from './people-admin.service';
import { PeopleErrorCode, PeopleException } from './people-admin.exception';
import { AcceptInvitationDto, AddPersonRoleWithDatesDto, AddToPcnDto, EndPersonRoleDto, InviteDto } from './people-admin.dto';

/** People and accounts: roles with dates, invitations, disabling accounts, linking organisations to a PCN. */
@ApiTags('people')
@Controller()
export class PeopleAdminController {
  constructor(
    private readonly people: PeopleAdminService,
    private readonly signInMethods: Cis2SignInService,
  ) {}

  @RequirePermission(Permission.PeopleManage)
  @Get('organisations/:organisationId/people')
  async list(@CurrentUser() user: Principal, @Param('organisationId', new ParseUUIDPipe()) organisationId: string) {
    const { organisation, roles, accounts, invitations } = await this.people.peopleOf(user, organisationId);
    return {
      organisation: { id: organisation.id, name: organisation.name, odsCode: organisation.odsCode, kind: organisation.kind },
      roles: roles.map((r) => ({ id: r.id, personId: r.personId, fullName: r.person.fullName, email: r.person.email, role: r.role, validFrom: r.validFrom, validTo: r.validTo, current: r.current, signsForOrganisation: r.signsForOrganisation })),
      accounts,
      invitations: invitations.map((i) => ({ id: i.id, email: i.email, displayName: i.displayName, grants: i.grants, sentAt: i.sentAt, expiresAt: i.expiresAt })),
    };
  }

  @RequirePermission(Permission.PeopleManage)
  @Post('organisations/:organisationId/people')
  addRole(@CurrentUser() user: Principal, @Param('organisationId', new ParseUUIDPipe()) organisationId: string, @Body() dto: AddPersonRoleWithDatesDto, @Actor() actor: ActorContext) {
    return this.people.addRole(user, organisationId, dto, actor);
  }

  @RequirePermission(Permission.PeopleManage)
  @Patch('person-roles/:personRoleId')
  async endRole(@CurrentUser() user: Principal, @Param('personRoleId', new ParseUUIDPipe()) personRoleId: string, @Body() dto: EndPersonRoleDto, @Actor() actor: ActorContext) {
    const role = await this.people.endRole(user, personRoleId, dto.validTo, actor);
    return { id: role.id, personId: role.personId, organisationId: role.organisationId, role: role.role, validFrom: role.validFrom, validTo: role.validTo };
  }

  @RequirePermission(Permission.PeopleManage)
  @Post('organisations/:organisationId/invitations')
  async invite(@CurrentUser() user: Principal, @Param('organisationId', new ParseUUIDPipe()) organisationId: string, @Body() dto: InviteDto, @Actor() actor: ActorContext) {
    const invitation = await this.people.invite(user, organisationId, dto, actor);
    return { id: invitation.id, email: invitation.email, displayName: invitation.displayName, grants: invitation.grants };
  }

  @RequirePermission(Permission.PeopleManage)
  @Post('organisations/:organisationId/accounts/:userId/disable')
  @HttpCode(200)
  disable(@CurrentUser() user: Principal, @Param('organisationId', new ParseUUIDPipe()) organisationId: string, @Param('userId', new ParseUUIDPipe()) userId: string, @Actor() actor: ActorContext) {
    return this.people.disableAccount(user, organisationId, userId, actor);
  }

  @RequirePermission(Permission.PeopleManage)
  @Post('organisations/:organisationId/accounts/:userId/enable')
  @HttpCode(200)
  enable(@CurrentUser() user: Principal, @Param('organisationId', new ParseUUIDPipe()) organisationId: string, @Param('userId', new ParseUUIDPipe()) userId: string, @Actor() actor: ActorContext) {
    return this.people.enableAccount(user, organisationId, userId, actor);
  }

  @RequirePermission(Permission.DirectoryWrite)
  @Post('pcns/:pcnId/organisations')
  addToPcn(@CurrentUser() user: Principal, @Param('pcnId', new ParseUUIDPipe()) pcnId: string, @Body() dto: AddToPcnDto, @Actor() actor: ActorContext) {
    return this.people.addToPcn(user, pcnId, dto.organisationId, dto.joinedOn, actor);
  }

  /** Sets the password of the account an invitation offers; the link works once, until it expires. */
  @Public()
  @Post('invitations/accept')
  @HttpCode(201)
  async accept(@Body() dto: AcceptInvitationDto, @Actor() actor: ActorContext) {
    if (!this.signInMethods.passwordSignInEnabled) throw new PeopleException(PeopleErrorCode.NotAllowed, 'Passwords are switched off here. Open the link in your invitation email and use your NHS smartcard or authenticator (CIS2).');
    const { user } = await this.people.acceptInvitation(dto.token, { password: dto.password }, actor);
    return { userId: user.id, email: user.email };
  }
}
