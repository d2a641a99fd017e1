import PDFDocument from 'pdfkit';
import { addSealPlaceholder, SealPlaceholderOptions } from '../seal/seal-placeholder';
import type {
  AgreementDocumentModel,
  AnnexSection,
  Block,
  CertificateEvent,
  CertificateSigner,
  DocumentSection,
  KeyValueBlock,
  SignatureBlock,
  TableBlock,
} from './document-model';
import { FontKey, parsedFonts, shareFontMetrics } from './fonts';
import { formatDate, formatLondon, formatUtc } from './format';
import { drawText, heightOfLines, linesOf } from './line-breaks';

export interface RenderOptions {
  /**
   * Render only this annex (plus a cover, contents, a signature page for the
   * annex parties and a certificate). Clauses and schedules are never included,
   * so non-GP parties do not receive the financial or workforce schedules.
   */
  annexId?: string;
  /**
   * Reserve a PAdES signature placeholder (ETSI.CAdES.detached) so the output can
   * be passed to `SealService.sealPdf`. Refused for drafts.
   */
  sealPlaceholder?: boolean | SealPlaceholderOptions;
  /**
   * For an unsealed copy of the exact revision people are asked to approve (draft models
   * only): replaces "DRAFT — not for signature" on the cover, the footer and the watermark
   * with this label, e.g. "For review — the sealed copy is issued once everyone has signed".
   * Without it, drafts are labelled DRAFT as before.
   */
  reviewLabel?: string;
}

export class DocumentRenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DocumentRenderError';
  }
}

/** Custom key in the PDF document information dictionary holding the platform reference. */
export const INFO_REFERENCE_KEY = 'PcnReference';
export const INFO_ANNEX_KEY = 'PcnAnnex';

/**
 * The reference of an annex part, e.g. `NA-U70101-2026-0001-r4-A2` for the second annex
 * (index 1): one string printed on its every page, in its /PcnReference, stored, searched,
 * listed in ZIP manifests and named by verification.
 */
export function annexPartReference(agreementReference: string, annexIndex: number): string {
  return `${agreementReference}-A${annexIndex + 1}`;
}

// pdfkit's bundled typings lag behind 0.20 (struct trees, markings, buffered pages),
// so the document is handled through a loose alias.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type StructElement = any;

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = { top: 68, bottom: 62, left: 56, right: 56 };
const CONTENT_WIDTH = A4.width - MARGIN.left - MARGIN.right;

const COLOUR = {
  text: '#1d2327',
  muted: '#59636b',
  accent: '#005eb8',
  accentDark: '#003087',
  rule: '#c4ccd3',
  fill: '#e8eef4',
  zebra: '#f5f7f9',
  watermark: '#b3261e',
};

const BODY = { font: 'serif' as FontKey, size: 10, lineGap: 2.2 };
const TABLE = { font: 'cond' as FontKey, bold: 'condBold' as FontKey, size: 8.4, pad: 4 };

interface TocEntry {
  id: string;
  title: string;
  detail?: string;
  level: 0 | 1;
  page?: number;
}

/** Renders the full agreement (or a single annex) to PDF bytes. */
export function renderAgreementPdf(model: AgreementDocumentModel, options: RenderOptions = {}): Promise<Buffer> {
  try {
    return new AgreementRenderer(model, options).render();
  } catch (err) {
    return Promise.reject(err);
  }
}

/** Annex-only PDF: the annex with its own signature page for its parties only. */
export function renderAnnexPdf(
  model: AgreementDocumentModel,
  annexId: string,
  options: Omit<RenderOptions, 'annexId'> = {},
): Promise<Buffer> {
  return renderAgreementPdf(model, { ...options, annexId });
}

class AgreementRenderer {
  private readonly doc: Doc;
  private readonly annex?: AnnexSection;
  private readonly reference: string;
  private readonly title: string;
  private readonly toc: TocEntry[] = [];
  private section: StructElement = null;
  private contentsPages = 0;
  private readonly output: Promise<Buffer>;

  constructor(
    private readonly model: AgreementDocumentModel,
    private readonly options: RenderOptions,
  ) {
    if (options.sealPlaceholder && model.draft) {
      throw new DocumentRenderError('Draft documents are never sealed');
    }
    if (options.annexId) {
      this.annex = model.annexes.find((a) => a.id === options.annexId);
      if (!this.annex) throw new DocumentRenderError(`Unknown annex ${options.annexId}`);
    }
    this.reference = this.annex ? annexPartReference(model.reference, model.annexes.indexOf(this.annex)) : model.reference;
    this.title = this.annex ? `${this.annex.title}` : model.title;
    const generated = new Date(model.generatedAt);
    if (Number.isNaN(generated.getTime())) throw new DocumentRenderError('generatedAt must be an ISO date');

    const fonts = parsedFonts();
    const info: Record<string, unknown> = {
      Title: this.title,
      Author: `${model.pcn.name} (${model.pcn.code})`,
      Subject: `${this.annex ? 'Annex to Network Agreement' : 'Network Agreement'} ${this.reference}`,
      Keywords: `PCN ${model.pcn.code}; ICB ${model.pcn.icbCode}; ${this.reference}; revision ${model.revisionHash}`,
      Creator: 'PCN Agreements Platform',
      Producer: 'PCN Agreements Platform (pdfkit)',
      CreationDate: generated,
      ModDate: generated,
      [INFO_REFERENCE_KEY]: this.reference,
    };
    if (this.annex) info[INFO_ANNEX_KEY] = this.annex.id;
    this.doc = new PDFDocument({
      size: 'A4',
      margins: MARGIN,
      pdfVersion: '1.7',
      bufferPages: true,
      autoFirstPage: false,
      tagged: true,
      lang: 'en-GB',
      displayTitle: true,
      // `null` stops pdfkit from loading its default Helvetica (a non-embedded
      // Standard-14 font); every text call below selects an embedded DejaVu face.
      font: null,
      info,
    } as unknown as PDFKit.PDFDocumentOptions);
    this.output = collectOutput(this.doc);
    batchContentStreamWrites(this.doc);
    for (const [key, font] of Object.entries(fonts)) this.doc.registerFont(key, font);
    this.font('sans', 10);
  }

  render(): Promise<Buffer> {
    this.build();
    return this.output;
  }

  // ---------------------------------------------------------------- structure

  private build(): void {
    const { model, doc } = this;
    this.planToc();
    this.cover();
    this.reserveContents();
    if (this.annex) {
      this.renderSection(this.annex, 0, this.annexHeading(this.annex));
    } else {
      this.clauses();
      model.sections.forEach((s) => this.renderSection(s, 1, s.title));
      model.annexes.forEach((a) => this.renderSection(a, 1, this.annexHeading(a)));
    }
    const signers = this.signersInScope(model.signatures);
    this.signaturePages('signatures', 'Signatures', signers, this.signatureIntro());
    const ig = this.signersInScope(model.igApprovals);
    if (ig.length > 0) {
      this.signaturePages(
        'ig-approvals',
        'Information governance approvals',
        ig,
        'Data Protection Officer, Caldicott Guardian and IG lead sign-off for the data-sharing arrangements.',
      );
    }
    this.certificatePage();
    this.drawContents();
    this.outline();
    this.pageFurniture();
    if (this.options.sealPlaceholder) {
      const opts = typeof this.options.sealPlaceholder === 'object' ? this.options.sealPlaceholder : {};
      doc.switchToPage(doc.bufferedPageRange().count - 1);
      addSealPlaceholder(doc, opts);
    }
    doc.end();
  }

