import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sealed files may live in an S3-compatible bucket (DOCUMENT_STORE=s3): a row then has no
 * `bytes` but the `object_key` of its file; a CHECK keeps exactly one of the two. Existing
 * rows keep their bytes. The immutability triggers are untouched: no row ever changes.
 */
export class DocumentObjectKeys1796151532259 implements MigrationInterface {
  name = 'DocumentObjectKeys1796151532259';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sealed_document_version" ADD "object_key" character varying(400)`);
    await queryRunner.query(`ALTER TABLE "sealed_document" ADD "object_key" character varying(400)`);
    await queryRunner.query(`ALTER TABLE "sealed_document_version" ALTER COLUMN "bytes" DROP NOT NULL`);
    await queryRunner.query(`ALTER TABLE "sealed_document" ALTER COLUMN "bytes" DROP NOT NULL`);
    await queryRunner.query(`ALTER TABLE "sealed_document_version" ADD CONSTRAINT "sealed_document_version_bytes_or_object_key" CHECK (num_nonnulls("bytes", "object_key") = 1)`);
    await queryRunner.query(`ALTER TABLE "sealed_document" ADD CONSTRAINT "sealed_document_bytes_or_object_key" CHECK (num_nonnulls("bytes", "object_key") = 1)`);
  }

  /** Fails while any file is in the bucket (bytes NULL): those would have to be copied back first. */
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sealed_document" DROP CONSTRAINT "sealed_document_bytes_or_object_key"`);
    await queryRunner.query(`ALTER TABLE "sealed_document_version" DROP CONSTRAINT "sealed_document_version_bytes_or_object_key"`);
    await queryRunner.query(`ALTER TABLE "sealed_document" ALTER COLUMN "bytes" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "sealed_document_version" ALTER COLUMN "bytes" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "sealed_document" DROP COLUMN "object_key"`);
    await queryRunner.query(`ALTER TABLE "sealed_document_version" DROP COLUMN "object_key"`);
  }
}
