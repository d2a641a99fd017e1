import archiver from 'archiver';
import type { Response } from 'express';
import type { SealedDocumentEntity } from '../storage/sealed-document.entity';

const csv = (v: unknown) => `"${String(v ?? '').replace(/"/g, '""')}"`;

/** Streams a ZIP of sealed PDFs with a manifest.csv of their SHA-256 hashes (one source for the API and the pages). */
export async function sendDocumentsZip(res: Response, docs: SealedDocumentEntity[], fileName: string): Promise<void> {
  res.setHeader('Content-Type', 'application/zip');
  res.setHeader('Content-Disposition', `attachment; filename="${fileName.replace(/[^A-Za-z0-9._-]/g, '_')}"`);
  const archive = archiver('zip', { zlib: { level: 6 } });
  archive.pipe(res);
  const manifest = ['reference,file,sha256,size_bytes,kind,title,sealed_at,seal_certificate_sha256'];
  for (const doc of docs) {
    archive.append(doc.bytes, { name: doc.fileName, date: doc.sealedAt });
    manifest.push([doc.reference, doc.fileName, doc.sha256, doc.sizeBytes, doc.kind, doc.title, doc.sealedAt.toISOString(), doc.sealCertificateFingerprint].map(csv).join(','));
  }
  archive.append(manifest.join('\r\n') + '\r\n', { name: 'manifest.csv' });
  await archive.finalize();
}