  private annexHeading(a: AnnexSection): string {
    return a.title;
  }

  /**
   * The approvals this document shows: every one for the whole agreement; for an annex only
   * the approvals of that annex (never a party's approval of the agreement or of another annex).
   */
  private signersInScope(blocks: SignatureBlock[]): SignatureBlock[] {
    const annex = this.annex;
    if (!annex) return blocks;
    const parties = new Set(annex.parties ?? []);
    return blocks.filter((b) => (b.part === undefined ? parties.has(b.odsCode) : b.part === annex.id));
  }

  /** An item tagged with a part belongs to an annex's certificate only when it is that annex's. */
  private inScope(part: string | null | undefined): boolean {
    return !this.annex || part === null || part === undefined || part === this.annex.id;
  }

  private eventsInScope(events: CertificateEvent[]): CertificateEvent[] {
    if (!this.annex) return events;
    if (events.some((e) => e.part !== undefined)) return events.filter((e) => this.inScope(e.part));
    // Events without part tags (older callers): keep those of this annex's organisations.
    const orgs = new Set(this.signersInScope(this.model.signatures).map((s) => s.organisation));
    this.signersInScope(this.model.igApprovals).forEach((s) => orgs.add(s.organisation));
    orgs.add(this.model.pcn.name);
    return events.filter((e) => !e.organisation || orgs.has(e.organisation));
  }

  private signatureIntro(): string {
    return this.annex
      ? `Parties to ${this.annex.title}. Each party approved this annex on the platform; the platform seal applied on completion protects the whole document.`
      : 'Each member practice and party approved this agreement on the platform in the signing order shown. Approval times are shown in UTC and in UK time (Europe/London). The platform seal applied on completion protects the whole document.';
  }

  private planToc(): void {
    const { model } = this;
    if (this.annex) {
      this.toc.push({ id: this.annex.id, title: this.annex.title, detail: this.annex.purpose, level: 0 });
    } else {
      this.toc.push({ id: 'clauses', title: 'Terms of the agreement', level: 0 });
      if (model.sections.length) this.toc.push({ id: 'schedules', title: 'Schedules', level: 0 });
      model.sections.forEach((s) => this.toc.push({ id: s.id, title: s.title, level: 1 }));
      if (model.annexes.length) this.toc.push({ id: 'annexes', title: 'Annexes', level: 0 });
      model.annexes.forEach((a) => this.toc.push({ id: a.id, title: a.title, detail: a.purpose, level: 1 }));
    }
    this.toc.push({ id: 'signatures', title: 'Signatures', level: 0 });
    if (this.signersInScope(model.igApprovals).length) {
      this.toc.push({ id: 'ig-approvals', title: 'Information governance approvals', level: 0 });
    }
    this.toc.push({ id: 'certificate', title: 'Certificate of completion', level: 0 });
  }

  private tocEntryHeight(e: TocEntry): number {
    const indent = e.level * 16;
    const w = CONTENT_WIDTH - indent - 48;
    let h = this.measure(e.title, e.level === 0 ? 'sansBold' : 'sans', 10, w, 1) + 7;
    if (e.detail) h += this.measure(e.detail, 'sans', 8.5, w, 1) + 1;
    return h;
  }

  private reserveContents(): void {
    const capacity = this.bottom() - MARGIN.top - 48;
    let pages = 1;
    let used = 0;
    for (const e of this.toc) {
      const h = this.tocEntryHeight(e);
      if (used + h > capacity) {
        pages++;
        used = 0;
      }
      used += h;
    }
    this.contentsPages = pages;
    const start = this.pageCount();
    for (let i = 0; i < pages; i++) this.newPage();
    this.contentsStart = start;
  }

  private contentsStart = 0;

  private drawContents(): void {
    const { doc } = this;
    doc.switchToPage(this.contentsStart);
    doc.x = MARGIN.left;
    doc.y = MARGIN.top;
    const sect = doc.struct('TOC');
    doc.addStructure(sect);
    this.section = sect;
    this.heading('Contents', 1);
    const capacityBottom = this.bottom();
    let page = this.contentsStart;
    for (const e of this.toc) {
      const h = this.tocEntryHeight(e);
      if (doc.y + h > capacityBottom && page < this.contentsStart + this.contentsPages - 1) {
        page++;
        doc.switchToPage(page);
        doc.y = MARGIN.top;
      }
      const indent = e.level * 16;
      const w = CONTENT_WIDTH - indent - 48;
      const y = doc.y;
      const item = doc.struct('TOCI');
      sect.add(item);
      item.add(
        doc.struct('Reference', () => {
          this.font(e.level === 0 ? 'sansBold' : 'sans', 10).fillColor(COLOUR.text);
          doc.text(e.title, MARGIN.left + indent, y, { width: w, lineGap: 1, goTo: e.id });
          if (e.detail) {
            this.font('sans', 8.5).fillColor(COLOUR.muted);
            this.text(e.detail, MARGIN.left + indent, doc.y + 1, { width: w, lineGap: 1 });
          }
          this.font('sans', 10).fillColor(COLOUR.text);
          doc.text(String(e.page ?? ''), MARGIN.left + CONTENT_WIDTH - 40, y, { width: 40, align: 'right' });
        }),
      );
      item.end();
      doc.y = y + h;
    }
    sect.end();
  }

  private outline(): void {
    const root = this.doc.outline;
    let parent: { addItem: (t: string, o: object) => typeof parent } | null = null;
    root.addItem('Cover', { pageNumber: 0 });
    root.addItem('Contents', { pageNumber: this.contentsStart });
    for (const e of this.toc) {
      const pageNumber = (e.page ?? 1) - 1;
      if (e.level === 0) {
        parent = root.addItem(e.title, { pageNumber, expanded: true });
      } else if (parent) {
        parent.addItem(e.title, { pageNumber });
      }
    }
  }

  private mark(id: string): void {
    const entry = this.toc.find((e) => e.id === id);
    if (entry && entry.page === undefined) entry.page = this.pageCount();
    this.doc.addNamedDestination(id);
  }

  // ------------------------------------------------------------------- pages

