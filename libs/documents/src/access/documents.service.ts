import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { createHash } from 'node:crypto';
import { AgreementsService, AgreementStatus, NetworkAgreementEntity } from '@pcn/agreements';
import { AuditEventType, AuditService } from '@pcn/audit';
import { auditorScope, isPlatformAdmin, organisationsWithRole, Principal, UserRole } from '@pcn/auth';
import { ActorContext, appConfig, AppConfig, CommonException } from '@pcn/common';
import { DirectoryService } from '@pcn/directory';
import { AgreementDocumentSource, buildAgreementDocumentModel } from '../model';
import { renderAgreementPdf } from '../render/render-agreement';
import { inspectSealedPdf } from '../verify/verify-pdf';
import { SealedDocumentEntity, SignatoryFact } from '../storage/sealed-document.entity';
import { DocumentsErrorCode, DocumentsException } from '../documents.exception';

export type DocumentSummary = Omit<SealedDocumentEntity, 'bytes'>;

export interface SearchQuery {
  pcnCode?: string;
  pcnName?: string;
  icbCode?: string;
  practiceOdsCode?: string;
  executedFrom?: string;
  executedTo?: string;
  status?: AgreementStatus;
}

export interface VerificationFacts {
  /** This platform sealed a document with these exact bytes, or with this reference. */
  genuine: boolean;
  /** The bytes are exactly the ones sealed (SHA-256 match and signature digest valid). */
  intact: boolean;
  verdict: 'AUTHENTIC' | 'TAMPERED' | 'NOT_SEALED_BY_THIS_PLATFORM' | 'NO_SEAL';
  explanation: string;
  sha256: string;
  document?: { reference: string; title: string; kind: string; sha256: string; sealedAt: Date; sealCertificateFingerprint: string; sealCertificateSubject: string };
  agreement?: { reference: string; title: string; status: string; pcnName: string; pcnCode: string | null; executedAt: Date | null; revisionNumber: number | null; contentHash: string };
  approvals?: SignatoryFact[];
}

const EXECUTED_STATES = [AgreementStatus.Executed, AgreementStatus.Superseded, AgreementStatus.Terminated];

