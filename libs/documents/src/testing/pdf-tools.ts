import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs an external PDF tool (poppler, qpdf, openssl). A missing tool fails the
 * test loudly instead of skipping it.
 */
export function runTool(tool: string, args: string[], opts: { allowFailure?: boolean; cwd?: string } = {}): { stdout: string; stderr: string; status: number } {
  const res = spawnSync(tool, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, cwd: opts.cwd });
  if (res.error) {
    const code = (res.error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `Required tool "${tool}" is not installed (apt-get install poppler-utils qpdf openssl)` : res.error.message);
  }
  if (res.status !== 0 && !opts.allowFailure) {
    throw new Error(`${tool} ${args.join(' ')} exited ${res.status}: ${res.stderr}`);
  }
  return { stdout: res.stdout, stderr: res.stderr, status: res.status ?? -1 };
}

export function tempDir(prefix = 'pcn-documents-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeTemp(dir: string, name: string, data: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
}

/** Text in content-stream order with whitespace collapsed (wrapped lines rejoined). */
export function pdfTextFlat(path: string): string {
  return normaliseText(runTool('pdftotext', ['-raw', '-enc', 'UTF-8', path, '-']).stdout);
}

export function normaliseText(s: string): string {
  return s.replace(/\s+/g, ' ').replace(/- /g, '-').replace(/ ,/g, ',').trim();
}

/** One string per page (pdftotext separates pages with form feeds). */
export function pdfPages(path: string, layout = true): string[] {
  const out = runTool('pdftotext', [...(layout ? ['-layout'] : ['-raw']), '-enc', 'UTF-8', path, '-']).stdout;
  const pages = out.split('\f');
  if (pages[pages.length - 1].trim() === '') pages.pop();
  return pages;
}

export interface WordBox {
  page: number;
  pageWidth: number;
  pageHeight: number;
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
  text: string;
}

/** Word bounding boxes from `pdftotext -bbox`. */
export function wordBoxes(path: string): WordBox[] {
  const html = runTool('pdftotext', ['-bbox', '-enc', 'UTF-8', path, '-']).stdout;
  const boxes: WordBox[] = [];
  let page = 0;
  let pageWidth = 0;
  let pageHeight = 0;
  const re = /<page width="([\d.]+)" height="([\d.]+)">|<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g;
  for (const m of html.matchAll(re)) {
    if (m[1]) {
      page++;
      pageWidth = Number(m[1]);
      pageHeight = Number(m[2]);
    } else {
      boxes.push({ page, pageWidth, pageHeight, xMin: +m[3], yMin: +m[4], xMax: +m[5], yMax: +m[6], text: m[7] });
    }
  }
  return boxes;
}

export function pageCount(path: string): number {
  const m = /Pages:\s+(\d+)/.exec(runTool('pdfinfo', [path]).stdout);
  return m ? Number(m[1]) : 0;
}

export { execFileSync };
