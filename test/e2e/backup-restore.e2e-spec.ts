import type { INestApplicationContext } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditChainKey, verifyAuditChain } from '@pcn/audit';
import { createTestApp, TestApp } from '../support/test-app';
import { FAST_WORKFLOW_ENV, startTestWorker } from '../support/test-worker';
import { executeDemoAgreement } from '../support/executed-agreement';
import { startSmtpTestServer, SmtpTestServer } from '../support/smtp-test-server';
import { loadBytes, waitForQuiet } from '../support/workflow-scenario';
import { createEmptyDatabase, dumpDatabase, EmptyDatabase, pgTool, restoreDatabase, runCli, runProgram, tableRowCounts, withClient } from '../support/pg-backup';
import { runTool, tempDir, writeTemp } from '../../libs/documents/src/testing/pdf-tools';
import type { DemoData } from '../../apps/cli/src/seed/seed-demo';

interface StoredPart {
  id: string;
  reference: string;
  kind: string;
  sha256: string;
  size_bytes: number;
  bytes: Buffer;
}

const PARTS_SQL = `SELECT id, reference, kind, sha256, size_bytes, bytes FROM sealed_document ORDER BY reference`;

/** The byte the tamper flips: inside the seal's second signed range, as documents.e2e-spec does. */
function tamperOffset(pdf: Buffer): number {
  const byteRange = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(pdf.toString('latin1'))!;
  const secondStart = Number(byteRange[3]);
  return secondStart + Math.floor((pdf.length - secondStart) / 3);
}

/**
 * Backup and restore as docs/operations.md tells an operator to do it: `pg_dump -Fc` of a database
 * holding an executed agreement (agreement + annex sealed, audit chains written), `pg_restore` into
 * a brand-new database, then the checks of the runbook on the restored copy: every sealed part
 * authentic (documents:verify and pdfsig), every audit chain intact (audit:verify), every table's
 * row count equal. A backup altered at rest (one byte of one sealed part changed in the dump) is
 * restored without complaint by PostgreSQL and then detected as altered by the same checks.
 */
