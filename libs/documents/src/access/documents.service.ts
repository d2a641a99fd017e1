import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { AgreementsService, AgreementStatus, NetworkAgreementEntity } from '@pcn/agreements';
import { AuditEventType, AuditService } from '@pcn/audit';
import { auditorScope, isPlatformAdmin, organisationsWithRole, Principal, UserRole } from '@pcn/auth';
import { ActorContext, appConfig, AppConfig, CommonException, isAccessRefusal, Page, pageLimit, pageOf, PageRequest } from '@pcn/common';
import { DirectoryService } from '@pcn/directory';
import { AgreementDocumentSource, buildAgreementDocumentModel } from '../model';
import { renderAgreementPdf } from '../render/render-agreement';
import { SealedDocumentEntity, SealedDocumentWithBytes, SignatoryFact } from '../storage/sealed-document.entity';
import { DocumentVerificationEntity, VerificationChannel } from '../storage/document-verification.entity';
import { checkSealedUpload, fingerprints } from './upload-check';
import { normaliseVerificationCode } from './part-reference';
import { sealConfig, SealConfig } from '../documents.config';
import { SealTrust, sealTrustFromConfig } from '../seal/seal-trust';
import { SealedDocumentVersionEntity } from '../seal/sealed-document-version.entity';
import { DOCUMENT_STORE, DocumentStore } from '../storage/document-store';
import { DocumentsErrorCode, DocumentsException } from '../documents.exception';

export type DocumentSummary = Omit<SealedDocumentEntity, 'bytes' | 'objectKey'>;

export interface SearchQuery {
  pcnCode?: string;
  pcnName?: string;
  icbCode?: string;
  practiceOdsCode?: string;
  executedFrom?: string;
  executedTo?: string;
  status?: AgreementStatus;
}

/**
 * AUTHENTIC: sealed by this platform and unchanged (validation data added later is fine).
 * ALTERED: our seal, but the content changed after sealing. MODIFIED_AFTER_SEAL: our seal,
 * but something other than validation data was appended. UNTRUSTED_KEY: sealed with a key
 * this platform does not trust. NOT_SEALED: no seal. UNKNOWN_DOCUMENT: our seal, no record.
 */
export type VerificationVerdict = 'AUTHENTIC' | 'ALTERED' | 'MODIFIED_AFTER_SEAL' | 'UNTRUSTED_KEY' | 'NOT_SEALED' | 'UNKNOWN_DOCUMENT';

/** What anyone may learn of a sealed part without a copy of it. */
export interface PartSummary {
  kind: string;
  /** Only when an uploaded file named it (altered copies): the part it claims to be. */
  reference?: string;
  pcnName: string;
  pcnCode: string | null;
  executedAt: Date | null;
}

export interface VerificationFacts {
  verdict: VerificationVerdict;
  explanation: string;
  /** SHA-256 of the uploaded file. */
  sha256: string;
  /** How the part was found: the stored file's hash, the sealed revision's hash, or the reference an altered file claims. */
  match: 'EXACT' | 'SIGNED_REVISION' | 'CLAIMED' | null;
  /** The part an altered file claims to be: no more than the code page shows, plus its reference. */
  part?: PartSummary;
  /** Only for a file whose bytes are a sealed part's: the part, agreement, dates and signers. */
  document?: { reference: string; verificationCode: string; title: string; kind: string; sha256: string; sealedAt: Date; sealCertificateFingerprint: string; sealCertificateSubject: string };
  agreement?: { reference: string; title: string; status: string; pcnName: string; pcnCode: string | null; executedAt: Date | null; revisionNumber: number | null; contentHash: string };
  approvals?: SignatoryFact[];
}

/** The public page's facts for a verification code: never a verdict, since no file was checked. */
export interface CodeFacts {
  code: string;
  part: PartSummary;
  /** Always true: only an upload can show that a copy is authentic. */
  fileRequired: true;
  explanation: string;
  /** For a signed-in party to the part or a reader of the agreement: the sealed record. */
  record?: Pick<VerificationFacts, 'document' | 'agreement' | 'approvals'>;
}

const EXECUTED_STATES = [AgreementStatus.Executed, AgreementStatus.Superseded, AgreementStatus.Terminated];

