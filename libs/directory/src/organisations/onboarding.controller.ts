import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentUser, Permission, Principal, RequirePermission, UserRole } from '@pcn/auth';
import { Actor, ActorContext } from '@pcn/common';
import { ContractType, LegalForm } from '../directory.enums';
import { OnboardedPcn, OnboardingService } from './onboarding.service';
import { CreateIcbDto, CreateOnboardedPcnDto, InviteClinicalDirectorDto } from './onboarding.dto';
import { OrganisationEntity } from './organisation.entity';

const organisation = (o: OrganisationEntity) => ({ id: o.id, kind: o.kind, name: o.name, odsCode: o.odsCode });
const pcnView = (p: OnboardedPcn) => ({ ...organisation(p.pcn), icbCode: p.pcn.icbCode, networkArea: p.pcn.networkArea, practices: p.practices, clinicalDirector: p.clinicalDirector });

/** Onboarding by a platform admin: ICBs, their PCNs with member practices, and each PCN's clinical director. */
@ApiTags('onboarding')
@Controller()
export class OnboardingController {
  constructor(private readonly onboarding: OnboardingService) {}

  /**
   * Every ICB (42 in England) with how many PCNs it has and how many of them have no clinical
   * director today, from one aggregate query. The PCNs themselves, with their practices and
   * clinical director, are `GET icbs/:icbId`: describing every PCN in the country in one
   * response took 417 ms at p95 on national data (docs/benchmarks.md, "Large data: lists and pages").
   */
  @RequirePermission(Permission.DirectoryWrite)
  @Get('icbs')
  async list(@CurrentUser() user: Principal) {
    return (await this.onboarding.icbSummaries(user)).map(({ icb, pcns, withoutDirector }) => ({ ...organisation(icb), pcnCount: pcns, pcnsWithoutClinicalDirector: withoutDirector }));
  }

  @RequirePermission(Permission.DirectoryWrite)
  @Post('icbs')
  async createIcb(@CurrentUser() user: Principal, @Body() dto: CreateIcbDto, @Actor() actor: ActorContext) {
    return organisation(await this.onboarding.createIcb(user, dto, actor));
  }

  @RequirePermission(Permission.DirectoryWrite)
  @Get('icbs/:icbId')
  async get(@CurrentUser() user: Principal, @Param('icbId', new ParseUUIDPipe()) icbId: string) {
    const { icb, pcns } = await this.onboarding.icb(user, icbId);
    return { ...organisation(icb), pcns: pcns.map(pcnView) };
  }

  /** A PCN in the ICB with its member practices (those the directory does not know are created from the details given). */
  @RequirePermission(Permission.DirectoryWrite)
  @Post('icbs/:icbId/pcns')
  async createPcn(@CurrentUser() user: Principal, @Param('icbId', new ParseUUIDPipe()) icbId: string, @Body() dto: CreateOnboardedPcnDto, @Actor() actor: ActorContext) {
    const practices = dto.practices.map((p) => ({ ...p, contractType: p.contractType as ContractType | undefined, legalForm: p.legalForm as LegalForm | undefined }));
    return pcnView(await this.onboarding.createPcn(user, icbId, { ...dto, practices }, actor));
  }

  /** Records the PCN's clinical director (from today) and emails them an invitation to an account. */
  @RequirePermission(Permission.DirectoryWrite)
  @Post('pcns/:pcnId/clinical-director')
  async inviteClinicalDirector(@CurrentUser() user: Principal, @Param('pcnId', new ParseUUIDPipe()) pcnId: string, @Body() dto: InviteClinicalDirectorDto, @Actor() actor: ActorContext) {
    const { person, invitation, grantedToUserId } = await this.onboarding.inviteClinicalDirector(user, pcnId, dto, actor);
    // Someone with an account already is given the role on it: no invitation.
    return { personId: person.id, fullName: person.fullName, email: person.email, invitationId: invitation?.id ?? null, grantedToUserId, grants: [{ role: UserRole.ClinicalDirector, organisationId: pcnId, icbCode: null }] };
  }
}
