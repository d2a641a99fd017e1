import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import PDFDocument from 'pdfkit';

/**
 * Embedded open-licence fonts (DejaVu, Bitstream Vera derivative licence).
 * Files are read once per process; pdfkit subsets and embeds them per document.
 */
export const FONT_FILES = {
  serif: 'DejaVuSerif.ttf',
  serifBold: 'DejaVuSerif-Bold.ttf',
  sans: 'DejaVuSans.ttf',
  sansBold: 'DejaVuSans-Bold.ttf',
  cond: 'DejaVuSansCondensed.ttf',
  condBold: 'DejaVuSansCondensed-Bold.ttf',
  mono: 'DejaVuSansMono.ttf',
} as const;

export type FontKey = keyof typeof FONT_FILES;

/** A parsed fontkit font; pdfkit accepts it anywhere it accepts a font file. */
export type ParsedFont = object;

let cache: Record<FontKey, Buffer> | undefined;
let parsed: Record<FontKey, ParsedFont> | undefined;

export function fontDirectory(): string {
  return join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
}

export function loadFonts(): Record<FontKey, Buffer> {
  if (!cache) {
    const dir = fontDirectory();
    const entries = Object.entries(FONT_FILES).map(([k, file]) => [k, readFileSync(join(dir, file))]);
    cache = Object.fromEntries(entries) as Record<FontKey, Buffer>;
  }
  return cache;
}

/**
 * Fonts parsed once per process. Parsing DejaVu's OpenType tables dominates the
 * cost of a document otherwise (~70 % of render time). The parsed font objects
 * are shared between documents; each document still creates its own subset.
 */
export function parsedFonts(): Record<FontKey, ParsedFont> {
  if (!parsed) {
    const files = loadFonts();
    // Let pdfkit's own fontkit parse the files (fontkit is not a direct dependency).
    const probe = new PDFDocument({ autoFirstPage: false, font: files.sans } as unknown as PDFKit.PDFDocumentOptions) as unknown as {
      font(src: Buffer): unknown;
      _font: { font: ParsedFont };
    };
    const entries = (Object.keys(files) as FontKey[]).map((k) => {
      probe.font(files[k]);
      return [k, probe._font.font] as const;
    });
    parsed = Object.fromEntries(entries) as Record<FontKey, ParsedFont>;
  }
  return parsed;
}

/**
 * Glyph-layout and width caches shared by every document rendered in this
 * process (one set per parsed font, so per worker thread).
 *
 * pdfkit keeps a word → glyph-run cache per *document* font object, so each
 * new document re-runs fontkit's OpenType shaping (GSUB/GPOS lookups) for every
 * word it prints, and `widthOfString` re-sums glyph advances on every call
 * (the line wrapper calls it for every word, pdfkit's `_fragment` for every
 * line). Shaping depends only on the font and the text (pdfkit's default
 * features), so the results can be shared between documents.
 *
 * The caches are bounded by what they hold, not by how many entries they have:
 * a worker renders thousands of documents full of text that never repeats
 * (hashes, codes, times, names), and fontkit's glyph runs are large (a position
 * object with five boxed numbers per glyph, ~180 bytes). With an entry bound
 * only, seven fonts' caches grew to well over 100 MB before they were emptied.
 * Now a cached run keeps only its glyph and position arrays, the position
 * objects are interned per font (a glyph run's positions are almost always the
 * glyph's plain advance, so a few hundred distinct objects serve every run), and
 * each map is emptied when the glyphs or characters it holds pass a budget.
 */
const MAX_CACHED_RUN_GLYPHS = 100_000; // per font: ~2.5 MB of runs (pointers, run objects, keys)
const MAX_CACHED_WIDTH_CHARS = 400_000; // per font: the width map's keys, ~0.5 MB with the numbers
const MAX_INTERNED_POSITIONS = 20_000; // per font; a document uses a few hundred
/**
 * Lines up to this length are encoded once per document and font. A certificate of
 * completion repeats the same short texts row after row (organisations, roles, "Approved",
 * sign-in methods, browsers); a body line is longer and rarely repeats, so is not kept.
 */
const MAX_ENCODE_CACHED_CHARS = 64;

interface GlyphRunLike {
  glyphs: unknown[];
  positions: unknown[];
  advanceWidth: number;
}

/** A fontkit glyph position after pdfkit's scaling; read-only once laid out (pdfkit copies before it changes one). */
interface PositionLike {
  xAdvance: number;
  yAdvance: number;
  xOffset: number;
  yOffset: number;
  advanceWidth: number;
}
const POSITION_KEYS = 'xAdvance,yAdvance,xOffset,yOffset,advanceWidth';

