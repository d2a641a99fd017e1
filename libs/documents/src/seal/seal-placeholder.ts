import { pdfkitAddPlaceholder } from '@signpdf/placeholder-pdfkit';
import { SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';

/** Room for the CMS: certificate chain + signed attributes (+ a TSA token later). */
export const DEFAULT_SEAL_SIGNATURE_LENGTH = 16384;

export interface SealPlaceholderOptions {
  reason?: string;
  location?: string;
  contactInfo?: string;
  name?: string;
  /** Claimed signing time written to /M. Defaults to now. */
  signingTime?: Date;
  /** Bytes reserved for the DER CMS (the hex placeholder is twice this). */
  signatureLength?: number;
}

/**
 * Adds an invisible ETSI.CAdES.detached signature field to the *current* page
 * of a pdfkit document. Call it immediately before `doc.end()`.
 *
 * The returned refs are already ended by the helper: never call `.end()` on
 * them again (with pdfkit 0.20 the document would then never emit `end`).
 */
export function addSealPlaceholder(
  doc: PDFKit.PDFDocument,
  options: SealPlaceholderOptions = {},
): { signature: unknown; form: unknown; widget: unknown } {
  return pdfkitAddPlaceholder({
    pdf: doc,
    reason: options.reason ?? 'Network Agreement approved by all parties; sealed by the platform',
    contactInfo: options.contactInfo ?? 'agreements@example.nhs.uk',
    name: options.name ?? 'PCN Agreements Platform Seal',
    location: options.location ?? 'England',
    signingTime: options.signingTime,
    signatureLength: options.signatureLength ?? DEFAULT_SEAL_SIGNATURE_LENGTH,
    subFilter: SUBFILTER_ETSI_CADES_DETACHED,
    widgetRect: [0, 0, 0, 0],
    appName: 'pcn-agreements',
  } as Parameters<typeof pdfkitAddPlaceholder>[0]);
}
