import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Not } from 'typeorm';
import { randomUUID } from 'node:crypto';
import { AuditEventType, AuditService } from '@pcn/audit';
import { Principal } from '@pcn/auth';
import { ActorContext, CommonErrorCode, CommonException, FieldMessages, isAccessRefusal, Page, pageLimit, pageOf, PageRequest } from '@pcn/common';
import { DirectoryService, OrganisationEntity, PcnAccessMode, PersonRoleType } from '@pcn/directory';
import {
  AgreementContent,
  applyContentDefaults,
  contentHash,
  contentShapeException,
  DataSharingAnnex,
  describeRevisionDiff,
  diffContent,
  mergeSection,
  OrganisationNames,
  parseSectionId,
  PayeeArrangement,
  ReadableChange,
  referencedOrganisationIds,
  SectionId,
  validateAgreementContent,
  validateSealBoundOfficers,
} from './content';
import { templateDefaults } from './templates/network-agreement-2025-26';
import { AgreementRevisionEntity } from './agreements/agreement-revision.entity';
import { AgreementStatus } from './agreements/agreement-status';
import { AgreementEvent, agreementTransition, RoundPhase } from './agreements/agreement-lifecycle';
import { NetworkAgreementEntity } from './agreements/network-agreement.entity';
import { AgreementsErrorCode, AgreementsException } from './agreements.exception';
import { AgreementTemplateEntity } from './templates/agreement-template.entity';

export interface SavedRevision {
  agreement: NetworkAgreementEntity;
  revision: AgreementRevisionEntity;
  warnings: FieldMessages;
}

export interface SaveSectionInput {
  /** The revision number the page loaded and edited; a newer one saved since is 409 STALE_REVISION. */
  baseRevisionNumber: number;
  /** `general`, `schedule1` … `schedule7`, or `annex:<annexId>:<part>` (see AGREEMENT_SCHEDULES, ANNEX_PARTS). */
  section: SectionId | string;
  /** The section's new content: the schedule's whole value, or an object with the part's fields. */
  value: unknown;
}

/** What goes with a lifecycle event besides the status. */
export interface AgreementTransitionDetails {
  /** Stored as `statusReason` (a decline, withdrawal, expiry, supersession or termination, in words). */
  reason?: string;
  /** Where a round that (re)opens starts: SUBMIT, EXTEND and RESTART need it. */
  phase?: RoundPhase;
  /** When it happened (the caller's clock): `executedAt` or `endedAt`. */
  at?: Date;
  /** EXECUTE: the revision the round executed. */
  executedRevisionNumber?: number;
}

/** Agreements per page of a PCN's list when the caller names no limit. */
export const AGREEMENT_PAGE_DEFAULT = 50;
/** Revisions per page when the caller names no limit: more than most agreements ever have. */
export const REVISION_PAGE_DEFAULT = 200;

export interface AgreementListOptions extends PageRequest {
  /** Only agreements in these states. */
  statuses?: AgreementStatus[];
}

const todayIso = () => new Date().toISOString().slice(0, 10);
const PRACTICE_ROLES: readonly string[] = [PersonRoleType.Partner, PersonRoleType.Director, PersonRoleType.SolePractitioner];

