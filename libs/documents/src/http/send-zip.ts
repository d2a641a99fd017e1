import archiver from 'archiver';
import type { Response } from 'express';
import { csvField } from '@pcn/audit';
import type { SealedDocumentEntity, SealedDocumentWithBytes } from '../storage/sealed-document.entity';

export const MANIFEST_COLUMNS = ['reference', 'file', 'sha256', 'size_bytes', 'kind', 'title', 'sealed_at', 'seal_certificate_sha256'] as const;

/** manifest.csv: one line per document, every cell through the audit CSV writer (quoted, formula-neutralised). */
export function documentsManifest(docs: Omit<SealedDocumentEntity, 'bytes'>[]): string {
  const lines = [MANIFEST_COLUMNS.join(',')];
  for (const doc of docs) {
    lines.push([doc.reference, doc.fileName, doc.sha256, doc.sizeBytes, doc.kind, doc.title, doc.sealedAt.toISOString(), doc.sealCertificateFingerprint].map(csvField).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

/** Streams a ZIP of sealed PDFs with a manifest.csv of their SHA-256 hashes (one source for the API and the pages). */
export async function sendDocumentsZip(res: Response, docs: SealedDocumentWithBytes[], fileName: string): Promise<void> {
  res.setHeader('Content-Type', 'application/zip');
  res.setHeader('Content-Disposition', `attachment; filename="${fileName.replace(/[^A-Za-z0-9._-]/g, '_')}"`);
  const archive = archiver('zip', { zlib: { level: 6 } });
  archive.pipe(res);
  for (const doc of docs) archive.append(doc.bytes, { name: doc.fileName, date: doc.sealedAt });
  archive.append(documentsManifest(docs), { name: 'manifest.csv' });
  await archive.finalize();
}