/** The parts of pdfkit's EmbeddedFont that the caches replace. */
interface EmbeddedFontLike {
  font: ParsedFont;
  layoutRun(text: string, features?: unknown): GlyphRunLike;
  layoutCached(text: string): GlyphRunLike;
  subset?: unknown;
  layout(text: string, features?: unknown, onlyWidth?: boolean): { glyphs: unknown[] | null; positions: unknown[] | null; advanceWidth: number };
  widthOfString(text: string, size: number, features?: unknown): number;
  encode(text: string, features?: unknown): [string[], unknown[]];
  [SHARED]?: true;
}

/** The parts of fontkit's TrueType subset (`font.createSubset()`) that the glyph cache replaces. */
interface TtfSubsetLike {
  _addGlyph(gid: number): number;
  includeGlyph(gid: number): number;
  glyf: Uint8Array[];
  loca: { offsets: number[] };
  hmtx: { metrics: { advance: number; bearing: number }[] };
  offset: number;
}

/** What a TrueType subset copies out of the font for one glyph (never changes for a given font). */
interface SubsetGlyph {
  /** The glyph's bytes in the font's `glyf` table (a view of the font file; never written to). */
  data: Uint8Array;
  /** Composite glyphs: components whose glyph IDs must be renumbered in the subset. */
  components: { glyphID: number; pos: number }[] | null;
  advance: number;
  bearing: number;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- fontkit internals are untyped */
interface FontMetricsCache {
  /** Glyph ID → glyph data copied into every subset that uses the glyph. */
  subsetGlyphs: Map<number, SubsetGlyph>;
  /** Space-delimited run of text → its glyphs and (interned) positions, in PDF units as pdfkit stores them. */
  runs: Map<string, GlyphRunLike>;
  runGlyphs: number;
  /** String → advance width at size 1000 (pdfkit's `layout(…).advanceWidth`). */
  widths: Map<string, number>;
  widthChars: number;
  /** One object per distinct position (by value), shared by the cached runs. */
  positions: Map<string, PositionLike>;
}

const SHARED = Symbol('pcn.sharedFontMetrics');
let metrics = new WeakMap<ParsedFont, FontMetricsCache>();

function metricsFor(font: ParsedFont): FontMetricsCache {
  let m = metrics.get(font);
  if (!m) {
    m = { runs: new Map(), runGlyphs: 0, widths: new Map(), widthChars: 0, subsetGlyphs: new Map(), positions: new Map() };
    metrics.set(font, m);
  }
  return m;
}

/**
 * Points a document's pdfkit font object at the process-wide caches for its
 * parsed font. Results are the very numbers pdfkit would compute (the first
 * computation is stored), so output bytes do not change. Idempotent.
 */
export function shareFontMetrics(embedded: unknown): void {
  const f = embedded as EmbeddedFontLike | null;
  if (!f || f[SHARED] || typeof f.layoutRun !== 'function' || !f.font) return;
  const m = metricsFor(f.font);
  const ownWidthOfString = f.widthOfString;
  const layoutCached = (text: string): GlyphRunLike => {
    let run = m.runs.get(text);
    if (run === undefined) {
      run = compactRun(f.layoutRun(text), m);
      if (m.runGlyphs + run.glyphs.length > MAX_CACHED_RUN_GLYPHS) {
        m.runs.clear();
        m.runGlyphs = 0;
      }
      m.runs.set(text, run);
      m.runGlyphs += run.glyphs.length;
    }
    return run;
  };
  f.layoutCached = layoutCached;
  // Same algorithm as pdfkit's EmbeddedFont#layout (split after each space or
  // tab, lay out each piece through the cache), but appending in place instead
  // of `Array#concat` per word, which was quadratic in the line length.
  f.layout = (text: string, features?: unknown, onlyWidth?: boolean) => {
    if (features) return f.layoutRun(text, features) as ReturnType<EmbeddedFontLike['layout']>;
    const glyphs: unknown[] | null = onlyWidth ? null : [];
    const positions: unknown[] | null = onlyWidth ? null : [];
    let advanceWidth = 0;
    let last = 0;
    const n = text.length;
    for (let index = 0; index <= n; index++) {
      const c = index < n ? text.charCodeAt(index) : -1;
      if (c === 32 || c === 9 || (index === n && last < n)) {
        const run = layoutCached(text.slice(last, index + 1));
        if (glyphs && positions) {
          for (const g of run.glyphs) glyphs.push(g);
          for (const p of run.positions) positions.push(p);
        }
        advanceWidth += run.advanceWidth;
        last = index + 1;
      }
    }
    return { glyphs, positions, advanceWidth };
  };
  f.widthOfString = (text: string, size: number, features?: unknown): number => {
    if (features) return ownWidthOfString.call(f, text, size, features);
    let width = m.widths.get(text);
    if (width === undefined) {
      width = f.layout(text, undefined, true).advanceWidth;
      if (m.widthChars + text.length > MAX_CACHED_WIDTH_CHARS) {
        m.widths.clear();
        m.widthChars = 0;
      }
      m.widths.set(text, width);
      m.widthChars += text.length;
    }
    return width * (size / 1000);
  };
  // Per document (the subset's glyph numbers are the document's): pdfkit's encode adds each
  // glyph to the subset and notes its width and code points, which a second encode of the same
  // text would find already done, so the first result stands for every repeat. Its callers
  // (showLine, pdfkit's _fragment) copy before they change anything.
  const ownEncode = f.encode;
  const encoded = new Map<string, [string[], unknown[]]>();
  f.encode = (text: string, features?: unknown): [string[], unknown[]] => {
    if (features || text.length > MAX_ENCODE_CACHED_CHARS) return ownEncode.call(f, text, features);
    let result = encoded.get(text);
    if (result === undefined) {
      result = ownEncode.call(f, text);
      encoded.set(text, result);
    }
    return result;
  };
  shareSubsetGlyphs(f.font as any, f.subset as any, m.subsetGlyphs);
  f[SHARED] = true;
}

/**
 * What a cached run keeps of fontkit's GlyphRun: the glyphs (fontkit's own, cached per font),
 * the positions, interned, and the advance width summed once (fontkit's `advanceWidth` is a
 * getter that re-sums the positions on every read; same additions, same order, same value).
 */
function compactRun(run: GlyphRunLike, m: FontMetricsCache): GlyphRunLike {
  const advanceWidth = run.advanceWidth;
  const positions = run.positions.map((p) => internPosition(p as PositionLike, m));
  return { glyphs: run.glyphs, positions, advanceWidth };
}

function internPosition(p: PositionLike, m: FontMetricsCache): PositionLike {
  // Only the plain shape fontkit and pdfkit give a position is interned; anything else is kept as it is.
  if (Object.keys(p).join(',') !== POSITION_KEYS) return p;
  const key = `${p.xAdvance} ${p.yAdvance} ${p.xOffset} ${p.yOffset} ${p.advanceWidth}`;
  let shared = m.positions.get(key);
  if (shared === undefined) {
    if (m.positions.size >= MAX_INTERNED_POSITIONS) m.positions.clear();
    shared = { xAdvance: p.xAdvance, yAdvance: p.yAdvance, xOffset: p.xOffset, yOffset: p.yOffset, advanceWidth: p.advanceWidth };
    m.positions.set(key, shared);
  }
  return shared;
}

/**
 * fontkit's TrueType subsetter decodes every glyph's outline (`glyph._decode()`)
 * in every document only to find out whether it is a composite glyph. This
 * replacement of `TTFSubset#_addGlyph` does the same work from a per-font
 * cache of the glyph's bytes, components and metrics, and builds the subset in
 * the same order, so the embedded font program is byte-for-byte the same.
 */
function shareSubsetGlyphs(font: any, subset: TtfSubsetLike | undefined, cache: Map<number, SubsetGlyph>): void {
  // Only plain TrueType outlines (DejaVu); CFF and variable fonts keep fontkit's own code.
  if (!subset || typeof subset._addGlyph !== 'function' || !font?.loca || font._variationProcessor || font.directory?.tables?.CFF) {
    return;
  }
  subset._addGlyph = function addGlyph(this: TtfSubsetLike, gid: number): number {
    let g = cache.get(gid);
    if (g === undefined) {
      const glyph = font.getGlyph(gid);
      const glyf = glyph._decode();
      const start = font.loca.offsets[gid];
      const end = font.loca.offsets[gid + 1];
      const stream = font._getTableStream('glyf');
      stream.pos += start;
      const composite = glyf && glyf.numberOfContours < 0;
      g = {
        data: stream.readBuffer(end - start),
        components: composite
          ? glyf.components.map((c: { glyphID: number; pos: number }) => ({ glyphID: c.glyphID, pos: c.pos }))
          : null,
        advance: glyph.advanceWidth,
        bearing: glyph._getMetrics().leftBearing,
      };
      cache.set(gid, g);
    }
    let buffer = g.data;
    if (g.components) {
      buffer = new Uint8Array(g.data);
      const view = new DataView(buffer.buffer);
      for (const c of g.components) view.setUint16(c.pos, this.includeGlyph(c.glyphID));
    }
    this.glyf.push(buffer);
    this.loca.offsets.push(this.offset);
    this.hmtx.metrics.push({ advance: g.advance, bearing: g.bearing });
    this.offset += buffer.length;
    return this.glyf.length - 1;
  };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** What the shared caches of one parsed font hold now (tests and benchmarks read it). */
export function fontMetricsCacheSize(font: ParsedFont): { runs: number; runGlyphs: number; widths: number; widthChars: number; positions: number } {
  const m = metricsFor(font);
  return { runs: m.runs.size, runGlyphs: m.runGlyphs, widths: m.widths.size, widthChars: m.widthChars, positions: m.positions.size };
}

/** Empties the shared layout/width caches (benchmarks use it to measure a cold start). */
export function clearFontMetricsCaches(): void {
  metrics = new WeakMap();
}
