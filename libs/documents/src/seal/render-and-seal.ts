import { createHash } from 'node:crypto';
import type { AgreementDocumentModel } from '../render/document-model';
import { DocumentRenderError, renderAgreementPdf, RenderOptions } from '../render/render-agreement';
import type { SealPlaceholderOptions } from './seal-placeholder';
import type { PadesLevel, SealService } from './seal.service';

export interface SealedDocument {
  pdf: Buffer;
  /** SHA-256 (hex) of the sealed bytes; store it and print it in the auditor UI. */
  sha256: string;
  sealCertificateFingerprint: string;
  sealCertificateSubject: string;
  /** The claimed time, written to the signature dictionary's /M. */
  signingTime: string;
  /** PAdES level reached: B-B without a timestamp authority, B-LTA with one (by default). */
  level: PadesLevel;
}

/** Renders and seals in one go. Drafts are refused. */
export async function renderAndSeal(
  model: AgreementDocumentModel,
  sealService: SealService,
  options: Omit<RenderOptions, 'sealPlaceholder'> & { placeholder?: SealPlaceholderOptions; signingTime?: Date } = {},
): Promise<SealedDocument> {
  if (model.draft) throw new DocumentRenderError('Draft documents are never sealed');
  const signingTime = options.signingTime ?? new Date();
  const unsigned = await renderAgreementPdf(model, {
    annexId: options.annexId,
    sealPlaceholder: { ...options.placeholder, signingTime },
  });
  const pdf = await sealService.sealPdf(unsigned);
  return {
    pdf,
    sha256: createHash('sha256').update(pdf).digest('hex'),
    sealCertificateFingerprint: sealService.certificateFingerprint,
    sealCertificateSubject: sealService.certificateSubject,
    signingTime: signingTime.toISOString(),
    level: sealService.level,
  };
}