  private cover(): void {
    const { doc, model } = this;
    this.newPage();
    const sect = doc.struct('Sect');
    doc.addStructure(sect);
    this.section = sect;

    this.artifact(() => {
      doc.rect(0, 0, A4.width, 14).fill(COLOUR.accent);
    });
    let y = 92;
    this.tagged('P', () => {
      this.font('sansBold', 10).fillColor(COLOUR.accent);
      doc.text(this.annex ? 'PRIMARY CARE NETWORK · ANNEX' : 'PRIMARY CARE NETWORK AGREEMENT', MARGIN.left, y, {
        width: CONTENT_WIDTH,
        characterSpacing: 1.2,
      });
    });
    y = doc.y + 14;
    this.tagged('H1', () => {
      this.font('sansBold', 24).fillColor(COLOUR.accentDark);
      this.text(model.pcn.name, MARGIN.left, y, { width: CONTENT_WIDTH, lineGap: 2 });
    });
    y = doc.y + 6;
    this.tagged('P', () => {
      this.font('sans', 11).fillColor(COLOUR.muted);
      const icb = model.pcn.icbName ? `${model.pcn.icbName} (${model.pcn.icbCode})` : model.pcn.icbCode;
      this.text(`PCN code ${model.pcn.code}  ·  ICB ${icb}`, MARGIN.left, y, { width: CONTENT_WIDTH });
    });
    y = doc.y + 28;
    this.artifact(() => {
      doc.moveTo(MARGIN.left, y).lineTo(MARGIN.left + 60, y).lineWidth(3).strokeColor(COLOUR.accent).stroke();
    });
    y += 22;
    this.tagged('H2', () => {
      this.font('serifBold', 20).fillColor(COLOUR.text);
      this.text(this.title, MARGIN.left, y, { width: CONTENT_WIDTH, lineGap: 3 });
    });
    y = doc.y + 6;
    if (this.annex) {
      this.tagged('P', () => {
        this.font('serif', 11).fillColor(COLOUR.muted);
        this.text(`Annex to ${model.title} (${model.reference})`, MARGIN.left, y, { width: CONTENT_WIDTH });
        if (this.annex?.purpose) this.text(this.annex.purpose, MARGIN.left, doc.y + 4, { width: CONTENT_WIDTH });
      });
      y = doc.y;
    }
    doc.y = y + 30;
    const meta: KeyValueBlock = {
      kind: 'keyValue',
      items: [
        { label: 'Document reference', value: this.reference },
        { label: 'Version', value: model.version },
        { label: 'Status', value: model.draft ? `${model.status} (${this.options.reviewLabel ?? 'DRAFT — not for signature'})` : model.status },
        { label: 'Effective from', value: formatDate(model.effectiveFrom) },
        { label: 'Revision SHA-256', value: model.revisionHash },
        { label: 'Generated', value: formatUtc(model.generatedAt) },
      ],
    };
    this.keyValue(meta, { labelWidth: 130, monoValues: new Set(['Revision SHA-256']), size: 9.6 });
    const note = model.draft && this.options.reviewLabel
      ? `${this.options.reviewLabel}. This copy is the exact text you are asked to approve; it has not yet been approved by every party and carries no platform seal.`
      : model.draft
      ? 'This is a draft for review. It has not been approved by the parties and carries no platform seal.'
      : 'This document is protected by the platform seal (a PAdES digital signature). Any change to the file invalidates the seal; verify it with any PDF reader that checks signatures, or at the verification address on the certificate of completion.';
    doc.y = Math.max(doc.y + 24, 640);
    this.tagged('P', () => {
      this.font('sans', 8.5).fillColor(COLOUR.muted);
      this.text(note, MARGIN.left, doc.y, { width: CONTENT_WIDTH, lineGap: 1.5 });
    });
    sect.end();
  }

  private clauses(): void {
    const { doc, model } = this;
    this.startSection('clauses', 'Terms of the agreement');
    for (const c of model.clauses) {
      const heading = `${c.number}  ${c.heading}`;
      const hh = this.measure(heading, 'sansBold', 11, CONTENT_WIDTH, 1);
      this.ensure(hh + 8 + this.lineHeight(BODY.font, BODY.size) * 2);
      const y = doc.y;
      this.tagged('H2', () => {
        this.font('sansBold', 11).fillColor(COLOUR.accentDark);
        this.text(heading, MARGIN.left, y, { width: CONTENT_WIDTH, lineGap: 1 });
      });
      doc.y += 4;
      for (const para of c.text.split(/\n{2,}/)) this.paragraph(para);
      doc.y += 6;
    }
    this.endSection();
  }

  private renderSection(s: DocumentSection | AnnexSection, level: 0 | 1, title: string): void {
    const { doc } = this;
    let parent: string | undefined;
    if (level === 1 && this.model.sections[0]?.id === s.id) parent = 'schedules';
    if (level === 1 && this.model.annexes[0]?.id === s.id) parent = 'annexes';
    this.startSection(s.id, title, parent);
    const purpose = (s as AnnexSection).purpose;
    if (purpose) {
      this.tagged('P', () => {
        this.font('serif', 10.5).fillColor(COLOUR.muted);
        this.text(purpose, MARGIN.left, doc.y, { width: CONTENT_WIDTH, lineGap: 2 });
      });
      doc.y += 10;
    }
    for (const b of s.blocks) this.block(b);
    this.endSection();
  }

  private signaturePages(id: string, title: string, blocks: SignatureBlock[], intro: string): void {
    const { doc } = this;
    this.startSection(id, title);
    this.paragraph(intro, { size: 9.5, colour: COLOUR.muted });
    doc.y += 4;
    const sorted = [...blocks].sort((a, b) => a.step - b.step);
    const groups: SignatureBlock[][] = [];
    for (const s of sorted) {
      const last = groups[groups.length - 1];
      if (last && last[0].odsCode === s.odsCode && last[0].organisation === s.organisation) last.push(s);
      else groups.push([s]);
    }
    for (const g of groups) this.signatureCard(g);
    if (sorted.length === 0) this.paragraph('No signatories are recorded for this document.');
    this.endSection();
  }

