import { MigrationInterface, QueryRunner } from 'typeorm';

export class AuthEvents1796122875477 implements MigrationInterface {
  name = 'AuthEvents1796122875477';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "auth_event" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "type" character varying(40) NOT NULL, "user_id" uuid, "email" character varying(254), "actor_user_id" uuid, "channel" character varying(20) NOT NULL, "ip" character varying(64), "user_agent" character varying(400), "detail" jsonb NOT NULL DEFAULT '{}'::jsonb, CONSTRAINT "PK_20130748591e99a3c2e35d9a074" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "auth_event_occurred_idx" ON "auth_event"  ("occurred_at") `);
    await queryRunner.query(`CREATE INDEX "auth_event_email_idx" ON "auth_event"  ("email", "occurred_at") `);
    await queryRunner.query(`CREATE INDEX "auth_event_user_idx" ON "auth_event"  ("user_id", "occurred_at") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."auth_event_user_idx"`);
    await queryRunner.query(`DROP INDEX "public"."auth_event_email_idx"`);
    await queryRunner.query(`DROP INDEX "public"."auth_event_occurred_idx"`);
    await queryRunner.query(`DROP TABLE "auth_event"`);
  }
}
