import { MigrationInterface, QueryRunner } from 'typeorm';

export class SealedDocuments1795338275197 implements MigrationInterface {
  name = 'SealedDocuments1795338275197';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "sealed_document" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "reference" character varying(80) NOT NULL, "agreement_id" uuid NOT NULL, "execution_id" uuid NOT NULL, "revision_id" uuid NOT NULL, "kind" character varying(10) NOT NULL, "part" character varying(40) NOT NULL, "annex_id" uuid, "title" character varying(300) NOT NULL, "party_organisation_ids" uuid array NOT NULL DEFAULT '{}', "file_name" character varying(120) NOT NULL, "sha256" character(64) NOT NULL, "size_bytes" integer NOT NULL, "content_hash" character(64) NOT NULL, "seal_certificate_fingerprint" character(64) NOT NULL, "seal_certificate_subject" character varying(300) NOT NULL, "sealed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "signatories" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "bytes" bytea NOT NULL, CONSTRAINT "PK_9ad7658cd1f7e4cc91a39a7b7f9" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "sealed_document_reference_unique" ON "sealed_document"  ("reference") `);
    await queryRunner.query(`CREATE INDEX "sealed_document_agreement_idx" ON "sealed_document"  ("agreement_id") `);
    await queryRunner.query(`CREATE INDEX "sealed_document_sha256_idx" ON "sealed_document"  ("sha256") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "sealed_document_execution_part_unique" ON "sealed_document"  ("execution_id", "kind", "part") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."sealed_document_execution_part_unique"`);
    await queryRunner.query(`DROP INDEX "public"."sealed_document_sha256_idx"`);
    await queryRunner.query(`DROP INDEX "public"."sealed_document_agreement_idx"`);
    await queryRunner.query(`DROP INDEX "public"."sealed_document_reference_unique"`);
    await queryRunner.query(`DROP TABLE "sealed_document"`);
  }
}
