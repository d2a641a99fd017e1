import { MigrationInterface, QueryRunner } from 'typeorm';

export class OidcSubject1796122813005 implements MigrationInterface {
  name = 'OidcSubject1796122813005';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "user_account" ADD "oidc_issuer" character varying(500)`);
    await queryRunner.query(`ALTER TABLE "user_account" ADD "oidc_subject" character varying(255)`);
    await queryRunner.query(`ALTER TABLE "user_account" ADD "oidc_linked_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`CREATE UNIQUE INDEX "user_account_oidc_subject_unique" ON "user_account"  ("oidc_issuer", "oidc_subject") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."user_account_oidc_subject_unique"`);
    await queryRunner.query(`ALTER TABLE "user_account" DROP COLUMN "oidc_linked_at"`);
    await queryRunner.query(`ALTER TABLE "user_account" DROP COLUMN "oidc_subject"`);
    await queryRunner.query(`ALTER TABLE "user_account" DROP COLUMN "oidc_issuer"`);
  }
}