  /**
   * One card per organisation (consecutive blocks with the same ODS code), one grid per
   * signatory. A card that fits on a page is never split; a longer one (a large partnership
   * whose partners each approve the agreement and several annexes) goes on over as many pages
   * as it needs, as cards headed "(continued)", each holding the grids that fit. Without that
   * the card ran past the foot of the page and pdfkit moved every later line to a page of its own.
   */
  private signatureCard(group: SignatureBlock[]): void {
    const { doc } = this;
    const first = group[0];
    const pad = 9;
    const inner = CONTENT_WIDTH - pad * 2;
    const odsW = 92;
    const orgW = inner - odsW - 8;
    const colGap = 10;
    const colW = (inner - colGap * 2) / 3;
    const LABEL = { font: 'condBold' as FontKey, size: 6.8 };
    const VALUE = { font: 'cond' as FontKey, size: 9.2 };
    const cellsFor = (s: SignatureBlock): [string, string][] => [
      ['Signatory', s.person],
      ['Capacity', s.capacity],
      ['Signing step', String(s.step)],
      ['Approved (UTC)', s.approvedAt ? formatUtc(s.approvedAt) : 'Not yet approved'],
      ['Approved (UK time, Europe/London)', s.approvedAt ? formatLondon(s.approvedAt) : 'Not yet approved'],
      ['Authentication', s.authMethod],
    ];
    const labelH = (t: string) => this.measure(t.toUpperCase(), LABEL.font, LABEL.size, colW, 0);
    const cellH = ([l, v]: [string, string]) => labelH(l) + 2 + this.measure(v, VALUE.font, VALUE.size, colW, 1);
    const layouts = group.map((s) => {
      const cells = cellsFor(s);
      const r1 = Math.max(...cells.slice(0, 3).map(cellH));
      const r2 = Math.max(...cells.slice(3).map(cellH));
      return { cells, r1, r2, h: r1 + 6 + r2, approved: !!s.approvedAt };
    });
    type Grid = (typeof layouts)[number];
    const sepGap = 9;
    const headingOf = (continued: boolean) => (continued ? `${first.organisation} (continued)` : first.organisation);
    const orgHeight = (heading: string) => Math.max(this.measure(heading, 'sansBold', 10.5, orgW, 1), 14);
    const cardHeight = (grids: Grid[], heading: string) => pad + orgHeight(heading) + 7 + grids.reduce((sum, l, i) => sum + l.h + (i ? sepGap : 0), 0) + pad;
    const pageRoom = this.bottom() - MARGIN.top - 8;

    const drawCard = (grids: Grid[], heading: string) => {
      const orgH = orgHeight(heading);
      const h = cardHeight(grids, heading);
      const x = MARGIN.left;
      const y = doc.y;
      const approved = grids.every((l) => l.approved);
      this.artifact(() => {
        doc.roundedRect(x, y, CONTENT_WIDTH, h, 4).lineWidth(0.7).strokeColor(COLOUR.rule).stroke();
        doc.rect(x, y, 3, h).fill(approved ? COLOUR.accent : COLOUR.rule);
        const ly = y + pad + orgH + 3;
        doc.moveTo(x + pad, ly).lineTo(x + CONTENT_WIDTH - pad, ly).lineWidth(0.4).strokeColor(COLOUR.rule).stroke();
      });
      const div = doc.struct('Div');
      this.section.add(div);
      div.add(
        doc.struct('H3', () => {
          this.font('sansBold', 10.5).fillColor(COLOUR.text);
          this.text(heading, x + pad, y + pad, { width: orgW, lineGap: 1 });
          this.font('mono', 9).fillColor(COLOUR.accentDark);
          doc.text(`ODS ${first.odsCode}`, x + pad + orgW + 8, y + pad + 1.5, { width: odsW, align: 'right' });
        }),
      );
      let cy = y + pad + orgH + 7;
      grids.forEach((l, n) => {
        if (n > 0) {
          const sy = cy + sepGap / 2 - 1;
          this.artifact(() => {
            doc.moveTo(x + pad, sy).lineTo(x + CONTENT_WIDTH - pad, sy).dash(1.5, { space: 2 }).lineWidth(0.4).strokeColor(COLOUR.rule).stroke().undash();
          });
          cy += sepGap;
        }
        l.cells.forEach(([label, value], i) => {
          const cx = x + pad + (i % 3) * (colW + colGap);
          const top = i < 3 ? cy : cy + l.r1 + 6;
          const valueY = top + labelH(label) + 2;
          div.add(
            doc.struct('P', () => {
              this.font(LABEL.font, LABEL.size).fillColor(COLOUR.muted);
              this.text(label.toUpperCase(), cx, top, { width: colW, characterSpacing: 0.3 });
              this.font(VALUE.font, VALUE.size).fillColor(COLOUR.text);
              this.text(value, cx, valueY, { width: colW, lineGap: 1 });
            }),
          );
        });
        cy += l.h;
      });
      div.end();
      doc.x = MARGIN.left;
      doc.y = y + h + 8;
    };

    // The whole card on one page when it can be: here, or at the top of the next page.
    const whole = cardHeight(layouts, headingOf(false));
    if (whole <= pageRoom) {
      this.ensure(whole + 8);
      drawCard(layouts, headingOf(false));
      return;
    }
    let next = 0;
    while (next < layouts.length) {
      const heading = headingOf(next > 0);
      const room = this.bottom() - doc.y - 8;
      let height = cardHeight([], heading);
      let count = 0;
      for (; next + count < layouts.length; count++) {
        const added = layouts[next + count].h + (count > 0 ? sepGap : 0);
        if (height + added > room) break;
        height += added;
      }
      if (count === 0) {
        // Not even one grid fits below what is already on this page: go on on the next one.
        // (One grid with its heading is far shorter than a page, so a fresh page always takes one.)
        if (doc.y > MARGIN.top) {
          this.newPage();
          continue;
        }
        count = 1;
      }
      drawCard(layouts.slice(next, next + count), heading);
      next += count;
    }
  }

