import { Get, Res } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Authenticated, CurrentUser, organisationsWithRole, Principal, UserRole } from '@pcn/auth';
import { PersonRoleType } from '@pcn/directory';
import { ROLE_LABELS } from '@pcn/workflow';
import { PageController } from '../shell/page-controller.decorator';
import { AGREEMENT_STATUS_LABELS } from './audit-narration';
import { ANNEX_PARTY_ROLES, RecordsAccessService } from './records-access.service';

interface SealedAnnex {
  id: string;
  agreementId: string;
  annexId: string;
  reference: string;
  partyOrganisationIds: string[];
}

/** DPOs, Caldicott Guardians, signatories and partners: the data-sharing annexes their organisations are party to. */
@PageController()
export class AnnexesPageController {
  constructor(
    private readonly access: RecordsAccessService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Authenticated()
  @Get('annexes')
  async list(@CurrentUser() user: Principal, @Res() res: Response) {
    const roleRows: { organisationId: string; organisationName: string; role: PersonRoleType }[] = user.personId
      ? await this.dataSource.query(
          `SELECT r.organisation_id AS "organisationId", o.name AS "organisationName", r.role FROM person_role r JOIN organisation o ON o.id = r.organisation_id
            WHERE r.person_id = $1 AND r.role = ANY($2) AND r.valid_from <= current_date AND (r.valid_to IS NULL OR r.valid_to >= current_date)`,
          [user.personId, ANNEX_PARTY_ROLES],
        )
      : [];
    const signingGrants = organisationsWithRole(user, UserRole.PartnerSignatory, UserRole.PracticeSignatory);
    const mine = [...new Set([...roleRows.map((r) => r.organisationId), ...signingGrants])];
    const agreements = await this.access.annexesForOrganisations(mine);
    const downloadable = new Set(organisationsWithRole(user, UserRole.PartnerSignatory, UserRole.PracticeSignatory, UserRole.PracticeManager));
    const sealed: SealedAnnex[] = agreements.length
      ? await this.dataSource.query(`SELECT id, agreement_id AS "agreementId", annex_id AS "annexId", reference, party_organisation_ids AS "partyOrganisationIds" FROM sealed_document WHERE kind = 'ANNEX' AND agreement_id = ANY($1) ORDER BY reference`, [agreements.map((a) => a.agreementId)])
      : [];
    const orgNames: { id: string; name: string }[] = mine.length ? await this.dataSource.query(`SELECT id, name FROM organisation WHERE id = ANY($1)`, [mine]) : [];
    const nameOf = new Map(orgNames.map((o) => [o.id, o.name]));
    const rolesIn = (orgId: string) => roleRows.filter((r) => r.organisationId === orgId).map((r) => ROLE_LABELS[r.role] ?? r.role);

    const rows = [];
    for (const a of agreements) {
      const canOpenAgreement = await this.access.canRead(user, a.pcnId);
      for (const annex of a.annexes ?? []) {
        const parties = (annex.parties ?? []).map((p) => p.organisationId).filter((id) => mine.includes(id));
        if (parties.length === 0) continue;
        const documents = sealed
          .filter((d) => d.agreementId === a.agreementId && d.annexId === annex.id)
          .map((d) => ({ ...d, canDownload: canOpenAgreement || d.partyOrganisationIds.some((id) => downloadable.has(id)) }));
        rows.push({
          ...a,
          annexTitle: annex.title,
          statusLabel: AGREEMENT_STATUS_LABELS[a.status] ?? a.status,
          asWhat: parties.map((id) => {
            const roles = rolesIn(id);
            return `${nameOf.get(id) ?? 'Your organisation'}${roles.length ? ` (you are its ${roles.join(' and ')})` : ''}`;
          }),
          canOpenAgreement,
          documents,
        });
      }
    }
    res.render('records/annexes', { pageTitle: 'Data-sharing annexes', breadcrumbs: [], rows, hasPerson: !!user.personId });
  }
}
