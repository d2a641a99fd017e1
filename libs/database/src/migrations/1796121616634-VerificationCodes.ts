import { randomBytes } from 'node:crypto';
import { MigrationInterface, QueryRunner } from 'typeorm';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** 16 base32 characters from 80 random bits (the same form as DocumentsGenerator's codes). */
function code(): string {
  const bytes = randomBytes(10);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

/**
 * A random public verification code per sealed part (the public page's only key), the hash of
 * the revision the seal covers, and a prunable table counting verifications outside the audit
 * chains. Parts sealed before this get a code here (the immutability trigger is paused for
 * exactly that backfill); their printed URL still names the old reference.
 */

export class VerificationCodes1796121616634 implements MigrationInterface {
  name = 'VerificationCodes1796121616634';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "document_verification" ("id" BIGSERIAL NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "channel" character varying(10) NOT NULL, "verdict" character varying(30) NOT NULL, "document_id" uuid, "signed_in" boolean NOT NULL, CONSTRAINT "PK_1c94ee98e0043dfb8617980f2df" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "document_verification_at_idx" ON "document_verification"  ("at") `);
    await queryRunner.query(`ALTER TABLE "sealed_document" ADD "verification_code" character varying(16)`);
    const existing: { id: string }[] = await queryRunner.query(`SELECT id FROM "sealed_document"`);
    if (existing.length > 0) {
      await queryRunner.query(`ALTER TABLE "sealed_document" DISABLE TRIGGER sealed_document_immutable`);
      for (const { id } of existing) await queryRunner.query(`UPDATE "sealed_document" SET "verification_code" = $1 WHERE id = $2`, [code(), id]);
      await queryRunner.query(`ALTER TABLE "sealed_document" ENABLE TRIGGER sealed_document_immutable`);
    }
    await queryRunner.query(`ALTER TABLE "sealed_document" ALTER COLUMN "verification_code" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "sealed_document" ADD "signed_revision_sha256" character(64)`);
    await queryRunner.query(`CREATE UNIQUE INDEX "sealed_document_verification_code_unique" ON "sealed_document"  ("verification_code") `);
    await queryRunner.query(`CREATE INDEX "sealed_document_signed_revision_idx" ON "sealed_document"  ("signed_revision_sha256") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Dropping columns rewrites no row, so the immutability trigger does not object.
    await queryRunner.query(`DROP INDEX "public"."sealed_document_signed_revision_idx"`);
    await queryRunner.query(`DROP INDEX "public"."sealed_document_verification_code_unique"`);
    await queryRunner.query(`ALTER TABLE "sealed_document" DROP COLUMN "signed_revision_sha256"`);
    await queryRunner.query(`ALTER TABLE "sealed_document" DROP COLUMN "verification_code"`);
    await queryRunner.query(`DROP INDEX "public"."document_verification_at_idx"`);
    await queryRunner.query(`DROP TABLE "document_verification"`);
  }
}
