import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AgreementDocumentInput, annexSectionId, buildAgreementDocumentModel } from '../model';
import { renderAndSeal } from '../seal/render-and-seal';
import { SealHolder } from '../seal.module';
import { DocumentKind, SealedDocumentEntity } from '../storage/sealed-document.entity';

export interface ExecutionDocumentsRequest {
  executionId: string;
  agreementId: string;
  revisionId: string;
  executedAt: Date;
  /** The seal's certificate reference is filled in here, from the seal actually used. */
  input: Omit<AgreementDocumentInput, 'sealCertificateRef'>;
  /** Annex id → organisations party to it (they may download that annex). */
  annexParties: Record<string, string[]>;
}

export type StoredDocument = Omit<SealedDocumentEntity, 'bytes'>;

/**
 * Renders and seals the executed agreement and each annex, then stores them. Rendering
 * happens outside any transaction (it is CPU work); storing is one insert per part that
 * ignores a part already stored, so a job that runs twice stores each document once.
 */
@Injectable()
export class DocumentsGenerator {
  constructor(private readonly holder: SealHolder) {}

  async render(request: ExecutionDocumentsRequest): Promise<SealedDocumentEntity[]> {
    const seal = this.holder.seal;
    const model = buildAgreementDocumentModel({ ...request.input, sealCertificateRef: seal.certificateRef });
    const signingTime = request.executedAt;
    const base = { agreementId: request.agreementId, executionId: request.executionId, revisionId: request.revisionId, contentHash: request.input.revision.contentHash, sealCertificateFingerprint: seal.certificateFingerprint, sealCertificateSubject: seal.certificateSubject, sealedAt: signingTime };

    const documents: SealedDocumentEntity[] = [];
    const whole = await renderAndSeal(model, seal, { signingTime });
    documents.push(Object.assign(new SealedDocumentEntity(), {
      ...base,
      reference: model.reference,
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
      const sealed = await renderAndSeal(model, seal, { signingTime, annexId: sectionId });
      const parties = model.annexes.find((a) => a.id === sectionId)?.parties ?? [];
      const reference = `${model.reference}-A${index + 1}`;
      documents.push(Object.assign(new SealedDocumentEntity(), {
        ...base,
        reference,
        kind: DocumentKind.Annex,
        part: annex.id,
        annexId: annex.id,
        title: `${request.input.title}: ${annex.title}`,
        partyOrganisationIds: request.annexParties[annex.id] ?? [],
        fileName: `${reference}.pdf`,
        sha256: sealed.sha256,
        sizeBytes: sealed.pdf.length,
        signatories: [...model.igApprovals, ...model.signatures].filter((s) => parties.includes(s.odsCode)),
        bytes: sealed.pdf,
      }));
    }
    return documents;
  }

  /** Inserts the documents not stored yet; returns what is stored for the execution. */
  async store(em: EntityManager, documents: SealedDocumentEntity[]): Promise<StoredDocument[]> {
    if (documents.length > 0) {
      await em.createQueryBuilder().insert().into(SealedDocumentEntity).values(documents).orIgnore().execute();
    }
    return em.getRepository(SealedDocumentEntity).find({ where: { executionId: documents[0]?.executionId }, order: { reference: 'ASC' } });
  }
}
