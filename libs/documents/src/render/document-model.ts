/**
 * Document-oriented input for the agreement renderer.
 *
 * Deliberately independent of the domain content types in `@pcn/agreements`:
 * an adapter maps stored agreement content onto this shape, and the renderer
 * only ever sees strings that are ready to print.
 */

/** A run of prose. */
export interface ParagraphBlock {
  kind: 'paragraph';
  text: string;
}

/** A heading inside a section (rendered smaller than the section title). */
export interface SubheadingBlock {
  kind: 'subheading';
  text: string;
}

/** Label/value pairs, e.g. "Nominated payee: Example Surgery (A81001)". */
export interface KeyValueBlock {
  kind: 'keyValue';
  items: { label: string; value: string }[];
}

export interface TableColumn {
  header: string;
  /** Relative width; the renderer scales all ratios to the text width. */
  width: number;
}

/** A table whose rows wrap, break across pages and repeat the header row. */
export interface TableBlock {
  kind: 'table';
  columns: TableColumn[];
  rows: string[][];
  /** Optional caption, printed above the table and used as its accessible summary. */
  caption?: string;
}

export type Block = ParagraphBlock | SubheadingBlock | KeyValueBlock | TableBlock;

export interface DocumentSection {
  /** Stable identifier, e.g. `schedule-4` or `annex-dsa-1`. */
  id: string;
  title: string;
  blocks: Block[];
}

/**
 * An annex (data-sharing agreement, DPA, non-GP collaboration terms …).
 * `parties` lists the ODS codes of the organisations that are party to the
 * annex; the annex-only PDF carries only their signature blocks.
 */
export interface AnnexSection extends DocumentSection {
  /** One-line purpose, printed in the contents and on the annex cover. */
  purpose?: string;
  parties?: string[];
}

export interface Clause {
  number: string;
  heading: string;
  text: string;
}

export interface SignatureBlock {
  organisation: string;
  odsCode: string;
  person: string;
  capacity: string;
  /** Position in the signing queue (steps run in order; equal steps in parallel). */
  step: number;
  /** ISO 8601 instant, or null when this party has not yet approved. */
  approvedAt: string | null;
  /** e.g. "NHS CIS2 smartcard", "Email one-time code". */
  authMethod: string;
}

export interface CertificateEvent {
  /** ISO 8601 instant. */
  at: string;
  actor: string;
  organisation: string;
  action: string;
  ip: string;
  userAgent: string;
}

export interface CompletionCertificate {
  events: CertificateEvent[];
  /** SHA-256 (hex) of the approved revision content. */
  revisionHash: string;
  /** Human-readable reference of the platform seal certificate (e.g. subject + SHA-256 fingerprint). */
  sealCertificateRef: string;
  verificationUrl: string;
}

export interface PcnDetails {
  name: string;
  /** PCN ODS code, `U` + 5 digits. */
  code: string;
  /** ICB ODS code, e.g. `QE1`. */
  icbCode: string;
  /** Optional ICB display name. */
  icbName?: string;
}

export interface AgreementDocumentModel {
  /** Platform document reference, e.g. `NA-U12345-2026-0001-r3`. */
  reference: string;
  title: string;
  pcn: PcnDetails;
  version: string;
  status: string;
  /** ISO date (YYYY-MM-DD) or instant. */
  effectiveFrom: string;
  revisionHash: string;
  /** Draft documents carry a DRAFT watermark on every page and are never sealed. */
  draft: boolean;
  /** ISO instant; drives CreationDate/ModDate and the document ID, so output is reproducible. */
  generatedAt: string;
  clauses: Clause[];
  /** Schedules. */
  sections: DocumentSection[];
  annexes: AnnexSection[];
  /** One block per required signer. */
  signatures: SignatureBlock[];
  /** Information-governance sign-off (DPO, Caldicott Guardian …). */
  igApprovals: SignatureBlock[];
  certificate: CompletionCertificate;
}