/** Agreements per page of a search when the caller names no limit. */
export const SEARCH_PAGE_DEFAULT = 50;

/** One executed agreement found by a search, with its sealed documents. */
export interface SearchResult {
  id: string;
  reference: string;
  title: string;
  status: AgreementStatus;
  executedAt: Date | null;
  versionNumber: number;
  pcnName: string;
  pcnCode: string | null;
  icbCode: string | null;
  documents: { id: string; reference: string; kind: string; title: string; sha256: string; sizeBytes: number }[];
}

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
    @Inject(sealConfig.KEY) private readonly sealSettings: SealConfig,
    @Inject(DOCUMENT_STORE) private readonly documentStore: DocumentStore,
  ) {}

  private trustCache?: { trust: SealTrust; fingerprints: Set<string> };

  /** The seal and TSA certificates verification trusts (current and retired seals), read once from the configuration. */
  private trust(): { trust: SealTrust; fingerprints: Set<string> } {
    if (!this.trustCache) {
      const trust = sealTrustFromConfig(this.sealSettings);
      this.trustCache = { trust, fingerprints: fingerprints(trust) };
    }
    return this.trustCache;
  }

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
    } catch (error) {
      if (!isAccessRefusal(error)) throw error;
      return false;
    }
  }

  private isParty(principal: Principal, doc: DocumentSummary): boolean {
    const mine = organisationsWithRole(principal, UserRole.PartnerSignatory, UserRole.PracticeSignatory, UserRole.PracticeManager);
    return doc.partyOrganisationIds.some((id) => mine.includes(id));
  }

  /**
   * The document's metadata (never its bytes), if the user may have it; otherwise "not found".
   * Downloads decide 304/206/416 on this first, then load bytes and record only what is sent.
   */
  async downloadable(principal: Principal, documentId: string): Promise<DocumentSummary> {
    const doc = await this.repo().findOneBy({ id: documentId });
    if (!doc || !((await this.canReadAgreement(principal, doc.agreementId)) || this.isParty(principal, doc))) {
      throw new DocumentsException(DocumentsErrorCode.DocumentNotFound, 'That document was not found, or you do not have access to it.');
    }
    return doc;
  }

  /** The stored bytes, or just the requested range of them (from the configured DocumentStore). */
  async bytes(documentId: string, range?: { start: number; end: number }): Promise<Buffer> {
    const bytes = await this.documentStore.get(documentId, range);
    if (!bytes) throw new DocumentsException(DocumentsErrorCode.DocumentNotFound, 'That document was not found, or you do not have access to it.');
    return bytes;
  }

  /** One audit event for a body actually sent: the whole file (200) or a range of it (206). */
  async recordDownload(principal: Principal, actor: ActorContext, doc: DocumentSummary, range?: { start: number; end: number }): Promise<void> {
    await this.audit.record(this.dataSource.manager, {
      type: AuditEventType.DocumentDownloaded,
      actor,
      actorName: principal.displayName,
      agreementId: doc.agreementId,
      revisionHash: doc.contentHash,
      payload: { documentId: doc.id, reference: doc.reference, sha256: doc.sha256, ...(range ? { range: `bytes ${range.start}-${range.end}/${doc.sizeBytes}` } : {}) },
    });
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

  /**
   * Executed agreements the user may see, filtered as auditors search, most recently executed
   * first, a page at a time: keyset on (executed_at, id), served by the partial index
   * network_agreement_executed_idx (or, for one PCN or ICB, by the PCN's own agreements).
   */
  async search(principal: Principal, query: SearchQuery, page: PageRequest = {}): Promise<Page<SearchResult>> {
    const limit = pageLimit(page, SEARCH_PAGE_DEFAULT);
    const statuses = query.status ? [query.status] : EXECUTED_STATES;
    const qb = this.dataSource
      .getRepository(NetworkAgreementEntity)
      .createQueryBuilder('a')
      .innerJoin('organisation', 'pcn', 'pcn.id = a.pcn_id')
      .select(['a.id AS id', 'a.reference AS reference', 'a.title AS title', 'a.status AS status', 'a.executed_at AS "executedAt"', 'a.version_number AS "versionNumber"', 'pcn.name AS "pcnName"', 'pcn.ods_code AS "pcnCode"', 'pcn.icb_code AS "icbCode"'])
      .where('a.status IN (:...statuses)', { statuses })
      .orderBy('a.executed_at', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .limit(limit + 1);
    if (query.pcnCode) qb.andWhere('pcn.ods_code = :pcnCode', { pcnCode: query.pcnCode });
    if (query.pcnName) qb.andWhere('pcn.name ILIKE :pcnName', { pcnName: `%${query.pcnName.replace(/[%_\\]/g, '\\$&')}%` });
    if (query.icbCode) qb.andWhere('pcn.icb_code = :icbCode', { icbCode: query.icbCode });
    if (query.practiceOdsCode) {
      // Schedule 1's core practices are filled from memberships, so only PCNs the practice has
      // ever been a member of can match: that narrows the search to a few PCNs' agreements
      // before the executed revision's content is read (a jsonb test on every executed
      // agreement otherwise).
      qb.andWhere('a.pcn_id IN (SELECT m.pcn_id FROM membership m INNER JOIN organisation p ON p.id = m.practice_id WHERE p.ods_code = :practice)', { practice: query.practiceOdsCode });
      qb.andWhere(
        `EXISTS (SELECT 1 FROM agreement_revision r WHERE r.agreement_id = a.id AND r.number = a.executed_revision_number AND r.content->'schedules'->'keyDetails'->'corePractices' @> :practiceJson::jsonb)`,
        { practiceJson: JSON.stringify([{ odsCode: query.practiceOdsCode }]) },
      );
    }
    if (query.executedFrom) qb.andWhere('a.executed_at >= :from', { from: query.executedFrom });
    if (query.executedTo) qb.andWhere(`a.executed_at < (:to::date + interval '1 day')`, { to: query.executedTo });
    if (page.after) qb.andWhere('(a.executed_at, a.id) < (SELECT c.executed_at, c.id FROM network_agreement c WHERE c.id = :after)', { after: page.after });
    if (!isPlatformAdmin(principal)) {
      const scope = auditorScope(principal);
      if (scope !== 'all') {
        const pcnIds = (await this.directory.listVisiblePcns(principal)).map((p) => p.id);
        if (pcnIds.length === 0) return { items: [], next: null };
        qb.andWhere('a.pcn_id IN (:...pcnIds)', { pcnIds });
      }
    }
    const { items: rows, next } = pageOf(await qb.getRawMany<Omit<SearchResult, 'documents'>>(), limit, (r) => r.id);
    const docs = rows.length
      ? await this.repo()
          .createQueryBuilder('d')
          .select(['d.id', 'd.agreementId', 'd.reference', 'd.kind', 'd.title', 'd.sha256', 'd.sizeBytes'])
          .where('d.agreement_id IN (:...ids)', { ids: rows.map((r) => r.id) })
          .orderBy('d.reference', 'ASC')
          .getMany()
      : [];
    const items = rows.map((row) => ({ ...row, documents: docs.filter((d) => d.agreementId === row.id).map((d) => ({ id: d.id, reference: d.reference, kind: d.kind, title: d.title, sha256: d.sha256, sizeBytes: d.sizeBytes })) }));
    return { items, next };
  }

  /**
   * Several documents the user may download, with their bytes, for a ZIP: one query for the
   * metadata, one access check per agreement, one query for the bytes, and one audit event per
   * document (each agreement's events in one transaction). Any document the user may not have
   * makes the whole request "not found", as a single download would.
   */
  async forZip(principal: Principal, documentIds: string[], actor: ActorContext): Promise<SealedDocumentWithBytes[]> {
    const ids = [...new Set(documentIds)];
    if (ids.length === 0) return [];
    const metas = await this.repo().find({ where: { id: In(ids) } });
    const readable = new Map<string, boolean>();
    for (const agreementId of new Set(metas.map((d) => d.agreementId))) readable.set(agreementId, await this.canReadAgreement(principal, agreementId));
    if (metas.length !== ids.length || metas.some((d) => !readable.get(d.agreementId) && !this.isParty(principal, d))) {
      throw new DocumentsException(DocumentsErrorCode.DocumentNotFound, 'That document was not found, or you do not have access to it.');
    }
    const bytes = await this.documentStore.getMany(ids);
    const byId = new Map(metas.map((d) => [d.id, d]));
    const docs: SealedDocumentWithBytes[] = ids.map((id) => Object.assign(new SealedDocumentEntity(), byId.get(id)!, { bytes: bytes.get(id)! }));
    for (const agreementId of new Set(docs.map((d) => d.agreementId))) {
      await this.dataSource.transaction(async (em) => {
        for (const doc of docs.filter((d) => d.agreementId === agreementId)) {
          await this.audit.record(em, {
            type: AuditEventType.DocumentDownloaded,
            actor,
            actorName: principal.displayName,
            agreementId: doc.agreementId,
            revisionHash: doc.contentHash,
            payload: { documentId: doc.id, reference: doc.reference, sha256: doc.sha256, zip: true },
          });
        }
      });
    }
    return docs;
  }

  /**
   * What an uploaded PDF is. The verifier judges the file (seal, trust, changes after sealing);
   * then the lookup says which part it is: by the stored file's SHA-256, else — for a file the
   * verifier found authentic — by the hash of the revision the seal covers (a later DSS or
   * document timestamp keeps it), else — for a file our seal signed that was then changed —
   * by the reference it carries, named but with no more than the code page shows.
   *
   * What it reveals: the part, PCN, dates and signers only when the bytes are a sealed part's
   * (possession of the document); nothing about any part otherwise. What it writes: a
   * DOCUMENT_VERIFIED event in the agreement's chain only when the bytes are exactly a stored
   * part; every check is counted in document_verification, outside all chains.
   */
  async verifyUpload(buffer: Buffer, actor: ActorContext, principal?: Principal | null): Promise<VerificationFacts> {
    const { trust, fingerprints: trusted } = this.trust();
    const check = await checkSealedUpload(buffer, trust, trusted);
    const sha256 = check.documentSha256;
    if (check.verdict === 'NOT_A_PDF' || check.truncated) {
      await this.count(VerificationChannel.Upload, 'NOT_A_PDF', null, principal);
      if (check.truncated) throw new DocumentsException(DocumentsErrorCode.TruncatedPdf, 'The PDF is incomplete: it stops before its end-of-file marker, so it was cut off in transfer. Upload the whole file.');
      throw new DocumentsException(DocumentsErrorCode.NotAPdf, 'The file is not a PDF (or it is damaged beyond reading). Upload the PDF you downloaded from the platform.');
    }
    // Exactly a stored file: the part as sealed, or a stored later version of it (renewed timestamps).
    let exact = await this.repo().findOneBy({ sha256 });
    if (!exact) {
      const version = await this.dataSource.getRepository(SealedDocumentVersionEntity).findOneBy({ sha256 });
      exact = version ? await this.repo().findOneBy({ id: version.documentId }) : null;
    }
    // An authentic file we do not hold byte for byte: the revision the seal covers is a part's.
    const signed = !exact && check.verdict === 'AUTHENTIC' && check.sealedRevisionSha256 ? await this.repo().findOneBy({ signedRevisionSha256: check.sealedRevisionSha256 }) : null;
    const possessed = exact ?? signed;
    const claimed = !possessed && check.ourSeal && (check.verdict === 'ALTERED' || check.verdict === 'MODIFIED_AFTER_SEAL') && check.embeddedReference
      ? await this.repo().findOneBy({ reference: check.embeddedReference })
      : null;

    let facts: VerificationFacts;
    if (possessed) {
      const verdict = check.verdict as VerificationVerdict;
      facts = { verdict, explanation: verdict === 'AUTHENTIC' ? (exact ? 'This is exactly the document the platform sealed: its SHA-256 matches our record and the seal is valid.' : 'The seal is valid and the sealed content is exactly what this platform sealed; only validation data (timestamps, certificates) was added after it.') : check.detail, sha256, match: exact ? 'EXACT' : 'SIGNED_REVISION', ...(await this.describe(possessed)) };
    } else if (claimed) {
      facts = { verdict: check.verdict as VerificationVerdict, explanation: `This file claims to be document ${claimed.reference}. ${check.detail}`, sha256, match: 'CLAIMED', part: await this.partSummary(claimed, true) };
    } else if (check.verdict === 'AUTHENTIC') {
      facts = { verdict: 'UNKNOWN_DOCUMENT', explanation: 'The PDF carries a valid seal of this platform, but we have no record of this document.', sha256, match: null };
    } else {
      // Not sealed, sealed with another key, or changed with no seal of ours to vouch for what it claims: nothing about any part.
      facts = { verdict: check.verdict as VerificationVerdict, explanation: check.verdict === 'NOT_SEALED' || check.verdict === 'UNTRUSTED_KEY' ? check.detail : `${check.detail} We cannot tell which document it was.`, sha256, match: null };
    }
    if (exact) {
      await this.audit.record(this.dataSource.manager, {
        type: AuditEventType.DocumentVerified,
        actor,
        actorName: principal?.displayName ?? null,
        agreementId: exact.agreementId,
        revisionHash: exact.contentHash,
        payload: { uploadedSha256: sha256, verdict: facts.verdict, documentId: exact.id },
      });
    }
    await this.count(VerificationChannel.Upload, facts.verdict, (possessed ?? claimed)?.id ?? null, principal);
    return facts;
  }

  /**
   * The public page behind a part's verification code. Without a file it never says
   * "authentic": anyone learns only that a part with this code exists, its type, PCN and
   * execution date; a signed-in party to it (or an auditor who may read the agreement) also
   * sees the sealed record (reference, hashes, signers). Nothing goes into any audit chain.
   */
  async lookupCode(input: string, principal?: Principal | null): Promise<CodeFacts> {
    const code = normaliseVerificationCode(input);
    const doc = code ? await this.repo().findOneBy({ verificationCode: code }) : null;
    if (!doc) {
      await this.count(VerificationChannel.Code, 'UNKNOWN_CODE', null, principal);
      throw new DocumentsException(DocumentsErrorCode.DocumentNotFound, 'There is no sealed document with this verification code. Check the code in the verification URL printed on the certificate page of your copy.');
    }
    const facts: CodeFacts = {
      code: doc.verificationCode,
      part: await this.partSummary(doc, false),
      fileRequired: true,
      explanation: 'A document with this verification code was sealed by this platform. To find out whether your copy is that document, unchanged, upload the PDF.',
    };
    if (principal && ((await this.canReadAgreement(principal, doc.agreementId)) || this.isParty(principal, doc))) {
      facts.record = await this.describe(doc);
    }
    await this.count(VerificationChannel.Code, 'FOUND', doc.id, principal);
    return facts;
  }

  /** What anyone may learn of a part: its type, PCN and execution date (and its reference, when the file named it). */
  private async partSummary(doc: DocumentSummary, withReference: boolean): Promise<PartSummary> {
    const agreement = await this.dataSource.getRepository(NetworkAgreementEntity).findOneByOrFail({ id: doc.agreementId });
    const pcn = await this.directory.getPcn(agreement.pcnId);
    return { kind: doc.kind, ...(withReference ? { reference: doc.reference } : {}), pcnName: pcn.name, pcnCode: pcn.odsCode, executedAt: agreement.executedAt };
  }

  /** Counts a verification outside every audit chain (no IP, user agent or file). */
  private async count(channel: VerificationChannel, verdict: string, documentId: string | null, principal?: Principal | null): Promise<void> {
    await this.dataSource.getRepository(DocumentVerificationEntity).insert({ channel, verdict, documentId, signedIn: !!principal });
  }

  private async describe(doc: DocumentSummary): Promise<Pick<VerificationFacts, 'document' | 'agreement' | 'approvals'>> {
    const agreement = await this.dataSource.getRepository(NetworkAgreementEntity).findOneByOrFail({ id: doc.agreementId });
    const pcn = await this.directory.getPcn(agreement.pcnId);
    return {
      document: { reference: doc.reference, verificationCode: doc.verificationCode, title: doc.title, kind: doc.kind, sha256: doc.sha256, sealedAt: doc.sealedAt, sealCertificateFingerprint: doc.sealCertificateFingerprint, sealCertificateSubject: doc.sealCertificateSubject },
      agreement: { reference: agreement.reference, title: agreement.title, status: agreement.status, pcnName: pcn.name, pcnCode: pcn.odsCode, executedAt: agreement.executedAt, revisionNumber: agreement.executedRevisionNumber, contentHash: doc.contentHash },
      approvals: doc.signatories,
    };
  }
}
