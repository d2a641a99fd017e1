import { MigrationInterface, QueryRunner } from 'typeorm';

export class SentEmailClaim1796131552538 implements MigrationInterface {
  name = 'SentEmailClaim1796131552538';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sent_email" ADD "status" character varying(10) NOT NULL DEFAULT 'SENDING'`);
    await queryRunner.query(`ALTER TABLE "sent_email" ADD "attempts" integer NOT NULL DEFAULT '1'`);
    await queryRunner.query(`ALTER TABLE "sent_email" ADD "claimed_until" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "sent_email" ADD "possible_duplicate" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "sent_email" ADD "last_error" text`);
    await queryRunner.query(`ALTER TABLE "sent_email" ADD "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()`);
    await queryRunner.query(`ALTER TABLE "sent_email" ALTER COLUMN "sent_at" DROP NOT NULL`);
    await queryRunner.query(`ALTER TABLE "sent_email" ALTER COLUMN "sent_at" DROP DEFAULT`);
    // Rows written before the claim existed were written after the SMTP server accepted the message.
    await queryRunner.query(`UPDATE "sent_email" SET "status" = 'SENT', "created_at" = "sent_at"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sent_email" ALTER COLUMN "sent_at" SET DEFAULT now()`);
    await queryRunner.query(`ALTER TABLE "sent_email" ALTER COLUMN "sent_at" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "sent_email" DROP COLUMN "created_at"`);
    await queryRunner.query(`ALTER TABLE "sent_email" DROP COLUMN "last_error"`);
    await queryRunner.query(`ALTER TABLE "sent_email" DROP COLUMN "possible_duplicate"`);
    await queryRunner.query(`ALTER TABLE "sent_email" DROP COLUMN "claimed_until"`);
    await queryRunner.query(`ALTER TABLE "sent_email" DROP COLUMN "attempts"`);
    await queryRunner.query(`ALTER TABLE "sent_email" DROP COLUMN "status"`);
  }
}
