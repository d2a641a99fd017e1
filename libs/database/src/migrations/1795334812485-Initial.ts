import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1795334812485 implements MigrationInterface {
  name = 'Initial1795334812485';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "role_grant" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "role" character varying(30) NOT NULL, "organisation_id" uuid, "icb_code" character varying(3), CONSTRAINT "role_grant_scope_check" CHECK ((role IN ('PLATFORM_ADMIN', 'AUDITOR')) = (organisation_id IS NULL)), CONSTRAINT "PK_b9e50aafa723c536731c38529fb" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "role_grant_unique" ON "role_grant"  ("user_id", "role", "organisation_id", "icb_code") `);
    await queryRunner.query(`CREATE TABLE "user_account" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" character varying(254) NOT NULL, "display_name" character varying(200) NOT NULL, "password_hash" text NOT NULL, "person_id" uuid, "disabled" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6acfec7285fdf9f463462de3e9f" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "user_account_email_unique" ON "user_account"  ("email") `);
    await queryRunner.query(`CREATE TABLE "refresh_token" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "family_id" uuid NOT NULL, "token_hash" character(64) NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b575dd3c21fb0831013c909e7fe" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "refresh_token_user_idx" ON "refresh_token"  ("user_id") `);
    await queryRunner.query(`CREATE INDEX "refresh_token_family_idx" ON "refresh_token"  ("family_id") `);
    await queryRunner.query(`CREATE TABLE "organisation" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "kind" character varying(30) NOT NULL, "name" character varying(200) NOT NULL, "ods_code" character varying(10), "address" character varying(300), "postcode" character varying(10), "ico_registration_number" character varying(12), "dspt_status" character varying(20), "dspt_year" character varying(7), "contract_type" character varying(4), "legal_form" character varying(20), "list_size" integer, "list_size_date" date, "sub_icb_code" character varying(5), "icb_code" character varying(3), "network_area" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "organisation_dspt_year_check" CHECK (dspt_year IS NULL OR dspt_year ~ '^20[0-9]{2}-[0-9]{2}$'), CONSTRAINT "organisation_list_size_check" CHECK (list_size IS NULL OR list_size >= 0), CONSTRAINT "organisation_pcn_code_check" CHECK (kind <> 'PCN' OR ((ods_code IS NULL OR ods_code ~ '^U[0-9]{5}$') AND icb_code ~ '^Q[0-9A-Z]{2}$' AND network_area IS NOT NULL)), CONSTRAINT "organisation_practice_ods_check" CHECK (kind <> 'GP_PRACTICE' OR (ods_code ~ '^[A-Z][0-9]{5}$' AND contract_type IS NOT NULL AND legal_form IS NOT NULL)), CONSTRAINT "PK_c725ae234ef1b74cce43d2d00c1" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "organisation_ods_code_unique" ON "organisation"  ("ods_code") WHERE ods_code IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX "organisation_icb_code_idx" ON "organisation"  ("icb_code") `);
    await queryRunner.query(`CREATE TABLE "membership" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "pcn_id" uuid NOT NULL, "practice_id" uuid NOT NULL, "type" character varying(10) NOT NULL DEFAULT 'CORE', "joined_on" date NOT NULL, "left_on" date, "exit_reason" character varying(20), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "membership_dates_check" CHECK (left_on IS NULL OR left_on >= joined_on), CONSTRAINT "membership_one_core_pcn_at_a_time" EXCLUDE USING gist ("practice_id" WITH =, daterange("joined_on", "left_on", '[]') WITH &&) WHERE ("type" = 'CORE'), CONSTRAINT "PK_83c1afebef3059472e7c37e8de8" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "membership_pcn_idx" ON "membership"  ("pcn_id") `);
    await queryRunner.query(`CREATE INDEX "membership_practice_idx" ON "membership"  ("practice_id") `);
    await queryRunner.query(`CREATE TABLE "person" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "full_name" character varying(200) NOT NULL, "email" character varying(254) NOT NULL, "gmc_number" character varying(7), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "person_gmc_check" CHECK (gmc_number IS NULL OR gmc_number ~ '^[0-9]{7}$'), CONSTRAINT "PK_5fdaf670315c4b7e70cce85daa3" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "person_email_unique" ON "person"  ("email") `);
    await queryRunner.query(`CREATE TABLE "person_role" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "person_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "role" character varying(30) NOT NULL, "signs_for_organisation" boolean NOT NULL DEFAULT false, "valid_from" date NOT NULL, "valid_to" date, CONSTRAINT "person_role_dates_check" CHECK (valid_to IS NULL OR valid_to >= valid_from), CONSTRAINT "PK_7dfed12a35115c66c0ab0c22b0d" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "person_role_person_idx" ON "person_role"  ("person_id") `);
    await queryRunner.query(`CREATE INDEX "person_role_organisation_idx" ON "person_role"  ("organisation_id") `);
    await queryRunner.query(`CREATE TABLE "agreement_template" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "version" character varying(20) NOT NULL, "title" character varying(200) NOT NULL, "clauses" jsonb NOT NULL, "clauses_hash" character(64) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_41607fcf8e28274a79e79542fee" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "agreement_template_version_unique" ON "agreement_template"  ("version") `);
    await queryRunner.query(`CREATE TABLE "network_agreement" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "reference" character varying(40) NOT NULL, "pcn_id" uuid NOT NULL, "template_id" uuid NOT NULL, "status" character varying(30) NOT NULL DEFAULT 'DRAFT', "title" character varying(200) NOT NULL, "current_revision_number" integer NOT NULL, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "network_agreement_revision_check" CHECK (current_revision_number >= 1), CONSTRAINT "PK_6e90903e543cc9fcf1be779db73" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "network_agreement_reference_unique" ON "network_agreement"  ("reference") `);
    await queryRunner.query(`CREATE INDEX "network_agreement_pcn_idx" ON "network_agreement"  ("pcn_id") `);
    await queryRunner.query(`CREATE TABLE "agreement_revision" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "agreement_id" uuid NOT NULL, "number" integer NOT NULL, "content" jsonb NOT NULL, "content_hash" character(64) NOT NULL, "warnings" jsonb NOT NULL, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_33b2b1fbfd70f05fd65e6efaa57" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "agreement_revision_hash_idx" ON "agreement_revision"  ("content_hash") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "agreement_revision_number_unique" ON "agreement_revision"  ("agreement_id", "number") `);
    await queryRunner.query(`ALTER TABLE "role_grant" ADD CONSTRAINT "FK_cbca8b01eca20fa033ef14946b2" FOREIGN KEY ("user_id") REFERENCES "user_account"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "membership" ADD CONSTRAINT "FK_ea03b716e0a391677bdb1cb16e9" FOREIGN KEY ("pcn_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "membership" ADD CONSTRAINT "FK_2f4941fe960c27e452285d2bc1b" FOREIGN KEY ("practice_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "person_role" ADD CONSTRAINT "FK_7770d2f45811631494ac869bbe7" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "person_role" ADD CONSTRAINT "FK_de62c4a5a26ac17751f4c0de2dc" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "network_agreement" ADD CONSTRAINT "FK_449144e220282f6ab9592379496" FOREIGN KEY ("pcn_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "network_agreement" ADD CONSTRAINT "FK_b229151153c4b0044143e737389" FOREIGN KEY ("template_id") REFERENCES "agreement_template"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "agreement_revision" ADD CONSTRAINT "FK_71ba750cc5e1f9ce465e911ba5b" FOREIGN KEY ("agreement_id") REFERENCES "network_agreement"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "agreement_revision" DROP CONSTRAINT "FK_71ba750cc5e1f9ce465e911ba5b"`);
    await queryRunner.query(`ALTER TABLE "network_agreement" DROP CONSTRAINT "FK_b229151153c4b0044143e737389"`);
    await queryRunner.query(`ALTER TABLE "network_agreement" DROP CONSTRAINT "FK_449144e220282f6ab9592379496"`);
    await queryRunner.query(`ALTER TABLE "person_role" DROP CONSTRAINT "FK_de62c4a5a26ac17751f4c0de2dc"`);
    await queryRunner.query(`ALTER TABLE "person_role" DROP CONSTRAINT "FK_7770d2f45811631494ac869bbe7"`);
    await queryRunner.query(`ALTER TABLE "membership" DROP CONSTRAINT "FK_2f4941fe960c27e452285d2bc1b"`);
    await queryRunner.query(`ALTER TABLE "membership" DROP CONSTRAINT "FK_ea03b716e0a391677bdb1cb16e9"`);
    await queryRunner.query(`ALTER TABLE "role_grant" DROP CONSTRAINT "FK_cbca8b01eca20fa033ef14946b2"`);
    await queryRunner.query(`DROP INDEX "public"."agreement_revision_number_unique"`);
    await queryRunner.query(`DROP INDEX "public"."agreement_revision_hash_idx"`);
    await queryRunner.query(`DROP TABLE "agreement_revision"`);
    await queryRunner.query(`DROP INDEX "public"."network_agreement_pcn_idx"`);
    await queryRunner.query(`DROP INDEX "public"."network_agreement_reference_unique"`);
    await queryRunner.query(`DROP TABLE "network_agreement"`);
    await queryRunner.query(`DROP INDEX "public"."agreement_template_version_unique"`);
    await queryRunner.query(`DROP TABLE "agreement_template"`);
    await queryRunner.query(`DROP INDEX "public"."person_role_organisation_idx"`);
    await queryRunner.query(`DROP INDEX "public"."person_role_person_idx"`);
    await queryRunner.query(`DROP TABLE "person_role"`);
    await queryRunner.query(`DROP INDEX "public"."person_email_unique"`);
    await queryRunner.query(`DROP TABLE "person"`);
    await queryRunner.query(`DROP INDEX "public"."membership_practice_idx"`);
    await queryRunner.query(`DROP INDEX "public"."membership_pcn_idx"`);
    await queryRunner.query(`DROP TABLE "membership"`);
    await queryRunner.query(`DROP INDEX "public"."organisation_icb_code_idx"`);
    await queryRunner.query(`DROP INDEX "public"."organisation_ods_code_unique"`);
    await queryRunner.query(`DROP TABLE "organisation"`);
    await queryRunner.query(`DROP INDEX "public"."refresh_token_family_idx"`);
    await queryRunner.query(`DROP INDEX "public"."refresh_token_user_idx"`);
    await queryRunner.query(`DROP TABLE "refresh_token"`);
    await queryRunner.query(`DROP INDEX "public"."user_account_email_unique"`);
    await queryRunner.query(`DROP TABLE "user_account"`);
    await queryRunner.query(`DROP INDEX "public"."role_grant_unique"`);
    await queryRunner.query(`DROP TABLE "role_grant"`);
  }
}
