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
  /**
   * The part this approval is for: an annex section id (`annex-<id>`), or null for the
   * agreement itself. An annex PDF shows only the approvals of that annex. Undefined
   * (older callers) falls back to matching the annex's parties by ODS code.
   */
  part?: string | null;
}

export interface CertificateEvent {
  /** ISO 8601 instant. */
  at: string;
  /** A person's name, or "The platform" for what the platform did itself. Never a user id. */
  actor: string;
  organisation: string;
  /** In words, e.g. "Signed Annex A: Anticipatory care data sharing". */
  action: string;
  ip: string;
  userAgent: string;
  /**
   * The part the event concerns: an annex section id, `'agreement'` for the agreement's own
   * approvals, or null/undefined for events about the whole revision (submitted, executed …).
   * An annex's certificate shows only general events and that annex's own.
   */
  part?: string | null;
}

/** One attempt (approval round) to get this revision approved. */
export interface CertificateRound {
  /** 1, 2 … within this revision. */
  number: number;
  /** ISO instant the round was sent. */
  sentAt: string;
  sentBy: string;
  /** ISO instant the round ended; null while open. */
  endedAt: string | null;
  /** In words: "Completed", "Declined", "Withdrawn", "Expired", "Restarted after expiry", "Open". */
  outcome: string;
  /** Why it ended, in words (who declined and why, the withdrawal reason …). */
  reason: string | null;
  /** Part the reason concerns (annex section id / 'agreement'); null = the whole revision. */
  part?: string | null;
}

/** One person's approval in the completing round, as evidence. */
export interface CertificateSigner {
  name: string;
  email: string;
  organisation: string;
  odsCode: string;
  capacity: string;
  /** e.g. "2 — Member practice and partner signatures". */
  step: string;
  /** Annex section id, or null for the agreement itself. */
  part: string | null;
  /** The part's title as printed, e.g. "The agreement" or "Annex A: …". */
  partTitle: string;
  /** "Signed", "Approved (information governance)", "Declined" … */
  outcome: string;
  sentAt: string | null;
  viewedAt: string | null;
  actedAt: string | null;
  ip: string;
  userAgent: string;
  authMethod: string;
  /** The name the person typed, shown as their adopted signature. */
  typedName: string;
  /** The authority the person confirmed, in words. */
  authority: string;
}

/** One sealed part and the hash of the content its signers approved. */
export interface CertificatePart {
  /** Annex section id, or null for the agreement. */
  part: string | null;
  title: string;
  reference: string;
  contentHash: string;
}

/** Emails the platform delivered to one person for this revision, summarised. */
export interface CertificateDelivery {
  name: string;
  email: string;
  count: number;
  /** What the emails were, in words ("2 signature requests, 1 reminder"). */
  kinds: string;
  firstAt: string;
  lastAt: string;
  /** Parts the person approves (annex section ids / 'agreement'); empty = not a signer. */
  parts: (string | null)[];
}

export interface CertificateSummary {
  /** Reference of the agreement (without part suffix), e.g. `NA-U70101-2026-0001-r1`. */
  agreementReference: string;
  revisionNumber: number;
  /** The clinical director (or whoever sent it), by name. */
  sender: string;
  createdAt: string;
  sentAt: string;
  completedAt: string;
  seal: { subject: string; fingerprint: string; validFrom: string | null; validTo: string | null };
  /** Trusted time: the timestamp authority the seal asks; null when none is configured. */
  timestamp: { authority: string; time: string | null } | null;
}

export interface CompletionCertificate {
  events: CertificateEvent[];
  /** SHA-256 (hex) of the approved revision content. */
  revisionHash: string;
  /** Human-readable reference of the platform seal certificate (e.g. subject + SHA-256 fingerprint). */
  sealCertificateRef: string;
  verificationUrl: string;
  /** The evidence summary; absent on draft and review copies. */
  summary?: CertificateSummary;
  rounds?: CertificateRound[];
  signers?: CertificateSigner[];
  parts?: CertificatePart[];
  deliveries?: CertificateDelivery[];
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
