import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditEventEntity, AuditService, ChainVerification } from '@pcn/audit';
import { narrate, NarrationLookups, TrailRow, visibleToAnnexParty } from './audit-narration';
import type { RecordView } from './records-access.service';

export interface TrailPage {
  rows: TrailRow[];
  chain: ChainVerification;
  totalEvents: number;
}

/** Reads an agreement's audit trail and turns every id in it into a name. */
@Injectable()
export class AuditTrailLoader {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async load(view: RecordView): Promise<TrailPage> {
    const agreementId = view.agreement.id;
    const events: AuditEventEntity[] = [];
    for await (const page of this.audit.iterate(agreementId)) events.push(...page);
    const lookups = await this.lookups(agreementId, events);
    const annexIds = view.kind === 'annexes' ? new Set(view.annexes.map((a) => a.id)) : null;
    const shown = annexIds ? events.filter((e) => visibleToAnnexParty(e, annexIds, lookups)) : events;
    const chain = await this.audit.verifyChain(agreementId);
    return { rows: narrate(shown, lookups, annexIds), chain, totalEvents: events.length };
  }

  private async lookups(agreementId: string, events: AuditEventEntity[]): Promise<NarrationLookups> {
    const requests = await this.dataSource.query(
      `SELECT id, scope, annex_id AS "annexId", annex_title AS "annexTitle", organisation_name AS "organisationName", capacity, person_name AS "personName", person_id AS "personId"
         FROM signature_request WHERE agreement_id = $1`,
      [agreementId],
    );
    const userIds = [...new Set(events.map((e) => e.actorUserId).filter((id): id is string => !!id))];
    const users: { id: string; displayName: string }[] = userIds.length ? await this.dataSource.query(`SELECT id, display_name AS "displayName" FROM user_account WHERE id = ANY($1)`, [userIds]) : [];
    const orgIds = [...new Set(events.map((e) => e.organisationId).filter((id): id is string => !!id))];
    const orgs: { id: string; name: string }[] = orgIds.length ? await this.dataSource.query(`SELECT id, name FROM organisation WHERE id = ANY($1)`, [orgIds]) : [];
    const emails = [...new Set(events.map((e) => (typeof e.payload.to === 'string' ? e.payload.to.toLowerCase() : null)).filter((x): x is string => !!x))];
    const people: { email: string; fullName: string }[] = emails.length ? await this.dataSource.query(`SELECT lower(email) AS email, full_name AS "fullName" FROM person WHERE lower(email) = ANY($1)`, [emails]) : [];
    const documents = await this.dataSource.query(`SELECT id, reference, kind, annex_id AS "annexId" FROM sealed_document WHERE agreement_id = $1`, [agreementId]);
    return {
      requests: new Map(requests.map((r: { id: string }) => [r.id, r])),
      users: new Map(users.map((u) => [u.id, u.displayName])),
      organisations: new Map(orgs.map((o) => [o.id, o.name])),
      peopleByEmail: new Map(people.map((p) => [p.email, p.fullName])),
      documents: new Map(documents.map((d: { id: string }) => [d.id, d])),
    };
  }
}
