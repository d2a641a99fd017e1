import type { Request, Response } from 'express';
import rangeParser from 'range-parser';
import { DocumentsErrorCode, DocumentsException } from '../documents.exception';

/**
 * Sends stored PDF bytes as HTTP expects of a file: ETag = SHA-256 (so a client can check
 * what it got), conditional GET, and byte ranges for viewers that fetch pages lazily.
 */
export function sendPdf(req: Request, res: Response, pdf: Buffer, fileName: string, sha256: string): void {
  const etag = `"${sha256}"`;
  res.setHeader('Content-Type', 'application/pdf');
  res.setHeader('Content-Disposition', `attachment; filename="${fileName.replace(/[^A-Za-z0-9._-]/g, '_')}"`);
  res.setHeader('ETag', etag);
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Cache-Control', 'private, max-age=0, must-revalidate');
  if (req.headers['if-none-match'] === etag) {
    res.status(304).end();
    return;
  }
  const header = req.headers.range;
  if (header) {
    const ranges = rangeParser(pdf.length, header, { combine: true });
    if (ranges === -1) {
      res.setHeader('Content-Range', `bytes */${pdf.length}`);
      throw new DocumentsException(DocumentsErrorCode.RangeNotSatisfiable, `The requested range is outside the document (${pdf.length} bytes).`);
    }
    if (Array.isArray(ranges) && ranges.type === 'bytes' && ranges.length === 1) {
      const { start, end } = ranges[0];
      res.status(206);
      res.setHeader('Content-Range', `bytes ${start}-${end}/${pdf.length}`);
      res.setHeader('Content-Length', String(end - start + 1));
      res.end(pdf.subarray(start, end + 1));
      return;
    }
  }
  res.setHeader('Content-Length', String(pdf.length));
  res.end(pdf);
}
