import { MigrationInterface, QueryRunner } from 'typeorm';

/** The large values: sealed files kept in the database, and each revision's content. */
export const LZ4_COLUMNS: [table: string, column: string][] = [
  ['sealed_document', 'bytes'],
  ['sealed_document_version', 'bytes'],
  ['agreement_revision', 'content'],
];

/**
 * New values of the large columns are compressed with lz4 instead of PostgreSQL's default
 * pglz. A sealed PDF is about half uncompressed structure (tagged-PDF dictionaries): both
 * methods halve it, but pglz costs about 14 ms of the server's CPU per MB written and lz4
 * about 3 (measured on the drill's 469 sealed parts, 212 MB; docs/benchmarks.md), and lz4
 * reads back in half the time. Values already stored keep pglz; PostgreSQL reads both.
 *
 * A server built without lz4 (every Debian, Ubuntu, RHEL and official Docker build of 15+
 * has it) answers "feature not supported": the columns then keep pglz, with a notice.
 */
export class Lz4Compression1796176955000 implements MigrationInterface {
  name = 'Lz4Compression1796176955000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DO $$
      BEGIN
        ${LZ4_COLUMNS.map(([table, column]) => `ALTER TABLE "${table}" ALTER COLUMN "${column}" SET COMPRESSION lz4;`).join('\n        ')}
      EXCEPTION WHEN feature_not_supported THEN
        RAISE NOTICE 'this PostgreSQL server has no lz4: large values stay compressed with pglz';
      END $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const [table, column] of LZ4_COLUMNS) {
      await queryRunner.query(`ALTER TABLE "${table}" ALTER COLUMN "${column}" SET COMPRESSION DEFAULT`);
    }
  }
}
