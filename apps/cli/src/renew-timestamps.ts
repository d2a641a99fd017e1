import { createHash } from 'node:crypto';
import { loadTypedConfig } from '@pcn/common';
import { createDocumentStore, DocumentsEnv, loadSealService, SealEnv, SealedDocumentVersionEntity } from '@pcn/documents';
import { cliDataSource } from './migrations';

/**
 * `documents:renew-timestamps`: for every stored document whose last timestamp is older than
 * DOCUMENT_TIMESTAMP_RENEW_AFTER_DAYS (the last renewal's TSA time, else the sealing time),
 * appends current validation data and a fresh document timestamp to its latest version and
 * stores the result as a new immutable version with its own SHA-256; earlier versions stay.
 */
export async function renewTimestampsCommand(databaseUrl: string, log: (line: string) => void = console.log): Promise<number> {
  const config = loadTypedConfig(SealEnv);
  if (!config.TSA_URL) throw new Error('TSA_URL: must be set to renew document timestamps (it is not set)');
  const seal = loadSealService(config);
  const cutoff = new Date(Date.now() - config.DOCUMENT_TIMESTAMP_RENEW_AFTER_DAYS * 86_400_000);
  const ds = await cliDataSource(databaseUrl).initialize();
  const store = await createDocumentStore(loadTypedConfig(DocumentsEnv), ds);
  let renewed = 0;
  try {
    const due: Array<{ id: string; reference: string }> = await ds.query(
      `SELECT d.id, d.reference FROM sealed_document d LEFT JOIN sealed_document_version v ON v.document_id = d.id
       GROUP BY d.id, d.reference HAVING COALESCE(MAX(v.timestamped_at), d.sealed_at) < $1 ORDER BY d.reference`,
      [cutoff],
    );
    for (const doc of due) {
      await ds.transaction(async (em) => {
        // One renewal at a time per document (a second run waits, then finds it fresh).
        await em.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`renew:${doc.id}`]);
        const latest = await em.getRepository(SealedDocumentVersionEntity).findOne({
          where: { documentId: doc.id },
          order: { version: 'DESC' },
          select: { id: true, version: true, timestampedAt: true },
        });
        if (latest && latest.timestampedAt >= cutoff) return;
        // Read through the store: the file is in the row (bytea) or in the bucket (s3), whichever wrote it.
        const bytes = latest ? await store.getVersion(latest.id) : await store.get(doc.id);
        if (!bytes) throw new Error(`${doc.reference}: its stored file was not found`);
        const { pdf, timestampedAt } = await seal.renewDocumentTimestamp(bytes);
        const version = (latest?.version ?? 1) + 1;
        await store.putVersion(
          em,
          Object.assign(new SealedDocumentVersionEntity(), {
            documentId: doc.id,
            version,
            sha256: createHash('sha256').update(pdf).digest('hex'),
            sizeBytes: pdf.length,
            timestampedAt,
            bytes: pdf,
          }),
        );
        renewed++;
        log(`${doc.reference}: version ${version} with a document timestamp of ${timestampedAt.toISOString()}`);
      });
    }
    log(`${renewed} of ${due.length} document(s) due renewed (timestamps older than ${config.DOCUMENT_TIMESTAMP_RENEW_AFTER_DAYS} days)`);
    return renewed;
  } finally {
    store.close();
    await ds.destroy();
  }
}