/** Finding, downloading, previewing and verifying agreement documents, with access checks per document. */
@Injectable()
export class DocumentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly agreements: AgreementsService,
    private readonly directory: DirectoryService,
    private readonly audit: AuditService,
    private readonly source: AgreementDocumentSource,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
  ) {}

  private repo() {
    return this.dataSource.getRepository(SealedDocumentEntity);
  }

  /** Documents of an agreement the user may download: all of them for the PCN's users and auditors, only their annexes for other parties. */
  async listForAgreement(principal: Principal, agreementId: string): Promise<DocumentSummary[]> {
    const docs = await this.repo().find({ where: { agreementId }, order: { reference: 'ASC' } });
    if (await this.canReadAgreement(principal, agreementId)) return docs;
    const visible = docs.filter((d) => this.isParty(principal, d));
    if (visible.length === 0) throw CommonException.notFound('Agreement');
    return visible;
  }

  private async canReadAgreement(principal: Principal, agreementId: string): Promise<boolean> {
    try {
      await this.agreements.requireAgreement(principal, agreementId, 'read');
      return true;
    } catch {
      return false;
    }
  }

  private isParty(principal: Principal, doc: DocumentSummary): boolean {
    const mine = organisationsWithRole(principal, UserRole.PartnerSignatory, UserRole.PracticeSignatory, UserRole.PracticeManager);
    return doc.partyOrganisationIds.some((id) => mine.includes(id));
  }

  /** The document with its bytes, if the user may have it; otherwise "not found". */
  async download(principal: Principal, documentId: string, actor: ActorContext): Promise<SealedDocumentEntity> {
    const doc = await this.repo().createQueryBuilder('d').addSelect('d.bytes').where('d.id = :documentId', { documentId }).getOne();
    if (!doc || !((await this.canReadAgreement(principal, doc.agreementId)) || this.isParty(principal, doc))) {
      throw new DocumentsException(DocumentsErrorCode.DocumentNotFound, 'That document was not found, or you do not have access to it.');
    }
    await this.audit.record(this.dataSource.manager, {
      type: AuditEventType.DocumentDownloaded,
      actor,
      agreementId: doc.agreementId,
      revisionHash: doc.contentHash,
      payload: { documentId: doc.id, reference: doc.reference, sha256: doc.sha256 },
    });
    return doc;
  }

  /** A DRAFT-watermarked, unsealed PDF of any revision, for the PCN's own users and auditors. */
  async preview(principal: Principal, agreementId: string, revisionNumber?: number): Promise<{ pdf: Buffer; fileName: string }> {
    const agreement = await this.agreements.requireAgreement(principal, agreementId, 'read');
    const revision = await this.agreements.revision(agreement.id, revisionNumber ?? agreement.currentRevisionNumber);
    const model = buildAgreementDocumentModel({
      ...(await this.source.base(agreement, revision)),
      status: 'DRAFT PREVIEW',
      draft: true,
      generatedAt: revision.createdAt.toISOString(),
      signatures: [],
      igApprovals: [],
      events: [],
      sealCertificateRef: 'Not sealed: draft preview',
      verificationUrl: `${this.app.PUBLIC_BASE_URL}/verify`,
    });
    return { pdf: await renderAgreementPdf(model), fileName: `${agreement.reference}-r${revision.number}-DRAFT.pdf` };
  }

  /** Executed agreements the user may see, filtered as auditors search. */
  async search(principal: Principal, query: SearchQuery) {
    const qb = this.dataSource
      .getRepository(NetworkAgreementEntity)
      .createQueryBuilder('a')
      .innerJoin('organisation', 'pcn', 'pcn.id = a.pcn_id')
      .leftJoin('agreement_revision', 'r', 'r.agreement_id = a.id AND r.number = a.executed_revision_number')
      .select(['a.id AS id', 'a.reference AS reference', 'a.title AS title', 'a.status AS status', 'a.executed_at AS "executedAt"', 'a.version_number AS "versionNumber"', 'pcn.name AS "pcnName"', 'pcn.ods_code AS "pcnCode"', 'pcn.icb_code AS "icbCode"'])
      .where('a.status IN (:...statuses)', { statuses: query.status ? [query.status] : EXECUTED_STATES })
      .orderBy('a.executed_at', 'DESC')
      .limit(500);
    if (query.pcnCode) qb.andWhere('pcn.ods_code = :pcnCode', { pcnCode: query.pcnCode });
    if (query.pcnName) qb.andWhere('pcn.name ILIKE :pcnName', { pcnName: `%${query.pcnName.replace(/[%_\\]/g, '\\$&')}%` });
    if (query.icbCode) qb.andWhere('pcn.icb_code = :icbCode', { icbCode: query.icbCode });
    if (query.practiceOdsCode) qb.andWhere(`r.content->'schedules'->'keyDetails'->'corePractices' @> :practice::jsonb`, { practice: JSON.stringify([{ odsCode: query.practiceOdsCode }]) });
    if (query.executedFrom) qb.andWhere('a.executed_at >= :from', { from: query.executedFrom });
    if (query.executedTo) qb.andWhere(`a.executed_at < (:to::date + interval '1 day')`, { to: query.executedTo });
    if (!isPlatformAdmin(principal)) {
      const scope = auditorScope(principal);
      if (scope !== 'all') {
        const pcnIds = (await this.directory.listVisiblePcns(principal)).map((p) => p.id);
        if (pcnIds.length === 0) return [];
        qb.andWhere('a.pcn_id IN (:...pcnIds)', { pcnIds });
      }
    }
    const rows = await qb.getRawMany();
    const docs = rows.length ? await this.repo().find({ where: { agreementId: In(rows.map((r) => r.id)) }, order: { reference: 'ASC' } }) : [];
    return rows.map((row) => ({ ...row, documents: docs.filter((d) => d.agreementId === row.id).map((d) => ({ id: d.id, reference: d.reference, kind: d.kind, title: d.title, sha256: d.sha256, sizeBytes: d.sizeBytes })) }));
  }

  /** Several documents the user may download, with their bytes, for a ZIP. */
  async forZip(principal: Principal, documentIds: string[], actor: ActorContext): Promise<SealedDocumentEntity[]> {
    const docs: SealedDocumentEntity[] = [];
    for (const id of [...new Set(documentIds)]) docs.push(await this.download(principal, id, actor));
    return docs;
  }

  /** What an uploaded PDF is: ours and untouched, ours but altered, or not ours. */
  async verifyUpload(buffer: Buffer, actor: ActorContext): Promise<VerificationFacts> {
    const sha256 = createHash('sha256').update(buffer).digest('hex');
    const inspection = inspectSealedPdf(buffer);
    if (!inspection.isPdf) throw new DocumentsException(DocumentsErrorCode.NotAPdf, 'The file is not a PDF (or it is damaged beyond reading). Upload the PDF you downloaded from the platform.');
    if (inspection.truncated) throw new DocumentsException(DocumentsErrorCode.TruncatedPdf, 'The PDF is incomplete: it stops before its end-of-file marker, so it was cut off in transfer. Upload the whole file.');
    const exact = await this.repo().findOneBy({ sha256 });
    const byReference = !exact && inspection.reference ? await this.repo().findOneBy({ reference: inspection.reference }) : null;
    const doc = exact ?? byReference;
    let facts: VerificationFacts;
    if (exact) {
      const intact = inspection.signed && inspection.digestMatches && inspection.signatureValid;
      facts = { genuine: true, intact, verdict: intact ? 'AUTHENTIC' : 'TAMPERED', explanation: intact ? 'This is exactly the document the platform sealed: its SHA-256 matches our record and the seal is valid.' : 'The bytes match our record but the seal does not check out.', sha256 };
    } else if (!inspection.signed) {
      facts = { genuine: false, intact: false, verdict: 'NO_SEAL', explanation: 'The PDF carries no seal. Documents sealed by this platform always have one.', sha256 };
    } else if (byReference) {
      facts = {
        genuine: false,
        intact: false,
        verdict: 'TAMPERED',
        explanation: inspection.digestMatches
          ? `The PDF names document ${byReference.reference}, but its bytes differ from the sealed original (content was added or changed after sealing).`
          : `The PDF names document ${byReference.reference}, but its content was changed after sealing: the seal's digest no longer matches.`,
        sha256,
      };
    } else {
      facts = { genuine: false, intact: false, verdict: 'NOT_SEALED_BY_THIS_PLATFORM', explanation: 'The PDF is sealed, but not by this platform, or it refers to a document we have no record of.', sha256 };
    }
    if (doc) Object.assign(facts, await this.describe(doc));
    await this.audit.record(this.dataSource.manager, {
      type: AuditEventType.DocumentVerified,
      actor,
      agreementId: doc?.agreementId ?? null,
      revisionHash: doc?.contentHash ?? null,
      payload: { uploadedSha256: sha256, verdict: facts.verdict, documentId: doc?.id ?? null },
    });
    return facts;
  }

  /** The public page's facts for a document reference: no content, just who approved what and when. */
  async verifyReference(reference: string): Promise<VerificationFacts> {
    const doc = await this.repo().findOneBy({ reference });
    if (!doc) throw new DocumentsException(DocumentsErrorCode.DocumentNotFound, `There is no sealed document with reference ${reference}.`);
    return { genuine: true, intact: true, verdict: 'AUTHENTIC', explanation: 'This platform sealed a document with this reference. Compare its SHA-256 with the SHA-256 of your copy.', sha256: doc.sha256, ...(await this.describe(doc)) };
  }

  private async describe(doc: DocumentSummary): Promise<Pick<VerificationFacts, 'document' | 'agreement' | 'approvals'>> {
    const agreement = await this.dataSource.getRepository(NetworkAgreementEntity).findOneByOrFail({ id: doc.agreementId });
    const pcn = await this.directory.getPcn(agreement.pcnId);
    return {
      document: { reference: doc.reference, title: doc.title, kind: doc.kind, sha256: doc.sha256, sealedAt: doc.sealedAt, sealCertificateFingerprint: doc.sealCertificateFingerprint, sealCertificateSubject: doc.sealCertificateSubject },
      agreement: { reference: agreement.reference, title: agreement.title, status: agreement.status, pcnName: pcn.name, pcnCode: pcn.odsCode, executedAt: agreement.executedAt, revisionNumber: agreement.executedRevisionNumber, contentHash: doc.contentHash },
      approvals: doc.signatories,
    };
  }
}
