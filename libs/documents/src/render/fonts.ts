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
