import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PageQuery, setNextPageLink } from '@pcn/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentUser, Permission, Principal, RequirePermission } from '@pcn/auth';
import { DirectoryService } from './directory.service';
import { AddMembershipDto, AddPersonRoleDto, CreatePartnerOrganisationDto, CreatePcnDto, CreatePersonDto, CreatePracticeDto, EndMembershipDto, OrganisationSearchQuery } from './dto/directory.dto';

@ApiTags('directory')
@Controller()
export class DirectoryController {
  constructor(private readonly directory: DirectoryService) {}

  /**
   * PCNs you can see: your own, those your practice belongs to, or those in your ICB for auditors.
   * By name, 50 a page unless `limit` says (up to 200); `after` and the `Link: rel="next"` header page on.
   */
  @RequirePermission(Permission.DirectoryRead)
  @Get('pcns')
  async listPcns(@CurrentUser() user: Principal, @Query() page: PageQuery, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const { items, next } = await this.directory.visiblePcnsPage(user, page);
    setNextPageLink(req, res, next);
    return items;
  }

  @RequirePermission(Permission.DirectoryRead)
  @Get('pcns/:pcnId')
  async getPcn(@CurrentUser() user: Principal, @Param('pcnId', new ParseUUIDPipe()) pcnId: string) {
    const pcn = await this.directory.requirePcnAccess(user, pcnId, 'read');
    const members = await this.directory.currentMembers(pcnId);
    return { ...pcn, members, totalListSize: members.reduce((sum, m) => sum + m.listSize, 0) };
  }

  @RequirePermission(Permission.DirectoryRead)
  @Get('pcns/:pcnId/memberships')
  async membershipHistory(@CurrentUser() user: Principal, @Param('pcnId', new ParseUUIDPipe()) pcnId: string) {
    await this.directory.requirePcnAccess(user, pcnId, 'read');
    return this.directory.membershipHistory(pcnId);
  }

  @RequirePermission(Permission.DirectoryWrite)
  @Post('pcns')
  createPcn(@Body() dto: CreatePcnDto) {
    return this.directory.createPcn(dto);
  }

  @RequirePermission(Permission.DirectoryWrite)
  @Post('pcns/:pcnId/memberships')
  addMembership(@Param('pcnId', new ParseUUIDPipe()) pcnId: string, @Body() dto: AddMembershipDto) {
    return this.directory.addMembership(pcnId, dto);
  }

  @RequirePermission(Permission.DirectoryWrite)
  @Patch('pcns/:pcnId/memberships/:membershipId')
  endMembership(@Param('pcnId', new ParseUUIDPipe()) pcnId: string, @Param('membershipId', new ParseUUIDPipe()) membershipId: string, @Body() dto: EndMembershipDto) {
    return this.directory.endMembership(pcnId, membershipId, dto);
  }

  /** Organisations by kind and name or ODS code, by name, 50 a page unless `limit` says (up to 200); `after` and `Link: rel="next"` page on. */
  @RequirePermission(Permission.DirectoryRead)
  @Get('organisations')
  async searchOrganisations(@Query() query: OrganisationSearchQuery, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const { items, next } = await this.directory.searchOrganisations(query);
    setNextPageLink(req, res, next);
    return items;
  }

  @RequirePermission(Permission.DirectoryWrite)
  @Post('practices')
  createPractice(@Body() dto: CreatePracticeDto) {
    return this.directory.createPractice(dto);
  }

  @RequirePermission(Permission.DirectoryWrite)
  @Post('partner-organisations')
  createPartnerOrganisation(@Body() dto: CreatePartnerOrganisationDto) {
    return this.directory.createPartnerOrganisation(dto);
  }

  @RequirePermission(Permission.DirectoryWrite)
  @Post('people')
  createPerson(@Body() dto: CreatePersonDto) {
    return this.directory.createPerson(dto);
  }

  @RequirePermission(Permission.DirectoryWrite)
  @Get('people/:personId')
  getPerson(@Param('personId', new ParseUUIDPipe()) personId: string) {
    return this.directory.getPersonWithRoles(personId);
  }

  @RequirePermission(Permission.DirectoryWrite)
  @Post('people/:personId/roles')
  addPersonRole(@Param('personId', new ParseUUIDPipe()) personId: string, @Body() dto: AddPersonRoleDto) {
    return this.directory.addPersonRole(personId, dto);
  }
}
