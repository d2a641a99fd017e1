import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AgreementContent, AgreementStatus, NetworkAgreementEntity } from '@pcn/agreements';
import { auditorScope, isPlatformAdmin, organisationsWithRole, Principal, UserRole } from '@pcn/auth';
import { CommonException, isAccessRefusal } from '@pcn/common';
import { DirectoryService, OrganisationEntity, PersonRoleType } from '@pcn/directory';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Roles in an annex party that let a person follow that annex (its events, its sealed PDF). */
export const ANNEX_PARTY_ROLES = [PersonRoleType.Dpo, PersonRoleType.CaldicottGuardian, PersonRoleType.AuthorisedSignatory, PersonRoleType.Partner, PersonRoleType.Director, PersonRoleType.SolePractitioner];

export interface AnnexRef {
  id: string;
  title: string;
  /** Party organisations of the annex that the viewer acts for. */
  myOrganisationIds: string[];
}

/**
 * How much of an agreement's record a person may see: all of it (auditors in scope, the
 * PCN's clinical director and managers, platform admins), only the annexes their
 * organisations are party to (DPOs, Caldicott Guardians, signatories and partners of those
 * organisations), or nothing — which is "not found".
 */
export type RecordView = { kind: 'full'; agreement: NetworkAgreementEntity; pcn: OrganisationEntity } | { kind: 'annexes'; agreement: NetworkAgreementEntity; pcn: OrganisationEntity; annexes: AnnexRef[] };

const today = () => new Date().toISOString().slice(0, 10);

@Injectable()
export class RecordsAccessService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly directory: DirectoryService,
  ) {}

  /** Organisation ids where this signed-in person holds one of `roles` today (from the directory). */
  async personOrganisations(principal: Principal, roles: PersonRoleType[] = ANNEX_PARTY_ROLES): Promise<string[]> {
    if (!principal.personId) return [];
    const rows: { organisationId: string }[] = await this.dataSource.query(
      `SELECT DISTINCT organisation_id AS "organisationId" FROM person_role
        WHERE person_id = $1 AND role = ANY($2) AND valid_from <= $3 AND (valid_to IS NULL OR valid_to >= $3)`,
      [principal.personId, roles, today()],
    );
    return rows.map((r) => r.organisationId);
  }

  /** Full access to the PCN's records: platform admins, its clinical director and managers, auditors whose scope covers its ICB. */
  hasFullAccess(principal: Principal, pcn: OrganisationEntity): boolean {
    if (isPlatformAdmin(principal)) return true;
    if (organisationsWithRole(principal, UserRole.ClinicalDirector, UserRole.PcnManager).includes(pcn.id)) return true;
    if (!principal.grants.some((g) => g.role === UserRole.Auditor)) return false;
    const scope = auditorScope(principal);
    return scope === 'all' || (pcn.icbCode !== null && scope.includes(pcn.icbCode));
  }

  /** Whether the person may open the PCN's agreements at all (as the agreement pages decide). */
  async canRead(principal: Principal, pcnId: string): Promise<boolean> {
    try {
      await this.directory.requirePcnAccess(principal, pcnId, 'read');
      return true;
    } catch (error) {
      if (!isAccessRefusal(error)) throw error;
      return false;
    }
  }

  /** What this person may see of the agreement's record; 404 when nothing. */
  async view(principal: Principal, agreementId: string): Promise<RecordView> {
    if (!UUID.test(agreementId)) throw CommonException.notFound('Agreement');
    const agreement = await this.dataSource.getRepository(NetworkAgreementEntity).findOneBy({ id: agreementId });
    if (!agreement) throw CommonException.notFound('Agreement');
    const pcn = await this.dataSource.getRepository(OrganisationEntity).findOneByOrFail({ id: agreement.pcnId });
    if (this.hasFullAccess(principal, pcn)) return { kind: 'full', agreement, pcn };
    const annexes = await this.annexesOfMine(principal, agreement);
    if (annexes.length === 0) throw CommonException.notFound('Agreement');
    return { kind: 'annexes', agreement, pcn, annexes };
  }

  /** The agreement's annexes (in any revision sent for approval, or the newest) that name one of the person's organisations as a party. */
  private async annexesOfMine(principal: Principal, agreement: NetworkAgreementEntity): Promise<AnnexRef[]> {
    const mine = new Set(await this.personOrganisations(principal));
    if (mine.size === 0) return [];
    const rows: { content: AgreementContent }[] = await this.dataSource.query(
      `SELECT r.content FROM agreement_revision r
        WHERE r.agreement_id = $1 AND (r.number = $2 OR r.number IN (SELECT revision_number FROM approval_round WHERE agreement_id = $1))
        ORDER BY r.number DESC`,
      [agreement.id, agreement.executedRevisionNumber ?? agreement.currentRevisionNumber],
    );
    const found = new Map<string, AnnexRef>();
    for (const { content } of rows) {
      for (const annex of content.annexes ?? []) {
        if (!annex.id || found.has(annex.id)) continue;
        const parties = (annex.parties ?? []).map((p) => p.organisationId).filter((id) => mine.has(id));
        if (parties.length) found.set(annex.id, { id: annex.id, title: annex.title, myOrganisationIds: parties });
      }
    }
    return [...found.values()];
  }

  /** Agreements whose annexes name any of these organisations as a party (newest revision sent, or the draft). */
  async annexesForOrganisations(organisationIds: string[]) {
    if (organisationIds.length === 0) return [];
    const rows: {
      agreementId: string;
      title: string;
      reference: string;
      status: AgreementStatus;
      executedAt: Date | null;
      pcnId: string;
      pcnName: string;
      pcnCode: string | null;
      annexes: { id?: string; title: string; parties: { organisationId: string }[] }[];
    }[] = await this.dataSource.query(
      `SELECT a.id AS "agreementId", a.title, a.reference, a.status, a.executed_at AS "executedAt", a.pcn_id AS "pcnId",
              pcn.name AS "pcnName", pcn.ods_code AS "pcnCode", r.content->'annexes' AS annexes
         FROM network_agreement a
         JOIN organisation pcn ON pcn.id = a.pcn_id
         JOIN agreement_revision r ON r.agreement_id = a.id AND r.number = COALESCE(a.executed_revision_number, a.current_revision_number)
        WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(COALESCE(r.content->'annexes', '[]'::jsonb)) an,
                                    jsonb_array_elements(COALESCE(an->'parties', '[]'::jsonb)) p
                       WHERE p->>'organisationId' = ANY($1))
        ORDER BY a.executed_at DESC NULLS FIRST, a.created_at DESC`,
      [organisationIds],
    );
    return rows;
  }
}
