import { MigrationInterface, QueryRunner } from 'typeorm';

export class AuditOutboxWorkflow1795335604902 implements MigrationInterface {
  name = 'AuditOutboxWorkflow1795335604902';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "outbox" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "queue" character varying(40) NOT NULL, "job_name" character varying(60) NOT NULL, "payload" jsonb NOT NULL, "run_at" TIMESTAMP WITH TIME ZONE NOT NULL, "status" character varying(12) NOT NULL DEFAULT 'PENDING', "dispatch_count" integer NOT NULL DEFAULT '0', "dispatched_at" TIMESTAMP WITH TIME ZONE, "completed_at" TIMESTAMP WITH TIME ZONE, "last_error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_340ab539f309f03bdaa14aa7649" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "outbox_pending_idx" ON "outbox"  ("status", "run_at") `);
    await queryRunner.query(`CREATE TABLE "audit_event" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "chain_key" character varying(64) NOT NULL, "seq" integer NOT NULL, "type" character varying(40) NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "agreement_id" uuid, "round_id" uuid, "revision_hash" character(64), "actor_user_id" uuid, "actor_name" character varying(200), "organisation_id" uuid, "ip" character varying(64), "user_agent" character varying(500), "auth_method" character varying(40), "payload" jsonb NOT NULL, "prev_hash" character(64) NOT NULL, "hash" character(64) NOT NULL, CONSTRAINT "audit_event_occurred_at_ms_check" CHECK (occurred_at = date_trunc('milliseconds', occurred_at)), CONSTRAINT "audit_event_seq_check" CHECK (seq >= 1), CONSTRAINT "PK_481efbe8b0a403efe3f47a6528f" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "audit_event_agreement_idx" ON "audit_event"  ("agreement_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "audit_event_chain_seq_unique" ON "audit_event"  ("chain_key", "seq") `);
    await queryRunner.query(`CREATE TABLE "agreement_execution" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "agreement_id" uuid NOT NULL, "revision_id" uuid NOT NULL, "round_id" uuid NOT NULL, "content_hash" character(64) NOT NULL, "executed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "document_status" character varying(12) NOT NULL DEFAULT 'PENDING', "document_generated_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_42d781a5afa2faba44ac41a7f99" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "agreement_execution_agreement_idx" ON "agreement_execution"  ("agreement_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "agreement_execution_revision_unique" ON "agreement_execution"  ("revision_id") `);
    await queryRunner.query(`CREATE TABLE "approval_round" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "agreement_id" uuid NOT NULL, "revision_id" uuid NOT NULL, "revision_number" integer NOT NULL, "content_hash" character(64) NOT NULL, "status" character varying(12) NOT NULL DEFAULT 'ACTIVE', "current_step" integer NOT NULL, "last_step" integer NOT NULL, "ig_last_step" integer NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "first_reminder_after_days" integer NOT NULL, "reminder_every_days" integer NOT NULL, "max_reminders" integer NOT NULL, "reminders_sent" integer NOT NULL DEFAULT '0', "reminder_seq" integer NOT NULL DEFAULT '0', "message" text, "submitted_by" uuid, "submitted_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "ended_at" TIMESTAMP WITH TIME ZONE, "end_reason" text, CONSTRAINT "approval_round_step_check" CHECK (current_step >= 1 AND current_step <= last_step), CONSTRAINT "PK_b83ab4ce3d72c87bcc887e78f61" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "approval_round_agreement_idx" ON "approval_round"  ("agreement_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "approval_round_one_open_per_agreement" ON "approval_round"  ("agreement_id") WHERE status IN ('ACTIVE', 'EXPIRED')`);
    await queryRunner.query(`CREATE TABLE "signature_request" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "round_id" uuid NOT NULL, "agreement_id" uuid NOT NULL, "step" integer NOT NULL, "kind" character varying(12) NOT NULL, "scope" character varying(10) NOT NULL, "annex_id" uuid, "annex_title" character varying(200), "bound_hash" character(64) NOT NULL, "group_key" character varying(120) NOT NULL, "organisation_id" uuid NOT NULL, "organisation_name" character varying(200) NOT NULL, "ods_code" character varying(10), "person_id" uuid NOT NULL, "person_name" character varying(200) NOT NULL, "person_email" character varying(254) NOT NULL, "capacity" character varying(30) NOT NULL, "status" character varying(12) NOT NULL DEFAULT 'PENDING', "delegated_from_id" uuid, "viewed_at" TIMESTAMP WITH TIME ZONE, "acted_at" TIMESTAMP WITH TIME ZONE, "acted_by_user_id" uuid, "typed_name" character varying(200), "authority_confirmed" boolean, "ip" character varying(64), "user_agent" character varying(500), "auth_method" character varying(40), "decline_reason" text, "reminders_sent" integer NOT NULL DEFAULT '0', CONSTRAINT "PK_6429820dd4d2a6051adde8f6673" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "signature_request_unique" ON "signature_request"  ("round_id", "group_key", "person_id") `);
    await queryRunner.query(`CREATE INDEX "signature_request_person_idx" ON "signature_request"  ("person_id", "status") `);
    await queryRunner.query(`CREATE INDEX "signature_request_round_step_idx" ON "signature_request"  ("round_id", "step") `);
    await queryRunner.query(`CREATE TABLE "sent_email" ("job_id" uuid NOT NULL, "round_id" uuid NOT NULL, "person_id" uuid NOT NULL, "kind" character varying(30) NOT NULL, "recipient" character varying(254) NOT NULL, "message_id" character varying(300) NOT NULL, "sent_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_06797e7202a596a6f738cd9d54c" PRIMARY KEY ("job_id"))`);
    await queryRunner.query(`ALTER TABLE "network_agreement" ADD "version_number" integer NOT NULL DEFAULT '1'`);
    await queryRunner.query(`ALTER TABLE "network_agreement" ADD "variation_of_id" uuid`);
    await queryRunner.query(`ALTER TABLE "network_agreement" ADD "executed_revision_number" integer`);
    await queryRunner.query(`ALTER TABLE "network_agreement" ADD "executed_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "network_agreement" ADD "ended_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "network_agreement" ADD "status_reason" text`);
    await queryRunner.query(`CREATE INDEX "network_agreement_variation_of_idx" ON "network_agreement"  ("variation_of_id") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."network_agreement_variation_of_idx"`);
    await queryRunner.query(`ALTER TABLE "network_agreement" DROP COLUMN "status_reason"`);
    await queryRunner.query(`ALTER TABLE "network_agreement" DROP COLUMN "ended_at"`);
    await queryRunner.query(`ALTER TABLE "network_agreement" DROP COLUMN "executed_at"`);
    await queryRunner.query(`ALTER TABLE "network_agreement" DROP COLUMN "executed_revision_number"`);
    await queryRunner.query(`ALTER TABLE "network_agreement" DROP COLUMN "variation_of_id"`);
    await queryRunner.query(`ALTER TABLE "network_agreement" DROP COLUMN "version_number"`);
    await queryRunner.query(`DROP TABLE "sent_email"`);
    await queryRunner.query(`DROP INDEX "public"."signature_request_round_step_idx"`);
    await queryRunner.query(`DROP INDEX "public"."signature_request_person_idx"`);
    await queryRunner.query(`DROP INDEX "public"."signature_request_unique"`);
    await queryRunner.query(`DROP TABLE "signature_request"`);
    await queryRunner.query(`DROP INDEX "public"."approval_round_one_open_per_agreement"`);
    await queryRunner.query(`DROP INDEX "public"."approval_round_agreement_idx"`);
    await queryRunner.query(`DROP TABLE "approval_round"`);
    await queryRunner.query(`DROP INDEX "public"."agreement_execution_revision_unique"`);
    await queryRunner.query(`DROP INDEX "public"."agreement_execution_agreement_idx"`);
    await queryRunner.query(`DROP TABLE "agreement_execution"`);
    await queryRunner.query(`DROP INDEX "public"."audit_event_chain_seq_unique"`);
    await queryRunner.query(`DROP INDEX "public"."audit_event_agreement_idx"`);
    await queryRunner.query(`DROP TABLE "audit_event"`);
    await queryRunner.query(`DROP INDEX "public"."outbox_pending_idx"`);
    await queryRunner.query(`DROP TABLE "outbox"`);
  }
}