@Injectable()
export class AgreementsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly directory: DirectoryService,
    private readonly audit: AuditService,
  ) {}

  // ---- templates -------------------------------------------------------------

  async template(version?: string, em: EntityManager = this.dataSource.manager): Promise<AgreementTemplateEntity> {
    const repo = em.getRepository(AgreementTemplateEntity);
    const template = version ? await repo.findOneBy({ version }) : (await repo.find({ order: { version: 'DESC' }, take: 1 }))[0];
    if (!template) {
      throw new AgreementsException(AgreementsErrorCode.TemplateNotFound, `There is no Network Agreement template ${version ?? ''}.`.replace('  ', ' '), {
        templateVersion: ['Choose a template version that exists.'],
      });
    }
    return template;
  }

  listTemplates(): Promise<AgreementTemplateEntity[]> {
    return this.dataSource.getRepository(AgreementTemplateEntity).find({ order: { version: 'DESC' } });
  }

  // ---- access ----------------------------------------------------------------

  /** Loads the agreement if the user may see it (or draft it); otherwise "not found". */
  async requireAgreement(principal: Principal, agreementId: string, mode: PcnAccessMode, em: EntityManager = this.dataSource.manager, lock = false): Promise<NetworkAgreementEntity> {
    const agreement = await em.getRepository(NetworkAgreementEntity).findOne({ where: { id: agreementId }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!agreement) throw CommonException.notFound('Agreement');
    try {
      await this.directory.requirePcnAccess(principal, agreement.pcnId, mode, em);
    } catch (error) {
      if (!isAccessRefusal(error)) throw error;
      throw CommonException.notFound('Agreement');
    }
    return agreement;
  }

  // ---- lifecycle -------------------------------------------------------------

  /**
   * The only writer of `network_agreement.status`: locks the agreement row, asks the
   * lifecycle table (AGREEMENT_TRANSITIONS) for the next status (409 INVALID_TRANSITION with
   * the table's sentence otherwise) and writes it with the fields that go with the event.
   * Called inside the caller's transaction, after it has locked its own rows (round first).
   */
  async transition(em: EntityManager, agreementId: string, event: AgreementEvent, details: AgreementTransitionDetails = {}): Promise<NetworkAgreementEntity> {
    const agreement = await em.findOne(NetworkAgreementEntity, { where: { id: agreementId }, lock: { mode: 'pessimistic_write' } });
    if (!agreement) throw CommonException.notFound('Agreement');
    const outcome = agreementTransition(agreement.status, event, details.phase);
    if ('refused' in outcome) throw new AgreementsException(AgreementsErrorCode.InvalidTransition, outcome.refused);
    const at = details.at ?? new Date();
    const changes: Partial<NetworkAgreementEntity> = { status: outcome.to };
    if (event === AgreementEvent.Submit || event === AgreementEvent.Restart || event === AgreementEvent.Extend) changes.statusReason = null;
    if (event === AgreementEvent.Execute) Object.assign(changes, { executedAt: at, executedRevisionNumber: details.executedRevisionNumber ?? agreement.currentRevisionNumber });
    if (event === AgreementEvent.Supersede || event === AgreementEvent.Terminate) changes.endedAt = at;
    if (details.reason !== undefined) changes.statusReason = details.reason;
    await em.update(NetworkAgreementEntity, { id: agreement.id, status: agreement.status }, changes);
    return Object.assign(agreement, changes);
  }

  // ---- drafting --------------------------------------------------------------

  /**
   * A starting point for a new draft: template defaults, the PCN's current members and, from
   * the directory, its clinical director (the person holding that role in the PCN today) and,
   * as nominated payee, the member practice where the clinical director is a partner,
   * director or sole practitioner. It saves unchanged (201) whenever the directory records a
   * clinical director; otherwise the name is left blank for the drafter to fill in.
   */
  async newDraftContent(principal: Principal, pcnId: string): Promise<AgreementContent> {
    const pcn = await this.directory.requirePcnAccess(principal, pcnId, 'draft');
    const defaults = templateDefaults();
    const today = todayIso();
    const year = Number(today.slice(0, 4)) - (Number(today.slice(5, 7)) < 4 ? 1 : 0);
    const members = await this.directory.currentMembers(pcnId);
    const [director] = await this.directory.peopleWithRoles([pcnId], [PersonRoleType.ClinicalDirector], today);
    let payeeOrganisationId: string | undefined;
    if (director) {
      const { roles } = await this.directory.getPersonWithRoles(director.personId);
      payeeOrganisationId = roles.find(
        (r) => PRACTICE_ROLES.includes(r.role) && r.validFrom <= today && (r.validTo === null || r.validTo >= today) && members.some((m) => m.organisationId === r.organisationId),
      )?.organisationId;
    }
    if (!payeeOrganisationId && members.length === 1) payeeOrganisationId = members[0].organisationId;
    const content = {
      ...defaults,
      financialYear: `${year}/${String(year + 1).slice(2)}`,
      effectiveFrom: today,
      schedules: {
        ...defaults.schedules,
        keyDetails: {
          ...defaults.schedules.keyDetails,
          networkArea: pcn.networkArea ?? '',
          clinicalDirector: {
            ...defaults.schedules.keyDetails.clinicalDirector,
            ...(director ? { personId: director.personId } : {}),
            name: director?.person.fullName ?? '',
            appointedOn: today,
          },
          payee: payeeOrganisationId ? { arrangement: PayeeArrangement.NOMINATED_PRACTICE, organisationId: payeeOrganisationId } : defaults.schedules.keyDetails.payee,
        },
      },
    } as unknown as AgreementContent;
    return this.withServerFields(content, pcnId);
  }

  async create(principal: Principal, pcnId: string, input: { templateVersion?: string; content: AgreementContent }, actor: ActorContext): Promise<SavedRevision> {
    return this.dataSource.transaction(async (em) => {
      // Locking the PCN row serialises reference numbering for this PCN.
      await em.getRepository(OrganisationEntity).findOne({ where: { id: pcnId }, lock: { mode: 'pessimistic_write' } });
      const pcn = await this.directory.requirePcnAccess(principal, pcnId, 'draft', em);
      const template = await this.template(input.templateVersion, em);
      const { content, warnings } = await this.prepare(input.content, pcnId, em);
      const count = await em.getRepository(NetworkAgreementEntity).countBy({ pcnId });
      const agreement = await em.getRepository(NetworkAgreementEntity).save({
        reference: `NA-${pcn.odsCode ?? pcn.id.slice(0, 6).toUpperCase()}-${content.financialYear.slice(0, 4)}-${String(count + 1).padStart(4, '0')}`,
        pcnId,
        templateId: template.id,
        status: AgreementStatus.Draft,
        title: content.title,
        currentRevisionNumber: 1,
        createdBy: actor.userId,
      });
      const revision = await this.insertRevision(em, agreement.id, 1, content, warnings, actor);
      await this.audit.record(em, { type: AuditEventType.AgreementCreated, actor, actorName: principal.displayName, agreementId: agreement.id, revisionHash: revision.contentHash, payload: { reference: agreement.reference, templateVersion: template.version, revisionNumber: 1 } });
      return { agreement, revision, warnings };
    });
  }

  /**
   * Starts a variation of an executed agreement: a new draft (the next version) from the
   * executed content, with today's members. On execution it supersedes the original.
   */
  async createVariation(principal: Principal, agreementId: string, actor: ActorContext): Promise<SavedRevision> {
    return this.dataSource.transaction(async (em) => {
      const original = await this.requireAgreement(principal, agreementId, 'draft', em, true);
      if (original.status !== AgreementStatus.Executed || original.executedRevisionNumber === null) {
        throw new AgreementsException(AgreementsErrorCode.NotExecuted, 'Only an executed agreement can be varied.');
      }
      const open = await em.getRepository(NetworkAgreementEntity).findOne({ where: { variationOfId: original.id, status: Not(In([AgreementStatus.Executed, AgreementStatus.Superseded, AgreementStatus.Terminated])) } });
      if (open) throw new AgreementsException(AgreementsErrorCode.VariationInProgress, `Variation ${open.reference} of this agreement is already in progress.`);
      const executed = await this.revision(original.id, original.executedRevisionNumber, em);
      const { content, warnings } = await this.prepare(executed.content, original.pcnId, em);
      const versionNumber = original.versionNumber + 1;
      const agreement = await em.getRepository(NetworkAgreementEntity).save({
        reference: `${original.reference.replace(/-V\d+$/, '')}-V${versionNumber}`,
        pcnId: original.pcnId,
        templateId: original.templateId,
        status: AgreementStatus.Draft,
        title: content.title,
        currentRevisionNumber: 1,
        versionNumber,
        variationOfId: original.id,
        createdBy: actor.userId,
      });
      const revision = await this.insertRevision(em, agreement.id, 1, content, warnings, actor);
      await this.audit.record(em, { type: AuditEventType.AgreementCreated, actor, actorName: principal.displayName, agreementId: agreement.id, revisionHash: revision.contentHash, payload: { reference: agreement.reference, variationOf: original.id, variationOfReference: original.reference, versionNumber } });
      return { agreement, revision, warnings };
    });
  }

  /** Saves a new revision of a draft, refusing stale edits (409) and invalid content (422). */
  async saveDraft(principal: Principal, agreementId: string, input: { baseRevision: number; content: AgreementContent }, actor: ActorContext): Promise<SavedRevision> {
    return this.dataSource.transaction(async (em) => {
      const agreement = await this.lockEditableDraft(principal, agreementId, input.baseRevision, em);
      const { content, warnings } = await this.prepare(input.content, agreement.pcnId, em);
      return this.appendRevision(em, agreement, content, warnings, actor, principal.displayName);
    });
  }

  async addAnnex(principal: Principal, agreementId: string, input: { baseRevision: number; annex: DataSharingAnnex }, actor: ActorContext): Promise<SavedRevision & { annexId: string }> {
    return this.dataSource.transaction(async (em) => {
      const agreement = await this.lockEditableDraft(principal, agreementId, input.baseRevision, em);
      const current = await this.revision(agreement.id, agreement.currentRevisionNumber, em);
      const annexId = randomUUID();
      const next: AgreementContent = { ...current.content, annexes: [...current.content.annexes, { ...input.annex, id: annexId }] };
      const { content, warnings } = await this.prepare(next, agreement.pcnId, em);
      return { ...(await this.appendRevision(em, agreement, content, warnings, actor, principal.displayName)), annexId };
    });
  }

  /**
   * Saves one section (a schedule, the agreement details, or one part of an annex) as a new
   * revision: the value is merged into the newest revision's content, which then goes
   * through the same checks as a full save (422 keyed by full content paths, e.g.
   * `schedules.finances.shares[0].percentage`), a stale base is 409, and the revision is
   * recorded with the same REVISION_SAVED audit event.
   */
  async saveSection(principal: Principal, agreementId: string, input: SaveSectionInput, actor: ActorContext): Promise<SavedRevision> {
    const section = parseSectionId(input.section);
    return this.dataSource.transaction(async (em) => {
      const agreement = await this.lockEditableDraft(principal, agreementId, input.baseRevisionNumber, em);
      if (!section) {
        throw new AgreementsException(AgreementsErrorCode.SectionNotFound, `There is no section “${input.section}”. Use general, schedule1 to schedule7, or annex:<annex id>:<part>.`);
      }
      const current = await this.revision(agreement.id, agreement.currentRevisionNumber, em);
      const merged = mergeSection(current.content, section, input.value);
      if (!merged.ok) {
        if (merged.reason === 'ANNEX_NOT_FOUND') throw new AgreementsException(AgreementsErrorCode.AnnexNotFound, 'This draft has no annex with that id. Reload the draft.');
        if (merged.reason === 'UNKNOWN_FIELDS') {
          throw new CommonException(
            CommonErrorCode.UnknownField,
            400,
            `The section has ${merged.paths.length === 1 ? 'a field' : 'fields'} it does not accept: ${merged.paths.join(', ')}.`,
            Object.fromEntries(merged.paths.map((p) => [p, [`${p} is not a field of this section.`]])),
          );
        }
        throw CommonException.validation('1 field is not valid. See fieldErrors.', { [merged.path || 'value']: ['The section value must be an object.'] });
      }
      const { content, warnings } = await this.prepare(merged.content, agreement.pcnId, em);
      return this.appendRevision(em, agreement, content, warnings, actor, principal.displayName);
    });
  }

  /** Removes an annex from a draft as a new revision. */
  async removeAnnex(principal: Principal, agreementId: string, input: { baseRevisionNumber: number; annexId: string }, actor: ActorContext): Promise<SavedRevision> {
    return this.dataSource.transaction(async (em) => {
      const agreement = await this.lockEditableDraft(principal, agreementId, input.baseRevisionNumber, em);
      const current = await this.revision(agreement.id, agreement.currentRevisionNumber, em);
      const annexes = current.content.annexes ?? [];
      if (!annexes.some((a) => a.id === input.annexId)) throw new AgreementsException(AgreementsErrorCode.AnnexNotFound, 'This draft has no annex with that id. Reload the draft.');
      const { content, warnings } = await this.prepare({ ...current.content, annexes: annexes.filter((a) => a.id !== input.annexId) }, agreement.pcnId, em);
      return this.appendRevision(em, agreement, content, warnings, actor, principal.displayName);
    });
  }

  private async lockEditableDraft(principal: Principal, agreementId: string, baseRevision: number, em: EntityManager): Promise<NetworkAgreementEntity> {
    const agreement = await this.requireAgreement(principal, agreementId, 'draft', em, true);
    if (agreement.status !== AgreementStatus.Draft) {
      throw new AgreementsException(AgreementsErrorCode.NotADraft, `This agreement is ${agreement.status.toLowerCase().replace(/_/g, ' ')}, so it cannot be edited. Only drafts can change.`);
    }
    if (agreement.currentRevisionNumber !== baseRevision) {
      throw new AgreementsException(
        AgreementsErrorCode.StaleRevision,
        `You edited revision ${baseRevision}, but revision ${agreement.currentRevisionNumber} has been saved since. Reload it and apply your changes again.`,
      );
    }
    return agreement;
  }

  private async appendRevision(em: EntityManager, agreement: NetworkAgreementEntity, content: AgreementContent, warnings: FieldMessages, actor: ActorContext, actorName: string): Promise<SavedRevision> {
    const number = agreement.currentRevisionNumber + 1;
    const revision = await this.insertRevision(em, agreement.id, number, content, warnings, actor);
    await em.getRepository(NetworkAgreementEntity).update({ id: agreement.id }, { currentRevisionNumber: number, title: content.title, statusReason: null });
    await this.audit.record(em, { type: AuditEventType.RevisionSaved, actor, actorName, agreementId: agreement.id, revisionHash: revision.contentHash, payload: { revisionNumber: number, warnings: Object.keys(warnings).length } });
    return { agreement: { ...agreement, currentRevisionNumber: number, title: content.title }, revision, warnings };
  }

  private insertRevision(em: EntityManager, agreementId: string, number: number, content: AgreementContent, warnings: FieldMessages, actor: ActorContext) {
    return em.getRepository(AgreementRevisionEntity).save({ agreementId, number, content, contentHash: contentHash(content), warnings, createdBy: actor.userId });
  }

  /** Fills server-owned fields, then applies every business rule; errors stop the save. */
  private async prepare(input: AgreementContent, pcnId: string, em: EntityManager): Promise<{ content: AgreementContent; warnings: FieldMessages }> {
    // Shape first (types, formats, unknown fields), keyed by content path like the rules below.
    const shape = contentShapeException(input);
    if (shape) throw shape;
    const content = await this.withServerFields(applyContentDefaults(withoutNulls(input)), pcnId, em);
    const members = content.schedules.keyDetails.corePractices ?? [];
    const referenced = await this.directory.organisationsByIds(referencedOrganisationIds(content), em);
    const { errors, warnings } = validateAgreementContent(content, {
      memberPractices: members.map((m) => ({ organisationId: m.organisationId, odsCode: m.odsCode, name: m.name, listSize: m.listSize })),
      knownOrganisations: referenced.map((o) => ({ organisationId: o.id, name: o.name, kind: o.kind })),
      today: todayIso(),
    });
    if (Object.keys(errors).length > 0) {
      const count = Object.keys(errors).length;
      throw new AgreementsException(AgreementsErrorCode.ContentInvalid, `The draft was not saved: ${count} field${count === 1 ? ' needs' : 's need'} attention. See fieldErrors.`, errors, warnings);
    }
    return { content, warnings };
  }

  /**
   * Refuses (422) a revision about to be sent for approval, and so bound for sealing, whose
   * annexes name a Data Protection Officer or Caldicott Guardian the directory does not record
   * for that organisation: the sealed annex must name the people the IG step asks.
   */
  async assertOfficersOnRecord(content: AgreementContent, em: EntityManager = this.dataSource.manager): Promise<void> {
    const annexes = content.annexes ?? [];
    const orgIds = [...new Set(annexes.flatMap((a) => (a.parties ?? []).map((p) => p.organisationId)))];
    if (orgIds.length === 0) return;
    const [referenced, roles] = await Promise.all([
      this.directory.organisationsByIds(referencedOrganisationIds(content), em),
      this.directory.peopleWithRoles(orgIds, [PersonRoleType.Dpo, PersonRoleType.CaldicottGuardian]),
    ]);
    const errors = validateSealBoundOfficers(content, {
      memberPractices: [],
      knownOrganisations: referenced.map((o) => ({ organisationId: o.id, name: o.name, kind: o.kind })),
      today: todayIso(),
      officersOnRecord: roles.map((r) => ({
        organisationId: r.organisationId,
        role: r.role === PersonRoleType.Dpo ? 'DPO' : 'CALDICOTT_GUARDIAN',
        name: r.person.fullName,
        email: r.person.email,
      })),
    });
    const messages = Object.values(errors).flat();
    if (messages.length > 0) {
      throw new AgreementsException(AgreementsErrorCode.ContentInvalid, `This revision cannot be sent for approval: ${messages.join(' ')}`, errors);
    }
  }

  private async withServerFields(content: AgreementContent, pcnId: string, em?: EntityManager): Promise<AgreementContent> {
    const members = await this.directory.currentMembers(pcnId, undefined, em);
    return {
      ...content,
      schedules: {
        ...content.schedules,
        keyDetails: {
          ...content.schedules.keyDetails,
          corePractices: members.map((m) => ({
            organisationId: m.organisationId,
            odsCode: m.odsCode,
            name: m.name,
            listSize: m.listSize,
            listSizeDate: m.listSizeDate ?? todayIso(),
            legalForm: m.legalForm as never,
          })),
        },
      },
    };
  }

  // ---- reading ---------------------------------------------------------------

  /**
   * The PCN's agreements, newest first, a page at a time: keyset on (created_at, id), served
   * by network_agreement_pcn_created_idx. `statuses` narrows the list (e.g. only open ones).
   */
  async list(principal: Principal, pcnId: string, options: AgreementListOptions = {}): Promise<Page<NetworkAgreementEntity>> {
    await this.directory.requirePcnAccess(principal, pcnId, 'read');
    const limit = pageLimit(options, AGREEMENT_PAGE_DEFAULT);
    const qb = this.dataSource
      .getRepository(NetworkAgreementEntity)
      .createQueryBuilder('a')
      .where('a.pcn_id = :pcnId', { pcnId })
      .orderBy('a.created_at', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .limit(limit + 1);
    if (options.statuses) qb.andWhere('a.status IN (:...statuses)', { statuses: options.statuses.length ? options.statuses : [null] });
    // The cursor row must be this PCN's: another PCN's id gives an empty page, never its position.
    if (options.after) qb.andWhere('(a.created_at, a.id) < (SELECT c.created_at, c.id FROM network_agreement c WHERE c.id = :after AND c.pcn_id = :pcnId)', { after: options.after });
    return pageOf(await qb.getMany(), limit, (a) => a.id);
  }

  /**
   * The newest `perPcn` agreements of each of these PCNs, in one query (a LATERAL scan of
   * network_agreement_pcn_created_idx per PCN). Reads no access: pass only PCNs the user may
   * read (DirectoryService.listVisiblePcns / visiblePcnsPage).
   */
  async latestOfVisiblePcns(pcnIds: string[], perPcn: number): Promise<Map<string, NetworkAgreementEntity[]>> {
    const byPcn = new Map<string, NetworkAgreementEntity[]>(pcnIds.map((id) => [id, []]));
    if (pcnIds.length === 0) return byPcn;
    const rows: NetworkAgreementEntity[] = await this.dataSource.query(
      `SELECT a.id, a.pcn_id AS "pcnId", a.title, a.reference, a.status, a.created_at AS "createdAt", a.updated_at AS "updatedAt"
         FROM unnest($1::uuid[]) AS p(id)
         CROSS JOIN LATERAL (SELECT * FROM network_agreement n WHERE n.pcn_id = p.id ORDER BY n.created_at DESC, n.id DESC LIMIT $2) a`,
      [[...new Set(pcnIds)], perPcn],
    );
    for (const row of rows) byPcn.get(row.pcnId)!.push(row);
    return byPcn;
  }

  async get(principal: Principal, agreementId: string): Promise<{ agreement: NetworkAgreementEntity; revision: AgreementRevisionEntity }> {
    const agreement = await this.requireAgreement(principal, agreementId, 'read');
    return { agreement, revision: await this.revision(agreement.id, agreement.currentRevisionNumber) };
  }

  /** The agreement's revisions, oldest first, a page at a time (keyset on number, the unique (agreement_id, number) index). */
  async listRevisions(principal: Principal, agreementId: string, page: PageRequest = {}): Promise<Page<Pick<AgreementRevisionEntity, 'id' | 'number' | 'contentHash' | 'createdAt' | 'createdBy' | 'warnings'>>> {
    const agreement = await this.requireAgreement(principal, agreementId, 'read');
    const limit = pageLimit(page, REVISION_PAGE_DEFAULT);
    const qb = this.dataSource
      .getRepository(AgreementRevisionEntity)
      .createQueryBuilder('r')
      .select(['r.id', 'r.number', 'r.contentHash', 'r.createdAt', 'r.createdBy', 'r.warnings'])
      .where('r.agreement_id = :agreementId', { agreementId: agreement.id })
      .orderBy('r.number', 'ASC')
      .limit(limit + 1);
    if (page.after) qb.andWhere('r.number > (SELECT c.number FROM agreement_revision c WHERE c.id = :after AND c.agreement_id = :agreementId)', { after: page.after });
    return pageOf(await qb.getMany(), limit, (r) => r.id);
  }

  async getRevision(principal: Principal, agreementId: string, number: number): Promise<AgreementRevisionEntity> {
    const agreement = await this.requireAgreement(principal, agreementId, 'read');
    return this.revision(agreement.id, number);
  }

  async diff(principal: Principal, agreementId: string, from: number, to: number) {
    const agreement = await this.requireAgreement(principal, agreementId, 'read');
    const [a, b] = await Promise.all([this.revision(agreement.id, from), this.revision(agreement.id, to)]);
    return {
      from: { number: a.number, contentHash: a.contentHash },
      to: { number: b.number, contentHash: b.contentHash },
      changes: diffContent(a.content, b.content),
      readable: describeRevisionDiff(a.content, b.content, await this.organisationNames([a.content, b.content])),
    };
  }

  /** What changed between revisions `from` and `to`, in words (see `describeRevisionDiff`). */
  async readableDiff(principal: Principal, agreementId: string, from: number, to: number): Promise<ReadableChange[]> {
    const agreement = await this.requireAgreement(principal, agreementId, 'read');
    const [a, b] = await Promise.all([this.revision(agreement.id, from), this.revision(agreement.id, to)]);
    return describeRevisionDiff(a.content, b.content, await this.organisationNames([a.content, b.content]));
  }

  private async organisationNames(contents: AgreementContent[]): Promise<OrganisationNames> {
    const ids = [...new Set(contents.flatMap((c) => referencedOrganisationIds(c)))];
    const organisations = await this.directory.organisationsByIds(ids);
    return Object.fromEntries(organisations.map((o) => [o.id, { name: o.name, odsCode: o.odsCode }]));
  }

  async revision(agreementId: string, number: number, em: EntityManager = this.dataSource.manager): Promise<AgreementRevisionEntity> {
    const revision = await em.getRepository(AgreementRevisionEntity).findOneBy({ agreementId, number });
    if (!revision) throw new AgreementsException(AgreementsErrorCode.RevisionNotFound, `Revision ${number} of this agreement does not exist.`);
    return revision;
  }
}


/** An explicit null and an absent optional field mean the same thing; store (and hash) one form. */
function withoutNulls<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutNulls) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [k, withoutNulls(v)])) as T;
  }
  return value;
}
