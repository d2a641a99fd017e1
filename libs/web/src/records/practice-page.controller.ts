import { Get, Param, Res } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { auditorScope, Authenticated, CurrentUser, isPlatformAdmin, organisationsWithRole, Principal, UserRole } from '@pcn/auth';
import { CommonException, isAccessRefusal } from '@pcn/common';
import { DirectoryService, OrganisationKind, PersonRoleType } from '@pcn/directory';
import { REQUEST_STATUS_LABELS, RequestStatus, ROLE_LABELS } from '@pcn/workflow';
import { PageController } from '../shell/page-controller.decorator';
import { AGREEMENT_STATUS_LABELS, CAPACITY_WORDS } from './audit-narration';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PEOPLE_ROLES = [PersonRoleType.Partner, PersonRoleType.Director, PersonRoleType.SolePractitioner, PersonRoleType.PracticeManager, PersonRoleType.Dpo, PersonRoleType.CaldicottGuardian, PersonRoleType.AuthorisedSignatory];

interface RequestRow {
  agreementId: string;
  roundStatus: string;
  personName: string;
  capacity: string;
  scope: string;
  annexTitle: string | null;
  status: RequestStatus;
  actedAt: Date | null;
  declineReason: string | null;
}

/** A practice's view: its PCN's agreements, where each of its people's approvals stands, and who it has. */
@PageController()
export class PracticePageController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly directory: DirectoryService,
  ) {}

  @Authenticated()
  @Get('practices/:organisationId')
  async show(@CurrentUser() user: Principal, @Param('organisationId') organisationId: string, @Res() res: Response) {
    if (!UUID.test(organisationId)) throw CommonException.notFound('Practice');
    const practice = await this.directory.getOrganisation(organisationId).catch((error: unknown) => {
      if (!isAccessRefusal(error)) throw error;
      return null;
    });
    if (!practice || practice.kind !== OrganisationKind.GpPractice) throw CommonException.notFound('Practice');
    const [membership]: { pcnId: string; pcnName: string; pcnCode: string | null; icbCode: string | null; joinedOn: string }[] = await this.dataSource.query(
      `SELECT m.pcn_id AS "pcnId", o.name AS "pcnName", o.ods_code AS "pcnCode", o.icb_code AS "icbCode", m.joined_on AS "joinedOn" FROM membership m JOIN organisation o ON o.id = m.pcn_id
        WHERE m.practice_id = $1 AND m.joined_on <= current_date AND (m.left_on IS NULL OR m.left_on >= current_date) LIMIT 1`,
      [practice.id],
    );
    const allowed =
      isPlatformAdmin(user) ||
      organisationsWithRole(user, UserRole.PracticeManager, UserRole.PracticeSignatory).includes(practice.id) ||
      (!!membership && organisationsWithRole(user, UserRole.PcnManager, UserRole.ClinicalDirector).includes(membership.pcnId)) ||
      // Auditors read everything of the PCNs in their ICBs (agreements, trails), so their practices too.
      (!!membership && auditorInScope(user, membership.icbCode));
    if (!allowed) throw CommonException.notFound('Practice');

    const agreements: { id: string; title: string; reference: string; status: string; executedAt: Date | null }[] = membership
      ? await this.dataSource.query(`SELECT id, title, reference, status, executed_at AS "executedAt" FROM network_agreement WHERE pcn_id = $1 ORDER BY created_at DESC`, [membership.pcnId])
      : [];
    // The newest round of each agreement, and this practice's requests in it.
    const requests: RequestRow[] = agreements.length
      ? await this.dataSource.query(
          `SELECT r.agreement_id AS "agreementId", ro.status AS "roundStatus", r.person_name AS "personName", r.capacity, r.scope, r.annex_title AS "annexTitle",
                  r.status, r.acted_at AS "actedAt", r.decline_reason AS "declineReason"
             FROM signature_request r JOIN approval_round ro ON ro.id = r.round_id
            WHERE r.organisation_id = $1 AND ro.id IN (SELECT DISTINCT ON (agreement_id) id FROM approval_round WHERE agreement_id = ANY($2) ORDER BY agreement_id, submitted_at DESC)
              AND r.status <> 'VOID'
            ORDER BY r.scope, r.annex_title NULLS FIRST, r.person_name`,
          [practice.id, agreements.map((a) => a.id)],
        )
      : [];
    const rows = agreements.map((a) => {
      const mine = requests.filter((r) => r.agreementId === a.id);
      return {
        ...a,
        statusLabel: AGREEMENT_STATUS_LABELS[a.status as keyof typeof AGREEMENT_STATUS_LABELS] ?? a.status,
        roundOpen: mine.some((r) => r.roundStatus === 'ACTIVE' || r.roundStatus === 'EXPIRED'),
        signatures: mine.map((r) => ({
          personName: r.personName,
          part: r.scope === 'ANNEX' ? `Annex: ${r.annexTitle ?? 'data-sharing annex'}` : 'The agreement',
          capacity: CAPACITY_WORDS[r.capacity] ?? r.capacity,
          where:
            r.status === RequestStatus.Approved && r.actedAt
              ? `Approved on ${new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' }).format(new Date(r.actedAt))}`
              : r.status === RequestStatus.Declined
                ? `Declined${r.declineReason ? `: “${r.declineReason}”` : ''}`
                : (REQUEST_STATUS_LABELS[r.status] ?? r.status),
          status: r.status,
        })),
      };
    });
    const roles = await this.directory.peopleWithRoles([practice.id], PEOPLE_ROLES);
    const people = new Map<string, { name: string; email: string; roles: string[] }>();
    for (const r of roles) {
      const p = people.get(r.personId) ?? { name: r.person.fullName, email: r.person.email, roles: [] };
      p.roles.push(`${ROLE_LABELS[r.role] ?? r.role}${r.signsForOrganisation ? ' (signs for the practice)' : ''}`);
      people.set(r.personId, p);
    }
    res.render('records/practice', {
      pageTitle: practice.name,
      breadcrumbs: membership && organisationsWithRole(user, UserRole.PcnManager, UserRole.ClinicalDirector).includes(membership.pcnId) ? [{ href: `/pcns/${membership.pcnId}`, text: membership.pcnName }] : [],
      practice,
      membership,
      rows,
      people: [...people.values()],
    });
  }
}

function auditorInScope(user: Principal, icbCode: string | null): boolean {
  const scope = auditorScope(user);
  return scope === 'all' || (icbCode !== null && scope.includes(icbCode));
}
