import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import { FontKey, parsedFonts, shareFontMetrics } from '../fonts';
import { drawText, heightOfLines, lineBreakCacheSize, linesOf, wrappedLines } from '../line-breaks';
import { runTool, tempDir, writeTemp } from '../../testing/pdf-tools';

/** A document set up as the renderer sets one up: embedded DejaVu faces with the shared font caches. */
function newDoc(font: FontKey, size: number): any {
  const doc = new PDFDocument({ size: 'A4', margins: { top: 68, bottom: 62, left: 56, right: 56 }, bufferPages: true, compress: false, font: null } as unknown as PDFKit.PDFDocumentOptions) as any;
  doc.font(parsedFonts()[font], size);
  shareFontMetrics(doc._font);
  return doc;
}

/** Every page's content stream as written so far. */
function contentOf(doc: any): string[] {
  const pages: string[] = [];
  const { start, count } = doc.bufferedPageRange();
  for (let i = start; i < start + count; i++) {
    pages.push(Buffer.concat(doc._pageBuffer[i].content.buffer).toString('latin1'));
  }
  return pages;
}

/**
 * What a page's content stream shows, one entry per text-showing operator: the coordinate
 * transformations, font, size, character spacing and text matrix in force, and the glyphs
 * with their kerning. Two streams that give the same list draw the same text in the same
 * places, however they group their operators into text objects.
 */
function shownText(content: string): string[] {
  interface State {
    cm: string[];
    tf: string;
    tc: string;
  }
  const shown: string[] = [];
  const saved: State[] = [];
  let state: State = { cm: [], tf: '', tc: '0 Tc' };
  let tm = '';
  for (const op of content.split('\n')) {
    if (op === 'q') saved.push({ ...state, cm: [...state.cm] });
    else if (op === 'Q') state = saved.pop()!;
    else if (op === 'BT') tm = '1 0 0 1 0 0 Tm';
    else if (op.endsWith(' cm')) state.cm.push(op);
    else if (op.endsWith(' Tf')) state.tf = op;
    else if (op.endsWith(' Tc')) state.tc = op;
    else if (op.endsWith(' Tm')) tm = op;
    else if (op.endsWith(' TJ')) shown.push([...state.cm, state.tf, state.tc, tm, op].join(' | '));
  }
  return shown;
}

/** The finished file of a document. */
function fileOf(doc: any): Promise<Buffer> {
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  return new Promise((resolve) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.end();
  });
}

interface Case {
  name: string;
  text: string;
  font: FontKey;
  size: number;
  width: number;
  lineGap?: number;
  characterSpacing?: number;
  y?: number;
}

const CLAUSE =
  'The Core Network Practices shall work together, and with the other members of the Network, to deliver the Network Contract Directed Enhanced Service, and shall share information as the data-sharing annexes set out (see Schedule 6). Each practice remains a separate data controller.';

const CASES: Case[] = [
  { name: 'a label that fits', text: 'Senior partner', font: 'cond', size: 8.4, width: 148 },
  { name: 'a time in UTC over UK time, where the newline widens the first line', text: '02 Dec 2026, 04:11:22 UTC\n02 Dec 2026, 04:11:22 GMT', font: 'cond', size: 8.4, width: 107, lineGap: 0.8 },
  { name: 'the same lines with room to spare', text: '02 Dec 2026, 04:11:22 UTC\n02 Dec 2026, 04:11:22 GMT', font: 'cond', size: 8.4, width: 140, lineGap: 0.8 },
  { name: 'a clause that wraps', text: CLAUSE, font: 'serif', size: 10, width: 483.28, lineGap: 2.2 },
  { name: 'hyphens, slashes and a dash in a narrow cell', text: 'Data-sharing for north/south localities — anticipatory care, re-issued 2026/27', font: 'cond', size: 8.4, width: 120, lineGap: 0.8 },
  { name: 'a run of spaces', text: 'PCN code U12345  ·  ICB QWE', font: 'sans', size: 10, width: 483.28 },
  { name: 'a word longer than the line', text: `${'a'.repeat(80)} end`, font: 'mono', size: 9, width: 60, lineGap: 1 },
  { name: 'a soft hyphen', text: 'infor\u00admation governance responsibilities', font: 'sans', size: 10, width: 60, lineGap: 1 },
  { name: 'an empty line', text: 'first\n\nthird', font: 'sans', size: 10, width: 200, lineGap: 1 },
  { name: 'a trailing newline', text: 'first line\n', font: 'sans', size: 10, width: 200, lineGap: 1 },
  { name: 'letter-spaced capitals that fit', text: 'APPROVED (UK TIME, EUROPE/LONDON)', font: 'sansBold', size: 6.6, width: 180, characterSpacing: 0.3 },
  { name: 'letter-spaced capitals that wrap', text: 'APPROVED (UK TIME, EUROPE/LONDON)', font: 'sansBold', size: 6.6, width: 80, characterSpacing: 0.3 },
  { name: 'a clause that runs past the foot of the page', text: CLAUSE, font: 'serif', size: 10, width: 483.28, lineGap: 2.2, y: 750 },
  { name: 'one line at the foot of the page', text: 'Senior partner', font: 'cond', size: 8.4, width: 148, y: 771 },
];

