import { MigrationInterface, QueryRunner } from 'typeorm';

/** Later versions of sealed documents (renewed document timestamps); immutable like sealed_document (reuses its refusal function). */
export class SealedDocumentVersions1796122037833 implements MigrationInterface {
  name = 'SealedDocumentVersions1796122037833';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "sealed_document_version" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "document_id" uuid NOT NULL, "version" integer NOT NULL, "sha256" character(64) NOT NULL, "size_bytes" integer NOT NULL, "timestamped_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "bytes" bytea NOT NULL, CONSTRAINT "PK_82a115e0a1265e99fd655e489f7" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "sealed_document_version_sha256_idx" ON "sealed_document_version"  ("sha256") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "sealed_document_version_unique" ON "sealed_document_version"  ("document_id", "version") `);
    await queryRunner.query(`CREATE TRIGGER sealed_document_version_immutable BEFORE UPDATE OR DELETE ON sealed_document_version FOR EACH ROW EXECUTE FUNCTION refuse_sealed_document_change()`);
    await queryRunner.query(`CREATE TRIGGER sealed_document_version_no_truncate BEFORE TRUNCATE ON sealed_document_version FOR EACH STATEMENT EXECUTE FUNCTION refuse_sealed_document_change()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER sealed_document_version_no_truncate ON sealed_document_version`);
    await queryRunner.query(`DROP TRIGGER sealed_document_version_immutable ON sealed_document_version`);
    await queryRunner.query(`DROP INDEX "public"."sealed_document_version_unique"`);
    await queryRunner.query(`DROP INDEX "public"."sealed_document_version_sha256_idx"`);
    await queryRunner.query(`DROP TABLE "sealed_document_version"`);
  }
}