describe('backup and restore (pg_dump -Fc, pg_restore, the restored copy still proves everything)', () => {
  let t: TestApp;
  let worker: INestApplicationContext | undefined;
  let smtp: SmtpTestServer;
  let demo: DemoData;
  let restored: EmptyDatabase;
  let tampered: EmptyDatabase;
  const dir = tempDir('pcn-e2e-backup-');
  const dumpFile = join(dir, 'pcn.dump');
  let sourceCounts: Record<string, number>;
  let sourceParts: StoredPart[];
  let sourceChains: { chains: number; eventsChecked: number; agreementHead: { seq: number; hash: string } };
  const figures: Record<string, unknown> = {};

  beforeAll(async () => {
    smtp = await startSmtpTestServer();
    t = await createTestApp({ ...FAST_WORKFLOW_ENV, ...smtp.env() });
    worker = await startTestWorker();
    demo = await loadBytes(t);
    expect(await executeDemoAgreement(t, demo.agreementId)).toBe(201);
    await waitForQuiet(t, { probe: () => smtp.messages.length });
    // Nothing writes once the worker is gone (the API answers requests only), so counts taken
    // now are the counts of the snapshot pg_dump takes.
    await worker.close();
    worker = undefined;

    sourceCounts = await tableRowCounts(t.db.url);
    sourceParts = await withClient(t.db.url, async (c) => (await c.query<StoredPart>(PARTS_SQL)).rows);
    const all = await verifyAuditChain(t.dataSource.manager);
    const agreement = await verifyAuditChain(t.dataSource.manager, auditChainKey(demo.agreementId));
    sourceChains = { chains: all.chains, eventsChecked: all.eventsChecked, agreementHead: agreement.head! };

    const dump = dumpDatabase(t.db.url, dumpFile);
    expect(await tableRowCounts(t.db.url)).toEqual(sourceCounts);
    restored = await createEmptyDatabase('restored');
    const restore = restoreDatabase(restored.url, dumpFile);

    const [sizes] = await t.dataSource.query(
      `SELECT pg_database_size(current_database())::bigint AS database, pg_total_relation_size('sealed_document')::bigint AS sealed_document_relation,
              (SELECT sum(size_bytes) FROM sealed_document WHERE agreement_id = $1)::bigint AS agreement_document_bytes`,
      [demo.agreementId],
    );
    Object.assign(figures, {
      dumpMs: Math.round(dump.ms),
      dumpBytes: dump.bytes,
      restoreMs: Math.round(restore.ms),
      databaseBytes: Number(sizes.database),
      sealedDocumentRelationBytes: Number(sizes.sealed_document_relation),
      agreementDocumentBytes: Number(sizes.agreement_document_bytes),
      parts: sourceParts.map((p) => `${p.kind} ${p.reference} ${p.size_bytes} B`),
      auditEvents: sourceChains.eventsChecked,
    });
  });

  afterAll(async () => {
    // Figures for docs/operations.md and docs/deployment.md (dump/restore time and size, bytes per agreement).
    console.log(`backup-restore figures: ${JSON.stringify(figures)}`);
    await worker?.close();
    await restored?.drop();
    await tampered?.drop();
    await t?.close();
    await smtp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('built a source database with one executed agreement, its agreement and annex sealed, and its audit chain', () => {
    expect(sourceParts.map((p) => [p.kind, p.reference])).toEqual([
      ['AGREEMENT', 'NA-U70101-2026-0001-r1'],
      ['ANNEX', 'NA-U70101-2026-0001-r1-A1'],
    ]);
    expect(sourceCounts['public.agreement_execution']).toBe(1);
    expect(sourceCounts['public.sealed_document']).toBe(2);
    expect(sourceCounts['public.audit_event']).toBe(sourceChains.eventsChecked);
    expect(sourceChains.agreementHead.seq).toBeGreaterThan(1);
  });

  it('restores every table with exactly the source’s row count', async () => {
    expect(await tableRowCounts(restored.url)).toEqual(sourceCounts);
    const names = async (url: string) => withClient(url, async (c) => (await c.query(`SELECT name FROM schema_migration ORDER BY id`)).rows.map((r) => r.name as string));
    expect(await names(restored.url)).toEqual(await names(t.db.url));
  });

  it('restores the sealed parts byte for byte, each authentic in documents:verify and valid in pdfsig', async () => {
    const parts = await withClient(restored.url, async (c) => (await c.query<StoredPart>(PARTS_SQL)).rows);
    expect(parts.map((p) => p.id)).toEqual(sourceParts.map((p) => p.id));
    for (const [i, part] of parts.entries()) {
      expect(part.bytes.equals(sourceParts[i].bytes)).toBe(true);
      expect(createHash('sha256').update(part.bytes).digest('hex')).toBe(part.sha256);
      expect(part.bytes.length).toBe(part.size_bytes);
      const file = writeTemp(dir, `${part.reference}.pdf`, part.bytes);
      const verified = runCli(['documents:verify', file], restored.url);
      expect({ status: verified.status, headline: verified.stdout.split('\n')[0] }).toEqual({ status: 0, headline: `${file}: Authentic: sealed by the platform and unchanged` });
      const sig = runTool('pdfsig', [file]).stdout;
      expect(sig).toContain('Signature is Valid.');
      expect(sig).toContain('Total document signed');
    }
  });

  it('keeps every audit chain intact (audit:verify exits 0) with the same head as the source', () => {
    const all = runCli(['audit:verify'], restored.url);
    expect(all.status).toBe(0);
    expect(JSON.parse(all.stdout)).toEqual({ ok: true, chains: sourceChains.chains, eventsChecked: sourceChains.eventsChecked });
    const one = runCli(['audit:verify', demo.agreementId], restored.url);
    expect(one.status).toBe(0);
    expect(JSON.parse(one.stdout)).toEqual(expect.objectContaining({ ok: true, chains: 1, head: sourceChains.agreementHead }));
  });

  it('restores the immutability triggers with the rows', async () => {
    await withClient(restored.url, async (c) => {
      await expect(c.query(`UPDATE sealed_document SET title = 'x' WHERE id = $1`, [sourceParts[0].id])).rejects.toThrow(/sealed documents are immutable/);
      await expect(c.query(`DELETE FROM audit_event WHERE agreement_id = $1`, [demo.agreementId])).rejects.toThrow();
    });
  });

  it('detects a backup altered at rest: one byte of one sealed part changed in the dump restores, then fails verification', async () => {
    // The triggers refuse UPDATE and DELETE, not the COPY of a restore, so the alteration is made
    // in the backup itself: the archive as SQL, one hex digit pair of the agreement part's bytea
    // changed, loaded into another brand-new database.
    const sqlFile = join(dir, 'pcn.sql');
    expect(runProgram(pgTool('pg_restore'), ['--no-owner', '--no-privileges', '--file', sqlFile, dumpFile]).status).toBe(0);
    const lines = readFileSync(sqlFile, 'utf8').split('\n');
    const header = lines.findIndex((l) => l.startsWith('COPY public.sealed_document ('));
    const columns = /\(([^)]*)\)/.exec(lines[header])![1].split(', ');
    const victim = sourceParts.find((p) => p.kind === 'AGREEMENT')!;
    const row = lines.findIndex((l, i) => i > header && l.startsWith(`${victim.id}\t`));
    const fields = lines[row].split('\t');
    const bytesColumn = columns.indexOf('bytes');
    expect(fields[bytesColumn].startsWith('\\\\x')).toBe(true);
    const at = tamperOffset(victim.bytes);
    const flipped = victim.bytes[at] === 0x41 ? 0x42 : 0x41;
    const hexAt = 3 + 2 * at;
    fields[bytesColumn] = fields[bytesColumn].slice(0, hexAt) + flipped.toString(16).padStart(2, '0') + fields[bytesColumn].slice(hexAt + 2);
    lines[row] = fields.join('\t');
    writeFileSync(sqlFile, lines.join('\n'));

    tampered = await createEmptyDatabase('tampered');
    const load = runProgram(pgTool('psql'), ['--quiet', '--no-psqlrc', '-v', 'ON_ERROR_STOP=1', '--dbname', tampered.url, '--file', sqlFile]);
    expect({ status: load.status, stderr: load.stderr }).toEqual({ status: 0, stderr: '' });
    figures.plainSqlBytes = statSync(sqlFile).size;
    figures.psqlLoadMs = Math.round(load.ms);

    const parts = await withClient(tampered.url, async (c) => (await c.query<StoredPart>(PARTS_SQL)).rows);
    const altered = parts.find((p) => p.id === victim.id)!;
    const differing = [...altered.bytes.keys()].filter((i) => altered.bytes[i] !== victim.bytes[i]);
    expect(differing).toEqual([at]);
    // The row still claims the original hash; the bytes no longer have it.
    expect(altered.sha256).toBe(victim.sha256);
    expect(createHash('sha256').update(altered.bytes).digest('hex')).not.toBe(altered.sha256);

    const file = writeTemp(dir, 'tampered.pdf', altered.bytes);
    const verified = runCli(['documents:verify', file], tampered.url);
    expect({ status: verified.status, headline: verified.stdout.split('\n')[0] }).toEqual({ status: 1, headline: `${file}: Altered: changed since it was sealed` });
    expect(runTool('pdfsig', [file], { allowFailure: true }).stdout).toContain('Digest Mismatch.');

    // The untouched annex in the same tampered copy still verifies: the check names the one altered part.
    const annex = parts.find((p) => p.kind === 'ANNEX')!;
    const annexFile = writeTemp(dir, 'tampered-copy-annex.pdf', annex.bytes);
    expect(runCli(['documents:verify', annexFile], tampered.url).status).toBe(0);
    // Documents are not in the audit chain's hashes, so the chain of the tampered copy stays intact.
    expect(runCli(['audit:verify'], tampered.url).status).toBe(0);
  });
});