  private certificatePage(): void {
    const { doc, model } = this;
    const cert = model.certificate;
    const summary = cert.summary;
    const annex = this.annex;
    this.startSection('certificate', 'Certificate of completion');
    this.paragraph(
      annex
        ? `This certificate records how ${annex.title} was approved: by whom, when, from where and how they signed in. The platform seal (a PAdES digital signature over the whole file) protects this page and every page before it. Times are shown in UTC and in UK time (Europe/London).`
        : 'This certificate records how the agreement and each of its parts were approved: by whom, when, from where and how they signed in. The platform seal (a PAdES digital signature over the whole file) protects this page and every page before it. Times are shown in UTC and in UK time (Europe/London).',
      { size: 9.5, colour: COLOUR.muted },
    );
    doc.y += 4;
    const both = (iso: string | null | undefined) => (iso ? `${formatUtc(iso)} (${formatLondon(iso)})` : '—');
    // An annex's certificate: only the approvals of that annex (part null is the agreement's own).
    const signers = (cert.signers ?? []).filter((s) => !annex || s.part === annex.id);
    const parts = cert.parts ?? [];
    const ownPart = parts.find((p) => p.part === (annex ? annex.id : null));
    const items: { label: string; value: string }[] = [{ label: 'Part reference', value: this.reference }];
    if (annex) items.push({ label: 'Part', value: annex.title });
    items.push(
      { label: annex ? 'Annex to' : 'Agreement', value: `${model.title}, version ${model.version}${summary && annex ? ` (${summary.agreementReference})` : ''}` },
      { label: 'Primary Care Network', value: `${model.pcn.name} (${model.pcn.code}), ICB ${model.pcn.icbCode}` },
      { label: 'Status', value: model.status },
    );
    if (summary) items.push({ label: 'Revision', value: `Revision ${summary.revisionNumber}` });
    items.push({ label: 'Revision SHA-256', value: cert.revisionHash });
    if (annex && ownPart) items.push({ label: 'Annex content SHA-256', value: ownPart.contentHash });
    if (summary) {
      const people = new Set(signers.map((s) => s.email.toLowerCase())).size;
      items.push(
        { label: 'Sent by', value: summary.sender },
        { label: 'Created', value: both(summary.createdAt) },
        { label: 'Sent for approval', value: both(summary.sentAt) },
        { label: 'Completed', value: both(summary.completedAt) },
        { label: 'Signers', value: `${signers.length} ${signers.length === 1 ? 'approval' : 'approvals'} by ${people} ${people === 1 ? 'person' : 'people'}` },
        { label: 'Seal certificate', value: summary.seal.subject || cert.sealCertificateRef },
        { label: 'Seal certificate SHA-256', value: summary.seal.fingerprint || '—' },
        { label: 'Seal certificate valid', value: `From ${formatUtc(summary.seal.validFrom)} to ${formatUtc(summary.seal.validTo)}` },
        {
          label: 'Trusted time',
          value: summary.timestamp
            ? `Timestamp authority: ${summary.timestamp.authority}. ${summary.timestamp.time ? `Time: ${both(summary.timestamp.time)}.` : 'The trusted time is in the signature timestamp token the authority issued when the seal was applied; PDF readers show it with the signature.'}`
            : 'No trusted timestamp (no timestamp authority configured)',
        },
      );
    } else {
      items.push({ label: 'Seal certificate', value: cert.sealCertificateRef });
    }
    items.push(
      { label: 'Verification URL', value: cert.verificationUrl },
      { label: 'Generated', value: both(model.generatedAt) },
    );
    const mono = new Set(['Revision SHA-256', 'Annex content SHA-256', 'Seal certificate SHA-256']);
    this.keyValue({ kind: 'keyValue', items }, { labelWidth: 130, monoValues: mono, size: 9 });

    const splitHash = (h: string) => (h.length > 32 ? `${h.slice(0, 32)} ${h.slice(32)}` : h);
    if (!annex && parts.length > 0) {
      this.headedTable('Parts and what each was approved against', {
        kind: 'table',
        columns: [
          { header: 'Part', width: 2.6 },
          { header: 'Reference', width: 2.2 },
          { header: 'Content SHA-256', width: 3.2 },
        ],
        rows: parts.map((p) => [p.part === null ? `${p.title} (the whole agreement)` : p.title, p.reference, splitHash(p.contentHash)]),
      });
    }

    if (cert.rounds?.length) {
      this.headedTable(`Approval rounds for ${summary ? `revision ${summary.revisionNumber}` : 'this revision'}`, {
        kind: 'table',
        columns: [
          { header: 'Round', width: 0.7 },
          { header: 'Sent', width: 2.1 },
          { header: 'Ended', width: 2.1 },
          { header: 'Outcome', width: 1.2 },
          { header: 'Reason', width: 3.4 },
        ],
        rows: cert.rounds.map((r) => [
          String(r.number),
          `${both(r.sentAt)}\nby ${r.sentBy}`,
          r.endedAt ? both(r.endedAt) : '—',
          r.outcome,
          r.reason ? (this.inScope(r.part) ? r.reason : 'Declined by a party to another part of the agreement.') : '—',
        ]),
      });
    }

    if (summary) {
      if (signers.length === 0) {
        this.subheading('Signers');
        this.paragraph('No approvals are recorded for this part.');
      } else {
        this.headedTable('Signers', this.signerTable(signers));
      }
    }

    const deliveries = (cert.deliveries ?? []).filter((d) => !annex || d.parts.length === 0 || d.parts.includes(annex.id));
    if (deliveries.length > 0) {
      this.headedTable('Emails delivered', {
        kind: 'table',
        columns: [
          { header: 'Person', width: 2.9 },
          { header: 'Emails', width: 2.6 },
          { header: 'First and last delivered', width: 2.6 },
        ],
        rows: deliveries.map((d) => [`${d.name}\n${d.email}`, `${d.count}: ${d.kinds}`, `${both(d.firstAt)}\n${both(d.lastAt)}`]),
      });
    }

    const events = [...this.eventsInScope(cert.events)].sort((a, b) => a.at.localeCompare(b.at));
    this.headedTable('Event history', {
      kind: 'table',
      columns: [
        { header: 'Time', width: 2.15 },
        { header: 'Who', width: 1.9 },
        { header: 'What', width: 2.5 },
        { header: 'From (IP address, user agent)', width: 1.85 },
      ],
      rows: events.map((e) => [
        `${formatUtc(e.at)}\n${formatLondon(e.at)}`,
        e.organisation ? `${e.actor}\n${e.organisation}` : e.actor,
        e.action,
        [e.ip, e.userAgent].filter(Boolean).join('\n') || '—',
      ]),
    });
    this.endSection();
  }

  /**
   * Every approval's evidence, one table row each, in the columns e-signature certificates
   * of completion use: who signed and how they signed in; what they approved, on what
   * authority and with what adopted signature; when it was sent, viewed and signed, and from
   * where. About seven approvals fit on a page, five with browsers' long user agents (a block
   * of twelve labelled lines each fitted three), and each is one row of four elements in the
   * structure tree instead of 37: in the national drill's agreements (60 approvals on
   * average) those blocks were 40 % of a part's rendering time.
   */
  private signerTable(signers: CertificateSigner[]): TableBlock {
    const when = (label: string, iso: string | null | undefined, missing: string) =>
      iso ? `${label} ${formatUtc(iso)}\n(${formatLondon(iso)})` : `${label}: ${missing}`;
    const acted = (s: CertificateSigner) =>
      s.outcome.startsWith('Declined') ? 'Declined' : s.outcome.startsWith('Approved') ? 'Approved' : s.outcome;
    return {
      kind: 'table',
      columns: [
        { header: 'Signer and how they signed in', width: 2.8 },
        { header: 'What they approved', width: 3.2 },
        { header: 'When (UTC, then UK time) and from where', width: 3 },
      ],
      rows: signers.map((s) => [
        [
          s.name,
          `${s.organisation}${s.odsCode ? ` (ODS ${s.odsCode})` : ''}`,
          s.email,
          `Capacity: ${s.capacity}`,
          `Sign-in method: ${s.authMethod}`,
        ].join('\n'),
        [
          ...(this.annex ? [] : [`Part: ${s.partTitle}`]),
          `Step ${s.step}`,
          `Authority: ${s.authority}`,
          `Adopted signature: ${s.typedName ? `“${s.typedName}” (the name the signer typed as their signature)` : '—'}`,
        ].join('\n'),
        [
          when('Sent', s.sentAt, 'not recorded'),
          when('Viewed', s.viewedAt, 'not recorded'),
          when(acted(s), s.actedAt, '—'),
          `IP address: ${s.ip || '—'}`,
          `User agent: ${s.userAgent || '—'}`,
        ].join('\n'),
      ]),
    };
  }

  // ------------------------------------------------------------------ blocks

  private block(b: Block): void {
    switch (b.kind) {
      case 'paragraph':
        return this.paragraph(b.text);
      case 'subheading':
        return this.subheading(b.text);
      case 'keyValue':
        return this.keyValue(b);
      case 'table':
        return this.table(b);
    }
  }

