/**
 * Text drawn line by line, where pdfkit's line wrapper would draw it.
 *
 * The wrapper (Unicode line breaking, then a width for every word, then events
 * for every line) is the costliest part of drawing text, and the renderer ran it
 * twice for most table cells: once to measure the row, once to draw it. The lines
 * it chooses depend only on the font, the size, the width, the character spacing
 * and the text. So they are worked out once, by the wrapper itself, and remembered
 * for every document this process renders. Much of what a worker renders repeats
 * between documents (the agreement's clauses, the annexes' standard wording,
 * labels), and the rest is measured before it is drawn. Text whose every line
 * certainly fits its width skips the wrapper altogether.
 *
 * The lines are then shown in one text object, with the glyphs, positions and
 * kerning pdfkit's `_fragment` gives each line, and leave `doc.x`/`doc.y` where
 * `doc.text` leaves them (y moves on by addition, with the wrapper's rounding). Only
 * the grouping of the operators differs from `doc.text`'s, not what a reader shows.
 * Text that might run onto the next page goes through `doc.text` itself.
 *
 * The cache is bounded by the characters it holds: it is emptied when it passes
 * the budget, like the font caches in fonts.ts.
 */
import type { ParsedFont } from './fonts';

const MAX_CACHED_CHARS = 2_000_000; // about 4 MB of strings, keys and lines together

interface LineBreakCache {
  lines: Map<string, string[]>;
  chars: number;
}

let caches = new WeakMap<ParsedFont, LineBreakCache>();

/** The pdfkit document calls used here (pdfkit's own, untyped). */
interface PdfkitDoc {
  x: number;
  y: number;
  page: { maxY(): number };
  _font: { font: ParsedFont };
  _fontSize: number;
  _lineGap: number;
  _initOptions(options: Record<string, unknown>): Record<string, unknown>;
  addContent(data: string): unknown;
  _text(text: string, x: number, y: number, options: Record<string, unknown>, onLine: (line: string) => void): unknown;
  text(text: string, x: number, y: number, options: Record<string, unknown>): unknown;
  currentLineHeight(includeGap?: boolean): number;
  widthOfString(text: string): number;
}

export interface TextOptions {
  width: number;
  lineGap?: number;
  characterSpacing?: number;
}

/**
 * Draws `text` like `doc.text(text, x, y, opts)` in the current font and size, left
 * aligned: line by line when all its lines fit on the page, through `doc.text` when not.
 */
export function drawText(doc: unknown, text: string, x: number, y: number, opts: TextOptions): void {
  const d = doc as PdfkitDoc;
  const characterSpacing = opts.characterSpacing ?? 0;
  const lines = text ? linesOf(d, text, opts.width, characterSpacing) : null;
  if (lines) {
    const lineHeight = d.currentLineHeight(true);
    const step = lineHeight + (opts.lineGap || d._lineGap || 0);
    // The wrapper starts a new page when the line after a break would not fit, so a
    // multi-line text keeps room for one more line, as a single line keeps a point in hand.
    const room = lines.length === 1 ? lineHeight + 1 : lines.length * step + lineHeight + 1;
    if (y + room <= d.page.maxY()) {
      d.y = drawLines(d, lines, x, y, step, characterSpacing);
      d.x = x;
      return;
    }
  }
  d.text(text, x, y, opts as unknown as Record<string, unknown>);
}