describe('drawing text line by line', () => {
  it.each(CASES)('draws $name with the same glyphs, positions, page breaks and final position as doc.text', (c) => {
    const y = c.y ?? 123.456789;
    const options = { width: c.width, ...(c.lineGap !== undefined ? { lineGap: c.lineGap } : {}), ...(c.characterSpacing ? { characterSpacing: c.characterSpacing } : {}) };

    const theirs = newDoc(c.font, c.size);
    theirs.text(c.text, 56, y, options);
    const ours = newDoc(c.font, c.size);
    drawText(ours, c.text, 56, y, options);

    const theirPages = contentOf(theirs);
    expect(contentOf(ours).map(shownText)).toEqual(theirPages.map(shownText));
    expect(theirPages.flatMap(shownText).length).toBeGreaterThan(0);
    expect({ x: ours.x, y: ours.y }).toEqual({ x: theirs.x, y: theirs.y });
  });

  it('draws pages that poppler renders to the same pixels as doc.text', async () => {
    const draw = async (useDrawText: boolean) => {
      const doc = newDoc('sans', 10);
      let y = 70;
      for (const c of CASES.filter((x) => x.y === undefined)) {
        doc.font(parsedFonts()[c.font], c.size);
        shareFontMetrics(doc._font);
        const options = { width: c.width, lineGap: c.lineGap ?? 0, ...(c.characterSpacing ? { characterSpacing: c.characterSpacing } : {}) };
        if (useDrawText) drawText(doc, c.text, 56, y, options);
        else doc.text(c.text, 56, y, options);
        y = doc.y + 6;
      }
      return fileOf(doc);
    };
    const dir = tempDir();
    const png = async (name: string, useDrawText: boolean) => {
      const file = writeTemp(dir, `${name}.pdf`, await draw(useDrawText));
      runTool('pdftoppm', ['-r', '110', '-png', '-singlefile', file, join(dir, name)]);
      return readFileSync(join(dir, `${name}.png`));
    };
    const [theirs, ours] = [await png('theirs', false), await png('ours', true)];
    expect(ours.length).toBeGreaterThan(5_000);
    expect(ours.equals(theirs)).toBe(true);
  });

  it.each(CASES.filter((c) => !c.characterSpacing))('measures $name at the height heightOfString gives', (c) => {
    const doc = newDoc(c.font, c.size);
    doc.y = 211.123457;
    const lineGap = c.lineGap ?? 0;
    expect(heightOfLines(doc, linesOf(doc, c.text, c.width).length, lineGap)).toBe(doc.heightOfString(c.text, { width: c.width, lineGap }));
    expect(doc.y).toBe(211.123457);
  });

  it('actually splits the texts it is given (the cases above are not all one-liners)', () => {
    const lineCounts = CASES.map((c) => linesOf(newDoc(c.font, c.size), c.text, c.width, c.characterSpacing).length);
    expect(lineCounts).toEqual([1, 3, 2, 4, 3, 1, 8, 4, 3, 1, 1, 3, 4, 1]);
  });
});

describe('the line-break cache', () => {
  it('gives the same lines for the same text, font, size and width, across documents', () => {
    const a = newDoc('serif', 10);
    const first = wrappedLines(a, CLAUSE, 300);
    const b = newDoc('serif', 10);
    expect(wrappedLines(b, CLAUSE, 300)).toBe(first);
    expect(wrappedLines(b, CLAUSE, 301)).not.toBe(first);
    b.fontSize(11);
    expect(wrappedLines(b, CLAUSE, 300)).not.toBe(first);
  });

  it('stays within its character budget however much text never repeats', () => {
    const doc = newDoc('cond', 8.4);
    let peak = 0;
    for (let i = 0; i < 3000; i++) {
      wrappedLines(doc, `${i} ${CLAUSE} ${CLAUSE}`, 200);
      peak = Math.max(peak, lineBreakCacheSize(parsedFonts().cond).chars);
    }
    expect(peak).toBeGreaterThan(1_500_000);
    expect(peak).toBeLessThanOrEqual(2_000_000);
  });
});
