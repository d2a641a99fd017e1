import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AgreementsService, annexLetter, describeRevisionDiff, NetworkAgreementEntity, ReadableChange, referencedOrganisationIds } from '@pcn/agreements';
import { appConfig, AppConfig } from '@pcn/common';
import { DirectoryService } from '@pcn/directory';
import { AgreementDocumentModel, AgreementDocumentSource, annexSectionId, AnnexSection, buildAgreementDocumentModel, Clause, DocumentSection, renderAgreementPdf, renderAnnexPdf } from '@pcn/documents';
import { ApprovalRoundEntity, RequestScope, ReviewPart } from '@pcn/workflow';

/** How the unsealed copy of the revision under review is labelled, on the page and in its PDF. */
export const REVIEW_LABEL = 'For review — the sealed copy is issued once everyone has signed';

/** What one person reads on the review page: only the parts they are asked about. */
export interface ReviewDocument {
  /** Clauses and schedules, present only when the person is asked to approve the agreement itself. */
  agreement: { clauses: Clause[]; sections: DocumentSection[] } | null;
  /** Annexes the person is asked about, keyed by the annex id stored on the request. */
  annexes: Record<string, AnnexSection>;
}

export interface ReviewChanges {
  fromRevision: number;
  toRevision: number;
  /** Grouped by section heading, in document order. */
  sections: { heading: string; changes: ReadableChange[] }[];
}

/**
 * The text of the revision under review, from the same document model the PDF is rendered
 * from (so the page and the PDF say the same thing in the same order), limited to the parts
 * the person is asked about; the changes since the revision they last saw; and the PDF.
 */
@Injectable()
export class ReviewDocumentService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly agreements: AgreementsService,
    private readonly directory: DirectoryService,
    private readonly source: AgreementDocumentSource,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
  ) {}

  /** The document model of the round's revision (no signatures: nobody's approval is printed before sealing). */
  async model(roundId: string): Promise<{ model: AgreementDocumentModel; agreement: NetworkAgreementEntity; round: ApprovalRoundEntity }> {
    const round = await this.dataSource.getRepository(ApprovalRoundEntity).findOneByOrFail({ id: roundId });
    const agreement = await this.dataSource.getRepository(NetworkAgreementEntity).findOneByOrFail({ id: round.agreementId });
    const revision = await this.agreements.revision(agreement.id, round.revisionNumber);
    const model = buildAgreementDocumentModel({
      ...(await this.source.base(agreement, revision)),
      status: agreement.status,
      draft: true,
      generatedAt: revision.createdAt.toISOString(),
      signatures: [],
      igApprovals: [],
      events: [],
      sealCertificateRef: 'Not sealed: copy for review',
      verificationUrl: `${this.app.PUBLIC_BASE_URL}/verify`,
    });
    return { model, agreement, round };
  }

  /** The parts to read: the agreement (clauses and schedules) for its parties, and each annex asked about. */
  document(model: AgreementDocumentModel, parts: Pick<ReviewPart, 'kind' | 'annexId'>[]): ReviewDocument {
    const annexes: Record<string, AnnexSection> = {};
    for (const part of parts) {
      if (part.kind !== 'annex' || !part.annexId) continue;
      const section = model.annexes.find((a) => a.id === annexSectionId(part.annexId!));
      if (section) annexes[part.annexId] = section;
    }
    return { agreement: parts.some((p) => p.kind === 'agreement') ? { clauses: model.clauses, sections: model.sections } : null, annexes };
  }

  /**
   * What changed between an earlier revision and the round's, limited to the parts shown:
   * agreement parties see the agreement's own sections and the annexes they are asked about;
   * annex-only parties see only their annexes. Null when there is no earlier revision.
   */
  async changes(agreementId: string, fromRevision: number | null, toRevision: number, parts: Pick<ReviewPart, 'kind' | 'annexId'>[]): Promise<ReviewChanges | null> {
    if (fromRevision === null || fromRevision === toRevision) return fromRevision === null ? null : { fromRevision, toRevision, sections: [] };
    const [before, after] = await Promise.all([this.agreements.revision(agreementId, fromRevision), this.agreements.revision(agreementId, toRevision)]);
    const ids = [...new Set([...referencedOrganisationIds(before.content), ...referencedOrganisationIds(after.content)])];
    const organisations = await this.directory.organisationsByIds(ids);
    const all = describeRevisionDiff(before.content, after.content, Object.fromEntries(organisations.map((o) => [o.id, { name: o.name, odsCode: o.odsCode }])));

    const annexIds = new Set(parts.filter((p) => p.kind === 'annex' && p.annexId).map((p) => p.annexId!));
    const annexHeadings = new Set<string>();
    const addHeadings = (annexes: typeof after.content.annexes) =>
      (annexes ?? []).forEach((a, i) => {
        if (a.id && annexIds.has(a.id)) annexHeadings.add(`Annex ${annexLetter(i)} — ${a.title}`);
      });
    addHeadings(after.content.annexes);
    addHeadings(before.content.annexes);
    const agreementParty = parts.some((p) => p.kind === 'agreement');
    const visible = all.filter((c) => annexHeadings.has(c.section) || (agreementParty && !c.section.startsWith('Annex')));

    const sections: ReviewChanges['sections'] = [];
    for (const change of visible) {
      let group = sections.find((s) => s.heading === change.section);
      if (!group) sections.push((group = { heading: change.section, changes: [] }));
      group.changes.push(change);
    }
    return { fromRevision, toRevision, sections };
  }

  /** The PDF of exactly this revision for one part: the whole agreement, or one annex with its parties' signature page. */
  async pdf(roundId: string, part: { scope: RequestScope; annexId: string | null }): Promise<{ pdf: Buffer; fileName: string }> {
    const { model, agreement, round } = await this.model(roundId);
    const base = `${agreement.reference}-r${round.revisionNumber}`;
    if (part.scope === RequestScope.Annex && part.annexId) {
      const index = model.annexes.findIndex((a) => a.id === annexSectionId(part.annexId!));
      return { pdf: await renderAnnexPdf(model, annexSectionId(part.annexId), { reviewLabel: REVIEW_LABEL }), fileName: `${base}-annex-${annexLetter(Math.max(index, 0))}-for-review.pdf` };
    }
    return { pdf: await renderAgreementPdf(model, { reviewLabel: REVIEW_LABEL }), fileName: `${base}-for-review.pdf` };
  }
}