/** pdfkit's number format in content streams (`PDFObject.number`). */
function num(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

/**
 * Draws lines where pdfkit's `_fragment` draws each (left-aligned, the default baseline),
 * with the same glyphs, positions and kerning adjustments, but all in one text object.
 * Through `doc.text`, every line went through pdfkit's option handling, its regular
 * expressions and word count, a save, a flip of the coordinates, BT, the font, ET and a
 * restore: in a sealed part (thousands of short table lines) that was a fifth of the
 * rendering time. Returns the y after the last line, moved on line by line as pdfkit does.
 */
function drawLines(d: PdfkitDoc, lines: string[], x: number, y: number, step: number, characterSpacing: number): number {
  const font = d._font as unknown as PdfkitFont;
  const size = d._fontSize;
  const page = d.page as unknown as { height: number; fonts: Record<string, unknown> };
  if (page.fonts[font.id] == null) page.fonts[font.id] = font.ref();
  const dy = (font.ascender / 1000) * size;
  const scale = size / 1000;
  // The same flip pdfkit wraps each line in (its pages run top-down; text runs bottom-up).
  const ops: string[] = ['q', `1 0 0 -1 0 ${num(page.height)} cm`, 'BT', `/${font.id} ${num(size)} Tf`];
  if (characterSpacing) ops.push(`${num(characterSpacing)} Tc`);
  let lineY = y;
  for (const line of lines) {
    if (line) showLine(ops, font, line, x, page.height - lineY - dy, scale);
    lineY += step;
  }
  ops.push('ET', 'Q');
  d.addContent(ops.join('\n'));
  return lineY;
}

/** One line's text-showing operators, as `_fragment` writes them: TJ runs split where a glyph is kerned or offset. */
function showLine(ops: string[], font: PdfkitFont, line: string, x: number, y: number, scale: number): void {
  const [encoded, positions] = font.encode(line);
  ops.push(`1 0 0 1 ${num(x)} ${num(y)} Tm`);
  const commands: string[] = [];
  let last = 0;
  let hadOffset = false;
  const addSegment = (cur: number) => {
    if (last < cur) {
      const p = positions[cur - 1];
      commands.push(`<${encoded.slice(last, cur).join('')}> ${num(-(p.xAdvance - p.advanceWidth))}`);
    }
    last = cur;
  };
  const flush = (i: number) => {
    addSegment(i);
    if (commands.length > 0) {
      ops.push(`[${commands.join(' ')}] TJ`);
      commands.length = 0;
    }
  };
  let lx = x;
  let i = 0;
  for (; i < positions.length; i++) {
    const pos = positions[i];
    if (pos.xOffset || pos.yOffset) {
      flush(i);
      ops.push(`1 0 0 1 ${num(lx + pos.xOffset * scale)} ${num(y + pos.yOffset * scale)} Tm`);
      flush(i + 1);
      hadOffset = true;
    } else {
      if (hadOffset) {
        ops.push(`1 0 0 1 ${num(lx)} ${num(y)} Tm`);
        hadOffset = false;
      }
      if (pos.xAdvance - pos.advanceWidth !== 0) addSegment(i + 1);
    }
    lx += pos.xAdvance * scale;
  }
  flush(i);
}

/** The parts of pdfkit's embedded font used to show text. */
interface PdfkitFont {
  id: string;
  ascender: number;
  ref(): unknown;
  encode(text: string): [string[], { xAdvance: number; yAdvance: number; xOffset: number; yOffset: number; advanceWidth: number }[]];
}

/** What `heightOfString` gives for `count` lines: it adds each line's height to `doc.y` and subtracts (same rounding). */
export function heightOfLines(doc: unknown, count: number, lineGap: number): number {
  const d = doc as PdfkitDoc;
  const start = d.y;
  const step = d.currentLineHeight(true) + (lineGap || d._lineGap || 0);
  let y = start;
  for (let i = 0; i < count; i++) y += step;
  return y - start;
}

/** The lines pdfkit's wrapper makes of `text` at `width` in the document's current font and size. */
export function linesOf(doc: unknown, text: string, width: number, characterSpacing = 0): string[] {
  return linesThatFit(doc as PdfkitDoc, text, width, characterSpacing) ?? wrappedLines(doc, text, width, characterSpacing);
}

/**
 * The lines pdfkit's wrapper makes of `text`, each as the wrapper passes it to be
 * drawn, less the newline that ended it (pdfkit removes that character before
 * drawing). A line keeps the spaces the wrapper left at its end, which pdfkit draws.
 */
export function wrappedLines(doc: unknown, text: string, width: number, characterSpacing = 0): string[] {
  const d = doc as PdfkitDoc;
  const font = d._font.font;
  let cache = caches.get(font);
  if (!cache) {
    cache = { lines: new Map(), chars: 0 };
    caches.set(font, cache);
  }
  const key = `${d._fontSize} ${width} ${characterSpacing} ${text}`;
  const known = cache.lines.get(key);
  if (known) return known;

  const lines: string[] = [];
  // As heightOfString does: the wrapper's options with no height limit (so no page
  // or column breaks), y moved on for each line, then x and y put back.
  const { x, y } = d;
  const options = d._initOptions(characterSpacing ? { width, characterSpacing } : { width });
  options.height = Infinity;
  const step = d.currentLineHeight(true) + (d._lineGap || 0);
  d._text(text, d.x, d.y, options, (line: string) => {
    lines.push(line.endsWith('\n') ? line.slice(0, -1) : line);
    d.y += step;
  });
  d.x = x;
  d.y = y;

  const size = key.length + lines.reduce((sum, line) => sum + line.length, 0);
  if (cache.chars + size > MAX_CACHED_CHARS) {
    cache.lines.clear();
    cache.chars = 0;
  }
  cache.lines.set(key, lines);
  cache.chars += size;
  return lines;
}

/**
 * The text split at its newlines when every line, in the current font and size,
 * certainly fits on one line of `width` as the wrapper measures it; otherwise null.
 * The wrapper measures a line with the newline that ends it (pdfkit gives that
 * character a glyph's width), so every line but the last is measured that way.
 */
function linesThatFit(doc: PdfkitDoc, text: string, width: number, characterSpacing: number): string[] | null {
  if (!text.includes('\n')) return fitsOnOneLine(doc, text, width, '', characterSpacing) ? [text] : null;
  const lines = text.split('\n');
  const last = lines.length - 1;
  return lines.every((line, i) => fitsOnOneLine(doc, line, width, i < last ? '\n' : '', characterSpacing)) ? lines : null;
}

/**
 * Unicode line breaking (UAX #14) allows no break next to these unless a space
 * follows: the space itself, comma, full stop, colon, brackets and the at sign
 * (classes SP, IS, OP, CP and AL).
 */
const NO_BREAK_PUNCTUATION = new Set([32, 44, 46, 58, 40, 41, 64]);

function isAlphanumeric(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
}

/**
 * True when pdfkit's wrapper would put all of `text` on one line of `width`,
 * measured with `ending` (the newline that ends it, if any) and with
 * `characterSpacing` after every character, as the wrapper adds it. The wrapper
 * sums the widths of the text's words, split where Unicode allows a break; the
 * shared font layout (fonts.ts) measures pieces split after each space, so the
 * two agree to the rounding when the only break opportunities are single spaces.
 * Next to other punctuation (a hyphen, a slash, a dash) or in a run of spaces the
 * wrapper may split a piece and lose the kerning across the split, so a fifth of
 * an em is kept in hand for each such character.
 */
function fitsOnOneLine(doc: PdfkitDoc, text: string, width: number, ending: string, characterSpacing: number): boolean {
  if (!text) return false;
  let others = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 32 || c === 0x85 || c === 0xad || c === 0x2028 || c === 0x2029) return false; // mandatory breaks, soft hyphen
    if (!(isAlphanumeric(c) || NO_BREAK_PUNCTUATION.has(c)) || (c === 32 && text.charCodeAt(i + 1) === 32)) others++;
  }
  const spacing = characterSpacing * (text.length + ending.length + 1);
  // 0.01 pt covers the wrapper rounding each word's width to six decimals.
  return doc.widthOfString(text + ending) + spacing + others * 0.2 * doc._fontSize + 0.01 <= width;
}

/** How many texts and characters the cache holds for a font (tests read it). */
export function lineBreakCacheSize(font: ParsedFont): { texts: number; chars: number } {
  const cache = caches.get(font);
  return { texts: cache?.lines.size ?? 0, chars: cache?.chars ?? 0 };
}

/** Empties the cache (benchmarks use it to measure a cold start). */
export function clearLineBreakCaches(): void {
  caches = new WeakMap();
}