  private paragraph(text: string, opts: { size?: number; colour?: string } = {}): void {
    const { doc } = this;
    const size = opts.size ?? BODY.size;
    // Keep at least two lines together (no orphan at the foot of a page); longer text flows on.
    const line = this.lineHeight(BODY.font, size) + BODY.lineGap;
    this.ensure(text.length > 90 ? line * 2 : this.measure(text, BODY.font, size, CONTENT_WIDTH, BODY.lineGap));
    this.tagged('P', () => {
      this.font(BODY.font, size).fillColor(opts.colour ?? COLOUR.text);
      // May flow across pages; pdfkit carries the marked content over.
      this.text(text, MARGIN.left, doc.y, { width: CONTENT_WIDTH, lineGap: BODY.lineGap });
    });
    doc.y += 5;
  }

  /** A heading that starts a new page rather than end one: it stays with `keepWith` points of what follows (at least two lines). */
  private subheading(text: string, keepWith = 0): void {
    const { doc } = this;
    const h = this.measure(text, 'sansBold', 10.5, CONTENT_WIDTH, 1);
    doc.y += 4;
    this.ensure(h + 6 + Math.max(this.lineHeight(BODY.font, BODY.size) * 2, keepWith));
    this.tagged('H3', () => {
      this.font('sansBold', 10.5).fillColor(COLOUR.accentDark);
      this.text(text, MARGIN.left, doc.y, { width: CONTENT_WIDTH, lineGap: 1 });
    });
    doc.y += 4;
  }

  private keyValue(
    b: KeyValueBlock,
    opts: { labelWidth?: number; monoValues?: Set<string>; size?: number } = {},
  ): void {
    const { doc } = this;
    const size = opts.size ?? 9.5;
    const labelW = opts.labelWidth ?? Math.round(CONTENT_WIDTH * 0.32);
    const gap = 12;
    const valueW = CONTENT_WIDTH - labelW - gap;
    const list = doc.struct('L');
    this.section.add(list);
    for (const item of b.items) {
      const mono = opts.monoValues?.has(item.label);
      const vFont: FontKey = mono ? 'mono' : 'sans';
      const vSize = mono ? Math.min(size - 1, 8.4) : size;
      const lh = this.measure(item.label, 'sansBold', size, labelW, 1);
      const vh = this.measure(item.value, vFont, vSize, valueW, 1);
      const h = Math.max(lh, vh);
      this.ensure(h + 5);
      const y = doc.y;
      list.add(
        doc.struct('LI', [
          doc.struct('Lbl', () => {
            this.font('sansBold', size).fillColor(COLOUR.muted);
            this.text(item.label, MARGIN.left, y, { width: labelW, lineGap: 1 });
          }),
          doc.struct('LBody', () => {
            this.font(vFont, vSize).fillColor(COLOUR.text);
            this.text(item.value, MARGIN.left + labelW + gap, y + (mono ? 0.8 : 0), { width: valueW, lineGap: 1 });
          }),
        ]),
      );
      this.artifact(() => {
        doc
          .moveTo(MARGIN.left, y + h + 2.5)
          .lineTo(MARGIN.left + CONTENT_WIDTH, y + h + 2.5)
          .lineWidth(0.3)
          .strokeColor(COLOUR.rule)
          .stroke();
      });
      doc.x = MARGIN.left;
      doc.y = y + h + 5;
    }
    list.end();
    doc.y += 6;
  }

  /** Column positions and text widths of a table, and how tall a cell's text and the header row are. */
  private tableGeometry(b: TableBlock) {
    const pad = TABLE.pad;
    const total = b.columns.reduce((s, c) => s + c.width, 0);
    const widths = b.columns.map((c) => (c.width / total) * CONTENT_WIDTH);
    const xs = widths.map((_, i) => MARGIN.left + widths.slice(0, i).reduce((s, w) => s + w, 0));
    const textW = widths.map((w) => w - pad * 2);
    const cellHeight = (t: string, i: number, bold = false) =>
      this.measure(t, bold ? TABLE.bold : TABLE.font, TABLE.size, textW[i], 0.8);
    const headerH = Math.max(...b.columns.map((c, i) => cellHeight(c.header, i, true))) + pad * 2;
    return { pad, xs, textW, cellHeight, headerH };
  }

  /** A table under its own heading, the heading kept on the page of the table's first row. */
  private headedTable(heading: string, b: TableBlock): void {
    this.subheading(heading, this.tableStartHeight(b));
    this.table(b);
  }

  /** The height of a table's header and first row: what a heading above it must stay with. */
  private tableStartHeight(b: TableBlock): number {
    const { pad, cellHeight, headerH } = this.tableGeometry(b);
    const first = b.rows[0];
    return headerH + (first ? Math.max(...first.map((t, i) => cellHeight(t ?? '', i))) + pad * 2 : 0);
  }

  private table(b: TableBlock): void {
    const { doc } = this;
    const { pad, xs, textW, cellHeight, headerH } = this.tableGeometry(b);

    const caption = b.caption;
    if (caption) {
      const ch = this.measure(caption, 'sansBold', 9, CONTENT_WIDTH, 1);
      this.ensure(ch + 4 + headerH + 30);
      this.tagged('Caption', () => {
        this.font('sansBold', 9).fillColor(COLOUR.text);
        this.text(caption, MARGIN.left, doc.y, { width: CONTENT_WIDTH, lineGap: 1 });
      });
      doc.y += 3;
    }

    const table = doc.struct('Table');
    this.section.add(table);

    const drawHeader = (repeat: boolean) => {
      const y = doc.y;
      this.artifact(() => {
        doc.rect(MARGIN.left, y, CONTENT_WIDTH, headerH).fill(COLOUR.fill);
        doc
          .moveTo(MARGIN.left, y + headerH)
          .lineTo(MARGIN.left + CONTENT_WIDTH, y + headerH)
          .lineWidth(0.8)
          .strokeColor(COLOUR.accent)
          .stroke();
      });
      const drawCells = () => {
        this.font(TABLE.bold, TABLE.size).fillColor(COLOUR.accentDark);
        b.columns.forEach((c, i) => this.text(c.header, xs[i] + pad, y + pad, { width: textW[i], lineGap: 0.8 }));
      };
      if (repeat) {
        this.artifact(drawCells);
      } else {
        const tr = doc.struct('TR');
        table.add(tr);
        b.columns.forEach((c, i) =>
          tr.add(
            doc.struct('TH', { scope: 'Column' }, () => {
              this.font(TABLE.bold, TABLE.size).fillColor(COLOUR.accentDark);
              this.text(c.header, xs[i] + pad, y + pad, { width: textW[i], lineGap: 0.8 });
            }),
          ),
        );
        tr.end();
      }
      doc.y = y + headerH;
    };

    this.ensure(headerH + 24);
    drawHeader(false);
    const capacity = this.bottom() - MARGIN.top - headerH - 2;
    let zebra = false;
    const queue = b.rows.map((r) => b.columns.map((_, i) => r[i] ?? ''));
    while (queue.length) {
      let cells = queue.shift() as string[];
      let rowH = Math.max(...cells.map((t, i) => cellHeight(t, i))) + pad * 2;
      if (doc.y + rowH > this.bottom()) {
        const available = this.bottom() - doc.y;
        if (rowH > capacity && available > 40) {
          // Too tall for any page: split the row's text over this page and the next.
          const [head, rest] = this.splitRow(cells, textW, available - pad * 2);
          if (head) {
            queue.unshift(rest);
            cells = head;
            rowH = Math.max(...cells.map((t, i) => cellHeight(t, i))) + pad * 2;
          } else {
            this.newPage();
            drawHeader(true);
          }
        } else {
          this.newPage();
          drawHeader(true);
          if (rowH > capacity) {
            const [head, rest] = this.splitRow(cells, textW, capacity - pad * 2);
            if (head) {
              queue.unshift(rest);
              cells = head;
              rowH = Math.max(...cells.map((t, i) => cellHeight(t, i))) + pad * 2;
            }
          }
        }
      }
      const y = doc.y;
      const shade = zebra;
      zebra = !zebra;
      this.artifact(() => {
        if (shade) doc.rect(MARGIN.left, y, CONTENT_WIDTH, rowH).fill(COLOUR.zebra);
        doc
          .moveTo(MARGIN.left, y + rowH)
          .lineTo(MARGIN.left + CONTENT_WIDTH, y + rowH)
          .lineWidth(0.3)
          .strokeColor(COLOUR.rule)
          .stroke();
      });
      const tr = doc.struct('TR');
      table.add(tr);
      cells.forEach((t, i) =>
        tr.add(
          doc.struct('TD', () => {
            this.font(TABLE.font, TABLE.size).fillColor(COLOUR.text);
            this.text(t, xs[i] + pad, y + pad, { width: textW[i], lineGap: 0.8 });
          }),
        ),
      );
      tr.end();
      doc.x = MARGIN.left;
      doc.y = y + rowH;
    }
    table.end();
    doc.y += 10;
  }

