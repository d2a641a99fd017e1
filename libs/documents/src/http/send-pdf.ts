import type { Request, Response } from 'express';
import rangeParser from 'range-parser';
import type { ActorContext } from '@pcn/common';
import type { Principal } from '@pcn/auth';
import type { DocumentsService } from '../access/documents.service';
import { DocumentsErrorCode, DocumentsException } from '../documents.exception';

function pdfHeaders(res: Response, fileName: string, sha256: string): string {
  const etag = `"${sha256}"`;
  res.setHeader('Content-Type', 'application/pdf');
  res.setHeader('Content-Disposition', `attachment; filename="${fileName.replace(/[^A-Za-z0-9._-]/g, '_')}"`);
  res.setHeader('ETag', etag);
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Cache-Control', 'private, max-age=0, must-revalidate');
  return etag;
}

/** "W/"x", "y"" or "*" against our strong ETag (weak comparison, as If-None-Match asks). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

export type DownloadPlan = { status: 304 } | { status: 416 } | { status: 200 } | { status: 206; start: number; end: number };

/** What to answer, from the request headers and the document's size and hash alone. */
export function planDownload(req: Request, sizeBytes: number, sha256: string): DownloadPlan {
  if (matches(req.headers['if-none-match'], `"${sha256}"`)) return { status: 304 };
  const header = req.headers.range;
  if (header) {
    const ranges = rangeParser(sizeBytes, header, { combine: true });
    if (ranges === -1) return { status: 416 };
    // If-Range with another validator: the whole (current) file.
    const ifRange = req.headers['if-range'];
    if (Array.isArray(ranges) && ranges.type === 'bytes' && ranges.length === 1 && (!ifRange || ifRange === `"${sha256}"`)) {
      return { status: 206, start: ranges[0].start, end: ranges[0].end };
    }
  }
  return { status: 200 };
}

/**
 * Sends a stored sealed PDF as HTTP expects of a file (ETag = SHA-256, conditional GET, byte
 * ranges), in the order that keeps the record honest: access check on the metadata, then the
 * conditional and range decision, and only for a body actually sent the bytes (or just the
 * range) are loaded and one DOCUMENT_DOWNLOADED event is recorded. A 304 or 416 loads no bytes
 * and writes nothing.
 */
export async function sendStoredDocument(documents: DocumentsService, principal: Principal, actor: ActorContext, documentId: string, req: Request, res: Response): Promise<void> {
  const doc = await documents.downloadable(principal, documentId);
  const plan = planDownload(req, doc.sizeBytes, doc.sha256);
  pdfHeaders(res, doc.fileName, doc.sha256);
  if (plan.status === 304) {
    res.status(304).end();
    return;
  }
  if (plan.status === 416) {
    res.setHeader('Content-Range', `bytes */${doc.sizeBytes}`);
    throw new DocumentsException(DocumentsErrorCode.RangeNotSatisfiable, `The requested range is outside the document (${doc.sizeBytes} bytes).`);
  }
  const range = plan.status === 206 ? { start: plan.start, end: plan.end } : undefined;
  const body = await documents.bytes(doc.id, range);
  await documents.recordDownload(principal, actor, doc, range);
  if (range) {
    res.status(206);
    res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${doc.sizeBytes}`);
  }
  res.setHeader('Content-Length', String(body.length));
  res.end(body);
}
