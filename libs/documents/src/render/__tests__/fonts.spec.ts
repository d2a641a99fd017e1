import { createHash } from 'node:crypto';
import PDFDocument from 'pdfkit';
import { FontKey, fontMetricsCacheSize, parsedFonts, shareFontMetrics } from '../fonts';

function embeddedFont(key: FontKey = 'mono', shared = true): any {
  const doc = new PDFDocument({ font: null } as unknown as PDFKit.PDFDocumentOptions) as any;
  doc.font(parsedFonts()[key]);
  if (shared) shareFontMetrics(doc._font);
  return doc._font;
}
const embeddedMono = () => embeddedFont('mono');

const hexRun = (i: number) => createHash('sha256').update(String(i)).digest('hex');

describe('shared font caches', () => {
  it('stay within their glyph and character budgets however much text never repeats', () => {
    const font = embeddedMono();
    // 4,000 distinct 64-character hashes: 256,000 glyphs, well past the 100,000-glyph budget.
    let peak = 0;
    for (let i = 0; i < 4000; i++) {
      font.layoutCached(hexRun(i));
      font.widthOfString(`${hexRun(i)} ${hexRun(i + 1)}`, 10);
      peak = Math.max(peak, fontMetricsCacheSize(parsedFonts().mono).runGlyphs);
    }
    const size = fontMetricsCacheSize(parsedFonts().mono);
    expect(peak).toBeLessThanOrEqual(100_000);
    expect(size.runGlyphs).toBeGreaterThan(0);
    expect(size.widthChars).toBeLessThanOrEqual(400_000);
    expect(size.positions).toBeLessThan(100);
  });

  it('give cached runs the same width and glyphs as pdfkit, and share position objects between runs', () => {
    const font = embeddedMono();
    const a = font.layoutCached('abcdef');
    const b = font.layoutCached('fedcba');
    const own = font.layoutRun('abcdef');
    expect(a.advanceWidth).toBe(own.advanceWidth);
    expect(a.glyphs.map((g: { id: number }) => g.id)).toEqual(own.glyphs.map((g: { id: number }) => g.id));
    expect(a.positions.map((p: object) => ({ ...p }))).toEqual(own.positions.map((p: object) => ({ ...p })));
    // Monospaced: every glyph has the same advance, so one position object serves them all.
    expect(a.positions[0]).toBe(b.positions[5]);
    expect(font.layoutCached('abcdef')).toBe(a);
  });

  it('encode short texts once per document, with exactly what pdfkit gives, glyph subset and widths included', () => {
    const cached = embeddedFont('sans');
    const plain = embeddedFont('sans', false);
    const texts = ['Approved', 'Yarm Medical Practice (A81001)', 'Approved', 'ffi office', 'Mozilla/5.0 (X11; Linux x86_64)', 'Yarm Medical Practice (A81001)', `${'long line '.repeat(8)}`, 'Approved'];
    const results = texts.map((text) => {
      const mine = cached.encode(text);
      expect(mine).toEqual(plain.encode(text));
      return mine;
    });
    // Repeats are the same arrays (encoded once); the long line is encoded every time.
    expect(results[2]).toBe(results[0]);
    expect(results[7]).toBe(results[0]);
    expect(results[5]).toBe(results[1]);
    expect(cached.encode(texts[6])).not.toBe(results[6]);
    expect(cached.subset.glyphs).toEqual(plain.subset.glyphs);
    expect(cached.widths).toEqual(plain.widths);
    expect(cached.unicode).toEqual(plain.unicode);
  });
});
