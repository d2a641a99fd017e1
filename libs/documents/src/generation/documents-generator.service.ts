import { X509Certificate } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { appConfig, AppConfig } from '@pcn/common';
import { AgreementDocumentInput, annexSectionId, buildAgreementDocumentModel } from '../model';
import type { AgreementDocumentModel } from '../render/document-model';
import type { SealService } from '../seal/seal.service';
import { annexPartReference } from '../render/render-agreement';
import { newVerificationCode, signedRevisionSha256, verificationUrl } from '../access/part-reference';
import { renderAndSeal } from '../seal/render-and-seal';
import { SealHolder } from '../seal.module';
import { DocumentKind, SealedDocumentEntity } from '../storage/sealed-document.entity';
import { DOCUMENT_STORE, DocumentStore } from '../storage/document-store';

export interface ExecutionDocumentsRequest {
  executionId: string;
  agreementId: string;
  revisionId: string;
  executedAt: Date;
  /** The seal's certificate reference is filled in here, from the seal actually used. */
  input: Omit<AgreementDocumentInput, 'sealCertificateRef'>;
  /** Annex id → organisations party to it (they may download that annex). */
  annexParties: Record<string, string[]>;
  /**
   * Public verification codes by part ('agreement' or the annex id). Missing ones are drawn at
   * random here, before rendering, because each part's verification URL is printed in it; pass
   * them to render the same bytes again for the same inputs.
   */
  verificationCodes?: Record<string, string>;
}

export type StoredDocument = Omit<SealedDocumentEntity, 'bytes'>;

/**
 * Renders and seals the executed agreement and each annex, then stores them. Rendering
 * happens outside any transaction (it is CPU work); storing is one insert per part that
 * ignores a part already stored, so a job that runs twice stores each document once.
 */
@Injectable()
export class DocumentsGenerator {
  constructor(
    private readonly holder: SealHolder,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
    @Inject(DOCUMENT_STORE) private readonly documentStore: DocumentStore,
  ) {}

  /** The model for one part: its own verification URL on its certificate (the part's reference is the renderer's). */
  private forPart(model: AgreementDocumentModel, code: string): AgreementDocumentModel {
    return { ...model, certificate: { ...model.certificate, verificationUrl: verificationUrl(this.app.PUBLIC_BASE_URL, code) } };
  }

  async render(request: ExecutionDocumentsRequest): Promise<SealedDocumentEntity[]> {
    const seal = this.holder.seal;
    const model = buildAgreementDocumentModel({ ...request.input, sealCertificateRef: seal.certificateRef });
    fillSealEvidence(model, seal, (index) => annexPartReference(model.reference, index));
    const signingTime = request.executedAt;
    const base = { agreementId: request.agreementId, executionId: request.executionId, revisionId: request.revisionId, contentHash: request.input.revision.contentHash, sealCertificateFingerprint: seal.certificateFingerprint, sealCertificateSubject: seal.certificateSubject, sealedAt: signingTime };

    const codes = { ...request.verificationCodes };
    const codeFor = (part: string) => (codes[part] ??= newVerificationCode());

    const documents: SealedDocumentEntity[] = [];
    const wholeCode = codeFor('agreement');
    const whole = await renderAndSeal(this.forPart(model, wholeCode), seal, { signingTime });
    documents.push(Object.assign(new SealedDocumentEntity(), {
      ...base,
      reference: model.reference,
      verificationCode: wholeCode,
      signedRevisionSha256: signedRevisionSha256(whole.pdf),
      kind: DocumentKind.Agreement,
      part: 'agreement',
      annexId: null,
      title: request.input.title,
      partyOrganisationIds: [],
      fileName: `${model.reference}.pdf`,
      sha256: whole.sha256,
      sizeBytes: whole.pdf.length,
      signatories: [...model.igApprovals, ...model.signatures],
      bytes: whole.pdf,
    }));
    for (const [index, annex] of request.input.revision.content.annexes.entries()) {
      if (!annex.id) continue;
      const sectionId = annexSectionId(annex.id);
      const code = codeFor(annex.id);
      const sealed = await renderAndSeal(this.forPart(model, code), seal, { signingTime, annexId: sectionId });
      const parties = model.annexes.find((a) => a.id === sectionId)?.parties ?? [];
      // The same string the renderer prints on every page of this annex and writes to /PcnReference.
      const reference = annexPartReference(model.reference, index);
      documents.push(Object.assign(new SealedDocumentEntity(), {
        ...base,
        reference,
        verificationCode: code,
        signedRevisionSha256: signedRevisionSha256(sealed.pdf),
        kind: DocumentKind.Annex,
        part: annex.id,
        annexId: annex.id,
        title: `${request.input.title}: ${annex.title}`,
        partyOrganisationIds: request.annexParties[annex.id] ?? [],
        fileName: `${reference}.pdf`,
        sha256: sealed.sha256,
        sizeBytes: sealed.pdf.length,
        signatories: [...model.igApprovals, ...model.signatures].filter((s) => (s.part === undefined ? parties.includes(s.odsCode) : s.part === sectionId)),
        bytes: sealed.pdf,
      }));
    }
    return documents;
  }

  /** Inserts the documents not stored yet; returns what is stored for the execution. */
  async store(em: EntityManager, documents: SealedDocumentEntity[]): Promise<StoredDocument[]> {
    await this.documentStore.put(em, documents);
    return em.getRepository(SealedDocumentEntity).find({ where: { executionId: documents[0]?.executionId }, order: { reference: 'ASC' } });
  }
}

/**
 * The certificate of completion names the seal actually used (subject, fingerprint, validity)
 * and the trusted-time source, and gives every part its stored reference.
 */
function fillSealEvidence(model: AgreementDocumentModel, seal: SealService, annexReference: (index: number) => string): void {
  const cert = model.certificate;
  if (cert.parts) {
    cert.parts = cert.parts.map((p) => (p.part === null ? { ...p, reference: model.reference } : { ...p, reference: p.reference || annexReference(model.annexes.findIndex((a) => a.id === p.part)) }));
  }
  if (!cert.summary) return;
  const loose = seal as unknown as { signer?: { certificate?: Buffer }; material?: { certificate?: Buffer } };
  const x509 = loose.signer?.certificate ?? loose.material?.certificate;
  let validFrom: string | null = null;
  let validTo: string | null = seal.certificateNotAfter ?? null;
  if (x509) {
    try {
      const parsed = new X509Certificate(x509);
      validFrom = new Date(parsed.validFrom).toISOString();
      validTo = new Date(parsed.validTo).toISOString();
    } catch {
      // Keep what the seal service reports.
    }
  }
  cert.summary = {
    ...cert.summary,
    seal: { subject: seal.certificateSubject, fingerprint: seal.certificateFingerprint, validFrom, validTo },
    timestamp: timestampAuthorityOf(seal),
  };
}

/** The timestamp authority the seal asks for trusted time, if one is configured. */
function timestampAuthorityOf(seal: SealService): { authority: string; time: string | null } | null {
  // SealService.timeSource (SEAL): trustedTime is false when no TSA is configured (B-B).
  const source = (seal as unknown as { timeSource?: { trustedTime: boolean; tsaUrl: string | null; level: string } }).timeSource;
  if (!source?.trustedTime || !source.tsaUrl) return null;
  return { authority: `${source.tsaUrl} (RFC 3161; sealed at PAdES ${source.level})`, time: null };
}