  /** Splits each cell at a word boundary so the first part fits in `maxH`. */
  private splitRow(cells: string[], textW: number[], maxH: number): [string[] | null, string[]] {
    const head: string[] = [];
    const rest: string[] = [];
    let progressed = false;
    cells.forEach((t, i) => {
      if (this.measure(t, TABLE.font, TABLE.size, textW[i], 0.8) <= maxH) {
        head.push(t);
        rest.push('');
        if (t) progressed = true;
        return;
      }
      const words = t.split(/(\s+)/);
      let lo = 0;
      let hi = words.length;
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        const candidate = words.slice(0, mid).join('');
        if (this.measure(candidate, TABLE.font, TABLE.size, textW[i], 0.8) <= maxH) lo = mid;
        else hi = mid - 1;
      }
      if (lo === 0) {
        head.push('');
        rest.push(t);
        return;
      }
      progressed = true;
      head.push(words.slice(0, lo).join('').trimEnd());
      rest.push(words.slice(lo).join('').trimStart());
    });
    return progressed ? [head, rest] : [null, cells];
  }

  // --------------------------------------------------------------- furniture

  private pageFurniture(): void {
    const { doc, model } = this;
    const range = doc.bufferedPageRange();
    const total = range.count;
    for (let i = 0; i < total; i++) {
      doc.switchToPage(range.start + i);
      const page = doc.page;
      const saved = page.margins;
      // Draw outside the margins without pdfkit starting a new page.
      page.margins = { top: 0, bottom: 0, left: 0, right: 0 };
      this.artifact(() => {
        if (i > 0) {
          // The reference is never cut: it takes the width it needs (shrunk if it ever had to be)
          // and the PCN name gets what is left, with an ellipsis.
          const refSize = this.fitSize(this.reference, 'mono', 7.5, CONTENT_WIDTH * 0.6);
          this.font('mono', refSize).fillColor(COLOUR.muted);
          const refWidth = doc.widthOfString(this.reference) + 1;
          doc.text(this.reference, MARGIN.left + CONTENT_WIDTH - refWidth, 32.5, { width: refWidth, align: 'right', lineBreak: false });
          this.font('sans', 7.8).fillColor(COLOUR.muted);
          doc.text(`${model.pcn.name} (${model.pcn.code})`, MARGIN.left, 32, {
            width: Math.max(40, CONTENT_WIDTH - refWidth - 12),
            height: 10,
            ellipsis: true,
            lineBreak: false,
          });
          doc.moveTo(MARGIN.left, 45).lineTo(MARGIN.left + CONTENT_WIDTH, 45).lineWidth(0.4).strokeColor(COLOUR.rule).stroke();
        }
        const fy = A4.height - 40;
        doc.moveTo(MARGIN.left, fy - 6).lineTo(MARGIN.left + CONTENT_WIDTH, fy - 6).lineWidth(0.4).strokeColor(COLOUR.rule).stroke();
        this.font('sans', 7.8).fillColor(COLOUR.muted);
        const left = `${this.reference} · Version ${model.version}${model.draft ? (this.options.reviewLabel ? ' · FOR REVIEW (not sealed)' : ' · DRAFT') : ''}`;
        const pageLabel = `Page ${i + 1} of ${total}`;
        const pageWidth = doc.widthOfString(pageLabel) + 1;
        const leftWidth = CONTENT_WIDTH - pageWidth - 12;
        // One line, never cut: shrink the footer text if the reference and version ever need it.
        this.font('sans', this.fitSize(left, 'sans', 7.8, leftWidth));
        doc.text(left, MARGIN.left, fy, { width: leftWidth, height: 10, lineBreak: false });
        this.font('sans', 7.8);
        doc.text(pageLabel, MARGIN.left + CONTENT_WIDTH - pageWidth, fy, { width: pageWidth, align: 'right', lineBreak: false });
        if (model.draft) this.watermark();
      });
      page.margins = saved;
    }
  }

  /** The largest size up to `size` (not below 5 pt) at which `text` fits `width` on one line. */
  private fitSize(text: string, font: FontKey, size: number, width: number): number {
    this.font(font, size);
    const natural = this.doc.widthOfString(text);
    if (natural <= width) return size;
    return Math.max(5, Math.floor(((size * width) / natural) * 10) / 10);
  }

  private watermark(): void {
    const { doc } = this;
    doc.save();
    doc.rotate(-50, { origin: [A4.width / 2, A4.height / 2] });
    const mark = this.options.reviewLabel ? 'FOR REVIEW' : 'DRAFT';
    this.font('sansBold', this.options.reviewLabel ? 72 : 120).fillColor(COLOUR.watermark).fillOpacity(0.12);
    const w = doc.widthOfString(mark);
    doc.text(mark, A4.width / 2 - w / 2, A4.height / 2 - 60, { lineBreak: false });
    doc.restore();
    doc.fillOpacity(1);
  }

  // ----------------------------------------------------------------- helpers

  private startSection(id: string, title: string, parentId?: string): void {
    const { doc } = this;
    this.newPage();
    if (parentId) this.mark(parentId);
    this.mark(id);
    const sect = doc.struct('Sect', { title });
    doc.addStructure(sect);
    this.section = sect;
    this.heading(title, 1);
  }

  private endSection(): void {
    this.section?.end();
  }

  private heading(text: string, level: 1 | 2): void {
    const { doc } = this;
    const size = level === 1 ? 17 : 12.5;
    const y = doc.y;
    this.tagged(level === 1 ? 'H1' : 'H2', () => {
      this.font('sansBold', size).fillColor(COLOUR.accentDark);
      this.text(text, MARGIN.left, y, { width: CONTENT_WIDTH, lineGap: 2 });
    });
    const ry = doc.y + 4;
    this.artifact(() => {
      doc.moveTo(MARGIN.left, ry).lineTo(MARGIN.left + 48, ry).lineWidth(2.2).strokeColor(COLOUR.accent).stroke();
    });
    doc.y = ry + 14;
  }

  private tagged(type: string, draw: () => void): void {
    this.section.add(this.doc.struct(type, draw));
  }

  private artifact(draw: () => void): void {
    this.doc.markContent('Artifact', { type: 'Layout' });
    draw();
    this.doc.endMarkedContent();
  }

  private font(key: FontKey, size: number): Doc {
    const doc = this.doc.font(key, size);
    // pdfkit creates the font object on first use; share glyph layouts and widths across documents.
    shareFontMetrics(doc._font);
    return doc;
  }

  /** Draws `text` as `doc.text(text, x, y, opts)` does (line-breaks.ts: the same bytes, without wrapping it again). */
  private text(text: string, x: number, y: number, opts: { width: number; lineGap?: number; characterSpacing?: number }): void {
    drawText(this.doc, text, x, y, opts);
  }

  /** Heights measured in this document, per font/size/width/line gap, then text. */
  private readonly measured = new Map<string, Map<string, number>>();

  private measure(text: string, font: FontKey, size: number, width: number, lineGap: number): number {
    if (!text) return this.lineHeight(font, size);
    const key = `${font} ${size} ${width} ${lineGap}`;
    let heights = this.measured.get(key);
    if (!heights) {
      heights = new Map();
      this.measured.set(key, heights);
    }
    const known = heights.get(text);
    if (known !== undefined) return known;
    this.font(font, size);
    // A single-line string (most table cells) is one width measurement; anything else
    // is as many lines as the wrapper makes (remembered, so drawing it does not wrap
    // it again), each a line height and the gap, added up as heightOfString adds them.
    const h: number =
      text.length < 80 && !text.includes('\n') && this.doc.widthOfString(text) <= width
        ? this.doc.currentLineHeight(true) + lineGap
        : heightOfLines(this.doc, linesOf(this.doc, text, width).length, lineGap);
    heights.set(text, h);
    return h;
  }

  private lineHeight(font: FontKey, size: number): number {
    this.font(font, size);
    return this.doc.currentLineHeight(true);
  }

  private bottom(): number {
    return A4.height - MARGIN.bottom;
  }

  private ensure(height: number): void {
    if (this.doc.y + height > this.bottom()) this.newPage();
  }

  private newPage(): void {
    this.doc.addPage();
    this.doc.x = MARGIN.left;
    this.doc.y = MARGIN.top;
  }

  private pageCount(): number {
    return this.doc.bufferedPageRange().count;
  }
}

