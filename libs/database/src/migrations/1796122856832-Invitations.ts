import { MigrationInterface, QueryRunner } from 'typeorm';

export class Invitations1796122856832 implements MigrationInterface {
  name = 'Invitations1796122856832';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "invitation" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" character varying(254) NOT NULL, "display_name" character varying(200) NOT NULL, "person_id" uuid, "grants" jsonb NOT NULL, "organisation_id" uuid, "invited_by_user_id" uuid, "invited_by_name" character varying(200), "token_hash" character(64), "expires_at" TIMESTAMP WITH TIME ZONE, "sent_job_id" character varying(64), "sent_at" TIMESTAMP WITH TIME ZONE, "accepted_at" TIMESTAMP WITH TIME ZONE, "accepted_user_id" uuid, "revoked_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_beb994737756c0f18a1c1f8669c" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "invitation_email_idx" ON "invitation"  ("email") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "invitation_token_hash_unique" ON "invitation"  ("token_hash") WHERE token_hash IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."invitation_token_hash_unique"`);
    await queryRunner.query(`DROP INDEX "public"."invitation_email_idx"`);
    await queryRunner.query(`DROP TABLE "invitation"`);
  }
}