/**
 * The whole file, collected without pdfkit's stream. pdfkit turns every write of the file
 * (each object's `N 0 obj` line, its dictionary, `stream`, its data, `endstream`, `endobj`)
 * into its own Uint8Array and pushes it through a Readable stream: a tagged agreement has
 * tens of thousands of objects, so a document made some hundred thousand small ArrayBuffers
 * (each with its own off-heap backing store, found and freed by the garbage collector), then
 * as many stream chunks and `data` events, then one copy of them all. Here the text written
 * between two binary chunks is kept as strings and converted in one go, with the same bytes
 * (pdfkit keeps each character's low byte, as `latin1` does) and the same offsets for the
 * cross-reference table. The promise settles when pdfkit has written the trailer.
 */
function collectOutput(doc: Doc): Promise<Buffer> {
  const parts: Buffer[] = [];
  // The header pdfkit wrote while it was being constructed, still in its stream.
  const head: Buffer | null = doc.read();
  if (head) parts.push(head);
  let text: string[] = [];
  const flushText = () => {
    if (text.length === 0) return;
    parts.push(Buffer.from(text.join(''), 'latin1'));
    text = [];
  };
  doc._write = function writeCollected(this: Doc, data: unknown) {
    if (data instanceof Uint8Array) {
      flushText();
      parts.push(Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      this._offset += data.length;
    } else {
      const line = `${data}\n`;
      text.push(line);
      this._offset += line.length;
    }
  };
  return new Promise<Buffer>((resolve, reject) => {
    const finalize = doc._finalize;
    // Runs once, after the last object is written (at `end()`, or later when pdfkit waited for one).
    doc._finalize = function finalizeCollected(this: Doc) {
      finalize.call(this);
      flushText();
      const pdf = Buffer.concat(parts);
      // Settle after pdfkit's own stream ticks (queued while it wrote, each holding the
      // document). Settled at once, a caller that renders the next part straight away
      // (an execution's parts, one after another) never lets the tick queue drain, so
      // every document it rendered, tens of MB each, stayed reachable until its next I/O.
      process.nextTick(resolve, pdf);
    };
    doc.on('error', reject);
  });
}

const BATCHED = Symbol('pcn.batchedContent');

/**
 * pdfkit turns every content-stream operator (`BT`, `Tf`, `TJ`, `re`, `EMC` …)
 * into its own byte array as it is written (one allocation and a character
 * copy loop per operator). This keeps each page's operators as strings and
 * converts them in one go when the page's content stream is finalised (or
 * before any binary chunk), producing the same bytes: every operator followed
 * by a newline, characters truncated to their low byte as pdfkit does.
 */
function batchContentStreamWrites(doc: Doc): void {
  const addContent = doc.addContent;
  doc.addContent = function addBatchedContent(this: Doc, data: unknown) {
    const content = this.page.content;
    if (!content[BATCHED]) batchWrites(content);
    return addContent.call(this, data);
  };
}

function batchWrites(ref: Doc): void {
  const parts: string[] = [];
  const write = ref.write;
  const finalize = ref.finalize;
  const flush = () => {
    if (parts.length === 0) return;
    parts.push('');
    const bytes = Buffer.from(parts.join('\n'), 'latin1');
    parts.length = 0;
    write.call(ref, bytes);
  };
  ref.write = (chunk: unknown) => {
    if (chunk instanceof Uint8Array) {
      flush();
      write.call(ref, chunk);
    } else {
      parts.push(`${chunk}`);
    }
  };
  ref.finalize = () => {
    flush();
    finalize.call(ref);
  };
  ref[BATCHED] = true;
}
